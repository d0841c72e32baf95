// harness.test.ts — tests of the test harness itself: checkGrads and checkVmap must reject
// primitives with deliberately wrong rules (jvp, transpose, second-order, batch), the PRNG
// must be deterministic, and the host slicing/stacking used as oracle must be right.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ShapedArray } from "../../src/core/aval.js";
import type { JaxArray } from "../../src/core/array.js";
import { NOT_LINEAR, type Primitive, definePrimitive, missing } from "../../src/core/primitive.js";
import { bind1 } from "../../src/core/trace.js";
import { mul, neg } from "../../src/primitives/elementwise.js";
import { jnp } from "../../src/index.js";
import { checkGrads } from "../harness/checkGrads.js";
import { checkVmap } from "../harness/checkVmap.js";
import { fromFlat, sliceAxis, stackAxis, toFlat } from "../harness/host.js";
import { Rng } from "../harness/rng.js";

const LOWER = missing("not lowered: test-only primitive");
const mapKernel = (f: (v: number) => number) => ([x]: { data: ArrayLike<number> }[], _p: {}, [o]: ShapedArray[]) => {
  const out = new (o!.dtype === "float64" ? Float64Array : Float32Array)(x!.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(x!.data[i]!);
  return [out];
};

// x^3 with a wrong jvp (2x^2 instead of 3x^2)
const badCubeP: Primitive<{}> = definePrimitive<{}>({
  name: "harness_bad_cube",
  impl: mapKernel((v) => v * v * v),
  abstractEval: ([x]) => [x!],
  jvp: ([x], [t]) => [[bind1(badCubeP, [x!])], [t ? mul(t, mul(mul(x!, x!), 2)) : null]],
  transpose: NOT_LINEAR,
  batch: ([x], [d]) => [[bind1(badCubeP, [x!])], [d!]],
  lower: LOWER,
});

// 2x with a right jvp and a wrong transpose (3 ct)
const badScaleP: Primitive<{}> = definePrimitive<{}>({
  name: "harness_bad_scale",
  impl: mapKernel((v) => 2 * v),
  abstractEval: ([x]) => [x!],
  jvp: ([x], [t]) => [[bind1(badScaleP, [x!])], [t ? bind1(badScaleP, [t]) : null]],
  transpose: ([ct]) => [ct ? mul(ct, 3) : null],
  batch: ([x], [d]) => [[bind1(badScaleP, [x!])], [d!]],
  lower: LOWER,
});

// 2x whose jvp claims the derivative is -2 (used inside the next primitive's jvp rule)
const badTwiceP: Primitive<{}> = definePrimitive<{}>({
  name: "harness_bad_twice",
  impl: mapKernel((v) => 2 * v),
  abstractEval: ([x]) => [x!],
  jvp: ([x], [t]) => [[bind1(badTwiceP, [x!])], [t ? neg(mul(t, 2)) : null]],
  transpose: ([ct]) => [ct ? neg(mul(ct, 2)) : null],
  batch: ([x], [d]) => [[bind1(badTwiceP, [x!])], [d!]],
  lower: LOWER,
});
// x^2 with tangent badTwice(x)·t: right at first order, wrong at second order
const sqP: Primitive<{}> = definePrimitive<{}>({
  name: "harness_square_bad_second_order",
  impl: mapKernel((v) => v * v),
  abstractEval: ([x]) => [x!],
  jvp: ([x], [t]) => [[bind1(sqP, [x!])], [t ? mul(t, bind1(badTwiceP, [x!])) : null]],
  transpose: NOT_LINEAR,
  batch: ([x], [d]) => [[bind1(sqP, [x!])], [d!]],
  lower: LOWER,
});

// sum over the last axis with a batch rule that forgets to move the batch dim first
const badRowSumP: Primitive<{}> = definePrimitive<{}>({
  name: "harness_bad_rowsum",
  impl: ([x], _p, [o]) => {
    const n = x!.shape[x!.shape.length - 1]!;
    const out = new Float32Array(o!.size);
    for (let i = 0; i < out.length; i++) for (let k = 0; k < n; k++) out[i]! += x!.data[i * n + k]!;
    return [out];
  },
  abstractEval: ([x]) => [new ShapedArray(x!.shape.slice(0, -1), x!.dtype)],
  jvp: missing("not needed"),
  transpose: NOT_LINEAR,
  // wrong: claims the batch dim stays where it was, without moving it away from the last axis
  batch: ([x], [d]) => [[bind1(badRowSumP, [x!])], [d!]],
  lower: LOWER,
});

const x23 = fromFlat([0.3, -1.2, 0.7, 1.5, -0.4, 0.9], [2, 3], "float32");

test("checkGrads rejects a wrong jvp rule", () => {
  assert.throws(() => checkGrads((x) => bind1(badCubeP, [x]), [x23], { label: "bad_cube" }), /jvp vs finite differences/);
});

test("checkGrads rejects a wrong transpose rule", () => {
  // forward mode is right, so only the adjoint identity can catch it
  checkGrads((x) => bind1(badScaleP, [x]), [x23], { modes: ["fwd"], x64: false, checkLowPrecision: false });
  assert.throws(() => checkGrads((x) => bind1(badScaleP, [x]), [x23], { x64: false, checkLowPrecision: false }), /<vjp\(ct\), t>/);
});

test("checkGrads rejects a rule that is right at first order but wrong at second order", () => {
  const f = (x: JaxArray) => bind1(sqP, [x]);
  checkGrads(f, [x23], { order: 1, x64: false, checkLowPrecision: false });
  assert.throws(() => checkGrads(f, [x23], { order: 2, x64: false, checkLowPrecision: false }), /order 2/);
});

test("checkGrads rejects a wrong `linear` flag", () => {
  assert.throws(() => checkGrads((x) => jnp.multiply(jnp.sin(x), 2), [x23], { linear: true }), /linear/);
});

test("checkVmap rejects a batch rule that mishandles the batch axis", () => {
  const f = (x: JaxArray) => bind1(badRowSumP, [x]);
  const xb = fromFlat(Array.from({ length: 30 }, (_, i) => i), [5, 2, 3], "float32");
  checkVmap(f, [xb], 0, 0); // batch dim 0 happens to work
  const xl = fromFlat(Array.from({ length: 30 }, (_, i) => i), [2, 3, 5], "float32");
  assert.throws(() => checkVmap(f, [xl], -1, 0));
});

test("checkVmap accepts a correct op for every axis combination", () => {
  const f = (x: JaxArray, y: JaxArray) => jnp.multiply(jnp.sin(x), y);
  const x = fromFlat(Array.from({ length: 30 }, (_, i) => i / 7), [2, 5, 3], "float32");
  const y = fromFlat([1, 2, 3], [3], "float32");
  checkVmap(f, [x, y], [1, null], 0);
  checkVmap(f, [x, y], [1, null], -1);
  checkVmap(f, [sliceAxis(x, 1, 0), y], null, null, { axisSize: 4 });
});

test("the PRNG is deterministic and roughly uniform", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.next()));
  assert.ok(xs.every((v) => v >= 0 && v < 1));
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  assert.notDeepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => new Rng(43).next()));
  const p = new Rng(1).perm(10);
  assert.deepEqual([...p].sort((u, v) => u - v), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test("host slicing and stacking invert each other", () => {
  const x = fromFlat(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4], "int32");
  for (const ax of [0, 1, 2, -1]) {
    const n = x.shape[ax < 0 ? ax + 3 : ax]!;
    const parts = Array.from({ length: n }, (_, i) => sliceAxis(x, ax, i));
    const back = stackAxis(parts, ax);
    assert.deepEqual(back.shape, x.shape);
    assert.deepEqual(toFlat(back), toFlat(x));
  }
  assert.deepEqual(sliceAxis(x, 1, 2).tolist(), [[8, 9, 10, 11], [20, 21, 22, 23]]);
});
