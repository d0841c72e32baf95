// vmap.test.ts — adversarial tests of vmap (SEMANTICS A.5, B.1, B.2, B.6): inAxes/outAxes as
// numbers, negatives, null and pytree prefixes, unbatched outputs (null keeps them, a number
// broadcasts), axisSize, vmap of vmap over two axes, vmap against a loop over slices, the
// traced program's size independent of the batch size, and vmap composed with jit and grad.
import { test } from "node:test";
import assert from "node:assert/strict";
import { grad, jit, jnp, lax, makeJaxpr, vmap } from "../../src/index.js";
import type { Array as JArray } from "../../src/index.js";
import { shapeOf, type Nested, close, same } from "../harness/assertions.js";

type A = JArray;

/** Loop oracle: f applied to slices along `axis` of x, stacked along 0. */
function loopMap(f: (x: A) => A, x: A, axis = 0): A {
  const n = x.shape[axis]!;
  const outs: A[] = [];
  for (let i = 0; i < n; i++) outs.push(f(jnp.take(x, jnp.array(i, "int32"), axis)));
  return jnp.stack(outs);
}

const x23 = () =>
  jnp.array([
    [0, 1, 2],
    [3, 4, 5],
  ]);

// ------------------------------------------------------------------ axes
test("vmap inAxes 0, 1 and -1 against a loop over slices", () => {
  const f = (r: A) => jnp.sin(r).mul(r.sum());
  const x = x23();
  same(vmap(f)(x), loopMap(f, x, 0));
  same(vmap(f, { inAxes: 1 })(x), loopMap(f, x, 1));
  same(vmap(f, { inAxes: -1 })(x), loopMap(f, x, 1));
  same(vmap(f, { inAxes: -2 })(x), loopMap(f, x, 0));
  close(vmap((r: A) => r.sum())(x), [3, 12]);
  close(vmap((r: A) => r.sum(), { inAxes: 1 })(x), [3, 5, 7]);
});

test("vmap outAxes moves the batch axis; negative outAxes count from the end of the batched output", () => {
  const x = x23();
  close(vmap((r: A) => r.mul(2), { inAxes: 1, outAxes: 1 })(x), [
    [0, 2, 4],
    [6, 8, 10],
  ]);
  close(vmap((r: A) => r.mul(2), { outAxes: -1 })(x), [
    [0, 6],
    [2, 8],
    [4, 10],
  ]);
  close(vmap((r: A) => r.mul(2), { outAxes: 1 })(x), [
    [0, 6],
    [2, 8],
    [4, 10],
  ]);
  // rank-3 output, batch axis in the middle
  const y = vmap((r: A) => jnp.outer(r, r), { outAxes: 1 })(x) as A;
  assert.deepEqual(y.shape, [3, 2, 3]);
  same(y.get(":", 1), jnp.outer(x.get(1), x.get(1)));
});

test("vmap outAxes as a pytree prefix of the output (dict by key, nested arrays, negatives), and a size-0 batch", () => {
  const x = jnp.array([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  const r = vmap((v: A) => ({ a: v, b: v.sum(), c: [v, v.mul(2)] }), { outAxes: { a: 1, b: 0, c: [0, -1] } })(x) as { a: A; b: A; c: A[] };
  close(r.a, [
    [1, 3, 5],
    [2, 4, 6],
  ]);
  close(r.b, [3, 7, 11]);
  close(r.c[0], [
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  close(r.c[1], [
    [2, 6, 10],
    [4, 8, 12],
  ]);
  const u = vmap((v: A) => ({ a: v, b: jnp.ones([2]) }), { outAxes: { a: 0, b: null } })(x) as { a: A; b: A };
  close(u.b, [1, 1]);
  close(vmap((a: A, b: A) => a.add(b), { inAxes: [0, -1] })(x, x.T), [
    [2, 4],
    [6, 8],
    [10, 12],
  ]);
  const empty = vmap((v: A) => v.sum())(jnp.ones([0, 2])) as A;
  assert.deepEqual(empty.shape, [0]);
});

test("vmap inAxes per argument: null broadcasts an argument without mapping it", () => {
  const f = (r: A, c: A) => r.mul(c);
  close(vmap(f, { inAxes: [0, null] })(x23(), jnp.array([1, 10, 100])), [
    [0, 10, 200],
    [3, 40, 500],
  ]);
  close(vmap(f, { inAxes: [null, 0] })(jnp.array([1, 10, 100]), x23()), [
    [0, 10, 200],
    [3, 40, 500],
  ]);
  close(vmap(f, { inAxes: [1, 0] })(x23(), jnp.array([1, 2, 3])), [
    [0, 3],
    [2, 8],
    [6, 15],
  ]);
  // a non-array argument with inAxes null (a function) is passed through
  close(vmap((r: A, op: (a: A) => A) => op(r).sum(), { inAxes: [0, null] })(x23(), jnp.negative), [-3, -12]);
});

test("vmap inAxes as nested pytree prefixes: dicts by key, arrays by position", () => {
  close(vmap((d: { a: A; b: A }) => d.a.add(d.b.sum()), { inAxes: [{ a: 0, b: null }] })({ a: jnp.array([1, 2]), b: jnp.array([5, 5]) }), [11, 12]);
  close(vmap((d: { a: A; b: A[] }) => d.a.add(d.b[0]!), { inAxes: [{ a: 0, b: [1] }] })({ a: jnp.array([1, 2]), b: [jnp.array([[5, 6]])] }), [[6], [8]]);
  // a single number applies to every leaf of the argument
  close(vmap((d: { a: A; b: A }) => d.a.mul(d.b))({ a: jnp.array([1, 2]), b: jnp.array([3, 4]) }), [3, 8]);
  // dict spec given in another key order
  close(vmap((d: { a: A; b: A }) => d.a.sub(d.b), { inAxes: [{ b: 0, a: null }] })({ a: jnp.array(10), b: jnp.array([1, 2]) }), [9, 8]);
});

test("unbatched outputs: outAxes null returns them as is, a number broadcasts them (weak constants stay weak)", () => {
  const [a, b] = vmap((r: A) => [r.sum(), jnp.ones([2])], { outAxes: [0, null] })(x23()) as A[];
  close(a, [3, 12]);
  close(b, [1, 1]);
  const [c, d, e] = vmap((r: A) => [r.sum(), jnp.ones([2]), 3])(x23()) as A[];
  close(c, [3, 12]);
  close(d, [
    [1, 1],
    [1, 1],
  ]);
  close(e, [3, 3], { weak: true });
  close(vmap(() => jnp.ones([2]), { axisSize: 3, outAxes: 1 })(), [
    [1, 1, 1],
    [1, 1, 1],
  ]);
  // an output depending only on an unmapped input is unbatched
  close(vmap((r: A, w: A) => w.mul(2), { inAxes: [0, null], outAxes: null })(x23(), jnp.array([1, 2])), [2, 4]);
});

test("axisSize: with every input unmapped, or to confirm the mapped size", () => {
  close(vmap((v: A) => v.mul(2), { inAxes: null, axisSize: 3 })(jnp.ones([2])), [
    [2, 2],
    [2, 2],
    [2, 2],
  ]);
  close(vmap((r: A) => r.sum(), { axisSize: 2 })(x23()), [3, 12]);
  close(vmap(() => 1.5, { axisSize: 2 })(), [1.5, 1.5]);
});

test("vmap(vmap(f)) maps over two axes; in/out axes at each level", () => {
  const f = (a: A, b: A) => a.mul(b).add(1);
  const a = jnp.array([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const b = jnp.array([
    [1, 0, 1],
    [2, 2, 2],
  ]);
  close(vmap(vmap(f))(a, b), [
    [2, 1, 4],
    [9, 11, 13],
  ]);
  // outer product of two vector sets: result[i, j] = dot(x_i, y_j)
  const xs = jnp.array([
    [1, 0, 0],
    [1, 1, 1],
  ]);
  const ys = jnp.array([
    [1, 2, 3],
    [0, 0, 1],
    [2, 2, 2],
    [-1, 0, 1],
  ]);
  const g = vmap(vmap((x: A, y: A) => jnp.dot(x, y), { inAxes: [null, 0] }), { inAxes: [0, null] });
  close(g(xs, ys), [
    [1, 0, 2, -1],
    [6, 1, 6, 0],
  ]);
  // mapping the inner level over axis 1 of the per-example value
  const t = jnp.arange(24).reshape([2, 3, 4]).astype("float32");
  const inner = vmap(vmap((v: A) => v.sum(), { inAxes: 1 }), { inAxes: 0 })(t) as A;
  same(inner, t.sum(1));
  const outer = vmap(vmap((v: A) => v.sum(), { inAxes: 0 }), { inAxes: 2 })(t) as A;
  assert.deepEqual(outer.shape, [4, 2]);
  same(outer, t.sum(1).T);
});

test("vmap of a dot product is one dot_general whose size does not depend on the batch size", () => {
  const dot = (a: A, b: A) => jnp.dot(a, b);
  const j7 = String(makeJaxpr(vmap(dot))(jnp.ones([7, 3]), jnp.ones([7, 3])));
  const j2 = String(makeJaxpr(vmap(dot))(jnp.ones([2, 3]), jnp.ones([2, 3])));
  assert.equal((j7.match(/dot_general/g) ?? []).length, 1, j7);
  assert.equal(j7.split("\n").length, j2.split("\n").length, "same number of equations for batch 2 and 7");
  // inAxes null: the unmapped argument is used directly, not broadcast per example
  const jn = String(makeJaxpr(vmap(dot, { inAxes: [0, null] }))(jnp.ones([7, 3]), jnp.ones([3])));
  assert.doesNotMatch(jn, /broadcast_in_dim/, jn);
  assert.match(jn, /dot_general/);
  // the doubly vmapped dot is a single matrix product
  const jj = String(makeJaxpr(vmap(vmap(dot, { inAxes: [null, 0] }), { inAxes: [0, null] }))(jnp.ones([5, 3]), jnp.ones([4, 3])));
  assert.equal((jj.match(/dot_general/g) ?? []).length, 1, jj);
  // values of the batched matrix-vector product
  close(vmap(dot, { inAxes: [0, null] })(x23(), jnp.array([1, 1, 1])), [3, 12]);
});

test("vmap does not call the function once per example", () => {
  let calls = 0;
  vmap((r: A) => {
    calls++;
    return r.sum();
  })(jnp.ones([50, 2]));
  assert.equal(calls, 1);
});

test("vmap of integer and boolean computations keeps dtypes", () => {
  const r = vmap((v: A) => v.sum())(jnp.array([[1, 2], [3, 4]], "int32")) as A;
  close(r, [3, 7], { dtype: "int32" });
  const b = vmap((v: A) => v.gt(2).any())(jnp.array([[1, 2], [3, 4]], "int32")) as A;
  assert.equal(b.dtype, "bool");
  assert.deepEqual(b.tolist(), [false, true]);
});

// ------------------------------------------------------------------ compositions
test("vmap(jit(f)) == jit(vmap(f)) == vmap(f) with in/out axes", () => {
  const f = (r: A, w: A) => jnp.tanh(r.mul(w)).sum();
  const opts = { inAxes: [1, null] };
  const x = x23();
  const w = jnp.array([0.5, -1]);
  const e = vmap(f, opts)(x, w) as A;
  same(vmap(jit(f), opts)(x, w), e);
  same(jit(vmap(f, opts))(x, w), e);
  same(jit(vmap(jit(f), opts))(x, w), e);
  const expected = [0, 1, 2].map((j) => Math.tanh(0.5 * [0, 1, 2][j]!) + Math.tanh(-[3, 4, 5][j]!));
  close(e, expected);
});

test("vmap over a jitted function called inside: the inner jit is traced per-example", () => {
  let traces = 0;
  const inner = jit((v: A) => {
    traces++;
    assert.deepEqual(v.shape, [3]);
    return v.mul(v).sum();
  });
  close(vmap(inner)(x23()), [5, 50]);
  close(vmap((v: A) => inner(v).add(inner(v.neg())))(x23()), [10, 100]);
  assert.equal(traces, 1);
});

test("grad inside vmap inside jit, and vmap of a scan body", () => {
  const f = (w: A, x: A) => jnp.sin(w.mul(x)).sum();
  const g = jit(vmap(grad(f), { inAxes: [null, 0] }));
  const w = jnp.array([1, 2]);
  const xs = jnp.array([
    [0.5, 0],
    [1, 1],
  ]);
  const exp = [
    [0.5 * Math.cos(0.5), 0],
    [Math.cos(1), Math.cos(2)],
  ];
  close(g(w, xs), exp);
  // vmap of a cumulative-sum scan
  const cum = (v: A) => lax.scan((c: A, e: A) => [c.add(e), c.add(e)], jnp.array(0, "float32"), v)[1] as A;
  close(vmap(cum)(x23()), [
    [0, 1, 3],
    [3, 7, 12],
  ]);
});

test("vmap with a named axis still computes per-example results", () => {
  close(vmap((r: A) => r.sum(), { axisName: "batch" })(x23()), [3, 12]);
});
