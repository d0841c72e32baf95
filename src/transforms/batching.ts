// batching.ts — vmap: the batching trace carries (value, batch dim) pairs and applies each
// primitive's batch rule, so the traced program never loops over the batch.
import { ShapedArray } from "../core/aval.js";
import type { EagerArray, JaxArray } from "../core/array.js";
import type { Params, Primitive } from "../core/primitive.js";
import { type MainTrace, Trace, Tracer, activeMains, bind, fullLower, fullRaise, withMain } from "../core/trace.js";
import { broadcastInDim, moveaxis } from "../primitives/movement.js";

export interface AxisData {
  readonly size: number;
  readonly name: string | symbol;
  /** true when the name was given by the user (collectives may refer to it) */
  readonly named: boolean;
}

export class BatchTracer extends Tracer {
  private _aval?: ShapedArray;
  constructor(
    trace: Trace,
    readonly val: JaxArray,
    readonly bdim: number | null,
  ) {
    super(trace);
  }
  get aval(): ShapedArray {
    if (!this._aval) {
      const a = this.val.aval;
      this._aval = this.bdim === null ? a : new ShapedArray(a.shape.filter((_, i) => i !== this.bdim), a.dtype, a.weakType);
    }
    return this._aval;
  }
  _concrete(): EagerArray | null {
    return this.bdim === null ? this.val._concrete() : null;
  }
  override _originInfo(): string {
    return "The value is batched by vmap, so its contents are different for each example and not available to JS code; use jnp.where or lax.cond instead of a JS if.";
  }
  override fullLower(): JaxArray {
    return this.bdim === null ? fullLower(this.val) : this;
  }
  override _tracerRepr(): string {
    return `BatchTracer(${this.aval.longStr()})`;
  }
}

export class BatchTrace extends Trace {
  get axis(): AxisData {
    return this.main.globalData as AxisData;
  }
  pure(x: EagerArray): Tracer {
    return new BatchTracer(this, x, null);
  }
  lift(x: Tracer): Tracer {
    return new BatchTracer(this, x, null);
  }
  processPrimitive(prim: Primitive<any>, tracers: Tracer[], params: Params): JaxArray[] {
    const ts = tracers as BatchTracer[];
    const vals = ts.map((t) => t.val);
    const dims = ts.map((t) => t.bdim);
    if (dims.every((d) => d === null) && !(prim.namedAxes && prim.namedAxes(params).includes(this.axis.name)))
      return bind(prim, vals, params).map((v) => new BatchTracer(this, v, null));
    const [outs, outDims] = prim.rule("batch")(vals, dims, params, this.axis);
    return outs.map((o, i) => new BatchTracer(this, o, outDims[i] ?? null));
  }
}

/** Runs fn over batched flat inputs; returns flat outputs with their batch dims. */
export function batchFlat(
  fn: (...xs: JaxArray[]) => JaxArray[],
  args: JaxArray[],
  inDims: (number | null)[],
  axis: AxisData,
): { outs: JaxArray[]; outDims: (number | null)[] } {
  return withMain(BatchTrace, axis, (main: MainTrace) => {
    const trace = main.makeTrace();
    const ins = args.map((a, i) => (inDims[i] === null ? a : new BatchTracer(trace, a, inDims[i]!)));
    const outs = fn(...ins).map((o) => fullRaise(trace, o) as BatchTracer);
    return { outs: outs.map((o) => o.val), outDims: outs.map((o) => o.bdim) };
  });
}

/**
 * A named axis bound while a pmap traces its per-device program: it only answers axis
 * lookups (collectives' shapes); it never processes primitives.
 */
export class AxisEnvTrace extends Trace {
  pure(): Tracer {
    throw new Error("internal: the pmap axis environment has no values");
  }
  lift(): Tracer {
    throw new Error("internal: the pmap axis environment has no values");
  }
  processPrimitive(): JaxArray[] {
    throw new Error("internal: the pmap axis environment processes no primitives");
  }
}

/** Runs fn with `axis` bound as a pmap axis (for tracing per-device programs). */
export function withAxisEnv<T>(axis: AxisData, fn: () => T): T {
  return withMain(AxisEnvTrace, axis, () => fn());
}

/** The active vmap/pmap axes, innermost last (for collectives and axisIndex). */
export function findAxis(name: string | symbol, stack: readonly MainTrace[] = activeMains()): MainTrace | undefined {
  for (let i = stack.length - 1; i >= 0; i--) {
    const m = stack[i]!;
    if ((m.traceType === BatchTrace || m.traceType === AxisEnvTrace) && (m.globalData as AxisData).name === name) return m;
  }
  return undefined;
}

/** Moves x's batch dim to 0, broadcasting an unbatched x to size `size`. */
export function toBatchDim0(x: JaxArray, d: number | null, size: number): JaxArray {
  if (d === 0) return x;
  if (d === null) return broadcastInDim(x, [size, ...x.aval.shape], x.aval.shape.map((_, i) => i + 1));
  return moveaxis(x, d, 0);
}
