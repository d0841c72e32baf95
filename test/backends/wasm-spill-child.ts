// wasm-spill-child.ts — run by wasm.test.ts with JAXTS_WASM_HEAP_MB=64 and no forced
// reclamation: 600 synchronous calls of a jitted chain on 1e6 floats (2.4 GB of dropped
// outputs) and 300 eager steps on 1 MiB arrays, never yielding to the event loop. Without
// spilling to the JS heap the wasm memory would reach its 4 GiB limit; prints the allocator's
// statistics and a checksum of the last results as JSON.
import { jnp, jit, type Array as JaxArray } from "../../src/index.js";
import { heapStats, syncReclaim } from "../../src/backends/wasm/index.js";

const x = jnp.sin(jnp.arange(1e6).astype("float32"));
const f = jit((x: JaxArray) => jnp.add(jnp.multiply(jnp.tanh(x), 2), jnp.multiply(jnp.sin(x), x)));
let y: JaxArray = x;
for (let i = 0; i < 600; i++) y = f(x);
let z: JaxArray = jnp.ones([256, 1024]);
for (let i = 0; i < 300; i++) z = jnp.add(jnp.multiply(z, 0.5), 0.5);
const st = heapStats();
const yh = y.dataSync();
const xh = x.dataSync();
let maxErr = 0;
for (let i = 0; i < xh.length; i += 997) maxErr = Math.max(maxErr, Math.abs(yh[i]! - (Math.tanh(xh[i]!) * 2 + Math.sin(xh[i]!) * xh[i]!)));
console.log(JSON.stringify({ top: st.top, spills: st.spills, maxErr, z: z.dataSync()[12345], forced: syncReclaim }));
