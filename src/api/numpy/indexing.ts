// indexing.ts — numpy indexing for jnp: `x.get(...idx)`, the functional updates
// `x.at(...idx).set/add/mul/min/max/get`, `jnp.take` and `jnp.takeAlongAxis`. Installs the
// `get` and `at` Array methods. Basic indexing (integers, slice strings, null, "...") lowers to
// the slice/rev/reshape primitives; advanced indexing (int arrays, JS arrays of ints, concrete
// bool masks) lowers to the gather/scatter primitives of src/primitives/indexing.ts, following
// numpy's rules for broadcasting index arrays and placing the advanced dimensions, and JAX's
// out-of-range rules (gathers clamp, scatters drop; negative indices wrap once first).
import { type ArrayLike, type AtHelper, EagerArray, type IndexElement, JaxArray, arrayOps } from "../../core/array.js";
import { isInt } from "../../core/dtype.js";
import { NonConcreteBooleanIndexError, NotImplementedError, ValueError } from "../../core/errors.js";
import { add, convert, lt, rem, select } from "../../primitives/elementwise.js";
import { type ScatterMode, gather, scatter } from "../../primitives/indexing.js";
import { broadcastInDim as bcastRaw, concatenate, reshape, rev, slice, transpose } from "../../primitives/movement.js";
import { broadcastShapes, normAxis, range } from "../../primitives/util.js";
import { array, asArray, checkOptions } from "./coerce.js";

// ---------------------------------------------------------------- parsing index elements
type Entry =
  | { t: "int"; v: number | JaxArray; pos: number }
  | { t: "slice"; start: number | null; stop: number | null; step: number | null; pos: number }
  | { t: "newaxis"; pos: number }
  | { t: "ellipsis"; pos: number }
  | { t: "array"; a: JaxArray; pos: number }
  | { t: "bool"; m: JaxArray; pos: number };

const shp = (s: readonly number[]): string => `[${s.join(", ")}]`;
const SLICE_PART = /^\s*([+-]?\d+)?\s*$/;

/** Parses a Python slice string ("1:3", "::-1", "-3:") into its parts. */
function parseSlice(s: string, pos: number): Entry {
  const parts = s.split(":");
  const bad = (why: string): never => {
    throw new TypeError(
      `invalid index string ${JSON.stringify(s)} at position ${pos}: ${why}. Index strings are slices in Python's form ("1:3", ":", "::-1", "2:") or "..."`,
    );
  };
  if (parts.length < 2) bad("it has no ':'");
  if (parts.length > 3) bad(`a slice has at most 3 parts (start:stop:step), this one has ${parts.length}`);
  const nums = parts.map((p) => {
    const m = SLICE_PART.exec(p);
    if (!m) bad(`${JSON.stringify(p.trim())} is not an integer`);
    return m![1] === undefined ? null : Number(m![1]);
  });
  const [start = null, stop = null, step = null] = nums;
  if (step === 0) throw new ValueError(`slice step cannot be zero (index ${JSON.stringify(s)} at position ${pos})`);
  return { t: "slice", start, stop, step, pos };
}

/** Converts a (nested) JS array index element to an int32 or bool array. */
function jsArrayIndex(x: readonly unknown[], pos: number): Entry {
  const leaves = (x as unknown[]).flat(Infinity as 1);
  if (leaves.length > 0 && leaves.every((v) => typeof v === "boolean")) return { t: "bool", m: array(x as boolean[]), pos };
  if (!leaves.every((v) => typeof v === "number" && Number.isInteger(v)))
    throw new TypeError(
      `index element at position ${pos} is a JS array that is not all integers or all booleans (${JSON.stringify(x).slice(0, 60)}); JS arrays used as indices must hold integers (an index array) or booleans (a mask)`,
    );
  return { t: "array", a: array(x as number[], "int32"), pos };
}

function parseElements(idx: readonly IndexElement[]): Entry[] {
  return idx.map((e, pos): Entry => {
    if (typeof e === "number") {
      if (!Number.isInteger(e))
        throw new TypeError(
          `Indexer must have integer or boolean type, got indexer with value ${e} at position ${pos}; only integers, slice strings (":", "1:3"), "...", null and integer or boolean arrays are valid indices`,
        );
      return { t: "int", v: e, pos };
    }
    if (typeof e === "string") return e.trim() === "..." ? { t: "ellipsis", pos } : parseSlice(e, pos);
    if (e === null) return { t: "newaxis", pos };
    if (typeof e === "boolean") return { t: "bool", m: array(e), pos };
    if (e instanceof JaxArray) {
      const d = e.dtype;
      if (d === "bool") return { t: "bool", m: e, pos };
      if (!isInt(d))
        throw new TypeError(
          `Indexer must have integer or boolean type, got indexer with type ${d} at position ${pos}; convert it with .astype("int32")`,
        );
      const a = d === "int32" ? e : convert(e, "int32");
      return e.ndim === 0 ? { t: "int", v: a, pos } : { t: "array", a, pos };
    }
    if (Array.isArray(e)) return jsArrayIndex(e, pos);
    throw new TypeError(
      `invalid index element at position ${pos}: ${e === undefined ? "undefined" : typeof e}; only integers, slice strings (":", "1:3"), "...", null and integer or boolean arrays are valid indices`,
    );
  });
}

// ---------------------------------------------------------------- the index plan
/** What indexes one dimension of x' (x with the null/scalar-bool dimensions inserted). */
type DimIndex =
  | { t: "slice"; start: number; step: number; len: number; full: boolean }
  | { t: "int"; v: number | JaxArray }
  | { t: "array"; a: JaxArray };

interface Plan {
  /** shape of x' */
  shape: number[];
  dims: DimIndex[];
  /** true when some index is an array: integers then take part in advanced indexing */
  advanced: boolean;
  /** advanced indices separated by a slice, null or "...": their dims go first (numpy) */
  advFirst: boolean;
}

/** Python's slice.indices(n): start and step, and the number of elements selected. */
function canonicalSlice(e: Extract<Entry, { t: "slice" }>, n: number): DimIndex {
  const step = e.step ?? 1;
  const [lo, hi] = step > 0 ? [0, n] : [-1, n - 1];
  const clampB = (v: number | null, dflt: number): number => (v === null ? dflt : v < 0 ? Math.max(v + n, lo) : Math.min(v, hi));
  const start = clampB(e.start, step > 0 ? 0 : n - 1);
  const stop = clampB(e.stop, step > 0 ? n : -1);
  const len = step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : Math.max(0, Math.ceil((start - stop) / -step));
  return { t: "slice", start, step, len, full: step === 1 && start === 0 && len === n };
}

const fullSlice = (n: number): DimIndex => ({ t: "slice", start: 0, step: 1, len: n, full: true });

function i32(values: readonly number[], shape: readonly number[]): JaxArray {
  return EagerArray.fromTyped(Int32Array.from(values), shape, "int32");
}

/** Converts a concrete bool mask into one int32 index array per mask dimension (its nonzeros). */
function maskToIndices(m: JaxArray): JaxArray[] {
  const c = m._concrete();
  if (!c) throw new NonConcreteBooleanIndexError(m._describe());
  const data = c._host();
  const shape = c.aval.shape;
  const coords: number[][] = shape.map(() => []);
  const idx = new Array<number>(shape.length).fill(0);
  for (let f = 0; f < data.length; f++) {
    if (data[f]) idx.forEach((v, d) => coords[d]!.push(v));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return coords.map((cs) => i32(cs, [cs.length]));
}

function makePlan(xShape: readonly number[], idx: readonly IndexElement[]): Plan {
  const entries = parseElements(idx);
  const ndim = xShape.length;
  const nEll = entries.filter((e) => e.t === "ellipsis").length;
  if (nEll > 1) throw new RangeError(`an index can only have a single ellipsis ('...'); got ${nEll}`);
  const consumed = entries.reduce((s, e) => s + (e.t === "int" || e.t === "slice" || e.t === "array" ? 1 : e.t === "bool" ? e.m.ndim : 0), 0);
  if (consumed > ndim)
    throw new RangeError(
      `too many indices for array: array is ${ndim}-dimensional, but ${consumed} were indexed (index ${idx.map(describeElement).join(", ")} on an array of shape ${shp(xShape)})`,
    );
  const advanced = entries.some((e) => e.t === "array" || e.t === "bool");
  const advPos = advanced ? entries.filter((e) => e.t === "int" || e.t === "array" || e.t === "bool").map((e) => e.pos) : [];
  const advFirst = advPos.some((p, i) => i > 0 && p !== advPos[i - 1]! + 1);

  const shape: number[] = [];
  const dims: DimIndex[] = [];
  let xd = 0;
  const takeDim = (): number => {
    const n = xShape[xd++]!;
    shape.push(n);
    return n;
  };
  for (const e of entries) {
    switch (e.t) {
      case "ellipsis":
        for (let i = 0; i < ndim - consumed; i++) dims.push(fullSlice(takeDim()));
        break;
      case "newaxis":
        shape.push(1);
        dims.push(fullSlice(1));
        break;
      case "slice":
        dims.push(canonicalSlice(e, takeDim()));
        break;
      case "int":
        takeDim();
        dims.push({ t: "int", v: e.v });
        break;
      case "array":
        takeDim();
        dims.push({ t: "array", a: e.a });
        break;
      case "bool": {
        if (e.m.ndim === 0) {
          // x[True] adds a dimension of length 1 (0 for False), indexed like an array
          const c = e.m._concrete();
          if (!c) throw new NonConcreteBooleanIndexError(e.m._describe());
          shape.push(1);
          dims.push({ t: "array", a: c._host()[0] ? i32([0], [1]) : i32([], [0]) });
          break;
        }
        const want = xShape.slice(xd, xd + e.m.ndim);
        if (e.m.aval.shape.some((d, i) => d !== want[i]))
          throw new RangeError(
            `boolean index did not match shape of indexed array in index ${e.pos}: got mask of shape ${shp(e.m.aval.shape)}, expected ${shp(want)}`,
          );
        for (const a of maskToIndices(e.m)) {
          takeDim();
          dims.push({ t: "array", a });
        }
        break;
      }
    }
  }
  while (xd < ndim) dims.push(fullSlice(takeDim()));
  return { shape, dims, advanced, advFirst };
}

function describeElement(e: IndexElement): string {
  if (e instanceof JaxArray) return `Array(${e.aval.longStr()})`;
  if (typeof e === "string") return JSON.stringify(e);
  if (Array.isArray(e)) return JSON.stringify(e);
  return String(e);
}

/** broadcast_in_dim that leaves x alone when it already has the shape in the same order. */
function broadcastInDim(x: JaxArray, shape: readonly number[], dims: readonly number[]): JaxArray {
  const xs = x.aval.shape;
  if (xs.length === shape.length && xs.every((d, i) => d === shape[i] && dims[i] === i)) return x;
  return bcastRaw(x, shape, dims);
}

/** Wraps negative indices once (i < 0 -> i + n); static ints and concrete arrays on the host. */
function normIndex(v: number | JaxArray, n: number): number | JaxArray {
  if (typeof v === "number") return v < 0 ? v + n : v;
  if (v instanceof EagerArray) {
    const d = v._host();
    if (!d.some((i) => i < 0)) return v;
    return i32(Array.from(d, (i) => (i < 0 ? i + n : i)), v.aval.shape);
  }
  return select(lt(v, 0), add(v, n), v);
}
const asIndexArray = (v: number | JaxArray): JaxArray => (typeof v === "number" ? i32([v], []) : v);

/** The advanced index arrays (normalized, broadcast to one shape) and their x' dims. */
function advancedArrays(plan: Plan): { dims: number[]; arrs: JaxArray[]; shape: number[] } {
  const dims: number[] = [];
  const raw: JaxArray[] = [];
  plan.dims.forEach((d, i) => {
    const n = plan.shape[i]!;
    if (d.t === "array" || (d.t === "int" && plan.advanced)) {
      const v = d.t === "array" ? d.a : d.v;
      if (n === 0 && (typeof v === "number" || v.size > 0))
        throw new RangeError(`index is out of bounds for axis ${i} with size 0`);
      dims.push(i);
      raw.push(asIndexArray(normIndex(v, n)));
    }
  });
  let shape: number[];
  try {
    shape = broadcastShapes("index", ...raw.map((a) => a.aval.shape));
  } catch {
    throw new RangeError(
      `shape mismatch: indexing arrays could not be broadcast together with shapes ${raw.map((a) => shp(a.aval.shape)).join(" ")}`,
    );
  }
  const arrs = raw.map((a) => broadcastInDim(a, shape, range(a.ndim).map((k) => k + shape.length - a.ndim)));
  return { dims, arrs, shape };
}

/** Stacks index arrays of one shape S into an int32 [S..., k] array. */
function stackIndices(arrs: JaxArray[], shape: readonly number[]): JaxArray {
  if (arrs.length === 0) return i32([], [...shape, 0]);
  return concatenate(arrs.map((a) => reshape(a, [...shape, 1])), shape.length);
}

/**
 * The dims of x[idx] in order: each is either an advanced-index dim (`g`: its position in the
 * broadcast index shape) or a slice of x' dim `x`.
 */
type YDim = { g: number } | { x: number };
function resultDims(plan: Plan, gRank: number): YDim[] {
  const sl: YDim[] = [];
  let firstAdv = -1;
  plan.dims.forEach((d, i) => {
    if (d.t === "slice") sl.push({ x: i });
    else if (firstAdv < 0 && (d.t === "array" || plan.advanced)) firstAdv = sl.length;
  });
  if (!plan.advanced) return sl;
  const g: YDim[] = range(gRank).map((k) => ({ g: k }));
  const at = plan.advFirst ? 0 : firstAdv;
  return [...sl.slice(0, at), ...g, ...sl.slice(at)];
}

// ---------------------------------------------------------------- get
/** Applies the static slices of the plan (keeping other dims whole); returns the new array. */
function applySlices(x: JaxArray, plan: Plan, keepInts: boolean): JaxArray {
  const start: number[] = [];
  const limit: number[] = [];
  const stride: number[] = [];
  const revDims: number[] = [];
  plan.dims.forEach((d, i) => {
    const n = plan.shape[i]!;
    if (d.t === "slice") {
      const k = Math.abs(d.step);
      const lo = d.len === 0 ? 0 : d.step > 0 ? d.start : d.start + (d.len - 1) * d.step;
      start.push(lo);
      limit.push(d.len === 0 ? 0 : lo + (d.len - 1) * k + 1);
      stride.push(k);
      if (d.step < 0 && d.len > 1) revDims.push(i);
    } else if (d.t === "int" && keepInts && typeof d.v === "number") {
      if (n === 0) throw new RangeError(`index ${d.v} is out of bounds for axis ${i} with size 0`);
      const v = Math.min(Math.max(d.v < 0 ? d.v + n : d.v, 0), n - 1); // JAX clamps out-of-range gathers
      start.push(v);
      limit.push(v + 1);
      stride.push(1);
    } else {
      start.push(0);
      limit.push(n);
      stride.push(1);
    }
  });
  return rev(slice(x, start, limit, stride), revDims);
}

/** x[idx] — numpy basic and advanced indexing with JAX's out-of-range rules. */
function getItem(xIn: ArrayLike, idx: readonly IndexElement[]): JaxArray {
  const x = asArray(xIn);
  const plan = makePlan(x.aval.shape, idx);
  const x1 = reshape(x, plan.shape);
  if (!plan.advanced) {
    // static ints and slices by slicing; dynamic (traced or 0-d array) ints by a gather
    const y = applySlices(x1, plan, true);
    const dyn = plan.dims.map((d, i) => [d, i] as const).filter(([d]) => d.t === "int" && typeof d.v !== "number");
    let z = y;
    if (dyn.length) {
      const ix = dyn.map(([d, i]) => asIndexArray(normIndex((d as { v: JaxArray }).v, plan.shape[i]!)));
      for (const [, i] of dyn) if (plan.shape[i] === 0) throw new RangeError(`index is out of bounds for axis ${i} with size 0`);
      z = gather(y, stackIndices(ix, []), { axes: dyn.map(([, i]) => i) });
    }
    return reshape(z, resultShape(plan, []));
  }
  const { dims, arrs, shape: gShape } = advancedArrays(plan);
  const y = applySlices(x1, plan, false);
  const out = gather(y, stackIndices(arrs, gShape), { axes: dims }); // [G..., slice dims...]
  // move the index dims to where numpy puts them
  const yd = resultDims(plan, gShape.length);
  const gr = gShape.length;
  const slicePos = new Map<number, number>();
  let s = 0;
  plan.dims.forEach((d, i) => {
    if (d.t === "slice") slicePos.set(i, gr + s++);
  });
  const perm = yd.map((d) => ("g" in d ? d.g : slicePos.get(d.x)!));
  return transpose(out, perm);
}

function resultShape(plan: Plan, gShape: readonly number[]): number[] {
  return resultDims(plan, gShape.length).map((d) => ("g" in d ? gShape[d.g]! : (plan.dims[d.x] as { len: number }).len));
}

// ---------------------------------------------------------------- scatter updates (x.at)
function scatterUpdate(xIn: ArrayLike, idx: readonly IndexElement[], vIn: ArrayLike, mode: ScatterMode): JaxArray {
  const x = asArray(xIn);
  const plan = makePlan(x.aval.shape, idx);
  const x1 = reshape(x, plan.shape);
  const adv = plan.advanced ? advancedArrays(plan) : { dims: [] as number[], arrs: [] as JaxArray[], shape: [] as number[] };
  const gShape = adv.shape;
  const yd = resultDims(plan, gShape.length);
  const yShape = resultShape(plan, gShape);

  // updates: cast to x's dtype and broadcast to x[idx].shape
  let v = asArray(vIn);
  if (v.dtype !== x.dtype || v.weakType !== x.weakType) v = convert(v, x.dtype, x.weakType);
  if (v.ndim > yShape.length || v.aval.shape.some((d, i) => d !== 1 && d !== yShape[i + yShape.length - v.ndim]))
    throw new ValueError(
      `at(...).${mode}: the update of shape ${shp(v.aval.shape)} cannot be broadcast to the shape ${shp(yShape)} selected by the index; incompatible shapes for broadcasting`,
    );
  v = broadcastInDim(v, yShape, range(v.ndim).map((k) => k + yShape.length - v.ndim));

  // grid dims: the y dims that are indexed (advanced dims and non-full slices); rest: full slices
  const isGrid = (d: YDim): boolean => "g" in d || !(plan.dims[d.x] as { full: boolean }).full;
  const gridY = range(yd.length).filter((k) => isGrid(yd[k]!));
  const restY = range(yd.length).filter((k) => !isGrid(yd[k]!));
  const gridShape = gridY.map((k) => yShape[k]!);
  const upd = transpose(v, [...gridY, ...restY]);

  // one index component per indexed x' dim, broadcast over the grid
  const gPos = gridY.findIndex((k) => "g" in yd[k]!);
  const axes: number[] = [];
  const comps: JaxArray[] = [];
  plan.dims.forEach((d, i) => {
    const n = plan.shape[i]!;
    if (d.t === "slice") {
      if (d.full) return;
      const g = gridY.findIndex((k) => {
        const y = yd[k]!;
        return "x" in y && y.x === i;
      });
      const iota = i32(range(d.len).map((j) => d.start + j * d.step), [d.len]);
      axes.push(i);
      comps.push(broadcastInDim(iota, gridShape, [g]));
    } else if (plan.advanced) {
      const a = adv.arrs[adv.dims.indexOf(i)]!;
      axes.push(i);
      comps.push(broadcastInDim(a, gridShape, range(a.ndim).map((k) => gPos + k)));
    } else if (d.t === "int") {
      axes.push(i);
      comps.push(broadcastInDim(asIndexArray(normIndex(d.v, n)), gridShape, []));
    }
  });
  const out = scatter(x1, stackIndices(comps, gridShape), upd, { axes, mode });
  return reshape(out, x.aval.shape);
}

class At implements AtHelper {
  constructor(
    private readonly x: JaxArray,
    private readonly idx: readonly IndexElement[],
  ) {}
  /** x with x[idx] replaced by v (the last of duplicate indices wins). */
  set(v: ArrayLike): JaxArray {
    return scatterUpdate(this.x, this.idx, v, "set");
  }
  /** x with v added at idx (duplicate indices accumulate). */
  add(v: ArrayLike): JaxArray {
    return scatterUpdate(this.x, this.idx, v, "add");
  }
  /** x with x[idx] multiplied by v (duplicate indices multiply). */
  mul(v: ArrayLike): JaxArray {
    return scatterUpdate(this.x, this.idx, v, "mul");
  }
  /** x with x[idx] = minimum(x[idx], v). */
  min(v: ArrayLike): JaxArray {
    return scatterUpdate(this.x, this.idx, v, "min");
  }
  /** x with x[idx] = maximum(x[idx], v). */
  max(v: ArrayLike): JaxArray {
    return scatterUpdate(this.x, this.idx, v, "max");
  }
  /** x[idx]. */
  get(): JaxArray {
    return getItem(this.x, this.idx);
  }
}

/** x.at(...idx): functional updates of the indexed elements. */
function at(x: JaxArray, idx: readonly IndexElement[]): AtHelper {
  return new At(x, idx);
}

// ---------------------------------------------------------------- take, takeAlongAxis
export type TakeMode = "fill" | "clip" | "wrap";
export interface TakeOptions {
  /** out-of-range handling: "fill" (default, as JAX: NaN for floats), "clip" or "wrap" */
  mode?: TakeMode;
  /** the value of out-of-range elements in "fill" mode (default NaN / INT_MIN / UINT_MAX / true) */
  fillValue?: number | null;
}

function intIndices(indices: ArrayLike, where: string): JaxArray {
  let i: JaxArray;
  if (typeof indices === "number" && Number.isInteger(indices)) i = i32([indices], []);
  else if (Array.isArray(indices) && (indices as unknown[]).flat(Infinity as 1).every((v) => typeof v === "number" && Number.isInteger(v)))
    i = array(indices, "int32");
  else i = asArray(indices);
  if (!isInt(i.dtype)) throw new TypeError(`${where} indices must be of integer type, got ${i.dtype}`);
  return i.dtype === "int32" ? i : convert(i, "int32");
}

/** Applies `mode` to indices into an axis of size n; returns the indices and the gather mode. */
function modeIndices(i: JaxArray, n: number, mode: TakeMode, where: string): [JaxArray, "fill" | "clip"] {
  switch (mode) {
    case "fill":
      return [normIndex(i, n) as JaxArray, "fill"];
    case "clip":
      return [i, "clip"];
    case "wrap": {
      const r = rem(i, i32([n], []));
      return [select(lt(r, 0), add(r, n), r), "clip"];
    }
    default:
      if ((mode as string) === "raise") throw new NotImplementedError(`${where}: mode "raise" is not supported (as in JAX)`);
      throw new ValueError(`${where}: invalid mode ${JSON.stringify(mode)}; use "fill", "clip" or "wrap"`);
  }
}

/**
 * jnp.take(a, indices, axis?, { mode, fillValue }) — elements of `a` at `indices` along `axis`
 * (of the flattened array when axis is null/undefined). Default mode "fill" as JAX: negative
 * indices wrap once and out-of-range ones give NaN (floats).
 */
export function take(a: ArrayLike, indices: ArrayLike, axis?: number | null, opts: TakeOptions = {}): JaxArray {
  checkOptions(opts, "take");
  let x = asArray(a);
  const i0 = intIndices(indices, "take");
  if (axis === undefined || axis === null) {
    x = reshape(x, [x.size]);
    axis = 0;
  }
  const ax = normAxis(axis, x.ndim, "take");
  const n = x.aval.shape[ax]!;
  if (n === 0 && i0.size !== 0) throw new RangeError("Cannot do a non-empty jnp.take() from an empty axis.");
  const [i, gmode] = modeIndices(i0, n, opts.mode ?? "fill", "take");
  const out = gather(x, reshape(i, [...i.aval.shape, 1]), { axes: [ax], mode: gmode, fillValue: opts.fillValue ?? null });
  // out: [I..., dims of x except ax]; numpy puts I at position ax
  const ir = i.ndim;
  const perm = [...range(ax).map((d) => ir + d), ...range(ir), ...range(x.ndim - 1 - ax).map((d) => ir + ax + d)];
  return transpose(out, perm);
}

/**
 * jnp.takeAlongAxis(arr, indices, axis = -1, { mode, fillValue }) — picks along `axis` with an
 * index array of arr's rank, broadcast against arr on the other dims (numpy's
 * take_along_axis). Default mode "fill" as JAX.
 */
export function takeAlongAxis(arr: ArrayLike, indices: ArrayLike, axis: number | null = -1, opts: TakeOptions = {}): JaxArray {
  checkOptions(opts, "takeAlongAxis");
  let x = asArray(arr);
  let ix = intIndices(indices, "take_along_axis");
  if (axis === null) {
    if (ix.ndim !== 1) throw new ValueError(`take_along_axis indices must be 1D if axis=null, got shape ${shp(ix.aval.shape)}`);
    x = reshape(x, [x.size]);
    axis = 0;
  }
  const r = x.ndim;
  if (ix.ndim !== r)
    throw new ValueError(`indices and arr must have the same number of dimensions; ${ix.ndim} vs. ${r}`);
  const ax = normAxis(axis, r, "take_along_axis");
  const xs = x.aval.shape;
  const is = ix.aval.shape;
  const outShape = broadcastShapes("take_along_axis", is, xs.map((d, k) => (k === ax ? 1 : d)));
  if (xs[ax] === 0) return broadcastInDim(convert(i32([0], []), x.dtype), outShape, []);
  // JAX wraps negative indices once here in every mode
  const [inorm, gmode] = modeIndices(normIndex(ix, xs[ax]!) as JaxArray, xs[ax]!, opts.mode ?? "fill", "take_along_axis");
  ix = inorm;
  // classify the other dims: paired (both sizes equal, not 1), from the indices (arr size 1),
  // or whole (index size 1)
  const paired: number[] = [];
  const fromIdx: number[] = [];
  const whole: number[] = [];
  for (let k = 0; k < r; k++) {
    if (k === ax) fromIdx.push(k);
    else if (is[k] === 1) whole.push(k);
    else if (xs[k] === 1) fromIdx.push(k);
    else paired.push(k);
  }
  // operand: [paired..., axis, whole...] (dims of size 1 taken from the indices dropped)
  const xOrder = [...paired, ax, ...whole];
  const x2 = reshape(transpose(x, xOrder.concat(fromIdx.filter((k) => k !== ax))), [...xOrder.map((k) => xs[k]!)]);
  // indices: [paired..., fromIdx..., 1] (dims of size 1 kept whole dropped)
  const iOrder = [...paired, ...fromIdx];
  const i2 = reshape(transpose(ix, iOrder.concat(whole)), [...iOrder.map((k) => is[k]!), 1]);
  const out = gather(x2, i2, { axes: [paired.length], batchDims: paired.length, mode: gmode, fillValue: opts.fillValue ?? null });
  // out: [paired..., fromIdx..., whole...] -> original order
  const cur = [...paired, ...fromIdx, ...whole];
  return transpose(out, range(r).map((k) => cur.indexOf(k)));
}

Object.assign(arrayOps, {
  get: (a: JaxArray, idx: IndexElement[]) => getItem(a, idx),
  at,
});
