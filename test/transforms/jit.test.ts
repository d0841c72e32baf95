// jit.test.ts — adversarial tests of jit (SEMANTICS A.1, A.8, B.4, B.5): the trace cache and
// when it retraces (counted with a counter incremented inside the traced function), static
// and donated arguments, stale globals and side effects, jit composed with itself, with grad
// and with vmap, makeJaxpr's text form, evalShape and disableJit. After every expected error
// a normal computation is run to check that the library still works.
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, disableJit, errors, evalShape, grad, jit, jnp, lax, makeJaxpr, valueAndGrad, vmap } from "../../src/index.js";
import type { Array as JArray } from "../../src/index.js";

type A = JArray;

/** Checks shape, dtype and values (float32 tolerance of SEMANTICS 0.6). */
function close(x: A, expected: number | number[] | number[][], opts: { dtype?: string; weak?: boolean; tol?: number } = {}): void {
  assert.ok(x instanceof jnp.Array, `expected an Array, got ${String(x)}`);
  const flat = (Array.isArray(expected) ? expected.flat(2) : [expected]) as number[];
  const shape: number[] = [];
  let e: unknown = expected;
  while (Array.isArray(e)) {
    shape.push(e.length);
    e = e[0];
  }
  assert.deepEqual(x.shape, shape, `shape [${x.shape}] vs [${shape}]`);
  assert.equal(x.dtype, opts.dtype ?? "float32");
  if (opts.weak !== undefined) assert.equal(x.weakType, opts.weak, "weak type");
  const got = Array.from(x.dataSync() as ArrayLike<number>);
  const tol = opts.tol ?? 1e-5;
  got.forEach((g, i) => assert.ok(Math.abs(g - flat[i]!) <= tol + tol * Math.abs(flat[i]!), `element ${i}: got ${g}, expected ${flat[i]}`));
}

/** The library still computes after an error. */
function stillWorks(): void {
  close(jit((x: A) => jnp.sin(x).mul(2))(jnp.array([0, Math.PI / 2])), [0, 2]);
  close(jnp.add(jnp.ones([2]), 1), [2, 2]);
}

// ------------------------------------------------------------------ caching (B.4)
test("jit: same signature traces once; values differ, result follows the values", () => {
  let traces = 0;
  const f = jit((x: A) => {
    traces++;
    return x.mul(x).add(1);
  });
  close(f(jnp.array([1, 2, 3])), [2, 5, 10]);
  close(f(jnp.array([4, 5, 6])), [17, 26, 37]);
  close(f(jnp.array([0, 0, 0])), [1, 1, 1]);
  assert.equal(traces, 1);
});

test("jit: a new shape or dtype retraces, an old one hits the cache again", () => {
  let traces = 0;
  const f = jit((x: A) => {
    traces++;
    return x.add(x);
  });
  f(jnp.ones([3]));
  assert.equal(traces, 1);
  f(jnp.ones([4]));
  assert.equal(traces, 2);
  f(jnp.ones([2, 2]));
  assert.equal(traces, 3);
  const r = f(jnp.ones([3], "int32"));
  assert.equal(traces, 4);
  assert.equal(r.dtype, "int32");
  assert.deepEqual(r.tolist(), [2, 2, 2]);
  f(jnp.ones([3], "float64"));
  assert.equal(traces, 5);
  f(jnp.ones([3]));
  f(jnp.ones([4]));
  f(jnp.ones([3], "int32"));
  assert.equal(traces, 5);
});

test("jit: weak (JS number) vs strong float32 scalar retrace; jnp.array(2) is weak like a number", () => {
  let traces = 0;
  const f = jit((x: A) => {
    traces++;
    return x.mul(2);
  });
  const a = f(2);
  assert.equal(traces, 1);
  close(a, 4, { weak: true });
  f(3);
  assert.equal(traces, 1);
  const weakArr = jnp.array(2);
  assert.equal(weakArr.weakType, true);
  close(f(weakArr), 4, { weak: true });
  assert.equal(traces, 1, "jnp.array(2) is weak: same key as a JS number");
  const b = f(jnp.array(2, "float32"));
  assert.equal(traces, 2, "strong float32 scalar retraces");
  close(b, 4, { weak: false });
  f(jnp.array(5, "float32"));
  assert.equal(traces, 2);
  assert.equal(jnp.add(f(1), jnp.ones([2], "float64")).dtype, "float64", "a weak jit output yields to a strong partner");
});

test("jit: booleans and bool arrays key as bool; a pytree structure change retraces", () => {
  let traces = 0;
  const f = jit((t: { a: A; b: A[] }) => {
    traces++;
    return t.a.add(t.b[0]!);
  });
  close(f({ a: jnp.ones([2]), b: [jnp.ones([2])] }), [2, 2]);
  close(f({ a: jnp.ones([2]), b: [jnp.ones([2])] }), [2, 2]);
  assert.equal(traces, 1);
  close(f({ a: jnp.ones([2]), b: [jnp.ones([2]), jnp.ones([2])] }), [2, 2]);
  assert.equal(traces, 2, "list length is part of the structure");
  // key order in the object does not matter (sorted keys)
  f({ b: [jnp.ones([2])], a: jnp.ones([2]) } as { a: A; b: A[] });
  assert.equal(traces, 2);
  let bt = 0;
  const g = jit((p: A, x: A) => {
    bt++;
    return jnp.where(p, x, x.neg());
  });
  close(g(true, jnp.array([1, 2])), [1, 2]);
  close(g(false, jnp.array([1, 2])), [-1, -2]);
  assert.equal(bt, 1);
  close(g(jnp.array(true), jnp.array([1, 2])), [1, 2]);
  assert.equal(bt, 1, "a JS boolean and a bool[] array have the same key");
});

test("jit: two jit(f) wrappers of the same f share the cache; a fresh closure traces again", () => {
  let traces = 0;
  const f = (x: A) => {
    traces++;
    return x.sub(1);
  };
  close(jit(f)(jnp.array([1, 2])), [0, 1]);
  close(jit(f)(jnp.array([3, 4])), [2, 3]);
  assert.equal(traces, 1);
  // different options: a different cache entry
  jit(f, { donateArgnums: [] })(jnp.array([3, 4]));
  let fresh = 0;
  for (let i = 0; i < 3; i++)
    jit((x: A) => {
      fresh++;
      return x;
    })(jnp.ones([2]));
  assert.equal(fresh, 3);
});

test("jit: numbers of positional arguments are part of the key", () => {
  let traces = 0;
  const f = jit((...xs: A[]) => {
    traces++;
    return xs.reduce((a, b) => a.add(b));
  });
  close(f(jnp.ones([2]), jnp.ones([2])), [2, 2]);
  close(f(jnp.ones([2]), jnp.ones([2]), jnp.ones([2])), [3, 3]);
  assert.equal(traces, 2);
});

test("jit: an error while tracing caches nothing; the next call traces again and works", () => {
  let traces = 0;
  const g = jit(
    (x: A, bad: boolean) => {
      traces++;
      if (bad) throw new Error("boom while tracing");
      return x.mul(2);
    },
    { staticArgnums: 1 },
  );
  assert.throws(() => g(1, true), /boom while tracing/);
  close(g(1, false), 2);
  assert.throws(() => g(1, true), /boom while tracing/);
  assert.equal(traces, 3);
  close(g(4, false), 8);
  assert.equal(traces, 3);
  stillWorks();
});

test("jit: stale globals are not seen after the first trace; host side effects only while tracing", () => {
  let scale = 2;
  const log: string[] = [];
  const f = jit((x: A) => {
    log.push(`traced with ${String(x)}`);
    return x.mul(scale);
  });
  close(f(jnp.array([1, 2])), [2, 4]);
  scale = 10;
  close(f(jnp.array([1, 2])), [2, 4], {}); // stale: still multiplies by 2
  close(f(jnp.array([3, 4])), [6, 8]);
  assert.equal(log.length, 1);
  assert.match(log[0]!, /JitTracer\(float32\[2\]\)/);
  // a new shape retraces and sees the new global
  close(f(jnp.array([1, 2, 3])), [10, 20, 30]);
  assert.equal(log.length, 2);
});

// ------------------------------------------------------------------ static arguments
test("jit staticArgnums: each new static value retraces; 1, '1' and true are different keys", () => {
  let traces = 0;
  const seen: unknown[] = [];
  const f = jit(
    (x: A, k: unknown) => {
      traces++;
      seen.push(k);
      return typeof k === "number" ? x.mul(k) : typeof k === "string" ? x.add(Number(k)) : x.neg();
    },
    { staticArgnums: 1 },
  );
  close(f(jnp.array([1, 2]), 3), [3, 6]);
  close(f(jnp.array([5, 6]), 3), [15, 18]);
  assert.equal(traces, 1);
  close(f(jnp.array([1, 2]), 4), [4, 8]);
  assert.equal(traces, 2);
  close(f(jnp.array([1, 2]), 1), [1, 2]);
  close(f(jnp.array([1, 2]), "1"), [2, 3]);
  close(f(jnp.array([1, 2]), true), [-1, -2]);
  assert.equal(traces, 5);
  assert.deepEqual(seen, [3, 4, 1, "1", true], "static values are passed as the real host objects");
  f(jnp.array([1, 2]), "1");
  f(jnp.array([1, 2]), true);
  assert.equal(traces, 5);
});

test("jit staticArgnums: static values shape the program (loop unrolled, shape from a static)", () => {
  let traces = 0;
  const f = jit(
    (x: A, n: number) => {
      traces++;
      let y = x;
      for (let i = 0; i < n; i++) y = y.mul(2);
      return jnp.ones([n]).mul(y.sum());
    },
    { staticArgnums: [1] },
  );
  close(f(jnp.array([1, 1]), 3), [16, 16, 16]);
  close(f(jnp.array([1, 1]), 2), [8, 8]);
  assert.equal(traces, 2);
  assert.equal(String(makeJaxpr((x: A, n: number) => x.mul(n), { staticArgnums: 1 })(jnp.ones([2]), 3)), "{ lambda ; a:f32[2]. let b:f32[2] = mul a 3.0:f32[] in (b,) }");
});

test("jit staticArgnums: negative index counts from the end; functions and hashable objects are fine", () => {
  let traces = 0;
  const f = jit(
    (x: A, op: (a: A) => A) => {
      traces++;
      return op(x);
    },
    { staticArgnums: -1 },
  );
  close(f(jnp.array([0, 1]), jnp.exp), [1, Math.E]);
  close(f(jnp.array([0, 1]), jnp.exp), [1, Math.E]);
  assert.equal(traces, 1);
  close(f(jnp.array([0, 1]), jnp.negative), [-0, -1]);
  assert.equal(traces, 2);
  class Cfg {
    constructor(readonly k: number) {}
    hash() {
      return this.k;
    }
  }
  let ct = 0;
  const g = jit(
    (x: A, c: Cfg) => {
      ct++;
      return x.mul(c.k);
    },
    { staticArgnums: 1 },
  );
  close(g(jnp.array([1]), new Cfg(2)), [2]);
  close(g(jnp.array([1]), new Cfg(2)), [2]);
  assert.equal(ct, 1, "objects with equal hash() share an entry");
  close(g(jnp.array([1]), new Cfg(3)), [3]);
  assert.equal(ct, 2);
});

test("jit staticArgnums: objects with equal hash() but unequal equals() do not share a trace", () => {
  class Cfg {
    constructor(readonly k: number) {}
    hash() {
      return 0; // every instance collides
    }
    equals(o: unknown) {
      return o instanceof Cfg && o.k === this.k;
    }
  }
  let traces = 0;
  const f = jit(
    (x: A, c: Cfg) => {
      traces++;
      return x.mul(c.k);
    },
    { staticArgnums: 1 },
  );
  close(f(jnp.ones([1]), new Cfg(2)), [2]);
  close(f(jnp.ones([1]), new Cfg(2)), [2]);
  assert.equal(traces, 1, "equal by equals(): one trace");
  close(f(jnp.ones([1]), new Cfg(3)), [3]);
  assert.equal(traces, 2);
});

test("jit staticArgnums: a JS array or plain object as static argument is non-hashable (ValueError at call time)", () => {
  const f = jit((x: A, s: unknown) => x.mul(Array.isArray(s) ? s.length : 1), { staticArgnums: 1 });
  for (const bad of [[1, 2], { a: 1 }, jnp.ones([2])]) {
    assert.throws(
      () => f(jnp.ones([2]), bad),
      (e: Error) => e instanceof errors.ValueError && /Non-hashable static arguments are not supported/.test(e.message) && /index 1/.test(e.message),
    );
    stillWorks();
  }
  close(f(jnp.ones([2]), 3), [1, 1]);
});

test("jit staticArgnums out of range for a fixed-arity function is a ValueError at wrap time", () => {
  const f = (x: A, y: A) => x.add(y);
  for (const bad of [2, 5, -3]) {
    assert.throws(
      () => jit(f, { staticArgnums: bad }),
      (e: Error) => e instanceof errors.ValueError && /Jitted function has static_argnums=\(-?\d+,\), but only accepts 2 positional arguments/.test(e.message),
    );
  }
  assert.throws(() => jit(f, { donateArgnums: [0, 7] }), (e: Error) => e instanceof errors.ValueError && /donate_argnums/.test(e.message));
  // a variadic function accepts any index
  const v = jit((...xs: unknown[]) => (xs[0] as A).mul(xs.length), { staticArgnums: 3 });
  close(v(jnp.array([1]), jnp.array([1]), jnp.array([1]), "s"), [4]);
  stillWorks();
});

test("jit staticArgnums with default parameters: a defaulted parameter is still positional; negatives count from the declared end", () => {
  const f = (x: A, n = 2) => x.mul(n);
  close(jit(f, { staticArgnums: 1 })(jnp.ones([2]), 3), [3, 3]);
  close(jit(function g(x: A, n = 2) {
    return x.mul(n);
  }, { staticArgnums: 1 })(jnp.ones([2]), 4), [4, 4]);
  assert.throws(() => jit(f, { staticArgnums: 2 }), /only accepts 2 positional arguments/);
  // -1 is n even when the caller omits it (then nothing is static and the default applies)
  close(jit(f, { staticArgnums: -1 })(jnp.ones([2])), [2, 2]);
  close(jit(f, { staticArgnums: -1 })(jnp.ones([2]), 5), [5, 5]);
});

test("jit: a non-array dynamic argument is a TypeError naming the function and the argument path", () => {
  const f = jit(function scaleBy(x: A, opts: { mode: string; w: A }) {
    return x.mul(opts.w);
  });
  assert.throws(
    () => f(jnp.ones([2]), { mode: "fast", w: jnp.ones([2]) }),
    (e: Error) =>
      e instanceof TypeError &&
      /Error interpreting argument to scaleBy as an abstract array/.test(e.message) &&
      /string/.test(e.message) &&
      /opts\.mode/.test(e.message) &&
      /static/.test(e.message),
  );
  stillWorks();
  const g = jit(function h(s: string) {
    return jnp.ones([1]).mul(s.length);
  });
  assert.throws(() => g("abc"), /Error interpreting argument to h as an abstract array/);
  assert.throws(() => jit(3 as unknown as () => void), /Expected a callable value/);
  stillWorks();
});

test(
  "jit accepts a typed array as a dynamic argument, like jnp.array(typedArray) (JAX accepts numpy arrays)",
  () => {
    let traces = 0;
    const f = jit((x: A) => {
      traces++;
      return x.mul(2);
    });
    close(f(new Float32Array([1, 2]) as unknown as A), [2, 4]);
    close(f(jnp.array([3, 4])), [6, 8]);
    assert.equal(traces, 1, "a Float32Array has the key of a float32[2] array");
    close(f(new Int32Array([1, 2]) as unknown as A), [2, 4], { dtype: "float32" });
  },
);

test("jit: a non-array output leaf is a TypeError; host numbers in the output become weak arrays", () => {
  const bad = jit((x: A) => [x, "nope"]);
  assert.throws(() => bad(jnp.ones([1])), (e: Error) => e instanceof TypeError && /not a valid JAX type/.test(e.message));
  stillWorks();
  const [a, b, c] = jit((x: A) => [x, 3, true])(jnp.ones([1])) as [A, A, A];
  close(a, [1]);
  close(b, 3, { weak: true });
  assert.equal(c.dtype, "bool");
  assert.equal(c.item(), true);
});

// ------------------------------------------------------------------ donation
test("jit donateArgnums: the donated input is deleted afterwards; others are kept", () => {
  const f = jit((x: A, y: A) => x.mul(2).add(y), { donateArgnums: 0 });
  const x = jnp.array([1, 2, 3]);
  const y = jnp.array([1, 1, 1]);
  close(f(x, y), [3, 5, 7]);
  assert.throws(() => x.tolist(), /Array has been deleted/);
  assert.throws(() => x.dataSync(), /Array has been deleted/);
  assert.deepEqual(y.tolist(), [1, 1, 1], "a non-donated argument is untouched");
  stillWorks();
});

test("jit donateArgnums: computing with a deleted array throws instead of giving garbage", () => {
  const f = jit((x: A) => x.add(1), { donateArgnums: [0] });
  const x = jnp.array([1, 2, 3]);
  close(f(x), [2, 3, 4]);
  assert.throws(() => x.add(1), /Array has been deleted/);
  assert.throws(() => jnp.sin(x), /Array has been deleted/);
  assert.throws(() => f(x), /Array has been deleted/);
  stillWorks();
});

test("jit donateArgnums: ignored under grad, inside an outer jit and under vmap; a donated input returned as output stays valid", () => {
  const x = jnp.array([1, 2]);
  close(grad(jit((v: A) => v.mul(v).sum(), { donateArgnums: 0 }))(x), [2, 4]);
  close(x, [1, 2]);
  close(jit((y: A) => jit((v: A) => v.mul(2), { donateArgnums: 0 })(y))(x), [2, 4]);
  close(x, [1, 2]);
  close(vmap(jit((v: A) => v.mul(2), { donateArgnums: 0 }))(x), [2, 4]);
  close(x, [1, 2]);
  const r = jit((v: A) => v, { donateArgnums: 0 })(x);
  close(r, [1, 2]);
  close(x, [1, 2]);
});

test("jit: a traced integer index gathers and scatters dynamically", () => {
  const x = jnp.array([1, 2, 3]);
  let traces = 0;
  const g = jit((v: A, i: A) => {
    traces++;
    return v.get(i);
  });
  close(g(x, jnp.array(1, "int32")), 2);
  close(g(x, jnp.array(2, "int32")), 3);
  assert.equal(traces, 1, "the index value is not part of the key");
  close(jit((v: A, i: A) => v.at(i).set(10))(x, jnp.array(1, "int32")), [1, 10, 3]);
});

// ------------------------------------------------------------------ compositions (B.1, B.2)
const poly = (x: A) => x.mul(x).mul(x).add(x.mul(x).mul(2)).sub(x.mul(3)).add(1); // x^3+2x^2-3x+1

test("jit(f)(x) == f(x) for a few functions, dtypes and weak types preserved", () => {
  const fs: [string, (x: A) => A][] = [
    ["poly", poly],
    ["tanh-sum", (x) => jnp.tanh(x).sum()],
    ["softmax", (x) => jnp.exp(x).div(jnp.exp(x).sum())],
    ["matmul", (x) => jnp.matmul(x.reshape([2, 2]), x.reshape([2, 2]).T)],
  ];
  const x = jnp.array([0.5, -1.25, 2, 3]);
  for (const [name, f] of fs) {
    const e = f(x);
    const j = jit(f)(x);
    assert.deepEqual(j.shape, e.shape, name);
    assert.equal(j.dtype, e.dtype, name);
    assert.equal(j.weakType, e.weakType, name);
    const ev = Array.from(e.dataSync() as ArrayLike<number>);
    close(j, e.ndim === 0 ? ev[0]! : e.ndim === 1 ? ev : (e.tolist() as number[][]));
  }
  close(jit(poly)(2), 11, { weak: true });
  close(jit((x: A) => x.astype("int32").add(jnp.array(1, "int32")))(jnp.array([1.7, -2.2])), [2, -1], { dtype: "int32" });
  close(jit((x: A) => x.astype("int32").add(1))(jnp.array([1.7, -2.2])), [2, -1], { dtype: "float32" }); // a JS number is a weak float32
});

test("jit inside jit, jit(jit(f)) == jit(f); inner jit traced at its own signature", () => {
  let inner = 0;
  const g = jit((x: A) => {
    inner++;
    return jnp.sin(x).mul(x);
  });
  const outer = jit((x: A) => g(x).add(g(x.mul(2))));
  const x = jnp.array([0.3, 1.1]);
  const expected = [0.3, 1.1].map((v) => Math.sin(v) * v + Math.sin(2 * v) * 2 * v);
  close(outer(x), expected);
  close(outer(x), expected);
  assert.equal(inner, 1, "inner jit cached across both uses in the outer trace");
  close(jit(jit(poly))(2), 11);
  close(jit(jit(jit(jnp.cos)))(jnp.array([0])), [1]);
  // the outer jaxpr contains a pjit equation
  assert.match(String(makeJaxpr((x: A) => g(x))(jnp.ones([2]))), /pjit\[/);
});

test("grad(jit(f)) == jit(grad(f)) == grad(f); grad(jit(f)) traces f once for two calls", () => {
  let traces = 0;
  const jf = jit((x: A) => {
    traces++;
    return poly(x);
  });
  close(grad(jf)(2), 17, { weak: true }); // 3x^2 + 4x - 3 at 2
  close(grad(jf)(1), 4, { weak: true });
  assert.equal(traces, 1);
  close(jit(grad(poly))(2), 17);
  close(grad(poly)(2), 17);
  close(jf(3), 27 + 18 - 9 + 1);
  assert.equal(traces, 1, "calling jf directly at the same signature reuses the trace made under grad");
  // second derivative through jit: 6x + 4
  close(grad(grad(jf))(2), 16);
  close(jit(grad(jit(grad(jf))))(-1), -2);
  // vector input
  const h = (x: A) => jnp.sum(jnp.sin(x).mul(x));
  const x = jnp.array([0.1, 0.7, -2]);
  const expected = [0.1, 0.7, -2].map((v) => Math.sin(v) + v * Math.cos(v));
  close(grad(jit(h))(x), expected);
  close(jit(grad(h))(x), expected);
  close(grad(h)(x), expected);
});

test("grad of jit: values stay concrete outside the jit, host control flow works in grad", () => {
  const f = (x: A) => ((x as unknown as number) > 3 ? jnp.multiply(x, x) : jit((y: A) => y.mul(5))(x));
  close(grad(f)(4), 8);
  close(grad(f)(1), 5);
});

test("valueAndGrad(jit(f)) == [f(x), grad(f)(x)]", () => {
  const [v, g] = valueAndGrad(jit(poly))(2) as [A, A];
  close(v, 11);
  close(g, 17);
});

test("vmap(jit(f)) == jit(vmap(f)) == vmap(f); jit(vmap) retraces for a new batch size", () => {
  const f = (x: A, w: A) => jnp.tanh(jnp.dot(w, x));
  const w = jnp.array([
    [1, 2, 0],
    [0, -1, 0.5],
  ]);
  const xs = jnp.array([
    [0.1, 0.2, 0.3],
    [-1, 0, 1],
    [0.5, 0.5, 0.5],
    [2, -2, 0],
  ]);
  const loop = [0, 1, 2, 3].map((i) => f(xs.get(i), w).tolist() as number[]);
  const opts = { inAxes: [0, null] };
  close(vmap(f, opts)(xs, w), loop);
  close(vmap(jit(f), opts)(xs, w), loop);
  let traces = 0;
  const jv = jit(
    vmap((x: A, w2: A) => {
      traces++;
      return f(x, w2);
    }, opts),
  );
  close(jv(xs, w), loop);
  close(jv(xs, w), loop);
  assert.equal(traces, 1);
  jv(xs.get("0:2"), w);
  assert.equal(traces, 2, "a different batch size is a new shape");
  // vmap(jit) traces the inner function once at the per-example shape
  let inner = 0;
  const jf = jit((x: A) => {
    inner++;
    assert.deepEqual(x.shape, [3], "inner jit sees the per-example shape");
    return x.sum();
  });
  close(vmap(jf)(xs), [0.6, 0, 1.5, 0]);
  close(vmap(jf)(xs), [0.6, 0, 1.5, 0]);
  assert.equal(inner, 1);
});

test("jit inside vmap inside jit; grad of vmap of jit", () => {
  const inner = jit((x: A) => x.mul(x).sum());
  const f = jit((xs: A) => vmap(inner)(xs).sum());
  const xs = jnp.array([
    [1, 2],
    [3, 4],
  ]);
  close(f(xs), 30);
  close(grad(f)(xs), [
    [2, 4],
    [6, 8],
  ]);
  close(jit(grad(f))(xs), [
    [2, 4],
    [6, 8],
  ]);
});

test("jit with lax control flow inside, and a jit inside a lax.cond branch", () => {
  const j = jit((x: A) => x.mul(3));
  const f = jit((x: A) => lax.cond(x.sum().gt(0), j, (y: A) => y.neg(), x));
  close(f(jnp.array([1, 2])), [3, 6]);
  close(f(jnp.array([-1, -2])), [1, 2]);
  close(grad((x: A) => f(x).sum())(jnp.array([1, 2])), [3, 3]);
});

// ------------------------------------------------------------------ makeJaxpr, evalShape
test("makeJaxpr prints JAX's text form", () => {
  assert.equal(String(makeJaxpr(jnp.sin)(1)), "{ lambda ; a:f32[]. let b:f32[] = sin a in (b,) }");
  assert.equal(String(makeJaxpr((x: A) => jnp.sin(jnp.cos(x)))(jnp.ones([3]))), "{ lambda ; a:f32[3]. let b:f32[3] = cos a; c:f32[3] = sin b in (c,) }");
  const two = String(makeJaxpr((x: A, y: A) => x.mul(2).add(y))(jnp.ones([3]), 2));
  assert.match(two, /^\{ lambda ; a:f32\[3\] b:f32\[\]\. let/);
  assert.match(two, /c:f32\[3\] = mul a 2\.0:f32\[\]/);
  assert.match(two, /d:f32\[3\] = add c b/);
  assert.match(two, /in \(d,\) \}$/);
  // integer inputs print as i32; multiple outputs
  assert.equal(String(makeJaxpr((x: A) => [x, x])(jnp.array(1, "int32"))), "{ lambda ; a:i32[]. let  in (a, a) }");
});

test("makeJaxpr: host side effects absent, only the branch taken by a host if appears", () => {
  let calls = 0;
  const f = (x: A, flag: boolean) => {
    calls++;
    return flag ? jnp.exp(x) : jnp.log(x);
  };
  const t = String(makeJaxpr(f, { staticArgnums: 1 })(jnp.ones([2]), true));
  assert.match(t, /exp a/);
  assert.doesNotMatch(t, /log/);
  assert.equal(calls, 1);
});

test("evalShape returns the output tree of {shape, dtype} without computing", () => {
  let ran = 0;
  const s = evalShape((x: A, y: A) => {
    ran++;
    return { s: x.sum(), p: x.mul(y), i: y.astype("int32") };
  })(jnp.ones([2, 3]), jnp.ones([3]));
  assert.equal(ran, 1);
  assert.deepEqual(
    { s: { shape: s.s.shape, dtype: s.s.dtype }, p: { shape: s.p.shape, dtype: s.p.dtype }, i: { shape: s.i.shape, dtype: s.i.dtype } },
    { s: { shape: [], dtype: "float32" }, p: { shape: [2, 3], dtype: "float32" }, i: { shape: [3], dtype: "int32" } },
  );
  const big = evalShape((x: A) => jnp.matmul(x, x.T))(jnp.zeros([5, 7]));
  assert.deepEqual(big.shape, [5, 5]);
});

// ------------------------------------------------------------------ disableJit
test("disableJit(fn): the body runs eagerly on every call and sees concrete values", () => {
  let runs = 0;
  const seen: number[] = [];
  const f = jit((x: A) => {
    runs++;
    seen.push(Number(x.sum())); // fine eagerly, an error under jit
    return x.add(1);
  });
  disableJit(() => {
    close(f(jnp.array([1, 2])), [2, 3]);
    close(f(jnp.array([3, 4])), [4, 5]);
  });
  assert.equal(runs, 2);
  assert.deepEqual(seen, [3, 7]);
  assert.throws(() => f(jnp.array([1, 2])), errors.ConcretizationTypeError, "jit is back on after disableJit");
  stillWorks();
});

test("disableJit: JS number arguments still behave as arrays in the eager body", () => {
  const f = jit((x: A) => x.add(1));
  close(
    disableJit(() => f(1)),
    2,
  );
});

test("config.update('disableJit', true) runs jit functions eagerly until switched back", () => {
  let runs = 0;
  const f = jit((x: A) => {
    runs++;
    return x.mul(3);
  });
  config.update("disableJit", true);
  try {
    close(f(jnp.array([1])), [3]);
    close(f(jnp.array([2])), [6]);
    assert.equal(runs, 2);
  } finally {
    config.update("disableJit", false);
  }
  f(jnp.array([1]));
  f(jnp.array([1]));
  assert.equal(runs, 3, "traced once after re-enabling");
  assert.throws(() => config.update("disableJit", 1 as unknown as boolean), TypeError);
  assert.throws(() => config.update("noSuchOption", true), errors.ValueError);
  stillWorks();
});

test("disableJit restores the previous setting even when fn throws", () => {
  assert.throws(() =>
    disableJit(() => {
      throw new Error("boom");
    }),
  );
  let traces = 0;
  const f = jit((x: A) => {
    traces++;
    return x;
  });
  f(jnp.ones([1]));
  f(jnp.ones([1]));
  assert.equal(traces, 1);
});
