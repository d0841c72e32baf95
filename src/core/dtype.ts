// dtype.ts — the dtypes of jaxts, their storage, and JAX's type-promotion lattice with weak types.
import { ValueError } from "./errors.js";

/** The dtypes an Array may have. `float0` is the shape-only dtype of integer gradients. */
export type DType = "float32" | "float64" | "int32" | "uint32" | "bool" | "float0";
export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "uint32", "bool", "float0"];

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

/** Validates a user-supplied dtype name and returns it; throws a clear TypeError otherwise. */
export function checkDType(x: unknown, where = "dtype"): DType {
  if (isDType(x)) return x;
  throw new TypeError(
    `${where}: unknown dtype ${JSON.stringify(x)}; expected one of ${DTYPES.filter((d) => d !== "float0").join(", ")}`,
  );
}

export const isFloat = (d: DType): boolean => d === "float32" || d === "float64";
export const isInt = (d: DType): boolean => d === "int32" || d === "uint32";
export const isBool = (d: DType): boolean => d === "bool";
/** True for dtypes that can carry a derivative (JAX: np.inexact). */
export const isInexact = isFloat;

/** The typed-array constructor that stores each dtype (bool and float0 as bytes). */
export const TYPED_ARRAY: Record<DType, { new (n: number): TypedArray; new (b: ArrayBufferLike, byteOffset: number, length: number): TypedArray }> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint32: Uint32Array,
  bool: Uint8Array,
  float0: Uint8Array,
};

export function typedArrayFor(d: DType, n: number): TypedArray {
  return new TYPED_ARRAY[d](n);
}

/** Rounds/wraps a JS number to the value it would have when stored with dtype `d`. */
export function castScalar(x: number, d: DType): number {
  switch (d) {
    case "float32":
      return Math.fround(x);
    case "float64":
      return x;
    case "int32":
      return Number.isNaN(x) ? 0 : x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : Math.trunc(x) | 0;
    case "uint32":
      return Number.isNaN(x) || x <= 0 ? 0 : x >= 4294967295 ? 4294967295 : Math.trunc(x) >>> 0;
    case "bool":
      return x !== 0 ? 1 : 0;
    case "float0":
      return 0;
  }
}

/** Short names used in jaxpr text and tracer reprs (f32, i32 …). */
export function shortName(d: DType): string {
  return { float32: "f32", float64: "f64", int32: "i32", uint32: "u32", bool: "bool", float0: "float0" }[d];
}

// ---- type promotion (JAX's lattice) ------------------------------------------------------
// Nodes: b (bool), i* (weak int), f* (weak float), u32, i32, i64 (virtual), f32, f64.
// Edges b→i*, i*→u32, i*→i32, u32→i64, i32→i64, i64→f*, f*→f32, f32→f64. The result of a
// binary op is the least upper bound; i64 canonicalises to int32 (no 64-bit ints), f* to
// weak float32, i* to weak int32.
type Node = "b" | "i*" | "f*" | "u32" | "i32" | "i64" | "f32" | "f64";
const PARENTS: Record<Node, Node[]> = {
  b: ["i*"],
  "i*": ["u32", "i32"],
  u32: ["i64"],
  i32: ["i64"],
  i64: ["f*"],
  "f*": ["f32"],
  f32: ["f64"],
  f64: [],
};
const ORDER: Node[] = ["b", "i*", "u32", "i32", "i64", "f*", "f32", "f64"];
const upperSets = new Map<Node, Set<Node>>();
for (const n of ORDER) {
  const s = new Set<Node>();
  const stack: Node[] = [n];
  while (stack.length) {
    const m = stack.pop()!;
    if (s.has(m)) continue;
    s.add(m);
    stack.push(...PARENTS[m]);
  }
  upperSets.set(n, s);
}

function toNode(d: DType, weak: boolean): Node {
  switch (d) {
    case "bool":
      return "b";
    case "int32":
      return weak ? "i*" : "i32";
    case "uint32":
      return weak ? "i*" : "u32";
    case "float32":
      return weak ? "f*" : "f32";
    case "float64":
      return weak ? "f*" : "f64";
    case "float0":
      throw new TypeError("float0 arrays carry no data and cannot take part in arithmetic");
  }
}

function fromNode(n: Node): { dtype: DType; weak: boolean } {
  switch (n) {
    case "b":
      return { dtype: "bool", weak: false };
    case "i*":
      return { dtype: "int32", weak: true };
    case "u32":
      return { dtype: "uint32", weak: false };
    case "i32":
    case "i64":
      return { dtype: "int32", weak: false };
    case "f*":
      return { dtype: "float32", weak: true };
    case "f32":
      return { dtype: "float32", weak: false };
    case "f64":
      return { dtype: "float64", weak: false };
  }
}

export interface DTypeWeak {
  dtype: DType;
  weak: boolean;
}

/** Joins dtypes with weak flags per JAX's lattice. A weak float64 stays float64 when alone. */
export function promoteTypesWeak(...xs: DTypeWeak[]): DTypeWeak {
  if (xs.length === 0) throw new ValueError("internal: promoteTypesWeak needs at least one type");
  if (xs.length === 1) return { ...xs[0]! };
  let cur = toNode(xs[0]!.dtype, xs[0]!.weak);
  let keepF64Weak = xs[0]!.dtype === "float64" && xs[0]!.weak;
  for (let i = 1; i < xs.length; i++) {
    const n = toNode(xs[i]!.dtype, xs[i]!.weak);
    keepF64Weak = keepF64Weak && xs[i]!.dtype === "float64" && xs[i]!.weak;
    const a = upperSets.get(cur)!;
    const b = upperSets.get(n)!;
    // ORDER is a linear extension of the lattice, so the first common upper bound is the least
    cur = ORDER.find((m) => a.has(m) && b.has(m))!;
  }
  const r = fromNode(cur);
  if (keepF64Weak) return { dtype: "float64", weak: true };
  return r;
}

/** numpy-style promote_types on strong dtypes. */
export function promoteTypes(a: DType, b: DType): DType {
  return promoteTypesWeak({ dtype: a, weak: false }, { dtype: b, weak: false }).dtype;
}

/** The float dtype an op like sqrt/mean gives for an input dtype (ints and bool → float32). */
export function toInexact(d: DType): DType {
  return isFloat(d) ? d : "float32";
}

export function dtypeRange(d: DType): [number, number] {
  switch (d) {
    case "int32":
      return [-2147483648, 2147483647];
    case "uint32":
      return [0, 4294967295];
    case "bool":
      return [0, 1];
    case "float32":
      return [-3.4028234663852886e38, 3.4028234663852886e38];
    default:
      return [-Number.MAX_VALUE, Number.MAX_VALUE];
  }
}
