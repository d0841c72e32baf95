// host.ts — host-side array helpers for the test harness: building arrays from flat data,
// reading them back, slicing along an axis and stacking. These deliberately avoid the jnp
// functions under test (they work on typed arrays and the core EagerArray constructor), so
// that an oracle built with them does not share bugs with the code it checks.
import { EagerArray, type JaxArray } from "../../src/core/array.js";
import { type DType, castScalar, isFloat, typedArrayFor } from "../../src/core/dtype.js";
import * as tree from "../../src/core/tree.js";

export const shapeSize = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A concrete array with the given flat row-major data (values are cast to `dtype`). */
export function fromFlat(data: ArrayLike<number>, shape: readonly number[], dtype: DType, weak = false): JaxArray {
  const n = shapeSize(shape);
  if (data.length !== n) throw new Error(`harness: ${data.length} values for shape [${shape.join(", ")}]`);
  const t = typedArrayFor(dtype, n);
  for (let i = 0; i < n; i++) t[i] = castScalar(data[i]!, dtype);
  return EagerArray.fromTyped(t, [...shape], dtype, weak);
}

/** A weakly typed int32 scalar: what a Python `int` operand is in JAX (JS has no such literal). */
export function weakInt(v: number): JaxArray {
  return fromFlat([v], [], "int32", true);
}

/** The float0 zeros a vjp expects as cotangent of an integer/bool output. */
export function float0(shape: readonly number[]): JaxArray {
  return EagerArray.fromTyped(new Uint8Array(shapeSize(shape)), [...shape], "float0");
}

/** Flat values of an array as JS numbers (bools as 0/1). */
export function toFlat(x: JaxArray): number[] {
  return Array.from(x.dataSync() as ArrayLike<number>);
}

/** Re-creates `x` with another dtype via the host (float32 -> float64 is exact). */
export function recast(x: JaxArray, dtype: DType): JaxArray {
  return fromFlat(toFlat(x), x.shape, dtype, x.weakType);
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** x indexed with i along `axis` (the axis removed), computed on the host. */
export function sliceAxis(x: JaxArray, axis: number, i: number): JaxArray {
  const shape = x.shape;
  const ax = axis < 0 ? axis + shape.length : axis;
  const data = toFlat(x);
  const outer = shapeSize(shape.slice(0, ax));
  const n = shape[ax]!;
  const inner = shapeSize(shape.slice(ax + 1));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) for (let k = 0; k < inner; k++) out.push(data[(o * n + i) * inner + k]!);
  return fromFlat(out, [...shape.slice(0, ax), ...shape.slice(ax + 1)], x.dtype, x.weakType);
}

/** Stacks equally shaped arrays along a new axis `axis` (may be negative: counts in the result). */
export function stackAxis(xs: readonly JaxArray[], axis: number): JaxArray {
  if (xs.length === 0) throw new Error("harness: stackAxis of nothing");
  const shape = xs[0]!.shape;
  const ax = axis < 0 ? axis + shape.length + 1 : axis;
  const datas = xs.map(toFlat);
  const outer = shapeSize(shape.slice(0, ax));
  const inner = shapeSize(shape.slice(ax));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) for (const d of datas) for (let k = 0; k < inner; k++) out.push(d[o * inner + k]!);
  const outShape = [...shape.slice(0, ax), xs.length, ...shape.slice(ax)];
  return fromFlat(out, outShape, xs[0]!.dtype, xs.every((x) => x.weakType));
}

/** Leaves of a pytree of arrays (output of an op under test). */
export function arrayLeaves(t: unknown): JaxArray[] {
  return tree.leaves(t) as JaxArray[];
}

/** Sum over all leaves of a·b (host, float64). */
export function innerProduct(a: readonly JaxArray[], b: readonly JaxArray[]): { value: number; scale: number } {
  let value = 0;
  let scale = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    if (!isFloat(x.dtype) || !isFloat(y.dtype)) return;
    const xd = toFlat(x);
    const yd = toFlat(y);
    for (let k = 0; k < xd.length; k++) {
      value += xd[k]! * yd[k]!;
      scale += Math.abs(xd[k]! * yd[k]!);
    }
  });
  return { value, scale };
}

export { strides };
