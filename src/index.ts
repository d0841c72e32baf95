// index.ts — the public surface of jaxts (re-exports only).
import "./backends/js/index.js";
import "./backends/wasm/index.js";
import * as numpy from "./api/numpy/index.js";
import * as tree from "./core/tree.js";
import * as lax from "./api/lax.js";
import * as random from "./api/random.js";
import * as nn from "./api/nn.js";
import * as optim from "./api/optim.js";
import * as errorsMod from "./core/errors.js";

export { numpy, numpy as jnp, tree, lax, random, nn, optim };
export { grad, valueAndGrad, jvp, vjp, linearize, jacfwd, jacrev, jacobian, hessian, vmap } from "./transforms/api.js";
export type { GradOptions, VmapOptions, JacOptions } from "./transforms/api.js";
export { jit, makeJaxpr, evalShape, disableJit } from "./transforms/jit.js";
export { pmap } from "./transforms/pmap.js";
export type { PmapOptions } from "./transforms/pmap.js";
export { registerDeviceModule } from "./runtime/pool.js";
export type { JitOptions } from "./transforms/jit.js";
export { config } from "./core/config.js";
export { customJvp, customVjp, checkpoint, remat } from "./transforms/custom.js";
export type { CustomJvpFunction, CustomVjpFunction } from "./transforms/custom.js";
import * as debug from "./transforms/debug.js";
export { debug };
export { devices, deviceCount, localDeviceCount } from "./devices/devices.js";
export type { Device } from "./devices/devices.js";
export { devicePut, deviceGet } from "./api/device.js";
/** Resolves once the wasm backend's worker threads have started (optional; see README). */
export { threadsReady as backendReady } from "./backends/wasm/index.js";
export { JaxArray as Array } from "./core/array.js";
export type { ArrayLike, NestedArray, IndexElement } from "./core/array.js";
export type { DType } from "./core/dtype.js";
export type { TreeDef } from "./core/tree.js";

export const errors = {
  ConcretizationTypeError: errorsMod.ConcretizationTypeError,
  TracerBoolConversionError: errorsMod.TracerBoolConversionError,
  TracerIntegerConversionError: errorsMod.TracerIntegerConversionError,
  TracerArrayConversionError: errorsMod.TracerArrayConversionError,
  NonConcreteBooleanIndexError: errorsMod.NonConcreteBooleanIndexError,
  UnexpectedTracerError: errorsMod.UnexpectedTracerError,
  UnboundAxisNameError: errorsMod.UnboundAxisNameError,
  ValueError: errorsMod.ValueError,
  NotImplementedError: errorsMod.NotImplementedError,
};
