// coerce.ts — turning user input (JS numbers, nested arrays, typed arrays, Arrays) into arrays,
// and JAX's dtype promotion of operands for the numpy layer.
import { type ArrayLike, EagerArray, JaxArray, type NestedArray } from "../../core/array.js";
import { type DType, type TypedArray, castScalar, checkDType, promoteTypesWeak, typedArrayFor } from "../../core/dtype.js";
import { ConcretizationTypeError, ValueError } from "../../core/errors.js";
import { convert } from "../../primitives/elementwise.js";
import { broadcastTo } from "../../primitives/movement.js";
import { broadcastShapes } from "../../primitives/util.js";

export type { ArrayLike };

function typedDType(x: TypedArray | ArrayBufferView): DType {
  if (x instanceof Float32Array) return "float32";
  if (x instanceof Float64Array) return "float64";
  if (x instanceof Int32Array || x instanceof Int16Array || x instanceof Int8Array || x instanceof Uint16Array || x instanceof Uint8Array || x instanceof Uint8ClampedArray)
    return "int32";
  if (x instanceof Uint32Array) return "uint32";
  throw new TypeError(`unsupported typed array ${x.constructor.name}; use Float32Array, Float64Array, Int32Array or Uint32Array`);
}

function nestedShape(x: NestedArray, path: string): { shape: number[]; hasBool: boolean; hasNum: boolean } {
  if (typeof x === "number") return { shape: [], hasBool: false, hasNum: true };
  if (typeof x === "boolean") return { shape: [], hasBool: true, hasNum: false };
  if (!Array.isArray(x))
    throw new TypeError(`jnp.array: element at ${path || "the root"} is ${x === null ? "null" : typeof x} (${String(x)}); expected numbers, booleans or nested arrays of them`);
  if (x.length === 0) return { shape: [0], hasBool: false, hasNum: false };
  let first: ReturnType<typeof nestedShape> | undefined;
  let hasBool = false;
  let hasNum = false;
  x.forEach((c, i) => {
    const s = nestedShape(c as NestedArray, `${path}[${i}]`);
    hasBool ||= s.hasBool;
    hasNum ||= s.hasNum;
    if (!first) first = s;
    else if (s.shape.length !== first.shape.length || s.shape.some((d, j) => d !== first!.shape[j]))
      throw new ValueError(
        `setting an array element with a sequence. The requested array has an inhomogeneous shape: element ${path}[${i}] has shape [${s.shape.join(", ")}] but element ${path}[0] has shape [${first.shape.join(", ")}]`,
      );
  });
  return { shape: [x.length, ...first!.shape], hasBool, hasNum };
}

/** jnp.array / asarray: builds an array from user data. */
export function array(data: ArrayLike, dtype?: DType): JaxArray {
  if (dtype !== undefined) dtype = checkDType(dtype, "jnp.array");
  if (data instanceof JaxArray) return dtype && dtype !== data.dtype ? convert(data, dtype) : data;
  if (typeof data === "number") {
    const d = dtype ?? "float32";
    const t = typedArrayFor(d, 1);
    t[0] = castScalar(data, d);
    return EagerArray.fromTyped(t, [], d, dtype === undefined);
  }
  if (typeof data === "boolean") {
    const d = dtype ?? "bool";
    const t = typedArrayFor(d, 1);
    t[0] = castScalar(data ? 1 : 0, d);
    return EagerArray.fromTyped(t, [], d);
  }
  if (ArrayBuffer.isView(data)) {
    const src = typedDType(data as TypedArray);
    const d = dtype ?? src;
    const n = (data as TypedArray).length;
    const t = typedArrayFor(d, n);
    const s = data as TypedArray;
    for (let i = 0; i < n; i++) t[i] = castScalar(s[i]!, d);
    return EagerArray.fromTyped(t, [n], d);
  }
  if (Array.isArray(data)) {
    const { shape, hasBool, hasNum } = nestedShape(data as NestedArray, "");
    const d = dtype ?? (hasBool && !hasNum ? "bool" : "float32");
    const flat = (data as unknown[]).flat(Infinity as 1) as (number | boolean)[];
    const t = typedArrayFor(d, flat.length);
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i]!;
      t[i] = castScalar(typeof v === "boolean" ? (v ? 1 : 0) : v, d);
    }
    return EagerArray.fromTyped(t, shape, d);
  }
  throw new TypeError(
    `jnp.array: cannot make an array from ${data === null ? "null" : typeof data}${data && typeof data === "object" ? ` (${(data as object).constructor?.name})` : ""}; expected a number, boolean, nested JS arrays of them, a typed array or an Array`,
  );
}

/** Converts any ArrayLike to an array without copying arrays. */
export function asArray(x: ArrayLike, dtype?: DType): JaxArray {
  return array(x, dtype);
}

/** Promotes operands to their common dtype (JAX lattice, weak types respected). */
export function promoteArgs(...xs: ArrayLike[]): JaxArray[] {
  const arrs = xs.map((x) => asArray(x));
  if (arrs.length <= 1) return arrs;
  const target = promoteTypesWeak(...arrs.map((a) => ({ dtype: a.dtype, weak: a.weakType })));
  return arrs.map((a) => (a.dtype === target.dtype ? a : convert(a, target.dtype, target.weak)));
}

/** Result dtype of combining the given values (jnp.result_type). */
export function resultType(...xs: (ArrayLike | DType)[]): DType {
  const ts = xs.map((x) =>
    typeof x === "string" ? { dtype: checkDType(x), weak: false } : (() => {
      const a = asArray(x);
      return { dtype: a.dtype, weak: a.weakType };
    })(),
  );
  return promoteTypesWeak(...ts).dtype;
}

/** Broadcasts arrays against each other (numpy rules). */
export function broadcastArraysRaw(name: string, xs: JaxArray[]): JaxArray[] {
  const shape = broadcastShapes(name, ...xs.map((x) => x.aval.shape));
  return xs.map((x) => broadcastTo(x, shape));
}

/** Normalises a shape argument: a number or an array of non-negative integers (concrete
 * integer scalar arrays are accepted; traced ones throw ConcretizationTypeError). */
export function normShape(shape: unknown, where: string): number[] {
  let s = typeof shape === "number" || shape instanceof JaxArray ? [shape] : shape;
  if (Array.isArray(s) && s.some((d) => d instanceof JaxArray)) {
    const abstract = s.find((d) => d instanceof JaxArray && (d._concrete() === null || d.ndim !== 0)) as JaxArray | undefined;
    if (abstract)
      throw new ConcretizationTypeError(
        abstract._describe(),
        `${where}: Shapes must be 1D sequences of concrete values of integer type, got [${s.map((d) => (d instanceof JaxArray ? d._describe() : String(d))).join(", ")}]. If using \`jit\`, try using \`staticArgnums\` or applying \`jit\` to smaller subfunctions. ${abstract._originInfo()}`.trim(),
      );
    s = s.map((d) => (d instanceof JaxArray ? Number(d._concrete()!._host()[0]) : d));
  }
  if (!Array.isArray(s) || !s.every((d) => typeof d === "number" && Number.isInteger(d) && d >= 0))
    throw new TypeError(`${where}: shape must be a non-negative integer or an array of them, got ${JSON.stringify(shape)}`);
  return [...(s as number[])];
}

/**
 * Checks an options argument: undefined or a plain object. Plain-JS callers sometimes pass
 * numpy's positional form (`sum(x, 0, true)`), which would otherwise be silently ignored.
 */
export function checkOptions<T>(opts: T, fn: string): T {
  if (opts !== undefined && (typeof opts !== "object" || opts === null || Array.isArray(opts)))
    throw new TypeError(`${fn}: options must be an object such as { keepdims: true }, got ${Array.isArray(opts) ? "an array" : String(opts)}`);
  return opts;
}
