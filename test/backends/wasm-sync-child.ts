// wasm-sync-child.ts — run by wasm.test.ts with JAXTS_WASM_FORCED_GC=1: 400 synchronous steps
// × 3 arrays of 1 MiB (1.2 GiB allocated); prints the allocator's statistics as JSON.
import { EagerArray, type JaxArray } from "../../src/core/array.js";
import { getPrimitive } from "../../src/core/primitive.js";
import { bind1 } from "../../src/core/trace.js";
import "../../src/index.js";
import { heapStats, syncReclaim, wasmBackend } from "../../src/backends/wasm/index.js";

let x: JaxArray = EagerArray.fromTyped(new Float32Array(1 << 18).fill(1), [1 << 18], "float32", false, wasmBackend);
const half = EagerArray.fromTyped(new Float32Array([0.5]), [], "float32", true, wasmBackend);
const mulP = getPrimitive("mul")!;
const addP = getPrimitive("add")!;
for (let i = 0; i < 400; i++) x = bind1(addP, [bind1(mulP, [x, half]), half]);
const st = heapStats();
console.log(JSON.stringify({ top: st.top, reclaims: st.reclaims, value: x.dataSync()[7], forced: syncReclaim }));
