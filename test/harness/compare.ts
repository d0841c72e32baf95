// compare.ts — numeric comparison for tests with the tolerances of SEMANTICS.md 0.6:
// ints and bools exact; float32 |a-e| <= 1e-6 + 1e-5|e|; float64 1e-12 + 1e-9|e|;
// NaN matches NaN, infinities match in sign. Failures name the first bad element.
import type { JaxArray } from "../../src/core/array.js";
import type { DType } from "../../src/core/dtype.js";
import { toFlat } from "./host.js";

export interface Tol {
  rtol: number;
  atol: number;
}

export const TOL: Record<"float32" | "float64", Tol> = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-9, atol: 1e-12 },
};

/** Default tolerance for a dtype (null = exact). */
export function tolFor(dtype: string): Tol | null {
  return dtype === "float32" || dtype === "float64" ? TOL[dtype] : null;
}

/** The looser of two tolerances (component-wise). */
export function looser(a: Tol | null | undefined, b: Tol | null | undefined): Tol | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return { rtol: Math.max(a.rtol, b.rtol), atol: Math.max(a.atol, b.atol) };
}

/** Checks one value; returns a message when it fails. */
export function closeOrWhy(a: number, e: number, tol: Tol | null): string | null {
  if (Number.isNaN(e)) return Number.isNaN(a) ? null : `expected NaN, got ${a}`;
  if (Number.isNaN(a)) return `expected ${e}, got NaN`;
  if (!Number.isFinite(e) || !Number.isFinite(a)) return a === e ? null : `expected ${e}, got ${a}`;
  if (!tol) return a === e ? null : `expected exactly ${e}, got ${a}`;
  const err = Math.abs(a - e);
  return err <= tol.atol + tol.rtol * Math.abs(e) ? null : `expected ${e}, got ${a} (|diff| ${err.toExponential(2)} > ${tol.atol} + ${tol.rtol}·|e|)`;
}

/** Compares flat data; throws an assertion error naming the first mismatch. */
export function assertFlatClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tol | null, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const why = closeOrWhy(actual[i]!, expected[i]!, tol);
    if (why) throw new Error(`${what}: element ${i}: ${why}`);
  }
}

export interface Expected {
  data: ArrayLike<number>;
  shape: readonly number[];
  dtype: DType | string;
  weak?: boolean;
}

/** Checks shape, dtype (and weak flag when given) exactly and values within `tol`. */
export function assertArrayClose(actual: JaxArray, expected: Expected, tol: Tol | null | undefined, what: string): void {
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i]))
    throw new Error(`${what}: shape [${actual.shape.join(", ")}], expected [${expected.shape.join(", ")}]`);
  if (actual.dtype !== expected.dtype) throw new Error(`${what}: dtype ${actual.dtype}, expected ${expected.dtype}`);
  if (expected.weak !== undefined && actual.weakType !== expected.weak)
    throw new Error(`${what}: weak_type ${actual.weakType}, expected ${expected.weak}`);
  assertFlatClose(toFlat(actual), expected.data, tol === undefined ? tolFor(actual.dtype) : tol, what);
}

/** Compares two arrays (shape, dtype, values). */
export function assertArraysClose(actual: JaxArray, expected: JaxArray, tol: Tol | null | undefined, what: string, checkWeak = false): void {
  assertArrayClose(
    actual,
    { data: toFlat(expected), shape: expected.shape, dtype: expected.dtype, weak: checkWeak ? expected.weakType : undefined },
    tol,
    what,
  );
}
