// reductions.ts — numpy reductions, cumulative ops and sorting: sum prod mean var std max min
// argmax argmin all any (and the nan* forms), cumsum cumprod, sort argsort. Installs the
// method forms sum mean max min prod all any argmax argmin.
import { type ArrayLike, type Axis, JaxArray, arrayOps } from "../../core/array.js";
import { shapeSize } from "../../core/aval.js";
import { type DType, checkDType, isFloat, toInexact } from "../../core/dtype.js";
import { ConcretizationTypeError, ValueError } from "../../core/errors.js";
import * as lax from "../../primitives/elementwise.js";
import * as r from "../../primitives/reduce.js";
import { reshape, rev } from "../../primitives/movement.js";
import { normAxes, normAxis, range } from "../../primitives/util.js";
import { asArray, checkOptions } from "./coerce.js";

export interface ReduceOptions {
  keepdims?: boolean;
  /** dtype of the computation and result (sum, prod, mean, var, std, cumsum, cumprod) */
  dtype?: DType;
}
export interface ExtremumOptions {
  keepdims?: boolean;
  /** a starting value, which also makes the reduction of an empty axis valid */
  initial?: number;
}
export interface VarOptions {
  keepdims?: boolean;
  /** delta degrees of freedom: the divisor is N - ddof */
  ddof?: number;
  dtype?: DType;
}

/** A static axis argument: a JS number, or a concrete array (a tracer cannot be an axis). */
function staticInt(a: unknown, name: string): number {
  if (a instanceof JaxArray) {
    const c = a._concrete();
    if (!c)
      throw new ConcretizationTypeError(
        a._describe(),
        `The axis argument of ${name} must be static (a JS number known when tracing); it cannot depend on traced values.`,
      );
    return Number(c);
  }
  if (typeof a !== "number") throw new TypeError(`${name}: axis must be an integer, null or an array of integers, got ${typeof a} (${String(a)})`);
  return a;
}

/** Normalises a reduction axis argument to sorted non-negative axes (null/undefined = all). */
function reductionAxes(axis: Axis | JaxArray, ndim: number, name: string): number[] {
  if (axis === null || axis === undefined) return range(ndim);
  if (Array.isArray(axis)) return normAxes((axis as readonly unknown[]).map((a) => staticInt(a, name)), ndim, name).sort((a, b) => a - b);
  return [normAxis(staticInt(axis, name), ndim, name)];
}

/** Reinserts the reduced axes as size-1 dimensions when keepdims is set. */
function keep(y: JaxArray, inShape: readonly number[], axes: readonly number[], keepdims: boolean | undefined): JaxArray {
  if (!keepdims) return y;
  return reshape(y, inShape.map((d, i) => (axes.includes(i) ? 1 : d)));
}

/** Converts to dtype `d`, keeping the weak flag when the dtype does not change. */
function cast(a: JaxArray, d: DType): JaxArray {
  return a.dtype === d ? a : lax.convert(a, d, false);
}

/** The dtype sum/prod/cumsum compute in: bool becomes int32, others stay. */
function sumDType(a: JaxArray, dtype: DType | undefined, name: string): DType {
  if (dtype !== undefined) return checkDType(dtype, name);
  return a.dtype === "bool" ? "int32" : a.dtype;
}

function emptyCheck(a: JaxArray, axes: readonly number[], name: string): void {
  for (const ax of axes)
    if (a.aval.shape[ax] === 0)
      throw new ValueError(
        `zero-size array to reduction operation ${name} which has no identity (axis ${ax} of shape [${a.aval.shape.join(", ")}] has size 0); pass { initial } to reduce an empty axis`,
      );
}

const toBool = (a: JaxArray): JaxArray => (a.dtype === "bool" ? a : lax.ne(a, lax.scalarLike(a, 0)));
const isnan = (a: JaxArray): JaxArray => lax.ne(a, a);

// ---------------------------------------------------------------- reductions
/** Sum of elements over `axis` (all when null). bool sums to int32; other dtypes keep theirs. */
export function sum(x: ArrayLike, axis?: Axis, opts: ReduceOptions = {}): JaxArray {
  checkOptions(opts, "sum");
  const a = asArray(x);
  const axes = reductionAxes(axis, a.ndim, "sum");
  return keep(r.reduceSum(cast(a, sumDType(a, opts.dtype, "sum")), axes), a.aval.shape, axes, opts.keepdims);
}

/** Product of elements over `axis`. bool multiplies as int32. */
export function prod(x: ArrayLike, axis?: Axis, opts: ReduceOptions = {}): JaxArray {
  checkOptions(opts, "prod");
  const a = asArray(x);
  const axes = reductionAxes(axis, a.ndim, "prod");
  return keep(r.reduceProd(cast(a, sumDType(a, opts.dtype, "prod")), axes), a.aval.shape, axes, opts.keepdims);
}

/** Arithmetic mean over `axis`; integer and bool inputs give float32. Empty → NaN. */
export function mean(x: ArrayLike, axis?: Axis, opts: ReduceOptions = {}): JaxArray {
  checkOptions(opts, "mean");
  const a = asArray(x);
  const axes = reductionAxes(axis, a.ndim, "mean");
  const d = opts.dtype !== undefined ? checkDType(opts.dtype, "mean") : toInexact(a.dtype);
  const n = shapeSize(axes.map((ax) => a.aval.shape[ax]!));
  const s = r.reduceSum(cast(a, d), axes);
  return keep(lax.div(s, n), a.aval.shape, axes, opts.keepdims);
}

/** Variance over `axis`: mean of squared deviations with divisor N - ddof. */
function var_(x: ArrayLike, axis?: Axis, opts: VarOptions = {}): JaxArray {
  const a0 = asArray(x);
  const axes = reductionAxes(axis, a0.ndim, "var");
  const ddof = opts.ddof ?? 0;
  if (typeof ddof !== "number" || !Number.isFinite(ddof)) throw new TypeError(`var: ddof must be a finite number, got ${String(ddof)}`);
  const d = opts.dtype !== undefined ? checkDType(opts.dtype, "var") : toInexact(a0.dtype);
  if (!isFloat(d)) throw new TypeError(`var: dtype must be a floating-point dtype, got ${d}`);
  const a = cast(a0, d);
  const n = shapeSize(axes.map((ax) => a.aval.shape[ax]!));
  const mu = keep(lax.div(r.reduceSum(a, axes), n), a.aval.shape, axes, true);
  const c = lax.sub(a, mu);
  const ss = r.reduceSum(lax.mul(c, c), axes);
  return keep(lax.div(ss, n - ddof), a.aval.shape, axes, opts.keepdims);
}
export { var_ as var };

/** Standard deviation over `axis`: sqrt(var(x, axis, { ddof })). */
export function std(x: ArrayLike, axis?: Axis, opts: VarOptions = {}): JaxArray {
  checkOptions(opts, "std");
  return lax.sqrt(var_(x, axis, opts));
}

function extremum(x: ArrayLike, axis: Axis, opts: ExtremumOptions, isMax: boolean): JaxArray {
  const name = isMax ? "max" : "min";
  const a = asArray(x);
  const axes = reductionAxes(axis, a.ndim, name);
  if (opts.initial === undefined) emptyCheck(a, axes, name);
  let y = isMax ? r.reduceMax(a, axes) : r.reduceMin(a, axes);
  if (opts.initial !== undefined) {
    const init = lax.full([], opts.initial, a.dtype, a.weakType);
    y = isMax ? lax.max(y, init) : lax.min(y, init);
  }
  return keep(y, a.aval.shape, axes, opts.keepdims);
}
/** Maximum over `axis` (NaN propagates). An empty axis without `initial` is an error. */
export function max(x: ArrayLike, axis?: Axis, opts: ExtremumOptions = {}): JaxArray {
  checkOptions(opts, "max");
  return extremum(x, axis, opts, true);
}
/** Minimum over `axis` (NaN propagates). An empty axis without `initial` is an error. */
export function min(x: ArrayLike, axis?: Axis, opts: ExtremumOptions = {}): JaxArray {
  checkOptions(opts, "min");
  return extremum(x, axis, opts, false);
}
export const amax = max;
export const amin = min;

/** Peak-to-peak: max - min over `axis`. */
export function ptp(x: ArrayLike, axis?: Axis, opts: { keepdims?: boolean } = {}): JaxArray {
  checkOptions(opts, "ptp");
  const a = asArray(x);
  return lax.sub(max(a, axis, opts), min(a, axis, opts));
}

function argExtremum(x: ArrayLike, axis: number | null | undefined, opts: { keepdims?: boolean }, isMax: boolean): JaxArray {
  const name = isMax ? "argmax" : "argmin";
  let a = asArray(x);
  const inShape = a.aval.shape;
  let ax: number;
  if (axis === null || axis === undefined) {
    a = reshape(a, [a.size]);
    ax = 0;
  } else ax = normAxis(staticInt(axis, name), a.ndim, name);
  if (a.aval.shape[ax] === 0) throw new ValueError(`attempt to get ${name} of an empty sequence`);
  const y = isMax ? r.argmax(a, ax) : r.argmin(a, ax);
  if (!opts.keepdims) return y;
  return reshape(y, axis === null || axis === undefined ? inShape.map(() => 1) : inShape.map((d, i) => (i === ax ? 1 : d)));
}
/** Index of the first maximum along `axis` (of the flattened array when null); int32. NaN counts as the maximum. */
export function argmax(x: ArrayLike, axis?: number | null, opts: { keepdims?: boolean } = {}): JaxArray {
  checkOptions(opts, "argmax");
  return argExtremum(x, axis, opts, true);
}
/** Index of the first minimum along `axis` (of the flattened array when null); int32. NaN counts as the minimum. */
export function argmin(x: ArrayLike, axis?: number | null, opts: { keepdims?: boolean } = {}): JaxArray {
  checkOptions(opts, "argmin");
  return argExtremum(x, axis, opts, false);
}

/** True where every element over `axis` is non-zero (empty → true). */
export function all(x: ArrayLike, axis?: Axis, opts: { keepdims?: boolean } = {}): JaxArray {
  checkOptions(opts, "all");
  const a = asArray(x);
  const axes = reductionAxes(axis, a.ndim, "all");
  return keep(r.reduceAnd(toBool(a), axes), a.aval.shape, axes, opts.keepdims);
}
/** True where any element over `axis` is non-zero (empty → false). */
export function any(x: ArrayLike, axis?: Axis, opts: { keepdims?: boolean } = {}): JaxArray {
  checkOptions(opts, "any");
  const a = asArray(x);
  const axes = reductionAxes(axis, a.ndim, "any");
  return keep(r.reduceOr(toBool(a), axes), a.aval.shape, axes, opts.keepdims);
}

/** Number of non-zero elements over `axis` (int32). */
export function countNonzero(x: ArrayLike, axis?: Axis, opts: { keepdims?: boolean } = {}): JaxArray {
  checkOptions(opts, "countNonzero");
  const a = asArray(x);
  return sum(lax.convert(toBool(a), "int32"), axis, opts);
}

// ---------------------------------------------------------------- nan-ignoring forms
/** Sum treating NaN as zero. */
export function nansum(x: ArrayLike, axis?: Axis, opts: ReduceOptions = {}): JaxArray {
  checkOptions(opts, "nansum");
  const a = asArray(x);
  if (!isFloat(a.dtype)) return sum(a, axis, opts);
  return sum(lax.select(isnan(a), lax.zerosLike(a), a), axis, opts);
}
/** Product treating NaN as one. */
export function nanprod(x: ArrayLike, axis?: Axis, opts: ReduceOptions = {}): JaxArray {
  checkOptions(opts, "nanprod");
  const a = asArray(x);
  if (!isFloat(a.dtype)) return prod(a, axis, opts);
  return prod(lax.select(isnan(a), lax.full(a.aval.shape, 1, a.dtype, a.weakType), a), axis, opts);
}
function nanExtremum(x: ArrayLike, axis: Axis, opts: ExtremumOptions, isMax: boolean): JaxArray {
  const a = asArray(x);
  if (!isFloat(a.dtype)) return extremum(a, axis, opts, isMax);
  const nan = isnan(a);
  const filled = lax.select(nan, lax.full(a.aval.shape, isMax ? -Infinity : Infinity, a.dtype, a.weakType), a);
  const y = extremum(filled, axis, opts, isMax);
  // a slice that is all NaN gives NaN
  const allNan = all(nan, axis, { keepdims: opts.keepdims });
  return lax.select(allNan, lax.full(y.aval.shape, NaN, y.dtype, y.weakType), y);
}
/** Maximum ignoring NaN (NaN only where a slice is all NaN). */
export function nanmax(x: ArrayLike, axis?: Axis, opts: ExtremumOptions = {}): JaxArray {
  checkOptions(opts, "nanmax");
  return nanExtremum(x, axis, opts, true);
}
/** Minimum ignoring NaN (NaN only where a slice is all NaN). */
export function nanmin(x: ArrayLike, axis?: Axis, opts: ExtremumOptions = {}): JaxArray {
  checkOptions(opts, "nanmin");
  return nanExtremum(x, axis, opts, false);
}
/** Mean of the non-NaN elements. */
export function nanmean(x: ArrayLike, axis?: Axis, opts: ReduceOptions = {}): JaxArray {
  checkOptions(opts, "nanmean");
  const a = asArray(x);
  if (!isFloat(a.dtype)) return mean(a, axis, opts);
  const nan = isnan(a);
  const s = nansum(a, axis, opts);
  const cnt = sum(lax.convert(lax.not(nan), s.dtype), axis, { keepdims: opts.keepdims });
  return lax.div(s, cnt);
}

// ---------------------------------------------------------------- cumulative
function cumulative(x: ArrayLike, axis: number | null | undefined, dtype: DType | undefined, name: string, f: (a: JaxArray, ax: number) => JaxArray): JaxArray {
  let a = asArray(x);
  let ax: number;
  if (axis === null || axis === undefined) {
    a = reshape(a, [a.size]);
    ax = 0;
  } else {
    if (a.ndim === 0) throw new ValueError(`${name}: axis ${axis} is out of bounds for array of dimension 0`);
    ax = normAxis(staticInt(axis, name), a.ndim, name);
  }
  return f(cast(a, sumDType(a, dtype, name)), ax);
}
/** Cumulative sum along `axis` (of the flattened array when null); bool sums as int32. */
export function cumsum(x: ArrayLike, axis?: number | null, dtype?: DType): JaxArray {
  return cumulative(x, axis, dtype, "cumsum", (a, ax) => r.cumsum(a, ax));
}
/** Cumulative product along `axis` (of the flattened array when null). */
export function cumprod(x: ArrayLike, axis?: number | null, dtype?: DType): JaxArray {
  return cumulative(x, axis, dtype, "cumprod", (a, ax) => r.cumprod(a, ax));
}
export const cumulativeSum = cumsum;
export const cumulativeProd = cumprod;

// ---------------------------------------------------------------- sorting
export interface SortOptions {
  /** largest first (stable: equal elements keep their order) */
  descending?: boolean;
}
function sortAxis(a: JaxArray, axis: number | null | undefined, name: string): [JaxArray, number] {
  if (axis === null) return [reshape(a, [a.size]), 0];
  if (a.ndim === 0) throw new ValueError(`${name}: axis ${axis ?? -1} is out of bounds for array of dimension 0`);
  return [a, normAxis(staticInt(axis ?? -1, name), a.ndim, name)];
}
/** Sorted copy along `axis` (default -1; flattened when null). Stable, NaN last. */
export function sort(x: ArrayLike, axis: number | null = -1, opts: SortOptions = {}): JaxArray {
  checkOptions(opts, "sort");
  const [a, ax] = sortAxis(asArray(x), axis, "sort");
  const s = r.sort(a, ax);
  return opts.descending ? rev(s, [ax]) : s;
}
/** Indices (int32) that sort `x` along `axis` (default -1; flattened when null). Stable, NaN last. */
export function argsort(x: ArrayLike, axis: number | null = -1, opts: SortOptions = {}): JaxArray {
  checkOptions(opts, "argsort");
  let [a, ax] = sortAxis(asArray(x), axis, "argsort");
  let idx = r.iota(a.aval.shape, ax);
  // descending and stable: sort the reversed array, then reverse the indices back
  if (opts.descending) {
    a = rev(a, [ax]);
    idx = rev(idx, [ax]);
  }
  const out = r.sortKeyVal(a, idx, ax)[1];
  return opts.descending ? rev(out, [ax]) : out;
}

Object.assign(arrayOps, { sum, mean, max, min, prod, all, any, argmax, argmin });
