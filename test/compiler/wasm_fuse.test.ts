// wasm_fuse.test.ts — the wasm compiler (src/compiler/wasm_codegen.ts): jitted programs on
// wasm arrays run fused SIMD kernels whose results are bit-identical to op-by-op wasm
// execution (chains, scalars, row/column broadcasts, int32/bool ops, fused sum/max/min
// reductions, row epilogues, a leading row max folded into the kernel (softmax, odd rows,
// NaN/±inf rows), tails of every length), and unsupported groups fall back to op-by-op.
import { test } from "node:test";
import assert from "node:assert/strict";
import { jit, jnp, lax, nn, makeJaxpr, type Array as A } from "../../src/index.js";
import { EagerArray } from "../../src/core/array.js";
import { compileOptions } from "../../src/transforms/jit.js";
import { startThreads, threadStats, wasmAvailable, wasmBackend } from "../../src/backends/wasm/index.js";
import { compileWasm } from "../../src/compiler/wasm_codegen.js";
import { getBackend } from "../../src/backends/backend.js";
import { bitsEqual } from "../harness/assertions.js";

const skip = !wasmAvailable && "WebAssembly SIMD128 is not available";

/** The same values on the wasm backend. */
function W(a: A): A {
  const e = a as unknown as EagerArray;
  return EagerArray.fromTyped(e._host().slice(), e.aval.shape, e.aval.dtype, false, wasmBackend) as unknown as A;
}
const backendOf = (a: A): string => (a as unknown as EagerArray).backend.name;

/** Runs f jitted on wasm arrays compiled and op by op; asserts bitwise equality and the
 * step kinds of the compiled program (kernel / primitive names). */
function compare(name: string, f: (...xs: A[]) => A | A[], args: A[], steps?: string[]): void {
  const ws = args.map(W);
  if (steps) {
    const ex = compileWasm(makeJaxpr(f)(...ws).jaxpr);
    assert.deepEqual(ex.steps.map((s) => (s.kind === "kernel" ? "kernel" : s.kind === "js" ? "js" : s.eqn.prim.name)), steps, `${name}: steps`);
  }
  const on = ([] as A[]).concat(jit(f)(...ws) as A | A[]);
  compileOptions.enabled = false;
  let off: A[];
  try {
    off = ([] as A[]).concat(jit(f)(...ws) as A | A[]);
  } finally {
    compileOptions.enabled = true;
  }
  assert.equal(on.length, off.length);
  on.forEach((o, i) => {
    assert.equal(backendOf(o), "wasm", `${name}: output ${i} is not a wasm array`);
    if (!bitsEqual(o, off[i]!)) {
      const a = o.dataSync();
      const b = off[i]!.dataSync();
      const k = Array.from(a).findIndex((v, j) => !Object.is(v, b[j]));
      assert.fail(`${name}: output ${i} (${o.dtype}[${o.shape}] vs ${off[i]!.dtype}[${off[i]!.shape}]) differs first at ${k}: ${a[k]} vs ${b[k]}`);
    }
  });
}

/** Deterministic float32 values in [lo, hi) with a few special values mixed in. */
function values(n: number, lo = -4, hi = 4, specials = true): number[] {
  const out: number[] = [];
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out.push(lo + ((s >>> 8) / 2 ** 24) * (hi - lo));
  }
  if (specials && n > 8) {
    out[1] = 0;
    out[3] = -0;
    out[5] = NaN;
    out[7] = Infinity;
  }
  return out;
}
const arr = (n: number, shape?: number[], lo?: number, hi?: number, specials?: boolean): A => {
  const a = jnp.array(values(n, lo, hi, specials), "float32");
  return shape ? a.reshape(shape) : a;
};

const chain = (x: A) => jnp.tanh(x).mul(2).add(jnp.sin(x).mul(x));

test("the tanh/sin chain is one kernel, bit-identical for every tail length", { skip }, () => {
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 1000, 1027]) compare(`chain ${n}`, chain, [arr(n)], ["kernel"]);
  // huge arguments take sin's host path (whole vectors recomputed)
  compare("chain huge", chain, [arr(103, undefined, -1e6, 1e6)], ["kernel"]);
});

test("float32 chains of every emitter, with scalars and multiple outputs", { skip }, () => {
  const f = (x: A, y: A) => {
    const a = jnp.exp(x.mul(0.5)).sub(jnp.log(jnp.abs(y).add(1)));
    const b = jnp.sqrt(jnp.abs(a)).add(jnp.floor(x)).add(jnp.ceil(y)).sub(jnp.round(x.mul(1.5)));
    const c = jnp.maximum(a, b).mul(jnp.minimum(x, y)).div(jnp.cos(y).add(3));
    const d = nn.sigmoid(c).add(jnp.sign(x)).add(jnp.negative(y)).add(lax.integerPow(x, 2)).add(lax.integerPow(y.add(5), -1));
    return [d, a];
  };
  for (const n of [3, 64, 1001]) compare(`mix ${n}`, f, [arr(n), arr(n, undefined, -3, 5)], ["kernel"]);
});

test("comparisons, select, casts and bool/int32 ops fuse and match", { skip }, () => {
  const f = (x: A, y: A) => {
    const m = jnp.logicalXor(jnp.logicalOr(jnp.logicalAnd(x.gt(y), x.lt(2)), x.eq(y)), jnp.logicalNot(y.ge(0)));
    const i = x.mul(10).astype("int32");
    const j = i.add(i.mul(3)).sub(7);
    const k = jnp.maximum(j, jnp.minimum(i, 5)).mul(-1);
    const sel = jnp.where(m, x, y.mul(2));
    return [sel, k, m, jnp.abs(k).astype("float32").add(sel), j.lt(3).astype("int32").ne(0)];
  };
  for (const n of [5, 128, 999]) compare(`int/bool ${n}`, f, [arr(n), arr(n, undefined, -2, 2)], ["kernel"]);
});

test("row, column and scalar broadcasts of 2-D outputs", { skip }, () => {
  const f = (m: A, row: A, col: A) => jnp.tanh(m.mul(row).add(col)).mul(jnp.exp(col.sub(row)));
  for (const [r, c] of [[3, 4], [5, 7], [17, 33], [64, 128]] as const)
    compare(`bcast ${r}x${c}`, f, [arr(r * c, [r, c]), arr(c), arr(r, [r, 1])], ["kernel"]);
  // sin/cos with a row length that is not a multiple of 4 stay op by op (lane grouping)
  const g = (m: A, row: A) => jnp.sin(m.mul(row)).add(1);
  compare("sin bcast 5x6", g, [arr(30, [5, 6]), arr(6)], ["mul", "sin", "add"]);
  compare("sin bcast 5x8", g, [arr(40, [5, 8]), arr(8)], ["kernel"]);
});

test("unsupported broadcasts fall back op by op, with the same results", { skip }, () => {
  // [A, 1, C] into [A, B, C] collapses to rank 3
  const f = (x: A, y: A) => jnp.exp(x.add(y)).mul(2);
  compare("rank-3 broadcast", f, [arr(60, [3, 4, 5]), arr(15, [3, 1, 5])], ["add", "exp", "mul"]);
  // float64/uint32 and ops without an emitter break groups
  const g = (x: A) => jnp.exp2(x.mul(2)).add(1).mul(3);
  compare("exp2", g, [arr(50, undefined, -2, 2)], ["mul", "exp2", "kernel"]);
});

test("fused reductions: sum/max/min over the last axis and over everything, bitwise", { skip }, () => {
  const f = (x: A) => [jnp.sum(x.mul(x).add(1), -1), jnp.max(jnp.sin(x).mul(x), -1), jnp.min(x.sub(3).mul(x), -1)];
  for (const [r, c] of [[1, 1], [3, 5], [4, 8], [7, 13], [2, 16], [5, 100], [64, 1024]] as const)
    compare(
      `reduce ${r}x${c}`,
      f,
      [arr(r * c, [r, c], -3, 3, false)],
      // 1x1 reduces nothing (op by op); sin in rows of length % 4 != 0 keeps its reduction out
      r * c === 1
        ? ["kernel", "reduce_sum", "kernel", "reduce_max", "kernel", "reduce_min"]
        : c % 4 === 0 || r === 1
          ? ["kernel", "kernel", "kernel"]
          : ["kernel", "kernel", "reduce_max", "kernel"],
    );
  // with NaN and signed zeros (which one max/min keeps depends on the order)
  const z = (x: A) => [jnp.max(x.mul(1), -1), jnp.min(x.mul(-1), -1), jnp.sum(x.add(0), -1)];
  for (const c of [9, 12, 19]) compare(`zeros ${c}`, z, [arr(3 * c, [3, c])]);
  const all = (x: A) => jnp.sum(jnp.exp(x.mul(0.1)).add(x));
  compare("sum all 1-D", all, [arr(12345, undefined, -3, 3, false)], ["kernel"]);
  compare("sum all 2-D", all, [arr(1000, [10, 100], -3, 3, false)], ["kernel"]);
  // a middle-axis reduction does not fuse
  const mid = (x: A) => jnp.sum(x.mul(2).add(1), 0);
  compare("sum axis 0", mid, [arr(60, [6, 10], -3, 3, false)], ["kernel", "reduce_sum"]);
});

test("row epilogues: a reduction's result feeds an elementwise pass over the same row", { skip }, () => {
  // softmax: sub/exp/sum and the division are one kernel
  const sm = (x: A) => nn.softmax(x, -1);
  for (const [r, c] of [[1, 1], [2, 3], [5, 4], [3, 8], [48, 37], [16, 1024]] as const)
    compare(`softmax ${r}x${c}`, sm, [arr(r * c, [r, c], -3, 3, false)], r * c === 1 ? undefined : r === 1 ? ["reduce_max", "reshape", "stop_gradient", "kernel", "reshape"] : ["kernel", "reshape", "stop_gradient", "reshape"]);
  // the leading row max folds into the kernel too (a first pass over each row): odd row
  // lengths, rows with NaN, ±inf, -0 and all -inf, keepdims written by hand, the max returned
  const sm2 = (x: A) => {
    const m = jnp.max(x, -1, { keepdims: true } as never);
    const e = jnp.exp(x.sub(m));
    return [e.div(jnp.sum(e, -1, { keepdims: true } as never)), m];
  };
  // (300x999 is split over the threads: each range starts with its own max pass, then row
  // r + 1's max pass runs interleaved with row r's main pass)
  for (const [r, c] of [[2, 1], [3, 2], [4, 7], [5, 9], [6, 13], [7, 31], [9, 1000], [3, 1027], [300, 999]] as const) {
    const v = values(r * c, -30, 30, false);
    if (c >= 7) {
      v[c + 2] = NaN; // row 1
      v[2 * c + 1] = Infinity; // row 2
      v[2 * c + 5] = -Infinity;
      if (r > 3) for (let i = 3 * c; i < 4 * c; i++) v[i] = -Infinity; // row 3
      if (r > 4) v[4 * c + c - 1] = -0; // row 4
    }
    const x = jnp.array(v, "float32").reshape([r, c]);
    compare(`softmax ${r}x${c}`, sm, [x]);
    // (rows of one element collapse to a flat kernel: the max stays its own step)
    compare(`softmax by hand ${r}x${c}`, sm2, [x], c > 1 ? ["kernel", "reshape", "reshape"] : undefined);
    compare(`exp(x - max) ${r}x${c}`, (x: A) => jnp.exp(x.sub(jnp.max(x, -1, { keepdims: true } as never))), [x], c > 1 ? ["kernel", "reshape"] : undefined);
  }
  // an epilogue without a leading max, interleaved with the next row's main pass (two sets
  // of scratch rows), single-threaded and split over the threads; rows of one vector or less
  const norm = (x: A) => {
    const e = jnp.tanh(x).mul(2);
    return e.div(jnp.sum(e, -1, { keepdims: true } as never)).add(1);
  };
  for (const [r, c] of [[1, 5], [2, 3], [7, 13], [300, 999]] as const) compare(`normalise ${r}x${c}`, norm, [arr(r * c, [r, c], -2, 2)]);
  // a max that is not over the rows of the kernel's operand stays its own step
  compare("max of another array", (x: A, y: A) => jnp.exp(x.sub(jnp.max(y, -1, { keepdims: true } as never))), [arr(40, [4, 10]), arr(40, [4, 10], -2, 2)], [
    "reduce_max",
    "reshape",
    "kernel",
  ]);
  // a max over axis 0 (a "row" operand) is not folded; a max over the last two of three axes is
  compare("x - max(x, 0)", (x: A) => jnp.exp(x.sub(jnp.max(x, 0, { keepdims: true } as never))), [arr(60, [6, 10])], ["reduce_max", "reshape", "kernel"]);
  const sm3 = (x: A) => {
    const e = jnp.exp(x.sub(jnp.max(x, [1, 2], { keepdims: true } as never)));
    return e.div(jnp.sum(e, [1, 2], { keepdims: true } as never));
  };
  compare("softmax over axes 1, 2", sm3, [arr(3 * 5 * 7, [3, 5, 7], -5, 5)], ["kernel", "reshape", "reshape"]);
  // a group value that is also returned, the reduction returned too, outside row/col/scalar operands
  const f = (x: A, row: A, col: A) => {
    const e = x.mul(2).sub(col);
    const s = jnp.sum(e, -1, { keepdims: true } as never);
    const y = e.sub(s).mul(row).add(col).add(0.5);
    return [e, y, y.gt(0), s];
  };
  for (const [r, c] of [[4, 5], [7, 16], [3, 33]] as const)
    compare(`epilogue ${r}x${c}`, f, [arr(r * c, [r, c]), arr(c), arr(r, [r, 1])], ["kernel", "reshape"]);
  // a reduction over everything: its value is a scalar for the epilogue
  const g = (x: A) => {
    const e = jnp.exp(x.mul(0.5));
    return e.div(jnp.sum(e, undefined, { keepdims: true } as never));
  };
  compare("epilogue all", g, [arr(1001, undefined, -3, 3, false)], ["kernel", "reshape"]);
  // max/min epilogues, and two reductions feeding one epilogue
  const h = (x: A) => {
    const a = x.mul(3);
    const mx = jnp.max(a, -1, { keepdims: true } as never);
    const mn = jnp.min(a, -1, { keepdims: true } as never);
    return a.sub(mn).div(mx.sub(mn).add(1));
  };
  compare("epilogue max/min", h, [arr(6 * 13, [6, 13])]);
  // sin with rows of 6 keeps the epilogue (and the reduction) out
  const k = (x: A) => {
    const e = jnp.sin(x);
    return e.sub(jnp.sum(e, -1, { keepdims: true } as never));
  };
  compare("epilogue sin 5x6", k, [arr(30, [5, 6])], ["sin", "reduce_sum", "reshape", "sub"]);
  compare("epilogue sin 5x8", k, [arr(40, [5, 8])], ["kernel", "reshape"]);
});

test("constants, literals and mixed-backend arguments", { skip }, () => {
  const c = jnp.array(values(16), "float32");
  const f = (x: A) => x.mul(c).add(2.5).mul(jnp.exp(x));
  compare("closure", f, [arr(16)]);
  // a scalar argument reaches the kernel with its exact bits (a NaN payload survives select)
  const nan = new Float32Array(new Int32Array([0x7fc12345]).buffer);
  const s = jnp.array(nan).reshape([]);
  const g = (x: A, s: A) => jnp.where(x.gt(0), x.mul(2), s);
  compare("NaN payload scalar", g, [arr(21), s], ["kernel"]);
  const out = jit(g)(W(arr(21)), W(s)).dataSync() as Float32Array;
  assert.equal(new Int32Array(out.buffer, out.byteOffset, out.length)[2], 0x7fc12345 | 0);
  // a js-backend argument keeps the call off the wasm compiler (and still works)
  const e = arr(10) as unknown as EagerArray;
  const r = jit(chain)(EagerArray.fromTyped(e._host().slice(), e.aval.shape, e.aval.dtype, false, getBackend("js")) as unknown as A);
  assert.equal(backendOf(r), "js");
});

test("big fused kernels split over the worker pool give bitwise the same results", { skip }, () => {
  startThreads(true);
  const before = threadStats();
  compare("chain 300k", chain, [arr(300_001)], ["kernel"]);
  compare("softmax 256x1024", (x: A) => nn.softmax(x, -1), [arr(256 * 1024, [256, 1024], -3, 3, false)]);
  const f = (x: A, row: A) => [jnp.sum(jnp.exp(x.mul(row)), -1), x.add(row).mul(2)];
  compare("rows 1000x333", f, [arr(1000 * 333, [1000, 333]), arr(333)]);
  const after = threadStats();
  if (before.threads > 1 && !before.disabled) assert.ok(after.jobs > before.jobs, "no kernel call was split");
});

test("float64 groups (no wasm emitters) fuse into JS loops inside wasm programs, bit-identical", { skip }, () => {
  const x = jnp.array(values(3 * 130, -3, 3, false), "float64").reshape([3, 130]);
  const y = jnp.array(values(130, -2, 2, false), "float64");
  const f = (x: A, y: A) => {
    const e = jnp.tanh(x).mul(2).add(jnp.sin(x).mul(x)).add(y);
    return [e, jnp.sum(e.mul(e), -1)];
  };
  compare("float64 chain and row sums", f, [x, y], ["js"]);
  // a float32 chain converted to float64 and back: wasm kernel, JS loop, wasm kernel
  const g = (x: A) => jnp.exp(jnp.log1p(jnp.abs(x)).astype("float64").mul(1.5).astype("float32")).add(1);
  compare("float32 -> float64 -> float32", g, [arr(200, [200], -3, 3)]);
});
