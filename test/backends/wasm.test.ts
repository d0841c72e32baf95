// wasm.test.ts — the WebAssembly backend: encoder output validates, the allocator reuses and
// coalesces blocks, every wasm kernel matches the js backend on random inputs (shapes that
// are not multiples of 4, broadcasting, several dtypes), the vector math functions stay
// within their documented ulp bounds, matmul matches the JS kernel, primitives without a
// kernel fall back to their JS impl, and memory of dropped arrays is reclaimed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { jnp, jit, grad } from "../../src/index.js";
import { EagerArray, type JaxArray } from "../../src/core/array.js";
import type { DType, TypedArray } from "../../src/core/dtype.js";
import { bind1 } from "../../src/core/trace.js";
import { getPrimitive } from "../../src/core/primitive.js";
import { getBackend } from "../../src/backends/backend.js";
import { ModuleBuilder, Op, T, V, WA, sleb, uleb } from "../../src/backends/wasm/encoder.js";
import { WasmHeap } from "../../src/backends/wasm/memory.js";
import {
  EW_OPS,
  clearKernelCache,
  copyKernel,
  ewKernel,
  ewbKernel,
  recordModules,
  recordedModules,
  reduceLastKernel,
  reduceMidKernel,
  transpose2dKernel,
} from "../../src/backends/wasm/kernels.js";
import { gemmKernels, gemvKernels } from "../../src/backends/wasm/matmul.js";
import { ABS_BOUNDS, SINCOS_MAX, ULP_BOUNDS } from "../../src/backends/wasm/vmath.js";
import {
  WASM_KERNELS,
  dispatchStats,
  heap,
  heapStats,
  startDispatchStats,
  syncReclaim,
  wasmBackend,
} from "../../src/backends/wasm/index.js";
import { Rng } from "../harness/rng.js";
import { erfF64 } from "../../src/primitives/random.js";
import { powC } from "../../src/core/host_math.js";

const js = getBackend("js");
const rng = new Rng(20240607);

function randData(dtype: DType, n: number, lo = -3, hi = 3): TypedArray {
  if (dtype === "float32") return Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
  if (dtype === "int32") return Int32Array.from({ length: n }, () => rng.int(-50, 50));
  return Uint8Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
}
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Runs primitive `name` on the js and the wasm backend; returns both host results. */
function runBoth(name: string, params: Record<string, unknown>, ins: [TypedArray, number[], DType][]): [TypedArray, TypedArray] {
  const prim = getPrimitive(name)!;
  const a = bind1(prim, ins.map(([d, s, t]) => EagerArray.fromTyped(d, s, t, false, js)), params) as EagerArray;
  const b = bind1(prim, ins.map(([d, s, t]) => EagerArray.fromTyped(d, s, t, false, wasmBackend)), params) as EagerArray;
  assert.equal(b.backend, wasmBackend, `${name} result should live on the wasm backend`);
  return [a._host(), b._host()];
}

/** |a - b| in ulps of the float32 reference b (NaN == NaN, inf must match exactly). */
function ulpDiff(got: number, want: number): number {
  if (Number.isNaN(want)) return Number.isNaN(got) ? 0 : Infinity;
  if (!Number.isFinite(want) || !Number.isFinite(got)) return Math.fround(want) === got ? 0 : Infinity;
  const w = Math.abs(want);
  const ulp = w < 1.1754943508222875e-38 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(w)) - 23);
  return Math.abs(got - want) / ulp;
}

function assertClose(name: string, got: TypedArray, want: TypedArray, maxUlp: number): void {
  assert.equal(got.length, want.length, `${name}: length`);
  for (let i = 0; i < want.length; i++) {
    const u = maxUlp === 0 ? (Object.is(got[i], want[i]) || (Number.isNaN(got[i]!) && Number.isNaN(want[i]!)) || got[i] === want[i] ? 0 : Infinity) : ulpDiff(got[i]!, want[i]!);
    if (!(u <= maxUlp)) assert.fail(`${name}: element ${i} is ${got[i]}, js backend gives ${want[i]} (${u} ulp > ${maxUlp})`);
  }
}

// ---------------------------------------------------------------- encoder
test("LEB128 encodings", () => {
  const u = (v: number) => {
    const o: number[] = [];
    uleb(o, v);
    return o;
  };
  const s = (v: number) => {
    const o: number[] = [];
    sleb(o, v);
    return o;
  };
  assert.deepEqual(u(0), [0]);
  assert.deepEqual(u(127), [127]);
  assert.deepEqual(u(128), [0x80, 1]);
  assert.deepEqual(u(624485), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(u(2 ** 32 - 1), [0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.deepEqual(s(0), [0]);
  assert.deepEqual(s(-1), [0x7f]);
  assert.deepEqual(s(63), [63]);
  assert.deepEqual(s(64), [0xc0, 0]);
  assert.deepEqual(s(-64), [0x40]);
  assert.deepEqual(s(-65), [0xbf, 0x7f]);
  assert.deepEqual(s(-123456), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(s(-(2 ** 31)), [0x80, 0x80, 0x80, 0x80, 0x78]);
});

test("a hand-built module with SIMD and shared memory validates and runs", () => {
  const m = new ModuleBuilder({ initial: 1, maximum: 65536 });
  const sinIdx = m.importFunc("sin", [T.f64], [T.f64]);
  m.func("axpy", [T.i32, T.i32, T.i32, T.f32], [], (f) => {
    const [y, x, n, a] = f.params as [ReturnType<typeof f.local>, ReturnType<typeof f.local>, ReturnType<typeof f.local>, ReturnType<typeof f.local>];
    const i = f.local(T.i32);
    const av = f.local(T.v128);
    f.get(a).v(V.f32x4_splat).set(av);
    f.forRange(i, () => f.i32(0), () => f.get(n), 4, () => {
      f.get(y).get(i).i32(2).op(Op.i32_shl).op(Op.i32_add);
      f.get(x).get(i).i32(2).op(Op.i32_shl).op(Op.i32_add).vmem(V.v128_load).get(av).v(V.f32x4_mul);
      f.get(y).get(i).i32(2).op(Op.i32_shl).op(Op.i32_add).vmem(V.v128_load).v(V.f32x4_add);
      f.vmem(V.v128_store);
    });
  });
  m.func("hostSin", [T.f64], [T.f64], (f) => {
    f.get(f.params[0]!).call(sinIdx);
  });
  const bytes = m.build();
  assert.ok(WA.validate(bytes));
  const h = new WasmHeap(1, 16);
  const inst = new WA.Instance(new WA.Module(bytes), { env: { memory: h.memory, sin: Math.sin } });
  const x = h.alloc(32);
  const y = h.alloc(32);
  for (let i = 0; i < 8; i++) {
    h.f32[x / 4 + i] = i;
    h.f32[y / 4 + i] = 1;
  }
  (inst.exports.axpy as (...a: number[]) => void)(y, x, 8, 0.5);
  assert.deepEqual([...h.f32.subarray(y / 4, y / 4 + 8)], [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5]);
  assert.equal((inst.exports.hostSin as (v: number) => number)(1), Math.sin(1));
  // a corrupted module does not validate
  const bad = bytes.slice();
  bad[bad.length - 3] = 0xff;
  assert.equal(WA.validate(bad), false);
});

test("every generated kernel module validates", () => {
  recordModules(true);
  clearKernelCache(heap);
  try {
    for (const [key, op] of Object.entries(EW_OPS)) {
      const full = op.ins.map(() => "full" as const);
      ewKernel(heap, key, full);
      ewbKernel(heap, key, full);
      ewKernel(heap, key, op.ins.map((_, j) => (j === 0 ? "scalar" : "full")));
      ewbKernel(heap, key, op.ins.map((_, j) => (j === op.ins.length - 1 ? "scalar" : "full")));
    }
    for (const op of ["sum", "max", "min"] as const) {
      reduceLastKernel(heap, op);
      reduceMidKernel(heap, op);
    }
    for (const es of [1, 4, 8] as const) for (const inner of ["contig", "splat", "strided"] as const) copyKernel(heap, es, inner);
    transpose2dKernel(heap);
    gemmKernels(heap);
    gemmKernels(heap, { MR: 3, NR: 12, KC: 64, MC: 30 });
    gemvKernels(heap);
    const mods = recordedModules!;
    assert.ok(mods.size >= 4 * Object.keys(EW_OPS).length, `only ${mods.size} modules recorded`);
    for (const [key, bytes] of mods) assert.ok(WA.validate(bytes), `module ${key} does not validate`);
  } finally {
    recordModules(false);
  }
});

test("kernels also run on an unshared memory (hosts without SharedArrayBuffer)", () => {
  const h = new WasmHeap(1, 256, false);
  assert.equal(h.shared, false);
  const n = 37;
  const a = h.alloc(4 * n);
  const o = h.alloc(4 * n);
  for (let i = 0; i < n; i++) h.f32[a / 4 + i] = i - 18;
  ewKernel(h, "exp:f32", ["full"])(o, a, 0, n);
  for (let i = 0; i < n; i++) assert.ok(ulpDiff(h.f32[o / 4 + i]!, Math.exp(i - 18)) <= 1);
  const big = h.alloc(3 * 65536); // growth replaces the buffer; fresh views see the data
  assert.equal(h.f32[o / 4 + 18], 1);
  h.free(big);
});

// ---------------------------------------------------------------- allocator
test("allocator: 16-byte alignment, reuse, coalescing, top lowering, growth keeps views", () => {
  const h = new WasmHeap(1, 64);
  const base = h.stats().top;
  const a = h.alloc(1);
  const b = h.alloc(40);
  const c = h.alloc(100);
  for (const p of [a, b, c]) assert.equal(p % 16, 0);
  assert.equal(b, a + 16);
  assert.equal(c, b + 48);
  assert.equal(h.stats().inUse, 16 + 48 + 112);
  h.free(b);
  assert.equal(h.alloc(33), b, "a freed block is reused by a fitting request");
  h.free(a);
  h.free(b);
  // a and b coalesced: 64 bytes at a
  assert.equal(h.alloc(64), a);
  h.free(a);
  h.free(c);
  assert.equal(h.stats().top, base, "freeing the last blocks lowers the top");
  assert.equal(h.stats().inUse, 0);
  assert.equal(h.stats().free, 0);
  // growth: a view made before growing keeps its data and range
  const p = h.alloc(1000);
  const view = new Float32Array(h.u8.buffer, p, 250);
  view.fill(7);
  const before = h.capacity;
  const big = h.alloc(5 * 65536);
  assert.ok(h.capacity > before, "the memory grew");
  assert.equal(view.length, 250);
  assert.equal(view[249], 7);
  assert.equal(h.f32[p / 4 + 249], 7);
  h.free(big);
  h.free(p);
  // reuse bounds the heap: many alloc/free rounds of mixed sizes do not raise the top
  const sizes = [16, 100, 4000, 70000, 33, 1 << 18];
  const top0 = h.stats().top;
  for (let round = 0; round < 200; round++) {
    const ps = sizes.map((s) => h.alloc(s));
    for (const q of ps.reverse()) h.free(q);
  }
  assert.equal(h.stats().top, top0);
  assert.throws(() => h.free(12345), /not a live block/);
});

// ---------------------------------------------------------------- elementwise kernels
// sizes up to 4 KiB are host-resident small buffers staged per call; larger ones wasm blocks
const SHAPES: number[][] = [[1], [3], [4], [5], [17], [1000], [2, 3], [7, 9, 3], [1501], [41, 50]];
const KIND_DTYPE: Record<string, DType> = { f32: "float32", i32: "int32", bool: "bool" };
/** Bounds against the js backend's (rounded) results: the documented bound + ½ ulp. */
const MATH_ULP: Record<string, number> = { exp: 2, log: 1.5, tanh: 2, sin: 2.5, cos: 2.5, logistic: 3.5, log1p: 3, expm1: 2.5, erf: 6, pow: 1 };

function opInputs(name: string, kinds: readonly string[], shapes: number[][]): [TypedArray, number[], DType][] {
  return kinds.map((k, j) => {
    const dt = KIND_DTYPE[k]!;
    const n = size(shapes[j]!);
    if (name === "log" || name === "sqrt") return [randData(dt, n, 0.01, 50), shapes[j]!, dt];
    if (name === "select_n" && j === 0 && dt === "int32") return [Int32Array.from({ length: n }, () => rng.int(-2, 3)), shapes[j]!, dt];
    const d = randData(dt, n);
    // equal elements exercise the comparisons' ties
    if (j === 1 && n > 1 && dt === "float32") (d as Float32Array)[0] = Math.round(rng.uniform(-3, 3));
    if (j === 0 && n > 1 && dt === "float32") (d as Float32Array)[0] = Math.round(rng.uniform(-3, 3));
    return [d, shapes[j]!, dt];
  });
}

test("elementwise kernels match the js backend (same shapes, sizes not multiples of 4)", () => {
  startDispatchStats();
  for (const [key, op] of Object.entries(EW_OPS)) {
    const name = key.slice(0, key.indexOf(":"));
    if (name === "square" || name === "reciprocal" || name === "convert_element_type") continue;
    for (const shape of SHAPES) {
      const ins = opInputs(name, op.ins, op.ins.map(() => shape));
      const [want, got] = runBoth(name, {}, ins);
      assertClose(`${key} ${JSON.stringify(shape)}`, got, want, MATH_ULP[name] ?? 0);
    }
  }
  const st = dispatchStats();
  for (const [k, c] of Object.entries(st)) assert.equal(c.js, 0, `${k} fell back to the JS impl`);
});

test("elementwise kernels broadcast (scalars, rows, columns, middle axes) like the js backend", () => {
  const cases: [number[], number[]][] = [
    [[5, 7], [7]],
    [[5, 7], [5, 1]],
    [[50, 70], [70]],
    [[50, 70], [50, 1]],
    [[3, 40, 50], [40, 1]],
    [[], [6, 5]],
    [[6, 5], []],
    [[2, 3, 5], [2, 1, 5]],
    [[2, 3, 5], [1, 3, 1]],
    [[6, 1, 7], [5, 7]],
    [[4, 1], [1, 9]],
    [[3, 1, 2, 1], [1, 4, 1, 5]],
    [[1], [33]],
  ];
  startDispatchStats();
  for (const [sa, sb] of cases) {
    for (const key of ["add:f32,f32", "div:f32,f32", "max:f32,f32", "lt:f32,f32", "mul:i32,i32", "ge:i32,i32", "and:bool,bool"]) {
      const name = key.slice(0, key.indexOf(":"));
      const [want, got] = runBoth(name, {}, opInputs(name, EW_OPS[key]!.ins, [sa, sb]));
      assertClose(`${key} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, got, want, 0);
    }
    const [want, got] = runBoth("select_n", {}, [
      [randData("bool", size(sa)), sa, "bool"],
      [randData("float32", size(sb)), sb, "float32"],
      [randData("float32", size(sa)), sa, "float32"],
    ]);
    assertClose(`select_n ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, got, want, 0);
  }
  for (const [k, c] of Object.entries(dispatchStats())) assert.equal(c.js, 0, `${k} fell back to the JS impl`);
});

test("elementwise special values: NaN, ±inf, ±0 follow the reference kernels", () => {
  const sp = new Float32Array([NaN, Infinity, -Infinity, 0, -0, 1, -1, 3.5, -2.5, 0.5, 1e-40, -1e-40, 3.4e38, -3.4e38, 88.8, -105]);
  const n = sp.length;
  const other = new Float32Array(n).map((_, i) => sp[(i * 7 + 3) % n]!);
  for (const name of ["add", "sub", "mul", "div", "max", "min", "eq", "ne", "lt", "le", "gt", "ge"]) {
    const [want, got] = runBoth(name, {}, [[sp, [n], "float32"], [other, [n], "float32"]]);
    assertClose(name, got, want, 0);
  }
  for (const name of ["neg", "abs", "sqrt", "floor", "ceil", "round", "sign"]) {
    const [want, got] = runBoth(name, {}, [[sp, [n], "float32"]]);
    assertClose(name, got, want, 0);
  }
  for (const name of ["exp", "log", "tanh", "sin", "cos", "logistic"]) {
    const [want, got] = runBoth(name, {}, [[sp, [n], "float32"]]);
    assertClose(name, got, want, MATH_ULP[name]!);
  }
});

test("convert_element_type kernels between float32, int32 and bool match the js backend", () => {
  startDispatchStats();
  const f = new Float32Array([NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.9, -1.9, 3e9, -3e9, 2147483520, 7, 1e-30, -2.5]);
  const i = new Int32Array([0, 1, -1, 2147483647, -2147483648, 16777217, -16777217, 5, 123456789]);
  const b = new Uint8Array([0, 1, 1, 0, 1]);
  const srcs: [TypedArray, DType][] = [
    [f, "float32"],
    [i, "int32"],
    [b, "bool"],
  ];
  for (const [data, from] of srcs)
    for (const to of ["float32", "int32", "bool"] as DType[]) {
      const [want, got] = runBoth("convert_element_type", { newDType: to, weakType: false }, [[data, [data.length], from]]);
      assertClose(`convert ${from} -> ${to}`, got, want, 0);
    }
  for (const [k, c] of Object.entries(dispatchStats())) assert.equal(c.js, 0, `${k} fell back to the JS impl`);
});

// ---------------------------------------------------------------- vector math accuracy
function mathUlp(name: string, xs: Float32Array, ref: (x: number) => number): { ulp: number; abs: number; at: number } {
  const x = EagerArray.fromTyped(xs, [xs.length], "float32", false, wasmBackend);
  const y = (bind1(getPrimitive(name)!, [x]) as EagerArray)._host();
  let ulp = 0;
  let abs = 0;
  let at = NaN;
  for (let i = 0; i < xs.length; i++) {
    const r = ref(xs[i]!);
    const u = ulpDiff(y[i]!, r);
    if (u > ulp) {
      ulp = u;
      at = xs[i]!;
    }
    if (Number.isFinite(r)) abs = Math.max(abs, Math.abs(y[i]! - r));
  }
  return { ulp, abs, at };
}
const linspace = (lo: number, hi: number, n: number) => Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
/** Every `step`-th positive float32 between lo and hi (by bit pattern). */
function floatsBetween(lo: number, hi: number, step: number): Float32Array {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  f[0] = lo;
  const a = u[0]!;
  f[0] = hi;
  const b = u[0]!;
  const out = new Float32Array(Math.floor((b - a) / step) + 1);
  for (let i = 0; i < out.length; i++) {
    u[0] = a + i * step;
    out[i] = f[0]!;
  }
  return out;
}

test("vector math stays within its documented ulp bounds (dense ranges)", () => {
  const N = 400_001;
  const check = (name: string, xs: Float32Array, ref: (x: number) => number, bound: number) => {
    const r = mathUlp(name, xs, ref);
    assert.ok(r.ulp <= bound, `${name}: ${r.ulp.toFixed(3)} ulp at x = ${r.at} (bound ${bound})`);
    return r;
  };
  check("exp", linspace(-103.9, 88.72, N), Math.exp, ULP_BOUNDS.exp);
  check("exp", linspace(-1, 1, N), Math.exp, ULP_BOUNDS.exp);
  check("log", floatsBetween(1.5e-45, 3.4e38, 4099), Math.log, ULP_BOUNDS.log);
  check("log", linspace(0.5, 2, N), Math.log, ULP_BOUNDS.log);
  check("tanh", linspace(-10, 10, N), Math.tanh, ULP_BOUNDS.tanh);
  check("tanh", linspace(-1, 1, N), Math.tanh, ULP_BOUNDS.tanh);
  check("sin", linspace(-Math.PI, Math.PI, N), Math.sin, ULP_BOUNDS.sincos);
  check("cos", linspace(-Math.PI, Math.PI, N), Math.cos, ULP_BOUNDS.sincos);
  check("sin", linspace(-100, 100, N), Math.sin, ULP_BOUNDS.sincos);
  check("cos", linspace(-100, 100, N), Math.cos, ULP_BOUNDS.sincos);
  // next to the zeros k·π/2 (the float32 neighbours of k·π/2, k < 160000) the relative
  // error stays small too (the reduction runs in float64)
  const near: number[] = [];
  const nb = new Float32Array(1);
  const nbits = new Int32Array(nb.buffer);
  for (let k = 1; k < 160000; k += 13)
    for (let d = -3; d <= 3; d++) {
      nb[0] = (k * Math.PI) / 2;
      nbits[0]! += d;
      near.push(nb[0]!);
    }
  check("sin", Float32Array.from(near), Math.sin, ULP_BOUNDS.sincos);
  check("cos", Float32Array.from(near), Math.cos, ULP_BOUNDS.sincos);
  // up to SINCOS_MAX the absolute error is tiny; beyond, the host's Math.sin/cos is used
  for (const name of ["sin", "cos"]) {
    const ref = name === "sin" ? Math.sin : Math.cos;
    const r = mathUlp(name, linspace(-SINCOS_MAX, SINCOS_MAX, N), ref);
    assert.ok(r.abs <= ABS_BOUNDS.sincos, `${name}: absolute error ${r.abs} at x = ${r.at}`);
    check(name, linspace(SINCOS_MAX, 1e7, 20001), ref, 0.5);
    check(name, new Float32Array([Infinity, -Infinity, NaN, 3e38, -0, 0]), ref, 0.5);
  }
  check("exp", new Float32Array([Infinity, -Infinity, NaN, 0, -0, 88.7228, 88.7229, -104, -150, 1e-30]), Math.exp, ULP_BOUNDS.exp);
  check("log", new Float32Array([0, -0, -1, Infinity, -Infinity, NaN, 1, 1.4e-45, 1.1754942e-38]), Math.log, ULP_BOUNDS.log);
  check("tanh", new Float32Array([0, -0, 9.1, -9.1, 50, -50, Infinity, -Infinity, NaN, 1e-30, 0.625, -0.625]), Math.tanh, ULP_BOUNDS.tanh);
  check("logistic", linspace(-100, 30, N), (x) => 1 / (1 + Math.exp(-x)), ULP_BOUNDS.logistic);
  check("log1p", linspace(-0.999, 10, N), Math.log1p, ULP_BOUNDS.log1p);
  check("log1p", linspace(-1e-3, 1e-3, N), Math.log1p, ULP_BOUNDS.log1p);
  check("log1p", linspace(1, 1e30, N), Math.log1p, ULP_BOUNDS.log1p);
  check("log1p", new Float32Array([0, -0, -1, -2, Infinity, -Infinity, NaN, 1e-30, -1e-30, 3e38]), Math.log1p, ULP_BOUNDS.log1p);
  check("expm1", linspace(-20, 88.7, N), Math.expm1, ULP_BOUNDS.expm1);
  check("expm1", linspace(-1, 1, N), Math.expm1, ULP_BOUNDS.expm1);
  check("expm1", linspace(-1e-4, 1e-4, N), Math.expm1, ULP_BOUNDS.expm1);
  check("expm1", linspace(-104, -10, N), Math.expm1, ULP_BOUNDS.expm1);
  check("expm1", new Float32Array([0, -0, Infinity, -Infinity, NaN, 88.7228, 88.72284, 89, -88, -200, 1e-30, 1e-9, 24 * Math.LN2, 25 * Math.LN2]), Math.expm1, ULP_BOUNDS.expm1);
  check("erf", linspace(-5, 5, N), erfF64, ULP_BOUNDS.erf);
  check("erf", linspace(-0.1, 0.1, N), erfF64, ULP_BOUNDS.erf);
  check("erf", new Float32Array([0, -0, Infinity, -Infinity, NaN, 1e-30, 3.9, -3.9]), erfF64, ULP_BOUNDS.erf);
  // pow: random bases and exponents over wide ranges, and the special cases (host lanes)
  const powCheck = (xs: Float32Array, ys: Float32Array) => {
    const X = EagerArray.fromTyped(xs, [xs.length], "float32", false, wasmBackend);
    const Y = EagerArray.fromTyped(ys, [ys.length], "float32", false, wasmBackend);
    const r = (bind1(getPrimitive("pow")!, [X, Y]) as EagerArray)._host();
    for (let i = 0; i < xs.length; i++) {
      const u = ulpDiff(r[i]!, powC(xs[i]!, ys[i]!));
      if (!(u <= ULP_BOUNDS.pow)) assert.fail(`pow(${xs[i]}, ${ys[i]}) = ${r[i]}: ${u} ulp (bound ${ULP_BOUNDS.pow})`);
    }
  };
  const M = 100_000;
  powCheck(Float32Array.from({ length: M }, () => rng.uniform(0, 10)), Float32Array.from({ length: M }, () => rng.uniform(-5, 5)));
  powCheck(Float32Array.from({ length: M }, () => rng.uniform(0, 2)), Float32Array.from({ length: M }, () => rng.uniform(-60, 60)));
  powCheck(Float32Array.from({ length: M }, () => Math.exp(rng.uniform(-85, 85))), Float32Array.from({ length: M }, () => rng.uniform(-1.5, 1.5)));
  powCheck(
    new Float32Array([0, -0, -2, -2, -2, 2, 2, 1, 1, NaN, 2, Infinity, -Infinity, 1e-40, 3e38, 2, 0.5, 10, 10, -8]),
    new Float32Array([2, -1, 3, 2, 0.5, 0, NaN, NaN, Infinity, 0, -Infinity, -1, 3, 0.5, 2, 128, -149, 38.5, -45.9, 1 / 3]),
  );
});

// ---------------------------------------------------------------- reductions and copies
test("reduce_sum / reduce_max / reduce_min kernels match the js backend over general axes", () => {
  const cases: [number[], number[]][] = [
    [[10], [0]],
    [[3, 17], [1]],
    [[3, 17], [0]],
    [[37, 19], [0]],
    [[2, 45], [0]],
    [[4, 5, 6], [1]],
    [[4, 5, 6], [0, 2]],
    [[4, 5, 6], [0, 1]],
    [[4, 5, 6], [1, 2]],
    [[4, 5, 6], [0, 1, 2]],
    [[3, 1, 5], [1]],
    [[2, 3, 4, 5], [1, 3]],
    [[1000], [0]],
    [[7, 1, 33], [0, 2]],
    [[301, 17], [1]],
    [[301, 17], [0]],
    [[3, 400, 5], [1]],
    [[20, 30, 7], [0, 2]],
  ];
  startDispatchStats();
  for (const [shape, axes] of cases) {
    for (const name of ["reduce_sum", "reduce_max", "reduce_min"]) {
      const d = randData("float32", size(shape)) as Float32Array;
      if (d.length > 3) d[2] = d[1]!; // ties
      const [want, got] = runBoth(name, { axes }, [[d, shape, "float32"]]);
      // sums accumulate in float64 in a different order: at most 1 ulp apart
      assertClose(`${name} ${JSON.stringify(shape)} axes ${JSON.stringify(axes)}`, got, want, name === "reduce_sum" ? 1 : 0);
    }
  }
  for (const [k, c] of Object.entries(dispatchStats())) assert.equal(c.js, 0, `${k} fell back to the JS impl`);
  // NaN propagates through max/min; empty reductions give the identity
  const [w, g] = runBoth("reduce_max", { axes: [1] }, [[new Float32Array([1, NaN, 3, 4, 5, 6]), [2, 3], "float32"]]);
  assertClose("reduce_max NaN", g, w, 0);
  const [w2, g2] = runBoth("reduce_sum", { axes: [1] }, [[new Float32Array(0), [3, 0], "float32"]]);
  assertClose("reduce_sum empty", g2, w2, 0);
});

test("transpose / broadcast_in_dim / slice / reshape kernels match the js backend for every element size", () => {
  startDispatchStats();
  const perms: [number[], number[]][] = [
    [[3, 4], [1, 0]],
    [[5, 7], [1, 0]],
    [[16, 12], [1, 0]],
    [[33, 65], [1, 0]],
    [[2, 3, 4], [0, 2, 1]],
    [[2, 3, 4], [2, 0, 1]],
    [[2, 3, 4], [1, 0, 2]],
    [[2, 3, 4, 5], [3, 1, 0, 2]],
    [[6, 1, 5], [2, 1, 0]],
  ];
  for (const dt of ["float32", "int32", "bool"] as DType[]) {
    for (const [shape, permutation] of perms) {
      const [want, got] = runBoth("transpose", { permutation }, [[randData(dt, size(shape)), shape, dt]]);
      assertClose(`transpose ${dt} ${JSON.stringify(shape)} ${JSON.stringify(permutation)}`, got, want, 0);
    }
    const bcast: [number[], number[], number[]][] = [
      [[4], [3, 4], [1]],
      [[3], [3, 5], [0]],
      [[2, 5], [2, 3, 5], [0, 2]],
      [[], [7, 9], []],
      [[1, 5], [4, 5], [0, 1]],
      [[3, 1], [2, 3, 6], [1, 2]],
    ];
    for (const [from, shape, dims] of bcast) {
      const [want, got] = runBoth("broadcast_in_dim", { shape, broadcastDimensions: dims }, [[randData(dt, size(from)), from, dt]]);
      assertClose(`broadcast_in_dim ${dt} ${JSON.stringify(from)} -> ${JSON.stringify(shape)}`, got, want, 0);
    }
    const [w1, g1] = runBoth("slice", { startIndices: [1, 2], limitIndices: [5, 9], strides: [2, 3] }, [[randData(dt, 50), [5, 10], dt]]);
    assertClose(`slice ${dt}`, g1, w1, 0);
    const [w2, g2] = runBoth("reshape", { newSizes: [5, 2, 5] }, [[randData(dt, 50), [5, 10], dt]]);
    assertClose(`reshape ${dt}`, g2, w2, 0);
  }
  // float64 copies (8-byte elements)
  const d64 = Float64Array.from({ length: 60 }, () => rng.normal());
  const [w3, g3] = runBoth("transpose", { permutation: [2, 0, 1] }, [[d64, [3, 4, 5], "float64"]]);
  assertClose("transpose float64", g3, w3, 0);
  const [w4, g4] = runBoth("broadcast_in_dim", { shape: [3, 7], broadcastDimensions: [] }, [[new Float64Array([Math.PI]), [], "float64"]]);
  assertClose("broadcast_in_dim float64", g4, w4, 0);
  for (const [k, c] of Object.entries(dispatchStats())) assert.equal(c.js, 0, `${k} fell back to the JS impl`);
});

// ---------------------------------------------------------------- matmul
/** Checks C = A·B against the js kernel within the float32 accumulation error bound. */
function checkDot(x: [number[], Float32Array], y: [number[], Float32Array], params: { contracting: [number[], number[]]; batch: [number[], number[]] }, exact: boolean): void {
  const [want, got] = runBoth("dot_general", params, [
    [x[1], x[0], "float32"],
    [y[1], y[0], "float32"],
  ]);
  // |a|·|b| gives the scale of each output element
  const [scale] = runBoth("dot_general", params, [
    [x[1].map(Math.abs), x[0], "float32"],
    [y[1].map(Math.abs), y[0], "float32"],
  ]);
  const K = params.contracting[0].reduce((a, d) => a * x[0][d]!, 1);
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = exact ? 1.5 * 2 ** -24 * Math.abs(want[i]!) : 2 * K * 2 ** -24 * scale[i]!;
    if (!(Math.abs(got[i]! - want[i]!) <= tol))
      assert.fail(`dot_general ${JSON.stringify(x[0])}·${JSON.stringify(y[0])} ${JSON.stringify(params)}: element ${i} is ${got[i]}, js gives ${want[i]} (tol ${tol})`);
  }
}
const rand = (shape: number[]): [number[], Float32Array] => [shape, randData("float32", size(shape), -1, 1) as Float32Array];
const MM = { contracting: [[1], [0]], batch: [[], []] } as { contracting: [number[], number[]]; batch: [number[], number[]] };

test("matmul (dot_general) matches the JS kernel: edge tiles, several K and M blocks, layouts, batches", () => {
  startDispatchStats();
  for (const [M, K, N] of [
    [2, 3, 4],
    [4, 8, 8],
    [5, 7, 9],
    [17, 33, 13],
    [64, 300, 70],
    [150, 600, 37], // several MC row blocks and two KC blocks
    [3, 1, 5],
    [9, 0, 4], // empty contraction: zeros
  ]) {
    checkDot(rand([M!, K!]), rand([K!, N!]), MM, false);
    checkDot(rand([M!, K!]), rand([N!, K!]), { contracting: [[1], [1]], batch: [[], []] }, false); // x·yᵀ
    checkDot(rand([K!, M!]), rand([K!, N!]), { contracting: [[0], [0]], batch: [[], []] }, false); // xᵀ·y
    checkDot(rand([3, M!, K!]), rand([3, K!, N!]), { contracting: [[2], [1]], batch: [[0], [0]] }, false);
  }
  // general dimension numbers: batch dims not leading, two contracting dims out of order
  checkDot(rand([4, 3, 2, 5]), rand([2, 3, 6, 4]), { contracting: [[1, 2], [1, 0]], batch: [[0], [3]] }, false);
  checkDot(rand([6, 5, 3]), rand([3, 7, 6]), { contracting: [[2], [0]], batch: [[0], [2]] }, false);
  // matrix-vector shapes have their own loops (float32 accumulation, like the matmul)
  for (const [M, K, N] of [
    [1, 3, 1],
    [1, 37, 9],
    [23, 41, 1],
    [1, 300, 70],
    [64, 300, 1],
  ]) {
    checkDot(rand([M!, K!]), rand([K!, N!]), MM, false);
    checkDot(rand([M!, K!]), rand([N!, K!]), { contracting: [[1], [1]], batch: [[], []] }, false);
    checkDot(rand([2, M!, K!]), rand([2, K!, N!]), { contracting: [[2], [1]], batch: [[0], [0]] }, false);
    checkDot(rand([K!, M!]), rand([K!, N!]), { contracting: [[0], [0]], batch: [[], []] }, false);
  }
  const one = runBoth("dot_general", { contracting: [[0], [0]], batch: [[], []] }, [
    [new Float32Array([1e8, 1, -1e8]), [3], "float32"],
    [new Float32Array([1, 1, 1]), [3], "float32"],
  ]);
  // float32 accumulation: 1e8 + 1 rounds to 1e8, so the sum is 0, as in JAX 0.10.2 on CPU
  // (the js reference accumulates in float64 and gives 1)
  assert.equal(one[1][0], 0);
  assert.equal(one[0][0], 1);
  for (const [k, c] of Object.entries(dispatchStats())) assert.equal(c.js, 0, `${k} fell back to the JS impl`);
});

// ---------------------------------------------------------------- fallback, mixing, transforms
test("primitives without a wasm kernel run their JS impl on wasm buffers", () => {
  startDispatchStats();
  const cases: [string, Record<string, unknown>, [TypedArray, number[], DType][]][] = [
    ["cumsum", { axis: 1, reverse: false }, [[randData("float32", 12), [3, 4], "float32"]]],
    ["convert_element_type", { newDType: "float32", weakType: false }, [[Float64Array.from({ length: 7 }, () => rng.normal()), [7], "float64"]]],
    ["add", {}, [[Float64Array.from({ length: 5 }, () => rng.normal()), [5], "float64"], [Float64Array.from({ length: 5 }, () => rng.normal()), [5], "float64"]]],
    ["atan2", {}, [[randData("float32", 9), [9], "float32"], [randData("float32", 9), [9], "float32"]]],
    ["reduce_sum", { axes: [0] }, [[randData("int32", 12), [3, 4], "int32"]]],
    ["dot_general", MM, [[randData("int32", 6), [2, 3], "int32"], [randData("int32", 12), [3, 4], "int32"]]],
  ];
  for (const [name, params, ins] of cases) {
    const [want, got] = runBoth(name, params, ins);
    assertClose(name, got, want, 0);
  }
  const st = dispatchStats();
  assert.ok(st["cumsum(float32)"]!.js > 0, "cumsum ran its JS impl");
  assert.ok(st["add(float64,float64)"]!.js > 0, "float64 add ran its JS impl");
  // every primitive reachable here works on wasm: the whole test suite also runs with
  // JAXTS_BACKEND=wasm (see the report); here a sample through jit and grad
  const x = EagerArray.fromTyped(new Float32Array([0.5, -1, 2]), [3], "float32", false, wasmBackend);
  const f = (v: JaxArray) => jnp.sum(jnp.multiply(jnp.tanh(v), jnp.sin(v)));
  const g = grad(f)(x) as JaxArray;
  const gj = grad(f)(EagerArray.fromTyped(new Float32Array([0.5, -1, 2]), [3], "float32", false, js)) as JaxArray;
  assertClose("grad", g.dataSync(), gj.dataSync(), 4);
  const jf = jit(f);
  assertClose("jit", (jf(x) as JaxArray).dataSync(), (f(x) as JaxArray).dataSync(), 0);
  assert.ok(WASM_KERNELS.dot_general && WASM_KERNELS.exp);
});

test("arrays of the js and the wasm backend mix in one op", () => {
  const a = EagerArray.fromTyped(new Float32Array([1, 2, 3]), [3], "float32", false, wasmBackend);
  const b = EagerArray.fromTyped(new Float32Array([10, 20, 30]), [3], "float32", false, js);
  assert.deepEqual(jnp.add(a, b).tolist(), [11, 22, 33]);
  assert.deepEqual(jnp.add(b, a).tolist(), [11, 22, 33]);
  assert.deepEqual(jnp.reshape(jnp.add(b, a), [3, 1]).tolist(), [[11], [22], [33]]);
});

test("wasm is the default backend; JAXTS_BACKEND=js selects the reference backend", () => {
  const want = process.env.JAXTS_BACKEND === "js" ? "js" : "wasm";
  assert.equal((jnp.array([1, 2]) as EagerArray).backend.name, want);
  const src = `import("${new URL("../../src/index.ts", import.meta.url).href}").then((m) => console.log(m.jnp.ones([2]).backend.name))`;
  for (const [env, name] of [[undefined, "wasm"], ["js", "js"], ["wasm", "wasm"]] as const) {
    const e: Record<string, string | undefined> = { ...process.env, JAXTS_BACKEND: env };
    if (env === undefined) delete e.JAXTS_BACKEND;
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", src], { env: e, encoding: "utf8" });
    assert.equal(r.stdout.trim(), name, `JAXTS_BACKEND=${env}: ${r.stderr}`);
  }
});

// ---------------------------------------------------------------- memory
test("small buffers live on the JS heap, large ones in wasm blocks; kernels mix both", () => {
  const blocks0 = heapStats().blocks;
  const small = Array.from({ length: 100 }, () => EagerArray.fromTyped(randData("float32", 1000), [1000], "float32", false, wasmBackend));
  assert.equal(heapStats().blocks, blocks0, "small arrays take no wasm block");
  const big = EagerArray.fromTyped(randData("float32", 20 * 1000), [20, 1000], "float32", false, wasmBackend);
  assert.equal(heapStats().blocks, blocks0 + 1);
  const r = bind1(getPrimitive("add")!, [big, small[0]!]); // big + small (broadcast) -> big
  const s2 = bind1(getPrimitive("reduce_sum")!, [r], { axes: [0] }); // big -> small
  const ref = bind1(
    getPrimitive("reduce_sum")!,
    [bind1(getPrimitive("add")!, [EagerArray.fromTyped(big._host(), [20, 1000], "float32", false, js), EagerArray.fromTyped(small[0]!._host(), [1000], "float32", false, js)])],
    { axes: [0] },
  );
  assertClose("big + small, summed", (s2 as EagerArray)._host(), (ref as EagerArray)._host(), 1);
  assert.equal(heapStats().blocks, blocks0 + 2, "the small result was copied out of the staging area");
  big.dispose();
  r.dispose();
  assert.equal(heapStats().blocks, blocks0);
});

test("dispose() frees blocks at once; host data are copies that outlive the array", () => {
  const base = heapStats().inUse;
  const keep: number[] = [];
  for (let i = 0; i < 200; i++) {
    const a = EagerArray.fromTyped(new Float32Array(3000).fill(i), [3000], "float32", false, wasmBackend);
    const b = bind1(getPrimitive("exp")!, [a]);
    assert.equal(heapStats().inUse, base + 2 * 12000);
    const h = (b as EagerArray)._host();
    a.dispose();
    b.dispose();
    keep.push(h[2999]!);
  }
  assert.equal(heapStats().inUse, base);
  assert.equal(keep[0], 1);
  // reshape shares the block; disposing one alias keeps the other readable
  const a = EagerArray.fromTyped(Float32Array.from({ length: 2000 }, (_, i) => i), [2000], "float32", false, wasmBackend);
  const r = jnp.reshape(a, [2, 1000]);
  a.dispose();
  assert.equal(r.dataSync()[1999], 1999);
  r.dispose();
  assert.equal(heapStats().inUse, base);
});

test("with JAXTS_WASM_FORCED_GC=1, memory of dropped arrays is reclaimed inside a long synchronous loop", () => {
  const child = fileURLToPath(new URL("./wasm-sync-child.ts", import.meta.url));
  const r = spawnSync(process.execPath, ["--import", "tsx", child], {
    env: { ...process.env, JAXTS_BACKEND: "wasm", JAXTS_WASM_FORCED_GC: "1" },
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const st = JSON.parse(r.stdout.trim().split("\n").pop()!) as { top: number; reclaims: number; value: number; forced: boolean };
  assert.equal(st.forced, true);
  assert.ok(st.top < 200 * 2 ** 20, `heap top ${st.top} bytes after 1.2 GiB of dropped arrays`);
  assert.ok(st.reclaims > 0);
  assert.equal(st.value, 1);
});

test("a long synchronous loop of large arrays spills to the JS heap instead of filling the memory", () => {
  const child = fileURLToPath(new URL("./wasm-spill-child.ts", import.meta.url));
  const r = spawnSync(process.execPath, ["--import", "tsx", child], {
    env: { ...process.env, JAXTS_BACKEND: "wasm", JAXTS_WASM_FORCED_GC: "0", JAXTS_WASM_HEAP_MB: "64" },
    encoding: "utf8",
    timeout: 240_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const st = JSON.parse(r.stdout.trim().split("\n").pop()!) as { top: number; spills: number; maxErr: number; z: number; forced: boolean };
  assert.equal(st.forced, false);
  assert.ok(st.spills > 0, "the loop should have spilled");
  assert.ok(st.top < 128 * 2 ** 20, `heap top ${st.top} bytes after 2.4 GB of dropped outputs`);
  assert.ok(st.maxErr < 1e-5, `spilled results are wrong: max error ${st.maxErr}`);
  assert.equal(st.z, 1);
});

test("spilled (JS-heap) buffers of any size give the same results as blocks", () => {
  const saved = heap.spillAt;
  const data = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed));
  const run = () => {
    const a = EagerArray.fromTyped(data(300 * 200, 1), [300, 200], "float32", false, wasmBackend);
    const b = EagerArray.fromTyped(data(200 * 150, 2), [200, 150], "float32", false, wasmBackend);
    const f = jit((a: JaxArray, b: JaxArray) => {
      const m = jnp.matmul(a, b);
      const s = jnp.exp(m.sub(jnp.max(m, -1, { keepdims: true })));
      return [s.div(jnp.sum(s, -1, { keepdims: true })), jnp.tanh(a).mul(2).add(a.T.sum(0).reshape([300, 1])), jnp.transpose(m)];
    });
    return [...(f(a, b) as JaxArray[]), jnp.add(a, 1), jnp.sum(a, 0)].map((r) => r.dataSync());
  };
  const ref = run();
  const spills0 = heapStats().spills;
  let got: TypedArray[];
  try {
    heap.spillAt = 0;
    got = run();
  } finally {
    heap.spillAt = saved;
  }
  assert.ok(heapStats().spills > spills0);
  got.forEach((g, i) => assertClose(`result ${i}`, g, ref[i]!, 0));
});

test("a compiled call frees its intermediates at their last use: only its outputs stay", () => {
  const x = EagerArray.fromTyped(Float32Array.from({ length: 256 * 256 }, (_, i) => Math.cos(i)), [256, 256], "float32", false, wasmBackend);
  const f = jit((x: JaxArray) => {
    const h = jnp.tanh(jnp.matmul(x, x));
    const g = jnp.matmul(h, x).add(1);
    return jnp.exp(jnp.matmul(g, h).mul(1e-3));
  });
  f(x).dispose(); // compile
  const before = heapStats().inUse;
  const y = f(x);
  assert.equal(heapStats().inUse - before, 256 * 256 * 4, "bytes kept besides the output");
  y.dispose();
  assert.equal(heapStats().inUse, before);
});

test("memory is reclaimed by the FinalizationRegistry alone (child process with --expose-gc)", () => {
  const child = fileURLToPath(new URL("./wasm-gc-child.ts", import.meta.url));
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", child], {
    env: { ...process.env, JAXTS_BACKEND: "wasm", JAXTS_WASM_FORCED_GC: "0" },
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout.trim().split("\n").pop()!) as { allocated: number; inUse: number; top: number; forced: boolean };
  assert.equal(res.forced, false, "the child must not use forced reclamation");
  assert.ok(res.allocated > 500 * 2 ** 20);
  assert.ok(res.inUse < 64 * 2 ** 20, `in use after GC: ${res.inUse}`);
  assert.ok(res.top < 256 * 2 ** 20, `heap top: ${res.top}`);
});
