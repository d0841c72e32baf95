// optim.test.ts — optax-style optimizers against optax 0.2.8 step for step
// (test/reference/optim.json, made by gen_optim.py), a jitted training loop, pytree handling
// and bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { jnp, optim, jit, valueAndGrad, tree, type Array as JArray, type DType } from "../../src/index.js";

interface Enc {
  shape: number[];
  dtype: string;
  data: number[];
}
type T = Record<string, Enc>;
interface Case {
  name: string;
  opt: string;
  args: Record<string, number | boolean>;
  updates: T[];
  params: T[];
}
const here = dirname(fileURLToPath(import.meta.url));
const ref = JSON.parse(readFileSync(join(here, "../reference/optim.json"), "utf8")) as {
  params0: T;
  grads: T[];
  cases: Case[];
  loss: { x: Enc; y: Enc; lr: number; losses: number[]; final: T };
};
const dec = (e: Enc): JArray => jnp.array(e.data, e.dtype as DType).reshape(e.shape);
const decT = (t: T): Record<string, JArray> => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, dec(v)]));

function closeTree(got: Record<string, JArray>, want: T, what: string, rtol = 1e-5, atol = 1e-6): void {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: keys`);
  for (const [k, w] of Object.entries(want)) {
    const g = got[k]!;
    assert.deepEqual(g.shape, w.shape, `${what}.${k}: shape`);
    assert.equal(g.dtype, w.dtype, `${what}.${k}: dtype`);
    const gd = Array.from(g.dataSync() as ArrayLike<number>);
    w.data.forEach((v, i) => assert.ok(Math.abs(gd[i]! - v) <= atol + rtol * Math.abs(v), `${what}.${k}[${i}]: got ${gd[i]}, optax ${v}`));
  }
}

function make(c: Case): optim.GradientTransformation {
  const a = c.args;
  const lr = a.lr as number;
  switch (c.opt) {
    case "sgd":
      return optim.sgd(lr, { momentum: (a.momentum as number | undefined) ?? null, nesterov: a.nesterov as boolean | undefined });
    case "adam":
      return optim.adam(lr, { b1: a.b1 as number | undefined, b2: a.b2 as number | undefined, eps: a.eps as number | undefined, nesterov: a.nesterov as boolean | undefined });
    case "adamw":
      return optim.adamw(lr, { weightDecay: a.weightDecay as number | undefined });
    case "rmsprop":
      return optim.rmsprop(lr, { momentum: (a.momentum as number | undefined) ?? null, centered: a.centered as boolean | undefined, decay: a.decay as number | undefined });
    case "clip":
      return optim.clipByGlobalNorm(a.maxNorm as number);
    case "clipAdam":
      return optim.chain(optim.clipByGlobalNorm(a.maxNorm as number), optim.adam(lr));
  }
  throw new Error(`unknown optimizer ${c.opt}`);
}

for (const c of ref.cases) {
  test(`matches optax step for step: ${c.name}`, () => {
    const opt = make(c);
    let params: unknown = decT(ref.params0);
    let state = opt.init(params);
    ref.grads.forEach((g, t) => {
      const [updates, s] = opt.update(decT(g), state, params);
      state = s;
      params = optim.applyUpdates(params, updates);
      closeTree(updates as Record<string, JArray>, c.updates[t]!, `${c.name} step ${t} updates`);
      closeTree(params as Record<string, JArray>, c.params[t]!, `${c.name} step ${t} params`);
    });
    // the state is a pytree of arrays
    for (const leaf of tree.leaves(state)) assert.ok(leaf instanceof jnp.Array, "state leaves are arrays");
  });
}

test("a jitted adam training step matches optax's losses", () => {
  const x = dec(ref.loss.x);
  const y = dec(ref.loss.y);
  const opt = optim.adam(ref.loss.lr);
  const lossFn = (p: Record<string, JArray>) => jnp.mean(jnp.square(jnp.add(jnp.matmul(x, p.w!), p.b!).sub(y)));
  const step = jit((p: Record<string, JArray>, s: unknown) => {
    const [l, g] = valueAndGrad(lossFn)(p);
    const [u, s2] = opt.update(g, s, p);
    return [optim.applyUpdates(p, u), s2, l];
  });
  let p: Record<string, JArray> = decT(ref.params0);
  let s = opt.init(p);
  ref.loss.losses.forEach((want, i) => {
    const [p2, s2, l] = step(p, s) as [Record<string, JArray>, unknown, JArray];
    p = p2;
    s = s2;
    const got = l.item() as number;
    assert.ok(Math.abs(got - want) <= 1e-5 * Math.abs(want) + 1e-5, `step ${i}: loss ${got} vs optax ${want}`);
  });
  closeTree(p, ref.loss.final, "final params", 1e-4, 1e-5);
});

test("works over any pytree (nested arrays, objects) and learning-rate schedules", () => {
  const params = { layers: [{ w: jnp.ones([2, 2]) }, { w: jnp.zeros([3]) }], scale: jnp.array(2) };
  const grads = { layers: [{ w: jnp.full([2, 2], 0.5) }, { w: jnp.ones([3]) }], scale: jnp.array(-1) };
  const opt = optim.sgd((count) => jnp.multiply(0.1, jnp.add(count.astype("float32"), 1)));
  let st = opt.init(params);
  let [u, s] = opt.update(grads, st, params);
  let p = optim.applyUpdates(params, u) as typeof params;
  assert.deepEqual(Array.from(p.layers[1]!.w.dataSync()), [-0.1, -0.1, -0.1].map(Math.fround));
  [u, s] = opt.update(grads, s, p);
  p = optim.applyUpdates(p, u) as typeof params;
  assert.ok(Math.abs((p.scale.item() as number) - 2.3) < 1e-6); // 2 + 0.1 + 0.2
  st = s;
  assert.ok(st !== undefined);
  const n = optim.globalNorm({ a: jnp.array([3, 0]), b: [jnp.array([4])] });
  assert.equal(n.item(), 5);
});

test("bad input gives clear errors", () => {
  const p = { w: jnp.ones([2]) };
  assert.throws(() => optim.adam("0.1" as unknown as number), /learning rate must be a finite number/);
  assert.throws(() => optim.adam(0.1, { b1: 1.5 }), /b1 must be in \[0, 1\], got 1.5/);
  assert.throws(() => optim.clipByGlobalNorm(-1), /maxNorm must be positive/);
  const aw = optim.adamw(0.1);
  assert.throws(() => aw.update(p, aw.init(p)), /need the params/);
  const sgd = optim.sgd(0.1, { momentum: 0.9 });
  assert.throws(() => sgd.update(p, [1, 2, 3]), /expected a state with 2 entries/);
  assert.throws(() => optim.chain({} as optim.GradientTransformation), /not a gradient transformation/);
  assert.throws(() => optim.applyUpdates(p, { v: jnp.ones([2]) }));
});
