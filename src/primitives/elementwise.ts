// elementwise.ts — elementwise primitives (unary math, broadcasting binary arithmetic,
// comparisons, logic, select_n, convert_element_type) built from rule factories.
// Binary primitives take operands of one dtype and broadcast shapes numpy-style.
import { ShapedArray } from "../core/aval.js";
import { type DType, type TypedArray, isFloat, castScalar } from "../core/dtype.js";
import { EagerArray, type JaxArray } from "../core/array.js";
import { bind, bind1 } from "../core/trace.js";
import {
  type BatchRule,
  type HostArray,
  type JvpRule,
  type KernelImpl,
  type MaybeZero,
  type Primitive,
  type TransposeRule,
  NOT_LINEAR,
  UndefinedPrimal,
  definePrimitive,
  missing,
} from "../core/primitive.js";
import { alloc, broadcastShapes, broadcastStrides, forEachStrided } from "./util.js";
import { powC } from "../core/host_math.js";
import { reduceSum, reshape, broadcastInDim, moveaxis } from "./movement.js";

const LOWER = missing("the wasm compiler (issue #6)");

// ---------------------------------------------------------------- helpers
/** A scalar constant with x's dtype (weak), for use inside rules. */
export function scalarLike(x: JaxArray, v: number): JaxArray {
  const d = x.dtype === "bool" ? "float32" : x.dtype;
  const data = alloc(d, []);
  data[0] = castScalar(v, d);
  return EagerArray.fromTyped(data, [], d, true);
}
/** A filled array: a scalar broadcast to `shape` (so inside jit it is a broadcast of a
 * literal, which fuses, rather than a constant of the full shape). */
export function full(shape: readonly number[], v: number, dtype: DType, weak = false): JaxArray {
  const data = alloc(dtype, []);
  data[0] = castScalar(v, dtype);
  const s = EagerArray.fromTyped(data, [], dtype, weak);
  return shape.length === 0 ? s : broadcastInDim(s, shape, []);
}
export function zerosLike(x: JaxArray): JaxArray {
  return full(x.aval.shape, 0, x.dtype, x.weakType);
}
type Num = JaxArray | number;
const lift = (x: Num, like: JaxArray): JaxArray => (typeof x === "number" ? scalarLike(like, x) : x);

/** Sums `ct` down to `aval`'s shape, undoing numpy broadcasting (for transposes). */
export function unbroadcast(ct: JaxArray, shape: readonly number[]): JaxArray {
  const cs = ct.aval.shape;
  if (cs.length === shape.length && cs.every((d, i) => d === shape[i])) return ct;
  const lead = cs.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < cs.length; i++) if (i < lead || (shape[i - lead] === 1 && cs[i] !== 1)) axes.push(i);
  let r = axes.length ? reduceSum(ct, axes) : ct;
  if (r.aval.shape.length !== shape.length || r.aval.shape.some((d, i) => d !== shape[i])) r = reshape(r, shape);
  return r;
}

// ---------------------------------------------------------------- unary factory
interface UnaryOpts {
  /** dtypes accepted; default any numeric */
  accepts?: "float" | "numeric" | "int-bool" | "any";
  /** output dtype (e.g. bool for isfinite) */
  outDType?: DType;
  jvp: JvpRule<{}> | "zero" | ReturnType<typeof missing>;
  transpose?: TransposeRule<{}>;
  /** dtype-aware kernel replacing the default loop over `fn` */
  impl?: KernelImpl<{}>;
}

function checkAccepts(name: string, d: DType, acc: UnaryOpts["accepts"]): void {
  if (acc === "float" && !isFloat(d))
    throw new TypeError(`${name} does not accept dtype ${d}; it needs a floating-point array (use .astype("float32") first)`);
  if (acc === "int-bool" && isFloat(d)) throw new TypeError(`${name} does not accept dtype ${d}; it needs an integer or bool array`);
  if (d === "float0") throw new TypeError(`${name} does not accept float0 arrays`);
}

const zeroJvp = (prim: () => Primitive<any>): JvpRule<any> => (xs, _ts, params) => {
  const y = bindAll(prim(), xs, params);
  return [y, y.map(() => null)];
};
function bindAll(p: Primitive<any>, xs: JaxArray[], params: {}): JaxArray[] {
  return [bind1(p, xs, params)];
}

/** Unary batch rule: elementwise, so the batch dim passes through. */
const unaryBatch = (prim: () => Primitive<any>): BatchRule<any> => (xs, dims, params) => [[bind1(prim(), xs, params)], [dims[0]!]];

function unary(name: string, fn: (x: number) => number, opts: UnaryOpts): Primitive<{}> {
  let self: Primitive<{}>;
  const outD = opts.outDType;
  self = definePrimitive<{}>({
    name,
    impl:
      opts.impl ??
      (([x], _p, [outAval]) => {
        const out = alloc(outAval!.dtype, outAval!.shape);
        const d = x!.data;
        for (let i = 0; i < d.length; i++) out[i] = fn(d[i]!);
        return [out];
      }),
    abstractEval: ([x]) => {
      checkAccepts(name, x!.dtype, opts.accepts);
      return [outD ? new ShapedArray(x!.shape, outD) : x!];
    },
    jvp: opts.jvp === "zero" ? zeroJvp(() => self) : opts.jvp,
    transpose: opts.transpose ?? NOT_LINEAR,
    batch: unaryBatch(() => self),
    lower: LOWER,
  });
  return self;
}

/** jvp of y = f(x) as t * g(x, y). */
const chain =
  (deriv: (x: JaxArray, y: JaxArray) => JaxArray, prim: () => Primitive<{}>): JvpRule<{}> =>
  ([x], [t]) => {
    const y = bind1(prim(), [x!]);
    return [[y], [t ? mul(t, deriv(x!, y)) : null]];
  };

// ---------------------------------------------------------------- binary factory
interface BinaryOpts {
  accepts?: "float" | "numeric" | "int-bool" | "any";
  outDType?: DType;
  jvp: JvpRule<{}> | "zero";
  transpose?: TransposeRule<{}>;
  impl?: KernelImpl<{}>;
}

function binaryKernel(fn: (a: number, b: number) => number) {
  return ([a, b]: HostArray[], _p: {}, [outAval]: ShapedArray[]): TypedArray[] => {
    const out = alloc(outAval!.dtype, outAval!.shape);
    const ad = a!.data;
    const bd = b!.data;
    if (ad.length === out.length && bd.length === out.length) {
      for (let i = 0; i < out.length; i++) out[i] = fn(ad[i]!, bd[i]!);
    } else if (bd.length === 1 && ad.length === out.length) {
      const bv = bd[0]!;
      for (let i = 0; i < out.length; i++) out[i] = fn(ad[i]!, bv);
    } else if (ad.length === 1 && bd.length === out.length) {
      const av = ad[0]!;
      for (let i = 0; i < out.length; i++) out[i] = fn(av, bd[i]!);
    } else {
      const sa = broadcastStrides(a!.shape, outAval!.shape);
      const sb = broadcastStrides(b!.shape, outAval!.shape);
      forEachStrided(outAval!.shape, [sa, sb], (o, offs) => {
        out[o] = fn(ad[offs[0]!]!, bd[offs[1]!]!);
      });
    }
    return [out];
  };
}

/** Batch rule for broadcasting n-ary ops: batch dims to the front, unbatched args left as is. */
export function broadcastBatch(prim: () => Primitive<any>): BatchRule<any> {
  return (xs, dims, params) => {
    const outRank = Math.max(...xs.map((x, i) => x.ndim - (dims[i] === null ? 0 : 1)));
    const args = xs.map((x, i) => {
      const d = dims[i];
      if (d === null || d === undefined) return x;
      let y = d === 0 ? x : moveaxis(x, d, 0);
      const per = y.ndim - 1;
      if (per < outRank) y = reshape(y, [y.aval.shape[0]!, ...new Array<number>(outRank - per).fill(1), ...y.aval.shape.slice(1)]);
      return y;
    });
    // unbatched args of full rank broadcast against [B, ...]; every output is batched at 0
    const outs = bind(prim(), args, params);
    return [outs, outs.map(() => 0)];
  };
}

function binary(name: string, fn: (a: number, b: number) => number, opts: BinaryOpts): Primitive<{}> {
  let self: Primitive<{}>;
  self = definePrimitive<{}>({
    name,
    impl: opts.impl ?? binaryKernel(fn),
    abstractEval: ([a, b]) => {
      if (a!.dtype !== b!.dtype)
        throw new TypeError(`${name} requires arguments to have the same dtypes, got ${a!.dtype}, ${b!.dtype}`);
      checkAccepts(name, a!.dtype, opts.accepts);
      const shape = broadcastShapes(name, a!.shape, b!.shape);
      return [new ShapedArray(shape, opts.outDType ?? a!.dtype, a!.weakType && b!.weakType)];
    },
    jvp: opts.jvp === "zero" ? zeroJvp(() => self) : opts.jvp,
    transpose: opts.transpose ?? NOT_LINEAR,
    batch: broadcastBatch(() => self),
    lower: LOWER,
  });
  return self;
}

// ---------------------------------------------------------------- math helpers (float64)
function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
function cRem(a: number, b: number): number {
  return a % b;
}

// ---------------------------------------------------------------- definitions
// Rules are written with the wrappers below, so they are themselves differentiable.
const isUndef = (x: unknown): x is UndefinedPrimal => x instanceof UndefinedPrimal;

export const negP = unary("neg", (x) => -x, {
  accepts: "numeric",
  jvp: ([x], [t]) => [[neg(x!)], [t ? neg(t) : null]], // d(-x) = -dx
  transpose: ([ct]) => [ct ? neg(ct) : null],
});
// sign keeps the sign of zero and NaN (sign(-0.0) = -0.0, as JAX)
export const signP = unary("sign", (x) => (x > 0 ? 1 : x < 0 ? -1 : x), { accepts: "numeric", jvp: "zero" });
export const floorP = unary("floor", Math.floor, { accepts: "float", jvp: "zero" });
export const ceilP = unary("ceil", Math.ceil, { accepts: "float", jvp: "zero" });
export const roundP = unary("round", roundHalfEven, { accepts: "float", jvp: "zero" });
export const absP = unary("abs", Math.abs, {
  accepts: "numeric",
  // d|x| = select(x >= 0, dx, -dx)  (so abs'(0) = 1, as in JAX)
  jvp: ([x], [t]) => [[abs(x!)], [t ? select(ge(x!, zerosLike(x!)), t, neg(t)) : null]],
});
export const expP = unary("exp", Math.exp, { accepts: "float", jvp: chain((_x, y) => y, () => expP) }); // d e^x = e^x dx
export const exp2P = unary("exp2", (x) => Math.pow(2, x), { accepts: "float", jvp: chain((_x, y) => mul(y, Math.LN2), () => exp2P) });
export const expm1P = unary("expm1", Math.expm1, { accepts: "float", jvp: chain((_x, y) => add(y, 1), () => expm1P) }); // d = (y+1) dx
export const logP = unary("log", Math.log, { accepts: "float", jvp: chain((x) => reciprocal(x), () => logP) }); // d log x = dx / x
export const log1pP = unary("log1p", Math.log1p, { accepts: "float", jvp: chain((x) => reciprocal(add(x, 1)), () => log1pP) });
export const sqrtP = unary("sqrt", Math.sqrt, { accepts: "float", jvp: chain((_x, y) => div(scalarLike(y, 0.5), y), () => sqrtP) }); // dx/(2 sqrt x)
export const rsqrtP = unary("rsqrt", (x) => 1 / Math.sqrt(x), { accepts: "float", jvp: chain((x, y) => mul(div(y, x), -0.5), () => rsqrtP) });
export const cbrtP = unary("cbrt", Math.cbrt, { accepts: "float", jvp: chain((_x, y) => div(scalarLike(y, 1 / 3), mul(y, y)), () => cbrtP) });
export const sinP = unary("sin", Math.sin, { accepts: "float", jvp: chain((x) => cos(x), () => sinP) }); // d sin = cos dx
export const cosP = unary("cos", Math.cos, { accepts: "float", jvp: chain((x) => neg(sin(x)), () => cosP) }); // d cos = -sin dx
export const tanP = unary("tan", Math.tan, { accepts: "float", jvp: chain((_x, y) => add(mul(y, y), 1), () => tanP) }); // 1 + tan²
export const asinP = unary("asin", Math.asin, { accepts: "float", jvp: chain((x) => rsqrt(sub(scalarLike(x, 1), mul(x, x))), () => asinP) });
export const acosP = unary("acos", Math.acos, { accepts: "float", jvp: chain((x) => neg(rsqrt(sub(scalarLike(x, 1), mul(x, x)))), () => acosP) });
export const atanP = unary("atan", Math.atan, { accepts: "float", jvp: chain((x) => reciprocal(add(mul(x, x), 1)), () => atanP) });
export const sinhP = unary("sinh", Math.sinh, { accepts: "float", jvp: chain((x) => cosh(x), () => sinhP) });
export const coshP = unary("cosh", Math.cosh, { accepts: "float", jvp: chain((x) => sinh(x), () => coshP) });
export const tanhP = unary("tanh", Math.tanh, { accepts: "float", jvp: chain((_x, y) => sub(scalarLike(y, 1), mul(y, y)), () => tanhP) }); // 1 - tanh²
export const asinhP = unary("asinh", Math.asinh, { accepts: "float", jvp: chain((x) => rsqrt(add(mul(x, x), 1)), () => asinhP) });
export const acoshP = unary("acosh", Math.acosh, {
  accepts: "float",
  jvp: chain((x) => rsqrt(mul(sub(x, 1), add(x, 1))), () => acoshP), // 1/sqrt((x-1)(x+1))
});
export const atanhP = unary("atanh", Math.atanh, { accepts: "float", jvp: chain((x) => reciprocal(sub(scalarLike(x, 1), mul(x, x))), () => atanhP) });
export const logisticP = unary("logistic", (x) => 1 / (1 + Math.exp(-x)), {
  accepts: "float",
  jvp: chain((_x, y) => mul(y, sub(scalarLike(y, 1), y)), () => logisticP), // σ(1-σ)
});
export const notP = unary("not", (x) => x, {
  accepts: "int-bool",
  jvp: "zero",
  // bool flips, ints are bitwise-not
  impl: ([x]: HostArray[]) => {
    const d = x!.data;
    const out = alloc(x!.dtype, x!.shape);
    if (x!.dtype === "bool") for (let i = 0; i < d.length; i++) out[i] = d[i] ? 0 : 1;
    else for (let i = 0; i < d.length; i++) out[i] = ~d[i]!;
    return [out];
  },
});
export const isFiniteP = unary("is_finite", (x) => (Number.isFinite(x) ? 1 : 0), { accepts: "float", outDType: "bool", jvp: "zero" });

export const addP = binary("add", (a, b) => a + b, {
  jvp: ([x, y], [tx, ty]) => [[add(x!, y!)], [addTangents(tx!, ty!, x!, y!)]], // d(x+y) = dx + dy
  transpose: ([ct], [x, y]) => [ct && isUndef(x) ? unbroadcast(ct, x.aval.shape) : null, ct && isUndef(y) ? unbroadcast(ct, y.aval.shape) : null],
});
export const subP = binary("sub", (a, b) => a - b, {
  jvp: ([x, y], [tx, ty]) => [[sub(x!, y!)], [addTangents(tx!, ty ? neg(ty) : null, x!, y!)]],
  transpose: ([ct], [x, y]) => [ct && isUndef(x) ? unbroadcast(ct, x.aval.shape) : null, ct && isUndef(y) ? unbroadcast(neg(ct), y.aval.shape) : null],
});
export const mulP = binary("mul", (a, b) => a * b, {
  // integer products wrap modulo 2^32 (exact low bits)
  impl: (ins, p, outs) =>
    (isFloat(ins[0]!.dtype) ? binaryKernel((a, b) => a * b) : binaryKernel((a, b) => Math.imul(a, b)))(ins, p, outs),
  // d(xy) = dx y + x dy
  jvp: ([x, y], [tx, ty]) => [[mul(x!, y!)], [addTangents(tx ? mul(tx, y!) : null, ty ? mul(x!, ty) : null, x!, y!)]],
  transpose: ([ct], [x, y]) => {
    if (!ct) return [null, null];
    if (isUndef(x) && isUndef(y)) throw new Error("internal: mul transpose with both operands linear");
    if (isUndef(x)) return [unbroadcast(mul(ct, y as JaxArray), x.aval.shape), null];
    if (isUndef(y)) return [null, unbroadcast(mul(x as JaxArray, ct), y.aval.shape)];
    return [null, null];
  },
});
function intDiv(a: number, b: number): number {
  return b === 0 ? 0 : Math.trunc(a / b);
}
const byDType =
  (floatFn: (a: number, b: number) => number, intFn: (a: number, b: number) => number): KernelImpl<{}> =>
  (ins, p, outs) =>
    (isFloat(ins[0]!.dtype) ? binaryKernel(floatFn) : binaryKernel(intFn))(ins, p, outs);
export const divP = binary("div", (a, b) => a / b, {
  // integer division truncates toward zero (lax.div)
  impl: byDType((a, b) => a / b, intDiv),
  // d(x/y) = dx/y - dy x/y²
  jvp: ([x, y], [tx, ty]) => {
    const out = div(x!, y!);
    return [[out], [addTangents(tx ? div(tx, y!) : null, ty ? neg(mul(ty, div(out, y!))) : null, x!, y!)]];
  },
  transpose: ([ct], [x, y]) => {
    if (!ct) return [null, null];
    if (isUndef(y)) throw new Error("internal: div transpose with linear denominator");
    return [isUndef(x) ? unbroadcast(div(ct, y as JaxArray), x.aval.shape) : null, null];
  },
});
export const remP = binary("rem", cRem, {
  impl: byDType((a, b) => a % b, (a, b) => (b === 0 ? 0 : a % b)),
  // d rem(x, y) = dx - dy * trunc(x / y)
  jvp: ([x, y], [tx, ty]) => [
    [rem(x!, y!)],
    [addTangents(tx, ty ? neg(mul(ty, mul(sign(div(x!, y!)), floor(abs(div(x!, y!)))))) : null, x!, y!)],
  ],
});
export const powP = binary("pow", (a, b) => Math.pow(a, b), {
  impl: byDType(powC, (a, b) => (b < 0 ? (a === 1 ? 1 : a === -1 ? (b % 2 ? -1 : 1) : 0) : Math.pow(a, b))),
  jvp: ([x, y], [tx, ty]) => {
    const out = pow(x!, y!);
    // dx: y x^(y-1) (0 where y == 0);  dy: log(x) x^y (0 where x == 0)
    const dx = tx
      ? mul(tx, select(eq(y!, zerosLike(y!)), zerosLike(out), mul(y!, pow(x!, sub(y!, scalarLike(y!, 1))))))
      : null;
    const safeX = select(eq(x!, zerosLike(x!)), full(x!.aval.shape, 1, x!.dtype), x!);
    const dy = ty ? mul(ty, mul(log(safeX), out)) : null;
    return [[out], [addTangents(dx, dy, x!, y!)]];
  },
});
const maxMinJvp =
  (isMax: boolean): JvpRule<{}> =>
  ([x, y], [tx, ty]) => {
    const out = isMax ? max(x!, y!) : min(x!, y!);
    // ties split the derivative equally (as JAX)
    const half = scalarLike(out, 0.5);
    const xw = select(eq(x!, y!), half, select(isMax ? gt(x!, y!) : lt(x!, y!), scalarLike(out, 1), scalarLike(out, 0)));
    const yw = sub(scalarLike(out, 1), xw);
    return [[out], [addTangents(tx ? mul(tx, xw) : null, ty ? mul(ty, yw) : null, x!, y!)]];
  };
export const maxP = binary("max", (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)), { jvp: maxMinJvp(true) });
export const minP = binary("min", (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)), { jvp: maxMinJvp(false) });
export const atan2P = binary("atan2", Math.atan2, {
  accepts: "float",
  // d atan2(x, y) = (y dx - x dy) / (x² + y²)
  jvp: ([x, y], [tx, ty]) => {
    const den = add(mul(x!, x!), mul(y!, y!));
    return [[atan2(x!, y!)], [addTangents(tx ? mul(tx, div(y!, den)) : null, ty ? neg(mul(ty, div(x!, den))) : null, x!, y!)]];
  },
});
const bitOrBool = (bop: (a: number, b: number) => number) => (a: number, b: number) => bop(a, b);
export const andP = binary("and", bitOrBool((a, b) => a & b), { accepts: "int-bool", jvp: "zero" });
export const orP = binary("or", bitOrBool((a, b) => a | b), { accepts: "int-bool", jvp: "zero" });
export const xorP = binary("xor", bitOrBool((a, b) => a ^ b), { accepts: "int-bool", jvp: "zero" });
const cmp = (name: string, f: (a: number, b: number) => boolean) =>
  binary(name, (a, b) => (f(a, b) ? 1 : 0), { outDType: "bool", jvp: "zero" });
export const eqP = cmp("eq", (a, b) => a === b);
export const neP = cmp("ne", (a, b) => a !== b);
export const ltP = cmp("lt", (a, b) => a < b);
export const leP = cmp("le", (a, b) => a <= b);
export const gtP = cmp("gt", (a, b) => a > b);
export const geP = cmp("ge", (a, b) => a >= b);

function addTangents(a: MaybeZero, b: MaybeZero, x: JaxArray, y: JaxArray): MaybeZero {
  // tangents of broadcasting binary ops must have the output's shape
  const outShape = broadcastShapes("add", x.aval.shape, y.aval.shape);
  const fit = (t: JaxArray) =>
    t.aval.shape.length === outShape.length && t.aval.shape.every((d, i) => d === outShape[i]) ? t : broadcastInDim(t, outShape, bcastDims(t.ndim, outShape.length));
  if (a && b) return fit(add(a, b));
  if (a) return fit(a);
  if (b) return fit(b);
  return null;
}
function bcastDims(r: number, outR: number): number[] {
  const d: number[] = [];
  for (let i = 0; i < r; i++) d.push(outR - r + i);
  return d;
}

// integer_pow: x ** n for a static integer n.
export const integerPowP: Primitive<{ y: number }> = definePrimitive<{ y: number }>({
  name: "integer_pow",
  impl: ([x], { y }, [o]) => {
    const out = alloc(o!.dtype, o!.shape);
    const d = x!.data;
    for (let i = 0; i < d.length; i++) out[i] = Math.pow(d[i]!, y);
    return [out];
  },
  abstractEval: ([x]) => [x!],
  // d x^n = n x^(n-1) dx
  jvp: ([x], [t], { y }) => {
    const out = integerPow(x!, y);
    const d = y === 0 ? zerosLike(x!) : y === 1 ? full(x!.aval.shape, 1, x!.dtype) : mul(scalarLike(x!, y), integerPow(x!, y - 1));
    return [[out], [t ? mul(t, d) : null]];
  },
  transpose: NOT_LINEAR,
  batch: ([x], [d], p) => [[integerPow(x!, p.y)], [d!]],
  lower: LOWER,
});

// select_n(pred, *cases): cases[pred]; pred bool (2 cases) or int32. Broadcasting like binary.
export const selectNP: Primitive<{}> = definePrimitive<{}>({
  name: "select_n",
  impl: (ins, _p, [o]) => {
    const out = alloc(o!.dtype, o!.shape);
    const strides = ins.map((x) => broadcastStrides(x.shape, o!.shape));
    const datas = ins.map((x) => x.data);
    forEachStrided(o!.shape, strides, (i, offs) => {
      const w = datas[0]![offs[0]!]!;
      const k = Math.min(Math.max(w, 0), ins.length - 2);
      out[i] = datas[k + 1]![offs[k + 1]!]!;
    });
    return [out];
  },
  abstractEval: ([p, ...cs]) => {
    if (p!.dtype !== "bool" && p!.dtype !== "int32")
      throw new TypeError(`select_n: the predicate must be bool or int32, got ${p!.dtype}`);
    if (cs.length === 0) throw new TypeError("select_n needs at least one case");
    for (const c of cs)
      if (c.dtype !== cs[0]!.dtype)
        throw new TypeError(`select_n: all cases must have the same dtype, got ${cs.map((c) => c.dtype).join(", ")}`);
    const shape = broadcastShapes("select_n", p!.shape, ...cs.map((c) => c.shape));
    return [new ShapedArray(shape, cs[0]!.dtype, cs.every((c) => c.weakType))];
  },
  // linear in the cases: d select(p, a, b) = select(p, da, db)
  jvp: ([p, ...cs], [_tp, ...tcs]) => {
    const out = selectN(p!, cs);
    if (tcs.every((t) => t === null)) return [[out], [null]];
    const ts = tcs.map((t, i) => t ?? zerosLike(cs[i]!));
    return [[out], [selectN(p!, ts)]];
  },
  transpose: ([ct], [p, ...cs]) => {
    if (p instanceof UndefinedPrimal) throw new Error("internal: select_n predicate cannot be linear");
    if (!ct) return [null, ...cs.map(() => null)];
    const z = zerosLike(ct);
    return [
      null,
      ...cs.map((c, i) => {
        if (!(c instanceof UndefinedPrimal)) return null;
        const parts = cs.map((_, j) => (j === i ? ct : z));
        return unbroadcast(selectN(p as JaxArray, parts), c.aval.shape);
      }),
    ];
  },
  batch: broadcastBatch(() => selectNP),
  lower: LOWER,
});

// convert_element_type: cast to newDType, with a given weak flag.
export const convertP = definePrimitive<{ newDType: DType; weakType: boolean }>({
  name: "convert_element_type",
  impl: ([x], { newDType }, [o]) => {
    const out = alloc(newDType, o!.shape);
    const d = x!.data;
    if (newDType === "float32" || newDType === "float64" || (!isFloat(x!.dtype) && newDType !== "bool"))
      for (let i = 0; i < d.length; i++) out[i] = d[i]!; // int -> int wraps (typed-array store), as XLA
    else for (let i = 0; i < d.length; i++) out[i] = castScalar(d[i]!, newDType);
    return [out];
  },
  abstractEval: ([x], { newDType, weakType }) => [new ShapedArray(x!.shape, newDType, weakType)],
  // linear for float -> float; zero derivative into or out of integers
  jvp: ([x], [t], p) => {
    const out = convert(x!, p.newDType, p.weakType);
    if (!t || !isFloat(p.newDType) || !isFloat(x!.dtype)) return [[out], [null]];
    return [[out], [convert(t, p.newDType, p.weakType)]];
  },
  transpose: ([ct], [x]) => [ct && x instanceof UndefinedPrimal ? convert(ct, x.aval.dtype, x.aval.weakType) : null],
  batch: ([x], [d], p) => [[convert(x!, p.newDType, p.weakType)], [d!]],
  lower: LOWER,
  printParams: (p) => `new_dtype=${p.newDType} weak_type=${p.weakType ? "True" : "False"}`,
});

// ---------------------------------------------------------------- lax-level wrappers
export const neg = (x: JaxArray): JaxArray => bind1(negP, [x]);
export const sign = (x: JaxArray): JaxArray => bind1(signP, [x]);
export const floor = (x: JaxArray): JaxArray => bind1(floorP, [x]);
export const ceil = (x: JaxArray): JaxArray => bind1(ceilP, [x]);
export const round = (x: JaxArray): JaxArray => bind1(roundP, [x]);
export const abs = (x: JaxArray): JaxArray => bind1(absP, [x]);
export const exp = (x: JaxArray): JaxArray => bind1(expP, [x]);
export const exp2 = (x: JaxArray): JaxArray => bind1(exp2P, [x]);
export const expm1 = (x: JaxArray): JaxArray => bind1(expm1P, [x]);
export const log = (x: JaxArray): JaxArray => bind1(logP, [x]);
export const log1p = (x: JaxArray): JaxArray => bind1(log1pP, [x]);
export const sqrt = (x: JaxArray): JaxArray => bind1(sqrtP, [x]);
export const rsqrt = (x: JaxArray): JaxArray => bind1(rsqrtP, [x]);
export const cbrt = (x: JaxArray): JaxArray => bind1(cbrtP, [x]);
export const sin = (x: JaxArray): JaxArray => bind1(sinP, [x]);
export const cos = (x: JaxArray): JaxArray => bind1(cosP, [x]);
export const tan = (x: JaxArray): JaxArray => bind1(tanP, [x]);
export const asin = (x: JaxArray): JaxArray => bind1(asinP, [x]);
export const acos = (x: JaxArray): JaxArray => bind1(acosP, [x]);
export const atan = (x: JaxArray): JaxArray => bind1(atanP, [x]);
export const sinh = (x: JaxArray): JaxArray => bind1(sinhP, [x]);
export const cosh = (x: JaxArray): JaxArray => bind1(coshP, [x]);
export const tanh = (x: JaxArray): JaxArray => bind1(tanhP, [x]);
export const asinh = (x: JaxArray): JaxArray => bind1(asinhP, [x]);
export const acosh = (x: JaxArray): JaxArray => bind1(acoshP, [x]);
export const atanh = (x: JaxArray): JaxArray => bind1(atanhP, [x]);
export const logistic = (x: JaxArray): JaxArray => bind1(logisticP, [x]);
export const not = (x: JaxArray): JaxArray => bind1(notP, [x]);
export const isFinite = (x: JaxArray): JaxArray => bind1(isFiniteP, [x]);
export const reciprocal = (x: JaxArray): JaxArray => div(scalarLike(x, 1), x);
export const add = (x: Num, y: Num): JaxArray => bin(addP, x, y);
export const sub = (x: Num, y: Num): JaxArray => bin(subP, x, y);
export const mul = (x: Num, y: Num): JaxArray => bin(mulP, x, y);
export const div = (x: Num, y: Num): JaxArray => bin(divP, x, y);
export const rem = (x: Num, y: Num): JaxArray => bin(remP, x, y);
export const pow = (x: Num, y: Num): JaxArray => bin(powP, x, y);
export const max = (x: Num, y: Num): JaxArray => bin(maxP, x, y);
export const min = (x: Num, y: Num): JaxArray => bin(minP, x, y);
export const atan2 = (x: Num, y: Num): JaxArray => bin(atan2P, x, y);
export const and = (x: JaxArray, y: JaxArray): JaxArray => bind1(andP, [x, y]);
export const or = (x: JaxArray, y: JaxArray): JaxArray => bind1(orP, [x, y]);
export const xor = (x: JaxArray, y: JaxArray): JaxArray => bind1(xorP, [x, y]);
export const eq = (x: Num, y: Num): JaxArray => bin(eqP, x, y);
export const ne = (x: Num, y: Num): JaxArray => bin(neP, x, y);
export const lt = (x: Num, y: Num): JaxArray => bin(ltP, x, y);
export const le = (x: Num, y: Num): JaxArray => bin(leP, x, y);
export const gt = (x: Num, y: Num): JaxArray => bin(gtP, x, y);
export const ge = (x: Num, y: Num): JaxArray => bin(geP, x, y);
export const integerPow = (x: JaxArray, y: number): JaxArray => bind1(integerPowP, [x], { y });
/** select(pred, onTrue, onFalse) — lax.select. */
export const select = (p: JaxArray, a: JaxArray, b: JaxArray): JaxArray => bind1(selectNP, [p, b, a]);
export const selectN = (p: JaxArray, cases: JaxArray[]): JaxArray => bind1(selectNP, [p, ...cases]);
export const convert = (x: JaxArray, newDType: DType, weakType = false): JaxArray =>
  x.dtype === newDType && x.weakType === weakType ? x : bind1(convertP, [x], { newDType, weakType });

function bin(p: Primitive<{}>, x: Num, y: Num): JaxArray {
  if (typeof x === "number" && typeof y === "number") throw new TypeError("internal: binary op on two JS numbers");
  const a = typeof x === "number" ? lift(x, y as JaxArray) : x;
  const b = typeof y === "number" ? lift(y, x as JaxArray) : y;
  return bind1(p, [a, b]);
}

// stop_gradient: identity whose derivative is zero.
export const stopGradientP: Primitive<{}> = definePrimitive<{}>({
  name: "stop_gradient",
  impl: ([x]) => [x!.data],
  abstractEval: ([x]) => [x!],
  jvp: ([x]) => [[stopGradient(x!)], [null]], // d stop_gradient(x) = 0
  transpose: NOT_LINEAR,
  batch: ([x], [d]) => [[stopGradient(x!)], [d!]],
  lower: LOWER,
});
export const stopGradient = (x: JaxArray): JaxArray => bind1(stopGradientP, [x]);
