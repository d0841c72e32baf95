// comm.ts — what a device program sees of its SPMD group: its index, the group size, and
// shared-memory exchange with blocking barriers (Atomics.wait, no spinning). Collectives
// (src/transforms/collectives.ts) look the pmap axis up here when they run on a device.
import type { TypedArray } from "../core/dtype.js";

/** Layout of the control block (Int32 words) shared by one group of devices. */
export const CTL = { COUNT: 0, GEN: 1, ABORT: 2, WORDS: 4 } as const;

export class DeviceGroup {
  private readonly ctl: Int32Array;
  private readonly slots: Uint8Array;
  constructor(
    readonly axisName: string,
    readonly index: number,
    readonly size: number,
    ctlBuf: SharedArrayBuffer,
    slotBuf: SharedArrayBuffer,
    readonly slotBytes: number,
  ) {
    this.ctl = new Int32Array(ctlBuf);
    this.slots = new Uint8Array(slotBuf);
  }

  /** Waits until every device of the group arrived (throws if another device failed). */
  barrier(): void {
    const gen = Atomics.load(this.ctl, CTL.GEN);
    if (Atomics.add(this.ctl, CTL.COUNT, 1) === this.size - 1) {
      Atomics.store(this.ctl, CTL.COUNT, 0);
      Atomics.add(this.ctl, CTL.GEN, 1);
      Atomics.notify(this.ctl, CTL.GEN);
      return;
    }
    for (;;) {
      if (Atomics.load(this.ctl, CTL.ABORT) !== 0) throw new GroupAborted(Atomics.load(this.ctl, CTL.ABORT) - 1);
      if (Atomics.load(this.ctl, CTL.GEN) !== gen) return;
      Atomics.wait(this.ctl, CTL.GEN, gen, 50);
    }
  }

  /** Marks the group as failed because of this device, waking everyone. */
  abort(): void {
    Atomics.compareExchange(this.ctl, CTL.ABORT, 0, this.index + 1);
    Atomics.add(this.ctl, CTL.GEN, 1);
    Atomics.notify(this.ctl, CTL.GEN);
  }

  /**
   * Every device contributes `data`; returns every device's contribution (index order) as
   * typed arrays of the same kind. Views stay valid until the next exchange.
   */
  exchange(data: TypedArray): TypedArray[] {
    const bytes = data.byteLength;
    if (bytes > this.slotBytes) throw new Error(`internal: collective payload of ${bytes} bytes exceeds the ${this.slotBytes}-byte slot`);
    this.barrier(); // previous readers are done with the slots
    this.slots.set(new Uint8Array(data.buffer, data.byteOffset, bytes), this.index * this.slotBytes);
    this.barrier(); // every contribution is written
    const Ctor = data.constructor as new (b: ArrayBufferLike, o: number, n: number) => TypedArray;
    const out: TypedArray[] = [];
    for (let d = 0; d < this.size; d++) out.push(new Ctor(this.slots.buffer, d * this.slotBytes, data.length).slice());
    return out;
  }
}

export class GroupAborted extends Error {
  constructor(readonly failedDevice: number) {
    super(`aborted because device ${failedDevice} failed`);
    this.name = "GroupAborted";
  }
}

/** The device context of the current thread (set by the device worker while it runs a program). */
let current: DeviceGroup | null = null;
export function currentGroup(): DeviceGroup | null {
  return current;
}
export function setCurrentGroup(g: DeviceGroup | null): void {
  current = g;
}
