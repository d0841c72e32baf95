// kernels.ts — WebAssembly kernels generated at run time and cached: elementwise unary/binary
// /select ops with SIMD128 (contiguous and broadcasting forms), reductions (sum with float64
// accumulation, max, min) over the last axis or a middle block of axes, and strided copies
// (transpose, broadcast_in_dim, any element size). matmul.ts holds dot_general's routine.
//
// Kernel ABI (every kernel can be told to process a sub-range, so a worker pool can later
// split one op over threads that share the memory; all pointers are byte addresses in the
// shared memory, sizes and strides are in elements unless named *_bytes):
//   ew(out, in_0, …, in_{k-1}, start, end)      elementwise, contiguous: elements [start, end)
//                                                (inputs are full-size or size-1 splats)
//   ewb(desc, rowStart, rowEnd)                 elementwise with broadcasting: rows
//                                                [rowStart, rowEnd) of the collapsed output
//                                                (desc: see writeBroadcastDesc)
//   red_last(out, in, n, rowStart, rowEnd)      out[r] = reduce(in[r·n … r·n+n))
//   red_mid(out, in, n, inner, oStart, oEnd)    out[o, i] = reduce_k in[o, k, i]
//   copy(desc, rowStart, rowEnd)                strided copy into a contiguous output, rows
//                                                of the collapsed output (desc: writeCopyDesc)
//   transpose2d(in, out, A, C, bStart, bEnd)    out[b, c, a] = in[b, a, c]
//   packB / gemm                                see matmul.ts
// Kernels write exactly their range (vector tails are done lane by lane), so ranges may be
// split anywhere. Descriptors live in the ARGS area of the memory (memory.ts).
import { HOST_MATH } from "../../core/host_math.js";
import { FuncBuilder, type Local, ModuleBuilder, Op, T, V, WA, type ValType, type WasmModuleObject } from "./encoder.js";
import { ARGS, type WasmHeap } from "./memory.js";
import * as X from "./vmath.js";
import type { Ex } from "./vmath.js";

/** Limits every kernel module declares for the imported memory (any memory of the heap's
 * kind fits). */
const memLimits = (heap: WasmHeap) => ({ initial: 1, maximum: 65536, shared: heap.shared });

export type KernelFn = (...args: number[]) => number;
type Exports = Record<string, KernelFn>;

// ---------------------------------------------------------------- module cache
export interface CacheStats {
  modules: number;
  compileMs: number;
}
/** Compiled modules per heap (a module instance is bound to one memory), by key. */
const moduleCache = new WeakMap<WasmHeap, Map<string, Exports>>();
const stats: CacheStats = { modules: 0, compileMs: 0 };
export function cacheStats(): CacheStats {
  return { ...stats };
}
/** The compiled module and export name of every kernel function (for the worker pool). */
export const kernelOrigin = new WeakMap<KernelFn, { module: WasmModuleObject; name: string }>();
/** When set, the bytes of every module built from now on are kept here (for validation). */
export let recordedModules: Map<string, Uint8Array> | null = null;
/** Forgets compiled modules (later requests rebuild them); for tests. */
export function clearKernelCache(heap: WasmHeap): void {
  moduleCache.get(heap)?.clear();
}
export function recordModules(on: boolean): void {
  recordedModules = on ? new Map() : null;
}

/** The exports of the module `key`, built (once) by `build`. */
export function kernelModule(heap: WasmHeap, key: string, build: (m: ModuleBuilder) => void): Exports {
  let modules = moduleCache.get(heap);
  if (!modules) moduleCache.set(heap, (modules = new Map()));
  let ex = modules.get(key);
  if (ex) return ex;
  const t0 = performance.now();
  const m = new ModuleBuilder(memLimits(heap));
  build(m);
  const bytes = m.build();
  recordedModules?.set(key, bytes);
  let inst;
  let mod;
  try {
    mod = new WA.Module(bytes);
    inst = new WA.Instance(mod, { env: { memory: heap.memory, ...HOST_MATH } });
  } catch (e) {
    throw new Error(`internal: wasm kernel ${key} failed to compile: ${String(e)}`);
  }
  ex = inst.exports as Exports;
  // the worker pool (threads.ts) instantiates the same module in its workers
  for (const name of Object.keys(ex)) kernelOrigin.set(ex[name]!, { module: mod, name });
  modules.set(key, ex);
  stats.modules++;
  stats.compileMs += performance.now() - t0;
  return ex;
}

// ---------------------------------------------------------------- lane kinds
/** How an operand's elements sit in memory and in v128 lanes. */
export type Kind = "f32" | "i32" | "bool";
export const elemBytes = (k: Kind): number => (k === "bool" ? 1 : 4);

/** Loads 4 lanes at address (on the stack). */
export function vload(f: FuncBuilder, k: Kind): void {
  if (k === "bool") f.vmem(V.v128_load32_zero).v(V.i16x8_extend_low_i8x16_u).v(V.i32x4_extend_low_i16x8_u);
  else f.vmem(V.v128_load);
}
/** Loads one element at address and splats it. */
function vsplat(f: FuncBuilder, k: Kind): void {
  if (k === "bool") f.mem(Op.i32_load8_u).v(V.i32x4_splat);
  else f.vmem(V.v128_load32_splat);
}
/** Stores the v128 in `v` at address p. */
export function vstore(f: FuncBuilder, k: Kind, p: Local, v: Local): void {
  f.get(p);
  if (k === "bool") {
    f.get(v).get(v).v(V.i16x8_narrow_i32x4_s);
    f.get(v).get(v).v(V.i16x8_narrow_i32x4_s);
    f.v(V.i8x16_narrow_i16x8_s).vstoreLane32(0);
  } else f.get(v).vmem(V.v128_store);
}
/** v = lanes loaded one by one from p, for the first `rem` (1..3) lanes. */
export function laneLoad(f: FuncBuilder, k: Kind, p: Local, rem: Local, v: Local): void {
  const es = elemBytes(k);
  const ld = k === "bool" ? Op.i32_load8_u : Op.i32_load;
  f.vi32(0).get(p).mem(ld).vlane(V.i32x4_replace_lane, 0).set(v);
  for (let lane = 1; lane < 3; lane++) {
    f.get(rem).i32(lane).op(Op.i32_gt_s);
    f.if(() => {
      f.get(v).get(p).mem(ld, lane * es).vlane(V.i32x4_replace_lane, lane).set(v);
    });
  }
}
/** Stores the first `rem` (1..3) lanes of v at p. */
export function laneStore(f: FuncBuilder, k: Kind, p: Local, rem: Local, v: Local): void {
  const es = elemBytes(k);
  const st = k === "bool" ? Op.i32_store8 : Op.i32_store;
  f.get(p).get(v).vlane(V.i32x4_extract_lane, 0).mem(st);
  for (let lane = 1; lane < 3; lane++) {
    f.get(rem).i32(lane).op(Op.i32_gt_s);
    f.if(() => {
      f.get(p).get(v).vlane(V.i32x4_extract_lane, lane).mem(st, lane * es);
    });
  }
}

// ---------------------------------------------------------------- elementwise ops
/** An elementwise op on lanes: `emit` leaves the result lanes on the stack. */
export interface EwOp {
  readonly ins: readonly Kind[];
  readonly out: Kind;
  readonly emit: (f: FuncBuilder, t: X.Temps, a: Ex[], host: HostFns) => void;
  /** Host functions the op calls (imported into its module). */
  readonly host?: readonly ("sin" | "cos" | "pow")[];
}
export interface HostFns {
  sin: number;
  cos: number;
  pow: number;
}

const lanes01 = (mask: Ex): Ex => (f) => {
  mask(f);
  f.v(V.i32x4_neg); // -1/0 masks to 1/0 bool lanes
};
const simple =
  (op: number): EwOp["emit"] =>
  (f, _t, a) => {
    for (const x of a) x(f);
    f.v(op as never);
  };
const f32un = (emit: EwOp["emit"]): EwOp => ({ ins: ["f32"], out: "f32", emit });
const f32bin = (op: number): EwOp => ({ ins: ["f32", "f32"], out: "f32", emit: simple(op) });
const cmp = (k: Kind, op: number, swap = false): EwOp => ({
  ins: [k, k],
  out: "bool",
  emit: (f, _t, [a, b]) => lanes01((g) => {
    (swap ? b! : a!)(g);
    (swap ? a! : b!)(g);
    g.v(op as never);
  })(f),
});

/** float32 sign: NaN stays NaN, ±0 gives +0 (as the reference kernel). */
const signEmit: EwOp["emit"] = (f, t, [x]) =>
  t.scope(() => {
    const v = t.get();
    X.assign(f, v, x!);
    X.sel(X.g(v), X.sel(X.c(1), X.sel(X.c(-1), X.c(0), X.lt(X.g(v), X.c(0))), X.gt(X.g(v), X.c(0))), X.ne(X.g(v), X.g(v)))(f);
  });

/** Elementwise ops with wasm kernels, by `primitive:dtype,dtype…` (input dtypes). */
export const EW_OPS: Record<string, EwOp> = {
  "add:f32,f32": f32bin(V.f32x4_add),
  "sub:f32,f32": f32bin(V.f32x4_sub),
  "mul:f32,f32": f32bin(V.f32x4_mul),
  "div:f32,f32": f32bin(V.f32x4_div),
  "max:f32,f32": f32bin(V.f32x4_max),
  "min:f32,f32": f32bin(V.f32x4_min),
  "neg:f32": f32un(simple(V.f32x4_neg)),
  "abs:f32": f32un(simple(V.f32x4_abs)),
  "sqrt:f32": f32un(simple(V.f32x4_sqrt)),
  "floor:f32": f32un(simple(V.f32x4_floor)),
  "ceil:f32": f32un(simple(V.f32x4_ceil)),
  "round:f32": f32un(simple(V.f32x4_nearest)),
  "sign:f32": f32un(signEmit),
  "exp:f32": f32un((f, t, [x]) => X.vexp(f, t, x!)),
  "log:f32": f32un((f, t, [x]) => X.vlog(f, t, x!)),
  "tanh:f32": f32un((f, t, [x]) => X.vtanh(f, t, x!)),
  "logistic:f32": f32un((f, t, [x]) => X.vlogistic(f, t, x!)),
  "log1p:f32": f32un((f, t, [x]) => X.vlog1p(f, t, x!)),
  "expm1:f32": f32un((f, t, [x]) => X.vexpm1(f, t, x!)),
  "erf:f32": f32un((f, t, [x]) => X.verf(f, t, x!)),
  "pow:f32,f32": { ins: ["f32", "f32"], out: "f32", host: ["pow"], emit: (f, t, [x, y], h) => X.vpow(f, t, x!, y!, h.pow) },
  "sin:f32": { ins: ["f32"], out: "f32", host: ["sin"], emit: (f, t, [x], h) => X.vsincos(f, t, x!, false, h.sin) },
  "cos:f32": { ins: ["f32"], out: "f32", host: ["cos"], emit: (f, t, [x], h) => X.vsincos(f, t, x!, true, h.cos) },
  "square:f32": f32un((f, _t, [x]) => X.mul(x!, x!)(f)),
  "reciprocal:f32": f32un((f, _t, [x]) => X.div(X.c(1), x!)(f)),
  "eq:f32,f32": cmp("f32", V.f32x4_eq),
  "ne:f32,f32": cmp("f32", V.f32x4_ne),
  "lt:f32,f32": cmp("f32", V.f32x4_lt),
  "le:f32,f32": cmp("f32", V.f32x4_le),
  "gt:f32,f32": cmp("f32", V.f32x4_gt),
  "ge:f32,f32": cmp("f32", V.f32x4_ge),
  // int32 (wrapping arithmetic, as the reference's Int32Array stores)
  "add:i32,i32": { ins: ["i32", "i32"], out: "i32", emit: simple(V.i32x4_add) },
  "sub:i32,i32": { ins: ["i32", "i32"], out: "i32", emit: simple(V.i32x4_sub) },
  "mul:i32,i32": { ins: ["i32", "i32"], out: "i32", emit: simple(V.i32x4_mul) },
  "max:i32,i32": { ins: ["i32", "i32"], out: "i32", emit: simple(V.i32x4_max_s) },
  "min:i32,i32": { ins: ["i32", "i32"], out: "i32", emit: simple(V.i32x4_min_s) },
  "neg:i32": { ins: ["i32"], out: "i32", emit: simple(V.i32x4_neg) },
  "abs:i32": { ins: ["i32"], out: "i32", emit: simple(V.i32x4_abs) },
  "eq:i32,i32": cmp("i32", V.i32x4_eq),
  "ne:i32,i32": cmp("i32", V.i32x4_ne),
  "lt:i32,i32": cmp("i32", V.i32x4_lt_s),
  "le:i32,i32": cmp("i32", V.i32x4_le_s),
  "gt:i32,i32": cmp("i32", V.i32x4_gt_s),
  "ge:i32,i32": cmp("i32", V.i32x4_ge_s),
  // bool lanes hold 0/1
  "and:bool,bool": { ins: ["bool", "bool"], out: "bool", emit: simple(V.v128_and) },
  "or:bool,bool": { ins: ["bool", "bool"], out: "bool", emit: simple(V.v128_or) },
  "xor:bool,bool": { ins: ["bool", "bool"], out: "bool", emit: simple(V.v128_xor) },
  "not:bool": { ins: ["bool"], out: "bool", emit: (f, _t, [x]) => X.xor(x!, X.ci(1))(f) },
  "eq:bool,bool": cmp("bool", V.i32x4_eq),
  "ne:bool,bool": cmp("bool", V.i32x4_ne),
};
// convert_element_type between float32, int32 and bool (keys name the output kind):
// float -> int truncates and saturates (NaN -> 0), int -> float rounds to nearest, anything
// -> bool is `x != 0` (NaN -> true), as castScalar and typed-array stores in the reference.
const conv = (from: Kind, to: Kind, emit: EwOp["emit"]): void => {
  EW_OPS[`convert_element_type:${from}>${to}`] = { ins: [from], out: to, emit };
};
const ident: EwOp["emit"] = (f, _t, [x]) => x!(f);
conv("f32", "f32", ident);
conv("i32", "i32", ident);
conv("bool", "bool", ident);
conv("f32", "i32", simple(V.i32x4_trunc_sat_f32x4_s));
conv("i32", "f32", simple(V.f32x4_convert_i32x4_s));
conv("bool", "f32", simple(V.f32x4_convert_i32x4_s));
conv("bool", "i32", ident);
conv("f32", "bool", (f, _t, [x]) => lanes01(X.ne(x!, X.c(0)))(f));
conv("i32", "bool", (f, _t, [x]) => lanes01((g) => {
  x!(g);
  g.vi32(0).v(V.i32x4_ne);
})(f));
// select_n with two cases: out = pred ? case1 : case0 (bool pred, or int32 pred clamped to [0, 1])
for (const k of ["f32", "i32", "bool"] as const) {
  EW_OPS[`select_n:bool,${k},${k}`] = {
    ins: ["bool", k, k],
    out: k,
    emit: (f, _t, [p, a, b]) => X.sel(b!, a!, (g) => {
      p!(g);
      g.v(V.i32x4_neg);
    })(f),
  };
  EW_OPS[`select_n:i32,${k},${k}`] = {
    ins: ["i32", k, k],
    out: k,
    emit: (f, _t, [p, a, b]) => X.sel(b!, a!, (g) => {
      p!(g);
      g.vi32(0).v(V.i32x4_gt_s);
    })(f),
  };
}

// ---------------------------------------------------------------- elementwise kernels
/** How an input of an elementwise kernel is read along the inner loop. */
export type Mode = "full" | "scalar";

/**
 * Emits the streaming loop: `n` elements from byte pointers ptrs[j] (advanced in place),
 * output at ptrs[0]; scalar inputs are splat once from their pointer.
 */
function emitStream(f: FuncBuilder, t: X.Temps, op: EwOp, modes: readonly Mode[], ptrs: Local[], n: Local, host: HostFns): void {
  f.poolConstants = true;
  const kinds = [op.out, ...op.ins];
  const vin = op.ins.map(() => f.local(T.v128));
  const res = f.local(T.v128);
  // splats
  op.ins.forEach((k, j) => {
    if (modes[j] === "scalar") {
      f.get(ptrs[j + 1]!);
      vsplat(f, k);
      f.set(vin[j]!);
    }
  });
  const args: Ex[] = vin.map((l) => X.g(l));
  f.block((exit) => {
    f.loop((cont) => {
      f.get(n).i32(4).op(Op.i32_lt_s).brIf(exit);
      op.ins.forEach((k, j) => {
        if (modes[j] === "full") {
          f.get(ptrs[j + 1]!);
          vload(f, k);
          f.set(vin[j]!);
        }
      });
      op.emit(f, t, args, host);
      f.set(res);
      vstore(f, op.out, ptrs[0]!, res);
      kinds.forEach((k, j) => {
        if (j === 0 || modes[j - 1] === "full") f.get(ptrs[j]!).i32(4 * elemBytes(k)).op(Op.i32_add).set(ptrs[j]!);
      });
      f.get(n).i32(4).op(Op.i32_sub).set(n);
      f.br(cont);
    });
  });
  // tail of 1..3 lanes
  f.get(n).i32(0).op(Op.i32_gt_s);
  f.if(() => {
    op.ins.forEach((k, j) => {
      if (modes[j] === "full") laneLoad(f, k, ptrs[j + 1]!, n, vin[j]!);
    });
    op.emit(f, t, args, host);
    f.set(res);
    laneStore(f, op.out, ptrs[0]!, n, res);
  });
}

function hostImports(m: ModuleBuilder, op: EwOp): HostFns {
  const h: HostFns = { sin: -1, cos: -1, pow: -1 };
  for (const name of op.host ?? []) h[name] = m.importFunc(name, name === "pow" ? [T.f64, T.f64] : [T.f64], [T.f64]);
  return h;
}

/** Contiguous elementwise kernel `ew(out, in…, start, end)`. */
export function ewKernel(heap: WasmHeap, opKey: string, modes: readonly Mode[]): KernelFn {
  const op = EW_OPS[opKey]!;
  const ex = kernelModule(heap, `ew|${opKey}|${modes.join(",")}`, (m) => {
    const host = hostImports(m, op);
    const params: ValType[] = [T.i32, ...op.ins.map(() => T.i32), T.i32, T.i32];
    m.func("ew", params, [], (f) => {
      const ptrs = f.params.slice(0, 1 + op.ins.length);
      const start = f.params[1 + op.ins.length]!;
      const end = f.params[2 + op.ins.length]!;
      const n = f.local(T.i32);
      const t = new X.Temps(f);
      // full operands start at element `start`
      [op.out, ...op.ins].forEach((k, j) => {
        if (j === 0 || modes[j - 1] === "full") f.get(ptrs[j]!).get(start).i32(elemBytes(k)).op(Op.i32_mul).op(Op.i32_add).set(ptrs[j]!);
      });
      f.get(end).get(start).op(Op.i32_sub).set(n);
      emitStream(f, t, op, modes, ptrs, n, host);
    });
  });
  return ex.ew!;
}

/**
 * Broadcasting elementwise kernel `ewb(desc, rowStart, rowEnd)`. desc (i32 words):
 * [R, rowLen, shape_0 … shape_{R-1}, then per operand (output first): ptr, stride_0 …
 * stride_{R-1}] — R outer dims with element strides; the inner dim of length rowLen is read
 * contiguously ("full") or as one element ("scalar") per input, as the kernel was built.
 */
export function ewbKernel(heap: WasmHeap, opKey: string, modes: readonly Mode[]): KernelFn {
  const op = EW_OPS[opKey]!;
  const nOps = 1 + op.ins.length;
  const kinds = [op.out, ...op.ins];
  const ex = kernelModule(heap, `ewb|${opKey}|${modes.join(",")}`, (m) => {
    const host = hostImports(m, op);
    m.func("ewb", [T.i32, T.i32, T.i32], [], (f) => {
      const [desc, r0, r1] = f.params as [Local, Local, Local];
      const R = f.local(T.i32);
      const rowLen = f.local(T.i32);
      const row = f.local(T.i32);
      const rem = f.local(T.i32);
      const d = f.local(T.i32);
      const idx = f.local(T.i32);
      const dim = f.local(T.i32);
      const opBase = f.local(T.i32);
      const n = f.local(T.i32);
      const offs = f.locals(T.i32, nOps);
      const ptrs = f.locals(T.i32, nOps);
      const t = new X.Temps(f);
      f.get(desc).mem(Op.i32_load, 0).set(R);
      f.get(desc).mem(Op.i32_load, 4).set(rowLen);
      f.forRange(row, () => f.get(r0), () => f.get(r1), 1, () => {
        // decompose the row index over the outer dims (innermost first)
        for (const o of offs) f.i32(0).set(o);
        f.get(row).set(rem);
        f.get(R).i32(1).op(Op.i32_sub).set(d);
        f.block((exit) => {
          f.loop((cont) => {
            f.get(d).i32(0).op(Op.i32_lt_s).brIf(exit);
            // dim = shape[d]
            f.get(desc).get(d).i32(2).op(Op.i32_shl).op(Op.i32_add).mem(Op.i32_load, 8).set(dim);
            f.get(rem).get(dim).op(Op.i32_rem_u).set(idx);
            f.get(rem).get(dim).op(Op.i32_div_u).set(rem);
            for (let j = 0; j < nOps; j++) {
              // stride of operand j for dim d: word 2 + R + j(1+R) + 1 + d
              f.get(desc).get(R).i32(1).op(Op.i32_add).i32(j).op(Op.i32_mul).get(R).op(Op.i32_add).get(d).op(Op.i32_add).i32(2).op(Op.i32_shl).op(Op.i32_add);
              f.mem(Op.i32_load, 12).get(idx).op(Op.i32_mul).get(offs[j]!).op(Op.i32_add).set(offs[j]!);
            }
            f.get(d).i32(1).op(Op.i32_sub).set(d);
            f.br(cont);
          });
        });
        for (let j = 0; j < nOps; j++) {
          // base pointer of operand j: word 2 + R + j(1+R)
          f.get(desc).get(R).i32(1).op(Op.i32_add).i32(j).op(Op.i32_mul).get(R).op(Op.i32_add).i32(2).op(Op.i32_shl).op(Op.i32_add).set(opBase);
          f.get(opBase).mem(Op.i32_load, 8);
          f.get(offs[j]!).i32(elemBytes(kinds[j]!)).op(Op.i32_mul).op(Op.i32_add).set(ptrs[j]!);
        }
        // the output row is contiguous: its element offset is row * rowLen
        f.get(desc).get(R).i32(2).op(Op.i32_add).i32(2).op(Op.i32_shl).op(Op.i32_add).mem(Op.i32_load, 0);
        f.get(row).get(rowLen).op(Op.i32_mul).i32(elemBytes(op.out)).op(Op.i32_mul).op(Op.i32_add).set(ptrs[0]!);
        f.get(rowLen).set(n);
        emitStream(f, t, op, modes, ptrs, n, host);
      });
    });
  });
  return ex.ewb!;
}

// ---------------------------------------------------------------- broadcasting layout
export interface Collapsed {
  /** Collapsed output shape (at least rank 1). */
  shape: number[];
  /** Element strides per operand (output first), per collapsed dim. */
  strides: number[][];
}

/**
 * Removes size-1 dims and merges adjacent dims that every operand walks contiguously (or
 * not at all). `strides[j]` are element strides per output dim (0 where broadcast).
 */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): Collapsed {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, j) => st[j]![last] === s[d]! * shape[d]!)) {
      dims[last]! *= shape[d]!;
      strides.forEach((s, j) => (st[j]![last] = s[d]!));
    } else {
      dims.push(shape[d]!);
      strides.forEach((s, j) => st[j]!.push(s[d]!));
    }
  }
  if (dims.length === 0) return { shape: [1], strides: strides.map(() => [1]) };
  return { shape: dims, strides: st };
}

/** Writes the ewb descriptor at ARGS; returns its address. */
export function writeBroadcastDesc(heap: WasmHeap, c: Collapsed, ptrs: readonly number[]): number {
  const R = c.shape.length - 1;
  const w = heap.i32;
  let p = ARGS >> 2;
  w[p++] = R;
  w[p++] = c.shape[R]!;
  for (let d = 0; d < R; d++) w[p++] = c.shape[d]!;
  ptrs.forEach((ptr, j) => {
    w[p++] = ptr;
    for (let d = 0; d < R; d++) w[p++] = c.strides[j]![d]!;
  });
  return ARGS;
}

// ---------------------------------------------------------------- reductions
export type RedOp = "sum" | "max" | "min";

/** acc = combine(acc, v) for f32x4 lanes in locals, exact reference semantics. */
export function emitCombine(f: FuncBuilder, op: "max" | "min", acc: Local, v: Local): void {
  // v > acc || v != v ? v : acc   (NaN sticks; ties keep the first)
  X.assign(f, acc, X.sel(X.g(v), X.g(acc), X.or(op === "max" ? X.gt(X.g(v), X.g(acc)) : X.lt(X.g(v), X.g(acc)), X.ne(X.g(v), X.g(v)))));
}
export function emitCombineScalar(f: FuncBuilder, op: "max" | "min", acc: Local, v: Local): void {
  f.get(v).get(acc);
  f.get(v).get(acc).op(op === "max" ? Op.f32_gt : Op.f32_lt);
  f.get(v).get(v).op(Op.f32_ne).op(Op.i32_or);
  f.op(Op.select).set(acc);
}
export const HIGH_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];

/** `red_last(out, in, n, rowStart, rowEnd)` for float32 input. */
export function reduceLastKernel(heap: WasmHeap, op: RedOp): KernelFn {
  const ex = kernelModule(heap, `red_last|${op}`, (m) => {
    m.func("red_last", [T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
      const [out, inp, n, r0, r1] = f.params as [Local, Local, Local, Local, Local];
      const row = f.local(T.i32);
      const p = f.local(T.i32);
      const k = f.local(T.i32);
      const v = f.local(T.v128);
      const v2 = f.local(T.v128);
      f.forRange(row, () => f.get(r0), () => f.get(r1), 1, () => {
        f.get(inp).get(row).get(n).op(Op.i32_mul).i32(2).op(Op.i32_shl).op(Op.i32_add).set(p);
        if (op === "sum") {
          const acc = f.locals(T.v128, 4);
          const s = f.local(T.f64);
          for (const a of acc) f.vf32(0).set(a);
          f.f64(0).set(s);
          const addHalf = (a: Local, high: boolean, src: Local) => {
            f.get(a).get(src);
            if (high) f.get(src).shuffle(HIGH_TO_LOW);
            f.v(V.f64x2_promote_low_f32x4).v(V.f64x2_add).set(a);
          };
          f.forRange(k, () => f.i32(0), () => f.get(n), 8, () => {
            f.get(p).vmem(V.v128_load).set(v);
            f.get(p).vmem(V.v128_load, 16).set(v2);
            addHalf(acc[0]!, false, v);
            addHalf(acc[1]!, true, v);
            addHalf(acc[2]!, false, v2);
            addHalf(acc[3]!, true, v2);
            f.get(p).i32(32).op(Op.i32_add).set(p);
          }, true);
          // k is at the first element not summed yet (a multiple of 8)
          f.block((exit) => {
            f.loop((cont) => {
              f.get(k).get(n).op(Op.i32_ge_s).brIf(exit);
              f.get(s).get(p).mem(Op.f32_load).op(Op.f64_promote_f32).op(Op.f64_add).set(s);
              f.get(p).i32(4).op(Op.i32_add).set(p);
              f.get(k).i32(1).op(Op.i32_add).set(k);
              f.br(cont);
            });
          });
          f.get(acc[0]!).get(acc[1]!).v(V.f64x2_add).get(acc[2]!).get(acc[3]!).v(V.f64x2_add).v(V.f64x2_add).set(acc[0]!);
          f.get(out).get(row).i32(2).op(Op.i32_shl).op(Op.i32_add);
          f.get(acc[0]!).vlane(V.f64x2_extract_lane, 0).get(acc[0]!).vlane(V.f64x2_extract_lane, 1).op(Op.f64_add);
          f.get(s).op(Op.f64_add).op(Op.f32_demote_f64).mem(Op.f32_store);
        } else {
          const acc = f.locals(T.v128, 2);
          const s = f.local(T.f32);
          const x = f.local(T.f32);
          const init = op === "max" ? -Infinity : Infinity;
          for (const a of acc) f.vf32(init).set(a);
          f.f32(init).set(s);
          f.forRange(k, () => f.i32(0), () => f.get(n), 8, () => {
            f.get(p).vmem(V.v128_load).set(v);
            emitCombine(f, op, acc[0]!, v);
            f.get(p).vmem(V.v128_load, 16).set(v);
            emitCombine(f, op, acc[1]!, v);
            f.get(p).i32(32).op(Op.i32_add).set(p);
          }, true);
          f.block((exit) => {
            f.loop((cont) => {
              f.get(k).get(n).op(Op.i32_ge_s).brIf(exit);
              f.get(p).mem(Op.f32_load).set(x);
              emitCombineScalar(f, op, s, x);
              f.get(p).i32(4).op(Op.i32_add).set(p);
              f.get(k).i32(1).op(Op.i32_add).set(k);
              f.br(cont);
            });
          });
          emitCombine(f, op, acc[0]!, acc[1]!);
          for (let lane = 0; lane < 4; lane++) {
            f.get(acc[0]!).vlane(V.f32x4_extract_lane, lane).set(x);
            emitCombineScalar(f, op, s, x);
          }
          f.get(out).get(row).i32(2).op(Op.i32_shl).op(Op.i32_add).get(s).mem(Op.f32_store);
        }
      });
    });
  });
  return ex.red_last!;
}

/** `red_mid(out, in, n, inner, oStart, oEnd)`: out[o, i] = reduce_k in[o, k, i], float32. */
export function reduceMidKernel(heap: WasmHeap, op: RedOp): KernelFn {
  const ex = kernelModule(heap, `red_mid|${op}`, (m) => {
    m.func("red_mid", [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
      const [out, inp, n, inner, o0, o1] = f.params as [Local, Local, Local, Local, Local, Local];
      const o = f.local(T.i32);
      const i = f.local(T.i32);
      const k = f.local(T.i32);
      const p = f.local(T.i32);
      const q = f.local(T.i32);
      const rowBytes = f.local(T.i32);
      const v = f.local(T.v128);
      const sf = f.local(T.f32);
      const sd = f.local(T.f64);
      const x = f.local(T.f32);
      f.get(inner).i32(2).op(Op.i32_shl).set(rowBytes);
      const W = 4; // v128 per chunk (16 floats)
      const acc = f.locals(T.v128, op === "sum" ? 2 * W : W);
      const init = op === "max" ? -Infinity : Infinity;
      // one chunk of `w` vectors starting at column i
      const chunk = (w: number) => {
        for (let a = 0; a < (op === "sum" ? 2 * w : w); a++) {
          if (op === "sum") f.vf32(0).set(acc[a]!);
          else f.vf32(init).set(acc[a]!);
        }
        // p = in + ((o*n)*inner + i)*4
        f.get(inp).get(o).get(n).op(Op.i32_mul).get(inner).op(Op.i32_mul).get(i).op(Op.i32_add).i32(2).op(Op.i32_shl).op(Op.i32_add).set(p);
        f.forRange(k, () => f.i32(0), () => f.get(n), 1, () => {
          for (let a = 0; a < w; a++) {
            f.get(p).vmem(V.v128_load, 16 * a).set(v);
            if (op === "sum") {
              f.get(acc[2 * a]!).get(v).v(V.f64x2_promote_low_f32x4).v(V.f64x2_add).set(acc[2 * a]!);
              f.get(acc[2 * a + 1]!).get(v).get(v).shuffle(HIGH_TO_LOW).v(V.f64x2_promote_low_f32x4).v(V.f64x2_add).set(acc[2 * a + 1]!);
            } else emitCombine(f, op, acc[a]!, v);
          }
          f.get(p).get(rowBytes).op(Op.i32_add).set(p);
        });
        // q = out + (o*inner + i)*4
        f.get(out).get(o).get(inner).op(Op.i32_mul).get(i).op(Op.i32_add).i32(2).op(Op.i32_shl).op(Op.i32_add).set(q);
        for (let a = 0; a < w; a++) {
          f.get(q);
          if (op === "sum") {
            f.get(acc[2 * a]!).v(V.f32x4_demote_f64x2_zero);
            f.get(acc[2 * a + 1]!).v(V.f32x4_demote_f64x2_zero);
            f.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
          } else f.get(acc[a]!);
          f.vmem(V.v128_store, 16 * a);
        }
      };
      f.forRange(o, () => f.get(o0), () => f.get(o1), 1, () => {
        f.i32(0).set(i);
        f.block((exit) => {
          f.loop((cont) => {
            f.get(i).i32(4 * W - 1).op(Op.i32_add).get(inner).op(Op.i32_ge_s).brIf(exit);
            chunk(W);
            f.get(i).i32(4 * W).op(Op.i32_add).set(i);
            f.br(cont);
          });
        });
        f.block((exit) => {
          f.loop((cont) => {
            f.get(i).i32(3).op(Op.i32_add).get(inner).op(Op.i32_ge_s).brIf(exit);
            chunk(1);
            f.get(i).i32(4).op(Op.i32_add).set(i);
            f.br(cont);
          });
        });
        // scalar columns
        f.block((exit) => {
          f.loop((cont) => {
            f.get(i).get(inner).op(Op.i32_ge_s).brIf(exit);
            f.get(inp).get(o).get(n).op(Op.i32_mul).get(inner).op(Op.i32_mul).get(i).op(Op.i32_add).i32(2).op(Op.i32_shl).op(Op.i32_add).set(p);
            if (op === "sum") f.f64(0).set(sd);
            else f.f32(init).set(sf);
            f.forRange(k, () => f.i32(0), () => f.get(n), 1, () => {
              if (op === "sum") f.get(sd).get(p).mem(Op.f32_load).op(Op.f64_promote_f32).op(Op.f64_add).set(sd);
              else {
                f.get(p).mem(Op.f32_load).set(x);
                emitCombineScalar(f, op, sf, x);
              }
              f.get(p).get(rowBytes).op(Op.i32_add).set(p);
            });
            f.get(out).get(o).get(inner).op(Op.i32_mul).get(i).op(Op.i32_add).i32(2).op(Op.i32_shl).op(Op.i32_add);
            if (op === "sum") f.get(sd).op(Op.f32_demote_f64);
            else f.get(sf);
            f.mem(Op.f32_store);
            f.get(i).i32(1).op(Op.i32_add).set(i);
            f.br(cont);
          });
        });
      });
    });
  });
  return ex.red_mid!;
}

// ---------------------------------------------------------------- copies
export type CopyInner = "contig" | "splat" | "strided";

/**
 * `copy(desc, rowStart, rowEnd)` for elements of `es` bytes. desc (i32 words): [R, rowLen,
 * innerStride, srcPtr, dstPtr, shape_0 … shape_{R-1}, srcStride_0 … srcStride_{R-1}]. The
 * destination is contiguous; row r of it reads the source at Σ idx_d·stride_d, then its
 * rowLen elements contiguously, all equal (splat) or with innerStride.
 */
export function copyKernel(heap: WasmHeap, es: 1 | 4 | 8, inner: CopyInner): KernelFn {
  const ex = kernelModule(heap, `copy|${es}|${inner}`, (m) => {
    m.func("copy", [T.i32, T.i32, T.i32], [], (f) => {
      const [desc, r0, r1] = f.params as [Local, Local, Local];
      const R = f.local(T.i32);
      const rowLen = f.local(T.i32);
      const istr = f.local(T.i32);
      const row = f.local(T.i32);
      const rem = f.local(T.i32);
      const d = f.local(T.i32);
      const dim = f.local(T.i32);
      const off = f.local(T.i32);
      const src = f.local(T.i32);
      const dst = f.local(T.i32);
      const k = f.local(T.i32);
      const v = f.local(T.v128);
      const sh = es === 1 ? 0 : es === 4 ? 2 : 3;
      f.get(desc).mem(Op.i32_load, 0).set(R);
      f.get(desc).mem(Op.i32_load, 4).set(rowLen);
      f.get(desc).mem(Op.i32_load, 8).i32(sh).op(Op.i32_shl).set(istr); // bytes
      f.forRange(row, () => f.get(r0), () => f.get(r1), 1, () => {
        f.i32(0).set(off);
        f.get(row).set(rem);
        f.get(R).i32(1).op(Op.i32_sub).set(d);
        f.block((exit) => {
          f.loop((cont) => {
            f.get(d).i32(0).op(Op.i32_lt_s).brIf(exit);
            f.get(desc).get(d).i32(2).op(Op.i32_shl).op(Op.i32_add).mem(Op.i32_load, 20).set(dim);
            // off += (rem % dim) * stride[d]
            f.get(rem).get(dim).op(Op.i32_rem_u);
            f.get(desc).get(d).get(R).op(Op.i32_add).i32(2).op(Op.i32_shl).op(Op.i32_add).mem(Op.i32_load, 20);
            f.op(Op.i32_mul).get(off).op(Op.i32_add).set(off);
            f.get(rem).get(dim).op(Op.i32_div_u).set(rem);
            f.get(d).i32(1).op(Op.i32_sub).set(d);
            f.br(cont);
          });
        });
        f.get(desc).mem(Op.i32_load, 12).get(off).i32(sh).op(Op.i32_shl).op(Op.i32_add).set(src);
        f.get(desc).mem(Op.i32_load, 16).get(row).get(rowLen).op(Op.i32_mul).i32(sh).op(Op.i32_shl).op(Op.i32_add).set(dst);
        if (inner === "contig") {
          f.get(dst).get(src).get(rowLen).i32(sh).op(Op.i32_shl).memoryCopy();
        } else if (inner === "splat" && es === 1) {
          f.get(dst).get(src).mem(Op.i32_load8_u).get(rowLen).memoryFill();
        } else if (inner === "splat") {
          // splat the element into a v128, store whole vectors, then the tail element-wise
          if (es === 4) f.get(src).vmem(V.v128_load32_splat).set(v);
          else f.get(src).mem(Op.i64_load).v(V.i64x2_splat).set(v);
          f.forRange(k, () => f.i32(0), () => f.get(rowLen), 16 / es, () => {
            f.get(dst).get(v).vmem(V.v128_store);
            f.get(dst).i32(16).op(Op.i32_add).set(dst);
          }, true);
          f.block((exit) => {
            f.loop((cont) => {
              f.get(k).get(rowLen).op(Op.i32_ge_s).brIf(exit);
              f.get(dst).get(src).mem(es === 4 ? Op.i32_load : Op.i64_load).mem(es === 4 ? Op.i32_store : Op.i64_store);
              f.get(dst).i32(es).op(Op.i32_add).set(dst);
              f.get(k).i32(1).op(Op.i32_add).set(k);
              f.br(cont);
            });
          });
        } else {
          const ld = es === 1 ? Op.i32_load8_u : es === 4 ? Op.i32_load : Op.i64_load;
          const st = es === 1 ? Op.i32_store8 : es === 4 ? Op.i32_store : Op.i64_store;
          f.forRange(k, () => f.i32(0), () => f.get(rowLen), 1, () => {
            f.get(dst).get(src).mem(ld).mem(st);
            f.get(src).get(istr).op(Op.i32_add).set(src);
            f.get(dst).i32(es).op(Op.i32_add).set(dst);
          });
        }
      });
    });
  });
  return ex.copy!;
}

/** Writes the copy descriptor at ARGS; returns its address. */
export function writeCopyDesc(heap: WasmHeap, shape: readonly number[], srcStrides: readonly number[], src: number, dst: number): number {
  const R = shape.length - 1;
  const w = heap.i32;
  let p = ARGS >> 2;
  w[p++] = R;
  w[p++] = shape[R]!;
  w[p++] = srcStrides[R]!;
  w[p++] = src;
  w[p++] = dst;
  for (let d = 0; d < R; d++) w[p++] = shape[d]!;
  for (let d = 0; d < R; d++) w[p++] = srcStrides[d]!;
  return ARGS;
}

/**
 * `transpose2d(in, out, A, C, bStart, bEnd)` for 4-byte elements: out[b, c, a] = in[b, a, c]
 * for batches [bStart, bEnd), with 4×4 SIMD tiles and scalar edges.
 */
export function transpose2dKernel(heap: WasmHeap): KernelFn {
  const ex = kernelModule(heap, "transpose2d", (m) => {
    m.func("transpose2d", [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
      const [inp, out, A, C, b0, b1] = f.params as [Local, Local, Local, Local, Local, Local];
      const b = f.local(T.i32);
      const i = f.local(T.i32);
      const j = f.local(T.i32);
      const ib = f.local(T.i32);
      const ie = f.local(T.i32);
      const ibase = f.local(T.i32);
      const obase = f.local(T.i32);
      const p = f.local(T.i32);
      const q = f.local(T.i32);
      const rows = f.locals(T.v128, 4);
      const tmp = f.locals(T.v128, 4);
      const T_I = 32; // rows per outer tile (keeps the source lines in cache)
      f.forRange(b, () => f.get(b0), () => f.get(b1), 1, () => {
        f.get(inp).get(b).get(A).op(Op.i32_mul).get(C).op(Op.i32_mul).i32(2).op(Op.i32_shl).op(Op.i32_add).set(ibase);
        f.get(out).get(b).get(A).op(Op.i32_mul).get(C).op(Op.i32_mul).i32(2).op(Op.i32_shl).op(Op.i32_add).set(obase);
        // full 4×4 tiles
        f.forRange(ib, () => f.i32(0), () => f.get(A), T_I, () => {
          f.get(ib).i32(T_I).op(Op.i32_add).set(ie);
          f.get(ie).get(A).op(Op.i32_gt_s).if(() => f.get(A).set(ie));
          f.forRange(j, () => f.i32(0), () => f.get(C), 4, () => {
            f.forRange(i, () => f.get(ib), () => f.get(ie), 4, () => {
              // p = ibase + (i*C + j)*4 ; load 4 rows
              f.get(ibase).get(i).get(C).op(Op.i32_mul).get(j).op(Op.i32_add).i32(2).op(Op.i32_shl).op(Op.i32_add).set(p);
              for (let r = 0; r < 4; r++) {
                f.get(p).vmem(V.v128_load).set(rows[r]!);
                f.get(p).get(C).i32(2).op(Op.i32_shl).op(Op.i32_add).set(p);
              }
              // 4×4 transpose: interleave pairs then halves
              f.get(rows[0]!).get(rows[1]!).shuffle([0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23]).set(tmp[0]!);
              f.get(rows[0]!).get(rows[1]!).shuffle([8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31]).set(tmp[1]!);
              f.get(rows[2]!).get(rows[3]!).shuffle([0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23]).set(tmp[2]!);
              f.get(rows[2]!).get(rows[3]!).shuffle([8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31]).set(tmp[3]!);
              f.get(obase).get(j).get(A).op(Op.i32_mul).get(i).op(Op.i32_add).i32(2).op(Op.i32_shl).op(Op.i32_add).set(q);
              const lo = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
              const hi = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
              const outRow = (a: Local, c2: Local, sh: number[]) => {
                f.get(q).get(a).get(c2).shuffle(sh).vmem(V.v128_store);
                f.get(q).get(A).i32(2).op(Op.i32_shl).op(Op.i32_add).set(q);
              };
              outRow(tmp[0]!, tmp[2]!, lo);
              outRow(tmp[0]!, tmp[2]!, hi);
              outRow(tmp[1]!, tmp[3]!, lo);
              outRow(tmp[1]!, tmp[3]!, hi);
            }, true);
          }, true);
        }, false);
        // edges: rows i >= A4 (all columns) and columns j >= C4 (rows below A4)
        const scalarCopy = (iFrom: () => void, iTo: () => void, jFrom: () => void, jTo: () => void) => {
          f.forRange(i, iFrom, iTo, 1, () => {
            f.forRange(j, jFrom, jTo, 1, () => {
              f.get(obase).get(j).get(A).op(Op.i32_mul).get(i).op(Op.i32_add).i32(2).op(Op.i32_shl).op(Op.i32_add);
              f.get(ibase).get(i).get(C).op(Op.i32_mul).get(j).op(Op.i32_add).i32(2).op(Op.i32_shl).op(Op.i32_add).mem(Op.i32_load);
              f.mem(Op.i32_store);
            });
          });
        };
        const A4 = () => f.get(A).i32(-4).op(Op.i32_and);
        const C4 = () => f.get(C).i32(-4).op(Op.i32_and);
        scalarCopy(A4, () => f.get(A), () => f.i32(0), () => f.get(C));
        scalarCopy(() => f.i32(0), A4, C4, () => f.get(C));
      });
    });
  });
  return ex.transpose2d!;
}

/** A FuncBuilder for tests (encoder snapshots). */
export { FuncBuilder };
