// worker.ts — a CPU device: a persistent worker thread that runs SPMD programs sent by the
// main thread (src/runtime/pool.ts) on the reference backend, with the device group of the
// pmap axis installed for collectives.
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import "../index.js"; // registers every primitive and the backends
import { EagerArray, type JaxArray } from "../core/array.js";
import { type DType, TYPED_ARRAY, type TypedArray } from "../core/dtype.js";
import { type ClosedJaxpr, evalJaxpr } from "../core/jaxpr.js";
import { DeviceGroup, GroupAborted, setCurrentGroup } from "./comm.js";
import type { BufferRef, DeviceCommand, DeviceReply } from "./pool.js";
import { deserializeClosed } from "./serialize.js";

const wd = workerData as { port: MessagePort; status: SharedArrayBuffer };
const replyPort = wd.port;
const programs = new Map<number, ClosedJaxpr>();
let callbacks: NonNullable<DeviceReply["callbacks"]> = [];

const view = (r: BufferRef): TypedArray => new TYPED_ARRAY[r.dtype as DType](r.buf, r.byteOffset, r.length);

function run(cmd: DeviceCommand): DeviceReply {
  let prog = programs.get(cmd.programId);
  if (!prog) {
    if (!cmd.program) throw new Error(`internal: device has no program ${cmd.programId}`);
    // host callbacks (debug.print/callback) are recorded and run by the main thread
    prog = deserializeClosed(cmd.program, (id) => (...vals: EagerArray[]) => {
      callbacks.push({ id, args: vals.map((v) => ({ data: v._host().slice(), shape: v.shape, dtype: v.dtype, weak: v.weakType })) });
    });
    programs.set(cmd.programId, prog);
  }
  const group = new DeviceGroup(cmd.axisName, cmd.index, cmd.size, cmd.ctl, cmd.slots, cmd.slotBytes);
  setCurrentGroup(group);
  callbacks = [];
  try {
    const args: JaxArray[] = cmd.inputs.map((r) => EagerArray.fromTyped(view(r), r.shape, r.dtype as DType));
    const outs = evalJaxpr(prog.jaxpr, prog.consts, args);
    outs.forEach((o, i) => {
      const dst = view(cmd.outputs[i]!);
      dst.set((o as EagerArray)._host());
    });
    return { callbacks };
  } catch (e) {
    const err = e as Error;
    if (!(e instanceof GroupAborted)) group.abort();
    return { error: { name: err?.name ?? "Error", message: err?.message ?? String(e), aborted: e instanceof GroupAborted }, callbacks };
  } finally {
    setCurrentGroup(null);
  }
}

parentPort!.on("message", (cmd: DeviceCommand) => {
  let reply: DeviceReply;
  try {
    reply = run(cmd);
  } catch (e) {
    reply = { error: { name: (e as Error).name, message: (e as Error).message } };
  }
  replyPort.postMessage(reply);
  const done = new Int32Array(cmd.done);
  Atomics.store(done, 0, reply.error ? 2 : 1);
  Atomics.notify(done, 0);
});

// tell the main thread this device is ready
Atomics.store(new Int32Array(wd.status), 0, 1);
Atomics.notify(new Int32Array(wd.status), 0);
