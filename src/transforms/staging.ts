// staging.ts — the staging trace: runs a function on abstract tracers and records every
// primitive it binds as a jaxpr equation. Used by jit/makeJaxpr (as the dynamic trace, so
// even operations on constants are staged) and by linearize (for the tangent computation).
import type { ShapedArray } from "../core/aval.js";
import { EagerArray, type JaxArray } from "../core/array.js";
import { ClosedJaxpr, Jaxpr, type JaxprEqn, Literal, Var, type Atom, typecheckJaxpr } from "../core/jaxpr.js";
import { config } from "../core/config.js";
import type { Params, Primitive } from "../core/primitive.js";
import { type MainTrace, Trace, Tracer, withDynamic, withMain } from "../core/trace.js";

/** Per-trace state: the equations recorded so far and the constants captured. */
export class JaxprBuilder {
  readonly eqns: JaxprEqn[] = [];
  readonly tracerVars = new Map<StagingTracer, Atom>();
  readonly constVars = new Map<JaxArray, Var>();
  /** Label for tracer reprs and error messages ("Jit", "Linearize" …) and origin info. */
  constructor(
    readonly label: string,
    readonly debugInfo: { fnName?: string; argNames?: string[] } = {},
  ) {}

  newTracer(trace: Trace, aval: ShapedArray, origin?: string): StagingTracer {
    const t = new StagingTracer(trace, aval, origin);
    this.tracerVars.set(t, new Var(aval));
    return t;
  }
  atom(x: JaxArray): Atom {
    const known = x instanceof StagingTracer ? this.tracerVars.get(x) : undefined;
    if (known) return known;
    if (x instanceof EagerArray && x.ndim === 0) return new Literal(x);
    let v = this.constVars.get(x);
    if (!v) {
      v = new Var(x.aval);
      this.constVars.set(x, v);
    }
    return v;
  }
  /** Builds the closed jaxpr with the given inputs and outputs. */
  build(ins: StagingTracer[], outs: JaxArray[]): ClosedJaxpr {
    const invars = ins.map((t) => this.tracerVars.get(t) as Var);
    const outvars = outs.map((o) => this.atom(o));
    const consts = [...this.constVars.keys()];
    const constvars = consts.map((c) => this.constVars.get(c)!);
    return new ClosedJaxpr(new Jaxpr(constvars, invars, [...this.eqns], outvars), consts);
  }
}

export class StagingTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly _aval: ShapedArray,
    readonly _origin?: string,
  ) {
    super(trace);
  }
  get aval(): ShapedArray {
    return this._aval;
  }
  _concrete(): null {
    return null;
  }
  override _tracerRepr(): string {
    return `${(this._trace as StagingTrace).builder.label}Tracer(${this.aval.longStr()})`;
  }
  override _originInfo(): string {
    const b = (this._trace as StagingTrace).builder;
    const fn = b.debugInfo.fnName ? `the function ${b.debugInfo.fnName}` : "a function";
    const where = `This value was traced while tracing ${fn} for ${b.label.toLowerCase()}.`;
    return this._origin
      ? `${where} This concrete value was not available in JS because it depends on the value of ${this._origin}.`
      : `${where} This concrete value was not available in JS because it depends on the value of an argument.`;
  }
}

export class StagingTrace extends Trace {
  get builder(): JaxprBuilder {
    return this.main.globalData as JaxprBuilder;
  }
  pure(x: EagerArray): Tracer {
    return this.constTracer(x);
  }
  lift(x: Tracer): Tracer {
    return this.constTracer(x);
  }
  private constTracer(x: JaxArray): Tracer {
    // A captured value: staged as a constvar (or literal) when used.
    const t = new StagingTracer(this, x.aval);
    this.builder.tracerVars.set(t, this.builder.atom(x));
    return t;
  }
  processPrimitive(prim: Primitive<any>, tracers: Tracer[], params: Params): JaxArray[] {
    const b = this.builder;
    const outAvals = prim.abstractEval(tracers.map((t) => t.aval), params);
    const outs = outAvals.map((a) => b.newTracer(this, a, inheritOrigin(tracers)));
    b.eqns.push({ prim, inputs: tracers.map((t) => b.tracerVars.get(t as StagingTracer)!), params, outvars: outs.map((o) => b.tracerVars.get(o) as Var) });
    return outs;
  }
}

function inheritOrigin(ts: Tracer[]): string | undefined {
  for (const t of ts) if (t instanceof StagingTracer && t._origin) return t._origin;
  return undefined;
}

/**
 * Traces `fn` on abstract inputs with the given avals and returns the closed jaxpr.
 * `dynamic`: stage every operation (jit); otherwise only those touching the inputs.
 */
export function traceToJaxpr(
  fn: (...args: StagingTracer[]) => JaxArray[],
  inAvals: readonly ShapedArray[],
  opts: { label?: string; dynamic?: boolean; fnName?: string; argNames?: string[] } = {},
): { jaxpr: ClosedJaxpr; outs: JaxArray[] } {
  const builder = new JaxprBuilder(opts.label ?? "Jit", { fnName: opts.fnName, argNames: opts.argNames });
  return withMain(StagingTrace, builder, (main: MainTrace) => {
    const trace = main.makeTrace();
    const ins = inAvals.map((a, i) => builder.newTracer(trace, a, opts.argNames?.[i] ?? `argument ${i}`));
    const run = () => fn(...ins);
    const outs = opts.dynamic === false ? run() : withDynamic(main, run);
    const raised = outs.map((o) => {
      if (o instanceof StagingTracer && o._trace.main === main) return o;
      return o;
    });
    const jaxpr = builder.build(ins, raised);
    // JAXTS_DEBUG=1 (config checkJaxprs): type-check every jaxpr a transformation stages
    if (config.get("checkJaxprs")) typecheckJaxpr(jaxpr.jaxpr);
    return { jaxpr, outs: raised };
  });
}
