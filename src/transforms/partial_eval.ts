// partial_eval.ts — splits a jaxpr into the part computable from known inputs and the part
// that needs the unknown ones (with residuals passed between). Used by the jvp rules of
// higher-order primitives so that under linearize primal values stay concrete and only the
// tangent computation is staged.
import { ClosedJaxpr, Jaxpr, type JaxprEqn, Literal, type Var } from "../core/jaxpr.js";

export interface PartialEvalResult {
  /** known inputs -> [known outputs..., residuals...] */
  known: ClosedJaxpr;
  /** [residuals..., unknown inputs...] -> unknown outputs */
  unknown: ClosedJaxpr;
  outUnknown: boolean[];
  numResiduals: number;
}

export function partialEvalJaxpr(cj: ClosedJaxpr, unknownIns: readonly boolean[]): PartialEvalResult {
  const { jaxpr } = cj;
  const unknownVars = new Set<Var>();
  jaxpr.invars.forEach((v, i) => unknownIns[i] && unknownVars.add(v));
  const knownEqns: JaxprEqn[] = [];
  const unknownEqns: JaxprEqn[] = [];
  for (const e of jaxpr.eqns) {
    if (e.inputs.some((a) => !(a instanceof Literal) && unknownVars.has(a))) {
      unknownEqns.push(e);
      e.outvars.forEach((v) => unknownVars.add(v));
    } else knownEqns.push(e);
  }
  const isUnknown = (a: Var | Literal) => !(a instanceof Literal) && unknownVars.has(a);
  // residuals: known vars consumed by unknown equations
  const residuals: Var[] = [];
  const seen = new Set<Var>();
  for (const e of unknownEqns)
    for (const a of e.inputs)
      if (!(a instanceof Literal) && !unknownVars.has(a) && !seen.has(a)) {
        seen.add(a);
        residuals.push(a);
      }
  const outUnknown = jaxpr.outvars.map(isUnknown);
  const knownOuts = jaxpr.outvars.filter((_, i) => !outUnknown[i]);
  const known = new ClosedJaxpr(
    new Jaxpr(
      jaxpr.constvars,
      jaxpr.invars.filter((_, i) => !unknownIns[i]),
      knownEqns,
      [...knownOuts, ...residuals],
    ),
    cj.consts,
  );
  const unknown = new ClosedJaxpr(
    new Jaxpr(
      [],
      [...residuals, ...jaxpr.invars.filter((_, i) => unknownIns[i])],
      unknownEqns,
      jaxpr.outvars.filter((_, i) => outUnknown[i]),
    ),
    [],
  );
  return { known, unknown, outUnknown, numResiduals: residuals.length };
}
