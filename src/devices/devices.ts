// devices.ts — the device list. CPU devices are numbered 0..n-1; n comes from
// JAXTS_NUM_CPU_DEVICES or config.update("numCpuDevices", n) and is fixed at first use.
import { config } from "../core/config.js";
import { ValueError } from "../core/errors.js";

export interface Device {
  readonly id: number;
  readonly platform: "cpu";
  readonly kind: string;
  toString(): string;
}

let frozen: Device[] | null = null;

config.onChange((k) => {
  if (k === "numCpuDevices" && frozen && frozen.length !== config.get("numCpuDevices")) {
    const n = frozen.length;
    config.update("numCpuDevices", n); // restore: the device count is fixed after first use
    throw new ValueError(`numCpuDevices must be set before the first use of devices; ${n} devices are already in use`);
  }
});

/** The devices, in a fixed order (as jax.devices()). */
export function devices(): Device[] {
  if (!frozen) {
    const n = config.get("numCpuDevices");
    frozen = Array.from({ length: n }, (_, id) => ({
      id,
      platform: "cpu" as const,
      kind: "cpu",
      toString: () => `CpuDevice(id=${id})`,
    }));
  }
  return [...frozen];
}

/** Number of devices (as jax.device_count()). */
export function deviceCount(): number {
  return devices().length;
}
export const localDeviceCount = deviceCount;
