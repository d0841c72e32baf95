// custom.ts — user-defined derivative rules and rematerialisation: customJvp (defjvp),
// customVjp (defvjp with fwd/bwd and residuals) and checkpoint (recompute intermediates in
// the backward pass). Each is a higher-order primitive whose rules keep the user's rule
// under every transformation (vmap batches the user's functions, jit stages the call).
import { ShapedArray } from "../core/aval.js";
import type { JaxArray } from "../core/array.js";
import { isFloat } from "../core/dtype.js";
import { ClosedJaxpr, Jaxpr, evalJaxpr } from "../core/jaxpr.js";
import { type MaybeZero, NOT_LINEAR, type Primitive, UndefinedPrimal, definePrimitive, missing } from "../core/primitive.js";
import { bind } from "../core/trace.js";
import * as tree from "../core/tree.js";
import { float0Zeros, jvpFlat, tangentAval, transposeJaxpr, zerosFor } from "./ad.js";
import { checkCallable, flattenFun, fnName, leafToArray } from "./args.js";
import { type AxisData, batchFlat, toBatchDim0 } from "./batching.js";
import { traceToJaxpr } from "./staging.js";
import { paramsAxisNames } from "./collectives.js";
import type { LooseArgs } from "./api.js";

const LOWER = missing("the wasm compiler (issue #6)");
type Fn = (...args: any[]) => any;
type FlatFn = (...xs: JaxArray[]) => JaxArray[];

const batchedAvals = (avals: readonly ShapedArray[], n: number) => avals.map((a) => new ShapedArray([n, ...a.shape], a.dtype, a.weakType));
/** fn batched over inputs with `dims`, every output moved to batch dim 0. */
function batched0(fn: FlatFn, dims: (number | null)[], axis: AxisData): FlatFn {
  return (...xs) => {
    const r = batchFlat(fn, xs, dims, axis);
    return r.outs.map((o, i) => toBatchDim0(o, r.outDims[i]!, axis.size));
  };
}
const tangentOrZero = (t: MaybeZero, p: JaxArray): JaxArray => t ?? (isFloat(p.dtype) ? zerosFor(p.aval) : float0Zeros(p.aval));

// ---------------------------------------------------------------- custom_jvp
interface CustomJvpParams {
  [k: string]: unknown;
  fun: FlatFn;
  jvp: (primals: JaxArray[], tangents: JaxArray[]) => [JaxArray[], JaxArray[]];
  outAvals: ShapedArray[];
  name: string;
}

export const customJvpCallP: Primitive<CustomJvpParams> = definePrimitive<CustomJvpParams>({
  name: "custom_jvp_call",
  impl: { bind: (args: JaxArray[], p: CustomJvpParams) => p.fun(...args) },
  abstractEval: (_a, p) => p.outAvals,
  // the user's rule, with symbolic-zero tangents instantiated
  jvp: (ps, ts, p) => {
    const [outs, touts] = p.jvp(ps, ps.map((x, i) => tangentOrZero(ts[i]!, x)));
    return [outs, touts.map((t, i) => (isFloat(outs[i]!.dtype) ? t : null))];
  },
  transpose: NOT_LINEAR,
  batch: (vals, dims, p, axis) => {
    const ax = axis as AxisData;
    const n = p.fun.length >= 0 ? vals.length : 0;
    const fun = batched0(p.fun, dims, ax);
    const jvp = (ps: JaxArray[], ts: JaxArray[]): [JaxArray[], JaxArray[]] => {
      const all = batched0(
        (...a) => {
          const [o, t] = p.jvp(a.slice(0, n), a.slice(n));
          return [...o, ...t];
        },
        [...dims, ...dims],
        ax,
      )(...ps, ...ts);
      return [all.slice(0, p.outAvals.length), all.slice(p.outAvals.length)];
    };
    const outs = bind(customJvpCallP, vals, { fun, jvp, outAvals: batchedAvals(p.outAvals, ax.size), name: p.name });
    return [outs, outs.map(() => 0)];
  },
  lower: LOWER,
  printParams: (p) => `name=${p.name}`,
});

export interface CustomJvpFunction<F extends Fn> {
  (...args: LooseArgs<F>): ReturnType<F>;
  /** rule(primals, tangents) => [primalOut, tangentOut] */
  defjvp(rule: (primals: any[], tangents: any[]) => [any, any]): typeof rule;
}

function flatArgs(args: unknown[], what: string): [JaxArray[], tree.TreeDef] {
  const [leaves, def] = tree.flatten(args);
  return [leaves.map((l, i) => leafToArray(l, () => `${what} leaf ${i}`)), def];
}

/** Output avals and tree of a flat function (traced abstractly). */
function outInfo(fun: FlatFn, avals: ShapedArray[], name: string): ShapedArray[] {
  return traceToJaxpr(fun, avals, { label: "Jit", fnName: name }).jaxpr.outAvals;
}

/** customJvp(f): f with a user-defined jvp rule (`.defjvp(rule)`), as jax.custom_jvp. */
export function customJvp<F extends Fn>(f: F): CustomJvpFunction<F> {
  checkCallable(f, "customJvp");
  let rule: ((primals: any[], tangents: any[]) => [any, any]) | undefined;
  const name = fnName(f);
  const g = (...args: unknown[]) => {
    if (!rule) throw new TypeError(`No JVP defined for custom_jvp function ${name} using defjvp.`);
    const [leaves, def] = flatArgs(args, `argument of ${name}`);
    const flat = flattenFun(f, def, (i) => `output ${i} of ${name}`);
    const fun = flat.fn;
    const outAvals = outInfo(fun, leaves.map((l) => l.aval), name);
    const outDef = flat.outDef();
    const r = rule;
    const jvp = (ps: JaxArray[], ts: JaxArray[]): [JaxArray[], JaxArray[]] => {
      const res = r(tree.unflatten(def, ps) as unknown[], tree.unflatten(def, ts) as unknown[]);
      if (!Array.isArray(res) || res.length !== 2)
        throw new TypeError(`custom_jvp rule of ${name} must return a pair [primalOut, tangentOut], got ${String(res)}`);
      const [o, od] = tree.flatten(res[0]);
      const [t, td] = tree.flatten(res[1]);
      if (!tree.treedefEq(od, outDef) || !tree.treedefEq(td, outDef))
        throw new TypeError(
          `Custom JVP rule of ${name} must produce primal and tangent outputs with equal container (pytree) structures equal to the function's output, got ${tree.treedefStr(od)} and ${tree.treedefStr(td)} for ${tree.treedefStr(outDef)}.`,
        );
      const oa = o.map((l, i) => leafToArray(l, () => `primal output ${i} of the custom_jvp rule`));
      const ta = t.map((l, i) => leafToArray(l, () => `tangent output ${i} of the custom_jvp rule`));
      ta.forEach((x, i) => {
        if (x.ndim !== oa[i]!.ndim || x.shape.some((d, j) => d !== oa[i]!.shape[j]))
          throw new TypeError(`Custom JVP rule of ${name} must produce primal and tangent outputs with equal shapes, got ${oa[i]!.aval.str()} and ${x.aval.str()}.`);
      });
      return [oa, ta];
    };
    const outs = bind(customJvpCallP, leaves, { fun, jvp, outAvals, name });
    return tree.unflatten(outDef, outs);
  };
  (g as unknown as CustomJvpFunction<F>).defjvp = (r) => {
    checkCallable(r, "defjvp");
    rule = r;
    return r;
  };
  Object.defineProperty(g, "name", { value: name });
  return g as unknown as CustomJvpFunction<F>;
}

// ---------------------------------------------------------------- custom_vjp
interface CustomVjpParams {
  [k: string]: unknown;
  fun: FlatFn;
  fwd: (...xs: JaxArray[]) => [JaxArray[], JaxArray[]];
  bwd: (res: JaxArray[], cts: JaxArray[]) => JaxArray[];
  outAvals: ShapedArray[];
  name: string;
}
interface CustomLinParams {
  [k: string]: unknown;
  bwd: (res: JaxArray[], cts: JaxArray[]) => JaxArray[];
  numRes: number;
  outAvals: ShapedArray[];
  inAvals: ShapedArray[];
  name: string;
}

const noJvp = (name: string) =>
  new TypeError(`can't apply forward-mode autodiff (jvp) to a custom_vjp function (${name}); use jax.grad / vjp, or define a customJvp instead.`);

export const customLinP: Primitive<CustomLinParams> = definePrimitive<CustomLinParams>({
  name: "custom_lin",
  impl: {
    bind: (_a: JaxArray[], p: CustomLinParams) => {
      throw noJvp(p.name);
    },
  },
  abstractEval: (_a, p) => p.outAvals,
  jvp: (_ps, _ts, p) => {
    throw noJvp(p.name);
  },
  // transpose: the user's bwd on the residuals and output cotangents
  transpose: (cts, args, p) => {
    const res = args.slice(0, p.numRes) as JaxArray[];
    const cIn = p.bwd(res, cts.map((c, i) => c ?? zerosFor(p.outAvals[i]!)));
    return [...res.map(() => null), ...args.slice(p.numRes).map((a, i) => (a instanceof UndefinedPrimal ? cIn[i] ?? null : null))];
  },
  batch: (_v, _d, p) => {
    throw noJvp(p.name);
  },
  lower: LOWER,
  printParams: (p) => `name=${p.name}`,
});

export const customVjpCallP: Primitive<CustomVjpParams> = definePrimitive<CustomVjpParams>({
  name: "custom_vjp_call",
  impl: { bind: (args: JaxArray[], p: CustomVjpParams) => p.fun(...args) },
  abstractEval: (_a, p) => p.outAvals,
  // jvp: run fwd for the outputs and residuals; the tangent map is custom_lin (transposed by bwd)
  jvp: (ps, ts, p) => {
    if (ts.every((t) => t === null)) return [bind(customVjpCallP, ps, p), p.outAvals.map(() => null)];
    const [outs, res] = p.fwd(...ps);
    const tin = ps.map((x, i) => tangentOrZero(ts[i]!, x));
    const touts = bind(customLinP, [...res, ...tin], {
      bwd: p.bwd,
      numRes: res.length,
      outAvals: outs.map((o) => tangentAval(o.aval)),
      inAvals: ps.map((x) => x.aval),
      name: p.name,
    });
    return [outs, touts.map((t, i) => (isFloat(outs[i]!.dtype) ? t : null))];
  },
  transpose: NOT_LINEAR,
  batch: (vals, dims, p, axis) => {
    const ax = axis as AxisData;
    const n = vals.length;
    const m = p.outAvals.length;
    let numRes = 0;
    const fwd = (...xs: JaxArray[]): [JaxArray[], JaxArray[]] => {
      const all = batched0(
        (...a) => {
          const [o, r] = p.fwd(...a);
          numRes = r.length;
          return [...o, ...r];
        },
        dims,
        ax,
      )(...xs);
      return [all.slice(0, m), all.slice(m)];
    };
    const bwd = (res: JaxArray[], cts: JaxArray[]): JaxArray[] =>
      batched0((...a) => p.bwd(a.slice(0, res.length), a.slice(res.length)), [...res.map(() => 0), ...cts.map(() => 0)], ax)(...res, ...cts);
    void numRes;
    void n;
    const outs = bind(customVjpCallP, vals, { fun: batched0(p.fun, dims, ax), fwd, bwd, outAvals: batchedAvals(p.outAvals, ax.size), name: p.name });
    return [outs, outs.map(() => 0)];
  },
  lower: LOWER,
  printParams: (p) => `name=${p.name}`,
});

export interface CustomVjpFunction<F extends Fn> {
  (...args: LooseArgs<F>): ReturnType<F>;
  /** fwd(...args) => [out, residuals]; bwd(residuals, outCotangent) => one cotangent per argument */
  defvjp(fwd: (...args: any[]) => [any, any], bwd: (res: any, ct: any) => any[]): void;
}

/** customVjp(f): f with a user-defined reverse-mode rule (`.defvjp(fwd, bwd)`), as jax.custom_vjp. */
export function customVjp<F extends Fn>(f: F): CustomVjpFunction<F> {
  checkCallable(f, "customVjp");
  let fwdU: ((...args: any[]) => [any, any]) | undefined;
  let bwdU: ((res: any, ct: any) => any[]) | undefined;
  const name = fnName(f);
  const g = (...args: unknown[]) => {
    if (!fwdU || !bwdU) throw new TypeError(`No VJP defined for custom_vjp function ${name} using defvjp.`);
    const fwdUser = fwdU;
    const bwdUser = bwdU;
    const [leaves, def] = flatArgs(args, `argument of ${name}`);
    const flat = flattenFun(f, def, (i) => `output ${i} of ${name}`);
    const fun = flat.fn;
    const outAvals = outInfo(fun, leaves.map((l) => l.aval), name);
    const outDef = flat.outDef();
    let resDef: tree.TreeDef | undefined;
    const fwd = (...xs: JaxArray[]): [JaxArray[], JaxArray[]] => {
      const r = fwdUser(...(tree.unflatten(def, xs) as unknown[]));
      if (!Array.isArray(r) || r.length !== 2)
        throw new TypeError(`Custom VJP fwd rule of ${name} must return a pair [output, residuals], got ${String(r)}`);
      const [o, od] = tree.flatten(r[0]);
      if (!tree.treedefEq(od, outDef))
        throw new TypeError(
          `Custom VJP fwd rule of ${name} must produce a pair whose first element has the output structure of the function ${tree.treedefStr(outDef)}, got ${tree.treedefStr(od)}.`,
        );
      const [rl, rd] = tree.flatten(r[1]);
      resDef = rd;
      return [o.map((l, i) => leafToArray(l, () => `output ${i} of the fwd rule`)), rl.map((l, i) => leafToArray(l, () => `residual ${i}`))];
    };
    const bwd = (res: JaxArray[], cts: JaxArray[]): JaxArray[] => {
      const r = bwdUser(tree.unflatten(resDef!, res), tree.unflatten(outDef, cts));
      if (!Array.isArray(r) || r.length !== args.length)
        throw new TypeError(
          `Custom VJP bwd rule of ${name} must produce an array with one cotangent per positional argument (${args.length}), got ${Array.isArray(r) ? `length ${r.length}` : String(r)}.`,
        );
      // null entries mean zero cotangents
      const filled = r.map((c, i) => (c === null || c === undefined ? tree.map((l: JaxArray) => zerosFor(tangentAval(l.aval)), tree.unflatten(def, leaves)[i]) : c));
      const [cl, cd] = tree.flatten(filled);
      if (!tree.treedefEq(cd, def))
        throw new TypeError(`Custom VJP bwd rule of ${name} must produce cotangents with the structure of the arguments ${tree.treedefStr(def)}, got ${tree.treedefStr(cd)}.`);
      return cl.map((l, i) => leafToArray(l, () => `cotangent ${i} of the bwd rule`));
    };
    const outs = bind(customVjpCallP, leaves, { fun, fwd, bwd, outAvals, name });
    return tree.unflatten(outDef, outs);
  };
  (g as unknown as CustomVjpFunction<F>).defvjp = (fwd, bwd) => {
    checkCallable(fwd, "defvjp fwd");
    checkCallable(bwd, "defvjp bwd");
    fwdU = fwd;
    bwdU = bwd;
  };
  Object.defineProperty(g, "name", { value: name });
  return g as unknown as CustomVjpFunction<F>;
}

// ---------------------------------------------------------------- checkpoint (remat)
interface RematParams {
  [k: string]: unknown;
  jaxpr: ClosedJaxpr;
  name: string;
}
const evalInner = (cj: ClosedJaxpr): FlatFn => (...xs) => evalJaxpr(cj.jaxpr, cj.consts, xs);
function hoisted(cj: ClosedJaxpr): [ClosedJaxpr, JaxArray[]] {
  const j = cj.jaxpr;
  return [new ClosedJaxpr(new Jaxpr([], [...j.constvars, ...j.invars], j.eqns, j.outvars), []), cj.consts];
}

export const rematP: Primitive<RematParams> = definePrimitive<RematParams>({
  name: "checkpoint",
  // collectives in the body reach a vmap of their axis even when no operand is batched
  namedAxes: paramsAxisNames,
  impl: { bind: (args: JaxArray[], p: RematParams) => evalJaxpr(p.jaxpr.jaxpr, [], args) },
  abstractEval: (_a, p) => p.jaxpr.outAvals,
  // jvp: tangents from a rematerialised joint jaxpr taking the primal inputs, so the
  // backward pass recomputes the intermediates instead of storing them
  jvp: (ps, ts, p) => {
    const outs = bind(rematP, ps, p);
    const nz = ts.map((t, i) => (t && isFloat(ps[i]!.dtype) ? i : -1)).filter((i) => i >= 0);
    if (nz.length === 0) return [outs, outs.map(() => null)];
    const [j, consts] = hoisted(
      traceToJaxpr(
        (...xs) => {
          const tt: MaybeZero[] = ps.map(() => null);
          nz.forEach((i, k) => (tt[i] = xs[ps.length + k]!));
          const r = jvpFlat(evalInner(p.jaxpr), xs.slice(0, ps.length), tt);
          return r.tangentsOut.map((t, i) => t ?? zerosFor(tangentAval(r.primalsOut[i]!.aval)));
        },
        [...ps.map((x) => x.aval), ...nz.map((i) => ts[i]!.aval)],
        { label: "Checkpoint" },
      ).jaxpr,
    );
    const touts = bind(rematP, [...consts, ...ps, ...nz.map((i) => ts[i]!)], { jaxpr: j, name: p.name });
    return [outs, touts.map((t, i) => (isFloat(outs[i]!.dtype) ? t : null))];
  },
  transpose: (cts, args, p) => transposeJaxpr(p.jaxpr.jaxpr, [], args, cts),
  batch: (vals, dims, p, axis) => {
    const [j, consts] = hoisted(
      traceToJaxpr(batched0(evalInner(p.jaxpr), dims, axis as AxisData), vals.map((v) => v.aval), { label: "Checkpoint" }).jaxpr,
    );
    const outs = bind(rematP, [...consts, ...vals], { jaxpr: j, name: p.name });
    return [outs, outs.map(() => 0)];
  },
  lower: LOWER,
  printParams: (p) => `name=${p.name} jaxpr=${p.jaxpr.toString()}`,
});

/** checkpoint(f) (alias remat): same values and gradients as f; intermediates are
 * recomputed in the backward pass instead of being stored. */
export function checkpoint<F extends Fn>(f: F, _opts: { policy?: unknown } = {}): (...args: LooseArgs<F>) => ReturnType<F> {
  checkCallable(f, "checkpoint");
  const name = fnName(f);
  const g = (...args: unknown[]) => {
    const [leaves, def] = flatArgs(args, `argument of ${name}`);
    const flat = flattenFun(f, def, (i) => `output ${i} of ${name}`);
    const { jaxpr } = traceToJaxpr(flat.fn, leaves.map((l) => l.aval), { label: "Checkpoint", fnName: name });
    const [j, consts] = hoisted(jaxpr);
    return tree.unflatten(flat.outDef(), bind(rematP, [...consts, ...leaves], { jaxpr: j, name }));
  };
  Object.defineProperty(g, "name", { value: name });
  return g as unknown as (...args: LooseArgs<F>) => ReturnType<F>;
}
export const remat = checkpoint;
