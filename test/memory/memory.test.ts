// Long loops keep memory flat: 10,000 steps of a jitted training step and of an eager loop
// grow the resident set by less than 50 MB (run in a child process with --expose-gc).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

test("10,000 jitted and eager training steps keep RSS growth below 50 MB", () => {
  const child = fileURLToPath(new URL("./loop_child.ts", import.meta.url));
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", child, "10000"], { encoding: "utf8", timeout: 600_000 });
  assert.equal(r.status, 0, r.stderr);
  const { jitted, eager } = JSON.parse(r.stdout.trim().split("\n").pop()!) as { jitted: number; eager: number };
  const MB = 1024 * 1024;
  assert.ok(jitted < 50 * MB, `jitted loop grew RSS by ${(jitted / MB).toFixed(1)} MB`);
  assert.ok(eager < 50 * MB, `eager loop grew RSS by ${(eager / MB).toFixed(1)} MB`);
});
