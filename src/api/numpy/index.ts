// numpy/ — jax.numpy for TypeScript (`jnp`). Each file owns one family and installs its Array
// method forms into core's `arrayOps`; this file only re-exports.
import { arrayOps } from "../../core/array.js";
import * as u from "./ufuncs.js";

export * from "./creation.js";
export * from "./ufuncs.js";
export * from "./logic.js";
export * from "./reductions.js";
export * from "./shape.js";
export * from "./linalg.js";
export * from "./indexing.js";
export { resultType, promoteArgs } from "./coerce.js";
export type { ArrayLike } from "./coerce.js";
export { JaxArray as Array } from "../../core/array.js";
export type { DType } from "../../core/dtype.js";
export { promoteTypes } from "../../core/dtype.js";

export const float32 = "float32" as const;
export const float64 = "float64" as const;
export const int32 = "int32" as const;
export const uint32 = "uint32" as const;
export const bool = "bool" as const;
export const float0 = "float0" as const;
export const pi = Math.PI;
export const e = Math.E;
export const inf = Infinity;
export const nan = NaN;
export const newaxis = null;

Object.assign(arrayOps, {
  add: u.add,
  subtract: u.subtract,
  multiply: u.multiply,
  divide: u.divide,
  power: u.power,
  equal: u.equal,
  notEqual: u.notEqual,
  less: u.less,
  lessEqual: u.lessEqual,
  greater: u.greater,
  greaterEqual: u.greaterEqual,
  negative: u.negative,
  abs: u.abs,
  exp: u.exp,
  log: u.log,
  sqrt: u.sqrt,
  sin: u.sin,
  cos: u.cos,
  tanh: u.tanh,
  square: u.square,
  astype: u.astype,
});
