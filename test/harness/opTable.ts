// opTable.ts — the table of ops the table-driven suites run over (test/ops/grad.test.ts,
// test/ops/vmap.test.ts): one row per jnp function of API.md (a few functions have extra
// rows for variants such as broadcasting or options), and through them every primitive.
// A row says how to call the op (`fn`, static parameters closed over), how to make its
// inputs (shape + domain, or a custom generator), which dtypes to test, and which
// transformations apply. Functions are looked up in the `jnp` namespace when called, so a
// row whose function is not implemented yet is reported as skipped, never silently passed.
import { type JaxArray, arrayOps } from "../../src/core/array.js";
import type { DType } from "../../src/core/dtype.js";
import { jnp, lax } from "../../src/index.js";
import { fromFlat, shapeSize } from "./host.js";
import { Rng, rngFor } from "./rng.js";

// ---------------------------------------------------------------- jnp lookup

/**
 * The function with this name, or undefined: a jnp function, possibly dotted ("linalg.inv");
 * "lax.<name>" for the lax namespace; "Array.<method>" for an array method whose numpy
 * implementation is installed in core's arrayOps ("Array.get", "Array.at").
 */
export function jnpFn(name: string): ((...a: unknown[]) => any) | undefined {
  if (name.startsWith("Array.")) {
    const m = (arrayOps as unknown as Record<string, unknown>)[name.slice(6)];
    return typeof m === "function" ? (m as (...a: unknown[]) => any) : undefined;
  }
  let o: unknown = jnp;
  let parts = name.split(".");
  if (parts[0] === "lax") {
    o = lax;
    parts = parts.slice(1);
  }
  for (const part of parts) {
    if (o === null || (typeof o !== "object" && typeof o !== "function")) return undefined;
    o = (o as Record<string, unknown>)[part];
  }
  return typeof o === "function" ? (o as (...a: unknown[]) => any) : undefined;
}
export const jnpHas = (name: string): boolean => jnpFn(name) !== undefined;

/** Calls jnp.<name>(...args), looked up at call time. */
export function call(name: string, ...args: unknown[]): JaxArray {
  const f = jnpFn(name);
  if (!f) throw new Error(`jnp.${name} is not implemented`);
  return f(...args) as JaxArray;
}
/** Like `call` for functions returning several arrays (split, meshgrid, broadcastArrays). */
export function callMany(name: string, ...args: unknown[]): JaxArray[] {
  return call(name, ...args) as unknown as JaxArray[];
}

// ---------------------------------------------------------------- input domains

/**
 * Domains of generated values:
 * - real: U(-2, 2); small: U(-1, 1); positive: U(0.5, 2); unit: U(-0.8, 0.8) (arcsin,
 *   arctanh); gt1: U(1.2, 3) (arccosh); nonzero: ±U(0.5, 2) (abs, reciprocal, sign).
 * - awayInt: k + u with u in (0.1, 0.4) ∪ (0.6, 0.9): away from the jumps of floor, ceil,
 *   round and trunc.
 * - grid / gridShift: distinct values on a 0.5-spaced grid (jitter 0.1), the second shifted
 *   by 0.25, so two arrays never tie elementwise and sort/max/min stay away from ties.
 * - int: integers in [-5, 5]; posint: [1, 5] (both int32); bool: true/false (bool).
 * - intValues: integers in [-5, 5] stored in the row's dtype (ties and zeros for
 *   comparisons, truthiness and counting).
 */
export type Domain = "real" | "small" | "positive" | "unit" | "gt1" | "nonzero" | "awayInt" | "grid" | "gridShift" | "int" | "posint" | "bool" | "intValues";

function domainValues(d: Domain, n: number, rng: Rng): number[] {
  const g = (f: () => number) => Array.from({ length: n }, f);
  switch (d) {
    case "real":
      return g(() => rng.uniform(-2, 2));
    case "small":
      return g(() => rng.uniform(-1, 1));
    case "positive":
      return g(() => rng.uniform(0.5, 2));
    case "unit":
      return g(() => rng.uniform(-0.8, 0.8));
    case "gt1":
      return g(() => rng.uniform(1.2, 3));
    case "nonzero":
      return g(() => rng.sign() * rng.uniform(0.5, 2));
    case "awayInt":
      return g(() => rng.int(-3, 2) + (rng.next() < 0.5 ? rng.uniform(0.1, 0.4) : rng.uniform(0.6, 0.9)));
    case "grid":
    case "gridShift": {
      const p = rng.perm(n);
      const off = d === "gridShift" ? 0.25 : 0;
      return p.map((k) => (k - Math.floor(n / 2)) * 0.5 + off + rng.uniform(0, 0.1));
    }
    case "int":
    case "intValues":
      return g(() => rng.int(-5, 5));
    case "posint":
      return g(() => rng.int(1, 5));
    case "bool":
      return g(() => (rng.next() < 0.5 ? 1 : 0));
  }
}
const DOMAIN_DTYPE: Partial<Record<Domain, DType>> = { int: "int32", posint: "int32", bool: "bool" };

export interface ArraySpec {
  shape: number[];
  domain?: Domain;
  /** Fixed dtype; default: int32/bool for int/bool domains, else the row's test dtype. */
  dtype?: DType;
}
/** A custom input generator, for inputs with structure (SPD matrices, indices, remainders). */
export type ArgGen = (rng: Rng, dtype: DType, previous: JaxArray[]) => JaxArray;
export type ArgSpec = ArraySpec | ArgGen;

export function genArg(spec: ArgSpec, rng: Rng, dtype: DType, previous: JaxArray[] = []): JaxArray {
  if (typeof spec === "function") return spec(rng, dtype, previous);
  const d = spec.dtype ?? DOMAIN_DTYPE[spec.domain ?? "real"] ?? dtype;
  return fromFlat(domainValues(spec.domain ?? "real", shapeSize(spec.shape), rng), spec.shape, d);
}

// ---------------------------------------------------------------- rows

export interface OpRow {
  /** jnp function name (dotted for namespaces); its existence decides whether the row runs. */
  name: string;
  /** Distinguishes several rows of one function (variant, options, broadcasting). */
  label?: string;
  /** Calls the op; static parameters are closed over. Returns an array or a pytree of them. */
  fn: (...xs: JaxArray[]) => unknown;
  args: ArgSpec[];
  /** dtypes of the float inputs to test; the first is the primary one. */
  dtypes: DType[];
  /** Differentiable in its float inputs (rules checked against finite differences). */
  diff: boolean;
  /** Linear in its float inputs jointly (jvp(f)(x, t) must equal f(t)). */
  linear?: boolean;
  /** Highest derivative order to check (default 2 for differentiable rows). */
  gradOrder?: 1 | 2;
  /** Modes for the gradient check (default both). */
  gradModes?: ("fwd" | "rev")[];
  /** Whether vmap applies (default true). */
  vmap?: boolean;
  /** Overrides of the gradient check's FD step / tolerance. */
  gradTol?: { eps?: number; rtol?: number; atol?: number };
  /** Other jnp functions the row needs. */
  requires?: string[];
  /** A known failure (reported as a todo with this reason instead of failing the suite). */
  todo?: { grad?: string; vmap?: string; jac?: string };
}

export const rowId = (r: OpRow): string => (r.label ? `${r.name} [${r.label}]` : r.name);
export const rowAvailable = (r: OpRow): boolean => [r.name, ...(r.requires ?? [])].every(jnpHas);
export const missingFns = (r: OpRow): string[] => [r.name, ...(r.requires ?? [])].filter((n) => !jnpHas(n));

/** Deterministic inputs of a row for a dtype (`salt` gives independent draws). */
export function rowArgs(r: OpRow, dtype: DType, salt = 0): JaxArray[] {
  const rng = rngFor(`${rowId(r)}|${dtype}|${salt}`);
  const out: JaxArray[] = [];
  for (const a of r.args) out.push(genArg(a, rng, dtype, out));
  return out;
}

// ---------------------------------------------------------------- spec helpers
const A = (shape: number[], domain: Domain = "real"): ArraySpec => ({ shape, domain });
const I = (shape: number[], domain: Domain = "int"): ArraySpec => ({ shape, domain });
const Bo = (shape: number[]): ArraySpec => ({ shape, domain: "bool" });
/** int32 indices in [lo, hi]. */
const idx = (shape: number[], lo: number, hi: number): ArgGen => (rng) =>
  fromFlat(Array.from({ length: shapeSize(shape) }, () => rng.int(lo, hi)), shape, "int32");
/** A well-conditioned n x n matrix (diagonally dominant), optionally batched. */
const wellCond = (n: number, batch: number[] = []): ArgGen => (rng, d) => {
  const data: number[] = [];
  for (let b = 0; b < shapeSize(batch); b++)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data.push(rng.uniform(-1, 1) + (i === j ? n + 1 : 0));
  return fromFlat(data, [...batch, n, n], d);
};
/** A symmetric positive definite n x n matrix. */
const spd = (n: number): ArgGen => (rng, d) => {
  const b = Array.from({ length: n * n }, () => rng.uniform(-1, 1));
  const data: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!;
      data.push(s);
    }
  return fromFlat(data, [n, n], d);
};

/** `k` distinct int32 indices in [0, n). */
const distinctIdx = (k: number, n: number): ArgGen => (rng) => fromFlat(rng.perm(n).slice(0, k), [k], "int32");
/** A constant bool mask (closed over, not an argument). */
const MASK_2x3 = fromFlat([1, 0, 1, 1, 1, 0], [2, 3], "bool");
/** Indices with one out of range (scatters drop it). */
const OOB_IDX = fromFlat([1, 7], [2], "int32");

const F: DType[] = ["float32", "float64"];
const INT: DType[] = ["int32"];
const BOOL: DType[] = ["bool"];

// remainder-like ops: y is built from x so that x / y = ±(k + u), u in (0.2, 0.8), stays
// away from the integers where floor/trunc jump
const remPair = (): ArgSpec[] => [
  A([2, 3], "nonzero"),
  (rng, d, [x]) => {
    const xs = Array.from(x!.dataSync() as ArrayLike<number>);
    return fromFlat(xs.map((v) => v / (rng.sign() * (rng.int(0, 1) + rng.uniform(0.2, 0.8)))), x!.shape, d);
  },
];

// ---------------------------------------------------------------- the table

const unaryF = (name: string, domain: Domain, extra: Partial<OpRow> = {}): OpRow => ({
  name,
  fn: (x) => call(name, x),
  args: [A([2, 3], domain)],
  dtypes: F,
  diff: true,
  ...extra,
});
const binaryF = (name: string, dx: Domain, dy: Domain, extra: Partial<OpRow> = {}): OpRow[] => [
  { name, fn: (x, y) => call(name, x, y), args: [A([2, 3], dx), A([2, 3], dy)], dtypes: F, diff: true, ...extra },
  { name, label: "broadcast [2,1]x[3]", fn: (x, y) => call(name, x, y), args: [A([2, 1], dx), A([3], dy)], dtypes: F, diff: true, ...extra },
];
const predicate = (name: string, domain: Domain = "real"): OpRow => ({ name, fn: (x) => call(name, x), args: [A([2, 3], domain)], dtypes: F, diff: false });
const comparison = (name: string): OpRow => ({ name, fn: (x, y) => call(name, x, y), args: [A([2, 3], "intValues"), A([3], "intValues")], dtypes: ["float32", "int32", "uint32"], diff: false });
const argsOf = (name: string): OpRow => ({ name, fn: (x, y) => call(name, x, y), args: [Bo([2, 3]), Bo([3])], dtypes: BOOL, diff: false });
const bitwise = (name: string): OpRow => ({ name, fn: (x, y) => call(name, x, y), args: [I([2, 3]), I([2, 3])], dtypes: INT, diff: false });

const reduction = (name: string, domain: Domain = "real", extra: Partial<OpRow> = {}): OpRow[] => [
  { name, label: "all axes", fn: (x) => call(name, x), args: [A([2, 3, 4], domain)], dtypes: F, diff: true, ...extra },
  { name, label: "axis 1", fn: (x) => call(name, x, 1), args: [A([2, 3, 4], domain)], dtypes: F, diff: true, ...extra },
  { name, label: "axis [0,2] keepdims", fn: (x) => call(name, x, [0, 2], { keepdims: true }), args: [A([2, 3, 4], domain)], dtypes: F, diff: true, ...extra },
];

export const OP_TABLE: OpRow[] = [
  // ---- elementwise unary (ufuncs.ts) ----
  unaryF("negative", "real", { linear: true }),
  unaryF("positive", "real", { linear: true }),
  unaryF("abs", "nonzero"),
  unaryF("absolute", "nonzero"),
  unaryF("sign", "nonzero"),
  unaryF("sqrt", "positive"),
  unaryF("cbrt", "positive"),
  unaryF("square", "real"),
  unaryF("reciprocal", "nonzero"),
  unaryF("exp", "real"),
  unaryF("exp2", "real"),
  unaryF("expm1", "real"),
  unaryF("log", "positive"),
  unaryF("log2", "positive"),
  unaryF("log10", "positive"),
  unaryF("log1p", "positive"),
  unaryF("sin", "real"),
  unaryF("cos", "real"),
  unaryF("tan", "small"),
  unaryF("arcsin", "unit"),
  unaryF("arccos", "unit"),
  unaryF("arctan", "real"),
  unaryF("sinh", "real"),
  unaryF("cosh", "real"),
  unaryF("tanh", "real"),
  unaryF("arcsinh", "real"),
  unaryF("arccosh", "gt1"),
  unaryF("arctanh", "unit"),
  unaryF("floor", "awayInt"),
  unaryF("ceil", "awayInt"),
  unaryF("round", "awayInt"),
  unaryF("around", "awayInt"),
  unaryF("trunc", "awayInt"),
  { name: "round", label: "decimals 1", fn: (x) => call("round", x, 1), args: [A([2, 3], "real")], dtypes: F, diff: false },
  predicate("isnan"),
  predicate("isinf"),
  predicate("isfinite"),
  { name: "logicalNot", fn: (x) => call("logicalNot", x), args: [Bo([2, 3])], dtypes: BOOL, diff: false },
  { name: "logicalNot", label: "number truthiness", fn: (x) => call("logicalNot", x), args: [A([2, 3], "intValues")], dtypes: ["float32", "int32"], diff: false },
  { name: "bitwiseNot", fn: (x) => call("bitwiseNot", x), args: [I([2, 3])], dtypes: INT, diff: false },
  { name: "invert", fn: (x) => call("invert", x), args: [Bo([2, 3])], dtypes: BOOL, diff: false },
  { name: "negative", label: "int32", fn: (x) => call("negative", x), args: [I([2, 3])], dtypes: INT, diff: false },
  { name: "abs", label: "int32", fn: (x) => call("abs", x), args: [I([2, 3])], dtypes: INT, diff: false },
  { name: "square", label: "int32", fn: (x) => call("square", x), args: [I([2, 3])], dtypes: INT, diff: false },
  { name: "sqrt", label: "int32 input promotes", fn: (x) => call("sqrt", x), args: [I([2, 3], "posint")], dtypes: INT, diff: false },
  { name: "astype", label: "to float64", fn: (x) => call("astype", x, "float64"), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "astype", label: "to int32", fn: (x) => call("astype", x, "int32"), args: [A([2, 3])], dtypes: F, diff: false },
  { name: "astype", label: "bool to float32", fn: (x) => call("astype", x, "float32"), args: [Bo([2, 3])], dtypes: BOOL, diff: false },

  // ---- elementwise binary ----
  ...binaryF("add", "real", "real", { linear: true }),
  ...binaryF("subtract", "real", "real", { linear: true }),
  ...binaryF("multiply", "real", "real"),
  ...binaryF("divide", "real", "nonzero"),
  ...binaryF("trueDivide", "real", "nonzero"),
  ...binaryF("power", "positive", "real"),
  ...binaryF("pow", "positive", "real"),
  ...binaryF("maximum", "grid", "gridShift"),
  ...binaryF("minimum", "grid", "gridShift"),
  ...binaryF("arctan2", "nonzero", "nonzero"),
  { name: "remainder", fn: (x, y) => call("remainder", x, y), args: remPair(), dtypes: F, diff: true },
  { name: "mod", fn: (x, y) => call("mod", x, y), args: remPair(), dtypes: F, diff: true },
  { name: "fmod", fn: (x, y) => call("fmod", x, y), args: remPair(), dtypes: F, diff: true },
  { name: "floorDivide", fn: (x, y) => call("floorDivide", x, y), args: remPair(), dtypes: F, diff: true },
  { name: "add", label: "weak scalar", fn: (x) => call("add", x, 2.5), args: [A([2, 3])], dtypes: F, diff: true },
  { name: "multiply", label: "weak scalar", fn: (x) => call("multiply", 1.5, x), args: [A([2, 3])], dtypes: F, diff: true },
  { name: "power", label: "integer exponent 3", fn: (x) => call("power", x, 3), args: [A([2, 3])], dtypes: F, diff: true },
  { name: "power", label: "exponent 0", fn: (x) => call("power", x, 0), args: [A([2, 3])], dtypes: F, diff: true },
  { name: "power", label: "exponent -2", fn: (x) => call("power", x, -2), args: [A([2, 3], "nonzero")], dtypes: F, diff: true },
  { name: "power", label: "float exponent 2.5", fn: (x) => call("power", x, 2.5), args: [A([2, 3], "positive")], dtypes: F, diff: true },
  { name: "power", label: "base scalar", fn: (y) => call("power", 2, y), args: [A([2, 3])], dtypes: F, diff: true },
  { name: "add", label: "int32", fn: (x, y) => call("add", x, y), args: [I([2, 3]), I([3])], dtypes: INT, diff: false },
  { name: "floorDivide", label: "int32", fn: (x, y) => call("floorDivide", x, y), args: [I([2, 3]), I([2, 3], "posint")], dtypes: INT, diff: false },
  { name: "remainder", label: "int32", fn: (x, y) => call("remainder", x, y), args: [I([2, 3]), I([2, 3], "posint")], dtypes: INT, diff: false },
  { name: "power", label: "int32", fn: (x, y) => call("power", x, y), args: [I([2, 3]), I([2, 3], "posint")], dtypes: INT, diff: false },
  { name: "multiply", label: "mixed int32 x float", fn: (x, y) => call("multiply", x, y), args: [I([2, 3]), A([2, 3])], dtypes: F, diff: true },
  comparison("equal"),
  comparison("notEqual"),
  comparison("less"),
  comparison("lessEqual"),
  comparison("greater"),
  comparison("greaterEqual"),
  argsOf("logicalAnd"),
  argsOf("logicalOr"),
  argsOf("logicalXor"),
  bitwise("bitwiseAnd"),
  bitwise("bitwiseOr"),
  bitwise("bitwiseXor"),
  { name: "where", fn: (c, x, y) => call("where", c, x, y), args: [Bo([2, 3]), A([2, 3]), A([2, 3])], dtypes: F, diff: true },
  { name: "where", label: "broadcast", fn: (c, x, y) => call("where", c, x, y), args: [Bo([3]), A([2, 1]), A([])], dtypes: F, diff: true },
  { name: "where", label: "scalar branch", fn: (c, x) => call("where", c, x, 0), args: [Bo([2, 3]), A([2, 3])], dtypes: F, diff: true },
  { name: "clip", fn: (x) => call("clip", x, -0.7, 0.8), args: [A([2, 3], "grid")], dtypes: F, diff: true },
  { name: "clip", label: "array bounds", fn: (x, lo, hi) => call("clip", x, lo, hi), args: [A([2, 3], "grid"), A([3], "gridShift"), A([2, 1], "positive")], dtypes: F, diff: true },
  { name: "clip", label: "max only", fn: (x) => call("clip", x, null, 0.3), args: [A([2, 3], "grid")], dtypes: F, diff: true },

  // ---- creation from arrays ----
  { name: "asarray", fn: (x) => call("asarray", x), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "zerosLike", fn: (x) => call("zerosLike", x), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "onesLike", fn: (x) => call("onesLike", x), args: [A([2, 3])], dtypes: F, diff: true },
  { name: "fullLike", fn: (x) => call("fullLike", x, 2.5), args: [A([2, 3])], dtypes: F, diff: true },

  // ---- shape (shape.ts) ----
  { name: "reshape", fn: (x) => call("reshape", x, [3, 2]), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "reshape", label: "inferred -1", fn: (x) => call("reshape", x, [4, -1]), args: [A([2, 3, 4])], dtypes: F, diff: true, linear: true },
  { name: "ravel", fn: (x) => call("ravel", x), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "transpose", fn: (x) => call("transpose", x), args: [A([2, 3, 4])], dtypes: F, diff: true, linear: true },
  { name: "transpose", label: "axes [1,0,2]", fn: (x) => call("transpose", x, [1, 0, 2]), args: [A([2, 3, 4])], dtypes: F, diff: true, linear: true },
  { name: "swapaxes", fn: (x) => call("swapaxes", x, 0, 2), args: [A([2, 3, 4])], dtypes: F, diff: true, linear: true },
  { name: "moveaxis", fn: (x) => call("moveaxis", x, 0, -1), args: [A([2, 3, 4])], dtypes: F, diff: true, linear: true },
  { name: "expandDims", fn: (x) => call("expandDims", x, 1), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "squeeze", fn: (x) => call("squeeze", x, 1), args: [A([2, 1, 3])], dtypes: F, diff: true, linear: true },
  { name: "squeeze", label: "all unit axes", fn: (x) => call("squeeze", x), args: [A([1, 3, 1])], dtypes: F, diff: true, linear: true },
  { name: "broadcastTo", fn: (x) => call("broadcastTo", x, [2, 3]), args: [A([3])], dtypes: F, diff: true, linear: true },
  { name: "broadcastTo", label: "unit axis", fn: (x) => call("broadcastTo", x, [2, 2, 3]), args: [A([2, 1, 3])], dtypes: F, diff: true, linear: true },
  { name: "broadcastArrays", fn: (x, y) => callMany("broadcastArrays", x, y), args: [A([2, 1]), A([3])], dtypes: F, diff: true, linear: true },
  { name: "concatenate", fn: (x, y) => call("concatenate", [x, y], 1), args: [A([2, 3]), A([2, 2])], dtypes: F, diff: true, linear: true },
  { name: "concatenate", label: "axis 0, three inputs", fn: (x, y, z) => call("concatenate", [x, y, z], 0), args: [A([2, 3]), A([1, 3]), A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "concatenate", label: "axis null", fn: (x, y) => call("concatenate", [x, y], null), args: [A([2, 3]), A([2, 2])], dtypes: F, diff: true, linear: true },
  { name: "stack", fn: (x, y) => call("stack", [x, y]), args: [A([2, 3]), A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "stack", label: "axis -1", fn: (x, y) => call("stack", [x, y], -1), args: [A([2, 3]), A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "hstack", fn: (x, y) => call("hstack", [x, y]), args: [A([2, 3]), A([2, 1])], dtypes: F, diff: true, linear: true },
  { name: "vstack", fn: (x, y) => call("vstack", [x, y]), args: [A([3]), A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "dstack", fn: (x, y) => call("dstack", [x, y]), args: [A([2, 3]), A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "columnStack", fn: (x, y) => call("columnStack", [x, y]), args: [A([3]), A([3, 2])], dtypes: F, diff: true, linear: true },
  { name: "split", fn: (x) => callMany("split", x, 3, 0), args: [A([6, 2])], dtypes: F, diff: true, linear: true },
  { name: "split", label: "indices, axis 1", fn: (x) => callMany("split", x, [1, 3], 1), args: [A([2, 4])], dtypes: F, diff: true, linear: true },
  { name: "arraySplit", fn: (x) => callMany("arraySplit", x, 3), args: [A([7])], dtypes: F, diff: true, linear: true },
  { name: "tile", fn: (x) => call("tile", x, [2, 1]), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "tile", label: "reps longer than ndim", fn: (x) => call("tile", x, [2, 1, 2]), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "repeat", fn: (x) => call("repeat", x, 2, 1), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "repeat", label: "axis null", fn: (x) => call("repeat", x, 2, null), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "repeat", label: "per-element repeats", fn: (x) => call("repeat", x, [1, 0, 2], 1), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "flip", fn: (x) => call("flip", x, 1), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "flip", label: "all axes", fn: (x) => call("flip", x), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "fliplr", fn: (x) => call("fliplr", x), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "flipud", fn: (x) => call("flipud", x), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "roll", fn: (x) => call("roll", x, 1, 1), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "roll", label: "axis null", fn: (x) => call("roll", x, 2), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "roll", label: "two axes", fn: (x) => call("roll", x, [1, -1], [0, 1]), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "pad", fn: (x) => call("pad", x, [[1, 2], [0, 1]]), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "pad", label: "constant 1.5", fn: (x) => call("pad", x, 1, { constantValues: 1.5 }), args: [A([2, 3])], dtypes: F, diff: true },
  { name: "pad", label: "edge", fn: (x) => call("pad", x, [[1, 1], [2, 0]], { mode: "edge" }), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "pad", label: "reflect", fn: (x) => call("pad", x, [[0, 0], [2, 2]], { mode: "reflect" }), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "pad", label: "wrap", fn: (x) => call("pad", x, [[1, 0], [0, 4]], { mode: "wrap" }), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "diagonal", fn: (x) => call("diagonal", x), args: [A([3, 3])], dtypes: F, diff: true, linear: true },
  { name: "diagonal", label: "offset 1, axes 0,2", fn: (x) => call("diagonal", x, 1, 0, 2), args: [A([3, 2, 4])], dtypes: F, diff: true, linear: true },
  { name: "triu", fn: (x) => call("triu", x, 1), args: [A([3, 4])], dtypes: F, diff: true, linear: true },
  { name: "tril", fn: (x) => call("tril", x), args: [A([2, 3, 3])], dtypes: F, diff: true, linear: true },
  { name: "meshgrid", fn: (x, y) => callMany("meshgrid", x, y), args: [A([3]), A([2])], dtypes: F, diff: true, linear: true },
  { name: "meshgrid", label: "ij", fn: (x, y) => callMany("meshgrid", x, y, { indexing: "ij" }), args: [A([3]), A([2])], dtypes: F, diff: true, linear: true },
  { name: "atleast1d", fn: (x) => call("atleast1d", x), args: [A([])], dtypes: F, diff: true, linear: true },
  { name: "atleast2d", fn: (x) => call("atleast2d", x), args: [A([3])], dtypes: F, diff: true, linear: true },
  { name: "atleast3d", fn: (x) => call("atleast3d", x), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "flatten", fn: (x) => call("flatten", x), args: [A([2, 3])], dtypes: F, diff: true, linear: true },

  // ---- reductions (reductions.ts) ----
  ...reduction("sum", "real", { linear: true }),
  ...reduction("prod", "positive"),
  ...reduction("mean", "real", { linear: true }),
  ...reduction("var"),
  ...reduction("std"),
  ...reduction("max", "grid"),
  ...reduction("min", "grid"),
  { name: "var", label: "ddof 1", fn: (x) => call("var", x, 1, { ddof: 1 }), args: [A([2, 3, 4])], dtypes: F, diff: true },
  { name: "sum", label: "int32", fn: (x) => call("sum", x, 0), args: [I([2, 3])], dtypes: INT, diff: false },
  { name: "sum", label: "bool counts", fn: (x) => call("sum", x, 1), args: [Bo([2, 3])], dtypes: BOOL, diff: false },
  { name: "argmax", fn: (x) => call("argmax", x, 1), args: [A([2, 3, 4], "grid")], dtypes: F, diff: false },
  { name: "argmax", label: "flattened", fn: (x) => call("argmax", x), args: [A([2, 3], "grid")], dtypes: F, diff: false },
  { name: "argmin", fn: (x) => call("argmin", x, -1), args: [A([2, 3, 4], "grid")], dtypes: F, diff: false },
  { name: "all", fn: (x) => call("all", x, 1), args: [Bo([2, 3])], dtypes: BOOL, diff: false },
  { name: "any", fn: (x) => call("any", x, 0), args: [Bo([2, 3])], dtypes: BOOL, diff: false },
  { name: "cumsum", fn: (x) => call("cumsum", x, 1), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "cumsum", label: "flattened", fn: (x) => call("cumsum", x), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "cumprod", fn: (x) => call("cumprod", x, 0), args: [A([3, 2], "positive")], dtypes: F, diff: true },
  { name: "sort", fn: (x) => call("sort", x), args: [A([2, 4], "grid")], dtypes: F, diff: true },
  { name: "sort", label: "axis 0", fn: (x) => call("sort", x, 0), args: [A([3, 2], "grid")], dtypes: F, diff: true },
  { name: "argsort", fn: (x) => call("argsort", x), args: [A([2, 4], "grid")], dtypes: F, diff: false },

  { name: "amax", fn: (x) => call("amax", x, 1), args: [A([2, 3, 4], "grid")], dtypes: F, diff: true },
  { name: "amin", fn: (x) => call("amin", x, 0), args: [A([2, 3, 4], "grid")], dtypes: F, diff: true },
  { name: "ptp", fn: (x) => call("ptp", x, 1), args: [A([2, 3, 4], "grid")], dtypes: F, diff: true },
  { name: "nansum", fn: (x) => call("nansum", x, 1), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "nanmean", fn: (x) => call("nanmean", x, 0), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "nanprod", fn: (x) => call("nanprod", x, 1), args: [A([2, 3], "positive")], dtypes: F, diff: true },
  { name: "nanmax", fn: (x) => call("nanmax", x, 1), args: [A([2, 3], "grid")], dtypes: F, diff: true },
  { name: "nanmin", fn: (x) => call("nanmin", x), args: [A([2, 3], "grid")], dtypes: F, diff: true },
  { name: "countNonzero", fn: (x) => call("countNonzero", x, 1), args: [A([2, 3], "intValues")], dtypes: ["float32", "int32"], diff: false },
  { name: "cumulativeSum", fn: (x) => call("cumulativeSum", x, 0), args: [A([3, 2])], dtypes: F, diff: true, linear: true },
  { name: "cumulativeProd", fn: (x) => call("cumulativeProd", x, 1), args: [A([2, 3], "positive")], dtypes: F, diff: true },
  { name: "sort", label: "descending", fn: (x) => call("sort", x, -1, { descending: true }), args: [A([2, 4], "grid")], dtypes: F, diff: true },

  // ---- indexing methods: x.get(...) and x.at(...) (indexing.ts) ----
  { name: "Array.get", label: "integer", fn: (x) => x.get(1), args: [A([3, 2])], dtypes: F, diff: true, linear: true },
  { name: "Array.get", label: "negative integer and slice", fn: (x) => x.get(-1, "1:3"), args: [A([2, 4])], dtypes: F, diff: true, linear: true },
  { name: "Array.get", label: "negative steps", fn: (x) => x.get("::-1", "::2"), args: [A([3, 4])], dtypes: F, diff: true, linear: true },
  { name: "Array.get", label: "newaxis and ellipsis", fn: (x) => x.get(null, "...", 0), args: [A([2, 3, 4])], dtypes: F, diff: true, linear: true },
  { name: "Array.get", label: "int array gather", fn: (x, i) => x.get(i), args: [A([4, 2]), idx([3], 0, 3)], dtypes: F, diff: true, linear: true },
  { name: "Array.get", label: "two int arrays", fn: (x, i, j) => x.get(i, j), args: [A([3, 4]), idx([2], 0, 2), idx([2], 0, 3)], dtypes: F, diff: true, linear: true },
  { name: "Array.get", label: "slice then int array", fn: (x, i) => x.get(":", i), args: [A([2, 4]), idx([2, 2], 0, 3)], dtypes: F, diff: true, linear: true },
  { name: "Array.get", label: "out of range wraps once then clamps", fn: (x, i) => x.get(i), args: [A([3]), idx([4], -6, 6)], dtypes: F, diff: true, linear: true },
  { name: "Array.get", label: "constant bool mask", fn: (x) => x.get(MASK_2x3), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "Array.at", label: "set row", fn: (x, v) => x.at(1).set(v), args: [A([3, 2]), A([2])], dtypes: F, diff: true, linear: true },
  { name: "Array.at", label: "set at distinct int indices", fn: (x, i, v) => x.at(i).set(v), args: [A([4, 2]), distinctIdx(2, 4), A([2, 2])], dtypes: F, diff: true, linear: true },
  { name: "Array.at", label: "add with duplicate indices", fn: (x, i, v) => x.at(i).add(v), args: [A([4]), idx([6], 0, 3), A([6])], dtypes: F, diff: true, linear: true },
  { name: "Array.at", label: "mul column", fn: (x, v) => x.at(":", 1).mul(v), args: [A([2, 3]), A([2])], dtypes: F, diff: true },
  { name: "Array.at", label: "min", fn: (x, v) => x.at("1:").min(v), args: [A([3], "grid"), A([2], "gridShift")], dtypes: F, diff: true },
  { name: "Array.at", label: "max", fn: (x, v) => x.at("1:").max(v), args: [A([3], "grid"), A([2], "gridShift")], dtypes: F, diff: true },
  { name: "Array.at", label: "get", fn: (x, i) => x.at(i).get(), args: [A([4]), idx([3], 0, 3)], dtypes: F, diff: true, linear: true },
  { name: "Array.at", label: "out-of-range set is dropped", fn: (x, v) => x.at(OOB_IDX).set(v), args: [A([4]), A([2])], dtypes: F, diff: true, linear: true },

  // ---- indexing (indexing.ts) ----
  { name: "take", fn: (x, i) => call("take", x, i, 0), args: [A([3, 2]), idx([4], 0, 2)], dtypes: F, diff: true, linear: true },
  { name: "take", label: "axis 1, 2-D indices", fn: (x, i) => call("take", x, i, 1), args: [A([2, 4]), idx([2, 2], 0, 3)], dtypes: F, diff: true, linear: true },
  { name: "take", label: "axis null", fn: (x, i) => call("take", x, i), args: [A([2, 3]), idx([4], 0, 5)], dtypes: F, diff: true, linear: true },
  { name: "takeAlongAxis", fn: (x, i) => call("takeAlongAxis", x, i, 1), args: [A([2, 3]), idx([2, 3], 0, 2)], dtypes: F, diff: true, linear: true },

  // ---- linear algebra (linalg.ts) ----
  { name: "dot", label: "vector", fn: (x, y) => call("dot", x, y), args: [A([4]), A([4])], dtypes: F, diff: true },
  { name: "dot", label: "matrix", fn: (x, y) => call("dot", x, y), args: [A([2, 3]), A([3, 4])], dtypes: F, diff: true },
  { name: "dot", label: "N-D", fn: (x, y) => call("dot", x, y), args: [A([2, 3, 4]), A([4, 2])], dtypes: F, diff: true },
  { name: "matmul", fn: (x, y) => call("matmul", x, y), args: [A([2, 3]), A([3, 2])], dtypes: F, diff: true },
  { name: "matmul", label: "batched broadcast", fn: (x, y) => call("matmul", x, y), args: [A([2, 2, 3]), A([3, 4])], dtypes: F, diff: true },
  { name: "matmul", label: "vector rhs", fn: (x, y) => call("matmul", x, y), args: [A([2, 3]), A([3])], dtypes: F, diff: true },
  { name: "vdot", fn: (x, y) => call("vdot", x, y), args: [A([2, 3]), A([2, 3])], dtypes: F, diff: true },
  { name: "inner", fn: (x, y) => call("inner", x, y), args: [A([2, 3]), A([4, 3])], dtypes: F, diff: true },
  { name: "outer", fn: (x, y) => call("outer", x, y), args: [A([3]), A([2])], dtypes: F, diff: true },
  { name: "tensordot", fn: (x, y) => call("tensordot", x, y, 2), args: [A([2, 3, 4]), A([3, 4, 2])], dtypes: F, diff: true },
  { name: "tensordot", label: "explicit axes", fn: (x, y) => call("tensordot", x, y, [[0], [1]]), args: [A([2, 3]), A([4, 2])], dtypes: F, diff: true },
  { name: "einsum", label: "ij,jk->ik", fn: (x, y) => call("einsum", "ij,jk->ik", x, y), args: [A([2, 3]), A([3, 2])], dtypes: F, diff: true },
  { name: "einsum", label: "bij,bjk->bik", fn: (x, y) => call("einsum", "bij,bjk->bik", x, y), args: [A([2, 2, 3]), A([2, 3, 2])], dtypes: F, diff: true },
  { name: "einsum", label: "ii->i", fn: (x) => call("einsum", "ii->i", x), args: [A([3, 3])], dtypes: F, diff: true, linear: true },
  { name: "einsum", label: "ij->", fn: (x) => call("einsum", "ij->", x), args: [A([2, 3])], dtypes: F, diff: true, linear: true },
  { name: "trace", fn: (x) => call("trace", x), args: [A([3, 3])], dtypes: F, diff: true, linear: true },
  { name: "trace", label: "offset 1, 3-D", fn: (x) => call("trace", x, 1), args: [A([3, 4, 2])], dtypes: F, diff: true, linear: true },
  { name: "linalg.norm", fn: (x) => call("linalg.norm", x), args: [A([4], "nonzero")], dtypes: F, diff: true },
  { name: "linalg.norm", label: "Frobenius", fn: (x) => call("linalg.norm", x), args: [A([2, 3], "nonzero")], dtypes: F, diff: true },
  { name: "linalg.norm", label: "ord 1 axis 1", fn: (x) => call("linalg.norm", x, 1, 1), args: [A([2, 3], "nonzero")], dtypes: F, diff: true },
  { name: "linalg.inv", fn: (x) => call("linalg.inv", x), args: [wellCond(3)], dtypes: F, diff: true },
  { name: "linalg.inv", label: "batched", fn: (x) => call("linalg.inv", x), args: [wellCond(2, [2])], dtypes: F, diff: true },
  { name: "linalg.solve", fn: (a, b) => call("linalg.solve", a, b), args: [wellCond(3), A([3])], dtypes: F, diff: true },
  { name: "linalg.solve", label: "matrix rhs", fn: (a, b) => call("linalg.solve", a, b), args: [wellCond(3), A([3, 2])], dtypes: F, diff: true },
  {
    name: "linalg.cholesky",
    // symmetrised so that every direction of the finite differences stays symmetric
    fn: (a) => call("linalg.cholesky", call("multiply", call("add", a, call("transpose", a)), 0.5)),
    args: [spd(3)],
    dtypes: F,
    diff: true,
    requires: ["transpose", "add", "multiply"],
  },
  { name: "linalg.det", fn: (x) => call("linalg.det", x), args: [wellCond(3)], dtypes: F, diff: true },
  { name: "linalg.det", label: "batched", fn: (x) => call("linalg.det", x), args: [wellCond(2, [2])], dtypes: F, diff: true },
  { name: "linalg.slogdet", fn: (x) => callMany("linalg.slogdet", x), args: [wellCond(3)], dtypes: F, diff: true },
  { name: "linalg.norm", label: "ord inf", fn: (x) => call("linalg.norm", x, Infinity), args: [A([4], "grid")], dtypes: F, diff: true },
  { name: "linalg.norm", label: "matrix ord 1", fn: (x) => call("linalg.norm", x, 1), args: [A([3, 3], "grid")], dtypes: F, diff: true },
  { name: "linalg.norm", label: "matrix ord 2 (svd)", fn: (x) => call("linalg.norm", x, 2), args: [A([3, 2], "nonzero")], dtypes: F, diff: true },
  { name: "linalg.norm", label: "nuclear (svd)", fn: (x) => call("linalg.norm", x, "nuc"), args: [A([2, 3], "nonzero")], dtypes: F, diff: true },

  // ---- lax (lax.ts, control flow in transforms/control.ts) ----
  // stopGradient has a zero derivative by design, so finite differences do not apply; its
  // gradient is checked in test/ops/examples.test.ts
  { name: "lax.stopGradient", fn: (x) => lax.stopGradient(x), args: [A([2, 3])], dtypes: F, diff: false },
  { name: "lax.select", fn: (p, a, b) => lax.select(p, a, b), args: [Bo([2, 3]), A([2, 3]), A([2, 3])], dtypes: F, diff: true },
  { name: "lax.rsqrt", fn: (x) => lax.rsqrt(x), args: [A([2, 3], "positive")], dtypes: F, diff: true },
  { name: "lax.logistic", fn: (x) => lax.logistic(x), args: [A([2, 3])], dtypes: F, diff: true },
  {
    name: "lax.cond",
    fn: (p, x) => lax.cond(p, (y: JaxArray) => jnp.sin(y), (y: JaxArray) => jnp.multiply(y, y), x),
    args: [Bo([]), A([3])],
    dtypes: F,
    diff: true,
  },
  {
    name: "lax.switch",
    fn: (i, x) => lax.switch(i, [(y: JaxArray) => jnp.sin(y), (y: JaxArray) => jnp.cos(y), (y: JaxArray) => jnp.exp(y)], x),
    args: [idx([], 0, 2), A([3])],
    dtypes: F,
    diff: true,
  },
  {
    name: "lax.scan",
    fn: (c, xs) => lax.scan((carry: JaxArray, x: JaxArray) => [jnp.add(jnp.multiply(carry, jnp.cos(x)), x), jnp.sin(jnp.multiply(carry, x))], c, xs),
    args: [A([2]), A([4, 2])],
    dtypes: F,
    diff: true,
  },
  {
    name: "lax.scan",
    label: "reverse",
    fn: (c, xs) => lax.scan((carry: JaxArray, x: JaxArray) => [jnp.multiply(carry, jnp.tanh(x)), jnp.add(carry, x)], c, xs, { reverse: true }),
    args: [A([]), A([3])],
    dtypes: F,
    diff: true,
  },
  {
    name: "lax.foriLoop",
    fn: (x) => lax.foriLoop(0, 3, (_i: JaxArray, v: JaxArray) => jnp.add(jnp.sin(v), jnp.multiply(v, 0.5)), x),
    args: [A([2, 3])],
    dtypes: F,
    diff: true,
  },
  {
    name: "lax.whileLoop",
    // reverse mode of while_loop is an error in JAX (dynamic trip count), so forward mode only
    fn: (x) =>
      lax.whileLoop(
        ([i]: JaxArray[]) => jnp.less(i!, fromFlat([3], [], "int32")),
        ([i, v]: JaxArray[]) => [jnp.add(i!, fromFlat([1], [], "int32")), jnp.add(jnp.cos(v!), v!)],
        [fromFlat([0], [], "int32"), x],
      )[1],
    args: [A([2, 3])],
    dtypes: F,
    diff: true,
    gradModes: ["fwd"],
  },
  { name: "lax.map", fn: (xs) => lax.map((x: JaxArray) => jnp.multiply(jnp.sin(x), x), xs), args: [A([3, 2])], dtypes: F, diff: true },
];

/** Every distinct function name the table covers. */
export const TABLE_FUNCTIONS: string[] = [...new Set(OP_TABLE.map((r) => r.name))];
