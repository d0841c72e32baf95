// serialize.ts — jaxprs to structured-clone-able objects and back, so a staged program can
// be sent to device workers. Primitives travel by name; nested jaxprs recursively; function
// params (host callbacks) travel as ids the main thread resolves.
import { ShapedArray } from "../core/aval.js";
import { EagerArray, type JaxArray } from "../core/array.js";
import type { DType, TypedArray } from "../core/dtype.js";
import { type Atom, ClosedJaxpr, Jaxpr, type JaxprEqn, Literal, Var } from "../core/jaxpr.js";
import { getPrimitive } from "../core/primitive.js";

export interface SAval {
  shape: number[];
  dtype: DType;
  weak: boolean;
}
export interface SArray {
  aval: SAval;
  data: TypedArray;
}
export type SAtom = { v: number } | { lit: SArray };
export interface SEqn {
  prim: string;
  inputs: SAtom[];
  params: unknown;
  outvars: number[];
}
export interface SJaxpr {
  vars: SAval[];
  constvars: number[];
  invars: number[];
  eqns: SEqn[];
  outvars: SAtom[];
}
export interface SClosedJaxpr {
  jaxpr: SJaxpr;
  consts: SArray[];
}

const saval = (a: ShapedArray): SAval => ({ shape: [...a.shape], dtype: a.dtype, weak: a.weakType });
const avalOf = (s: SAval) => new ShapedArray(s.shape, s.dtype, s.weak);

function sarray(x: JaxArray): SArray {
  const c = x._concrete();
  if (!c || c !== (x as unknown)) throw new Error("internal: only concrete arrays can be sent to devices");
  return { aval: saval(x.aval), data: (x as EagerArray)._host().slice() };
}
function darray(s: SArray): EagerArray {
  return EagerArray.fromTyped(s.data, s.aval.shape, s.aval.dtype, s.aval.weak);
}

/** Host functions met in params are registered here (main thread) and sent as ids. */
export interface FnTable {
  add(fn: Function): number;
}

export function serializeJaxpr(j: Jaxpr, fns: FnTable): SJaxpr {
  const ids = new Map<Var, number>();
  const vars: SAval[] = [];
  const vid = (v: Var) => {
    let i = ids.get(v);
    if (i === undefined) {
      i = vars.length;
      vars.push(saval(v.aval));
      ids.set(v, i);
    }
    return i;
  };
  const atom = (a: Atom): SAtom => (a instanceof Literal ? { lit: sarray(a.val) } : { v: vid(a) });
  const constvars = j.constvars.map(vid);
  const invars = j.invars.map(vid);
  const eqns = j.eqns.map((e: JaxprEqn) => ({ prim: e.prim.name, inputs: e.inputs.map(atom), params: serializeValue(e.params, fns), outvars: e.outvars.map(vid) }));
  return { vars, constvars, invars, eqns, outvars: j.outvars.map(atom) };
}

export function serializeClosed(cj: ClosedJaxpr, fns: FnTable): SClosedJaxpr {
  return { jaxpr: serializeJaxpr(cj.jaxpr, fns), consts: cj.consts.map(sarray) };
}

function serializeValue(v: unknown, fns: FnTable): unknown {
  if (v instanceof ClosedJaxpr) return { __closed: serializeClosed(v, fns) };
  if (v instanceof Jaxpr) return { __jaxpr: serializeJaxpr(v, fns) };
  if (v instanceof ShapedArray) return { __aval: saval(v) };
  if (v instanceof EagerArray) return { __array: sarray(v) };
  if (typeof v === "function") return { __fn: fns.add(v) };
  if (typeof v === "symbol") return { __symbol: v.description ?? "" };
  if (Array.isArray(v)) return v.map((x) => serializeValue(x, fns));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, serializeValue(x, fns)]));
  return v;
}

/** Rebuilds host functions on the device side from their ids. */
export type FnResolver = (id: number) => Function;

export function deserializeJaxpr(s: SJaxpr, fns: FnResolver): Jaxpr {
  const vars = s.vars.map((a) => new Var(avalOf(a)));
  const atom = (a: SAtom): Atom => ("lit" in a ? new Literal(darray(a.lit)) : vars[a.v]!);
  const eqns: JaxprEqn[] = s.eqns.map((e) => {
    const prim = getPrimitive(e.prim);
    if (!prim) throw new Error(`internal: unknown primitive '${e.prim}' on the device`);
    return { prim, inputs: e.inputs.map(atom), params: deserializeValue(e.params, fns) as Record<string, unknown>, outvars: e.outvars.map((i) => vars[i]!) };
  });
  return new Jaxpr(s.constvars.map((i) => vars[i]!), s.invars.map((i) => vars[i]!), eqns, s.outvars.map(atom));
}

export function deserializeClosed(s: SClosedJaxpr, fns: FnResolver): ClosedJaxpr {
  return new ClosedJaxpr(deserializeJaxpr(s.jaxpr, fns), s.consts.map(darray));
}

const symbols = new Map<string, symbol>();
function deserializeValue(v: unknown, fns: FnResolver): unknown {
  if (Array.isArray(v)) return v.map((x) => deserializeValue(x, fns));
  if (v && typeof v === "object" && !ArrayBuffer.isView(v)) {
    const o = v as Record<string, unknown>;
    if ("__closed" in o) return deserializeClosed(o.__closed as SClosedJaxpr, fns);
    if ("__jaxpr" in o) return deserializeJaxpr(o.__jaxpr as SJaxpr, fns);
    if ("__aval" in o) return avalOf(o.__aval as SAval);
    if ("__array" in o) return darray(o.__array as SArray);
    if ("__fn" in o) return fns(o.__fn as number);
    if ("__symbol" in o) {
      // symbols (anonymous vmap axes) keep their identity within one device program
      const d = o.__symbol as string;
      let s = symbols.get(d);
      if (!s) symbols.set(d, (s = Symbol(d)));
      return s;
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, deserializeValue(x, fns)]));
  }
  return v;
}
