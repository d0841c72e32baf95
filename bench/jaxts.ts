// jaxts.ts — the jaxts side of `npm run bench` (run by bench/run.mjs as
// `node --import tsx bench/jaxts.ts <group> [names]`, with JAXTS_BACKEND=js or wasm).
// Same shapes, dtype (float32) and work per step as bench/jaxjs.mjs, tfjs.mjs and
// numpy_bench.py; results are blocked on with blockUntilReady().
// Memory, as the peers handle theirs: jax-js and TensorFlow.js must release every result
// (they dispose them after timing; jax-js's MLP step consumes the old parameters). jaxts
// needs no such calls, but has the same optional ones: here results are disposed after
// timing and the MLP step donates its parameters (jit's donateArgnums). With
// JAXTS_BENCH_DROP=1 (the "-drop" columns) results are simply dropped instead, as a user who
// never disposes would: then their memory comes back only after the garbage collector and a
// turn of the event loop, so a timed synchronous loop keeps taking fresh memory.
import { defaultBackend, getBackend, setDefaultBackend } from "../src/backends/backend.js";
import { type Array as JaxArray, backendReady, grad, jit, nn, numpy as jnp, tree, valueAndGrad, vmap } from "../src/index.js";
import { SPEC, emit, meanSq, mlpData, pexgradData, runCli, uniform, type Setup } from "./common.mjs";

// ---- backend selection: JAXTS_BACKEND names the backend; it must be the one in use ----
const want = process.env.JAXTS_BACKEND ?? defaultBackend().name;
if (defaultBackend().name !== want) {
  try {
    try {
      getBackend(want);
    } catch {
      await import(`../src/backends/${want}/index.js`);
    }
    setDefaultBackend(want);
  } catch (e) {
    emit("INFO", { unavailable: `backend ${JSON.stringify(want)} unavailable: ${String((e as Error)?.message ?? e).split("\n")[0]}` });
    process.exit(3);
  }
}
// like jax-js's `await init()`: let the worker threads finish starting before timing
await backendReady();
emit("INFO", { library: "jaxts", backend: defaultBackend().name });

type Params = { w: JaxArray; b: JaxArray }[];
const drop = process.env.JAXTS_BENCH_DROP === "1";
emit("INFO", { results: drop ? "dropped" : "disposed after timing (MLP: params donated)" });
const block = (t: unknown): void => {
  for (const l of tree.leaves(t)) (l as JaxArray).blockUntilReady();
};
/** Waits for the results, then (unless dropping) releases them as the peers do. */
const done = (t: unknown): void => {
  block(t);
  if (!drop) for (const l of tree.leaves(t)) (l as JaxArray).dispose();
};

const f32 = (data: Float32Array, shape: number[]): JaxArray => jnp.array(data).reshape(shape);

// ---- benchmark bodies (also used by the first-call group) ----
function mlpLoss(p: Params, x: JaxArray, y: JaxArray): JaxArray {
  let h = x;
  p.forEach(({ w, b }, i) => {
    h = jnp.add(jnp.matmul(h, w), b);
    if (i + 1 < p.length) h = nn.relu(h);
  });
  return jnp.negative(jnp.mean(jnp.sum(jnp.multiply(nn.logSoftmax(h, -1), y), -1)));
}
const lr = SPEC.mlp.lr;
function makeStep(donate = false) {
  return jit(
    (p: Params, x: JaxArray, y: JaxArray): [JaxArray, Params] => {
      const [loss, g] = valueAndGrad(mlpLoss)(p, x, y) as [JaxArray, Params];
      return [loss, tree.map((pi: JaxArray, gi: JaxArray) => jnp.subtract(pi, jnp.multiply(gi, lr)), p, g)];
    },
    donate ? { donateArgnums: 0 } : {},
  );
}
function mlpSetup() {
  const d = mlpData();
  const p: Params = d.params.map((l) => ({ w: f32(l.w, l.wShape), b: f32(l.b, l.bShape) }));
  return { p, x: f32(d.x, d.xShape), y: f32(d.y, d.yShape) };
}

const benches: Record<string, Setup | string> = {};
for (const n of SPEC.matmul) {
  benches[`matmul_${n}`] = async () => {
    const a = f32(uniform(n * n, -1, 1, 1), [n, n]);
    const b = f32(uniform(n * n, -1, 1, 2), [n, n]);
    return { fn: () => done(jnp.matmul(a, b)), check: () => meanSq(jnp.matmul(a, b).dataSync()) };
  };
}
for (const [name, n] of Object.entries(SPEC.chain)) {
  benches[name] = async () => {
    const x = jnp.array(uniform(n, -3, 3, 3));
    const f = jit((x: JaxArray) => jnp.add(jnp.multiply(jnp.tanh(x), 2), jnp.multiply(jnp.sin(x), x)));
    return { fn: () => done(f(x)), check: () => meanSq(f(x).dataSync()) };
  };
}
const [R, C] = SPEC.reduce;
benches.sum_4096x1024 = async () => {
  const x = f32(uniform(R * C, -1, 1, 4), [R, C]);
  const f = jit((x: JaxArray) => jnp.sum(x));
  return { fn: () => done(f(x)), check: () => f(x).item() as number };
};
benches.softmax_4096x1024 = async () => {
  const x = f32(uniform(R * C, -3, 3, 5), [R, C]);
  const f = jit((x: JaxArray) => nn.softmax(x, -1));
  return { fn: () => done(f(x)), check: () => meanSq(f(x).dataSync()) };
};
benches.mlp_step = async () => {
  const { p, x, y } = mlpSetup();
  const check = makeStep()(p, x, y)[0].item() as number;
  const step = makeStep(!drop); // donating: each step frees the parameters it replaces
  let params = tree.map((a: JaxArray) => jnp.array(a), p) as Params;
  return {
    check: () => check,
    fn: () => {
      const [loss, np] = step(params, x, y);
      done(loss);
      block(np);
      params = np;
    },
  };
};
benches.pexgrad = async () => {
  const d = pexgradData();
  const x = f32(d.x, d.xShape), y = jnp.array(d.y);
  const p = { w: jnp.array(d.w), b: jnp.array(d.b, "float32") };
  const lossOne = (p: { w: JaxArray; b: JaxArray }, xi: JaxArray, yi: JaxArray): JaxArray => {
    const z = jnp.add(jnp.dot(xi, p.w), p.b);
    return jnp.subtract(nn.softplus(z), jnp.multiply(yi, z));
  };
  const f = jit((p: { w: JaxArray; b: JaxArray }, x: JaxArray, y: JaxArray) => vmap(grad(lossOne), { inAxes: [null, 0, 0] })(p, x, y));
  return { fn: () => done(f(p, x, y)), check: () => meanSq(f(p, x, y).w.dataSync()) };
};
benches.mlp_first_call = async () => {
  const { p, x, y } = mlpSetup();
  const step = makeStep();
  const t = performance.now();
  const [loss, np] = step(p, x, y);
  block([loss, np]);
  const ms = performance.now() - t;
  return { once: ms, check: loss.item() as number };
};

await runCli(benches);
