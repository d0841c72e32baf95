// shape.ts — jnp shape manipulation and data movement: reshape, ravel, transpose, swapaxes,
// moveaxis, expandDims, squeeze, broadcastTo/Arrays, concatenate, stack, hstack/vstack/dstack,
// split, tile, repeat, flip, roll, pad, diagonal, triu/tril, meshgrid, atleast1d/2d/3d.
// Everything is built on the movement primitives (reshape, broadcast_in_dim, transpose,
// slice, rev, concatenate, pad) plus select, so all of it differentiates and batches.
// Also installs the method forms reshape, transpose, squeeze, expandDims, ravel, flatten.
import { type ArrayLike, type Axis, EagerArray, JaxArray, arrayOps } from "../../core/array.js";
import { shapeSize } from "../../core/aval.js";
import { type DType, checkDType } from "../../core/dtype.js";
import { NotImplementedError, ValueError } from "../../core/errors.js";
import * as lax from "../../primitives/movement.js";
import { convert, full, select } from "../../primitives/elementwise.js";
import { normAxes, normAxis, range } from "../../primitives/util.js";
import { asArray, broadcastArraysRaw, normShape, promoteArgs } from "./coerce.js";

const fmt = (s: readonly number[]): string => `[${s.join(", ")}]`;
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
/** A number or an array of numbers → number[] (for axes, reps, shifts). */
function asList(v: number | readonly number[], what: string, opName: string): number[] {
  const l = typeof v === "number" ? [v] : v;
  if (!Array.isArray(l) || !l.every(isInt)) throw new TypeError(`${opName}: ${what} must be an integer or an array of integers, got ${String(v)}`);
  return [...l];
}
/** Axis argument (number, array or null = all) → sorted-unique normalised axes. */
function axesOf(axis: Axis, ndim: number, opName: string): number[] {
  if (axis === null || axis === undefined) return range(ndim);
  return normAxes(asList(axis, "axis", opName), ndim, opName);
}

// ---------------------------------------------------------------- reshaping

/** jnp.reshape(a, newShape): same elements, new shape; one entry may be -1 (inferred). */
export function reshape(a: ArrayLike, newShape: number | readonly number[]): JaxArray {
  const x = asArray(a);
  const s = typeof newShape === "number" ? [newShape] : newShape;
  if (!Array.isArray(s) || !s.every((d) => isInt(d) && d >= -1)) {
    if (Array.isArray(s) && s.every((d) => isInt(d) || d instanceof JaxArray)) normShape(s, "reshape"); // tracer message
    throw new TypeError(`reshape: the new shape must be an integer or an array of integers (>= -1), got ${JSON.stringify(newShape)}`);
  }
  const unknown = s.filter((d) => d === -1).length;
  if (unknown > 1) throw new ValueError(`reshape: can only specify one unknown dimension (-1), got shape ${fmt(s)}`);
  let shape = [...s];
  if (unknown === 1) {
    const known = shapeSize(s.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0)
      throw new TypeError(`cannot reshape array of shape ${fmt(x.shape)} (size ${x.size}) into shape ${fmt(s)}`);
    shape = s.map((d) => (d === -1 ? x.size / known : d));
  }
  if (shapeSize(shape) !== x.size)
    throw new TypeError(`cannot reshape array of shape ${fmt(x.shape)} (size ${x.size}) into shape ${fmt(s)} (size ${shapeSize(shape)})`);
  return lax.reshape(x, shape);
}

/** jnp.ravel(a): the elements as a 1-D array (row-major). */
export function ravel(a: ArrayLike): JaxArray {
  const x = asArray(a);
  return lax.reshape(x, [x.size]);
}
/** x.flatten(): same as ravel (arrays are immutable, so no copy is observable). */
export const flatten = ravel;

/** jnp.transpose(a, axes?): permutes axes; reverses them when `axes` is omitted. */
export function transpose(a: ArrayLike, axes?: readonly number[] | null): JaxArray {
  const x = asArray(a);
  const n = x.ndim;
  if (axes === null || axes === undefined) return lax.transpose(x, range(n).reverse());
  if (!Array.isArray(axes) || axes.length !== n)
    throw new ValueError(`transpose: axes ${JSON.stringify(axes)} don't match array of shape ${fmt(x.shape)} (need a permutation of ${n} axes)`);
  return lax.transpose(x, normAxes(asList(axes, "axes", "transpose"), n, "transpose"));
}

/** jnp.swapaxes(a, axis1, axis2): exchanges two axes. */
export function swapaxes(a: ArrayLike, axis1: number, axis2: number): JaxArray {
  const x = asArray(a);
  const i = normAxis(axis1, x.ndim, "swapaxes");
  const j = normAxis(axis2, x.ndim, "swapaxes");
  const perm = range(x.ndim);
  perm[i] = j;
  perm[j] = i;
  return lax.transpose(x, perm);
}

/** jnp.moveaxis(a, source, destination): moves axes (ints or arrays of ints) to new positions. */
export function moveaxis(a: ArrayLike, source: number | readonly number[], destination: number | readonly number[]): JaxArray {
  const x = asArray(a);
  const src = normAxes(asList(source, "source", "moveaxis"), x.ndim, "moveaxis");
  const dst = normAxes(asList(destination, "destination", "moveaxis"), x.ndim, "moveaxis");
  if (src.length !== dst.length)
    throw new ValueError(
      `moveaxis: source ${JSON.stringify(source)} and destination ${JSON.stringify(destination)} must have the same number of elements`,
    );
  const order = range(x.ndim).filter((i) => !src.includes(i));
  const pairs = dst.map((d, i) => [d, src[i]!] as const).sort((p, q) => p[0] - q[0]);
  for (const [d, s] of pairs) order.splice(d, 0, s);
  return lax.transpose(x, order);
}

/** jnp.expandDims(a, axis): inserts size-1 axes at the given positions of the result. */
export function expandDims(a: ArrayLike, axis: number | readonly number[]): JaxArray {
  const x = asArray(a);
  return lax.expandDims(x, asList(axis, "axis", "expandDims"));
}

/** jnp.squeeze(a, axis?): removes size-1 axes (all of them when `axis` is omitted). */
export function squeeze(a: ArrayLike, axis?: Axis): JaxArray {
  const x = asArray(a);
  if (axis === null || axis === undefined) return lax.reshape(x, x.shape.filter((d) => d !== 1));
  return lax.squeeze(x, asList(axis, "axis", "squeeze"));
}

/** jnp.broadcastTo(a, shape): broadcasts numpy-style (trailing alignment) to `shape`. */
export function broadcastTo(a: ArrayLike, shape: number | readonly number[]): JaxArray {
  const x = asArray(a);
  const s = normShape(shape, "broadcastTo");
  const xs = x.shape;
  const off = s.length - xs.length;
  if (off < 0 || xs.some((d, i) => d !== 1 && d !== s[off + i]))
    throw new ValueError(`broadcastTo: Incompatible shapes for broadcasting: ${fmt(xs)} and requested shape ${fmt(s)}`);
  return lax.broadcastTo(x, s);
}

/** jnp.broadcastArrays(...arrays): broadcasts all arguments to their common shape. */
export function broadcastArrays(...arrays: ArrayLike[]): JaxArray[] {
  return broadcastArraysRaw("broadcastArrays", arrays.map((a) => asArray(a)));
}

/** jnp.atleast1d(...arrays): views with at least one dimension (one array in, one array out). */
export function atleast1d(x: ArrayLike): JaxArray;
export function atleast1d(...xs: ArrayLike[]): JaxArray[];
export function atleast1d(...xs: ArrayLike[]): JaxArray | JaxArray[] {
  const r = xs.map((v) => {
    const x = asArray(v);
    return x.ndim === 0 ? lax.reshape(x, [1]) : x;
  });
  return r.length === 1 ? r[0]! : r;
}
/** jnp.atleast2d(...arrays): at least two dimensions ([n] becomes [1, n]). */
export function atleast2d(x: ArrayLike): JaxArray;
export function atleast2d(...xs: ArrayLike[]): JaxArray[];
export function atleast2d(...xs: ArrayLike[]): JaxArray | JaxArray[] {
  const r = xs.map((v) => {
    const x = asArray(v);
    return x.ndim >= 2 ? x : lax.reshape(x, x.ndim === 0 ? [1, 1] : [1, x.shape[0]!]);
  });
  return r.length === 1 ? r[0]! : r;
}
/** jnp.atleast3d(...arrays): at least three dimensions ([n] → [1, n, 1], [m, n] → [m, n, 1]). */
export function atleast3d(x: ArrayLike): JaxArray;
export function atleast3d(...xs: ArrayLike[]): JaxArray[];
export function atleast3d(...xs: ArrayLike[]): JaxArray | JaxArray[] {
  const r = xs.map((v) => {
    const x = asArray(v);
    if (x.ndim >= 3) return x;
    const s = x.shape;
    return lax.reshape(x, x.ndim === 0 ? [1, 1, 1] : x.ndim === 1 ? [1, s[0]!, 1] : [s[0]!, s[1]!, 1]);
  });
  return r.length === 1 ? r[0]! : r;
}

// ---------------------------------------------------------------- joining and splitting

function arrayList(arrays: readonly ArrayLike[] | JaxArray, opName: string): JaxArray[] {
  if (arrays instanceof JaxArray) {
    // an array is a sequence of its sub-arrays along axis 0
    if (arrays.ndim === 0) throw new ValueError(`${opName}: zero-dimensional arrays cannot be concatenated`);
    return range(arrays.shape[0]!).map((i) => lax.squeeze(lax.sliceInDim(arrays, i, i + 1, 1, 0), [0]));
  }
  if (!Array.isArray(arrays)) throw new TypeError(`${opName}: expected an array of arrays, got ${typeof arrays}`);
  if (arrays.length === 0) throw new ValueError(`${opName}: need at least one array to ${opName === "stack" ? "stack" : "concatenate"}`);
  return promoteArgs(...arrays);
}

function checkConcatShapes(xs: readonly JaxArray[], axis: number, opName: string): void {
  const x0 = xs[0]!;
  xs.forEach((x, i) => {
    if (x.ndim !== x0.ndim)
      throw new ValueError(
        `${opName}: all the input arrays must have the same number of dimensions, but the array at index 0 has shape ${fmt(x0.shape)} (${x0.ndim} dimension(s)) and the array at index ${i} has shape ${fmt(x.shape)} (${x.ndim} dimension(s))`,
      );
    for (let k = 0; k < x0.ndim; k++)
      if (k !== axis && x.shape[k] !== x0.shape[k])
        throw new ValueError(
          `${opName}: all the input array dimensions except for the concatenation axis must match exactly, but along dimension ${k}, the array at index 0 has shape ${fmt(x0.shape)} and the array at index ${i} has shape ${fmt(x.shape)}`,
        );
  });
}

/** jnp.concatenate(arrays, axis = 0): joins along an existing axis; `axis: null` flattens first. */
export function concatenate(arrays: readonly ArrayLike[] | JaxArray, axis: number | null = 0): JaxArray {
  let xs = arrayList(arrays, "concatenate");
  if (axis === null) {
    xs = xs.map((x) => lax.reshape(x, [x.size]));
    axis = 0;
  }
  if (xs[0]!.ndim === 0) throw new ValueError("concatenate: zero-dimensional arrays cannot be concatenated");
  const ax = normAxis(axis, xs[0]!.ndim, "concatenate");
  checkConcatShapes(xs, ax, "concatenate");
  return lax.concatenate(xs, ax);
}

/** jnp.stack(arrays, axis = 0): joins equal-shaped arrays along a new axis. */
export function stack(arrays: readonly ArrayLike[] | JaxArray, axis = 0): JaxArray {
  const xs = arrayList(arrays, "stack");
  const s0 = xs[0]!.shape;
  xs.forEach((x, i) => {
    if (x.ndim !== s0.length || x.shape.some((d, k) => d !== s0[k]))
      throw new ValueError(`stack: all input arrays must have the same shape, but the array at index 0 has shape ${fmt(s0)} and the array at index ${i} has shape ${fmt(x.shape)}`);
  });
  const ax = normAxis(axis, s0.length + 1, "stack");
  return lax.concatenate(
    xs.map((x) => lax.expandDims(x, [ax])),
    ax,
  );
}

/** jnp.hstack(arrays): concatenates along axis 1 (axis 0 for 1-D inputs). */
export function hstack(arrays: readonly ArrayLike[]): JaxArray {
  const xs = arrayList(arrays, "hstack").map((x) => atleast1d(x));
  return concatenate(xs, xs[0]!.ndim === 1 ? 0 : 1);
}
/** jnp.vstack(arrays): concatenates along axis 0 after making inputs at least 2-D. */
export function vstack(arrays: readonly ArrayLike[]): JaxArray {
  return concatenate(arrayList(arrays, "vstack").map((x) => atleast2d(x)), 0);
}
/** jnp.dstack(arrays): concatenates along axis 2 after making inputs at least 3-D. */
export function dstack(arrays: readonly ArrayLike[]): JaxArray {
  return concatenate(arrayList(arrays, "dstack").map((x) => atleast3d(x)), 2);
}
/** jnp.columnStack(arrays): 1-D inputs become columns; joins along axis 1. */
export function columnStack(arrays: readonly ArrayLike[]): JaxArray {
  return concatenate(
    arrayList(arrays, "columnStack").map((x) => (x.ndim < 2 ? lax.reshape(x, [x.size, 1]) : x)),
    1,
  );
}

function splitAt(x: JaxArray, bounds: number[], ax: number): JaxArray[] {
  const n = x.shape[ax]!;
  const out: JaxArray[] = [];
  let prev = 0;
  for (const b of [...bounds, n]) {
    const start = Math.min(Math.max(prev, 0), n);
    const end = Math.max(Math.min(b < 0 ? b + n : b, n), start);
    out.push(lax.sliceInDim(x, start, end, 1, ax));
    prev = b < 0 ? b + n : b;
  }
  return out;
}

/**
 * jnp.split(x, sectionsOrIndices, axis = 0): a JS array of sub-arrays. A number must divide
 * the axis length; an array gives the split points.
 */
export function split(a: ArrayLike, sectionsOrIndices: number | readonly number[], axis = 0): JaxArray[] {
  const x = asArray(a);
  const ax = normAxis(axis, x.ndim, "split");
  const n = x.shape[ax]!;
  if (typeof sectionsOrIndices === "number") {
    const k = sectionsOrIndices;
    if (!isInt(k) || k <= 0) throw new ValueError(`split: number of sections must be a positive integer, got ${k}`);
    if (n % k !== 0)
      throw new ValueError(`split: array split does not result in an equal division: axis ${ax} of size ${n} cannot be split into ${k} equal sections`);
    return splitAt(x, range(k - 1).map((i) => ((i + 1) * n) / k), ax);
  }
  return splitAt(x, asList(sectionsOrIndices, "indices", "split"), ax);
}

/** jnp.arraySplit(x, sectionsOrIndices, axis = 0): like split, but sections may be unequal. */
export function arraySplit(a: ArrayLike, sectionsOrIndices: number | readonly number[], axis = 0): JaxArray[] {
  const x = asArray(a);
  const ax = normAxis(axis, x.ndim, "arraySplit");
  const n = x.shape[ax]!;
  if (typeof sectionsOrIndices === "number") {
    const k = sectionsOrIndices;
    if (!isInt(k) || k <= 0) throw new ValueError(`arraySplit: number of sections must be a positive integer, got ${k}`);
    const q = Math.floor(n / k);
    const r = n % k;
    const bounds: number[] = [];
    let acc = 0;
    for (let i = 0; i < k - 1; i++) bounds.push((acc += q + (i < r ? 1 : 0)));
    return splitAt(x, bounds, ax);
  }
  return splitAt(x, asList(sectionsOrIndices, "indices", "arraySplit"), ax);
}

// ---------------------------------------------------------------- repetition

/** jnp.tile(a, reps): repeats the whole array `reps` times along each axis. */
export function tile(a: ArrayLike, reps: number | readonly number[]): JaxArray {
  let x = asArray(a);
  const r = asList(reps, "reps", "tile");
  if (r.some((v) => v < 0)) throw new ValueError(`tile: reps must be non-negative, got ${JSON.stringify(reps)}`);
  const n = Math.max(r.length, x.ndim);
  const rr = [...new Array<number>(n - r.length).fill(1), ...r];
  const xs = [...new Array<number>(n - x.ndim).fill(1), ...x.shape];
  x = lax.reshape(x, xs);
  // [s0, s1, ...] -> [r0, s0, r1, s1, ...] -> [r0*s0, r1*s1, ...]
  const big = rr.flatMap((v, i) => [v, xs[i]!]);
  const b = lax.broadcastInDim(x, big, range(n).map((i) => 2 * i + 1));
  return lax.reshape(b, rr.map((v, i) => v * xs[i]!));
}

/** jnp.repeat(a, repeats, axis?): repeats each element (the flattened array when axis is omitted). */
export function repeat(a: ArrayLike, repeats: number | readonly number[] | JaxArray, axis?: number | null): JaxArray {
  let x = asArray(a);
  if (axis === null || axis === undefined) {
    x = lax.reshape(x, [x.size]);
    axis = 0;
  }
  const ax = normAxis(axis, x.ndim, "repeat");
  const n = x.shape[ax]!;
  let reps: number[];
  if (repeats instanceof JaxArray) {
    const c = repeats._concrete();
    if (!c)
      throw new TypeError(
        `repeat: repeats must be concrete (a number, an array of numbers, or a concrete Array), got ${repeats._describe()}; under jit pass it as a static argument`,
      );
    reps = (c.ndim === 0 ? [Number(c.item())] : (c.tolist() as number[])).map(Number);
  } else reps = asList(repeats, "repeats", "repeat");
  if (reps.some((v) => !isInt(v) || v < 0)) throw new ValueError(`repeat: repeats must be non-negative integers, got ${JSON.stringify(reps)}`);
  if (reps.length === 1) {
    const k = reps[0]!;
    // [.., n, ..] -> [.., n, k, ..] -> [.., n*k, ..]
    const s = x.shape;
    const big = [...s.slice(0, ax + 1), k, ...s.slice(ax + 1)];
    const b = lax.broadcastInDim(x, big, range(x.ndim).map((i) => (i <= ax ? i : i + 1)));
    return lax.reshape(b, [...s.slice(0, ax), n * k, ...s.slice(ax + 1)]);
  }
  if (reps.length !== n)
    throw new ValueError(`repeat: repeats has ${reps.length} entries but axis ${ax} of the array of shape ${fmt(x.shape)} has size ${n}`);
  const pieces: JaxArray[] = [];
  reps.forEach((k, i) => {
    if (k === 0) return;
    const sl = lax.sliceInDim(x, i, i + 1, 1, ax);
    const s = [...x.shape];
    s[ax] = k;
    pieces.push(lax.broadcastTo(sl, s));
  });
  return pieces.length ? lax.concatenate(pieces, ax) : lax.sliceInDim(x, 0, 0, 1, ax);
}

// ---------------------------------------------------------------- reordering

/** jnp.flip(a, axis?): reverses the order of elements along `axis` (all axes when omitted). */
export function flip(a: ArrayLike, axis?: Axis): JaxArray {
  const x = asArray(a);
  return lax.rev(x, axesOf(axis, x.ndim, "flip"));
}
/** jnp.fliplr(a): flips axis 1. */
export const fliplr = (a: ArrayLike): JaxArray => flip(a, 1);
/** jnp.flipud(a): flips axis 0. */
export const flipud = (a: ArrayLike): JaxArray => flip(a, 0);

function rollAxis(x: JaxArray, shift: number, ax: number): JaxArray {
  const n = x.shape[ax]!;
  if (n === 0) return x;
  const s = ((shift % n) + n) % n;
  if (s === 0) return x;
  return lax.concatenate([lax.sliceInDim(x, n - s, n, 1, ax), lax.sliceInDim(x, 0, n - s, 1, ax)], ax);
}

/** jnp.roll(a, shift, axis?): rotates elements along axes (the flattened array when axis is omitted). */
export function roll(a: ArrayLike, shift: number | readonly number[], axis?: number | readonly number[] | null): JaxArray {
  const x = asArray(a);
  const shifts = asList(shift, "shift", "roll");
  if (axis === null || axis === undefined) {
    if (shifts.length !== 1) throw new ValueError(`roll: a single shift is needed when axis is omitted, got ${JSON.stringify(shift)}`);
    return lax.reshape(rollAxis(lax.reshape(x, [x.size]), shifts[0]!, 0), x.shape);
  }
  const axes = asList(axis, "axis", "roll").map((v) => normAxis(v, x.ndim, "roll"));
  const m = Math.max(axes.length, shifts.length);
  if ((axes.length !== 1 && axes.length !== m) || (shifts.length !== 1 && shifts.length !== m))
    throw new ValueError(`roll: shift ${JSON.stringify(shift)} and axis ${JSON.stringify(axis)} must have the same length (or one of them be a single value)`);
  const total = new Map<number, number>();
  for (let i = 0; i < m; i++) {
    const ax = axes[axes.length === 1 ? 0 : i]!;
    total.set(ax, (total.get(ax) ?? 0) + shifts[shifts.length === 1 ? 0 : i]!);
  }
  let r = x;
  for (const [ax, s] of total) r = rollAxis(r, s, ax);
  return r;
}

// ---------------------------------------------------------------- padding

type PairSpec = number | readonly (number | readonly number[])[];

/** Broadcasts a numpy pad-width-like spec to one [before, after] pair per axis. */
function pairsFor<T>(spec: unknown, ndim: number, what: string, isLeaf: (v: unknown) => v is T): [T, T][] {
  const bad = (): never => {
    throw new ValueError(`pad: ${what} ${JSON.stringify(spec)} cannot be broadcast to ${ndim} (before, after) pairs, one per axis`);
  };
  if (isLeaf(spec)) return range(ndim).map(() => [spec, spec]);
  if (!Array.isArray(spec)) return bad();
  if (spec.every((v) => isLeaf(v))) {
    const l = spec as T[];
    if (l.length === 1) return range(ndim).map(() => [l[0]!, l[0]!]);
    if (l.length === 2) return range(ndim).map(() => [l[0]!, l[1]!]);
    return bad();
  }
  if (!spec.every((v) => Array.isArray(v) && (v.length === 1 || v.length === 2) && v.every((w) => isLeaf(w)))) return bad();
  const rows = (spec as T[][]).map((v): [T, T] => [v[0]!, v[v.length - 1]!]);
  if (rows.length === 1) return range(ndim).map(() => rows[0]!);
  if (rows.length !== ndim) return bad();
  return rows;
}

const PAD_MODES = ["constant", "edge", "wrap", "reflect", "symmetric", "empty"] as const;
export type PadMode = (typeof PAD_MODES)[number] | "linear_ramp" | "maximum" | "mean" | "median" | "minimum";

/** Pads one axis by periodic extension of `period` (wrap, reflect, symmetric). */
function periodicPad(x: JaxArray, period: JaxArray, ax: number, lo: number, hi: number): JaxArray {
  const n = x.shape[ax]!;
  const p = period.shape[ax]!;
  const total = lo + n + hi;
  const s = (((-lo) % p) + p) % p;
  const k = Math.ceil((s + total) / p);
  const tiled = lax.concatenate(new Array<JaxArray>(k).fill(period), ax);
  return lax.sliceInDim(tiled, s, s + total, 1, ax);
}

/**
 * jnp.pad(x, padWidth, { mode = "constant", constantValues = 0 }): padWidth is a number, a
 * [before, after] pair, or one pair per axis. Modes: constant, edge, wrap, reflect, symmetric
 * (and empty, which pads with zeros).
 */
export function pad(
  a: ArrayLike,
  padWidth: PairSpec,
  opts: { mode?: PadMode; constantValues?: number | JaxArray | PairSpec } = {},
): JaxArray {
  let x = asArray(a);
  const n = x.ndim;
  const widths = pairsFor(padWidth, n, "padWidth", isInt);
  if (widths.some(([lo, hi]) => lo < 0 || hi < 0)) throw new ValueError(`pad: padWidth must be non-negative, got ${JSON.stringify(padWidth)}`);
  const mode = opts.mode ?? "constant";
  if (mode === "constant" || mode === "empty") {
    const cv = mode === "empty" ? 0 : (opts.constantValues ?? 0);
    const toPv = (v: number | JaxArray): JaxArray => {
      if (typeof v === "number") return full([], v, x.dtype, x.weakType);
      const arr = asArray(v);
      if (arr.ndim !== 0) throw new ValueError(`pad: constantValues entries must be scalars, got shape ${fmt(arr.shape)}`);
      return convert(arr, x.dtype, x.weakType);
    };
    const isScalar = (v: unknown): v is number | JaxArray => typeof v === "number" || (v instanceof JaxArray && v.ndim === 0);
    if (isScalar(cv)) return lax.pad(x, toPv(cv), widths.map(([lo, hi]) => [lo, hi, 0]));
    const values = pairsFor(cv, n, "constantValues", isScalar);
    // numpy pads axis by axis, so corners take the later axis' value
    for (let ax = 0; ax < n; ax++) {
      const [lo, hi] = widths[ax]!;
      const cfg = (l: number, h: number): [number, number, number][] => range(n).map((k) => (k === ax ? [l, h, 0] : [0, 0, 0]));
      if (lo) x = lax.pad(x, toPv(values[ax]![0]), cfg(lo, 0));
      if (hi) x = lax.pad(x, toPv(values[ax]![1]), cfg(0, hi));
    }
    return x;
  }
  if (mode === "linear_ramp" || mode === "maximum" || mode === "mean" || mode === "median" || mode === "minimum")
    throw new NotImplementedError(`pad: mode '${mode}' is not implemented in jaxts yet; supported modes are ${PAD_MODES.join(", ")}`);
  if (!(PAD_MODES as readonly string[]).includes(mode))
    throw new ValueError(`pad: Unimplemented padding mode '${String(mode)}' for jnp.pad; supported modes are ${PAD_MODES.join(", ")}`);
  for (let ax = 0; ax < n; ax++) {
    const [lo, hi] = widths[ax]!;
    if (lo === 0 && hi === 0) continue;
    const len = x.shape[ax]!;
    if (len === 0) throw new ValueError(`pad: can't extend empty axis ${ax} using modes other than 'constant' or 'empty'`);
    if (mode === "edge" || (mode === "reflect" && len === 1)) {
      const edge = (i: number, k: number): JaxArray => {
        const s = [...x.shape];
        s[ax] = k;
        return lax.broadcastTo(lax.sliceInDim(x, i, i + 1, 1, ax), s);
      };
      const parts = [...(lo ? [edge(0, lo)] : []), x, ...(hi ? [edge(len - 1, hi)] : [])];
      x = lax.concatenate(parts, ax);
      continue;
    }
    let period = x;
    if (mode === "symmetric") period = lax.concatenate([x, lax.rev(x, [ax])], ax);
    else if (mode === "reflect")
      period = len === 2 ? x : lax.concatenate([x, lax.rev(lax.sliceInDim(x, 1, len - 1, 1, ax), [ax])], ax);
    x = periodicPad(x, period, ax, lo, hi);
  }
  return x;
}

// ---------------------------------------------------------------- diagonals and triangles

/**
 * jnp.diagonal(a, offset = 0, axis1 = 0, axis2 = 1): the diagonal of the 2-D sub-arrays
 * spanned by axis1 and axis2, as a new last axis.
 */
export function diagonal(a: ArrayLike, offset = 0, axis1 = 0, axis2 = 1): JaxArray {
  const x = asArray(a);
  if (x.ndim < 2) throw new ValueError(`diagonal: the array must have at least 2 dimensions, got shape ${fmt(x.shape)}`);
  if (!isInt(offset)) throw new TypeError(`diagonal: offset must be an integer, got ${String(offset)}`);
  const a1 = normAxis(axis1, x.ndim, "diagonal");
  const a2 = normAxis(axis2, x.ndim, "diagonal");
  if (a1 === a2) throw new ValueError(`diagonal: axis1 and axis2 cannot be the same (both are ${a1})`);
  const perm = [...range(x.ndim).filter((i) => i !== a1 && i !== a2), a1, a2];
  const y = lax.transpose(x, perm);
  const lead = y.shape.slice(0, -2);
  const rows = y.shape[y.ndim - 2]!;
  const cols = y.shape[y.ndim - 1]!;
  const r0 = offset < 0 ? -offset : 0;
  const c0 = offset > 0 ? offset : 0;
  const k = Math.max(0, Math.min(rows - r0, cols - c0));
  const z = lead.map(() => 0);
  // the k×k window holding the diagonal, flattened: the diagonal is every (k+1)-th element
  const win = lax.slice(y, [...z, Math.min(r0, rows), Math.min(c0, cols)], [...lead, Math.min(r0, rows) + k, Math.min(c0, cols) + k]);
  const flat = lax.reshape(win, [...lead, k * k]);
  return lax.slice(flat, [...z, 0], [...lead, k * k], [...lead.map(() => 1), k + 1]);
}

/** jnp.tri(n, m?, k = 0, dtype = float32): ones at and below the k-th diagonal. */
export function tri(n: number, m?: number | null, k = 0, dtype: DType = "float32"): JaxArray {
  const mm = m ?? n;
  for (const [nm, v] of [["N", n], ["M", mm], ["k", k]] as const)
    if (!isInt(v) || (nm !== "k" && v < 0)) throw new ValueError(`tri: ${nm} must be a ${nm === "k" ? "" : "non-negative "}integer, got ${String(v)}`);
  const d = checkDType(dtype, "tri");
  const mask = triMask(n, mm, k);
  return convert(mask, d);
}

function triMask(n: number, m: number, k: number): JaxArray {
  const t = new Uint8Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m && j <= i + k; j++) t[i * m + j] = 1;
  return EagerArray.fromTyped(t, [n, m], "bool");
}

function triangle(a: ArrayLike, k: number, lower: boolean, opName: string): JaxArray {
  const x = asArray(a);
  if (x.ndim < 2) throw new ValueError(`${opName}: the array must have at least 2 dimensions, got shape ${fmt(x.shape)}`);
  if (!isInt(k)) throw new TypeError(`${opName}: k must be an integer, got ${String(k)}`);
  const n = x.shape[x.ndim - 2]!;
  const m = x.shape[x.ndim - 1]!;
  // tril keeps j <= i + k; triu keeps j >= i + k, i.e. drops j <= i + k - 1
  const mask = lax.broadcastTo(triMask(n, m, lower ? k : k - 1), x.shape);
  const zero = lax.broadcastTo(full([], 0, x.dtype, x.weakType), x.shape);
  return lower ? select(mask, x, zero) : select(mask, zero, x);
}
/** jnp.tril(m, k = 0): zeros above the k-th diagonal of the last two axes. */
export const tril = (m: ArrayLike, k = 0): JaxArray => triangle(m, k, true, "tril");
/** jnp.triu(m, k = 0): zeros below the k-th diagonal of the last two axes. */
export const triu = (m: ArrayLike, k = 0): JaxArray => triangle(m, k, false, "triu");

// ---------------------------------------------------------------- grids

export interface MeshgridOptions {
  indexing?: "xy" | "ij";
  sparse?: boolean;
}
const isOptions = (v: unknown): v is MeshgridOptions =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof JaxArray) && !ArrayBuffer.isView(v);

/**
 * jnp.meshgrid(...xs, { indexing = "xy", sparse = false }?): coordinate arrays from 1-D
 * vectors; "xy" swaps the first two output axes (Cartesian), "ij" keeps matrix order.
 */
export function meshgrid(...args: (ArrayLike | MeshgridOptions)[]): JaxArray[] {
  const opts = args.length && isOptions(args[args.length - 1]) ? (args.pop() as MeshgridOptions) : {};
  const indexing = opts.indexing ?? "xy";
  if (indexing !== "xy" && indexing !== "ij") throw new ValueError(`meshgrid: Valid values for indexing are 'xy' and 'ij', got ${JSON.stringify(indexing)}`);
  const xs = (args as ArrayLike[]).map((v) => {
    const x = asArray(v);
    return lax.reshape(x, [x.size]);
  });
  const n = xs.length;
  const lens = xs.map((x) => x.shape[0]!);
  const pos = range(n);
  if (indexing === "xy" && n >= 2) {
    pos[0] = 1;
    pos[1] = 0;
  }
  const shape = new Array<number>(n).fill(0);
  pos.forEach((p, i) => (shape[p] = lens[i]!));
  return xs.map((x, i) => {
    if (opts.sparse) {
      const s = new Array<number>(n).fill(1);
      s[pos[i]!] = lens[i]!;
      return lax.reshape(x, s);
    }
    return lax.broadcastInDim(x, shape, [pos[i]!]);
  });
}

Object.assign(arrayOps, { reshape, transpose, squeeze, expandDims, ravel, flatten });
