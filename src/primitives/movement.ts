// movement.ts — shape and data-movement primitives: reshape, broadcast_in_dim, transpose
// (and the helpers built on them: moveaxis, expandDims, squeeze).
import { ShapedArray, shapeSize, stridesOf } from "../core/aval.js";
import type { JaxArray } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import { bind1 } from "../core/trace.js";
import { NOT_LINEAR, type Primitive, UndefinedPrimal, definePrimitive, missing } from "../core/primitive.js";
import { alloc, forEachStrided, normAxis, range } from "./util.js";

const LOWER = missing("the wasm compiler (issue #6)");

// reshape: same elements in row-major order, new shape.
export const reshapeP: Primitive<{ newSizes: number[] }> = definePrimitive<{ newSizes: number[] }>({
  name: "reshape",
  impl: ([x]) => [x!.data],
  abstractEval: ([x], { newSizes }) => {
    if (shapeSize(newSizes) !== x!.size)
      throw new TypeError(
        `cannot reshape array of shape [${x!.shape.join(", ")}] (size ${x!.size}) into shape [${newSizes.join(", ")}] (size ${shapeSize(newSizes)})`,
      );
    return [x!.withShape(newSizes)];
  },
  jvp: ([x], [t], p) => [[reshape(x!, p.newSizes)], [t ? reshape(t, p.newSizes) : null]], // linear
  transpose: ([ct], [x]) => [ct ? reshape(ct, (x as UndefinedPrimal).aval.shape) : null],
  batch: ([x], [d], p) => {
    const y = d === 0 ? x! : moveaxis(x!, d!, 0);
    return [[reshape(y, [y.aval.shape[0]!, ...p.newSizes])], [0]];
  },
  lower: LOWER,
  printParams: (p) => `dimensions=None new_sizes=(${p.newSizes.join(", ")}${p.newSizes.length === 1 ? "," : ""})`,
});

// broadcast_in_dim: operand dim i maps to output dim broadcastDimensions[i] (size equal or 1).
export const broadcastInDimP = definePrimitive<{ shape: number[]; broadcastDimensions: number[] }>({
  name: "broadcast_in_dim",
  impl: ([x], { shape, broadcastDimensions }, [o]) => {
    const out = alloc(o!.dtype, shape);
    const st = stridesOf(x!.shape);
    const strides = new Array<number>(shape.length).fill(0);
    broadcastDimensions.forEach((od, i) => {
      if (x!.shape[i] !== 1) strides[od] = st[i]!;
    });
    const d = x!.data;
    forEachStrided(shape, [strides], (i, offs) => {
      out[i] = d[offs[0]!]!;
    });
    return [out];
  },
  abstractEval: ([x], { shape, broadcastDimensions }) => {
    if (broadcastDimensions.length !== x!.ndim)
      throw new TypeError(`broadcast_in_dim: broadcastDimensions ${JSON.stringify(broadcastDimensions)} must have one entry per operand dimension (${x!.ndim})`);
    broadcastDimensions.forEach((od, i) => {
      const s = x!.shape[i]!;
      if (od < 0 || od >= shape.length || (s !== 1 && s !== shape[od]))
        throw new ValueError(
          `cannot broadcast array of shape [${x!.shape.join(", ")}] to shape [${shape.join(", ")}] (operand dimension ${i} of size ${s} vs target dimension ${od})`,
        );
    });
    return [new ShapedArray(shape, x!.dtype, x!.weakType)];
  },
  jvp: ([x], [t], p) => [[broadcastInDim(x!, p.shape, p.broadcastDimensions)], [t ? broadcastInDim(t, p.shape, p.broadcastDimensions) : null]],
  // transpose: sum over the new dims and the dims that were size 1
  transpose: ([ct], [x], p) => {
    if (!ct) return [null];
    const xs = (x as UndefinedPrimal).aval.shape;
    const keep = new Set(p.broadcastDimensions.filter((od, i) => !(xs[i] === 1 && p.shape[od] !== 1)));
    const axes = range(p.shape.length).filter((i) => !keep.has(i));
    const s = axes.length ? reduceSumRaw(ct, axes) : ct;
    return [reshape(s, xs)];
  },
  batch: ([x], [d], p) => {
    const y = d === 0 ? x! : moveaxis(x!, d!, 0);
    const b = y.aval.shape[0]!;
    return [[broadcastInDim(y, [b, ...p.shape], [0, ...p.broadcastDimensions.map((k) => k + 1)])], [0]];
  },
  lower: LOWER,
  printParams: (p) => `broadcast_dimensions=(${p.broadcastDimensions.join(", ")}${p.broadcastDimensions.length === 1 ? "," : ""}) shape=(${p.shape.join(", ")}${p.shape.length === 1 ? "," : ""})`,
});

// transpose: output dim i is operand dim permutation[i].
export const transposeP: Primitive<{ permutation: number[] }> = definePrimitive<{ permutation: number[] }>({
  name: "transpose",
  impl: ([x], { permutation }, [o]) => {
    const out = alloc(o!.dtype, o!.shape);
    const st = stridesOf(x!.shape);
    const strides = permutation.map((p) => st[p]!);
    const d = x!.data;
    forEachStrided(o!.shape, [strides], (i, offs) => {
      out[i] = d[offs[0]!]!;
    });
    return [out];
  },
  abstractEval: ([x], { permutation }) => {
    const n = x!.ndim;
    if (permutation.length !== n || [...permutation].sort((a, b) => a - b).some((v, i) => v !== i))
      throw new ValueError(`transpose: axes ${JSON.stringify(permutation)} is not a permutation of the ${n} axes of an array of shape [${x!.shape.join(", ")}]`);
    return [x!.withShape(permutation.map((p) => x!.shape[p]!))];
  },
  jvp: ([x], [t], p) => [[transpose(x!, p.permutation)], [t ? transpose(t, p.permutation) : null]],
  transpose: ([ct], _x, p) => [ct ? transpose(ct, invertPerm(p.permutation)) : null],
  batch: ([x], [d], p) => {
    const y = d === 0 ? x! : moveaxis(x!, d!, 0);
    return [[transpose(y, [0, ...p.permutation.map((k) => k + 1)])], [0]];
  },
  lower: LOWER,
  printParams: (p) => `permutation=(${p.permutation.join(", ")}${p.permutation.length === 1 ? "," : ""})`,
});

export function invertPerm(p: readonly number[]): number[] {
  const r = new Array<number>(p.length);
  p.forEach((v, i) => (r[v] = i));
  return r;
}

// reduce_sum lives here (not in reduce.ts) because broadcast_in_dim transposes to it and the
// two form one linear pair.
export const reduceSumP: Primitive<{ axes: number[] }> = definePrimitive<{ axes: number[] }>({
  name: "reduce_sum",
  impl: ([x], { axes }, [o]) => [reduceKernel(x!.data, x!.shape, axes, o!, 0, (a, b) => a + b)],
  abstractEval: ([x], { axes }) => {
    if (x!.dtype === "float0") throw new TypeError("reduce_sum of float0");
    return [reducedAval(x!, axes)];
  },
  jvp: ([x], [t], p) => [[reduceSumRaw(x!, p.axes)], [t ? reduceSumRaw(t, p.axes) : null]],
  // transpose: broadcast the cotangent back over the summed axes
  transpose: ([ct], [x], p) => {
    if (!ct) return [null];
    const shape = (x as UndefinedPrimal).aval.shape;
    const kept = range(shape.length).filter((i) => !p.axes.includes(i));
    return [broadcastInDim(ct, [...shape], kept)];
  },
  batch: ([x], [d], p) => {
    const y = d === 0 ? x! : moveaxis(x!, d!, 0);
    return [[reduceSumRaw(y, p.axes.map((a) => a + 1))], [0]];
  },
  lower: LOWER,
  printParams: (p) => `axes=(${p.axes.join(", ")}${p.axes.length === 1 ? "," : ""})`,
});

/** Output aval of reducing `axes` away. */
export function reducedAval(x: ShapedArray, axes: readonly number[]): ShapedArray {
  for (const a of axes)
    if (a < 0 || a >= x.ndim) throw new ValueError(`reduction axis ${a} is out of bounds for array of dimension ${x.ndim}`);
  return x.withShape(x.shape.filter((_, i) => !axes.includes(i)));
}

/** Generic reference reduction kernel over `axes`. */
export function reduceKernel(
  data: ArrayLike<number>,
  shape: readonly number[],
  axes: readonly number[],
  o: ShapedArray,
  init: number,
  f: (acc: number, v: number) => number,
): import("../core/dtype.js").TypedArray {
  const out = alloc(o.dtype, o.shape);
  const acc = new Float64Array(out.length).fill(init);
  const st = stridesOf(shape);
  const ostrides = new Array<number>(shape.length).fill(0);
  const oshapeStr = stridesOf(o.shape);
  let k = 0;
  for (let i = 0; i < shape.length; i++) if (!axes.includes(i)) ostrides[i] = oshapeStr[k++]!;
  void st;
  forEachStrided(shape, [ostrides], (i, offs) => {
    acc[offs[0]!] = f(acc[offs[0]!]!, data[i]!);
  });
  for (let i = 0; i < out.length; i++) out[i] = acc[i]!;
  return out;
}

// ---------------------------------------------------------------- wrappers
export const reshape = (x: JaxArray, newSizes: readonly number[]): JaxArray =>
  x.aval.shape.length === newSizes.length && x.aval.shape.every((d, i) => d === newSizes[i]) ? x : bind1(reshapeP, [x], { newSizes: [...newSizes] });
export const broadcastInDim = (x: JaxArray, shape: readonly number[], broadcastDimensions: readonly number[]): JaxArray =>
  bind1(broadcastInDimP, [x], { shape: [...shape], broadcastDimensions: [...broadcastDimensions] });
export const transpose = (x: JaxArray, permutation: readonly number[]): JaxArray =>
  permutation.every((p, i) => p === i) ? x : bind1(transposeP, [x], { permutation: [...permutation] });
export const reduceSumRaw = (x: JaxArray, axes: readonly number[]): JaxArray =>
  axes.length === 0 ? x : bind1(reduceSumP, [x], { axes: [...axes].sort((a, b) => a - b) });
export const reduceSum = reduceSumRaw;

/** Moves axis `src` to position `dst`. */
export function moveaxis(x: JaxArray, src: number, dst: number): JaxArray {
  const n = x.ndim;
  const s = normAxis(src, n, "moveaxis");
  const d = normAxis(dst, n, "moveaxis");
  if (s === d) return x;
  const perm = range(n).filter((i) => i !== s);
  perm.splice(d, 0, s);
  return transpose(x, perm);
}
/** Broadcasts x (numpy-style, trailing alignment) to `shape`. */
export function broadcastTo(x: JaxArray, shape: readonly number[]): JaxArray {
  const xs = x.aval.shape;
  if (xs.length === shape.length && xs.every((d, i) => d === shape[i])) return x;
  if (xs.length > shape.length)
    throw new ValueError(`cannot broadcast array of shape [${xs.join(", ")}] to shape [${shape.join(", ")}]: the target has fewer dimensions`);
  const off = shape.length - xs.length;
  return broadcastInDim(x, shape, range(xs.length).map((i) => i + off));
}
