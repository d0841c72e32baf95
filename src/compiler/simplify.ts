// simplify.ts — jaxpr rewrites the compilers apply before planning (results bit-identical to
// running the original equations one by one):
//   an equation of scalar literals only (a first-order primitive) is evaluated once, at
//   compile time, and its result becomes a literal;
//   broadcast_in_dim of a scalar read by elementwise equations that have a full-shaped
//   operand besides it is replaced there by the scalar itself (the elementwise kernels
//   broadcast it), so `relu`'s zeros and the like are neither materialised nor a fusion
//   barrier;
//   dot_general without contracting dimensions (an outer product, batched or not — what
//   vmap of a gradient makes of `x·w`'s cotangent) becomes a broadcasting multiply, which the
//   planners fuse with its neighbours instead of running a K = 1 matrix product. The sum of
//   one product is that product plus zero (so −0 becomes +0, as in the matmul kernels).
import { ShapedArray } from "../core/aval.js";
import { EagerArray } from "../core/array.js";
import { isFloat } from "../core/dtype.js";
import { type Atom, Jaxpr, type JaxprEqn, Literal, Var } from "../core/jaxpr.js";
import { getPrimitive } from "../core/primitive.js";
import { evalPrimitive } from "../core/trace.js";
import type { DotGeneralParams } from "../primitives/linalg.js";
import { JS_OPS } from "./js_ops.js";
import { usesOf } from "./fuse.js";

const prim = (name: string) => {
  const p = getPrimitive(name);
  if (!p) throw new Error(`internal: simplify needs primitive '${name}'`);
  return p;
};

/** The outer-product dot_general as transpose / reshape / mul / add equations. */
function outerProduct(e: JaxprEqn): JaxprEqn[] {
  const p = e.params as unknown as DotGeneralParams;
  const out = e.outvars[0]!;
  const { shape, dtype, weakType } = out.aval;
  const eqns: JaxprEqn[] = [];
  const nb = p.batch[0].length;
  const nlf = e.inputs[0]!.aval.ndim - nb;
  // operand → its dims in output order, with 1s where the other operand's dims go
  const spread = (x: Atom, batch: readonly number[], first: number): Atom => {
    const nd = x.aval.ndim;
    const free = Array.from({ length: nd }, (_, d) => d).filter((d) => !batch.includes(d));
    const perm = [...batch, ...free];
    let cur = x;
    if (perm.some((d, i) => d !== i)) {
      const v = new Var(new ShapedArray(perm.map((d) => x.aval.shape[d]!), x.aval.dtype, x.aval.weakType));
      eqns.push({ prim: prim("transpose"), inputs: [cur], params: { permutation: perm }, outvars: [v] });
      cur = v;
    }
    // the output's rank, with 1s where the other operand's free dims go (mul broadcasts)
    const sizes = shape.map((_, i) => (i < nb ? cur.aval.shape[i]! : i >= first && i < first + free.length ? cur.aval.shape[nb + i - first]! : 1));
    if (sizes.length === cur.aval.ndim) return cur;
    const v = new Var(new ShapedArray(sizes, x.aval.dtype, x.aval.weakType));
    eqns.push({ prim: prim("reshape"), inputs: [cur], params: { newSizes: sizes }, outvars: [v] });
    return v;
  };
  const a = spread(e.inputs[0]!, p.batch[0], nb);
  const b = spread(e.inputs[1]!, p.batch[1], nb + nlf);
  const prod = new Var(new ShapedArray(shape, dtype, weakType));
  eqns.push({ prim: prim("mul"), inputs: [a, b], params: {}, outvars: [prod] });
  const zero = EagerArray.fromTyped(new (dtype === "float64" ? Float64Array : Float32Array)(1), [], dtype, true);
  eqns.push({ prim: prim("add"), inputs: [prod, new Literal(zero)], params: {}, outvars: [out] });
  return eqns;
}

const isOuter = (e: JaxprEqn): boolean =>
  e.prim.name === "dot_general" &&
  (e.params as unknown as DotGeneralParams).contracting[0].length === 0 &&
  e.inputs.every((a) => a.aval.dtype === e.outvars[0]!.aval.dtype) &&
  isFloat(e.outvars[0]!.aval.dtype);

const isScalar = (a: Atom): boolean => a.aval.ndim === 0;
const shapeIs = (a: Atom, shape: readonly number[]): boolean => a.aval.ndim === shape.length && a.aval.shape.every((d, i) => d === shape[i]);

/** Scalar-literal equations folded to literals; scalar broadcasts read in place. */
function foldScalars(jaxpr: Jaxpr): Jaxpr {
  const results = new Set<Atom>(jaxpr.outvars);
  const sub = new Map<Var, Atom>();
  const at = (a: Atom): Atom => (a instanceof Var ? (sub.get(a) ?? a) : a);
  // which variables only elementwise equations (with a full-shaped partner) read
  const readers = usesOf(jaxpr);
  const bcasts = new Set(jaxpr.eqns.filter((e) => e.prim.name === "broadcast_in_dim" && isScalar(e.inputs[0]!)).map((e) => e.outvars[0]!));
  // the partner must stay full-shaped: not another scalar broadcast that may be replaced too
  const inPlace = (v: Var): boolean =>
    [...(readers.get(v) ?? [])].every(
      (u) =>
        u !== "out" &&
        u.prim.name in JS_OPS &&
        u.outvars.length === 1 &&
        shapeIs(u.outvars[0]!, v.aval.shape) &&
        u.inputs.some((b) => b !== v && !(b instanceof Var && bcasts.has(b)) && shapeIs(b, v.aval.shape)),
    );
  let changed = false;
  const eqns: JaxprEqn[] = [];
  for (const e0 of jaxpr.eqns) {
    const e = { ...e0, inputs: e0.inputs.map(at) };
    const out = e.outvars[0]!;
    if (
      e.outvars.length === 1 &&
      !results.has(out) &&
      isScalar(out) &&
      typeof e.prim.impl === "function" &&
      e.inputs.length > 0 &&
      e.inputs.every((a) => a instanceof Literal)
    ) {
      const [val] = evalPrimitive(e.prim, e.inputs.map((a) => (a as Literal).val), e.params);
      sub.set(out, new Literal(val as EagerArray));
      changed = true;
      continue;
    }
    if (e.prim.name === "broadcast_in_dim" && isScalar(e.inputs[0]!) && e.inputs[0]!.aval.dtype === out.aval.dtype && inPlace(out)) {
      sub.set(out, e.inputs[0]!);
      changed = true;
      continue;
    }
    eqns.push(e.inputs.some((a, i) => a !== e0.inputs[i]) ? e : e0);
  }
  return changed ? new Jaxpr(jaxpr.constvars, jaxpr.invars, eqns, jaxpr.outvars) : jaxpr;
}

/** The jaxpr with the rewrites above applied (the same object when none applies). */
export function simplifyJaxpr(jaxpr: Jaxpr): Jaxpr {
  const folded = foldScalars(jaxpr);
  if (!folded.eqns.some(isOuter)) return folded;
  const eqns = folded.eqns.flatMap((e) => (isOuter(e) ? outerProduct(e) : [e]));
  return new Jaxpr(folded.constvars, folded.invars, eqns, folded.outvars);
}
