// errors.test.ts — the errors of the transformations (SEMANTICS 0.3, 0.4, A.1, A.2, A.5, D
// rank 7) with JAX's key phrases and error classes: tracer conversions under jit and vmap
// (ConcretizationTypeError / TracerArrayConversionError naming the function and argument),
// which work under plain grad; leaked tracers (UnexpectedTracerError); tracer printing;
// shapes built from traced values; grad, vmap and jvp misuse. After every expected error a
// normal computation runs to check that the library keeps working.
import { test } from "node:test";
import assert from "node:assert/strict";
import { errors, grad, jacrev, jit, jnp, jvp, lax, makeJaxpr, valueAndGrad, vjp, vmap } from "../../src/index.js";
import type { Array as JArray } from "../../src/index.js";

type A = JArray;

/** The library still computes (eagerly, under jit, grad and vmap) after an error. */
function stillWorks(): void {
  const f = (x: A) => jnp.sin(x).mul(x).sum();
  const x = jnp.array([0.5, 1]);
  const g = grad(jit(f))(x) as A;
  const exp = [0.5, 1].map((v) => Math.sin(v) + v * Math.cos(v));
  (g.tolist() as number[]).forEach((v, i) => assert.ok(Math.abs(v - exp[i]!) < 1e-5, `stillWorks: grad ${v} vs ${exp[i]}`));
  assert.deepEqual(vmap((r: A) => r.mul(2))(jnp.array([1, 2])).tolist(), [2, 4]);
  assert.equal(Number(jnp.add(1, 2)), 3);
}

function throwsWith(fn: () => unknown, cls: new (...a: never[]) => Error, ...phrases: RegExp[]): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e.name}: ${e.message}`);
    for (const p of phrases) assert.match(e.message, p);
    return true;
  });
  stillWorks();
}

// ------------------------------------------------------------------ tracer conversions under jit
test("x > 0, Number(x), +x, Math.sin(x) and x + 1 inside jit: ConcretizationTypeError naming function and argument", () => {
  const bodies: [string, (x: A) => unknown][] = [
    ["x > 0", (x) => ((x as unknown as number) > 0 ? x : x.neg())],
    ["Number(x)", (x) => x.mul(Number(x))],
    ["+x", (x) => x.mul(+x)],
    ["Math.sin(x)", (x) => x.mul(Math.sin(x as unknown as number))],
    ["x + 1", (x) => (x as unknown as number) + 1],
  ];
  for (const [what, body] of bodies) {
    const f = jit(function myFunction(x: A) {
      return body(x) as A;
    });
    throwsWith(
      () => f(jnp.array(1.5)),
      errors.ConcretizationTypeError,
      /Abstract tracer value encountered where concrete value is expected/,
      /float32\[\]/,
      /myFunction/,
      /argument x/,
    );
    assert.ok(new errors.ConcretizationTypeError("d") instanceof TypeError, what);
  }
});

test("the argument named in the error is the one the value came from", () => {
  const f = jit(function twoArgs(a: A, b: A) {
    const c = b.mul(2);
    return (c as unknown as number) > 0 ? a : b;
  });
  throwsWith(() => f(jnp.array(1), jnp.array(2)), errors.ConcretizationTypeError, /twoArgs/, /argument b/);
  // pytree arguments are named by their path
  const g = jit(function withTree(p: { w: A; s: A[] }) {
    return Number(p.s[1]!) > 0 ? p.w : p.w.neg();
  });
  throwsWith(() => g({ w: jnp.ones([2]), s: [jnp.array(1), jnp.array(2)] }), errors.ConcretizationTypeError, /withTree/, /p\.s\[1\]|p\.s\.1|s\[1\]/);
});

test("x.item() inside jit is a ConcretizationTypeError; tolist(), dataSync() and data() are TracerArrayConversionErrors", () => {
  throwsWith(() => jit(function usesItem(x: A) {
    return x.mul(x.item() as number);
  })(jnp.array(2)), errors.ConcretizationTypeError, /item\(\)/, /usesItem/, /argument x/);
  throwsWith(() => jit(function usesTolist(x: A) {
    return x.mul((x.tolist() as number[])[0]!);
  })(jnp.array([2, 3])), errors.TracerArrayConversionError, /The numpy\.ndarray conversion method __array__\(\) was called on traced array with shape float32\[2\]/, /tolist\(\)/, /usesTolist/);
  throwsWith(() => jit(function usesDataSync(x: A) {
    return x.mul(x.dataSync()[0]!);
  })(jnp.array([2, 3])), errors.TracerArrayConversionError, /dataSync\(\)/, /usesDataSync/);
  throwsWith(() => jit(function usesData(x: A) {
    void x.data();
    return x;
  })(jnp.array([2, 3])), errors.TracerArrayConversionError, /dataSync\(\)/);
});

test("intermediate values, not just arguments, are abstract under jit; so are makeJaxpr and control-flow bodies", () => {
  throwsWith(() => jit((x: A) => (Number(jnp.sin(x).sum()) > 0 ? x : x))(jnp.ones([2])), errors.ConcretizationTypeError, /float32\[\]/);
  throwsWith(() => makeJaxpr((x: A) => x.mul(Number(x)))(1), errors.ConcretizationTypeError);
  throwsWith(() => lax.scan((c: A, e: A) => [c.add(Number(e)), c], jnp.array(0, "float32"), jnp.array([1, 2])), errors.ConcretizationTypeError);
  throwsWith(() => lax.cond(true, (v: A) => v.mul(Number(v)), (v: A) => v, jnp.array(1)), errors.ConcretizationTypeError);
  // a value computed only from constants inside jit is abstract too (staged), so it also errors
  throwsWith(() => jit((x: A) => x.mul(Number(jnp.ones([1]).sum())))(1), errors.ConcretizationTypeError);
});

test("a JS for loop bounded by a traced value is a ConcretizationTypeError naming the bound's argument", () => {
  const f = jit(function loopy(x: A, n: A) {
    let y = x;
    for (let i = 0; i < (n as unknown as number); i++) y = y.mul(2);
    return y;
  });
  throwsWith(() => f(jnp.array(1), jnp.array(3, "int32")), errors.ConcretizationTypeError, /int32\[\]/, /loopy/, /argument n/);
  // lax.foriLoop is the structured alternative
  const g = jit((x: A, n: A) => lax.foriLoop(0, n, (_i: A, y: A) => y.mul(2), x));
  assert.equal(Number(g(jnp.array(1), jnp.array(3, "int32"))), 8);
});

test("a static-only parameter from a traced value (reduction axis) is a ConcretizationTypeError", () => {
  throwsWith(() => jit((x: A) => x.sum(x.sum() as unknown as number))(jnp.ones([3])), errors.ConcretizationTypeError);
});

test("jnp.ones([n]) / reshape with a traced n: TypeError 'Shapes must be 1D sequences of concrete values of integer type'", () => {
  const n = jnp.array(3, "int32");
  throwsWith(() => jit((k: A) => jnp.ones([k as unknown as number]))(n), TypeError, /Shapes must be 1D sequences of concrete values of integer type/, /staticArgnums/);
  throwsWith(() => jit((x: A) => x.reshape([x.sum().astype("int32") as unknown as number, 1]))(jnp.ones([3])), TypeError, /Shapes must be 1D sequences of concrete values of integer type/);
  throwsWith(() => jit((k: A) => jnp.zeros(k as unknown as number))(n), TypeError, /Shapes must be 1D sequences of concrete values of integer type/);
  // with staticArgnums it works
  assert.deepEqual(jit((k: number) => jnp.ones([k]), { staticArgnums: 0 })(3).tolist(), [1, 1, 1]);
});

test("boolean-mask indexing with a traced mask inside jit: NonConcreteBooleanIndexError", () => {
  throwsWith(() => jit((x: A) => x.get(x.gt(0)))(jnp.array([1, -1])), errors.NonConcreteBooleanIndexError, /Array boolean indices must be concrete/);
  // eagerly it works
  assert.deepEqual(jnp.array([1, -1, 2]).get(jnp.array([true, false, true])).tolist(), [1, 2]);
});

// ------------------------------------------------------------------ under vmap and grad
test("the same conversions of a batched value inside vmap are errors", () => {
  throwsWith(() => vmap((x: A) => ((x as unknown as number) > 0 ? x : x.neg()))(jnp.array([1, -1])), errors.ConcretizationTypeError, /vmap/);
  throwsWith(() => vmap((x: A) => x.mul(Number(x)))(jnp.array([1, -1])), errors.ConcretizationTypeError);
  throwsWith(() => vmap((x: A) => x.mul(x.item() as number))(jnp.array([1, -1])), errors.ConcretizationTypeError, /item\(\)/);
  throwsWith(() => vmap((x: A) => x.mul((x.tolist() as number[])[0]!))(jnp.array([[1], [2]])), errors.TracerArrayConversionError);
  throwsWith(() => vmap((x: A) => x.mul(x.dataSync()[0]!))(jnp.array([1, -1])), errors.TracerArrayConversionError);
  // an unbatched argument (inAxes null) stays concrete inside vmap
  assert.deepEqual(vmap((x: A, s: A) => x.mul(s.item() as number), { inAxes: [0, null] })(jnp.array([1, 2]), jnp.array(3)).tolist(), [3, 6]);
});

test("inside plain grad (and jvp, vjp, valueAndGrad) the same conversions work", () => {
  const f = (x: A) => ((x as unknown as number) > 0 ? x.mul(Number(x)).mul(x.item() as number) : x.mul((x.tolist() as number) * x.dataSync()[0]!));
  // f(x) = x * c with c = x^2 held constant: derivative c
  assert.equal(Number(grad(f)(3)), 9);
  assert.equal(Number(grad(f)(-2)), 4);
  const [v, g] = valueAndGrad(f)(3) as [A, A];
  assert.equal(Number(v), 27);
  assert.equal(Number(g), 9);
  const [, t] = jvp(f, [jnp.array(2)], [jnp.array(1)]) as [A, A];
  assert.equal(Number(t), 4);
  const [, pull] = vjp(f, jnp.array(2));
  assert.equal(Number((pull(jnp.array(1)) as A[])[0]), 4);
  // but grad of jit of such a function is abstract inside the jit
  throwsWith(() => grad(jit(f))(3), errors.ConcretizationTypeError);
});

// ------------------------------------------------------------------ leaks and printing
test("a leaked jit tracer used later is an UnexpectedTracerError; the library keeps working", () => {
  let leaked: A | undefined;
  const f = jit((x: A) => {
    leaked = x.mul(2);
    return x;
  });
  f(jnp.array(1));
  throwsWith(() => leaked!.add(1), errors.UnexpectedTracerError, /Encountered an unexpected tracer/, /float32\[\]/, /escape the scope of the transformation/);
  throwsWith(() => jnp.sin(leaked!), errors.UnexpectedTracerError);
  throwsWith(() => jit((x: A) => x.add(leaked!))(jnp.array(1)), errors.UnexpectedTracerError);
  throwsWith(() => vmap((x: A) => x.add(leaked!))(jnp.array([1, 2])), errors.UnexpectedTracerError);
  throwsWith(() => grad((x: A) => x.add(leaked!))(1), errors.UnexpectedTracerError);
});

test("leaked tracers from vmap and grad are UnexpectedTracerErrors too", () => {
  let fromVmap: A | undefined;
  vmap((x: A) => {
    fromVmap = x;
    return x;
  })(jnp.array([1, 2]));
  throwsWith(() => fromVmap!.mul(2), errors.UnexpectedTracerError, /escape the scope/);
  let fromGrad: A | undefined;
  grad((x: A) => {
    fromGrad = x.mul(x);
    return x;
  })(3);
  throwsWith(() => fromGrad!.add(1), errors.UnexpectedTracerError);
  let fromScan: A | undefined;
  lax.scan(
    (c: A, e: A) => {
      fromScan = e;
      return [c, c];
    },
    jnp.array(0, "float32"),
    jnp.array([1, 2]),
  );
  throwsWith(() => fromScan!.add(1), errors.UnexpectedTracerError);
});

test("console.log / String of a tracer inside jit shows its abstract type, not numbers, and does not crash", () => {
  const seen: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => seen.push(a.map((v) => (typeof v === "string" ? v : String(v))).join(" "));
  try {
    jit((x: A) => {
      console.log(x);
      seen.push(String(x), `${x}`, x.toString());
      return x;
    })(jnp.array([1, 2, 3]));
  } finally {
    console.log = orig;
  }
  assert.equal(seen.length, 4);
  for (const s of seen) {
    assert.match(s, /JitTracer\(float32\[3\]\)/);
    assert.doesNotMatch(s, /1\., 2\./);
  }
  let inVmap = "";
  vmap((x: A) => {
    inVmap = String(x);
    return x;
  })(jnp.array([1, 2]));
  assert.match(inVmap, /float32\[\]/);
  assert.match(inVmap, /Tracer/);
  stillWorks();
});

// ------------------------------------------------------------------ jit argument errors
test("jit: non-array dynamic arguments and non-hashable static arguments", () => {
  throwsWith(() => jit(function f(x: A) {
    return x;
  })("a string" as unknown as A), TypeError, /Error interpreting argument to f as an abstract array/, /string/);
  throwsWith(() => jit((x: A, s: unknown) => x, { staticArgnums: 1 })(jnp.ones([1]), [1, 2]), errors.ValueError, /Non-hashable static arguments are not supported/);
  throwsWith(() => jit((x: A) => x, { staticArgnums: 1 }), errors.ValueError, /Jitted function has static_argnums=\(1,\), but only accepts 1 positional arguments/);
  throwsWith(() => jit(null as unknown as () => void), TypeError, /Expected a callable value/);
});

// ------------------------------------------------------------------ grad errors (A.2)
test("grad: non-scalar output with the reshape/sum hints", () => {
  throwsWith(() => grad((x: A) => x.mul(2))(jnp.ones([3])), TypeError, /Gradient only defined for scalar-output functions\. Output had shape: \(3,\)/, /sum\(\)/);
  throwsWith(() => grad((x: A) => x.mul(2))(jnp.ones([1])), TypeError, /Output had shape: \(1,\)/, /reshape/);
  throwsWith(() => grad((x: A) => x.reshape([1, 1]))(1), TypeError, /Output had shape: \(1, 1\)/, /reshape/);
  throwsWith(() => grad((x: A) => [x, x])(1), TypeError, /Gradient only defined for scalar-output functions\. Output was/);
});

test("grad: integer output, integer input without allowInt", () => {
  throwsWith(() => grad((x: A) => x.astype("int32"))(1), TypeError, /grad requires real-valued outputs \(output dtype that is a sub-dtype of np\.floating\), but got int32/, /vjp/);
  throwsWith(() => grad((x: A) => x.gt(0))(1), TypeError, /grad requires real-valued outputs/, /bool/);
  throwsWith(
    () => grad((x: A) => x.astype("float32").sum())(jnp.array([1, 2], "int32")),
    TypeError,
    /grad requires real- or complex-valued inputs \(input dtype that is a sub-dtype of np\.inexact\), but got int32/,
    /allowInt|allow_int/,
  );
  throwsWith(() => grad((x: A) => x.astype("float32"))(jnp.array(true)), TypeError, /real- or complex-valued inputs/, /bool/);
  throwsWith(() => valueAndGrad((x: A) => x.astype("int32"))(1), TypeError, /requires real-valued outputs/);
  throwsWith(() => jacrev((x: A) => x)(jnp.array([1], "int32")), TypeError, /real/);
});

test("grad: argnums out of range, hasAux without a pair, non-array argument, non-callable", () => {
  throwsWith(
    () => (grad((x: A, y: A) => x.mul(y), { argnums: 1 }) as (...a: unknown[]) => A)(1),
    TypeError,
    /differentiating with respect to argnums=1 requires at least 2 positional arguments to be passed by the caller, but got only 1 positional arguments/,
  );
  throwsWith(() => (grad((x: A) => x, { argnums: [0, 2] }) as (...a: unknown[]) => A)(1, 2), TypeError, /argnums/);
  throwsWith(() => (grad((x: A) => x, { argnums: -3 }) as (...a: unknown[]) => A)(1, 2), TypeError, /argnums/);
  throwsWith(() => grad((x: A) => x, { hasAux: true })(1), TypeError, /expected function with aux output to return a two-element tuple/);
  throwsWith(() => grad((x: A) => [x, x, x], { hasAux: true })(1), TypeError, /two-element tuple/);
  throwsWith(() => grad((x: A) => x)("foo" as unknown as A), TypeError, /is not a valid JAX type/, /string/);
  throwsWith(() => grad((p: { a: A }) => p.a)({ a: "x" } as unknown as { a: A }), TypeError, /not a valid JAX type/);
  throwsWith(() => grad("f" as unknown as () => A), TypeError, /Expected a callable value/);
});

test("grad: reduceAxes is rejected with NotImplementedError ('reduce_axes argument to grad is deprecated')", () => {
  throwsWith(() => grad((x: A) => x, { reduceAxes: ["i"] }), errors.NotImplementedError, /reduce_axes argument to grad is deprecated/);
  // an empty list is accepted
  assert.equal(Number(grad((x: A) => x.mul(3), { reduceAxes: [] })(1)), 3);
});

// ------------------------------------------------------------------ jvp / vjp errors
test("jvp: shape, dtype and structure mismatches between primals and tangents", () => {
  throwsWith(() => jvp((x: A) => x, [jnp.ones([3])], [jnp.ones([2])]), errors.ValueError, /jvp called with different primal and tangent shapes/, /\(3,\)/, /\(2,\)/);
  throwsWith(() => jvp((x: A) => x, [jnp.ones([3])], [jnp.ones([3, 1])]), errors.ValueError, /different primal and tangent shapes/);
  throwsWith(() => jvp((x: A) => x, [jnp.ones([3])], [jnp.ones([3], "int32")]), TypeError, /primal and tangent arguments to jvp do not match/, /int32/);
  throwsWith(() => jvp((x: A) => x, [jnp.ones([3])], [[jnp.ones([3])]]), TypeError, /same tree structure/);
  throwsWith(() => jvp((x: A, y: A) => x.add(y), [jnp.ones([3]), jnp.ones([3])], [jnp.ones([3])]), TypeError, /tree structure/);
  throwsWith(() => jvp((x: A) => x, jnp.ones([3]) as unknown as A[], [jnp.ones([3])]), TypeError);
});

test("vjp: the pullback checks cotangent structure and shape", () => {
  const [, pull] = vjp((x: A) => [x, x.sum()], jnp.ones([2]));
  throwsWith(() => pull(jnp.ones([2])), TypeError, /unexpected tree structure/);
  throwsWith(() => pull([jnp.ones([3]), jnp.array(1)]), errors.ValueError, /shape/);
  const g = pull([jnp.ones([2]), jnp.array(1)]) as A[];
  assert.deepEqual(g[0]!.tolist(), [2, 2]);
});

// ------------------------------------------------------------------ vmap errors (A.5)
test("vmap: inconsistent sizes list each argument with its axis, size and type", () => {
  throwsWith(
    () => vmap(function add2(a: A, b: A) {
      return a.add(b);
    })(jnp.ones([3]), jnp.ones([4])),
    errors.ValueError,
    /vmap got inconsistent sizes for array axes to be mapped/,
    /size 3: axis 0 of argument .*float32\[3\]/,
    /size 4: axis 0 of argument .*float32\[4\]/,
  );
  throwsWith(
    () => vmap((a: A, b: A, c: A) => a.add(b).add(c))(jnp.ones([3]), jnp.ones([3]), jnp.ones([5, 2])),
    errors.ValueError,
    /most axes \(2 of them\) had size 3/,
    /one axis had size 5/,
  );
  throwsWith(() => vmap((a: A, b: A) => a.add(b), { inAxes: [0, 1] })(jnp.ones([3]), jnp.ones([3, 2])), errors.ValueError, /axis 1 of argument/);
  throwsWith(() => vmap((a: A) => a, { axisSize: 2 })(jnp.ones([3])), errors.ValueError, /inconsistent sizes/, /the `axis_size` argument was 2/);
});

test("vmap: mapped axis out of range (a scalar mapped along 0, axis 2 of a matrix)", () => {
  throwsWith(
    () => vmap((a: A) => a)(jnp.array(1)),
    errors.ValueError,
    /vmap was requested to map its argument along axis 0, which implies that its rank should be at least 1, but is only 0 \(its shape is \(\)\)/,
  );
  throwsWith(() => vmap((a: A) => a, { inAxes: 2 })(jnp.ones([3, 2])), errors.ValueError, /along axis 2.*at least 3, but is only 2 \(its shape is \(3, 2\)\)/);
  throwsWith(() => vmap((a: A) => a, { inAxes: -3 })(jnp.ones([3, 2])), errors.ValueError, /along axis -3/);
  throwsWith(() => vmap((a: A) => a)(5), errors.ValueError, /rank should be at least 1/);
});

test("vmap: outAxes null on a batched output; outAxes out of range; not a prefix of the output", () => {
  throwsWith(() => vmap((a: A) => a, { outAxes: null })(jnp.ones([3])), errors.ValueError, /got axis spec None but output was batched on axis 0/);
  throwsWith(() => vmap((a: A) => [a.sum(), a], { outAxes: [null, null] })(jnp.ones([3, 2])), errors.ValueError, /out_axes.*\[0\]|out_axes\[0\]/, /batched on axis 0/);
  throwsWith(() => vmap((a: A) => a, { outAxes: null, axisName: "foo" })(jnp.ones([3])), errors.ValueError, /vmap has mapped output \(axis_name=foo\) but out_axes is None/);
  throwsWith(() => vmap((a: A) => a, { outAxes: 2 })(jnp.ones([3])), errors.ValueError, /axis 2 is out of bounds for array of dimension 1/);
  throwsWith(() => vmap((a: A) => a, { outAxes: -3 })(jnp.ones([3])), errors.ValueError, /out of bounds/);
  throwsWith(() => vmap((a: A) => a, { outAxes: [0, 0] })(jnp.ones([3])), errors.ValueError, /vmap out_axes specification must be a tree prefix of the corresponding value/);
});

test("vmap: inAxes not a tree prefix, wrong length, non-int leaves", () => {
  throwsWith(() => vmap((d: { a: A }) => d.a, { inAxes: [{ a: 0, b: 0 }] })({ a: jnp.ones([2]) }), errors.ValueError, /vmap in_axes specification must be a tree prefix of the corresponding value/);
  throwsWith(() => vmap((l: A[]) => l[0]!, { inAxes: [[0, 0]] })([jnp.ones([2])]), errors.ValueError, /tree prefix/);
  throwsWith(
    () => vmap((a: A, b: A) => a.add(b), { inAxes: [0] })(jnp.ones([3]), jnp.ones([3])),
    errors.ValueError,
    /vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got len\(in_axes\)=1, len\(args\)=2/,
  );
  for (const bad of [1.5, true, "a", [false], [jnp.array(0)]]) {
    throwsWith(() => vmap((a: A) => a, { inAxes: bad }), TypeError, /vmap in_axes must be an int, None, or \(nested\) container with those types as leaves/);
  }
  throwsWith(() => vmap((a: A) => a, { outAxes: 0.5 }), TypeError, /out_axes must be an int, None, or \(nested\) container/);
});

test("vmap: no mapped input and no axisSize; no arguments at all; non-array outputs", () => {
  throwsWith(() => vmap((a: A) => a, { inAxes: null })(jnp.ones([3])), errors.ValueError, /vmap must have at least one non-None value in in_axes or axis_size must be specified/);
  throwsWith(() => vmap(() => jnp.ones([2]))(), errors.ValueError, /vmap wrapped function must be passed at least one argument containing an array or axis_size must be specified/);
  throwsWith(() => vmap(function strOut(a: A) {
    void a;
    return "s";
  })(jnp.ones([3])), TypeError, /strOut/, /not a valid JAX type/);
  throwsWith(() => vmap((a: A) => a)("str" as unknown as A), TypeError, /not a valid JAX type/);
});

// ------------------------------------------------------------------ control flow errors
test("control flow errors keep the library working", () => {
  throwsWith(() => lax.cond(true, (v: A) => v, (v: A) => v.astype("int32"), jnp.array(1, "float32")), TypeError, /must have identical types/);
  throwsWith(() => lax.cond(jnp.ones([2]).gt(0), (v: A) => v, (v: A) => v, jnp.array(1)), TypeError, /Pred must be a scalar/);
  throwsWith(() => grad((x: A) => lax.whileLoop((s: A) => s.lt(10), (s: A) => s.mul(2), x))(1), errors.ValueError, /Reverse-mode differentiation does not work for lax\.whileLoop/);
  throwsWith(() => lax.scan((c: A) => [c.astype("int32"), c], jnp.array(0, "float32"), jnp.ones([2])), TypeError, /carry/);
});

test("toBool and toInt: concrete values convert; tracers throw the JAX conversion errors", async () => {
  const { jit: J, jnp: N, errors: E, grad: G } = await import("../../src/index.js");
  assert.equal(N.array(true).toBool(), true);
  assert.equal(N.array(0).toBool(), false);
  assert.equal(N.array(7, "int32").toInt(), 7);
  assert.throws(() => N.array([1, 2]).toBool(), /truth value of an array with more than one element is ambiguous/);
  assert.throws(() => N.array(1.5).toInt(), /only integer scalar arrays can be converted to an index/);
  assert.throws(() => J((x: any) => (x.gt(0).toBool() ? x : x.neg()))(1.0), (e) => e instanceof E.TracerBoolConversionError && /Attempted boolean conversion of traced array with shape bool\[\]/.test((e as Error).message));
  assert.throws(() => J((n: any) => N.ones([n.toInt()]))(N.array(3, "int32")), (e) => e instanceof E.TracerIntegerConversionError && /__index__\(\) method was called on traced array with shape int32\[\]/.test((e as Error).message));
  // under plain grad values are concrete
  assert.equal(Number(G((x: any) => (x.gt(0).toBool() ? x.mul(2) : x))(1.0)), 2);
});
