// jaxjs.mjs — the @jax-js/jax side of `npm run bench` (run by bench/run.mjs as
// `node bench/jaxjs.mjs <group> [names]`). Same shapes, dtype (float32) and work per step as
// bench/jaxts.ts. jax-js consumes its array arguments (move semantics): `.ref` is passed
// wherever an array is used again, and results are disposed after timing. Results are
// blocked on with `blockUntilReady()` (which does not copy, like jaxts's).
//
// Node 20 stand-ins (jax-js targets browsers): jax-js reads `navigator.userAgent` in its
// kernel scheduler, `navigator.gpu` in init() and `navigator.hardwareConcurrency` for its
// worker pool, and names `Float16Array` in `instanceof` checks; Node 20 has neither global.
// Its Wasm backend starts worker threads only when the browser `Worker` global exists, which
// Node 20 lacks, so here jax-js runs single-threaded (reported in @@INFO).
import os from "node:os";
import { SPEC, emit, meanSq, mlpData, pexgradData, pkgVersion, runCli, uniform } from "./common.mjs";

if (typeof globalThis.navigator === "undefined") {
  globalThis.navigator = { userAgent: `Node.js/${process.version}`, hardwareConcurrency: os.cpus().length };
}
if (typeof globalThis.Float16Array === "undefined") {
  // Only float32 is used here; any real float16 use fails loudly.
  globalThis.Float16Array = class Float16Array {
    constructor() {
      throw new Error("Float16Array stand-in: float16 is not available under Node 20");
    }
  };
}

const jax = await import("@jax-js/jax");
const { numpy: np, nn, tree, jit, grad, valueAndGrad, vmap } = jax;
const devices = await jax.init();
const version = pkgVersion("@jax-js/jax");
emit("INFO", {
  library: "jax-js",
  version,
  device: jax.defaultDevice(),
  devices,
  threads: typeof SharedArrayBuffer !== "undefined" && typeof globalThis.Worker !== "undefined" ? "worker pool" : 1,
});

const f32 = (data, shape) => np.array(data).reshape(shape);
/** Blocks on every array of a tree (does not consume them). */
const block = (t) => jax.blockUntilReady(t);
/** Host copy of an array; consumes it. */
const host = async (a) => a.data();

function mlpLoss(p, x, y) {
  let h = x;
  p.forEach(({ w, b }, i) => {
    h = np.matmul(h, w).add(b);
    if (i + 1 < p.length) h = nn.relu(h);
  });
  return np.mean(np.sum(nn.logSoftmax(h, -1).mul(y), -1)).mul(-1);
}
const lr = SPEC.mlp.lr;
function makeStep() {
  return jit((p, x, y) => {
    const [loss, g] = valueAndGrad(mlpLoss)(tree.ref(p), x, y);
    return [loss, tree.map((pi, gi) => pi.sub(gi.mul(lr)), p, g)];
  });
}
function mlpSetup() {
  const d = mlpData();
  const p = d.params.map((l) => ({ w: f32(l.w, l.wShape), b: f32(l.b, l.bShape) }));
  return { p, x: f32(d.x, d.xShape), y: f32(d.y, d.yShape) };
}

const benches = {};
for (const n of SPEC.matmul) {
  benches[`matmul_${n}`] = async () => {
    const a = f32(uniform(n * n, -1, 1, 1), [n, n]);
    const b = f32(uniform(n * n, -1, 1, 2), [n, n]);
    return {
      check: async () => meanSq(await host(np.matmul(a.ref, b.ref))),
      fn: async () => {
        const c = np.matmul(a.ref, b.ref);
        await c.blockUntilReady();
        c.dispose();
      },
      cleanup: () => tree.dispose([a, b]),
    };
  };
}
/** A jitted one-argument benchmark: times f(x) and disposes the result; `check` reduces the
 * host data of one result. */
function jitted(x, f, check) {
  return {
    check: async () => check(await host(f(x.ref))),
    fn: async () => {
      const y = f(x.ref);
      await y.blockUntilReady();
      y.dispose();
    },
    cleanup: () => (x.dispose(), f.dispose()),
  };
}
for (const [name, n] of Object.entries(SPEC.chain)) {
  benches[name] = async () => {
    const x = np.array(uniform(n, -3, 3, 3));
    const f = jit((x) => np.tanh(x.ref).mul(2).add(np.sin(x.ref).mul(x)));
    return jitted(x, f, meanSq);
  };
}
const [R, C] = SPEC.reduce;
benches.sum_4096x1024 = async () => {
  const x = f32(uniform(R * C, -1, 1, 4), [R, C]);
  const f = jit((x) => np.sum(x));
  return jitted(x, f, (h) => h[0]);
};
benches.softmax_4096x1024 = async () => {
  const x = f32(uniform(R * C, -3, 3, 5), [R, C]);
  const f = jit((x) => nn.softmax(x, -1));
  return jitted(x, f, meanSq);
};
benches.mlp_step = async () => {
  const { p, x, y } = mlpSetup();
  const step = makeStep();
  let params = p;
  return {
    check: async () => {
      const [loss, np1] = step(tree.ref(p), x.ref, y.ref);
      tree.dispose(np1);
      return (await host(loss))[0];
    },
    fn: async () => {
      const [loss, np1] = step(params, x.ref, y.ref); // consumes the old parameters
      await block([loss, np1]);
      loss.dispose();
      params = np1;
    },
    cleanup: () => (tree.dispose([params, x, y]), step.dispose()),
  };
};
benches.pexgrad = async () => {
  const d = pexgradData();
  const x = f32(d.x, d.xShape), y = np.array(d.y);
  const p = { w: np.array(d.w), b: np.array(d.b) };
  const lossOne = (p, xi, yi) => {
    const z = np.dot(xi, p.w).add(p.b);
    return nn.softplus(z.ref).sub(yi.mul(z));
  };
  const f = jit((p, x, y) => vmap(grad(lossOne), [null, 0, 0])(p, x, y));
  return {
    check: async () => {
      const g = f(tree.ref(p), x.ref, y.ref);
      g.b.dispose();
      return meanSq(await host(g.w));
    },
    fn: async () => {
      const g = f(tree.ref(p), x.ref, y.ref);
      await block(g);
      tree.dispose(g);
    },
    cleanup: () => (tree.dispose([p, x, y]), f.dispose()),
  };
};
benches.mlp_first_call = async () => {
  const { p, x, y } = mlpSetup();
  const step = makeStep();
  const t = performance.now();
  const [loss, np1] = step(p, x, y);
  await block([loss, np1]);
  const ms = performance.now() - t;
  tree.dispose(np1);
  return { once: ms, check: (await host(loss))[0] };
};

await runCli(benches);
