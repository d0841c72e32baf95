// config.ts — global configuration (`config.update(name, value)`), read by the transforms.
import { ValueError } from "./errors.js";

export interface ConfigValues {
  /** run jit/pmap eagerly */
  disableJit: boolean;
  /** number of CPU devices for pmap; fixed at first use */
  numCpuDevices: number;
  /** throw on the first NaN produced by an eager op */
  debugNans: boolean;
  /** type-check every jaxpr produced by a transformation (also JAXTS_DEBUG >= 1) */
  checkJaxprs: boolean;
}

const envNum = (k: string, d: number) => {
  const v = typeof process !== "undefined" ? process.env?.[k] : undefined;
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : d;
};

const values: ConfigValues = {
  disableJit: false,
  numCpuDevices: envNum("JAXTS_NUM_CPU_DEVICES", 1),
  debugNans: false,
  checkJaxprs: envNum("JAXTS_DEBUG", 0) >= 1,
};

const aliases: Record<string, keyof ConfigValues> = {
  jax_disable_jit: "disableJit",
  jax_debug_nans: "debugNans",
  debugNans: "debugNans",
  disableJit: "disableJit",
  numCpuDevices: "numCpuDevices",
  checkJaxprs: "checkJaxprs",
};

const listeners: ((k: keyof ConfigValues) => void)[] = [];

export const config = {
  /** Sets a configuration value, e.g. `config.update("disableJit", true)`. */
  update<K extends keyof ConfigValues>(name: K | string, value: ConfigValues[K]): void {
    const k = aliases[name];
    if (!k) throw new ValueError(`config.update: unknown option ${JSON.stringify(name)}; known options: ${Object.keys(values).join(", ")}`);
    const cur = values[k];
    if (typeof value !== typeof cur)
      throw new TypeError(`config.update: ${k} must be a ${typeof cur}, got ${typeof value}`);
    if (k === "numCpuDevices" && (!Number.isInteger(value) || (value as number) < 1))
      throw new ValueError(`config.update: numCpuDevices must be a positive integer, got ${String(value)}`);
    (values as unknown as Record<string, unknown>)[k] = value;
    for (const l of listeners) l(k);
  },
  get<K extends keyof ConfigValues>(name: K): ConfigValues[K] {
    return values[name];
  },
  /** internal: called when an option changes */
  onChange(fn: (k: keyof ConfigValues) => void): void {
    listeners.push(fn);
  },
};
