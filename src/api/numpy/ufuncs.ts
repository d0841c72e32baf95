// ufuncs.ts — elementwise numpy functions: dtype promotion and broadcasting on top of the
// elementwise primitives.
import type { ArrayLike, JaxArray } from "../../core/array.js";
import { type DType, isFloat, isInt, toInexact } from "../../core/dtype.js";
import * as lax from "../../primitives/elementwise.js";
import { asArray, promoteArgs } from "./coerce.js";

type U = (x: ArrayLike) => JaxArray;
type B = (x: ArrayLike, y: ArrayLike) => JaxArray;

/** Promotes a single operand to an inexact dtype (ints and bool become float32). */
function inexact(x: ArrayLike): JaxArray {
  const a = asArray(x);
  const d = toInexact(a.dtype);
  return d === a.dtype ? a : lax.convert(a, d, a.weakType);
}
const floatUnary = (f: (x: JaxArray) => JaxArray): U => (x) => f(inexact(x));
function binaryPromoted(f: (a: JaxArray, b: JaxArray) => JaxArray): B {
  return (x, y) => {
    const [a, b] = promoteArgs(x, y);
    return f(a!, b!);
  };
}
function floatBinary(f: (a: JaxArray, b: JaxArray) => JaxArray): B {
  return (x, y) => {
    let [a, b] = promoteArgs(x, y);
    if (!isFloat(a!.dtype)) {
      a = lax.convert(a!, "float32", a!.weakType);
      b = lax.convert(b!, "float32", b!.weakType);
    }
    return f(a!, b!);
  };
}
function zerosOf(a: JaxArray): JaxArray {
  return lax.full([], 0, a.dtype, true);
}

export const add: B = (x, y) => {
  const [a, b] = promoteArgs(x, y);
  return a!.dtype === "bool" ? lax.or(a!, b!) : lax.add(a!, b!);
};
export const subtract: B = binaryPromoted(lax.sub);
export const multiply: B = (x, y) => {
  const [a, b] = promoteArgs(x, y);
  return a!.dtype === "bool" ? lax.and(a!, b!) : lax.mul(a!, b!);
};
export const divide: B = floatBinary(lax.div);
export const trueDivide = divide;
/** numpy floor division (rounds toward -inf, also for ints). */
export const floorDivide: B = (x, y) => {
  const [a, b] = promoteArgs(x, y);
  if (isInt(a!.dtype) || a!.dtype === "bool") {
    if (a!.dtype === "uint32" || a!.dtype === "bool") return lax.div(a!, b!);
    const q = lax.div(a!, b!);
    const r = lax.rem(a!, b!);
    const z = zerosOf(a!);
    // adjust when the remainder is non-zero and signs of r and b differ
    const fix = lax.and(lax.ne(r, z), lax.ne(lax.lt(r, z), lax.lt(b!, z)));
    return lax.select(fix, lax.sub(q, lax.full([], 1, q.dtype, true)), q);
  }
  return floatDivmod(a!, b!)[0];
};
function floatDivmod(a: JaxArray, b: JaxArray): [JaxArray, JaxArray] {
  let mod = lax.rem(a, b);
  const z = zerosOf(a);
  // where b == 0 divide a itself (so 1 // 0 = inf, as JAX)
  let div = lax.div(lax.select(lax.eq(b, z), a, lax.sub(a, mod)), b);
  const ind = lax.and(lax.ne(mod, z), lax.ne(lax.lt(b, z), lax.lt(mod, z)));
  mod = lax.select(ind, lax.add(mod, b), mod);
  div = lax.select(ind, lax.sub(div, lax.full([], 1, div.dtype, true)), div);
  return [lax.round(div), mod];
}
/** numpy remainder: the result has the sign of the divisor. */
export const remainder: B = (x, y) => {
  const [a, b] = promoteArgs(x, y);
  const r = lax.rem(a!, b!);
  if (a!.dtype === "uint32" || a!.dtype === "bool") return r;
  const z = zerosOf(a!);
  const fix = lax.and(lax.ne(r, z), lax.ne(lax.lt(r, z), lax.lt(b!, z)));
  return lax.select(fix, lax.add(r, b!), r);
};
export const mod = remainder;
/** fmod: C-style remainder with the sign of the dividend. */
export const fmod: B = binaryPromoted(lax.rem);

export const power: B = (x, y) => {
  if (typeof y === "number" && Number.isInteger(y) && Math.abs(y) <= 1 << 20) {
    const a = asArray(x);
    if (isFloat(a.dtype)) return lax.integerPow(a, y);
    if (y >= 0) return lax.integerPow(a.dtype === "bool" ? lax.convert(a, "int32", a.weakType) : a, y);
  }
  const [a, b] = promoteArgs(x, y);
  return lax.pow(a!, b!);
};
export const pow = power;
export const maximum: B = binaryPromoted(lax.max);
export const minimum: B = binaryPromoted(lax.min);
export const arctan2: B = floatBinary(lax.atan2);

export const negative: U = (x) => lax.neg(asArray(x));
export const positive: U = (x) => asArray(x);
export const abs: U = (x) => {
  const a = asArray(x);
  return a.dtype === "bool" || a.dtype === "uint32" ? a : lax.abs(a);
};
export const absolute = abs;
export const sign: U = (x) => {
  const a = asArray(x);
  return a.dtype === "bool" ? a : lax.sign(a);
};
export const sqrt = floatUnary(lax.sqrt);
export const cbrt = floatUnary(lax.cbrt);
export const square: U = (x) => lax.integerPow(asArray(x), 2);
export const reciprocal: U = (x) => lax.reciprocal(inexact(x));
export const exp = floatUnary(lax.exp);
export const exp2 = floatUnary(lax.exp2);
export const expm1 = floatUnary(lax.expm1);
export const log = floatUnary(lax.log);
export const log2 = floatUnary((a) => lax.div(lax.log(a), lax.log(lax.full([], 2, a.dtype, true))));
export const log10 = floatUnary((a) => lax.div(lax.log(a), lax.log(lax.full([], 10, a.dtype, true))));
export const log1p = floatUnary(lax.log1p);
export const sin = floatUnary(lax.sin);
export const cos = floatUnary(lax.cos);
export const tan = floatUnary(lax.tan);
export const arcsin = floatUnary(lax.asin);
export const arccos = floatUnary(lax.acos);
export const arctan = floatUnary(lax.atan);
export const sinh = floatUnary(lax.sinh);
export const cosh = floatUnary(lax.cosh);
export const tanh = floatUnary(lax.tanh);
export const arcsinh = floatUnary(lax.asinh);
export const arccosh = floatUnary(lax.acosh);
export const arctanh = floatUnary(lax.atanh);
const keepInts = (f: (a: JaxArray) => JaxArray): U => (x) => {
  const a = asArray(x);
  return isFloat(a.dtype) ? f(a) : a;
};
export const floor = keepInts(lax.floor);
export const ceil = keepInts(lax.ceil);
/** round(x, decimals=0): half to even, as numpy. */
export function round(x: ArrayLike, decimals = 0): JaxArray {
  const a = asArray(x);
  if (!isFloat(a.dtype)) return a;
  if (decimals === 0) return lax.round(a);
  const f = lax.full([], Math.pow(10, decimals), a.dtype, true);
  return lax.div(lax.round(lax.mul(a, f)), f);
}
export const around = round;
export const trunc = keepInts((a) => lax.select(lax.lt(a, zerosOf(a)), lax.ceil(a), lax.floor(a)));

export const isnan: U = (x) => {
  const a = asArray(x);
  return isFloat(a.dtype) ? lax.ne(a, a) : lax.full([...a.aval.shape], 0, "bool");
};
export const isinf: U = (x) => {
  const a = asArray(x);
  return isFloat(a.dtype) ? lax.eq(lax.abs(a), lax.full([], Infinity, a.dtype, true)) : lax.full([...a.aval.shape], 0, "bool");
};
export const isfinite: U = (x) => {
  const a = asArray(x);
  return isFloat(a.dtype) ? lax.isFinite(a) : lax.full([...a.aval.shape], 1, "bool");
};

const cmp = (f: (a: JaxArray, b: JaxArray) => JaxArray): B => binaryPromoted(f);
export const equal = cmp(lax.eq);
export const notEqual = cmp(lax.ne);
export const less = cmp(lax.lt);
export const lessEqual = cmp(lax.le);
export const greater = cmp(lax.gt);
export const greaterEqual = cmp(lax.ge);

const toBool = (x: ArrayLike): JaxArray => {
  const a = asArray(x);
  return a.dtype === "bool" ? a : lax.ne(a, zerosOf(a));
};
export const logicalAnd: B = (x, y) => lax.and(toBool(x), toBool(y));
export const logicalOr: B = (x, y) => lax.or(toBool(x), toBool(y));
export const logicalXor: B = (x, y) => lax.xor(toBool(x), toBool(y));
export const logicalNot: U = (x) => lax.not(toBool(x));
export const bitwiseAnd: B = binaryPromoted(lax.and);
export const bitwiseOr: B = binaryPromoted(lax.or);
export const bitwiseXor: B = binaryPromoted(lax.xor);
export const bitwiseNot: U = (x) => lax.not(asArray(x));
export const invert = bitwiseNot;

/** where(condition, x, y): elementwise choice, broadcasting all three. */
export function where(condition: ArrayLike, x?: ArrayLike, y?: ArrayLike): JaxArray {
  if (x === undefined || y === undefined)
    throw new TypeError(
      "where: pass all three arguments (condition, x, y); the one-argument form has a data-dependent output shape (use jnp.nonzero eagerly)",
    );
  const c = toBool(condition);
  const [a, b] = promoteArgs(x, y);
  return lax.select(c, a!, b!);
}

/** clip(x, min?, max?) — min/max may be null. */
export function clip(x: ArrayLike, min?: ArrayLike | null, max?: ArrayLike | null): JaxArray {
  let r = asArray(x);
  if (min !== undefined && min !== null) r = maximum(r, min);
  if (max !== undefined && max !== null) r = minimum(r, max);
  return r;
}

/** astype(x, dtype): converts, dropping weak type. */
export function astype(x: ArrayLike, dtype: DType): JaxArray {
  const a = asArray(x);
  return lax.convert(a, dtype, false);
}
