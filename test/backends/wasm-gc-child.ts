// wasm-gc-child.ts — run by wasm.test.ts in a child process (node --expose-gc) with forced
// reclamation off: allocates and drops ~640 MiB of wasm arrays in an eager loop that yields
// to the event loop, so only GC + FinalizationRegistry callbacks give the memory back; prints
// the allocator's statistics as JSON.
import { jnp, type Array as JaxArray } from "../../src/index.js";
import { heapStats, syncReclaim } from "../../src/backends/wasm/index.js";

const gc = (globalThis as { gc?: () => void }).gc;
const tick = () => new Promise<void>((r) => setImmediate(r));
let x: JaxArray = jnp.ones([256, 1024]); // 1 MiB
let allocated = 0;
for (let i = 0; i < 320; i++) {
  x = jnp.add(jnp.multiply(x, 0.5), 0.5);
  allocated += 2 * 2 ** 20;
  if (i % 16 === 15) {
    gc?.();
    await tick();
  }
}
gc?.();
await tick();
await tick();
const st = heapStats();
if (Number(x.get(0, 0)) !== 1) throw new Error("wrong value");
console.log(JSON.stringify({ allocated, inUse: st.inUse, top: st.top, forced: syncReclaim }));
