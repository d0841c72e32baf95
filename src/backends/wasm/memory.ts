// memory.ts — the wasm backend's memory: ONE shared `WebAssembly.Memory` (so a worker pool
// can later run kernels on it), a 16-byte aligned allocator whose bookkeeping lives in JS,
// and buffer handles that give their block back when the array holding them is garbage
// collected (FinalizationRegistry) or disposed.
//
// Allocator: blocks are multiples of 16 bytes. Free blocks sit in 32 bins by floor(log2
// size) and in two maps (by start and by end) so that freeing coalesces with both
// neighbours in O(1); a free block that reaches the top of the heap lowers the top instead.
// Allocation takes the first fitting block of its own bin (a few are looked at), else any
// block of a larger bin (split, the rest stays free), else bumps the top, growing the memory
// when needed. Growing never moves data, and typed-array views made before a growth keep
// their range (views of a shared memory are never detached), so host views stay valid.
//
// Reclamation: garbage-collected arrays give their blocks back through FinalizationRegistry
// callbacks, which V8 runs only between tasks and only after a major GC, which the small JS
// objects rarely cause; so a long synchronous loop would grow the memory without bound. When
// the host allows it (index.ts installs `cleanup` = cleanupSome and `reclaim` = forced major
// GC + cleanupSome), the heap, before raising its top: runs `cleanup` (cheap; it frees what
// earlier GCs found dead) after every CLEANUP_STEP bytes of growth, and `reclaim` when the top
// would pass `reclaimAt` (RECLAIM_MIN, later twice the live bytes). Both free blocks
// synchronously, so the heap stays within about max(RECLAIM_MIN, 2 × live) bytes.
//
// The first HEAP_BASE bytes are reserved: address 0 is never a valid block, and the space
// below HEAP_BASE holds small per-call descriptors written by kernels' callers (ARGS).
import { WA, type WasmMemory } from "./encoder.js";

export const PAGE = 65536;
/** Byte offset of the descriptor area (kernel call arguments that do not fit in params). */
export const ARGS = 1024;
export const ARGS_BYTES = 7 * 1024;
const HEAP_BASE = 8192;
const INITIAL_PAGES = 256; // 16 MiB
/** 4 GiB of address space (the wasm32 limit); pages are committed only when grown into. */
const MAX_PAGES = 65536;

const ALIGN = 16;
/** Heap extent below which no forced reclamation happens. */
export const RECLAIM_MIN = 16 * 2 ** 20;
/** Default heap extent above which arrays spill to the JS heap (JAXTS_WASM_HEAP_MB). */
export const SPILL_AT = envMiB("JAXTS_WASM_HEAP_MB") ?? 256 * 2 ** 20;
function envMiB(name: string): number | null {
  const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n * 2 ** 20 : null;
}
/** Growth of the heap top between two (cheap) cleanups of pending finalizers. */
const CLEANUP_STEP = 2 ** 20;
const roundUp = (n: number): number => Math.ceil(Math.max(n, 1) / ALIGN) * ALIGN;
const binOf = (size: number): number => 31 - Math.clz32(size);

export interface HeapStats {
  /** Bytes in live blocks. */
  inUse: number;
  /** Number of live blocks. */
  blocks: number;
  /** Top of the heap (bytes below are either live or free blocks). */
  top: number;
  /** Bytes in free blocks below the top. */
  free: number;
  /** Size of the memory in bytes. */
  capacity: number;
  /** Highest inUse seen. */
  peak: number;
  /** Forced reclamations so far. */
  reclaims: number;
  /** Arrays put on the JS heap because the heap reached `spillAt`. */
  spills: number;
}

export class WasmHeap {
  readonly memory: WasmMemory;
  readonly maxPages: number;
  /** False where shared memory is unavailable (a browser page without cross-origin
   * isolation): then growth replaces the buffer, so views must not outlive an allocation. */
  readonly shared: boolean;
  /** Views of the whole memory; refreshed after growth (older views stay valid). */
  u8!: Uint8Array;
  i32!: Int32Array;
  u32!: Uint32Array;
  f32!: Float32Array;
  f64!: Float64Array;
  private top = HEAP_BASE;
  private readonly used = new Map<number, number>();
  private readonly freeStart = new Map<number, number>();
  private readonly freeEnd = new Map<number, number>();
  private readonly bins: Set<number>[] = Array.from({ length: 33 }, () => new Set<number>());
  private inUse = 0;
  private peak = 0;
  private freeBytes = 0;
  private reclaims = 0;
  /** Frees unreachable blocks synchronously (installed by the backend when possible). */
  reclaim: (() => void) | null = null;
  /** Runs the finalizers of arrays earlier GCs found dead (installed when possible). */
  cleanup: (() => void) | null = null;
  private cleanupAt = 0;
  /** Heap extent that triggers `reclaim` before growing further. */
  reclaimAt = RECLAIM_MIN;
  /** Heap top above which bounded allocations fail (see `alloc`); adapted by noteCollected. */
  spillAt = SPILL_AT;
  private spills = 0;

  constructor(initialPages = INITIAL_PAGES, maxPages = MAX_PAGES, wantShared = true) {
    let mem: WasmMemory | null = null;
    let max = maxPages;
    let shared = wantShared && typeof SharedArrayBuffer === "function";
    // some hosts refuse to reserve 4 GiB of shared address space: halve until it works;
    // without shared memory at all, use an ordinary one
    while (!mem) {
      try {
        mem = new WA.Memory({ initial: initialPages, maximum: max, shared });
      } catch (e) {
        if (max <= initialPages) {
          if (!shared) throw new Error(`internal: could not create a WebAssembly.Memory (${String(e)})`);
          shared = false;
          max = maxPages;
        } else max = Math.max(initialPages, Math.floor(max / 2));
      }
    }
    this.memory = mem;
    this.maxPages = max;
    this.shared = shared;
    this.refreshViews();
  }

  private refreshViews(): void {
    const b = this.memory.buffer;
    this.u8 = new Uint8Array(b);
    this.i32 = new Int32Array(b);
    this.u32 = new Uint32Array(b);
    this.f32 = new Float32Array(b);
    this.f64 = new Float64Array(b);
  }

  get capacity(): number {
    return this.u8.byteLength;
  }

  /**
   * Allocates `bytes` (rounded up to 16); returns the block's address, never 0. `bounded`
   * (for arrays only the garbage collector will free): returns -1 instead when the live
   * blocks would pass `spillAt`, or no free block fits and the heap top would pass it — the
   * caller then keeps the array on the JS heap. Blocks of dead arrays are freed only once the collector has found them and the host
   * has run its finalizers, between tasks, so a long synchronous loop that drops large arrays
   * would otherwise fill the memory (which never shrinks) up to the wasm32 limit.
   */
  alloc(bytes: number, bounded = false): number {
    const size = roundUp(bytes);
    // bounded: the live blocks (dead arrays the collector has not reported included) must
    // stay under the limit too, or transient blocks freed each call would make room for
    // dropped arrays while they themselves keep raising the top
    if (bounded && this.inUse + size > this.spillAt) {
      if (this.reclaim) {
        this.reclaims++;
        this.reclaim();
      }
      if (this.inUse + size > this.spillAt) {
        this.spills++;
        return -1;
      }
    }
    let ptr = this.takeFree(size);
    if (ptr < 0 && this.cleanup && this.top + size > this.cleanupAt) {
      this.cleanup();
      this.cleanupAt = this.top + CLEANUP_STEP;
      ptr = this.takeFree(size);
    }
    if (ptr < 0 && this.reclaim && (this.top + size > this.reclaimAt || (bounded && this.top + size > this.spillAt))) {
      this.reclaims++;
      this.reclaim();
      this.reclaimAt = Math.max(RECLAIM_MIN, 2 * (this.inUse + size));
      ptr = this.takeFree(size);
    }
    if (ptr < 0 && bounded && this.top + size > this.spillAt) {
      this.spills++;
      return -1;
    }
    if (ptr < 0) {
      ptr = this.top;
      const end = ptr + size;
      if (end > this.capacity) this.growTo(end);
      this.top = end;
    }
    this.used.set(ptr, size);
    this.inUse += size;
    if (this.inUse > this.peak) this.peak = this.inUse;
    return ptr;
  }

  /** Called after finalizers freed blocks of collected arrays: what is left is about the
   * live set, so the spill limit becomes twice that (never below SPILL_AT). */
  noteCollected(): void {
    this.spillAt = Math.max(SPILL_AT, 2 * this.inUse);
  }

  /** Size of the live block at ptr (0 if none). */
  sizeOf(ptr: number): number {
    return this.used.get(ptr) ?? 0;
  }

  free(ptr: number): void {
    let size = this.used.get(ptr);
    if (size === undefined) throw new Error(`internal: free of ${ptr}, which is not a live block`);
    this.used.delete(ptr);
    this.inUse -= size;
    // coalesce with the next free block
    const nextSize = this.freeStart.get(ptr + size);
    if (nextSize !== undefined) {
      this.removeFree(ptr + size, nextSize);
      size += nextSize;
    }
    // coalesce with the previous free block
    const prev = this.freeEnd.get(ptr);
    if (prev !== undefined) {
      const prevSize = this.freeStart.get(prev)!;
      this.removeFree(prev, prevSize);
      ptr = prev;
      size += prevSize;
    }
    if (ptr + size === this.top) this.top = ptr;
    else this.insertFree(ptr, size);
  }

  stats(): HeapStats {
    return { inUse: this.inUse, blocks: this.used.size, top: this.top, free: this.freeBytes, capacity: this.capacity, peak: this.peak, reclaims: this.reclaims, spills: this.spills };
  }

  private takeFree(size: number): number {
    let b = binOf(size);
    // own bin: first fit among a few candidates
    let looked = 0;
    for (const p of this.bins[b]!) {
      const s = this.freeStart.get(p)!;
      if (s >= size) return this.useFree(p, s, size);
      if (++looked >= 8) break;
    }
    for (b++; b < this.bins.length; b++) {
      const bin = this.bins[b]!;
      if (bin.size === 0) continue;
      const p = bin.values().next().value as number;
      return this.useFree(p, this.freeStart.get(p)!, size);
    }
    return -1;
  }
  private useFree(p: number, s: number, size: number): number {
    this.removeFree(p, s);
    if (s > size) this.insertFree(p + size, s - size);
    return p;
  }
  private insertFree(p: number, s: number): void {
    this.freeStart.set(p, s);
    this.freeEnd.set(p + s, p);
    this.bins[binOf(s)]!.add(p);
    this.freeBytes += s;
  }
  private removeFree(p: number, s: number): void {
    this.freeStart.delete(p);
    this.freeEnd.delete(p + s);
    this.bins[binOf(s)]!.delete(p);
    this.freeBytes -= s;
  }

  private growTo(end: number): void {
    const cur = this.capacity / PAGE;
    const need = Math.ceil(end / PAGE);
    // grow geometrically (at least 1/4 of the current size) to amortise growth
    const want = Math.min(this.maxPages, Math.max(need, cur + Math.ceil(cur / 4)));
    if (need > this.maxPages)
      throw new RangeError(`wasm backend: out of memory (need ${end} bytes; the wasm32 memory holds at most ${this.maxPages * PAGE})`);
    try {
      this.memory.grow(want - cur);
    } catch {
      this.memory.grow(need - cur);
    }
    this.refreshViews();
  }
}
