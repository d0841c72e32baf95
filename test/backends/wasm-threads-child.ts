// wasm-threads-child.ts — run by wasm_threads.test.ts in a fresh process (JAXTS_THREADS set
// by the test). Mode (argv[2]):
//   results    computes big kernels (matmul of odd sizes, batched and transposed products,
//              matrix-vector shapes, elementwise ops with vector tails and broadcasting,
//              reductions over rows / middle axes / several axes, copies) on the wasm backend
//              and prints an md5 hash of each result's bytes, plus the pool's statistics
//   stress     4000 small jobs with odd chunk sizes straight through the pool; prints the
//              number of wrong outputs
//   grow       uses the pool, then grows the wasm memory by several hundred MiB and computes
//              on buffers above the old end of the memory; prints hashes and statistics
//   throw|exit makes a worker's next chunk throw / its thread exit; prints what the call
//              reported, then the result of the same call afterwards (single-threaded)
//   idle       starts the pool, runs one split call and returns: the process must end
// The last line of stdout is JSON.
import { createHash } from "node:crypto";
import { jnp } from "../../src/index.js";
import { EagerArray, type JaxArray } from "../../src/core/array.js";
import type { DType, TypedArray } from "../../src/core/dtype.js";
import { bind1 } from "../../src/core/trace.js";
import { getPrimitive } from "../../src/core/primitive.js";
import { heap, heapStats, startThreads, threadStats, wasmBackend, wasmThreadPool } from "../../src/backends/wasm/index.js";
import { ewKernel } from "../../src/backends/wasm/kernels.js";

startThreads(true);
let seed = 12345;
const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const f32 = (shape: number[]): JaxArray => {
  const n = shape.reduce((a, b) => a * b, 1);
  return EagerArray.fromTyped(Float32Array.from({ length: n }, () => next() * 6 - 3), shape, "float32", false, wasmBackend);
};
const i32 = (shape: number[]): JaxArray => {
  const n = shape.reduce((a, b) => a * b, 1);
  return EagerArray.fromTyped(Int32Array.from({ length: n }, () => Math.floor(next() * 200) - 100), shape, "int32", false, wasmBackend);
};
const hash = (a: JaxArray): string => {
  const e = a as EagerArray;
  if (e.backend !== wasmBackend) throw new Error("result left the wasm backend");
  const h: TypedArray = e._host();
  return createHash("md5").update(new Uint8Array(h.buffer, h.byteOffset, h.byteLength)).digest("hex");
};
const dot = (x: JaxArray, y: JaxArray, contracting: [number[], number[]], batch: [number[], number[]] = [[], []]): JaxArray =>
  bind1(getPrimitive("dot_general")!, [x, y], { contracting, batch });
const cast = (x: JaxArray, d: DType): JaxArray => bind1(getPrimitive("convert_element_type")!, [x], { newDType: d, weakType: false });

function results(): Record<string, string> {
  const r: Record<string, string> = {};
  // products (odd sizes: edge tiles in both directions)
  // (M ≤ 256: split by column panels — 67, 3, 128, 200 rows; else by rows)
  for (const [m, k, n] of [[257, 131, 199], [513, 517, 259], [1023, 65, 300], [67, 1000, 1001], [3, 1000, 513], [128, 300, 403], [200, 784, 515]] as const)
    r[`matmul ${m}x${k}x${n}`] = hash(jnp.matmul(f32([m, k]), f32([k, n])));
  r["matmul B^T 301x257x403"] = hash(dot(f32([301, 257]), f32([403, 257]), [[1], [1]]));
  r["batched 3x129x130x131"] = hash(jnp.matmul(f32([3, 129, 130]), f32([3, 130, 131])));
  r["gemv 2001x513 · v"] = hash(jnp.matmul(f32([2001, 513]), f32([513])));
  r["v · 513x2001"] = hash(jnp.matmul(f32([513]), f32([513, 2001])));
  // elementwise: lengths with vector tails, scalars, broadcasting, int and bool
  const x = f32([1_000_003]);
  const y = f32([1_000_003]);
  r["tanh"] = hash(jnp.tanh(x));
  r["chain"] = hash(jnp.add(jnp.multiply(jnp.tanh(x), 2), jnp.multiply(jnp.sin(x), x)));
  r["exp/log"] = hash(jnp.log(jnp.add(jnp.exp(x), 1)));
  r["add"] = hash(jnp.add(x, y));
  r["where"] = hash(jnp.where(jnp.greater(x, y), x, y));
  const m = f32([1001, 1003]);
  r["bcast row"] = hash(jnp.multiply(m, f32([1003])));
  r["bcast col"] = hash(jnp.subtract(m, f32([1001, 1])));
  r["int"] = hash(jnp.multiply(i32([700_001]), i32([700_001])));
  r["bool"] = hash(jnp.logicalAnd(jnp.greater(x, 0), jnp.less(y, 1)));
  r["convert"] = hash(cast(x, "int32"));
  // reductions
  r["row sum"] = hash(jnp.sum(m, 1));
  r["row max"] = hash(jnp.max(m, 1));
  r["row min"] = hash(jnp.min(m, 1));
  const t = f32([301, 257, 33]);
  r["mid sum"] = hash(jnp.sum(t, 1));
  r["mid max"] = hash(jnp.max(t, 1));
  r["sum axes 0,2"] = hash(jnp.sum(t, [0, 2]));
  r["sum all"] = hash(jnp.sum(x));
  // copies
  r["transpose"] = hash(jnp.transpose(t, [2, 0, 1]));
  r["broadcast_to"] = hash(jnp.broadcastTo(f32([1, 1003]), [1001, 1003]));
  return r;
}

function grow(): Record<string, unknown> {
  // the workers instantiate their kernels before the memory grows
  jnp.matmul(f32([300, 400]), f32([400, 500]));
  jnp.tanh(f32([1 << 20]));
  const before = threadStats();
  const cap0 = heapStats().capacity;
  const keep: JaxArray[] = [];
  // push the heap top past several growths, keeping the arrays alive
  while (heapStats().capacity < cap0 + 400 * 2 ** 20) {
    keep.push(jnp.add(f32([4 << 20]), 1));
    if (heapStats().spills > 0) throw new Error("arrays spilled to the JS heap: raise JAXTS_WASM_HEAP_MB");
  }
  const x = f32([1 << 21]);
  const a = f32([600, 700]);
  const b = f32([700, 500]);
  const out = { cap0, cap1: heapStats().capacity, chain: hash(jnp.add(jnp.multiply(jnp.tanh(x), 2), jnp.multiply(jnp.sin(x), x))), matmul: hash(jnp.matmul(a, b)), rowsum: hash(jnp.sum(a, 1)), kept: keep.length };
  const after = threadStats();
  return { ...out, workerChunks: after.workerChunks - before.workerChunks, jobs: after.jobs - before.jobs };
}

function failure(kind: 1 | 2): Record<string, unknown> {
  const a = f32([512, 512]);
  const b = f32([512, 512]);
  const want = hash(jnp.matmul(a, b));
  wasmThreadPool()!.injectFailure(kind);
  let error = "";
  const t0 = Date.now();
  try {
    jnp.matmul(a, b);
  } catch (e) {
    error = (e as Error).message;
  }
  const ms = Date.now() - t0;
  const again = hash(jnp.matmul(a, b));
  return { error, ms, same: again === want, stats: threadStats() };
}

/** Many small jobs in a row with odd chunk sizes, straight through the pool (workers wake
 * late, claim races, jobs of two kernels alternate): every output equals the one-call result
 * and nothing is written past a range. */
function stress(): Record<string, unknown> {
  const pool = wasmThreadPool()!;
  const N = 1 << 14;
  const x = heap.alloc(N * 4);
  const y = heap.alloc(N * 4);
  for (let i = 0; i < N; i++) {
    heap.f32[(x >> 2) + i] = (i % 97) / 13 - 3;
    heap.f32[(y >> 2) + i] = (i % 89) / 7;
  }
  const fns = [ewKernel(heap, "tanh:f32", ["full"]), ewKernel(heap, "add:f32,f32", ["full", "full"])];
  const outs = [heap.alloc(N * 4 + 16), heap.alloc(N * 4 + 16)];
  const refs = [heap.alloc(N * 4), heap.alloc(N * 4)];
  fns[0]!(refs[0]!, x, 0, N);
  fns[1]!(refs[1]!, x, y, 0, N);
  let bad = 0;
  let split = 0;
  for (let it = 0; it < 4000; it++) {
    const k = it & 1;
    const o = outs[k]!;
    heap.u8.fill(0xff, o, o + N * 4 + 16);
    const n = 64 + ((it * 7919) % (N - 64));
    const grain = 16 + ((it * 31) % 509);
    const args = k === 0 ? [o, x, 0, 0] : [o, x, y, 0, 0];
    if (pool.run(fns[k]!, args, args.length - 2, 0, n, grain)) split++;
    else {
      args[args.length - 2] = 0;
      args[args.length - 1] = n;
      fns[k]!(...args);
    }
    const got = heap.u32.subarray(o >> 2, (o >> 2) + n + 4);
    const want = heap.u32.subarray(refs[k]! >> 2, (refs[k]! >> 2) + n);
    for (let i = 0; i < n; i++) if (got[i] !== want[i]) { bad++; break; }
    for (let i = n; i < n + 4; i++) if (got[i] !== 0xffffffff) { bad++; break; }
  }
  return { bad, split, stats: threadStats() };
}

const mode = process.argv[2] ?? "results";
let res: unknown;
if (mode === "results") res = { results: results(), stats: threadStats() };
else if (mode === "grow") res = grow();
else if (mode === "stress") res = stress();
else if (mode === "throw") res = failure(1);
else if (mode === "exit") res = failure(2);
else if (mode === "idle") {
  jnp.matmul(f32([256, 256]), f32([256, 256]));
  res = threadStats();
} else throw new Error(`unknown mode ${mode}`);
console.log(JSON.stringify(res));
