// util.ts — shared helpers for primitive definitions: broadcasting shapes, strided iteration
// over host arrays, and axis normalisation with clear errors.
import type { TypedArray } from "../core/dtype.js";
import { typedArrayFor } from "../core/dtype.js";
import type { DType } from "../core/dtype.js";
import { shapeSize, stridesOf } from "../core/aval.js";
import { ValueError } from "../core/errors.js";

/** numpy broadcasting of shapes; throws naming the shapes if incompatible. */
export function broadcastShapes(opName: string, ...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const o = out[off + i]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[off + i] = d;
      else
        throw new ValueError(
          `${opName}: shapes ${shapes.map((x) => `[${x.join(", ")}]`).join(" and ")} cannot be broadcast together (dimension ${off + i} has sizes ${o} and ${d}); incompatible shapes for broadcasting`,
        );
    }
  }
  return out;
}

/** Strides (in elements) that read `shape` broadcast to `outShape` (0 on broadcast dims). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const st = stridesOf(shape);
  const off = outShape.length - shape.length;
  const r = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) r[off + i] = shape[i] === 1 && outShape[off + i] !== 1 ? 0 : st[i]!;
  return r;
}

/**
 * Calls fn(outIndex, inOffsets...) for every element of outShape in row-major order, where
 * each input offset follows that input's strides. Used by reference kernels.
 */
export function forEachStrided(outShape: readonly number[], strides: number[][], fn: (o: number, offs: number[]) => void): void {
  const n = shapeSize(outShape);
  const rank = outShape.length;
  const k = strides.length;
  const offs = new Array<number>(k).fill(0);
  if (n === 0) return;
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < n; o++) {
    fn(o, offs);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      for (let j = 0; j < k; j++) offs[j]! += strides[j]![d]!;
      if (idx[d]! < outShape[d]!) break;
      for (let j = 0; j < k; j++) offs[j]! -= strides[j]![d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

/** Normalises a possibly negative axis for an array of rank `ndim`. */
export function normAxis(axis: number, ndim: number, opName: string): number {
  if (!Number.isInteger(axis))
    throw new TypeError(`${opName}: axis must be an integer, got ${String(axis)}`);
  if (axis < -ndim || axis >= ndim)
    throw new ValueError(`${opName}: axis ${axis} is out of bounds for array of dimension ${ndim}`);
  return axis < 0 ? axis + ndim : axis;
}

export function normAxes(axes: readonly number[], ndim: number, opName: string): number[] {
  const r = axes.map((a) => normAxis(a, ndim, opName));
  if (new Set(r).size !== r.length) throw new ValueError(`${opName}: repeated axis in ${JSON.stringify(axes)}`);
  return r;
}

export function alloc(dtype: DType, shape: readonly number[]): TypedArray {
  return typedArrayFor(dtype, shapeSize(shape));
}

export function range(n: number): number[] {
  const r = new Array<number>(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}
