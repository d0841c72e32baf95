// tour.ts — a short guided tour of jaxts (`npm start`). Each capability adds its section.
import { jnp, grad, valueAndGrad, vmap, jit, lax, makeJaxpr, tree, config, random, type Array } from "../src/index.js";

// simulate two CPU devices for the pmap section (JAXTS_NUM_CPU_DEVICES overrides)
config.update("numCpuDevices", Number(process.env.JAXTS_NUM_CPU_DEVICES ?? 2));

function section(title: string): void {
  console.log(`\n=== ${title} ===`);
}
function timeIt(fn: () => void, reps = 5): number {
  fn(); // warm up
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / reps;
}

section("Arrays and jax.numpy");
const x = jnp.array([[1, 2, 3], [4, 5, 6]]);
console.log("x =", x.toString());
console.log("jnp.sin(x).add(1).sum(0) =", jnp.sin(x).add(1).sum(0).toString());
console.log("x.get(':', '::-1') =", x.get(":", "::-1").toString());
console.log("x.at(0, 1).set(10) =", x.at(0, 1).set(10).toString(), " (x itself is unchanged)");
console.log("x @ x.T =", jnp.matmul(x, x.T).toString());
console.log("weak scalars yield: int32 array + 1.5 ->", jnp.add(jnp.arange(3), 1.5).toString());

section("grad: derivatives of ordinary functions, to any order");
const poly = (x: Array) => x.pow(3).add(x.pow(2).mul(2)).sub(x.mul(3)).add(1);
const [v, g] = valueAndGrad(poly)(2.0);
console.log(`poly(x) = x^3 + 2x^2 - 3x + 1 at 2: value ${v.item()}, gradient ${g.item()}`);
const f2 = (a: Array, b: Array) => a.pow(2).mul(jnp.sin(b));
console.log("grad(a^2 sin b, argnums [0, 1]) at (3, pi/2) =", grad(f2, { argnums: [0, 1] })(3.0, Math.PI / 2).map((t: Array) => Number(t).toFixed(4)).join(", "));
let d: (x: any) => any = jnp.sin;
for (let i = 0; i < 4; i++) d = grad(d);
console.log(`4th derivative of sin at 1: ${Number(d(1.0)).toFixed(6)} (sin(1) = ${Math.sin(1).toFixed(6)})`);
console.log("host control flow works under grad:", grad((x: Array) => (Number(x) > 3 ? x.mul(2) : jnp.sin(x)))(1.0).toString());

section("vmap: per-example gradients of a small model");
const params = { w: jnp.array([0.5, -1.0, 2.0]), b: jnp.array(0.1) };
const loss = (p: { w: Array; b: Array }, xi: Array, yi: Array) => jnp.square(jnp.tanh(jnp.dot(xi, p.w).add(p.b)).sub(yi));
const xs = jnp.sin(jnp.arange(3 * 256).reshape([256, 3]).astype("float32"));
const ys = jnp.cos(jnp.arange(256).astype("float32"));
const perEx = vmap(grad(loss), { inAxes: [null, 0, 0] });
const gs = perEx(params, xs, ys);
console.log("per-example gradient shapes:", JSON.stringify(tree.map((l: Array) => l.shape, gs)));
const meanOfPer = jnp.mean(gs.w, 0);
const gradOfMean = grad((p: typeof params) => jnp.mean(vmap(loss, { inAxes: [null, 0, 0] })(p, xs, ys)))(params).w;
console.log("mean of per-example grads == grad of mean loss:", jnp.allclose(meanOfPer, gradOfMean).item());
const tVmap = timeIt(() => perEx(params, xs, ys).w.blockUntilReady());
const gradLoss = grad(loss);
const tLoop = timeIt(() => {
  for (let i = 0; i < 256; i++) gradLoss(params, xs.get(i), ys.get(i));
}, 1);
console.log(`vmap(grad) over 256 examples: ${tVmap.toFixed(1)} ms; a JS loop of grad calls: ${tLoop.toFixed(1)} ms (${(tLoop / tVmap).toFixed(1)}x)`);

section("jit: stage once, run many times");
const chain = (x: Array) => jnp.tanh(x).mul(2).add(jnp.sin(x).mul(x));
const big = jnp.linspace(-3, 3, 100000);
const jchain = jit(chain);
console.log("makeJaxpr(chain) =", makeJaxpr(chain)(jnp.array(1.0)).toString());
const tEager = timeIt(() => chain(big).blockUntilReady());
const tJit = timeIt(() => jchain(big).blockUntilReady());
console.log(`eager: ${tEager.toFixed(2)} ms, jitted: ${tJit.toFixed(2)} ms (this backend runs jaxprs op by op; fusion arrives with the compiler)`);
const relu = jit((x: Array) => lax.cond(jnp.greater(x, 0), (y: Array) => y, (y: Array) => jnp.zerosLike(y), x));
console.log("lax.cond under jit: relu(-2), relu(3) =", relu(-2.0).item(), relu(3.0).item());
const powerLoop = (x: Array) => lax.foriLoop(0, 5, (_i: Array, acc: Array) => acc.mul(x), jnp.onesLike(x));
console.log("lax.foriLoop x^5 at 2:", jit(powerLoop)(2.0).item(), " d/dx:", grad(powerLoop)(2.0).item());

section("training: an MLP from nn.initializers, optim.adam in one jitted step");
{
  const { nn, optim, random, valueAndGrad: vg } = await import("../src/index.js");
  const keys = random.split(random.key(0), 3);
  const [k1, k2, kx] = [keys.get(0), keys.get(1), keys.get(2)];
  const init = nn.initializers.glorotNormal();
  let params: Record<string, Array> = { w1: init(k1, [4, 16]), b1: jnp.zeros([16]), w2: init(k2, [16, 1]), b2: jnp.zeros([1]) };
  const X = random.normal(kx, [64, 4]);
  const Y = jnp.sin(X.sum(1, { keepdims: true }));
  const mlp = (p: Record<string, Array>, x: Array) => jnp.matmul(nn.relu(jnp.matmul(x, p.w1!).add(p.b1!)), p.w2!).add(p.b2!);
  const mse = (p: Record<string, Array>) => jnp.mean(jnp.square(mlp(p, X).sub(Y)));
  const opt = optim.adam(0.03);
  let state = opt.init(params);
  const step = jit((p: Record<string, Array>, s: any) => {
    const [l, g] = vg(mse)(p);
    const [updates, s2] = opt.update(g, s, p);
    return [optim.applyUpdates(p, updates), s2, l];
  });
  for (let i = 0; i <= 100; i++) {
    const [p2, s2, l] = step(params, state) as [Record<string, Array>, any, Array];
    params = p2;
    state = s2;
    if (i % 25 === 0) console.log(`step ${String(i).padStart(3)}: loss ${Number(l).toFixed(5)}`);
  }
}

section("pmap: data-parallel training over CPU devices");
{
  const { pmap, deviceCount: dc } = await import("../src/index.js");
  const n = dc();
  // each device gets a shard of the batch; gradients are averaged with pmean, so every replica
  // applies the same update and the replicated parameters stay in sync
  const loss = (w: Array, x: Array, y: Array) => jnp.mean(jnp.square(jnp.dot(x, w).sub(y)));
  const step = pmap(
    (w: Array, x: Array, y: Array) => {
      const [l, g] = valueAndGrad(loss)(w, x, y);
      return [w.sub(lax.pmean(g, "devices").mul(0.1)), lax.pmean(l, "devices")];
    },
    { axisName: "devices", inAxes: [null, 0, 0], outAxes: [null, 0] },
  );
  const wTrue = jnp.array([2, -3, 1]);
  const X = random.normal(random.key(1), [n, 32, 3]);
  const Y = jnp.matmul(X, wTrue);
  let w = jnp.zeros([3]);
  for (let i = 0; i <= 60; i++) {
    const [w2, l] = step(w, X, Y) as [Array, Array];
    w = w2;
    if (i % 20 === 0) console.log(`step ${String(i).padStart(2)} on ${n} device(s): loss ${Number(l.get(0)).toFixed(5)}`);
  }
  console.log("learned w =", w.toString(), "(true [2, -3, 1]); set JAXTS_NUM_CPU_DEVICES to simulate more devices");
}
