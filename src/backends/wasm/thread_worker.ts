// thread_worker.ts — one worker of the wasm backend's thread pool (threads.ts). It imports the
// backend's shared WebAssembly.Memory, instantiates the kernel modules the main thread sends
// it (compiled WebAssembly.Module objects, over a MessagePort that it reads synchronously
// with receiveMessageOnPort), and then sleeps in Atomics.wait on the job word of the control
// block. A job is one kernel call split into chunks of its range argument; the worker claims
// chunks with compare-exchange on a claim word that carries the job's generation (so a
// worker that wakes late can never claim a chunk of a later job with the fields of an earlier
// one), runs them, and counts them done. It never spins and never touches the event loop
// after start (so an idle worker costs nothing and, unref'd, does not keep the process up).
// The control block layout is defined here and imported by threads.ts.
import type { MessagePort } from "node:worker_threads";
import { workerThreads } from "../../runtime/node.js";
import { HOST_MATH } from "../../core/host_math.js";

/** Word offsets of the control block (an Int32Array over a SharedArrayBuffer). */
export const C = {
  /** job generation; workers wait on it */
  GEN: 0,
  /** ((gen & 0xFFFFF) << 11) | next chunk */
  CLAIM: 1,
  /** chunks finished (by anyone) in the current job */
  DONE: 2,
  /** 0, or 1 + the index of the worker whose chunk threw */
  ERROR: 3,
  FN: 4,
  NARGS: 5,
  /** position of the range start argument (the end follows it) */
  RP: 6,
  LO: 7,
  HI: 8,
  GRAIN: 9,
  NCHUNKS: 10,
  /** position of the per-thread argument, or -1; thread t adds t·TSTRIDE to it */
  TP: 11,
  TSTRIDE: 12,
  SHUTDOWN: 13,
  /** test hook: 1 = the next worker chunk throws, 2 = the next worker to run a chunk exits */
  INJECT: 14,
  ARGS: 16,
  MAX_ARGS: 16,
  /** per worker: 1 while it is trying to claim or running a chunk */
  BUSY: 32,
  /** per worker: set when its thread exits */
  DEAD: 96,
  /** per worker: 0 starting, 1 ready, 2 failed to start */
  READY: 160,
  /** per worker: chunks it ran (statistics) */
  WCHUNKS: 224,
  MAX_WORKERS: 64,
  /** most chunks per job (the claim word holds the index in CHUNK_BITS bits) */
  MAX_CHUNKS: 1024,
  WORDS: 288,
  /** claim word: chunk index bits */
  CHUNK_BITS: 11,
} as const;
/** Bytes of the error message area. */
export const MSG_BYTES = 4096;

/** What a kernel registration message carries. */
export interface KernelMessage {
  /** function id (index in the pool's table) */
  fid: number;
  /** module id */
  mid: number;
  module: object;
  name: string;
}

type Fn = (...args: number[]) => unknown;
interface WorkerInit {
  ctl: SharedArrayBuffer;
  msg: SharedArrayBuffer;
  memory: object;
  port: MessagePort;
  index: number;
}

function main(init: WorkerInit): void {
  const ctl = new Int32Array(init.ctl);
  const me = init.index;
  const WA = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Record<string, Fn> } } }).WebAssembly;
  const env = { env: { memory: init.memory, ...HOST_MATH } };
  const instances = new Map<number, Record<string, Fn>>();
  const fns: (Fn | undefined)[] = [];

  /** Instantiates every kernel the main thread has sent so far. */
  const pull = (): void => {
    for (;;) {
      const m = workerThreads!.receiveMessageOnPort(init.port);
      if (!m) return;
      const k = m.message as KernelMessage;
      let ex = instances.get(k.mid);
      if (!ex) {
        ex = new WA.Instance(k.module, env).exports;
        instances.set(k.mid, ex);
      }
      fns[k.fid] = ex[k.name];
    }
  };
  const reportError = (e: unknown): void => {
    if (Atomics.compareExchange(ctl, C.ERROR, 0, me + 1) !== 0) return;
    const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const bytes = new TextEncoder().encode(text).slice(0, MSG_BYTES - 1);
    const out = new Uint8Array(init.msg);
    out.fill(0);
    out.set(bytes);
  };

  process.on("exit", () => {
    Atomics.store(ctl, C.BUSY + me, 0);
    Atomics.store(ctl, C.DEAD + me, 1);
    Atomics.notify(ctl, C.DONE);
  });

  const args: number[] = [];
  const work = (gen: number): void => {
    // the job's fields (valid if a claim with this generation succeeds below)
    const fid = ctl[C.FN]!;
    const nargs = ctl[C.NARGS]!;
    const rp = ctl[C.RP]!;
    const lo = ctl[C.LO]!;
    const hi = ctl[C.HI]!;
    const grain = ctl[C.GRAIN]!;
    const nchunks = ctl[C.NCHUNKS]!;
    const tp = ctl[C.TP]!;
    args.length = nargs;
    for (let i = 0; i < nargs; i++) args[i] = ctl[C.ARGS + i]!;
    if (tp >= 0) args[tp] = args[tp]! + (me + 1) * ctl[C.TSTRIDE]!;
    const tag = (gen & 0xfffff) << C.CHUNK_BITS;
    const mask = (1 << C.CHUNK_BITS) - 1;
    for (;;) {
      Atomics.store(ctl, C.BUSY + me, 1);
      const v = Atomics.load(ctl, C.CLAIM);
      if ((v & ~mask) !== tag || (v & mask) >= nchunks) break;
      if (Atomics.compareExchange(ctl, C.CLAIM, v, v + 1) !== v) continue;
      const c = v & mask;
      try {
        const inject = Atomics.load(ctl, C.INJECT);
        if (inject && Atomics.compareExchange(ctl, C.INJECT, inject, 0) === inject) {
          if (inject === 2) process.exit(1);
          throw new Error(`injected failure in wasm thread ${me + 1}`);
        }
        let fn = fns[fid];
        if (!fn) {
          pull();
          fn = fns[fid];
          if (!fn) throw new Error(`internal: wasm thread ${me + 1} has no kernel ${fid}`);
        }
        const s = lo + c * grain;
        args[rp] = s;
        args[rp + 1] = Math.min(hi, s + grain);
        fn(...args);
        ctl[C.WCHUNKS + me]!++;
      } catch (e) {
        reportError(e);
      }
      Atomics.store(ctl, C.BUSY + me, 0);
      Atomics.add(ctl, C.DONE, 1);
      Atomics.notify(ctl, C.DONE);
    }
    Atomics.store(ctl, C.BUSY + me, 0);
  };

  Atomics.store(ctl, C.READY + me, 1);
  Atomics.notify(ctl, C.READY + me);
  let seen = -1;
  for (;;) {
    if (Atomics.load(ctl, C.SHUTDOWN)) return;
    const g = Atomics.load(ctl, C.GEN);
    if (g !== seen) {
      seen = g;
      work(g);
      continue;
    }
    Atomics.wait(ctl, C.GEN, seen);
  }
}

// started by threads.ts (through its bootstrap) with the init data; importing this file
// elsewhere (threads.ts takes the layout from it) does nothing
const init = (workerThreads?.workerData ?? null) as (WorkerInit & { wasmThread?: boolean }) | null;
if (init?.wasmThread) main(init);
