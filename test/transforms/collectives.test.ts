// collectives.test.ts — named-axis collectives under vmap (SEMANTICS A.7, issue #4 item 3):
// the A.7 table of results for every collective with n = 4, the batching facts (psum, pmax,
// pmin, allGather unbatched; axisIndex batched), arrays of names over nested vmaps (2 × 3)
// against one flat vmap of size 6, shadowing, jit inside vmap and vmap of jit, derivatives
// (transposes, per-example gradients, finite differences), the argument errors, and pmap
// agreeing with vmap when several CPU devices can be configured.
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, deviceCount, errors, grad, jit, jnp, jvp, lax, makeJaxpr, pmap, vmap } from "../../src/index.js";
import type { Array as JArray } from "../../src/index.js";

type A = JArray;
type Nested = number | Nested[];

function shapeOf(e: Nested): number[] {
  const s: number[] = [];
  let c: Nested = e;
  while (Array.isArray(c)) {
    s.push(c.length);
    c = c[0]!;
  }
  return s;
}
const vals = (x: A): number[] => Array.from(x.dataSync() as ArrayLike<number>);

/** x has the expected values (nested), shape and dtype. */
function close(x: unknown, expected: Nested, opts: { dtype?: string; tol?: number } = {}): void {
  assert.ok(x instanceof jnp.Array, `expected an Array, got ${String(x)}`);
  const flat = (Array.isArray(expected) ? (expected as unknown[]).flat(8) : [expected]) as number[];
  assert.deepEqual(x.shape, shapeOf(expected), `shape [${x.shape}] vs [${shapeOf(expected)}]`);
  assert.equal(x.dtype, opts.dtype ?? "float32");
  const tol = opts.tol ?? 1e-5;
  vals(x).forEach((g, i) => assert.ok(Math.abs(g - flat[i]!) <= tol + tol * Math.abs(flat[i]!), `element ${i}: got ${g}, expected ${flat[i]}`));
}
/** a and b agree in shape, dtype and values. */
function same(a: unknown, b: unknown, tol = 1e-5, what = ""): void {
  assert.ok(a instanceof jnp.Array && b instanceof jnp.Array, `${what}: not arrays`);
  assert.deepEqual(a.shape, b.shape, `${what}: shapes`);
  assert.equal(a.dtype, b.dtype, `${what}: dtypes`);
  const y = vals(b);
  vals(a).forEach((v, i) => assert.ok(Math.abs(v - y[i]!) <= tol + tol * Math.abs(y[i]!), `${what}: element ${i}: ${v} vs ${y[i]}`));
}

const V = (f: (...a: any[]) => any, opts: Record<string, unknown> = {}) => vmap(f, { axisName: "i", ...opts });
const X4 = jnp.array([1.5, -2, 3.25, 0.5]);
const M4 = jnp.arange(16).reshape([4, 4]); // row i = example i

function isNameError(e: unknown, name: string): boolean {
  return e instanceof errors.UnboundAxisNameError && (e as Error).name === "NameError" && (e as Error).message.includes(`unbound axis name: ${name}`);
}

// ---------------------------------------------------------------- the A.7 table, n = 4
test("psum: the sum over the axis on every element; unbatched (outAxes null is legal)", () => {
  close(V((x: A) => lax.psum(x, "i"))(X4), [3.25, 3.25, 3.25, 3.25]);
  close(V((x: A) => lax.psum(x, "i"), { outAxes: null })(X4), 3.25);
  close(V((x: A) => lax.psum(x, "i"))(M4), [[24, 28, 32, 36], [24, 28, 32, 36], [24, 28, 32, 36], [24, 28, 32, 36]], { dtype: "int32" });
  // bool -> int32 (the number of true elements)
  close(V((x: A) => lax.psum(x, "i"), { outAxes: null })(jnp.array([true, false, true, true])), 3, { dtype: "int32" });
  // pytrees act leaf-wise
  const r = V((x: A, y: A) => lax.psum({ a: x, b: [y] }, "i"), { outAxes: null })(X4, M4);
  close(r.a, 3.25);
  close(r.b[0], [24, 28, 32, 36], { dtype: "int32" });
});

test("psum of a value that is not batched is n·x; psum(1, name) is the axis size", () => {
  close(V((_x: A, c: A) => lax.psum(c, "i"), { inAxes: [0, null], outAxes: null })(X4, jnp.array([1, 2])), [4, 8]);
  close(V(() => lax.psum(1, "i"), { outAxes: null })(X4), 4);
  close(V(() => lax.psum(1, "i"))(X4), [4, 4, 4, 4]); // outAxes 0 broadcasts the unbatched result
  assert.equal(V(() => lax.axisSize("i"), { outAxes: null })(X4).item(), 4);
  assert.equal(vmap((_u: unknown) => jnp.array(lax.axisSize("i")), { axisName: "i", axisSize: 7, inAxes: null, outAxes: null })(0).item(), 7);
});

test("psum under vmap returns exactly what an explicit loop computing the sum gives", () => {
  const data = new Float32Array(4 * 5);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = (s / 2147483648 - 0.5) * 10;
  }
  const xs = jnp.array(data).reshape([4, 5]);
  const got = V((x: A) => lax.psum(x, "i"), { outAxes: null })(xs);
  // the loop (float64 accumulation, as every reduction of the reference backend), rounded to float32
  const loop = new Float32Array(5);
  for (let j = 0; j < 5; j++) {
    let acc = 0;
    for (let i = 0; i < 4; i++) acc += data[i * 5 + j]!;
    loop[j] = acc;
  }
  assert.deepEqual(vals(got), Array.from(loop));
  assert.deepEqual(vals(got), vals(jnp.sum(xs, 0)));
  // integers: the loop of jnp additions, exactly
  const ints = jnp.array([[3, -7], [100, 2], [-50, 9], [8, 8]], "int32");
  let acc: A = ints.get(0);
  for (let i = 1; i < 4; i++) acc = acc.add(ints.get(i));
  same(V((x: A) => lax.psum(x, "i"), { outAxes: null })(ints), acc, 0, "int psum");
});

test("pmean = psum / n; integer input gives float32 (true division)", () => {
  close(V((x: A) => lax.pmean(x, "i"))(X4), [0.8125, 0.8125, 0.8125, 0.8125]);
  close(V((x: A) => lax.pmean(x, "i"), { outAxes: null })(jnp.array([1, 2, 3, 5], "int32")), 2.75);
  close(V((x: A) => lax.pmean(x, "i"), { outAxes: null })(M4), [6, 7, 8, 9]);
});

test("pmax / pmin: elementwise extremes over the axis, same dtype, unbatched", () => {
  close(V((x: A) => lax.pmax(x, "i"), { outAxes: null })(X4), 3.25);
  close(V((x: A) => lax.pmin(x, "i"), { outAxes: null })(X4), -2);
  const m = jnp.array([[1, 9], [5, 2], [3, 3], [-4, 7]], "int32");
  close(V((x: A) => lax.pmax(x, "i"), { outAxes: null })(m), [5, 9], { dtype: "int32" });
  close(V((x: A) => lax.pmin(x, "i"))(m), [[-4, 2], [-4, 2], [-4, 2], [-4, 2]], { dtype: "int32" });
});

test("axisIndex is batched [0..n-1] int32 (outAxes null on it is an error)", () => {
  close(V(() => lax.axisIndex("i"))(X4), [0, 1, 2, 3], { dtype: "int32" });
  close(V((x: A) => x.mul(lax.axisIndex("i")))(X4), [0, -2, 6.5, 1.5]);
  assert.throws(() => V(() => lax.axisIndex("i"), { outAxes: null })(X4), /vmap has mapped output \(axis_name=i\) but out_axes is None/);
  close(vmap((_u: unknown) => lax.axisIndex("k"), { axisName: "k", axisSize: 3, inAxes: null })(0), [0, 1, 2], { dtype: "int32" });
});

test("allGather: stack of every element (new axis at `axis`), tiled concatenates; unbatched", () => {
  const xs = jnp.array([[1, 2], [3, 4], [5, 6], [7, 8]]);
  const stacked = [[1, 2], [3, 4], [5, 6], [7, 8]];
  close(V((x: A) => lax.allGather(x, "i"), { outAxes: null })(xs), stacked);
  close(V((x: A) => lax.allGather(x, "i", { axis: 1 }), { outAxes: null })(xs), [[1, 3, 5, 7], [2, 4, 6, 8]]);
  close(V((x: A) => lax.allGather(x, "i", { axis: -1 }), { outAxes: null })(xs), [[1, 3, 5, 7], [2, 4, 6, 8]]); // -1 counts in the output rank
  close(V((x: A) => lax.allGather(x, "i", { tiled: true }), { outAxes: null })(xs), [1, 2, 3, 4, 5, 6, 7, 8]);
  close(V((x: A) => lax.allGather(x, "i"), { outAxes: null })(X4), [1.5, -2, 3.25, 0.5]);
  close(V((x: A) => lax.allGather(x, "i"))(jnp.array([1, 2, 3, 4])).get(2), [1, 2, 3, 4]);
  // a value that is not batched gathers n copies
  close(V((_x: A, c: A) => lax.allGather(c, "i"), { inAxes: [0, null], outAxes: null })(X4, jnp.array(5)), [5, 5, 5, 5]);
});

test("ppermute: dst receives src's value, non-destinations receive zeros; batched", () => {
  close(V((x: A) => lax.ppermute(x, "i", [[0, 1], [1, 2], [2, 3]]))(X4), [0, 1.5, -2, 3.25]);
  close(V((x: A) => lax.ppermute(x, "i", [[0, 1], [1, 2], [2, 3], [3, 0]]))(X4), [0.5, 1.5, -2, 3.25]);
  close(V((x: A) => lax.ppermute(x, "i", [[3, 0]]))(M4), [[12, 13, 14, 15], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], { dtype: "int32" });
  close(V((x: A) => lax.ppermute(x, "i", []))(X4), [0, 0, 0, 0]);
  // pshuffle: element i receives x[perm[i]]
  close(V((x: A) => lax.pshuffle(x, "i", [3, 0, 1, 2]))(X4), [0.5, 1.5, -2, 3.25]);
});

test("psumScatter: block i of the psum on element i (untiled: row i, tiled: a block)", () => {
  // psum of the rows of M4 is [24, 28, 32, 36]
  close(V((x: A) => lax.psumScatter(x, "i"))(M4), [24, 28, 32, 36], { dtype: "int32" });
  const m8 = jnp.arange(32).reshape([4, 8]); // psum = [48, 52, ..., 76]
  close(V((x: A) => lax.psumScatter(x, "i", { tiled: true }))(m8), [[48, 52], [56, 60], [64, 68], [72, 76]], { dtype: "int32" });
  // scatterDimension 1 of a per-example [2, 4]: element i gets column i of the psum
  const t = jnp.arange(32).reshape([4, 2, 4]); // psum = [[48,52,56,60],[64,68,72,76]]
  close(V((x: A) => lax.psumScatter(x, "i", { scatterDimension: 1 }))(t), [[48, 64], [52, 68], [56, 72], [60, 76]], { dtype: "int32" });
});

test("allToAll: element i gets block i of every element j, at position j of concatAxis", () => {
  // untiled, split 0 concat 0: out_i[j] = x_j[i] (a transpose of the stacked rows)
  close(V((x: A) => lax.allToAll(x, "i", 0, 0))(M4), [[0, 4, 8, 12], [1, 5, 9, 13], [2, 6, 10, 14], [3, 7, 11, 15]], { dtype: "int32" });
  // per-example [4, 2], split 0, concat 1: out_i[c, j] = x_j[i, c]
  const t = jnp.arange(32).reshape([4, 4, 2]);
  const r = V((x: A) => lax.allToAll(x, "i", 0, 1))(t);
  assert.deepEqual(r.shape, [4, 2, 4]);
  const tv = vals(t);
  const rv = vals(r);
  for (let i = 0; i < 4; i++) for (let c = 0; c < 2; c++) for (let j = 0; j < 4; j++) assert.equal(rv[i * 8 + c * 4 + j], tv[j * 8 + i * 2 + c]);
  // tiled: per-example [8] split into 4 blocks of 2, concatenated along the same axis
  const m8 = jnp.arange(32).reshape([4, 8]);
  close(V((x: A) => lax.allToAll(x, "i", 0, 0, { tiled: true }))(m8), [
    [0, 1, 8, 9, 16, 17, 24, 25],
    [2, 3, 10, 11, 18, 19, 26, 27],
    [4, 5, 12, 13, 20, 21, 28, 29],
    [6, 7, 14, 15, 22, 23, 30, 31],
  ], { dtype: "int32" });
});

test("a collective of a batched value over another vmap's name keeps the batch dim", () => {
  // inner vmap 'j' over columns; psum over the outer 'i' only
  const x = jnp.arange(6).reshape([2, 3]);
  const r = vmap(vmap((v: A) => lax.psum(v, "i"), { axisName: "j" }), { axisName: "i" })(x);
  close(r, [[3, 5, 7], [3, 5, 7]], { dtype: "int32" });
  const g = vmap(vmap((v: A) => lax.allGather(v, "i"), { axisName: "j" }), { axisName: "i" })(x);
  close(g, [[[0, 3], [1, 4], [2, 5]], [[0, 3], [1, 4], [2, 5]]], { dtype: "int32" });
  const p = vmap(vmap((v: A) => lax.ppermute(v, "i", [[0, 1], [1, 0]]), { axisName: "j" }), { axisName: "i" })(x);
  close(p, [[3, 4, 5], [0, 1, 2]], { dtype: "int32" });
  // and an unbatched value over an outer name, under an inner vmap
  const q = vmap((a: A) => vmap((b: A) => lax.psum(a, "i").add(b), { axisName: "j" })(jnp.array([10, 20])), { axisName: "i" })(jnp.array([1, 2, 3]));
  close(q, [[16, 26], [16, 26], [16, 26]]);
});

// ---------------------------------------------------------------- arrays of names (2 × 3)
const X23 = jnp.array([[1, 7, -3], [4, 0.5, 2]]);
const nested = (f: (x: A) => A) => vmap(vmap(f, { axisName: "j" }), { axisName: "i" });
const flat6 = (f: (x: A) => A, x: A) => {
  const r = vmap(f, { axisName: "k" })(x.reshape([6, ...x.shape.slice(2)]));
  return r.reshape([2, 3, ...r.shape.slice(1)]);
};

test("arrays of names act on the product of the axes, row-major (first name most significant)", () => {
  close(nested(() => lax.axisIndex(["i", "j"]))(X23), [[0, 1, 2], [3, 4, 5]], { dtype: "int32" });
  close(nested(() => lax.axisIndex(["j", "i"]))(X23), [[0, 2, 4], [1, 3, 5]], { dtype: "int32" });
  close(nested((x) => lax.psum(x, ["i", "j"]))(X23), [[11.5, 11.5, 11.5], [11.5, 11.5, 11.5]]);
  close(nested((x) => lax.pmax(x, ["i", "j"]))(X23).get(1, 2), 7);
  close(nested((x) => lax.pmin(x, ["j", "i"]))(X23).get(0, 0), -3);
  close(nested((x) => lax.pmean(x, ["i", "j"]))(X23).get(0, 1), 11.5 / 6);
  close(nested((x) => lax.allGather(x, ["i", "j"]))(X23).get(1, 1), [1, 7, -3, 4, 0.5, 2]);
  close(nested((x) => lax.allGather(x, ["j", "i"]))(X23).get(0, 2), [1, 4, 7, 0.5, -3, 2]);
  assert.equal(nested(() => jnp.array(lax.axisSize(["i", "j"])))(X23).get(0, 0).item(), 6);
  close(nested(() => lax.psum(jnp.array(1), ["i", "j"]))(X23).get(1, 0), 6);
});

test("every collective over ['i', 'j'] (nested 2 × 3) equals the same over one flat axis of size 6", () => {
  const x = jnp.arange(6 * 12).reshape([2, 3, 12]).astype("float32").mul(0.5).sub(7);
  const ij = (f: (x: A, n: string[] | string) => A) => same(nested((v) => f(v, ["i", "j"]))(x), flat6((v) => f(v, "k"), x), 1e-6, f.toString());
  ij((v, n) => lax.psum(v, n));
  ij((v, n) => lax.pmean(v, n));
  ij((v, n) => lax.pmax(v, n));
  ij((v, n) => lax.pmin(v, n));
  ij((_v, n) => lax.axisIndex(n));
  ij((v, n) => lax.allGather(v, n));
  ij((v, n) => lax.allGather(v, n, { axis: 1 }));
  ij((v, n) => lax.allGather(v, n, { tiled: true }));
  ij((v, n) => lax.ppermute(v, n, [[0, 3], [3, 5], [5, 0], [1, 2]]));
  ij((v, n) => lax.pshuffle(v, n, [5, 4, 3, 2, 1, 0]));
  ij((v, n) => lax.psumScatter(v, n, { tiled: true }));
  ij((v, n) => lax.psumScatter(v.reshape([6, 2]), n));
  ij((v, n) => lax.allToAll(v, n, 0, 0, { tiled: true }));
  ij((v, n) => lax.allToAll(v.reshape([6, 2]), n, 0, 1));
  ij((v, n) => lax.allToAll(v.reshape([2, 6]), n, 1, 0));
});

test("inner names shadow outer ones", () => {
  const x = jnp.array([[1, 2, 3], [10, 20, 30]]);
  // both vmaps are named 'i': psum sees the inner one (the rows of 3)
  close(vmap(vmap((v: A) => lax.psum(v, "i"), { axisName: "i" }), { axisName: "i" })(x), [[6, 6, 6], [60, 60, 60]]);
  close(vmap(vmap((_v: A) => lax.axisIndex("i"), { axisName: "i" }), { axisName: "i" })(x), [[0, 1, 2], [0, 1, 2]], { dtype: "int32" });
  // an outer-batched value under an inner vmap of the same name: n_inner · v
  close(vmap((a: A) => vmap(() => lax.psum(a, "i"), { axisName: "i", axisSize: 3, inAxes: null, outAxes: null })(), { axisName: "i" })(jnp.array([1, 2])), [3, 6]);
});

// ---------------------------------------------------------------- jit
test("collectives under jit inside vmap, and vmap of jit", () => {
  const f = (x: A) => lax.psum(x, "i").mul(lax.axisIndex("i")).add(lax.allGather(x, "i").sum());
  const expected = V(f)(X4);
  close(expected, [3.25, 6.5, 9.75, 13]);
  const jf = jit(f);
  same(V((x: A) => jf(x))(X4), expected, 1e-6, "jit inside vmap");
  same(V(jf)(X4), expected, 1e-6, "vmap of jit");
  same(V(jit((x: A) => lax.ppermute(x, "i", [[0, 1], [1, 2], [2, 3], [3, 0]])))(X4), V((x: A) => lax.ppermute(x, "i", [[0, 1], [1, 2], [2, 3], [3, 0]]))(X4));
  same(V(jit((x: A) => lax.psumScatter(x, "i")))(M4), V((x: A) => lax.psumScatter(x, "i"))(M4));
  same(V(jit((x: A) => lax.allToAll(x, "i", 0, 0)))(M4), V((x: A) => lax.allToAll(x, "i", 0, 0))(M4));
  // a jitted function using a collective of a constant / of no operand
  close(V(jit(() => lax.axisIndex("i")))(X4), [0, 1, 2, 3], { dtype: "int32" });
  close(V(jit((x: A) => x.add(lax.psum(1, "i"))))(X4), [5.5, 2, 7.25, 4.5]);
  close(V((x: A) => jit((y: A) => y.add(lax.psum(2, "i")))(x))(X4), [9.5, 6, 11.25, 8.5]);
  // nested names under jit
  const xs = jnp.arange(6).reshape([2, 3]);
  same(nested(jit((v: A) => lax.psum(v, ["i", "j"]).add(lax.axisIndex(["i", "j"]))))(xs), nested((v: A) => lax.psum(v, ["i", "j"]).add(lax.axisIndex(["i", "j"])))(xs), 0);
});

test("the traced program does not depend on the batch size", () => {
  const f = (x: A) => lax.ppermute(lax.psum(x, "i").add(lax.allGather(x, "i").sum()), "i", [[0, 1]]).add(lax.axisIndex("i"));
  const n4 = makeJaxpr(V(f))(jnp.zeros([4, 3])).toString();
  const n9 = makeJaxpr(V(f))(jnp.zeros([9, 3])).toString();
  assert.equal(n4.split("\n").length, n9.split("\n").length);
});

// ---------------------------------------------------------------- differentiation
/** Central finite differences of a scalar function of one float32 array. */
function fdGrad(f: (x: A) => A, x: A, eps = 1e-2): number[] {
  const base = Float32Array.from(vals(x));
  return Array.from(base, (_, k) => {
    const p = Float32Array.from(base);
    const m = Float32Array.from(base);
    p[k] = p[k]! + eps;
    m[k] = m[k]! - eps;
    return (Number(f(jnp.array(p).reshape(x.shape)).item()) - Number(f(jnp.array(m).reshape(x.shape)).item())) / (2 * eps);
  });
}
function checkGrad(f: (x: A) => A, x: A, what: string, tol = 2e-2): void {
  const g = vals(grad(f)(x));
  const n = fdGrad(f, x);
  g.forEach((v, i) => assert.ok(Math.abs(v - n[i]!) <= tol * (1 + Math.abs(n[i]!)), `${what}: d/dx[${i}]: grad ${v} vs finite differences ${n[i]}`));
}
const W = (shape: number[]) => jnp.sin(jnp.arange(shape.reduce((a, b) => a * b, 1)).astype("float32").mul(1.7).add(0.3)).reshape(shape);

test("grad through every differentiable collective matches finite differences", () => {
  const x = jnp.array([[0.3, -1.2, 0.8, 2.0], [1.1, 0.4, -0.7, 0.2], [-0.5, 0.9, 1.3, -1.8], [0.6, -0.1, 0.05, 1.4]]);
  const loss = (c: (v: A) => A, outShape: number[]) => (xs: A) => jnp.sum(V((v: A) => c(jnp.sin(v)))(xs).mul(W(outShape)));
  const cases: [string, (v: A) => A, number[]][] = [
    ["psum", (v) => lax.psum(v, "i"), [4, 4]],
    ["pmean", (v) => lax.pmean(v, "i"), [4, 4]],
    ["pmax", (v) => lax.pmax(v, "i"), [4, 4]],
    ["pmin", (v) => lax.pmin(v, "i"), [4, 4]],
    ["allGather", (v) => lax.allGather(v, "i"), [4, 4, 4]],
    ["allGather tiled", (v) => lax.allGather(v, "i", { tiled: true }), [4, 16]],
    ["ppermute", (v) => lax.ppermute(v, "i", [[0, 2], [2, 1], [1, 0]]), [4, 4]],
    ["psumScatter", (v) => lax.psumScatter(v, "i"), [4]],
    ["psumScatter tiled", (v) => lax.psumScatter(v, "i", { tiled: true }), [4, 1]],
    ["allToAll", (v) => lax.allToAll(v, "i", 0, 0), [4, 4]],
    ["allToAll tiled", (v) => lax.allToAll(v.reshape([1, 4]), "i", 1, 0, { tiled: true }), [4, 4, 1]],
  ];
  for (const [name, c, shape] of cases) checkGrad(loss(c, shape), x, name);
});

test("grad through collectives equals the same computation written without collectives", () => {
  const x = jnp.array([0.3, -1.2, 0.8, 2.0]);
  const w = jnp.array([1.0, -2.0, 0.5, 3.0]);
  // psum: every element gets sum(x) -> sum_i w_i * sum(x)
  const withC = (xs: A) => jnp.sum(V((v: A) => lax.psum(jnp.sin(v), "i"))(xs).mul(w));
  const without = (xs: A) => jnp.sum(jnp.sum(jnp.sin(xs)).mul(w));
  same(grad(withC)(x), grad(without)(x), 1e-5, "psum");
  // ppermute cyclic shift by one
  const perm: [number, number][] = [[0, 1], [1, 2], [2, 3], [3, 0]];
  const pWith = (xs: A) => jnp.sum(V((v: A) => lax.ppermute(v.mul(v), "i", perm))(xs).mul(w));
  const pWithout = (xs: A) => jnp.sum(jnp.roll(xs.mul(xs), 1).mul(w));
  same(grad(pWith)(x), grad(pWithout)(x), 1e-5, "ppermute");
  // allGather: element i sees the whole x; weights depend on the element index
  const gWith = (xs: A) => jnp.sum(V((v: A) => lax.allGather(jnp.exp(v), "i").mul(lax.axisIndex("i").add(1)))(xs));
  const gWithout = (xs: A) => jnp.sum(jnp.exp(xs)).mul(10);
  same(grad(gWith)(x), grad(gWithout)(x), 1e-4, "allGather");
});

test("per-example gradients follow the classic (pmap) transposes", () => {
  // psum^T = psum: grad(psum) is n on every element (C-142)
  close(V(grad((v: A) => lax.psum(v, "i")))(X4), [4, 4, 4, 4]);
  close(V(grad((v: A) => lax.pmean(v, "i")))(X4), [1, 1, 1, 1]);
  close(V(grad((v: A) => lax.psum(v.mul(v), "i")))(X4), [12, -16, 26, 4]);
  // ppermute^T = ppermute with the inverse permutation: sources get the ones, others zero
  close(V(grad((v: A) => lax.ppermute(v, "i", [[0, 1], [1, 2], [2, 3]])))(X4), [1, 1, 1, 0]);
  // allGather^T = psumScatter of the ones: n each
  close(V(grad((v: A) => jnp.sum(lax.allGather(v, "i"))))(X4), [4, 4, 4, 4]);
  // axisIndex has no tangent
  close(V(grad((v: A) => v.mul(lax.axisIndex("i"))))(X4), [0, 1, 2, 3]);
  // pmax splits the derivative among ties
  close(grad((xs: A) => jnp.sum(V((v: A) => lax.pmax(v, "i"))(xs)))(jnp.array([1, 4, 4, 2])), [0, 2, 2, 0]);
  close(grad((xs: A) => jnp.sum(V((v: A) => lax.pmin(v, "i"))(xs)))(jnp.array([1, 4, 3, 2])), [4, 0, 0, 0]);
  // grad of a jitted function with a collective, per example
  close(V(grad(jit((v: A) => lax.psum(v.mul(v), "i"))))(X4), [12, -16, 26, 4]);
});

test("jvp of linear collectives is the collective of the tangent", () => {
  const t = jnp.array([[1, 0, 2, 0], [0, 1, 0, 3], [5, 0, 0, 1], [0, 2, 1, 0]]);
  const x = W([4, 4]);
  for (const c of [
    (v: A) => lax.psum(v, "i"),
    (v: A) => lax.allGather(v, "i"),
    (v: A) => lax.ppermute(v, "i", [[1, 0], [3, 2]]),
    (v: A) => lax.psumScatter(v, "i"),
    (v: A) => lax.allToAll(v, "i", 0, 0),
  ]) {
    const [p, tout] = jvp(V(c), [x], [t]);
    same(p, V(c)(x), 0);
    same(tout, V(c)(t), 1e-6, c.toString());
  }
});

test("transposes: vjp of allGather is psumScatter, of psumScatter is allGather, of allToAll swaps axes", () => {
  const x = W([4, 4]);
  const ct = W([4, 4, 4]).mul(3);
  const vjpOf = (f: (v: A) => A, primal: A, c: A): A => {
    // d/dprimal sum(f(primal) * c) is the vjp of c
    return grad((p: A) => jnp.sum(V(f)(p).mul(c)))(primal);
  };
  same(vjpOf((v) => lax.allGather(v, "i"), x, ct), V((c: A) => lax.psumScatter(c, "i"))(ct), 1e-5, "allGather^T");
  const ct2 = W([4, 4]);
  same(vjpOf((v) => lax.psumScatter(v, "i"), W([4, 4, 4]), ct2), V((c: A) => lax.allGather(c, "i"))(ct2), 1e-5, "psumScatter^T");
  const y = W([4, 4, 2]);
  const ct3 = W([4, 2, 4]);
  same(vjpOf((v) => lax.allToAll(v, "i", 0, 1), y, ct3), V((c: A) => lax.allToAll(c, "i", 1, 0))(ct3), 1e-5, "allToAll^T");
});

test("grad of a mean loss over vmap with pmean equals grad of the plain mean", () => {
  const w0 = jnp.array([0.5, -1.0]);
  const xs = jnp.array([[1, 2], [3, -1], [0.5, 0.5], [2, 2]]);
  const ys = jnp.array([1, 0, 2, -1]);
  const perEx = (w: A, x: A, y: A) => jnp.square(jnp.dot(x, w).sub(y));
  const withPmean = (w: A) => V((x: A, y: A) => lax.pmean(perEx(w, x, y), "i"), { inAxes: [0, 0], outAxes: null })(xs, ys);
  const plain = (w: A) => jnp.mean(V((x: A, y: A) => perEx(w, x, y))(xs, ys));
  same(withPmean(w0), plain(w0), 1e-6, "value");
  same(grad(withPmean)(w0), grad(plain)(w0), 1e-5, "grad");
});

// ---------------------------------------------------------------- errors
test("an unbound axis name is an UnboundAxisNameError (NameError 'unbound axis name: X')", () => {
  assert.throws(() => lax.psum(X4, "i"), (e) => isNameError(e, "i"));
  assert.throws(() => lax.axisIndex("i"), (e) => isNameError(e, "i"));
  assert.throws(() => lax.allGather(X4, "i"), (e) => isNameError(e, "i"));
  assert.throws(() => lax.pmean(X4, "i"), (e) => isNameError(e, "i"));
  assert.throws(() => lax.axisSize("i"), (e) => isNameError(e, "i"));
  // misspelled inside a vmap (eager and under jit)
  assert.throws(() => V((x: A) => lax.psum(x, "j"))(X4), (e) => isNameError(e, "j"));
  assert.throws(() => V((x: A) => lax.pmax(x, ["i", "j"]))(X4), (e) => isNameError(e, "j"));
  assert.throws(() => V(() => lax.axisIndex("ii"))(X4), (e) => isNameError(e, "ii"));
  assert.throws(() => V(jit((x: A) => lax.psum(x, "j")))(X4), (e) => isNameError(e, "j"));
  assert.throws(() => jit((x: A) => lax.ppermute(x, "i", [[0, 1]]))(X4), (e) => isNameError(e, "i"));
  // an unnamed vmap binds no name
  assert.throws(() => vmap((x: A) => lax.psum(x, "i"))(X4), (e) => isNameError(e, "i"));
});

test("argument checks with JAX's messages", () => {
  assert.throws(() => V((x: A) => lax.ppermute(x, "i", 3 as never))(X4), TypeError);
  assert.throws(() => V((x: A) => lax.ppermute(x, "i", [[0, 1, 2]] as never))(X4), TypeError);
  assert.throws(
    () => V((x: A) => lax.ppermute(x, "i", [[0, 1], [0, 2]]))(X4),
    (e) => e instanceof errors.ValueError && /ppermute sources and destinations must be unique, got \(\(0, 1\), \(0, 2\)\)/.test((e as Error).message),
  );
  assert.throws(() => V((x: A) => lax.ppermute(x, "i", [[1, 0], [2, 0]]))(X4), /must be unique/);
  assert.throws(() => V((x: A) => lax.ppermute(x, "i", [[0, 4]]))(X4), /range\(0, 4\)/);
  assert.throws(() => V((x: A) => lax.pshuffle(x, "i", [0, 0, 1, 2]))(X4), (e) => e instanceof errors.ValueError && /`perm` does not represent a permutation/.test((e as Error).message));
  assert.throws(() => V((x: A) => lax.psumScatter(x, "i"))(jnp.zeros([4, 3])), /reduce_scatter operand scatter dimension size 3 must match shard count 4/);
  assert.throws(() => V((x: A) => lax.psumScatter(x, "i", { tiled: true }))(jnp.zeros([4, 6])), /must be divisible by shard count 4/);
  assert.throws(() => V((x: A) => lax.allToAll(x, "i", 0, 0))(jnp.zeros([4, 3])), /all_to_all requires the size of the mapped axis axis_name to equal x.shape\[split_axis\], but they are 4 and 3/);
  assert.throws(() => V((x: A) => lax.allGather(x, "i", { axis: 2 }))(X4.reshape([4, 1])), /out of bounds/);
  assert.throws(() => V((x: A) => lax.psum(x, "i", { axisIndexGroups: [[0, 1], [2, 3]] }))(X4), (e) => e instanceof errors.NotImplementedError && /axis_index_groups not supported in vmap collectives/.test((e as Error).message));
  assert.throws(() => V((x: A) => lax.psum(x, 3 as never))(X4), TypeError);
});

// ---------------------------------------------------------------- higher-order primitives with unbatched operands
// The higher-order primitives (pjit, cond, while, scan, checkpoint, xla_pmap) declare the axis
// names used in their bodies (`namedAxes: paramsAxisNames`), so that the vmap of those names
// batches their bodies even when no operand is batched.
test("a collective inside a jit / scan whose operands are all unbatched", () => {
  const inner = jit((c: A) => lax.axisIndex("i").astype("float32").mul(c));
  close(V((x: A) => inner(2.0).add(x))(X4), [1.5, 0, 7.25, 6.5]);
  close(V((x: A) => jit((y: A) => inner(2.0).add(y))(x))(X4), [1.5, 0, 7.25, 6.5]);
  const carry = V(() => lax.scan((c: A, _x: A) => [c.add(lax.axisIndex("i")), c], jnp.array(0, "int32"), jnp.zeros([3]))[0])(X4);
  close(carry, [0, 3, 6, 9], { dtype: "int32" });
});

// ---------------------------------------------------------------- pmap agrees with vmap
let haveDevices = false;
try {
  config.update("numCpuDevices", 4);
  haveDevices = deviceCount() >= 4;
} catch {
  haveDevices = false;
}

test("pmap gives the results of vmap for every collective", { skip: haveDevices ? false : "needs 4 CPU devices (JAXTS_NUM_CPU_DEVICES=4)" }, () => {
  const fs: ((x: A) => A)[] = [
    (x) => lax.psum(x, "i"),
    (x) => lax.pmean(x, "i"),
    (x) => lax.pmax(x, "i"),
    (x) => lax.pmin(x, "i"),
    () => lax.axisIndex("i"),
    (x) => lax.allGather(x, "i", { axis: 1 }),
    (x) => lax.ppermute(x, "i", [[0, 1], [1, 2], [2, 3]]),
    (x) => lax.pshuffle(x, "i", [2, 3, 0, 1]),
    (x) => lax.psumScatter(x, "i"),
    (x) => lax.allToAll(x, "i", 0, 0),
    () => lax.psum(jnp.array(1), "i"),
  ];
  for (const f of fs) same(pmap(f, { axisName: "i" })(M4.astype("float32")), V(f)(M4.astype("float32")), 1e-6, f.toString());
  // vmap inside pmap, names of both
  const xs = jnp.arange(8).reshape([4, 2]).astype("float32");
  const g = (x: A) => lax.psum(x, ["i", "j"]).add(lax.axisIndex(["i", "j"]));
  same(pmap(vmap(g, { axisName: "j" }), { axisName: "i" })(xs), vmap(vmap(g, { axisName: "j" }), { axisName: "i" })(xs), 1e-6, "pmap of vmap");
  // grad through pmap with collectives
  const loss = (ys: A) => jnp.sum(pmap((x: A) => lax.psum(jnp.sin(x), "i").mul(lax.ppermute(x, "i", [[0, 3], [3, 0]])), { axisName: "i" })(ys));
  const lossV = (ys: A) => jnp.sum(V((x: A) => lax.psum(jnp.sin(x), "i").mul(lax.ppermute(x, "i", [[0, 3], [3, 0]])))(ys));
  same(grad(loss)(X4), grad(lossV)(X4), 1e-5, "grad pmap");
});
