// shape.test.ts — shape and data-movement ops: the slice/rev/concatenate/pad primitives (values,
// rules: jvp against finite differences, transpose by the dot-product test, vmap against a loop
// of slices) and the jnp functions of shape.ts (values checked against numpy 2.x, errors).
import { test } from "node:test";
import assert from "node:assert/strict";
import { jnp, jvp, vjp, vmap } from "../../src/index.js";
import type { Array as JArray } from "../../src/index.js";
import * as lax from "../../src/primitives/movement.js";
import { UndefinedPrimal } from "../../src/core/primitive.js";

// ---------------------------------------------------------------- helpers
/** Deterministic pseudo-random float64 data (values in [-1, 1)). */
function rand(shape: number[], seed: number): JArray {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    d[i] = s / 2 ** 31 - 1;
  }
  return jnp.reshape(jnp.array(d, "float64"), shape);
}
const host = (x: JArray): number[] => Array.from(x.dataSync(), Number);
const dot = (a: JArray, b: JArray): number => {
  const x = host(a);
  const y = host(b);
  assert.equal(x.length, y.length);
  return x.reduce((s, v, i) => s + v * y[i]!, 0);
};
function close(a: number[], b: number[], tol = 1e-9): void {
  assert.equal(a.length, b.length, `length ${a.length} vs ${b.length}`);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `element ${i}: ${v} vs ${b[i]}`));
}
const lin = (x: JArray, t: JArray, e: number): JArray => jnp.add(x, jnp.multiply(t, e));

/**
 * Checks f's derivatives: jvp against central differences, vjp by the dot-product identity
 * <ct, J t> = <J^T ct, t>, all in float64.
 */
function checkGrads(f: (...xs: JArray[]) => JArray, xs: JArray[], seed = 7): void {
  const ts = xs.map((x, i) => rand(x.shape, seed + 31 * i));
  const [y, ty] = jvp(f, xs, ts) as [JArray, JArray];
  close(host(y), host(f(...xs)), 1e-12);
  const e = 1e-6;
  const fp = f(...xs.map((x, i) => lin(x, ts[i]!, e)));
  const fm = f(...xs.map((x, i) => lin(x, ts[i]!, -e)));
  const fd = host(fp).map((v, i) => (v - host(fm)[i]!) / (2 * e));
  close(host(ty), fd, 1e-6);
  const ct = rand(y.shape, seed + 1000);
  const [, pull] = vjp(f, ...xs);
  const cts = pull(ct) as JArray[];
  cts.forEach((c, i) => assert.deepEqual(c.shape, xs[i]!.shape));
  const lhs = dot(ct, ty);
  const rhs = cts.reduce((s, c, i) => s + dot(c, ts[i]!), 0);
  assert.ok(Math.abs(lhs - rhs) <= 1e-9 * (1 + Math.abs(lhs)), `dot-product test: ${lhs} vs ${rhs}`);
}

/** Checks vmap(f) with the batch on axis `ax` against a loop over slices, stacked. */
function checkVmap(f: (...xs: JArray[]) => JArray, xs: (JArray | null)[], inAxes: (number | null)[], others: JArray[] = []): void {
  const B = xs.find((x, i) => x && inAxes[i] !== null)!.shape[inAxes[xs.findIndex((x, i) => x && inAxes[i] !== null)]!]!;
  const args = xs.map((x, i) => x ?? others[i]!);
  const got = vmap(f, { inAxes })(...args) as JArray;
  const rows = Array.from({ length: B }, (_, b) =>
    f(...args.map((x, i) => (inAxes[i] === null ? x : jnp.squeeze(jnp.split(x, B, inAxes[i]!)[b]!, inAxes[i]!)))),
  );
  const want = jnp.stack(rows);
  assert.deepEqual(got.shape, want.shape);
  assert.deepEqual(got.tolist(), want.tolist());
}

const x234 = jnp.arange(24).reshape([2, 3, 4]);
/** tolist() of an array known to be nested (for indexing in assertions). */
const L = (x: JArray): any => x.tolist();

// ---------------------------------------------------------------- primitives: values
test("lax.slice with strides, rev, concatenate and pad give exact values", () => {
  const x = jnp.arange(12).reshape([3, 4]);
  assert.deepEqual(lax.slice(x, [0, 1], [3, 4], [2, 2]).tolist(), [[1, 3], [9, 11]]);
  assert.deepEqual(lax.slice(x, [1, 0], [1, 4]).shape, [0, 4]);
  assert.deepEqual(lax.rev(x, [1]).tolist(), [[3, 2, 1, 0], [7, 6, 5, 4], [11, 10, 9, 8]]);
  assert.deepEqual(lax.concatenate([x, lax.slice(x, [0, 0], [3, 1])], 1).tolist(), [
    [0, 1, 2, 3, 0],
    [4, 5, 6, 7, 4],
    [8, 9, 10, 11, 8],
  ]);
  const v = jnp.array([1, 2, 3]);
  // lo = -1 crops, interior 2 inserts two padding values between elements, hi = 1
  assert.deepEqual(lax.pad(v, jnp.array(9, "float32"), [[-1, 1, 2]]).tolist(), [9, 9, 2, 9, 9, 3, 9]);
  assert.deepEqual(lax.pad(x, jnp.array(-1, "int32"), [[1, -2, 0], [0, 0, 1]]).tolist(), [
    [-1, -1, -1, -1, -1, -1, -1],
    [0, -1, 1, -1, 2, -1, 3],
  ]);
  assert.equal(lax.pad(jnp.array([true]), jnp.array(false), [[1, 1, 0]]).dtype, "bool");
  assert.deepEqual(lax.pad(jnp.array([true]), jnp.array(false), [[1, 1, 0]]).tolist(), [false, true, false]);
});

test("lax-level primitive errors name the offending values", () => {
  const x = jnp.zeros([2, 3]);
  assert.throws(() => lax.slice(x, [0, 0], [2, 4]), /\[2, 3\].*dimension 1/);
  assert.throws(() => lax.slice(x, [0], [2]), /one entry per dimension/);
  assert.throws(() => lax.concatenate([x, jnp.zeros([3, 3])], 1), /\[2, 3\].*\[3, 3\]/);
  assert.throws(() => lax.concatenate([x, jnp.zeros([3])], 0), /\[2, 3\].*\[3\]/);
  assert.throws(() => lax.pad(x, jnp.array([0, 0]), [[0, 0, 0], [0, 0, 0]]), /scalar/);
  assert.throws(() => lax.pad(x, jnp.array(0, "int32"), [[0, 0, 0], [0, 0, 0]]), /same dtype.*float32 and int32/);
  assert.throws(() => lax.pad(x, jnp.array(0), [[-3, 0, 0], [0, 0, 0]]), /negative size/);
  assert.throws(() => lax.rev(x, [2]), /dimension 2 is out of bounds for array of dimension 2/);
});

// ---------------------------------------------------------------- primitives: rules
test("transpose rules satisfy <ct, L x> = <L^T ct, x> (called directly)", () => {
  const cases: [string, (x: JArray) => JArray, (ct: JArray, x: UndefinedPrimal) => JArray][] = [
    ["slice", (x) => lax.slice(x, [1, 0], [4, 5], [2, 3]), (ct, u) => lax.sliceP.rule("transpose")([ct], [u], { startIndices: [1, 0], limitIndices: [4, 5], strides: [2, 3] })[0]!],
    ["rev", (x) => lax.rev(x, [0, 1]), (ct, u) => lax.revP.rule("transpose")([ct], [u], { dimensions: [0, 1] })[0]!],
    ["pad", (x) => lax.pad(x, jnp.array(0, "float64"), [[-1, 2, 1], [2, -3, 0]]), (ct, u) =>
      lax.padP.rule("transpose")([ct], [u, jnp.array(0, "float64")], { paddingConfig: [[-1, 2, 1], [2, -3, 0]] })[0]!],
  ];
  for (const [name, f, ft] of cases) {
    const x = rand([5, 6], 3);
    const y = f(x);
    const ct = rand(y.shape, 11);
    const back = ft(ct, new UndefinedPrimal(x.aval));
    assert.deepEqual(back.shape, x.shape, name);
    const a = dot(ct, y);
    const b = dot(back, x);
    assert.ok(Math.abs(a - b) < 1e-9, `${name}: ${a} vs ${b}`);
  }
  // concatenate: one cotangent slice per linear operand, null for constants
  const a = rand([2, 3], 1);
  const b = rand([2, 2], 2);
  const ct = rand([2, 5], 4);
  const [ca, cb] = lax.concatenateP.rule("transpose")([ct], [new UndefinedPrimal(a.aval), b], { dimension: 1 });
  assert.equal(cb, null);
  assert.deepEqual(ca!.tolist(), lax.slice(ct, [0, 0], [2, 3]).tolist());
  // pad: the padding-value cotangent is the sum over the padded positions
  const x = rand([3], 5);
  const ct2 = rand([6], 6);
  const [, cv] = lax.padP.rule("transpose")([ct2], [x, new UndefinedPrimal(jnp.array(0, "float64").aval)], { paddingConfig: [[1, 0, 1]] });
  const c = host(ct2);
  close(host(cv!), [c[0]! + c[2]! + c[4]!]);
});

test("jvp and vjp of slice, rev, concatenate, pad match finite differences", () => {
  const x = rand([4, 5], 1);
  checkGrads((a) => jnp.sin(lax.slice(a, [1, 0], [4, 5], [2, 2])), [x]);
  checkGrads((a) => jnp.sin(lax.rev(a, [1])), [x]);
  checkGrads((a, b) => jnp.sin(lax.concatenate([a, b, a], 0)), [x, rand([2, 5], 2)]);
  // padding value differentiated too; negative lo and interior padding
  checkGrads((a, v) => jnp.sin(lax.pad(a, v, [[-1, 2, 1], [1, 1, 0]])), [x, jnp.array(0.3, "float64")]);
  // second order: jvp of a vjp (Hessian-vector products) through pad and slice
  const g = (a: JArray) => {
    const [, pull] = vjp((b: JArray) => jnp.sin(lax.slice(lax.pad(b, jnp.array(0, "float64"), [[1, 1, 1], [0, 0, 0]]), [0, 1], [9, 5])), a);
    return pull(rand([9, 4], 9))[0] as JArray;
  };
  checkGrads(g, [x]);
});

test("vmap of slice, rev, concatenate and pad matches a loop over slices", () => {
  const x = rand([3, 4, 5], 1);
  checkVmap((a) => lax.slice(a, [1, 0], [4, 5], [2, 3]), [x], [0]);
  checkVmap((a) => lax.slice(a, [1, 0], [4, 5], [2, 3]), [rand([4, 3, 5], 1)], [1]);
  checkVmap((a) => lax.rev(a, [0]), [x], [2]);
  checkVmap((a, b) => lax.concatenate([a, b], 1), [x, rand([4, 2], 2)], [0, null]);
  checkVmap((a, b) => lax.concatenate([b, a], 0), [rand([4, 3, 5], 3), rand([3, 2, 5], 4)], [1, 0]);
  const pv = jnp.array([0.5, -1, 2], "float64");
  checkVmap((a, v) => lax.pad(a, v, [[1, -1, 1], [2, 0, 0]]), [x, jnp.array(7, "float64")], [0, null]);
  checkVmap((a, v) => lax.pad(a, v, [[1, -1, 1], [2, 0, 0]]), [x, pv], [0, 0]);
  checkVmap((a, v) => lax.pad(a, v, [[1, 0, 0]]), [rand([4], 5), pv], [null, 0]);
  // vmap of vjp of pad (batched cotangent through the transpose rule)
  checkVmap((ct) => (vjp((a: JArray) => lax.pad(a, jnp.array(1, "float64"), [[2, -1, 1]]), rand([4], 6))[1](ct)[0] as JArray), [rand([3, 8], 7)], [0]);
});

// ---------------------------------------------------------------- jnp: reshaping
test("reshape, ravel, flatten and the -1 dimension", () => {
  const r = jnp.reshape(x234, [4, -1]);
  assert.deepEqual(r.shape, [4, 6]);
  assert.deepEqual(L(r)[1], [6, 7, 8, 9, 10, 11]);
  assert.deepEqual(x234.reshape(-1).shape, [24]);
  assert.deepEqual(jnp.reshape(x234, 24).shape, [24]);
  assert.deepEqual(x234.reshape([3, 8]).shape, [3, 8]);
  assert.deepEqual(jnp.ravel(x234).tolist(), Array.from({ length: 24 }, (_, i) => i));
  assert.deepEqual(x234.flatten().shape, [24]);
  assert.deepEqual(x234.ravel().shape, [24]);
  assert.equal(jnp.reshape(x234, [6, 4]).dtype, "int32");
  assert.deepEqual(jnp.reshape(jnp.array(5), [1, 1]).tolist(), [[5]]);
  assert.deepEqual(jnp.reshape(jnp.zeros([0, 3]), [-1, 3]).shape, [0, 3]);
});

test("reshape errors name both shapes", () => {
  assert.throws(() => jnp.reshape(x234, [5, 5]), (e: Error) => e instanceof TypeError && /\[2, 3, 4\]/.test(e.message) && /\[5, 5\]/.test(e.message));
  assert.throws(() => jnp.reshape(x234, [5, -1]), /cannot reshape array of shape \[2, 3, 4\] \(size 24\) into shape \[5, -1\]/);
  assert.throws(() => jnp.reshape(x234, [-1, -1]), /only specify one unknown dimension/);
  assert.throws(() => x234.reshape([2.5, 2]), TypeError);
});

test("transpose, swapaxes, moveaxis and x.T", () => {
  assert.deepEqual(jnp.transpose(x234).shape, [4, 3, 2]);
  assert.deepEqual(x234.T.shape, [4, 3, 2]);
  assert.deepEqual(x234.transpose([1, 0, 2]).shape, [3, 2, 4]);
  assert.deepEqual(L(jnp.transpose(x234, [-1, 0, 1]))[1][0], [1, 5, 9]);
  assert.deepEqual(L(jnp.swapaxes(x234, 0, 2))[3], [[3, 15], [7, 19], [11, 23]]);
  // numpy: np.moveaxis(a, [0, 1], [2, 0]) has shape (3, 4, 2)
  const m = jnp.moveaxis(x234, [0, 1], [2, 0]);
  assert.deepEqual(m.shape, [3, 4, 2]);
  assert.deepEqual(L(m)[1][2], [6, 18]);
  assert.deepEqual(jnp.moveaxis(x234, -1, 0).shape, [4, 2, 3]);
  assert.throws(() => jnp.transpose(x234, [0, 1]), /don't match array of shape \[2, 3, 4\]/);
  assert.throws(() => jnp.swapaxes(x234, 0, 3), /axis 3 is out of bounds for array of dimension 3/);
  assert.throws(() => jnp.moveaxis(x234, [0, 1], [1]), /same number of elements/);
});

test("expandDims, squeeze, atleast*d", () => {
  const v = jnp.array([1, 2, 3]);
  assert.deepEqual(jnp.expandDims(v, 0).shape, [1, 3]);
  assert.deepEqual(jnp.expandDims(v, -1).shape, [3, 1]);
  assert.deepEqual(v.expandDims([0, 2]).shape, [1, 3, 1]);
  assert.deepEqual(jnp.squeeze(jnp.zeros([1, 3, 1])).shape, [3]);
  assert.deepEqual(jnp.zeros([1, 3, 1]).squeeze(-1).shape, [1, 3]);
  assert.deepEqual(jnp.squeeze(jnp.zeros([1, 3, 1]), [0, 2]).shape, [3]);
  assert.throws(() => jnp.squeeze(jnp.zeros([1, 3]), 1), /size not equal to one, got shape=\[1, 3\]/);
  assert.throws(() => jnp.expandDims(v, 3), /axis 3 is out of bounds for array of dimension 2/);
  assert.deepEqual(jnp.atleast1d(jnp.array(4)).shape, [1]);
  assert.deepEqual(jnp.atleast2d(v).shape, [1, 3]);
  assert.deepEqual(jnp.atleast3d(v).shape, [1, 3, 1]);
  assert.deepEqual(jnp.atleast3d(jnp.zeros([2, 3])).shape, [2, 3, 1]);
  const [p, q] = jnp.atleast2d(1, v);
  assert.deepEqual([p!.shape, q!.shape], [[1, 1], [1, 3]]);
});

test("broadcastTo and broadcastArrays", () => {
  const b = jnp.broadcastTo(jnp.array([1, 2, 3]), [2, 3]);
  assert.deepEqual(b.tolist(), [[1, 2, 3], [1, 2, 3]]);
  assert.deepEqual(jnp.broadcastTo(jnp.array(2), 3).tolist(), [2, 2, 2]);
  const [u, w] = jnp.broadcastArrays(jnp.array([[1], [2]]), jnp.array([3, 4, 5]));
  assert.deepEqual(u!.tolist(), [[1, 1, 1], [2, 2, 2]]);
  assert.deepEqual(w!.tolist(), [[3, 4, 5], [3, 4, 5]]);
  assert.throws(() => jnp.broadcastTo(jnp.zeros([2, 3]), [4]), /Incompatible shapes for broadcasting: \[2, 3\] and requested shape \[4\]/);
  assert.throws(() => jnp.broadcastArrays(jnp.zeros([2]), jnp.zeros([3])), /\[2\] and \[3\]/);
});

// ---------------------------------------------------------------- jnp: joining and splitting
test("concatenate, stack, hstack, vstack, dstack", () => {
  const a = jnp.array([[1, 2], [3, 4]]);
  const b = jnp.array([[5, 6]]);
  assert.deepEqual(jnp.concatenate([a, b]).tolist(), [[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(jnp.concatenate([a, jnp.transpose(b)], 1).tolist(), [[1, 2, 5], [3, 4, 6]]);
  assert.deepEqual(jnp.concatenate([a, b], -2).shape, [3, 2]);
  assert.deepEqual(jnp.concatenate([a, jnp.array([7])], null).tolist(), [1, 2, 3, 4, 7]);
  // dtype promotion: int32 with float32 gives float32
  const mixed = jnp.concatenate([jnp.arange(2), jnp.array([0.5])]);
  assert.equal(mixed.dtype, "float32");
  assert.deepEqual(mixed.tolist(), [0, 1, 0.5]);
  assert.deepEqual(jnp.stack([jnp.array([1, 2]), jnp.array([3, 4])], 1).tolist(), [[1, 3], [2, 4]]);
  assert.deepEqual(jnp.stack([jnp.array([1, 2]), jnp.array([3, 4])], -1).shape, [2, 2]);
  assert.deepEqual(jnp.stack([jnp.array(1), jnp.array(2)]).tolist(), [1, 2]);
  assert.deepEqual(jnp.hstack([jnp.array([1, 2]), jnp.array([3])]).tolist(), [1, 2, 3]);
  assert.deepEqual(jnp.hstack([jnp.array([[1], [2]]), jnp.array([[3, 4], [5, 6]])]).tolist(), [[1, 3, 4], [2, 5, 6]]);
  assert.deepEqual(jnp.vstack([jnp.array([1, 2]), jnp.array([3, 4])]).tolist(), [[1, 2], [3, 4]]);
  assert.deepEqual(jnp.dstack([jnp.array([1, 2]), jnp.array([3, 4])]).tolist(), [[[1, 3], [2, 4]]]);
  assert.deepEqual(jnp.columnStack([jnp.array([1, 2]), jnp.array([3, 4])]).tolist(), [[1, 3], [2, 4]]);
});

test("concatenate and stack errors name shapes, ranks and axes", () => {
  const a = jnp.zeros([2, 3]);
  assert.throws(() => jnp.concatenate([a, jnp.zeros([2, 4])]), /dimension 1.*\[2, 3\].*\[2, 4\]/);
  assert.throws(() => jnp.concatenate([a, jnp.zeros([3])]), /same number of dimensions.*\[2, 3\].*\[3\]/);
  assert.throws(() => jnp.concatenate([a, a], 2), /axis 2 is out of bounds for array of dimension 2/);
  assert.throws(() => jnp.concatenate([]), /need at least one array/);
  assert.throws(() => jnp.concatenate([jnp.array(1), jnp.array(2)]), /zero-dimensional/);
  assert.throws(() => jnp.stack([jnp.zeros([2]), jnp.zeros([3])]), /same shape.*\[2\].*\[3\]/);
  assert.throws(() => jnp.stack([a, a], 3), /axis 3 is out of bounds for array of dimension 3/);
});

test("split and arraySplit return JS arrays", () => {
  const parts = jnp.split(jnp.arange(6), 3);
  assert.equal(parts.length, 3);
  assert.deepEqual(parts.map((p) => p.tolist()), [[0, 1], [2, 3], [4, 5]]);
  // numpy: np.split(np.arange(10), [3, -2, 20])
  assert.deepEqual(jnp.split(jnp.arange(10), [3, -2, 20]).map((p) => p.tolist()), [[0, 1, 2], [3, 4, 5, 6, 7], [8, 9], []]);
  const cols = jnp.split(x234, 2, 2);
  assert.deepEqual(cols.map((c) => c.shape), [[2, 3, 2], [2, 3, 2]]);
  assert.deepEqual(L(cols[1]!)[0][0], [2, 3]);
  assert.deepEqual(jnp.arraySplit(jnp.arange(10), 4).map((p) => p.tolist()), [[0, 1, 2], [3, 4, 5], [6, 7], [8, 9]]);
  assert.throws(() => jnp.split(jnp.arange(5), 2), /does not result in an equal division.*size 5.*2/);
  assert.throws(() => jnp.split(x234, 2, 3), /axis 3 is out of bounds for array of dimension 3/);
});

// ---------------------------------------------------------------- jnp: repetition and reordering
test("tile and repeat", () => {
  const a = jnp.array([[1, 2], [3, 4]]);
  assert.deepEqual(jnp.tile(jnp.array([1, 2]), 2).tolist(), [1, 2, 1, 2]);
  assert.deepEqual(jnp.tile(a, [2, 1, 2]).tolist(), [
    [[1, 2, 1, 2], [3, 4, 3, 4]],
    [[1, 2, 1, 2], [3, 4, 3, 4]],
  ]);
  assert.deepEqual(jnp.tile(a, 0).shape, [2, 0]);
  assert.deepEqual(jnp.repeat(a, 2).tolist(), [1, 1, 2, 2, 3, 3, 4, 4]);
  assert.deepEqual(jnp.repeat(a, 2, 0).tolist(), [[1, 2], [1, 2], [3, 4], [3, 4]]);
  assert.deepEqual(jnp.repeat(a, [1, 2], 1).tolist(), [[1, 2, 2], [3, 4, 4]]);
  assert.deepEqual(jnp.repeat(a, [0, 3], -2).tolist(), [[3, 4], [3, 4], [3, 4]]);
  assert.deepEqual(jnp.repeat(a, jnp.array([2, 0], "int32"), 0).tolist(), [[1, 2], [1, 2]]);
  assert.throws(() => jnp.repeat(a, [1, 2, 3], 0), /3 entries.*size 2/);
});

test("flip and roll", () => {
  assert.deepEqual(jnp.flip(jnp.array([[1, 2], [3, 4]])).tolist(), [[4, 3], [2, 1]]);
  assert.deepEqual(jnp.flip(jnp.array([[1, 2], [3, 4]]), 1).tolist(), [[2, 1], [4, 3]]);
  assert.deepEqual(jnp.fliplr(jnp.array([[1, 2], [3, 4]])).tolist(), [[2, 1], [4, 3]]);
  assert.deepEqual(jnp.roll(jnp.arange(5), 2).tolist(), [3, 4, 0, 1, 2]);
  assert.deepEqual(jnp.roll(jnp.arange(5), -7).tolist(), [2, 3, 4, 0, 1]);
  // numpy: np.roll(np.arange(6).reshape(2, 3), 1) rolls the flattened array
  assert.deepEqual(jnp.roll(jnp.arange(6).reshape([2, 3]), 1).tolist(), [[5, 0, 1], [2, 3, 4]]);
  // numpy: np.roll(np.arange(24).reshape(2, 3, 4), [1, -2], [0, 2])[0, 0] == [14, 15, 12, 13]
  assert.deepEqual(L(jnp.roll(x234, [1, -2], [0, 2]))[0][0], [14, 15, 12, 13]);
  assert.deepEqual(jnp.roll(x234, 1, [0, 0]).tolist(), x234.tolist());
  assert.throws(() => jnp.flip(x234, 3), /axis 3 is out of bounds for array of dimension 3/);
});

test("pad: widths, constant values and the periodic modes (numpy values)", () => {
  const a = jnp.array([[1, 2], [3, 4]]);
  assert.deepEqual(jnp.pad(jnp.array([1, 2]), 1).tolist(), [0, 1, 2, 0]);
  assert.deepEqual(jnp.pad(jnp.array([1, 2]), [2, 1], { constantValues: 7 }).tolist(), [7, 7, 1, 2, 7]);
  assert.deepEqual(jnp.pad(a, [[1, 0], [0, 1]]).tolist(), [[0, 0, 0], [1, 2, 0], [3, 4, 0]]);
  // numpy: np.pad([[1,2],[3,4]], [[1,0],[2,1]], constant_values=[[7,8],[9,10]])
  assert.deepEqual(jnp.pad(a, [[1, 0], [2, 1]], { constantValues: [[7, 8], [9, 10]] }).tolist(), [
    [9, 9, 7, 7, 10],
    [9, 9, 1, 2, 10],
    [9, 9, 3, 4, 10],
  ]);
  assert.deepEqual(jnp.pad(jnp.array([1, 2, 3]), [5, 7], { mode: "wrap" }).tolist(), [2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1]);
  assert.deepEqual(jnp.pad(jnp.array([1, 2, 3]), [5, 7], { mode: "reflect" }).tolist(), [2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2]);
  assert.deepEqual(jnp.pad(jnp.array([1, 2, 3]), [5, 7], { mode: "symmetric" }).tolist(), [2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1, 2, 3, 3]);
  assert.deepEqual(jnp.pad(a, 1, { mode: "edge" }).tolist(), [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]);
  // numpy: np.pad([[1,2,3],[4,5,6]], [[3,2],[4,4]], mode='reflect')[0]
  assert.deepEqual(L(jnp.pad(jnp.array([[1, 2, 3], [4, 5, 6]]), [[3, 2], [4, 4]], { mode: "reflect" }))[0], [4, 5, 6, 5, 4, 5, 6, 5, 4, 5, 6]);
  assert.equal(jnp.pad(jnp.arange(3), 1, { constantValues: 2.7 }).dtype, "int32");
  assert.deepEqual(jnp.pad(jnp.arange(3), 1, { constantValues: 2.7 }).tolist(), [2, 0, 1, 2, 2]);
  assert.throws(() => jnp.pad(a, [[1, 2], [3, 4], [5, 6]]), /padWidth.*2 \(before, after\) pairs/);
  assert.throws(() => jnp.pad(a, -1), /non-negative/);
  assert.throws(() => jnp.pad(a, 1, { mode: "mean" }), (e: Error) => e.name === "NotImplementedError" && /mean/.test(e.message));
  assert.throws(() => jnp.pad(a, 1, { mode: "bogus" as "edge" }), /Unimplemented padding mode 'bogus'/);
});

test("diagonal, triu, tril, tri", () => {
  const m = jnp.arange(12).reshape([3, 4]);
  assert.deepEqual(jnp.diagonal(m).tolist(), [0, 5, 10]);
  assert.deepEqual(jnp.diagonal(m, 1).tolist(), [1, 6, 11]);
  assert.deepEqual(jnp.diagonal(m, -1).tolist(), [4, 9]);
  assert.deepEqual(jnp.diagonal(m, 5).tolist(), []);
  // numpy: np.diagonal(np.arange(24).reshape(2,3,4), 1, 1, 2) == [[1, 6, 11], [13, 18, 23]]
  assert.deepEqual(jnp.diagonal(x234, 1, 1, 2).tolist(), [[1, 6, 11], [13, 18, 23]]);
  // numpy: np.diagonal(a, -1, 2, 0) == [[1, 14], [5, 18], [9, 22]]
  assert.deepEqual(jnp.diagonal(x234, -1, 2, 0).tolist(), [[1, 14], [5, 18], [9, 22]]);
  assert.deepEqual(jnp.triu(jnp.ones([3, 4]), 1).tolist(), [[0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 1]]);
  assert.deepEqual(jnp.tril(jnp.ones([3, 4]), -1).tolist(), [[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0]]);
  assert.deepEqual(jnp.tril(m).tolist(), [[0, 0, 0, 0], [4, 5, 0, 0], [8, 9, 10, 0]]);
  assert.equal(jnp.tril(m).dtype, "int32");
  assert.deepEqual(jnp.triu(jnp.ones([2, 2, 2])).tolist(), [[[1, 1], [0, 1]], [[1, 1], [0, 1]]]);
  assert.deepEqual(jnp.tri(3, 2, 0, "int32").tolist(), [[1, 0], [1, 1], [1, 1]]);
  assert.throws(() => jnp.diagonal(m, 0, 1, 1), /cannot be the same/);
  assert.throws(() => jnp.diagonal(m, 0, 0, 2), /axis 2 is out of bounds for array of dimension 2/);
  assert.throws(() => jnp.triu(jnp.ones([3])), /at least 2 dimensions/);
});

test("meshgrid with xy and ij indexing", () => {
  const [X, Y] = jnp.meshgrid(jnp.array([1, 2, 3]), jnp.array([4, 5]));
  assert.deepEqual(X!.tolist(), [[1, 2, 3], [1, 2, 3]]);
  assert.deepEqual(Y!.tolist(), [[4, 4, 4], [5, 5, 5]]);
  const [I, J] = jnp.meshgrid(jnp.array([1, 2, 3]), jnp.array([4, 5]), { indexing: "ij" });
  assert.deepEqual(I!.tolist(), [[1, 1], [2, 2], [3, 3]]);
  assert.deepEqual(J!.tolist(), [[4, 5], [4, 5], [4, 5]]);
  const g3 = jnp.meshgrid(jnp.zeros([2]), jnp.zeros([3]), jnp.zeros([4]));
  assert.deepEqual(g3.map((g) => g.shape), [[3, 2, 4], [3, 2, 4], [3, 2, 4]]);
  const sp = jnp.meshgrid(jnp.zeros([2]), jnp.zeros([3]), { sparse: true });
  assert.deepEqual(sp.map((g) => g.shape), [[1, 2], [3, 1]]);
});

// ---------------------------------------------------------------- jnp functions under transformations
test("jnp shape functions differentiate (jvp vs finite differences, vjp dot-product test)", () => {
  const x = rand([3, 4], 2);
  const fs: [string, (a: JArray) => JArray][] = [
    ["reshape", (a) => jnp.sin(jnp.reshape(a, [2, -1]))],
    ["moveaxis", (a) => jnp.moveaxis(jnp.sin(a).reshape([3, 2, 2]), [0, 2], [1, 0])],
    ["tile", (a) => jnp.sin(jnp.tile(a, [2, 1, 2]))],
    ["repeat", (a) => jnp.sin(jnp.repeat(a, [2, 0, 1], 0))],
    ["roll", (a) => jnp.sin(jnp.roll(a, [1, -3], [0, 1]))],
    ["split", (a) => jnp.multiply(jnp.split(a, 2, 1)[0]!, jnp.sin(jnp.split(a, 2, 1)[1]!))],
    ["pad-constant", (a) => jnp.sin(jnp.pad(a, [[1, 2], [0, 1]], { constantValues: 0.5 }))],
    ["pad-reflect", (a) => jnp.sin(jnp.pad(a, [[4, 2], [1, 3]], { mode: "reflect" }))],
    ["pad-wrap", (a) => jnp.sin(jnp.pad(a, [[1, 5], [2, 0]], { mode: "wrap" }))],
    ["diagonal", (a) => jnp.sin(jnp.diagonal(a, 1))],
    ["triu", (a) => jnp.sin(jnp.triu(a, 1))],
    ["stack", (a) => jnp.stack([a, jnp.sin(a)], 1)],
    ["flip", (a) => jnp.flip(jnp.sin(a), 0)],
  ];
  for (const [name, f] of fs) {
    try {
      checkGrads(f, [x]);
    } catch (e) {
      (e as Error).message = `${name}: ${(e as Error).message}`;
      throw e;
    }
  }
});

test("jnp shape functions under vmap match a loop", () => {
  const x = rand([3, 4, 5], 4);
  checkVmap((a) => jnp.diagonal(a, -1), [x], [0]);
  checkVmap((a) => jnp.triu(a), [x], [1]);
  checkVmap((a) => jnp.roll(a, 2), [x], [2]);
  checkVmap((a) => jnp.pad(a, [[1, 0], [2, 2]], { mode: "symmetric" }), [x], [0]);
  checkVmap((a) => jnp.tile(a, 2), [x], [1]);
  checkVmap((a) => jnp.repeat(a, [1, 0, 2], 0), [x], [2]);
  checkVmap((a, b) => jnp.hstack([a, b]), [x, rand([4, 2], 5)], [0, null]);
  checkVmap((a) => jnp.transpose(a), [x], [1]);
  checkVmap((a) => jnp.concatenate(jnp.split(a, [1, 3], 1).reverse(), 1), [x], [0]);
});
