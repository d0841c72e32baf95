// Child process for memory.test.ts: runs 10,000 steps of a jitted training step and of an
// eager loop and prints the resident-set growth (bytes) after a warm-up, as JSON.
import { jnp, jit, grad, type Array } from "../../src/index.js";

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const steps = Number(process.argv[2] ?? 10000);
const x = jnp.sin(jnp.arange(64 * 8).reshape([64, 8]).astype("float32"));
const y = jnp.cos(jnp.arange(64).astype("float32"));
const loss = (w: Array) => jnp.mean(jnp.square(jnp.tanh(jnp.matmul(x, w)).sub(y)));
const step = jit((w: Array) => w.sub(grad(loss)(w).mul(0.1)));

function run(label: string, f: (w: Array) => Array): number {
  let w = jnp.zeros([8]);
  for (let i = 0; i < 500; i++) w = f(w); // warm-up: caches, compiled code
  gc();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < steps; i++) {
    w = f(w);
    if (i % 1000 === 0) gc();
  }
  gc();
  const growth = process.memoryUsage().rss - before;
  void label;
  return growth;
}

const jitted = run("jit", step);
const eager = run("eager", (w) => w.sub(grad(loss)(w).mul(0.1)));
console.log(JSON.stringify({ jitted, eager }));
