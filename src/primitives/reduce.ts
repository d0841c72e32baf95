// reduce.ts — reduction, cumulative and sorting primitives: reduce_max, reduce_min,
// reduce_prod, reduce_and, reduce_or, argmax, argmin, cumsum, cumprod, cummax, cummin and the
// multi-operand stable sort. reduce_sum lives in movement.ts (it pairs with broadcast_in_dim)
// and is re-exported from here.
import { ShapedArray, shapeSize } from "../core/aval.js";
import { EagerArray, type JaxArray } from "../core/array.js";
import { type DType, type TypedArray, isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { bind, bind1 } from "../core/trace.js";
import {
  type BatchRule,
  type HostArray,
  type JvpRule,
  type MaybeZero,
  type Primitive,
  NOT_LINEAR,
  UndefinedPrimal,
  definePrimitive,
  missing,
} from "../core/primitive.js";
import { alloc, range } from "./util.js";
import {
  broadcastInDim,
  concatenate,
  moveaxis,
  pad,
  reduceKernel,
  reduceSum,
  reducedAval,
  reshape,
  rev,
  sliceInDim,
  transpose,
} from "./movement.js";
import { add, convert, div, eq, full, maxP, minP, mul, scalarLike, select } from "./elementwise.js";

export { reduceSum, reduceSumP } from "./movement.js";

const LOWER = missing("the wasm compiler (issue #6)");
const tup = (xs: readonly number[]): string => `(${xs.join(", ")}${xs.length === 1 ? "," : ""})`;
const pyBool = (b: boolean): string => (b ? "True" : "False");

// ---------------------------------------------------------------- shared helpers
/** Dimensions of the operand that survive reducing `axes` (for broadcasting results back). */
function keptDims(ndim: number, axes: readonly number[]): number[] {
  return range(ndim).filter((i) => !axes.includes(i));
}

/** Validates reduction axes (integers, in range, no repeats) and returns the output aval. */
function checkAxes(name: string, x: ShapedArray, axes: readonly number[]): ShapedArray {
  if (x.dtype === "float0") throw new TypeError(`${name} does not accept float0 arrays`);
  for (const a of axes)
    if (!Number.isInteger(a)) throw new TypeError(`${name}: axes must be integers, got ${JSON.stringify(axes)}`);
  if (new Set(axes).size !== axes.length) throw new ValueError(`${name}: repeated axis in axes=${JSON.stringify(axes)}`);
  for (const a of axes)
    if (a < 0 || a >= x.ndim)
      throw new ValueError(`${name}: axis ${a} is out of bounds for array of dimension ${x.ndim} (shape [${x.shape.join(", ")}])`);
  return reducedAval(x, axes);
}

function checkAxis(name: string, x: ShapedArray, axis: number): void {
  if (x.dtype === "float0") throw new TypeError(`${name} does not accept float0 arrays`);
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.ndim)
    throw new ValueError(`${name}: axis ${String(axis)} is out of bounds for array of dimension ${x.ndim} (shape [${x.shape.join(", ")}])`);
}

/** (outer, n, inner) such that element (o, k, i) along `axis` sits at (o * n + k) * inner + i. */
function lanes(shape: readonly number[], axis: number): [number, number, number] {
  return [shapeSize(shape.slice(0, axis)), shape[axis]!, shapeSize(shape.slice(axis + 1))];
}

/** Position of the unbatched axis `a` in an array whose batch dimension is at `d`. */
const shiftAxis = (a: number, d: number): number => (a >= d ? a + 1 : a);

/** Batch rule of an `axes`-reduction: the batch dim stays, reduced axes are renumbered. */
function reduceBatch(wrap: (x: JaxArray, axes: number[]) => JaxArray): BatchRule<{ axes: number[] }> {
  return ([x], [d], p) => {
    if (d === null || d === undefined) return [[wrap(x!, p.axes)], [null]];
    const axes = p.axes.map((a) => shiftAxis(a, d));
    return [[wrap(x!, axes)], [d - axes.filter((a) => a < d).length]];
  };
}

/** An int32 constant counting 0, 1, … along `dim` of `shape` (lax.broadcasted_iota). */
export function iota(shape: readonly number[], dim: number): JaxArray {
  const out = new Int32Array(shapeSize(shape));
  const [outer, n, inner] = lanes(shape, dim);
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < n; k++) out.fill(k, (o * n + k) * inner, (o * n + k + 1) * inner);
  return EagerArray.fromTyped(out, shape, "int32");
}

/** The identity element and the combining function of max/min/prod/and/or for a dtype. */
function reducer(kind: "max" | "min" | "prod" | "and" | "or", d: DType): [number, (a: number, v: number) => number] {
  const u = d === "uint32";
  switch (kind) {
    case "max":
      return [isFloat(d) ? -Infinity : d === "int32" ? -2147483648 : 0, (a, v) => (v > a || v !== v ? v : a)];
    case "min":
      return [isFloat(d) ? Infinity : d === "int32" ? 2147483647 : u ? 4294967295 : 1, (a, v) => (v < a || v !== v ? v : a)];
    case "prod":
      return isFloat(d) ? [1, (a, v) => a * v] : [1, u ? (a, v) => Math.imul(a, v) >>> 0 : (a, v) => Math.imul(a, v)];
    case "and":
      return [d === "int32" ? -1 : u ? 4294967295 : 1, u ? (a, v) => (a & v) >>> 0 : (a, v) => a & v];
    case "or":
      return [0, u ? (a, v) => (a | v) >>> 0 : (a, v) => a | v];
  }
}

function reduceImpl(kind: "max" | "min" | "prod" | "and" | "or") {
  return ([x]: HostArray[], { axes }: { axes: number[] }, [o]: ShapedArray[]): TypedArray[] => {
    const [init, f] = reducer(kind, x!.dtype);
    return [reduceKernel(x!.data, x!.shape, axes, o!, init, f)];
  };
}

const axesPrint = (p: { axes: number[] }): string => `axes=${tup(p.axes)}`;

// ---------------------------------------------------------------- reduce_max, reduce_min
// d max(x) = Σ t·[x == max] / #[x == max]: ties split the tangent equally (as JAX).
function chooserJvp(wrap: (x: JaxArray, axes: number[]) => JaxArray): JvpRule<{ axes: number[] }> {
  return ([x], [t], { axes }) => {
    const ans = wrap(x!, axes);
    if (!t || !isFloat(x!.dtype)) return [[ans], [null]];
    const loc = convert(eq(x!, broadcastInDim(ans, x!.aval.shape, keptDims(x!.ndim, axes))), t.dtype);
    return [[ans], [div(reduceSum(mul(t, loc), axes), reduceSum(loc, axes))]];
  };
}

export const reduceMaxP: Primitive<{ axes: number[] }> = definePrimitive<{ axes: number[] }>({
  name: "reduce_max",
  impl: reduceImpl("max"),
  abstractEval: ([x], { axes }) => [checkAxes("reduce_max", x!, axes)],
  jvp: chooserJvp((x, a) => reduceMax(x, a)),
  transpose: NOT_LINEAR,
  batch: reduceBatch((x, a) => reduceMax(x, a)),
  lower: LOWER,
  printParams: axesPrint,
});

export const reduceMinP: Primitive<{ axes: number[] }> = definePrimitive<{ axes: number[] }>({
  name: "reduce_min",
  impl: reduceImpl("min"),
  abstractEval: ([x], { axes }) => [checkAxes("reduce_min", x!, axes)],
  jvp: chooserJvp((x, a) => reduceMin(x, a)),
  transpose: NOT_LINEAR,
  batch: reduceBatch((x, a) => reduceMin(x, a)),
  lower: LOWER,
  printParams: axesPrint,
});

// ---------------------------------------------------------------- reduce_prod
/**
 * Tangent of prod over `axes` by a pairwise product tree (as JAX): the reduced axes move to
 * the front and are flattened, then halves are multiplied level by level with
 * d(a·b) = da·b + a·db. Exact with zeros in the input and differentiable again.
 */
function prodTreeTangent(x: JaxArray, t: JaxArray, axes: readonly number[]): JaxArray {
  const shape = x.aval.shape;
  const rest = keptDims(x.ndim, axes);
  const restShape = rest.map((i) => shape[i]!);
  const n = shapeSize(axes.map((a) => shape[a]!));
  if (n === 0) return full(restShape, 0, t.dtype);
  const perm = [...axes, ...rest];
  let xs = reshape(transpose(x, perm), [n, ...restShape]);
  let ts = reshape(transpose(t, perm), [n, ...restShape]);
  const one = scalarLike(x, 1);
  const zero = scalarLike(t, 0);
  while (xs.aval.shape[0]! > 1) {
    const m = xs.aval.shape[0]!;
    const n1 = Math.ceil(m / 2);
    const x1 = sliceInDim(xs, 0, n1, 1, 0);
    let x2 = sliceInDim(xs, n1, m, 1, 0);
    const t1 = sliceInDim(ts, 0, n1, 1, 0);
    let t2 = sliceInDim(ts, n1, m, 1, 0);
    if (m - n1 !== n1) {
      const cfg: [number, number, number][] = [[0, 1, 0], ...restShape.map((): [number, number, number] => [0, 0, 0])];
      x2 = pad(x2, one, cfg);
      t2 = pad(t2, zero, cfg);
    }
    ts = add(mul(t1, x2), mul(x1, t2));
    xs = mul(x1, x2);
  }
  return reshape(ts, restShape);
}

export const reduceProdP: Primitive<{ axes: number[] }> = definePrimitive<{ axes: number[] }>({
  name: "reduce_prod",
  impl: reduceImpl("prod"),
  abstractEval: ([x], { axes }) => {
    if (x!.dtype === "bool") throw new TypeError("reduce_prod does not accept dtype bool; convert to int32 first");
    return [checkAxes("reduce_prod", x!, axes)];
  },
  // d Πx = Σᵢ tᵢ Π_{j≠i} xⱼ, computed by a product tree (zero-safe)
  jvp: ([x], [t], { axes }) => {
    const ans = reduceProd(x!, axes);
    if (!t || !isFloat(x!.dtype)) return [[ans], [null]];
    return [[ans], [prodTreeTangent(x!, t, axes)]];
  },
  transpose: NOT_LINEAR,
  batch: reduceBatch((x, a) => reduceProd(x, a)),
  lower: LOWER,
  printParams: axesPrint,
});

// ---------------------------------------------------------------- reduce_and, reduce_or
function logicalReduce(name: string, kind: "and" | "or"): Primitive<{ axes: number[] }> {
  const self: Primitive<{ axes: number[] }> = definePrimitive<{ axes: number[] }>({
    name,
    impl: reduceImpl(kind),
    abstractEval: ([x], { axes }) => {
      if (isFloat(x!.dtype)) throw new TypeError(`${name} does not accept dtype ${x!.dtype}; it needs a bool or integer array`);
      return [checkAxes(name, x!, axes)];
    },
    // bool/int valued: zero derivative
    jvp: ([x], _t, p) => [[bind1(self, [x!], p)], [null]],
    transpose: NOT_LINEAR,
    batch: reduceBatch((x, axes) => bind1(self, [x], { axes })),
    lower: LOWER,
    printParams: axesPrint,
  });
  return self;
}
export const reduceAndP: Primitive<{ axes: number[] }> = logicalReduce("reduce_and", "and");
export const reduceOrP: Primitive<{ axes: number[] }> = logicalReduce("reduce_or", "or");

// ---------------------------------------------------------------- argmax, argmin
export interface ArgParams {
  [k: string]: unknown;
  axis: number;
  indexDtype: DType;
}

function argImpl(isMax: boolean) {
  return ([x]: HostArray[], { axis }: ArgParams, [o]: ShapedArray[]): TypedArray[] => {
    const out = alloc(o!.dtype, o!.shape);
    const [outer, n, inner] = lanes(x!.shape, axis);
    const d = x!.data;
    for (let a = 0; a < outer; a++)
      for (let i = 0; i < inner; i++) {
        const base = a * n * inner + i;
        let best = 0;
        let bv = d[base]!;
        // the first NaN wins (NaN counts as the extreme, as numpy and JAX)
        if (bv === bv)
          for (let k = 1; k < n; k++) {
            const v = d[base + k * inner]!;
            if (v !== v) {
              best = k;
              break;
            }
            if (isMax ? v > bv : v < bv) {
              best = k;
              bv = v;
            }
          }
        out[a * inner + i] = best;
      }
    return [out];
  };
}

function argPrimitive(name: "argmax" | "argmin", isMax: boolean): Primitive<ArgParams> {
  const self: Primitive<ArgParams> = definePrimitive<ArgParams>({
    name,
    impl: argImpl(isMax),
    abstractEval: ([x], { axis, indexDtype }) => {
      checkAxis(name, x!, axis);
      if (indexDtype !== "int32" && indexDtype !== "uint32")
        throw new TypeError(`${name}: indexDtype must be int32 or uint32, got ${String(indexDtype)}`);
      if (x!.shape[axis] === 0) throw new ValueError(`attempt to get ${name} of an empty sequence (axis ${axis} of shape [${x!.shape.join(", ")}] has size 0)`);
      return [new ShapedArray(x!.shape.filter((_, i) => i !== axis), indexDtype)];
    },
    // integer valued: zero derivative
    jvp: ([x], _t, p) => [[bind1(self, [x!], p)], [null]],
    transpose: NOT_LINEAR,
    batch: ([x], [d], p) => {
      if (d === null || d === undefined) return [[bind1(self, [x!], p)], [null]];
      const axis = shiftAxis(p.axis, d);
      return [[bind1(self, [x!], { ...p, axis })], [axis < d ? d - 1 : d]];
    },
    lower: LOWER,
    printParams: (p) => `axes=${tup([p.axis])} index_dtype=${p.indexDtype}`,
  });
  return self;
}
export const argmaxP: Primitive<ArgParams> = argPrimitive("argmax", true);
export const argminP: Primitive<ArgParams> = argPrimitive("argmin", false);

// ---------------------------------------------------------------- cumulative ops
export interface CumParams {
  [k: string]: unknown;
  axis: number;
  reverse: boolean;
}
type CumKind = "sum" | "prod" | "max" | "min";

function cumImpl(kind: CumKind) {
  return ([x]: HostArray[], { axis, reverse }: CumParams, [o]: ShapedArray[]): TypedArray[] => {
    const out = alloc(o!.dtype, o!.shape);
    const dt = x!.dtype;
    const f: (a: number, v: number) => number =
      kind === "sum" ? (a, v) => a + v : kind === "prod" ? reducer("prod", dt)[1] : reducer(kind, dt)[1];
    const [outer, n, inner] = lanes(x!.shape, axis);
    const d = x!.data;
    for (let a = 0; a < outer; a++)
      for (let i = 0; i < inner; i++) {
        const base = a * n * inner + i;
        // each step reads back the stored (dtype-rounded) running value, as a scan in dtype
        for (let s = 0; s < n; s++) {
          const k = reverse ? n - 1 - s : s;
          const idx = base + k * inner;
          out[idx] = s === 0 ? d[idx]! : f(out[idx + (reverse ? inner : -inner)]!, d[idx]!);
        }
      }
    return [out];
  };
}

type Pair = [JaxArray, JaxArray];

/**
 * JVP of an associative scan (JAX's lax.associative_scan, the same slicing scheme): scans
 * (value, tangent) pairs with `combine`, which is the jvp of the binary operator. Returns
 * the scanned tangent. Built from slice/pad/concatenate, so it is linear in the tangent.
 */
function scanTangent(combine: (a: Pair, b: Pair) => Pair, x: JaxArray, t: JaxArray, axis: number, reverse: boolean): JaxArray {
  let elems: Pair = reverse ? [rev(x, [axis]), rev(t, [axis])] : [x, t];
  const sl = (e: Pair, start: number, limit: number, stride: number): Pair => [
    sliceInDim(e[0], start, limit, stride, axis),
    sliceInDim(e[1], start, limit, stride, axis),
  ];
  const interleave = (a: JaxArray, b: JaxArray): JaxArray => {
    const same = a.aval.shape[axis] === b.aval.shape[axis];
    const cfgA = a.aval.shape.map((): [number, number, number] => [0, 0, 0]);
    const cfgB = b.aval.shape.map((): [number, number, number] => [0, 0, 0]);
    cfgA[axis] = [0, same ? 1 : 0, 1];
    cfgB[axis] = [1, same ? 0 : 1, 1];
    return add(pad(a, scalarLike(a, 0), cfgA), pad(b, scalarLike(b, 0), cfgB));
  };
  const scan = (e: Pair): Pair => {
    const n = e[0].aval.shape[axis]!;
    if (n < 2) return e;
    // combine adjacent pairs, scan the half-size result recursively
    const odd = scan(combine(sl(e, 0, n - 1, 2), sl(e, 1, n, 2)));
    const on = odd[0].aval.shape[axis]!;
    const even = n % 2 === 0 ? combine(sl(odd, 0, on - 1, 1), sl(e, 2, n, 2)) : combine(odd, sl(e, 2, n, 2));
    const first = sl(e, 0, 1, 1);
    const evenFull: Pair = [concatenate([first[0], even[0]], axis), concatenate([first[1], even[1]], axis)];
    return [interleave(evenFull[0], odd[0]), interleave(evenFull[1], odd[1])];
  };
  elems = scan(elems);
  return reverse ? rev(elems[1], [axis]) : elems[1];
}

const mulCombine = (a: Pair, b: Pair): Pair => [mul(a[0], b[0]), add(mul(a[1], b[0]), mul(a[0], b[1]))]; // d(ab) = da·b + a·db
const ruleCombine =
  (prim: Primitive<{}>) =>
  (a: Pair, b: Pair): Pair => {
    const [[o], [to]] = prim.rule("jvp")([a[0], b[0]], [a[1], b[1]], {});
    return [o!, to!];
  };

function cumPrimitive(name: string, kind: CumKind, wrap: (x: JaxArray, axis: number, reverse: boolean) => JaxArray, linear: boolean): Primitive<CumParams> {
  const jvp: JvpRule<CumParams> = ([x], [t], { axis, reverse }) => {
    const ans = wrap(x!, axis, reverse);
    if (!t || !isFloat(x!.dtype)) return [[ans], [null]];
    if (linear) return [[ans], [wrap(t, axis, reverse)]];
    const combine = kind === "prod" ? mulCombine : ruleCombine(kind === "max" ? maxP : minP);
    return [[ans], [scanTangent(combine, x!, t, axis, reverse)]];
  };
  return definePrimitive<CumParams>({
    name,
    impl: cumImpl(kind),
    abstractEval: ([x], { axis, reverse }) => {
      checkAxis(name, x!, axis);
      if (typeof reverse !== "boolean") throw new TypeError(`${name}: reverse must be a boolean, got ${String(reverse)}`);
      if ((kind === "sum" || kind === "prod") && x!.dtype === "bool")
        throw new TypeError(`${name} does not accept dtype bool; convert to int32 first`);
      return [x!];
    },
    // cumsum: linear; cumprod: zero-safe scan of d(ab) = da·b + a·db; cummax/cummin: scan of
    // max/min's jvp (ties split equally at each combine, as JAX)
    jvp,
    // cumsum transposes to a cumsum in the opposite direction
    transpose: linear ? ([ct], _x, p) => [ct ? wrap(ct, p.axis, !p.reverse) : null] : NOT_LINEAR,
    batch: ([x], [d], p) => {
      if (d === null || d === undefined) return [[wrap(x!, p.axis, p.reverse)], [null]];
      return [[wrap(x!, shiftAxis(p.axis, d), p.reverse)], [d]];
    },
    lower: LOWER,
    printParams: (p) => `axis=${p.axis} reverse=${pyBool(p.reverse)}`,
  });
}
export const cumsumP: Primitive<CumParams> = cumPrimitive("cumsum", "sum", (x, a, r) => cumsum(x, a, r), true);
export const cumprodP: Primitive<CumParams> = cumPrimitive("cumprod", "prod", (x, a, r) => cumprod(x, a, r), false);
export const cummaxP: Primitive<CumParams> = cumPrimitive("cummax", "max", (x, a, r) => cummax(x, a, r), false);
export const cumminP: Primitive<CumParams> = cumPrimitive("cummin", "min", (x, a, r) => cummin(x, a, r), false);

// ---------------------------------------------------------------- sort
export interface SortParams {
  [k: string]: unknown;
  dimension: number;
  numKeys: number;
}

/** Total order of the sort: -0 equals 0, NaN after everything (NaNs equal to each other). */
function cmpKey(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  const an = a !== a;
  const bn = b !== b;
  if (an === bn) return 0;
  return an ? 1 : -1;
}

export const sortP: Primitive<SortParams> = definePrimitive<SortParams>({
  name: "sort",
  impl: (ins, { dimension, numKeys }, outAvals) => {
    const outs = outAvals.map((o) => alloc(o.dtype, o.shape));
    const [outer, n, inner] = lanes(ins[0]!.shape, dimension);
    const keys = ins.slice(0, numKeys).map((x) => x.data);
    const perm = new Array<number>(n);
    for (let a = 0; a < outer; a++)
      for (let i = 0; i < inner; i++) {
        const base = a * n * inner + i;
        for (let k = 0; k < n; k++) perm[k] = k;
        // Array.prototype.sort is stable (ES2019), so equal keys keep their order
        perm.sort((p, q) => {
          for (const kd of keys) {
            const c = cmpKey(kd[base + p * inner]!, kd[base + q * inner]!);
            if (c !== 0) return c;
          }
          return 0;
        });
        ins.forEach((x, j) => {
          const src = x.data;
          const dst = outs[j]!;
          for (let k = 0; k < n; k++) dst[base + k * inner] = src[base + perm[k]! * inner]!;
        });
      }
    return outs;
  },
  abstractEval: (xs, { dimension, numKeys }) => {
    if (xs.length === 0) throw new TypeError("sort needs at least one operand");
    const s0 = xs[0]!.shape;
    xs.forEach((x, i) => {
      if (x.dtype === "float0") throw new TypeError("sort does not accept float0 arrays");
      if (x.ndim !== s0.length || x.shape.some((d, k) => d !== s0[k]))
        throw new TypeError(
          `sort: all operands must have the same shape, but operand 0 has shape [${s0.join(", ")}] and operand ${i} has shape [${x.shape.join(", ")}]`,
        );
    });
    if (!Number.isInteger(numKeys) || numKeys < 1 || numKeys > xs.length)
      throw new ValueError(`sort: numKeys must be an integer between 1 and the number of operands (${xs.length}), got ${String(numKeys)}`);
    if (s0.length === 0) throw new TypeError("sort: operands must have at least one dimension (got a scalar)");
    checkAxis("sort", xs[0]!, dimension);
    return xs;
  },
  // the outputs are a permutation of the inputs along `dimension`: tangents are permuted the
  // same way, by sorting them as payload behind the same keys (a stable sort repeats it)
  jvp: (xs, ts, p) => {
    const outs = sortMulti(xs, p.dimension, p.numKeys);
    const live = range(xs.length).filter((i) => ts[i] !== null && isFloat(xs[i]!.dtype));
    const touts: MaybeZero[] = xs.map(() => null);
    if (live.length) {
      const sorted = sortMulti([...xs.slice(0, p.numKeys), ...live.map((i) => ts[i]!)], p.dimension, p.numKeys);
      live.forEach((i, k) => (touts[i] = sorted[p.numKeys + k]!));
    }
    return [outs, touts];
  },
  // linear in the payload operands (keys known): the cotangent goes back through the
  // inverse permutation, which is a sort keyed by the forward permutation
  transpose: (cts, args, p) => {
    const keys = args.slice(0, p.numKeys);
    if (keys.some((k) => k instanceof UndefinedPrimal)) throw new Error("internal: sort is not linear in its keys");
    let perm: JaxArray | null = null;
    return args.map((a, i) => {
      const ct = cts[i];
      if (i < p.numKeys || !(a instanceof UndefinedPrimal) || !ct) return null;
      perm ??= sortMulti([...(keys as JaxArray[]), iota(a.aval.shape, p.dimension)], p.dimension, p.numKeys)[p.numKeys]!;
      return sortMulti([perm, ct], p.dimension, 1)[1]!;
    });
  },
  batch: (xs, dims, p, axis) => {
    const ys = xs.map((x, i) => {
      const d = dims[i];
      if (d === null || d === undefined) return broadcastInDim(x, [axis.size, ...x.aval.shape], range(x.ndim).map((k) => k + 1));
      return moveaxis(x, d, 0);
    });
    return [sortMulti(ys, p.dimension + 1, p.numKeys), ys.map(() => 0)];
  },
  lower: LOWER,
  printParams: (p) => `dimension=${p.dimension} is_stable=True num_keys=${p.numKeys}`,
});

// ---------------------------------------------------------------- lax-level wrappers
const sortedAxes = (axes: readonly number[]): number[] => [...axes].sort((a, b) => a - b);
/** lax.reduce_max over `axes`. */
export const reduceMax = (x: JaxArray, axes: readonly number[]): JaxArray =>
  axes.length === 0 ? x : bind1(reduceMaxP, [x], { axes: sortedAxes(axes) });
/** lax.reduce_min over `axes`. */
export const reduceMin = (x: JaxArray, axes: readonly number[]): JaxArray =>
  axes.length === 0 ? x : bind1(reduceMinP, [x], { axes: sortedAxes(axes) });
/** lax.reduce_prod over `axes`. */
export const reduceProd = (x: JaxArray, axes: readonly number[]): JaxArray =>
  axes.length === 0 ? x : bind1(reduceProdP, [x], { axes: sortedAxes(axes) });
/** lax.reduce_and over `axes` (logical for bool, bitwise for integers). */
export const reduceAnd = (x: JaxArray, axes: readonly number[]): JaxArray =>
  axes.length === 0 ? x : bind1(reduceAndP, [x], { axes: sortedAxes(axes) });
/** lax.reduce_or over `axes`. */
export const reduceOr = (x: JaxArray, axes: readonly number[]): JaxArray =>
  axes.length === 0 ? x : bind1(reduceOrP, [x], { axes: sortedAxes(axes) });
/** lax.argmax: index of the first maximum along `axis` (NaN counts as the maximum). */
export const argmax = (x: JaxArray, axis: number, indexDtype: DType = "int32"): JaxArray => bind1(argmaxP, [x], { axis, indexDtype });
/** lax.argmin: index of the first minimum along `axis` (NaN counts as the minimum). */
export const argmin = (x: JaxArray, axis: number, indexDtype: DType = "int32"): JaxArray => bind1(argminP, [x], { axis, indexDtype });
/** lax.cumsum along `axis`, from the end when `reverse`. */
export const cumsum = (x: JaxArray, axis = 0, reverse = false): JaxArray => bind1(cumsumP, [x], { axis, reverse });
/** lax.cumprod along `axis`. */
export const cumprod = (x: JaxArray, axis = 0, reverse = false): JaxArray => bind1(cumprodP, [x], { axis, reverse });
/** lax.cummax along `axis`. */
export const cummax = (x: JaxArray, axis = 0, reverse = false): JaxArray => bind1(cummaxP, [x], { axis, reverse });
/** lax.cummin along `axis`. */
export const cummin = (x: JaxArray, axis = 0, reverse = false): JaxArray => bind1(cumminP, [x], { axis, reverse });
/** lax.sort of several operands, ordered lexicographically by the first `numKeys` (stable, NaN last). */
export const sortMulti = (operands: readonly JaxArray[], dimension: number, numKeys = 1): JaxArray[] =>
  bind(sortP, operands, { dimension, numKeys });
/** lax.sort of one operand along `dimension`. */
export const sort = (x: JaxArray, dimension: number): JaxArray => sortMulti([x], dimension, 1)[0]!;
/** lax.sort_key_val: sorts `keys` and permutes `values` the same way. */
export const sortKeyVal = (keys: JaxArray, values: JaxArray, dimension: number): [JaxArray, JaxArray] => {
  const [k, v] = sortMulti([keys, values], dimension, 1);
  return [k!, v!];
};
