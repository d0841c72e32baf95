// pool.ts — the CPU devices' worker threads and the synchronous dispatch of one SPMD program
// to a group of them. Each device is a persistent worker; the main thread posts a command and
// blocks on Atomics.wait until every device is done (no spinning). Data lives in
// SharedArrayBuffers that all threads see, so inputs and outputs are never copied through
// messages. An exception on one device aborts the group (no device hangs in a barrier) and is
// rethrown here naming the device; the pool stays usable.
import type { MessagePort, Worker } from "node:worker_threads";
import { NO_WORKERS, fileUrl, tsxApiUrl, workerThreads } from "./node.js";
import type { SClosedJaxpr } from "./serialize.js";
import { CTL } from "./comm.js";

export interface BufferRef {
  buf: SharedArrayBuffer;
  byteOffset: number;
  length: number;
  dtype: string;
  shape: number[];
}

export interface DeviceCommand {
  programId: number;
  program?: SClosedJaxpr;
  inputs: BufferRef[];
  outputs: BufferRef[];
  axisName: string;
  index: number;
  size: number;
  ctl: SharedArrayBuffer;
  slots: SharedArrayBuffer;
  slotBytes: number;
  done: SharedArrayBuffer; // Int32Array[1]: 0 running, 1 ok, 2 error
}

export interface DeviceReply {
  error?: { name: string; message: string; aborted?: boolean };
  callbacks?: { id: number; args: { data: ArrayBufferView; shape: number[]; dtype: string; weak: boolean }[] }[];
}

interface DeviceWorker {
  worker: Worker;
  port: MessagePort; // main side of the reply channel
  programs: Set<number>;
}

const workers: DeviceWorker[] = [];
const deviceModules: string[] = [];

/**
 * Registers a module (URL or absolute path) that every device worker imports at start, e.g.
 * one defining extra primitives. Call before the first pmap.
 */
export function registerDeviceModule(url: string): void {
  if (workers.length) throw new Error("registerDeviceModule must be called before the first pmap starts the device workers");
  deviceModules.push(fileUrl(url));
}

function workerUrl(): URL {
  const self = import.meta.url;
  return new URL(self.endsWith(".ts") ? "./worker.ts" : "./worker.js", self);
}


// A tiny CommonJS bootstrap: it imports the device module and reports a failed start through
// shared memory, since the main thread may be blocked in Atomics.wait and cannot see events.
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
const st = new Int32Array(workerData.status);
(workerData.tsx ? import(workerData.tsx).then((m) => m.register()) : Promise.resolve())
  .then(async () => { for (const m of workerData.modules) await import(m); })
  .then(() => import(workerData.url))
  .catch((e) => {
  const msg = new TextEncoder().encode(String(e && e.stack || e)).slice(0, 4000);
  new Uint8Array(workerData.message).set(msg);
  Atomics.store(st, 0, 2);
  Atomics.notify(st, 0);
});
`;

function getWorker(i: number): DeviceWorker {
  while (workers.length <= i) {
    if (!workerThreads) throw new Error(`pmap: ${NO_WORKERS}`);
    const { MessageChannel, Worker } = workerThreads;
    const { port1, port2 } = new MessageChannel();
    const status = new SharedArrayBuffer(4);
    const message = new SharedArrayBuffer(4000);
    const url = workerUrl();
    // running from sources (tests, the tour): device workers load TypeScript through tsx
    const tsx = url.pathname.endsWith(".ts") ? tsxApiUrl(import.meta.url) : null;
    // each simulated device is one core's worth of work: its wasm backend runs kernels on
    // its own thread only (JAXTS_DEVICE_THREADS overrides), so n devices use n cores
    const env = { ...process.env, JAXTS_THREADS: process.env.JAXTS_DEVICE_THREADS ?? "1" };
    const worker = new Worker(BOOTSTRAP, { eval: true, env, workerData: { port: port2, url: url.href, status, message, tsx, modules: deviceModules }, transferList: [port2] });
    worker.unref();
    port1.unref();
    const st = new Int32Array(status);
    const t0 = Date.now();
    while (Atomics.load(st, 0) === 0) {
      Atomics.wait(st, 0, 0, 100);
      if (Date.now() - t0 > 60_000) throw new Error(`device ${i}: its worker thread did not start within 60 s`);
    }
    if (Atomics.load(st, 0) === 2) {
      const bytes = new Uint8Array(message);
      const end = bytes.indexOf(0);
      void worker.terminate();
      throw new Error(`device ${i}: its worker thread failed to start: ${new TextDecoder().decode(bytes.slice(0, end < 0 ? bytes.length : end))}`);
    }
    workers.push({ worker, port: port1, programs: new Set() });
  }
  return workers[i]!;
}

/** Runs one command per device (devices 0..n-1) and waits for all of them. */
export function runGroup(cmds: DeviceCommand[], maxWaitMs = 10 * 60_000): DeviceReply[] {
  const dones = cmds.map((c) => new Int32Array(c.done));
  cmds.forEach((c, d) => {
    const w = getWorker(d);
    const msg: DeviceCommand = w.programs.has(c.programId) ? { ...c, program: undefined } : c;
    w.programs.add(c.programId);
    w.worker.postMessage(msg);
  });
  const replies: DeviceReply[] = cmds.map(() => ({}));
  const t0 = Date.now();
  for (let d = 0; d < cmds.length; d++) {
    while (Atomics.load(dones[d]!, 0) === 0) {
      Atomics.wait(dones[d]!, 0, 0, 100);
      if (Date.now() - t0 > maxWaitMs) {
        abortCtl(cmds[0]!.ctl);
        throw new Error(`pmap: device ${d} did not finish within ${maxWaitMs / 1000} s`);
      }
    }
  }
  cmds.forEach((_, d) => {
    const m = workerThreads!.receiveMessageOnPort(workers[d]!.port);
    if (m) replies[d] = m.message as DeviceReply;
  });
  return replies;
}

function abortCtl(ctl: SharedArrayBuffer): void {
  const a = new Int32Array(ctl);
  Atomics.compareExchange(a, CTL.ABORT, 0, 1 << 20);
  Atomics.add(a, CTL.GEN, 1);
  Atomics.notify(a, CTL.GEN);
}

/** Number of started device workers (for tests). */
export function startedWorkers(): number {
  return workers.length;
}
