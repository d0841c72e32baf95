// vmath.ts — vectorised float32 math for the wasm kernels: a tiny expression DSL over v128
// values, and exp, log, tanh, sin, cos, logistic, log1p, expm1, erf, pow as SIMD128 code (4
// lanes at a time).
//
// Methods (Cephes-style single-precision algorithms, evaluated in float32 lanes):
//   exp   n = nearest(x·log2 e); r = x − n·C1 − n·C2 (Cody–Waite, C1 exact in 9 bits);
//         degree-5 polynomial; scaled by 2^n as 2^⌊n/2⌋·2^(n−⌊n/2⌋) so that subnormal
//         results round once and overflow gives ∞. x is clamped to [−104, 89].
//   log   x = m·2^e with m ∈ [√½, √2); degree-8 polynomial in m − 1; subnormal inputs are
//         scaled by 2^23 first; log 0 = −∞, log(x<0) = NaN, log ∞ = ∞.
//   tanh  |x| < 0.625: odd degree-9 polynomial; else sign(x)·(1 − 2/(e^{2|x|} + 1)).
//   sin, cos  q = nearest(|x|·2/π); z = |x| − q·π/2 computed in float64 lanes (two-part
//         π/2, exact product), so z is accurate even next to the zeros; the sine or cosine
//         polynomial (Cephes) on z ∈ [−π/4, π/4] per quadrant. When a lane has |x| >
//         SINCOS_MAX (or is ±∞/NaN), all 4 lanes are recomputed by the host's Math.sin /
//         Math.cos (imported as env.sin / env.cos) in float64 and rounded.
//   logistic  e/(1 + e) or 1/(1 + e) with e = exp(−|x|) (no overflow for large |x|).
//   log1p  log(u)·x/(u − 1) with u = 1 + x (Goldberg's correction; x where u = 1).
//   expm1  exp's reduction and polynomial without its 1, rescaled as 2·(h·p + (h − ½)),
//         h = 2^(n−1), so there is no cancellation near 0.
//   erf   x·P(x²)/Q(x²) on x clamped to ±3.83 (Eigen's rational form, which XLA's CPU uses).
//   pow   2^(y·log2 x) in float64 lanes for positive normal x (atanh series for log2 m,
//         Taylor polynomial for 2^f, exponent bits for 2^n); other lanes (x ≤ 0, ∞, NaN,
//         near overflow) recompute their vector with the host's Math.pow (env.pow).
// Maximum errors against Math.* in float64 (test/backends/wasm.test.ts checks ULP_BOUNDS
// over dense ranges; measured: exp 1.01 ulp over [−104, 89], log 0.82 ulp over all positive
// floats, tanh 1.29 ulp, sin/cos 1.52 ulp for |x| ≤ 2^18 and 1.17 ulp next to their zeros,
// logistic 2.2 ulp, log1p 2.3, expm1 1.6, erf 5.6 next to the clamp (XLA's own: 5.0), pow 0.5).
import { type FuncBuilder, type Local, T, V, type SimdOp, Op } from "./encoder.js";

/** Largest |x| handled by the sin/cos polynomial path (beyond: Math.sin/Math.cos per lane). */
export const SINCOS_MAX = 262144;

/** Documented maximum errors in ulps (of the exact result) of the vector math functions. */
export const ULP_BOUNDS = {
  /** exp over [−104, 88.72] (normal and subnormal results). */
  exp: 1.5,
  /** log over all positive floats, subnormals included. */
  log: 1,
  /** tanh everywhere (±1 exactly for |x| > 9.01). */
  tanh: 1.5,
  /** sin and cos for |x| ≤ SINCOS_MAX, next to their zeros too; beyond, 0.5 (host). */
  sincos: 2,
  /** logistic everywhere. */
  logistic: 3,
  /** log1p everywhere (log(1+x)·x/((1+x)−1): log's error and two roundings). */
  log1p: 2.5,
  /** expm1 everywhere (exp's reduction, the polynomial without its 1, rescaled). */
  expm1: 2,
  /** erf everywhere (Eigen's / XLA's rational approximation, without fused multiply-adds;
   * XLA's own float32 erf is 5 ulp off next to the clamp at ±3.83 and 3.5 ulp near 0.05). */
  erf: 6,
  /** pow everywhere (float64 fast path, else the host's Math.pow). */
  pow: 1,
} as const;
/** Maximum absolute errors of sin/cos for |x| ≤ SINCOS_MAX. */
export const ABS_BOUNDS = { sincos: 1e-7 } as const;

// ---------------------------------------------------------------- expression DSL
/** A v128 (or i32) expression: emits code leaving its value on the stack. */
export type Ex = (f: FuncBuilder) => void;
export const g =
  (l: Local): Ex =>
  (f) => {
    f.get(l);
  };
const cbuf = new DataView(new ArrayBuffer(16));
/** f32 constant in all lanes (pooled in a local when the function pools constants). */
export const c =
  (v: number): Ex =>
  (f) => {
    for (let i = 0; i < 4; i++) cbuf.setFloat32(4 * i, v, true);
    f.vconst(Array.from(new Uint8Array(cbuf.buffer)));
  };
/** i32 constant in all lanes. */
export const ci =
  (v: number): Ex =>
  (f) => {
    for (let i = 0; i < 4; i++) cbuf.setInt32(4 * i, v | 0, true);
    f.vconst(Array.from(new Uint8Array(cbuf.buffer)));
  };
const bin =
  (op: SimdOp) =>
  (a: Ex, b: Ex): Ex =>
  (f) => {
    a(f);
    b(f);
    f.v(op);
  };
const un =
  (op: SimdOp) =>
  (a: Ex): Ex =>
  (f) => {
    a(f);
    f.v(op);
  };
export const add = bin(V.f32x4_add);
export const sub = bin(V.f32x4_sub);
export const mul = bin(V.f32x4_mul);
export const div = bin(V.f32x4_div);
export const min = bin(V.f32x4_min);
export const max = bin(V.f32x4_max);
/** b < a ? b : a — one instruction on x86 (NaN in a is kept). */
export const pmin = bin(V.f32x4_pmin);
/** a < b ? b : a — one instruction on x86 (NaN in a is kept). */
export const pmax = bin(V.f32x4_pmax);
export const lt = bin(V.f32x4_lt);
export const gt = bin(V.f32x4_gt);
export const eq = bin(V.f32x4_eq);
export const ne = bin(V.f32x4_ne);
export const and = bin(V.v128_and);
export const or = bin(V.v128_or);
export const xor = bin(V.v128_xor);
export const andnot = bin(V.v128_andnot);
export const iadd = bin(V.i32x4_add);
export const isub = bin(V.i32x4_sub);
export const ieq = bin(V.i32x4_eq);
export const abs = un(V.f32x4_abs);
export const neg = un(V.f32x4_neg);
export const nearest = un(V.f32x4_nearest);
export const not = un(V.v128_not);
export const toF = un(V.f32x4_convert_i32x4_s);
export const toI = un(V.i32x4_trunc_sat_f32x4_s);
export const any = un(V.v128_any_true);
/** m ? a : b (bitwise). */
export const sel =
  (a: Ex, b: Ex, m: Ex): Ex =>
  (f) => {
    a(f);
    b(f);
    m(f);
    f.v(V.v128_bitselect);
  };
const shift =
  (op: SimdOp) =>
  (a: Ex, n: number): Ex =>
  (f) => {
    a(f);
    f.i32(n);
    f.v(op);
  };
export const shl = shift(V.i32x4_shl);
export const shrU = shift(V.i32x4_shr_u);
export const shrS = shift(V.i32x4_shr_s);
/** Horner evaluation of coefs[0]·x^n + … + coefs[n]. */
export function horner(x: Ex, coefs: readonly number[]): Ex {
  let e: Ex = c(coefs[0]!);
  for (let i = 1; i < coefs.length; i++) e = add(mul(e, x), c(coefs[i]!));
  return e;
}
/**
 * Estrin evaluation of the same polynomial (x in a local): pairs a·x + b, combined with x²,
 * x⁴ … — a shorter dependency chain than Horner, so independent lanes overlap better.
 */
export function estrin(f: FuncBuilder, t: Temps, x: Local, coefs: readonly number[], x2?: Local): Ex {
  let terms: Ex[] = [...coefs].reverse().map((v) => c(v)); // lowest degree first
  let pw = x;
  while (terms.length > 1) {
    const next: Ex[] = [];
    for (let i = 0; i < terms.length; i += 2) next.push(i + 1 < terms.length ? add(mul(terms[i + 1]!, g(pw)), terms[i]!) : terms[i]!);
    terms = next;
    if (terms.length > 1) {
      // x² may be given (already computed by the caller)
      if (pw === x && x2) pw = x2;
      else {
        const sq = t.get();
        assign(f, sq, mul(g(pw), g(pw)));
        pw = sq;
      }
    }
  }
  return terms[0]!;
}
export function assign(f: FuncBuilder, l: Local, e: Ex): void {
  e(f);
  f.set(l);
}

/** A pool of v128 temporaries, allocated once per function and reused by every op. */
export class Temps {
  private readonly ls: Local[] = [];
  private n = 0;
  constructor(private readonly f: FuncBuilder) {}
  get(): Local {
    if (this.n === this.ls.length) this.ls.push(this.f.local(T.v128));
    return this.ls[this.n++]!;
  }
  /** Runs body with temporaries that are released afterwards. */
  scope<R>(body: () => R): R {
    const n0 = this.n;
    try {
      return body();
    } finally {
      this.n = n0;
    }
  }
}

// ---------------------------------------------------------------- functions
const LOG2E = 1.44269504088896341;
/** 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer held in the low bits. */
const MAGIC = 12582912;
const EXP_C1 = 0.693359375;
const EXP_C2 = -2.12194440e-4;
const EXP_P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

/** exp(x) of the v128 in `x` (left unchanged); result on the stack. */
export function vexp(f: FuncBuilder, t: Temps, x: Ex): void {
  t.scope(() => {
    const xc = t.get();
    const n = t.get();
    const r = t.get();
    const ni = t.get();
    assign(f, xc, pmin(pmax(x, c(-104)), c(89)));
    // n = nearest(x·log2 e) by the round-to-nearest of adding 1.5·2^23; its integer from the bits
    assign(f, ni, add(mul(g(xc), c(LOG2E)), c(MAGIC)));
    assign(f, n, sub(g(ni), c(MAGIC)));
    assign(f, ni, isub(g(ni), c(MAGIC)));
    assign(f, r, sub(sub(g(xc), mul(g(n), c(EXP_C1))), mul(g(n), c(EXP_C2))));
    // y = P(r)·r² + r + 1 (in [0.7, 1.42])
    const r2 = t.get();
    const y = t.get();
    assign(f, r2, mul(g(r), g(r)));
    assign(f, y, add(add(mul(estrin(f, t, r, EXP_P, r2), g(r2)), g(r)), c(1)));
    // y·2^n: when every lane has n in [−125, 127] the result is normal, and adding n to the
    // exponent bits is that exact product; otherwise 2^⌊n/2⌋·2^(n−⌊n/2⌋), so that subnormal
    // results round once and overflow gives ∞ (the same values where both apply)
    const res = n;
    assign(f, res, iadd(g(y), shl(g(ni), 23)));
    // (n + 125 > 252 as unsigned: n outside [−125, 127]; NaN lanes give a huge n there too)
    ((h: FuncBuilder) => h.get(ni).vi32(125).v(V.i32x4_add).vi32(252).v(V.i32x4_gt_u))(f);
    f.v(V.v128_any_true);
    f.if(() => {
      const n1 = shrS(g(ni), 1);
      const s1 = shl(iadd(n1, ci(127)), 23);
      const s2 = shl(iadd(isub(g(ni), shrS(g(ni), 1)), ci(127)), 23);
      assign(f, res, mul(mul(g(y), s1), s2));
    });
    f.get(res);
  });
}

const SQRTH = 0.70710678118654752440;
const LOG_P = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1];

/** log(x); result on the stack. */
export function vlog(f: FuncBuilder, t: Temps, x: Ex): void {
  t.scope(() => {
    const xv = t.get();
    const den = t.get();
    const xs = t.get();
    const e = t.get();
    const m = t.get();
    const small = t.get();
    const z = t.get();
    const fe = t.get();
    const y = t.get();
    assign(f, xv, x);
    assign(f, den, lt(g(xv), c(1.17549435e-38)));
    assign(f, xs, sel(mul(g(xv), c(8388608)), g(xv), g(den)));
    // exponent (frexp convention: m in [0.5, 1)), minus 23 for scaled subnormals
    assign(f, e, isub(isub(shrU(g(xs), 23), ci(126)), and(g(den), ci(23))));
    assign(f, m, or(and(g(xs), ci(0x007fffff)), ci(0x3f000000)));
    assign(f, small, lt(g(m), c(SQRTH)));
    // m < √½: e -= 1, x = 2m − 1; else x = m − 1
    assign(f, e, iadd(g(e), g(small))); // small lanes are −1
    assign(f, m, sub(add(g(m), and(g(m), g(small))), c(1)));
    assign(f, fe, toF(g(e)));
    assign(f, z, mul(g(m), g(m)));
    assign(f, y, mul(g(m), mul(g(z), estrin(f, t, m, LOG_P))));
    assign(f, y, add(g(y), mul(g(fe), c(-2.12194440e-4))));
    assign(f, y, add(g(y), mul(g(z), c(-0.5))));
    assign(f, y, add(add(g(m), g(y)), mul(g(fe), c(0.693359375))));
    // specials: 0 -> -inf; x < 0 -> NaN; +inf and NaN -> x
    assign(f, y, sel(c(-Infinity), g(y), eq(g(xv), c(0))));
    assign(f, y, sel(c(NaN), g(y), lt(g(xv), c(0))));
    sel(g(xv), g(y), not(lt(g(xv), c(Infinity))))(f);
  });
}

const TANH_P = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];

/** tanh(x); result on the stack. */
export function vtanh(f: FuncBuilder, t: Temps, x: Ex): void {
  t.scope(() => {
    const xv = t.get();
    const ax = t.get();
    const z = t.get();
    const big = t.get();
    assign(f, xv, x);
    assign(f, ax, abs(g(xv)));
    assign(f, z, mul(g(xv), g(xv)));
    // small: x + x·z·P(z)
    const smallE = add(mul(mul(estrin(f, t, z, TANH_P), g(z)), g(xv)), g(xv));
    vexp(f, t, add(g(ax), g(ax)));
    f.set(big);
    // 1 − 2/(e + 1), with the sign of x
    assign(f, big, sub(c(1), div(c(2), add(g(big), c(1)))));
    assign(f, big, or(g(big), and(g(xv), ci(0x80000000 | 0))));
    sel(smallE, g(big), lt(g(ax), c(0.625)))(f);
  });
}

/** logistic(x) = 1 / (1 + e^−x), as e/(1 + e) with e = e^−|x| for x < 0 (no overflow). */
export function vlogistic(f: FuncBuilder, t: Temps, x: Ex): void {
  t.scope(() => {
    const xv = t.get();
    const e = t.get();
    const d = t.get();
    assign(f, xv, x);
    vexp(f, t, neg(abs(g(xv))));
    f.set(e);
    assign(f, d, add(c(1), g(e)));
    sel(div(g(e), g(d)), div(c(1), g(d)), lt(g(xv), c(0)))(f);
  });
}

/**
 * Leaves `r` on the stack, after recomputing all four of its lanes with the imported float64
 * host function `fn` (of the lanes of `args`) when any lane of the mask `bad` is set.
 */
function hostLanes(f: FuncBuilder, r: Local, bad: Ex, args: readonly Local[], fn: number): void {
  bad(f);
  f.v(V.v128_any_true);
  f.if(() => {
    for (let k = 0; k < 4; k++) {
      f.get(r);
      for (const a of args) f.get(a).vlane(V.f32x4_extract_lane, k).op(Op.f64_promote_f32);
      f.call(fn).op(Op.f32_demote_f64);
      f.vlane(V.f32x4_replace_lane, k);
      f.set(r);
    }
  });
  f.get(r);
}

const FOPI = 1.27323954473516;
/** π/2 in two float64 parts (fdlibm's pio2_1, 33 bits, and pio2_1t). */
const PIO2_1 = 1.57079632673412561417e0;
const PIO2_1T = 6.07710050650619224932e-11;
const HIGH_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
const SIN_P = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1];
const COS_P = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2];

/**
 * sin(x) or cos(x); result on the stack. `hostFn` is the function index of the imported
 * (f64) -> f64 Math.sin / Math.cos used for lanes beyond SINCOS_MAX.
 */
export function vsincos(f: FuncBuilder, t: Temps, x: Ex, isCos: boolean, hostFn: number): void {
  t.scope(() => {
    const xv = t.get();
    const ax = t.get();
    const q = t.get();
    const y = t.get();
    const z = t.get();
    const zz = t.get();
    const ps = t.get();
    const pc = t.get();
    const r = t.get();
    assign(f, xv, x);
    assign(f, ax, abs(g(xv)));
    // q = nearest(|x|·2/π) (the quadrant; by the magic-number rounding), y = 2q
    assign(f, q, add(mul(g(ax), c(FOPI / 2)), c(MAGIC)));
    assign(f, y, sub(g(q), c(MAGIC)));
    assign(f, q, isub(g(q), c(MAGIC)));
    // z = |x| − q·π/2 in float64 lanes (π/2 = PIO2_1 + PIO2_1T, q·PIO2_1 exact for q < 2^20),
    // so z keeps its relative precision even next to the zeros of sin and cos
    const half = (hi: boolean) => (h: FuncBuilder) => {
      const lane = (l: Local) => {
        h.get(l);
        if (hi) h.get(l).shuffle(HIGH_TO_LOW);
        h.v(V.f64x2_promote_low_f32x4);
      };
      lane(ax);
      lane(y);
      h.f64x2(PIO2_1).v(V.f64x2_mul).v(V.f64x2_sub);
      lane(y);
      h.f64x2(PIO2_1T).v(V.f64x2_mul).v(V.f64x2_sub);
      h.v(V.f32x4_demote_f64x2_zero);
    };
    half(false)(f);
    half(true)(f);
    f.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
    f.set(z);
    assign(f, zz, mul(g(z), g(z)));
    assign(f, ps, add(mul(mul(horner(g(zz), SIN_P), g(zz)), g(z)), g(z)));
    assign(f, pc, add(sub(mul(mul(horner(g(zz), COS_P), g(zz)), g(zz)), mul(g(zz), c(0.5))), c(1)));
    const odd = ieq(and(g(q), ci(1)), ci(1));
    if (!isCos) {
      // sin: [s, c, −s, −c][q mod 4], times sign(x)
      const sign = xor(shl(and(g(q), ci(2)), 30), and(g(xv), ci(0x80000000 | 0)));
      assign(f, r, xor(sel(g(pc), g(ps), odd), sign));
    } else {
      // cos: [c, −s, −c, s][q mod 4]
      const sign = shl(and(iadd(g(q), ci(1)), ci(2)), 30);
      assign(f, r, xor(sel(g(ps), g(pc), odd), sign));
    }
    // lanes with |x| > SINCOS_MAX, ±∞ or NaN: recompute all four lanes on the host
    hostLanes(f, r, not(lt(g(ax), c(SINCOS_MAX))), [xv], hostFn);
  });
}

/** log1p(x) = log(u)·x/(u − 1) with u = 1 + x (exact where u = 1); ±0 and +∞ kept. */
export function vlog1p(f: FuncBuilder, t: Temps, x: Ex): void {
  t.scope(() => {
    const xv = t.get();
    const u = t.get();
    const l = t.get();
    assign(f, xv, x);
    assign(f, u, add(g(xv), c(1)));
    vlog(f, t, g(u));
    f.set(l);
    assign(f, l, mul(g(l), div(g(xv), sub(g(u), c(1)))));
    // u = 1 (|x| below half an ulp of 1, zeros included): log1p(x) = x; x = +∞: +∞
    assign(f, l, sel(g(xv), g(l), eq(g(u), c(1))));
    sel(g(xv), g(l), eq(g(xv), c(Infinity)))(f);
  });
}

/**
 * expm1(x): x = n·ln 2 + r as in exp, p = e^r − 1 = P(r)·r² + r (exp's polynomial without its
 * 1, so no cancellation), then e^x − 1 = 2·(h·p + (h − ½)) with h = 2^(n−1) (h − ½ is exact
 * for n ≤ 24; beyond, the −1 is below the result's rounding).
 */
export function vexpm1(f: FuncBuilder, t: Temps, x: Ex): void {
  t.scope(() => {
    const xv = t.get();
    const xc = t.get();
    const n = t.get();
    const ni = t.get();
    const r = t.get();
    const p = t.get();
    const h = t.get();
    assign(f, xv, x);
    assign(f, xc, pmin(pmax(g(xv), c(-87.3)), c(88.72283935546875)));
    assign(f, ni, add(mul(g(xc), c(LOG2E)), c(MAGIC)));
    assign(f, n, sub(g(ni), c(MAGIC)));
    assign(f, ni, isub(g(ni), c(MAGIC)));
    assign(f, r, sub(sub(g(xc), mul(g(n), c(EXP_C1))), mul(g(n), c(EXP_C2))));
    assign(f, p, add(mul(estrin(f, t, r, EXP_P), mul(g(r), g(r))), g(r)));
    // h = 2^(n−1) from its exponent bits (n − 1 = −127 gives 0: the result is −1 there)
    assign(f, h, shl(iadd(g(ni), ci(126)), 23));
    assign(f, p, mul(add(mul(g(h), g(p)), sub(g(h), c(0.5))), c(2)));
    // overflow, tiny x (±0 included: the result is x) and NaN
    assign(f, p, sel(c(Infinity), g(p), gt(g(xv), c(88.72283935546875))));
    assign(f, p, sel(g(xv), g(p), lt(abs(g(xv)), c(1e-10))));
    sel(g(xv), g(p), ne(g(xv), g(xv)))(f);
  });
}

const ERF_A = [0.00022905065861350646, 0.0034082910107109506, 0.050955695062380861, 0.18520832239976145, 1.128379143519084];
const ERF_B = [-1.1791602954361697e-7, 0.000023547966471313185, 0.0010179625278914885, 0.014070470171167667, 0.11098505178285362, 0.49746925110067538, 1.0];
/** erf(x): x·P(x²)/Q(x²) on x clamped to ±3.8325 (Eigen's rational form, as XLA's CPU erf). */
export function verf(f: FuncBuilder, t: Temps, x: Ex): void {
  t.scope(() => {
    const xc = t.get();
    const x2 = t.get();
    const xv = t.get();
    assign(f, xv, x);
    assign(f, xc, pmin(pmax(g(xv), c(-3.832506856900711)), c(3.832506856900711)));
    assign(f, x2, mul(g(xc), g(xc)));
    const q = horner(g(x2), ERF_B);
    const res = div(mul(g(xc), horner(g(x2), ERF_A)), q);
    // NaN stays NaN (the clamp keeps it; P/Q of NaN is NaN)
    sel(g(xv), res, ne(g(xv), g(xv)))(f);
  });
}

const LN2_64 = 0.6931471805599453;
const LOG2E_64 = 1.4426950408889634;
/** 1.5·2^52: adding it to a float64 of magnitude < 2^51 leaves the integer in the low bits. */
const MAGIC_64 = 6755399441055744;
/** Added to those bits, then shifted left by 52: the float64 bits of 2^n ((n + 1023) << 52). */
const SCALE_BIAS = [0xff, 0x03, 0, 0, 0, 0, 0xc8, 0xbc]; // 1023 − 0x4338000000000000 (mod 2^64)
/** 1/k! for k = 10 … 0 (e^u by Horner; |u| ≤ ln2/2 leaves 3e-13 relative error). */
const EXP_TAYLOR = Array.from({ length: 11 }, (_, i) => 10 - i).map((k) => {
  let v = 1;
  for (let j = 2; j <= k; j++) v /= j;
  return v;
});
/** 1/(2k+1) for k = 6 … 0 (log m = 2s·Σ s^2k/(2k+1), s = (m−1)/(m+1), |s| ≤ 0.172). */
const ATANH_SERIES = [1 / 13, 1 / 11, 1 / 9, 1 / 7, 1 / 5, 1 / 3, 1];

/**
 * pow(x, y) = 2^(y·log2 x) in float64 lanes, for lanes with x a positive normal float, y
 * finite and |y·log2 x| < 120 (log2 x from x = m·2^e and an atanh series, 2^t from a Taylor
 * polynomial and an exponent built from bits; about 1e-12 relative error before the one
 * rounding to float32). Vectors with another lane (x ≤ 0, subnormal, ∞ or NaN; y ∞ or NaN;
 * results near overflow or underflow) are recomputed lane by lane by the host's Math.pow
 * (imported as env.pow: core/host_math.ts's powC), as the reference kernel computes them.
 */
export function vpow(f: FuncBuilder, t: Temps, x: Ex, y: Ex, hostPow: number): void {
  t.scope(() => {
    const xv = t.get();
    const yv = t.get();
    const m = t.get();
    const e = t.get();
    const big = t.get();
    const r = t.get();
    const s = t.get();
    const z = t.get();
    const tt = t.get();
    const nn = t.get();
    assign(f, xv, x);
    assign(f, yv, y);
    // x = m·2^e with m ∈ [√½, √2) (meaningful for positive normal x; other lanes go to the host)
    assign(f, e, isub(shrU(g(xv), 23), ci(127)));
    assign(f, m, or(and(g(xv), ci(0x007fffff)), ci(0x3f800000)));
    assign(f, big, gt(g(m), c(Math.SQRT2)));
    assign(f, m, sel(mul(g(m), c(0.5)), g(m), g(big)));
    assign(f, e, isub(g(e), g(big))); // lanes with m > √2 hold −1: e + 1
    const f64 = (op: SimdOp) => f.v(op);
    const horner64 = (v: Local, coefs: readonly number[]) => {
      f.f64x2(coefs[0]!);
      for (let i = 1; i < coefs.length; i++) {
        f.get(v);
        f64(V.f64x2_mul);
        f.f64x2(coefs[i]!);
        f64(V.f64x2_add);
      }
    };
    // one half (2 lanes) in float64; leaves the two float32 results in the low lanes
    const half = (hi: boolean) => {
      const lane = (l: Local) => {
        f.get(l);
        if (hi) f.get(l).shuffle(HIGH_TO_LOW);
      };
      lane(m);
      f.v(V.f64x2_promote_low_f32x4).set(s);
      // s = (m − 1)/(m + 1), z = s²
      f.get(s).f64x2(1);
      f64(V.f64x2_sub);
      f.get(s).f64x2(1);
      f64(V.f64x2_add);
      f64(V.f64x2_div);
      f.set(s);
      f.get(s).get(s);
      f64(V.f64x2_mul);
      f.set(z);
      // t = y·(e + 2s·P(z)·log2 e)
      horner64(z, ATANH_SERIES);
      f.get(s);
      f64(V.f64x2_mul);
      f.f64x2(2 * LOG2E_64);
      f64(V.f64x2_mul);
      lane(e);
      f.v(V.f64x2_convert_low_i32x4_s);
      f64(V.f64x2_add);
      lane(yv);
      f.v(V.f64x2_promote_low_f32x4);
      f64(V.f64x2_mul);
      f.set(tt);
      // 2^t = e^((t − n)·ln 2)·2^n
      f.get(tt).v(V.f64x2_nearest).set(nn);
      f.get(tt).get(nn);
      f64(V.f64x2_sub);
      f.f64x2(LN2_64);
      f64(V.f64x2_mul);
      f.set(z);
      horner64(z, EXP_TAYLOR);
      f.get(nn).f64x2(MAGIC_64);
      f64(V.f64x2_add);
      f.vconst([...SCALE_BIAS, ...SCALE_BIAS]).v(V.i64x2_add);
      f.i32(52).v(V.i64x2_shl);
      f64(V.f64x2_mul);
      f.v(V.f32x4_demote_f64x2_zero);
    };
    half(false);
    half(true);
    f.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
    f.set(r);
    // lanes outside the fast path: all four lanes by the host
    const ok = and(
      and(not(lt(g(xv), c(1.17549435e-38))), lt(g(xv), c(Infinity))),
      and(lt(abs(g(yv)), c(Infinity)), lt(mul(add(abs(toF(g(e))), c(1)), abs(g(yv))), c(120))),
    );
    hostLanes(f, r, not(ok), [xv, yv], hostPow);
  });
}
