// jit.ts — jit, makeJaxpr and evalShape. jit stages a function to a jaxpr once per call
// signature (tree structure, avals with weak types, static values, named-axis context),
// caches it per function object, and binds it as the higher-order primitive `pjit`, whose
// jvp, transpose and batch rules transform the inner jaxpr (so jit composes with grad and
// vmap in every order). The inner jaxpr runs op by op here; the compiler (issue #6) will
// compile it.
import { ShapedArray } from "../core/aval.js";
import { EagerArray, JaxArray } from "../core/array.js";
import { config } from "../core/config.js";
import { ValueError } from "../core/errors.js";
import { ClosedJaxpr, Jaxpr, evalJaxpr, typecheckJaxpr } from "../core/jaxpr.js";
import { type BatchRule, type JvpRule, type MaybeZero, type Primitive, definePrimitive, missing } from "../core/primitive.js";
import { activeMains, bind, stackDepth } from "../core/trace.js";
import * as tree from "../core/tree.js";
import { isFloat } from "../core/dtype.js";
import { jvpFlat, tangentAval, transposeJaxpr, zerosFor } from "./ad.js";
import { checkCallable, fnName, leafToArray, typedArrayDType } from "./args.js";
import { type AxisData, AxisEnvTrace, BatchTrace, batchFlat } from "./batching.js";
import { partialEvalJaxpr } from "./partial_eval.js";
import { paramsAxisNames } from "./collectives.js";
import { traceToJaxpr } from "./staging.js";
import { executableFor } from "../compiler/fuse.js";
import { wasmExecutableFor } from "../compiler/wasm_codegen.js";

/** Whether jitted programs are compiled (tests turn it off to compare with op-by-op runs);
 * `wasm`: fused wasm kernels on the wasm backend (JAXTS_WASM_FUSE=0 turns them off). */
export const compileOptions = {
  enabled: true,
  wasm: (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.JAXTS_WASM_FUSE !== "0",
};
import type { LooseArgs } from "./api.js";

type Fn = (...args: any[]) => any;

export interface PjitParams {
  [k: string]: unknown;
  jaxpr: ClosedJaxpr;
  name: string;
}

/** Moves a closed jaxpr's constants into leading inputs, so they flow through bind. */
function hoistConsts(cj: ClosedJaxpr): { jaxpr: ClosedJaxpr; consts: JaxArray[] } {
  if (cj.consts.length === 0) return { jaxpr: cj, consts: [] };
  const j = cj.jaxpr;
  return { jaxpr: new ClosedJaxpr(new Jaxpr([], [...j.constvars, ...j.invars], j.eqns, j.outvars), []), consts: cj.consts };
}

/** Binds a closed jaxpr as a pjit call on args. */
export function callJaxpr(cj: ClosedJaxpr, args: readonly JaxArray[], name: string): JaxArray[] {
  if (config.get("checkJaxprs")) typecheckJaxpr(cj.jaxpr);
  const { jaxpr, consts } = hoistConsts(cj);
  return bind(pjitP, [...consts, ...args], { jaxpr, name });
}

const evalInner = (cj: ClosedJaxpr) => (...xs: JaxArray[]) => evalJaxpr(cj.jaxpr, cj.consts, xs);

/** jvp of a call: stage the joint (primal, tangent) jaxpr, split it so the primal part runs
 * at the primal level (values stay concrete under grad) and only the tangent part is staged. */
export function jvpOfJaxpr(cj: ClosedJaxpr, primals: JaxArray[], tangents: MaybeZero[], name: string): [JaxArray[], MaybeZero[]] {
  const n = primals.length;
  const nz = tangents.map((t, i) => (t !== null && isFloat(primals[i]!.dtype) ? i : -1)).filter((i) => i >= 0);
  const m = cj.outAvals.length;
  const joint = traceToJaxpr(
    (...xs) => {
      const ps = xs.slice(0, n);
      const ts: MaybeZero[] = primals.map(() => null);
      nz.forEach((i, k) => (ts[i] = xs[n + k]!));
      const r = jvpFlat(evalInner(cj), ps, ts);
      return [...r.primalsOut, ...r.tangentsOut.map((t, i) => t ?? zerosFor(tangentAval(r.primalsOut[i]!.aval)))];
    },
    [...primals.map((p) => p.aval), ...nz.map((i) => tangents[i]!.aval)],
    { label: "Jit", fnName: name },
  ).jaxpr;
  const pe = partialEvalJaxpr(joint, [...primals.map(() => false), ...nz.map(() => true)]);
  const knownOuts = callJaxpr(pe.known, primals, name);
  const nKnown = knownOuts.length - pe.numResiduals;
  const res = knownOuts.slice(nKnown);
  const unknownOuts = pe.outUnknown.some((u) => u) ? callJaxpr(pe.unknown, [...res, ...nz.map((i) => tangents[i]!)], name) : [];
  let ki = 0;
  let ui = 0;
  const all = pe.outUnknown.map((u) => (u ? unknownOuts[ui++]! : knownOuts[ki++]!));
  const po = all.slice(0, m);
  const to = all.slice(m).map((t, i) => (isFloat(po[i]!.dtype) ? t : null));
  return [po, to];
}

/** Batches a call: stage the batched jaxpr and bind it. */
export function batchOfJaxpr(cj: ClosedJaxpr, vals: JaxArray[], dims: (number | null)[], axis: AxisData, name: string): [JaxArray[], (number | null)[]] {
  let outDims: (number | null)[] = [];
  const bj = traceToJaxpr(
    (...xs) => {
      const r = batchFlat(evalInner(cj), xs, dims, axis);
      outDims = r.outDims;
      return r.outs;
    },
    vals.map((v) => v.aval),
    { label: "Jit", fnName: name },
  ).jaxpr;
  return [callJaxpr(bj, vals, name), outDims];
}

const pjitJvp: JvpRule<PjitParams> = (primals, tangents, p) => jvpOfJaxpr(p.jaxpr, primals, tangents, p.name);
const pjitBatch: BatchRule<PjitParams> = (vals, dims, p, axis) => batchOfJaxpr(p.jaxpr, vals, dims, axis as AxisData, p.name);

export const pjitP: Primitive<PjitParams> = definePrimitive<PjitParams>({
  name: "pjit",
  // collectives in the body reach a vmap of their axis even when no operand is batched
  namedAxes: paramsAxisNames,
  // run compiled (fused elementwise kernels) on the js backend and on the wasm backend (fused
  // SIMD kernels, compiler/wasm_codegen.ts), op by op elsewhere
  impl: {
    bind: (args: JaxArray[], p: PjitParams) =>
      compileOptions.enabled && args.every((a) => a instanceof EagerArray && a.backend.name === "js")
        ? executableFor(p.jaxpr.jaxpr).run(p.jaxpr.consts, args)
        : compileOptions.enabled && compileOptions.wasm && args.length > 0 && args.every((a) => a instanceof EagerArray && a.backend.name === "wasm")
          ? wasmExecutableFor(p.jaxpr.jaxpr).run(p.jaxpr.consts, args)
          : evalJaxpr(p.jaxpr.jaxpr, p.jaxpr.consts, args),
  },
  abstractEval: (avals, p) => {
    const ins = p.jaxpr.inAvals;
    if (avals.length !== ins.length || avals.some((a, i) => !a.sameType(ins[i]!)))
      throw new TypeError(`internal: pjit ${p.name} called with ${avals.map((a) => a.str()).join(",")}, expected ${ins.map((a) => a.str()).join(",")}`);
    return p.jaxpr.outAvals;
  },
  jvp: pjitJvp,
  // transpose: the inner jaxpr is linear in the undefined inputs
  transpose: (cts, args, p) => transposeJaxpr(p.jaxpr.jaxpr, p.jaxpr.consts, args, cts),
  batch: pjitBatch,
  lower: missing("the wasm compiler (issue #6)"),
  printParams: (p) => `name=${p.name} jaxpr=${indentJaxpr(p.jaxpr.toString())}`,
});

function indentJaxpr(s: string): string {
  return s.includes("\n") ? s.split("\n").join("\n      ") : s;
}

// ---------------------------------------------------------------- signatures and cache
const fnIds = new WeakMap<object, number>();
let nextFnId = 0;
function objectId(o: object): number {
  let id = fnIds.get(o);
  if (id === undefined) {
    id = nextFnId++;
    fnIds.set(o, id);
  }
  return id;
}

/** Cache key of a static argument: value and JS type, or a hash()/identity for objects. */
export function staticKey(v: unknown, index: number): string {
  const t = typeof v;
  if (v === null || t === "undefined" || t === "number" || t === "string" || t === "boolean" || t === "bigint") return `${t}:${String(v)}`;
  if (t === "symbol") return `symbol:${String(v)}`;
  if (t === "function") return `fn:${objectId(v as object)}`;
  const o = v as { hash?: () => unknown; constructor?: { name?: string } };
  if (typeof o.hash === "function") return `hash:${o.constructor?.name}:${String(o.hash())}`;
  const proto = Object.getPrototypeOf(v);
  if (Array.isArray(v) || proto === Object.prototype || proto === null || v instanceof JaxArray)
    throw new ValueError(
      `Non-hashable static arguments are not supported. An error occurred while trying to hash an object of type ${Array.isArray(v) ? "Array (JS array)" : v instanceof JaxArray ? "Array" : "Object"}, ${String(v)}. Static argument (index ${index}) of type ${v instanceof JaxArray ? "Array" : Array.isArray(v) ? "JS array" : "object"} is non-hashable. Pass it as a dynamic argument, or give it a hash() method.`,
    );
  return `obj:${objectId(v as object)}`;
}

function avalKey(a: ShapedArray): string {
  return `${a.dtype}[${a.shape.join(",")}]${a.weakType ? "w" : ""}`;
}

/** The named axes of enclosing vmaps: part of the cache key (collectives depend on them). */
function axisContextKey(): string {
  const parts: string[] = [];
  for (const m of activeMains())
    if (m.traceType === BatchTrace || m.traceType === AxisEnvTrace) {
      const ax = m.globalData as AxisData;
      if (ax.named) parts.push(`${String(ax.name)}=${ax.size}`);
    }
  return parts.join(",");
}

/** Best-effort parameter names of a JS function, for error messages. */
export function paramNames(f: Function): string[] {
  const src = Function.prototype.toString.call(f);
  const m = /^(?:async\s*)?(?:function\b[^(]*)?\(([^)]*)\)/.exec(src) ?? /^(?:async\s*)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  if (!m) return [];
  return m[1]!
    .split(",")
    .map((s) => s.trim().replace(/=.*$/, "").replace(/^\.\.\./, "").trim())
    .filter(Boolean);
}

interface Traced {
  jaxpr: ClosedJaxpr;
  outDef: tree.TreeDef;
  /** the static argument values traced with (checked with their equals(), if any, on a hit) */
  statics?: unknown[];
}

/** Static objects with equal hash() must also be equal by equals() to share a trace. */
function staticsEqual(stored: unknown[] | undefined, now: unknown[]): boolean {
  return now.every((v, k) => {
    const eq = v !== null && typeof v === "object" ? (v as { equals?: (o: unknown) => unknown }).equals : undefined;
    return typeof eq !== "function" || eq.call(v, stored?.[k]) === true;
  });
}

export interface JitOptions {
  staticArgnums?: number | number[];
  donateArgnums?: number | number[];
}

function normIdx(x: number | number[] | undefined): number[] {
  return x === undefined ? [] : typeof x === "number" ? [x] : [...x];
}

/** Traces f at the given args (static ones by value) into a closed jaxpr. */
function traceFn(f: Fn, args: unknown[], staticIdx: Set<number>, label: string): Traced & { dynLeaves: JaxArray[] } {
  const names = paramNames(f);
  const dynArgs = args.map((a, i) => (staticIdx.has(i) ? null : a));
  const [leaves, def] = tree.flatten(dynArgs);
  const paths = tree.leafPaths(def);
  const argName = (i: number) => {
    const p = paths[i]!;
    const m = /^\[(\d+)\](.*)$/.exec(p);
    if (!m) return p;
    const k = Number(m[1]);
    return `${names[k] ?? `args[${k}]`}${m[2]}`;
  };
  const dynLeaves = leaves.map((l, i) => {
    if (l instanceof JaxArray) return l;
    if (typeof l === "number" || typeof l === "boolean" || typedArrayDType(l)) return leafToArray(l, () => argName(i));
    throw new TypeError(
      `Error interpreting argument to ${fnName(f)} as an abstract array. The problematic value is of type ${l === null ? "null" : typeof l === "object" ? (l as object).constructor?.name : typeof l} and was passed to the function at path ${argName(i)}. This typically means that a jit-wrapped function was called with a non-array argument, and this argument was not marked as static using the staticArgnums option of jit.`,
    );
  });
  let outDef: tree.TreeDef | undefined;
  const { jaxpr } = traceToJaxpr(
    (...xs) => {
      const full = tree.unflatten(def, xs) as unknown[];
      staticIdx.forEach((i) => (full[i] = args[i]));
      const out = f(...full);
      const [ol, od] = tree.flatten(out);
      outDef = od;
      return ol.map((l) => {
        if (l instanceof JaxArray) return l;
        if (typeof l === "number" || typeof l === "boolean") return toArrayLeaf(l);
        throw new TypeError(`The output of ${fnName(f)} contains a value of type ${typeof l} (${String(l)}), which is not a valid JAX type`);
      });
    },
    dynLeaves.map((l) => l.aval),
    { label, fnName: fnName(f), argNames: dynLeaves.map((_, i) => `the argument ${argName(i)}`) },
  );
  if (config.get("checkJaxprs")) typecheckJaxpr(jaxpr.jaxpr);
  return { jaxpr, outDef: outDef!, dynLeaves };
}

function toArrayLeaf(x: number | boolean): JaxArray {
  if (typeof x === "boolean") return EagerArray.fromTyped(new Uint8Array([x ? 1 : 0]), [], "bool");
  return EagerArray.fromTyped(new Float32Array([x]), [], "float32", true);
}

const caches = new WeakMap<Function, Map<string, Traced>>();

/** Number of traces jit performed (for tests of caching). */
export const jitStats = { traces: 0 };

/** jit(f, { staticArgnums, donateArgnums }) — stage f once per signature and reuse it. */
export function jit<F extends Fn>(f: F, opts: JitOptions = {}): (...args: LooseArgs<F>) => ReturnType<F> {
  checkCallable(f, "jit");
  const staticIdx = normIdx(opts.staticArgnums);
  const donateIdx = normIdx(opts.donateArgnums);
  const src = Function.prototype.toString.call(f);
  // f.length stops at the first parameter with a default; count the declared parameters too
  const nPos = Math.max(f.length, paramNames(f).length);
  const fixedArity = !/\.\.\./.test(src.slice(0, src.indexOf(")") + 1)) && nPos > 0;
  for (const [what, idx] of [["static_argnums", staticIdx], ["donate_argnums", donateIdx]] as const)
    for (const i of idx) {
      if (!Number.isInteger(i)) throw new TypeError(`jit: ${what} must be integers, got ${String(i)}`);
      if (fixedArity && (i >= nPos || i < -nPos))
        throw new ValueError(`Jitted function has ${what}=(${idx.join(", ")}${idx.length === 1 ? "," : ""}), but only accepts ${nPos} positional arguments.`);
    }
  const optKey = `s${staticIdx.join(",")};d${donateIdx.join(",")}`;
  const name = fnName(f);
  const wrapped = (...args: unknown[]) => {
    // negative indices count from the end of the declared parameters (of the call, if variadic)
    const sIdx = new Set(staticIdx.map((i) => (i < 0 ? i + (fixedArity ? nPos : args.length) : i)));
    // eager: JS numbers/booleans in dynamic args become arrays, as the traced body would see them
    if (config.get("disableJit"))
      return f(...args.map((a, i) => (sIdx.has(i) ? a : tree.map((l: unknown) => (typeof l === "number" || typeof l === "boolean" ? toArrayLeaf(l) : l), a))));
    const [leaves, def] = tree.flatten(args.map((a, i) => (sIdx.has(i) ? null : a)));
    const leafKeys = leaves.map((l) =>
      l instanceof JaxArray ? avalKey(l.aval) : typeof l === "number" ? "float32[]w" : typeof l === "boolean" ? "bool[]" : typedArrayDType(l) ? `${typedArrayDType(l)}[${(l as ArrayLike<number>).length}]` : `?${typeof l}`,
    );
    const statKeys = [...sIdx].sort().map((i) => `${i}=${staticKey(args[i], i)}`);
    const key = `${optKey}|${args.length}|${tree.treedefStr(def)}|${leafKeys.join(";")}|${statKeys.join(";")}|${axisContextKey()}`;
    let cache = caches.get(f);
    if (!cache) {
      cache = new Map();
      caches.set(f, cache);
    }
    const statVals = [...sIdx].sort().map((i) => args[i]);
    let entry = cache.get(key);
    if (entry && !staticsEqual(entry.statics, statVals)) entry = undefined; // hash collision
    let dynLeaves: JaxArray[];
    if (!entry) {
      jitStats.traces++;
      const t = traceFn(f, args, sIdx, "Jit");
      entry = { jaxpr: t.jaxpr, outDef: t.outDef, statics: statVals };
      dynLeaves = t.dynLeaves;
      // never cache a jaxpr that closed over another transformation's tracers
      if (!t.jaxpr.consts.some((c) => !(c instanceof EagerArray))) cache.set(key, entry);
    } else dynLeaves = leaves.map((l) => (l instanceof JaxArray ? l : leafToArray(l, () => "argument")));
    const outs = callJaxpr(entry.jaxpr, dynLeaves, name);
    if (donateIdx.length && stackDepth() === 1)
      for (const i of donateIdx) for (const l of tree.leaves(args[i < 0 ? i + (fixedArity ? nPos : args.length) : i])) if (l instanceof EagerArray && !outs.includes(l)) l.dispose();
    return tree.unflatten(entry.outDef, outs);
  };
  Object.defineProperty(wrapped, "name", { value: name });
  return wrapped as unknown as (...args: LooseArgs<F>) => ReturnType<F>;
}

/** makeJaxpr(f, { staticArgnums })(...args) — the traced program in JAX's text form. */
export function makeJaxpr<F extends Fn>(f: F, opts: { staticArgnums?: number | number[] } = {}): (...args: LooseArgs<F>) => ClosedJaxpr {
  checkCallable(f, "makeJaxpr");
  return (...args: unknown[]) => {
    const sIdx = new Set(normIdx(opts.staticArgnums).map((i) => (i < 0 ? i + args.length : i)));
    return traceFn(f, args, sIdx, "Jit").jaxpr;
  };
}

/** evalShape(f)(...args) — the output tree with `{ shape, dtype }` leaves, without computing. */
export function evalShape<F extends Fn>(f: F): (...args: LooseArgs<F>) => any {
  checkCallable(f, "evalShape");
  return (...args: unknown[]) => {
    const t = traceFn(f, args, new Set(), "EvalShape");
    return tree.unflatten(
      t.outDef,
      t.jaxpr.outAvals.map((a) => ({ shape: [...a.shape], dtype: a.dtype, weakType: a.weakType })),
    );
  };
}

/** disableJit(fn): runs fn with jit (and pmap) executing eagerly. */
export function disableJit<T>(fn: () => T): T {
  const prev = config.get("disableJit");
  config.update("disableJit", true);
  try {
    return fn();
  } finally {
    config.update("disableJit", prev);
  }
}
