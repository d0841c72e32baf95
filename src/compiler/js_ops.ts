// js_ops.ts — scalar JavaScript expressions for the elementwise primitives the compiler fuses.
// Each template returns an expression computing one element in float64/int JS arithmetic;
// the code generator rounds it to the output dtype right after (Math.fround for float32),
// exactly as the reference kernels store each op's result, so fused code is bit-identical
// to op-by-op execution.
import type { DType } from "../core/dtype.js";

export type Template = (a: string[], p: Record<string, unknown>, inDTypes: DType[], out: DType) => string;

const isF = (d: DType) => d === "float32" || d === "float64";
const call = (fn: string): Template => (a) => `${fn}(${a.join(", ")})`;

export const JS_OPS: Record<string, Template> = {
  neg: (a) => `(-${a[0]})`,
  sign: (a) => `(${a[0]} > 0 ? 1 : ${a[0]} < 0 ? -1 : ${a[0]})`,
  floor: call("Math.floor"),
  ceil: call("Math.ceil"),
  round: (a) => `$rhe(${a[0]})`,
  abs: call("Math.abs"),
  exp: call("Math.exp"),
  exp2: (a) => `Math.pow(2, ${a[0]})`,
  expm1: call("Math.expm1"),
  log: call("Math.log"),
  log1p: call("Math.log1p"),
  sqrt: call("Math.sqrt"),
  rsqrt: (a) => `(1 / Math.sqrt(${a[0]}))`,
  cbrt: call("Math.cbrt"),
  sin: call("Math.sin"),
  cos: call("Math.cos"),
  tan: call("Math.tan"),
  asin: call("Math.asin"),
  acos: call("Math.acos"),
  atan: call("Math.atan"),
  sinh: call("Math.sinh"),
  cosh: call("Math.cosh"),
  tanh: call("Math.tanh"),
  asinh: call("Math.asinh"),
  acosh: call("Math.acosh"),
  atanh: call("Math.atanh"),
  logistic: (a) => `(1 / (1 + Math.exp(-${a[0]})))`,
  not: (a, _p, d) => (d[0] === "bool" ? `(${a[0]} ? 0 : 1)` : `(~${a[0]})`),
  is_finite: (a) => `(Number.isFinite(${a[0]}) ? 1 : 0)`,
  stop_gradient: (a) => a[0]!,
  add: (a) => `(${a[0]} + ${a[1]})`,
  sub: (a) => `(${a[0]} - ${a[1]})`,
  mul: (a, _p, d) => (isF(d[0]!) ? `(${a[0]} * ${a[1]})` : `Math.imul(${a[0]}, ${a[1]})`),
  div: (a, _p, d) => (isF(d[0]!) ? `(${a[0]} / ${a[1]})` : `(${a[1]} === 0 ? 0 : Math.trunc(${a[0]} / ${a[1]}))`),
  rem: (a, _p, d) => (isF(d[0]!) ? `(${a[0]} % ${a[1]})` : `(${a[1]} === 0 ? 0 : ${a[0]} % ${a[1]})`),
  pow: (a, _p, d) => (isF(d[0]!) ? `$powf(${a[0]}, ${a[1]})` : `$powi(${a[0]}, ${a[1]})`),
  max: (a) => `$max(${a[0]}, ${a[1]})`,
  min: (a) => `$min(${a[0]}, ${a[1]})`,
  atan2: call("Math.atan2"),
  and: (a) => `(${a[0]} & ${a[1]})`,
  or: (a) => `(${a[0]} | ${a[1]})`,
  xor: (a) => `(${a[0]} ^ ${a[1]})`,
  eq: (a) => `(${a[0]} === ${a[1]} ? 1 : 0)`,
  ne: (a) => `(${a[0]} !== ${a[1]} ? 1 : 0)`,
  lt: (a) => `(${a[0]} < ${a[1]} ? 1 : 0)`,
  le: (a) => `(${a[0]} <= ${a[1]} ? 1 : 0)`,
  gt: (a) => `(${a[0]} > ${a[1]} ? 1 : 0)`,
  ge: (a) => `(${a[0]} >= ${a[1]} ? 1 : 0)`,
  integer_pow: (a, p) => `Math.pow(${a[0]}, ${Number(p.y)})`,
  select_n: (a) => (a.length === 3 ? `(${a[0]} ? ${a[2]} : ${a[1]})` : `[${a.slice(1).join(", ")}][Math.min(Math.max(${a[0]}, 0), ${a.length - 2})]`),
  convert_element_type: (a, p, d) => {
    const to = p.newDType as DType;
    const from = d[0]!;
    if (to === "float32" || to === "float64") return a[0]!;
    if (!isF(from) && to !== "bool") return a[0]!; // int -> int wraps in the typed-array store
    return `$cast(${a[0]}, ${JSON.stringify(to)})`;
  },
};

/** Rounds a JS number expression to the value stored with dtype `d`. */
export function roundTo(expr: string, d: DType): string {
  switch (d) {
    case "float32":
      return `Math.fround(${expr})`;
    case "float64":
      return expr;
    case "int32":
      return `(${expr} | 0)`;
    case "uint32":
      return `(${expr} >>> 0)`;
    case "bool":
      return `(${expr} ? 1 : 0)`;
    case "float0":
      return "0";
  }
}

/** Helpers the generated code refers to. */
export const JS_HELPERS = {
  $rhe: (x: number) => {
    if (!Number.isFinite(x)) return x;
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  $powf: (a: number, b: number) => (a === 1 || (a === -1 && Math.abs(b) === Infinity) ? 1 : Math.pow(a, b)),
  $powi: (a: number, b: number) => (b < 0 ? (a === 1 ? 1 : a === -1 ? (b % 2 ? -1 : 1) : 0) : Math.pow(a, b)),
  $max: (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  $min: (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  $cast: (x: number, d: string) => {
    if (d === "bool") return x !== 0 ? 1 : 0;
    if (d === "int32") return Number.isNaN(x) ? 0 : x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : Math.trunc(x) | 0;
    return Number.isNaN(x) || x <= 0 ? 0 : x >= 4294967295 ? 4294967295 : Math.trunc(x) >>> 0;
  },
};
