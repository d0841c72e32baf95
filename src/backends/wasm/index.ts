// wasm backend — buffers live in one shared WebAssembly.Memory (memory.ts); execute() runs a
// generated SIMD128 kernel when one exists for the primitive, dtypes and layout (kernels.ts,
// matmul.ts; cached per op, dtype and layout, so op-by-op calls compile once), and otherwise
// runs the primitive's reference `impl` on host views of the memory and copies the result
// in. So every primitive works here; WASM_KERNELS lists what runs as wasm (float32 math,
// comparisons, select, reductions, matmul with float32 accumulation; int32/bool arithmetic and
// logic; copies of any dtype); float64 and uint32 use the JS impls for now.
//
// Buffers: a WasmBuffer handle points at a refcounted block. Each handle is registered with a
// FinalizationRegistry, so the block is freed when the array holding the handle is garbage
// collected; dispose() frees it at once; aliases (reshape, identity ops) share the block.
// Buffers of at most SMALL_BYTES live on the JS heap instead and are staged into the memory
// for the duration of a kernel call (see SMALL_BYTES); so do new buffers of any size once the
// heap reaches its spill limit (WasmHeap.alloc's `bounded`, JAXTS_WASM_HEAP_MB): the
// finalizers that free blocks of dead arrays run only between tasks, so a long synchronous
// loop dropping large arrays would otherwise fill the memory, which never shrinks. Compiled
// programs dispose their own intermediates at their last use (fuse.ts runSteps), and
// jit's donateArgnums frees donated inputs, so such loops mostly reuse blocks. With
// JAXTS_WASM_FORCED_GC=1 under Node the heap reclaims synchronously instead (forced GC +
// cleanupSome, see makeRegistry). toHost returns a copy, since a block is reused as soon as
// its array is gone.
// Threads: calls above a size threshold (PAR_MIN) are split over a persistent worker pool
// that shares the memory (threads.ts; JAXTS_THREADS=n, 1 = off): matmul by rows of A, or by
// column panels when A has at most 256 rows (and packing B by panels), elementwise ops by elements or broadcast rows, reductions and copies
// by output rows, matrix-vector products by rows/columns; results are bitwise the same.
// It is the default backend once imported (src/index.ts does) where the host runs WebAssembly
// SIMD128; JAXTS_BACKEND=js selects the js reference backend instead;
// JAXTS_WASM_STATS=1 prints per-primitive counts of wasm kernels vs JS impls at exit.
import type { ShapedArray } from "../../core/aval.js";
import { shapeSize, stridesOf } from "../../core/aval.js";
import { type DType, TYPED_ARRAY, type TypedArray, typedArrayFor } from "../../core/dtype.js";
import type { HostArray, Params, Primitive } from "../../core/primitive.js";
import { type Backend, type DeviceBuffer, allocHints, registerBackend, setDefaultBackend } from "../backend.js";
import { type HeapStats, WasmHeap } from "./memory.js";
import { WA } from "./encoder.js";
import {
  EW_OPS,
  type KernelFn,
  type Kind,
  type Mode,
  type RedOp,
  cacheStats,
  collapse,
  copyKernel,
  ewKernel,
  ewbKernel,
  reduceLastKernel,
  reduceMidKernel,
  transpose2dKernel,
  writeBroadcastDesc,
  writeCopyDesc,
} from "./kernels.js";
import { gemmKernels, gemvKernels, packedBytes, scratchBytes } from "./matmul.js";
import { type ThreadPool, type ThreadStats, threadPool } from "./threads.js";

/** Whether this host runs WebAssembly with SIMD128 (a tiny module using v128 validates). */
function simdSupported(): boolean {
  try {
    // (func (result v128) (v128.const i32x4 0 0 0 0))
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);
    return typeof WA === "object" && WA.validate(bytes);
  } catch {
    return false;
  }
}
function createHeap(): WasmHeap | null {
  try {
    return simdSupported() ? new WasmHeap() : null;
  } catch {
    return null;
  }
}
const maybeHeap = createHeap();
/** Whether the wasm backend can run here (WebAssembly with SIMD128); it registers only then. */
export const wasmAvailable = maybeHeap !== null;
export const heap: WasmHeap = maybeHeap ?? (null as unknown as WasmHeap);

// ---------------------------------------------------------------- threads
/** The worker pool that splits big kernel calls (threads.ts); null without the backend. */
const pool: ThreadPool | null = wasmAvailable ? threadPool(heap.memory) : null;
/**
 * Work from which a call is split over threads: elements for costly elementwise ops
 * (transcendental: several ns per element), elements for cheap ones (add, compare, copies,
 * reductions: memory bound), multiply-adds (M·N·K) for matmul. Waking a sleeping worker
 * costs tens of µs here (measured on a 2-core VM: tanh gains from 2^17 elements, add from
 * 2^19, matmul from about 160³), so smaller calls stay on the calling thread.
 */
export const PAR_MIN = { elements: 1 << 17, cheapElements: 1 << 19, matmul: 1 << 22 };
/** Elements per chunk (at least), so that chunks amortise their claim and wake-up. */
const PAR_GRAIN = 1 << 14;
/** Chunks per thread: a thread that wakes late, or a core taken by another process, then
 * delays the call by at most one small chunk (the others claim the rest). */
const CHUNKS_PER_THREAD = 8;
const roundUpTo = (n: number, m: number): number => Math.ceil(n / m) * m;
/**
 * Calls fn(...args) with args[rp], args[rp+1] = lo, hi — split over the thread pool when
 * `work` (elements touched or multiply-adds) reaches `min`: `units` is the range length in
 * kernel units (elements, rows, panels), `unitWork` the work per unit, `align` the unit
 * multiple a chunk must be. With tp ≥ 0, thread t gets args[tp] + t·tstride. fn must be an
 * export of a module built by kernelModule (kernels.ts), whose instances the workers make;
 * args are i32s (at most 16). Each chunk must write only its own range's bytes.
 */
export function parallelFor(fn: KernelFn, args: number[], rp: number, lo: number, hi: number, unitWork: number, min: number, align = 1, tp = -1, tstride = 0): void {
  const units = hi - lo;
  if (pool && pool.usable && units * unitWork >= min && units >= 2 * align) {
    const perChunk = Math.max(Math.ceil(PAR_GRAIN / Math.max(unitWork, 1)), Math.ceil(units / (pool.threads * CHUNKS_PER_THREAD)));
    if (pool.run(fn, args, rp, lo, hi, roundUpTo(perChunk, align), tp, tstride)) return;
  }
  args[rp] = lo;
  args[rp + 1] = hi;
  fn(...args);
}
/** Elementwise ops whose kernels cost many instructions per element (split earlier). */
const COSTLY_EW = /^(exp|expm1|log|log1p|tanh|logistic|sin|cos|tan|erf|erfc|erf_inv|pow|atan2|asin|acos|atan|sinh|cosh|asinh|acosh|atanh|cbrt|lgamma|digamma):/;
const ewMin = (opKey: string): number => (COSTLY_EW.test(opKey) ? PAR_MIN.elements : PAR_MIN.cheapElements);

/** Starts the worker threads (blocking until they are ready with wait); for tests/benchmarks. */
export function startThreads(wait = true): void {
  pool?.start(wait);
}
/**
 * Resolves once every worker thread of the pool has started (or the pool was turned off or
 * failed: then kernels simply run on the calling thread). Optional: calls made before run on
 * the threads that are ready.
 */
export async function threadsReady(timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const st = threadStats();
    if (st.disabled || st.ready >= st.threads - 1 || Date.now() - t0 > timeoutMs) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}
/** Statistics of the worker pool (threads, jobs, chunks per side). */
export function threadStats(): ThreadStats {
  return pool ? pool.stats() : { threads: 1, ready: 0, jobs: 0, mainChunks: 0, workerChunks: 0, disabled: "no wasm backend" };
}
/** The pool itself (tests inject failures through it). */
export function wasmThreadPool(): ThreadPool | null {
  return pool;
}

// ---------------------------------------------------------------- buffers
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, uint32: 4, bool: 1, float0: 1 };
const CTORS = TYPED_ARRAY;

interface Block {
  readonly ptr: number;
  refs: number;
}
/** One handle's claim on a block (registered with the finalizer, and its unregister token). */
interface Claim {
  block: Block | null;
}
function release(c: Claim): void {
  const b = c.block;
  if (b) {
    c.block = null;
    if (--b.refs === 0) heap.free(b.ptr);
  }
}
/** The finalizer's callback: releases, then lets the heap adapt its spill limit once the
 * batch of callbacks of this collection has run. */
let noting = false;
function collected(c: Claim): void {
  release(c);
  if (!noting) {
    noting = true;
    queueMicrotask(() => {
      noting = false;
      heap.noteCollected();
    });
  }
}

interface CleanupRegistry<T> extends FinalizationRegistry<T> {
  cleanupSome?(cb?: (held: T) => void): void;
}
/**
 * The registry that frees blocks of collected arrays: a plain FinalizationRegistry. With
 * JAXTS_WASM_FORCED_GC=1 under Node it comes instead from a fresh vm context created with
 * V8's `gc` extension and `FinalizationRegistry.prototype.cleanupSome` (experimental flags,
 * switched on only while that context is made), which lets the heap reclaim synchronously
 * inside long synchronous loops of large eager arrays. (Planned buffers in compiled programs
 * are the way to make that unnecessary before wasm becomes the default backend.)
 */
function makeRegistry(): { reg: CleanupRegistry<Claim>; reclaim: (() => void) | null; cleanup: (() => void) | null } {
  type NodeProcess = { getBuiltinModule?: (id: string) => unknown; env?: Record<string, string | undefined> };
  const proc = (globalThis as { process?: NodeProcess }).process;
  try {
    // opt-in only: this switches on experimental V8 features for a moment
    if (proc?.getBuiltinModule && proc.env?.JAXTS_WASM_FORCED_GC === "1") {
      const v8 = proc.getBuiltinModule("node:v8") as { setFlagsFromString(f: string): void };
      const vm = proc.getBuiltinModule("node:vm") as { createContext(o: object): object; runInContext(code: string, ctx: object): unknown };
      v8.setFlagsFromString("--harmony-weak-refs-with-cleanup-some");
      v8.setFlagsFromString("--expose-gc");
      let ctx: object;
      try {
        ctx = vm.createContext({});
      } finally {
        v8.setFlagsFromString("--no-harmony-weak-refs-with-cleanup-some");
        v8.setFlagsFromString("--no-expose-gc");
      }
      const FR = vm.runInContext("FinalizationRegistry", ctx) as new (cb: (c: Claim) => void) => CleanupRegistry<Claim>;
      const gc = vm.runInContext("typeof gc === 'function' ? gc : null", ctx) as (() => void) | null;
      const reg = new FR(collected);
      if (gc && typeof reg.cleanupSome === "function")
        return {
          reg,
          reclaim: () => {
            gc();
            reg.cleanupSome!();
          },
          cleanup: () => reg.cleanupSome!(),
        };
    }
  } catch {
    // fall through to the plain registry
  }
  return { reg: new FinalizationRegistry<Claim>(collected), reclaim: null, cleanup: null };
}
const { reg: finalizer, reclaim, cleanup } = makeRegistry();
if (wasmAvailable) {
  heap.reclaim = reclaim;
  heap.cleanup = cleanup;
}
/** Whether blocks of dead arrays can be reclaimed synchronously (forced GC + cleanupSome). */
export const syncReclaim = reclaim !== null;

/**
 * Buffers of at most SMALL_BYTES live on the JS heap (a typed array the GC frees by itself):
 * registering every short-lived small array with the FinalizationRegistry would cost more
 * than it saves, because V8 keeps registered objects alive through minor GCs and promotes
 * them. Kernels see small inputs through a per-call staging area of the wasm memory, and
 * small outputs are written there and copied out when the call ends.
 */
export const SMALL_BYTES = 4096;
const HOST = -2;
const DISPOSED = -1;

/**
 * A buffer of the wasm backend: `length` elements of `dtype`, either in a wasm block at byte
 * address `ptr`, or in `host` (small buffers; `ptr` is HOST, or their staged address while
 * a kernel call runs).
 */
export class WasmBuffer implements DeviceBuffer {
  declare readonly __deviceBuffer: true;
  private claim: Claim | null = null;
  constructor(
    public ptr: number,
    readonly length: number,
    readonly dtype: DType,
    block: Block | null,
    public host: TypedArray | null = null,
  ) {
    if (block) {
      this.claim = { block };
      // the claim is also the unregister token: dispose() takes the registration back, so
      // a disposed buffer leaves no cell behind for the (between-tasks) cleanup to remove
      finalizer.register(this, this.claim, this.claim);
    }
  }
  /** Host view: the small buffer's own array, or a view of the shared memory (valid until
   * the block is freed). */
  view(): TypedArray {
    if (this.host) return this.host;
    if (this.ptr < 0) throw new Error("internal: use of a disposed wasm buffer");
    return new CTORS[this.dtype](heap.u8.buffer, this.ptr, this.length);
  }
  /** A host copy under the js backend's buffer field, so mixed-backend calls work. */
  get data(): TypedArray {
    return this.view().slice();
  }
  /** A new handle on the same storage (own lifetime). */
  alias(dtype: DType = this.dtype, length = this.length): WasmBuffer {
    if (this.host) return new WasmBuffer(HOST, length, dtype, null, dtype === this.dtype ? this.host : retype(this.host, dtype, length));
    const b = this.claim?.block ?? null;
    if (b) b.refs++;
    return new WasmBuffer(this.ptr, length, dtype, b);
  }
  /** Gives the block back now (the finalizer then has nothing left to do). */
  dispose(): void {
    if (this.claim) {
      finalizer.unregister(this.claim);
      release(this.claim);
    }
    this.claim = null;
    this.host = null;
    this.ptr = DISPOSED;
  }
}
function retype(h: TypedArray, dtype: DType, length: number): TypedArray {
  return new CTORS[dtype](h.buffer, h.byteOffset, length);
}

// ---- per-call staging of small buffers (execute() is not re-entered while it runs)
let stagingDepth = 0;
let arena = 0;
let arenaSize = 0;
let arenaTop = 0;
const staged: WasmBuffer[] = [];
const pending: WasmBuffer[] = [];
const extraChunks: number[] = [];

function arenaAlloc(bytes: number): number {
  const size = Math.ceil(Math.max(bytes, 1) / 16) * 16;
  if (arenaTop + size <= arenaSize) {
    const p = arena + arenaTop;
    arenaTop += size;
    return p;
  }
  // the arena is full for this call: a chunk of its own, freed when the call ends
  const p = heap.alloc(size);
  extraChunks.push(p);
  return p;
}
/** Gives a small input an address in the wasm memory for the current call. */
function stage(b: WasmBuffer): void {
  if (!b.host || b.ptr !== HOST) return;
  const bytes = b.host.byteLength;
  const p = arenaAlloc(bytes);
  heap.u8.set(new Uint8Array(b.host.buffer, b.host.byteOffset, bytes), p);
  b.ptr = p;
  staged.push(b);
}
function beginCall(): void {
  if (stagingDepth++ > 0) return;
  if (!arena) {
    arenaSize = 16 * SMALL_BYTES;
    arena = heap.alloc(arenaSize);
  }
  arenaTop = 0;
}
/** Ends a call: small outputs are copied to the JS heap, staged inputs unstaged. */
function endCall(ok: boolean): void {
  if (--stagingDepth > 0) return;
  for (const b of pending) {
    if (ok && b.ptr >= 0) b.host = new CTORS[b.dtype](heap.u8.buffer, b.ptr, b.length).slice();
    b.ptr = HOST;
  }
  for (const b of staged) b.ptr = HOST;
  pending.length = 0;
  staged.length = 0;
  for (const p of extraChunks) heap.free(p);
  extraChunks.length = 0;
  arenaTop = 0;
}

/**
 * Runs `body` as one kernel call (for the compiler's fused kernels): small inputs get
 * addresses in the memory for its duration, and small buffers made by newBuffer inside it
 * are copied out when it ends.
 */
export function kernelCall<R>(ins: readonly WasmBuffer[], body: () => R): R {
  let ok = false;
  beginCall();
  try {
    for (const b of ins) stage(b);
    const r = body();
    ok = true;
    return r;
  } finally {
    endCall(ok);
  }
}
/**
 * A fresh (uninitialised) buffer of n elements; small ones are staged during a call. Large
 * ones take a block, unless the heap has reached its spill limit (then they live on the JS
 * heap like small ones): `transient` buffers (a compiled program's intermediates, disposed
 * before it returns; default: allocHints.transient) always take a block.
 */
export function newBuffer(dtype: DType, n: number, transient = allocHints.transient): WasmBuffer {
  const bytes = n * BYTES[dtype];
  if (bytes === 0) return new WasmBuffer(0, n, dtype, null, new CTORS[dtype](new ArrayBuffer(0), 0, 0));
  const ptr = bytes <= SMALL_BYTES ? -1 : heap.alloc(bytes, !transient);
  if (ptr < 0) {
    if (stagingDepth > 0) {
      const b = new WasmBuffer(arenaAlloc(bytes), n, dtype, null);
      pending.push(b);
      return b;
    }
    return new WasmBuffer(HOST, n, dtype, null, typedArrayFor(dtype, n));
  }
  return new WasmBuffer(ptr, n, dtype, { ptr, refs: 1 });
}
/** A buffer that keeps `data` (a JS-heap typed array no one else writes) on the JS heap; wasm
 * kernels stage it like a small buffer. */
export function hostBuffer(dtype: DType, data: TypedArray): WasmBuffer {
  return new WasmBuffer(HOST, data.length, dtype, null, data);
}
/** A buffer holding `data`; small data that is not a view of the wasm memory is kept as is
 * (the Backend contract lets fromHost keep its argument). */
function fromTyped(data: TypedArray, dtype: DType, keep = false): WasmBuffer {
  const bytes = data.byteLength;
  const ptr = data.length > 0 && bytes > SMALL_BYTES ? heap.alloc(bytes, true) : -1;
  if (data.length > 0 && ptr < 0) {
    const own = keep && data.buffer !== heap.u8.buffer && !(data.buffer instanceof SharedArrayBuffer);
    return new WasmBuffer(HOST, data.length, dtype, null, own ? data : data.slice());
  }
  if (ptr < 0) return newBuffer(dtype, 0);
  heap.u8.set(new Uint8Array(data.buffer, data.byteOffset, bytes), ptr);
  return new WasmBuffer(ptr, data.length, dtype, { ptr, refs: 1 });
}
function asWasm(b: DeviceBuffer, aval: ShapedArray): WasmBuffer {
  if (b instanceof WasmBuffer) return b;
  const data = (b as unknown as { data?: TypedArray }).data;
  if (!data) throw new Error("internal: the wasm backend got a buffer of an unknown backend");
  return fromTyped(data, aval.dtype);
}

/** Scratch memory for one kernel call (freed by the caller). */
function scratch(bytes: number): number {
  return heap.alloc(bytes);
}

// ---------------------------------------------------------------- wasm implementations
type WasmImpl = (ins: WasmBuffer[], inAvals: ShapedArray[], params: Params, outAvals: ShapedArray[]) => WasmBuffer[] | null;

export const KIND: Partial<Record<DType, Kind>> = { float32: "f32", int32: "i32", bool: "bool" };

/** Strides (elements) reading `shape` broadcast to `outShape` (0 on broadcast dims). */
export function bstrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const st = stridesOf(shape);
  const off = outShape.length - shape.length;
  const r = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) r[off + i] = shape[i] === 1 ? 0 : st[i]!;
  return r;
}

/** Runs the elementwise op `opKey` (see EW_OPS) with numpy broadcasting into `out`. */
const fnCache = new Map<string, KernelFn>();
/** The contiguous (ew) or broadcasting (ewb) kernel of op/modes, memoised by a short key. */
function ewFn(broadcast: boolean, opKey: string, modes: readonly Mode[]): KernelFn {
  let key = broadcast ? "b" : "c";
  for (const m of modes) key += m === "full" ? "f" : "s";
  key += opKey;
  let fn = fnCache.get(key);
  if (!fn) {
    fn = broadcast ? ewbKernel(heap, opKey, modes) : ewKernel(heap, opKey, modes);
    fnCache.set(key, fn);
  }
  return fn;
}

function elementwise(opKey: string, ins: WasmBuffer[], inAvals: ShapedArray[], outAval: ShapedArray): WasmBuffer {
  const outShape = outAval.shape;
  const n = shapeSize(outShape);
  const out = newBuffer(outAval.dtype, n);
  if (n === 0) return out;
  // fast path: every input is full size (same shape) or a single element
  if (ins.every((b) => b.length === n || b.length === 1)) {
    const modes: Mode[] = ins.map((b) => (b.length === n ? "full" : "scalar"));
    const fn = ewFn(false, opKey, modes);
    if (n >= PAR_MIN.elements && pool?.usable) parallelFor(fn, [out.ptr, ...ins.map((b) => b.ptr), 0, n], ins.length + 1, 0, n, 1, ewMin(opKey), 16);
    else if (ins.length === 1) fn(out.ptr, ins[0]!.ptr, 0, n);
    else if (ins.length === 2) fn(out.ptr, ins[0]!.ptr, ins[1]!.ptr, 0, n);
    else fn(out.ptr, ...ins.map((b) => b.ptr), 0, n);
    return out;
  }
  const c = collapse(outShape, [stridesOf(outShape), ...inAvals.map((a) => bstrides(a.shape, outShape))]);
  const R = c.shape.length - 1;
  const modes: Mode[] = ins.map((_, j) => (c.strides[j + 1]![R] === 0 ? "scalar" : "full"));
  if (R === 0) {
    parallelFor(ewFn(false, opKey, modes), [out.ptr, ...ins.map((b) => b.ptr), 0, n], ins.length + 1, 0, n, 1, ewMin(opKey), 16);
  } else {
    const desc = writeBroadcastDesc(heap, c, [out.ptr, ...ins.map((b) => b.ptr)]);
    parallelFor(ewFn(true, opKey, modes), [desc, 0, 0], 1, 0, n / c.shape[R]!, c.shape[R]!, ewMin(opKey));
  }
  return out;
}

const elementwiseImpl = (prim: string): WasmImpl => (ins, inAvals, _p, outAvals) => {
  const kinds = inAvals.map((a) => KIND[a.dtype]);
  if (kinds.some((k) => k === undefined)) return null;
  const key = `${prim}:${kinds.join(",")}`;
  if (!EW_OPS[key]) return null;
  return [elementwise(key, ins, inAvals, outAvals[0]!)];
};

/** Copies `src` (elements of es bytes) into contiguous `dst` of shape outShape, reading
 * element idx at Σ idx_d·srcStrides_d. */
export function stridedCopy(src: number, dst: number, es: 1 | 4 | 8, outShape: readonly number[], srcStrides: readonly number[]): void {
  const n = shapeSize(outShape);
  if (n === 0) return;
  const c = collapse(outShape, [stridesOf(outShape), srcStrides]);
  const s = c.strides[1]!;
  const sh = c.shape;
  const R = sh.length - 1;
  if (R === 0 && s[0] === 1) {
    heap.u8.copyWithin(dst, src, src + n * es);
    return;
  }
  // batched 2-D transpose: out [B, C, A] from in [B, A, C]
  if (es === 4 && R >= 1 && R <= 2 && s[R] === sh[R - 1] && s[R - 1] === 1 && (R === 1 || s[0] === sh[1]! * sh[2]!)) {
    transpose2dKernel(heap)(src, dst, sh[R]!, sh[R - 1]!, 0, R === 2 ? sh[0]! : 1);
    return;
  }
  const inner = s[R] === 1 ? "contig" : s[R] === 0 ? "splat" : "strided";
  const desc = writeCopyDesc(heap, sh, s, src, dst);
  parallelFor(copyKernel(heap, es, inner), [desc, 0, 0], 1, 0, n / sh[R]!, sh[R]!, PAR_MIN.cheapElements);
}

const esOf = (d: DType): 1 | 4 | 8 => BYTES[d] as 1 | 4 | 8;

const transposeImpl: WasmImpl = ([x], [xa], p) => {
  const perm = p.permutation as number[];
  const st = stridesOf(xa!.shape);
  const outShape = perm.map((d) => xa!.shape[d]!);
  const out = newBuffer(xa!.dtype, x!.length);
  stridedCopy(x!.ptr, out.ptr, esOf(xa!.dtype), outShape, perm.map((d) => st[d]!));
  return [out];
};

const broadcastImpl: WasmImpl = ([x], [xa], p) => {
  const shape = p.shape as number[];
  const bd = p.broadcastDimensions as number[];
  const st = stridesOf(xa!.shape);
  const s = new Array<number>(shape.length).fill(0);
  bd.forEach((od, i) => {
    if (xa!.shape[i] !== 1) s[od] = st[i]!;
  });
  const out = newBuffer(xa!.dtype, shapeSize(shape));
  stridedCopy(x!.ptr, out.ptr, esOf(xa!.dtype), shape, s);
  return [out];
};

const sliceImpl: WasmImpl = ([x], [xa], p, [o]) => {
  const start = p.startIndices as number[];
  const steps = (p.strides as number[] | null) ?? start.map(() => 1);
  const st = stridesOf(xa!.shape);
  const es = esOf(xa!.dtype);
  const out = newBuffer(o!.dtype, shapeSize(o!.shape));
  let off = 0;
  start.forEach((s, d) => (off += s * st[d]!));
  if (out.length) stridedCopy(x!.ptr + off * es, out.ptr, es, o!.shape, st.map((v, d) => v * steps[d]!));
  return [out];
};

const reshapeImpl: WasmImpl = ([x]) => [x!.alias()];

function reduceImpl(op: RedOp): WasmImpl {
  return ([x], [xa], p, [o]) => {
    if (xa!.dtype !== "float32") return null;
    const axes = p.axes as number[];
    const shape = xa!.shape;
    const total = shapeSize(shape);
    const outN = shapeSize(o!.shape);
    if (total === 0 || outN === 0) return null; // empty reductions: the reference fills init values
    // runs of kept (K) and reduced (R) dims, size-1 dims dropped
    const runs: { red: boolean; size: number }[] = [];
    for (let d = 0; d < shape.length; d++) {
      if (shape[d] === 1) continue;
      const red = axes.includes(d);
      const last = runs[runs.length - 1];
      if (last && last.red === red) last.size *= shape[d]!;
      else runs.push({ red, size: shape[d]! });
    }
    const nRed = runs.filter((r) => r.red).length;
    if (nRed === 0) return [x!.alias()];
    const out = newBuffer("float32", outN);
    if (nRed === 1 && runs.length <= 3 && !(runs.length === 3 && runs[0]!.red)) {
      const ri = runs.findIndex((r) => r.red);
      const outer = ri === 1 ? runs[0]!.size : 1;
      const n = runs[ri]!.size;
      const inner = ri + 1 < runs.length ? runs[ri + 1]!.size : 1;
      if (inner === 1) parallelFor(reduceLastKernel(heap, op), [out.ptr, x!.ptr, n, 0, 0], 3, 0, outer, n, PAR_MIN.cheapElements);
      else parallelFor(reduceMidKernel(heap, op), [out.ptr, x!.ptr, n, inner, 0, 0], 4, 0, outer, n * inner, PAR_MIN.cheapElements);
      return [out];
    }
    // general: move the reduced axes last, then reduce rows
    const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
    const perm = [...kept, ...axes];
    const st = stridesOf(shape);
    const tmp = scratch(total * 4);
    try {
      stridedCopy(x!.ptr, tmp, 4, perm.map((d) => shape[d]!), perm.map((d) => st[d]!));
      parallelFor(reduceLastKernel(heap, op), [out.ptr, tmp, total / outN, 0, 0], 3, 0, outN, total / outN, PAR_MIN.cheapElements);
    } finally {
      heap.free(tmp);
    }
    return [out];
  };
}

const identical = (perm: readonly number[]): boolean => perm.every((p, i) => p === i);

const dotImpl: WasmImpl = ([x, y], [xa, ya], p, [o]) => {
  if (xa!.dtype !== "float32") return null;
  const [lc, rc] = p.contracting as [number[], number[]];
  const [lb, rb] = p.batch as [number[], number[]];
  const xs = xa!.shape;
  const ys = ya!.shape;
  const free = (nd: number, c: number[], b: number[]) => [...Array(nd).keys()].filter((d) => !c.includes(d) && !b.includes(d));
  const lf = free(xs.length, lc, lb);
  const rf = free(ys.length, rc, rb);
  const prod = (s: readonly number[], ds: number[]) => ds.reduce((a, d) => a * s[d]!, 1);
  const B = prod(xs, lb);
  const M = prod(xs, lf);
  const K = prod(xs, lc);
  const N = prod(ys, rf);
  const out = newBuffer("float32", B * M * N);
  if (out.length === 0) return [out];
  if (K === 0) {
    heap.u8.fill(0, out.ptr, out.ptr + out.length * 4);
    return [out];
  }
  const temps: number[] = [];
  try {
    // A as [B, M, K]
    let a = x!.ptr;
    const lperm = [...lb, ...lf, ...lc];
    if (!identical(dropOnes(xs, lperm))) {
      a = scratch(B * M * K * 4);
      temps.push(a);
      const st = stridesOf(xs);
      stridedCopy(x!.ptr, a, 4, lperm.map((d) => xs[d]!), lperm.map((d) => st[d]!));
    }
    // B as [B, K, N] or, transposed, [B, N, K]
    let b = y!.ptr;
    let transB = 0;
    const rperm = [...rb, ...rc, ...rf];
    if (!identical(dropOnes(ys, rperm))) {
      if (identical(dropOnes(ys, [...rb, ...rf, ...rc]))) transB = 1;
      else {
        b = scratch(B * K * N * 4);
        temps.push(b);
        const st = stridesOf(ys);
        stridedCopy(y!.ptr, b, 4, rperm.map((d) => ys[d]!), rperm.map((d) => st[d]!));
      }
    }
    if (M === 1 || N === 1) {
      // matrix-vector shapes: their own loops (float32 accumulation, see matmul.ts)
      const gv = gemvKernels(heap);
      for (let bi = 0; bi < B; bi++) {
        const o = out.ptr + bi * M * N * 4;
        if (N === 1) parallelFor(gv.dotRows, [a + bi * M * K * 4, b + bi * K * 4, o, K, 0, 0], 4, 0, M, K, PAR_MIN.cheapElements);
        else if (transB) parallelFor(gv.dotRows, [b + bi * N * K * 4, a + bi * K * 4, o, K, 0, 0], 4, 0, N, K, PAR_MIN.cheapElements);
        else parallelFor(gv.axpyRows, [b + bi * K * N * 4, a + bi * K * 4, o, K, N, 0, 0], 5, 0, N, K, PAR_MIN.cheapElements, 16);
      }
      return [out];
    }
    const g = gemmKernels(heap);
    const bp = scratch(packedBytes(g.cfg, K, N));
    temps.push(bp);
    // per-thread scratch (packed A block and edge tile) when the product is split over threads
    const threads = pool?.usable && M * N * K >= PAR_MIN.matmul ? pool.threads : 1;
    const scb = scratchBytes(g.cfg);
    const sc = scratch(scb * threads);
    temps.push(sc);
    const npan = Math.ceil(N / g.cfg.NR);
    for (let bi = 0; bi < B; bi++) {
      parallelFor(g.packB, [b + bi * K * N * 4, bp, K, N, transB ? K : N, transB, 0, 0], 6, 0, npan, K * g.cfg.NR, threads > 1 ? PAR_MIN.cheapElements : Infinity);
      // few rows (an MLP's batch): split by column panels, so each thread reads part of B
      if (threads > 1 && M <= 256 && npan >= 4 * threads)
        // (one chunk per thread: every chunk packs all of A)
        parallelFor(g.gemmCols, [a + bi * M * K * 4, K, bp, out.ptr + bi * M * N * 4, N, N, K, M, 0, 0, sc], 8, 0, npan, M * K * g.cfg.NR, PAR_MIN.matmul, Math.ceil(npan / threads), 10, scb);
      else parallelFor(g.gemm, [a + bi * M * K * 4, K, bp, out.ptr + bi * M * N * 4, N, N, K, 0, 0, sc], 7, 0, M, N * K, threads > 1 ? PAR_MIN.matmul : Infinity, g.cfg.MR, 9, scb);
    }
  } finally {
    for (const t of temps) heap.free(t);
  }
  return [out];
};
/** perm with the dims of size 1 removed (they do not affect the memory order). */
function dropOnes(shape: readonly number[], perm: readonly number[]): number[] {
  const keep = perm.filter((d) => shape[d] !== 1);
  // renumber to 0..k-1 in order of the original dims
  const sorted = [...keep].sort((a, b) => a - b);
  return keep.map((d) => sorted.indexOf(d));
}

const integerPowImpl: WasmImpl = (ins, inAvals, p, outAvals) => {
  if (inAvals[0]!.dtype !== "float32") return null;
  const y = p.y as number;
  if (y === 1) return [ins[0]!.alias()];
  const key = y === 2 ? "square:f32" : y === -1 ? "reciprocal:f32" : null;
  return key ? [elementwise(key, ins, inAvals, outAvals[0]!)] : null;
};

const convertImpl: WasmImpl = (ins, inAvals, p, outAvals) => {
  const from = KIND[inAvals[0]!.dtype];
  const to = KIND[p.newDType as DType];
  const key = `convert_element_type:${from}>${to}`;
  if (!from || !to || !EW_OPS[key]) return null;
  if (from === to) return [ins[0]!.alias()];
  return [elementwise(key, ins, inAvals, outAvals[0]!)];
};

const IMPLS: Record<string, WasmImpl> = {
  convert_element_type: convertImpl,
  reshape: reshapeImpl,
  transpose: transposeImpl,
  broadcast_in_dim: broadcastImpl,
  slice: sliceImpl,
  reduce_sum: reduceImpl("sum"),
  reduce_max: reduceImpl("max"),
  reduce_min: reduceImpl("min"),
  dot_general: dotImpl,
  integer_pow: integerPowImpl,
};
for (const key of Object.keys(EW_OPS)) {
  const name = key.slice(0, key.indexOf(":"));
  if (!(name in IMPLS) && name !== "square" && name !== "reciprocal" && name !== "convert_element_type") IMPLS[name] = elementwiseImpl(name);
}

/** Primitives (and the dtypes) that run as generated wasm here; the rest use the JS impl. */
export const WASM_KERNELS: Record<string, string> = {
  ...Object.fromEntries(
    [...new Set(Object.keys(EW_OPS).map((k) => k.slice(0, k.indexOf(":"))))]
      .filter((n) => n !== "square" && n !== "reciprocal" && n !== "convert_element_type")
      .map((n) => [
        n,
        [...new Set(Object.keys(EW_OPS).filter((k) => k.startsWith(`${n}:`)).map((k) => k.slice(n.length + 1)))].join(" | "),
      ]),
  ),
  integer_pow: "f32 (y = 1, 2, -1)",
  convert_element_type: "between f32, i32 and bool",
  reduce_sum: "f32 (float64 accumulation)",
  reduce_max: "f32",
  reduce_min: "f32",
  dot_general: "f32 (any dimension numbers; SIMD register-tiled, cache-blocked; matrix-vector shapes accumulate in float64)",
  transpose: "any dtype",
  broadcast_in_dim: "any dtype",
  slice: "any dtype",
  reshape: "any dtype (shares the buffer)",
};

// ---------------------------------------------------------------- fallback
function fallback(prim: Primitive<any>, ins: WasmBuffer[], inAvals: ShapedArray[], params: Params, outAvals: ShapedArray[]): WasmBuffer[] {
  const impl = prim.impl;
  if (typeof impl !== "function") throw new Error(`internal: wasm backend asked to execute '${prim.name}', which has a bind impl`);
  const host: HostArray[] = ins.map((b, i) => ({ data: b.view(), shape: inAvals[i]!.shape, dtype: inAvals[i]!.dtype }));
  const outs = impl(host, params, outAvals);
  if (outs.length !== outAvals.length)
    throw new Error(`internal: kernel of '${prim.name}' returned ${outs.length} outputs, expected ${outAvals.length}`);
  return outs.map((d, i) => {
    const j = host.findIndex((h) => h.data === d);
    // an output that is an input's data (reshape, identities) shares its block
    if (j >= 0 && ins[j]!.dtype === outAvals[i]!.dtype) return ins[j]!.alias();
    // dtypes no wasm kernel reads (float64, uint32) stay where the impl made them: the next
    // JS impl reads them without a copy (a wasm copy kernel stages them like small buffers)
    const dtype = outAvals[i]!.dtype;
    if (j < 0 && !KIND[dtype] && d.length > 0) return hostBuffer(dtype, d);
    return fromTyped(d, dtype, j < 0);
  });
}

// ---------------------------------------------------------------- the backend
export const wasmBackend: Backend = {
  name: "wasm",
  fromHost(data: TypedArray, aval: ShapedArray): DeviceBuffer {
    return fromTyped(data, aval.dtype, true);
  },
  // a copy: a view would alias a block that is reused once its array is collected
  toHost(buf: DeviceBuffer, aval: ShapedArray): TypedArray {
    return asWasm(buf, aval).view().slice();
  },
  execute(prim: Primitive<any>, inputs: DeviceBuffer[], inAvals: ShapedArray[], params: Params, outAvals: ShapedArray[]) {
    const ins = inputs.map((b, i) => asWasm(b, inAvals[i]!));
    // results of a dtype no wasm kernel computes from large inputs that all live on the JS
    // heap (results of JS impls): straight to the JS impl (staging them would only copy)
    const jsOnly = outAvals.every((a) => !KIND[a.dtype]) && ins.every((b) => b.host !== null) && ins.some((b) => b.host!.byteLength > SMALL_BYTES);
    const k = jsOnly ? undefined : IMPLS[prim.name];
    if (k) {
      let r: WasmBuffer[] | null = null;
      let ok = false;
      beginCall();
      try {
        for (const b of ins) stage(b);
        r = k(ins, inAvals, params, outAvals);
        ok = true;
      } finally {
        endCall(ok);
      }
      if (r) {
        if (counting) count(prim.name, inAvals, true);
        return r;
      }
    }
    if (counting) count(prim.name, inAvals, false);
    return fallback(prim, ins, inAvals, params, outAvals);
  },
  dispose(buf: DeviceBuffer) {
    if (buf instanceof WasmBuffer) buf.dispose();
  },
};

// ---------------------------------------------------------------- dispatch statistics
/** Per `primitive(dtypes)`: how many calls ran a wasm kernel and how many the JS impl. */
export type DispatchStats = Record<string, { wasm: number; js: number }>;
let counting = false;
let counts: DispatchStats = {};
function count(name: string, avals: ShapedArray[], wasm: boolean): void {
  const key = `${name}(${avals.map((a) => a.dtype).join(",")})`;
  const c = (counts[key] ??= { wasm: 0, js: 0 });
  if (wasm) c.wasm++;
  else c.js++;
}
/** Starts counting dispatches (wasm kernel vs JS fallback) from zero. */
export function startDispatchStats(): void {
  counting = true;
  counts = {};
}
export function dispatchStats(): DispatchStats {
  return counts;
}

/** Allocator statistics of the wasm memory (bytes). */
export function heapStats(): HeapStats {
  return heap.stats();
}
export { cacheStats };

if (wasmAvailable) registerBackend(wasmBackend);
// start the worker threads now, in the background (they take 0.1–0.3 s to boot): by the time a
// program has data big enough to split, they take their chunks from the first call on
// instead of joining only after some calls ran on one core
if (wasmAvailable) startThreads(false);
const envBackend = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.JAXTS_BACKEND;
// the default backend wherever it runs (WebAssembly with SIMD128); JAXTS_BACKEND=js keeps
// the plain-JS reference backend
if (wasmAvailable && envBackend !== "js") setDefaultBackend("wasm");
// JAXTS_WASM_STATS=1: print the dispatch counts (wasm kernel vs JS impl) at exit
const envProc = (globalThis as { process?: { env?: Record<string, string | undefined>; on?(e: string, f: () => void): void } }).process;
if (envProc?.env?.JAXTS_WASM_STATS === "1" && envProc.on) {
  startDispatchStats();
  envProc.on("exit", () => {
    const rows = Object.entries(counts).sort((a, b) => b[1].js + b[1].wasm - (a[1].js + a[1].wasm));
    console.error(`wasm dispatch (primitive(dtypes): wasm kernel / JS impl):\n${rows.map(([k, c]) => `  ${k}: ${c.wasm} / ${c.js}`).join("\n")}`);
  });
}
