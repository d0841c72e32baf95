// random.ts — primitives behind jax.random and jax.nn: the threefry2x32 hash (JAX's PRNG core),
// bit manipulation on 32-bit integers (shift_left, shift_right_logical, bitcast_convert_type
// between float32/int32/uint32), and the special functions erf / erf_inv whose float32 kernels
// reproduce XLA's CPU approximations (so random.normal matches JAX to the last bit or so).
import { ShapedArray, shapeSize } from "../core/aval.js";
import type { JaxArray } from "../core/array.js";
import { type DType, type TypedArray, isFloat } from "../core/dtype.js";
import { bind, bind1 } from "../core/trace.js";
import { type BatchRule, type HostArray, NOT_LINEAR, type Primitive, definePrimitive, missing } from "../core/primitive.js";
import { alloc, broadcastShapes, broadcastStrides, forEachStrided } from "./util.js";
import { add, broadcastBatch, exp, mul, neg, scalarLike } from "./elementwise.js";
import { broadcastTo } from "./movement.js";

const LOWER = missing("the wasm compiler (issue #6)");

// ---------------------------------------------------------------- threefry2x32
// Threefry-2x32 with 20 rounds (Salmon et al. 2011), exactly as jax/_src/prng.py lowers it.
const ROT0 = [13, 15, 26, 6];
const ROT1 = [17, 29, 16, 24];

/** One threefry2x32 block on host uint32 values; writes the pair into out[0], out[1]. */
export function threefryBlock(k0: number, k1: number, x0: number, x1: number, out: number[] | Uint32Array): void {
  const k2 = (k0 ^ k1 ^ 0x1bd11bda) >>> 0;
  const ks = [k0 >>> 0, k1 >>> 0, k2];
  let a = (x0 + ks[0]!) >>> 0;
  let b = (x1 + ks[1]!) >>> 0;
  for (let i = 0; i < 5; i++) {
    const rots = i % 2 === 0 ? ROT0 : ROT1;
    for (const r of rots) {
      a = (a + b) >>> 0;
      b = ((b << r) | (b >>> (32 - r))) >>> 0;
      b = (a ^ b) >>> 0;
    }
    a = (a + ks[(i + 1) % 3]!) >>> 0;
    b = (b + ks[(i + 2) % 3]! + i + 1) >>> 0;
  }
  out[0] = a;
  out[1] = b;
}

/** Broadcasting n-ary kernel helper: calls fn(offsets) per output element. */
function nary(ins: HostArray[], outShape: readonly number[], fn: (o: number, offs: number[]) => void): void {
  const n = shapeSize(outShape);
  if (ins.every((x) => x.data.length === n)) {
    const offs = ins.map(() => 0);
    for (let o = 0; o < n; o++) {
      for (let j = 0; j < offs.length; j++) offs[j] = o;
      fn(o, offs);
    }
    return;
  }
  forEachStrided(outShape, ins.map((x) => broadcastStrides(x.shape, outShape)), fn);
}

// threefry2x32(k0, k1, x0, x1) -> (y0, y1): uint32 operands broadcast against each other.
export const threefry2x32P: Primitive<{}> = definePrimitive<{}>({
  name: "threefry2x32",
  impl: (ins, _p, [o]) => {
    const y0 = alloc("uint32", o!.shape);
    const y1 = alloc("uint32", o!.shape);
    const [k0, k1, x0, x1] = ins.map((x) => x.data);
    const pair = [0, 0];
    nary(ins, o!.shape, (i, offs) => {
      threefryBlock(k0![offs[0]!]!, k1![offs[1]!]!, x0![offs[2]!]!, x1![offs[3]!]!, pair);
      y0[i] = pair[0]!;
      y1[i] = pair[1]!;
    });
    return [y0, y1];
  },
  abstractEval: (avals) => {
    if (avals.length !== 4) throw new TypeError(`threefry2x32 takes 4 operands (k0, k1, x0, x1), got ${avals.length}`);
    if (avals.some((a) => a.dtype !== "uint32"))
      throw new TypeError(`Arguments to threefry2x32 must have uint32 type, got ${avals.map((a) => a.dtype).join(", ")}`);
    const shape = broadcastShapes("threefry2x32", ...avals.map((a) => a.shape));
    const out = new ShapedArray(shape, "uint32");
    return [out, out];
  },
  // a hash: integer-valued, so its derivative is zero
  jvp: (xs) => {
    const ys = bind(threefry2x32P, xs);
    return [ys, [null, null]];
  },
  transpose: NOT_LINEAR,
  // elementwise with broadcasting: batch dims to the front, both outputs batched at 0
  batch: broadcastBatch(() => threefry2x32P),
  lower: LOWER,
});

// ---------------------------------------------------------------- shifts
function checkIntPair(name: string, a: ShapedArray, b: ShapedArray): void {
  if (a.dtype !== b.dtype) throw new TypeError(`${name} requires arguments to have the same dtypes, got ${a.dtype}, ${b.dtype}`);
  if (a.dtype !== "int32" && a.dtype !== "uint32") throw new TypeError(`${name} does not accept dtype ${a.dtype}; it needs an integer array`);
}

function shiftPrim(name: string, fn: (a: number, s: number) => number): Primitive<{}> {
  let self: Primitive<{}>;
  self = definePrimitive<{}>({
    name,
    impl: ([a, b], _p, [o]) => {
      const out = alloc(o!.dtype, o!.shape);
      const ad = a!.data;
      const bd = b!.data;
      // shift amounts are read as unsigned; amounts >= 32 shift everything out (XLA semantics)
      nary([a!, b!], o!.shape, (i, offs) => {
        const s = bd[offs[1]!]! >>> 0;
        out[i] = s >= 32 ? 0 : fn(ad[offs[0]!]!, s);
      });
      return [out];
    },
    abstractEval: ([a, b]) => {
      checkIntPair(name, a!, b!);
      return [new ShapedArray(broadcastShapes(name, a!.shape, b!.shape), a!.dtype, a!.weakType && b!.weakType)];
    },
    jvp: (xs) => [[bind1(self, xs)], [null]], // integer-valued: zero derivative
    transpose: NOT_LINEAR,
    batch: broadcastBatch(() => self),
    lower: LOWER,
  });
  return self;
}
export const shiftLeftP = shiftPrim("shift_left", (a, s) => a << s);
export const shiftRightLogicalP = shiftPrim("shift_right_logical", (a, s) => a >>> s);
export const shiftRightArithmeticP = shiftPrim("shift_right_arithmetic", (a, s) => (a | 0) >> s);

// ---------------------------------------------------------------- bitcast_convert_type
const BITCAST_OK: readonly DType[] = ["float32", "int32", "uint32"];
function viewAs(data: TypedArray, d: DType): TypedArray {
  const buf = data.slice().buffer;
  if (d === "float32") return new Float32Array(buf);
  if (d === "int32") return new Int32Array(buf);
  return new Uint32Array(buf);
}
// bitcast_convert_type: reinterprets the 32 bits of each element as another 32-bit dtype.
export const bitcastConvertP: Primitive<{ newDType: DType }> = definePrimitive<{ newDType: DType }>({
  name: "bitcast_convert_type",
  impl: ([x], { newDType }) => [viewAs(x!.data, newDType)],
  abstractEval: ([x], { newDType }) => {
    if (!BITCAST_OK.includes(x!.dtype) || !BITCAST_OK.includes(newDType))
      throw new TypeError(`bitcast_convert_type: only float32, int32 and uint32 can be bitcast to each other, got ${x!.dtype} -> ${newDType}`);
    return [new ShapedArray(x!.shape, newDType)];
  },
  // bit reinterpretation is not differentiable: zero tangent
  jvp: ([x], _t, p) => [[bitcastConvertType(x!, p.newDType)], [null]],
  transpose: NOT_LINEAR,
  batch: ([x], [d], p) => [[bitcastConvertType(x!, p.newDType)], [d!]],
  lower: LOWER,
  printParams: (p) => `new_dtype=${p.newDType}`,
});

// ---------------------------------------------------------------- erf / erf_inv kernels
const fr = Math.fround;
/** float32 fused multiply-add a*b + c (one rounding of the exact product sum, up to rare double-rounding). */
const fma32 = (a: number, b: number, c: number): number => fr(a * b + c);

// Eigen's float erf rational approximation, as XLA's CPU intrinsic evaluates it (with FMAs).
const ERF_A = [0.00022905065861350646, 0.0034082910107109506, 0.050955695062380861, 0.18520832239976145, 1.128379143519084].map(fr);
const ERF_B = [-1.1791602954361697e-7, 0.000023547966471313185, 0.0010179625278914885, 0.014070470171167667, 0.11098505178285362, 0.49746925110067538, 1.0].map(fr);
const ERF_CLAMP = fr(3.832506856900711);
export function erfF32(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) >= ERF_CLAMP) return x > 0 ? 1 : -1;
  const x2 = fr(x * x);
  let p = ERF_A[0]!;
  for (let i = 1; i < ERF_A.length; i++) p = fma32(x2, p, ERF_A[i]!);
  p = fr(x * p);
  let q = ERF_B[0]!;
  for (let i = 1; i < ERF_B.length; i++) q = fma32(x2, q, ERF_B[i]!);
  return fr(p / q);
}

// XLA CPU's float log (Cephes polynomial as in Eigen), used by its log1p for |x| >= sqrt(2)-1.
const LOG_P = [7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1].map(fr);
const f32v = new Float32Array(1);
const u32v = new Uint32Array(f32v.buffer);
function xlaLogF32(x: number): number {
  if (!(x >= 1.1754943508222875e-38) || x === Infinity) return fr(Math.log(x));
  f32v[0] = x;
  const bits = u32v[0]!;
  let e = ((bits >>> 23) & 0xff) - 126; // x = m * 2^e with m in [0.5, 1)
  u32v[0] = (bits & 0x807fffff) | 0x3f000000;
  let m = f32v[0]!;
  const mask = m < fr(0.707106781186547524);
  const tmp = mask ? m : 0;
  m = fr(m - 1);
  if (mask) e -= 1;
  m = fr(m + tmp);
  const x2 = fr(m * m);
  const x3 = fr(x2 * m);
  let y = fma32(LOG_P[0]!, m, LOG_P[1]!);
  let y1 = fma32(LOG_P[3]!, m, LOG_P[4]!);
  let y2 = fma32(LOG_P[6]!, m, LOG_P[7]!);
  y = fma32(y, m, LOG_P[2]!);
  y1 = fma32(y1, m, LOG_P[5]!);
  y2 = fma32(y2, m, LOG_P[8]!);
  y = fma32(y, x3, y1);
  y = fma32(y, x3, y2);
  y = fr(y * x3);
  y = fma32(e, fr(-2.1219444e-4), y);
  let r = fr(m - fr(x2 * 0.5));
  r = fr(r + y);
  return fma32(e, 0.693359375, r);
}
// XLA's log1p: Cephes rational approximation for |x| < sqrt(2) - 1, else log(1 + x).
const L1P_DEN = [1, 1.5062909083469192043167e1, 8.3047565967967209469434e1, 2.2176239823732856465394e2, 3.0909872225312059774938e2, 2.1642788614495947685003e2, 6.0118660497603843919306e1].map(fr);
const L1P_NUM = [4.5270000862445199635215e-5, 4.9854102823193375972212e-1, 6.5787325942061044846969, 2.9911919328553073277375e1, 6.0949667980987787057556e1, 5.7112963590585538103336e1, 2.0039553499201281259648e1].map(fr);
function xlaLog1pF32(x: number): number {
  if (!(Math.abs(x) < fr(0.41421356237309504880))) return xlaLogF32(fr(x + 1));
  const x2 = fr(x * x);
  let dn = 0;
  let nm = 0;
  for (const c of L1P_DEN) dn = fma32(dn, x, c);
  for (const c of L1P_NUM) nm = fma32(nm, x, c);
  let s = fr(nm / dn);
  s = fr(fr(x * x2) * s);
  s = fma32(-0.5, x2, s);
  return fr(x + s);
}
// Giles' single-precision erfinv polynomial (as in XLA's ErfInv32), evaluated with FMAs.
const EI_LT5 = [2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941].map(fr);
const EI_GE5 = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682].map(fr);
export function erfInvF32(x: number): number {
  if (Number.isNaN(x) || Math.abs(x) > 1) return NaN;
  if (Math.abs(x) === 1) return x * Infinity;
  const w = -xlaLog1pF32(fr(-fr(x * x)));
  const lt = w < 5;
  const c = lt ? EI_LT5 : EI_GE5;
  const w2 = lt ? fr(w - 2.5) : fr(fr(Math.sqrt(w)) - 3);
  let p = c[0]!;
  for (let i = 1; i < c.length; i++) p = fma32(p, w2, c[i]!);
  return fr(p * x);
}

// float64 erfc: continued fraction (Lentz) for |x| >= 2.5, else 1 - erf; ~1e-15 relative.
export function erfcF64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 2.5) return 1 - erfF64(x);
  if (x > 27.3) return 0;
  // erfc(z) = exp(-z²)/sqrt(pi) * 1/(z + 1/2/(z + 1/(z + 3/2/(z + ...))))
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    D = x + an * D;
    D = D === 0 ? tiny : 1 / D;
    C = x + an / C;
    if (C === 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
// float64 erf: Taylor series for |x| < 2.5, else 1 - erfc(|x|) with the sign of x.
export function erfF64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - erfcF64(ax));
}
/** float64 erfinv: the float32 formula refined by Newton steps on erfF64. */
export function erfInvF64(x: number): number {
  if (Number.isNaN(x) || Math.abs(x) > 1) return NaN;
  if (Math.abs(x) === 1) return x * Infinity;
  let y = erfInvF32(fr(x));
  if (!Number.isFinite(y)) y = Math.sign(x) * 5.9;
  for (let i = 0; i < 4; i++) {
    const err = erfF64(y) - x;
    const d = (2 / Math.sqrt(Math.PI)) * Math.exp(-y * y);
    if (d === 0) break;
    const step = err / d;
    y -= step / (1 + y * step); // Halley's correction (erf'' = -2y erf')
    if (Math.abs(step) < 1e-16 * Math.abs(y)) break;
  }
  return y;
}

function floatUnary(name: string, f32: (x: number) => number, f64: (x: number) => number, jvpFactor: (x: JaxArray, y: JaxArray) => JaxArray): Primitive<{}> {
  let self: Primitive<{}>;
  self = definePrimitive<{}>({
    name,
    impl: ([x], _p, [o]) => {
      const out = alloc(o!.dtype, o!.shape);
      const d = x!.data;
      const fn = x!.dtype === "float64" ? f64 : f32;
      for (let i = 0; i < d.length; i++) out[i] = fn(d[i]!);
      return [out];
    },
    abstractEval: ([x]) => {
      if (!isFloat(x!.dtype)) throw new TypeError(`${name} does not accept dtype ${x!.dtype}; it needs a floating-point array`);
      return [x!];
    },
    jvp: ([x], [t]) => {
      const y = bind1(self, [x!]);
      return [[y], [t ? mul(t, jvpFactor(x!, y)) : null]];
    },
    transpose: NOT_LINEAR,
    batch: ((xs, dims) => [[bind1(self, xs)], [dims[0]!]]) as BatchRule<{}>,
    lower: LOWER,
  });
  return self;
}
// d erf(x) = 2/sqrt(pi) exp(-x²) dx
export const erfP = floatUnary("erf", erfF32, erfF64, (x) => mul(exp(neg(mul(x, x))), scalarLike(x, 2 / Math.sqrt(Math.PI))));
// d erfc(x) = -2/sqrt(pi) exp(-x²) dx  (float32 kernel: the float64 value, rounded)
export const erfcP = floatUnary("erfc", (x) => fr(erfcF64(x)), erfcF64, (x) => mul(exp(neg(mul(x, x))), scalarLike(x, -2 / Math.sqrt(Math.PI))));
// d erf_inv(x) = sqrt(pi)/2 exp(y²) dx
export const erfInvP = floatUnary("erf_inv", erfInvF32, erfInvF64, (_x, y) => mul(exp(mul(y, y)), scalarLike(y, Math.sqrt(Math.PI) / 2)));

// ---------------------------------------------------------------- fma
// fma(a, b, c) = a * b + c with one rounding (float32), as XLA's CPU backend contracts a
// multiply feeding an add; random.uniform uses it so its affine map rounds like JAX's.
export const fmaP: Primitive<{}> = definePrimitive<{}>({
  name: "fma",
  impl: (ins, _p, [o]) => {
    const out = alloc(o!.dtype, o!.shape);
    const [a, b, c] = ins.map((x) => x.data);
    nary(ins, o!.shape, (i, offs) => {
      out[i] = a![offs[0]!]! * b![offs[1]!]! + c![offs[2]!]!;
    });
    return [out];
  },
  abstractEval: ([a, b, c]) => {
    if (a!.dtype !== b!.dtype || a!.dtype !== c!.dtype)
      throw new TypeError(`fma requires arguments to have the same dtypes, got ${a!.dtype}, ${b!.dtype}, ${c!.dtype}`);
    if (!isFloat(a!.dtype)) throw new TypeError(`fma does not accept dtype ${a!.dtype}; it needs floating-point arrays`);
    return [new ShapedArray(broadcastShapes("fma", a!.shape, b!.shape, c!.shape), a!.dtype, a!.weakType && b!.weakType && c!.weakType)];
  },
  // d(ab + c) = da b + a db + dc
  jvp: ([a, b, c], [ta, tb, tc]) => {
    const y = fma(a!, b!, c!);
    const parts = [ta ? mul(ta, b!) : null, tb ? mul(a!, tb) : null, tc].filter((t): t is JaxArray => t !== null);
    if (!parts.length) return [[y], [null]];
    let t = parts.reduce((acc, v) => add(acc, v));
    if (t.ndim !== y.ndim || t.aval.shape.some((d, i) => d !== y.aval.shape[i])) t = broadcastTo(t, y.aval.shape);
    return [[y], [t]];
  },
  transpose: NOT_LINEAR,
  batch: broadcastBatch(() => fmaP),
  lower: LOWER,
});

// ---------------------------------------------------------------- lax-level wrappers
/** threefry2x32 on uint32 arrays (broadcast): the pair of hashed words. */
export const threefry2x32 = (k0: JaxArray, k1: JaxArray, x0: JaxArray, x1: JaxArray): [JaxArray, JaxArray] => {
  const [a, b] = bind(threefry2x32P, [k0, k1, x0, x1]);
  return [a!, b!];
};
export const shiftLeft = (x: JaxArray, s: JaxArray): JaxArray => bind1(shiftLeftP, [x, s]);
export const shiftRightLogical = (x: JaxArray, s: JaxArray): JaxArray => bind1(shiftRightLogicalP, [x, s]);
export const shiftRightArithmetic = (x: JaxArray, s: JaxArray): JaxArray => bind1(shiftRightArithmeticP, [x, s]);
export const bitcastConvertType = (x: JaxArray, newDType: DType): JaxArray =>
  x.dtype === newDType ? x : bind1(bitcastConvertP, [x], { newDType });
export const erf = (x: JaxArray): JaxArray => bind1(erfP, [x]);
export const erfc = (x: JaxArray): JaxArray => bind1(erfcP, [x]);
export const erfInv = (x: JaxArray): JaxArray => bind1(erfInvP, [x]);
/** a * b + c rounded once (XLA's contracted multiply-add). */
export const fma = (a: JaxArray, b: JaxArray, c: JaxArray): JaxArray => bind1(fmaP, [a, b, c]);
