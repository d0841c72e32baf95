// linalg.test.ts — dot_general, cholesky, triangular_solve, lu and the jnp linear-algebra layer:
// values against float64 hand/loop computations, shapes and dtypes, errors, and the
// primitives' rules through jvp (finite differences), vjp/grad and vmap (loop over slices).
import { test } from "node:test";
import assert from "node:assert/strict";
import { jnp, jvp, vjp, grad, vmap, hessian } from "../../src/index.js";
import type { Array as JArray, NestedArray } from "../../src/index.js";
import * as lin from "../../src/primitives/linalg.js";
import { evalHooks } from "../../src/core/trace.js";

// ---------------------------------------------------------------- helpers
type N = NestedArray;
function flat(x: N): number[] {
  return Array.isArray(x) ? (x as N[]).flatMap(flat) : [Number(x)];
}
function shapeOf(x: N): number[] {
  return Array.isArray(x) ? [x.length, ...(x.length ? shapeOf((x as N[])[0]!) : [])] : [];
}
function close(actual: JArray, expected: N, tol = 1e-5, msg = ""): void {
  assert.deepEqual(actual.shape, shapeOf(expected), `${msg} shape`);
  const a = flat(actual.tolist());
  const e = flat(expected);
  a.forEach((v, i) => {
    const ok = Math.abs(v - e[i]!) <= tol * (1 + Math.abs(e[i]!)) || (Number.isNaN(v) && Number.isNaN(e[i]!));
    assert.ok(ok, `${msg} element ${i}: got ${v}, expected ${e[i]} (tol ${tol})\nactual ${JSON.stringify(actual.tolist())}\nexpected ${JSON.stringify(expected)}`);
  });
}
let seed = 12345;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648 - 0.5;
}
function randn(shape: number[]): N {
  if (shape.length === 0) return rnd();
  return Array.from({ length: shape[0]! }, () => randn(shape.slice(1)));
}
/** A well-conditioned random matrix (diagonally dominated). */
function wellCond(n: number, scale = 3): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => rnd() + (i === j ? scale : 0)));
}
function spd(n: number): number[][] {
  const a = wellCond(n);
  return a.map((r, i) => r.map((_, j) => a.reduce((s, row) => s + row[i]! * row[j]!, 0)));
}
/** float64 matrix product of nested JS arrays. */
function mm(a: number[][], b: number[][]): number[][] {
  return a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}
const f64 = (x: N): JArray => jnp.array(x, "float64");

/** jvp against central finite differences, and vjp against jvp (<u, J v> = <Jᵀu, v>), in float64. */
function checkGrads(f: (...xs: JArray[]) => JArray, args: JArray[], tol = 1e-6, eps = 1e-6): void {
  const vs = args.map((a) => f64(randn(a.shape)));
  const [y, t] = jvp(f, args, vs);
  const plus = f(...args.map((a, i) => a.add(vs[i]!.mul(eps))));
  const minus = f(...args.map((a, i) => a.sub(vs[i]!.mul(eps))));
  const fd = flat(plus.sub(minus).div(2 * eps).tolist());
  const tt = flat((t as JArray).tolist());
  fd.forEach((v, i) => assert.ok(Math.abs(v - tt[i]!) <= tol * (1 + Math.abs(v)), `jvp element ${i}: fd ${v} vs jvp ${tt[i]}`));
  const u = f64(randn((y as JArray).shape));
  const [, pull] = vjp(f, ...args);
  const cts = pull(u) as JArray[];
  const lhs = flat(u.mul(t as JArray).sum().tolist())[0]!;
  const rhs = cts.reduce((s, c, i) => s + flat(c.mul(vs[i]!).sum().tolist())[0]!, 0);
  assert.ok(Math.abs(lhs - rhs) <= tol * (1 + Math.abs(lhs)), `vjp/jvp mismatch: <u, Jv> = ${lhs}, <Jᵀu, v> = ${rhs}`);
}

/** vmap(f) over axis `axis` of every argument equals stacking f over the slices. */
function checkVmap(f: (...xs: JArray[]) => JArray, batched: N[], tol = 1e-5, inAxes: (number | null)[] | null = null): void {
  const axes = inAxes ?? batched.map(() => 0);
  const B = (batched[axes.findIndex((a) => a !== null)]! as N[]).length;
  const args = batched.map((b) => f64(b));
  const got = vmap(f, { inAxes: axes })(...args) as JArray;
  const rows: N[] = [];
  for (let i = 0; i < B; i++) rows.push(f(...batched.map((b, k) => (axes[k] === null ? f64(b) : f64((b as N[])[i]!)))).tolist());
  close(got, rows, tol, "vmap");
}

/** Counts executions of primitive `name` while fn runs. */
function countPrim(name: string, fn: () => void): number {
  let n = 0;
  const prev = evalHooks.afterEval;
  evalHooks.afterEval = (p, outs) => {
    if (p.name === name) n++;
    prev?.(p, outs);
  };
  try {
    fn();
  } finally {
    evalHooks.afterEval = prev;
  }
  return n;
}

function throwsMsg(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: Error) => {
    assert.match(e.message, re);
    return true;
  });
}

/** Naive einsum over all index assignments (float64 reference). */
function naiveEinsum(spec: string, ...ops: N[]): N {
  const [lhs, out] = spec.split("->") as [string, string];
  const terms = lhs.split(",");
  const size = new Map<string, number>();
  terms.forEach((t, i) => [...t].forEach((c, k) => size.set(c, shapeOf(ops[i]!)[k]!)));
  const all = [...size.keys()];
  const outShape = [...out].map((c) => size.get(c)!);
  const res = new Float64Array(outShape.reduce((a, b) => a * b, 1));
  const idx = new Map<string, number>();
  const get = (x: N, t: string): number => [...t].reduce((v: N, c) => (v as N[])[idx.get(c)!]!, x) as number;
  const rec = (d: number): void => {
    if (d === all.length) {
      let p = 1;
      terms.forEach((t, i) => (p *= get(ops[i]!, t)));
      let o = 0;
      for (const c of out) o = o * size.get(c)! + idx.get(c)!;
      res[o] += p;
      return;
    }
    for (let i = 0; i < size.get(all[d]!)!; i++) {
      idx.set(all[d]!, i);
      rec(d + 1);
    }
  };
  rec(0);
  let pos = 0;
  const build = (d: number): N => (d === outShape.length ? res[pos++]! : Array.from({ length: outShape[d]! }, () => build(d + 1)));
  return build(0);
}

// ---------------------------------------------------------------- dot_general primitive
test("dot_general: JAX output layout (batch, lhs free, rhs free) against loops", () => {
  const a = randn([2, 3, 4]) as number[][][]; // batch 2, contract 4 (axis 2), free 3
  const b = randn([4, 2, 5]) as number[][][]; // contract axis 0, batch axis 1, free 5
  const r = lin.dotGeneral(f64(a), f64(b), { contracting: [[2], [0]], batch: [[0], [1]] });
  const want = a.map((ab, n) => ab.map((row) => Array.from({ length: 5 }, (_, j) => row.reduce((s, v, k) => s + v * b[k]![n]![j]!, 0))));
  close(r, want, 1e-12);
  assert.equal(r.dtype, "float64");
  // two contracting dims given in a non-sorted order
  const c = randn([3, 4, 2]) as number[][][];
  const d = randn([2, 3, 5]) as number[][][];
  const r2 = lin.dotGeneral(f64(c), f64(d), { contracting: [[2, 0], [0, 1]], batch: [[], []] });
  const want2 = Array.from({ length: 4 }, (_, i) =>
    Array.from({ length: 5 }, (_, j) => {
      let s = 0;
      for (let p = 0; p < 2; p++) for (let q = 0; q < 3; q++) s += c[q]![i]![p]! * d[p]![q]![j]!;
      return s;
    }),
  );
  close(r2, want2, 1e-12);
});

test("dot_general: float32 accumulation (wasm, as XLA) or float64 then one rounding (js reference); int32 wraps", () => {
  const x = jnp.array([1e8, 1, -1e8]);
  const r = lin.dotGeneral(x, jnp.array([1, 1, 1]), { contracting: [[0], [0]], batch: [[], []] });
  // JAX 0.10.2 on CPU gives 0: its float32 running sum loses the 1, as the wasm kernels do
  assert.equal(r.item(), (x as unknown as { backend: { name: string } }).backend.name === "js" ? 1 : 0);
  assert.equal(r.dtype, "float32");
  const i = jnp.array([[2, 3], [4, 5]], "int32");
  const ri = lin.dotGeneral(i, i, { contracting: [[1], [0]], batch: [[], []] });
  assert.equal(ri.dtype, "int32");
  assert.deepEqual(ri.tolist(), [[16, 21], [28, 37]]);
  const big = jnp.array([65536], "int32");
  assert.equal(lin.dotGeneral(big, big, { contracting: [[0], [0]], batch: [[], []] }).item(), 0); // 2^32 wraps to 0
});

test("dot_general: abstractEval errors name the shapes and dtypes", () => {
  throwsMsg(() => lin.dotGeneral(jnp.ones([2, 3]), jnp.ones([4, 5]), { contracting: [[1], [0]], batch: [[], []] }), /\[3\] and \[4\].*\[2, 3\] and \[4, 5\]/);
  throwsMsg(() => lin.dotGeneral(jnp.ones([2, 3]), jnp.ones([3], "int32"), { contracting: [[1], [0]], batch: [[], []] }), /same dtype.*float32 and int32/);
  throwsMsg(() => lin.dotGeneral(jnp.ones([2, 3]), jnp.ones([3]), { contracting: [[2], [0]], batch: [[], []] }), /dimension 2 is out of bounds.*\[2, 3\]/);
  throwsMsg(() => lin.dotGeneral(jnp.ones([2, 3]), jnp.ones([4, 3]), { contracting: [[1], [1]], batch: [[0], [0]] }), /batch dimensions.*\[2\] and \[4\]/);
});

test("dot_general: jvp, vjp (transpose rules for lhs and rhs) with batch and contracting dims", () => {
  const p = { contracting: [[2, 0], [0, 2]] as [number[], number[]], batch: [[1], [3]] as [number[], number[]] };
  const f = (a: JArray, b: JArray) => lin.dotGeneral(a, b, p);
  checkGrads(f, [f64(randn([3, 2, 4, 5])), f64(randn([4, 6, 3, 2]))]);
  // transposed rhs with unsorted contracting dims
  const g = (a: JArray, b: JArray) => lin.dotGeneral(a, b, { contracting: [[0, 1], [2, 0]], batch: [[], []] });
  checkGrads(g, [f64(randn([2, 3, 4])), f64(randn([3, 5, 2]))]);
});

test("dot_general: vmap is one dot_general for every batching pattern", () => {
  const p = { contracting: [[1], [0]] as [number[], number[]], batch: [[], []] as [number[], number[]] };
  const f = (a: JArray, b: JArray) => lin.dotGeneral(a, b, p);
  const A = randn([4, 2, 3]);
  const Bt = randn([3, 5]);
  const Bb = randn([4, 3, 5]);
  checkVmap(f, [A, Bb], 1e-12);
  checkVmap(f, [A, Bt], 1e-12, [0, null]);
  checkVmap(f, [randn([2, 3]), Bb], 1e-12, [null, 0]);
  // batch dim in the middle / last positions
  const fb = (a: JArray, b: JArray) => lin.dotGeneral(a, b, p);
  const a2 = f64(randn([2, 4, 3]));
  const b2 = f64(randn([3, 5, 4]));
  const got = vmap(fb, { inAxes: [1, 2] })(a2, b2) as JArray;
  const want = jnp.stack([0, 1, 2, 3].map((i) => fb(jnp.transpose(a2, [1, 0, 2]).get(i), jnp.transpose(b2, [2, 0, 1]).get(i))));
  close(got, want.tolist(), 1e-12);
  const n = countPrim("dot_general", () => {
    vmap(f, { inAxes: [0, 0] })(f64(A), f64(Bb));
    vmap(f, { inAxes: [0, null] })(f64(A), f64(Bt));
    vmap(vmap(f))(f64(randn([2, 4, 2, 3])), f64(randn([2, 4, 3, 5])));
  });
  assert.equal(n, 3);
});

// ---------------------------------------------------------------- dot / matmul / friends
test("dot: numpy semantics for 0-d, 1-d, 2-d and N-d", () => {
  assert.equal(jnp.dot(jnp.array([1, 2, 3]), jnp.array([4, 5, 6])).item(), 32);
  assert.deepEqual(jnp.dot([[1, 2], [3, 4]], [5, 6]).tolist(), [17, 39]);
  assert.deepEqual(jnp.dot([5, 6], [[1, 2], [3, 4]]).tolist(), [23, 34]);
  assert.deepEqual(jnp.dot([[1, 2], [3, 4]], [[5, 6], [7, 8]]).tolist(), [[19, 22], [43, 50]]);
  assert.deepEqual(jnp.dot(2, [1, 2]).tolist(), [2, 4]);
  assert.deepEqual(jnp.array([1, 2]).dot(3).tolist(), [3, 6]);
  // N-d: dot(a, b)[i,j,k,m] = sum(a[i,j,:] * b[k,:,m])
  const a = randn([2, 3, 4]) as number[][][];
  const b = randn([5, 4, 2]) as number[][][];
  const r = jnp.dot(f64(a), f64(b));
  assert.deepEqual(r.shape, [2, 3, 5, 2]);
  const want = a.map((ai) => ai.map((aij) => b.map((bk) => [0, 1].map((m) => aij.reduce((s, v, q) => s + v * bk[q]![m]!, 0)))));
  close(r, want, 1e-12);
  throwsMsg(() => jnp.dot(jnp.ones([2, 3]), jnp.ones([4, 2])), /\[2, 3\] and \[4, 2\] not aligned/);
});

test("dot/matmul promote dtypes; int32 and bool stay exact", () => {
  const i = jnp.array([[1, 2], [3, 4]], "int32");
  assert.equal(jnp.matmul(i, i).dtype, "int32");
  assert.deepEqual(jnp.matmul(i, i).tolist(), [[7, 10], [15, 22]]);
  assert.equal(jnp.dot(i, jnp.array([1, 1])).dtype, "float32");
  assert.equal(jnp.dot(i, f64([1, 1])).dtype, "float64");
  const bb = jnp.array([[true, false], [false, false]]);
  assert.deepEqual(jnp.matmul(bb, bb).tolist(), [[true, false], [false, false]]);
});

test("matmul: broadcasting batch dims, 1-d promotion, method form", () => {
  const a = randn([2, 1, 3, 4]) as number[][][][];
  const b = randn([5, 4, 2]) as number[][][];
  const r = jnp.matmul(f64(a), f64(b));
  assert.deepEqual(r.shape, [2, 5, 3, 2]);
  close(r, a.map((ai) => b.map((bk) => mm(ai[0]!, bk))), 1e-12);
  const c = randn([3, 2, 4]) as number[][][];
  const d = randn([3, 4, 2]) as number[][][];
  close(f64(c).matmul(f64(d)), c.map((ci, k) => mm(ci, d[k]!)), 1e-12);
  // 1-d operands
  assert.deepEqual(jnp.matmul([1, 2], [[1, 2], [3, 4]]).tolist(), [7, 10]);
  assert.deepEqual(jnp.matmul([[1, 2], [3, 4]], [1, 2]).tolist(), [5, 11]);
  assert.equal(jnp.matmul([1, 2], [3, 4]).item(), 11);
  assert.deepEqual(jnp.matmul([1, 2], jnp.ones([3, 2, 2])).shape, [3, 2]);
  assert.deepEqual(jnp.matmul(jnp.ones([3, 2, 2]), [1, 2]).shape, [3, 2]);
  // a size-1 batch dim on both sides
  assert.deepEqual(jnp.matmul(jnp.ones([1, 2, 3]), jnp.ones([1, 3, 4])).shape, [1, 2, 4]);
});

test("matmul: errors name both shapes", () => {
  throwsMsg(() => jnp.matmul(jnp.ones([2, 3]), jnp.ones([4, 5])), /matmul: contracting dimension mismatch: \[2, 3\] @ \[4, 5\]/);
  throwsMsg(() => jnp.matmul(jnp.ones([2, 2, 3]), jnp.ones([4, 3, 5])), /incompatible batch dimensions: \[2, 2, 3\] @ \[4, 3, 5\]/);
  throwsMsg(() => jnp.matmul(2, jnp.ones([3])), /Input operand 0 does not have enough dimensions/);
  throwsMsg(() => jnp.matmul(jnp.ones([3]), 2), /Input operand 1 does not have enough dimensions/);
});

test("vdot, inner, outer, tensordot", () => {
  assert.equal(jnp.vdot([[1, 2], [3, 4]], [[1, 1], [2, 2]]).item(), 17);
  assert.deepEqual(jnp.inner([[1, 2], [3, 4]], [[1, 0], [1, 1]]).tolist(), [[1, 3], [3, 7]]);
  assert.deepEqual(jnp.inner(2, [1, 2]).tolist(), [2, 4]);
  assert.deepEqual(jnp.outer([1, 2], [[3], [4], [5]]).tolist(), [[3, 4, 5], [6, 8, 10]]);
  const a = randn([3, 4, 5]);
  const b = randn([4, 5, 2]);
  close(jnp.tensordot(f64(a), f64(b)), naiveEinsum("ijk,jkl->il", a, b), 1e-12);
  const b1 = randn([5, 2]);
  close(jnp.tensordot(f64(a), f64(b1), 1), naiveEinsum("ijk,kl->ijl", a, b1), 1e-12);
  const c = randn([5, 3]);
  close(jnp.tensordot(f64(a), f64(c), [[2, 0], [0, 1]]), naiveEinsum("ijk,ki->j", a, c), 1e-12);
  assert.deepEqual(jnp.tensordot(f64(a), f64(c), 0).shape, [3, 4, 5, 5, 3]);
  throwsMsg(() => jnp.tensordot(jnp.ones([2, 3]), jnp.ones([4, 3]), [[1], [0]]), /shapes \[2, 3\] and \[4, 3\].*axis 1 has size 3 but axis 0 has size 4/);
  throwsMsg(() => jnp.vdot(jnp.ones([2]), jnp.ones([3])), /different sizes/);
});

// ---------------------------------------------------------------- einsum
test("einsum matches explicit loops", () => {
  const cases: [string, number[][]][] = [
    ["ij,jk->ik", [[3, 4], [4, 5]]],
    ["ij,ij->", [[3, 4], [3, 4]]],
    ["ij->ji", [[3, 4]]],
    ["ii->i", [[4, 4]]],
    ["ii->", [[4, 4]]],
    ["iij->ij", [[3, 3, 2]]],
    ["bij,bjk->bik", [[2, 3, 4], [2, 4, 5]]],
    ["i,j->ij", [[3], [4]]],
    ["ij,j->i", [[3, 4], [4]]],
    ["ijk,ikl,lm->jm", [[2, 3, 4], [2, 4, 3], [3, 2]]],
    ["ab,bc,cd->ad", [[2, 3], [3, 4], [4, 2]]],
    ["ij,kl->", [[2, 3], [3, 2]]],
    ["ij,jk->ki", [[2, 3], [3, 4]]],
    ["ijk->kji", [[2, 3, 4]]],
    ["ij,ji->i", [[3, 3], [3, 3]]],
  ];
  for (const [spec, shapes] of cases) {
    const ops = shapes.map((s) => randn(s));
    close(jnp.einsum(spec, ...ops.map(f64)), naiveEinsum(spec, ...ops), 1e-12, spec);
  }
});

test("einsum: implicit output and ellipsis", () => {
  const a = randn([3, 4]);
  const b = randn([4, 5]);
  close(jnp.einsum("ij,jk", f64(a), f64(b)), naiveEinsum("ij,jk->ik", a, b), 1e-12);
  close(jnp.einsum("ba", f64(a)), naiveEinsum("ba->ab", a), 1e-12); // implicit: sorted labels
  const sq = randn([3, 3]);
  assert.ok(Math.abs((jnp.einsum("ii", f64(sq)).item() as number) - (naiveEinsum("ii->", sq) as number)) < 1e-12);
  const x = randn([2, 3, 4, 5]);
  const y = randn([2, 3, 5, 2]);
  close(jnp.einsum("...ij,...jk->...ik", f64(x), f64(y)), naiveEinsum("abij,abjk->abik", x, y), 1e-12);
  close(jnp.einsum("...ij,...jk", f64(x), f64(y)), naiveEinsum("abij,abjk->abik", x, y), 1e-12);
  // ellipsis broadcasting against a smaller operand
  const m = randn([5, 2]);
  close(jnp.einsum("...j,jk->...k", f64(x), f64(m)), naiveEinsum("abij,jk->abik", x, m), 1e-12);
  close(jnp.einsum("i...->...", f64(a)), naiveEinsum("ij->j", a), 1e-12);
});

test("einsum: errors", () => {
  throwsMsg(() => jnp.einsum("ij,jk->ik", jnp.ones([2, 3])), /name 2 operand\(s\) but 1 were given/);
  throwsMsg(() => jnp.einsum("ij->i", jnp.ones([2, 3, 4])), /operand 0 has 3 dimensions.*'ij' name 2/);
  throwsMsg(() => jnp.einsum("ij,jk->ik", jnp.ones([2, 3]), jnp.ones([4, 5])), /label 'j' differs between operands: 3 vs 4/);
  throwsMsg(() => jnp.einsum("ij->iz", jnp.ones([2, 3])), /output subscript 'z' does not appear/);
});

test("einsum: differentiable and batchable", () => {
  checkGrads((a, b) => jnp.einsum("ij,jk->ik", a, b), [f64(randn([2, 3])), f64(randn([3, 4]))]);
  checkGrads((a) => jnp.einsum("ii->i", a), [f64(randn([3, 3]))]);
  checkGrads((a, b, c) => jnp.einsum("ijk,ikl,lm->jm", a, b, c), [f64(randn([2, 3, 4])), f64(randn([2, 4, 3])), f64(randn([3, 2]))]);
  checkVmap((a, b) => jnp.einsum("ij,jk->ik", a, b), [randn([3, 2, 3]), randn([3, 3, 4])], 1e-12);
});

test("trace: offset and axes", () => {
  const a = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
  assert.equal(jnp.trace(a).item(), 15);
  assert.equal(jnp.trace(a, 1).item(), 8);
  assert.equal(jnp.trace(a, -1).item(), 12);
  assert.equal(jnp.trace(a, 5).item(), 0);
  const t = randn([2, 3, 3]) as number[][][];
  close(jnp.trace(f64(t), 0, 1, 2), t.map((m) => m[0]![0]! + m[1]![1]! + m[2]![2]!), 1e-12);
  close(jnp.trace(f64(t), 1, 2, 1), t.map((m) => m[1]![0]! + m[2]![1]!), 1e-12); // offset along axis2 = 1
  assert.equal(jnp.trace(jnp.array([[1, 2], [3, 4]], "int32")).dtype, "int32");
  throwsMsg(() => jnp.trace([1, 2, 3]), /at least 2 dimensions, got shape \[3\]/);
  throwsMsg(() => jnp.trace(a, 0, 0, 2), /axis 2 is out of bounds for array of dimension 2/);
  checkGrads((x) => jnp.trace(x, 1), [f64(randn([3, 4]))]);
});

// ---------------------------------------------------------------- decompositions: primitives
test("cholesky: L·Lᵀ = A, lower, NaN for non-positive-definite; batched", () => {
  const A = spd(4);
  const L = jnp.linalg.cholesky(f64(A));
  const l = L.tolist() as number[][];
  for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) assert.equal(l[i]![j], 0);
  close(jnp.matmul(L, L.T), A, 1e-12);
  assert.deepEqual(jnp.linalg.cholesky([[4, 2], [2, 3]]).tolist(), [[2, 0], [1, Math.fround(Math.sqrt(2))]]);
  assert.ok(flat(jnp.linalg.cholesky([[1, 2], [2, 1]]).tolist()).every(Number.isNaN));
  const As = [spd(3), spd(3)];
  const Ls = jnp.linalg.cholesky(f64(As));
  close(jnp.matmul(Ls, jnp.swapaxes(Ls, -1, -2)), As, 1e-12);
  throwsMsg(() => jnp.linalg.cholesky(jnp.ones([2, 3])), /square.*\[2, 3\]/);
});

test("cholesky: jvp (L·Φ(L⁻¹ dA L⁻ᵀ)), vjp and vmap", () => {
  const A = f64(spd(3));
  // symmetric perturbations through the symmetrising jnp.linalg.cholesky
  checkGrads((a) => jnp.linalg.cholesky(a), [A]);
  checkVmap((a) => jnp.linalg.cholesky(a), [[spd(3), spd(3)]], 1e-12);
});

test("triangular_solve: all four variants against matrix products", () => {
  const Lm = wellCond(3).map((r, i) => r.map((v, j) => (j <= i ? v : 0)));
  const b = randn([3, 2]) as number[][];
  const bt = randn([2, 3]) as number[][];
  const T = (m: number[][]) => m[0]!.map((_, j) => m.map((r) => r[j]!));
  for (const lower of [true, false])
    for (const transposeA of [false, true])
      for (const leftSide of [true, false]) {
        const A = lower ? Lm : T(Lm);
        const opA = transposeA ? T(A) : A;
        const rhs = leftSide ? b : bt;
        const x = lin.triangularSolve(f64(A), f64(rhs), { leftSide, lower, transposeA, unitDiagonal: false });
        const xs = x.tolist() as number[][];
        close(f64(leftSide ? mm(opA, xs) : mm(xs, opA)), rhs, 1e-12, `lower=${lower} trans=${transposeA} left=${leftSide}`);
      }
  // unit diagonal ignores the stored diagonal and the other triangle
  const junk = [[5, 9], [2, 7]];
  close(lin.triangularSolve(f64(junk), f64([[1], [4]]), { leftSide: true, lower: true, transposeA: false, unitDiagonal: true }), [[1], [2]], 1e-12);
  throwsMsg(
    () => lin.triangularSolve(f64(junk), f64([[1, 2, 3]]), { leftSide: true, lower: true, transposeA: false, unitDiagonal: false }),
    /incompatible shapes \[2, 2\] and \[1, 3\]/,
  );
});

test("triangular_solve: jvp in a and b, transpose in b, vmap of a and/or b", () => {
  const Lm = f64(wellCond(3).map((r, i) => r.map((v, j) => (j <= i ? v : 0))));
  for (const leftSide of [true, false])
    for (const transposeA of [false, true]) {
      const p = { leftSide, lower: true, transposeA, unitDiagonal: false };
      const b = f64(randn(leftSide ? [3, 2] : [2, 3]));
      checkGrads((a, bb) => lin.triangularSolve(lin.tri(a, 0, true), bb, p), [Lm, b]);
      checkGrads((bb) => lin.triangularSolve(Lm, bb, p), [b]);
      const As = [0, 1].map(() => wellCond(3).map((r, i) => r.map((v, j) => (j <= i ? v : 0))));
      const bs = randn([2, ...(leftSide ? [3, 2] : [2, 3])]);
      const f = (a: JArray, bb: JArray) => lin.triangularSolve(a, bb, p);
      checkVmap(f, [As, bs], 1e-10);
      checkVmap(f, [As[0]!, bs], 1e-10, [null, 0]);
      checkVmap(f, [As, (bs as N[])[0]!], 1e-10, [0, null]);
    }
  checkGrads((a, bb) => lin.triangularSolve(a, bb, { leftSide: true, lower: false, transposeA: false, unitDiagonal: true }), [
    f64(wellCond(3)),
    f64(randn([3, 2])),
  ]);
});

test("lu: P·A = L·U with partial pivoting; pivots and permutation", () => {
  const [lu, piv, perm] = lin.luDecomp(jnp.array([[1, 2], [3, 4]]));
  assert.deepEqual(piv.tolist(), [1, 1]);
  assert.deepEqual(perm.tolist(), [1, 0]);
  assert.equal(piv.dtype, "int32");
  close(lu, [[3, 4], [1 / 3, 2 / 3]], 1e-6);
  for (const [m, n] of [[4, 4], [4, 3], [3, 5]] as [number, number][]) {
    const A = randn([m, n]) as number[][];
    const [LU, , P] = lin.luDecomp(f64(A));
    const k = Math.min(m, n);
    const lu2 = LU.tolist() as number[][];
    const L = Array.from({ length: m }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : j < i ? lu2[i]![j]! : 0)));
    const U = Array.from({ length: k }, (_, i) => Array.from({ length: n }, (_, j) => (j >= i ? lu2[i]![j]! : 0)));
    const pa = (P.tolist() as number[]).map((r) => A[r]!);
    close(f64(mm(L, U)), pa, 1e-12, `lu ${m}x${n}`);
    // partial pivoting: |L| <= 1
    assert.ok(L.flat().every((v) => Math.abs(v) <= 1 + 1e-12));
  }
});

test("lu: jvp (as JAX's lu_jvp_rule) for square and rectangular, and vmap", () => {
  for (const [m, n] of [[3, 3], [4, 3], [3, 4]] as [number, number][]) {
    const A = f64(randn([m, n]));
    checkGrads((a) => lin.luDecomp(a)[0], [A], 1e-5);
  }
  const As = randn([3, 3, 3]);
  const [lus, pivs, perms] = vmap((a: JArray) => lin.luDecomp(a))(f64(As)) as JArray[];
  (As as N[]).forEach((a, i) => {
    const [l, p, q] = lin.luDecomp(f64(a));
    close(lus!.get(i), l.tolist(), 1e-12);
    assert.deepEqual(pivs!.get(i).tolist(), p.tolist());
    assert.deepEqual(perms!.get(i).tolist(), q.tolist());
  });
});

// ---------------------------------------------------------------- jnp.linalg
test("linalg.inv: inv(A)·A = I; batched; int input gives float32", () => {
  const A = wellCond(4);
  const Ai = jnp.linalg.inv(f64(A));
  close(jnp.matmul(Ai, f64(A)), [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], 1e-12);
  close(jnp.linalg.inv([[4, 7], [2, 6]]), [[0.6, -0.7], [-0.2, 0.4]], 1e-6);
  const i = jnp.linalg.inv(jnp.array([[2, 0], [0, 4]], "int32"));
  assert.equal(i.dtype, "float32");
  assert.deepEqual(i.tolist(), [[0.5, 0], [0, 0.25]]);
  const Bs = [wellCond(3), wellCond(3)];
  const inv = jnp.linalg.inv(f64(Bs));
  close(jnp.matmul(inv, f64(Bs)), [0, 1].map(() => [[1, 0, 0], [0, 1, 0], [0, 0, 1]]), 1e-12);
  // a matrix that needs pivoting
  close(jnp.linalg.inv([[0, 1], [1, 0]]), [[0, 1], [1, 0]], 1e-7);
  throwsMsg(() => jnp.linalg.inv(jnp.ones([2, 3])), /linalg\.inv: last 2 dimensions of the array must be square, got shape \[2, 3\]/);
  throwsMsg(() => jnp.linalg.inv(jnp.ones([3])), /linalg\.inv.*shape \[3\]/);
});

test("linalg.solve: known solutions, vector and matrix right-hand sides, broadcasting", () => {
  // 2x + y = 5, x + 3y = 10  ->  x = 1, y = 3
  close(jnp.linalg.solve([[2, 1], [1, 3]], [5, 10]), [1, 3], 1e-6);
  close(jnp.linalg.solve([[0, 2], [3, 0]], [[4, 2], [3, 6]]), [[1, 2], [2, 1]], 1e-6);
  const A = wellCond(4);
  const X = randn([4, 3]) as number[][];
  close(jnp.linalg.solve(f64(A), f64(mm(A, X))), X, 1e-12);
  // batch of systems against one matrix, vector rhs [..., n]
  const xs = randn([5, 4]) as number[][];
  const bs = xs.map((x) => mm(A, x.map((v) => [v])).map((r) => r[0]!));
  close(jnp.linalg.solve(f64([A, A, A, A, A]), f64(bs)), xs, 1e-12);
  // a [n, n] against b [2, n, k]: batch dims broadcast
  const Xb = randn([2, 4, 3]) as number[][][];
  close(jnp.linalg.solve(f64(A), f64(Xb.map((x) => mm(A, x)))), Xb, 1e-12);
  assert.equal(jnp.linalg.solve(jnp.array([[2, 0], [0, 2]], "int32"), jnp.array([2, 4], "int32")).dtype, "float32");
  throwsMsg(() => jnp.linalg.solve(jnp.ones([3, 3]), jnp.ones([4])), /incompatible shapes: a \[3, 3\] and b \[4\]/);
  throwsMsg(() => jnp.linalg.solve(jnp.ones([3, 2]), jnp.ones([3])), /square, got shape \[3, 2\]/);
});

test("linalg.det: known values, permutation sign, batched, int input", () => {
  assert.equal(jnp.linalg.det([[1, 2], [3, 4]]).item(), -2);
  assert.equal(jnp.linalg.det([[0, 1], [1, 0]]).item(), -1);
  assert.equal(jnp.linalg.det([[0, 1, 0], [0, 0, 1], [1, 0, 0]]).item(), 1); // cyclic: even
  assert.equal(jnp.linalg.det([[0, 0, 1], [0, 1, 0], [1, 0, 0]]).item(), -1);
  assert.equal(Math.abs(jnp.linalg.det([[1, 2], [2, 4]]).item() as number), 0); // singular (JAX may give -0)
  close(jnp.linalg.det(f64([[2, -1, 0], [-1, 2, -1], [0, -1, 2]])), 4, 1e-12);
  close(jnp.linalg.det(f64([[6, 1, 1], [4, -2, 5], [2, 8, 7]])), -306, 1e-12);
  const d = jnp.linalg.det(jnp.array([[[2, 0], [0, 3]], [[0, 1], [1, 0]]], "int32"));
  assert.equal(d.dtype, "float32");
  assert.deepEqual(d.tolist(), [6, -1]);
  // random: det against a cofactor expansion in float64
  const A = randn([4, 4]) as number[][];
  const cof = (m: number[][]): number =>
    m.length === 1 ? m[0]![0]! : m[0]!.reduce((s, v, j) => s + (j % 2 ? -1 : 1) * v * cof(m.slice(1).map((r) => r.filter((_, k) => k !== j))), 0);
  close(jnp.linalg.det(f64(A)), cof(A), 1e-12);
  const [sign, logabs] = jnp.linalg.slogdet(f64(A));
  close(sign, Math.sign(cof(A)), 0);
  close(logabs, Math.log(Math.abs(cof(A))), 1e-12);
  throwsMsg(() => jnp.linalg.det(jnp.ones([2, 3])), /linalg\.det: .*square, got shape \[2, 3\]/);
});

test("linalg.det / inv / solve: gradients and vmap", () => {
  const A = wellCond(3);
  // d det(A)/dA = det(A)·A⁻ᵀ
  const g = grad((a: JArray) => jnp.linalg.det(a))(f64(A)) as JArray;
  close(g, jnp.linalg.inv(f64(A)).T.mul(jnp.linalg.det(f64(A))).tolist(), 1e-10);
  checkGrads((a) => jnp.linalg.det(a), [f64(A)]);
  checkGrads((a) => jnp.linalg.inv(a), [f64(A)]);
  checkGrads((a, b) => jnp.linalg.solve(a, b), [f64(A), f64(randn([3, 2]))]);
  checkGrads((a) => jnp.linalg.slogdet(a)[1], [f64(A)]);
  // a matrix that pivots
  checkGrads((a) => jnp.linalg.det(a), [f64([[0.1, 2, 0.3], [1.5, 0.2, 0.1], [0.3, 0.4, 2.2]])]);
  checkVmap((a) => jnp.linalg.det(a), [[wellCond(3), wellCond(3), [[0, 1, 0], [1, 0, 0], [0, 0, 1]]]], 1e-12);
  checkVmap((a) => jnp.linalg.inv(a), [[wellCond(3), wellCond(3)]], 1e-12);
  checkVmap((a, b) => jnp.linalg.solve(a, b), [[wellCond(3), wellCond(3)], randn([2, 3])], 1e-12);
  checkVmap((a, b) => jnp.linalg.solve(a, b), [wellCond(3), randn([2, 3])], 1e-12, [null, 0]);
  // second order: hessian of det for 2x2 is constant: d²(ad - bc)
  const h = hessian((a: JArray) => jnp.linalg.det(a))(f64([[1, 2], [3, 5]])) as JArray;
  close(h, [[[[0, 0], [0, 1]], [[0, 0], [-1, 0]]], [[[0, -1], [0, 0]], [[1, 0], [0, 0]]]], 1e-10);
});

test("linalg.norm: vector and matrix norms, axes, keepdims", () => {
  const v = [3, -4, 0];
  assert.equal(jnp.linalg.norm(v).item(), 5);
  assert.equal(jnp.linalg.norm(v, 1).item(), 7);
  assert.equal(jnp.linalg.norm(v, Infinity).item(), 4);
  assert.equal(jnp.linalg.norm(v, -Infinity).item(), 0);
  assert.equal(jnp.linalg.norm(v, 0).item(), 2);
  close(jnp.linalg.norm(v, 3), Math.cbrt(27 + 64), 1e-6);
  const m = [[1, -2], [-3, 4]];
  close(jnp.linalg.norm(m), Math.sqrt(30), 1e-6);
  close(jnp.linalg.norm(m, "fro"), Math.sqrt(30), 1e-6);
  assert.equal(jnp.linalg.norm(m, 1).item(), 6); // max column sum
  assert.equal(jnp.linalg.norm(m, -1).item(), 4);
  assert.equal(jnp.linalg.norm(m, Infinity).item(), 7); // max row sum
  assert.equal(jnp.linalg.norm(m, -Infinity).item(), 3);
  close(jnp.linalg.norm(m, null, 1), [Math.sqrt(5), 5], 1e-6);
  close(jnp.linalg.norm(m, 1, 0), [4, 6], 1e-6);
  const t = randn([2, 3, 4]) as number[][][];
  const n = jnp.linalg.norm(f64(t), null, [1, 2], { keepdims: true });
  assert.deepEqual(n.shape, [2, 1, 1]);
  close(n, t.map((s) => [[Math.sqrt(s.flat().reduce((a, b) => a + b * b, 0))]]), 1e-12);
  close(jnp.linalg.norm(f64(t), Infinity, [2, 1]), t.map((s) => Math.max(...[0, 1, 2, 3].map((j) => s.reduce((a, r) => a + Math.abs(r[j]!), 0)))), 1e-12);
  assert.deepEqual(jnp.linalg.norm(f64(t), null, null, { keepdims: true }).shape, [1, 1, 1]);
  assert.equal(jnp.linalg.norm(jnp.array([3, 4], "int32")).dtype, "float32");
  throwsMsg(() => jnp.linalg.norm(jnp.ones([2, 2, 2]), 1), /improper number of dimensions.*\[2, 2, 2\]/);
  throwsMsg(() => jnp.linalg.norm(jnp.ones([2, 2]), null, 2), /axis 2 is out of bounds for array of dimension 2/);
  throwsMsg(() => jnp.linalg.norm(jnp.ones([3]), "fro"), /invalid norm order 'fro' for vectors/);
  checkGrads((x) => jnp.linalg.norm(x), [f64(randn([3, 2]))]);
  checkGrads((x) => jnp.linalg.norm(x, 1, [0, 1]), [f64(randn([3, 2]))]);
});

test("matmul and dot under grad and vmap", () => {
  checkGrads((a, b) => jnp.matmul(a, b), [f64(randn([2, 1, 3, 4])), f64(randn([5, 4, 2]))]);
  checkGrads((a, b) => jnp.matmul(a, b), [f64(randn([3])), f64(randn([2, 3, 4]))]);
  checkGrads((a, b) => jnp.dot(a, b), [f64(randn([2, 3])), f64(randn([4, 3, 2]))]);
  checkGrads((a, b) => jnp.outer(a, b), [f64(randn([3])), f64(randn([2]))]);
  const g = grad((w: JArray) => jnp.matmul(jnp.array([[1, 2]], "float64"), w).sum())(f64([[1, 1], [1, 1]])) as JArray;
  assert.deepEqual(g.tolist(), [[1, 1], [2, 2]]);
  checkVmap((a, b) => jnp.matmul(a, b), [randn([3, 2, 4]), randn([4, 5])], 1e-12, [0, null]);
  checkVmap((a, b) => jnp.matmul(a, b), [randn([3, 4]), randn([3, 4, 5])], 1e-12);
  const n = countPrim("dot_general", () => {
    vmap((a: JArray, b: JArray) => jnp.matmul(a, b))(f64(randn([8, 3, 4])), f64(randn([8, 4, 2])));
  });
  assert.equal(n, 1);
});

// ---------------------------------------------------------------- svd
import { checkGrads as checkGradsH } from "../harness/checkGrads.js";

test("svd: a = u·diag(s)·vt with orthonormal factors, descending s, tall/wide/batched; svdvals and matrix 2-norm/nuclear norm", () => {
  const mats = [
    jnp.array([[4, 1, 2], [1, 3, 0], [2, 0, 5], [1, 1, 1]], "float64"),
    jnp.array([[1, 2, 3, 4], [2, -1, 0, 1]], "float64"),
    jnp.sin(jnp.arange(2 * 3 * 3).reshape([2, 3, 3]).astype("float64")),
  ];
  for (const a of mats) {
    const [s, u, vt] = lin.svd(a);
    const rec = jnp.matmul(u.mul(jnp.expandDims(s, -2)), vt);
    assert.ok(jnp.allclose(rec, a, { atol: 1e-10 }).item(), `reconstruction of ${a}`);
    const k = s.shape[s.shape.length - 1]!;
    assert.ok(jnp.allclose(jnp.matmul(jnp.swapaxes(u, -1, -2), u), jnp.broadcastTo(jnp.eye(k, null, 0, "float64"), [...u.shape.slice(0, -2), k, k]), { atol: 1e-10 }).item());
    const sd = s.dataSync();
    for (let i = 1; i < sd.length; i++) if (i % k !== 0) assert.ok(sd[i - 1]! >= sd[i]!, "descending");
  }
  const a = mats[0]!;
  const s = jnp.linalg.svdvals(a);
  close(jnp.linalg.norm(a, 2), Math.max(...(s.tolist() as number[])), 1e-12);
  close(jnp.linalg.norm(a, "nuc"), (s.tolist() as number[]).reduce((x, y) => x + y), 1e-12);
  close(jnp.linalg.norm(a, -2), Math.min(...(s.tolist() as number[])), 1e-12);
  // a diagonal matrix's singular values are its absolute diagonal, sorted
  assert.deepEqual(jnp.linalg.svdvals(jnp.array([[0, 0, -3], [0, 2, 0], [1, 0, 0]], "float64")).tolist(), [3, 2, 1]);
});

test("svd derivatives: singular values and sign-invariant projectors against finite differences", () => {
  const tall = jnp.array([[4, 1, 2], [1, 3, 0], [2, 0, 5], [1, 1, 1]], "float64");
  const wide = jnp.array([[1, 2, 3, 4], [2, -1, 0, 1.5]], "float64");
  for (const a of [tall, wide]) {
    checkGradsH((x: JArray) => lin.svd(x)[0], [a], { label: "svd s" });
    checkGradsH((x: JArray) => {
      const [, u, vt] = lin.svd(x);
      return [jnp.matmul(u, jnp.swapaxes(u, -1, -2)), jnp.matmul(jnp.swapaxes(vt, -1, -2), vt)];
    }, [a], { label: "svd projectors" });
  }
  checkGradsH((x: JArray) => jnp.linalg.norm(x, 2), [tall], { label: "norm ord 2" });
  checkGradsH((x: JArray) => jnp.linalg.norm(x, "nuc"), [wide], { label: "nuclear norm" });
  // vmap of svd equals a loop
  const b = jnp.stack([tall, tall.mul(2)]);
  close(vmap((x: JArray) => lin.svd(x)[0])(b), jnp.stack([lin.svd(tall)[0], lin.svd(tall.mul(2))[0]]).tolist(), 1e-12);
});
