// reductions.test.ts — jnp reductions, cumulative ops and sorting: values, dtypes, errors,
// derivatives (jvp against central differences in float64, vjp against jvp, second order)
// and vmap against a loop over slices.
import { test } from "node:test";
import assert from "node:assert/strict";
import { jnp, jvp, vjp, grad, hessian, vmap } from "../../src/index.js";
import type { Array as JArray } from "../../src/index.js";
import * as lax from "../../src/primitives/reduce.js";

type Nested = number | boolean | Nested[];
const arr = (d: Nested, dtype?: "float32" | "float64" | "int32" | "uint32" | "bool"): JArray => jnp.array(d as never, dtype);

function close(actual: unknown, expected: unknown, tol = 1e-6, path = ""): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${String(actual)}`);
    assert.equal((actual as unknown[]).length, expected.length, `${path}: length`);
    expected.forEach((e, i) => close((actual as unknown[])[i], e, tol, `${path}[${i}]`));
    return;
  }
  if (typeof expected === "number" && Number.isNaN(expected)) {
    assert.ok(Number.isNaN(actual as number), `${path}: expected NaN, got ${String(actual)}`);
    return;
  }
  if (typeof expected === "number" && typeof actual === "number" && Number.isFinite(expected)) {
    assert.ok(Math.abs(actual - expected) <= tol * (1 + Math.abs(expected)), `${path}: ${actual} vs ${expected}`);
    return;
  }
  assert.equal(actual, expected, path);
}

// deterministic pseudo-random numbers (xorshift) so failures reproduce
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}
function randData(shape: number[], seed: number, lo = -2, hi = 2): number[] {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}
const mk = (flat: number[], shape: number[], dtype: "float32" | "float64" = "float64"): JArray =>
  jnp.array(Float64Array.from(flat), dtype).reshape(shape);
const flat = (x: JArray): number[] => Array.from(x.dataSync() as ArrayLike<number>);
const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** jvp against central differences (float64), and vjp against jvp by the dot-product test. */
function checkGrads(f: (x: JArray) => JArray, shape: number[], seed: number, data?: number[]): void {
  const xd = data ?? randData(shape, seed);
  const td = randData(shape, seed + 101, -1, 1);
  const x = mk(xd, shape);
  const t = mk(td, shape);
  const [y, ty] = jvp(f, [x], [t]);
  const eps = 1e-6;
  const yp = flat(f(mk(xd.map((v, i) => v + eps * td[i]!), shape)));
  const ym = flat(f(mk(xd.map((v, i) => v - eps * td[i]!), shape)));
  const fd = yp.map((v, i) => (v - ym[i]!) / (2 * eps));
  close(flat(ty as JArray), fd, 1e-5, "jvp vs finite differences");
  const ctd = randData((y as JArray).shape, seed + 202, -1, 1);
  const [, back] = vjp(f, x);
  const [ctx] = back(mk(ctd, (y as JArray).shape));
  close(dot(flat(ctx as JArray), td), dot(ctd, flat(ty as JArray)), 1e-9, "vjp vs jvp");
}

/** Host slice i of a row-major array along `axis`. */
function hostSlice(data: number[], shape: number[], axis: number, i: number): number[] {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const n = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const r: number[] = [];
  for (let o = 0; o < outer; o++) for (let k = 0; k < inner; k++) r.push(data[(o * n + i) * inner + k]!);
  return r;
}
/** vmap(f) over `axis` equals f applied to each slice, stacked on axis 0. */
function checkVmap(f: (x: JArray) => JArray, shape: number[], axis: number, seed: number, dtype: "float32" | "float64" = "float32"): void {
  const d = randData(shape, seed).map((v) => Math.round(v * 4) / 4); // coarse values give ties too
  const x = mk(d, shape, dtype);
  const got = vmap(f, { inAxes: axis })(x) as JArray;
  const sliceShape = shape.filter((_, k) => k !== axis);
  const want = Array.from({ length: shape[axis]! }, (_, i) => f(mk(hostSlice(d, shape, axis, i), sliceShape, dtype)).tolist());
  close(got.tolist(), want, 0);
}

// ---------------------------------------------------------------- values and dtypes
test("sum over axes, keepdims and dtypes", () => {
  const x = arr([[1, 2, 3], [4, 5, 6]]);
  assert.equal(jnp.sum(x).item(), 21);
  assert.deepEqual(jnp.sum(x, 0).tolist(), [5, 7, 9]);
  assert.deepEqual(jnp.sum(x, -1).tolist(), [6, 15]);
  assert.deepEqual(jnp.sum(x, [0, 1]).tolist(), 21);
  assert.deepEqual(jnp.sum(x, null, { keepdims: true }).shape, [1, 1]);
  assert.deepEqual(x.sum(1, { keepdims: true }).tolist(), [[6], [15]]);
  assert.equal(jnp.sum(x).dtype, "float32");
  assert.equal(jnp.sum(arr([true, true, false])).dtype, "int32");
  assert.equal(jnp.sum(arr([true, true, false])).item(), 2);
  assert.equal(jnp.sum(arr([1, 2], "int32")).dtype, "int32");
  assert.equal(jnp.sum(arr([1, 2], "uint32")).dtype, "uint32");
  assert.equal(jnp.sum(arr([1.5, 2], "float64")).dtype, "float64");
  assert.equal(jnp.sum(jnp.zeros([0, 3])).item(), 0);
  assert.deepEqual(jnp.sum(jnp.zeros([0, 3]), 0).tolist(), [0, 0, 0]);
  assert.equal(jnp.sum(arr([1, 2], "int32"), null, { dtype: "float32" }).dtype, "float32");
});

test("prod, including zeros, bool and integer wrap-around", () => {
  const x = arr([[1, 2, 3], [4, 0, 6]]);
  assert.equal(jnp.prod(x).item(), 0);
  assert.deepEqual(jnp.prod(x, 1).tolist(), [6, 0]);
  assert.deepEqual(x.prod(0).tolist(), [4, 0, 18]);
  assert.equal(jnp.prod(arr([true, false])).dtype, "int32");
  assert.equal(jnp.prod(jnp.zeros([0])).item(), 1);
  // int32 products wrap modulo 2^32 as in JAX: 65536 * 65536 = 0, 65537 * 65537 = 131073
  assert.equal(jnp.prod(arr([65536, 65536], "int32")).item(), 0);
  assert.equal(jnp.prod(arr([65537, 65537], "int32")).item(), 131073);
});

test("mean, var, std with ddof and dtypes", () => {
  const x = arr([[1, 2, 3], [4, 5, 7]]);
  close(jnp.mean(x).item(), 22 / 6);
  assert.deepEqual(jnp.mean(x, 0).tolist(), [2.5, 3.5, 5]);
  assert.deepEqual(x.mean(1, { keepdims: true }).shape, [2, 1]);
  assert.equal(jnp.mean(arr([1, 2], "int32")).dtype, "float32");
  assert.equal(jnp.mean(arr([1, 2], "int32")).item(), 1.5);
  assert.equal(jnp.mean(arr([true, false, false, false])).item(), 0.25);
  assert.equal(jnp.mean(arr([1, 2], "float64")).dtype, "float64");
  assert.ok(Number.isNaN(jnp.mean(jnp.zeros([0])).item() as number));
  // var([1,2,3,4,5,7]) = mean((x - 11/3)^2) = 21.333.../6
  const m = 22 / 6;
  const ss = [1, 2, 3, 4, 5, 7].reduce((s, v) => s + (v - m) ** 2, 0);
  close(jnp.var(x).item(), ss / 6, 1e-6);
  close(jnp.var(x, null, { ddof: 1 }).item(), ss / 5, 1e-6);
  close(jnp.std(x).item(), Math.sqrt(ss / 6), 1e-6);
  close(jnp.var(x, 1).tolist(), [2 / 3, 14 / 9], 1e-6);
  close(jnp.std(x, 0, { ddof: 1, keepdims: true }).tolist(), [[Math.SQRT2 * 1.5, Math.SQRT2 * 1.5, Math.SQRT2 * 2]], 1e-6);
  assert.equal(jnp.var(arr([1, 2, 4], "int32")).dtype, "float32");
  assert.equal(jnp.std(arr([1, 2, 4], "float64")).dtype, "float64");
  // ddof equal to N divides by zero, as in JAX
  assert.equal(jnp.var(arr([1, 2]), null, { ddof: 2 }).item(), Infinity);
});

test("max and min: axes, NaN propagation, initial, dtypes", () => {
  const x = arr([[1, 5, 3], [4, 2, 6]]);
  assert.equal(jnp.max(x).item(), 6);
  assert.equal(jnp.min(x).item(), 1);
  assert.deepEqual(jnp.max(x, 0).tolist(), [4, 5, 6]);
  assert.deepEqual(x.min(1).tolist(), [1, 2]);
  assert.deepEqual(x.max(1, { keepdims: true }).tolist(), [[5], [6]]);
  assert.ok(Number.isNaN(jnp.max(arr([1, NaN, 3])).item() as number));
  assert.ok(Number.isNaN(jnp.min(arr([1, NaN, 3])).item() as number));
  assert.equal(jnp.max(arr([-3, -7], "int32")).item(), -3);
  assert.equal(jnp.max(arr([-3, -7], "int32")).dtype, "int32");
  assert.equal(jnp.min(arr([3, 4000000000], "uint32")).item(), 3);
  assert.equal(jnp.max(arr([true, false])).item(), true);
  assert.equal(jnp.max(jnp.zeros([0]), null, { initial: 2 }).item(), 2);
  assert.equal(jnp.max(arr([1, 5]), null, { initial: 2 }).item(), 5);
  assert.equal(jnp.max(arr([-Infinity, -Infinity])).item(), -Infinity);
  // an empty array along a non-reduced axis is fine
  assert.deepEqual(jnp.max(jnp.zeros([0, 3]), 1).shape, [0]);
});

test("argmax / argmin: first occurrence, NaN, flattened, keepdims", () => {
  const x = arr([[1, 7, 7], [9, 2, 9]]);
  assert.equal(jnp.argmax(x).item(), 3);
  assert.equal(jnp.argmax(x).dtype, "int32");
  assert.deepEqual(jnp.argmax(x, 1).tolist(), [1, 0]);
  assert.deepEqual(jnp.argmax(x, 0).tolist(), [1, 0, 1]);
  assert.deepEqual(jnp.argmin(x, 0).tolist(), [0, 1, 0]);
  assert.deepEqual(x.argmin(-1).tolist(), [0, 1]);
  assert.deepEqual(jnp.argmax(x, null, { keepdims: true }).shape, [1, 1]);
  assert.deepEqual(x.argmax(1, { keepdims: true }).tolist(), [[1], [0]]);
  assert.equal(jnp.argmax(arr([1, NaN, 5, NaN])).item(), 1);
  assert.equal(jnp.argmin(arr([1, NaN, -5, NaN])).item(), 1);
  assert.equal(jnp.argmax(arr([3, 1, 4, 1, 5, 9, 2, 6], "int32")).item(), 5);
  assert.equal(jnp.argmin(arr([true, false, false])).item(), 1);
});

test("all / any", () => {
  const x = arr([[1, 0, 2], [3, 4, 5]]);
  assert.equal(jnp.all(x).item(), false);
  assert.equal(jnp.any(x).item(), true);
  assert.deepEqual(jnp.all(x, 1).tolist(), [false, true]);
  assert.deepEqual(x.any(0).tolist(), [true, true, true]);
  assert.deepEqual(x.all(0, { keepdims: true }).tolist(), [[true, false, true]]);
  assert.equal(jnp.all(jnp.zeros([0])).item(), true);
  assert.equal(jnp.any(jnp.zeros([0])).item(), false);
  assert.equal(jnp.any(arr([0, NaN])).item(), true);
  assert.equal(jnp.all(arr([1, 2], "int32")).dtype, "bool");
});

test("nan-ignoring reductions", () => {
  const x = arr([[1, NaN, 3], [NaN, NaN, NaN]]);
  assert.deepEqual(jnp.nansum(x, 1).tolist(), [4, 0]);
  close(jnp.nanmax(x, 1).tolist(), [3, NaN]);
  close(jnp.nanmin(x, 1).tolist(), [1, NaN]);
  close(jnp.nanmean(x, 1).tolist(), [2, NaN]);
  assert.equal(jnp.nanprod(x).item(), 3);
});

test("cumsum / cumprod: axis, flattening, dtypes", () => {
  const x = arr([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(jnp.cumsum(x).tolist(), [1, 3, 6, 10, 15, 21]);
  assert.deepEqual(jnp.cumsum(x, 0).tolist(), [[1, 2, 3], [5, 7, 9]]);
  assert.deepEqual(jnp.cumsum(x, -1).tolist(), [[1, 3, 6], [4, 9, 15]]);
  assert.deepEqual(jnp.cumprod(x, 1).tolist(), [[1, 2, 6], [4, 20, 120]]);
  assert.deepEqual(jnp.cumprod(x).tolist(), [1, 2, 6, 24, 120, 720]);
  assert.equal(jnp.cumsum(arr([true, true, false])).dtype, "int32");
  assert.deepEqual(jnp.cumsum(arr([true, true, false])).tolist(), [1, 2, 2]);
  assert.equal(jnp.cumsum(arr([1, 2], "int32")).dtype, "int32");
  assert.deepEqual(jnp.cumsum(jnp.zeros([0])).shape, [0]);
  // float32 running sums round at each step: 2^24 + 1 + 1 stays 2^24 in float32
  assert.deepEqual(jnp.cumsum(arr([16777216, 1, 1])).tolist(), [16777216, 16777216, 16777216]);
});

test("lax cumulative ops: reverse, cummax / cummin with NaN", () => {
  const x = arr([3, 1, 4, 1, 5, 9, 2, 6]);
  assert.deepEqual(lax.cumsum(x, 0, true).tolist(), [31, 28, 27, 23, 22, 17, 8, 6]);
  assert.deepEqual(lax.cummax(x, 0).tolist(), [3, 3, 4, 4, 5, 9, 9, 9]);
  assert.deepEqual(lax.cummin(x, 0).tolist(), [3, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(lax.cummax(x, 0, true).tolist(), [9, 9, 9, 9, 9, 9, 6, 6]);
  assert.deepEqual(lax.cumprod(arr([1, 2, 3]), 0, true).tolist(), [6, 6, 3]);
  close(lax.cummax(arr([1, NaN, 3]), 0).tolist(), [1, NaN, NaN]);
  assert.deepEqual(lax.cummax(arr([[1, 5], [4, 2]]), 1).tolist(), [[1, 5], [4, 4]]);
});

test("sort / argsort: axes, NaN last, stability, descending", () => {
  const x = arr([[3, 1, 2], [0, -1, 5]]);
  assert.deepEqual(jnp.sort(x).tolist(), [[1, 2, 3], [-1, 0, 5]]);
  assert.deepEqual(jnp.sort(x, 0).tolist(), [[0, -1, 2], [3, 1, 5]]);
  assert.deepEqual(jnp.sort(x, null).tolist(), [-1, 0, 1, 2, 3, 5]);
  close(jnp.sort(arr([NaN, 2, -Infinity, 1, NaN, Infinity])).tolist(), [-Infinity, 1, 2, Infinity, NaN, NaN]);
  assert.deepEqual(jnp.argsort(arr([2, 1, 2, 1, 0])).tolist(), [4, 1, 3, 0, 2]);
  assert.equal(jnp.argsort(x).dtype, "int32");
  assert.deepEqual(jnp.argsort(x, 0).tolist(), [[1, 1, 0], [0, 0, 1]]);
  assert.deepEqual(jnp.argsort(arr([NaN, 1, 0])).tolist(), [2, 1, 0]);
  assert.deepEqual(jnp.argsort(x, null).tolist(), [4, 3, 1, 2, 0, 5]);
  // -0 and 0 compare equal, so a stable sort keeps their order
  assert.deepEqual(jnp.argsort(arr([0, -0, 0])).tolist(), [0, 1, 2]);
  assert.deepEqual(jnp.sort(arr([3, 1, 2]), -1, { descending: true }).tolist(), [3, 2, 1]);
  assert.deepEqual(jnp.argsort(arr([2, 1, 2, 1, 0]), -1, { descending: true }).tolist(), [0, 2, 1, 3, 4]);
  assert.deepEqual(jnp.sort(arr([3, 1, 2], "int32")).tolist(), [1, 2, 3]);
  assert.deepEqual(jnp.sort(arr([4000000000, 1], "uint32")).tolist(), [1, 4000000000]);
  assert.deepEqual(jnp.sort(arr([true, false, true])).tolist(), [false, true, true]);
});

test("lax sort with several operands and several keys", () => {
  const k1 = arr([1, 0, 1, 0], "int32");
  const k2 = arr([5, 7, 2, 7]);
  const v = arr([10, 20, 30, 40]);
  const [a, b, c] = lax.sortMulti([k1, k2, v], 0, 2);
  assert.deepEqual(a!.tolist(), [0, 0, 1, 1]);
  assert.deepEqual(b!.tolist(), [7, 7, 2, 5]);
  assert.deepEqual(c!.tolist(), [20, 40, 30, 10]);
  const [s, p] = lax.sortKeyVal(arr([[2, 1], [0, 3]]), lax.iota([2, 2], 1), 1);
  assert.deepEqual(s.tolist(), [[1, 2], [0, 3]]);
  assert.deepEqual(p.tolist(), [[1, 0], [0, 1]]);
});

// ---------------------------------------------------------------- errors
test("errors: bad axes, repeated axes, empty reductions", () => {
  const x = arr([[1, 2], [3, 4]]);
  assert.throws(() => jnp.sum(x, 2), { name: "ValueError", message: /axis 2 is out of bounds for array of dimension 2/ });
  assert.throws(() => jnp.max(x, -3), { name: "ValueError", message: /axis -3 is out of bounds for array of dimension 2/ });
  assert.throws(() => jnp.mean(x, [0, 0]), { name: "ValueError", message: /repeated axis/ });
  assert.throws(() => jnp.sum(x, [1, -1]), { name: "ValueError", message: /repeated axis/ });
  assert.throws(() => jnp.sum(x, 0.5), { name: "TypeError", message: /axis must be an integer/ });
  assert.throws(() => jnp.argmax(x, 2), { name: "ValueError", message: /axis 2 is out of bounds for array of dimension 2/ });
  assert.throws(() => jnp.cumsum(x, 5), { name: "ValueError", message: /axis 5 is out of bounds for array of dimension 2/ });
  assert.throws(() => jnp.sort(x, 2), { name: "ValueError", message: /axis 2 is out of bounds for array of dimension 2/ });
  assert.throws(() => jnp.max(jnp.zeros([0])), { name: "ValueError", message: /zero-size array to reduction operation max which has no identity/ });
  assert.throws(() => jnp.min(jnp.zeros([2, 0]), 1), { name: "ValueError", message: /zero-size array to reduction operation min which has no identity/ });
  assert.throws(() => jnp.argmax(jnp.zeros([0])), { name: "ValueError", message: /attempt to get argmax of an empty sequence/ });
  assert.throws(() => lax.sortMulti([arr([1, 2]), arr([1, 2, 3])], 0), { name: "TypeError", message: /same shape.*\[2\].*\[3\]/ });
  assert.throws(() => lax.reduceAnd(arr([1.5]), [0]), { name: "TypeError", message: /reduce_and does not accept dtype float32/ });
  // an axis must be static: a traced axis is a ConcretizationTypeError
  assert.throws(() => vmap((a: JArray, ax: JArray) => jnp.sum(a, ax as never))(jnp.ones([2, 3]), arr([0, 0], "int32")), {
    name: "ConcretizationTypeError",
    message: /Abstract tracer value encountered where concrete value is expected.*\n.*axis argument of sum must be static/,
  });
  // the library still works after errors
  assert.equal(jnp.sum(x).item(), 10);
});

// ---------------------------------------------------------------- derivatives
test("jvp / vjp of reductions match finite differences", () => {
  checkGrads((x) => jnp.sum(x, 1), [3, 4], 1);
  checkGrads((x) => jnp.max(x, 0), [3, 4], 2);
  checkGrads((x) => jnp.min(x, [0, 2]), [2, 3, 2], 3);
  checkGrads((x) => jnp.prod(x, 1), [3, 5], 4);
  checkGrads((x) => jnp.prod(x), [2, 3], 5);
  checkGrads((x) => jnp.mean(x, 0), [4, 2], 6);
  checkGrads((x) => jnp.var(x, 1), [3, 4], 7);
  checkGrads((x) => jnp.std(x, null, { ddof: 1 }), [5], 8);
  checkGrads((x) => jnp.nanmax(x, 1), [2, 3], 9);
});

test("prod derivative is exact with zeros in the input", () => {
  // d prod / dx_i = prod of the others: one zero keeps only its own slot non-zero
  assert.deepEqual(grad((x: JArray) => jnp.prod(x))(arr([1, 0, 3, 2])).tolist(), [0, 6, 0, 0]);
  assert.deepEqual(grad((x: JArray) => jnp.prod(x))(arr([0, 2, 0])).tolist(), [0, 0, 0]);
  assert.deepEqual(grad((x: JArray) => jnp.prod(x))(arr([2, 3, 4])).tolist(), [12, 8, 6]);
  checkGrads((x) => jnp.prod(x, 1), [2, 3], 0, [1, 0, 3, 0.5, -2, 0]);
  // second order: H_ij = prod of the elements other than i and j
  const h = hessian((x: JArray) => jnp.prod(x))(arr([1, 0, 3, 2], "float64")) as JArray;
  assert.deepEqual(h.tolist(), [
    [0, 6, 0, 0],
    [6, 0, 2, 3],
    [0, 2, 0, 0],
    [0, 3, 0, 0],
  ]);
});

test("max / min derivatives split ties equally", () => {
  assert.deepEqual(grad((x: JArray) => jnp.max(x))(arr([1, 3, 3, 2])).tolist(), [0, 0.5, 0.5, 0]);
  assert.deepEqual(grad((x: JArray) => jnp.min(x))(arr([1, 1, 1, 2])).tolist(), [1 / 3, 1 / 3, 1 / 3, 0].map(Math.fround));
  assert.deepEqual(grad((x: JArray) => jnp.max(x, 1).sum())(arr([[1, 3], [5, 5]])).tolist(), [[0, 1], [0.5, 0.5]]);
});

test("argmax, argmin, all, any, sort indices have zero derivatives", () => {
  const [y, t] = jvp((x: JArray) => jnp.argmax(x), [arr([1, 3, 2])], [arr([1, 1, 1])]);
  assert.equal((y as JArray).item(), 1);
  assert.equal((t as JArray).dtype, "float0");
  assert.deepEqual(grad((x: JArray) => jnp.all(x.gt(0)).astype("float32").add(x.sum()))(arr([1, 2])).tolist(), [1, 1]);
  const g = grad((x: JArray) => jnp.sum(jnp.argsort(x).astype("float32").mul(x)))(arr([3, 1, 2]));
  // only the explicit factor x contributes: d/dx Σ perm_i x_i = perm
  assert.deepEqual(g.tolist(), [1, 2, 0]);
});

test("jvp / vjp of cumulative ops match finite differences (with zeros for cumprod)", () => {
  checkGrads((x) => jnp.cumsum(x, 1), [2, 5], 11);
  checkGrads((x) => lax.cumsum(x, 0, true), [4, 3], 12);
  checkGrads((x) => jnp.cumprod(x, 1), [3, 6], 13);
  checkGrads((x) => lax.cumprod(x, 0, true), [5, 2], 14);
  checkGrads((x) => jnp.cumprod(x), [7], 15, [1.5, 0, 2, -1, 0, 3, 0.5]);
  checkGrads((x) => lax.cummax(x, 1), [3, 7], 16);
  checkGrads((x) => lax.cummin(x, 0, true), [6, 2], 17);
  // d cumprod: x = [2, 0, 3]: y = [2, 0, 0], dy2/dx1 = x0 x2 = 6
  const [, back] = vjp((x: JArray) => jnp.cumprod(x), arr([2, 0, 3]));
  assert.deepEqual((back(arr([0, 0, 1]))[0] as JArray).tolist(), [0, 6, 0]);
});

test("jvp / vjp of sort match finite differences", () => {
  checkGrads((x) => jnp.sort(x), [3, 5], 21);
  checkGrads((x) => jnp.sort(x, 0), [4, 3], 22);
  checkGrads((x) => jnp.sort(x, null), [2, 3], 23);
  checkGrads((x) => lax.sortMulti([x, x.mul(x)], 1, 1)[1]!, [2, 4], 24);
  // sorting with a second key: the payload derivative follows the permutation
  checkGrads((x) => lax.sortMulti([jnp.array([1, 0, 1, 0], "int32"), x], 0, 1)[1]!, [4], 25);
  assert.deepEqual(grad((x: JArray) => jnp.sort(x).mul(arr([1, 2, 3, 4])).sum())(arr([1, 0, 3, 2])).tolist(), [2, 1, 4, 3]);
  // second order through sort
  const h = hessian((x: JArray) => jnp.sort(x).mul(jnp.sort(x)).mul(arr([1, 2, 3], "float64")).sum())(arr([3, 1, 2], "float64")) as JArray;
  assert.deepEqual(h.tolist(), [[6, 0, 0], [0, 2, 0], [0, 0, 4]]);
});

// ---------------------------------------------------------------- vmap
test("vmap of reductions, cumulative ops and sorts equals a loop over slices", () => {
  const fs: [string, (x: JArray) => JArray][] = [
    ["sum", (x) => jnp.sum(x, 0)],
    ["max", (x) => jnp.max(x, -1)],
    ["min", (x) => jnp.min(x)],
    ["prod", (x) => jnp.prod(x, 1, { keepdims: true })],
    ["mean", (x) => jnp.mean(x, 0)],
    ["var", (x) => jnp.var(x, 1, { ddof: 1 })],
    ["argmax", (x) => jnp.argmax(x, 1)],
    ["argmin", (x) => jnp.argmin(x)],
    ["all", (x) => jnp.all(x.gt(0), 0)],
    ["any", (x) => jnp.any(x.gt(1), 1)],
    ["cumsum", (x) => jnp.cumsum(x, 1)],
    ["cumprod", (x) => jnp.cumprod(x, 0)],
    ["cummax", (x) => lax.cummax(x, 1, true)],
    ["cummin", (x) => lax.cummin(x, 0)],
    ["sort", (x) => jnp.sort(x, 0)],
    ["argsort", (x) => jnp.argsort(x)],
    ["sortMulti", (x) => lax.sortMulti([x, x.neg()], 1, 1)[1]!],
  ];
  fs.forEach(([, f], i) => {
    checkVmap(f, [3, 4, 5], 0, 40 + i);
    checkVmap(f, [4, 3, 5], 1, 60 + i);
    checkVmap(f, [4, 5, 3], 2, 80 + i);
  });
});

test("vmap of gradients of reductions (per-example gradients)", () => {
  const f = (x: JArray) => jnp.max(x).add(jnp.prod(x)).add(jnp.cumprod(x).sum()).add(jnp.sort(x).mul(x).sum());
  const g = grad(f);
  checkVmap(g, [3, 4], 0, 99, "float64");
  checkVmap(g, [4, 3], 1, 98, "float64");
});

test("options must be objects: numpy's positional keepdims is an error, not silently ignored", () => {
  const x = jnp.ones([2, 3]);
  for (const [name, f] of [
    ["sum", () => jnp.sum(x, 1, true as never)],
    ["max", () => jnp.max(x, -1, true as never)],
    ["mean", () => jnp.mean(x, 0, 1 as never)],
    ["argmax", () => jnp.argmax(x, 1, [true] as never)],
  ] as const)
    assert.throws(f, (e: Error) => e instanceof TypeError && e.message.startsWith(`${name}: options must be an object such as { keepdims: true }`), name);
  assert.deepEqual(jnp.sum(x, 1, { keepdims: true }).shape, [2, 1]);
  assert.deepEqual(jnp.sum(x, 1, undefined).shape, [2]);
});
