// jaxpr.ts — the typed IR: variables, literals, equations, jaxprs; a printer in JAX's text
// form, an evaluator (through bind, so it works under every trace), and a type checker.
import { ShapedArray } from "./aval.js";
import { EagerArray, type JaxArray } from "./array.js";
import { shortName } from "./dtype.js";
import type { Params, Primitive } from "./primitive.js";
import { bind } from "./trace.js";

let varCounter = 0;
export class Var {
  readonly id = varCounter++;
  constructor(readonly aval: ShapedArray) {}
}

/** A scalar constant inlined into an equation. */
export class Literal {
  constructor(readonly val: EagerArray) {}
  get aval(): ShapedArray {
    return this.val.aval;
  }
}
export type Atom = Var | Literal;

export interface JaxprEqn {
  readonly prim: Primitive<any>;
  readonly inputs: Atom[];
  readonly params: Params;
  readonly outvars: Var[];
}

export class Jaxpr {
  constructor(
    readonly constvars: Var[],
    readonly invars: Var[],
    readonly eqns: JaxprEqn[],
    readonly outvars: Atom[],
  ) {}
  get inAvals(): ShapedArray[] {
    return this.invars.map((v) => v.aval);
  }
  get outAvals(): ShapedArray[] {
    return this.outvars.map((v) => v.aval);
  }
  toString(): string {
    return printJaxpr(this);
  }
}

/** A jaxpr together with the values of its constvars. */
export class ClosedJaxpr {
  constructor(
    readonly jaxpr: Jaxpr,
    readonly consts: JaxArray[],
  ) {}
  toString(): string {
    return printJaxpr(this.jaxpr);
  }
  get inAvals(): ShapedArray[] {
    return this.jaxpr.inAvals;
  }
  get outAvals(): ShapedArray[] {
    return this.jaxpr.outAvals;
  }
}

/** Evaluates a jaxpr by binding each equation (so it composes with any active trace). */
export function evalJaxpr(jaxpr: Jaxpr, consts: readonly JaxArray[], args: readonly JaxArray[]): JaxArray[] {
  const env = new Map<Var, JaxArray>();
  const read = (a: Atom): JaxArray => {
    if (a instanceof Literal) return a.val;
    const v = env.get(a);
    if (v === undefined) throw new Error(`internal: jaxpr variable used before definition`);
    return v;
  };
  if (consts.length !== jaxpr.constvars.length) throw new Error(`internal: jaxpr expects ${jaxpr.constvars.length} consts, got ${consts.length}`);
  if (args.length !== jaxpr.invars.length) throw new Error(`internal: jaxpr expects ${jaxpr.invars.length} args, got ${args.length}`);
  jaxpr.constvars.forEach((v, i) => env.set(v, consts[i]!));
  jaxpr.invars.forEach((v, i) => env.set(v, args[i]!));
  for (const eqn of jaxpr.eqns) {
    const outs = bind(eqn.prim, eqn.inputs.map(read), eqn.params);
    eqn.outvars.forEach((v, i) => env.set(v, outs[i]!));
  }
  return jaxpr.outvars.map(read);
}

// ---------------------------------------------------------------- printing
function varName(i: number): string {
  // a … z, ba … bz, ca … (JAX's scheme)
  const letters = "abcdefghijklmnopqrstuvwxyz";
  let s = "";
  let n = i;
  s = letters[n % 26]!;
  n = Math.floor(n / 26);
  while (n > 0) {
    s = letters[n % 26]! + s;
    n = Math.floor(n / 26);
  }
  return s;
}

function fmtLiteral(l: Literal): string {
  const v = l.val._host()[0]!;
  const d = l.val.dtype;
  let s: string;
  if (d === "bool") s = v ? "True" : "False";
  else if (d === "float32" || d === "float64") s = Number.isInteger(v) ? `${v}.0` : String(v);
  else s = String(v);
  return `${s}:${shortName(d)}[]`;
}

function fmtParam(v: unknown): string {
  if (Array.isArray(v)) return `(${v.map(fmtParam).join(", ")}${v.length === 1 ? "," : ""})`;
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v instanceof Jaxpr || v instanceof ClosedJaxpr) return "\n" + indent(v.toString(), 6);
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
function indent(s: string, n: number): string {
  return s
    .split("\n")
    .map((l) => " ".repeat(n) + l)
    .join("\n");
}

export function printJaxpr(jaxpr: Jaxpr): string {
  const names = new Map<Var, string>();
  let k = 0;
  const name = (v: Var): string => {
    let s = names.get(v);
    if (!s) {
      s = varName(k++);
      names.set(v, s);
    }
    return s;
  };
  const atom = (a: Atom) => (a instanceof Literal ? fmtLiteral(a) : name(a));
  const binder = (v: Var) => `${name(v)}:${v.aval.str()}`;
  const cv = jaxpr.constvars.map(binder).join(" ");
  const iv = jaxpr.invars.map(binder).join(" ");
  const eqnLines = jaxpr.eqns.map((e) => {
    const lhs = e.outvars.map(binder).join(" ");
    const ps = e.prim.printParams ? e.prim.printParams(e.params as never) : Object.entries(e.params).map(([k2, v]) => `${k2}=${fmtParam(v)}`).join(" ");
    const args = e.inputs.map(atom).join(" ");
    const rhs = `${e.prim.name}${ps ? `[${ps}]` : ""}${args ? " " + args : ""}`;
    return lhs ? `${lhs} = ${rhs}` : rhs;
  });
  const outs = `(${jaxpr.outvars.map(atom).join(", ")}${jaxpr.outvars.length === 1 ? "," : ""})`;
  const head = `{ lambda ${cv}${cv ? "" : ""}; ${iv}. let`;
  const oneLine = `${head} ${eqnLines.join("; ")} in ${outs} }`;
  if (oneLine.length <= 80 && !oneLine.includes("\n")) return eqnLines.length ? oneLine : `${head}  in ${outs} }`; // JAX: "let  in" when empty
  return `${head}\n${eqnLines.map((l) => "    " + l).join("\n")}\n  in ${outs} }`;
}

// ---------------------------------------------------------------- type checking
/** Checks that every equation's outputs match its primitive's abstract evaluation. */
export function typecheckJaxpr(jaxpr: Jaxpr): void {
  const defined = new Set<Var>([...jaxpr.constvars, ...jaxpr.invars]);
  for (const eqn of jaxpr.eqns) {
    for (const a of eqn.inputs)
      if (a instanceof Var && !defined.has(a)) throw new TypeError(`jaxpr type error: ${eqn.prim.name} uses an undefined variable`);
    const outs = eqn.prim.abstractEval(eqn.inputs.map((a) => a.aval), eqn.params as never);
    if (outs.length !== eqn.outvars.length) throw new TypeError(`jaxpr type error: ${eqn.prim.name} has ${eqn.outvars.length} outputs, expected ${outs.length}`);
    outs.forEach((o, i) => {
      const v = eqn.outvars[i]!;
      if (!o.sameType(v.aval)) throw new TypeError(`jaxpr type error: ${eqn.prim.name} output ${i} is ${v.aval.str()}, expected ${o.str()}`);
      defined.add(v);
    });
  }
  for (const a of jaxpr.outvars) if (a instanceof Var && !defined.has(a)) throw new TypeError("jaxpr type error: undefined output variable");
}

export { ShapedArray };
