// control.ts — structured control flow as higher-order primitives holding jaxprs: cond
// (and switch), while_loop, scan; and on top of them foriLoop and map. Their rules transform
// the inner jaxprs: jvp recomputes the primal inside a joint (primal, tangent) loop so primal
// values stay concrete, transpose partially evaluates and runs the loop backwards (scan), and
// batching turns a batched predicate into a select. They live with the transformations
// because their rules are jaxpr transformations.
import { ShapedArray } from "../core/aval.js";
import { EagerArray, JaxArray } from "../core/array.js";
import { isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { ClosedJaxpr, Jaxpr, Var, evalJaxpr } from "../core/jaxpr.js";
import { type MaybeZero, type Primitive, UndefinedPrimal, definePrimitive, missing } from "../core/primitive.js";
import { bind } from "../core/trace.js";
import * as tree from "../core/tree.js";
import { add, convert, lt, max, min, ne, select, selectN } from "../primitives/elementwise.js";
import { broadcastInDim, reduceSum, transpose } from "../primitives/movement.js";
import { jvpFlat, tangentAval, transposeJaxpr, zerosFor } from "./ad.js";
import { leafToArray } from "./args.js";
import { type AxisData, batchFlat, toBatchDim0 } from "./batching.js";
import { partialEvalJaxpr } from "./partial_eval.js";
import { paramsAxisNames } from "./collectives.js";
import { traceToJaxpr } from "./staging.js";

const LOWER = missing("the wasm compiler (issue #6)");
type Fn = (...args: any[]) => any;

// ---------------------------------------------------------------- helpers
const evalInner = (cj: ClosedJaxpr) => (...xs: JaxArray[]) => evalJaxpr(cj.jaxpr, cj.consts, xs);

/** Traces a pytree function of flat inputs to a closed jaxpr; returns output tree structure. */
export function traceFlat(
  fn: Fn,
  inDef: tree.TreeDef,
  avals: ShapedArray[],
  label: string,
): { jaxpr: ClosedJaxpr; outDef: tree.TreeDef } {
  let outDef: tree.TreeDef | undefined;
  const { jaxpr } = traceToJaxpr(
    (...xs) => {
      const out = fn(...(tree.unflatten(inDef, xs) as unknown[]));
      const [ol, od] = tree.flatten(out);
      outDef = od;
      return ol.map((l) => leafToArray(l, () => `an output of the ${label} function`));
    },
    avals,
    { label },
  );
  return { jaxpr, outDef: outDef! };
}

/** Closes a jaxpr's constants into leading invars. */
function hoist(cj: ClosedJaxpr): { jaxpr: ClosedJaxpr; consts: JaxArray[] } {
  const j = cj.jaxpr;
  return { jaxpr: new ClosedJaxpr(new Jaxpr([], [...j.constvars, ...j.invars], j.eqns, j.outvars), []), consts: cj.consts };
}

/** Traces fn (flat in, flat out) into a const-free jaxpr over the given avals. */
function traceJ(fn: (...xs: JaxArray[]) => JaxArray[], avals: ShapedArray[], label: string): { jaxpr: ClosedJaxpr; consts: JaxArray[] } {
  return hoist(traceToJaxpr(fn, avals, { label }).jaxpr);
}

const avalsOf = (xs: readonly JaxArray[]) => xs.map((x) => x.aval);
const instantiate = (t: MaybeZero, p: ShapedArray): JaxArray => t ?? zerosFor(tangentAval(p));
const typesEqual = (a: readonly ShapedArray[], b: readonly ShapedArray[]) => a.length === b.length && a.every((x, i) => x.sameType(b[i]!));
const tys = (a: readonly ShapedArray[]) => `(${a.map((x) => x.str()).join(", ")})`;

function hostIndex(x: EagerArray, i: number): EagerArray {
  const sh = x.aval.shape.slice(1);
  const n = sh.reduce((a, b) => a * b, 1);
  return EagerArray.fromTyped(x._host().slice(i * n, (i + 1) * n), sh, x.dtype, x.weakType);
}
function hostStack(xs: EagerArray[], aval: ShapedArray): EagerArray {
  const n = aval.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = zerosFor(aval)._host();
  xs.forEach((x, i) => out.set(x._host(), i * n));
  return EagerArray.fromTyped(out, aval.shape, aval.dtype, aval.weakType);
}

// ---------------------------------------------------------------- cond / switch
interface CondParams {
  [k: string]: unknown;
  branches: ClosedJaxpr[];
}

export const condP: Primitive<CondParams> = definePrimitive<CondParams>({
  name: "cond",
  // collectives in the body reach a vmap of their axis even when no operand is batched
  namedAxes: paramsAxisNames,
  impl: {
    bind: ([idx, ...args]: JaxArray[], p: CondParams) => {
      const i = Math.min(Math.max(Number((idx as EagerArray)._host()[0]), 0), p.branches.length - 1);
      return evalJaxpr(p.branches[i]!.jaxpr, [], args);
    },
  },
  abstractEval: (avals, p) => p.branches[0]!.outAvals,
  // jvp: primal outs from the original cond; tangents from a cond over joint branches
  jvp: ([idx, ...ps], [, ...ts], p) => {
    const outs = bind(condP, [idx!, ...ps], p);
    const nz = ts.map((t, i) => (t && isFloat(ps[i]!.dtype) ? i : -1)).filter((i) => i >= 0);
    if (nz.length === 0) return [outs, outs.map(() => null)];
    const branches = p.branches.map((b) => {
      const { jaxpr, consts } = traceJ(
        (...xs) => {
          const tt: MaybeZero[] = ps.map(() => null);
          nz.forEach((i, k) => (tt[i] = xs[ps.length + k]!));
          const r = jvpFlat(evalInner(b), xs.slice(0, ps.length), tt);
          return r.tangentsOut.map((t, i) => instantiate(t, r.primalsOut[i]!.aval));
        },
        [...avalsOf(ps), ...nz.map((i) => ts[i]!.aval)],
        "Cond",
      );
      return { jaxpr, consts };
    });
    const tOuts = bindCondBranches(idx!, branches, [...ps, ...nz.map((i) => ts[i]!)]);
    return [outs, tOuts.map((t, i) => (isFloat(outs[i]!.dtype) ? t : null))];
  },
  // transpose: a cond whose branches are the transposed branches
  transpose: (cts, [idx, ...args], p) => {
    if (idx instanceof UndefinedPrimal) throw new Error("internal: cond index cannot be linear");
    const undef = args.map((a) => a instanceof UndefinedPrimal);
    const known = args.filter((a): a is JaxArray => !(a instanceof UndefinedPrimal));
    const outAvals = p.branches[0]!.outAvals;
    const ctsI = cts.map((c, i) => instantiate(c, outAvals[i]!));
    const branches = p.branches.map((b) =>
      traceJ(
        (...xs) => {
          let k = 0;
          const full = args.map((a) => (a instanceof UndefinedPrimal ? a : xs[k++]!));
          const res = transposeJaxpr(b.jaxpr, [], full, xs.slice(known.length));
          return args.flatMap((a, i) => (a instanceof UndefinedPrimal ? [instantiate(res[i]!, a.aval)] : []));
        },
        [...avalsOf(known), ...avalsOf(ctsI)],
        "Cond",
      ),
    );
    const outs = bindCondBranches(idx as JaxArray, branches, [...known, ...ctsI]);
    let k = 0;
    return [null, ...undef.map((u) => (u ? outs[k++]! : null))];
  },
  batch: (vals, dims, p, axis) => {
    const [idx, ...args] = vals;
    const [idim, ...adims] = dims;
    const size = axis.size;
    if (idim !== null) {
      // batched predicate: run every branch and select elementwise
      const outsPer = p.branches.map((b) => {
        const r = batchFlat(evalInner(b), args, adims, axis as AxisData);
        return r.outs.map((o, i) => toBatchDim0(o, r.outDims[i]!, size));
      });
      const ib = toBatchDim0(idx!, idim!, size);
      return [outsPer[0]!.map((o, j) => selectN(broadcastInDim(ib, o.aval.shape, [0]), outsPer.map((os) => os[j]!))), outsPer[0]!.map(() => 0)];
    }
    const branches = p.branches.map((b) =>
      traceJ(
        (...xs) => {
          const r = batchFlat(evalInner(b), xs, adims, axis as AxisData);
          return r.outs.map((o, i) => toBatchDim0(o, r.outDims[i]!, size));
        },
        avalsOf(args),
        "Cond",
      ),
    );
    const outs = bindCondBranches(idx!, branches, args);
    return [outs, outs.map(() => 0)];
  },
  lower: LOWER,
  printParams: (p) => `branches=(${p.branches.map((b) => "\n      " + b.toString().split("\n").join("\n      ")).join("")}\n    )`,
});

/** Binds cond with branches that each carry their own hoisted consts. */
function bindCondBranches(idx: JaxArray, branches: { jaxpr: ClosedJaxpr; consts: JaxArray[] }[], args: JaxArray[]): JaxArray[] {
  const allConsts = branches.flatMap((b) => b.consts);
  let off = 0;
  const full = branches.map((b) => {
    const j = b.jaxpr.jaxpr;
    const nOwn = b.consts.length;
    const before = allConsts.slice(0, off).map((c) => new Var(c.aval));
    const after = allConsts.slice(off + nOwn).map((c) => new Var(c.aval));
    off += nOwn;
    const own = j.invars.slice(0, nOwn);
    return new ClosedJaxpr(new Jaxpr([], [...before, ...own, ...after, ...j.invars.slice(nOwn)], j.eqns, j.outvars), []);
  });
  return bind(condP, [idx, ...allConsts, ...args], { branches: full });
}

function toIndex(p: unknown, what: string, n: number): JaxArray {
  const a = leafToArray(p, () => what);
  if (a.ndim !== 0)
    throw new TypeError(`Pred must be a scalar, got ${a.aval.longStr()}: lax.${what === "index" ? "switch" : "cond"} needs a scalar ${what} (use jnp.where or lax.select for elementwise choices)`);
  let i: JaxArray;
  if (a.dtype === "bool") i = convert(a, "int32");
  else if (isFloat(a.dtype)) i = what === "pred" ? convert(ne(a, zerosFor(new ShapedArray([], a.dtype, true))), "int32") : convert(a, "int32");
  else i = convert(a, "int32");
  if (what === "index") i = max(min(i, EagerArray.fromTyped(new Int32Array([n - 1]), [], "int32", true)), EagerArray.fromTyped(new Int32Array([0]), [], "int32", true));
  return i;
}

function switchImpl(index: JaxArray, branches: Fn[], operands: unknown[], kind: "cond" | "switch"): any {
  const [leaves, def] = tree.flatten(operands);
  const ops = leaves.map((l, i) => leafToArray(l, () => `operand ${i} of lax.${kind}`));
  const traced = branches.map((b) => traceFlat(b, def, avalsOf(ops), "Cond"));
  const names = kind === "cond" ? ["false_fun", "true_fun"] : branches.map((_, i) => `branch ${i}`);
  for (let i = 1; i < traced.length; i++) {
    if (!tree.treedefEq(traced[0]!.outDef, traced[i]!.outDef))
      throw new TypeError(
        `${kind === "cond" ? "true_fun and false_fun" : `branch 0 and ${names[i]}`} output must have same type structure, got ${tree.treedefStr(traced[0]!.outDef)} and ${tree.treedefStr(traced[i]!.outDef)}.`,
      );
    if (!typesEqual(traced[0]!.jaxpr.outAvals, traced[i]!.jaxpr.outAvals))
      throw new TypeError(
        `${kind === "cond" ? "true_fun and false_fun" : `branch 0 and ${names[i]}`} output must have identical types, got ${tys(traced[i]!.jaxpr.outAvals)} and ${tys(traced[0]!.jaxpr.outAvals)}.`,
      );
  }
  // outputs weak in one branch and strong in another become strong in every branch (as JAX)
  const weak = traced[0]!.jaxpr.outAvals.map((_, i) => traced.every((t) => t.jaxpr.outAvals[i]!.weakType));
  const fixed = traced.map((t) => {
    if (t.jaxpr.outAvals.every((a, i) => a.weakType === weak[i])) return hoist(t.jaxpr);
    return traceJ((...xs) => evalInner(t.jaxpr)(...xs).map((o, i) => convert(o, o.dtype, weak[i])), avalsOf(ops), "Cond");
  });
  const outs = bindCondBranches(index, fixed, ops);
  return tree.unflatten(traced[0]!.outDef, outs);
}

/** lax.cond(pred, trueFn, falseFn, ...operands). */
export function cond(pred: unknown, trueFn: Fn, falseFn: Fn, ...operands: unknown[]): any {
  if (typeof trueFn !== "function" || typeof falseFn !== "function") throw new TypeError("lax.cond: trueFn and falseFn must be functions");
  return switchImpl(toIndex(pred, "pred", 2), [falseFn, trueFn], operands, "cond");
}

/** lax.switch(index, branches, ...operands) — the index is clamped into range. */
export function switch_(index: unknown, branches: Fn[], ...operands: unknown[]): any {
  if (!Array.isArray(branches) || branches.length === 0 || branches.some((b) => typeof b !== "function"))
    throw new TypeError("lax.switch: branches must be a non-empty array of functions");
  if (branches.length === 1) return branches[0]!(...operands);
  return switchImpl(toIndex(index, "index", branches.length), branches, operands, "switch");
}

// ---------------------------------------------------------------- while_loop
interface WhileParams {
  [k: string]: unknown;
  cond: ClosedJaxpr;
  body: ClosedJaxpr;
  condNConsts: number;
  bodyNConsts: number;
}

export const whileP: Primitive<WhileParams> = definePrimitive<WhileParams>({
  name: "while",
  // collectives in the body reach a vmap of their axis even when no operand is batched
  namedAxes: paramsAxisNames,
  impl: {
    bind: (args: JaxArray[], p: WhileParams) => {
      const cc = args.slice(0, p.condNConsts);
      const bc = args.slice(p.condNConsts, p.condNConsts + p.bodyNConsts);
      let carry = args.slice(p.condNConsts + p.bodyNConsts);
      for (;;) {
        const pr = evalJaxpr(p.cond.jaxpr, [], [...cc, ...carry])[0] as EagerArray;
        if (!pr._host()[0]) break;
        carry = evalJaxpr(p.body.jaxpr, [], [...bc, ...carry]);
      }
      return carry;
    },
  },
  abstractEval: (avals, p) => avals.slice(p.condNConsts + p.bodyNConsts),
  // jvp: primal loop as is; tangents from a joint loop over (carry, carry tangent)
  jvp: (ps, ts, p) => {
    const outs = bind(whileP, ps, p);
    const nC = p.condNConsts;
    const nB = p.bodyNConsts;
    const carry = ps.slice(nC + nB);
    const bts = ts.slice(nC, nC + nB);
    const cts = ts.slice(nC + nB);
    const bnz = bts.map((t, i) => (t && isFloat(ps[nC + i]!.dtype) ? i : -1)).filter((i) => i >= 0);
    const fl = carry.map((c) => isFloat(c.dtype));
    if (bnz.length === 0 && cts.every((t, i) => !t || !fl[i])) return [outs, outs.map(() => null)];
    const ctsF = carry.flatMap((c, i) => (fl[i] ? [instantiate(cts[i]!, c.aval)] : []));
    const cAvals = avalsOf(carry);
    const condJ = traceJ((...xs) => evalJaxpr(p.cond.jaxpr, [], [...xs.slice(0, nC), ...xs.slice(nC, nC + carry.length)]), [...avalsOf(ps.slice(0, nC)), ...cAvals, ...avalsOf(ctsF)], "While");
    const bodyJ = traceJ(
      (...xs) => {
        const bc = xs.slice(0, nB);
        const btn = xs.slice(nB, nB + bnz.length);
        const cr = xs.slice(nB + bnz.length, nB + bnz.length + carry.length);
        const ctn = xs.slice(nB + bnz.length + carry.length);
        const tt: MaybeZero[] = [...bc.map(() => null as MaybeZero), ...cr.map(() => null as MaybeZero)];
        bnz.forEach((i, k) => (tt[i] = btn[k]!));
        let k = 0;
        fl.forEach((f, i) => f && (tt[nB + i] = ctn[k++]!));
        const r = jvpFlat(evalInner(p.body), [...bc, ...cr], tt);
        return [...r.primalsOut, ...r.primalsOut.flatMap((o, i) => (fl[i] ? [instantiate(r.tangentsOut[i]!, o.aval)] : []))];
      },
      [...avalsOf(ps.slice(nC, nC + nB)), ...bnz.map((i) => bts[i]!.aval), ...cAvals, ...avalsOf(ctsF)],
      "While",
    );
    const joint = bind(
      whileP,
      [...condJ.consts, ...ps.slice(0, nC), ...bodyJ.consts, ...ps.slice(nC, nC + nB), ...bnz.map((i) => bts[i]!), ...carry, ...ctsF],
      { cond: condJ.jaxpr, body: bodyJ.jaxpr, condNConsts: condJ.consts.length + nC, bodyNConsts: bodyJ.consts.length + nB + bnz.length },
    );
    const tOut = joint.slice(carry.length);
    let k = 0;
    return [outs, fl.map((f) => (f ? tOut[k++]! : null))];
  },
  transpose: () => {
    throw new ValueError(
      "Reverse-mode differentiation does not work for lax.whileLoop or lax.foriLoop with dynamic start/stop values. Try using lax.scan, or using foriLoop with static (JS number) start/stop.",
    );
  },
  batch: (vals, dims, p, axis) => {
    const size = axis.size;
    const ax = axis as AxisData;
    const nC = p.condNConsts;
    const nB = p.bodyNConsts;
    const cDims = dims.slice(0, nC);
    const bDims = dims.slice(nC, nC + nB);
    const carry = vals.slice(nC + nB);
    let cb = dims.slice(nC + nB).map((d) => d !== null);
    // fixpoint: a carry becomes batched if the body makes it batched
    for (let it = 0; it <= cb.length; it++) {
      const r = batchFlat(evalInner(p.body), [...vals.slice(nC, nC + nB), ...carry.map((c, i) => (cb[i] ? toBatchDim0(c, dims[nC + nB + i]!, size) : c))], [...bDims, ...cb.map((b) => (b ? 0 : null))], ax);
      const next = cb.map((b, i) => b || r.outDims[i] !== null);
      if (next.every((b, i) => b === cb[i])) break;
      cb = next;
    }
    const predR = batchFlat(evalInner(p.cond), [...vals.slice(0, nC), ...carry.map((c, i) => (cb[i] ? toBatchDim0(c, dims[nC + nB + i]!, size) : c))], [...cDims, ...cb.map((b) => (b ? 0 : null))], ax);
    const predBatched = predR.outDims[0] !== null;
    if (predBatched) cb = cb.map(() => true);
    const carryIn = carry.map((c, i) => (cb[i] ? toBatchDim0(c, dims[nC + nB + i]!, size) : c));
    const carryDims = cb.map((b) => (b ? 0 : null));
    const batchedBody = (bc: JaxArray[], cr: JaxArray[]) => {
      const r = batchFlat(evalInner(p.body), [...bc, ...cr], [...bDims, ...carryDims], ax);
      return r.outs.map((o, i) => (cb[i] ? toBatchDim0(o, r.outDims[i]!, size) : o));
    };
    const batchedPred = (cc: JaxArray[], cr: JaxArray[]) => {
      const r = batchFlat(evalInner(p.cond), [...cc, ...cr], [...cDims, ...carryDims], ax);
      return predBatched ? toBatchDim0(r.outs[0]!, r.outDims[0]!, size) : r.outs[0]!;
    };
    const cc = vals.slice(0, nC);
    const bc = vals.slice(nC, nC + nB);
    const condJ = traceJ(
      (...xs) => {
        const pr = batchedPred(xs.slice(0, nC), xs.slice(nC));
        return [predBatched ? ne(reduceSum(convert(pr, "int32"), [0]), zerosFor(new ShapedArray([], "int32"))) : pr];
      },
      [...avalsOf(cc), ...avalsOf(carryIn)],
      "While",
    );
    const bodyJ = traceJ(
      (...xs) => {
        const bcs = xs.slice(0, nB);
        const ccs = xs.slice(nB, nB + nC);
        const cr = xs.slice(nB + nC);
        const nw = batchedBody(bcs, cr);
        if (!predBatched) return nw;
        // finished examples keep their carry
        const pr = batchedPred(ccs, cr);
        return nw.map((v, i) => select(broadcastInDim(pr, v.aval.shape, [0]), v, cr[i]!));
      },
      [...avalsOf(bc), ...avalsOf(cc), ...avalsOf(carryIn)],
      "While",
    );
    const outs = bind(whileP, [...condJ.consts, ...cc, ...bodyJ.consts, ...bc, ...cc, ...carryIn], {
      cond: condJ.jaxpr,
      body: bodyJ.jaxpr,
      condNConsts: condJ.consts.length + nC,
      bodyNConsts: bodyJ.consts.length + nB + nC,
    });
    return [outs, carryDims];
  },
  lower: LOWER,
  printParams: (p) => `body_nconsts=${p.bodyNConsts} cond_nconsts=${p.condNConsts} body_jaxpr=${p.body.toString()} cond_jaxpr=${p.cond.toString()}`,
});

/** lax.whileLoop(condFn, bodyFn, init) — forward-mode differentiable only. */
export function whileLoop(condFn: Fn, bodyFn: Fn, init: unknown): any {
  if (typeof condFn !== "function" || typeof bodyFn !== "function") throw new TypeError("lax.whileLoop: condFn and bodyFn must be functions");
  const [leaves, def] = tree.flatten(init);
  const carry = leaves.map((l, i) => leafToArray(l, () => `leaf ${i} of the whileLoop init`));
  const cAvals = avalsOf(carry);
  const c = traceFlat((x: unknown) => condFn(x), tree.flatten([init])[1], cAvals, "While");
  const pa = c.jaxpr.outAvals;
  if (pa.length !== 1 || pa[0]!.ndim !== 0 || pa[0]!.dtype !== "bool")
    throw new TypeError(`cond_fun must return a boolean scalar, but got output type(s) ${tys(pa)}.`);
  const b = traceFlat((x: unknown) => bodyFn(x), tree.flatten([init])[1], cAvals, "While");
  if (!tree.treedefEq(b.outDef, def))
    throw new TypeError(`body_fun output and input must have identical types (same tree structure), got ${tree.treedefStr(b.outDef)} and ${tree.treedefStr(def)}.`);
  if (!typesEqual(b.jaxpr.outAvals, cAvals))
    throw new TypeError(`body_fun output and input must have identical types, got ${tys(b.jaxpr.outAvals)} and ${tys(cAvals)}.`);
  const hc = hoist(c.jaxpr);
  const hb = hoist(b.jaxpr);
  const outs = bind(whileP, [...hc.consts, ...hb.consts, ...carry], { cond: hc.jaxpr, body: hb.jaxpr, condNConsts: hc.consts.length, bodyNConsts: hb.consts.length });
  return tree.unflatten(def, outs);
}

// ---------------------------------------------------------------- scan
interface ScanParams {
  [k: string]: unknown;
  jaxpr: ClosedJaxpr; // [consts, carry, x] -> [carry, y]
  numConsts: number;
  numCarry: number;
  length: number;
  reverse: boolean;
}

function scanOutAvals(p: ScanParams): ShapedArray[] {
  const o = p.jaxpr.outAvals;
  return [...o.slice(0, p.numCarry), ...o.slice(p.numCarry).map((a) => new ShapedArray([p.length, ...a.shape], a.dtype, a.weakType))];
}

export const scanP: Primitive<ScanParams> = definePrimitive<ScanParams>({
  name: "scan",
  // collectives in the body reach a vmap of their axis even when no operand is batched
  namedAxes: paramsAxisNames,
  impl: {
    bind: (args: JaxArray[], p: ScanParams) => {
      const consts = args.slice(0, p.numConsts);
      let carry = args.slice(p.numConsts, p.numConsts + p.numCarry);
      const xs = args.slice(p.numConsts + p.numCarry) as EagerArray[];
      const ys: EagerArray[][] = [];
      for (let k = 0; k < p.length; k++) {
        const i = p.reverse ? p.length - 1 - k : k;
        const outs = evalJaxpr(p.jaxpr.jaxpr, [], [...consts, ...carry, ...xs.map((x) => hostIndex(x, i))]);
        carry = outs.slice(0, p.numCarry);
        ys[i] = outs.slice(p.numCarry) as EagerArray[];
      }
      const oa = scanOutAvals(p);
      const nY = oa.length - p.numCarry;
      const stacked = Array.from({ length: nY }, (_, j) => hostStack(ys.map((y) => y[j]!), oa[p.numCarry + j]!));
      return [...carry, ...stacked];
    },
  },
  abstractEval: (_avals, p) => scanOutAvals(p),
  // jvp: the primal scan as is; tangents from a joint scan over (carry, tangent carry)
  jvp: (ps, ts, p) => {
    const outs = bind(scanP, ps, p);
    const nC = p.numConsts;
    const nK = p.numCarry;
    const consts = ps.slice(0, nC);
    const carry = ps.slice(nC, nC + nK);
    const xs = ps.slice(nC + nK);
    const cnz = ts.slice(0, nC).map((t, i) => (t && isFloat(consts[i]!.dtype) ? i : -1)).filter((i) => i >= 0);
    const xnz = ts.slice(nC + nK).map((t, i) => (t && isFloat(xs[i]!.dtype) ? i : -1)).filter((i) => i >= 0);
    const kf = carry.map((c) => isFloat(c.dtype));
    const ktIn = ts.slice(nC, nC + nK);
    if (cnz.length === 0 && xnz.length === 0 && ktIn.every((t, i) => !t || !kf[i])) return [outs, outs.map(() => null)];
    const kts = carry.flatMap((c, i) => (kf[i] ? [instantiate(ktIn[i]!, c.aval)] : []));
    const xAv = (x: JaxArray) => new ShapedArray(x.aval.shape.slice(1), x.dtype, x.weakType);
    const yAvals = p.jaxpr.outAvals.slice(nK);
    const yf = yAvals.map((a) => isFloat(a.dtype));
    const body = traceJ(
      (...a) => {
        let o = 0;
        const take = (n: number) => a.slice(o, (o += n));
        const c = take(nC);
        const ct = take(cnz.length);
        const k = take(nK);
        const kt = take(kts.length);
        const x = take(xs.length);
        const xt = take(xnz.length);
        const tt: MaybeZero[] = [...c, ...k, ...x].map(() => null);
        cnz.forEach((i, j) => (tt[i] = ct[j]!));
        let j = 0;
        kf.forEach((f, i) => f && (tt[nC + i] = kt[j++]!));
        xnz.forEach((i, q) => (tt[nC + nK + i] = xt[q]!));
        const r = jvpFlat(evalInner(p.jaxpr), [...c, ...k, ...x], tt);
        const po = r.primalsOut;
        const tan = (i: number) => instantiate(r.tangentsOut[i]!, po[i]!.aval);
        return [
          ...po.slice(0, nK),
          ...kf.flatMap((f, i) => (f ? [tan(i)] : [])),
          ...po.slice(nK),
          ...yf.flatMap((f, i) => (f ? [tan(nK + i)] : [])),
        ];
      },
      [...avalsOf(consts), ...cnz.map((i) => ts[i]!.aval), ...avalsOf(carry), ...avalsOf(kts), ...xs.map(xAv), ...xnz.map((i) => xAv(ts[nC + nK + i]!))],
      "Scan",
    );
    const joint = bind(scanP, [...body.consts, ...consts, ...cnz.map((i) => ts[i]!), ...carry, ...kts, ...xs, ...xnz.map((i) => ts[nC + nK + i]!)], {
      jaxpr: body.jaxpr,
      numConsts: body.consts.length + nC + cnz.length,
      numCarry: nK + kts.length,
      length: p.length,
      reverse: p.reverse,
    });
    const ktOut = joint.slice(nK, nK + kts.length);
    const ytOut = joint.slice(nK + kts.length + yAvals.length);
    let a = 0;
    let b = 0;
    return [outs, [...kf.map((f) => (f ? ktOut[a++]! : null)), ...yf.map((f) => (f ? ytOut[b++]! : null))]];
  },
  transpose: (cts, args, p) => scanTranspose(cts, args, p),
  batch: (vals, dims, p, axis) => {
    const size = axis.size;
    const ax = axis as AxisData;
    const nC = p.numConsts;
    const nK = p.numCarry;
    const consts = vals.slice(0, nC);
    const carry = vals.slice(nC, nC + nK);
    const xs = vals.slice(nC + nK);
    const cDims = dims.slice(0, nC);
    const xb = dims.slice(nC + nK).map((d) => d !== null);
    const xsIn = xs.map((x, i) => {
      const d = dims[nC + nK + i]!;
      if (d === null) return x;
      // per-iteration batch dim 0 means stacked batch dim 1
      const y = toBatchDim0(x, d, size);
      return bindTranspose01(y);
    });
    let cb = dims.slice(nC, nC + nK).map((d) => d !== null);
    const xAv = (x: JaxArray) => new ShapedArray(x.aval.shape.slice(1), x.dtype, x.weakType);
    for (let it = 0; it <= nK; it++) {
      let next = cb;
      traceJ(
        (...a) => {
          const r = batchFlat(evalInner(p.jaxpr), a, [...cDims, ...cb.map((b) => (b ? 0 : null)), ...xb.map((b) => (b ? 0 : null))], ax);
          next = cb.map((b, i) => b || r.outDims[i] !== null);
          return r.outs;
        },
        [...avalsOf(consts), ...carry.map((c, i) => (cb[i] ? batch0Aval(c.aval, dims[nC + i]!, size) : c.aval)), ...xsIn.map(xAv)],
        "Scan",
      );
      if (next.every((b, i) => b === cb[i])) break;
      cb = next;
    }
    const carryIn = carry.map((c, i) => (cb[i] ? toBatchDim0(c, dims[nC + i]!, size) : c));
    const body = traceJ(
      (...a) => {
        const r = batchFlat(evalInner(p.jaxpr), a, [...cDims, ...cb.map((b) => (b ? 0 : null)), ...xb.map((b) => (b ? 0 : null))], ax);
        return r.outs.map((o, i) => (i < nK ? (cb[i] ? toBatchDim0(o, r.outDims[i]!, size) : o) : toBatchDim0(o, r.outDims[i]!, size)));
      },
      [...avalsOf(consts), ...avalsOf(carryIn), ...xsIn.map(xAv)],
      "Scan",
    );
    const outs = bind(scanP, [...body.consts, ...consts, ...carryIn, ...xsIn], { ...p, jaxpr: body.jaxpr, numConsts: body.consts.length + nC });
    return [outs, [...cb.map((b) => (b ? 0 : null)), ...outs.slice(nK).map(() => 1)]];
  },
  lower: LOWER,
  printParams: (p) =>
    `jaxpr=${p.jaxpr.toString()} length=${p.length} num_carry=${p.numCarry} num_consts=${p.numConsts} reverse=${p.reverse ? "True" : "False"}`,
});

/** The aval of toBatchDim0(x, d, size). */
function batch0Aval(a: ShapedArray, d: number | null, size: number): ShapedArray {
  if (d === null) return new ShapedArray([size, ...a.shape], a.dtype, a.weakType);
  const sh = [...a.shape];
  const [n] = sh.splice(d, 1);
  return new ShapedArray([n!, ...sh], a.dtype, a.weakType);
}
function bindTranspose01(y: JaxArray): JaxArray {
  const perm = y.aval.shape.map((_, i) => i);
  perm[0] = 1;
  perm[1] = 0;
  return transpose(y, perm);
}

/** Transpose of scan: a forward scan of the known part saves residuals, then a reverse scan
 * runs the transposed unknown part. */
function scanTranspose(cts: MaybeZero[], origArgs: (JaxArray | UndefinedPrimal)[], p: ScanParams): MaybeZero[] {
  let args = origArgs;
  const nC = p.numConsts;
  const nK = p.numCarry;
  // A carry whose initial value is known (an instantiated zero tangent) but that becomes
  // linear in the loop is treated as linear too (in a linear scan such a value is zero).
  const unknown = args.map((a) => a instanceof UndefinedPrimal);
  let pe = partialEvalJaxpr(p.jaxpr, unknown);
  for (let it = 0; it <= nK; it++) {
    let changed = false;
    for (let i = 0; i < nK; i++)
      if (pe.outUnknown[i] && !unknown[nC + i]) {
        unknown[nC + i] = true;
        args = args.map((a, j) => (j === nC + i ? new UndefinedPrimal((a as JaxArray).aval) : a));
        changed = true;
      }
    if (!changed) break;
    pe = partialEvalJaxpr(p.jaxpr, unknown);
  }
  const forced = args.map((a, i) => unknown[i] && !(origArgs[i] instanceof UndefinedPrimal));
  for (let i = 0; i < nK; i++)
    if (pe.outUnknown[i] !== unknown[nC + i])
      throw new Error("internal: scan transpose needs carries that are linear exactly when their initial value is");
  const bodyIn = p.jaxpr.jaxpr.invars;
  const resVars = pe.unknown.jaxpr.invars.slice(0, pe.numResiduals);
  const constSet = new Set(bodyIn.slice(0, nC));
  const invariant = resVars.map((v) => constSet.has(v));
  // forward scan of the known part, stacking the per-iteration residuals
  const kj = pe.known.jaxpr;
  const nKnownOuts = kj.outvars.length - pe.numResiduals;
  const knownCarryN = unknown.slice(nC, nC + nK).filter((u) => !u).length;
  const resOuts = kj.outvars.slice(nKnownOuts);
  const fwd = new ClosedJaxpr(new Jaxpr(kj.constvars, kj.invars, kj.eqns, [...kj.outvars.slice(0, nKnownOuts), ...resOuts.filter((_, i) => !invariant[i])]), pe.known.consts);
  const known = args.map((a, i) => (unknown[i] ? null : (a as JaxArray)));
  const kc = known.slice(0, nC).filter((x): x is JaxArray => x !== null);
  const kk = known.slice(nC, nC + nK).filter((x): x is JaxArray => x !== null);
  const kx = known.slice(nC + nK).filter((x): x is JaxArray => x !== null);
  const fh = hoist(fwd);
  const fOuts = bind(scanP, [...fh.consts, ...kc, ...kk, ...kx], {
    jaxpr: fh.jaxpr,
    numConsts: fh.consts.length + kc.length,
    numCarry: knownCarryN,
    length: p.length,
    reverse: p.reverse,
  });
  const stackedRes = fOuts.slice(nKnownOuts);
  // values of the invariant residuals: the known consts they are
  const invVals = resVars.map((v) => (constSet.has(v) ? (args[bodyIn.indexOf(v)] as JaxArray) : null));
  const uc = args.slice(0, nC).map((a, i) => (unknown[i] ? (a as UndefinedPrimal) : null)).filter((x): x is UndefinedPrimal => x !== null);
  const uk = args.slice(nC, nC + nK).map((a, i) => (unknown[nC + i] ? (a as UndefinedPrimal) : null)).filter((x): x is UndefinedPrimal => x !== null);
  const ux = args.slice(nC + nK).map((a, i) => (unknown[nC + nK + i] ? (a as UndefinedPrimal) : null)).filter((x): x is UndefinedPrimal => x !== null);
  const outAvals = scanOutAvals(p);
  const ctK = cts.slice(0, nK).map((c, i) => (pe.outUnknown[i] ? instantiate(c, outAvals[i]!) : null)).filter((x): x is JaxArray => x !== null);
  const yUnknown = pe.outUnknown.slice(nK);
  const ctY = cts.slice(nK).map((c, i) => (yUnknown[i] ? instantiate(c, outAvals[nK + i]!) : null)).filter((x): x is JaxArray => x !== null);
  const invList = invVals.filter((x): x is JaxArray => x !== null);
  const ctCInit = uc.map((u) => zerosFor(u.aval));
  const perIterAv = (x: JaxArray) => new ShapedArray(x.aval.shape.slice(1), x.dtype, x.weakType);
  const bodyT = traceJ(
    (...a) => {
      let o = 0;
      const take = (n: number) => a.slice(o, (o += n));
      const inv = take(invList.length);
      const ctCAcc = take(uc.length);
      const ctCarry = take(uk.length);
      const res = take(stackedRes.length);
      const cty = take(ctY.length);
      let ii = 0;
      let ri = 0;
      const resValues = invariant.map((isInv) => (isInv ? inv[ii++]! : res[ri++]!));
      const targs = [...resValues, ...uc, ...uk, ...ux];
      const r = transposeJaxpr(pe.unknown.jaxpr, [], targs, [...ctCarry, ...cty]);
      const off = pe.numResiduals;
      const ctC = uc.map((u, i) => add(ctCAcc[i]!, instantiate(r[off + i]!, u.aval)));
      const ctKin = uk.map((u, i) => instantiate(r[off + uc.length + i]!, u.aval));
      const ctX = ux.map((u, i) => instantiate(r[off + uc.length + uk.length + i]!, u.aval));
      return [...ctC, ...ctKin, ...ctX];
    },
    [...avalsOf(invList), ...uc.map((u) => u.aval), ...uk.map((u) => u.aval), ...stackedRes.map(perIterAv), ...ctY.map(perIterAv)],
    "Scan",
  );
  const bOuts = bind(scanP, [...bodyT.consts, ...invList, ...ctCInit, ...ctK, ...stackedRes, ...ctY], {
    jaxpr: bodyT.jaxpr,
    numConsts: bodyT.consts.length + invList.length,
    numCarry: uc.length + uk.length,
    length: p.length,
    reverse: !p.reverse,
  });
  const ctCOut = bOuts.slice(0, uc.length);
  const ctKOut = bOuts.slice(uc.length, uc.length + uk.length);
  const ctXOut = bOuts.slice(uc.length + uk.length);
  let a = 0;
  let b = 0;
  let c = 0;
  return args.map((_, i) => {
    if (!unknown[i]) return null;
    if (forced[i]) {
      if (i >= nC && i < nC + nK) b++;
      return null;
    }
    if (i < nC) return ctCOut[a++]!;
    if (i < nC + nK) return ctKOut[b++]!;
    return ctXOut[c++]!;
  });
}

/** lax.scan(f, init, xs, { length, reverse }) → [carry, ys]; f(carry, x) returns [carry, y]. */
export function scan(f: Fn, init: unknown, xs: unknown = null, opts: { length?: number; reverse?: boolean } = {}): [any, any] {
  if (typeof f !== "function") throw new TypeError("lax.scan: f must be a function (carry, x) => [carry, y]");
  const [cl, cdef] = tree.flatten(init);
  const carry = cl.map((l, i) => leafToArray(l, () => `leaf ${i} of the scan init`));
  const [xl, xdef] = tree.flatten(xs);
  const xArr = xl.map((l, i) => leafToArray(l, () => `leaf ${i} of the scanned xs`));
  const lengths = [...new Set(xArr.map((x) => (x.ndim === 0 ? -1 : x.shape[0]!)))];
  if (lengths.includes(-1)) throw new ValueError("scan got a scalar leaf in xs; every leaf of xs must have a leading axis to scan over");
  if (lengths.length > 1) throw new ValueError(`scan got values with different leading axis sizes: ${lengths.join(", ")}`);
  let length = lengths[0];
  if (opts.length !== undefined) {
    if (!Number.isInteger(opts.length) || opts.length < 0) throw new ValueError(`scan length must be a non-negative integer, got ${opts.length}`);
    if (length !== undefined && length !== opts.length)
      throw new ValueError(`scan got \`length\` argument of ${opts.length} which disagrees with leading axis sizes [${length}].`);
    length = opts.length;
  }
  if (length === undefined) throw new ValueError("scan got no values to scan over and `length` not provided.");
  const xAvals = xArr.map((x) => new ShapedArray(x.shape.slice(1), x.dtype, x.weakType));
  let carryDef: tree.TreeDef | undefined;
  let yDef: tree.TreeDef | undefined;
  const { jaxpr } = traceToJaxpr(
    (...a) => {
      const c = tree.unflatten(cdef, a.slice(0, carry.length));
      const x = tree.unflatten(xdef, a.slice(carry.length));
      const out = f(c, x);
      if (!Array.isArray(out) || out.length !== 2)
        throw new TypeError("scan body function must return a pair [carry, y]");
      const [nc, ncd] = tree.flatten(out[0]);
      const [ny, nyd] = tree.flatten(out[1]);
      carryDef = ncd;
      yDef = nyd;
      return [...nc, ...ny].map((l) => leafToArray(l, () => "an output of the scan body"));
    },
    [...avalsOf(carry), ...xAvals],
    { label: "Scan" },
  );
  if (!tree.treedefEq(carryDef!, cdef))
    throw new TypeError(`scan body function carry input and carry output must have equal types (same tree structure), got ${tree.treedefStr(cdef)} and ${tree.treedefStr(carryDef!)}.`);
  const co = jaxpr.outAvals.slice(0, carry.length);
  if (!typesEqual(co, avalsOf(carry)))
    throw new TypeError(`scan body function carry input and carry output must have equal types, got input ${tys(avalsOf(carry))} and output ${tys(co)}.`);
  const h = hoist(jaxpr);
  const outs = bind(scanP, [...h.consts, ...carry, ...xArr], { jaxpr: h.jaxpr, numConsts: h.consts.length, numCarry: carry.length, length, reverse: !!opts.reverse });
  return [tree.unflatten(cdef, outs.slice(0, carry.length)), tree.unflatten(yDef!, outs.slice(carry.length))];
}

/** lax.foriLoop(lower, upper, body, init): body(i, val) → val. Static bounds lower to scan
 * (reverse-differentiable); traced bounds to whileLoop. */
export function foriLoop(lower: unknown, upper: unknown, body: (i: JaxArray, val: any) => any, init: unknown): any {
  if (typeof body !== "function") throw new TypeError("lax.foriLoop: body must be a function (i, val) => val");
  if (typeof lower === "number" && typeof upper === "number") {
    if (!Number.isInteger(lower) || !Number.isInteger(upper)) throw new TypeError(`lax.foriLoop: bounds must be integers, got ${lower}, ${upper}`);
    const n = Math.max(0, upper - lower);
    const i0 = EagerArray.fromTyped(new Int32Array([lower]), [], "int32");
    const one = EagerArray.fromTyped(new Int32Array([1]), [], "int32", true);
    const [[, v]] = scan(([i, val]: [JaxArray, unknown]) => [[add(i, one), body(i, val)], null], [i0, init], null, { length: n });
    return v;
  }
  const lo = convert(leafToArray(lower, () => "lower"), "int32");
  const hi = convert(leafToArray(upper, () => "upper"), "int32");
  const one = EagerArray.fromTyped(new Int32Array([1]), [], "int32", true);
  const [, , v] = whileLoop(
    ([i, u]: JaxArray[]) => lt(i!, u!),
    ([i, u, val]: [JaxArray, JaxArray, unknown]) => [add(i, one), u, body(i, val)],
    [lo, hi, init],
  );
  return v;
}

/** lax.map(f, xs): f applied to each leading slice, sequentially (a scan without carry). */
export function map(f: Fn, xs: unknown): any {
  return scan((c: null, x: unknown) => [c, f(x)], null, xs)[1];
}
