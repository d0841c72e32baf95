// reference.ts — loader for the JAX reference numbers in test/reference/ops.json (format in
// test/reference/gen_reference.py's header): decodes encoded arrays, special floats and
// option objects into jaxts call arguments, and compares results with the recorded ones.
//
// Translation of Python scalars (JS cannot tell 2 from 2.0): a case's `scalarKinds` names
// the Python type of each scalar operand. A Python float becomes a JS number (a weak float32
// in jaxts, as in JAX); a Python bool a JS boolean; a Python int becomes a weakly typed int32
// scalar array (what JAX makes of it; SEMANTICS Appendix T asks for an explicit int32 value),
// except for the bounds of arange/linspace, which jaxts reads as JS numbers.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { JaxArray } from "../../src/core/array.js";
import { type DType, isDType } from "../../src/core/dtype.js";
import { type Tol, assertArrayClose, looser, tolFor } from "./compare.js";
import { fromFlat, weakInt } from "./host.js";

export type EncScalar = number | boolean | string;
export interface EncArray {
  array: EncScalar[];
  shape: number[];
  dtype: string;
  weak?: boolean;
}
/** An array as random.json / optim.json record it (values under `data`). */
export interface EncData {
  shape: number[];
  dtype: string;
  data: EncScalar[];
}
export interface RefCase {
  fn: string;
  args: unknown[];
  out: EncArray | EncArray[];
  x64?: boolean;
  rtol?: number;
  atol?: number;
  note?: string;
  scalarKinds?: Record<string, "int" | "float" | "bool">;
}

const REF_DIR = fileURLToPath(new URL("../reference/", import.meta.url));

export function loadJson<T>(name: string): T | null {
  try {
    return JSON.parse(readFileSync(REF_DIR + name, "utf8")) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

export const isEncArray = (v: unknown): v is EncArray =>
  typeof v === "object" && v !== null && !Array.isArray(v) && "array" in v && "shape" in v && "dtype" in v;

export function decodeScalar(v: EncScalar): number {
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  throw new Error(`reference: cannot decode scalar ${JSON.stringify(v)}`);
}

/** Why a case cannot be run as recorded (null when it can). */
export function unsupportedReason(c: RefCase): string | null {
  const outs = Array.isArray(c.out) ? c.out : [c.out];
  const dtypes = [...outs.map((o) => o.dtype), ...collectArrays(c.args).map((a) => a.dtype)];
  const bad = dtypes.find((d) => !isDType(d));
  if (bad) return `dtype ${bad} does not exist in jaxts (int32 is the only signed integer type)`;
  const asksF64 = collectArrays(c.args).some((a) => a.dtype === "float64") || JSON.stringify(c.args).includes('"float64"');
  if (c.x64 && outs.some((o) => o.dtype === "float64") && !asksF64)
    return "x64 default dtype: jaxts makes float64 only when asked explicitly; with x64 on JAX makes it by default here";
  if (BOUNDS_FNS.has(c.fn) && outs[0]!.dtype !== "int32" && !asksF64 && !c.args.some((a) => typeof a === "string")) {
    const nums = c.args.filter((a): a is number => typeof a === "number");
    if (nums.every(Number.isInteger) && Object.values(c.scalarKinds ?? {}).includes("float"))
      return "JS cannot tell 3.0 from 3: jaxts's arange with integral bounds is int32 (Python float bounds make float32 in JAX)";
  }
  return null;
}

function collectArrays(v: unknown): EncArray[] {
  if (isEncArray(v)) return [v];
  if (Array.isArray(v)) return v.flatMap(collectArrays);
  if (typeof v === "object" && v !== null) return Object.values(v).flatMap(collectArrays);
  return [];
}

export function decodeArray(a: EncArray): JaxArray {
  return fromFlat(a.array.map(decodeScalar), a.shape, a.dtype as DType);
}

const BOUNDS_FNS = new Set(["arange", "linspace"]);

function decodeValue(v: unknown): unknown {
  if (isEncArray(v)) return decodeArray(v);
  if (v === "nan" || v === "inf" || v === "-inf") return decodeScalar(v);
  if (Array.isArray(v)) return v.map(decodeValue);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeValue(x)]));
  return v;
}

/** The jaxts call arguments of a case. */
export function decodeArgs(c: RefCase): unknown[] {
  return c.args.map((a, i) => {
    if (typeof a === "object" && a !== null && !Array.isArray(a) && "opts" in a && i === c.args.length - 1)
      return decodeValue((a as { opts: unknown }).opts);
    if (typeof a === "number" && c.scalarKinds?.[String(i)] === "int" && !BOUNDS_FNS.has(c.fn)) return weakInt(a);
    return decodeValue(a);
  });
}

/** Checks a result against the recorded output (dtype, shape, weak flag, values). */
export function checkOutput(c: RefCase, result: unknown, extraTol?: Tol): void {
  const outs = Array.isArray(c.out) ? c.out : [c.out];
  const res = Array.isArray(c.out) ? (result as JaxArray[]) : [result as JaxArray];
  if (!Array.isArray(res) || res.length !== outs.length)
    throw new Error(`expected ${outs.length} outputs, got ${Array.isArray(result) ? result.length : typeof result}`);
  outs.forEach((o, k) => {
    const caseTol = c.rtol !== undefined || c.atol !== undefined ? { rtol: c.rtol ?? 0, atol: c.atol ?? 0 } : null;
    const tol = o.dtype === "float32" || o.dtype === "float64" ? looser(looser(tolFor(o.dtype), caseTol), extraTol) : null;
    assertArrayClose(res[k]!, { data: o.array.map(decodeScalar), shape: o.shape, dtype: o.dtype, weak: o.weak }, tol, outs.length > 1 ? `output ${k}` : "output");
  });
}

/** A short description of a case's arguments for test names. */
export function describeArgs(c: RefCase): string {
  const d = (v: unknown): string => {
    if (isEncArray(v)) return `${v.dtype}[${v.shape.join(",")}]`;
    if (Array.isArray(v)) return `[${v.map(d).join(", ")}]`;
    if (typeof v === "object" && v !== null) return JSON.stringify(v);
    return JSON.stringify(v);
  };
  return c.args.map(d).join(", ");
}
