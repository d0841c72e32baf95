// browser.test.ts — jaxts bundles for browsers (no static imports of Node's built-in modules)
// and runs there: the esbuild bundle is evaluated in a fresh V8 context that has no `process`
// (as a page has none), where the wasm backend runs single-threaded, and must compute what
// jaxts computes under Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { jnp, jit, grad, vmap, type Array as A } from "../../src/index.js";
import type { EagerArray } from "../../src/core/array.js";

const program = `(() => {
  const { jnp, jit, grad, vmap } = jaxts;
  const x = jnp.arange(12).astype("float32").reshape([3, 4]).mul(0.25);
  const f = jit((x) => jnp.sum(jnp.tanh(x).mul(x).add(jnp.exp(x.neg())), -1));
  const g = grad((x) => jnp.sum(jnp.sin(x).mul(x)));
  const m = vmap((r) => jnp.dot(r, r))(x);
  return JSON.stringify({ backend: x.backend.name, f: Array.from(f(x).dataSync()), g: Array.from(g(x).dataSync()), m: Array.from(m.dataSync()) });
})()`;

test("the package bundles for browsers and runs without Node (wasm backend, one thread)", async () => {
  const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
  const r = await build({ entryPoints: [entry], bundle: true, platform: "browser", format: "iife", globalName: "jaxts", write: false, logLevel: "silent" });
  assert.equal(r.errors.length, 0);
  const ctx = vm.createContext({ console, queueMicrotask, setTimeout, clearTimeout, TextEncoder, TextDecoder, performance });
  assert.equal(vm.runInContext("typeof process", ctx), "undefined");
  vm.runInContext(r.outputFiles[0]!.text, ctx);
  const got = JSON.parse(vm.runInContext(program, ctx) as string) as { backend: string; f: number[]; g: number[]; m: number[] };
  assert.equal(got.backend, "wasm");
  // the same program under Node, on the wasm backend
  const x = jnp.arange(12).astype("float32").reshape([3, 4]).mul(0.25);
  const f = jit((x: A) => jnp.sum(jnp.tanh(x).mul(x).add(jnp.exp(x.neg())), -1));
  const g = grad((x: A) => jnp.sum(jnp.sin(x).mul(x)));
  const m = vmap((r: A) => jnp.dot(r, r))(x);
  const list = (a: A): number[] => Array.from(a.dataSync() as Float32Array);
  const want = { f: list(f(x) as A), g: list(g(x) as A), m: list(m as A) };
  if ((x as EagerArray).backend.name === "wasm") assert.deepEqual({ f: got.f, g: got.g, m: got.m }, want);
  else for (const k of ["f", "g", "m"] as const) got[k].forEach((v, i) => assert.ok(Math.abs(v - want[k][i]!) <= 1e-6 * (1 + Math.abs(want[k][i]!)), `${k}[${i}]: ${v} vs ${want[k][i]}`));
});
