// wasm_threads.ts — scaling of the wasm backend's worker pool (src/backends/wasm/threads.ts):
// eager (op by op) float32 matmul 256/512/1024/2048, tanh(x)*2 + sin(x)*x on 1e6 and 1e7,
// and the row sum / total sum of 4096×1024, with JAXTS_THREADS=1 and with the default thread
// count, in alternating child processes (ROUNDS rounds; the table shows each median's best
// round, and each round's 1-thread/n-thread values are printed). Before each round it
// measures the machine's parallel capacity: the wall time of one spinning thread over that
// of two at once (2.0 = two free cores; a shared or busy host shows less).
// Run: node --import tsx bench/wasm_threads.ts [rounds]
import { spawnSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const self = fileURLToPath(import.meta.url);
type Row = Record<string, number>;

async function child(): Promise<void> {
  const { jnp } = await import("../src/index.js");
  const { EagerArray } = await import("../src/core/array.js");
  const { wasmBackend, startThreads, threadStats } = await import("../src/backends/wasm/index.js");
  startThreads(true);
  let seed = 1;
  const rnd = (n: number): Float32Array => Float32Array.from({ length: n }, () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 6 - 3);
  const arr = (d: Float32Array, s: number[]) => EagerArray.fromTyped(d, s, "float32", false, wasmBackend);
  // median of timed calls; every call returns the arrays it made, disposed after the timing
  // (forcing a GC instead would leave V8's concurrent sweeper busy on the other core)
  type Made = { dispose(): void }[];
  const med = async (f: () => Made, budget = 1500): Promise<number> => {
    for (const m of [...f(), ...f()]) m.dispose();
    const ts: number[] = [];
    const t0 = performance.now();
    while (ts.length < 5 || (performance.now() - t0 < budget && ts.length < 100)) {
      await new Promise((r) => setImmediate(r));
      const s = performance.now();
      const made = f();
      ts.push(performance.now() - s);
      for (const m of made) m.dispose();
    }
    ts.sort((a, b) => a - b);
    return ts[ts.length >> 1]!;
  };
  const row: Row = {};
  for (const n of [256, 512, 1024, 2048]) {
    const a = arr(rnd(n * n), [n, n]);
    const b = arr(rnd(n * n), [n, n]);
    row[`matmul ${n} (GFLOP/s)`] = (2 * n ** 3) / (await med(() => [jnp.matmul(a, b)], n >= 2048 ? 4000 : 1500)) / 1e6;
  }
  for (const n of [1e6, 1e7]) {
    const x = arr(rnd(n), [n]);
    row[`tanh(x)*2+sin(x)*x ${n === 1e6 ? "1e6" : "1e7"} (ms)`] = await med(() => {
      const t = jnp.tanh(x);
      const t2 = jnp.multiply(t, 2);
      const s = jnp.sin(x);
      const sx = jnp.multiply(s, x);
      return [t, t2, s, sx, jnp.add(t2, sx)];
    });
  }
  const r = arr(rnd(4096 * 1024), [4096, 1024]);
  row["row sum 4096x1024 (ms)"] = await med(() => [jnp.sum(r, 1)]);
  row["sum 4096x1024 (ms)"] = await med(() => [jnp.sum(r)]);
  row.threads = threadStats().threads;
  console.log(JSON.stringify(row));
}

/** Wall time of one spinning thread / of two at once. */
async function capacity(): Promise<number> {
  const code = `const t = Date.now(); let s = 0; for (let i = 0; i < 1.5e8; i++) s += i; require("node:worker_threads").parentPort.postMessage(s);`;
  const spin = (k: number) => {
    const t = performance.now();
    return Promise.all(Array.from({ length: k }, () => new Promise((r) => new Worker(code, { eval: true }).on("message", r)))).then(() => performance.now() - t);
  };
  const one = await spin(1);
  const two = await spin(2);
  return (2 * one) / two;
}

async function parent(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const threads = ["1", process.env.JAXTS_THREADS ?? String(Math.min(availableParallelism(), 16))];
  const results: Record<string, Row[]> = { [threads[0]!]: [], [threads[1]!]: [] };
  const caps: number[] = [];
  console.log(`load average before: ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);
  for (let round = 0; round < rounds; round++) {
    caps.push(await capacity());
    for (const t of threads) {
      const r = spawnSync(process.execPath, ["--import", "tsx", self, "child"], { env: { ...process.env, JAXTS_BACKEND: "wasm", JAXTS_THREADS: t }, encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
      results[t]!.push(JSON.parse(r.stdout.trim().split("\n").pop()!) as Row);
    }
  }
  console.log(`load average after: ${loadavg().map((v) => v.toFixed(2)).join(" ")}; parallel capacity per round: ${caps.map((c) => c.toFixed(2)).join(" ")}`);
  const keys = Object.keys(results[threads[0]!]![0]!).filter((k) => k !== "threads");
  const fmt = (k: string, v: number) => v.toFixed(k.includes("GFLOP") ? 1 : 2);
  for (let r = 0; r < rounds; r++)
    console.log(`round ${r + 1} (capacity ${caps[r]!.toFixed(2)}): ${keys.map((k) => `${k.replace(/ \(.*\)/, "")} ${fmt(k, results[threads[0]!]![r]![k]!)}/${fmt(k, results[threads[1]!]![r]![k]!)}`).join(", ")}`);
  const best = (rows: Row[], k: string) => (k.includes("GFLOP") ? Math.max(...rows.map((r) => r[k]!)) : Math.min(...rows.map((r) => r[k]!)));
  console.log(`| benchmark | 1 thread | ${threads[1]} threads | speedup |\n|---|---|---|---|`);
  for (const k of keys) {
    const a = best(results[threads[0]!]!, k);
    const b = best(results[threads[1]!]!, k);
    console.log(`| ${k} | ${a.toFixed(k.includes("GFLOP") ? 1 : 3)} | ${b.toFixed(k.includes("GFLOP") ? 1 : 3)} | ${(k.includes("GFLOP") ? b / a : a / b).toFixed(2)}× |`);
  }
}

if (process.argv[2] === "child") await child();
else await parent();
