// examples.test.ts — the seed examples of the transformations with exact expected numbers:
// a polynomial's value and derivative, argnums, the fourth derivative of sin, gradients of
// pytrees (objects, nested arrays, null leaves), per-example gradients with vmap(grad),
// stopGradient, and jacfwd/jacrev/hessian on a known function.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { JaxArray } from "../../src/core/array.js";
import { grad, hessian, jacfwd, jacrev, jnp, lax, valueAndGrad, vmap } from "../../src/index.js";
import { assertArrayClose, assertArraysClose } from "../harness/compare.js";
import { fromFlat, toFlat } from "../harness/host.js";
import { Rng } from "../harness/rng.js";

const close = (a: number, e: number, tol = 1e-5) => assert.ok(Math.abs(a - e) <= tol * (1 + Math.abs(e)), `expected ${e}, got ${a}`);
const num = (x: unknown) => Number((x as JaxArray).item());

test("polynomial x^3 + 2x^2 - 3x + 1 at 2: value 11, gradient 17", () => {
  const f = (x: JaxArray) => jnp.add(jnp.subtract(jnp.add(jnp.power(x, 3), jnp.multiply(2, jnp.power(x, 2))), jnp.multiply(3, x)), 1);
  const [v, g] = valueAndGrad(f)(jnp.array(2));
  assert.equal(num(v), 11);
  assert.equal(num(g), 17);
  // a JS number argument is a weak float32 scalar; its gradient is weak too
  const g2 = grad(f)(2 as unknown as JaxArray) as JaxArray;
  assert.equal(g2.dtype, "float32");
  assert.equal(g2.weakType, true);
  assert.equal(num(g2), 17);
  // second derivative 6x + 4 = 16, third 6
  assert.equal(num(grad(grad(f))(jnp.array(2))), 16);
  assert.equal(num(grad(grad(grad(f)))(jnp.array(2))), 6);
  // the same function written with methods
  const fm = (x: JaxArray) => x.pow(3).add(x.pow(2).mul(2)).sub(x.mul(3)).add(1);
  assert.equal(num(grad(fm)(jnp.array(2))), 17);
});

test("a^2·sin(b) at (3, pi/2): value 9, gradient 6 (argnums 0) and (6, ~0) (argnums [0, 1])", () => {
  const f = (a: JaxArray, b: JaxArray) => jnp.multiply(jnp.square(a), jnp.sin(b));
  const a = jnp.array(3);
  const b = jnp.array(Math.PI / 2);
  close(num(f(a, b)), 9, 1e-7);
  const [v, g] = valueAndGrad(f)(a, b);
  close(num(v), 9, 1e-7);
  close(num(g), 6, 1e-7);
  const gs = grad(f, { argnums: [0, 1] })(a, b) as JaxArray[];
  assert.ok(Array.isArray(gs) && gs.length === 2);
  close(num(gs[0]), 6, 1e-7);
  assert.ok(Math.abs(num(gs[1])) < 1e-6, `d/db = 9 cos(pi/2) should be ~0, got ${num(gs[1])}`);
  // argnums order is respected
  const rev = grad(f, { argnums: [1, 0] })(a, b) as JaxArray[];
  close(num(rev[1]), 6, 1e-7);
});

test("the fourth derivative of sin is sin", () => {
  const d4 = grad(grad(grad(grad((x: JaxArray) => jnp.sin(x)))));
  for (const x of [-2, -0.5, 0, 0.3, 1, 2.5]) close(num(d4(jnp.array(x))), Math.sin(Math.fround(x)), 1e-6);
  // in float64, to 1e-12
  for (const x of [-1.3, 0.7]) close(num(d4(jnp.array(x, "float64"))), Math.sin(x), 1e-12);
  // and the vmapped version over a batch
  const xs = jnp.array([-1, 0.5, 2]);
  assertArrayClose(vmap(d4)(xs), { data: [-1, 0.5, 2].map((x) => Math.sin(Math.fround(x))), shape: [3], dtype: "float32" }, undefined, "vmap(d4 sin)");
});

test("gradients of pytrees keep the structure: objects, nested arrays, null leaves", () => {
  const params = { w: [jnp.array([1, 2]), [jnp.array(3)]], skip: null, b: { c: jnp.array([[0.5, -1]]) } };
  type P = typeof params;
  // L = sum(w0^2) + 3·w1 + sum(c)·w1
  const loss = (p: P) => {
    const w0 = p.w[0] as JaxArray;
    const w1 = (p.w[1] as JaxArray[])[0]!;
    return jnp.add(jnp.add(jnp.sum(jnp.square(w0)), jnp.multiply(3, w1)), jnp.multiply(jnp.sum(p.b.c), w1));
  };
  const g = grad(loss)(params) as P;
  assert.deepEqual(Object.keys(g).sort(), ["b", "skip", "w"]);
  assert.equal(g.skip, null);
  assert.deepEqual((g.w[0] as JaxArray).tolist(), [2, 4]);
  const gw1 = (g.w[1] as JaxArray[])[0]!;
  assert.equal(num(gw1), 3 + (0.5 - 1));
  assert.deepEqual(g.b.c.tolist(), [[3, 3]]);
  assert.deepEqual(g.b.c.shape, [1, 2]);
  // two pytree arguments with argnums [0, 1]
  const f2 = (p: { x: JaxArray }, q: [JaxArray, null]) => jnp.sum(jnp.multiply(p.x, q[0]));
  const [gp, gq] = grad(f2, { argnums: [0, 1] })({ x: jnp.array([1, 2]) }, [jnp.array([3, 4]), null]) as [{ x: JaxArray }, [JaxArray, null]];
  assert.deepEqual(gp.x.tolist(), [3, 4]);
  assert.deepEqual(gq[0].tolist(), [1, 2]);
  assert.equal(gq[1], null);
});

test("vmap(grad): per-example gradients whose mean is the gradient of the mean loss", () => {
  const rng = new Rng(7);
  const n = 6;
  const d = 3;
  const X = fromFlat(Array.from({ length: n * d }, () => rng.normal()), [n, d], "float32");
  const Y = fromFlat(Array.from({ length: n }, () => rng.normal()), [n], "float32");
  const params = { w: fromFlat([0.5, -1, 2], [d], "float32"), b: jnp.array(0.3) };
  type P = typeof params;
  const loss = (p: P, x: JaxArray, y: JaxArray) => jnp.square(jnp.subtract(jnp.add(jnp.dot(x, p.w), p.b), y));
  const perEx = vmap(grad(loss), { inAxes: [null, 0, 0] })(params, X, Y) as P;
  assert.deepEqual(perEx.w.shape, [n, d]);
  assert.deepEqual(perEx.b.shape, [n]);
  // each row is the gradient for one example, computed on the host
  const xd = toFlat(X);
  const yd = toFlat(Y);
  const w = toFlat(params.w);
  const bw: number[] = [];
  const bb: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = xd.slice(i * d, i * d + d).reduce((s, v, k) => s + v * w[k]!, 0) + Math.fround(0.3) - yd[i]!;
    for (let k = 0; k < d; k++) bw.push(2 * r * xd[i * d + k]!);
    bb.push(2 * r);
  }
  assertArrayClose(perEx.w, { data: bw, shape: [n, d], dtype: "float32" }, { rtol: 1e-5, atol: 1e-5 }, "per-example dw");
  assertArrayClose(perEx.b, { data: bb, shape: [n], dtype: "float32" }, { rtol: 1e-5, atol: 1e-5 }, "per-example db");
  // mean of per-example gradients == gradient of the mean loss
  const meanLoss = (p: P) => jnp.mean(vmap(loss, { inAxes: [null, 0, 0] })(p, X, Y));
  const gm = grad(meanLoss)(params) as P;
  assertArraysClose(gm.w, jnp.mean(perEx.w, 0), { rtol: 1e-5, atol: 1e-6 }, "mean dw");
  assertArraysClose(gm.b, jnp.mean(perEx.b), { rtol: 1e-5, atol: 1e-6 }, "mean db");
});

test("stopGradient blocks the derivative: d/dx sum(stopGradient(x)·x) = x", () => {
  const x = jnp.array([1.5, -2, 3]);
  const g = grad((v: JaxArray) => jnp.sum(jnp.multiply(lax.stopGradient(v), v)))(x) as JaxArray;
  assert.deepEqual(g.tolist(), [1.5, -2, 3]);
  assert.deepEqual((grad((v: JaxArray) => jnp.sum(lax.stopGradient(v)))(x) as JaxArray).tolist(), [0, 0, 0]);
});

test("jacfwd, jacrev and hessian of a known function", () => {
  // f(x) = [x0·x1, sin(x2), x0^2]; J = [[x1, x0, 0], [0, 0, cos x2], [2x0, 0, 0]]
  const f = (x: JaxArray) => jnp.stack([jnp.multiply(x.get(0), x.get(1)), jnp.sin(x.get(2)), jnp.square(x.get(0))]);
  const x = jnp.array([2, 3, 0.5], "float64");
  const J = [3, 2, 0, 0, 0, Math.cos(0.5), 4, 0, 0];
  assertArrayClose(jacfwd(f)(x), { data: J, shape: [3, 3], dtype: "float64" }, undefined, "jacfwd");
  assertArrayClose(jacrev(f)(x), { data: J, shape: [3, 3], dtype: "float64" }, undefined, "jacrev");
  // h(x) = x0^2 x1 + x2^3: H = [[2x1, 2x0, 0], [2x0, 0, 0], [0, 0, 6x2]]
  const h = (v: JaxArray) => jnp.add(jnp.multiply(jnp.square(v.get(0)), v.get(1)), jnp.power(v.get(2), 3));
  assertArrayClose(hessian(h)(x), { data: [6, 4, 0, 4, 0, 0, 0, 0, 3], shape: [3, 3], dtype: "float64" }, undefined, "hessian");
});
