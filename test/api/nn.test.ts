// nn.test.ts — jax.nn activations, softmax family, oneHot and initializers against JAX 0.10.2
// (test/reference/random.json, sections "nn" and "init", made by gen_random.py), plus
// gradients (relu'(0) = 0, stability at ±1000), vmap/jit composition and bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { jnp, nn, random, grad, vmap, jit, jvp, type Array as JArray, type DType } from "../../src/index.js";
import { type EncData, decodeScalar, loadJson } from "../harness/reference.js";

type Enc = EncData;
interface Case {
  name: string;
  fn: string;
  args: Record<string, unknown>;
  out: Enc;
}
const ref = loadJson<{ nn: Case[]; init: Case[] }>("random.json")!;
const num = decodeScalar;
const dec = (e: Enc): JArray => jnp.array(e.data.map(num), e.dtype as DType).reshape(e.shape);

function close(got: JArray, want: Enc, name: string, rtol = 1e-5, atol = 1e-6): void {
  assert.deepEqual(got.shape, want.shape, `${name}: shape`);
  assert.equal(got.dtype, want.dtype, `${name}: dtype`);
  const g = Array.from(got.dataSync() as ArrayLike<number>);
  want.data.map(num).forEach((w, i) => {
    const v = g[i]!;
    if (Number.isNaN(w)) assert.ok(Number.isNaN(v), `${name}[${i}]: ${v} vs NaN`);
    else if (!Number.isFinite(w)) assert.equal(v, w, `${name}[${i}]`);
    else assert.ok(Math.abs(v - w) <= atol + rtol * Math.abs(w), `${name}[${i}]: got ${v}, JAX ${w}`);
  });
}

const ACT: Record<string, (x: JArray) => JArray> = {
  relu: nn.relu,
  sigmoid: nn.sigmoid,
  softplus: nn.softplus,
  silu: nn.silu,
  geluApprox: (x) => nn.gelu(x),
  geluExact: (x) => nn.gelu(x, false),
};

for (const c of ref.nn) {
  test(`matches JAX: nn ${c.name}`, () => {
    const x = dec(c.args.x as Enc);
    const a = c.args;
    let y: JArray;
    if (c.fn in ACT) y = ACT[c.fn]!(x);
    else if (c.fn.startsWith("grad_") && c.fn.slice(5) in ACT) y = vmap(grad(ACT[c.fn.slice(5)]!))(x);
    else if (c.fn === "softmax") y = nn.softmax(x, (a.axis as number | undefined) ?? -1);
    else if (c.fn === "logSoftmax") y = nn.logSoftmax(x, (a.axis as number | undefined) ?? -1);
    else if (c.fn === "logsumexp") y = nn.logsumexp(x, a.axis as number | undefined, { keepdims: a.keepdims as boolean | undefined });
    else if (c.fn === "grad_logsumexp") y = grad((v: JArray) => nn.logsumexp(v))(x);
    else if (c.fn === "oneHot") y = nn.oneHot(x, a.numClasses as number);
    else throw new Error(`unknown ${c.fn}`);
    close(y, c.out, c.name);
  });
}

const INIT = nn.initializers;
for (const c of ref.init) {
  test(`matches JAX: initializers.${c.name}`, () => {
    const a = c.args;
    const k = random.key(a.key as number);
    const shape = a.shape as number[];
    let init: (k: JArray, s: number[]) => JArray;
    switch (c.fn) {
      case "normal":
        init = a.stddev === undefined ? INIT.normal() : INIT.normal(a.stddev as number);
        break;
      case "uniform":
        init = INIT.uniform(a.scale as number);
        break;
      case "truncatedNormal":
        init = INIT.truncatedNormal(a.stddev as number);
        break;
      case "zeros":
        init = INIT.zeros;
        break;
      case "ones":
        init = INIT.ones;
        break;
      case "varianceScaling":
        init = nn.initializers.varianceScaling(a.scale as number, a.mode as nn.FanMode, a.distribution as nn.Distribution);
        break;
      default:
        init = (INIT as unknown as Record<string, () => (k: JArray, s: number[]) => JArray>)[c.fn]!();
    }
    // normal-based initializers go through erf_inv: equal to JAX within a couple of ulps
    close(init(k, shape), c.out, c.name, 3e-7, 1e-9);
  });
}

test("relu has derivative 0 at 0, 1 above, 0 below", () => {
  const g = vmap(grad((x: JArray) => nn.relu(x)))(jnp.array([-1, 0, 2]));
  assert.deepEqual(g.tolist(), [0, 0, 1]);
  assert.equal(grad((x: JArray) => nn.relu(x))(jnp.array(0)).item(), 0);
  assert.equal(nn.relu(jnp.array([-3, 4], "int32")).dtype, "int32");
});

test("softplus and logsumexp are stable at ±1000, values and gradients", () => {
  const x = jnp.array([-1000, 0, 1000]);
  assert.deepEqual(nn.softplus(x).tolist(), [0, Math.fround(Math.LN2), 1000]);
  const gs = vmap(grad((v: JArray) => nn.softplus(v)))(x);
  assert.deepEqual(gs.tolist(), [0, 0.5, 1]);
  const big = jnp.array([1000, 1000]);
  assert.ok(Math.abs((nn.logsumexp(big).item() as number) - (1000 + Math.LN2)) < 1e-3);
  assert.deepEqual(grad((v: JArray) => nn.logsumexp(v))(big).tolist(), [0.5, 0.5]);
  const neg = jnp.array([-1000, -1000]);
  assert.ok(Math.abs((nn.logsumexp(neg).item() as number) + 1000 - Math.LN2) < 1e-3);
  assert.deepEqual(grad((v: JArray) => nn.logsumexp(v))(neg).tolist(), [0.5, 0.5]);
  assert.equal(nn.logsumexp(jnp.array([-Infinity, -Infinity])).item(), -Infinity);
  const sm = nn.softmax(jnp.array([1000, 0, -1000]));
  assert.deepEqual(sm.tolist(), [1, 0, 0]);
  const ls = nn.logSoftmax(jnp.array([1000, 0]));
  assert.deepEqual(ls.tolist(), [0, -1000]);
  // softmax gradient: the Jacobian-vector product sums to zero
  const [, t] = jvp((v: JArray) => nn.softmax(v), [jnp.array([0.1, 2, -1])], [jnp.array([1, 0.5, -2])]);
  assert.ok(Math.abs(t.sum().item() as number) < 1e-6);
});

test("gelu gradients match finite differences; jit and vmap compose", () => {
  for (const approx of [true, false]) {
    const f = (v: JArray) => nn.gelu(v, approx);
    for (const x0 of [-2, -0.3, 0, 0.7, 3]) {
      const g = grad(f)(jnp.array(x0, "float64")).item() as number;
      const h = 1e-6;
      const fd = ((f(jnp.array(x0 + h, "float64")).item() as number) - (f(jnp.array(x0 - h, "float64")).item() as number)) / (2 * h);
      assert.ok(Math.abs(g - fd) < 1e-6, `gelu(${approx})'(${x0}): ${g} vs ${fd}`);
    }
  }
  const x = jnp.array([[0.5, -1, 2], [3, 0, -2]]);
  assert.deepEqual(jit((v: JArray) => nn.softmax(v))(x).tolist(), nn.softmax(x).tolist());
  const rows = vmap((v: JArray) => nn.logsumexp(v))(x);
  assert.deepEqual(rows.tolist(), nn.logsumexp(x, 1).tolist());
});

test("oneHot and initializers: shapes, dtypes, vmap over keys", () => {
  const oh = nn.oneHot(jnp.array([1, 0], "int32"), 3, { dtype: "int32" });
  assert.deepEqual(oh.tolist(), [[0, 1, 0], [1, 0, 0]]);
  assert.deepEqual(nn.oneHot(jnp.array([2], "int32"), 3, { axis: 0 }).shape, [3, 1]);
  const w = nn.initializers.heNormal()(random.key(0), [8, 16]);
  assert.deepEqual(w.shape, [8, 16]);
  assert.equal(w.dtype, "float32");
  assert.equal(nn.initializers.glorotUniform()(random.key(0), [3, 3], "float64").dtype, "float64");
  const ws = vmap((k: JArray) => nn.initializers.glorotNormal()(k, [2, 3]))(random.split(random.key(1), 3));
  assert.deepEqual(ws.get(1).tolist(), nn.initializers.glorotNormal()(random.split(random.key(1), 3).get(1), [2, 3]).tolist());
});

test("bad input gives clear errors", () => {
  assert.throws(() => nn.initializers.glorotNormal()(random.key(0), [5]), /1-dimensional weights tensor with default in_axis/);
  assert.throws(() => nn.initializers.heNormal()(random.key(0), [2, -3]), /shape must be a non-negative integer/);
  assert.throws(() => nn.initializers.normal()(random.key(0), [2], "int32"), /float dtype, got int32/);
  assert.throws(() => nn.initializers.varianceScaling(1, "fan_x" as nn.FanMode, "normal"), /invalid mode/);
  assert.throws(() => nn.softmax(jnp.ones([2, 3]), 2), /axis 2 is out of bounds for array of dimension 2/);
  assert.throws(() => nn.logsumexp(jnp.ones([2]), 1), /axis 1 is out of bounds/);
  assert.throws(() => nn.oneHot(jnp.array([1], "int32"), 2.5), /numClasses must be a non-negative integer/);
  assert.throws(() => nn.oneHot(jnp.array([1.5]), 3), /labels must be integers/);
});
