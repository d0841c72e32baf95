// pmap.ts — the pmap scaling benchmark of `npm run bench` (issue #7): a compute-bound pmapped
// function made of many small ops (a foriLoop of 128×128 matmuls with tanh, too small to split
// inside one op) on two shards: 2 devices at once vs 1 device processing the two shards one
// after the other. Prints one JSON line {oneDeviceMs, twoDevicesMs, speedup}.
import { config, jnp, lax, pmap, type Array } from "../src/index.js";

config.update("numCpuDevices", 2);
const f = (x: Array) => lax.foriLoop(0, Number(process.env.PMAP_BENCH_ITERS ?? 32), (_i: Array, a: Array) => jnp.tanh(jnp.matmul(a, a).mul(0.01)), x);
const p = pmap(f);
const x2 = jnp.ones([2, 128, 128]).mul(0.5);
const [xa, xb] = [x2.get("0:1"), x2.get("1:2")];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time(fn: () => void, reps = 9): number {
  for (let i = 0; i < 3; i++) fn(); // warm up every device's worker
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}
const two = time(() => p(x2).blockUntilReady());
const one = time(() => {
  p(xa).blockUntilReady();
  p(xb).blockUntilReady();
});
console.log(JSON.stringify({ oneDeviceMs: +one.toFixed(2), twoDevicesMs: +two.toFixed(2), speedup: +(one / two).toFixed(3) }));
