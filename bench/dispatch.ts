// dispatch.ts — dispatch overhead (issue #6 item 3): the cost of an eager op on a tiny array and
// of calling a jitted tiny function, after warm-up, on the backend JAXTS_BACKEND names.
// Prints one JSON line {backend, eagerOpUs, jitCallUs}.
import { defaultBackend, getBackend, setDefaultBackend } from "../src/backends/backend.js";
import { jit, jnp, type Array } from "../src/index.js";

const want = process.env.JAXTS_BACKEND ?? "js";
getBackend(want);
setDefaultBackend(want);
const a = jnp.array([1, 2, 3]);
const b = jnp.array([4, 5, 6]);
const f = jit((x: Array, y: Array) => x.mul(y).add(1));
function perCallUs(fn: () => void, n = 20000): number {
  for (let i = 0; i < 2000; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t0) / n) * 1000;
}
const eagerOpUs = perCallUs(() => void a.mul(b));
const jitCallUs = perCallUs(() => void f(a, b));
console.log(JSON.stringify({ backend: defaultBackend().name, eagerOpUs: +eagerOpUs.toFixed(2), jitCallUs: +jitCallUs.toFixed(2) }));
