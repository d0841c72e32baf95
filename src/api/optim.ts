// optim.ts — optax-style gradient transformations for TypeScript: each optimizer is
// `{ init(params), update(grads, state, params?) => [updates, state] }` over any pytree, with
// state a pytree of arrays (so a whole training step can be jitted). sgd (momentum,
// nesterov), adam, adamw, rmsprop (momentum, centered), chain, clipByGlobalNorm, the building
// blocks (scale, scaleByAdam, trace, addDecayedWeights, …) and applyUpdates; step for step
// the same formulas as optax 0.2.8.
import { JaxArray } from "../core/array.js";
import { isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import * as tree from "../core/tree.js";
import * as lax from "../primitives/elementwise.js";
import { reduceSum } from "../primitives/reduce.js";
import { asArray, type ArrayLike } from "./numpy/coerce.js";

/** A pytree of arrays (params, gradients, updates). */
export type Params = unknown;
/** An optimizer state: a pytree of arrays. */
export type OptState = unknown;
/** A learning rate: a number, or a schedule from the step count (int32 scalar) to a rate. */
export type Schedule = (count: JaxArray) => JaxArray | number;
export type ScalarOrSchedule = number | Schedule;

export interface GradientTransformation {
  init(params: Params): OptState;
  update(updates: Params, state: OptState, params?: Params): [Params, OptState];
}

// ---------------------------------------------------------------- helpers
const leafArr = (x: unknown, what: string): JaxArray => {
  if (x instanceof JaxArray) return x;
  if (typeof x === "number" || Array.isArray(x) || ArrayBuffer.isView(x)) return asArray(x as ArrayLike);
  throw new TypeError(`optim: ${what} leaves must be arrays or numbers, got ${x === null ? "null" : typeof x}`);
};
/** A weak scalar with t's dtype (a Python float in optax). */
const c = (t: JaxArray, v: number): JaxArray => lax.scalarLike(t, v);
const map = (fn: (...xs: JaxArray[]) => JaxArray, t: Params, ...rest: Params[]): Params =>
  tree.map((...xs: unknown[]) => fn(...xs.map((x, i) => leafArr(x, i === 0 ? "update" : "state/params"))), t, ...rest);
const zerosLikeTree = (p: Params): Params => map((x) => lax.zerosLike(floatLeaf(x)), p);
const fullLikeTree = (p: Params, v: number): Params => map((x) => lax.full(x.aval.shape, v, floatLeaf(x).dtype), p);
function floatLeaf(x: JaxArray): JaxArray {
  return isFloat(x.dtype) ? (x.weakType ? lax.convert(x, x.dtype) : x) : lax.convert(x, "float32");
}
const countZero = (): JaxArray => lax.full([], 0, "int32");
/** count + 1, saturating at the largest int32 (optax's safe_increment). */
function safeIncrement(count: JaxArray): JaxArray {
  const max = lax.full([], 2147483647, "int32");
  return lax.select(lax.lt(count, max), lax.add(count, lax.full([], 1, "int32")), max);
}
/** (1 - decay) * g^order + decay * t (optax's update_moment / update_moment_per_elem_norm). */
function updateMoment(g: Params, t: Params, decay: number, order: 1 | 2): Params {
  return map((gi, ti) => lax.add(lax.mul(c(gi, 1 - decay), order === 1 ? gi : lax.integerPow(gi, 2)), lax.mul(c(ti, decay), ti)), g, t);
}
/** t / (1 - decay^count) (optax's bias_correction). */
function biasCorrection(moment: Params, decay: number, count: JaxArray): Params {
  const bc = lax.sub(lax.full([], 1, "float32", true), lax.pow(lax.full([], decay, "float32", true), lax.convert(count, "float32", true)));
  return map((t) => lax.div(t, lax.convert(bc, t.dtype)), moment);
}
function checkNum(name: string, v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`optim.${name}: ${what} must be a finite number, got ${String(v)}`);
  return v;
}
function checkRate(name: string, lr: unknown): ScalarOrSchedule {
  if (typeof lr === "function") return lr as Schedule;
  return checkNum(name, lr, "learning rate");
}
function checkDecay(name: string, v: number, what: string): number {
  checkNum(name, v, what);
  if (v < 0 || v > 1) throw new ValueError(`optim.${name}: ${what} must be in [0, 1], got ${v}`);
  return v;
}

// ---------------------------------------------------------------- building blocks
/** The identity transformation (empty state). */
export function identity(): GradientTransformation {
  return { init: () => [], update: (u, s) => [u, s] };
}

/** Multiplies updates by a fixed step size. */
export function scale(stepSize: number): GradientTransformation {
  checkNum("scale", stepSize, "step size");
  return { init: () => [], update: (u, s) => [map((g) => lax.mul(c(g, stepSize), g), u), s] };
}

/** Multiplies updates by `stepSizeFn(count)`; the state counts the steps. */
export function scaleBySchedule(stepSizeFn: Schedule): GradientTransformation {
  return {
    init: () => ({ count: countZero() }),
    update: (u, s) => {
      const count = (s as { count: JaxArray }).count;
      const step = stepSizeFn(count);
      const out = map((g) => lax.mul(typeof step === "number" ? c(g, step) : lax.convert(asArray(step), g.dtype), g), u);
      return [out, { count: safeIncrement(count) }];
    },
  };
}

/** Scales by -learningRate (or +learningRate when flipSign is false). */
export function scaleByLearningRate(learningRate: ScalarOrSchedule, flipSign = true): GradientTransformation {
  const m = flipSign ? -1 : 1;
  if (typeof learningRate === "function")
    return scaleBySchedule((count) => {
      const r = learningRate(count);
      return typeof r === "number" ? m * r : lax.mul(asArray(r), lax.scalarLike(asArray(r), m));
    });
  return scale(m * learningRate);
}

export interface TraceOptions {
  decay: number;
  nesterov?: boolean;
}
/** Momentum: trace = g + decay * trace; updates = trace (or g + decay * trace with nesterov). */
export function trace(opts: TraceOptions): GradientTransformation {
  const { decay } = opts;
  checkNum("trace", decay, "decay");
  const f = (g: JaxArray, t: JaxArray) => lax.add(g, lax.mul(c(t, decay), t));
  return {
    init: (p) => ({ trace: zerosLikeTree(p) }),
    update: (u, s) => {
      const newTrace = map(f, u, (s as { trace: Params }).trace);
      const out = opts.nesterov ? map(f, u, newTrace) : newTrace;
      return [out, { trace: newTrace }];
    },
  };
}

export interface AdamOptions {
  b1?: number;
  b2?: number;
  eps?: number;
  epsRoot?: number;
  nesterov?: boolean;
}
/** Adam's rescaling: bias-corrected first moment over sqrt of the second moment. */
export function scaleByAdam(opts: AdamOptions = {}): GradientTransformation {
  const b1 = checkDecay("scaleByAdam", opts.b1 ?? 0.9, "b1");
  const b2 = checkDecay("scaleByAdam", opts.b2 ?? 0.999, "b2");
  const eps = checkNum("scaleByAdam", opts.eps ?? 1e-8, "eps");
  const epsRoot = checkNum("scaleByAdam", opts.epsRoot ?? 0, "epsRoot");
  return {
    init: (p) => ({ count: countZero(), mu: zerosLikeTree(p), nu: zerosLikeTree(p) }),
    update: (u, s) => {
      const st = s as { count: JaxArray; mu: Params; nu: Params };
      const mu = updateMoment(u, st.mu, b1, 1);
      const nu = updateMoment(u, st.nu, b2, 2);
      const count = safeIncrement(st.count);
      let muHat: Params;
      if (opts.nesterov) {
        const a = biasCorrection(mu, b1, safeIncrement(count));
        const b = biasCorrection(u, b1, count);
        muHat = map((m, g) => lax.add(lax.mul(c(m, b1), m), lax.mul(c(g, 1 - b1), g)), a, b);
      } else muHat = biasCorrection(mu, b1, count);
      const nuHat = biasCorrection(nu, b2, count);
      const out = map((m, v) => lax.div(m, lax.add(lax.sqrt(lax.add(v, c(v, epsRoot))), c(v, eps))), muHat, nuHat);
      return [out, { count, mu, nu }];
    },
  };
}

/** Adds weightDecay * params to the updates (decoupled weight decay). */
export function addDecayedWeights(weightDecay = 0): GradientTransformation {
  checkNum("addDecayedWeights", weightDecay, "weight decay");
  return {
    init: () => [],
    update: (u, s, params) => {
      if (params === undefined || params === null)
        throw new ValueError("optim.addDecayedWeights (and adamw) need the params: call update(grads, state, params)");
      return [map((g, p) => lax.add(g, lax.mul(c(p, weightDecay), p)), u, params), s];
    },
  };
}

export interface RmsOptions {
  decay?: number;
  eps?: number;
  initialScale?: number;
  epsInSqrt?: boolean;
  biasCorrection?: boolean;
}
/** Divides by the root of a moving average of squared gradients. */
export function scaleByRms(opts: RmsOptions = {}): GradientTransformation {
  const decay = checkDecay("scaleByRms", opts.decay ?? 0.9, "decay");
  const eps = checkNum("scaleByRms", opts.eps ?? 1e-8, "eps");
  const init0 = opts.initialScale ?? 0;
  const epsInSqrt = opts.epsInSqrt ?? true;
  return {
    init: (p) => (opts.biasCorrection ? { count: countZero(), nu: fullLikeTree(p, init0) } : { nu: fullLikeTree(p, init0) }),
    update: (u, s) => {
      const st = s as { count?: JaxArray; nu: Params };
      const nu = updateMoment(u, st.nu, decay, 2);
      let nuHat = nu;
      let count: JaxArray | undefined;
      if (opts.biasCorrection) {
        count = safeIncrement(st.count!);
        nuHat = biasCorrection(nu, decay, count);
      }
      const out = map(
        (n, g) => lax.mul(epsInSqrt ? lax.rsqrt(lax.add(n, c(n, eps))) : lax.div(c(n, 1), lax.add(lax.sqrt(n), c(n, eps))), g),
        nuHat,
        u,
      );
      return [out, opts.biasCorrection ? { count, nu } : { nu }];
    },
  };
}

/** Centered RMS scaling: divides by the root of the moving variance of the gradients. */
export function scaleByStddev(opts: RmsOptions = {}): GradientTransformation {
  const decay = checkDecay("scaleByStddev", opts.decay ?? 0.9, "decay");
  const eps = checkNum("scaleByStddev", opts.eps ?? 1e-8, "eps");
  const init0 = opts.initialScale ?? 0;
  const epsInSqrt = opts.epsInSqrt ?? true;
  return {
    init: (p) => ({ mu: zerosLikeTree(p), nu: fullLikeTree(p, init0) }),
    update: (u, s) => {
      const st = s as { mu: Params; nu: Params };
      const mu = updateMoment(u, st.mu, decay, 1);
      const nu = updateMoment(u, st.nu, decay, 2);
      const scaling = map((m, n) => {
        const v = lax.sub(n, lax.mul(m, m));
        return epsInSqrt ? lax.rsqrt(lax.add(v, c(v, eps))) : lax.div(c(v, 1), lax.add(lax.sqrt(v), c(v, eps)));
      }, mu, nu);
      return [map((sc, g) => lax.mul(sc, g), scaling, u), { mu, nu }];
    },
  };
}

/** Applies transformations in sequence; the state is the array of their states. */
export function chain(...transforms: GradientTransformation[]): GradientTransformation {
  transforms.forEach((t, i) => {
    if (!t || typeof t.init !== "function" || typeof t.update !== "function")
      throw new TypeError(`optim.chain: argument ${i} is not a gradient transformation ({ init, update })`);
  });
  return {
    init: (p) => transforms.map((t) => t.init(p)),
    update: (u, s, params) => {
      const states = s as OptState[];
      if (!Array.isArray(states) || states.length !== transforms.length)
        throw new ValueError(`optim.chain: expected a state with ${transforms.length} entries (from init), got ${Array.isArray(states) ? states.length : typeof states}`);
      let cur = u;
      const out: OptState[] = [];
      transforms.forEach((t, i) => {
        const [nu, ns] = t.update(cur, states[i], params);
        cur = nu;
        out.push(ns);
      });
      return [cur, out];
    },
  };
}

/** The L2 norm of all leaves of a pytree together. */
export function globalNorm(updates: Params): JaxArray {
  const leaves = tree.leaves(updates).map((l) => leafArr(l, "update"));
  if (!leaves.length) return lax.full([], 0, "float32");
  const sq = leaves.map((x) => reduceSum(lax.mul(x, x), x.aval.shape.map((_, i) => i)));
  const total = sq.reduce((a, b) => lax.add(a, b.dtype === a.dtype ? b : lax.convert(b, a.dtype)));
  return lax.sqrt(total);
}

/** Rescales the updates so that their global norm is at most maxNorm. */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation {
  checkNum("clipByGlobalNorm", maxNorm, "maxNorm");
  if (maxNorm <= 0) throw new ValueError(`optim.clipByGlobalNorm: maxNorm must be positive, got ${maxNorm}`);
  return {
    init: () => [],
    update: (u, s) => {
      const g = globalNorm(u);
      const trigger = lax.lt(g, c(g, maxNorm));
      return [map((t) => lax.select(trigger, t, lax.mul(lax.div(t, lax.convert(g, t.dtype)), c(t, maxNorm))), u), s];
    },
  };
}

// ---------------------------------------------------------------- optimizers
export interface SgdOptions {
  momentum?: number | null;
  nesterov?: boolean;
}
/** Stochastic gradient descent, optionally with (Nesterov) momentum. */
export function sgd(learningRate: ScalarOrSchedule, opts: SgdOptions = {}): GradientTransformation {
  const lr = checkRate("sgd", learningRate);
  const m = opts.momentum ?? null;
  return chain(m !== null ? trace({ decay: m, nesterov: opts.nesterov ?? false }) : identity(), scaleByLearningRate(lr));
}

/** Adam (Kingma & Ba): scaleByAdam then -learningRate. */
export function adam(learningRate: ScalarOrSchedule, opts: AdamOptions = {}): GradientTransformation {
  return chain(scaleByAdam(opts), scaleByLearningRate(checkRate("adam", learningRate)));
}

export interface AdamWOptions extends AdamOptions {
  weightDecay?: number;
}
/** AdamW: Adam with decoupled weight decay (default 1e-4); update needs the params. */
export function adamw(learningRate: ScalarOrSchedule, opts: AdamWOptions = {}): GradientTransformation {
  return chain(scaleByAdam(opts), addDecayedWeights(opts.weightDecay ?? 1e-4), scaleByLearningRate(checkRate("adamw", learningRate)));
}

export interface RmspropOptions extends RmsOptions {
  centered?: boolean;
  momentum?: number | null;
  nesterov?: boolean;
}
/** RMSProp (decay 0.9, eps 1e-8), optionally centered and with momentum. */
export function rmsprop(learningRate: ScalarOrSchedule, opts: RmspropOptions = {}): GradientTransformation {
  const lr = checkRate("rmsprop", learningRate);
  const m = opts.momentum ?? null;
  return chain(
    opts.centered ? scaleByStddev(opts) : scaleByRms(opts),
    scaleByLearningRate(lr),
    m !== null ? trace({ decay: m, nesterov: opts.nesterov ?? false }) : identity(),
  );
}

/** params + updates, leaf by leaf, keeping each param's dtype. */
export function applyUpdates(params: Params, updates: Params): Params {
  return tree.map(
    (p: unknown, u: unknown) => {
      const pa = leafArr(p, "params");
      const r = lax.add(pa, lax.convert(leafArr(u, "update"), pa.dtype, pa.weakType));
      return r.dtype === pa.dtype ? r : lax.convert(r, pa.dtype);
    },
    params,
    updates,
  );
}
