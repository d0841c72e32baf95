// device.ts — devicePut / deviceGet: moving pytrees of values onto devices and back to host.
import { JaxArray } from "../core/array.js";
import * as tree from "../core/tree.js";
import { type Device, devices } from "../devices/devices.js";
import { asArray } from "./numpy/coerce.js";

/** devicePut(x, device?): a pytree of values as Arrays on a device (CPU devices share host memory). */
export function devicePut<T>(x: T, device?: Device): any {
  if (device !== undefined && !devices().some((d) => d.id === device.id))
    throw new TypeError(`devicePut: unknown device ${String(device)}; use one of devices()`);
  return tree.map((l: unknown) => asArray(l as never), x);
}

/** deviceGet(x): a pytree with every Array replaced by nested JS arrays of its values. */
export function deviceGet<T>(x: T): any {
  return tree.map((l: unknown) => (l instanceof JaxArray ? l.tolist() : l), x);
}
