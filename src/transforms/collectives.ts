// collectives.ts — named-axis collectives (SEMANTICS A.7): psum, pmean, pmax, pmin, allGather,
// ppermute, axisIndex, psumScatter, allToAll (+ the helpers axisSize and pshuffle).
//
// Each collective is a primitive whose params carry `axisName: (string | symbol)[]` and whose
// `namedAxes` slot lists them. Three ways a collective gets evaluated:
//  * under vmap: the BatchTrace binding one of the names processes it (core bind consults
//    `namedAxisHooks`, installed below, so the innermost vmap of the names processes it even
//    when no operand is batched by it, or when there is no operand at all: axisIndex). Its
//    batch rule performs the collective across the batch dimension for its own axis and
//    re-binds the collective over the remaining names (a name that is not its axis: re-bind
//    on the batched value, which is independent per example, so the batch dim is kept);
//  * staged (jit, control flow, pmap's per-device program): the staging trace records the
//    equation; abstractEval looks the axis sizes up in the enclosing vmaps/pmap axis env
//    (`findAxis`), and an unknown name is an UnboundAxisNameError at trace time;
//  * the `impl` ({ bind }) runs when bind found no vmap for the names: on a pmap device
//    (src/runtime/comm.ts `currentGroup()` names the pmap axis) it is the SECOND
//    implementation of every collective: each device contributes its operands through shared
//    memory, and the vmap batch rule, applied to the stacked contributions (batch dim 0),
//    gives the result (this device's slice when the result is batched) — so pmap and vmap
//    agree by construction. Anywhere else the name is unbound: UnboundAxisNameError.
//
// psum/pmax/pmin act on several names in one primitive (product of the axes). axisIndex,
// allGather, ppermute, psumScatter and allToAll are single-name primitives; for an array of
// names the lax wrappers compose them (row-major, first name most significant), so their
// derivatives and batching follow from the single-name rules.
//
// Differentiation (classic pmap semantics, SEMANTICS A.7): psum, allGather, psumScatter,
// ppermute and allToAll are linear; psum transposes to psum over the same names, allGather to
// psumScatter and back, ppermute to ppermute with the inverse permutation, allToAll to allToAll
// with split/concat swapped. pmax/pmin differentiate through the argmax mask with ties split.
import { ShapedArray, shapeSize } from "../core/aval.js";
import { EagerArray, JaxArray, type ArrayLike } from "../core/array.js";
import { isFloat, typedArrayFor } from "../core/dtype.js";
import { NotImplementedError, UnboundAxisNameError, ValueError } from "../core/errors.js";
import { ClosedJaxpr, Jaxpr } from "../core/jaxpr.js";
import { type BatchRule, NOT_LINEAR, type Primitive, definePrimitive, missing } from "../core/primitive.js";
import { type MainTrace, bind, bind1, fullRaise, namedAxisHooks } from "../core/trace.js";
import * as tree from "../core/tree.js";
import { add, convert, div, eq, mul } from "../primitives/elementwise.js";
import { gather } from "../primitives/indexing.js";
import { expandDims, moveaxis, reduceSum, reshape, sliceInDim, squeeze } from "../primitives/movement.js";
import { iota, reduceMax, reduceMin } from "../primitives/reduce.js";
import { currentGroup, type DeviceGroup } from "../runtime/comm.js";
import { asArray } from "../api/numpy/coerce.js";
import { type AxisData, AxisEnvTrace, BatchTrace, findAxis, toBatchDim0 } from "./batching.js";

export type AxisName = string | symbol;
/** What the user passes as `axisName`: one name or an array of names. */
export type AxisNameArg = AxisName | readonly AxisName[];

type Names = { axisName: AxisName[] };
type PsumParams = Names;
type AllGatherParams = Names & { axis: number; tiled: boolean };
type PpermuteParams = Names & { perm: [number, number][] };
type PsumScatterParams = Names & { scatterDimension: number; tiled: boolean };
type AllToAllParams = Names & { splitAxis: number; concatAxis: number };

const LOWER = missing("the wasm compiler (issue #6)");
const nameStr = (n: AxisName): string => (typeof n === "symbol" ? n.description ?? "<anonymous>" : n);
const namesStr = (ns: readonly AxisName[]): string => `(${ns.map(nameStr).join(", ")}${ns.length === 1 ? "," : ""})`;
const shp = (s: readonly number[]): string => `(${s.join(", ")}${s.length === 1 ? "," : ""})`;

// ---------------------------------------------------------------- the axis environment
/** Normalises an axisName argument (one name or an array of names) to a list. */
export function normNames(axisName: unknown, what: string): AxisName[] {
  const list = Array.isArray(axisName) ? [...(axisName as unknown[])] : [axisName];
  for (const n of list)
    if (typeof n !== "string" && typeof n !== "symbol")
      throw new TypeError(`${what}: axisName must be a string (or symbol) or an array of them, got ${describe(n)}`);
  const names = list as AxisName[];
  for (let i = 0; i < names.length; i++)
    if (names.indexOf(names[i]!) !== i) throw new ValueError(`${what}: repeated axis name ${nameStr(names[i]!)} in ${namesStr(names)}`);
  return names;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (typeof x === "object") return Array.isArray(x) ? `the array ${JSON.stringify(x)}` : `an object of type ${(x as object).constructor?.name ?? "Object"}`;
  return `${typeof x} ${String(x)}`;
}

/** The device group of the pmap axis `name` when running on a pmap device. */
function deviceGroupFor(name: AxisName): DeviceGroup | null {
  const g = currentGroup();
  return g && g.axisName === name ? g : null;
}

/** Size of a bound axis (innermost binding); UnboundAxisNameError when nothing binds it. */
export function axisSizeOf(name: AxisName): number {
  const m = findAxis(name);
  if (m) return (m.globalData as AxisData).size;
  const g = deviceGroupFor(name);
  if (g) return g.size;
  throw new UnboundAxisNameError(nameStr(name));
}

/** Product of the sizes of the named axes. */
function sizeOfNames(names: readonly AxisName[]): number {
  return names.reduce((s, n) => s * axisSizeOf(n), 1);
}

// bind routes a collective to the innermost vmap that binds one of its names (see trace.ts).
namedAxisHooks.mainsFor = (names) => {
  const out: MainTrace[] = [];
  for (const n of names) {
    const m = findAxis(n);
    if (m && m.traceType === BatchTrace) out.push(m);
  }
  return out;
};

/**
 * The axis names that the collectives inside a jaxpr (nested jaxprs included) refer to. A
 * higher-order primitive (pjit, cond, scan …) can declare them as its `namedAxes`, so that a
 * vmap of one of those names batches its body even when no operand is batched.
 */
export function usedAxisNames(j: ClosedJaxpr | Jaxpr): AxisName[] {
  const jaxpr = j instanceof ClosedJaxpr ? j.jaxpr : j;
  let r = usedCache.get(jaxpr);
  if (!r) {
    const s = new Set<AxisName>();
    const visit = (v: unknown): void => {
      if (v instanceof ClosedJaxpr || v instanceof Jaxpr) for (const n of usedAxisNames(v)) s.add(n);
      else if (Array.isArray(v)) v.forEach(visit);
    };
    for (const e of jaxpr.eqns) {
      if (e.prim.namedAxes) for (const n of e.prim.namedAxes(e.params)) s.add(n);
      Object.values(e.params).forEach(visit);
    }
    r = [...s];
    usedCache.set(jaxpr, r);
  }
  return r;
}
const usedCache = new WeakMap<Jaxpr, AxisName[]>();

/** The axis names used by the jaxprs among a higher-order primitive's params (its `namedAxes`). */
export function paramsAxisNames(params: Record<string, unknown>): AxisName[] {
  const s = new Set<AxisName>();
  const visit = (v: unknown): void => {
    if (v instanceof ClosedJaxpr || v instanceof Jaxpr) for (const n of usedAxisNames(v)) s.add(n);
    else if (Array.isArray(v)) v.forEach(visit);
  };
  Object.values(params).forEach(visit);
  return [...s];
}

// ---------------------------------------------------------------- evaluation outside vmap
/** impl of every collective: reached when no vmap binds its names (a pmap device, or unbound). */
function outsideVmap(prim: Primitive<any>, args: JaxArray[], p: Names): JaxArray[] {
  for (const n of p.axisName) {
    const m = findAxis(n);
    if (m && m.traceType === BatchTrace) {
      // (bind normally routes this to the vmap itself) raise into that vmap and let it batch
      const t = m.makeTrace();
      return bind(prim, args.map((a) => fullRaise(t, a)), p);
    }
  }
  for (const n of p.axisName) {
    const g = deviceGroupFor(n);
    if (g) return onDevice(prim, args as EagerArray[], p, g);
  }
  for (const n of p.axisName) {
    const m = findAxis(n);
    if (!m) throw new UnboundAxisNameError(nameStr(n));
    if (m.traceType === AxisEnvTrace)
      throw new Error(`internal: collective ${prim.name} over the pmap axis ${nameStr(n)} was evaluated outside pmap's per-device program`);
  }
  throw new UnboundAxisNameError(nameStr(p.axisName[0]!));
}

/**
 * The pmap implementation: every device contributes its operands; the vmap rule applied to
 * the stacked contributions gives the result, of which a batched one is sliced at this device.
 */
function onDevice(prim: Primitive<any>, args: EagerArray[], p: Names, g: DeviceGroup): JaxArray[] {
  const n = g.size;
  const stacked = args.map((a) => {
    const parts = g.exchange(a._host());
    const len = shapeSize(a.shape);
    const buf = typedArrayFor(a.dtype, n * len);
    parts.forEach((t, d) => buf.set(t.subarray(0, len) as never, d * len));
    return EagerArray.fromTyped(buf, [n, ...a.shape], a.dtype, a.weakType) as JaxArray;
  });
  const axis: AxisData = { size: n, name: g.axisName, named: true };
  const [outs, dims] = prim.rule("batch")(stacked, args.map(() => 0), p, axis);
  return outs.map((o, i) => {
    const d = dims[i];
    return d === null || d === undefined ? o : squeeze(sliceInDim(o, g.index, g.index + 1, 1, d), [d]);
  });
}

// ---------------------------------------------------------------- the primitive factory
interface CollectiveDef<P extends Names> {
  name: string;
  abstractEval: (avals: ShapedArray[], p: P) => ShapedArray[];
  jvp: Primitive<P>["jvp"];
  transpose: Primitive<P>["transpose"];
  batch: BatchRule<P>;
  printParams: (p: P) => string;
}

function collective<P extends Names>(def: CollectiveDef<P>): Primitive<P> {
  const prim: Primitive<P> = definePrimitive<P>({
    name: def.name,
    impl: { bind: (args: JaxArray[], p: P) => outsideVmap(prim, args, p) },
    abstractEval: (avals, p) => {
      p.axisName.forEach(axisSizeOf); // unbound names fail at trace time
      return def.abstractEval(avals, p);
    },
    jvp: def.jvp,
    transpose: def.transpose,
    batch: def.batch,
    lower: LOWER,
    namedAxes: (p) => p.axisName,
    printParams: def.printParams,
  });
  return prim;
}

/** (this axis's name is among the names?, the other names) */
function split(p: Names, axis: { name: AxisName }): [boolean, AxisName[]] {
  return [p.axisName.includes(axis.name), p.axisName.filter((n) => n !== axis.name)];
}

// ---------------------------------------------------------------- psum, pmax, pmin
type Reducer = "sum" | "max" | "min";
function reduction(name: string, kind: Reducer): Primitive<PsumParams> {
  const self = (): Primitive<PsumParams> => prims[kind];
  return collective<PsumParams>({
    name,
    abstractEval: ([x]) => [x!],
    jvp:
      kind === "sum"
        ? // linear: d psum(x) = psum(dx)
          ([x], [t], p) => [[bind1(psumP, [x!], p)], [t ? bind1(psumP, [t], p) : null]]
        : // d pmax(x) = psum(dx·[x == max]) / psum([x == max]) (ties share the derivative)
          ([x], [t], p) => {
            const y = bind1(self(), [x!], p);
            if (!t) return [[y], [null]];
            const mask = convert(eq(x!, y), t.dtype);
            return [[y], [div(bind1(psumP, [mul(t, mask)], p), bind1(psumP, [mask], p))]];
          },
    // psum^T = psum over the same names (classic pmap semantics)
    transpose: kind === "sum" ? ([ct], _args, p) => [ct ? bind1(psumP, [ct], p) : null] : NOT_LINEAR,
    // over this axis: reduce the batch dim (n·x for an unbatched x), unbatched result; then the
    // other names. Over other names only: the same collective per example, batch dim kept.
    batch: ([x], [d], p, axis) => {
      const [mine, rest] = split(p, axis);
      if (!mine) return [[bind1(self(), [x!], p)], [d ?? null]];
      let y: JaxArray;
      if (d === null || d === undefined) y = kind === "sum" ? mul(x!, axis.size) : x!;
      else y = kind === "sum" ? reduceSum(x!, [d]) : kind === "max" ? reduceMax(x!, [d]) : reduceMin(x!, [d]);
      if (rest.length) y = bind1(self(), [y], { ...p, axisName: rest });
      return [[y], [null]];
    },
    printParams: (p) => `axes=${namesStr(p.axisName)}`,
  });
}
const prims = {} as Record<Reducer, Primitive<PsumParams>>;
export const psumP: Primitive<PsumParams> = (prims.sum = reduction("psum", "sum"));
export const pmaxP: Primitive<PsumParams> = (prims.max = reduction("pmax", "max"));
export const pminP: Primitive<PsumParams> = (prims.min = reduction("pmin", "min"));

// ---------------------------------------------------------------- axis_index
// the position along a single named axis: int32 scalar, batched [0..n-1] under vmap.
export const axisIndexP: Primitive<Names> = collective<Names>({
  name: "axis_index",
  abstractEval: () => [new ShapedArray([], "int32")],
  jvp: (_ps, _ts, p) => [[bind1(axisIndexP, [], p)], [null]], // integer: no tangent
  transpose: NOT_LINEAR,
  batch: (_args, _dims, p, axis) => {
    if (p.axisName.length !== 1 || p.axisName[0] !== axis.name) throw new Error(`internal: axis_index over ${namesStr(p.axisName)} reached the vmap of ${nameStr(axis.name)}`);
    return [[iota([axis.size], 0)], [0]];
  },
  printParams: (p) => `axis_name=${nameStr(p.axisName[0]!)}`,
});

// ---------------------------------------------------------------- all_gather
// untiled: a new axis of size n at `axis` (output rank); tiled: concatenated along `axis`.
export const allGatherP: Primitive<AllGatherParams> = collective<AllGatherParams>({
  name: "all_gather",
  abstractEval: ([x], p) => {
    const n = sizeOfNames(p.axisName);
    const s = [...x!.shape];
    if (p.tiled) s[p.axis] = s[p.axis]! * n;
    else s.splice(p.axis, 0, n);
    return [new ShapedArray(s, x!.dtype, x!.weakType)];
  },
  jvp: ([x], [t], p) => [[bind1(allGatherP, [x!], p)], [t ? bind1(allGatherP, [t], p) : null]], // linear
  // all_gather^T = psum_scatter along the gathered axis
  transpose: ([ct], _a, p) => [ct ? bind1(psumScatterP, [ct], { axisName: p.axisName, scatterDimension: p.axis, tiled: p.tiled }) : null],
  // this axis: the stacked values moved to `axis` (merged into it when tiled), unbatched
  batch: ([x], [d], p, axis) => {
    const [mine] = split(p, axis);
    if (!mine) return d === null || d === undefined ? [[bind1(allGatherP, [x!], p)], [null]] : [[bind1(allGatherP, [moveaxis(x!, d, 0)], { ...p, axis: p.axis + 1 })], [0]];
    const g = moveaxis(toBatchDim0(x!, d ?? null, axis.size), 0, p.axis);
    return [[p.tiled ? mergeAxis(g, p.axis) : g], [null]];
  },
  printParams: (p) => `axis=${p.axis} axis_name=${namesStr(p.axisName)} tiled=${p.tiled}`,
});

/** Merges axis a with axis a+1 (a major). */
function mergeAxis(x: JaxArray, a: number): JaxArray {
  const s = [...x.shape];
  s.splice(a, 2, s[a]! * s[a + 1]!);
  return reshape(x, s);
}
/** Splits axis a of size k·m into [k, m]. */
function splitAxis(x: JaxArray, a: number, k: number): JaxArray {
  const s = [...x.shape];
  s.splice(a, 1, k, s[a]! / k);
  return reshape(x, s);
}

// ---------------------------------------------------------------- psum_scatter
// the psum, of which element i gets block i along scatterDimension (tiled) or row i (untiled).
export const psumScatterP: Primitive<PsumScatterParams> = collective<PsumScatterParams>({
  name: "psum_scatter",
  abstractEval: ([x], p) => {
    const n = sizeOfNames(p.axisName);
    const s = [...x!.shape];
    const k = p.scatterDimension;
    if (p.tiled) {
      if (s[k]! % n !== 0) throw new ValueError(`tiled reduce_scatter operand scatter dimension size ${s[k]} must be divisible by shard count ${n}`);
      s[k] = s[k]! / n;
    } else {
      if (s[k] !== n) throw new ValueError(`reduce_scatter operand scatter dimension size ${s[k]} must match shard count ${n}`);
      s.splice(k, 1);
    }
    return [new ShapedArray(s, x!.dtype, x!.weakType)];
  },
  jvp: ([x], [t], p) => [[bind1(psumScatterP, [x!], p)], [t ? bind1(psumScatterP, [t], p) : null]], // linear
  // psum_scatter^T = all_gather along the scattered axis
  transpose: ([ct], _a, p) => [ct ? bind1(allGatherP, [ct], { axisName: p.axisName, axis: p.scatterDimension, tiled: p.tiled }) : null],
  // this axis: sum the batch dim; the scattered axis (split into [n, block] when tiled) becomes the batch dim
  batch: ([x], [d], p, axis) => {
    const [mine] = split(p, axis);
    if (!mine)
      return d === null || d === undefined
        ? [[bind1(psumScatterP, [x!], p)], [null]]
        : [[bind1(psumScatterP, [moveaxis(x!, d, 0)], { ...p, scatterDimension: p.scatterDimension + 1 })], [0]];
    const s = d === null || d === undefined ? mul(x!, axis.size) : reduceSum(x!, [d]);
    return [[p.tiled ? splitAxis(s, p.scatterDimension, axis.size) : s], [p.scatterDimension]];
  },
  printParams: (p) => `axis_name=${namesStr(p.axisName)} scatter_dimension=${p.scatterDimension} tiled=${p.tiled}`,
});

// ---------------------------------------------------------------- ppermute
// element dst receives x from src for each pair (src, dst); non-destinations receive zeros.
export const ppermuteP: Primitive<PpermuteParams> = collective<PpermuteParams>({
  name: "ppermute",
  abstractEval: ([x], p) => {
    checkPerm(p.perm, sizeOfNames(p.axisName));
    return [x!];
  },
  jvp: ([x], [t], p) => [[bind1(ppermuteP, [x!], p)], [t ? bind1(ppermuteP, [t], p) : null]], // linear
  // ppermute^T = ppermute with the inverse permutation
  transpose: ([ct], _a, p) => [ct ? bind1(ppermuteP, [ct], { ...p, perm: p.perm.map(([s, t]) => [t, s] as [number, number]) }) : null],
  // this axis: a gather of the stacked rows (row dst = row src; out-of-range index → zeros), batched
  batch: ([x], [d], p, axis) => {
    const [mine] = split(p, axis);
    if (!mine) return [[bind1(ppermuteP, [x!], p)], [d ?? null]];
    const n = axis.size;
    const src = new Int32Array(n).fill(n);
    for (const [s, t] of p.perm) src[t] = s;
    const idx = EagerArray.fromTyped(src, [n, 1], "int32");
    return [[gather(toBatchDim0(x!, d ?? null, n), idx, { axes: [0], mode: "fill", fillValue: 0 })], [0]];
  },
  printParams: (p) => `axis_name=${namesStr(p.axisName)} perm=(${p.perm.map(([s, t]) => `(${s}, ${t})`).join(", ")}${p.perm.length === 1 ? "," : ""})`,
});

// ---------------------------------------------------------------- all_to_all
// (tiled form) element i: blocks i (along splitAxis, n blocks) of every element j,
// concatenated in j order along concatAxis.
export const allToAllP: Primitive<AllToAllParams> = collective<AllToAllParams>({
  name: "all_to_all",
  abstractEval: ([x], p) => {
    const n = sizeOfNames(p.axisName);
    const s = [...x!.shape];
    if (s[p.splitAxis]! % n !== 0)
      throw new ValueError(`The size of all_to_all split_axis (${s[p.splitAxis]}) has to be divisible by the size of the named axis ${namesStr(p.axisName)} (${n})`);
    s[p.splitAxis] = s[p.splitAxis]! / n;
    s[p.concatAxis] = s[p.concatAxis]! * n;
    return [new ShapedArray(s, x!.dtype, x!.weakType)];
  },
  jvp: ([x], [t], p) => [[bind1(allToAllP, [x!], p)], [t ? bind1(allToAllP, [t], p) : null]], // linear
  // all_to_all^T = all_to_all with split and concat axes swapped
  transpose: ([ct], _a, p) => [ct ? bind1(allToAllP, [ct], { ...p, splitAxis: p.concatAxis, concatAxis: p.splitAxis }) : null],
  // this axis: [j, ..., (i, block) at split, ...] -> i becomes the batch dim, j merges into concat
  batch: ([x], [d], p, axis) => {
    const [mine] = split(p, axis);
    if (!mine)
      return d === null || d === undefined
        ? [[bind1(allToAllP, [x!], p)], [null]]
        : [[bind1(allToAllP, [moveaxis(x!, d, 0)], { ...p, splitAxis: p.splitAxis + 1, concatAxis: p.concatAxis + 1 })], [0]];
    const n = axis.size;
    let r = splitAxis(toBatchDim0(x!, d ?? null, n), 1 + p.splitAxis, n); // [j, ..., i, block, ...]
    r = moveaxis(r, 1 + p.splitAxis, 0); // [i, j, per-example with block at split]
    r = moveaxis(r, 1, 1 + p.concatAxis); // [i, ..., j, x_concat, ...]
    return [[mergeAxis(r, 1 + p.concatAxis)], [0]];
  },
  printParams: (p) => `axis_name=${namesStr(p.axisName)} split_axis=${p.splitAxis} concat_axis=${p.concatAxis}`,
});

// ---------------------------------------------------------------- argument checks
/** ppermute's perm: an array of [src, dst] integer pairs, unique sources and destinations, in range. */
function checkPermShape(perm: unknown): [number, number][] {
  const ok =
    Array.isArray(perm) &&
    perm.every((q) => Array.isArray(q) && q.length === 2 && q.every((v) => typeof v === "number" && Number.isInteger(v)));
  if (!ok)
    throw new TypeError(`ppermute perm must be an array of [source, destination] pairs of integers, got ${describe(perm)}`);
  return (perm as [number, number][]).map(([s, t]) => [s, t]);
}
const permStr = (perm: readonly (readonly [number, number])[]): string => `(${perm.map(([s, t]) => `(${s}, ${t})`).join(", ")}${perm.length === 1 ? "," : ""})`;
function checkPerm(perm: readonly [number, number][], n: number): void {
  const srcs = perm.map((q) => q[0]);
  const dsts = perm.map((q) => q[1]);
  if (new Set(srcs).size !== srcs.length || new Set(dsts).size !== dsts.length)
    throw new ValueError(`ppermute sources and destinations must be unique, got ${permStr(perm)}.`);
  for (const v of [...srcs, ...dsts])
    if (v < 0 || v >= n) throw new ValueError(`ppermute sources and destinations must be in range(0, ${n}) (the size of the named axes), got ${permStr(perm)}.`);
}

function normAxisIn(axis: number, rank: number, what: string): number {
  if (!Number.isInteger(axis)) throw new TypeError(`${what}: axis must be an integer, got ${String(axis)}`);
  if (axis < -rank || axis >= rank) throw new ValueError(`${what}: axis ${axis} is out of bounds for array of dimension ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

function noGroups(opts: { axisIndexGroups?: unknown } | undefined, what: string): void {
  if (opts && opts.axisIndexGroups !== undefined && opts.axisIndexGroups !== null)
    throw new NotImplementedError(`axis_index_groups not supported in vmap collectives (${what})`);
}

/** Applies fn to every leaf of a pytree of arrays / numbers / booleans. */
function leafwise<T>(x: T, fn: (a: JaxArray) => JaxArray): T {
  return tree.map((l: unknown) => fn(asArray(l as ArrayLike)), x) as T;
}

// ---------------------------------------------------------------- the lax wrappers (one name or several)
export interface CollectiveOptions {
  /** not supported under vmap (as in JAX): NotImplementedError */
  axisIndexGroups?: number[][] | null;
}

/** lax.psum(x, axisName): the sum over the named axes (bool → int32); `psum(1, name)` is the axis size. */
export function psum<T>(x: T, axisName: AxisNameArg, opts?: CollectiveOptions): T {
  const names = normNames(axisName, "psum");
  noGroups(opts, "psum");
  return leafwise(x, (a) => {
    const v = a.dtype === "bool" ? convert(a, "int32") : a;
    return names.length ? bind1(psumP, [v], { axisName: names }) : v;
  });
}

/** lax.pmean(x, axisName): psum(x) / (product of the axis sizes); integers give floats. */
export function pmean<T>(x: T, axisName: AxisNameArg, opts?: CollectiveOptions): T {
  const names = normNames(axisName, "pmean");
  noGroups(opts, "pmean");
  const n = sizeOfNames(names);
  return leafwise(x, (a) => {
    let s = psum(a, names);
    if (!isFloat(s.dtype)) s = convert(s, "float32", s.weakType);
    return div(s, n);
  });
}

/** lax.pmax(x, axisName): the elementwise maximum over the named axes. */
export function pmax<T>(x: T, axisName: AxisNameArg, opts?: CollectiveOptions): T {
  const names = normNames(axisName, "pmax");
  noGroups(opts, "pmax");
  return leafwise(x, (a) => (names.length ? bind1(pmaxP, [a], { axisName: names }) : a));
}

/** lax.pmin(x, axisName): the elementwise minimum over the named axes. */
export function pmin<T>(x: T, axisName: AxisNameArg, opts?: CollectiveOptions): T {
  const names = normNames(axisName, "pmin");
  noGroups(opts, "pmin");
  return leafwise(x, (a) => (names.length ? bind1(pminP, [a], { axisName: names }) : a));
}

function atLeastOne(names: AxisName[], what: string): AxisName[] {
  if (names.length === 0) throw new ValueError(`${what}: axisName must name at least one axis`);
  return names;
}

/** lax.axisIndex(axisName): this element's position along the axis (row-major over several names), int32. */
export function axisIndex(axisName: AxisNameArg): JaxArray {
  const names = atLeastOne(normNames(axisName, "axisIndex"), "axisIndex");
  let r: JaxArray | null = null;
  for (const n of names) {
    const i = bind1(axisIndexP, [], { axisName: [n] });
    r = r === null ? i : add(mul(r, axisSizeOf(n)), i);
  }
  return r!;
}

/** lax.axisSize(axisName): the size of the named axis (product over several names), a JS number. */
export function axisSize(axisName: AxisNameArg): number {
  return sizeOfNames(normNames(axisName, "axisSize"));
}

export interface AllGatherOptions extends CollectiveOptions {
  /** where the gathered axis goes (untiled: position in the output; tiled: the axis concatenated along) */
  axis?: number;
  tiled?: boolean;
}

/** lax.allGather(x, axisName, { axis, tiled }): every element's x, stacked (or concatenated when tiled). */
export function allGather<T>(x: T, axisName: AxisNameArg, opts: AllGatherOptions = {}): T {
  const names = atLeastOne(normNames(axisName, "allGather"), "allGather");
  noGroups(opts, "allGather");
  const tiled = !!opts.tiled;
  return leafwise(x, (a) => {
    if (tiled && a.ndim === 0) throw new ValueError("allGather: tiled gathering needs an array of rank >= 1, got a scalar");
    const ax = normAxisIn(opts.axis ?? 0, tiled ? a.ndim : a.ndim + 1, "allGather");
    names.forEach(axisSizeOf);
    if (names.length === 1) return bind1(allGatherP, [a], { axisName: names, axis: ax, tiled });
    // several names: gather the last (least significant) first, each tiled along ax
    let r = tiled ? a : expandDims(a, [ax]);
    for (let k = names.length - 1; k >= 0; k--) r = bind1(allGatherP, [r], { axisName: [names[k]!], axis: ax, tiled: true });
    return r;
  });
}

export interface PsumScatterOptions extends CollectiveOptions {
  scatterDimension?: number;
  tiled?: boolean;
}

/** lax.psumScatter(x, axisName, { scatterDimension, tiled }): the psum, scattered along scatterDimension. */
export function psumScatter<T>(x: T, axisName: AxisNameArg, opts: PsumScatterOptions = {}): T {
  const names = atLeastOne(normNames(axisName, "psumScatter"), "psumScatter");
  noGroups(opts, "psumScatter");
  const tiled = !!opts.tiled;
  return leafwise(x, (a0) => {
    const a = a0.dtype === "bool" ? convert(a0, "int32") : a0;
    const k = normAxisIn(opts.scatterDimension ?? 0, a.ndim, "psumScatter");
    const n = sizeOfNames(names);
    const size = a.shape[k]!;
    if (tiled && size % n !== 0) throw new ValueError(`tiled reduce_scatter operand scatter dimension size ${size} must be divisible by shard count ${n}`);
    if (!tiled && size !== n) throw new ValueError(`reduce_scatter operand scatter dimension size ${size} must match shard count ${n}`);
    if (names.length === 1) return bind1(psumScatterP, [a], { axisName: names, scatterDimension: k, tiled });
    // several names: scatter over the first (most significant) first, each tiled
    let r = a;
    for (const nm of names) r = bind1(psumScatterP, [r], { axisName: [nm], scatterDimension: k, tiled: true });
    return tiled ? r : squeeze(r, [k]);
  });
}

export interface AllToAllOptions extends CollectiveOptions {
  tiled?: boolean;
}

/**
 * lax.allToAll(x, axisName, splitAxis, concatAxis, { tiled }): element i receives block i
 * (along splitAxis) of every element j, placed at position j along concatAxis. Untiled:
 * x.shape[splitAxis] must equal the axis size; the result drops splitAxis and has a new axis
 * of that size at concatAxis.
 */
export function allToAll<T>(x: T, axisName: AxisNameArg, splitAxis: number, concatAxis: number, opts: AllToAllOptions = {}): T {
  const names = atLeastOne(normNames(axisName, "allToAll"), "allToAll");
  noGroups(opts, "allToAll");
  return leafwise(x, (a) => {
    let s = normAxisIn(splitAxis, a.ndim, "allToAll split_axis");
    let c = normAxisIn(concatAxis, a.ndim, "allToAll concat_axis");
    const n = sizeOfNames(names);
    if (opts.tiled) {
      if (a.shape[s]! % n !== 0)
        throw new ValueError(`The size of all_to_all split_axis (${a.shape[s]}) has to be divisible by the size of the named axis ${namesStr(names)} (${n})`);
      return allToAllTiled(a, names, s, c);
    }
    if (a.shape[s] !== n)
      throw new ValueError(
        `all_to_all requires the size of the mapped axis axis_name to equal x.shape[split_axis], but they are ${n} and ${a.shape[s]} respectively.`,
      );
    let v = a;
    if (s < c) {
      c += 1; // concat_axis is a position after split_axis is removed
      v = expandDims(v, [c]);
    } else if (s > c) {
      v = expandDims(v, [c]);
      s += 1;
    }
    const r = allToAllTiled(v, names, s, c);
    return s === c ? r : squeeze(r, [s]);
  });
}

function allToAllTiled(x: JaxArray, names: AxisName[], s: number, c: number): JaxArray {
  if (names.length === 1) return bind1(allToAllP, [x], { axisName: names, splitAxis: s, concatAxis: c });
  // several names: gather everything, keep block i (i = the linear axis index) of each
  const n = sizeOfNames(names);
  const g = splitAxis(allGather(x, names), 1 + s, n); // [j, ..., (i, block) at split, ...]
  const i = reshape(axisIndex(names), [1]);
  const mine = gather(g, i, { axes: [1 + s] }); // [j, per-example with block at split]
  return mergeAxis(moveaxis(mine, 0, c), c);
}

/** lax.ppermute(x, axisName, perm): element dst receives x of element src for each [src, dst]; others get zeros. */
export function ppermute<T>(x: T, axisName: AxisNameArg, perm: readonly (readonly [number, number])[]): T {
  const names = atLeastOne(normNames(axisName, "ppermute"), "ppermute");
  const pairs = checkPermShape(perm);
  const n = sizeOfNames(names);
  checkPerm(pairs, n);
  return leafwise(x, (a) => {
    if (names.length === 1) return bind1(ppermuteP, [a], { axisName: names, perm: pairs });
    // several names: gather everything, pick the source row of this element's linear index
    const src = new Int32Array(n).fill(n);
    for (const [s, t] of pairs) src[t] = s;
    const table = EagerArray.fromTyped(src, [n], "int32");
    const mySrc = gather(table, reshape(axisIndex(names), [1]), { axes: [0] });
    return gather(allGather(a, names), reshape(mySrc, [1]), { axes: [0], mode: "fill", fillValue: 0 });
  });
}

/** lax.pshuffle(x, axisName, perm): element i receives x of element perm[i] (perm a permutation). */
export function pshuffle<T>(x: T, axisName: AxisNameArg, perm: readonly number[]): T {
  const ok = Array.isArray(perm) && perm.every((v) => Number.isInteger(v));
  const set = new Set(ok ? perm : []);
  if (!ok || set.size !== perm.length || perm.some((v) => v < 0 || v >= perm.length))
    throw new ValueError(`\`perm\` does not represent a permutation: ${Array.isArray(perm) ? `[${perm.join(", ")}]` : describe(perm)}`);
  return ppermute(x, axisName, perm.map((s, i) => [s, i] as [number, number]));
}
