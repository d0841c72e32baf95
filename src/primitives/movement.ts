// movement.ts — shape and data-movement primitives: reshape, broadcast_in_dim, transpose,
// reduce_sum, slice, rev, concatenate, pad (and the helpers built on them: moveaxis,
// broadcastTo, expandDims, squeeze, sliceInDim).
import { ShapedArray, shapeSize, stridesOf } from "../core/aval.js";
import { EagerArray, type JaxArray } from "../core/array.js";
import { type DType, castScalar } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { bind1 } from "../core/trace.js";
import { NOT_LINEAR, type Primitive, UndefinedPrimal, definePrimitive, missing } from "../core/primitive.js";
import { alloc, forEachStrided, normAxis, range } from "./util.js";
// elementwise.ts imports this file too; the cycle is safe because both only use each other's
// wrappers inside rule bodies, never while the modules load.
import { select, sub } from "./elementwise.js";

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

// ---------------------------------------------------------------- slice, rev, concatenate, pad
const tup = (xs: readonly number[]): string => `(${xs.join(", ")}${xs.length === 1 ? "," : ""})`;
const aval = (x: JaxArray | UndefinedPrimal): ShapedArray => x.aval;
/** A constant scalar (weak) of the given dtype, for use inside rules. */
function constScalar(v: number, dtype: DType): JaxArray {
  const t = alloc(dtype, []);
  t[0] = castScalar(v, dtype);
  return EagerArray.fromTyped(t, [], dtype, true);
}
/** Zeros of a given shape and dtype, as a broadcast scalar (a single op under jit). */
function zerosOf(shape: readonly number[], dtype: DType): JaxArray {
  return broadcastInDim(constScalar(0, dtype), shape, []);
}

export interface SliceParams {
  [k: string]: unknown;
  startIndices: number[];
  limitIndices: number[];
  /** null means all ones */
  strides: number[] | null;
}

// slice: out[i] = x[start + i * stride] along every dimension (a static strided window).
export const sliceP: Primitive<SliceParams> = definePrimitive<SliceParams>({
  name: "slice",
  impl: ([x], { startIndices, strides }, [o]) => {
    const out = alloc(o!.dtype, o!.shape);
    const st = stridesOf(x!.shape);
    let base = 0;
    for (let i = 0; i < st.length; i++) base += startIndices[i]! * st[i]!;
    const steps = st.map((s, i) => s * (strides ? strides[i]! : 1));
    const d = x!.data;
    forEachStrided(o!.shape, [steps], (i, offs) => {
      out[i] = d[base + offs[0]!]!;
    });
    return [out];
  },
  abstractEval: ([x], { startIndices, limitIndices, strides }) => {
    const n = x!.ndim;
    const shp = `[${x!.shape.join(", ")}]`;
    if (startIndices.length !== n || limitIndices.length !== n || (strides && strides.length !== n))
      throw new TypeError(
        `slice: startIndices ${JSON.stringify(startIndices)}, limitIndices ${JSON.stringify(limitIndices)}${strides ? ` and strides ${JSON.stringify(strides)}` : ""} must each have one entry per dimension of the operand of shape ${shp}`,
      );
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = startIndices[i]!;
      const l = limitIndices[i]!;
      const k = strides ? strides[i]! : 1;
      if (!Number.isInteger(s) || !Number.isInteger(l) || s < 0 || l > x!.shape[i]! || l < s)
        throw new ValueError(
          `slice: startIndices ${JSON.stringify(startIndices)} and limitIndices ${JSON.stringify(limitIndices)} are invalid for an operand of shape ${shp} (dimension ${i}: need 0 <= start <= limit <= ${x!.shape[i]}, got start ${s}, limit ${l})`,
        );
      if (!Number.isInteger(k) || k < 1) throw new ValueError(`slice: strides must be positive integers, got ${JSON.stringify(strides)}`);
      out.push(Math.ceil((l - s) / k));
    }
    return [x!.withShape(out)];
  },
  jvp: ([x], [t], p) => [[slice(x!, p.startIndices, p.limitIndices, p.strides)], [t ? slice(t, p.startIndices, p.limitIndices, p.strides) : null]], // linear
  // transpose: scatter the cotangent back into zeros (a pad with lo = start, interior = stride - 1)
  transpose: ([ct], [x], p) => {
    if (!ct) return [null];
    const xs = aval(x!).shape;
    const cs = ct.aval.shape;
    const cfg: [number, number, number][] = xs.map((n, i) => {
      const k = p.strides ? p.strides[i]! : 1;
      const s = p.startIndices[i]!;
      const realLimit = cs[i] === 0 ? s : s + 1 + (cs[i]! - 1) * k;
      return [s, n - realLimit, cs[i] === 0 ? 0 : k - 1];
    });
    return [pad(ct, constScalar(0, ct.dtype), cfg)];
  },
  // batch: the batch dimension is kept whole where it is
  batch: ([x], [d], p) => {
    if (d === null || d === undefined) return [[slice(x!, p.startIndices, p.limitIndices, p.strides)], [null]];
    const ins = <T>(a: readonly T[], v: T): T[] => [...a.slice(0, d), v, ...a.slice(d)];
    return [[slice(x!, ins(p.startIndices, 0), ins(p.limitIndices, x!.aval.shape[d]!), p.strides ? ins(p.strides, 1) : null)], [d]];
  },
  lower: LOWER,
  printParams: (p) => `limit_indices=${tup(p.limitIndices)} start_indices=${tup(p.startIndices)} strides=${p.strides ? tup(p.strides) : "None"}`,
});

// rev: reverses the order of elements along `dimensions`.
export const revP: Primitive<{ dimensions: number[] }> = definePrimitive<{ dimensions: number[] }>({
  name: "rev",
  impl: ([x], { dimensions }, [o]) => {
    const out = alloc(o!.dtype, o!.shape);
    const st = stridesOf(x!.shape);
    let base = 0;
    const steps = st.map((s, i) => {
      if (!dimensions.includes(i)) return s;
      if (x!.shape[i]! > 0) base += (x!.shape[i]! - 1) * s;
      return -s;
    });
    const d = x!.data;
    forEachStrided(o!.shape, [steps], (i, offs) => {
      out[i] = d[base + offs[0]!]!;
    });
    return [out];
  },
  abstractEval: ([x], { dimensions }) => {
    for (const a of dimensions)
      if (!Number.isInteger(a) || a < 0 || a >= x!.ndim)
        throw new ValueError(`rev: dimension ${a} is out of bounds for array of dimension ${x!.ndim}`);
    if (new Set(dimensions).size !== dimensions.length) throw new ValueError(`rev: repeated dimension in ${JSON.stringify(dimensions)}`);
    return [x!];
  },
  jvp: ([x], [t], p) => [[rev(x!, p.dimensions)], [t ? rev(t, p.dimensions) : null]], // linear
  transpose: ([ct], _x, p) => [ct ? rev(ct, p.dimensions) : null], // rev is its own transpose
  batch: ([x], [d], p) => {
    if (d === null || d === undefined) return [[rev(x!, p.dimensions)], [null]];
    return [[rev(x!, p.dimensions.map((k) => (k >= d ? k + 1 : k)))], [d]];
  },
  lower: LOWER,
  printParams: (p) => `dimensions=${tup(p.dimensions)}`,
});

// concatenate: joins n operands along `dimension` (all other dimensions equal).
export const concatenateP: Primitive<{ dimension: number }> = definePrimitive<{ dimension: number }>({
  name: "concatenate",
  impl: (ins, { dimension }, [o]) => {
    const out = alloc(o!.dtype, o!.shape);
    const outer = shapeSize(o!.shape.slice(0, dimension));
    const inner = shapeSize(o!.shape.slice(dimension + 1));
    const rowLen = o!.shape[dimension]! * inner;
    let col = 0;
    for (const x of ins) {
      const chunk = x.shape[dimension]! * inner;
      const d = x.data;
      for (let r = 0; r < outer; r++) out.set(d.subarray(r * chunk, (r + 1) * chunk), r * rowLen + col);
      col += chunk;
    }
    return [out];
  },
  abstractEval: (xs, { dimension }) => {
    if (xs.length === 0) throw new ValueError("concatenate: need at least one array to concatenate");
    const x0 = xs[0]!;
    const shp = (a: ShapedArray) => `[${a.shape.join(", ")}]`;
    if (x0.ndim === 0) throw new ValueError("concatenate: zero-dimensional arrays cannot be concatenated");
    if (!Number.isInteger(dimension) || dimension < 0 || dimension >= x0.ndim)
      throw new ValueError(`concatenate: dimension ${dimension} is out of bounds for array of dimension ${x0.ndim}`);
    let total = 0;
    xs.forEach((x, i) => {
      if (x.dtype !== x0.dtype)
        throw new TypeError(`concatenate: all operands must have the same dtype, got ${xs.map((a) => a.dtype).join(", ")}`);
      if (x.ndim !== x0.ndim)
        throw new ValueError(
          `concatenate: all the input arrays must have the same number of dimensions, but the array at index 0 has shape ${shp(x0)} (${x0.ndim} dimension(s)) and the array at index ${i} has shape ${shp(x)} (${x.ndim} dimension(s))`,
        );
      for (let k = 0; k < x0.ndim; k++)
        if (k !== dimension && x.shape[k] !== x0.shape[k])
          throw new ValueError(
            `concatenate: all the input array dimensions except for the concatenation axis (${dimension}) must match exactly, but along dimension ${k} the array at index 0 has shape ${shp(x0)} and the array at index ${i} has shape ${shp(x)}`,
          );
      total += x.shape[dimension]!;
    });
    const shape = [...x0.shape];
    shape[dimension] = total;
    return [new ShapedArray(shape, x0.dtype, xs.every((x) => x.weakType))];
  },
  // linear: d concat(xs) = concat(dxs), with zeros for symbolic-zero tangents
  jvp: (xs, ts, p) => {
    const out = concatenate(xs, p.dimension);
    if (ts.every((t) => t === null)) return [[out], [null]];
    return [[out], [concatenate(ts.map((t, i) => t ?? zerosOf(xs[i]!.aval.shape, xs[i]!.dtype)), p.dimension)]];
  },
  // transpose: each linear operand gets its slice of the cotangent
  transpose: ([ct], xs, p) => {
    let off = 0;
    return xs.map((x) => {
      const a = aval(x);
      const start = off;
      off += a.shape[p.dimension]!;
      if (!ct || !(x instanceof UndefinedPrimal)) return null;
      return sliceInDim(ct, start, off, 1, p.dimension);
    });
  },
  // batch: batched operands move their batch dim to 0, unbatched ones are broadcast to it
  batch: (xs, dims, p, axis) => {
    const ys = xs.map((x, i) => {
      const d = dims[i];
      if (d === null || d === undefined)
        return broadcastInDim(x, [axis.size, ...x.aval.shape], range(x.ndim).map((k) => k + 1));
      return moveaxis(x, d, 0);
    });
    return [[concatenate(ys, p.dimension + 1)], [0]];
  },
  lower: LOWER,
  printParams: (p) => `dimension=${p.dimension}`,
});

export type PadConfig = [number, number, number][];

// pad: operand elements land at lo + i * (interior + 1) in a field of the padding value;
// negative lo/hi crop.
export const padP: Primitive<{ paddingConfig: PadConfig }> = definePrimitive<{ paddingConfig: PadConfig }>({
  name: "pad",
  impl: ([x, pv], { paddingConfig }, [o]) => {
    const out = alloc(o!.dtype, o!.shape);
    out.fill(pv!.data[0]!);
    const n = x!.shape.length;
    const xs = x!.shape;
    const os = o!.shape;
    const ost = stridesOf(os);
    const d = x!.data;
    if (d.length === 0) return [out];
    const idx = new Array<number>(n).fill(0);
    for (let e = 0; e < d.length; e++) {
      let off = 0;
      let inside = true;
      for (let k = 0; k < n; k++) {
        const [lo, , interior] = paddingConfig[k]!;
        const p = lo + idx[k]! * (interior + 1);
        if (p < 0 || p >= os[k]!) {
          inside = false;
          break;
        }
        off += p * ost[k]!;
      }
      if (inside) out[off] = d[e]!;
      for (let k = n - 1; k >= 0; k--) {
        if (++idx[k]! < xs[k]!) break;
        idx[k] = 0;
      }
    }
    return [out];
  },
  abstractEval: ([x, pv], { paddingConfig }) => {
    if (pv!.ndim !== 0) throw new TypeError(`pad: the padding value must be a scalar, got shape [${pv!.shape.join(", ")}]`);
    if (x!.dtype !== pv!.dtype)
      throw new TypeError(`pad: the operand and the padding value must have the same dtype, got ${x!.dtype} and ${pv!.dtype}`);
    if (paddingConfig.length !== x!.ndim)
      throw new TypeError(
        `pad: paddingConfig ${JSON.stringify(paddingConfig)} must have one (lo, hi, interior) entry per dimension of the operand of shape [${x!.shape.join(", ")}]`,
      );
    const shape = x!.shape.map((n, i) => {
      const c = paddingConfig[i]!;
      const [lo, hi, interior] = c;
      if (c.length !== 3 || !c.every(Number.isInteger)) throw new TypeError(`pad: padding entries must be integer triples (lo, hi, interior), got ${JSON.stringify(c)}`);
      if (interior < 0) throw new ValueError(`pad: interior padding must be non-negative, got ${JSON.stringify(paddingConfig)}`);
      const r = lo + hi + n + Math.max(0, n - 1) * interior;
      if (r < 0)
        throw new ValueError(
          `pad: dimension ${i} of size ${n} with padding ${JSON.stringify(c)} would have negative size ${r} (operand shape [${x!.shape.join(", ")}])`,
        );
      return r;
    });
    return [new ShapedArray(shape, x!.dtype, x!.weakType && pv!.weakType)];
  },
  // linear in (operand, padding value) jointly: d pad(x, v) = pad(dx, dv)
  jvp: ([x, pv], [tx, tpv], p) => {
    const out = pad(x!, pv!, p.paddingConfig);
    if (!tx && !tpv) return [[out], [null]];
    return [[out], [pad(tx ?? zerosOf(x!.aval.shape, x!.dtype), tpv ?? constScalar(0, pv!.dtype), p.paddingConfig)]];
  },
  // transpose: operand ct = strided slice of the un-padded ct; padding-value ct = sum(ct) - sum(operand ct)
  transpose: ([ct], [x, pv], p) => {
    if (!ct) return [null, null];
    const needX = x instanceof UndefinedPrimal;
    const needV = pv instanceof UndefinedPrimal;
    if (!needX && !needV) return [null, null];
    const unpadded = pad(ct, constScalar(0, ct.dtype), p.paddingConfig.map(([lo, hi]) => [-lo, -hi, 0]));
    const strides = p.paddingConfig.map(([, , interior]) => interior + 1);
    const tx = slice(unpadded, strides.map(() => 0), unpadded.aval.shape, strides.every((k) => k === 1) ? null : strides);
    const total = (a: JaxArray): JaxArray => reduceSumRaw(a, range(a.ndim));
    const tv = needV ? sub(total(ct), total(tx)) : null;
    return [needX ? tx : null, tv];
  },
  // batch: per-dimension padding when the padding value is shared; a select against the
  // broadcast padding value when it is batched too
  batch: ([x, pv], [dx, dv], p, axis) => {
    if (dv === null || dv === undefined) {
      if (dx === null || dx === undefined) return [[pad(x!, pv!, p.paddingConfig)], [null]];
      const cfg: PadConfig = [...p.paddingConfig.slice(0, dx), [0, 0, 0], ...p.paddingConfig.slice(dx)];
      return [[pad(x!, pv!, cfg)], [dx]];
    }
    const B = axis.size;
    const x0 = dx === null || dx === undefined ? broadcastInDim(x!, [B, ...x!.aval.shape], range(x!.ndim).map((k) => k + 1)) : moveaxis(x!, dx, 0);
    const v0 = dv === 0 ? pv! : moveaxis(pv!, dv, 0);
    const cfg: PadConfig = [[0, 0, 0], ...p.paddingConfig];
    const padded = pad(x0, constScalar(0, x0.dtype), cfg);
    const mask = pad(broadcastInDim(constScalar(1, "bool"), x0.aval.shape, []), constScalar(0, "bool"), cfg);
    return [[select(mask, padded, broadcastInDim(v0, padded.aval.shape, [0]))], [0]];
  },
  lower: LOWER,
  printParams: (p) => `padding_config=${p.paddingConfig.length === 1 ? `(${tup(p.paddingConfig[0]!)},)` : `(${p.paddingConfig.map(tup).join(", ")})`}`,
});

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

/** lax.slice: a static window [start, limit) with optional strides. */
export function slice(x: JaxArray, startIndices: readonly number[], limitIndices: readonly number[], strides?: readonly number[] | null): JaxArray {
  const st = strides && strides.some((k) => k !== 1) ? [...strides] : null;
  if (!st && startIndices.every((v) => v === 0) && limitIndices.length === x.ndim && limitIndices.every((v, i) => v === x.aval.shape[i])) return x;
  return bind1(sliceP, [x], { startIndices: [...startIndices], limitIndices: [...limitIndices], strides: st });
}
/** lax.slice_in_dim: slices one axis, keeping the others whole. */
export function sliceInDim(x: JaxArray, start: number, limit: number, stride: number, axis: number): JaxArray {
  const a = normAxis(axis, x.ndim, "slice_in_dim");
  const s = new Array<number>(x.ndim).fill(0);
  const l = [...x.aval.shape];
  const k = new Array<number>(x.ndim).fill(1);
  s[a] = start;
  l[a] = limit;
  k[a] = stride;
  return slice(x, s, l, k);
}
/** lax.rev: reverses the given dimensions. */
export const rev = (x: JaxArray, dimensions: readonly number[]): JaxArray =>
  dimensions.length === 0 ? x : bind1(revP, [x], { dimensions: [...dimensions] });
/** lax.concatenate: joins operands along `dimension`. */
export const concatenate = (xs: readonly JaxArray[], dimension: number): JaxArray =>
  xs.length === 1 ? xs[0]! : bind1(concatenateP, xs, { dimension });
/** lax.pad with a scalar padding value and one (lo, hi, interior) triple per dimension. */
export const pad = (x: JaxArray, paddingValue: JaxArray, paddingConfig: readonly (readonly [number, number, number])[]): JaxArray =>
  bind1(padP, [x, paddingValue], { paddingConfig: paddingConfig.map(([a, b, c]) => [a, b, c] as [number, number, number]) });
/** lax.expand_dims: inserts size-1 dimensions at `dimensions` (positions in the result). */
export function expandDims(x: JaxArray, dimensions: readonly number[]): JaxArray {
  const n = x.ndim + dimensions.length;
  const dims = dimensions.map((d) => normAxis(d, n, "expand_dims"));
  if (new Set(dims).size !== dims.length) throw new ValueError(`expand_dims: repeated axis in ${JSON.stringify(dimensions)}`);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) shape.push(dims.includes(i) ? 1 : x.aval.shape[k++]!);
  return reshape(x, shape);
}
/** lax.squeeze: removes the given size-1 dimensions. */
export function squeeze(x: JaxArray, dimensions: readonly number[]): JaxArray {
  const dims = dimensions.map((d) => normAxis(d, x.ndim, "squeeze"));
  for (const d of dims)
    if (x.aval.shape[d] !== 1)
      throw new ValueError(
        `cannot select an axis to squeeze out which has size not equal to one, got shape=[${x.aval.shape.join(", ")}] and dimensions=[${dimensions.join(", ")}]`,
      );
  return reshape(x, x.aval.shape.filter((_, i) => !dims.includes(i)));
}
