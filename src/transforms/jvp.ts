// jvp.ts — forward-mode differentiation: the JVP trace carries (primal, tangent) pairs and
// applies each primitive's jvp rule. A null tangent is a symbolic zero.
import type { ShapedArray } from "../core/aval.js";
import { EagerArray, type JaxArray } from "../core/array.js";
import type { MaybeZero, Params, Primitive } from "../core/primitive.js";
import { Trace, Tracer, bind, fullLower } from "../core/trace.js";

export class JVPTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly primal: JaxArray,
    readonly tangent: MaybeZero,
  ) {
    super(trace);
  }
  get aval(): ShapedArray {
    return this.primal.aval;
  }
  _concrete(): EagerArray | null {
    return this.primal._concrete();
  }
  override _describe(): string {
    return this.primal._describe();
  }
  override _originInfo(): string {
    return this.primal._originInfo();
  }
  override fullLower(): JaxArray {
    return this.tangent === null ? fullLower(this.primal) : this;
  }
  override _tracerRepr(): string {
    return `JVPTracer(${this.aval.longStr()})`;
  }
}

export class JVPTrace extends Trace {
  pure(x: EagerArray): Tracer {
    return new JVPTracer(this, x, null);
  }
  lift(x: Tracer): Tracer {
    return new JVPTracer(this, x, null);
  }
  processPrimitive(prim: Primitive<any>, tracers: Tracer[], params: Params): JaxArray[] {
    const ts = tracers as JVPTracer[];
    const primals = ts.map((t) => t.primal);
    const tangents = ts.map((t) => t.tangent);
    if (tangents.every((t) => t === null)) {
      return bind(prim, primals, params).map((p) => new JVPTracer(this, p, null));
    }
    const [po, to] = prim.rule("jvp")(primals, tangents, params);
    return po.map((p, i) => new JVPTracer(this, p, to[i] ?? null));
  }
}
