// run.mjs — `npm run bench`: jaxts against @jax-js/jax, TensorFlow.js (wasm and cpu backends)
// and numpy, side by side (issue #6). For every benchmark group it spawns ONE process per
// library (bench/jaxts.ts, jaxjs.mjs, tfjs.mjs, numpy_bench.py), reads the medians they print
// as `@@RESULT {json}` lines (protocol in bench/common.mjs), and prints a table of times and
// ratios (peer time / jaxts time: > 1 means jaxts is faster), the issue's targets, and
// bench/results.json.
//
// Options (after `npm run bench --`):
//   --libs=jaxts-js,jax-js,...   columns to run (default: all available)
//   --only=matmul,mlp_step,...   groups or benchmark names to run (default: all)
//   --timeout=S                  per-benchmark timeout in seconds (default 30; env BENCH_TIMEOUT_S)
//   --budget=MS                  timing budget per benchmark (default 1500; env BENCH_BUDGET_MS)
//   --first-call-runs=K          fresh processes for the first-call time (default 3)
//   --repeat=K                   run each group K times, keep each benchmark's lowest median
//   --verbose                    show the children's other output
// Environment: BENCH_PYTHON picks the python for numpy (default python3 on PATH).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GROUPS, SPEC } from "./common.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      console.error(`unknown argument ${a}`);
      process.exit(2);
    }
    return [m[1], m[2] ?? "true"];
  }),
);
const timeoutS = Number(args.timeout ?? process.env.BENCH_TIMEOUT_S ?? 30);
const budgetMs = Number(args.budget ?? process.env.BENCH_BUDGET_MS ?? 1500);
const firstCallRuns = Number(args["first-call-runs"] ?? 3);
const repeat = Math.max(1, Number(args.repeat ?? 1));
const verbose = args.verbose === "true";

// ---- the columns ----
const node = process.execPath;
const hasWasm = existsSync(path.join(root, "src/backends/wasm"));
const python = process.env.BENCH_PYTHON || "python3";
function numpyStatus() {
  const r = spawnSync(python, ["-c", "import numpy"], { stdio: "ignore" });
  return r.status === 0 ? null : r.error ? "python3 not found" : "numpy not installed";
}
const LIBS = [
  { id: "jaxts-js", cmd: [node, "--import", "tsx", "bench/jaxts.ts"], env: { JAXTS_BACKEND: "js" }, jaxts: true },
  ...(hasWasm
    ? [
        { id: "jaxts-wasm", cmd: [node, "--import", "tsx", "bench/jaxts.ts"], env: { JAXTS_BACKEND: "wasm" }, jaxts: true },
        // the same, with results dropped instead of disposed (see bench/jaxts.ts)
        { id: "jaxts-wasm-drop", cmd: [node, "--import", "tsx", "bench/jaxts.ts"], env: { JAXTS_BACKEND: "wasm", JAXTS_BENCH_DROP: "1" }, jaxts: true },
      ]
    : []),
  { id: "jax-js", cmd: [node, "bench/jaxjs.mjs"], env: {} },
  { id: "tfjs-wasm", cmd: [node, "bench/tfjs.mjs"], env: { TFJS_BACKEND: "wasm" } },
  { id: "tfjs-cpu", cmd: [node, "bench/tfjs.mjs"], env: { TFJS_BACKEND: "cpu" } },
  { id: "numpy", cmd: [python, "bench/numpy_bench.py"], env: {}, unavailable: numpyStatus() },
];
const wantLibs = args.libs ? args.libs.split(",") : null;
if (wantLibs) {
  for (const l of wantLibs) if (!LIBS.some((x) => x.id === l)) {
    console.error(`unknown library ${l}; known: ${LIBS.map((x) => x.id).join(", ")}${hasWasm ? "" : " (jaxts-wasm: src/backends/wasm not present)"}`);
    process.exit(2);
  }
}
const libs = LIBS.filter((l) => !wantLibs || wantLibs.includes(l.id));

// ---- which benchmarks ----
const only = args.only ? args.only.split(",") : null;
const plan = Object.entries(GROUPS)
  .map(([g, names]) => [g, names.filter((n) => !only || only.includes(g) || only.includes(n))])
  .filter(([, names]) => names.length > 0);
const allNames = plan.flatMap(([, n]) => n);

const LABEL = {
  matmul_256: "matmul 256",
  matmul_512: "matmul 512",
  matmul_1024: "matmul 1024",
  matmul_2048: "matmul 2048",
  chain_1e6: "tanh/sin chain 1e6 (jit)",
  chain_1e7: "tanh/sin chain 1e7 (jit)",
  sum_4096x1024: "sum 4096x1024",
  softmax_4096x1024: "row softmax 4096x1024",
  mlp_step: "MLP step (vg+SGD)",
  pexgrad: "per-example grads",
  mlp_first_call: "MLP step first call",
};
/** How a benchmark's cost grows within its family (to skip sizes that cannot finish). */
function scaleFrom(name, done) {
  const mm = /^matmul_(\d+)$/.exec(name);
  if (mm) {
    const n = +mm[1];
    const prev = SPEC.matmul.filter((m) => m < n && done.has(`matmul_${m}`)).pop();
    if (prev) return { from: `matmul_${prev}`, factor: (n / prev) ** 3 };
  }
  if (name === "chain_1e7" && done.has("chain_1e6")) return { from: "chain_1e6", factor: 10 };
  return null;
}

// ---- running one library on one group ----
const results = {}; // results[name][lib] = { ms, n, min, check } | { status, reason }
const infos = {};
for (const n of allNames) results[n] = {};

function runChild(lib, group, names, onLine) {
  return new Promise((resolve) => {
    const [cmd, ...rest] = lib.cmd;
    const child = spawn(cmd, [...rest, group, names.join(",")], {
      cwd: root,
      env: { ...process.env, ...lib.env, BENCH_BUDGET_MS: String(budgetMs) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buf = "";
    let errTail = "";
    let timer = null;
    let killedFor = null;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => kill("timeout"), timeoutS * 1000);
    };
    const kill = (why) => {
      if (killedFor || child.exitCode !== null) return;
      killedFor = why;
      child.kill("SIGKILL");
    };
    arm();
    child.stdout.on("data", (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = /^@@(INFO|RESULT|SKIP) (.*)$/.exec(line);
        if (!m) {
          if (verbose && line.trim()) console.log(`    [${lib.id}] ${line}`);
          continue;
        }
        arm();
        const stop = onLine(m[1], JSON.parse(m[2]));
        if (stop === "finished") {
          // All results are in; a child that lingers (worker threads) is stopped.
          clearTimeout(timer);
          timer = setTimeout(() => kill("finished"), 5000);
        } else if (stop) kill(stop);
      }
    });
    child.stderr.on("data", (d) => {
      errTail = (errTail + d).slice(-2000);
      if (verbose) process.stderr.write(String(d).replace(/^/gm, `    [${lib.id}] `));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, killedFor, errTail });
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: -1, killedFor: null, errTail: String(e.message) });
    });
  });
}

function lastErrorLine(text) {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const err = lines.filter((l) => /error/i.test(l)).pop() ?? lines.pop() ?? "exited";
  return err.slice(0, 160);
}

async function runGroup(lib, group, names) {
  const got = {};
  let remaining = [...names];
  const doneOk = new Set();
  while (remaining.length > 0) {
    // Skip a size whose predecessor predicts it cannot finish a warm-up and one run in time.
    const next = remaining[0];
    const sc = scaleFrom(next, doneOk);
    if (sc) {
      const est = got[sc.from].ms * sc.factor;
      if (2 * est > timeoutS * 1000) {
        got[next] = { status: "timeout", reason: `not run: ${sc.from} predicts ${(est / 1000).toFixed(1)} s per run, and warm-up + 1 run would pass the ${timeoutS} s timeout` };
        remaining.shift();
        continue;
      }
    }
    let unavailable = null;
    const r = await runChild(lib, group, remaining, (kind, obj) => {
      if (kind === "INFO") {
        if (obj.unavailable) unavailable = obj.unavailable;
        else infos[lib.id] = obj;
        return null;
      }
      got[obj.name] = kind === "RESULT" ? obj : { status: "n/a", reason: obj.reason };
      if (kind === "RESULT") doneOk.add(obj.name);
      remaining = remaining.filter((n) => n !== obj.name);
      if (remaining.length === 0) return "finished";
      const nx = remaining[0];
      const s = nx && scaleFrom(nx, doneOk);
      if (s && 2 * got[s.from].ms * s.factor > timeoutS * 1000) return "predicted-slow";
      return null;
    });
    if (unavailable) {
      for (const n of remaining) got[n] = { status: "n/a", reason: unavailable };
      return { got, unavailable };
    }
    if (remaining.length === 0) break;
    if (r.killedFor === "predicted-slow") continue;
    const cur = remaining.shift();
    if (r.killedFor === "timeout") {
      got[cur] = { status: "timeout", reason: `killed: no result within ${timeoutS} s` };
      // Larger sizes of the same family cannot finish either.
      const fam = cur.split("_")[0];
      for (const n of remaining.filter((n) => (n.startsWith("matmul_") || n.startsWith("chain_")) && n.split("_")[0] === fam)) {
        got[n] = { status: "timeout", reason: `not run: ${cur} timed out` };
      }
      remaining = remaining.filter((n) => !got[n]);
    } else got[cur] = { status: "error", reason: lastErrorLine(r.errTail) };
  }
  return { got };
}

// ---- the run ----
const cpus = os.cpus();
const machine = {
  cpu: cpus[0]?.model ?? "unknown",
  cores: cpus.length,
  node: process.version,
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
};
console.log(`jaxts benchmarks — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}`);
console.log(`budget ${budgetMs} ms per benchmark (median of the timed runs after warm-up), timeout ${timeoutS} s per benchmark`);
const loadBefore = os.loadavg();
if (loadBefore[0] > 0.8) console.log(`note: load average ${loadBefore.map((x) => x.toFixed(2)).join(" ")} — other processes use the CPU; timings may be noisy`);
if (!hasWasm) console.log("jaxts wasm backend: not present (src/backends/wasm); running the js backend only");
for (const l of libs) if (l.unavailable) console.log(`${l.id}: ${l.unavailable}`);
const t0 = performance.now();
const unavailableLibs = {};
for (const lib of libs) if (lib.unavailable) unavailableLibs[lib.id] = lib.unavailable;
for (const [group, names] of plan) {
  for (const lib of libs) {
    if (unavailableLibs[lib.id]) {
      for (const n of names) results[n][lib.id] = { status: "n/a", reason: unavailableLibs[lib.id] };
      continue;
    }
    const t = performance.now();
    process.stdout.write(`  ${group.padEnd(8)} ${lib.id.padEnd(11)}`);
    let got;
    if (group === "compile") {
      // A first call is only first once per process: K fresh processes, median.
      const runs = [];
      for (let k = 0; k < firstCallRuns; k++) {
        const r = await runGroup(lib, group, names);
        if (r.unavailable) unavailableLibs[lib.id] = r.unavailable;
        const g = r.got[names[0]];
        if (!g || g.status) {
          got = r.got;
          runs.length = 0;
          break;
        }
        runs.push(g);
      }
      if (runs.length) {
        const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
        got = { [names[0]]: { ms: ms[(ms.length - 1) >> 1], n: ms.length, min: ms[0], all: ms, check: runs[0].check } };
      }
    } else {
      // --repeat=K: K processes; each benchmark keeps the lowest of the K medians (less
      // exposed to other load on the machine); all medians go to results.json.
      for (let k = 0; k < repeat && !unavailableLibs[lib.id]; k++) {
        const r = await runGroup(lib, group, names);
        if (r.unavailable) unavailableLibs[lib.id] = r.unavailable;
        if (!got) {
          got = r.got;
          if (repeat > 1) for (const c of Object.values(got)) if (!c.status) c.medians = [c.ms];
          continue;
        }
        for (const [n, c] of Object.entries(r.got)) {
          const old = got[n];
          if (c.status || !old || old.status) {
            if (!c.status && (!old || old.status)) got[n] = { ...c, medians: [c.ms] };
            continue;
          }
          const medians = [...old.medians, c.ms];
          got[n] = c.ms < old.ms ? { ...c, medians } : { ...old, medians };
        }
      }
    }
    for (const n of names) results[n][lib.id] = got[n] ?? { status: "error", reason: "no result" };
    const summary = names.map((n) => {
      const c = results[n][lib.id];
      return c.status ? `${n}=${c.status}` : `${n}=${fmtMs(c.ms)}`;
    });
    console.log(`${((performance.now() - t) / 1000).toFixed(1).padStart(5)} s  ${summary.join("  ")}`);
  }
}

// ---- the table: the columns that ran ----
const shown = libs.filter((l) => !unavailableLibs[l.id]);
// The jaxts column the ratios are taken against: the wasm backend when it runs.
const ref = shown.find((l) => l.id === "jaxts-wasm") ?? shown.find((l) => l.id === "jaxts-js");
function fmtMs(ms) {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}
const gflops = (name, ms) => {
  const m = /^matmul_(\d+)$/.exec(name);
  return m ? (2 * (+m[1]) ** 3) / (ms * 1e6) : null;
};
function cell(name, c) {
  if (!c) return "";
  if (c.status) return c.status;
  const gf = gflops(name, c.ms);
  return gf === null ? fmtMs(c.ms) : `${fmtMs(c.ms)} (${gf.toFixed(1)})`;
}
const peers = shown.filter((l) => !l.jaxts);
const ratio = (name, peer) => {
  const a = ref && results[name]?.[ref.id];
  const b = results[name]?.[peer];
  if (!a || !b || a.status || b.status) return null;
  return b.ms / a.ms;
};
const fmtRatio = (r) =>
  r === null ? "–" : r >= 100 ? `${r.toFixed(0)}×` : r >= 10 ? `${r.toFixed(1)}×` : r >= 0.1 ? `${r.toFixed(2)}×` : `${r.toPrecision(2)}×`;

const header = ["benchmark (ms; matmul: ms (GFLOP/s))", ...shown.map((l) => l.id), ...(ref ? peers.map((p) => `${p.id}/jaxts`) : [])];
const rows = allNames.map((n) => [LABEL[n] ?? n, ...shown.map((l) => cell(n, results[n][l.id])), ...(ref ? peers.map((p) => fmtRatio(ratio(n, p.id))) : [])]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
const table = [line(header), `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...rows.map(line)].join("\n");

console.log("");
machine.loadAverageBefore = loadBefore.map((x) => +x.toFixed(2));
console.log(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os} (load average before the run: ${machine.loadAverageBefore.join(" ")})`);
const libLine = (l) => {
  const i = infos[l.id];
  if (unavailableLibs[l.id]) return `${l.id}: ${unavailableLibs[l.id]}`;
  if (!i) return `${l.id}: (no info)`;
  const { library, ...rest } = i;
  return `${l.id}: ${Object.entries(rest).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("/") : v}`).join(", ")}`;
};
for (const l of libs) console.log(`  ${libLine(l)}`);
console.log("");
console.log(table);
if (ref) {
  console.log(
    `\nRatios are peer time / ${ref.id} time: above 1× jaxts is faster. Times are medians${repeat > 1 ? ` (lowest of ${repeat} processes)` : ""}; ` +
      `the first call is the median over ${firstCallRuns} fresh processes.`,
  );
}
machine.loadAverageAfter = os.loadavg().map((x) => +x.toFixed(2));
console.log(`Load average after the run: ${machine.loadAverageAfter.join(" ")}${machine.loadAverageAfter[0] > 1.5 ? " — other processes competed for the CPU; rerun on an idle machine for clean numbers" : ""}`);

// Notes on failed cells.
const notes = [];
for (const n of allNames) for (const l of shown) {
  const c = results[n][l.id];
  if (c?.status) notes.push(`  ${LABEL[n] ?? n} / ${l.id}: ${c.status}${c.reason ? ` — ${c.reason}` : ""}`);
}
if (notes.length) console.log(`\nCells without a time:\n${notes.join("\n")}`);

// Cross-library checksums: every library computes the same thing on the same data.
const mismatches = [];
for (const n of allNames) {
  const vals = shown.map((l) => [l.id, results[n][l.id]?.check]).filter(([, v]) => typeof v === "number" && Number.isFinite(v));
  if (vals.length < 2) continue;
  const sorted = vals.map(([, v]) => v).sort((a, b) => a - b);
  const med = sorted[(sorted.length - 1) >> 1];
  for (const [id, v] of vals) {
    if (Math.abs(v - med) > 1e-3 * Math.abs(med) + 1e-9) mismatches.push(`  ${LABEL[n] ?? n}: ${id} gives ${v}, others ${med}`);
  }
}
console.log(mismatches.length ? `\nChecksum MISMATCH (the libraries did not compute the same result):\n${mismatches.join("\n")}` : "\nChecksums agree across libraries (mean of squares of each output, the loss for the MLP).");

// The targets of issue #6, evaluated on this run.
const targets = [];
if (ref) {
  const T = (desc, name, peer, need, kind = "ratio") => {
    const r = ratio(name, peer);
    if (r === null) return targets.push({ desc, status: "n/a" });
    const measured = kind === "within" ? 1 / r : r;
    const ok = kind === "within" ? measured <= need : measured >= need;
    targets.push({ desc, measured: +measured.toFixed(3), need, status: ok ? "PASS" : "FAIL" });
  };
  T("matmul 1024 ≥ 2.5× jax-js", "matmul_1024", "jax-js", 2.5);
  T("matmul 1024 ≥ 2× tfjs-wasm", "matmul_1024", "tfjs-wasm", 2);
  T("chain 1e6 ≥ 10× jax-js", "chain_1e6", "jax-js", 10);
  T("chain 1e6 time ≤ 1.5× numpy's", "chain_1e6", "numpy", 1.5, "within");
  T("MLP step ≥ 2× jax-js", "mlp_step", "jax-js", 2);
  T("MLP step ≥ 10× tfjs-wasm", "mlp_step", "tfjs-wasm", 10);
  T("per-example grads ≥ 5× jax-js", "pexgrad", "jax-js", 5);
  T("row softmax no slower than tfjs-wasm", "softmax_4096x1024", "tfjs-wasm", 1);
  T("MLP first call no slower than jax-js", "mlp_first_call", "jax-js", 1);
  console.log(`\nIssue #6 targets (${ref.id}):`);
  for (const t of targets) {
    const m = t.status === "n/a" ? "not measured" : t.desc.includes("≤") ? `${t.measured.toFixed(2)}× numpy's time` : `${t.measured.toFixed(2)}×`;
    console.log(`  ${t.status.padEnd(4)}  ${t.desc.padEnd(38)} ${m}`);
  }
}

const out = {
  date: new Date().toISOString(),
  machine,
  settings: { budgetMs, timeoutS, firstCallRuns, repeat },
  reference: ref?.id ?? null,
  libraries: Object.fromEntries(libs.map((l) => [l.id, unavailableLibs[l.id] ? { unavailable: unavailableLibs[l.id] } : infos[l.id] ?? null])),
  spec: SPEC,
  results: Object.fromEntries(
    allNames.map((n) => [
      n,
      Object.fromEntries(
        libs.map((l) => {
          const c = results[n][l.id];
          const gf = c && !c.status ? gflops(n, c.ms) : null;
          return [l.id, gf === null ? c : { ...c, gflops: +gf.toFixed(2) }];
        }),
      ),
    ]),
  ),
  ratios: ref ? Object.fromEntries(allNames.map((n) => [n, Object.fromEntries(peers.map((p) => [p.id, ratio(n, p.id)]))])) : null,
  targets,
  table,
};
// ---- pmap scaling (jaxts only; issue #7): 2 devices vs 1 device on the same two shards ----
{
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "bench/pmap.ts")], { encoding: "utf8", timeout: timeoutS * 4000, env: { ...process.env, JAXTS_BACKEND: "js" } });
  const line = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  let pm = null;
  try {
    pm = JSON.parse(line);
  } catch {
    pm = { error: (r.stderr ?? "").split("\n").slice(-3).join(" ") || "no output" };
  }
  out.pmap = pm;
  console.log("\npmap scaling (foriLoop of 128x128 matmul + tanh on two shards):");
  if (pm.error) console.log(`  failed: ${pm.error}`);
  else {
    const ok = pm.speedup >= 1.7;
    console.log(`  1 device, two shards: ${pm.oneDeviceMs} ms; 2 devices: ${pm.twoDevicesMs} ms; speedup ${pm.speedup}x`);
    console.log(`  ${ok ? "PASS" : "FAIL"}  2 devices >= 1.7x one device (issue #7)`);
    targets.push({ desc: "pmap 2 devices ≥ 1.7× one device", measured: pm.speedup, need: 1.7, status: ok ? "PASS" : "FAIL" });
  }
}
// ---- dispatch overhead (issue #6 item 3: a jitted tiny call costs at most 30 µs) ----
{
  const { spawnSync } = await import("node:child_process");
  out.dispatch = {};
  console.log("\ndispatch overhead (tiny arrays, after warm-up):");
  for (const b of hasWasm ? ["js", "wasm"] : ["js"]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "bench/dispatch.ts")], { encoding: "utf8", timeout: timeoutS * 1000, env: { ...process.env, JAXTS_BACKEND: b } });
    let d = null;
    try {
      d = JSON.parse((r.stdout ?? "").trim().split("\n").pop() ?? "");
    } catch {
      d = { error: (r.stderr ?? "").split("\n").slice(-3).join(" ") || "no output" };
    }
    out.dispatch[b] = d;
    if (d.error) console.log(`  ${b}: failed: ${d.error}`);
    else {
      console.log(`  ${b}: eager op ${d.eagerOpUs} µs, jitted tiny call ${d.jitCallUs} µs  ${d.jitCallUs <= 30 ? "PASS" : "FAIL"} (≤ 30 µs)`);
      targets.push({ desc: `jitted tiny call ≤ 30 µs (${b})`, measured: d.jitCallUs, need: 30, status: d.jitCallUs <= 30 ? "PASS" : "FAIL" });
    }
  }
}
writeFileSync(path.join(root, "bench/results.json"), JSON.stringify(out, null, 2) + "\n");
console.log(`\nWrote bench/results.json (${((performance.now() - t0) / 1000).toFixed(0)} s in all).`);
