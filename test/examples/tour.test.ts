// The tour (`npm start`) runs to the end on the current backend, and its training sections
// bring the loss down.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

test("examples/tour.ts runs and its losses fall", () => {
  const tour = fileURLToPath(new URL("../../examples/tour.ts", import.meta.url));
  const r = spawnSync(process.execPath, ["--import", "tsx", tour], { encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, 0, `tour failed:\n${r.stderr}`);
  for (const s of ["Arrays and jax.numpy", "grad:", "vmap:", "jit:", "training:", "pmap:"]) assert.ok(r.stdout.includes(s), `section ${s}`);
  assert.match(r.stdout, /value 11, gradient 17/);
  const losses = (re: RegExp) => [...r.stdout.matchAll(re)].map((m) => Number(m[1]));
  const adam = losses(/^step +\d+: loss ([\d.]+)$/gm);
  const pmap = losses(/^step +\d+ on \d+ device\(s\): loss ([\d.]+)$/gm);
  assert.ok(adam.length >= 2 && adam[adam.length - 1]! < adam[0]! / 10, `adam losses ${adam}`);
  assert.ok(pmap.length >= 2 && pmap[pmap.length - 1]! < pmap[0]! / 100, `pmap losses ${pmap}`);
});
