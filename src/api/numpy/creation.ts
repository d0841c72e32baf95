// creation.ts — array creation: zeros, ones, full, *Like, arange, linspace, eye, identity.
import { type ArrayLike, EagerArray, type JaxArray } from "../../core/array.js";
import { type DType, castScalar, checkDType, typedArrayFor } from "../../core/dtype.js";
import { ValueError } from "../../core/errors.js";
import { shapeSize } from "../../core/aval.js";
import { array, asArray, normShape, checkOptions } from "./coerce.js";
import { broadcastTo } from "../../primitives/movement.js";
import { convert } from "../../primitives/elementwise.js";

export { array, asArray as asarray };

function filled(shape: number[], v: number, dtype: DType, weak = false): JaxArray {
  const t = typedArrayFor(dtype, shapeSize(shape));
  if (v !== 0) t.fill(castScalar(v, dtype));
  return EagerArray.fromTyped(t, shape, dtype, weak);
}

export function zeros(shape: number | readonly number[], dtype: DType | null = "float32"): JaxArray {
  return filled(normShape(shape, "zeros"), 0, checkDType(dtype ?? "float32", "zeros"));
}
export function ones(shape: number | readonly number[], dtype: DType | null = "float32"): JaxArray {
  return filled(normShape(shape, "ones"), 1, checkDType(dtype ?? "float32", "ones"));
}
/** full(shape, fillValue, dtype?) — an array (or value) broadcast to `shape`. */
export function full(shape: number | readonly number[], fillValue: ArrayLike, dtype?: DType | null): JaxArray {
  const s = normShape(shape, "full");
  if (dtype === null) dtype = undefined;
  // a JS number fill value stays weakly typed, as a Python scalar in JAX
  if (typeof fillValue === "number" && dtype === undefined) return filled(s, fillValue, "float32", true);
  if (typeof fillValue === "number") return filled(s, fillValue, checkDType(dtype, "full"));
  const v = asArray(fillValue, dtype);
  return broadcastTo(dtype ? convert(v, dtype) : v, s);
}
export function zerosLike(x: ArrayLike, dtype?: DType): JaxArray {
  const a = asArray(x);
  return filled([...a.aval.shape], 0, dtype ?? a.dtype, dtype === undefined && a.weakType);
}
export function onesLike(x: ArrayLike, dtype?: DType): JaxArray {
  const a = asArray(x);
  return filled([...a.aval.shape], 1, dtype ?? a.dtype, dtype === undefined && a.weakType);
}
export function fullLike(x: ArrayLike, fillValue: ArrayLike, dtype?: DType): JaxArray {
  const a = asArray(x);
  return full([...a.aval.shape], fillValue, dtype ?? a.dtype);
}

/**
 * arange(stop) | arange(start, stop, step?, dtype?). JS numbers cannot tell 3 from 3.0, so the
 * result is int32 when every bound is an integer and no dtype is given (as arange(3) in
 * JAX), float32 otherwise.
 */
export function arange(start: number, stop?: number | null, step = 1, dtype?: DType): JaxArray {
  for (const [n, v] of [["start", start], ["stop", stop], ["step", step]] as const)
    if (v !== undefined && v !== null && (typeof v !== "number" || !Number.isFinite(v)))
      throw new TypeError(`arange: ${n} must be a finite JS number, got ${String(v)}`);
  if (stop === undefined || stop === null) {
    stop = start;
    start = 0;
  }
  if (step === 0) throw new ValueError("arange: step must not be zero");
  const d = dtype ? checkDType(dtype, "arange") : [start, stop, step].every(Number.isInteger) ? "int32" : "float32";
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const t = typedArrayFor(d, n);
  for (let i = 0; i < n; i++) t[i] = castScalar(start + i * step, d);
  return EagerArray.fromTyped(t, [n], d);
}

export function linspace(start: number, stop: number, num = 50, opts: { endpoint?: boolean; dtype?: DType } = {}): JaxArray {
  checkOptions(opts, "linspace");
  if (!Number.isInteger(num) || num < 0) throw new ValueError(`linspace: num must be a non-negative integer, got ${num}`);
  const endpoint = opts.endpoint ?? true;
  const d = opts.dtype ? checkDType(opts.dtype, "linspace") : "float32";
  const t = typedArrayFor(d, num);
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  for (let i = 0; i < num; i++) t[i] = castScalar(start + i * step, d);
  if (endpoint && num > 1) t[num - 1] = castScalar(stop, d);
  return EagerArray.fromTyped(t, [num], d);
}

/** eye(n, m?, k?, dtype?) — ones on the k-th diagonal. */
export function eye(n: number, m?: number | null, k = 0, dtype: DType = "float32"): JaxArray {
  const mm = m ?? n;
  for (const [nm, v] of [["N", n], ["M", mm], ["k", k]] as const)
    if (!Number.isInteger(v) || (nm !== "k" && v < 0)) throw new ValueError(`eye: ${nm} must be a non-negative integer, got ${v}`);
  const d = checkDType(dtype, "eye");
  const t = typedArrayFor(d, n * mm);
  for (let i = 0; i < n; i++) {
    const j = i + k;
    if (j >= 0 && j < mm) t[i * mm + j] = 1;
  }
  return EagerArray.fromTyped(t, [n, mm], d);
}
export function identity(n: number, dtype: DType = "float32"): JaxArray {
  return eye(n, n, 0, dtype);
}
