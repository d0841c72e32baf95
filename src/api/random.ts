// random.ts — jax.random for TypeScript: counter-based threefry2x32 keys (a key is a uint32[2]
// array, JAX's raw PRNGKey), split/foldIn, and the samplers (bits, uniform, normal,
// truncatedNormal, randint, bernoulli, gumbel, categorical, permutation, choice). Everything is
// written with primitives — no hidden state and no host loops over data — so it works under
// jit, vmap (vmapping over split keys gives independent streams) and grad, and matches JAX
// 0.10.2 with its default `jax_threefry_partitionable=True` bit for bit (normal-based samplers
// to within XLA's erf_inv rounding: bit-exact for >99.99% of values, never more than 2 ulp).
import { EagerArray, JaxArray } from "../core/array.js";
import { type DType, isFloat, isInt, checkDType } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import * as lax from "../primitives/elementwise.js";
import { concatenate, expandDims, reshape, slice, broadcastTo, moveaxis } from "../primitives/movement.js";
import { argmax, reduceSum, sortKeyVal, cumsum, iota } from "../primitives/reduce.js";
import { bitcastConvertType, erf, erfInv, fma, shiftRightLogical, threefry2x32 } from "../primitives/random.js";
import { broadcastShapes, normAxis } from "../primitives/util.js";
import { asArray, normShape, type ArrayLike } from "./numpy/coerce.js";
import { take } from "./numpy/indexing.js";

export type Key = JaxArray;

// ---------------------------------------------------------------- helpers
function u32(values: readonly number[], shape: readonly number[] = [values.length]): JaxArray {
  return EagerArray.fromTyped(Uint32Array.from(values, (v) => v >>> 0), shape, "uint32");
}
function scalar(v: number, dtype: DType): JaxArray {
  return lax.full([], v, dtype);
}
function describe(x: unknown): string {
  if (x instanceof JaxArray) return `an array of shape [${x.shape.join(", ")}] and dtype ${x.dtype}`;
  if (x === null) return "null";
  if (Array.isArray(x)) return `a JS array ${JSON.stringify(x)}`;
  return `${typeof x} ${String(x)}`;
}

/** Validates a raw key (uint32[2]); a typed Uint32Array of length 2 is accepted too. */
function checkKey(name: string, key: unknown): JaxArray {
  let k: JaxArray;
  if (key instanceof JaxArray) k = key;
  else if (key instanceof Uint32Array) k = asArray(key);
  else
    throw new TypeError(
      `random.${name}: expected a PRNG key (a uint32 array of shape [2], from random.key, random.split or random.foldIn), got ${describe(key)}`,
    );
  if (k.dtype !== "uint32" || k.ndim !== 1 || k.aval.shape[0] !== 2) {
    const batched = k.dtype === "uint32" && k.ndim > 1 && k.aval.shape[k.ndim - 1] === 2;
    throw new TypeError(
      `random.${name}: expected a PRNG key of shape [2] and dtype uint32, got ${describe(k)}.` +
        (batched ? ` ${name} accepts a single key, but was given a key array of shape [${k.shape.join(", ")}]; use vmap for batching.` : ""),
    );
  }
  return k;
}
function keyWords(k: JaxArray): [JaxArray, JaxArray] {
  return [reshape(slice(k, [0], [1]), []), reshape(slice(k, [1], [2]), [])];
}
function checkShape(name: string, shape: unknown): number[] {
  if (shape === undefined || shape === null) return [];
  return normShape(shape, `random.${name}`);
}
/** JAX's iota_2x32_shape: the (hi, lo) words of a row-major 64-bit iota of `shape`. */
function iota2x32(shape: readonly number[]): [JaxArray, JaxArray] {
  if (shape.length === 0) return [u32([0], []), u32([0], [])];
  let n = 1;
  for (const d of shape) n *= d;
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) lo[i] = i;
  return [lax.full(shape, 0, "uint32"), EagerArray.fromTyped(lo, shape, "uint32")];
}
/** The float dtype a sampler produces; float64 is honoured when asked for explicitly. */
function floatDType(name: string, dtype: unknown): DType {
  const d = checkDType(dtype ?? "float32", `random.${name}`);
  if (!isFloat(d)) throw new ValueError(`dtype argument to \`${name}\` must be a float dtype, got ${d}`);
  return d;
}
/** Checks that parameter shapes broadcast to exactly `shape` (JAX's _check_shape). */
function checkParamShapes(name: string, shape: readonly number[], ...params: JaxArray[]): void {
  if (!params.length) return;
  let r: number[];
  try {
    r = broadcastShapes(name, shape, ...params.map((p) => p.aval.shape));
  } catch {
    r = [];
  }
  if (r.length !== shape.length || r.some((d, i) => d !== shape[i]))
    throw new ValueError(
      `${name} parameter shapes must be broadcast-compatible with shape argument, and the result of broadcasting the shapes must equal the shape argument, but got result ${r.length ? `[${r.join(", ")}]` : `incompatible shapes ${params.map((p) => `[${p.shape.join(", ")}]`).join(", ")}`} for shape argument [${shape.join(", ")}].`,
    );
}
/** lax.broadcast_to_rank: prepends size-1 dims. */
function toRank(x: JaxArray, rank: number): JaxArray {
  return x.ndim >= rank ? x : reshape(x, [...new Array<number>(rank - x.ndim).fill(1), ...x.aval.shape]);
}
/** nextafter(x, +inf) or (x, -inf) for finite float32 x, with bit arithmetic on the int32 view. */
function nextafterF32(x: JaxArray, up: boolean): JaxArray {
  const bits = bitcastConvertType(x, "int32");
  const one = scalar(1, "int32");
  const zeroX = lax.eq(x, scalar(0, "float32"));
  // moving away from zero adds 1 to |bits|; towards zero subtracts 1
  const away = up ? lax.gt(x, scalar(0, "float32")) : lax.lt(x, scalar(0, "float32"));
  const stepped = lax.select(away, lax.add(bits, one), lax.sub(bits, one));
  const smallest = bitcastConvertType(scalar(up ? 1 : 0x80000001 | 0, "int32"), "float32");
  const r = lax.select(zeroX, broadcastTo(smallest, x.aval.shape), bitcastConvertType(stepped, "float32"));
  return lax.select(lax.isFinite(x), r, x);
}

// ---------------------------------------------------------------- keys
/**
 * A PRNG key from an integer seed: the uint32[2] array [0, seed mod 2^32], as JAX's
 * `random.PRNGKey(seed)` with 32-bit integers. `seed` is a JS integer or an integer scalar array.
 */
export function key(seed: number | JaxArray): JaxArray {
  if (typeof seed === "number") {
    if (!Number.isInteger(seed)) throw new TypeError(`random.key: PRNG key seed must be an integer; got ${seed}`);
    return u32([0, seed >>> 0]);
  }
  if (!(seed instanceof JaxArray)) throw new TypeError(`random.key: PRNG key seed must be an integer; got ${describe(seed)}`);
  if (seed.ndim !== 0)
    throw new TypeError(`random.key accepts a scalar seed, but was given an array of shape [${seed.shape.join(", ")}] != []. Use vmap for batching.`);
  if (!isInt(seed.dtype) && seed.dtype !== "bool") throw new TypeError(`random.key: PRNG key seed must be an integer; got dtype ${seed.dtype}`);
  const s = seed.dtype === "bool" ? lax.convert(seed, "uint32") : bitcastConvertType(seed, "uint32");
  return concatenate([u32([0]), reshape(s, [1])], 0);
}
/** Alias of `key` (JAX's legacy name; both return the raw uint32[2] key). */
export const PRNGKey = key;

/** The raw data of a key (the key itself: keys are raw uint32 arrays here). */
export function keyData(k: JaxArray): JaxArray {
  return checkKey("keyData", k);
}

function countArg(name: string, num: unknown): number[] {
  const shape = typeof num === "number" ? [num] : num;
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === "number" && Number.isInteger(d) && d >= 0))
    throw new TypeError(`random.${name}: num must be a non-negative integer or an array of them, got ${JSON.stringify(num)}`);
  return [...(shape as number[])];
}

/** Splits a key into `num` new keys (shape [num, 2]); `num` may be a shape ([a, b] gives [a, b, 2]). */
export function split(k: JaxArray, num: number | readonly number[] = 2): JaxArray {
  const kk = checkKey("split", k);
  const shape = countArg("split", num);
  const [k0, k1] = keyWords(kk);
  const [hi, lo] = iota2x32(shape);
  const [b0, b1] = threefry2x32(k0, k1, hi, lo);
  const nd = shape.length;
  return concatenate([expandDims(b0, [nd]), expandDims(b1, [nd])], nd);
}

/** Folds integer data (a JS integer or an integer scalar array) into a key, giving a new key. */
export function foldIn(k: JaxArray, data: number | JaxArray): JaxArray {
  const kk = checkKey("foldIn", k);
  let d: JaxArray;
  if (typeof data === "number") {
    if (!Number.isInteger(data)) throw new TypeError(`random.foldIn: data must be an integer, got ${data}`);
    d = u32([data], []);
  } else if (data instanceof JaxArray) {
    if (data.ndim !== 0)
      throw new TypeError(`random.foldIn accepts a scalar, but was given an array of shape [${data.shape.join(", ")}] != []. Use vmap for batching.`);
    if (!isInt(data.dtype)) throw new TypeError(`random.foldIn: data must be an integer, got dtype ${data.dtype}`);
    d = bitcastConvertType(data, "uint32");
  } else throw new TypeError(`random.foldIn: data must be an integer, got ${describe(data)}`);
  const [k0, k1] = keyWords(kk);
  const [b0, b1] = threefry2x32(k0, k1, u32([0], []), d);
  return concatenate([reshape(b0, [1]), reshape(b1, [1])], 0);
}

/** Raw random 32-bit words (partitionable threefry: hash of the 64-bit counter, words xored). */
function rawBits(kk: JaxArray, shape: readonly number[]): JaxArray {
  const [k0, k1] = keyWords(kk);
  const [hi, lo] = iota2x32(shape);
  const [b0, b1] = threefry2x32(k0, k1, hi, lo);
  return lax.xor(b0, b1);
}

/** Uniform random bits: a uint32 array of `shape`. */
export function bits(k: JaxArray, shape: number | readonly number[] = [], dtype: DType = "uint32"): JaxArray {
  const kk = checkKey("bits", k);
  const s = checkShape("bits", shape);
  if (dtype !== "uint32") throw new ValueError(`dtype argument to \`bits\` must be an unsigned int dtype (uint32), got ${String(dtype)}`);
  return rawBits(kk, s);
}

// ---------------------------------------------------------------- uniform, normal
export interface UniformOptions {
  minval?: ArrayLike;
  maxval?: ArrayLike;
  dtype?: DType;
}
function uniformImpl(kk: JaxArray, shape: readonly number[], dtype: DType, minval: JaxArray, maxval: JaxArray): JaxArray {
  let lo = lax.convert(minval, dtype);
  let hi = lax.convert(maxval, dtype);
  lo = toRank(lo, shape.length);
  hi = toRank(hi, shape.length);
  let floats: JaxArray;
  if (dtype === "float32") {
    // 23 random mantissa bits under the exponent of 1.0: a float in [1, 2), minus 1
    const b = rawBits(kk, shape);
    const fb = lax.or(shiftRightLogical(b, u32([9], [])), u32([0x3f800000], []));
    floats = lax.sub(bitcastConvertType(fb, "float32"), scalar(1, "float32"));
  } else {
    // float64: the top 52 of the 64 bits (hi word, lo word), scaled to [0, 1) exactly
    const [k0, k1] = keyWords(kk);
    const [chi, clo] = iota2x32(shape);
    const [b0, b1] = threefry2x32(k0, k1, chi, clo);
    const hiPart = lax.mul(lax.convert(b0, "float64"), scalar(2 ** 20, "float64"));
    const loPart = lax.convert(shiftRightLogical(b1, u32([12], [])), "float64");
    floats = lax.mul(lax.add(hiPart, loPart), scalar(2 ** -52, "float64"));
  }
  const scaled = fma(floats, lax.sub(hi, lo), lo);
  return lax.max(lo, reshape(broadcastTo(scaled, shape), shape));
}

/** Uniform floats in [minval, maxval) (defaults 0 and 1) of `shape` and float `dtype`. */
export function uniform(k: JaxArray, shape: number | readonly number[] = [], opts: UniformOptions = {}): JaxArray {
  const kk = checkKey("uniform", k);
  const s = checkShape("uniform", shape);
  const dtype = floatDType("uniform", opts.dtype);
  const lo = asArray(opts.minval ?? 0);
  const hi = asArray(opts.maxval ?? 1);
  checkParamShapes("uniform", s, lo, hi);
  return uniformImpl(kk, s, dtype, lo, hi);
}

function normalImpl(kk: JaxArray, shape: readonly number[], dtype: DType): JaxArray {
  // uniform on (-1, 1) (lo = nextafter(-1, 0)), then sqrt(2) * erfinv
  const lo = dtype === "float32" ? -(1 - 2 ** -24) : -(1 - 2 ** -53);
  const u = uniformImpl(kk, shape, dtype, scalar(lo, dtype), scalar(1, dtype));
  return lax.mul(scalar(Math.SQRT2, dtype), erfInv(u));
}

/** Standard normal samples of `shape` and float `dtype` (default float32). */
export function normal(k: JaxArray, shape: number | readonly number[] = [], dtype: DType = "float32"): JaxArray {
  const kk = checkKey("normal", k);
  const s = checkShape("normal", shape);
  return normalImpl(kk, s, floatDType("normal", dtype));
}

/**
 * Standard normal samples truncated to (lower, upper); `shape` defaults to the broadcast of
 * the bounds' shapes.
 */
export function truncatedNormal(
  k: JaxArray,
  lower: ArrayLike,
  upper: ArrayLike,
  shape?: number | readonly number[] | null,
  dtype: DType = "float32",
): JaxArray {
  const kk = checkKey("truncatedNormal", k);
  const d = floatDType("truncatedNormal", dtype);
  const lo0 = lax.convert(asArray(lower), d);
  const hi0 = lax.convert(asArray(upper), d);
  let s: number[];
  if (shape === undefined || shape === null) s = broadcastShapes("truncatedNormal", lo0.aval.shape, hi0.aval.shape);
  else {
    s = checkShape("truncatedNormal", shape);
    checkParamShapes("truncatedNormal", s, lo0, hi0);
  }
  const sqrt2 = scalar(Math.SQRT2, d);
  const a = erf(lax.div(lo0, sqrt2));
  const b = erf(lax.div(hi0, sqrt2));
  const u = uniformImpl(kk, s, d, a, b);
  const out = lax.mul(sqrt2, erfInv(u));
  const loC = d === "float32" ? nextafterF32(lo0, true) : lo0;
  const hiC = d === "float32" ? nextafterF32(hi0, false) : hi0;
  return lax.min(lax.max(out, toRank(loC, s.length)), toRank(hiC, s.length));
}

// ---------------------------------------------------------------- integers
/** An integer bound as an int32 array (JS numbers are converted exactly, clamped to int32). */
function intBound(name: string, v: ArrayLike): JaxArray {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new ValueError(`random.${name}: bound must be finite, got ${v}`);
    return lax.full([], Math.trunc(v), "int32");
  }
  const a = asArray(v);
  if (isInt(a.dtype)) return a;
  if (a.dtype === "bool") return lax.convert(a, "int32");
  return lax.convert(a, "int32");
}

/**
 * Uniform integers in [minval, maxval) of `shape` (int32 by default, or uint32), with JAX's
 * algorithm: two 32-bit draws combined modulo the span (maxval <= minval gives minval).
 */
export function randint(k: JaxArray, shape: number | readonly number[], minval: ArrayLike, maxval: ArrayLike, dtype: DType = "int32"): JaxArray {
  const kk = checkKey("randint", k);
  const s = checkShape("randint", shape);
  const d = checkDType(dtype, "random.randint");
  if (d !== "int32" && d !== "uint32") throw new TypeError(`randint only accepts integer dtypes (int32, uint32), got ${d}`);
  let lo = intBound("randint", minval);
  let hi = intBound("randint", maxval);
  checkParamShapes("randint", s, lo, hi);
  // convert-and-clip the bounds into the target dtype
  const toD = (x: JaxArray): JaxArray => {
    if (x.dtype === d) return x;
    if (d === "uint32") return bitcastConvertType(lax.max(x, lax.full([], 0, x.dtype)), "uint32"); // int32 -> uint32
    return bitcastConvertType(lax.min(x, lax.full([], 2147483647, x.dtype)), "int32"); // uint32 -> int32
  };
  lo = toRank(toD(lo), s.length);
  hi = toRank(toD(hi), s.length);
  const [k1, k2] = splitPair(kk);
  const higher = rawBits(k1, s);
  const lower = rawBits(k2, s);
  // span = maxval - minval as uint32 (wrapping), 1 where maxval <= minval
  let span = bitcastConvertType(lax.sub(hi, lo), "uint32");
  span = lax.select(lax.le(hi, lo), broadcastTo(u32([1], []), span.aval.shape), span);
  // (a * 2^32 + b) mod span via multiplier = 2^32 mod span (computed as (2^16 mod span)^2 mod span)
  let mult = lax.rem(broadcastTo(u32([65536], []), span.aval.shape), span);
  mult = lax.rem(lax.mul(mult, mult), span);
  let off = lax.add(lax.mul(lax.rem(higher, span), mult), lax.rem(lower, span));
  off = lax.rem(off, span);
  return lax.add(lo, bitcastConvertType(off, d));
}
function splitPair(kk: JaxArray): [JaxArray, JaxArray] {
  const ks = split(kk, 2);
  return [reshape(slice(ks, [0, 0], [1, 2]), [2]), reshape(slice(ks, [1, 0], [2, 2]), [2])];
}

/** Bernoulli samples (bool) with mean `p` (default 0.5); `shape` defaults to p's shape. */
export function bernoulli(k: JaxArray, p: ArrayLike = 0.5, shape?: number | readonly number[] | null): JaxArray {
  const kk = checkKey("bernoulli", k);
  const pa = asArray(p);
  if (!isFloat(pa.dtype)) throw new TypeError(`bernoulli probability \`p\` must have a floating dtype, got ${pa.dtype}.`);
  let s: number[];
  if (shape === undefined || shape === null) s = [...pa.aval.shape];
  else {
    s = checkShape("bernoulli", shape);
    checkParamShapes("bernoulli", s, pa);
  }
  const u = uniformImpl(kk, s, pa.dtype, scalar(0, pa.dtype), scalar(1, pa.dtype));
  return lax.lt(u, lax.convert(pa, pa.dtype));
}

// ---------------------------------------------------------------- gumbel, categorical
function gumbelImpl(kk: JaxArray, shape: readonly number[], dtype: DType): JaxArray {
  const tiny = dtype === "float32" ? 1.1754943508222875e-38 : 2.2250738585072014e-308;
  const u = uniformImpl(kk, shape, dtype, scalar(tiny, dtype), scalar(1, dtype));
  return lax.neg(lax.log(lax.neg(lax.log(u))));
}
/** Standard Gumbel samples of `shape` (JAX's default "low" mode). */
export function gumbel(k: JaxArray, shape: number | readonly number[] = [], dtype: DType = "float32"): JaxArray {
  const kk = checkKey("gumbel", k);
  return gumbelImpl(kk, checkShape("gumbel", shape), floatDType("gumbel", dtype));
}

/** Indices of the k largest entries along the last axis (descending; ties keep the lower index). */
function topKIndices(x: JaxArray, kk: number): JaxArray {
  const last = x.ndim - 1;
  const idx = iota(x.aval.shape, last);
  const [, sortedIdx] = sortKeyVal(lax.neg(x), idx, last);
  const start = new Array<number>(x.ndim).fill(0);
  const limit = [...x.aval.shape];
  limit[last] = kk;
  return slice(sortedIdx, start, limit);
}

export interface CategoricalOptions {
  axis?: number;
  shape?: number | readonly number[] | null;
  replace?: boolean;
}
/**
 * Samples category indices from unnormalised log-probabilities `logits` along `axis`
 * (default -1), by the Gumbel-max trick (top-k without replacement).
 */
export function categorical(k: JaxArray, logits: ArrayLike, opts: CategoricalOptions = {}): JaxArray {
  const kk = checkKey("categorical", k);
  const lg = asArray(logits);
  if (!isFloat(lg.dtype)) throw new TypeError(`random.categorical: logits must be a float array, got ${lg.dtype}`);
  if (lg.ndim === 0) throw new ValueError("random.categorical: logits must have at least one dimension");
  const ax = normAxis(opts.axis ?? -1, lg.ndim, "random.categorical");
  const batchShape = lg.aval.shape.filter((_, i) => i !== ax);
  let shape: number[];
  if (opts.shape === undefined || opts.shape === null) shape = batchShape;
  else {
    shape = checkShape("categorical", opts.shape);
    checkParamShapes("categorical", shape, reshape(lax.full([], 0, "float32"), []), broadcastTo(lax.full([], 0, "float32"), batchShape));
  }
  const prefix = shape.slice(0, shape.length - batchShape.length);
  if (opts.replace ?? true) {
    const logitsShape = shape.slice(shape.length - batchShape.length);
    logitsShape.splice(ax, 0, lg.aval.shape[ax]!);
    const g = gumbelImpl(kk, [...prefix, ...logitsShape], lg.dtype);
    const l = prefix.length ? reshape(lg, [...prefix.map(() => 1), ...lg.aval.shape]) : lg;
    return argmax(lax.add(g, l), prefix.length + ax);
  }
  const perturbed = lax.add(lg, gumbelImpl(kk, lg.aval.shape, lg.dtype));
  let n = 1;
  for (const d of prefix) n *= d;
  if (n > lg.aval.shape[ax]!)
    throw new ValueError(`Number of samples without replacement (${n}) cannot exceed number of categories (${lg.aval.shape[ax]}).`);
  const ind = topKIndices(moveaxis(perturbed, ax, -1), n); // batch + [n]
  const moved = moveaxis(ind, -1, 0); // [n] + batch
  return reshape(moved, shape);
}

// ---------------------------------------------------------------- permutation, choice
function shuffle(kk: JaxArray, x: JaxArray, axis: number): JaxArray {
  // sort by fresh random 32-bit keys; enough rounds that all keys differ with high probability
  const exponent = 3;
  const numRounds = Math.ceil((exponent * Math.log(Math.max(1, x.size))) / Math.log(4294967295));
  let cur = kk;
  let y = x;
  for (let r = 0; r < numRounds; r++) {
    const [next, sub] = splitPair(cur);
    cur = next;
    const sortKeys = rawBits(sub, y.aval.shape);
    y = sortKeyVal(sortKeys, y, axis)[1];
  }
  return y;
}

function staticCount(name: string, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`random.${name}: expected a non-negative integer, got ${n}`);
  return n;
}

export interface PermutationOptions {
  axis?: number;
  independent?: boolean;
}
/** A random permutation of arange(n) (x a JS integer), or of an array's entries along `axis`. */
export function permutation(k: JaxArray, x: number | ArrayLike, opts: PermutationOptions = {}): JaxArray {
  const kk = checkKey("permutation", k);
  if (typeof x === "number") {
    const n = staticCount("permutation", x);
    return shuffle(kk, iota([n], 0), 0);
  }
  const a = asArray(x);
  if (a.ndim === 0) {
    const c = a._concrete();
    if (!isInt(a.dtype)) throw new TypeError("random.permutation: x must be an integer or at least 1-dimensional");
    if (!c) throw new TypeError("random.permutation: the integer x must be concrete (it sets the output shape)");
    return shuffle(kk, iota([staticCount("permutation", Number(c.item()))], 0), 0);
  }
  const ax = normAxis(opts.axis ?? 0, a.ndim, "random.permutation");
  if (opts.independent || a.ndim === 1) return shuffle(kk, a, ax);
  const ind = shuffle(kk, iota([a.aval.shape[ax]!], 0), 0);
  return take(a, ind, ax);
}

export interface ChoiceOptions {
  replace?: boolean;
  p?: ArrayLike | null;
  axis?: number;
}
/**
 * Random samples of shape `shape` from `a` (an array, sampled along `axis`, or a JS integer n
 * meaning arange(n)); with or without replacement, optionally with probabilities `p`.
 */
export function choice(k: JaxArray, a: number | ArrayLike, shape: number | readonly number[] = [], opts: ChoiceOptions = {}): JaxArray {
  const kk = checkKey("choice", k);
  const s = checkShape("choice", shape);
  const replace = opts.replace ?? true;
  let arr: JaxArray | null = null;
  let nInputs: number;
  let ax = 0;
  if (typeof a === "number") nInputs = staticCount("choice", a);
  else {
    arr = asArray(a);
    if (arr.ndim === 0) {
      const c = arr._concrete();
      if (!c || !isInt(arr.dtype)) throw new TypeError("random.choice: a must be a concrete integer or an array of at least one dimension");
      nInputs = staticCount("choice", Number(c.item()));
      arr = null;
    } else {
      ax = normAxis(opts.axis ?? 0, arr.ndim, "random.choice");
      nInputs = arr.aval.shape[ax]!;
    }
  }
  let nDraws = 1;
  for (const d of s) nDraws *= d;
  const outShape = arr ? [...arr.aval.shape.slice(0, ax), ...s, ...arr.aval.shape.slice(ax + 1)] : s;
  if (nDraws === 0) return lax.full(outShape, 0, arr ? arr.dtype : "int32");
  if (nInputs <= 0) throw new ValueError("a must be greater than 0 unless no samples are taken");
  if (!replace && nDraws > nInputs)
    throw new ValueError(`Cannot take a larger sample (size ${nDraws}) than population (size ${nInputs}) when 'replace=False'`);
  let ind: JaxArray;
  if (opts.p === undefined || opts.p === null) {
    if (replace) ind = randint(kk, s, 0, nInputs);
    else {
      const perm = permutation(kk, arr ?? nInputs, { axis: ax });
      if (arr) {
        const start = new Array<number>(perm.ndim).fill(0);
        const limit = [...perm.aval.shape];
        limit[ax] = nDraws;
        return reshape(slice(perm, start, limit), outShape);
      }
      ind = slice(perm, [0], [nDraws]);
    }
  } else {
    let p = asArray(opts.p);
    if (!isFloat(p.dtype)) p = lax.convert(p, "float32");
    if (p.ndim !== 1 || p.aval.shape[0] !== nInputs)
      throw new ValueError(
        `p must be null or a 1D vector with the same size as a.shape[axis]. p has shape [${p.shape.join(", ")}] and a.shape[axis] is ${nInputs}.`,
      );
    const pc = p._concrete();
    if (pc) {
      let tot = 0;
      for (const v of pc.dataSync()) tot += v;
      if (!(Math.abs(tot - 1) <= 1e-5 * nInputs + 1e-6)) throw new ValueError(`random.choice: probabilities p must sum to 1, got a sum of ${tot}`);
      for (const v of pc.dataSync()) if (v < 0) throw new ValueError(`random.choice: probabilities p must be non-negative, got ${v}`);
    }
    if (replace) {
      const pCuml = cumsum(p, 0);
      const total = reshape(slice(pCuml, [nInputs - 1], [nInputs]), []);
      const u = uniformImpl(kk, s, p.dtype, scalar(0, p.dtype), scalar(1, p.dtype));
      const r = lax.mul(total, lax.sub(scalar(1, p.dtype), u));
      // searchsorted(pCuml, r, side="left") = number of entries strictly below r
      const below = lax.lt(reshape(pCuml, [...s.map(() => 1), nInputs]), reshape(r, [...s, 1]));
      ind = reduceSum(lax.convert(below, "int32"), [s.length]);
    } else {
      const g = lax.add(gumbelImpl(kk, [nInputs], p.dtype), lax.log(p));
      ind = topKIndices(g, nDraws);
    }
  }
  if (!arr) return reshape(ind, outShape);
  return reshape(take(arr, ind, ax), outShape);
}

