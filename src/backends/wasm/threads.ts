// threads.ts — the wasm backend's persistent worker-thread pool. N-1 workers (N = the number
// of threads, JAXTS_THREADS or min(os.availableParallelism(), MAX_THREADS)) instantiate the
// same kernel modules against the backend's ONE shared WebAssembly.Memory, so a kernel call
// can be split over its range argument (every kernel of kernels.ts / matmul.ts takes a
// sub-range) and run by all threads at once; the main thread takes chunks too.
//
// `parallelFor(fn, args, rp, lo, hi, grain, …)` runs fn(…args with args[rp..rp+1] = [s, e))
// over [lo, hi) in chunks of `grain`: it publishes the job in a shared control block (layout
// in thread_worker.ts), wakes the workers with Atomics.notify, claims chunks itself, and then
// blocks in Atomics.wait until every claimed chunk is done (no spinning anywhere). Chunks are
// claimed dynamically, so a worker that wakes late (or a busy core) only means the others
// take more chunks. Since each chunk computes exactly what the same range computes in one
// call, the results are bitwise those of the single-threaded call.
//
// Kernel modules reach the workers as compiled WebAssembly.Module objects (kernelOrigin in
// kernels.ts) over a MessagePort per worker, posted before the first job that uses them and
// read synchronously by the worker. Memory growth (only the main thread allocates, and never
// during a job) is visible to the workers' instances because they import the same shared
// Memory object.
//
// Start: the pool starts (asynchronously: workers that are not ready yet simply take no
// chunks) on the first call that is big enough to be split; startThreads(true) blocks until
// the workers are ready. Failures: a kernel that throws in a worker, or a worker thread that
// exits, is reported as an Error from that call once every other thread has finished its
// chunks (never a hang); the pool is then shut down and later calls run single-threaded. A
// worker that fails to start is reported by a process warning, and the pool is not used.
// Idle workers are unref'd and blocked in Atomics.wait, so they never keep a process alive.
// Inside a worker thread (a pmap device) the pool is off: the devices already use the cores.
import type { MessagePort, Worker } from "node:worker_threads";
import { NO_WORKERS, nodeOs, tsxApiUrl, workerThreads } from "../../runtime/node.js";
import type { WasmMemory } from "./encoder.js";
import { type KernelFn, kernelOrigin } from "./kernels.js";
import { C, type KernelMessage, MSG_BYTES } from "./thread_worker.js";

/** Upper bound of the default thread count (JAXTS_THREADS may ask for more, up to MAX_WORKERS+1). */
export const MAX_THREADS = 16;

type Env = Record<string, string | undefined>;
const env: Env = (globalThis as { process?: { env?: Env } }).process?.env ?? {};

/** Threads the pool would use: JAXTS_THREADS, else the machine's cores (at most MAX_THREADS);
 * 1 inside a worker thread (a pmap device already runs on its own core). */
export function configuredThreads(): number {
  if (!workerThreads || !workerThreads.isMainThread) return 1;
  const v = env.JAXTS_THREADS;
  if (v !== undefined && v !== "") {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`JAXTS_THREADS must be a positive integer, got '${v}'`);
    return Math.min(n, C.MAX_WORKERS + 1);
  }
  let cores = 1;
  try {
    cores = nodeOs ? (typeof nodeOs.availableParallelism === "function" ? nodeOs.availableParallelism() : nodeOs.cpus().length) : 1;
  } catch {
    cores = 1;
  }
  return Math.max(1, Math.min(cores, MAX_THREADS));
}

export interface ThreadStats {
  /** threads in use (1: the pool is off) */
  threads: number;
  /** workers that are started and ready */
  ready: number;
  /** jobs split over the pool */
  jobs: number;
  /** chunks run by the main thread / by the workers, over all jobs */
  mainChunks: number;
  workerChunks: number;
  /** why the pool is off, if it was switched off */
  disabled: string | null;
}

function workerUrl(): URL {
  const self = import.meta.url;
  return new URL(self.endsWith(".ts") ? "./thread_worker.ts" : "./thread_worker.js", self);
}
// a CommonJS bootstrap: registers tsx when running from sources, imports the worker, and
// reports a failed start through the control block (the main thread may be blocked)
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
(workerData.tsx ? import(workerData.tsx).then((m) => m.register()) : Promise.resolve())
  .then(() => import(workerData.url))
  .catch((e) => {
    const ctl = new Int32Array(workerData.ctl);
    const msg = new TextEncoder().encode("wasm thread " + (workerData.index + 1) + " failed to start: " + String(e && e.stack || e)).slice(0, ${MSG_BYTES - 1});
    if (Atomics.compareExchange(ctl, ${C.ERROR}, 0, workerData.index + 1) === 0) new Uint8Array(workerData.msg).set(msg);
    Atomics.store(ctl, ${C.READY} + workerData.index, 2);
    Atomics.notify(ctl, ${C.READY} + workerData.index);
  });
`;

const MASK = (1 << C.CHUNK_BITS) - 1;

export class ThreadPool {
  readonly threads: number;
  private readonly ctl: Int32Array;
  private readonly msg: Uint8Array;
  private readonly workers: { worker: Worker; port: MessagePort }[] = [];
  private readonly fids = new Map<KernelFn, number>();
  private readonly mids = new Map<object, number>();
  private readonly sent: KernelMessage[] = [];
  private gen = 0;
  private jobs = 0;
  private mainChunks = 0;
  private running = false;
  disabled: string | null = null;
  private warned = false;

  constructor(
    private readonly memory: WasmMemory,
    threads: number,
  ) {
    this.threads = Math.max(1, Math.min(threads, C.MAX_WORKERS + 1));
    this.ctl = new Int32Array(new SharedArrayBuffer(C.WORDS * 4));
    this.msg = new Uint8Array(new SharedArrayBuffer(MSG_BYTES));
  }

  /** Starts the workers (once). With wait, blocks until each is ready or failed. */
  start(wait = false): void {
    if (this.threads > 1 && this.workers.length === 0 && !this.disabled) {
      try {
        const url = workerUrl();
        if (!workerThreads) throw new Error(NO_WORKERS);
        const { MessageChannel, Worker } = workerThreads;
        const tsx = url.pathname.endsWith(".ts") ? tsxApiUrl(import.meta.url) : null;
        for (let i = 0; i < this.threads - 1; i++) {
          const { port1, port2 } = new MessageChannel();
          const worker = new Worker(BOOTSTRAP, {
            eval: true,
            workerData: { wasmThread: true, ctl: this.ctl.buffer, msg: this.msg.buffer, memory: this.memory, port: port2, index: i, url: url.href, tsx },
            transferList: [port2],
          });
          worker.unref();
          port1.unref();
          // kernels registered before this worker existed
          for (const m of this.sent) port1.postMessage(m);
          this.workers.push({ worker, port: port1 });
        }
      } catch (e) {
        this.disable(`the wasm worker threads could not be started: ${String(e)}`, true);
        return;
      }
    }
    if (!wait) return;
    const t0 = Date.now();
    for (let i = 0; i < this.workers.length; i++) {
      while (Atomics.load(this.ctl, C.READY + i) === 0) {
        Atomics.wait(this.ctl, C.READY + i, 0, 100);
        if (Date.now() - t0 > 60_000) {
          this.disable(`wasm thread ${i + 1} did not start within 60 s`, true);
          return;
        }
      }
    }
    this.checkStart();
  }

  /** Number of workers ready to take chunks. */
  ready(): number {
    let n = 0;
    for (let i = 0; i < this.workers.length; i++) if (Atomics.load(this.ctl, C.READY + i) === 1 && !Atomics.load(this.ctl, C.DEAD + i)) n++;
    return n;
  }

  /** Whether a call should be split at all (the pool may still be starting). */
  get usable(): boolean {
    return this.threads > 1 && this.disabled === null && !this.running;
  }

  stats(): ThreadStats {
    let workerChunks = 0;
    for (let i = 0; i < this.workers.length; i++) workerChunks += this.ctl[C.WCHUNKS + i]!;
    return { threads: this.disabled ? 1 : this.threads, ready: this.disabled ? 0 : this.ready(), jobs: this.jobs, mainChunks: this.mainChunks, workerChunks, disabled: this.disabled };
  }

  /** Test hook: makes the next chunk a worker runs throw (1) or exit its thread (2). */
  injectFailure(kind: 1 | 2): void {
    Atomics.store(this.ctl, C.INJECT, kind);
  }

  /** Stops the workers; later calls run single-threaded. */
  disable(reason: string, warn = false): void {
    if (this.disabled === null) this.disabled = reason;
    Atomics.store(this.ctl, C.SHUTDOWN, 1);
    Atomics.add(this.ctl, C.GEN, 1);
    Atomics.notify(this.ctl, C.GEN);
    for (const w of this.workers) void w.worker.terminate().catch(() => undefined);
    if (warn && !this.warned) {
      this.warned = true;
      const proc = (globalThis as { process?: { emitWarning?(m: string): void } }).process;
      proc?.emitWarning?.(`jaxts: ${reason}; the wasm backend runs single-threaded`);
    }
  }

  /** Switches the pool off (with a warning) when a worker failed to start or has exited
   * between calls. */
  private checkStart(): void {
    for (let i = 0; i < this.workers.length; i++) {
      if (Atomics.load(this.ctl, C.READY + i) === 2) {
        this.disable(this.errorText() || `wasm thread ${i + 1} failed to start`, true);
        return;
      }
      if (Atomics.load(this.ctl, C.DEAD + i)) {
        this.disable(`wasm thread ${i + 1} exited`, true);
        return;
      }
    }
  }

  private errorText(): string {
    const end = this.msg.indexOf(0);
    return new TextDecoder().decode(this.msg.slice(0, end < 0 ? this.msg.length : end));
  }

  /** The function id of fn, registering its module with every worker; null if fn is not a
   * kernel of kernels.ts. */
  private fid(fn: KernelFn): number | null {
    let id = this.fids.get(fn);
    if (id !== undefined) return id;
    const origin = kernelOrigin.get(fn);
    if (!origin) return null;
    let mid = this.mids.get(origin.module);
    if (mid === undefined) this.mids.set(origin.module, (mid = this.mids.size));
    id = this.fids.size;
    this.fids.set(fn, id);
    const m: KernelMessage = { fid: id, mid, module: origin.module, name: origin.name };
    this.sent.push(m);
    for (const w of this.workers) w.port.postMessage(m);
    return id;
  }

  /**
   * Runs fn(...args) over the range [lo, hi) of the argument pair at rp, rp+1, split into
   * chunks of `grain`. With tp ≥ 0, thread t (main = 0) calls it with args[tp] + t·tstride
   * (per-thread scratch). Returns false (having done nothing) when the pool cannot take the
   * job; the caller then runs it in one call.
   */
  run(fn: KernelFn, args: number[], rp: number, lo: number, hi: number, grain: number, tp = -1, tstride = 0): boolean {
    if (!this.usable || hi - lo <= grain) return false;
    if (this.workers.length === 0) this.start(false);
    if (this.disabled) return false;
    this.checkStart();
    if (this.disabled || this.ready() === 0) return false;
    const nchunks = Math.ceil((hi - lo) / grain);
    if (nchunks > C.MAX_CHUNKS) grain = Math.ceil((hi - lo) / C.MAX_CHUNKS);
    const n = Math.ceil((hi - lo) / grain);
    const fid = this.fid(fn);
    if (fid === null || args.length > C.MAX_ARGS) return false;
    const ctl = this.ctl;
    ctl[C.FN] = fid;
    ctl[C.NARGS] = args.length;
    ctl[C.RP] = rp;
    ctl[C.LO] = lo;
    ctl[C.HI] = hi;
    ctl[C.GRAIN] = grain;
    ctl[C.NCHUNKS] = n;
    ctl[C.TP] = tp;
    ctl[C.TSTRIDE] = tstride;
    for (let i = 0; i < args.length; i++) ctl[C.ARGS + i] = args[i]!;
    Atomics.store(ctl, C.DONE, 0);
    Atomics.store(ctl, C.ERROR, 0);
    const gen = (this.gen = (this.gen + 1) | 0);
    const tag = (gen & 0xfffff) << C.CHUNK_BITS;
    Atomics.store(ctl, C.CLAIM, tag);
    Atomics.store(ctl, C.GEN, gen);
    Atomics.notify(ctl, C.GEN, this.workers.length);
    this.jobs++;
    this.running = true;
    const a = args.slice();
    let mainError: unknown = null;
    let claimed = n;
    try {
      for (;;) {
        const v = Atomics.load(ctl, C.CLAIM);
        if ((v & MASK) >= n) break;
        if (Atomics.compareExchange(ctl, C.CLAIM, v, v + 1) !== v) continue;
        const c = v & MASK;
        const s = lo + c * grain;
        a[rp] = s;
        a[rp + 1] = Math.min(hi, s + grain);
        fn(...a);
        this.mainChunks++;
        Atomics.add(ctl, C.DONE, 1);
      }
    } catch (e) {
      mainError = e;
      // stop further claims; wait only for the chunks already claimed
      claimed = Math.min(n, Atomics.exchange(ctl, C.CLAIM, tag | MASK) & MASK);
      // the chunk that threw counts as done for the wait below
      Atomics.add(ctl, C.DONE, 1);
    } finally {
      this.running = false;
    }
    const dead = this.waitDone(claimed);
    if (mainError) throw mainError;
    if (dead !== null || Atomics.load(ctl, C.ERROR)) {
      const w = dead !== null ? dead + 1 : Atomics.load(ctl, C.ERROR);
      const why = dead !== null ? "exited unexpectedly" : `failed: ${this.errorText()}`;
      const reason = `wasm thread ${w} ${why}`;
      this.disable(reason);
      throw new Error(`${reason} (the wasm backend runs single-threaded from now on)`);
    }
    return true;
  }

  /** Blocks until `claimed` chunks are done; returns the index of a worker that died with
   * chunks outstanding (after every live worker has finished its chunk), else null. */
  private waitDone(claimed: number): number | null {
    const ctl = this.ctl;
    for (;;) {
      const d = Atomics.load(ctl, C.DONE);
      if (d >= claimed) return null;
      let dead = -1;
      for (let i = 0; i < this.workers.length; i++) if (Atomics.load(ctl, C.DEAD + i)) dead = i;
      if (dead >= 0) {
        // no more claims; wait for the live workers to finish what they hold
        const gen = this.gen;
        Atomics.exchange(ctl, C.CLAIM, ((gen & 0xfffff) << C.CHUNK_BITS) | MASK);
        for (let i = 0; i < this.workers.length; i++) {
          while (!Atomics.load(ctl, C.DEAD + i) && Atomics.load(ctl, C.BUSY + i)) Atomics.wait(ctl, C.DONE, Atomics.load(ctl, C.DONE), 5);
        }
        return dead;
      }
      Atomics.wait(ctl, C.DONE, d, 50);
    }
  }
}

let pool: ThreadPool | null = null;
let poolMemory: WasmMemory | null = null;

/** The pool of the backend's memory (created on first use; threads = configuredThreads()). */
export function threadPool(memory: WasmMemory): ThreadPool {
  if (!pool || poolMemory !== memory) {
    let n = 1;
    let bad: string | null = null;
    try {
      n = configuredThreads();
    } catch (e) {
      bad = (e as Error).message;
    }
    if (typeof SharedArrayBuffer !== "function" || !(memory.buffer instanceof SharedArrayBuffer)) n = 1;
    pool = new ThreadPool(memory, n);
    poolMemory = memory;
    if (bad) pool.disable(bad, true);
  }
  return pool;
}
