// Child process for memory.test.ts: runs `steps` steps of a jitted training step and of an
// eager loop and prints the resident-set growth (bytes) after a warm-up, as JSON.
// Sizes: "small" (arrays of a few KB: JS-heap buffers on every backend) or "large" (a
// 64×64 layer on a batch of 128, 16–32 KB arrays: on the wasm backend, wasm memory blocks).
// With "donate" the jitted step donates its parameters (jit's donateArgnums).
import { jnp, jit, grad, type Array } from "../../src/index.js";

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const steps = Number(process.argv[2] ?? 10000);
const large = process.argv[3] === "large";
const donate = process.argv[4] === "donate";
const [B, D] = large ? [128, 64] : [64, 8];
const x = jnp.sin(jnp.arange(B * D).reshape([B, D]).astype("float32"));
const y = jnp.cos(jnp.arange(B * D).reshape([B, D]).astype("float32"));
const loss = (w: Array) => jnp.mean(jnp.square(jnp.tanh(jnp.matmul(x, w)).sub(y)));
const step = jit((w: Array) => w.sub(grad(loss)(w).mul(0.1)), donate ? { donateArgnums: 0 } : {});

function run(f: (w: Array) => Array): number {
  let w = jnp.zeros([D, D]).add(0.01);
  for (let i = 0; i < 500; i++) w = f(w); // warm-up: caches, compiled code
  gc();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < steps; i++) {
    w = f(w);
    if (i % 1000 === 0) gc();
  }
  gc();
  const growth = process.memoryUsage().rss - before;
  if (!Number.isFinite(w.dataSync()[0]!)) throw new Error("the loop diverged");
  return growth;
}

const jitted = run(step);
const eager = run((w) => w.sub(grad(loss)(w).mul(0.1)));
console.log(JSON.stringify({ jitted, eager }));
