// debug.ts — debug.print and debug.callback: a staged host callback that sees runtime values
// under every transformation (every execution under jit, once per element under vmap, the
// forward values under grad).
import { EagerArray, type JaxArray } from "../core/array.js";
import { type Primitive, NOT_LINEAR, definePrimitive, missing } from "../core/primitive.js";
import { bind } from "../core/trace.js";
import * as tree from "../core/tree.js";
import { leafToArray } from "./args.js";

interface DebugParams {
  [k: string]: unknown;
  callback: (...vals: EagerArray[]) => void;
  name: string;
}

/** The i-th slice of a concrete array along axis d (host side). */
function hostSlice(x: EagerArray, d: number, i: number): EagerArray {
  const sh = x.aval.shape;
  const outer = sh.slice(0, d).reduce((a, b) => a * b, 1);
  const inner = sh.slice(d + 1).reduce((a, b) => a * b, 1);
  const n = sh[d]!;
  const src = x._host();
  const out = src.slice(0, outer * inner);
  for (let o = 0; o < outer; o++) out.set(src.subarray((o * n + i) * inner, (o * n + i + 1) * inner), o * inner);
  return EagerArray.fromTyped(out, [...sh.slice(0, d), ...sh.slice(d + 1)], x.dtype, x.weakType);
}

export const debugCallbackP: Primitive<DebugParams> = definePrimitive<DebugParams>({
  name: "debug_callback",
  impl: {
    bind: (args: JaxArray[], p: DebugParams) => {
      p.callback(...(args as EagerArray[]));
      return [];
    },
  },
  abstractEval: () => [],
  // forward values only: the callback sees primals, and there is no tangent output
  jvp: (ps, _ts, p) => {
    bind(debugCallbackP, ps, p);
    return [[], []];
  },
  transpose: NOT_LINEAR,
  // once per batch element
  batch: (vals, dims, p, axis) => {
    const cb = (...vs: EagerArray[]) => {
      for (let i = 0; i < axis.size; i++) p.callback(...vs.map((v, k) => (dims[k] === null ? v : hostSlice(v, dims[k]!, i))));
    };
    bind(debugCallbackP, vals, { callback: cb, name: p.name });
    return [[], []];
  },
  lower: missing("the wasm compiler (issue #6)"),
  printParams: (p) => `callback=${p.name}`,
});

/** debug.callback(fn, ...args): calls fn with the runtime values of args (pytrees allowed). */
export function callback(fn: (...args: any[]) => void, ...args: unknown[]): void {
  if (typeof fn !== "function") throw new TypeError("debug.callback: the first argument must be a function");
  const [leaves, def] = tree.flatten(args);
  const arrs = leaves.map((l, i) => leafToArray(l, () => `debug.callback argument leaf ${i}`));
  bind(debugCallbackP, arrs, {
    callback: (...vals: EagerArray[]) => fn(...(tree.unflatten(def, vals) as unknown[])),
    name: fn.name || "callback",
  });
}

/** numpy's str() of an array: `1.0`, `[1. 2. 3.]`. */
export function strArray(x: EagerArray): string {
  const s = x.toString();
  const m = /^Array\(([\s\S]*?)(?:, shape=\([^)]*\))?, dtype=[^)]*\)$/.exec(s);
  let body = m ? m[1]! : s;
  if (x.ndim === 0) {
    if (x.dtype === "float32" || x.dtype === "float64") {
      const v = x._host()[0]!;
      return Number.isInteger(v) ? `${v}.0` : body;
    }
    return body;
  }
  body = body.replace(/,(\s)/g, "$1").replace(/\n\s+/g, "\n ");
  return body;
}

/** debug.print(fmt, ...args): prints runtime values with `{}` / `{0}` / `{name}` placeholders
 * (named values come from a trailing plain object). */
export function print(fmt: string, ...args: unknown[]): void {
  if (typeof fmt !== "string") throw new TypeError("debug.print: the first argument must be a format string");
  let named: Record<string, unknown> = {};
  const last = args[args.length - 1];
  if (last && typeof last === "object" && Object.getPrototypeOf(last) === Object.prototype && /\{[A-Za-z_]\w*\}/.test(fmt)) {
    named = last as Record<string, unknown>;
    args = args.slice(0, -1);
  }
  const keys = Object.keys(named);
  callback(
    (pos: unknown[], nm: Record<string, unknown>) => {
      let auto = 0;
      const show = (v: unknown) => (v instanceof EagerArray ? strArray(v) : tree.map((l: unknown) => (l instanceof EagerArray ? strArray(l) : l), v));
      const out = fmt.replace(/\{(\w*)\}/g, (_m, k: string) => {
        if (k === "") return String(show(pos[auto++]));
        if (/^\d+$/.test(k)) return String(show(pos[Number(k)]));
        if (k in nm) return String(show(nm[k]));
        throw new Error(`debug.print: no value for placeholder {${k}}`);
      });
      console.log(out);
    },
    args,
    Object.fromEntries(keys.map((k) => [k, named[k]])),
  );
}
