// coverage.test.ts — keeps the op table honest: every jnp function of API.md has a row in
// test/harness/opTable.ts (creation functions without array inputs are covered by the JAX
// reference values instead), every registered primitive is reached by some row (forward,
// reverse or batched), and the Array method forms of API.md agree with the jnp functions
// and differentiate.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { JaxArray } from "../../src/core/array.js";
import { isFloat } from "../../src/core/dtype.js";
import { ClosedJaxpr, Jaxpr } from "../../src/core/jaxpr.js";
import { allPrimitives } from "../../src/core/primitive.js";
import * as tree from "../../src/core/tree.js";
import { jnp, makeJaxpr, vjp, vmap } from "../../src/index.js";
import { checkGrads } from "../harness/checkGrads.js";
import { assertArraysClose } from "../harness/compare.js";
import { float0, fromFlat, stackAxis } from "../harness/host.js";
import { OP_TABLE, TABLE_FUNCTIONS, jnpHas, rowArgs, rowAvailable } from "../harness/opTable.js";

/** The jnp functions API.md names (its "At least:" list). */
const API_JNP = `array asarray zeros ones full zerosLike onesLike fullLike arange linspace eye identity
add subtract multiply divide trueDivide floorDivide remainder mod power negative positive abs sign sqrt square
reciprocal exp exp2 expm1 log log2 log10 log1p sin cos tan arcsin arccos arctan arctan2 sinh cosh tanh arcsinh
arccosh arctanh floor ceil round clip maximum minimum where isnan isinf isfinite equal notEqual less lessEqual
greater greaterEqual logicalAnd logicalOr logicalNot logicalXor sum prod mean var std max min argmax argmin all
any cumsum cumprod dot matmul vdot inner outer tensordot einsum trace linalg.norm linalg.inv linalg.solve
linalg.cholesky linalg.det reshape ravel transpose swapaxes moveaxis expandDims squeeze broadcastTo
broadcastArrays concatenate stack hstack vstack split tile repeat flip roll pad take takeAlongAxis diagonal triu
tril sort argsort meshgrid`.split(/\s+/);
/** Functions with no array input: their values are checked against JAX in reference.test.ts. */
const CREATION = new Set(["array", "zeros", "ones", "full", "arange", "linspace", "eye", "identity"]);

test("every jnp function of API.md exists and has a row in the op table", (t) => {
  const missing = API_JNP.filter((n) => !jnpHas(n));
  if (missing.length) t.diagnostic(`not implemented yet: ${missing.join(", ")}`);
  assert.deepEqual(missing, [], "API.md functions missing from jnp");
  const noRow = API_JNP.filter((n) => !CREATION.has(n) && !TABLE_FUNCTIONS.includes(n));
  assert.deepEqual(noRow, [], "API.md functions without a row in test/harness/opTable.ts");
});

/**
 * Primitives that no jnp/lax row can reach, with the reason; each is tested where its
 * family is. Anything else unreached is reported as a todo (add a row for it).
 */
const ELSEWHERE: Record<string, string> = {
  pjit: "jit's primitive (test/transforms)",
  custom_jvp_call: "customJvp (test/transforms)",
  custom_vjp_call: "customVjp (test/transforms)",
  custom_lin: "customVjp under linearize (test/transforms)",
  checkpoint: "checkpoint (test/transforms)",
  debug_callback: "debug.print / debug.callback",
  threefry2x32: "jax.random",
  shift_left: "jax.random bit manipulation",
  shift_right_logical: "jax.random bit manipulation",
  shift_right_arithmetic: "jax.random bit manipulation",
  bitcast_convert_type: "jax.random bit manipulation",
  erf: "jax.random / nn (not a jnp function)",
  erfc: "jax.random / nn (not a jnp function)",
  erf_inv: "jax.random.normal (not a jnp function)",
  fma: "jax.random (not a jnp function)",
  cummax: "no jnp function uses it (lax-level cumulative max)",
  cummin: "no jnp function uses it (lax-level cumulative min)",
  psum: "named-axis collective: needs an enclosing vmap/pmap (test/transforms/collectives.test.ts)",
  pmax: "named-axis collective (test/transforms/collectives.test.ts)",
  pmin: "named-axis collective (test/transforms/collectives.test.ts)",
  axis_index: "named-axis collective (test/transforms/collectives.test.ts)",
  all_gather: "named-axis collective (test/transforms/collectives.test.ts)",
  psum_scatter: "named-axis collective (test/transforms/collectives.test.ts)",
  ppermute: "named-axis collective (test/transforms/collectives.test.ts)",
  all_to_all: "named-axis collective (test/transforms/collectives.test.ts)",
  xla_pmap: "pmap's primitive, run on device workers (test/transforms/pmap.test.ts)",
};

function primsOf(j: unknown, into: Set<string>): void {
  if (j instanceof ClosedJaxpr) return primsOf(j.jaxpr, into);
  if (j instanceof Jaxpr)
    for (const e of j.eqns) {
      into.add(e.prim.name);
      for (const v of Object.values(e.params)) primsOfParam(v, into);
    }
}
function primsOfParam(v: unknown, into: Set<string>): void {
  if (v instanceof Jaxpr || v instanceof ClosedJaxpr) primsOf(v, into);
  else if (Array.isArray(v)) v.forEach((x) => primsOfParam(x, into));
}

test("every primitive is reached by a row of the op table (forward, reverse or batched)", (t) => {
  const seen = new Set<string>();
  for (const r of OP_TABLE) {
    if (!rowAvailable(r)) continue;
    const args = rowArgs(r, r.dtypes[0]!);
    primsOf(makeJaxpr(r.fn)(...args), seen);
    if (r.diff && !(r.gradModes && !r.gradModes.includes("rev"))) {
      const fl = args.map((a, i) => (isFloat(a.dtype) ? i : -1)).filter((i) => i >= 0);
      const withFloats = (ds: JaxArray[]) => {
        const full = [...args];
        fl.forEach((k, j) => (full[k] = ds[j]!));
        return full;
      };
      const pull = (...ds: JaxArray[]) => {
        const [o, pb] = vjp((...es: JaxArray[]) => r.fn(...withFloats(es)), ...ds);
        return pb(tree.map((l: JaxArray) => (isFloat(l.dtype) ? jnp.onesLike(l) : float0(l.shape)), o));
      };
      primsOf(makeJaxpr(pull)(...fl.map((i) => args[i]!)), seen);
    }
    if (r.vmap !== false) {
      const other = rowArgs(r, r.dtypes[0]!, 1);
      primsOf(makeJaxpr(vmap(r.fn))(...args.map((a, i) => stackAxis([a, other[i]!], 0))), seen);
    }
  }
  const unreached = allPrimitives()
    .map((p) => p.name)
    .filter((n) => !seen.has(n) && !n.startsWith("harness_") && !(n in ELSEWHERE));
  if (unreached.length) t.todo(`primitives no row reaches yet: ${unreached.join(", ")} — add rows to test/harness/opTable.ts`);
  assert.deepEqual(unreached, []);
});

test("Array method forms agree with the jnp functions and differentiate", () => {
  const x = fromFlat([0.5, -1.25, 2, 0.75, 1.5, -0.3], [2, 3], "float32");
  const y = fromFlat([1.5, 0.25, -2, 1, 0.5, 3], [2, 3], "float32");
  const p = fromFlat([0.5, 1.25, 2, 0.75, 1.5, 0.3], [2, 3], "float32");
  const pairs: [string, JaxArray, JaxArray][] = [
    ["add", x.add(y), jnp.add(x, y)],
    ["sub", x.sub(y), jnp.subtract(x, y)],
    ["mul", x.mul(y), jnp.multiply(x, y)],
    ["div", x.div(y), jnp.divide(x, y)],
    ["pow", p.pow(y), jnp.power(p, y)],
    ["neg", x.neg(), jnp.negative(x)],
    ["abs", x.abs(), jnp.abs(x)],
    ["exp", x.exp(), jnp.exp(x)],
    ["log", p.log(), jnp.log(p)],
    ["sqrt", p.sqrt(), jnp.sqrt(p)],
    ["sin", x.sin(), jnp.sin(x)],
    ["cos", x.cos(), jnp.cos(x)],
    ["tanh", x.tanh(), jnp.tanh(x)],
    ["matmul", x.matmul(y.T), jnp.matmul(x, jnp.transpose(y))],
    ["dot", x.dot(y.T), jnp.dot(x, jnp.transpose(y))],
    ["sum", x.sum(1), jnp.sum(x, 1)],
    ["mean", x.mean(), jnp.mean(x)],
    ["max", x.max(0), jnp.max(x, 0)],
    ["min", x.min(null, { keepdims: true }), jnp.min(x, null, { keepdims: true })],
    ["argmax", x.argmax(1), jnp.argmax(x, 1)],
    ["reshape", x.reshape([3, 2]), jnp.reshape(x, [3, 2])],
    ["transpose", x.transpose([1, 0]), jnp.transpose(x, [1, 0])],
    ["T", x.T, jnp.transpose(x)],
    ["squeeze", x.reshape([2, 1, 3]).squeeze(1), x],
    ["expandDims", x.expandDims(0), jnp.expandDims(x, 0)],
    ["astype", x.astype("int32"), jnp.astype(x, "int32")],
  ];
  for (const [name, a, e] of pairs) assertArraysClose(a, e, null, `x.${name}`, true);
  // one function made of every differentiable method form
  const f = (a: JaxArray, b: JaxArray) =>
    a.add(b).sub(b.mul(a)).div(b.abs().add(1)).pow(2).neg().exp().mul(a.log()).add(a.sqrt().sin().cos().tanh())
      .matmul(b.T).dot(a).sum(0).mean().add(a.max().sub(b.min())).reshape([1]).transpose().squeeze().expandDims(0).astype(a.dtype);
  checkGrads(f, [p, y], { order: 2, label: "method forms" });
});
