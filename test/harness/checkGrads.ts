// checkGrads.ts — numerical gradient checking for any function of arrays.
//
// Forward mode: jvp(f, x, t) in a random direction t is compared with the central finite
// difference (f(x + eps t) - f(x - eps t)) / 2eps. Finite differences are computed in
// float64 (the float inputs are re-created as float64 on the host) because float32 FD is
// too noisy to catch wrong rules; with `x64: false` they run in the input dtype with a
// larger eps and looser tolerances.
// Reverse mode: the pullback is checked against forward mode through the adjoint identity
// <vjp(ct), t> == <ct, jvp(t)> for random t and ct (against FD when "fwd" is not among the
// modes). Shapes and dtypes of all tangents and cotangents are checked too.
// Order 2: the same checks applied to x -> jvp(f, x, v) (forward-over-forward and
// reverse-over-forward) and to x -> vjp(f, x)(ct) (forward-over-reverse and
// reverse-over-reverse).
// Only float arguments are differentiated; integer/bool arguments are held fixed.
import assert from "node:assert/strict";
import type { JaxArray } from "../../src/core/array.js";
import { isFloat } from "../../src/core/dtype.js";
import * as tree from "../../src/core/tree.js";
import { jacfwd, jacrev, jvp, vjp } from "../../src/index.js";
import { type Tol, closeOrWhy } from "./compare.js";
import { arrayLeaves, float0, fromFlat, innerProduct, recast, toFlat } from "./host.js";
import { Rng } from "./rng.js";

export type Fn = (...xs: JaxArray[]) => unknown;

export interface GradCheckOptions {
  /** 1: first derivatives; 2: also derivatives of the jvp and of the vjp. Default 1. */
  order?: 1 | 2;
  /** Which modes to check. Default both. */
  modes?: ("fwd" | "rev")[];
  /** FD step (default 1e-5 in float64, 3e-3 in float32). */
  eps?: number;
  /** Tolerance of jvp vs FD (defaults: float64 rtol 1e-6 atol 1e-8; float32 rtol 2e-2 atol 2e-3). */
  rtol?: number;
  atol?: number;
  /** Re-create float inputs as float64 for all checks (default true). */
  x64?: boolean;
  /** Also check that the float32 jvp/vjp have float32 tangents close to the float64 ones. */
  checkLowPrecision?: boolean;
  /** f is linear in its float inputs jointly: also checks jvp(f, x, t) == f(t). */
  linear?: boolean;
  seed?: number;
  /** Prefix for failure messages. */
  label?: string;
}

interface Ctx {
  rng: Rng;
  eps: number;
  fdTol: Tol;
  idTol: Tol;
  modes: ("fwd" | "rev")[];
  label: string;
}

function randomLike(rng: Rng, x: JaxArray): JaxArray {
  return fromFlat(Array.from({ length: x.size }, () => rng.normal()), x.shape, x.dtype);
}
function axpy(x: JaxArray, a: number, t: JaxArray): JaxArray {
  const xd = toFlat(x);
  const td = toFlat(t);
  return fromFlat(xd.map((v, i) => v + a * td[i]!), x.shape, x.dtype);
}
const maxAbs = (d: number[]): number => d.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);

function checkLeafClose(actual: JaxArray, expected: number[], tol: Tol, what: string): void {
  const a = toFlat(actual);
  const scale = maxAbs(expected);
  // absolute slack scales with the leaf's magnitude, so cancellation in one element is tolerated
  const t = { rtol: tol.rtol, atol: tol.atol + tol.rtol * scale };
  for (let i = 0; i < expected.length; i++) {
    const why = closeOrWhy(a[i]!, expected[i]!, t);
    if (why) throw new assert.AssertionError({ message: `${what}: element ${i}: ${why}` });
  }
}

function checkTangentTypes(outs: JaxArray[], tans: JaxArray[], what: string): void {
  assert.equal(tans.length, outs.length, `${what}: ${tans.length} tangent leaves for ${outs.length} outputs`);
  outs.forEach((o, i) => {
    const t = tans[i]!;
    assert.deepEqual(t.shape, o.shape, `${what}: tangent ${i} has shape [${t.shape}] but the output has [${o.shape}]`);
    const want = isFloat(o.dtype) ? o.dtype : "float0";
    assert.equal(t.dtype, want, `${what}: tangent ${i} has dtype ${t.dtype}, expected ${want}`);
  });
}

/** Central finite differences of h at xs in direction ts (one array per float output leaf). */
function finiteDiff(h: Fn, xs: JaxArray[], ts: JaxArray[], eps: number): (number[] | null)[] {
  const plus = arrayLeaves(h(...xs.map((x, i) => axpy(x, eps, ts[i]!))));
  const minus = arrayLeaves(h(...xs.map((x, i) => axpy(x, -eps, ts[i]!))));
  return plus.map((p, k) => {
    if (!isFloat(p.dtype)) return null;
    const pd = toFlat(p);
    const md = toFlat(minus[k]!);
    return pd.map((v, i) => (v - md[i]!) / (2 * eps));
  });
}

/** The first-order checks of h at xs (all xs are float). Returns the jvp output for reuse. */
function checkFirstOrder(h: Fn, xs: JaxArray[], ctx: Ctx, what: string): void {
  const ts = xs.map((x) => randomLike(ctx.rng, x));
  let fd: (number[] | null)[] | null = null;
  const getFd = () => (fd ??= finiteDiff(h, xs, ts, ctx.eps));
  let tanLeaves: JaxArray[] | null = null;
  const primalLeaves = arrayLeaves(h(...xs));

  if (ctx.modes.includes("fwd")) {
    const [out, tan] = jvp(h, xs, ts);
    const outs = arrayLeaves(out);
    tanLeaves = arrayLeaves(tan);
    assert.equal(outs.length, primalLeaves.length, `${what}: jvp returned ${outs.length} outputs, f returned ${primalLeaves.length}`);
    outs.forEach((o, i) => checkLeafClose(o, toFlat(primalLeaves[i]!), { rtol: 1e-12, atol: 0 }, `${what}: jvp primal output ${i}`));
    checkTangentTypes(outs, tanLeaves, `${what} (jvp)`);
    getFd().forEach((e, i) => {
      if (e) checkLeafClose(tanLeaves![i]!, e, ctx.fdTol, `${what}: jvp vs finite differences, output ${i}`);
    });
  }

  if (ctx.modes.includes("rev")) {
    const [outTree, pullback] = vjp(h, ...xs);
    const outs = arrayLeaves(outTree);
    assert.equal(outs.length, primalLeaves.length, `${what}: vjp returned ${outs.length} outputs, f returned ${primalLeaves.length}`);
    const [, def] = tree.flatten(outTree);
    const cts = outs.map((o) => (isFloat(o.dtype) ? randomLike(ctx.rng, o) : float0(o.shape)));
    const grads = pullback(tree.unflatten(def, cts)) as JaxArray[];
    assert.equal(grads.length, xs.length, `${what}: vjp returned ${grads.length} cotangents for ${xs.length} inputs`);
    grads.forEach((g, i) => {
      assert.deepEqual(g.shape, xs[i]!.shape, `${what}: cotangent ${i} has shape [${g.shape}] but the input has [${xs[i]!.shape}]`);
      assert.equal(g.dtype, xs[i]!.dtype, `${what}: cotangent ${i} has dtype ${g.dtype}, expected ${xs[i]!.dtype}`);
    });
    const lhs = innerProduct(grads, ts);
    let rhs: { value: number; scale: number };
    let tol = ctx.idTol;
    if (tanLeaves) rhs = innerProduct(cts, tanLeaves);
    else {
      const e = getFd();
      let value = 0;
      let scale = 0;
      cts.forEach((c, k) => {
        const ek = e[k];
        if (!ek) return;
        const cd = toFlat(c);
        cd.forEach((v, i) => {
          value += v * ek[i]!;
          scale += Math.abs(v * ek[i]!);
        });
      });
      rhs = { value, scale };
      tol = ctx.fdTol;
    }
    const scale = Math.max(lhs.scale, rhs.scale);
    const err = Math.abs(lhs.value - rhs.value);
    assert.ok(
      err <= tol.atol + tol.rtol * scale,
      `${what}: <vjp(ct), t> = ${lhs.value} but <ct, ${tanLeaves ? "jvp(t)" : "fd(t)"}> = ${rhs.value} (|diff| ${err.toExponential(2)}, scale ${scale.toExponential(2)})`,
    );
  }
}

/**
 * Checks the derivatives of f at args. Only the float args are differentiated; the rest are
 * held fixed. Throws an AssertionError describing the first failed check.
 */
export function checkGrads(f: Fn, args: readonly JaxArray[], opts: GradCheckOptions = {}): void {
  const diffIdx = args.map((a, i) => (isFloat(a.dtype) ? i : -1)).filter((i) => i >= 0);
  if (diffIdx.length === 0) throw new Error(`${opts.label ?? "checkGrads"}: no float arguments to differentiate`);
  const x64 = opts.x64 ?? true;
  const prims = args.map((a) => (x64 && isFloat(a.dtype) ? recast(a, "float64") : a));
  const g: Fn = (...ds: JaxArray[]) => {
    const full = [...prims];
    diffIdx.forEach((k, j) => (full[k] = ds[j]!));
    return f(...full);
  };
  const xs = diffIdx.map((i) => prims[i]!);
  const ctx: Ctx = {
    rng: new Rng(opts.seed ?? 1234),
    eps: opts.eps ?? (x64 ? 1e-5 : 3e-3),
    fdTol: { rtol: opts.rtol ?? (x64 ? 1e-6 : 2e-2), atol: opts.atol ?? (x64 ? 1e-8 : 2e-3) },
    idTol: x64 ? { rtol: 1e-9, atol: 1e-12 } : { rtol: 1e-4, atol: 1e-5 },
    modes: opts.modes ?? ["fwd", "rev"],
    label: opts.label ?? "checkGrads",
  };
  const L = ctx.label;

  checkFirstOrder(g, xs, ctx, `${L} [order 1]`);

  if (opts.linear) {
    const ts = xs.map((x) => randomLike(ctx.rng, x));
    const [, tan] = jvp(g, xs, ts);
    const direct = arrayLeaves(g(...ts));
    arrayLeaves(tan).forEach((t, i) => {
      if (isFloat(t.dtype)) checkLeafClose(t, toFlat(direct[i]!), ctx.idTol, `${L} [linear]: jvp(f, x, t) vs f(t), output ${i}`);
    });
  }

  if ((opts.order ?? 1) >= 2) {
    const mk = (x: JaxArray) => randomLike(ctx.rng, x);
    if (ctx.modes.includes("fwd")) {
      const v = xs.map(mk);
      const hJ: Fn = (...ds) => jvp(g, ds, v)[1];
      checkFirstOrder(hJ, xs, ctx, `${L} [order 2, derivative of jvp]`);
    }
    if (ctx.modes.includes("rev")) {
      const outs = arrayLeaves(g(...xs));
      const [, def] = tree.flatten(g(...xs));
      const ct = tree.unflatten(
        def,
        outs.map((o) => (isFloat(o.dtype) ? mk(o) : float0(o.shape))),
      );
      const hR: Fn = (...ds) => vjp(g, ...ds)[1](ct);
      checkFirstOrder(hR, xs, ctx, `${L} [order 2, derivative of vjp]`);
    }
  }

  if (x64 && (opts.checkLowPrecision ?? true) && diffIdx.some((i) => args[i]!.dtype === "float32")) {
    // the same derivatives at the original (float32) precision: right dtypes, close values
    const g32: Fn = (...ds) => {
      const full = [...args];
      diffIdx.forEach((k, j) => (full[k] = ds[j]!));
      return f(...full);
    };
    const xs32 = diffIdx.map((i) => args[i]!);
    const ts64 = xs.map((x) => randomLike(ctx.rng, x));
    const ts32 = ts64.map((t, i) => recast(t, xs32[i]!.dtype));
    const tol32 = { rtol: 2e-3, atol: 1e-5 };
    if (ctx.modes.includes("fwd")) {
      const [o32, t32] = jvp(g32, xs32, ts32);
      const [, t64] = jvp(g, xs, ts64);
      const outs = arrayLeaves(o32);
      const tans = arrayLeaves(t32);
      checkTangentTypes(outs, tans, `${L} [float32 jvp]`);
      arrayLeaves(t64).forEach((t, i) => {
        if (isFloat(t.dtype)) checkLeafClose(tans[i]!, toFlat(t), tol32, `${L} [float32 jvp vs float64 jvp], output ${i}`);
      });
    }
    if (ctx.modes.includes("rev")) {
      const [o32, pb32] = vjp(g32, ...xs32);
      const [, def] = tree.flatten(o32);
      const outs = arrayLeaves(o32);
      const ct64 = outs.map((o) => (isFloat(o.dtype) ? recast(randomLike(ctx.rng, o), "float64") : float0(o.shape)));
      const ct32 = ct64.map((c, i) => (isFloat(outs[i]!.dtype) ? recast(c, outs[i]!.dtype) : c));
      const gr32 = pb32(tree.unflatten(def, ct32)) as JaxArray[];
      const [, pb64] = vjp(g, ...xs);
      const gr64 = pb64(tree.unflatten(def, ct64)) as JaxArray[];
      gr32.forEach((c, i) => {
        assert.equal(c.dtype, xs32[i]!.dtype, `${L} [float32 vjp]: cotangent ${i} has dtype ${c.dtype}, expected ${xs32[i]!.dtype}`);
        assert.deepEqual(c.shape, xs32[i]!.shape, `${L} [float32 vjp]: cotangent ${i} shape`);
        checkLeafClose(c, toFlat(gr64[i]!), tol32, `${L} [float32 vjp vs float64 vjp], input ${i}`);
      });
    }
  }
}

/**
 * jacfwd and jacrev of f (with respect to all float args, in float64 unless `x64: false`)
 * must agree and have shape out.shape + in.shape. This runs the batch rules of every jvp
 * and transpose rule the function uses (jacfwd is vmap of jvp, jacrev vmap of the pullback).
 */
export function checkJacobians(f: Fn, args: readonly JaxArray[], opts: { x64?: boolean; label?: string } = {}): void {
  const label = opts.label ?? "checkJacobians";
  const x64 = opts.x64 ?? true;
  const diffIdx = args.map((a, i) => (isFloat(a.dtype) ? i : -1)).filter((i) => i >= 0);
  const prims = args.map((a) => (x64 && isFloat(a.dtype) ? recast(a, "float64") : a));
  const g: Fn = (...ds: JaxArray[]) => {
    const full = [...prims];
    diffIdx.forEach((k, j) => (full[k] = ds[j]!));
    return f(...full);
  };
  const xs = diffIdx.map((i) => prims[i]!);
  const argnums = xs.map((_, i) => i);
  const outs = arrayLeaves(g(...xs));
  const jf = arrayLeaves(jacfwd(g, { argnums })(...xs));
  const jr = arrayLeaves(jacrev(g, { argnums })(...xs));
  assert.equal(jf.length, outs.length * xs.length, `${label}: jacfwd has ${jf.length} blocks, expected ${outs.length * xs.length}`);
  assert.equal(jr.length, jf.length, `${label}: jacrev has ${jr.length} blocks, jacfwd ${jf.length}`);
  const tol = x64 ? { rtol: 1e-9, atol: 1e-12 } : { rtol: 1e-4, atol: 1e-5 };
  jf.forEach((a, k) => {
    const o = outs[Math.floor(k / xs.length)]!;
    const x = xs[k % xs.length]!;
    const want = [...o.shape, ...x.shape];
    assert.deepEqual(a.shape, want, `${label}: jacfwd block ${k} has shape [${a.shape}], expected [${want}]`);
    assert.deepEqual(jr[k]!.shape, want, `${label}: jacrev block ${k} has shape [${jr[k]!.shape}], expected [${want}]`);
    checkLeafClose(jr[k]!, toFlat(a), tol, `${label}: jacrev vs jacfwd, block ${k}`);
  });
}
