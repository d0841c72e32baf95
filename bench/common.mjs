// common.mjs — shared by the per-library JS benchmark scripts (jaxts.ts, jaxjs.mjs, tfjs.mjs):
// the benchmark definitions (names, shapes), a seeded float32 generator, the timing loop
// (warm-up, then the median of timed runs under a time budget) and the line protocol that
// bench/run.mjs reads on stdout:
//   @@INFO {json}                         facts about the library (version, backend, threads)
//   @@RESULT {"name", "ms", "n", "min"}   one finished benchmark (ms = median)
//   @@SKIP {"name", "reason"}             a benchmark this library cannot run
// Everything else on stdout/stderr is ignored by the driver (shown with --verbose).

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Shapes shared by every library (numpy_bench.py mirrors them). */
export const SPEC = {
  matmul: [256, 512, 1024, 2048],
  chain: { chain_1e6: 1_000_000, chain_1e7: 10_000_000 },
  reduce: [4096, 1024],
  mlp: { sizes: [784, 512, 512, 10], batch: 128, lr: 0.01 },
  pexgrad: { batch: 256, features: 1000 },
};

/** Benchmark groups: one process per library per group. */
export const GROUPS = {
  matmul: SPEC.matmul.map((n) => `matmul_${n}`),
  chain: Object.keys(SPEC.chain),
  reduce: ["sum_4096x1024", "softmax_4096x1024"],
  mlp: ["mlp_step"],
  pexgrad: ["pexgrad"],
  compile: ["mlp_first_call"],
};

/** The installed version of a package (found from its resolved entry point, since some
 * packages do not export their package.json). */
export function pkgVersion(name) {
  let dir = path.dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    const f = path.join(dir, "package.json");
    if (existsSync(f)) {
      const j = JSON.parse(readFileSync(f, "utf8"));
      if (j.name === name) return j.version;
    }
    const up = path.dirname(dir);
    if (up === dir) return "unknown";
    dir = up;
  }
}

/** mulberry32: a small seeded generator of floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Float32Array of n values uniform in [lo, hi). */
export function uniform(n, lo, hi, seed) {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** Host data of the benchmarks, identical across the JS libraries. */
export function mlpData() {
  const { sizes, batch } = SPEC.mlp;
  const params = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fin = sizes[l], fout = sizes[l + 1], s = 1 / Math.sqrt(fin);
    params.push({ w: uniform(fin * fout, -s, s, 100 + l), wShape: [fin, fout], b: new Float32Array(fout), bShape: [fout] });
  }
  const x = uniform(batch * sizes[0], 0, 1, 7);
  const classes = sizes[sizes.length - 1];
  const y = new Float32Array(batch * classes);
  const r = rng(8);
  for (let i = 0; i < batch; i++) y[i * classes + Math.floor(r() * classes)] = 1;
  return { params, x, xShape: [batch, sizes[0]], y, yShape: [batch, classes] };
}

export function pexgradData() {
  const { batch, features } = SPEC.pexgrad;
  const x = uniform(batch * features, -1, 1, 11);
  const y = new Float32Array(batch);
  const r = rng(12);
  for (let i = 0; i < batch; i++) y[i] = r() < 0.5 ? 0 : 1;
  const w = uniform(features, -0.05, 0.05, 13);
  return { x, xShape: [batch, features], y, w, b: 0.1 };
}

const num = (name, dflt) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : dflt;
};

/**
 * Times `fn` (sync or async; it must block until its results are ready). Warm-up: calls
 * until a fifth of `budgetMs` has passed (at least two), so that the JavaScript engine has
 * optimised the library's own code (each timed run of a 0.1 ms benchmark would otherwise
 * measure code that is still being compiled). Then timed calls until `minReps` are done and
 * `budgetMs` has passed (at most `maxReps`, and no new call once 4 × budget is spent).
 * Returns the median in ms.
 */
export async function measure(fn, opts = {}) {
  const budgetMs = opts.budgetMs ?? num("BENCH_BUDGET_MS", 1500);
  const minReps = opts.minReps ?? 3;
  const maxReps = opts.maxReps ?? 2000;
  let t = performance.now();
  await fn();
  const warm = performance.now() - t;
  const warmEnd = performance.now() + budgetMs / 5;
  for (let k = 1; k < 2 || performance.now() < warmEnd; k++) await fn();
  const times = [];
  const start = performance.now();
  for (;;) {
    t = performance.now();
    await fn();
    times.push(performance.now() - t);
    const spent = performance.now() - start;
    if (times.length >= maxReps) break;
    if (times.length >= minReps && spent >= budgetMs) break;
    if (spent + times[times.length - 1] > 4 * budgetMs) break;
  }
  times.sort((a, b) => a - b);
  const m = times.length;
  const median = m % 2 ? times[(m - 1) / 2] : (times[m / 2 - 1] + times[m / 2]) / 2;
  return { ms: median, n: m, min: times[0], warmup_ms: warm };
}

/** Mean of squares (float64) of host data: the cross-library checksum of an output. */
export function meanSq(data) {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i] * data[i];
  return s / data.length;
}

export function emit(kind, obj) {
  process.stdout.write(`@@${kind} ${JSON.stringify(obj)}\n`);
}

/**
 * Runs the benchmarks named on the command line (`<group> [name,name,...]`). `benches` maps
 * a name to an async setup returning `{ fn, check?, cleanup? }` (`fn` is timed with
 * `measure`; `check()`, run once before timing, returns a checksum of the result that the
 * driver compares across libraries) or `{ once: ms, check? }` (a single measurement, such as a
 * first call), or a string: the reason it is skipped.
 */
export async function runCli(benches) {
  const group = process.argv[2];
  if (!group || !(group in GROUPS)) {
    console.error(`usage: <script> <group> [names]; groups: ${Object.keys(GROUPS).join(", ")}`);
    process.exit(2);
  }
  const names = process.argv[3] ? process.argv[3].split(",") : GROUPS[group];
  for (const name of names) {
    const setup = benches[name];
    if (setup === undefined) {
      emit("SKIP", { name, reason: "not implemented" });
      continue;
    }
    if (typeof setup === "string") {
      emit("SKIP", { name, reason: setup });
      continue;
    }
    let r;
    try {
      r = await setup();
    } catch (e) {
      emit("SKIP", { name, reason: `error: ${String(e?.message ?? e).split("\n")[0]}` });
      continue;
    }
    if ("once" in r) {
      emit("RESULT", { name, ms: r.once, n: 1, min: r.once, check: r.check });
      continue;
    }
    try {
      const check = r.check ? await r.check() : undefined;
      const m = await measure(r.fn, r.opts);
      emit("RESULT", { name, ...m, check });
    } catch (e) {
      emit("SKIP", { name, reason: `error: ${String(e?.message ?? e).split("\n")[0]}` });
    }
    r.cleanup?.();
  }
  // Exit even if a library keeps worker threads or timers alive (stdout is a pipe: written
  // synchronously on Linux, so nothing is lost).
  process.exit(0);
}
