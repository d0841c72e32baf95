// lax.ts — jax.lax for TypeScript: control flow, stopGradient, select and the lax-level
// primitive wrappers (which take arrays of matching dtypes, without numpy promotion).
import type { ArrayLike, JaxArray } from "../core/array.js";
import * as ew from "../primitives/elementwise.js";
import { asArray, promoteArgs } from "./numpy/coerce.js";

export { cond, switch_ as switch, whileLoop, foriLoop, scan, map } from "../transforms/control.js";
export {
  add, sub, mul, div, rem, pow, max, min, neg, sign, floor, ceil, round, abs, exp, log, log1p, expm1, sqrt, rsqrt, cbrt,
  sin, cos, tan, asin, acos, atan, atan2, sinh, cosh, tanh, asinh, acosh, atanh, logistic, integerPow, convert as convertElementType,
  eq, ne, lt, le, gt, ge, and, or, xor, not,
} from "../primitives/elementwise.js";
export { reshape, broadcastInDim, transpose, slice, sliceInDim, rev, concatenate, pad, expandDims, squeeze } from "../primitives/movement.js";
export { psum, pmean, pmax, pmin, allGather, ppermute, pshuffle, axisIndex, axisSize, psumScatter, allToAll } from "../transforms/collectives.js";
export type { AxisNameArg, CollectiveOptions, AllGatherOptions, PsumScatterOptions, AllToAllOptions } from "../transforms/collectives.js";

/** lax.stopGradient(x): x, with a zero derivative (works on pytrees of arrays too). */
export function stopGradient<T>(x: T): T {
  if (Array.isArray(x)) return x.map((v) => stopGradient(v)) as T;
  if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype)
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, stopGradient(v)])) as T;
  return ew.stopGradient(asArray(x as ArrayLike)) as T;
}

/** lax.select(pred, onTrue, onFalse): elementwise choice with a bool predicate of the same shape. */
export function select(pred: ArrayLike, onTrue: ArrayLike, onFalse: ArrayLike): JaxArray {
  const p = asArray(pred);
  if (p.dtype !== "bool") throw new TypeError(`lax.select requires a bool predicate, got ${p.dtype}`);
  const [a, b] = promoteArgs(onTrue, onFalse);
  return ew.select(p, a!, b!);
}
