// indexing.test.ts — the gather/scatter primitives (values, out-of-range rules, jvp against
// finite differences, transpose by the dot-product test, vmap against a loop of slices) and
// numpy indexing: x.get / x.at(...).set/add/mul/min/max/get, jnp.take, jnp.takeAlongAxis.
// Expected values of index expressions were computed with numpy 2.x on arange(24) [2,3,4];
// out-of-range cases follow JAX (gathers clamp, scatters drop, take fills with NaN).
import { test } from "node:test";
import assert from "node:assert/strict";
import { errors, grad, jacfwd, jacrev, jit, jnp, jvp, vjp, vmap } from "../../src/index.js";
import type { Array as JArray } from "../../src/index.js";
import { gather, scatter, type ScatterMode } from "../../src/primitives/indexing.js";
import { fromFlat, sliceAxis, stackAxis, toFlat } from "../harness/host.js";

// ---------------------------------------------------------------- helpers
/** Deterministic pseudo-random float64 data in [-1, 1). */
function rand(shape: number[], seed: number): JArray {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const d: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    d.push(s / 2 ** 31 - 1);
  }
  return fromFlat(d, shape, "float64");
}
const i32 = (d: number[], shape: number[] = [d.length]): JArray => fromFlat(d, shape, "int32");
const f64 = (d: number[], shape: number[] = [d.length]): JArray => fromFlat(d, shape, "float64");
const dot = (a: JArray, b: JArray): number => {
  const x = toFlat(a);
  const y = toFlat(b);
  assert.equal(x.length, y.length);
  return x.reduce((s, v, i) => s + v * y[i]!, 0);
};
function close(a: number[], b: number[], tol = 1e-9, what = ""): void {
  assert.equal(a.length, b.length, `${what} length ${a.length} vs ${b.length}`);
  a.forEach((v, i) =>
    assert.ok(Math.abs(v - b[i]!) <= tol * (1 + Math.abs(b[i]!)) || (Number.isNaN(v) && Number.isNaN(b[i]!)), `${what} element ${i}: ${v} vs ${b[i]}`),
  );
}
const lin = (x: JArray, t: JArray, e: number): JArray => jnp.add(x, jnp.multiply(t, e));

/** jvp against central differences and vjp by <ct, J t> = <J^T ct, t>, in float64. */
function checkGrads(f: (...xs: JArray[]) => JArray, xs: JArray[], seed = 7): void {
  const ts = xs.map((x, i) => rand(x.shape, seed + 31 * i));
  const [y, ty] = jvp(f, xs, ts) as [JArray, JArray];
  close(toFlat(y), toFlat(f(...xs)), 1e-12, "primal");
  const e = 1e-6;
  const fp = toFlat(f(...xs.map((x, i) => lin(x, ts[i]!, e))));
  const fm = toFlat(f(...xs.map((x, i) => lin(x, ts[i]!, -e))));
  close(toFlat(ty), fp.map((v, i) => (v - fm[i]!) / (2 * e)), 1e-6, "jvp vs finite differences");
  const ct = rand(y.shape, seed + 1000);
  const [, pull] = vjp(f, ...xs);
  const cts = pull(ct) as JArray[];
  cts.forEach((c, i) => assert.deepEqual(c.shape, xs[i]!.shape));
  const lhs = dot(ct, ty);
  const rhs = cts.reduce((s, c, i) => s + dot(c, ts[i]!), 0);
  assert.ok(Math.abs(lhs - rhs) <= 1e-9 * (1 + Math.abs(lhs)), `dot-product test: ${lhs} vs ${rhs}`);
}

/** vmap(f) against a loop over slices (inAxes per arg, null = unbatched), stacked on axis 0. */
function checkVmap(f: (...xs: JArray[]) => JArray, xs: JArray[], inAxes: (number | null)[]): void {
  const k = inAxes.findIndex((a) => a !== null);
  const B = xs[k]!.shape[inAxes[k]!]!;
  const got = vmap(f, { inAxes })(...xs) as JArray;
  const want = stackAxis(
    Array.from({ length: B }, (_, b) => f(...xs.map((x, i) => (inAxes[i] === null ? x : sliceAxis(x, inAxes[i]!, b))))),
    0,
  );
  assert.deepEqual(got.shape, want.shape);
  assert.equal(got.dtype, want.dtype);
  close(toFlat(got), toFlat(want), 1e-12, "vmap vs loop");
}

const X = (): JArray => jnp.arange(24).reshape([2, 3, 4]);
const XF = (): JArray => jnp.arange(24).reshape([2, 3, 4]).astype("float32");

// ---------------------------------------------------------------- x.get: numpy expressions
const GET_CASES: [string, (x: JArray) => JArray, number[], unknown][] = [
["0", (x) => x.get(0), [3, 4], [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]],
  ["-1", (x) => x.get(-1), [3, 4], [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]]],
  ["1, 2", (x) => x.get(1, 2), [4], [20, 21, 22, 23]],
  ["1, 2, 3", (x) => x.get(1, 2, 3), [], 23],
  ["-1, -1, -1", (x) => x.get(-1, -1, -1), [], 23],
  ["\":\"", (x) => x.get(":"), [2, 3, 4], [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]]]],
  ["\":\", 1", (x) => x.get(":", 1), [2, 4], [[4, 5, 6, 7], [16, 17, 18, 19]]],
  ["\"...\", 1", (x) => x.get("...", 1), [2, 3], [[1, 5, 9], [13, 17, 21]]],
  ["\"...\", \"::-1\"", (x) => x.get("...", "::-1"), [2, 3, 4], [[[3, 2, 1, 0], [7, 6, 5, 4], [11, 10, 9, 8]], [[15, 14, 13, 12], [19, 18, 17, 16], [23, 22, 21, 20]]]],
  ["1, \"::2\", \"1:3\"", (x) => x.get(1, "::2", "1:3"), [2, 2], [[13, 14], [21, 22]]],
  ["\"::-1\", \"::-2\"", (x) => x.get("::-1", "::-2"), [2, 2, 4], [[[20, 21, 22, 23], [12, 13, 14, 15]], [[8, 9, 10, 11], [0, 1, 2, 3]]]],
  ["\"...\", \"-3:\"", (x) => x.get("...", "-3:"), [2, 3, 3], [[[1, 2, 3], [5, 6, 7], [9, 10, 11]], [[13, 14, 15], [17, 18, 19], [21, 22, 23]]]],
  ["\":\", \":-1\"", (x) => x.get(":", ":-1"), [2, 2, 4], [[[0, 1, 2, 3], [4, 5, 6, 7]], [[12, 13, 14, 15], [16, 17, 18, 19]]]],
  ["\":\", \"2:\"", (x) => x.get(":", "2:"), [2, 1, 4], [[[8, 9, 10, 11]], [[20, 21, 22, 23]]]],
  ["\":\", \"5:\"", (x) => x.get(":", "5:"), [2, 0, 4], [[], []]],
  ["\":\", \":\", \"3:0:-1\"", (x) => x.get(":", ":", "3:0:-1"), [2, 3, 3], [[[3, 2, 1], [7, 6, 5], [11, 10, 9]], [[15, 14, 13], [19, 18, 17], [23, 22, 21]]]],
  ["\":\", \":\", \"-1:-5:-2\"", (x) => x.get(":", ":", "-1:-5:-2"), [2, 3, 2], [[[3, 1], [7, 5], [11, 9]], [[15, 13], [19, 17], [23, 21]]]],
  ["\":\", \":\", \"10:-10:-1\"", (x) => x.get(":", ":", "10:-10:-1"), [2, 3, 4], [[[3, 2, 1, 0], [7, 6, 5, 4], [11, 10, 9, 8]], [[15, 14, 13, 12], [19, 18, 17, 16], [23, 22, 21, 20]]]],
  ["null", (x) => x.get(null), [1, 2, 3, 4], [[[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]]]]],
  ["null, 0, \":\", null", (x) => x.get(null, 0, ":", null), [1, 3, 1, 4], [[[[0, 1, 2, 3]], [[4, 5, 6, 7]], [[8, 9, 10, 11]]]]],
  ["\"...\", null", (x) => x.get("...", null), [2, 3, 4, 1], [[[[0], [1], [2], [3]], [[4], [5], [6], [7]], [[8], [9], [10], [11]]], [[[12], [13], [14], [15]], [[16], [17], [18], [19]], [[20], [21], [22], [23]]]]],
  ["0, \"...\", 0, null", (x) => x.get(0, "...", 0, null), [3, 1], [[0], [4], [8]]],
  ["[1, 0]", (x) => x.get([1, 0]), [2, 3, 4], [[[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]], [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]]],
  ["[[0], [1]], [0, 2]", (x) => x.get([[0], [1]], [0, 2]), [2, 2, 4], [[[0, 1, 2, 3], [8, 9, 10, 11]], [[12, 13, 14, 15], [20, 21, 22, 23]]]],
  ["[0, 1], [1, 2]", (x) => x.get([0, 1], [1, 2]), [2, 4], [[4, 5, 6, 7], [20, 21, 22, 23]]],
  ["0, \":\", [0, 1]", (x) => x.get(0, ":", [0, 1]), [2, 3], [[0, 4, 8], [1, 5, 9]]],
  ["\":\", [0, 2], [1, 3]", (x) => x.get(":", [0, 2], [1, 3]), [2, 2], [[1, 11], [13, 23]]],
  ["[0, 1], \":\", [1, 3]", (x) => x.get([0, 1], ":", [1, 3]), [2, 3], [[1, 5, 9], [15, 19, 23]]],
  ["[1, 0], null, [2, 1]", (x) => x.get([1, 0], null, [2, 1]), [2, 1, 4], [[[20, 21, 22, 23]], [[4, 5, 6, 7]]]],
  ["\":\", [[2, 0], [1, 1]]", (x) => x.get(":", [[2, 0], [1, 1]]), [2, 2, 2, 4], [[[[8, 9, 10, 11], [0, 1, 2, 3]], [[4, 5, 6, 7], [4, 5, 6, 7]]], [[[20, 21, 22, 23], [12, 13, 14, 15]], [[16, 17, 18, 19], [16, 17, 18, 19]]]]],
  ["\"...\", [3, -1, 0]", (x) => x.get("...", [3, -1, 0]), [2, 3, 3], [[[3, 3, 0], [7, 7, 4], [11, 11, 8]], [[15, 15, 12], [19, 19, 16], [23, 23, 20]]]],
  ["1, [0, 2], \"::-1\"", (x) => x.get(1, [0, 2], "::-1"), [2, 4], [[15, 14, 13, 12], [23, 22, 21, 20]]],
  ["[-1, -2]", (x) => x.get([-1, -2]), [2, 3, 4], [[[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]], [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]]],
  ["\":\", 1, [0, 3]", (x) => x.get(":", 1, [0, 3]), [2, 2], [[4, 7], [16, 19]]],
  ["[0, 1], \"...\", 2", (x) => x.get([0, 1], "...", 2), [2, 3], [[2, 6, 10], [14, 18, 22]]],
  ["\":\", [], 0", (x) => x.get(":", [], 0), [2, 0], [[], []]],
  ["\"1:\", [2, 0], \"1::2\"", (x) => x.get("1:", [2, 0], "1::2"), [1, 2, 2], [[[21, 23], [13, 15]]]],
];

test("x.get matches numpy on arange(24) [2,3,4] for basic, advanced and mixed indices", () => {
  for (const [what, f, shape, value] of GET_CASES) {
    const y = f(X());
    assert.deepEqual(y.shape, shape, `x[${what}] shape`);
    assert.equal(y.dtype, "int32", `x[${what}] dtype`);
    assert.deepEqual(y.tolist(), value, `x[${what}] values`);
  }
});

test("x.get with Array indices (int32, uint32, 0-d) and no index", () => {
  const x = X();
  assert.deepEqual(x.get().tolist(), x.tolist());
  assert.deepEqual(x.get(jnp.array([1, 0], "int32"), 2, jnp.array(3, "int32")).tolist(), [23, 11]);
  assert.deepEqual(x.get(jnp.array(-1, "int32")).tolist(), x.get(1).tolist());
  assert.deepEqual(x.get(0, jnp.array([2, 1], "uint32")).tolist(), [[8, 9, 10, 11], [4, 5, 6, 7]]);
  // a 0-d Array alone indexes like an integer; with another array it is advanced too, so the
  // two separated advanced indices put their (broadcast) dim first, as numpy's x[1, :, [0, 3]]
  assert.deepEqual(x.get(jnp.array(1, "int32"), ":", jnp.array([0, 3], "int32")).tolist(), [[12, 16, 20], [15, 19, 23]]);
  assert.deepEqual(x.get(1, ":", [0, 3]).tolist(), [[12, 16, 20], [15, 19, 23]]);
  assert.deepEqual(x.at(1, 2).get().tolist(), [20, 21, 22, 23]);
});

test("x.get keeps dtype and weak type; slices of float arrays", () => {
  const w = jnp.array(2.5); // weak float32 scalar
  assert.equal(w.get().weakType, true);
  const y = jnp.array([[1, 2], [3, 4]]).get(":", "::-1");
  assert.equal(y.dtype, "float32");
  assert.deepEqual(y.tolist(), [[2, 1], [4, 3]]);
  const b = jnp.array([true, false, true]).get([2, 1]);
  assert.equal(b.dtype, "bool");
  assert.deepEqual(b.tolist(), [true, false]);
});

test("boolean masks: Array masks, JS boolean arrays, partial masks, scalar bools", () => {
  const x = X();
  assert.deepEqual(x.get(x.gt(20)).tolist(), [21, 22, 23]);
  const m2 = jnp.array([[true, false, true], [false, false, true]]);
  assert.deepEqual(x.get(m2).shape, [3, 4]);
  assert.deepEqual(x.get(m2, 0).tolist(), [0, 8, 20]);
  assert.deepEqual(x.get(":", [false, true, true], "::3").tolist(), [[[4, 7], [8, 11]], [[16, 19], [20, 23]]]);
  assert.deepEqual(x.get(jnp.array(true)).shape, [1, 2, 3, 4]);
  assert.deepEqual(x.get(jnp.array(false)).shape, [0, 2, 3, 4]);
  const z = XF().at(XF().lt(3)).set(-1);
  assert.deepEqual(z.get(0, 0).tolist(), [-1, -1, -1, 3]);
  assert.throws(
    () => x.get(jnp.array([true, false, true])),
    (e: Error) => e instanceof RangeError && /boolean index did not match/.test(e.message) && /got mask of shape \[3\], expected \[2\]/.test(e.message),
  );
  assert.throws(() => x.get(":", jnp.array([true, false])), /got mask of shape \[2\], expected \[3\]/);
});

test("boolean masks need concrete values: NonConcreteBooleanIndexError under jit and vmap", () => {
  const f = (x: JArray) => x.get(x.gt(0));
  assert.throws(() => jit(f)(jnp.array([1, -1, 2])), (e: Error) => e instanceof errors.NonConcreteBooleanIndexError && /Array boolean indices must be concrete/.test(e.message));
  assert.throws(() => vmap(f)(jnp.array([[1, -1], [2, 3]])), errors.NonConcreteBooleanIndexError);
  // under grad (no jit) the mask is concrete and the gradient flows to the selected elements
  const g = grad((x: JArray) => jnp.sum(x.get(x.gt(0))))(jnp.array([1, -1, 2])) as JArray;
  assert.deepEqual(g.tolist(), [1, 0, 1]);
});

// ---------------------------------------------------------------- out of range
test("out-of-range gathers clamp (static ints, negative ints wrap once first, arrays)", () => {
  const x = X();
  assert.deepEqual(x.get(5).tolist(), x.get(1).tolist());
  assert.deepEqual(x.get(-7).tolist(), x.get(0).tolist()); // -7 + 2 = -5 -> clamped to 0
  assert.deepEqual(x.get(0, 0, 99).item(), 3);
  const a = jnp.arange(4);
  assert.deepEqual(a.get([0, 5, -1, -9, 3]).tolist(), [0, 3, 3, 0, 3]);
  assert.deepEqual(a.get(jnp.array([7, -2], "int32")).tolist(), [3, 2]);
  assert.deepEqual(a.at(9).get().item(), 3);
  // slices clip their bounds as Python does
  assert.deepEqual(a.get("2:100").tolist(), [2, 3]);
  assert.deepEqual(a.get("-100:1").tolist(), [0]);
  assert.deepEqual(a.get("100:").tolist(), []);
});

test("out-of-range scatters are dropped", () => {
  const a = jnp.arange(4);
  assert.deepEqual(a.at([0, 5, -9]).set(9).tolist(), [9, 1, 2, 3]);
  assert.deepEqual(a.at(7).add(1).tolist(), [0, 1, 2, 3]);
  assert.deepEqual(a.at(-1).add(10).tolist(), [0, 1, 2, 13]);
  assert.deepEqual(a.at(-5).set(10).tolist(), [0, 1, 2, 3]);
  const x = X().at([0, 2], 3).set(jnp.array([[-1, -2, -3, -4], [-5, -6, -7, -8]], "int32"));
  assert.deepEqual(x.tolist(), X().tolist()); // axis 1 has size 3: both rows out of range
});

// ---------------------------------------------------------------- x.at updates
const AT_CASES: [string, (x: JArray) => JArray, unknown][] = [
  ["0, 1 .set(100)", (x) => x.at(0, 1).set(100), [[[0, 1, 2, 3], [100, 100, 100, 100], [8, 9, 10, 11]], [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]]]],
  ["\":\", \":\", \"::2\" .set(-1)", (x) => x.at(":", ":", "::2").set(-1), [[[-1, 1, -1, 3], [-1, 5, -1, 7], [-1, 9, -1, 11]], [[-1, 13, -1, 15], [-1, 17, -1, 19], [-1, 21, -1, 23]]]],
  ["1, \"::-1\", 0 .set(jnp.array([7, 8, 9]))", (x) => x.at(1, "::-1", 0).set(jnp.array([7, 8, 9])), [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], [[9, 13, 14, 15], [8, 17, 18, 19], [7, 21, 22, 23]]]],
  ["[0, 0, 1], 2, [1, 1, 3] .add(jnp.array([1, 2, 3]))", (x) => x.at([0, 0, 1], 2, [1, 1, 3]).add(jnp.array([1, 2, 3])), [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 12, 10, 11]], [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 26]]]],
  ["[0, 0, 1], 2, [1, 1, 3] .set(jnp.array([1, 2, 3]))", (x) => x.at([0, 0, 1], 2, [1, 1, 3]).set(jnp.array([1, 2, 3])), [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 2, 10, 11]], [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 3]]]],
  ["[1, 1], [0, 0] .add(10)", (x) => x.at([1, 1], [0, 0]).add(10), [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], [[32, 33, 34, 35], [16, 17, 18, 19], [20, 21, 22, 23]]]],
  ["\":\", [2, 0, 2] .mul(2)", (x) => x.at(":", [2, 0, 2]).mul(2), [[[0, 2, 4, 6], [4, 5, 6, 7], [32, 36, 40, 44]], [[24, 26, 28, 30], [16, 17, 18, 19], [80, 84, 88, 92]]]],
  ["0, \":\", [0, 1] .set(jnp.array([[1, 2, 3], [4, 5, 6]]))", (x) => x.at(0, ":", [0, 1]).set(jnp.array([[1, 2, 3], [4, 5, 6]])), [[[1, 4, 2, 3], [2, 5, 6, 7], [3, 6, 10, 11]], [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]]]],
  ["null, 1, \"1:\", \"-2:\" .mul(jnp.array([[0.5], [0.25]]))", (x) => x.at(null, 1, "1:", "-2:").mul(jnp.array([[0.5], [0.25]])), [[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 9.0, 9.5], [20.0, 21.0, 5.5, 5.75]]]],
  ["\"...\", 1 .min(6)", (x) => x.at("...", 1).min(6), [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 6, 10, 11]], [[12, 6, 14, 15], [16, 6, 18, 19], [20, 6, 22, 23]]]],
  ["\"...\", 1 .max(6)", (x) => x.at("...", 1).max(6), [[[0, 6, 2, 3], [4, 6, 6, 7], [8, 9, 10, 11]], [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]]]],
  ["[1, 1, 0], [0, 0, 2], [3, 3, 3] .min(jnp.array([30, 10, 1]))", (x) => x.at([1, 1, 0], [0, 0, 2], [3, 3, 3]).min(jnp.array([30, 10, 1])), [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 1]], [[12, 13, 14, 10], [16, 17, 18, 19], [20, 21, 22, 23]]]],
  ["-1, -1 .set(jnp.array([4, 3, 2, 1]))", (x) => x.at(-1, -1).set(jnp.array([4, 3, 2, 1])), [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], [[12, 13, 14, 15], [16, 17, 18, 19], [4, 3, 2, 1]]]],
  ['"1:", [2, 0], "1::2" .set(...)', (x) => x.at("1:", [2, 0], "1::2").set(jnp.array([[[100, 101], [102, 103]]])), [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], [[12, 102, 14, 103], [16, 17, 18, 19], [20, 100, 22, 101]]]],
  ['[0, 1], "::2", [3, 0] .add(...)', (x) => x.at([0, 1], "::2", [3, 0]).add(jnp.array([[10, 20], [30, 40]])), [[[0, 1, 2, 13], [4, 5, 6, 7], [8, 9, 10, 31]], [[42, 13, 14, 15], [16, 17, 18, 19], [60, 21, 22, 23]]]],
  ['":", [[0], [2]], [1, 3] .set(...)', (x) => x.at(":", [[0], [2]], [1, 3]).set(jnp.arange(1, 9).reshape([2, 2, 2]).neg()), [[[0, -1, 2, -2], [4, 5, 6, 7], [8, -3, 10, -4]], [[12, -5, 14, -6], [16, 17, 18, 19], [20, -7, 22, -8]]]],
];

test("x.at(...).set/add/mul/min/max match numpy (ufunc.at for duplicates)", () => {
  for (const [what, f, value] of AT_CASES) {
    const y = f(XF());
    assert.deepEqual(y.shape, [2, 3, 4], what);
    assert.equal(y.dtype, "float32", what);
    assert.deepEqual(y.tolist(), value, what);
  }
});

test("x.at: duplicates accumulate for add, last wins for set; dtype and weak type of x are kept", () => {
  const z = jnp.zeros([3]);
  assert.deepEqual(z.at([0, 0, 0, 2]).add(1).tolist(), [3, 0, 1]);
  assert.deepEqual(z.at([1, 1, 1]).set(jnp.array([4, 5, 6])).tolist(), [0, 6, 0]);
  assert.deepEqual(jnp.ones([3]).at([1, 1]).mul(jnp.array([2, 3])).tolist(), [1, 6, 1]);
  // a float update into an int array is cast to int32; the result keeps x's dtype
  const r = jnp.arange(3).at(1).set(7.9);
  assert.equal(r.dtype, "int32");
  assert.deepEqual(r.tolist(), [0, 7, 2]);
  const w = jnp.array(1.5).at().add(jnp.array(2, "float32"));
  assert.equal(w.weakType, true);
  assert.equal(w.item(), 3.5);
  // bool arrays: add is or, mul is and
  const b = jnp.array([false, true, false]);
  assert.deepEqual(b.at([0, 0]).add(true).tolist(), [true, true, false]);
  assert.deepEqual(b.at(":").mul(false).tolist(), [false, false, false]);
  // x itself is not modified
  assert.deepEqual(z.tolist(), [0, 0, 0]);
  // integer add wraps like int32
  assert.deepEqual(jnp.array([2147483647], "int32").at(0).add(1).tolist(), [-2147483648]);
});

test("x.at with the update broadcast to the indexed shape", () => {
  const x = XF();
  assert.deepEqual(x.at(":", 0).set(jnp.array([1, 2, 3, 4])).get(":", 0).tolist(), [[1, 2, 3, 4], [1, 2, 3, 4]]);
  assert.deepEqual(x.at(0).set(jnp.array([[9], [8], [7]])).get(0, ":", 0).tolist(), [9, 8, 7]);
  assert.throws(
    () => x.at(0).set(jnp.array([1, 2, 3])),
    (e: Error) => e.name === "ValueError" && /\[3\]/.test(e.message) && /\[3, 4\]/.test(e.message),
  );
});

// ---------------------------------------------------------------- errors
test("index errors name the offending element, count or shape", () => {
  const x = X();
  assert.throws(() => x.get("1:2:3:4"), (e: Error) => e instanceof TypeError && e.message.includes('"1:2:3:4"'));
  assert.throws(() => x.get("a:b"), (e: Error) => e instanceof TypeError && e.message.includes('"a:b"'));
  assert.throws(() => x.get("3"), (e: Error) => e instanceof TypeError && e.message.includes('"3"'));
  assert.throws(() => x.get("::0"), (e: Error) => e.name === "ValueError" && /slice step cannot be zero/.test(e.message));
  assert.throws(() => x.get(0, 0, 0, 0), (e: Error) => e instanceof RangeError && /too many indices/.test(e.message) && /3-dimensional/.test(e.message) && /4 were indexed/.test(e.message));
  assert.throws(() => x.get(jnp.array([[true]]), 0, 0), /too many indices.*but 4 were indexed/);
  assert.throws(() => x.get("...", 0, "..."), (e: Error) => e instanceof RangeError && /single ellipsis/.test(e.message));
  assert.throws(() => x.get(1.5), (e: Error) => e instanceof TypeError && /integer or boolean/.test(e.message) && /1\.5/.test(e.message));
  assert.throws(() => x.get(jnp.array([0.5, 1])), (e: Error) => e instanceof TypeError && /float32/.test(e.message));
  assert.throws(() => x.get([0, 1.5]), TypeError);
  assert.throws(
    () => x.get([0, 1], [0, 1, 2]),
    (e: Error) => e instanceof RangeError && /could not be broadcast together/.test(e.message) && /\[2\] \[3\]/.test(e.message),
  );
  assert.throws(() => jnp.zeros([0, 2]).get(0), /out of bounds for axis 0 with size 0/);
  // the library keeps working after errors
  assert.deepEqual(x.get(1, 1, 1).item(), 17);
});

// ---------------------------------------------------------------- take, takeAlongAxis
test("jnp.take: flattening by default, axis, fill/clip/wrap modes (JAX's default is fill)", () => {
  const x = jnp.array([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(jnp.take(x, jnp.array([2, 0], "int32")).tolist(), [3, 1]);
  assert.deepEqual(jnp.take(x, [2, 0], 1).tolist(), [[3, 1], [6, 4]]);
  assert.deepEqual(jnp.take(x, [[0], [1]], 1).shape, [2, 2, 1]);
  assert.deepEqual(jnp.take(x, 1, 0).tolist(), [4, 5, 6]);
  // fill: out of range -> NaN for floats; negatives wrap once
  const t = toFlat(jnp.take(x, [2, 0], 0));
  assert.ok(t.slice(0, 3).every(Number.isNaN));
  assert.deepEqual(t.slice(3), [1, 2, 3]);
  assert.deepEqual((jnp.take(x, [-1, -6, -7], null).tolist() as number[]).map((v) => (Number.isNaN(v as number) ? "nan" : v)), [6, 1, "nan"]);
  assert.deepEqual(jnp.take(jnp.arange(3), [5]).tolist(), [-2147483648]);
  assert.deepEqual(jnp.take(x, [7], null, { fillValue: -1 }).tolist(), [-1]);
  assert.deepEqual(jnp.take(x, [2, 0], 0, { mode: "clip" }).tolist(), [[4, 5, 6], [1, 2, 3]]);
  assert.deepEqual(jnp.take(x, [-1, 5], 1, { mode: "clip" }).tolist(), [[1, 3], [4, 6]]);
  assert.deepEqual(jnp.take(x, [-1, 5, 3], 1, { mode: "wrap" }).tolist(), [[3, 3, 1], [6, 6, 4]]);
  assert.throws(() => jnp.take(x, [0], 2), (e: Error) => e.name === "ValueError" && /axis 2 is out of bounds/.test(e.message));
  assert.throws(() => jnp.take(x, jnp.array([0.5])), /integer type, got float32/);
  assert.throws(() => jnp.take(x, [0], 0, { mode: "bogus" as "fill" }), /invalid mode "bogus"/);
});

test("jnp.takeAlongAxis: numpy's examples, broadcasting, fill mode", () => {
  const x = jnp.array([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(jnp.takeAlongAxis(x, jnp.array([[0, 2], [1, 0]], "int32"), 1).tolist(), [[1, 3], [5, 4]]);
  const r = jnp.takeAlongAxis(x, [[1, 0, 2]], 0);
  assert.deepEqual(r.shape, [1, 3]);
  const rv = toFlat(r);
  assert.deepEqual(rv.slice(0, 2), [4, 2]);
  assert.ok(Number.isNaN(rv[2]!));
  assert.deepEqual(jnp.takeAlongAxis(x, [[2], [0]], -1).tolist(), [[3], [4]]);
  // index dims of size 1 broadcast against arr, and arr dims of size 1 against the indices
  const y = jnp.arange(24).reshape([2, 3, 4]);
  assert.deepEqual(jnp.takeAlongAxis(y, jnp.array([[[3]], [[0]]], "int32"), 2).tolist(), [[[3], [7], [11]], [[12], [16], [20]]]);
  // arr [2,1,4] against indices [1,3,2]: the output is [2,3,2]
  assert.deepEqual(jnp.takeAlongAxis(y.get(":", "0:1"), jnp.array([[[0, 1], [1, 2], [2, 3]]], "int32"), 2).tolist(), [
    [[0, 1], [1, 2], [2, 3]],
    [[12, 13], [13, 14], [14, 15]],
  ]);
  assert.deepEqual(jnp.takeAlongAxis(jnp.arange(5), [4, -1, 0], null).tolist(), [4, 4, 0]);
  assert.deepEqual(jnp.takeAlongAxis(jnp.arange(5), [-1, 9, -9], 0, { mode: "clip" }).tolist(), [4, 4, 0]);
  checkGrads((a) => jnp.takeAlongAxis(a, jnp.array([[0, 2, 2], [1, 1, 0]], "int32"), 1), [rand([2, 3], 50)]);
  checkGrads((a) => jnp.take(a, [[3, 0], [-1, 3]], 1), [rand([2, 4], 51)]);
  checkVmap((a) => jnp.take(a, [2, -1, 0]), [rand([3, 2, 2], 52)], [0]);
  assert.throws(() => jnp.takeAlongAxis(x, [0, 1], 1), /same number of dimensions; 1 vs. 2/);
  assert.throws(() => jnp.takeAlongAxis(x, jnp.array([[0.0]]), 1), /integer type/);
});

// ---------------------------------------------------------------- primitives directly
test("gather/scatter primitives: layout with batchDims, fill mode, shape errors", () => {
  const x = f64([0, 1, 2, 3, 4, 5], [2, 3]);
  // paired batch dim 0: row b picks x[b, idx[b, j]]
  const g = gather(x, i32([2, 0, 1, 1], [2, 2, 1]), { axes: [1], batchDims: 1 });
  assert.deepEqual(g.tolist(), [[2, 0], [4, 4]]);
  const gf = gather(x, i32([3, 0], [2, 1]), { axes: [1], mode: "fill", fillValue: -7 });
  assert.deepEqual(gf.tolist(), [[-7, -7], [0, 3]]);
  const s = scatter(x, i32([0, 1, 9, 1], [2, 2, 1]), f64([10, 20, 30, 40], [2, 2]), { axes: [1], batchDims: 1, mode: "add" });
  assert.deepEqual(s.tolist(), [[10, 21, 2], [3, 44, 5]]);
  assert.throws(() => gather(x, i32([0, 1], [1, 2]), { axes: [1] }), (e: Error) => /last dimension/.test(e.message) && /\[1, 2\]/.test(e.message));
  assert.throws(() => gather(x, f64([0], [1, 1]), { axes: [1] }), /indices must be int32, got float64/);
  assert.throws(() => gather(x, i32([0], [1, 1]), { axes: [2] }), /indexed axis 2 is out of range/);
  assert.throws(() => scatter(x, i32([0], [1, 1]), f64([1, 2, 3], [1, 3]), { axes: [1], mode: "add" }), (e: Error) => /updates of shape \[1, 3\]/.test(e.message) && /\[1, 2\]/.test(e.message));
  assert.throws(() => scatter(x, i32([0], [1, 1]), fromFlat([1, 2], [1, 2], "float32"), { axes: [1], mode: "add" }), /dtype float64, got float32/);
});

// ---------------------------------------------------------------- derivatives
test("gather: jvp against finite differences and vjp by the dot-product test (clip and fill)", () => {
  const idx = i32([0, 2, 2, -1, 5, 1], [3, 2]);
  checkGrads((x) => gather(x, idx, { axes: [0, 2] }), [rand([3, 2, 3], 1)]);
  checkGrads((x) => gather(x, idx, { axes: [2, 0], mode: "fill", fillValue: 0 }), [rand([3, 2, 3], 2)]);
  checkGrads((x) => gather(x, i32([1, 0, 0, 2], [2, 2, 1]), { axes: [1], batchDims: 1 }), [rand([2, 3, 2], 3)]);
});

test("scatter: jvp and vjp for add, set (with duplicates and dropped rows) and mul", () => {
  const idx = i32([1, 0, 1, 7, 2], [5, 1]);
  for (const mode of ["add", "set"] as ScatterMode[])
    checkGrads((x, u) => scatter(x, idx, u, { axes: [1], mode }), [rand([2, 3], 4), rand([5, 2], 5)]);
  // mul: linear in the operand for fixed updates; both derivatives through jvp
  checkGrads((x) => scatter(x, idx, f64([2, -1, 3, 4, 0.5, 1, 1, 2, -2, 3], [5, 2]), { axes: [1], mode: "mul" }), [rand([2, 3], 6)]);
  const f = (x: JArray, u: JArray) => scatter(x, idx, u, { axes: [1], mode: "mul" });
  const [, ty] = jvp(f, [rand([2, 3], 6), rand([5, 2], 7)], [rand([2, 3], 8), rand([5, 2], 9)]) as [JArray, JArray];
  const e = 1e-6;
  const fd = (s: number) => toFlat(f(lin(rand([2, 3], 6), rand([2, 3], 8), s), lin(rand([5, 2], 7), rand([5, 2], 9), s)));
  close(toFlat(ty), fd(e).map((v, i) => (v - fd(-e)[i]!) / (2 * e)), 1e-6);
  // grad through the updates of scatter-mul (vjp of the jvp)
  checkGrads(f, [rand([2, 3], 10), rand([5, 2], 11)]);
});

test("scatter-mul derivative with zero updates is exact (product of the others)", () => {
  const x = f64([2, 3]);
  const ix = i32([0, 0, 0, 1], [4, 1]);
  const f = (u: JArray) => jnp.sum(scatter(x, ix, u, { axes: [0], mode: "mul" }));
  // position 0 gets 2 * u0 * u1 * u2 with u = [0, 5, 4]: d/du = [2*5*4, 0, 0]
  assert.deepEqual((grad(f)(f64([0, 5, 4, 7])) as JArray).tolist(), [40, 0, 0, 3]);
  // two zeros: every derivative at position 0 is zero
  assert.deepEqual((grad(f)(f64([0, 0, 4, 7])) as JArray).tolist(), [0, 0, 0, 3]);
  assert.deepEqual((grad(f)(f64([1, 5, 4, 7])) as JArray).tolist(), [40, 8, 10, 3]);
});

test("scatter-min/max derivatives split ties equally (as JAX)", () => {
  const ix = i32([0, 0], [2, 1]);
  const f = (x: JArray, u: JArray) => jnp.sum(scatter(x, ix, u, { axes: [0], mode: "max" }));
  const [gx, gu] = grad(f, { argnums: [0, 1] })(f64([1, 5]), f64([3, 3])) as JArray[];
  assert.deepEqual(gx!.tolist(), [0, 1]);
  assert.deepEqual(gu!.tolist(), [0.5, 0.5]);
  const [gx2, gu2] = grad(f, { argnums: [0, 1] })(f64([3, 5]), f64([3, 1])) as JArray[];
  assert.deepEqual(gx2!.tolist(), [0.5, 1]);
  assert.deepEqual(gu2!.tolist(), [0.5, 0]);
  const fmin = (x: JArray, u: JArray) => scatter(x, i32([1, 0, 1], [3, 1]), u, { axes: [0], mode: "min" });
  checkGrads((x, u) => fmin(x, u), [f64([0.3, -0.2, 0.9]), f64([0.5, -0.7, 0.1])]);
});

test("grad through x.get and x.at: gradients scatter back, duplicates accumulate", () => {
  const x = f64([1, 2, 3, 4]);
  const g = grad((v: JArray) => jnp.sum(v.get([0, 0, 3, 9])))(x) as JArray;
  assert.deepEqual(g.tolist(), [2, 0, 0, 2]); // index 9 clamps to 3
  const g2 = grad((v: JArray) => jnp.sum(jnp.multiply(v.get("::-2"), f64([10, 20]))))(x) as JArray;
  assert.deepEqual(g2.tolist(), [0, 20, 0, 10]);
  const g3 = grad((v: JArray) => jnp.sum(jnp.multiply(jnp.zeros([4], "float64").at([1, 1, 2]).set(v.get("1:")), f64([1, 2, 3, 4]))))(x) as JArray;
  assert.deepEqual(g3.tolist(), [0, 0, 2, 3]); // the first update to position 1 loses
  const g4 = grad((v: JArray) => jnp.sum(v.at([0, 2]).set(0)))(x) as JArray;
  assert.deepEqual(g4.tolist(), [0, 1, 0, 1]);
  checkGrads((v) => v.get([[1, 0], [2, 2]], "::-1"), [rand([3, 4], 12)]);
  checkGrads((v, u) => v.at(":", [0, 0, 3]).add(u), [rand([2, 4], 13), rand([2, 3], 14)]);
  checkGrads((v, u) => v.at("1:", 2).max(u), [rand([3, 4], 15), rand([2], 16)]);
});

test("second derivatives through gather", () => {
  const f = (v: JArray) => jnp.sum(jnp.multiply(jnp.multiply(v.get([0, 0, 2]), v.get([0, 0, 2])), v.get([0, 0, 2])));
  const h = grad((v: JArray) => jnp.sum(grad(f)(v) as JArray))(f64([1, 2, 3])) as JArray;
  // f = 2 v0^3 + v2^3, grad = [6 v0^2, 0, 3 v2^2], sum' = [12 v0, 0, 6 v2]
  assert.deepEqual(h.tolist(), [12, 0, 18]);
});

// ---------------------------------------------------------------- vmap
test("vmap of gather: operand batched, indices batched, both (no per-example loop)", () => {
  const x = rand([4, 3, 5], 20);
  const ix = i32([0, 4, 2, 2, 1, 3, 9, -1, 0, 1, 1, 0], [4, 3]);
  const g = (a: JArray, i: JArray) => gather(a, jnp.reshape(i, [...i.shape, 1]), { axes: [1] });
  checkVmap(g, [x, i32([0, 4, 2])], [0, null]);
  checkVmap(g, [x, i32([0, 4, 2])], [2, null]);
  checkVmap(g, [rand([3, 5], 21), ix], [null, 0]);
  checkVmap(g, [rand([3, 5], 21), ix], [null, 1]);
  checkVmap(g, [x, ix], [0, 0]);
  checkVmap(g, [x, ix], [1, 1]);
  // a batchDims gather under vmap
  const gb = (a: JArray, i: JArray) => gather(a, i, { axes: [1], batchDims: 1, mode: "fill", fillValue: 0 });
  const ib = i32([0, 2, 1, 5, 3, 0, 2, 2, 1, 1, 0, 0], [2, 3, 2, 1]);
  checkVmap(gb, [rand([2, 3, 4], 22), ib], [0, 0]);
  checkVmap(gb, [rand([2, 3, 4], 22), ib.get(0)], [0, null]);
  checkVmap(gb, [rand([3, 4], 23), ib], [null, 0]);
});

test("vmap of scatter: every combination of batched operand, indices and updates", () => {
  const ix = i32([1, 0, 1, 2, 7, 0, 2, 2, 1], [3, 3, 1]); // [B=3, 3 rows, k=1]
  for (const mode of ["set", "add", "mul", "min", "max"] as ScatterMode[]) {
    const s = (a: JArray, i: JArray, u: JArray) => scatter(a, i, u, { axes: [0], mode });
    const x = rand([3, 3, 2], 30);
    const u = rand([3, 3, 2], 31);
    const combos: (number | null)[][] = [
      [0, null, null],
      [null, 0, null],
      [null, null, 0],
      [0, 0, null],
      [0, null, 1],
      [null, 0, 2],
      [2, 0, 0],
    ];
    for (const axes of combos) {
      const args = [axes[0] === null ? x.get(0) : jnp.moveaxis(x, 0, axes[0]!), axes[1] === null ? ix.get(0) : ix, axes[2] === null ? u.get(0) : jnp.moveaxis(u, 0, axes[2]!)];
      checkVmap(s, args, axes);
    }
  }
});

test("vmap of numpy indexing with batched arrays and batched index arrays", () => {
  const x = rand([3, 4, 5], 40);
  checkVmap((a) => a.get("::-1", [0, 4, 4]), [x], [0]);
  checkVmap((a) => a.get(1, "1:3"), [x], [2]);
  checkVmap((a, i) => a.get(":", i), [x, i32([0, 1, 4, 2, 3, 9], [3, 2])], [0, 0]);
  checkVmap((a, i) => a.get(i, i), [rand([4, 4], 41), i32([0, 1, 3, 2, 3, 9], [3, 2])], [null, 0]);
  checkVmap((a, u) => a.at(":", [1, 1, 3]).add(u), [x, rand([3, 4, 3], 42)], [0, 0]);
  checkVmap((a, i) => a.at(i).set(0), [x, i32([0, 1, 3], [3])], [0, 0]);
  checkVmap((i) => jnp.takeAlongAxis(jnp.arange(12).reshape([3, 4]), i, 1), [i32([0, 3, 1, 2, 2, 1, 0, 0, 3, 3, 3, 1, 2, 0, 1, 2, 1, 0], [2, 3, 3])], [0]);
});

test("jit: indexing with traced index arrays and traced integers", () => {
  const f = jit((x: JArray, i: JArray) => x.get(i, "::-1").at(0).add(1));
  const x = jnp.arange(12).reshape([3, 4]);
  assert.deepEqual(f(x, jnp.array([2, 0], "int32")).tolist(), [[12, 11, 10, 9], [3, 2, 1, 0]]);
  const g = jit((x: JArray, i: JArray) => x.get(i));
  assert.deepEqual(g(x, jnp.array(-1, "int32")).tolist(), [8, 9, 10, 11]);
  assert.deepEqual(g(x, jnp.array(7, "int32")).tolist(), [8, 9, 10, 11]);
});

test("compositions: vmap(grad), jit(grad), jacfwd = jacrev through at().set/mul/max", () => {
  const w = jnp.array([1, 2, 3, 4], "float64");
  const f = (x: JArray, u: JArray) => jnp.sum(jnp.multiply(x.at([1, 1, 2]).set(u).get([0, 1, 2, 1]), w));
  const xs = jnp.array([[1, 2, 3], [4, 5, 6]], "float64");
  const us = jnp.array([[7, 8, 9], [1, 2, 3]], "float64");
  const [gx, gu] = vmap(grad(f, { argnums: [0, 1] }))(xs, us) as JArray[];
  assert.deepEqual(gx!.tolist(), [[1, 0, 0], [1, 0, 0]]);
  assert.deepEqual(gu!.tolist(), [[0, 6, 3], [0, 6, 3]]); // u0 loses to u1 at position 1
  const [jx, ju] = jit(grad(f, { argnums: [0, 1] }))(xs.get(0), us.get(0)) as JArray[];
  assert.deepEqual(jx!.tolist(), [1, 0, 0]);
  assert.deepEqual(ju!.tolist(), [0, 6, 3]);
  const h = (x: JArray) => x.at([0, 0, 2]).mul(x.get([1, 2, 2])).get("::-1");
  const x0 = jnp.array([1, 2, 3], "float64");
  assert.deepEqual((jacfwd(h)(x0) as JArray).tolist(), [[0, 0, 6], [0, 1, 0], [6, 3, 2]]);
  assert.deepEqual((jacrev(h)(x0) as JArray).tolist(), [[0, 0, 6], [0, 1, 0], [6, 3, 2]]);
  const m = (x: JArray) => x.at([0, 0, 1]).max(x.get([2, 1, 0]));
  const x1 = jnp.array([1, 5, 3], "float64");
  assert.deepEqual((jacfwd(m)(x1) as JArray).tolist(), [[0, 1, 0], [0, 1, 0], [0, 0, 1]]);
  assert.deepEqual((jacrev(m)(x1) as JArray).tolist(), [[0, 1, 0], [0, 1, 0], [0, 0, 1]]);
});
