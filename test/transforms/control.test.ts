// control.test.ts — adversarial tests of lax control flow (SEMANTICS B.3, D rank 4):
// cond/switch/whileLoop/foriLoop/scan/map/select eagerly and under jit, grad (reverse mode for
// scan and static foriLoop, JAX's error for whileLoop), jvp (forward mode through whileLoop),
// vmap (a batched predicate becomes a select; a batched whileLoop predicate), second
// derivatives through scan, and the type errors of branches, predicates and carries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { errors, grad, hessian, jacfwd, jacrev, jit, jnp, jvp, lax, makeJaxpr, valueAndGrad, vjp, vmap } from "../../src/index.js";
import type { Array as JArray } from "../../src/index.js";
import { shapeOf, type Nested, close } from "../harness/assertions.js";

type A = JArray;

function stillWorks(): void {
  close(jit((x: A) => lax.cond(x.gt(0), (v: A) => v.mul(2), (v: A) => v, x))(jnp.array(3, "float32")), 6);
  close(lax.scan((c: A, x: A) => [c.add(x), c], jnp.array(0, "float32"), jnp.array([1, 2]))[0], 3);
}

const i32 = (v: number) => jnp.array(v, "int32");
const f32 = (v: number) => jnp.array(v, "float32");

// ------------------------------------------------------------------ cond
const sqOrNeg = (x: A) =>
  lax.cond(
    x.gt(0),
    (v: A) => v.mul(v),
    (v: A) => v.neg(),
    x,
  );

test("cond: eager, jit, grad, jit(grad), grad(jit) take the right branch", () => {
  close(sqOrNeg(jnp.array(3)), 9);
  close(sqOrNeg(jnp.array(-3)), 3);
  close(jit(sqOrNeg)(3), 9);
  close(jit(sqOrNeg)(-3), 3);
  close(grad(sqOrNeg)(3), 6);
  close(grad(sqOrNeg)(-3), -1);
  close(jit(grad(sqOrNeg))(3), 6);
  close(grad(jit(sqOrNeg))(-3), -1);
  // predicate kinds: JS boolean, number (nonzero is true), int32 and float arrays
  close(lax.cond(true, (v: A) => v.mul(2), (v: A) => v, f32(1)), 2);
  close(lax.cond(1, (v: A) => v.mul(2), (v: A) => v, f32(1)), 2);
  close(lax.cond(0, (v: A) => v.mul(2), (v: A) => v, f32(1)), 1);
  close(lax.cond(i32(3), (v: A) => v.mul(2), (v: A) => v, f32(1)), 2);
  close(lax.cond(f32(-0.5), (v: A) => v.mul(2), (v: A) => v, f32(1)), 2);
});

test("cond: several operands, pytree operands and outputs, zero operands", () => {
  const r = lax.cond(
    false,
    (p: { a: A; b: A }, s: A) => [p.a.add(s), { z: p.b }],
    (p: { a: A; b: A }, s: A) => [p.a.sub(s), { z: p.b.mul(2) }],
    { a: jnp.array([1, 2]), b: jnp.array(5) },
    jnp.array(1),
  ) as [A, { z: A }];
  close(r[0], [0, 1]);
  close(r[1].z, 10);
  close(lax.cond(true, () => jnp.array([1, 2]), () => jnp.array([3, 4])), [1, 2]);
});

test("cond: gradient with respect to a closed-over value, under jit and vmap", () => {
  const f = (w: A) => lax.cond(w.gt(0), (v: A) => v.mul(w).mul(w), (v: A) => v.mul(w), jnp.array(3));
  close(grad(f)(2), 12);
  close(grad(f)(-2), 3);
  close(jit(grad(f))(2), 12);
  close(vmap(grad(f))(jnp.array([2, -1])), [12, 3]);
  const [p, t] = jvp(f, [jnp.array(2)], [jnp.array(1)]) as [A, A];
  close(p, 12);
  close(t, 12);
});

test("cond under vmap: a batched predicate becomes a select; an unbatched one stays a cond", () => {
  const xs = jnp.array([1, -2, 3, -4]);
  close(vmap(sqOrNeg)(xs), [1, 2, 9, 4]);
  const jx = String(makeJaxpr(vmap(sqOrNeg))(xs));
  assert.match(jx, /select_n/);
  assert.doesNotMatch(jx, /cond\[/);
  const unb = (x: A) => lax.cond(true, (v: A) => v, (v: A) => v.mul(2), x);
  close(vmap(unb)(xs), [1, -2, 3, -4]);
  assert.match(String(makeJaxpr(vmap(unb))(xs)), /cond\[/);
  // both branches run under a batched predicate: a NaN in the unused branch does not leak
  close(vmap((x: A) => lax.cond(x.gt(0), (v: A) => jnp.log(v), (v: A) => v, x))(jnp.array([1, -1])), [0, -1]);
  // grad of the batched select
  close(vmap(grad(sqOrNeg))(xs), [2, -1, 6, -1]);
});

test("cond: branch outputs of different types are a TypeError 'must have identical types'", () => {
  assert.throws(
    () => lax.cond(true, (v: A) => v, (v: A) => v.astype("int32"), f32(1)),
    (e: Error) => e instanceof TypeError && /must have identical types/.test(e.message) && /f32\[\]/.test(e.message) && /i32\[\]/.test(e.message),
  );
  stillWorks();
  assert.throws(() => lax.cond(true, (v: A) => v, (v: A) => v.reshape([1]), f32(1)), /must have identical types/);
  assert.throws(() => lax.cond(true, (v: A) => v, (v: A) => [v], f32(1)), (e: Error) => e instanceof TypeError && /type structure/.test(e.message));
  assert.throws(() => jit((x: A) => lax.cond(x.gt(0), (v: A) => v, (v: A) => v.astype("int32"), x))(1), /must have identical types/);
  stillWorks();
});

test("cond: a non-scalar predicate is a TypeError 'Pred must be a scalar'", () => {
  assert.throws(
    () => lax.cond(jnp.array([true, false]), (v: A) => v, (v: A) => v, f32(1)),
    (e: Error) => e instanceof TypeError && /Pred must be a scalar/.test(e.message) && /bool\[2\]/.test(e.message),
  );
  stillWorks();
  assert.throws(() => jit((x: A) => lax.cond(x.gt(0), (v: A) => v, (v: A) => v, x))(jnp.ones([3])), /Pred must be a scalar/);
  assert.throws(() => lax.cond(true, 3 as unknown as () => A, () => f32(1)), TypeError);
  stillWorks();
});

// ------------------------------------------------------------------ switch
const sw = (i: A, x: A) => lax.switch(i, [(v: A) => v.add(1), (v: A) => v.mul(10), (v: A) => v.neg()], x);

test("switch clamps the index into range, eagerly, under jit and under vmap", () => {
  const expected = [3, 3, 20, -2, -2];
  [-5, 0, 1, 2, 7].forEach((i, k) => {
    close(sw(i32(i), jnp.array(2)), expected[k]!);
    close(jit(sw)(i32(i), jnp.array(2)), expected[k]!);
  });
  close(vmap(sw)(jnp.array([-1, 0, 1, 2, 3], "int32"), jnp.array([1, 2, 3, 4, 5])), [2, 3, 30, -4, -5]);
  // a JS number index
  close(sw(1 as unknown as A, jnp.array(2)), 20);
  // one branch: the branch is just called
  close(lax.switch(i32(5), [(v: A) => v.mul(3)], f32(2)), 6);
  assert.throws(() => lax.switch(i32(0), [], f32(1)), TypeError);
  stillWorks();
});

test("switch differentiates through the selected branch; branch type mismatch is an error", () => {
  close(grad((x: A) => sw(i32(1), x))(3), 10);
  close(grad((x: A) => sw(i32(9), x))(3), -1);
  close(vmap(grad((x: A, i: A) => sw(i, x)), { inAxes: [0, 0] })(jnp.array([1, 1, 1]), jnp.array([0, 1, 2], "int32")), [1, 10, -1]);
  assert.throws(() => lax.switch(i32(0), [(v: A) => v, (v: A) => v.astype("int32")], f32(1)), /must have identical types/);
  assert.throws(() => lax.switch(jnp.array([0, 1], "int32"), [(v: A) => v, (v: A) => v], f32(1)), /must be a scalar/);
  stillWorks();
});

// ------------------------------------------------------------------ whileLoop
const doubleUntil10 = (x: A) =>
  lax.whileLoop(
    (s: A) => s.lt(10),
    (s: A) => s.mul(2),
    x,
  );

test("whileLoop: eager, jit, with pytree carries", () => {
  close(doubleUntil10(f32(1.5)), 12);
  close(jit(doubleUntil10)(1.5), 12);
  close(jit(doubleUntil10)(20), 20, {});
  const [i, acc] = lax.whileLoop(
    ([k]: A[]) => k!.lt(5),
    ([k, a]: A[]) => [k!.add(i32(1)), a!.add(k!.astype("float32"))],
    [i32(0), f32(0)],
  ) as A[];
  close(i, 5, { dtype: "int32" });
  close(acc, 10);
  const o = lax.whileLoop((s: { n: A; v: A }) => s.n.gt(i32(0)), (s: { n: A; v: A }) => ({ n: s.n.sub(i32(1)), v: s.v.mul(3) }), { n: i32(3), v: jnp.array([1, 2]) }) as { n: A; v: A };
  close(o.v, [27, 54]);
});

test("whileLoop in reverse mode is a ValueError; forward mode works", () => {
  assert.throws(
    () => grad(doubleUntil10)(1.5),
    (e: Error) => e instanceof errors.ValueError && /Reverse-mode differentiation does not work for lax\.whileLoop/.test(e.message),
  );
  stillWorks();
  assert.throws(() => jit(grad(doubleUntil10))(1.5), /Reverse-mode differentiation does not work/);
  stillWorks();
  // forward mode: d(s^8)/ds at 1.5 for s -> s*s three times
  const sq3 = (x: A) =>
    lax.whileLoop(
      (s: A) => s.lt(10),
      (s: A) => s.mul(s),
      x,
    );
  const [p, t] = jvp(sq3, [f32(1.5)], [f32(1)]) as [A, A];
  close(p, 1.5 ** 8, { tol: 1e-5 });
  close(t, 8 * 1.5 ** 7, { tol: 1e-5 });
  close(jacfwd(doubleUntil10)(f32(1.5)), 8);
  close(jit(jacfwd(doubleUntil10))(f32(1.5)), 8);
  const [, jt] = jvp(jit(doubleUntil10), [f32(3)], [f32(1)]) as [A, A];
  close(jt, 4);
});

test("whileLoop under vmap: batched predicate runs until every element is done", () => {
  close(vmap(doubleUntil10)(jnp.array([1, 3, 20, 0.5])), [16, 12, 20, 16]);
  // the bound is batched, the carry not
  const counts = vmap((n: A) =>
    lax.whileLoop(
      (s: A[]) => s[0]!.lt(n),
      (s: A[]) => [s[0]!.add(i32(1)), s[1]!.mul(2)],
      [i32(0), f32(1)],
    ),
  )(jnp.array([0, 1, 3], "int32")) as A[];
  close(counts[0], [0, 1, 3], { dtype: "int32" });
  close(counts[1], [1, 2, 8]);
  // jvp of the vmapped loop
  const [, t] = jvp(vmap(doubleUntil10), [jnp.array([1, 3])], [jnp.array([1, 1])]) as [A, A];
  close(t, [16, 4]);
});

test("whileLoop: a non-boolean or non-scalar condition and a carry type change are TypeErrors", () => {
  assert.throws(() => lax.whileLoop((s: A) => s, (s: A) => s.mul(2), f32(1)), /boolean scalar/);
  assert.throws(() => lax.whileLoop((s: A) => s.lt(10), (s: A) => s, jnp.ones([2])), /boolean scalar/);
  assert.throws(() => lax.whileLoop((s: A) => s.lt(10), (s: A) => s.astype("int32"), f32(1)), /identical types/);
  assert.throws(() => lax.whileLoop((s: A) => s.lt(10), (s: A) => [s], f32(1)), /identical types/);
  stillWorks();
});

// ------------------------------------------------------------------ foriLoop
test("foriLoop with static bounds: values, dtypes, reverse-mode gradient", () => {
  close(lax.foriLoop(0, 5, (i: A, v: A) => v.add(i), i32(0)), 10, { dtype: "int32" });
  close(lax.foriLoop(2, 5, (i: A, v: A) => v.add(i.astype("float32")), f32(0)), 9);
  close(lax.foriLoop(0, 5, (_i: A, v: A) => v.mul(1.5), 1), 1.5 ** 5);
  close(lax.foriLoop(5, 2, (_i: A, v: A) => v.mul(2), f32(1)), 1, {}); // empty range
  // x^3 with init 1 and x^4 with init x
  close(grad((x: A) => lax.foriLoop(0, 3, (_i: A, v: A) => v.mul(x), f32(1)))(2), 12);
  close(grad((x: A) => lax.foriLoop(0, 3, (_i: A, v: A) => v.mul(x), x))(2), 32);
  close(grad(grad((x: A) => lax.foriLoop(0, 3, (_i: A, v: A) => v.mul(x), x)))(2), 48);
  close(jit(grad((x: A) => lax.foriLoop(0, 3, (_i: A, v: A) => v.mul(x), x)))(2), 32);
  close(vmap(grad((x: A) => lax.foriLoop(0, 2, (_i: A, v: A) => v.mul(x), x)))(jnp.array([1, 2, 3])), [3, 12, 27]);
});

test("foriLoop with traced bounds works forward but not in reverse mode", () => {
  const f = jit((x: A, n: A) => lax.foriLoop(i32(0), n, (_i: A, v: A) => v.mul(x), x));
  close(f(2, i32(3)), 16);
  close(f(2, i32(1)), 4);
  assert.throws(() => grad((x: A) => lax.foriLoop(0, i32(3), (_i: A, v: A) => v.mul(x), x))(2), /Reverse-mode differentiation does not work for lax\.whileLoop or lax\.foriLoop/);
  stillWorks();
  const [, t] = jvp((x: A) => lax.foriLoop(0, i32(3), (_i: A, v: A) => v.mul(x), x), [f32(2)], [f32(1)]) as [A, A];
  close(t, 32);
  assert.throws(() => lax.foriLoop(0.5, 3, (_i: A, v: A) => v, f32(1)), TypeError);
  stillWorks();
});

// ------------------------------------------------------------------ scan
test("scan: carry and stacked outputs; reverse; length without xs", () => {
  const step = (c: A, x: A) => [c.add(x), c.mul(x)];
  const [c, ys] = lax.scan(step, 0, jnp.array([1, 2, 3])) as [A, A];
  close(c, 6);
  close(ys, [0, 2, 9]);
  const [cr, ysr] = lax.scan(step, 0, jnp.array([1, 2, 3]), { reverse: true }) as [A, A];
  close(cr, 6);
  close(ysr, [5, 6, 0]); // processed 3, 2, 1; ys kept at the original positions
  const [cn, ysn] = lax.scan((k: A) => [k.add(1), k], 0, null, { length: 4 }) as [A, A];
  close(cn, 4);
  close(ysn, [0, 1, 2, 3]);
  const [, ysn2] = lax.scan((k: A) => [k.add(1), k], 0, null, { length: 3, reverse: true }) as [A, A];
  close(ysn2, [2, 1, 0]);
  // pytree xs and ys, length given and consistent
  const [c2, y2] = lax.scan((cc: A, xy: { a: A; b: A }) => [cc.add(xy.a.mul(xy.b)), { s: xy.a.add(xy.b) }], f32(0), { a: jnp.array([1, 2]), b: jnp.array([3, 4]) }, { length: 2 }) as [A, { s: A }];
  close(c2, 11);
  close(y2.s, [4, 6]);
  // rows of a matrix are scanned
  const [, rows] = lax.scan((cc: A, r: A) => [cc, r.sum()], f32(0), jnp.array([[1, 2], [3, 4], [5, 6]])) as [A, A];
  close(rows, [3, 7, 11]);
});

test("scan under jit, vmap, grad, jvp and vjp; second derivatives through scan", () => {
  const horner = (w: A) => (lax.scan((c: A, x: A) => [c.mul(w).add(x), c], 1, jnp.array([1, 2, 3])) as [A, A])[0]; // w^3+w^2+2w+3
  close(horner(f32(2)), 8 + 4 + 4 + 3);
  close(jit(horner)(2), 19);
  close(grad(horner)(2), 18); // 3w^2+2w+2
  close(grad(grad(horner))(2), 14); // 6w+2
  close(jit(grad(grad(horner)))(2), 14);
  close(grad(grad(grad(horner)))(2), 6);
  close(vmap(horner)(jnp.array([0, 1, 2])), [3, 7, 19]);
  close(vmap(grad(horner))(jnp.array([0, 1, 2])), [2, 7, 18]);
  close(hessian(horner)(f32(2)), 14);
  const [p, t] = jvp(horner, [f32(2)], [f32(1)]) as [A, A];
  close(p, 19);
  close(t, 18);
  // gradient with respect to xs
  close(grad((xs: A) => (lax.scan((c: A, x: A) => [c.mul(2).add(jnp.sin(x)), c], f32(0), xs) as [A, A])[0])(jnp.array([0, 0, 0])), [4, 2, 1]);
  // vjp with cotangents for the carry and the stacked ys: c = 6x, ys = [x^2, 2x^2]
  const [, pull] = vjp((x: A) => lax.scan((c: A, e: A) => [c.mul(e), c.mul(x)], x, jnp.array([2, 3])), f32(1));
  const [g] = pull([f32(1), jnp.array([1, 1])]) as [A];
  close(g, 12);
  // reverse scan under jvp
  const [, tr] = jvp((x: A) => lax.scan((c: A, e: A) => [c.mul(e), c], x, jnp.array([2, 3]), { reverse: true }), [f32(1)], [f32(1)]) as [unknown, [A, A]];
  close(tr[0], 6);
  close(tr[1], [3, 1]);
});

test("scan: carry type changes, mismatched lengths and missing length are errors", () => {
  assert.throws(() => lax.scan((c: A) => [c.astype("int32"), c], f32(0), jnp.ones([3])), (e: Error) => e instanceof TypeError && /carry/.test(e.message));
  stillWorks();
  assert.throws(() => lax.scan((c: A) => [[c], c], f32(0), jnp.ones([3])), TypeError);
  assert.throws(() => lax.scan((c: A) => [c, c], f32(0), jnp.ones([3]), { length: 4 }), (e: Error) => e instanceof errors.ValueError && /length/.test(e.message));
  assert.throws(() => lax.scan((c: A) => [c, c], f32(0), { a: jnp.ones([3]), b: jnp.ones([2]) }), errors.ValueError);
  assert.throws(() => lax.scan((c: A) => [c, c], f32(0), null), /length/);
  assert.throws(() => lax.scan((c: A) => c, f32(0), jnp.ones([2])), /pair/);
  stillWorks();
});

test("nested control flow: scan in scan (grad to second order), cond in scan in vmap, closures over jit tracers", () => {
  const rows = jnp.array([
    [1, 2],
    [3, 4],
  ]);
  // sum over rows of sum over elements of e * w^2 = 10 w^2
  const nested = (w: A) =>
    (lax.scan((c: A, row: A) => [c.add((lax.scan((c2: A, e: A) => [c2.add(e.mul(w).mul(w)), c2], f32(0), row) as [A, A])[0]), c], f32(0), rows) as [A, A])[0];
  close(nested(f32(2)), 40);
  close(grad(nested)(2), 40);
  close(grad(grad(nested))(2), 20);
  const m = jnp.array([
    [1, -1, 2],
    [-1, -1, 5],
  ]);
  const inner = (r: A) =>
    (lax.scan(
      (c: A, e: A) => [lax.cond(e.gt(0), (v: A) => v.add(e.mul(e)), (v: A) => v.sub(e), c), c],
      f32(0),
      r,
    ) as [A, A])[0];
  close(vmap(inner)(m), [6, 27]);
  close(grad((x: A) => vmap(inner)(x).sum())(m), [
    [2, -1, 4],
    [-1, -1, 10],
  ]);
  const jw = jit((w: A, xs: A) => (lax.scan((c: A, e: A) => [c.add(e.mul(w)), c], f32(0), xs) as [A, A])[0]);
  close(jw(2, jnp.array([1, 2, 3])), 12);
  close(jit(grad(jw))(2, jnp.array([1, 2, 3])), 6);
  close(grad(jw, { argnums: 1 })(2, jnp.array([1, 2, 3])), [2, 2, 2]);
});

test("scan over a jitted body: grad, second derivative, vmap, jacobians against finite differences", () => {
  const body = jit((c: A, e: A) => [c.mul(e).add(jnp.sin(c)), c.mul(c)]);
  const run = (x: A) => lax.scan((c: A, e: A) => body(c, e) as [A, A], x, jnp.array([0.5, 1.5, -1])) as [A, A];
  const carry = (x: A) => run(x)[0];
  const ysum = (x: A) => run(x)[1].sum();
  // float64 finite differences of float64 runs of the same functions
  const fd = (g: (x: A) => A, x: number, h = 1e-5) => (Number(g(jnp.array(x + h, "float64"))) - Number(g(jnp.array(x - h, "float64")))) / (2 * h);
  for (const x of [0.3, -0.2]) {
    close(grad(carry)(f32(x)), fd(carry, x), { tol: 1e-4 });
    close(grad(ysum)(f32(x)), fd(ysum, x), { tol: 1e-4 });
    close(grad(grad(carry))(f32(x)), fd(grad(carry), x), { tol: 1e-3 });
    close(hessian(jit(carry))(f32(x)), Number(grad(grad(carry))(f32(x))), { tol: 1e-5 });
  }
  const both = [0.3, -0.2].map((x) => Number(grad(ysum)(f32(x))));
  close(jit(vmap(grad(ysum)))(jnp.array([0.3, -0.2])), both);
  const [jrC, jrY] = jacrev(run)(f32(0.3)) as [A, A];
  const [jfC, jfY] = jacfwd(run)(f32(0.3)) as [A, A];
  close(jrC, Number(jfC), { tol: 1e-5 });
  assert.deepEqual(jrY.shape, [3]);
  close(jrY, jfY.tolist() as number[]);
});

test("a whileLoop that does not depend on the differentiated value is fine in reverse mode", () => {
  close(grad((x: A) => x.mul(lax.whileLoop((s: A) => s.lt(10), (s: A) => s.mul(2), f32(1))))(3), 16);
  close(
    grad((x: A) => {
      const [k] = lax.whileLoop((s: A[]) => s[0]!.lt(3), (s: A[]) => [s[0]!.add(i32(1)), s[1]!.mul(2)], [i32(0), x]) as A[];
      return x.mul(k!.astype("float32"));
    })(3),
    3,
  );
});

// ------------------------------------------------------------------ map, select
test("lax.map applies f to leading slices; differentiable and jittable", () => {
  const m = jnp.array([
    [1, 2],
    [3, 4],
  ]);
  close(lax.map((r: A) => r.sum(), m), [3, 7]);
  close(jit((x: A) => lax.map((r: A) => r.mul(r).sum(), x))(m), [5, 25]);
  close(grad((x: A) => lax.map((r: A) => r.mul(r).sum(), x).sum())(m), [
    [2, 4],
    [6, 8],
  ]);
  const t = lax.map((p: { a: A; b: A }) => p.a.mul(p.b), { a: jnp.array([1, 2]), b: jnp.array([3, 4]) }) as A;
  close(t, [3, 8]);
});

test("lax.select: elementwise choice with a bool predicate; a non-bool predicate is an error", () => {
  close(lax.select(jnp.array([true, false]), jnp.array([1, 2]), jnp.array([3, 4])), [1, 4]);
  close(jit((p: A, a: A, b: A) => lax.select(p, a, b))(jnp.array([false, true]), jnp.array([1, 2]), jnp.array([3, 4])), [3, 2]);
  close(grad((a: A) => lax.select(jnp.array([true, false]), a, a.mul(3)).sum())(jnp.array([1, 1])), [1, 3]);
  assert.throws(() => lax.select(jnp.array([1, 0]), jnp.array([1, 2]), jnp.array([3, 4])), /bool/);
  stillWorks();
});

test("control flow inside jit is traced once per signature; bodies are not re-run per call", () => {
  let bodyRuns = 0;
  const f = jit((x: A) =>
    lax.scan(
      (c: A, e: A) => {
        bodyRuns++;
        return [c.add(e), c];
      },
      f32(0),
      x,
    ),
  );
  f(jnp.array([1, 2, 3]));
  f(jnp.array([4, 5, 6]));
  assert.equal(bodyRuns, 1, "the scan body is traced once, not once per iteration or call");
  const [v, g] = valueAndGrad((x: A) => (f(x) as [A, A])[0])(jnp.array([1, 2, 3])) as [A, A];
  close(v, 6);
  close(g, [1, 1, 1]);
});
