// grad.test.ts — adversarial tests of reverse and forward mode through the public API
// (SEMANTICS A.2–A.4, B.1, B.2): grad/valueAndGrad options (argnums arrays and negatives,
// hasAux with concrete aux, allowInt with float0), higher derivatives, jvp/vjp/linearize on
// pytrees, jacfwd == jacrev with the O+I shape rule and output⊗input tree structure, hessian
// O+I+I, grad composed with vmap and jit, and values staying concrete under plain grad.
import { test } from "node:test";
import assert from "node:assert/strict";
import { errors, grad, hessian, jacfwd, jacrev, jit, jnp, jvp, lax, linearize, tree, valueAndGrad, vjp, vmap } from "../../src/index.js";
import type { Array as JArray } from "../../src/index.js";
import { shapeOf, close, same } from "../harness/assertions.js";

type A = JArray;




/** Compares two pytrees of arrays leaf by leaf (same structure). */
function sameTree(a: unknown, b: unknown, tol = 1e-5): void {
  const [la, da] = tree.flatten(a);
  const [lb, db] = tree.flatten(b);
  assert.ok(tree.treedefEq(da, db), `tree structures differ: ${tree.treedefStr(da)} vs ${tree.treedefStr(db)}`);
  la.forEach((l, i) => same(l, lb[i], tol, `leaf ${i}`));
}

/** Central finite difference of a scalar function of a flat float64 vector (host-side). */
function fdGrad(f: (x: number[]) => number, x: number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const p = [...x];
    const m = [...x];
    p[i]! += h;
    m[i]! -= h;
    return (f(p) - f(m)) / (2 * h);
  });
}

const poly = (x: A) => x.mul(x).mul(x).add(x.mul(x).mul(2)).sub(x.mul(3)).add(1); // x^3+2x^2-3x+1

// ------------------------------------------------------------------ grad options
test("grad/valueAndGrad of the seed polynomial: value 11, gradient 17 at 2", () => {
  close(poly(jnp.array(2)), 11);
  close(grad(poly)(2), 17, { weak: true });
  const [v, g] = valueAndGrad(poly)(2) as [A, A];
  close(v, 11, { weak: true });
  close(g, 17, { weak: true });
  // a strong float32 input gives a strong gradient
  close(grad(poly)(jnp.array(2, "float32")), 17, { weak: false });
  // float64 input: float64 gradient
  close(grad(poly)(jnp.array(2, "float64")), 17, { dtype: "float64", tol: 1e-12 });
});

test("grad argnums: a^2 sin(b) at (3, pi/2) gives 6 for argnums 0 and [6, ~0] for [0, 1]", () => {
  // b (and a, when not differentiated) arrive as JS numbers: use the jnp forms
  const f = (a: A, b: A) => jnp.multiply(jnp.multiply(a, a), jnp.sin(b));
  close(f(jnp.array(3), jnp.array(Math.PI / 2)), 9);
  close(grad(f)(3, Math.PI / 2), 6);
  const gs = grad(f, { argnums: [0, 1] })(3, Math.PI / 2) as A[];
  assert.ok(Array.isArray(gs) && gs.length === 2);
  close(gs[0], 6);
  close(gs[1], 0, { tol: 1e-6 });
  // the listed order is kept
  const [gb, ga] = grad(f, { argnums: [1, 0] })(3, 1) as A[];
  close(gb, 9 * Math.cos(1));
  close(ga, 6 * Math.sin(1));
  // negative argnums resolve against the number of arguments passed
  close(grad(f, { argnums: -1 })(3, 1), 9 * Math.cos(1));
  const [g2, g1] = grad(f, { argnums: [-1, -2] })(3, 1) as A[];
  close(g2, 9 * Math.cos(1));
  close(g1, 6 * Math.sin(1));
  // a single argnum in an array still gives an array
  const single = grad(f, { argnums: [0] })(3, 1) as A[];
  assert.ok(Array.isArray(single) && single.length === 1);
  close(single[0], 6 * Math.sin(1));
});

test("grad: non-differentiated arguments are passed through untouched (strings, functions)", () => {
  const f = (x: A, op: (a: A) => A, tag: string) => {
    assert.equal(tag, "hello");
    return op(x).sum();
  };
  close(grad(f)(jnp.array([0, 1]), jnp.sin, "hello"), [1, Math.cos(1)]);
});

test("grad of pytrees: dict (sorted keys), nested arrays and null leaves keep their structure", () => {
  const params = { w: jnp.array([1, 2]), b: jnp.array(0.5), extra: null, layers: [jnp.array([3]), { s: jnp.array(2) }] };
  const loss = (p: typeof params) => p.w.mul(p.w).sum().add(p.b.mul(3)).add((p.layers[0] as A).sum().mul((p.layers[1] as { s: A }).s));
  const g = grad(loss)(params) as typeof params;
  assert.deepEqual(Object.keys(g).sort(), ["b", "extra", "layers", "w"]);
  assert.equal(g.extra, null);
  close(g.w, [2, 4]);
  close(g.b, 3);
  close(g.layers[0], [2]);
  close((g.layers[1] as { s: A }).s, 3);
  assert.ok(tree.treedefEq(tree.structure(g), tree.structure(params)));
});

test("grad of a function independent of its argument is a zero of the argument's shape", () => {
  close(grad((x: A) => jnp.array(3).add(0))(jnp.ones([2, 2])), [
    [0, 0],
    [0, 0],
  ]);
  close(grad((x: A, y: A) => y.mul(2))(jnp.ones([3]), jnp.array(1)), [0, 0, 0]);
});

test("valueAndGrad with hasAux returns [[value, aux], grad] with a concrete aux", () => {
  const f = (x: A) => {
    const y = x.mul(x);
    return [y.sum(), { sq: y, label: "aux", twice: x.mul(2) }];
  };
  const [[v, aux], g] = valueAndGrad(f, { hasAux: true })(jnp.array([1, 2, 3])) as [[A, { sq: A; label: string; twice: A }], A];
  close(v, 14);
  close(g, [2, 4, 6]);
  assert.equal(aux.label, "aux");
  close(aux.sq, [1, 4, 9]);
  close(aux.twice, [2, 4, 6]);
  // concrete: host conversions work on the aux
  assert.deepEqual(aux.sq.tolist(), [1, 4, 9]);
  assert.equal(Number(aux.twice.sum()), 12);
  const [g2, aux2] = grad(f, { hasAux: true })(jnp.array([1, 2, 3])) as [A, { sq: A }];
  close(g2, [2, 4, 6]);
  assert.deepEqual(aux2.sq.tolist(), [1, 4, 9]);
  // aux under jit of grad is concrete after the jit returns (a string aux is not a valid jit output)
  assert.throws(() => jit(grad(f, { hasAux: true }))(jnp.array([1, 2, 3])), /not a valid JAX type/);
  const fa = (x: A) => [x.mul(x).sum(), { sq: x.mul(x) }];
  const [g3, aux3] = jit(grad(fa, { hasAux: true }))(jnp.array([1, 2, 3])) as [A, { sq: A }];
  close(g3, [2, 4, 6]);
  assert.deepEqual(aux3.sq.tolist(), [1, 4, 9]);
});

test("hasAux with argnums arrays: [[value, aux], [g0, g1]]", () => {
  const f = (a: A, b: A) => [a.mul(b), a.add(b)];
  const [[v, aux], gs] = valueAndGrad(f, { hasAux: true, argnums: [0, 1] })(jnp.array(2, "float32"), jnp.array(5, "float32")) as [[A, A], A[]];
  close(v, 10);
  close(aux, 7);
  close(gs[0], 5);
  close(gs[1], 2);
});

test("allowInt: integer and boolean inputs get float0 zeros of their shape; float inputs their gradient", () => {
  const f = (x: A, n: A, m: A) => x.mul(n.astype("float32")).sum();
  const [gx, gn, gm] = grad(f, { argnums: [0, 1, 2], allowInt: true })(jnp.array([1, 2]), jnp.array([3, 4], "int32"), jnp.array([true, false])) as A[];
  close(gx, [3, 4]);
  assert.equal(gn!.dtype, "float0");
  assert.deepEqual(gn!.shape, [2]);
  assert.equal(gm!.dtype, "float0");
  assert.deepEqual(gm!.shape, [2]);
  // without allowInt it is an error with JAX's phrase
  assert.throws(() => grad(f, { argnums: 1 })(jnp.array([1, 2]), jnp.array([3, 4], "int32"), jnp.array([true])), /grad requires real- or complex-valued inputs/);
  close(grad(poly)(2), 17);
});

// ------------------------------------------------------------------ concreteness under plain grad
test("under plain grad values are concrete: x > 3, Number(x), item(), tolist(), dataSync() work", () => {
  const branchy = (x: A) => ((x as unknown as number) > 3 ? x.mul(x) : x.neg());
  close(grad(branchy)(4), 8);
  close(grad(branchy)(1), -1);
  close(grad((x: A) => x.mul(Number(x)))(4), 4); // Number(x) is a constant
  close(grad((x: A) => x.mul(x.item() as number))(4), 4);
  close(grad((x: A) => x.mul((x.tolist() as number[])[1]!).sum())(jnp.array([1, 5])), [5, 5]);
  close(grad((x: A) => x.mul(x.dataSync()[0]!).sum())(jnp.array([3, 5])), [3, 3]);
  // a host while loop on a value inside grad
  const newton = (x: A) => {
    let y = x;
    while ((y as unknown as number) < 10) y = y.mul(2);
    return y;
  };
  close(grad(newton)(3), 4); // 3 -> 6 -> 12: y = 4x
  close(grad(newton)(6), 2);
  // also under jvp and valueAndGrad
  const [p, t] = jvp(branchy, [jnp.array(5)], [jnp.array(1)]) as [A, A];
  close(p, 25);
  close(t, 10);
});

test("printing a concrete grad tracer does not throw", () => {
  let s = "";
  grad((x: A) => {
    s = String(x);
    return x.mul(2);
  })(3);
  assert.ok(s.length > 0);
});

test("grad and vmap keep no cache: the function body runs on every call (B.6)", () => {
  let runs = 0;
  const f = (x: A) => {
    runs++;
    return x.mul(x);
  };
  grad(f)(1);
  grad(f)(1);
  vmap(f)(jnp.ones([2]));
  vmap(f)(jnp.ones([2]));
  valueAndGrad(f)(2);
  assert.equal(runs, 5);
  // an inner jit caches across grad calls
  runs = 0;
  const jf = jit(f);
  grad(jf)(1);
  grad(jf)(2);
  assert.equal(runs, 1);
  vmap(jf)(jnp.ones([2]));
  vmap(jf)(jnp.ones([3]));
  assert.equal(runs, 2, "per-example float32[] (strong) is a new key after weak scalars; the batch size is not");
});

// ------------------------------------------------------------------ higher order
test("derivatives of derivatives: the fourth derivative of sin is sin; constants eventually give 0", () => {
  for (const x of [0.3, 1, -2]) {
    close(grad(jnp.sin)(x), Math.cos(x));
    close(grad(grad(jnp.sin))(x), -Math.sin(x));
    close(grad(grad(grad(jnp.sin)))(x), -Math.cos(x));
    close(grad(grad(grad(grad(jnp.sin))))(x), Math.sin(x));
  }
  const sq = (x: A) => x.mul(x);
  close(grad(grad(sq))(5), 2);
  close(grad(grad(grad(sq)))(5), 0);
  close(grad(grad(grad(grad(sq))))(5), 0);
  // poly'' = 6x + 4, poly''' = 6
  close(grad(grad(poly))(2), 16);
  close(grad(grad(grad(poly)))(2), 6);
});

test("grad of a float32 function matches float64 finite differences", () => {
  const f = (x: A) => jnp.sum(jnp.tanh(x.mul(x)).mul(jnp.exp(x.neg())));
  const host = (v: number[]) => v.reduce((s, xi) => s + Math.tanh(xi * xi) * Math.exp(-xi), 0);
  const xs = [0.3, -0.7, 1.2, 2.0];
  close(grad(f)(jnp.array(xs)), fdGrad(host, xs), { tol: 1e-4 });
  close(grad(f)(jnp.array(xs, "float64")), fdGrad(host, xs), { dtype: "float64", tol: 1e-7 });
});

// ------------------------------------------------------------------ jvp / vjp / linearize on pytrees
test("jvp on pytrees: output and tangent trees mirror the function's output", () => {
  const f = (p: { x: A; y: A }, s: A) => ({ prod: p.x.mul(p.y), total: [p.x.sum().mul(s)] });
  const primals = [{ x: jnp.array([1, 2]), y: jnp.array([3, 4]) }, jnp.array(2)];
  const tangents = [{ x: jnp.array([1, 0]), y: jnp.array([0, 1]) }, jnp.array(1)];
  const [out, tout] = jvp(f, primals, tangents) as [{ prod: A; total: A[] }, { prod: A; total: A[] }];
  close(out.prod, [3, 8]);
  close(out.total[0], 6);
  close(tout.prod, [3, 2]); // dx*y + x*dy
  close(tout.total[0], 5); // sum(dx)*s + sum(x)*ds = 1*2 + 3*1
  // linearity in the tangent: jvp(2t) = 2 jvp(t)
  const [, t2] = jvp(f, primals, tree.map((t: A) => t.mul(2), tangents)) as [unknown, { prod: A; total: A[] }];
  close(t2.prod, [6, 4]);
});

test("vjp on pytrees: cotangents have the structure of the primals; vjp agrees with jvp by duality", () => {
  const f = (x: A, p: { a: A; b: A }) => [x.mul(p.a), jnp.sin(p.b).sum()];
  const x = jnp.array([1, 2]);
  const p = { a: jnp.array([3, -1]), b: jnp.array([0.5, 1]) };
  const [out, pull] = vjp(f, x, p);
  close((out as A[])[0], [3, -2]);
  const [cx, cp] = pull([jnp.array([1, 1]), jnp.array(2)]) as [A, { a: A; b: A }];
  close(cx, [3, -1]);
  close(cp.a, [1, 2]);
  close(cp.b, [2 * Math.cos(0.5), 2 * Math.cos(1)]);
  // <ct, J t> == <J^T ct, t> for a random direction
  const t = [jnp.array([0.3, -0.2]), { a: jnp.array([0.1, 0.5]), b: jnp.array([-1, 0.25]) }];
  const [, jt] = jvp(f, [x, p], t) as [unknown, A[]];
  const lhs = Number(jt[0]!.sum()) + 2 * Number(jt[1]);
  const rhs = Number(cx.mul(t[0] as A).sum()) + Number(cp.a.mul((t[1] as { a: A }).a).sum()) + Number(cp.b.mul((t[1] as { b: A }).b).sum());
  assert.ok(Math.abs(lhs - rhs) < 1e-5, `${lhs} vs ${rhs}`);
  // the pullback can be called several times
  const [cx2] = pull([jnp.array([0, 2]), jnp.array(0)]) as [A];
  close(cx2, [0, -2]);
});

test("linearize: the linear map equals jvp at the same point for several tangents", () => {
  const f = (p: { u: A; v: A }) => jnp.exp(p.u).mul(p.v);
  const p = { u: jnp.array([0, 1]), v: jnp.array([2, 3]) };
  const [out, lin] = linearize(f, p);
  close(out, [2, 3 * Math.E]);
  for (const t of [
    { u: jnp.array([1, 0]), v: jnp.array([0, 0]) },
    { u: jnp.array([0.5, -1]), v: jnp.array([1, 2]) },
  ]) {
    const [, jt] = jvp(f, [p], [t]) as [A, A];
    same(lin(t), jt);
  }
});

// ------------------------------------------------------------------ Jacobians
test("jacfwd == jacrev for several functions; shape out.shape + in.shape", () => {
  const cases: [string, (x: A) => A, A, number[]][] = [
    ["scalar->scalar", (x) => jnp.sin(x).mul(x), jnp.array(0.7), []],
    ["vec->scalar", (x) => x.mul(x).sum(), jnp.array([1, 2, 3]), [3]],
    ["vec->vec", (x) => jnp.tanh(x).mul(x.sum()), jnp.array([0.1, -0.4, 2]), [3, 3]],
    ["mat->vec", (x) => jnp.matmul(x, jnp.array([1, -1])), jnp.array([[1, 2], [3, 4], [5, 6]]), [3, 3, 2]],
    ["vec->mat", (x) => jnp.outer(x, jnp.exp(x)), jnp.array([0.5, 1]), [2, 2, 2]],
    ["mat->mat", (x) => jnp.matmul(x, x), jnp.array([[1, 2], [0, -1]]), [2, 2, 2, 2]],
  ];
  for (const [name, f, x, shape] of cases) {
    const jf = jacfwd(f)(x) as A;
    const jr = jacrev(f)(x) as A;
    assert.deepEqual(jf.shape, shape, name);
    same(jf, jr, 1e-5, name);
  }
  // mat->mat values: d(XX)_{ij}/dX_{kl} = δ_ik X_lj + X_ik δ_jl
  const X = [
    [1, 2],
    [0, -1],
  ];
  const J = jacrev((x: A) => jnp.matmul(x, x))(jnp.array(X)) as A;
  const exp: number[][][][] = [0, 1].map((i) => [0, 1].map((j) => [0, 1].map((k) => [0, 1].map((l) => (i === k ? X[l]![j]! : 0) + (j === l ? X[i]![k]! : 0)))));
  close(J, exp);
});

test("jacfwd/jacrev of pytrees: output tree ⊗ input tree with leaf shapes out + in", () => {
  const f = (p: { a: A; b: A }) => ({ u: p.a.mul(p.b.sum()), v: [jnp.sin(p.a).sum()] });
  const p = { a: jnp.array([1, 2]), b: jnp.array([[1, 2, 3], [4, 5, 6]]) };
  const jf = jacfwd(f)(p) as { u: { a: A; b: A }; v: { a: A; b: A }[] };
  const jr = jacrev(f)(p);
  sameTree(jf, jr);
  assert.deepEqual(jf.u.a.shape, [2, 2]);
  assert.deepEqual(jf.u.b.shape, [2, 2, 3]);
  assert.deepEqual(jf.v[0]!.a.shape, [2]);
  assert.deepEqual(jf.v[0]!.b.shape, [2, 3]);
  close(jf.u.a, [
    [21, 0],
    [0, 21],
  ]);
  close(jf.u.b, [
    [
      [1, 1, 1],
      [1, 1, 1],
    ],
    [
      [2, 2, 2],
      [2, 2, 2],
    ],
  ]);
  close(jf.v[0]!.a, [Math.cos(1), Math.cos(2)]);
  close(jf.v[0]!.b, [
    [0, 0, 0],
    [0, 0, 0],
  ]);
});

test("grad, jacfwd, jacrev and hessian of a weakly typed input are weakly typed; strong stays strong", () => {
  for (const [name, d] of [["grad", grad], ["jacfwd", jacfwd], ["jacrev", jacrev], ["hessian", hessian]] as const) {
    const w = d(jnp.sin)(1) as A;
    assert.equal(w.weakType, true, `${name} of a JS number`);
    assert.equal(w.dtype, "float32", name);
    const s = d(jnp.sin)(jnp.array(1, "float32")) as A;
    assert.equal(s.weakType, false, `${name} of a float32 array`);
  }
});

test("jacobians with argnums arrays give one block per argument; hasAux returns [jac, aux]", () => {
  const f = (x: A, y: A) => x.mul(y);
  for (const jac of [jacfwd, jacrev]) {
    const [jx, jy] = jac(f, { argnums: [0, 1] })(jnp.array([1, 2]), jnp.array([3, 4])) as A[];
    close(jx, [
      [3, 0],
      [0, 4],
    ]);
    close(jy, [
      [1, 0],
      [0, 2],
    ]);
    const [j, aux] = jac((x: A) => [x.mul(x), x.sum()], { hasAux: true })(jnp.array([1, 2])) as [A, A];
    close(j, [
      [2, 0],
      [0, 4],
    ]);
    close(aux, 3);
    assert.deepEqual(aux.tolist(), 3, "aux is concrete");
  }
  // mixed: jacrev(jacfwd(f, 1), 0) of a scalar f has shape (u.size, x.size)
  const g = (x: A, u: A) => x.sum().mul(u.mul(u).sum());
  const m = jacrev(jacfwd(g, { argnums: 1 }), { argnums: 0 })(jnp.array([1, 2, 3]), jnp.array([1, -1])) as A;
  close(m, [
    [2, 2, 2],
    [-2, -2, -2],
  ]);
});

test("hessian: shape O + I + I, symmetric, equal to jacfwd(jacrev) and jacrev(jacrev)", () => {
  const f = (x: A) => x.mul(x).sum().mul(x.get(0));
  const x = jnp.array([1, 2, 3]);
  const h = hessian(f)(x) as A;
  close(h, [
    [6, 4, 6],
    [4, 2, 0],
    [6, 0, 2],
  ]);
  same(jacfwd(jacrev(f))(x), h);
  same(jacrev(jacrev(f))(x), h);
  same(jacfwd(jacfwd(f))(x), h);
  // vector output: O + I + I
  const hv = hessian((v: A) => v.mul(v))(jnp.array([1, 2])) as A;
  close(hv, [
    [
      [2, 0],
      [0, 0],
    ],
    [
      [0, 0],
      [0, 2],
    ],
  ]);
  // matrix input, scalar output: I + I
  const hm = hessian((m: A) => m.mul(m).sum())(jnp.ones([2, 3])) as A;
  assert.deepEqual(hm.shape, [2, 3, 2, 3]);
  // pytree input: input ⊗ input
  const hp = hessian((p: { a: A; b: A }) => p.a.mul(p.b).sum())({ a: jnp.array([1, 2]), b: jnp.array([3, 4]) }) as { a: { a: A; b: A }; b: { a: A; b: A } };
  close(hp.a.b, [
    [1, 0],
    [0, 1],
  ]);
  close(hp.a.a, [
    [0, 0],
    [0, 0],
  ]);
});

test("jacfwd of an integer input is an error naming jacfwd", () => {
  assert.throws(() => jacfwd((x: A) => x.astype("float32"))(jnp.array([1, 2], "int32")), /jacfwd requires real-valued inputs/);
  close(jacfwd(jnp.sin)(jnp.array(0)), 1);
});

// ------------------------------------------------------------------ compositions with vmap and jit
test("vmap(grad) gives per-example gradients whose mean equals grad of the mean loss", () => {
  const loss = (w: A, x: A, y: A) => jnp.square(jnp.dot(w, x).sub(y));
  const w = jnp.array([1, 2]);
  const xs = jnp.array([
    [1, 0],
    [0, 1],
    [1, 1],
  ]);
  const ys = jnp.array([0, 1, 2]);
  const per = vmap(grad(loss), { inAxes: [null, 0, 0] })(w, xs, ys) as A;
  close(per, [
    [2, 0],
    [0, 2],
    [2, 2],
  ]);
  const meanLoss = (w2: A) => vmap(loss, { inAxes: [null, 0, 0] })(w2, xs, ys).mean();
  same(per.mean(0), grad(meanLoss)(w));
  // sum of per-example = grad of summed loss
  same(per.sum(0), grad((w2: A) => vmap(loss, { inAxes: [null, 0, 0] })(w2, xs, ys).sum())(w));
  // pytree params: every gradient leaf gets the leading batch axis
  const ploss = (p: { w: A; b: A }, x: A, y: A) => jnp.square(jnp.dot(p.w, x).add(p.b).sub(y));
  const pg = vmap(grad(ploss), { inAxes: [null, 0, 0] })({ w, b: jnp.array(0.5) }, xs, ys) as { w: A; b: A };
  assert.deepEqual(pg.w.shape, [3, 2]);
  assert.deepEqual(pg.b.shape, [3]);
  close(pg.b, [3, 3, 3]); // 2 * (w.x + b - y) = 2 * 1.5
});

test("grad(vmap(f)) and vmap(grad(f)) agree with per-element derivatives", () => {
  const f = (x: A) => jnp.sin(x).mul(x);
  const xs = jnp.array([0.1, 0.5, -2]);
  const d = [0.1, 0.5, -2].map((v) => Math.sin(v) + v * Math.cos(v));
  close(grad((v: A) => vmap(f)(v).sum())(xs), d);
  close(vmap(grad(f))(xs), d);
  close(jit(vmap(grad(f)))(xs), d);
  close(vmap(jit(grad(f)))(xs), d);
  close(grad((v: A) => jit(vmap(f))(v).sum())(xs), d);
  // second derivatives under vmap
  close(vmap(grad(grad(f)))(xs), [0.1, 0.5, -2].map((v) => 2 * Math.cos(v) - v * Math.sin(v)));
});

test("values closed over across transformation boundaries are differentiated and batched correctly", () => {
  close(grad((x: A) => vmap(() => x, { axisSize: 3 })().sum())(2), 3);
  close(grad((x: A) => vmap((_v: A) => x, { outAxes: null })(jnp.ones([3])) as A)(2), 1);
  close(jit((x: A) => vmap((v: A) => x.mul(v))(jnp.array([1, 2, 3])))(2), [2, 4, 6]);
  close(vmap((x: A) => jit((v: A) => x.mul(v))(jnp.ones([3])))(jnp.array([1, 2])), [
    [1, 1, 1],
    [2, 2, 2],
  ]);
  close(vmap((x: A) => grad((v: A) => x.mul(v).mul(v))(3))(jnp.array([1, 2])), [6, 12]);
  close(grad((x: A) => jit((v: A) => lax.cond(v.gt(0), (u: A) => u.mul(x), (u: A) => u, v))(x))(2), 4);
  close(jacfwd((x: A) => vmap((v: A) => v.mul(x))(jnp.array([1, 2, 3])))(jnp.array(2, "float32")), [1, 2, 3]);
  close(jacrev((x: A) => vmap((v: A) => v.mul(x))(jnp.array([1, 2, 3])))(jnp.array(2, "float32")), [1, 2, 3]);
  // a grad tracer captured by an inner jit (jit closes over it; nothing stale is cached)
  close(grad((x: A) => jit((y: A) => y.mul(x))(x))(3), 6);
  close(grad((x: A) => jit((y: A) => y.mul(x))(x))(5), 10);
});

test("jvp of vmap and vmap of jvp agree", () => {
  const f = (x: A) => jnp.exp(x).sum();
  const xs = jnp.array([
    [0, 1],
    [2, 3],
  ]);
  const ts = jnp.array([
    [1, 0],
    [1, 1],
  ]);
  const [, t1] = jvp(vmap(f), [xs], [ts]) as [A, A];
  const t2 = vmap((x: A, t: A) => (jvp(f, [x], [t]) as [A, A])[1])(xs, ts) as A;
  close(t1, [1, Math.exp(2) + Math.exp(3)]);
  same(t1, t2);
});

test("grad through lax.stopGradient is zero for the stopped part", () => {
  const f = (x: A) => x.mul(lax.stopGradient(x));
  close(grad(f)(3), 3);
  close(
    grad((p: { a: A; b: A }) => {
      const s = lax.stopGradient(p);
      return p.a.mul(s.b).add(s.a.mul(p.b));
    })({ a: jnp.array(2), b: jnp.array(5) }).a,
    5,
  );
});

test("grad errors leave the library working", () => {
  assert.throws(() => grad((x: A) => x)(jnp.ones([3])), TypeError);
  close(grad(poly)(2), 17);
  assert.throws(() => grad(poly, { argnums: 3 })(2), TypeError);
  close(grad(poly)(2), 17);
  assert.throws(() => valueAndGrad(poly, { hasAux: true })(2), /two-element tuple/);
  close(grad(poly)(2), 17);
  assert.ok(errors.ConcretizationTypeError);
});
