// The jaxpr compiler: fused elementwise kernels give bit-identical results to op-by-op
// execution, chains fuse into one kernel, and other equations run as themselves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { jit, jnp, lax, makeJaxpr, vmap, grad, type Array as A } from "../../src/index.js";
import { compileOptions } from "../../src/transforms/jit.js";
import { executableFor } from "../../src/compiler/fuse.js";
import { dotGeneral } from "../../src/primitives/linalg.js";
import { bitsEqual } from "../harness/assertions.js";


function compare(name: string, f: (...xs: A[]) => A | A[], ...args: A[]): void {
  const j = jit(f);
  const on = ([] as A[]).concat(j(...args) as A | A[]);
  compileOptions.enabled = false;
  let off: A[];
  try {
    off = ([] as A[]).concat(jit(f)(...args) as A | A[]);
  } finally {
    compileOptions.enabled = true;
  }
  on.forEach((o, i) => assert.ok(bitsEqual(o, off[i]!), `${name}: output ${i} differs:\n${o}\n${off[i]}`));
}

const x = jnp.linspace(-3, 3, 37);
const m = jnp.linspace(-2, 2, 12).reshape([3, 4]);
const row = jnp.array([0.5, -1, 2, 0]);
const col = jnp.array([[1], [-2], [3]]);
const ints = jnp.array([-7, -1, 0, 3, 9, 2147483647], "int32");

test("a chain of elementwise ops is one kernel and bit-identical", () => {
  const chain = (x: A) => jnp.tanh(x).mul(2).add(jnp.sin(x).mul(x));
  const steps = executableFor(makeJaxpr(chain)(x).jaxpr).steps;
  assert.deepEqual(steps.map((s) => s.kind), ["kernel"]);
  compare("chain", chain, x);
});

test("broadcasting operands, scalars and literals inside kernels", () => {
  compare("row", (m: A, r: A) => jnp.exp(m.mul(r)).sub(r).div(2), m, row);
  compare("col+row", (m: A, c: A, r: A) => jnp.maximum(m.add(c), r.mul(c)), m, col, row);
  compare("scalar", (m: A, s: A) => jnp.log1p(jnp.abs(m.mul(s))).add(1.5), m, jnp.array(0.25));
});

test("integer, bool, select and conversion ops", () => {
  compare("ints", (a: A) => [jnp.floorDivide(a, 3), jnp.remainder(a, 4), a.mul(a), jnp.sign(a), jnp.abs(a)] as unknown as A, ints);
  compare("bools", (x: A) => jnp.where(jnp.logicalAnd(x.gt(0), x.lt(2)), x, jnp.cos(x)), x);
  compare("casts", (x: A) => [x.astype("int32"), x.mul(100).astype("uint32"), x.astype("bool"), x.astype("float64").mul(3)] as unknown as A, x);
  compare("pow/min/max/nan", (x: A) => [jnp.power(x, 2.5), jnp.minimum(x, jnp.nan), jnp.maximum(jnp.sqrt(x), 0), jnp.sign(x.mul(0).neg())] as unknown as A, x);
});

test("non-elementwise equations run between kernels; transformations compose", () => {
  const f = (m: A) => jnp.exp(m.sub(m.max(1, { keepdims: true }))).div(jnp.exp(m.sub(m.max(1, { keepdims: true }))).sum(1, { keepdims: true }));
  compare("softmax", f, m);
  const steps = executableFor(makeJaxpr(f)(m).jaxpr).steps.map((s) => s.kind);
  assert.ok(steps.includes("kernel") && steps.includes("eqn"));
  compare("grad", grad((x: A) => jnp.tanh(x).mul(jnp.sin(x)).sum()), x);
  compare("vmap", vmap((r: A) => jnp.exp(r).mul(r).sum()), m);
  compare("scan", (x: A) => lax.scan((c: A, y: A) => [c.mul(0.5).add(jnp.sin(y)), c.mul(y)], jnp.zeros([]), x)[1], x);
});

test("reductions fuse with their producers and stay bit-identical", () => {
  const big = jnp.sin(jnp.linspace(-5, 5, 24 * 33)).reshape([24, 33]);
  const f = (m: A) => [jnp.square(m).sum(1), jnp.exp(m).max(0), m.mul(2).add(1).sum(), m.abs().min([0, 1])] as unknown as A;
  compare("reductions", f, big);
  const kinds = executableFor(makeJaxpr(f)(big).jaxpr).steps.map((s) => s.kind);
  assert.ok(!kinds.includes("eqn") || kinds.filter((k) => k === "eqn").length < 4, `steps: ${kinds}`);
  compare("int sum", (a: A) => a.mul(a).sum(), ints);
  compare("nan max", (m: A) => jnp.where(m.gt(0.9), jnp.nan, m).max(1), big);
  const sm = (m: A) => {
    const e = jnp.exp(m.sub(m.max(1, { keepdims: true })));
    return e.div(e.sum(1, { keepdims: true }));
  };
  compare("softmax", sm, big);
});

test("a reduction to one element whose kept axes have size 1 (flat loop)", () => {
  const col = jnp.linspace(-1, 1, 64).reshape([64, 1]);
  compare("sum over axis 0 of [64, 1]", (c: A) => jnp.square(c.sub(0.5)).sum(0), col);
  compare("mean of a column", (c: A) => jnp.mean(jnp.square(jnp.tanh(c).sub(c))), col);
});

test("compile-time rewrites (outer products, scalar broadcasts, folded scalars) are bit-identical", () => {
  // dot_general without contracting dims: plain, batched, batch dims not leading, a scalar
  // side; -0 products (the matmul's sum of one product is +0)
  const v = (n: number, shift: number) => jnp.array(Array.from({ length: n }, (_, i) => (i % 4 === 0 ? -0 : Math.sin(i + shift) * 3)));
  const cases: [A, A, { contracting: [number[], number[]]; batch: [number[], number[]] }][] = [
    [v(5, 0), v(7, 1).neg(), { contracting: [[], []], batch: [[], []] }],
    [v(15, 0).reshape([3, 5]), v(21, 2).reshape([3, 7]), { contracting: [[], []], batch: [[0], [0]] }],
    [v(15, 0).reshape([5, 3]), v(21, 2).reshape([7, 3]), { contracting: [[], []], batch: [[1], [1]] }],
    [jnp.array(-2.5), v(8, 3).reshape([4, 2]), { contracting: [[], []], batch: [[], []] }],
  ];
  for (const [a, b, dn] of cases) compare(`outer ${a.shape}·${b.shape} ${JSON.stringify(dn)}`, (a: A, b: A) => dotGeneral(a, b, dn).mul(2), a, b);
  // per-example gradients (vmap of grad makes such outer products)
  const loss = (w: A, xi: A) => jnp.tanh(jnp.dot(xi, w));
  compare("vmap(grad)", (w: A, xs: A) => vmap(grad(loss), { inAxes: [null, 0] })(w, xs), v(4, 5), v(12, 6).reshape([3, 4]));
  // relu's zeros and a bias, scalar arithmetic on literals
  compare("bias + relu", (m: A, b: A) => jnp.maximum(m.add(b), 0).mul(lax.neg(jnp.array(1)).div(3)), m, row);
});

test("intermediates that a higher-order primitive returns as they are stay alive (cond, while, inner jit)", () => {
  const x = jnp.arange(3000).astype("float32"); // large enough for wasm blocks
  const viaCond = (x: A, p: A) => {
    const y = x.mul(2).add(0.5);
    return (lax.cond(p.gt(0), (a: A) => a, (a: A) => a.add(1), y) as A).add(1);
  };
  const viaWhile = (x: A) => {
    const y = x.mul(2).add(0.5);
    const [a, b] = lax.whileLoop((c: A[]) => c[1]!.lt(3), (c: A[]) => [c[0]!, c[1]!.add(1)], [y, jnp.array(0)]) as A[];
    return a!.add(b!);
  };
  const viaJit = (x: A) => jit((t: A) => t)(x.mul(2)).add(1);
  compare("cond identity branch", viaCond, x, jnp.array(1));
  compare("untouched while carry", viaWhile, x);
  compare("inner identity jit", viaJit, x);
  assert.deepEqual(Array.from((jit(viaCond)(x, jnp.array(1)) as A).dataSync().slice(0, 3)), [1.5, 3.5, 5.5]);
});
