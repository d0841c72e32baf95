// logic.ts — comparisons of whole arrays: isclose, allclose, arrayEqual.
import type { ArrayLike, JaxArray } from "../../core/array.js";
import { isFloat } from "../../core/dtype.js";
import { promoteArgs, checkOptions } from "./coerce.js";
import { abs, add, equal, isnan, lessEqual, logicalAnd, logicalOr, multiply, subtract } from "./ufuncs.js";
import { all } from "./reductions.js";

/** isclose(a, b, { rtol = 1e-5, atol = 1e-8, equalNan = false }): |a - b| <= atol + rtol·|b|. */
export function isclose(a: ArrayLike, b: ArrayLike, opts: { rtol?: number; atol?: number; equalNan?: boolean } = {}): JaxArray {
  checkOptions(opts, "isclose");
  const [x, y] = promoteArgs(a, b);
  if (!isFloat(x!.dtype)) return equal(x!, y!);
  const close = logicalOr(equal(x!, y!), lessEqual(abs(subtract(x!, y!)), add(opts.atol ?? 1e-8, multiply(opts.rtol ?? 1e-5, abs(y!)))));
  return opts.equalNan ? logicalOr(close, logicalAnd(isnan(x!), isnan(y!))) : close;
}
/** allclose(a, b, opts): every element isclose (a bool scalar array). */
export function allclose(a: ArrayLike, b: ArrayLike, opts: { rtol?: number; atol?: number; equalNan?: boolean } = {}): JaxArray {
  checkOptions(opts, "allclose");
  return all(isclose(a, b, opts));
}
/** arrayEqual(a, b): same shape and equal elements. */
export function arrayEqual(a: ArrayLike, b: ArrayLike): boolean {
  const [x, y] = promoteArgs(a, b);
  if (x!.ndim !== y!.ndim || x!.shape.some((d, i) => d !== y!.shape[i])) return false;
  return Boolean(all(equal(x!, y!)).item());
}
