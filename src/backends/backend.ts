// backend.ts — the small backend interface (allocate/write, read, execute) and the registry.
// The js backend is the reference; faster backends (wasm, webgpu) register themselves here.
import type { ShapedArray } from "../core/aval.js";
import type { TypedArray } from "../core/dtype.js";
import type { Params, Primitive } from "../core/primitive.js";

/** An opaque buffer owned by a backend. */
export interface DeviceBuffer {
  readonly __deviceBuffer: true;
}

export interface Backend {
  readonly name: string;
  /** Copies host data into a new buffer of this backend. The backend may keep `data`. */
  fromHost(data: TypedArray, aval: ShapedArray): DeviceBuffer;
  /** Host view of a buffer; callers must not mutate it. */
  toHost(buf: DeviceBuffer, aval: ShapedArray): TypedArray;
  /** Runs one primitive on buffers of this backend. */
  execute(prim: Primitive<any>, inputs: DeviceBuffer[], inAvals: ShapedArray[], params: Params, outAvals: ShapedArray[]): DeviceBuffer[];
  /** Releases a buffer early (optional; GC also releases). */
  dispose(buf: DeviceBuffer): void;
}

/**
 * A hint from the compiled-program runner to the backends: while `transient` is true, the
 * buffers being made are intermediates that the program disposes itself before it returns
 * (so a backend that bounds its memory for arrays the garbage collector must find may put
 * them in its fast memory regardless).
 */
export const allocHints = { transient: false };

const backends = new Map<string, Backend>();
let defaultName = "js";

export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
}
export function getBackend(name?: string): Backend {
  const b = backends.get(name ?? defaultName);
  if (!b) throw new TypeError(`unknown backend ${JSON.stringify(name ?? defaultName)}; available: ${[...backends.keys()].join(", ")}`);
  return b;
}
export function setDefaultBackend(name: string): void {
  getBackend(name);
  defaultName = name;
}
export function defaultBackend(): Backend {
  return getBackend();
}
