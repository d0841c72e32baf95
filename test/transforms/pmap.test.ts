// pmap on 4 simulated CPU devices: values equal vmap's, in/out axes, static arguments,
// caching, composition with grad/vmap/jit, debug.print per device, errors, and failures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { config, debug, deviceCount, grad, jit, jnp, lax, pmap, registerDeviceModule, valueAndGrad, vmap, type Array as A } from "../../src/index.js";
import { pmapStats } from "../../src/transforms/pmap.js";
import { failIfNegative } from "./fixtures/failing_prim.js";

config.update("numCpuDevices", 4);
registerDeviceModule(fileURLToPath(new URL("./fixtures/failing_prim.ts", import.meta.url)));

const close = (a: A, b: A | number[] | number, tol = 1e-5) => {
  const e = b instanceof jnp.Array ? b : jnp.array(b as number[]);
  assert.deepEqual(a.shape, e.shape);
  assert.ok(jnp.allclose(a, e, { atol: tol, rtol: tol }).item(), `${a} != ${e}`);
};
const xs = jnp.arange(12).reshape([4, 3]).astype("float32");

test("4 devices; pmap equals vmap for a per-example function", () => {
  assert.equal(deviceCount(), 4);
  const f = (x: A) => jnp.sin(x).mul(x).sum();
  close(pmap(f)(xs), vmap(f)(xs));
  close(pmap(f)(xs.get("0:2")), vmap(f)(xs.get("0:2")));
});

test("inAxes, outAxes, unmapped and static broadcasted arguments", () => {
  const f = (x: A, w: A, k: number) => jnp.dot(x, w).mul(k);
  const w = jnp.array([1, 2, 3]);
  const p = pmap(f, { inAxes: [1, null, null], staticBroadcastedArgnums: 2 });
  close(p(xs.T, w, 2), vmap((x: A) => f(x, w, 2))(xs));
  const q = pmap((x: A) => [x.mul(2), x.sum()], { outAxes: [1, null] });
  const [a, b] = q(xs) as [A, A];
  close(a, xs.mul(2).T);
  close(b, xs.get(0).sum());
  assert.throws(() => pmap(f, { staticBroadcastedArgnums: 2 })(xs, w), /static_broadcasted_argnums=\(2,\) but was called with only 2 positional arguments/);
});

test("compiled once per signature; outputs feed the next pmap without a copy", () => {
  let traces = 0;
  const f = pmap((x: A) => {
    traces++;
    return x.add(1);
  });
  const before = pmapStats.traces;
  const y = f(xs);
  const z = f(y);
  f(xs.mul(2));
  assert.equal(traces, 1);
  assert.equal(pmapStats.traces - before, 1);
  close(z, xs.add(2));
  assert.ok((y as any)._host().buffer instanceof SharedArrayBuffer, "pmap outputs live in shared memory");
  f(jnp.ones([2, 5]));
  assert.equal(traces, 2);
});

test("grad of a pmapped function equals grad of the vmapped one", () => {
  const f = (x: A) => jnp.tanh(x).mul(x);
  const gp = grad((x: A) => pmap(f)(x).sum())(xs);
  const gv = grad((x: A) => vmap(f)(x).sum())(xs);
  close(gp, gv);
  // unmapped (broadcast) argument: its cotangent sums over devices
  const w = jnp.array([0.5, -1, 2]);
  const gw = grad((w: A) => pmap((x: A, w: A) => jnp.dot(x, w), { inAxes: [0, null] })(xs, w).sum())(w);
  close(gw, xs.sum(0));
});

test("pmap of valueAndGrad: per-device gradients", () => {
  const loss = (w: A, x: A) => jnp.square(jnp.dot(x, w).sub(1)).mean();
  const w = jnp.array([0.1, 0.2, 0.3]);
  const [ls, gs] = pmap(valueAndGrad(loss), { inAxes: [null, 0] })(w, xs.reshape([4, 1, 3])) as [A, A];
  const [lv, gv] = vmap(valueAndGrad(loss), { inAxes: [null, 0] })(w, xs.reshape([4, 1, 3])) as [A, A];
  close(ls, lv);
  close(gs, gv);
});

test("vmap inside pmap and pmap inside vmap; jit inside pmap", () => {
  const f = (x: A) => jnp.exp(x.mul(0.1)).sum();
  const x3 = jnp.arange(24).reshape([4, 2, 3]).astype("float32");
  close(pmap(vmap(f))(x3), vmap(vmap(f))(x3));
  close(vmap(pmap(f), { inAxes: 1 })(x3), vmap(vmap(f), { inAxes: 1 })(x3));
  close(pmap(jit(f))(xs), vmap(f)(xs));
  close(pmap((x: A) => lax.foriLoop(0, 3, (_i: A, a: A) => a.mul(x), jnp.onesLike(x)))(xs), xs.pow(3));
});

test("debug.print prints once per device", () => {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(" "));
  try {
    pmap((x: A) => {
      debug.print("device sum {}", x.sum());
      return x;
    })(xs);
  } finally {
    console.log = orig;
  }
  assert.deepEqual([...lines].sort(), ["device sum 12.0", "device sum 21.0", "device sum 3.0", "device sum 30.0"]);
});

test("errors: too many devices, inconsistent sizes, no mapped axis, devices option, bad specs", () => {
  assert.throws(() => pmap((x: A) => x)(jnp.ones([5, 2])), /requires 5 logical devices, but only 4 XLA devices are available \(num_replicas=5\)/);
  assert.throws(() => pmap((x: A, y: A) => x.add(y))(jnp.ones([2]), jnp.ones([3])), /pmap got inconsistent sizes for array axes to be mapped/);
  assert.throws(() => pmap((x: A) => x, { inAxes: null })(jnp.ones([2])), /pmap requires at least one argument with a mapped axis/);
  assert.throws(() => pmap((x: A) => x, { devices: [] }), /'devices' argument to pmap must be non-empty, or None/);
  assert.throws(() => pmap((x: A) => x, { inAxes: false as any }), /pmap in_axes must be an int, None, or \(nested\) container/);
  assert.throws(() => pmap((x: A) => x, { inAxes: [0, 0] })(xs), /len\(in_axes\)=2, len\(args\)=1/);
  assert.throws(() => pmap((x: A) => pmap((y: A) => y)(x))(xs), /Nested pmap is not supported/);
  close(pmap((x: A) => x.mul(2))(xs), xs.mul(2));
});

test("a failure on one device names the device, never hangs, and leaves the pool working", () => {
  const f = pmap((x: A) => failIfNegative(x).sum());
  close(f(xs), xs.sum(1));
  const bad = xs.at(2, 1).set(-5);
  assert.throws(
    () => f(bad),
    (e: Error) => /device 2/.test(e.message) && /negative value -5/.test(e.message) && e.name === "RangeError",
  );
  close(f(xs), xs.sum(1));
  close(pmap((x: A) => x.add(1))(xs), xs.add(1));
});

test("disableJit runs pmap as vmap", () => {
  config.update("disableJit", true);
  try {
    close(pmap((x: A) => x.mul(3))(xs), xs.mul(3));
  } finally {
    config.update("disableJit", false);
  }
});

test("customJvp and customVjp functions (with constants) run inside pmap and keep their rules", async () => {
  const { customJvp, customVjp } = await import("../../src/index.js");
  const scale = jnp.array([1, 2, 3]);
  const f = customJvp((x: A) => jnp.sin(x).mul(scale));
  f.defjvp(([x]: A[], [t]: A[]) => [f(x), t.mul(100)]);
  close(pmap(f)(xs), jnp.sin(xs).mul(scale));
  close(grad((x: A) => pmap(f)(x).sum())(xs), jnp.full([4, 3], 100));
  const clip = customVjp((x: A) => x.mul(scale));
  clip.defvjp((x: A) => [x.mul(scale), null], (_r: unknown, g: A) => [jnp.clip(g, -1, 1)]);
  close(grad((x: A) => pmap(clip)(x).mul(5).sum())(xs), jnp.ones([4, 3]));
});
