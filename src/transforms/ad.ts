// ad.ts — reverse mode from forward mode: linearize runs the JVP trace with tangents staged
// into a jaxpr (primal work runs at the outer level, so host control flow on values still
// works), and the backward pass transposes that linear jaxpr with each primitive's
// transpose rule. jvp, vjp and grad are built on these.
import { ShapedArray } from "../core/aval.js";
import { EagerArray, type JaxArray } from "../core/array.js";
import { isFloat, typedArrayFor } from "../core/dtype.js";
import { type Atom, type ClosedJaxpr, type Jaxpr, type JaxprEqn, Literal, type Var } from "../core/jaxpr.js";
import { type MaybeZero, UndefinedPrimal } from "../core/primitive.js";
import { type MainTrace, bind, fullRaise, withMain } from "../core/trace.js";
import { add, convert } from "../primitives/elementwise.js";
import { JVPTrace, JVPTracer } from "./jvp.js";
import { JaxprBuilder, StagingTrace, type StagingTracer } from "./staging.js";

/** Zeros with the given aval (float0 for integer/bool primals). */
export function zerosFor(aval: ShapedArray): EagerArray {
  return EagerArray.fromTyped(typedArrayFor(aval.dtype, aval.size), aval.shape, aval.dtype, aval.weakType);
}
export function float0Zeros(aval: ShapedArray): EagerArray {
  return EagerArray.fromTyped(new Uint8Array(aval.size), aval.shape, "float0");
}
/** The aval of a tangent of a primal with this aval. */
export function tangentAval(a: ShapedArray): ShapedArray {
  return isFloat(a.dtype) ? a : new ShapedArray(a.shape, "float0");
}

/** Forward mode on flat lists. Tangents may be null (zero). */
export function jvpFlat(
  fn: (...xs: JaxArray[]) => JaxArray[],
  primals: JaxArray[],
  tangents: MaybeZero[],
): { primalsOut: JaxArray[]; tangentsOut: MaybeZero[] } {
  return withMain(JVPTrace, null, (main: MainTrace) => {
    const trace = main.makeTrace();
    const ins = primals.map((p, i) => new JVPTracer(trace, p, isFloat(p.dtype) ? tangents[i] ?? null : null));
    const outs = fn(...ins).map((o) => fullRaise(trace, o) as JVPTracer);
    return { primalsOut: outs.map((o) => o.primal), tangentsOut: outs.map((o) => o.tangent) };
  });
}

export interface Linearized {
  primalsOut: JaxArray[];
  /** linear jaxpr: tangents of the float inputs -> tangents of all outputs */
  linear: ClosedJaxpr;
  /** which inputs have a tangent input in `linear` */
  inputHasTangent: boolean[];
}

/** Linearizes fn at primals: evaluates it and stages its tangent map into a jaxpr. */
export function linearizeFlat(fn: (...xs: JaxArray[]) => JaxArray[], primals: JaxArray[]): Linearized {
  const builder = new JaxprBuilder("Linearize");
  return withMain(StagingTrace, builder, (smain: MainTrace) => {
    const strace = smain.makeTrace();
    const inputHasTangent = primals.map((p) => isFloat(p.dtype));
    const tanIn = primals.map((p, i) => (inputHasTangent[i] ? builder.newTracer(strace, p.aval) : null));
    const { primalsOut, tangentsOut } = jvpFlat(fn, primals, tanIn);
    const touts = tangentsOut.map((t, i) => {
      const a = primalsOut[i]!.aval;
      if (t === null) return isFloat(a.dtype) ? zerosFor(a) : float0Zeros(a);
      return t;
    });
    const linear = builder.build(tanIn.filter((t): t is StagingTracer => t !== null), touts);
    return { primalsOut, linear, inputHasTangent };
  });
}

/** Transposes a linear jaxpr: output cotangents -> cotangents of its inputs (null = zero). */
export function backwardPass(cj: ClosedJaxpr, cts: MaybeZero[]): MaybeZero[] {
  return transposeJaxpr(
    cj.jaxpr,
    cj.consts,
    cj.jaxpr.invars.map((v) => new UndefinedPrimal(v.aval)),
    cts,
  );
}

/**
 * Transposes a jaxpr that is linear in the inputs given as UndefinedPrimal; the other inputs
 * are known values. Equations whose inputs are all known are evaluated forward first (they
 * compute residuals); the rest are transposed in reverse order. Returns a cotangent (or null)
 * for every input; known inputs get null.
 */
export function transposeJaxpr(
  jaxpr: Jaxpr,
  consts: readonly JaxArray[],
  args: readonly (JaxArray | UndefinedPrimal)[],
  cts: readonly MaybeZero[],
): MaybeZero[] {
  const known = new Map<Var, JaxArray>();
  jaxpr.constvars.forEach((v, i) => known.set(v, consts[i]!));
  jaxpr.invars.forEach((v, i) => {
    const a = args[i]!;
    if (!(a instanceof UndefinedPrimal)) known.set(v, a);
  });
  const isKnown = (a: Atom) => a instanceof Literal || known.has(a);
  const value = (a: Atom): JaxArray | UndefinedPrimal => (a instanceof Literal ? a.val : known.get(a) ?? new UndefinedPrimal(a.aval));
  // forward: evaluate non-linear equations
  const linearEqns: JaxprEqn[] = [];
  for (const eqn of jaxpr.eqns) {
    if (eqn.inputs.every(isKnown)) {
      const outs = bind(eqn.prim, eqn.inputs.map((a) => value(a) as JaxArray), eqn.params);
      eqn.outvars.forEach((v, i) => known.set(v, outs[i]!));
    } else linearEqns.push(eqn);
  }
  const ctEnv = new Map<Var, JaxArray>();
  const accum = (v: Var, ct: JaxArray) => {
    if (ct.dtype === "float0") return;
    const c = ct.dtype === v.aval.dtype ? ct : convert(ct, v.aval.dtype, v.aval.weakType);
    const cur = ctEnv.get(v);
    ctEnv.set(v, cur ? add(cur, c) : c);
  };
  jaxpr.outvars.forEach((o, i) => {
    const ct = cts[i];
    if (ct && !isKnown(o)) accum(o as Var, ct);
  });
  for (let k = linearEqns.length - 1; k >= 0; k--) {
    const eqn = linearEqns[k]!;
    const ctsOut = eqn.outvars.map((v) => ctEnv.get(v) ?? null);
    if (ctsOut.every((c) => c === null)) continue;
    const ctsIn = eqn.prim.rule("transpose")(ctsOut, eqn.inputs.map(value), eqn.params);
    eqn.inputs.forEach((a, i) => {
      const ct = ctsIn[i];
      if (ct && !isKnown(a)) accum(a as Var, ct);
    });
    for (const v of eqn.outvars) ctEnv.delete(v);
  }
  return jaxpr.invars.map((v, i) => (args[i] instanceof UndefinedPrimal ? ctEnv.get(v) ?? null : null));
}

/** vjp on flat lists: returns outputs and a pullback giving one cotangent per input. */
export function vjpFlat(
  fn: (...xs: JaxArray[]) => JaxArray[],
  primals: JaxArray[],
): { primalsOut: JaxArray[]; pullback: (cts: MaybeZero[]) => JaxArray[] } {
  const lin = linearizeFlat(fn, primals);
  const pullback = (cts: MaybeZero[]): JaxArray[] => {
    const ctIn = backwardPass(lin.linear, cts);
    let k = 0;
    return primals.map((p, i) => {
      if (!lin.inputHasTangent[i]) return float0Zeros(p.aval);
      const c = ctIn[k++];
      if (!c) return zerosFor(p.aval);
      return c.dtype === p.dtype && c.weakType === p.weakType ? c : convert(c, p.dtype, p.weakType);
    });
  };
  return { primalsOut: lin.primalsOut, pullback };
}
