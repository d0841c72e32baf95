// Long loops keep memory flat: 10,000 steps of a jitted training step and of an eager loop
// grow the resident set by less than 50 MB (run in child processes with --expose-gc; the
// loops are synchronous, so the garbage collector's finalizers never get a turn).
//   small arrays: every backend keeps them on the JS heap;
//   large arrays (wasm backend: blocks of its memory): dropped arrays come back only through
//   the finalizers, so within a synchronous loop the wasm heap grows up to its spill limit
//   (JAXTS_WASM_HEAP_MB, 8 here: the warm-up fills it) and then new arrays live on the JS heap; with the jitted
//   step donating its parameters the heap does not grow at all, at the default limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const MB = 1024 * 1024;
function runChild(args: string[], env: Record<string, string> = {}): { jitted: number; eager: number } {
  const child = fileURLToPath(new URL("./loop_child.ts", import.meta.url));
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", child, ...args], { encoding: "utf8", timeout: 600_000, env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as { jitted: number; eager: number };
}
function check(label: string, g: { jitted: number; eager: number }, which: ("jitted" | "eager")[] = ["jitted", "eager"]): void {
  for (const k of which) assert.ok(g[k] < 50 * MB, `${label}: ${k} loop grew RSS by ${(g[k] / MB).toFixed(1)} MB`);
}

test("10,000 jitted and eager training steps on small arrays keep RSS growth below 50 MB", () => {
  check("small", runChild(["10000", "small"]));
});

const wasmOnly = process.env.JAXTS_BACKEND === "js" ? "the js backend keeps every array on the JS heap (the small-array test covers it)" : false;

test("10,000 jitted and eager steps on large arrays keep RSS growth below 50 MB (bounded wasm heap)", { skip: wasmOnly }, () => {
  check("large", runChild(["10000", "large"], { JAXTS_WASM_HEAP_MB: "8" }));
});

test("a jitted step that donates its parameters keeps RSS flat at the default heap limit", { skip: wasmOnly }, () => {
  check("large, donated", runChild(["10000", "large", "donate"]), ["jitted"]);
});
