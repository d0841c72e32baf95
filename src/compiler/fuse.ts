// fuse.ts — the jaxpr compiler for the js backend: consecutive elementwise equations with the
// same output shape fuse into one generated loop (operands of other shapes are read with
// numpy broadcasting), so a chain like tanh(x)*2 + sin(x)*x makes one pass over memory and
// allocates only its outputs; every other equation runs through its primitive as usual.
// Each fused op rounds to its dtype exactly as the reference kernels do, so compiled and
// op-by-op results are bit-identical. Executables are cached per jaxpr.
import { shapeEq, shapeSize, stridesOf } from "../core/aval.js";
import { EagerArray, type JaxArray } from "../core/array.js";
import { type TypedArray, typedArrayFor } from "../core/dtype.js";
import { type Atom, type Jaxpr, type JaxprEqn, Literal, type Var } from "../core/jaxpr.js";
import { bind } from "../core/trace.js";
import { allocHints, getBackend } from "../backends/backend.js";
import { JS_HELPERS, JS_OPS, roundTo } from "./js_ops.js";
import { simplifyJaxpr } from "./simplify.js";

/** A generated JS loop over a fused group (its outputs include the reductions' results). */
export type JsKernel = { kind: "kernel"; fn: (ins: TypedArray[], outs: TypedArray[]) => void; inputs: Atom[]; outputs: Var[]; shape: readonly number[] };
type Step = { kind: "eqn"; eqn: JaxprEqn } | JsKernel;

export interface Executable {
  readonly steps: readonly Step[];
  run(consts: readonly JaxArray[], args: readonly JaxArray[]): JaxArray[];
}

/** Is this equation fusible into an elementwise kernel of the given shape? */
export function fusible(e: JaxprEqn): boolean {
  if (!(e.prim.name in JS_OPS) || e.outvars.length !== 1) return false;
  // operands broadcast numpy-style into the output: every operand's rank is at most the output's
  const out = e.outvars[0]!.aval;
  return e.inputs.every((a) => a.aval.ndim <= out.ndim) && out.dtype !== "float0";
}

/** A reduction fused at the end of a kernel: reduce_sum/max/min of one of its values. */
interface Reduction {
  eqn: JaxprEqn;
}
const REDUCERS: Record<string, { init: (d: string) => string; combine: (acc: string, v: string) => string }> = {
  reduce_sum: { init: () => "0", combine: (a, v) => `${a} + ${v}` },
  // NaN propagates; the first NaN wins (as the reference kernels)
  reduce_max: { init: (d) => (d === "int32" ? "-2147483648" : d === "uint32" ? "0" : "-Infinity"), combine: (a, v) => `(${v} > ${a} || ${v} !== ${v} ? ${v} : ${a})` },
  reduce_min: { init: (d) => (d === "int32" ? "2147483647" : d === "uint32" ? "4294967295" : "Infinity"), combine: (a, v) => `(${v} < ${a} || ${v} !== ${v} ? ${v} : ${a})` },
};

export function codegen(eqns: JaxprEqn[], inputs: Atom[], outputs: Var[], shape: readonly number[], reductions: Reduction[] = []): JsKernel {
  const name = new Map<Var, string>();
  const lines: string[] = [];
  const pre: string[] = [];
  const n = shapeSize(shape);
  const rank = shape.length;
  // how each input is read: flat index, a hoisted scalar, or broadcast strides
  const needsNest =
    inputs.some((a) => a.aval.size !== 1 && !shapeEq(a.aval.shape, shape)) || reductions.some((r) => r.eqn.outvars[0]!.aval.size !== 1);
  inputs.forEach((a, k) => {
    const v = `in${k}`;
    if (a.aval.size === 1) {
      pre.push(`const s${k} = ins[${k}][0];`);
      if (!(a instanceof Literal)) name.set(a as Var, `s${k}`);
      else name.set(a as unknown as Var, `s${k}`);
    } else {
      pre.push(`const ${v} = ins[${k}];`);
      if (shapeEq(a.aval.shape, shape)) name.set(a as Var, `${v}[i]`);
      else {
        // broadcast: offset = sum over dims of idx_d * stride_d (0 on broadcast dims)
        const st = stridesOf(a.aval.shape);
        const off = rank - a.aval.ndim;
        const terms: string[] = [];
        for (let d = 0; d < a.aval.ndim; d++) if (a.aval.shape[d] !== 1) terms.push(`i${d + off} * ${st[d]}`);
        name.set(a as Var, `${v}[${terms.join(" + ") || "0"}]`);
      }
    }
  });
  outputs.forEach((_, k) => pre.push(`const out${k} = outs[${k}];`));
  const atomName = (a: Atom): string => {
    const r = name.get(a as Var);
    if (r === undefined) throw new Error("internal: fused kernel operand without a name");
    return r;
  };
  let t = 0;
  for (const e of eqns) {
    const v = e.outvars[0]!;
    const expr = JS_OPS[e.prim.name]!(e.inputs.map(atomName), e.params, e.inputs.map((a) => a.aval.dtype), v.aval.dtype);
    const tn = `t${t++}`;
    lines.push(`const ${tn} = ${roundTo(expr, v.aval.dtype)};`);
    name.set(v, tn);
  }
  outputs.forEach((o, k) => lines.push(`out${k}[i] = ${name.get(o)};`));
  // fused reductions accumulate in float64 in row-major order, then round once (as the
  // reference reduction kernels), so results are bit-identical
  const post: string[] = [];
  reductions.forEach((r, k) => {
    const o = r.eqn.outvars[0]!;
    const axes = r.eqn.params.axes as number[];
    const R = REDUCERS[r.eqn.prim.name]!;
    const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
    const ost = stridesOf(kept.map((d) => shape[d]!));
    // a single accumulator needs no index (the loop may then be flat)
    const oi = o.aval.size === 1 ? "0" : kept.map((d, j) => `i${d} * ${ost[j]}`).join(" + ") || "0";
    pre.push(`const acc${k} = new Float64Array(${o.aval.size}).fill(${R.init(o.aval.dtype)});`);
    pre.push(`const rout${k} = outs[${outputs.length + k}];`);
    lines.push(`{ const j = ${oi}; acc${k}[j] = ${R.combine(`acc${k}[j]`, name.get(r.eqn.inputs[0] as Var)!)}; }`);
    post.push(`for (let j = 0; j < ${o.aval.size}; j++) rout${k}[j] = acc${k}[j];`);
  });
  let body: string;
  if (!needsNest) body = `for (let i = 0; i < ${n}; i++) {\n${lines.join("\n")}\n}`;
  else {
    // nested loops give each broadcast operand its multi-index; i is the flat output index
    let open = "let i = 0;\n";
    let close = "";
    for (let d = 0; d < rank; d++) {
      open += `for (let i${d} = 0; i${d} < ${shape[d]}; i${d}++) {\n`;
      close += "}\n";
    }
    body = `${open}${lines.join("\n")}\ni++;\n${close}`;
  }
  const src = `"use strict";\nreturn function fused(ins, outs) {\n${pre.join("\n")}\n${body}\n${post.join("\n")}\n};`;
  const helperNames = Object.keys(JS_HELPERS);
  const make = new Function(...helperNames, src) as (...h: unknown[]) => (ins: TypedArray[], outs: TypedArray[]) => void;
  const fn = make(...helperNames.map((h) => JS_HELPERS[h as keyof typeof JS_HELPERS]));
  return { kind: "kernel", fn, inputs, outputs: [...outputs, ...reductions.map((r) => r.eqn.outvars[0]!)], shape };
}

/** A fused group: consecutive elementwise equations of one output shape, then reductions of
 * values they compute. `inputs` are the atoms read from outside, `outputs` the values used
 * outside (each reduction's output is its own). */
export interface FusedGroup {
  eqns: JaxprEqn[];
  inputs: Atom[];
  outputs: Var[];
  shape: readonly number[];
  reductions: JaxprEqn[];
}
export type Planned = { kind: "eqn"; eqn: JaxprEqn } | { kind: "group"; group: FusedGroup };

/** The atoms a set of equations reads from outside it, in first-use order. */
export function groupInputs(eqns: readonly JaxprEqn[]): Atom[] {
  const defined = new Set(eqns.map((e) => e.outvars[0]!));
  const inputs: Atom[] = [];
  const seen = new Set<Atom>();
  for (const e of eqns)
    for (const a of e.inputs)
      if (!(a instanceof Literal ? false : defined.has(a)) && !seen.has(a)) {
        seen.add(a);
        inputs.push(a);
      }
  return inputs;
}

/** Who reads each variable: the equations, and "out" for the jaxpr's outputs. */
export type Uses = Map<Var, Set<JaxprEqn | "out">>;
export function usesOf(jaxpr: Jaxpr): Uses {
  const usedBy: Uses = new Map();
  const use = (a: Atom, by: JaxprEqn | "out") => {
    if (a instanceof Literal) return;
    let s = usedBy.get(a);
    if (!s) usedBy.set(a, (s = new Set()));
    s.add(by);
  };
  for (const e of jaxpr.eqns) e.inputs.forEach((a) => use(a, e));
  jaxpr.outvars.forEach((a) => use(a, "out"));
  return usedBy;
}

/**
 * Splits a jaxpr into fused groups and single equations. `canFuse(e)` says whether an
 * equation may join an elementwise group; `canReduce(e, group)` whether a reduction of a value
 * the group computes may fuse into it (the group's elementwise equations are final then);
 * `kindOf(e)` (optional) splits groups where it changes (the wasm compiler keeps its own
 * kernels and JS loops apart).
 */
export function planJaxpr(
  jaxpr: Jaxpr,
  canFuse: (e: JaxprEqn) => boolean,
  canReduce: (e: JaxprEqn, group: readonly JaxprEqn[], reductions: readonly JaxprEqn[]) => boolean,
  kindOf: (e: JaxprEqn) => string = () => "",
): Planned[] {
  // uses of each var outside its defining group decide the group's outputs
  const usedBy = usesOf(jaxpr);

  const steps: Planned[] = [];
  let group: JaxprEqn[] = [];
  let reductions: JaxprEqn[] = [];
  const flush = () => {
    if (group.length === 0) return;
    if (group.length === 1 && reductions.length === 0) {
      steps.push({ kind: "eqn", eqn: group[0]! });
      group = [];
      return;
    }
    // a value only the group's own reductions read stays in registers
    const members = new Set([...group, ...reductions]);
    const outputs = group.map((e) => e.outvars[0]!).filter((v) => [...(usedBy.get(v) ?? [])].some((u) => u === "out" || !members.has(u)));
    steps.push({ kind: "group", group: { eqns: group, inputs: groupInputs(group), outputs, shape: group[0]!.outvars[0]!.aval.shape, reductions } });
    group = [];
    reductions = [];
  };
  // a reduction of a value the current group computes, over the group's shape, joins it
  const reducible = (e: JaxprEqn) =>
    e.prim.name in REDUCERS &&
    group.length > 0 &&
    !(e.inputs[0] instanceof Literal) &&
    group.some((g) => g.outvars[0] === e.inputs[0]) &&
    e.outvars[0]!.aval.dtype !== "bool" &&
    e.outvars[0]!.aval.dtype !== "float0" &&
    canReduce(e, group, reductions);
  for (const e of jaxpr.eqns) {
    if (reducible(e)) {
      reductions.push(e);
      continue;
    }
    if (
      reductions.length === 0 &&
      canFuse(e) &&
      (group.length === 0 || (shapeEq(group[0]!.outvars[0]!.aval.shape, e.outvars[0]!.aval.shape) && kindOf(group[0]!) === kindOf(e)))
    ) {
      group.push(e);
      continue;
    }
    flush();
    if (canFuse(e)) group.push(e);
    else steps.push({ kind: "eqn", eqn: e });
  }
  flush();
  return steps;
}

/** Compiles a jaxpr into steps: fused elementwise kernels and single equations. */
export function compileJaxpr(original: Jaxpr): Executable {
  const jaxpr = simplifyJaxpr(original);
  const steps: Step[] = planJaxpr(jaxpr, fusible, () => true).map((p) =>
    p.kind === "eqn" ? p : codegen(p.group.eqns, p.group.inputs, p.group.outputs, p.group.shape, p.group.reductions.map((eqn) => ({ eqn }))),
  );

  const js = getBackend("js");
  return {
    steps,
    run: (consts, args) =>
      runSteps(jaxpr, steps, consts, args, (s, read, set) => {
        const ins = s.inputs.map((a) => (read(a) as EagerArray)._host());
        const outs = s.outputs.map((v) => typedArrayFor(v.aval.dtype, v.aval.size));
        s.fn(ins, outs);
        s.outputs.forEach((v, i) => set(v, EagerArray.fromTyped(outs[i]!, v.aval.shape, v.aval.dtype, v.aval.weakType, js)));
      }, (s) => s.inputs),
  };
}

/** Called after every step of a compiled program with its time in ms (for profiling). */
let stepProfiler: ((step: unknown, ms: number) => void) | null = null;
export function setStepProfiler(fn: ((step: unknown, ms: number) => void) | null): void {
  stepProfiler = fn;
}

/** A planned step: one equation run through bind, or a kernel of the compiler. */
type AnyStep<K> = { kind: "eqn"; eqn: JaxprEqn } | K;

/**
 * Liveness of a step list: for each step, the variables read for the last time there. The
 * jaxpr's inputs, constants and outputs are never listed, nor anything a host callback saw
 * (the callback may keep it).
 */
function lastUses<K>(jaxpr: Jaxpr, steps: readonly AnyStep<K>[], inputsOf: (k: K) => readonly Atom[]): Liveness {
  const keep = new Set<Var>([...jaxpr.invars, ...jaxpr.constvars]);
  for (const a of jaxpr.outvars) if (!(a instanceof Literal)) keep.add(a);
  const outs = new Set(jaxpr.outvars);
  const last = new Map<Var, number>();
  // per step: whether what it makes may outlive the call — a kernel with an output among the
  // jaxpr's, any output of a higher-order primitive (it may alias anything), and anything a
  // host callback's user code makes
  const escapes = steps.map((s, i) => {
    const eqn = (s as { kind: string; eqn?: JaxprEqn }).kind === "eqn" ? (s as { eqn: JaxprEqn }).eqn : null;
    const host = eqn?.prim.name === "debug_callback";
    for (const a of eqn ? eqn.inputs : inputsOf(s as K)) if (!(a instanceof Literal)) host ? keep.add(a) : last.set(a, i);
    return !eqn || host || typeof eqn.prim.impl !== "function" || eqn.outvars.some((v) => outs.has(v));
  });
  const dies: Var[][] = steps.map(() => []);
  for (const [v, i] of last) if (!keep.has(v)) dies[i]!.push(v);
  return { dies, escapes };
}
interface Liveness {
  /** Per step: the variables read for the last time there. */
  dies: Var[][];
  /** Per step: whether what it makes may outlive the call (else allocHints.transient). */
  escapes: boolean[];
}
const livenessCache = new WeakMap<object, Liveness>();

/**
 * Runs planned steps over an environment of the jaxpr's variables: single equations through
 * bind, kernels through `runKernel` (which reads its inputs and sets its outputs).
 * Memory: a value the program made itself (a kernel's output, or a first-order primitive's)
 * is disposed right after its last use, and any such value left unused at the end too, so
 * the backend reuses its block at once instead of waiting for the garbage collector; values
 * of higher-order primitives (which may be their inputs or cached constants), the arguments,
 * constants and outputs are never disposed.
 */
export function runSteps<K>(
  jaxpr: Jaxpr,
  steps: readonly AnyStep<K>[],
  consts: readonly JaxArray[],
  args: readonly JaxArray[],
  runKernel: (k: K, read: (a: Atom) => JaxArray, set: (v: Var, x: JaxArray) => void) => void,
  inputsOf: (k: K) => readonly Atom[],
): JaxArray[] {
  let live = livenessCache.get(steps);
  if (!live) livenessCache.set(steps, (live = lastUses(jaxpr, steps, inputsOf)));
  const { dies, escapes } = live;
  const env = new Map<Var, JaxArray>();
  const owned = new Set<Var>();
  jaxpr.constvars.forEach((v, i) => env.set(v, consts[i]!));
  jaxpr.invars.forEach((v, i) => env.set(v, args[i]!));
  const read = (a: Atom): JaxArray => (a instanceof Literal ? a.val : env.get(a)!);
  const setOwned = (v: Var, x: JaxArray) => {
    env.set(v, x);
    owned.add(v);
  };
  const drop = (v: Var) => {
    if (!owned.delete(v)) return;
    const x = env.get(v);
    env.delete(v);
    if (x instanceof EagerArray) x.dispose();
  };
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    const st = s as { kind: string; eqn?: JaxprEqn };
    const t0 = stepProfiler ? performance.now() : 0;
    const hint = allocHints.transient;
    allocHints.transient = !escapes[i];
    try {
      if (st.kind === "eqn") {
        const e = st.eqn!;
        const outs = bind(e.prim, e.inputs.map(read), e.params);
        const fresh = typeof e.prim.impl === "function";
        outs.forEach((o, j) => {
          if (fresh) return setOwned(e.outvars[j]!, o);
          env.set(e.outvars[j]!, o);
          // a higher-order primitive may return one of its inputs itself (cond's identity
          // branch, a loop's untouched carry): that value now lives on in this output
          for (const a of e.inputs) if (!(a instanceof Literal) && owned.has(a) && env.get(a) === o) owned.delete(a);
        });
      } else runKernel(s as K, read, setOwned);
    } finally {
      allocHints.transient = hint;
    }
    if (stepProfiler) stepProfiler(s, performance.now() - t0);
    for (const v of dies[i]!) drop(v);
  }
  const outs = jaxpr.outvars.map(read);
  for (const v of jaxpr.outvars) if (!(v instanceof Literal)) owned.delete(v);
  for (const v of [...owned]) drop(v);
  return outs;
}

const cache = new WeakMap<Jaxpr, Executable>();
/** The cached executable of a jaxpr. */
export function executableFor(jaxpr: Jaxpr): Executable {
  let ex = cache.get(jaxpr);
  if (!ex) cache.set(jaxpr, (ex = compileJaxpr(jaxpr)));
  return ex;
}
