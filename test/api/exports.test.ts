// Every public name of shared/API.md is exported from the package root with the right kind.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as J from "../../src/index.js";

const jnpNames =
  "array asarray zeros ones full zerosLike onesLike fullLike arange linspace eye identity add subtract multiply divide trueDivide floorDivide remainder mod power negative positive abs sign sqrt square reciprocal exp exp2 expm1 log log2 log10 log1p sin cos tan arcsin arccos arctan arctan2 sinh cosh tanh arcsinh arccosh arctanh floor ceil round clip maximum minimum where isnan isinf isfinite equal notEqual less lessEqual greater greaterEqual logicalAnd logicalOr logicalNot logicalXor sum prod mean var std max min argmax argmin all any cumsum cumprod dot matmul vdot inner outer tensordot einsum trace reshape ravel transpose swapaxes moveaxis expandDims squeeze broadcastTo broadcastArrays concatenate stack hstack vstack split tile repeat flip roll pad take takeAlongAxis diagonal triu tril sort argsort meshgrid".split(
    " ",
  );

test("every jnp name of API.md is a function, and jnp is numpy", () => {
  assert.equal(J.jnp, J.numpy);
  for (const n of jnpNames) assert.equal(typeof (J.jnp as any)[n], "function", `jnp.${n}`);
  for (const n of ["norm", "inv", "solve", "cholesky", "det"]) assert.equal(typeof (J.jnp.linalg as any)[n], "function", `jnp.linalg.${n}`);
  assert.equal(J.jnp.pi, Math.PI);
  assert.equal(J.jnp.e, Math.E);
  assert.equal(J.jnp.inf, Infinity);
  assert.ok(Number.isNaN(J.jnp.nan));
  for (const d of ["float32", "float64", "int32", "uint32", "bool"]) assert.equal((J.jnp as any)[d], d);
});

test("transformation, tree, debug and device names are exported", () => {
  for (const n of "jit grad valueAndGrad vjp jvp linearize jacfwd jacrev hessian vmap makeJaxpr evalShape disableJit devices deviceCount devicePut customJvp customVjp checkpoint".split(" "))
    assert.equal(typeof (J as any)[n], "function", n);
  for (const n of "map leaves flatten unflatten structure registerNode".split(" ")) assert.equal(typeof (J.tree as any)[n], "function", `tree.${n}`);
  for (const n of "print callback".split(" ")) assert.equal(typeof (J.debug as any)[n], "function", `debug.${n}`);
  for (const n of "cond switch whileLoop foriLoop scan map stopGradient select".split(" ")) assert.equal(typeof (J.lax as any)[n], "function", `lax.${n}`);
  assert.equal(typeof J.config.update, "function");
});

test("error classes are exported with JAX's hierarchy", () => {
  const E = J.errors;
  assert.ok(new E.TracerBoolConversionError("x") instanceof E.ConcretizationTypeError);
  assert.ok(new E.ConcretizationTypeError("x") instanceof TypeError);
  assert.ok(new E.TracerIntegerConversionError("x") instanceof TypeError);
  assert.ok(new E.TracerArrayConversionError("x") instanceof TypeError);
  assert.ok(new E.UnexpectedTracerError("x") instanceof TypeError);
  assert.equal(new E.UnboundAxisNameError("i").name, "NameError");
  assert.match(new E.UnboundAxisNameError("i").message, /unbound axis name: i/);
  assert.equal(new E.ValueError("v").name, "ValueError");
});

test("devices: one CPU device by default, devicePut makes arrays", () => {
  const ds = J.devices();
  assert.ok(ds.length >= 1);
  assert.deepEqual(ds.map((d) => d.id), ds.map((_, i) => i));
  assert.equal(ds[0]!.platform, "cpu");
  assert.equal(J.deviceCount(), ds.length);
  const t = J.devicePut({ a: 1, b: [2, 3] });
  assert.ok(t.a instanceof J.Array);
  assert.deepEqual(t.b[1].tolist(), 3);
});
