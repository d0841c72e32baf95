// simplify.ts — jaxpr rewrites the compilers apply before planning (results bit-identical to
// running the original equations one by one):
//   dot_general without contracting dimensions (an outer product, batched or not — what
//   vmap of a gradient makes of `x·w`'s cotangent) becomes a broadcasting multiply, which the
//   planners fuse with its neighbours instead of running a K = 1 matrix product. The sum of
//   one product is that product plus zero (so −0 becomes +0, as in the matmul kernels).
import { ShapedArray } from "../core/aval.js";
import { EagerArray } from "../core/array.js";
import { isFloat } from "../core/dtype.js";
import { type Atom, Jaxpr, type JaxprEqn, Literal, Var } from "../core/jaxpr.js";
import { getPrimitive } from "../core/primitive.js";
import type { DotGeneralParams } from "../primitives/linalg.js";

const prim = (name: string) => {
  const p = getPrimitive(name);
  if (!p) throw new Error(`internal: simplify needs primitive '${name}'`);
  return p;
};

/** The outer-product dot_general as transpose / broadcast_in_dim / mul / add equations. */
function outerProduct(e: JaxprEqn): JaxprEqn[] {
  const p = e.params as unknown as DotGeneralParams;
  const out = e.outvars[0]!;
  const { shape, dtype, weakType } = out.aval;
  const eqns: JaxprEqn[] = [];
  const nb = p.batch[0].length;
  const nlf = e.inputs[0]!.aval.ndim - nb;
  // operand → its dims in output order, broadcast to the output shape
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

/** The jaxpr with the rewrites above applied (the same object when none applies). */
export function simplifyJaxpr(jaxpr: Jaxpr): Jaxpr {
  if (!jaxpr.eqns.some(isOuter)) return jaxpr;
  const eqns = jaxpr.eqns.flatMap((e) => (isOuter(e) ? outerProduct(e) : [e]));
  return new Jaxpr(jaxpr.constvars, jaxpr.invars, eqns, jaxpr.outvars);
}
