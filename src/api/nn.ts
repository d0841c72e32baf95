// nn.ts — jax.nn for TypeScript: activations (relu, gelu, sigmoid, softplus, silu, …),
// softmax / logSoftmax / logsumexp (max-shifted, stable for large inputs), oneHot, and
// `initializers` (variance scaling: glorot/he/lecun, normal, uniform, truncatedNormal, zeros,
// ones) with JAX's numbers for the same key. All written with primitives, so they compose with
// every transformation; derivatives follow JAX's (relu'(0) = 0, softplus'(x) = sigmoid(x)).
import type { JaxArray } from "../core/array.js";
import { type DType, checkDType, isFloat, isInt } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import * as lax from "../primitives/elementwise.js";
import { expandDims } from "../primitives/movement.js";
import { reduceMax, reduceSum, iota } from "../primitives/reduce.js";
import { erfc } from "../primitives/random.js";
import { normAxes, normAxis } from "../primitives/util.js";
import { asArray, normShape, type ArrayLike } from "./numpy/coerce.js";
import * as random from "./random.js";

type Axis = number | readonly number[] | null | undefined;

/** A float array from user input (ints and bools become float32, as jax.nn does). */
function floatArg(x: ArrayLike): JaxArray {
  const a = asArray(x);
  return isFloat(a.dtype) ? a : lax.convert(a, "float32");
}
const c = (x: JaxArray, v: number): JaxArray => lax.scalarLike(x, v);
const zeros = (x: JaxArray): JaxArray => lax.zerosLike(x);

// ---------------------------------------------------------------- activations
/** relu(x) = max(x, 0), with derivative 0 at 0 (as JAX). */
export function relu(x: ArrayLike): JaxArray {
  const a = asArray(x);
  return lax.select(lax.gt(a, zeros(a)), a, zeros(a));
}
/** relu6(x) = min(max(x, 0), 6), derivative 0 at both kinks. */
export function relu6(x: ArrayLike): JaxArray {
  const a = asArray(x);
  return lax.select(lax.gt(a, zeros(a)), lax.select(lax.lt(a, c(a, 6)), a, lax.full(a.aval.shape, 6, a.dtype)), zeros(a));
}
/** sigmoid(x) = 1 / (1 + exp(-x)) (lax.logistic). */
export function sigmoid(x: ArrayLike): JaxArray {
  return lax.logistic(floatArg(x));
}
/** softplus(x) = log(1 + exp(x)), computed stably as max(x, 0) + log1p(exp(-|x|)). */
export function softplus(x: ArrayLike): JaxArray {
  const a = floatArg(x);
  const pos = lax.gt(a, zeros(a));
  // selects (not max/abs) so that the derivative is exactly sigmoid(x), 1/2 at 0, and no
  // branch ever overflows
  return lax.add(lax.select(pos, a, zeros(a)), lax.log1p(lax.exp(lax.select(pos, lax.neg(a), a))));
}
/** silu(x) = x * sigmoid(x) (also called swish). */
export function silu(x: ArrayLike): JaxArray {
  const a = floatArg(x);
  return lax.mul(a, lax.logistic(a));
}
export const swish = silu;
/** logSigmoid(x) = -softplus(-x). */
export function logSigmoid(x: ArrayLike): JaxArray {
  return lax.neg(softplus(lax.neg(floatArg(x))));
}
/** leakyRelu(x, negativeSlope = 0.01). */
export function leakyRelu(x: ArrayLike, negativeSlope = 0.01): JaxArray {
  const a = floatArg(x);
  return lax.select(lax.ge(a, zeros(a)), a, lax.mul(a, c(a, negativeSlope)));
}
/** elu(x, alpha = 1) = x for x > 0, alpha (exp(x) - 1) otherwise. */
export function elu(x: ArrayLike, alpha = 1): JaxArray {
  const a = floatArg(x);
  const pos = lax.gt(a, zeros(a));
  const safe = lax.select(pos, zeros(a), a);
  return lax.select(pos, a, lax.mul(c(a, alpha), lax.expm1(safe)));
}
/**
 * gelu(x, approximate = true): the tanh approximation x/2 (1 + tanh(sqrt(2/pi)(x + 0.044715 x³)))
 * by default, as JAX; `approximate = false` gives the exact x/2 erfc(-x/sqrt(2)).
 */
export function gelu(x: ArrayLike, approximate = true): JaxArray {
  const a = floatArg(x);
  if (approximate) {
    const inner = lax.mul(c(a, Math.sqrt(2 / Math.PI)), lax.add(a, lax.mul(c(a, 0.044715), lax.integerPow(a, 3))));
    const cdf = lax.mul(c(a, 0.5), lax.add(c(a, 1), lax.tanh(inner)));
    return lax.mul(a, cdf);
  }
  return lax.mul(lax.mul(c(a, 0.5), a), erfc(lax.mul(lax.neg(a), c(a, Math.SQRT1_2))));
}

// ---------------------------------------------------------------- softmax family
function axesOf(axis: Axis, ndim: number, name: string): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  return normAxes(typeof axis === "number" ? [axis] : axis, ndim, name);
}
/** Re-inserts reduced axes as size 1 (keepdims). */
function keep(y: JaxArray, axes: number[]): JaxArray {
  return axes.length ? expandDims(y, [...axes].sort((p, q) => p - q)) : y;
}

/**
 * logsumexp(x, axis?, { keepdims }) = log(sum(exp(x))) over `axis` (all axes by default),
 * shifted by the (gradient-stopped) max so that large inputs do not overflow.
 */
export function logsumexp(x: ArrayLike, axis?: Axis, opts: { keepdims?: boolean } = {}): JaxArray {
  const a = floatArg(x);
  const axes = axesOf(axis, a.ndim, "logsumexp");
  const amax0 = reduceMax(a, axes);
  const amax = lax.stopGradient(lax.select(lax.isFinite(amax0), amax0, zeros(amax0)));
  const amaxK = keep(amax, axes);
  const sumexp = reduceSum(lax.exp(lax.sub(a, amaxK)), axes);
  const out = lax.add(lax.log(lax.abs(sumexp)), amax);
  return opts.keepdims ? keep(out, axes) : out;
}

/** softmax(x, axis = -1) = exp(x - max) / sum(exp(x - max)) along `axis`. */
export function softmax(x: ArrayLike, axis: Axis = -1): JaxArray {
  const a = floatArg(x);
  const axes = axesOf(axis, a.ndim, "softmax");
  const xmax = lax.stopGradient(keep(reduceMax(a, axes), axes));
  const un = lax.exp(lax.sub(a, xmax));
  return lax.div(un, keep(reduceSum(un, axes), axes));
}

/** logSoftmax(x, axis = -1) = x - logsumexp(x) along `axis`, computed max-shifted. */
export function logSoftmax(x: ArrayLike, axis: Axis = -1): JaxArray {
  const a = floatArg(x);
  const axes = axesOf(axis, a.ndim, "logSoftmax");
  const shifted = lax.sub(a, lax.stopGradient(keep(reduceMax(a, axes), axes)));
  return lax.sub(shifted, keep(lax.log(reduceSum(lax.exp(shifted), axes)), axes));
}

/** standardize(x, axis = -1, { epsilon }) = (x - mean) / sqrt(var + epsilon). */
export function standardize(x: ArrayLike, axis: Axis = -1, opts: { epsilon?: number } = {}): JaxArray {
  const a = floatArg(x);
  const axes = axesOf(axis, a.ndim, "standardize");
  let n = 1;
  for (const ax of axes) n *= a.aval.shape[ax]!;
  const mean = keep(lax.div(reduceSum(a, axes), c(a, n)), axes);
  const centered = lax.sub(a, mean);
  const variance = keep(lax.div(reduceSum(lax.mul(centered, centered), axes), c(a, n)), axes);
  return lax.mul(centered, lax.rsqrt(lax.add(variance, c(a, opts.epsilon ?? 1e-5))));
}

/**
 * oneHot(labels, numClasses, { dtype = float32, axis = -1 }): 1 where the label equals the
 * class index, else 0 (out-of-range labels give all zeros).
 */
export function oneHot(labels: ArrayLike, numClasses: number, opts: { dtype?: DType; axis?: number } = {}): JaxArray {
  if (!Number.isInteger(numClasses) || numClasses < 0)
    throw new TypeError(`oneHot: numClasses must be a non-negative integer, got ${String(numClasses)}`);
  let x = asArray(labels);
  if (!isInt(x.dtype)) {
    if (typeof labels === "number" || Array.isArray(labels)) x = lax.convert(x, "int32");
    else throw new TypeError(`oneHot: labels must be integers, got dtype ${x.dtype}`);
  }
  if (x.dtype !== "int32") x = lax.convert(x, "int32");
  const dtype = checkDType(opts.dtype ?? "float32", "oneHot");
  const outNd = x.ndim + 1;
  const ax = normAxis(opts.axis ?? -1, outNd, "oneHot");
  const lhs = expandDims(x, [ax]);
  const shape = [...x.aval.shape];
  shape.splice(ax, 0, numClasses);
  const rhs = iota(shape, ax);
  return lax.convert(lax.eq(lhs, rhs), dtype);
}

// ---------------------------------------------------------------- initializers
/** An initializer: (key, shape, dtype?) => array. */
export type Initializer = (key: JaxArray, shape: number | readonly number[], dtype?: DType) => JaxArray;
export type FanMode = "fan_in" | "fan_out" | "fan_avg" | "fan_geo_avg";
export type Distribution = "truncated_normal" | "normal" | "uniform";
export interface FanOptions {
  inAxis?: number | readonly number[];
  outAxis?: number | readonly number[];
  batchAxis?: number | readonly number[];
  dtype?: DType;
}

function fans(shape: readonly number[], o: FanOptions): [number, number] {
  const inAxis = o.inAxis ?? -2;
  const outAxis = o.outAxis ?? -1;
  const batchAxis = o.batchAxis ?? [];
  if (typeof inAxis === "number" && inAxis === -2 && shape.length <= 1)
    throw new ValueError(
      `Can't compute input and output sizes of a ${shape.length}-dimensional weights tensor with default in_axis. Must be at least 2D or specify inAxis explicitly.`,
    );
  const size = (ax: number | readonly number[]) =>
    (typeof ax === "number" ? [ax] : ax).reduce((acc, a) => acc * shape[normAxis(a, shape.length, "initializer")]!, 1);
  const inSize = size(inAxis);
  const outSize = size(outAxis);
  const batchSize = size(batchAxis);
  const receptive = shape.reduce((p, d) => p * d, 1) / inSize / outSize / batchSize;
  return [inSize * receptive, outSize * receptive];
}
function initDType(d: DType | undefined, fallback: DType | undefined): DType {
  const r = checkDType(d ?? fallback ?? "float32", "initializer");
  if (!isFloat(r)) throw new ValueError(`initializers need a float dtype, got ${r}`);
  return r;
}
const scalarOf = (v: number, d: DType): JaxArray => lax.full([], v, d);

/** variance_scaling(scale, mode, distribution, opts): the family behind glorot/he/lecun. */
export function varianceScaling(scale: number, mode: FanMode, distribution: Distribution, opts: FanOptions = {}): Initializer {
  if (!["fan_in", "fan_out", "fan_avg", "fan_geo_avg"].includes(mode))
    throw new ValueError(`invalid mode for variance scaling initializer: ${String(mode)}`);
  if (!["truncated_normal", "normal", "uniform"].includes(distribution))
    throw new ValueError(`invalid distribution for variance scaling initializer: ${String(distribution)}`);
  return (key, shape, dtype) => {
    const s = normShape(shape, "initializer");
    const d = initDType(dtype, opts.dtype);
    const [fanIn, fanOut] = fans(s, opts);
    const den = mode === "fan_in" ? fanIn : mode === "fan_out" ? fanOut : mode === "fan_avg" ? (fanIn + fanOut) / 2 : Math.sqrt(fanIn * fanOut);
    const variance = scalarOf(scale / den, d);
    if (distribution === "truncated_normal") {
      const stddev = lax.div(lax.sqrt(variance), scalarOf(0.87962566103423978, d));
      return lax.mul(random.truncatedNormal(key, -2, 2, s, d), stddev);
    }
    if (distribution === "normal") return lax.mul(random.normal(key, s, d), lax.sqrt(variance));
    return lax.mul(random.uniform(key, s, { minval: -1, maxval: 1, dtype: d }), lax.sqrt(lax.mul(scalarOf(3, d), variance)));
  };
}

/** Initializers as factories, like jax.nn.initializers: `glorotNormal()(key, [3, 4])`. */
export const initializers = {
  varianceScaling,
  glorotUniform: (o: FanOptions = {}): Initializer => varianceScaling(1, "fan_avg", "uniform", o),
  glorotNormal: (o: FanOptions = {}): Initializer => varianceScaling(1, "fan_avg", "truncated_normal", o),
  xavierUniform: (o: FanOptions = {}): Initializer => varianceScaling(1, "fan_avg", "uniform", o),
  xavierNormal: (o: FanOptions = {}): Initializer => varianceScaling(1, "fan_avg", "truncated_normal", o),
  lecunUniform: (o: FanOptions = {}): Initializer => varianceScaling(1, "fan_in", "uniform", o),
  lecunNormal: (o: FanOptions = {}): Initializer => varianceScaling(1, "fan_in", "truncated_normal", o),
  heUniform: (o: FanOptions = {}): Initializer => varianceScaling(2, "fan_in", "uniform", o),
  heNormal: (o: FanOptions = {}): Initializer => varianceScaling(2, "fan_in", "truncated_normal", o),
  kaimingUniform: (o: FanOptions = {}): Initializer => varianceScaling(2, "fan_in", "uniform", o),
  kaimingNormal: (o: FanOptions = {}): Initializer => varianceScaling(2, "fan_in", "truncated_normal", o),
  /** normal(stddev = 1e-2) */
  normal:
    (stddev = 1e-2, dtype0?: DType): Initializer =>
    (key, shape, dtype) => {
      const d = initDType(dtype, dtype0);
      return lax.mul(random.normal(key, normShape(shape, "initializer"), d), scalarOf(stddev, d));
    },
  /** uniform(scale = 1e-2): samples in [0, scale) */
  uniform:
    (scale = 1e-2, dtype0?: DType): Initializer =>
    (key, shape, dtype) => {
      const d = initDType(dtype, dtype0);
      return lax.mul(random.uniform(key, normShape(shape, "initializer"), { dtype: d }), scalarOf(scale, d));
    },
  /** truncatedNormal(stddev = 1e-2, { lower = -2, upper = 2 }) */
  truncatedNormal:
    (stddev = 1e-2, o: { dtype?: DType; lower?: number; upper?: number } = {}): Initializer =>
    (key, shape, dtype) => {
      const d = initDType(dtype, o.dtype);
      return lax.mul(random.truncatedNormal(key, o.lower ?? -2, o.upper ?? 2, normShape(shape, "initializer"), d), scalarOf(stddev, d));
    },
  /** constant(value) */
  constant:
    (value: number, dtype0?: DType): Initializer =>
    (_key, shape, dtype) =>
      lax.full(normShape(shape, "initializer"), value, checkDType(dtype ?? dtype0 ?? "float32", "initializer")),
  zeros: ((_key: JaxArray, shape: number | readonly number[], dtype?: DType) =>
    lax.full(normShape(shape, "initializer"), 0, checkDType(dtype ?? "float32", "initializer"))) as Initializer,
  ones: ((_key: JaxArray, shape: number | readonly number[], dtype?: DType) =>
    lax.full(normShape(shape, "initializer"), 1, checkDType(dtype ?? "float32", "initializer"))) as Initializer,
};
