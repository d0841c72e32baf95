// tfjs.mjs — the TensorFlow.js side of `npm run bench` (run by bench/run.mjs as
// `TFJS_BACKEND=wasm|cpu node bench/tfjs.mjs <group> [names]`). Same shapes, dtype (float32)
// and work per step as bench/jaxts.ts.
//
// tfjs has no jit and no vmap: the chain, softmax and MLP step run op by op (inside tf.tidy),
// and per-example gradients use the usual substitute: the parameters are tiled once per
// example and tf.grads differentiates the summed per-example losses with respect to the
// tiled copies, which gives exactly the per-example gradients.
//
// Blocking: the 'wasm' and 'cpu' backends run every kernel synchronously on the calling
// thread (tfjs-backend-wasm is single-threaded under Node: its WASM_HAS_MULTITHREAD_SUPPORT
// flag is false when IS_NODE), so a result is complete when the op returns. We do not call
// dataSync() inside the timed region because on 'wasm' it copies the whole output out of the
// Wasm heap (for softmax of 4096x1024 that copy alone doubles the time), which jaxts's and
// jax-js's blockUntilReady() do not do. The checksums are read with dataSync() outside timing.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SPEC, emit, meanSq, mlpData, pexgradData, pkgVersion, runCli, uniform } from "./common.mjs";

const backend = process.env.TFJS_BACKEND ?? "wasm";
const tf = await import("@tensorflow/tfjs");
if (backend === "wasm") {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  // The .wasm binaries sit beside the package's node entry point (dist/).
  const dist = path.dirname(fileURLToPath(import.meta.resolve("@tensorflow/tfjs-backend-wasm")));
  wasm.setWasmPaths(dist + path.sep);
}
if (!(await tf.setBackend(backend))) {
  emit("INFO", { unavailable: `tfjs backend ${backend} failed to initialise` });
  process.exit(3);
}
await tf.ready();
const info = { library: "tfjs", version: tf.version.tfjs, backend: tf.getBackend() };
if (backend === "wasm") {
  info.wasmVersion = pkgVersion("@tensorflow/tfjs-backend-wasm");
  info.threads = tf.backend().wasm?.tfjs?.getThreadsCount?.() ?? 1;
  info.simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
}
emit("INFO", info);

const f32 = (data, shape) => tf.tensor(data, shape, "float32");

const lr = SPEC.mlp.lr;
function mlpSetup() {
  const d = mlpData();
  const p = [];
  for (const l of d.params) p.push(f32(l.w, l.wShape), f32(l.b, l.bShape));
  const x = f32(d.x, d.xShape), y = f32(d.y, d.yShape);
  const loss = (...ps) => {
    let h = x;
    for (let i = 0; i < ps.length; i += 2) {
      h = tf.add(tf.matMul(h, ps[i]), ps[i + 1]);
      if (i + 2 < ps.length) h = tf.relu(h);
    }
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(h, -1), y), -1)));
  };
  const vg = tf.valueAndGrads(loss);
  // One SGD step: returns [loss, ...new parameters]; the old parameters are left alone.
  const step = (params) =>
    tf.tidy(() => {
      const { value, grads } = vg(params);
      return [value, ...params.map((pi, i) => tf.sub(pi, tf.mul(grads[i], lr)))];
    });
  return { p, x, y, step };
}

const benches = {};
for (const n of SPEC.matmul) {
  benches[`matmul_${n}`] = async () => {
    const a = f32(uniform(n * n, -1, 1, 1), [n, n]);
    const b = f32(uniform(n * n, -1, 1, 2), [n, n]);
    return {
      check: () => tf.tidy(() => meanSq(tf.matMul(a, b).dataSync())),
      fn: () => tf.matMul(a, b).dispose(),
      cleanup: () => tf.dispose([a, b]),
    };
  };
}
for (const [name, n] of Object.entries(SPEC.chain)) {
  benches[name] = async () => {
    const x = tf.tensor(uniform(n, -3, 3, 3));
    const f = () => tf.tidy(() => tf.add(tf.mul(tf.tanh(x), 2), tf.mul(tf.sin(x), x)));
    return {
      check: () => tf.tidy(() => meanSq(f().dataSync())),
      fn: () => f().dispose(),
      cleanup: () => x.dispose(),
    };
  };
}
const [R, C] = SPEC.reduce;
benches.sum_4096x1024 = async () => {
  const x = f32(uniform(R * C, -1, 1, 4), [R, C]);
  return {
    check: () => tf.tidy(() => tf.sum(x).dataSync()[0]),
    fn: () => tf.sum(x).dispose(),
    cleanup: () => x.dispose(),
  };
};
benches.softmax_4096x1024 = async () => {
  const x = f32(uniform(R * C, -3, 3, 5), [R, C]);
  return {
    check: () => tf.tidy(() => meanSq(tf.softmax(x, -1).dataSync())),
    fn: () => tf.softmax(x, -1).dispose(),
    cleanup: () => x.dispose(),
  };
};
benches.mlp_step = async () => {
  const { p, x, y, step } = mlpSetup();
  let params = p;
  return {
    check: () => {
      const [loss, ...np1] = step(p);
      const v = loss.dataSync()[0];
      tf.dispose([loss, ...np1]);
      return v;
    },
    fn: () => {
      const [loss, ...np1] = step(params);
      tf.dispose([loss, ...(params === p ? [] : params)]);
      params = np1;
    },
    cleanup: () => tf.dispose([...p, ...params, x, y]),
  };
};
benches.pexgrad = async () => {
  const d = pexgradData();
  const { batch } = SPEC.pexgrad;
  const x = f32(d.x, d.xShape), y = tf.tensor(d.y);
  const w = tf.tensor(d.w), b = tf.scalar(d.b);
  // d/dW_i, d/dB_i of sum_i loss(W_i, B_i; x_i, y_i) = the per-example gradients.
  const g = tf.grads((W, B) => {
    const z = tf.add(tf.sum(tf.mul(x, W), 1), B);
    return tf.sum(tf.sub(tf.softplus(z), tf.mul(y, z)));
  });
  const f = () => tf.tidy(() => g([tf.tile(tf.expandDims(w, 0), [batch, 1]), tf.tile(tf.reshape(b, [1]), [batch])]));
  return {
    check: () => tf.tidy(() => meanSq(f()[0].dataSync())),
    fn: () => tf.dispose(f()),
    cleanup: () => tf.dispose([x, y, w, b]),
  };
};
benches.mlp_first_call = async () => {
  const { p, step } = mlpSetup();
  const t = performance.now();
  const [loss, ...np1] = step(p);
  const ms = performance.now() - t;
  const v = loss.dataSync()[0];
  tf.dispose([loss, ...np1]);
  return { once: ms, check: v };
};

await runCli(benches);
