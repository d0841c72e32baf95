// args.ts — shared argument handling for the transformation APIs: converting pytree leaves
// to arrays with JAX's error messages, argnums normalisation, callable checks.
import { EagerArray, JaxArray } from "../core/array.js";
import { type DType, type TypedArray, castScalar, typedArrayFor } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import * as tree from "../core/tree.js";

export function checkCallable(f: unknown, what: string): void {
  if (typeof f !== "function") throw new TypeError(`${what}: Expected a callable value, got ${describeValue(f)}`);
}

export function describeValue(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "object") return `an object of type ${(x as object).constructor?.name ?? "Object"}`;
  return `${typeof x} ${String(x)}`;
}

/** Converts a pytree leaf to an array: numbers are weak float32, booleans bool. */
export function leafToArray(x: unknown, where: () => string): JaxArray {
  if (x instanceof JaxArray) return x;
  if (typeof x === "number") {
    const t = typedArrayFor("float32", 1);
    t[0] = castScalar(x, "float32");
    return EagerArray.fromTyped(t, [], "float32", true);
  }
  if (typeof x === "boolean") {
    const t = new Uint8Array([x ? 1 : 0]);
    return EagerArray.fromTyped(t, [], "bool");
  }
  const typed = typedArrayDType(x);
  if (typed) return EagerArray.fromTyped((x as TypedArray).slice(), [(x as TypedArray).length], typed);
  throw new TypeError(
    `${where()} of type ${x === null ? "null" : typeof x === "object" ? (x as object).constructor?.name ?? "object" : typeof x} is not a valid JAX type. Only arrays, numbers and booleans (in pytrees of JS arrays and plain objects) can be transformed.`,
  );
}

/** Resolves argnums (number, array, negative) against the number of positional args. */
export function normArgnums(argnums: number | readonly number[], nargs: number, fname: string): number[] {
  const list = typeof argnums === "number" ? [argnums] : [...argnums];
  return list.map((a) => {
    if (!Number.isInteger(a)) throw new TypeError(`${fname}: argnums must be integers, got ${String(a)}`);
    const r = a < 0 ? a + nargs : a;
    if (r < 0 || r >= nargs)
      throw new TypeError(
        `differentiating with respect to argnums=${JSON.stringify(argnums)} requires at least ${(a < 0 ? -a : a + 1)} positional arguments to be passed by the caller, but got only ${nargs} positional arguments.`,
      );
    return r;
  });
}

export function fnName(f: Function): string {
  return f.name || "<anonymous>";
}

export { ValueError };

/** The dtype of a typed array passed where an array is expected (as jnp.array maps them). */
export function typedArrayDType(x: unknown): DType | null {
  if (x instanceof Float32Array) return "float32";
  if (x instanceof Float64Array) return "float64";
  if (x instanceof Int32Array) return "int32";
  if (x instanceof Uint32Array) return "uint32";
  return null;
}

/**
 * The flat form of a pytree function: fn(...leaves) calls f with the arguments rebuilt from
 * `inDef` and returns its output leaves as arrays; outDef() is the output's structure after a call.
 */
export function flattenFun(
  f: (...args: any[]) => unknown,
  inDef: tree.TreeDef,
  what: (i: number) => string = (i) => `output ${i}`,
): { fn: (...xs: JaxArray[]) => JaxArray[]; outDef: () => tree.TreeDef } {
  let od: tree.TreeDef | undefined;
  return {
    fn: (...xs) => {
      const [ol, d] = tree.flatten(f(...(tree.unflatten(inDef, xs) as unknown[])));
      od = d;
      return ol.map((l, i) => leafToArray(l, () => what(i)));
    },
    outDef: () => {
      if (!od) throw new Error("internal: output structure read before the function ran");
      return od;
    },
  };
}
