// wasm_codegen.ts — the jaxpr compiler for the wasm backend: fused elementwise groups (the
// grouping of fuse.ts, with the ops and dtypes the wasm emitters of kernels.ts support) become
// ONE generated SIMD128 loop over the output (4 lanes, then the tail lane by lane) that keeps
// every intermediate value in registers and stores only the group's outputs; fused trailing
// reductions (float32 sum/max/min over the trailing dims) accumulate in the same pass.
//
// Exactness: each op is emitted by the same EW_OPS emitter the op-by-op kernels use, on the
// same lanes, so values are bit-identical to op-by-op wasm execution; fused reductions
// reproduce reduceLastKernel's accumulation exactly (8 float64 partial sums per row, tail
// elements one by one, the same final combination for sum; the same lane/tail order for
// max/min, which decides which NaN or signed zero wins), so they are bit-identical too.
// sin/cos recompute a whole vector on the host when one lane is huge (vmath.ts), so their
// result can depend on which 4 elements share a vector: groups with them use the row layout
// only when rows are a multiple of 4 long (vectors then align as in the flat op-by-op kernel).
//
// Row epilogues: when a group with row reductions is followed by reshapes of the reduction
// results and an elementwise step of the group's shape (softmax: e / sum(e)), that step runs
// inside the same kernel, over each row right after the row's reductions (values it reads
// back are in cache; group values only it needs go to a per-thread scratch row).
// Row max: when the steps just before a rows kernel are reduce_max of one of its full
// operands over each row and reshapes / stop_gradients of it, read by the kernel as its
// "col" operand (softmax's x - max(x)), the max is computed inside the kernel, in a first pass
// over each row (reduceLastKernel's order, so bit-identical), stored as the reduce_max output
// and splat for the row; the reshapes run after the kernel.
// Pipelining: a row's passes are memory-bound (the max pass loads the row, the epilogue
// stores it) or arithmetic-bound (the main pass), so they are interleaved across rows: block
// by block, the main pass of row r runs together with the max pass of row r + 1 and the
// epilogue of row r − 1 (which reads the other of two sets of scratch rows). Each pass keeps
// its own order, so the values are the same; an epilogue that reads a per-row ("col")
// operand runs after its own row instead. Before the jaxpr is planned, simplify.ts folds
// scalar constants, lets elementwise ops read scalar broadcasts in place and turns outer
// products into broadcasting multiplies.
// Threads: kernels of at least PAR_MIN elements are split over the backend's worker pool,
// flat ones in chunks of 16 elements, rows ones by rows — bitwise the same as one call.
//
// Layouts (operands collapsed with kernels.collapse):
//   flat  `fused(out…, in…, scalar…, start, end)`   every operand full-size or scalar
//   rows  `fused(out…, red…, epi…, [max], in…, scalar…, [scratch], C, r0, r1)`   a [R, C] output;
//          operands full, "row" ([C], the same for every row), "col" ([R, 1], one value per
//          row) or scalar; reductions reduce each row (the trailing dims) to out[r]
// Scalars (size-1 operands) are passed by value (their 32 bits, as i32). Both take a
// sub-range (the ABI of kernels.ts).
// Anything else — other broadcasts (e.g. rank ≥ 3 after collapsing), float64/uint32, ops
// without an emitter, middle-axis reductions — runs op by op through bind (which is exact by
// definition). Modules are cached per group signature (kernelModule); executables per jaxpr.
import { shapeEq, shapeSize, stridesOf } from "../core/aval.js";
import { typedArrayFor } from "../core/dtype.js";
import { EagerArray, type JaxArray } from "../core/array.js";
import { type Atom, type Jaxpr, type JaxprEqn, Literal, type Var } from "../core/jaxpr.js";
import { getBackend } from "../backends/backend.js";
import { type FuncBuilder, type Local, Op, T, V, type ValType } from "../backends/wasm/encoder.js";
import {
  EW_OPS,
  type EwOp,
  HIGH_TO_LOW,
  type HostFns,
  type KernelFn,
  type Kind,
  collapse,
  elemBytes,
  emitCombine,
  emitCombineScalar,
  kernelModule,
  laneLoad,
  laneStore,
  vload,
  vstore,
} from "../backends/wasm/kernels.js";
import * as X from "../backends/wasm/vmath.js";
import { KIND, PAR_MIN, WasmBuffer, bstrides, heap, hostBuffer, kernelCall, newBuffer, wasmThreadPool } from "../backends/wasm/index.js";
import { simplifyJaxpr } from "./simplify.js";
import { type FusedGroup, type JsKernel, type Planned, type Uses, codegen, fusible, groupInputs, planJaxpr, runSteps, usesOf } from "./fuse.js";

/** The EW_OPS key of an equation, or null when it has no wasm emitter (then it is not fused). */
export function wasmOpKey(e: JaxprEqn): string | null {
  if (e.outvars.length !== 1) return null;
  const out = e.outvars[0]!.aval;
  const ok = KIND[out.dtype];
  if (!ok || e.inputs.some((a) => a.aval.ndim > out.ndim)) return null;
  const kinds = e.inputs.map((a) => KIND[a.aval.dtype]);
  if (kinds.some((k) => k === undefined)) return null;
  const n = e.prim.name;
  let key: string;
  // the keys the op-by-op wasm backend uses for these primitives (index.ts)
  if (n === "integer_pow") {
    const y = e.params.y;
    if (kinds[0] !== "f32") return null;
    key = y === 2 ? "square:f32" : y === -1 ? "reciprocal:f32" : y === 1 ? "convert_element_type:f32>f32" : "";
  } else if (n === "convert_element_type") key = `convert_element_type:${kinds[0]}>${ok}`;
  else if (n === "square" || n === "reciprocal") return null; // not primitives the backend runs as wasm
  else key = `${n}:${kinds.join(",")}`;
  const op = EW_OPS[key];
  return op && op.out === ok ? key : null;
}

type Mode = "full" | "row" | "col" | "scalar" | "pre";
interface Layout {
  rows: boolean;
  R: number;
  C: number;
  modes: Mode[];
}
const REDS: Record<string, "sum" | "max" | "min"> = { reduce_sum: "sum", reduce_max: "max", reduce_min: "min" };

/** Strides writing a reduction's output from the input index (0 on reduced dims). */
function redStrides(shape: readonly number[], axes: readonly number[]): number[] {
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const ks = stridesOf(kept.map((d) => shape[d]!));
  const r = new Array<number>(shape.length).fill(0);
  kept.forEach((d, j) => (r[d] = shape[d] === 1 ? 0 : ks[j]!));
  return r;
}

/** The layout of a group with these inputs and reductions, or null when unsupported. */
function layoutOf(shape: readonly number[], inputs: readonly Atom[], reds: readonly JaxprEqn[], hostOps: boolean): Layout | null {
  const n = shapeSize(shape);
  if (n === 0) return null;
  const full = inputs.filter((a) => a.aval.size !== 1);
  const c = collapse(shape, [stridesOf(shape), ...full.map((a) => bstrides(a.aval.shape, shape)), ...reds.map((r) => redStrides(shape, r.params.axes as number[]))]);
  const nIn = full.length;
  const modes: Mode[] = [];
  if (c.shape.length === 1) {
    for (let j = 0; j < nIn; j++) if (c.strides[1 + j]![0] !== 1) return null;
    // a reduction must reduce everything (op by op: reduceLastKernel over all n elements)
    for (let j = 0; j < reds.length; j++) if (c.strides[1 + nIn + j]![0] !== 0) return null;
    for (const a of inputs) modes.push(a.aval.size === 1 ? "scalar" : "full");
    return { rows: reds.length > 0, R: 1, C: n, modes };
  }
  if (c.shape.length !== 2) return null;
  const [R, C] = c.shape as [number, number];
  if (hostOps && C % 4 !== 0) return null;
  let j = 0;
  for (const a of inputs) {
    if (a.aval.size === 1) {
      modes.push("scalar");
      continue;
    }
    const [sr, sc] = c.strides[1 + j++]!;
    if (sr === C && sc === 1) modes.push("full");
    else if (sr === 0 && sc === 1) modes.push("row");
    else if (sr === 1 && sc === 0) modes.push("col");
    else return null;
  }
  // each reduction reduces the trailing dims of each row (op by op: reduceLastKernel, R rows of C)
  for (let k = 0; k < reds.length; k++) {
    const [sr, sc] = c.strides[1 + nIn + k]!;
    if (sr !== 1 || sc !== 0) return null;
  }
  return { rows: true, R, C, modes };
}

const hasHostOps = (eqns: readonly JaxprEqn[]): boolean => eqns.some((e) => (EW_OPS[wasmOpKey(e)!]?.host?.length ?? 0) > 0);

/** Whether reduction `e` of a value of `group` fuses into the group's wasm kernel. */
function reductionFuses(e: JaxprEqn, group: readonly JaxprEqn[], reds: readonly JaxprEqn[]): boolean {
  if (!(e.prim.name in REDS) || e.inputs[0]!.aval.dtype !== "float32" || e.outvars[0]!.aval.dtype !== "float32") return false;
  return layoutOf(group[0]!.outvars[0]!.aval.shape, groupInputs(group), [...reds, e], hasHostOps(group)) !== null;
}

// ---------------------------------------------------------------- kernel generation
/**
 * A row epilogue (rows layout with reductions): elementwise equations of the group's shape
 * that read the group's values, the reductions' results reshaped to [R, 1] ("pseudo" values:
 * each row's result, splat) and outside operands; they run over each row right after the
 * row's reductions finish, while the row is in cache (softmax's e / sum(e)). Group values the
 * epilogue reads and nothing later needs go to a scratch row instead of an output.
 */
interface Epilogue {
  eqns: JaxprEqn[];
  outputs: Var[];
  /** reshaped reduction outputs -> reduction index */
  pseudo: Map<Var, number>;
  /** group values read back (from their output row or their scratch row) */
  reads: Var[];
  /** group values that get a scratch row (C × 4 bytes each, per kernel call) */
  scratch: Var[];
}
interface KernelSpec {
  eqns: JaxprEqn[];
  /** every operand read from outside (the group's, then the epilogue's) */
  inputs: Atom[];
  outputs: Var[];
  reductions: JaxprEqn[];
  layout: Layout;
  epi: Epilogue | null;
  /** a leading row max computed in the kernel (softmax's max(x)): `src` (a full input) is
   * reduced per row into its own output, which the "pre" input `col` reads (one per row) */
  pre: { red: JaxprEqn; src: number; col: number } | null;
}
const kindOf = (a: Atom | Var): Kind => KIND[a.aval.dtype]!;

/** A cache key naming the kernel's code (not its sizes). */
function specKey(s: KernelSpec): string {
  const ref = new Map<Atom, string>();
  s.inputs.forEach((a, j) => ref.set(a, `i${j}`));
  s.eqns.forEach((e, k) => ref.set(e.outvars[0]!, `v${k}`));
  s.epi?.pseudo.forEach((r, v) => ref.set(v, `p${r}`));
  s.epi?.eqns.forEach((e, k) => ref.set(e.outvars[0]!, `e${k}`));
  const eqs = (es: readonly JaxprEqn[]) => es.map((e) => `${wasmOpKey(e)}(${e.inputs.map((a) => ref.get(a)).join(",")})`).join(";");
  const ins = s.inputs.map((a, j) => `${kindOf(a)}${s.layout.modes[j]}`).join(",");
  const outs = s.outputs.map((v) => ref.get(v)).join(",");
  const reds = s.reductions.map((r) => `${REDS[r.prim.name]}(${ref.get(r.inputs[0]!)})`).join(",");
  const epi = s.epi
    ? `|epi:${eqs(s.epi.eqns)}|${s.epi.outputs.map((v) => ref.get(v)).join(",")}|${s.epi.reads.map((v) => ref.get(v)).join(",")}|${s.epi.scratch.map((v) => ref.get(v)).join(",")}`
    : "";
  const pre = s.pre ? `|pre:${REDS[s.pre.red.prim.name]}(i${s.pre.src})>i${s.pre.col}` : "";
  return `fused|${s.layout.rows ? "rows" : "flat"}|${ins}|${eqs(s.eqns)}|${outs}|${reds}${epi}${pre}`;
}

/** Input indices of the operands kept in memory and of the scalars. */
const memInsOf = (s: KernelSpec): number[] => s.inputs.map((_, j) => j).filter((j) => s.layout.modes[j] !== "scalar" && s.layout.modes[j] !== "pre");
const scalarInsOf = (s: KernelSpec): number[] => s.inputs.map((_, j) => j).filter((j) => s.layout.modes[j] === "scalar");

/**
 * Parameters: out…, red…, epiOut…, [preOut], in… (operands in memory), scalar… (32 bits as i32),
 * [scratch], then start, end (flat) or C, r0, r1 (rows).
 */
function buildKernel(s: KernelSpec): KernelFn {
  const ex = kernelModule(heap, specKey(s), (m) => {
    const all = [...s.eqns, ...(s.epi?.eqns ?? [])];
    const needs = new Set(all.flatMap((e) => EW_OPS[wasmOpKey(e)!]!.host ?? []));
    const host: HostFns = { sin: -1, cos: -1, pow: -1 };
    for (const h of ["sin", "cos", "pow"] as const) if (needs.has(h)) host[h] = m.importFunc(h, h === "pow" ? [T.f64, T.f64] : [T.f64], [T.f64]);
    const params: ValType[] = [
      ...s.outputs.map(() => T.i32),
      ...s.reductions.map(() => T.i32),
      ...(s.epi?.outputs ?? []).map(() => T.i32),
      ...(s.pre ? [T.i32] : []),
      ...memInsOf(s).map(() => T.i32),
      ...scalarInsOf(s).map(() => T.i32),
      ...(s.epi?.scratch.length ? [T.i32] : []),
      ...(s.layout.rows ? [T.i32, T.i32, T.i32] : [T.i32, T.i32]),
    ];
    m.func("fused", params, [], (f) => emitBody(f, s, host));
  });
  return ex.fused!;
}

/** A streamed operand of one phase: its pointer starts at base (+ offset · element size when
 * perRow) and advances by 4 elements per step. */
interface Stream {
  ptr: Local;
  kind: Kind;
  val: Local;
  base: () => void;
  perRow: boolean;
}
interface Phase {
  loads: Stream[];
  eqns: JaxprEqn[];
  ops: EwOp[];
  stores: Stream[];
}

function emitBody(f: FuncBuilder, s: KernelSpec, host: HostFns): void {
  f.poolConstants = true;
  const { rows, modes } = s.layout;
  const epi = s.epi;
  const memIns = memInsOf(s);
  const scalarIns = scalarInsOf(s);
  let pi = 0;
  const outBase = s.outputs.map(() => f.params[pi++]!);
  const redBase = s.reductions.map(() => f.params[pi++]!);
  const epiBase = (epi?.outputs ?? []).map(() => f.params[pi++]!);
  const preBase = s.pre ? f.params[pi++]! : null;
  const inBase = new Map<number, Local>();
  for (const j of memIns) inBase.set(j, f.params[pi++]!);
  const scalarParam = new Map<number, Local>();
  for (const j of scalarIns) scalarParam.set(j, f.params[pi++]!);
  const scratch = epi?.scratch.length ? f.params[pi++]! : null;
  const rest = f.params.slice(pi);
  const C = rows ? rest[0]! : null;
  const t = new X.Temps(f);
  const n = f.local(T.i32);
  // vector values: one local per operand and per equation (and per pseudo value)
  const val = new Map<Atom, Local>();
  s.inputs.forEach((a) => val.set(a, f.local(T.v128)));
  for (const e of [...s.eqns, ...(epi?.eqns ?? [])]) val.set(e.outvars[0]!, f.local(T.v128));
  epi?.pseudo.forEach((_, v) => val.set(v, f.local(T.v128)));

  const loadsFor = (eqns: readonly JaxprEqn[]): Stream[] => {
    const used = new Set<Atom>(eqns.flatMap((e) => e.inputs));
    return memIns
      .filter((j) => modes[j] !== "col" && used.has(s.inputs[j]!))
      .map((j) => ({ ptr: f.local(T.i32), kind: kindOf(s.inputs[j]!), val: val.get(s.inputs[j]!)!, base: () => f.get(inBase.get(j)!), perRow: modes[j] === "full" }));
  };
  // scratch rows come in two sets (by row parity) so that the epilogue of row r − 1 can read
  // its set while row r's main pass writes the other (see interleavePost)
  const nScratch = epi?.scratch.length ?? 0;
  const parMain = f.local(T.i32);
  const parPost = f.local(T.i32);
  const scratchSlot = (v: Var, par: Local): (() => void) => {
    const k = epi!.scratch.indexOf(v);
    return () => f.get(scratch!).get(C!).get(par).i32(nScratch).op(Op.i32_mul).i32(k).op(Op.i32_add).i32(4).op(Op.i32_mul).op(Op.i32_mul).op(Op.i32_add);
  };
  const main: Phase = {
    loads: loadsFor(s.eqns),
    eqns: s.eqns,
    ops: s.eqns.map((e) => EW_OPS[wasmOpKey(e)!]!),
    stores: [
      ...s.outputs.map((v, k) => ({ ptr: f.local(T.i32), kind: kindOf(v), val: val.get(v)!, base: () => f.get(outBase[k]!), perRow: true })),
      ...(epi?.scratch ?? []).map((v) => ({ ptr: f.local(T.i32), kind: kindOf(v), val: val.get(v)!, base: scratchSlot(v, parMain), perRow: false })),
    ],
  };
  const post: Phase | null = epi && {
    loads: [
      ...loadsFor(epi.eqns),
      ...epi.reads.map((v) => {
        const k = s.outputs.indexOf(v);
        return k >= 0
          ? { ptr: f.local(T.i32), kind: kindOf(v), val: val.get(v)!, base: () => f.get(outBase[k]!), perRow: true }
          : { ptr: f.local(T.i32), kind: kindOf(v), val: val.get(v)!, base: scratchSlot(v, parPost), perRow: false };
      }),
    ],
    eqns: epi.eqns,
    ops: epi.eqns.map((e) => EW_OPS[wasmOpKey(e)!]!),
    stores: epi.outputs.map((v, k) => ({ ptr: f.local(T.i32), kind: kindOf(v), val: val.get(v)!, base: () => f.get(epiBase[k]!), perRow: true })),
  };

  // scalars are splat once (their bits)
  for (const j of scalarIns) f.get(scalarParam.get(j)!).v(V.i32x4_splat).set(val.get(s.inputs[j]!)!);

  /** Points a phase's streams at element `off` (per-row streams) or at their base. */
  const initPtrs = (ph: Phase, off: Local) => {
    for (const st of [...ph.loads, ...ph.stores]) {
      st.base();
      if (st.perRow) f.get(off).i32(elemBytes(st.kind)).op(Op.i32_mul).op(Op.i32_add);
      f.set(st.ptr);
    }
  };
  /** Loads (4 lanes, or the first n with `partial`), computes every equation into its
   * local, stores. */
  const step = (ph: Phase, partial: boolean) => {
    for (const st of ph.loads) {
      if (partial) laneLoad(f, st.kind, st.ptr, n, st.val);
      else {
        f.get(st.ptr);
        vload(f, st.kind);
        f.set(st.val);
      }
    }
    ph.eqns.forEach((e, k) => {
      ph.ops[k]!.emit(f, t, e.inputs.map((a) => X.g(val.get(a)!)), host);
      f.set(val.get(e.outvars[0]!)!);
    });
    for (const st of ph.stores) {
      if (partial) laneStore(f, st.kind, st.ptr, n, st.val);
      else vstore(f, st.kind, st.ptr, st.val);
    }
  };
  const advance = (ph: Phase) => {
    for (const st of [...ph.loads, ...ph.stores]) f.get(st.ptr).i32(4 * elemBytes(st.kind)).op(Op.i32_add).set(st.ptr);
  };
  const sub4 = () => f.get(n).i32(4).op(Op.i32_sub).set(n);
  /** while n >= 4: step; then the tail of 1..3 lanes. */
  const stream = (ph: Phase) => {
    f.block((exit) => {
      f.loop((cont) => {
        f.get(n).i32(4).op(Op.i32_lt_s).brIf(exit);
        step(ph, false);
        advance(ph);
        sub4();
        f.br(cont);
      });
    });
    f.get(n).i32(0).op(Op.i32_gt_s);
    f.if(() => step(ph, true));
  };

  if (!rows) {
    const [start, end] = rest as [Local, Local];
    initPtrs(main, start);
    f.get(end).get(start).op(Op.i32_sub).set(n);
    stream(main);
    return;
  }

  const [, r0, r1] = rest as [Local, Local, Local];
  const row = f.local(T.i32);
  const rowOff = f.local(T.i32);
  // reduction accumulators, as reduceLastKernel: sum 4 f64x2 + f64 tail; max/min 2 f32x4 + f32 tail
  type Red = { op: "sum" | "max" | "min"; v: Local; acc: Local[]; s: Local; x: Local };
  const mkRed = (e: JaxprEqn, v: Local): Red => {
    const op = REDS[e.prim.name]!;
    return { op, v, acc: f.locals(T.v128, op === "sum" ? 4 : 2), s: f.local(op === "sum" ? T.f64 : T.f32), x: f.local(T.f32) };
  };
  const red = s.reductions.map((e) => mkRed(e, val.get(e.inputs[0]!)!));
  const accumulate = (red: readonly Red[], second: boolean) => {
    for (const r of red) {
      if (r.op === "sum") {
        const a = second ? 2 : 0;
        f.get(r.acc[a]!).get(r.v).v(V.f64x2_promote_low_f32x4).v(V.f64x2_add).set(r.acc[a]!);
        f.get(r.acc[a + 1]!).get(r.v).get(r.v).shuffle(HIGH_TO_LOW).v(V.f64x2_promote_low_f32x4).v(V.f64x2_add).set(r.acc[a + 1]!);
      } else emitCombine(f, r.op, r.acc[second ? 1 : 0]!, r.v);
    }
  };
  /** Adds lanes 0..3 (the first n with `partial`) one by one into the tail accumulators. */
  const accumulateLanes = (red: readonly Red[], partial: boolean) => {
    for (const r of red) {
      for (let lane = 0; lane < 4; lane++) {
        const one = () => {
          if (r.op === "sum") f.get(r.s).get(r.v).vlane(V.f32x4_extract_lane, lane).op(Op.f64_promote_f32).op(Op.f64_add).set(r.s);
          else {
            f.get(r.v).vlane(V.f32x4_extract_lane, lane).set(r.x);
            emitCombineScalar(f, r.op, r.s, r.x);
          }
        };
        if (partial && lane > 0) {
          f.get(n).i32(lane).op(Op.i32_gt_s);
          f.if(one);
        } else one();
      }
    }
  };
  /** Runs phases over the n elements of a row (each its own row), accumulating their `red`
   * (as reduceLastKernel: blocks of 8 into the partial accumulators, then 0..7 tail elements
   * one by one). Several phases interleave block by block, each in its own order. */
  type Pass = { ph: Phase; red: readonly Red[]; when?: Local };
  const reduceRow = (passes: readonly Pass[]) => {
    /** Runs a pass's part of a block (only where its guard holds). */
    const guarded = (p: Pass, body: () => void) => {
      if (p.when) {
        f.get(p.when);
        f.if(body);
      } else body();
    };
    for (const r of passes.flatMap((p) => p.red)) {
      const init = r.op === "sum" ? 0 : r.op === "max" ? -Infinity : Infinity;
      for (const a of r.acc) f.vf32(init).set(a);
      if (r.op === "sum") f.f64(0).set(r.s);
      else f.f32(init).set(r.s);
    }
    f.block((exit) => {
      f.loop((cont) => {
        f.get(n).i32(8).op(Op.i32_lt_s).brIf(exit);
        for (const second of [false, true])
          for (const p of passes)
            guarded(p, () => {
              step(p.ph, false);
              accumulate(p.red, second);
              advance(p.ph);
            });
        f.get(n).i32(8).op(Op.i32_sub).set(n);
        f.br(cont);
      });
    });
    f.get(n).i32(4).op(Op.i32_ge_s);
    f.if(() => {
      for (const p of passes)
        guarded(p, () => {
          step(p.ph, false);
          accumulateLanes(p.red, false);
          advance(p.ph);
        });
      sub4();
    });
    f.get(n).i32(0).op(Op.i32_gt_s);
    f.if(() => {
      for (const p of passes)
        guarded(p, () => {
          step(p.ph, true);
          accumulateLanes(p.red, true);
        });
    });
  };
  /** Pushes a reduction's row result (float32). */
  const finishRed = (r: Red) => {
    if (r.op === "sum") {
      const [a0, a1, a2, a3] = r.acc as [Local, Local, Local, Local];
      f.get(a0).get(a1).v(V.f64x2_add).get(a2).get(a3).v(V.f64x2_add).v(V.f64x2_add).set(a0);
      f.get(a0).vlane(V.f64x2_extract_lane, 0).get(a0).vlane(V.f64x2_extract_lane, 1).op(Op.f64_add);
      f.get(r.s).op(Op.f64_add).op(Op.f32_demote_f64);
    } else {
      emitCombine(f, r.op, r.acc[0]!, r.acc[1]!);
      for (let lane = 0; lane < 4; lane++) {
        f.get(r.acc[0]!).vlane(V.f32x4_extract_lane, lane).set(r.x);
        emitCombineScalar(f, r.op, r.s, r.x);
      }
      f.get(r.s);
    }
  };
  // the leading row max (a pass over the source row, as reduceLastKernel), stored, then splat
  // as the "col" operand of its row. With reductions in the main pass, row r + 1's max pass
  // runs interleaved with row r's main pass (its loads overlap that pass's arithmetic); the
  // first row of the range has its own pass.
  const mkPre = () => {
    const j = s.pre!.src;
    const v = f.local(T.v128);
    const ph: Phase = { loads: [{ ptr: f.local(T.i32), kind: kindOf(s.inputs[j]!), val: v, base: () => f.get(inBase.get(j)!), perRow: true }], eqns: [], ops: [], stores: [] };
    return { ph, red: [mkRed(s.pre!.red, v)] };
  };
  const pre = s.pre ? mkPre() : null;
  const preAddr = (r: () => void) => {
    f.get(preBase!);
    r();
    f.i32(2).op(Op.i32_shl).op(Op.i32_add);
  };
  /** The max pass of row `r` alone, stored. */
  const prePass = (r: () => void) => {
    r();
    f.get(C!).op(Op.i32_mul).set(rowOff);
    initPtrs(pre!.ph, rowOff);
    f.get(C!).set(n);
    reduceRow([pre!]);
    preAddr(r);
    finishRed(pre!.red[0]!);
    f.mem(Op.f32_store);
  };
  const interleave = pre && red.length > 0;
  if (interleave) {
    f.get(r0).get(r1).op(Op.i32_lt_s);
    f.if(() => prePass(() => f.get(r0)));
  }
  // the epilogue of row r − 1 runs interleaved with row r's main pass (its stores overlap that
  // pass's arithmetic), unless it reads a per-row ("col") operand, which holds row r's value
  const colLike = (a: Atom) => {
    const j = s.inputs.indexOf(a);
    return j >= 0 && (modes[j] === "col" || modes[j] === "pre");
  };
  const interleavePost = !!post && red.length > 0 && !epi!.eqns.some((e) => e.inputs.some(colLike));
  const hasPrev = f.local(T.i32);
  const hasNext = f.local(T.i32);
  /** Splats the reduction results of `r` for the epilogue and points its streams at row r. */
  const postSetup = (r: () => void, off: Local) => {
    epi!.pseudo.forEach((k, v) => {
      f.get(redBase[k]!);
      r();
      f.i32(2).op(Op.i32_shl).op(Op.i32_add).vmem(V.v128_load32_splat).set(val.get(v)!);
    });
    initPtrs(post!, off);
  };
  f.forRange(row, () => f.get(r0), () => f.get(r1), 1, () => {
    f.get(row).i32(1).op(Op.i32_and).set(parMain);
    f.i32(1).get(parMain).op(Op.i32_sub).set(parPost);
    if (pre && !interleave) prePass(() => f.get(row));
    f.get(row).get(C!).op(Op.i32_mul).set(rowOff);
    initPtrs(main, rowOff);
    // column operands: one value per row, splat
    for (const j of memIns) {
      if (modes[j] !== "col") continue;
      const k = kindOf(s.inputs[j]!);
      f.get(inBase.get(j)!).get(row).i32(elemBytes(k)).op(Op.i32_mul).op(Op.i32_add);
      if (k === "bool") f.mem(Op.i32_load8_u).v(V.i32x4_splat);
      else f.vmem(V.v128_load32_splat);
      f.set(val.get(s.inputs[j]!)!);
    }
    if (pre) {
      preAddr(() => f.get(row));
      f.vmem(V.v128_load32_splat).set(val.get(s.inputs[s.pre!.col]!)!);
    }
    f.get(C!).set(n);
    if (red.length === 0) {
      stream(main);
      return;
    }
    const storeRed = () =>
      red.forEach((r, k) => {
        f.get(redBase[k]!).get(row).i32(2).op(Op.i32_shl).op(Op.i32_add);
        finishRed(r);
        f.mem(Op.f32_store);
      });
    const passes: Pass[] = [{ ph: main, red }];
    const next = () => f.get(row).i32(1).op(Op.i32_add);
    const prev = () => f.get(row).i32(1).op(Op.i32_sub);
    if (interleave) {
      next();
      f.get(r1).op(Op.i32_lt_s).set(hasNext);
      f.get(hasNext);
      f.if(() => {
        const off = f.local(T.i32);
        f.get(rowOff).get(C!).op(Op.i32_add).set(off);
        initPtrs(pre!.ph, off);
      });
      passes.push({ ...pre!, when: hasNext });
    }
    if (interleavePost) {
      f.get(row).get(r0).op(Op.i32_gt_s).set(hasPrev);
      f.get(hasPrev);
      f.if(() => {
        const off = f.local(T.i32);
        f.get(rowOff).get(C!).op(Op.i32_sub).set(off);
        postSetup(prev, off);
      });
      passes.push({ ph: post!, red: [], when: hasPrev });
    }
    reduceRow(passes);
    storeRed();
    if (interleave) {
      f.get(hasNext);
      f.if(() => {
        preAddr(next);
        finishRed(pre!.red[0]!);
        f.mem(Op.f32_store);
      });
    }
    if (post && !interleavePost) {
      // the epilogue over the row just computed: reduction results splat, group values read back
      f.get(parMain).set(parPost);
      postSetup(() => f.get(row), rowOff);
      f.get(C!).set(n);
      stream(post);
    }
  });
  if (interleavePost) {
    // the last row's epilogue
    f.get(r0).get(r1).op(Op.i32_lt_s);
    f.if(() => {
      const last = () => f.get(r1).i32(1).op(Op.i32_sub);
      last();
      f.i32(1).op(Op.i32_and).set(parPost);
      last();
      f.get(C!).op(Op.i32_mul).set(rowOff);
      postSetup(last, rowOff);
      f.get(C!).set(n);
      stream(post!);
    });
  }
}

// ---------------------------------------------------------------- executable
type KernelStep = { kind: "kernel"; fn: KernelFn; spec: KernelSpec; memIns: number[]; scalarIns: number[]; n: number; costly: boolean };
/** A row max and the reshapes / stop_gradients leading from it to a group's "col" operand. */
interface PreChain {
  red: JaxprEqn;
  chain: JaxprEqn[];
  col: Var;
}
/** A group of dtypes the wasm kernels do not compute (float64, uint32): a JS loop (fuse.ts). */
type JsStep = Omit<JsKernel, "kind"> & { kind: "js" };
type WasmStep = { kind: "eqn"; eqn: JaxprEqn } | KernelStep | JsStep;
/** Equations the wasm emitters cannot run because they touch such a dtype, but the JS fused
 * loops can: they form groups of their own (so float64 chains fuse as on the js backend). */
const jsOnly = (e: JaxprEqn): boolean =>
  wasmOpKey(e) === null && fusible(e) && [...e.inputs, ...e.outvars].some((a) => !KIND[a.aval.dtype]);

export interface WasmExecutable {
  readonly steps: readonly WasmStep[];
  run(consts: readonly JaxArray[], args: readonly JaxArray[]): JaxArray[];
}

/** `epilogue`: row epilogues (they fuse e.g. softmax's division into its exp/sum kernel);
 * `rowMax`: a row max computed just before a rows kernel that reads it is folded into it;
 * `threads`: big kernels are split over the backend's worker pool (threads.ts). */
export const wasmFuseOptions = { epilogue: true, threads: true, rowMax: true };

/** Ops costly enough per element that smaller calls are worth splitting (as index.ts). */
const COSTLY = /^(exp|log|tanh|logistic|sin|cos):/;
/**
 * fn(...args) with args[rp], args[rp+1] = the range [0, units): split over the worker pool
 * when the work is big enough, in chunks that are multiples of `align` units (flat kernels:
 * 16 elements, so vectors group the same elements as in one call and results are bitwise
 * those of one call; rows kernels: whole rows). Thread t gets args[tp] + t·tstride.
 */
function runSplit(fn: KernelFn, args: number[], rp: number, units: number, unitWork: number, costly: boolean, align: number, tp = -1, tstride = 0): void {
  const pool = wasmFuseOptions.threads ? wasmThreadPool() : null;
  if (pool && pool.usable && units * unitWork >= (costly ? PAR_MIN.elements : PAR_MIN.cheapElements) && units >= 2 * align) {
    const per = Math.max(Math.ceil(16384 / Math.max(unitWork, 1)), Math.ceil(units / (pool.threads * 4)));
    if (pool.run(fn, args, rp, 0, units, Math.ceil(per / align) * align, tp, tstride)) return;
  }
  args[rp] = 0;
  args[rp + 1] = units;
  fn(...args);
}

function kernelStep(g: FusedGroup, epi: Epilogue | null = null, epiInputs: Atom[] = [], preChain: PreChain | null = null): WasmStep[] | null {
  const all = [...g.eqns, ...(epi?.eqns ?? [])];
  const inputs = [...g.inputs, ...epiInputs];
  const pseudo = [...(epi?.pseudo.keys() ?? [])];
  const layout = layoutOf(g.shape, [...inputs, ...pseudo], g.reductions, hasHostOps(all));
  if (!layout) return null;
  // reduction results enter the epilogue one per row
  const pm = layout.modes.splice(inputs.length);
  if (pm.some((m) => m !== "col" && m !== "scalar")) return null;
  const outputs = epi ? g.outputs.filter((v) => !epi.scratch.includes(v)) : g.outputs;
  let pre: KernelSpec["pre"] = null;
  if (preChain) {
    const src = inputs.indexOf(preChain.red.inputs[0]!);
    const col = inputs.indexOf(preChain.col);
    if (!layout.rows || layout.modes[src] !== "full" || layout.modes[col] !== "col" || inputs.lastIndexOf(preChain.col) !== col) return null;
    // the max must reduce each row of the layout (as a fused reduction would)
    if (!layoutOf(g.shape, inputs, [...g.reductions, preChain.red], false)) return null;
    layout.modes[col] = "pre";
    pre = { red: preChain.red, src, col };
  }
  const spec: KernelSpec = { eqns: g.eqns, inputs, outputs, reductions: g.reductions, layout, epi, pre };
  const costly = all.some((e) => COSTLY.test(wasmOpKey(e)!));
  return [{ kind: "kernel", fn: buildKernel(spec), spec, memIns: memInsOf(spec), scalarIns: scalarInsOf(spec), n: shapeSize(g.shape), costly }];
}


/**
 * The epilogue of plan[i] (a group with reductions): reshapes of its reductions' outputs,
 * then an elementwise step of the group's shape. Returns the epilogue, its outside operands,
 * the reshapes (still run as equations after the kernel) and the index after it.
 */
function findEpilogue(plan: readonly Planned[], i: number, uses: Uses): { epi: Epilogue; inputs: Atom[]; reshapes: JaxprEqn[]; next: number } | null {
  const g = (plan[i] as Planned & { kind: "group" }).group;
  const redOut = new Map<Atom, number>(g.reductions.map((e, k) => [e.outvars[0]!, k]));
  const pseudo = new Map<Var, number>();
  const reshapes: JaxprEqn[] = [];
  let j = i + 1;
  for (; j < plan.length; j++) {
    const q = plan[j]!;
    if (q.kind !== "eqn" || q.eqn.prim.name !== "reshape" || !redOut.has(q.eqn.inputs[0]!)) break;
    pseudo.set(q.eqn.outvars[0]!, redOut.get(q.eqn.inputs[0]!)!);
    reshapes.push(q.eqn);
  }
  const q = plan[j];
  if (pseudo.size === 0 || !q) return null;
  const eqns = q.kind === "eqn" ? (wasmOpKey(q.eqn) !== null ? [q.eqn] : null) : q.group.reductions.length === 0 ? q.group.eqns : null;
  if (!eqns || !shapeEq(eqns[0]!.outvars[0]!.aval.shape, g.shape)) return null;
  const gVals = new Set<Atom>(g.eqns.map((e) => e.outvars[0]!));
  const reads: Var[] = [];
  const inputs: Atom[] = [];
  const usedPseudo = new Map<Var, number>();
  for (const a of groupInputs(eqns)) {
    if (gVals.has(a)) reads.push(a as Var);
    else if (pseudo.has(a as Var)) usedPseudo.set(a as Var, pseudo.get(a as Var)!);
    else if (redOut.has(a)) return null; // a reduction result read unreshaped (a row vector)
    else if (!g.inputs.includes(a)) inputs.push(a);
  }
  if (usedPseudo.size === 0) return null;
  const members = new Set<JaxprEqn | "out">([...g.eqns, ...g.reductions, ...eqns]);
  const usedOutside = (v: Var) => [...(uses.get(v) ?? [])].some((u) => !members.has(u));
  const outputs = eqns.map((e) => e.outvars[0]!).filter(usedOutside);
  const scratch = reads.filter((v) => !usedOutside(v));
  return { epi: { eqns, outputs, pseudo: usedPseudo, reads, scratch }, inputs, reshapes, next: j + 1 };
}

/**
 * The steps just before a group that compute its operand max(x) over the rows, x one of its
 * full operands (softmax's x - max(x)): reduce_max, then reshapes / stop_gradients. Nothing
 * else in the kernel may read the reduction or the intermediate values.
 */
function findPre(steps: readonly WasmStep[], g: FusedGroup, epiInputs: readonly Atom[]): PreChain | null {
  const chain: JaxprEqn[] = [];
  let k = steps.length - 1;
  for (; k >= 0; k--) {
    const st = steps[k]!;
    if (st.kind !== "eqn" || (st.eqn.prim.name !== "reshape" && st.eqn.prim.name !== "stop_gradient")) break;
    chain.unshift(st.eqn);
  }
  const st = steps[k];
  if (!st || st.kind !== "eqn" || st.eqn.prim.name !== "reduce_max") return null;
  const red = st.eqn;
  const x = red.inputs[0]!;
  if (x instanceof Literal || red.outvars[0]!.aval.dtype !== "float32" || x.aval.dtype !== "float32" || !shapeEq(x.aval.shape, g.shape)) return null;
  let v: Var = red.outvars[0]!;
  for (const e of chain) {
    if (e.inputs[0] !== v) return null;
    v = e.outvars[0]!;
  }
  const inputs = [...g.inputs, ...epiInputs];
  const inner = new Set<Atom>([red.outvars[0]!, ...chain.map((e) => e.outvars[0]!)]);
  inner.delete(v);
  if (!inputs.includes(x) || !inputs.includes(v) || inputs.some((a) => inner.has(a))) return null;
  return { red, chain, col: v };
}

/** Compiles a jaxpr for the wasm backend: fused SIMD kernels and single equations. */
export function compileWasm(original: Jaxpr): WasmExecutable {
  const jaxpr = simplifyJaxpr(original);
  const wasmGroup = (g: readonly JaxprEqn[]) => g.every((e) => wasmOpKey(e) !== null);
  const plan = planJaxpr(
    jaxpr,
    (e) => wasmOpKey(e) !== null || jsOnly(e),
    (e, g, r) => (wasmGroup(g) ? reductionFuses(e, g, r) : e.prim.name in REDS),
    (e) => (wasmOpKey(e) !== null ? "wasm" : "js"),
  );
  const uses = usesOf(jaxpr);
  const steps: WasmStep[] = [];
  const asEqns = (g: FusedGroup): WasmStep[] => [...g.eqns, ...g.reductions].map((eqn) => ({ kind: "eqn", eqn }));
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i]!;
    if (p.kind === "eqn") {
      steps.push(p);
      continue;
    }
    if (!wasmGroup(p.group.eqns)) {
      const k = codegen(p.group.eqns, p.group.inputs, p.group.outputs, p.group.shape, p.group.reductions.map((eqn) => ({ eqn })));
      steps.push({ ...k, kind: "js" });
      continue;
    }
    /** The kernel with a leading row max folded in when the steps before it compute one. */
    const withPre = (epi: Epilogue | null, epiInputs: Atom[]): WasmStep[] | null => {
      const pc = wasmFuseOptions.rowMax ? findPre(steps, p.group, epiInputs) : null;
      const k = pc && kernelStep(p.group, epi, epiInputs, pc);
      if (!pc || !k) return kernelStep(p.group, epi, epiInputs);
      // the max is the kernel's output now: its reshapes run after the kernel
      steps.splice(steps.length - pc.chain.length - 1);
      return [...k, ...pc.chain.map((eqn): WasmStep => ({ kind: "eqn", eqn }))];
    };
    if (wasmFuseOptions.epilogue && p.group.reductions.length > 0) {
      const found = findEpilogue(plan, i, uses);
      const k = found && withPre(found.epi, found.inputs);
      if (found && k) {
        steps.push(...k, ...found.reshapes.map((eqn): WasmStep => ({ kind: "eqn", eqn })));
        i = found.next - 1;
        continue;
      }
    }
    steps.push(...(withPre(null, []) ?? asEqns(p.group)));
  }
  const wasm = getBackend("wasm");
  const results = new Set<Atom>(jaxpr.outvars);
  const toWasm = (x: EagerArray): WasmBuffer => {
    x._checkAlive();
    return x._buf instanceof WasmBuffer ? x._buf : (wasm.fromHost(x._host(), x.aval) as WasmBuffer);
  };
  return {
    steps,
    run: (consts, args) =>
      runSteps(jaxpr, steps, consts, args, (s: KernelStep | JsStep, read, set) => {
        if (s.kind === "js") {
          // host views of the inputs (no copies), results kept on the JS heap
          const ins = s.inputs.map((a) => {
            const x = read(a) as EagerArray;
            x._checkAlive();
            return x._buf instanceof WasmBuffer ? x._buf.view() : x._host();
          });
          const outs = s.outputs.map((v) => typedArrayFor(v.aval.dtype, v.aval.size));
          s.fn(ins, outs);
          s.outputs.forEach((v, i) => set(v, new EagerArray(hostBuffer(v.aval.dtype, outs[i]!), v.aval, wasm)));
          return;
        }
        const { spec } = s;
        const epiOutputs = spec.epi?.outputs ?? [];
        const arrs = spec.inputs.map((a) => read(a) as EagerArray);
        const bufs = s.memIns.map((j) => toWasm(arrs[j]!));
        // scalars travel as their 32 bits (a float32's bits exactly, NaN payloads included)
        const scalars = s.scalarIns.map((j) => {
          const h = arrs[j]!._host();
          return h instanceof Float32Array ? new Int32Array(h.buffer, h.byteOffset, 1)[0]! : h[0]!;
        });
        // a scratch row per value read back by the epilogue, per thread
        const nScratch = spec.epi?.scratch.length ?? 0;
        const scratchBytes = Math.ceil((2 * nScratch * spec.layout.C * 4) / 16) * 16;
        const nThreads = nScratch ? (wasmThreadPool()?.threads ?? 1) : 0;
        const scratch = nScratch ? heap.alloc(scratchBytes * nThreads) : 0;
        let outs: WasmBuffer[];
        let reds: WasmBuffer[];
        let epis: WasmBuffer[];
        try {
          [outs, reds, epis] = kernelCall(bufs, () => {
            // the program's own intermediates always take blocks (they die before it returns)
            const outs = spec.outputs.map((v) => newBuffer(v.aval.dtype, s.n, !results.has(v)));
            const reds = spec.reductions.map((e) => newBuffer("float32", e.outvars[0]!.aval.size, !results.has(e.outvars[0]!)));
            const epis = epiOutputs.map((v) => newBuffer(v.aval.dtype, s.n, !results.has(v)));
            if (spec.pre) epis.push(newBuffer("float32", spec.pre.red.outvars[0]!.aval.size, !results.has(spec.pre.red.outvars[0]!)));
            const a: number[] = [...outs, ...reds, ...epis, ...bufs].map((b) => b.ptr);
            a.push(...scalars);
            const tp = nScratch ? a.length : -1;
            if (nScratch) a.push(scratch);
            const { rows, R, C } = spec.layout;
            if (rows) runSplit(s.fn, [...a, C, 0, 0], a.length + 1, R, C, s.costly, 1, tp, scratchBytes);
            else runSplit(s.fn, [...a, 0, 0], a.length, s.n, 1, s.costly, 16);
            return [outs, reds, epis];
          });
        } finally {
          if (nScratch) heap.free(scratch);
        }
        spec.outputs.forEach((v, i) => set(v, new EagerArray(outs[i]!, v.aval, wasm)));
        spec.reductions.forEach((e, i) => {
          const v = e.outvars[0]!;
          set(v, new EagerArray(reds[i]!, v.aval, wasm));
        });
        epiOutputs.forEach((v, i) => set(v, new EagerArray(epis[i]!, v.aval, wasm)));
        if (spec.pre) {
          const v = spec.pre.red.outvars[0]!;
          set(v, new EagerArray(epis[epiOutputs.length]!, v.aval, wasm));
        }
      }, (s) => (s.kind === "js" ? s.inputs : s.spec.inputs)),
  };
}

const cache = new WeakMap<Jaxpr, WasmExecutable>();
/** The cached wasm executable of a jaxpr. */
export function wasmExecutableFor(jaxpr: Jaxpr): WasmExecutable {
  let ex = cache.get(jaxpr);
  if (!ex) cache.set(jaxpr, (ex = compileWasm(jaxpr)));
  return ex;
}
