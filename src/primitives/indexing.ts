// indexing.ts — the indexing primitives: `gather` and `scatter` (one primitive with a combine
// mode "set" | "add" | "mul" | "min" | "max"), with all of their rules. Both use one simplified
// but general layout ("collapse" semantics, as XLA's gather with slice size 1 on the indexed
// axes and whole slices elsewhere):
//
//   operand  [N..., o...]            the leading `batchDims` dims N are paired with indices
//   indices  int32 [N..., I..., k]   one row of k coordinates per index position (N..., I...)
//   gather   -> [N..., I..., R...]   R = the operand dims after N that are not in `axes`
//   scatter  (operand, indices, updates [N..., I..., R...]) -> operand's shape
//
// Coordinate j of a row indexes operand dim axes[j]. Gather mode "clip" clamps each coordinate
// into range (JAX's default for indexing); "fill" returns `fillValue` (null: NaN for floats,
// the most negative int32, the largest uint32, true) for a row with any coordinate out of
// range. Scatter drops a row with any coordinate out of range, as JAX. Rows are applied in
// row-major order, so for "set" the last of several updates to one element wins; rules that
// depend on which update wins (the transpose of "set") compute it the same way.
// `batchDims` is what lets vmap batch operand and indices together without a per-example loop
// (XLA's operand_batching_dims, restricted to leading dims).
import { ShapedArray, shapeSize, stridesOf } from "../core/aval.js";
import { EagerArray, type JaxArray } from "../core/array.js";
import { type DType, type TypedArray, castScalar, isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { bind1 } from "../core/trace.js";
import { type MaybeZero, type Primitive, UndefinedPrimal, definePrimitive, missing } from "../core/primitive.js";
import { alloc, forEachStrided, range } from "./util.js";
import { broadcastInDim, moveaxis } from "./movement.js";
import { add, and, convert, div, eq, max, min, mul, select } from "./elementwise.js";

const LOWER = missing("the wasm compiler (issue #6)");

export type GatherMode = "clip" | "fill";
export type ScatterMode = "set" | "add" | "mul" | "min" | "max";
export type GatherParams = { axes: number[]; batchDims: number; mode: GatherMode; fillValue: number | null };
export type ScatterParams = { axes: number[]; batchDims: number; mode: ScatterMode };

const tup = (xs: readonly number[]): string => `(${xs.join(", ")}${xs.length === 1 ? "," : ""})`;
const shp = (s: readonly number[]): string => `[${s.join(", ")}]`;

// ---------------------------------------------------------------- shapes and validation
/** The operand dims after the batch dims that are not indexed, in order. */
function restDims(rank: number, p: { axes: readonly number[]; batchDims: number }): number[] {
  return range(rank).filter((d) => d >= p.batchDims && !p.axes.includes(d));
}

/** Validates (operand, indices) for gather/scatter and returns the gather output shape. */
function gatherShape(name: string, op: ShapedArray, idx: ShapedArray, p: { axes: readonly number[]; batchDims: number }): number[] {
  const { axes, batchDims: nb } = p;
  const k = axes.length;
  if (idx.dtype !== "int32")
    throw new TypeError(`${name}: indices must be int32, got ${idx.dtype} (convert index arrays with .astype("int32"))`);
  if (op.dtype === "float0") throw new TypeError(`${name}: the operand cannot be a float0 array`);
  if (!Number.isInteger(nb) || nb < 0 || nb > op.ndim)
    throw new ValueError(`${name}: batchDims ${nb} must be an integer in [0, ${op.ndim}] for an operand of shape ${shp(op.shape)}`);
  if (idx.ndim < nb + 1)
    throw new ValueError(
      `${name}: indices of shape ${shp(idx.shape)} need at least ${nb + 1} dimensions (${nb} batch dimensions and a last dimension of ${k} coordinates)`,
    );
  if (idx.shape[idx.ndim - 1] !== k)
    throw new ValueError(`${name}: the last dimension of indices of shape ${shp(idx.shape)} must be ${k}, one coordinate per indexed axis ${tup(axes)}`);
  for (const a of axes)
    if (!Number.isInteger(a) || a < nb || a >= op.ndim)
      throw new ValueError(
        `${name}: indexed axis ${a} is out of range for an operand of shape ${shp(op.shape)} with ${nb} batch dimensions (axes must lie in [${nb}, ${op.ndim}))`,
      );
  if (new Set(axes).size !== k) throw new ValueError(`${name}: repeated axis in ${tup(axes)}`);
  for (let d = 0; d < nb; d++)
    if (op.shape[d] !== idx.shape[d])
      throw new ValueError(
        `${name}: batch dimension ${d} differs between the operand of shape ${shp(op.shape)} and the indices of shape ${shp(idx.shape)}`,
      );
  return [...idx.shape.slice(0, -1), ...restDims(op.ndim, p).map((d) => op.shape[d]!)];
}

/** Host-side layout shared by the gather and scatter kernels. */
interface Layout {
  rows: number;
  k: number;
  restSize: number;
  restOff: number[];
  /** operand offset of the paired batch coordinates of a row */
  batchOff: (row: number) => number;
  axisStride: number[];
  axisSize: number[];
}
function layout(opShape: readonly number[], idxShape: readonly number[], p: { axes: readonly number[]; batchDims: number }): Layout {
  const st = stridesOf(opShape);
  const nb = p.batchDims;
  const rd = restDims(opShape.length, p);
  const restShape = rd.map((d) => opShape[d]!);
  const restSize = shapeSize(restShape);
  const restOff = new Array<number>(restSize);
  forEachStrided(restShape, [rd.map((d) => st[d]!)], (i, offs) => {
    restOff[i] = offs[0]!;
  });
  const rows = shapeSize(idxShape.slice(0, -1));
  const nbShape = opShape.slice(0, nb);
  const nbSize = shapeSize(nbShape);
  const perBatch = nbSize === 0 ? 1 : rows / nbSize;
  const bOff = new Array<number>(nbSize);
  forEachStrided(nbShape, [st.slice(0, nb)], (i, offs) => {
    bOff[i] = offs[0]!;
  });
  return {
    rows,
    k: p.axes.length,
    restSize,
    restOff,
    batchOff: nb === 0 ? () => 0 : (row) => bOff[Math.floor(row / perBatch)]!,
    axisStride: p.axes.map((a) => st[a]!),
    axisSize: p.axes.map((a) => opShape[a]!),
  };
}

/** JAX's default fill value of an out-of-range gather in "fill" mode. */
export function defaultFill(d: DType): number {
  switch (d) {
    case "float32":
    case "float64":
      return NaN;
    case "int32":
      return -2147483648;
    case "uint32":
      return 4294967295;
    default:
      return 1;
  }
}

// ---------------------------------------------------------------- gather
// gather: out[n, i, r] = operand[n, clamp(indices[n, i, :]) on axes, r elsewhere].
export const gatherP: Primitive<GatherParams> = definePrimitive<GatherParams>({
  name: "gather",
  impl: ([x, ix], p, [o]) => {
    const out = alloc(o!.dtype, o!.shape);
    const L = layout(x!.shape, ix!.shape, p);
    const xd = x!.data;
    const id = ix!.data;
    const fill = castScalar(p.fillValue ?? defaultFill(o!.dtype), o!.dtype);
    const clip = p.mode === "clip";
    for (let m = 0; m < L.rows; m++) {
      let base = L.batchOff(m);
      let oob = false;
      for (let j = 0; j < L.k; j++) {
        let v = id[m * L.k + j]!;
        const n = L.axisSize[j]!;
        if (v < 0 || v >= n) {
          if (clip && n > 0) v = v < 0 ? 0 : n - 1;
          else oob = true;
        }
        base += v * L.axisStride[j]!;
      }
      const ob = m * L.restSize;
      if (oob) out.fill(fill, ob, ob + L.restSize);
      else for (let r = 0; r < L.restSize; r++) out[ob + r] = xd[base + L.restOff[r]!]!;
    }
    return [out];
  },
  abstractEval: ([x, ix], p) => {
    if (p.mode !== "clip" && p.mode !== "fill") throw new ValueError(`gather: mode must be "clip" or "fill", got ${JSON.stringify(p.mode)}`);
    return [new ShapedArray(gatherShape("gather", x!, ix!, p), x!.dtype, x!.weakType)];
  },
  // linear in the operand: d gather(x, i) = gather(dx, i) (out-of-range rows of "fill" give 0)
  jvp: ([x, ix], [t], p) => [[gather(x!, ix!, p)], [t ? gather(t, ix!, tangentParams(p)) : null]],
  // transpose: scatter-add the cotangent back to the (clamped, for "clip") positions
  transpose: ([ct], [x, ix], p) => {
    if (ix instanceof UndefinedPrimal) throw new Error("internal: gather indices cannot be linear");
    if (!ct) return [null, null];
    const xa = (x as UndefinedPrimal).aval;
    const idx = p.mode === "clip" ? clampIndices(ix as JaxArray, xa.shape, p.axes) : (ix as JaxArray);
    return [scatter(zerosOf(xa), idx, ct, { axes: p.axes, batchDims: p.batchDims, mode: "add" }), null];
  },
  // batch: operand only -> a new rest dim; indices only -> a new index dim; both -> paired dims
  batch: ([x, ix], [dx, di], p) => {
    const nb = p.batchDims;
    if (di === null || di === undefined) {
      const x2 = moveaxis(x!, dx!, nb);
      return [[gather(x2, ix!, { ...p, axes: p.axes.map((a) => a + 1) })], [ix!.ndim - 1]];
    }
    if (dx === null || dx === undefined) return [[gather(x!, moveaxis(ix!, di, nb), p)], [nb]];
    const x2 = moveaxis(x!, dx, 0);
    const i2 = moveaxis(ix!, di, 0);
    return [[gather(x2, i2, { ...p, axes: p.axes.map((a) => a + 1), batchDims: nb + 1 })], [0]];
  },
  lower: LOWER,
  printParams: (p) =>
    `axes=${tup(p.axes)} batch_dims=${p.batchDims} fill_value=${p.fillValue === null ? "None" : p.fillValue} mode=${p.mode}`,
});

function tangentParams(p: GatherParams): GatherParams {
  return p.mode === "fill" ? { ...p, fillValue: 0 } : p;
}

// ---------------------------------------------------------------- scatter
function combiner(mode: ScatterMode, d: DType): (a: number, u: number) => number {
  const isB = d === "bool";
  const isI = d === "int32" || d === "uint32";
  switch (mode) {
    case "set":
      return (_a, u) => u;
    case "add":
      return isB ? (a, u) => a | u : (a, u) => a + u;
    case "mul":
      return isB ? (a, u) => a & u : isI ? (a, u) => Math.imul(a, u) : (a, u) => a * u;
    case "min":
      return (a, u) => (Number.isNaN(a) || Number.isNaN(u) ? NaN : Math.min(a, u));
    case "max":
      return (a, u) => (Number.isNaN(a) || Number.isNaN(u) ? NaN : Math.max(a, u));
  }
}

// scatter: out = operand; then for each in-range row, out[n, i-th position, r] = f(out, updates[n, i, r]).
export const scatterP: Primitive<ScatterParams> = definePrimitive<ScatterParams>({
  name: "scatter",
  impl: ([x, ix, u], p, [o]) => {
    const out = x!.data.slice() as TypedArray;
    const L = layout(x!.shape, ix!.shape, p);
    const id = ix!.data;
    const ud = u!.data;
    const f = combiner(p.mode, o!.dtype);
    for (let m = 0; m < L.rows; m++) {
      let base = L.batchOff(m);
      let oob = false;
      for (let j = 0; j < L.k; j++) {
        const v = id[m * L.k + j]!;
        if (v < 0 || v >= L.axisSize[j]!) {
          oob = true;
          break;
        }
        base += v * L.axisStride[j]!;
      }
      if (oob) continue;
      const ub = m * L.restSize;
      for (let r = 0; r < L.restSize; r++) {
        const at = base + L.restOff[r]!;
        out[at] = f(out[at]!, ud[ub + r]!);
      }
    }
    return [out];
  },
  abstractEval: ([x, ix, u], p) => {
    if (!["set", "add", "mul", "min", "max"].includes(p.mode))
      throw new ValueError(`scatter: mode must be one of "set", "add", "mul", "min", "max", got ${JSON.stringify(p.mode)}`);
    const want = gatherShape("scatter", x!, ix!, p);
    if (u!.dtype !== x!.dtype)
      throw new TypeError(`scatter: updates must have the operand's dtype ${x!.dtype}, got ${u!.dtype}`);
    if (u!.ndim !== want.length || u!.shape.some((d, i) => d !== want[i]))
      throw new ValueError(
        `scatter: updates of shape ${shp(u!.shape)} do not match the shape ${shp(want)} selected by indices of shape ${shp(ix!.shape)} in an operand of shape ${shp(x!.shape)}`,
      );
    return [x!];
  },
  jvp: ([x, ix, u], [tx, _ti, tu], p) => {
    const out = scatter(x!, ix!, u!, p);
    if (!tx && !tu) return [[out], [null]];
    return [[out], [scatterJvp(p, x!, ix!, u!, out, tx, tu)]];
  },
  transpose: ([ct], [x, ix, u], p) => {
    if (ix instanceof UndefinedPrimal) throw new Error("internal: scatter indices cannot be linear");
    const i = ix as JaxArray;
    const lx = x instanceof UndefinedPrimal;
    const lu = u instanceof UndefinedPrimal;
    if (!ct) return [null, null, null];
    const g = { axes: p.axes, batchDims: p.batchDims };
    switch (p.mode) {
      // scatter-add: ct_x = ct, ct_u = gather(ct) (0 for dropped rows)
      case "add":
        return [lx ? ct : null, null, lu ? gather(ct, i, { ...g, mode: "fill", fillValue: 0 }) : null];
      // scatter-set: ct_x = ct with overwritten positions zeroed; ct_u = gather(ct) where the update won
      case "set": {
        const ua = u!.aval;
        const ctx = lx ? scatter(ct, i, zerosOf(ua), { ...g, mode: "set" }) : null;
        const ctu = lu
          ? select(broadcastRows(winnerMask(x!.aval.shape, i, g), ua.shape), gather(ct, i, { ...g, mode: "fill", fillValue: 0 }), zerosOf(ua))
          : null;
        return [ctx, null, ctu];
      }
      // scatter-mul is linear in the operand only: ct_x = scatter-mul(ct, i, u)
      case "mul":
        if (lu) throw new Error("internal: scatter-mul is not linear in its updates");
        return [lx ? scatter(ct, i, u as JaxArray, { ...g, mode: "mul" }) : null, null, null];
      default:
        throw new Error(`internal: scatter-${p.mode} is not linear, so it has no transpose`);
    }
  },
  // batch: indices unbatched -> the batch is a new rest dim; else paired leading batch dims
  batch: ([x, ix, u], [dx, di, du], p, axis) => {
    const nb = p.batchDims;
    const B = axis.size;
    const axes = p.axes.map((a) => a + 1);
    if (di === null || di === undefined) {
      const ur = ix!.ndim - 1; // where the new rest dim sits in the updates
      const x2 = dx === null || dx === undefined ? insertDim(x!, nb, B) : moveaxis(x!, dx, nb);
      const u2 = du === null || du === undefined ? insertDim(u!, ur, B) : moveaxis(u!, du, ur);
      return [[scatter(x2, ix!, u2, { ...p, axes })], [nb]];
    }
    const x2 = dx === null || dx === undefined ? insertDim(x!, 0, B) : moveaxis(x!, dx, 0);
    const u2 = du === null || du === undefined ? insertDim(u!, 0, B) : moveaxis(u!, du, 0);
    return [[scatter(x2, moveaxis(ix!, di, 0), u2, { ...p, axes, batchDims: nb + 1 })], [0]];
  },
  lower: LOWER,
  printParams: (p) => `axes=${tup(p.axes)} batch_dims=${p.batchDims} mode=${p.mode}`,
});

/** The tangent of a scatter, per mode (see the comments inside). */
function scatterJvp(p: ScatterParams, x: JaxArray, ix: JaxArray, u: JaxArray, out: JaxArray, tx: MaybeZero, tu: MaybeZero): MaybeZero {
  const g = { axes: p.axes, batchDims: p.batchDims };
  const xa = x.aval;
  const ua = u.aval;
  switch (p.mode) {
    // linear: d = scatter-add(dx, i, du)
    case "add":
      return tu ? scatter(tx ?? zerosOf(xa), ix, tu, p) : tx;
    // linear in (x, u) jointly: d = scatter-set(dx, i, du)
    case "set":
      return scatter(tx ?? zerosOf(xa), ix, tu ?? zerosOf(ua), p);
    // d = scatter-mul(dx, i, u) + scatter-add(0, i, du_j * x[i_j] * prod_{k != j, i_k = i_j} u_k);
    // the product excluding u_j is computed exactly (zeros included) from the product of the
    // non-zero updates and the count of zero updates at each position.
    case "mul": {
      const dxPart = tx ? scatter(tx, ix, u, p) : null;
      if (!tu) return dxPart;
      const cg = { ...g, mode: "clip" as const, fillValue: null };
      const zero = zerosOf(ua);
      const one = onesOf(ua);
      const isZ = eq(u, zero);
      const safeU = select(isZ, one, u);
      const pnz = gather(scatter(onesOf(xa), ix, safeU, p), ix, cg);
      const nz = gather(scatter(zerosOf(xa), ix, convert(isZ, ua.dtype), { ...g, mode: "add" }), ix, cg);
      const excl = select(eq(nz, zero), div(pnz, safeU), select(and(eq(nz, one), isZ), pnz, zero));
      const term = mul(mul(tu, excl), gather(x, ix, cg));
      const duPart = scatter(zerosOf(xa), ix, term, { ...g, mode: "add" });
      return dxPart ? add(dxPart, duPart) : duPart;
    }
    // min/max: the derivative is shared equally among the operand element (if it survived)
    // and every update that equals the result at that position (JAX's rule for ties).
    case "min":
    case "max": {
      const cg = { ...g, mode: "clip" as const, fillValue: null };
      const fa = isFloat(xa.dtype) ? xa.dtype : "float32";
      const succ = eq(u, gather(out, ix, cg));
      const kept = eq(x, out);
      const nUpd = scatter(zerosOf(xa.withDType(fa)), ix, convert(succ, fa), { ...g, mode: "add" });
      const nRefs = add(nUpd, convert(kept, fa));
      const inv = div(onesOf(nRefs.aval), max(nRefs, onesOf(nRefs.aval)));
      const xPart = tx ? mul(tx, select(kept, inv, zerosOf(inv.aval))) : null;
      if (!tu) return xPart;
      const uCoef = select(succ, gather(inv, ix, cg), zerosOf(ua));
      const uPart = scatter(zerosOf(xa), ix, mul(tu, uCoef), { ...g, mode: "add" });
      return xPart ? add(xPart, uPart) : uPart;
    }
  }
}

// ---------------------------------------------------------------- helpers used by the rules
function constScalar(v: number, dtype: DType, weak = true): JaxArray {
  const t = alloc(dtype, []);
  t[0] = castScalar(v, dtype);
  return EagerArray.fromTyped(t, [], dtype, weak);
}
/** Zeros of an aval, as a broadcast scalar (one op under jit). */
function zerosOf(a: ShapedArray): JaxArray {
  return broadcastInDim(constScalar(0, a.dtype, a.weakType), a.shape, []);
}
function onesOf(a: ShapedArray): JaxArray {
  return broadcastInDim(constScalar(1, a.dtype, a.weakType), a.shape, []);
}
/** Inserts a new dimension of size n at position `at` by broadcasting. */
function insertDim(x: JaxArray, at: number, n: number): JaxArray {
  const s = [...x.aval.shape];
  s.splice(at, 0, n);
  return broadcastInDim(x, s, range(x.ndim).map((i) => (i < at ? i : i + 1)));
}
/** Clamps each coordinate j of `ix` into [0, shape[axes[j]] - 1]. */
function clampIndices(ix: JaxArray, shape: readonly number[], axes: readonly number[]): JaxArray {
  const hi = EagerArray.fromTyped(Int32Array.from(axes.map((a) => Math.max(shape[a]! - 1, 0))), [axes.length], "int32");
  return min(max(ix, constScalar(0, "int32")), hi);
}
/** Broadcasts a per-row array [N..., I...] over the rest dims of an updates shape. */
function broadcastRows(m: JaxArray, updShape: readonly number[]): JaxArray {
  return broadcastInDim(m, updShape, range(m.ndim));
}
/**
 * For scatter-set: which rows of `ix` write the final value of their position (the last
 * in-range row for each position, as the kernel applies rows in order). bool [N..., I...].
 */
function winnerMask(opShape: readonly number[], ix: JaxArray, g: { axes: readonly number[]; batchDims: number }): JaxArray {
  const nb = g.batchDims;
  const rowShape = ix.aval.shape.slice(0, -1);
  const ids = EagerArray.fromTyped(Int32Array.from(range(shapeSize(rowShape))), rowShape, "int32");
  const k = g.axes.length;
  const tShape = [...opShape.slice(0, nb), ...g.axes.map((a) => opShape[a]!)];
  const tAxes = range(k).map((j) => nb + j);
  const table = scatter(broadcastInDim(constScalar(-1, "int32", false), tShape, []), ix, ids, { axes: tAxes, batchDims: nb, mode: "max" });
  return eq(gather(table, ix, { axes: tAxes, batchDims: nb, mode: "clip", fillValue: null }), ids);
}

// ---------------------------------------------------------------- lax-level wrappers
/** lax-level gather (see the header). `mode` defaults to "clip". */
export const gather = (
  x: JaxArray,
  indices: JaxArray,
  p: { axes: readonly number[]; batchDims?: number; mode?: GatherMode; fillValue?: number | null },
): JaxArray =>
  bind1(gatherP, [x, indices], { axes: [...p.axes], batchDims: p.batchDims ?? 0, mode: p.mode ?? "clip", fillValue: p.fillValue ?? null });
/** lax-level scatter with combine mode (see the header). Out-of-range rows are dropped. */
export const scatter = (x: JaxArray, indices: JaxArray, updates: JaxArray, p: { axes: readonly number[]; batchDims?: number; mode: ScatterMode }): JaxArray =>
  bind1(scatterP, [x, indices, updates], { axes: [...p.axes], batchDims: p.batchDims ?? 0, mode: p.mode });
