// wasm_threads.test.ts — the wasm backend's worker pool (src/backends/wasm/threads.ts): big
// kernel calls split over threads give bitwise the results of JAXTS_THREADS=1 (matmul of odd
// sizes, batched / transposed / matrix-vector products, elementwise ops with vector tails
// and broadcasting, reductions, copies), with 2 and with 3 threads (more threads than cores);
// the pool is actually used (its chunk counters); the workers keep working after the shared
// memory grows; a worker whose chunk throws, or whose thread exits, makes that call throw
// (no hang) and later calls run single-threaded with the same results; idle workers do not
// keep the process alive; JAXTS_THREADS is validated. Every case runs in a child process
// with its own JAXTS_THREADS (wasm-threads-child.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { jnp } from "../../src/index.js";
import { EagerArray } from "../../src/core/array.js";
import { startThreads, threadStats, wasmBackend } from "../../src/backends/wasm/index.js";
import { configuredThreads } from "../../src/backends/wasm/threads.js";

const child = fileURLToPath(new URL("./wasm-threads-child.ts", import.meta.url));

function run(mode: string, threads: number | string): { out: any; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", child, mode], {
    // a heap limit above what "grow" keeps alive (else its arrays would spill to the JS heap)
    env: { ...process.env, JAXTS_BACKEND: "wasm", JAXTS_THREADS: String(threads), JAXTS_WASM_HEAP_MB: "2048" },
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `child ${mode} (threads ${threads}) failed: ${r.stderr}`);
  return { out: JSON.parse(r.stdout.trim().split("\n").pop()!), ms: Date.now() - t0 };
}

test("split kernels give bitwise the single-threaded results (2 and 3 threads)", () => {
  const one = run("results", 1).out;
  assert.equal(one.stats.threads, 1);
  assert.equal(one.stats.jobs, 0);
  for (const t of [2, 3]) {
    const many = run("results", t).out;
    assert.equal(many.stats.threads, t);
    assert.equal(many.stats.ready, t - 1);
    assert.ok(many.stats.jobs >= 30, `only ${many.stats.jobs} calls were split over ${t} threads`);
    assert.ok(many.stats.workerChunks > 0, `the workers ran no chunks: ${JSON.stringify(many.stats)}`);
    assert.equal(Object.keys(many.results).length, Object.keys(one.results).length);
    for (const [k, h] of Object.entries(one.results)) assert.equal(many.results[k], h, `${k}: ${t} threads differ from 1 thread`);
  }
});

test("4000 small jobs in a row (odd chunk sizes, two kernels alternating) are all exact", () => {
  for (const t of [2, 3]) {
    const { out } = run("stress", t);
    assert.equal(out.bad, 0, `${out.bad} wrong outputs with ${t} threads`);
    assert.ok(out.split > 3800, `only ${out.split} jobs were split`);
    assert.ok(out.stats.workerChunks > 0);
  }
});

test("the workers compute on memory grown after they started", () => {
  const one = run("grow", 1).out;
  const two = run("grow", 2).out;
  assert.ok(two.cap1 >= two.cap0 + 400 * 2 ** 20, `the memory grew from ${two.cap0} to ${two.cap1}`);
  assert.ok(two.workerChunks > 0 && two.jobs > 0, `the pool was not used after growth: ${JSON.stringify(two)}`);
  for (const k of ["chain", "matmul", "rowsum"]) assert.equal(two[k], one[k], k);
});

test("a worker whose chunk throws: the call throws, later calls run single-threaded", () => {
  const { out } = run("throw", 2);
  assert.match(out.error, /wasm thread 1 failed: Error: injected failure in wasm thread 1/);
  assert.match(out.error, /single-threaded from now on/);
  assert.equal(out.same, true);
  assert.equal(out.stats.threads, 1);
  assert.ok(out.stats.disabled);
});

test("a worker thread that exits: the call throws instead of hanging", () => {
  const { out } = run("exit", 2);
  assert.match(out.error, /wasm thread 1 exited unexpectedly/);
  assert.ok(out.ms < 10_000, `the failed call took ${out.ms} ms`);
  assert.equal(out.same, true);
  assert.equal(out.stats.threads, 1);
});

test("idle workers do not keep the process alive", () => {
  const { out, ms } = run("idle", 2);
  assert.equal(out.ready, 1);
  assert.ok(out.jobs >= 1);
  assert.ok(ms < 30_000, `the child took ${ms} ms to exit`);
});

test("JAXTS_THREADS: 1 disables the pool; bad values are rejected", () => {
  assert.equal(run("idle", 1).out.threads, 1);
  const r = spawnSync(process.execPath, ["--import", "tsx", child, "idle"], {
    env: { ...process.env, JAXTS_BACKEND: "wasm", JAXTS_THREADS: "two" },
    encoding: "utf8",
    timeout: 60_000,
  });
  // a bad value warns and runs single-threaded
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /JAXTS_THREADS must be a positive integer, got 'two'/);
  assert.equal(JSON.parse(r.stdout.trim().split("\n").pop()!).threads, 1);
  const saved = process.env.JAXTS_THREADS;
  try {
    process.env.JAXTS_THREADS = "0";
    assert.throws(() => configuredThreads(), /JAXTS_THREADS must be a positive integer, got '0'/);
    process.env.JAXTS_THREADS = "4";
    assert.equal(configuredThreads(), 4);
  } finally {
    if (saved === undefined) delete process.env.JAXTS_THREADS;
    else process.env.JAXTS_THREADS = saved;
  }
});

test("in this process: a big matmul is split and equals the product computed in float64 within rounding", () => {
  startThreads(true);
  const before = threadStats();
  const n = 300;
  const a = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 500 - 1);
  const b = Float32Array.from({ length: n * n }, (_, i) => ((i * 104729) % 1000) / 500 - 1);
  const c = jnp.matmul(EagerArray.fromTyped(a, [n, n], "float32", false, wasmBackend), EagerArray.fromTyped(b, [n, n], "float32", false, wasmBackend)) as EagerArray;
  const got = c._host();
  for (const [i, j] of [[0, 0], [17, 299], [299, 3], [150, 150]] as const) {
    let s = 0;
    let sa = 0;
    for (let k = 0; k < n; k++) {
      s += a[i * n + k]! * b[k * n + j]!;
      sa += Math.abs(a[i * n + k]! * b[k * n + j]!);
    }
    assert.ok(Math.abs(got[i * n + j]! - s) <= sa * 1e-6, `c[${i},${j}] = ${got[i * n + j]}, float64 gives ${s}`);
  }
  const after = threadStats();
  if (after.threads > 1) assert.ok(after.jobs > before.jobs, "the matmul was not split");
});
