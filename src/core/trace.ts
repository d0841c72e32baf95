// trace.ts — the trace stack, Tracer, and `bind`: every primitive application goes through
// bind(prim, args, params); the innermost active trace among the arguments (or the dynamic
// staging trace, if deeper) interprets it. The eval trace (level 0) runs it on the backend.
import type { ShapedArray } from "./aval.js";
import { EagerArray, JaxArray } from "./array.js";
import { UnexpectedTracerError } from "./errors.js";
import type { Params, Primitive } from "./primitive.js";
import { defaultBackend } from "../backends/backend.js";
import { shapeSize } from "./aval.js";

export abstract class Trace {
  constructor(readonly main: MainTrace) {}
  get level(): number {
    return this.main.level;
  }
  /** Wraps a concrete (eval-level) value as a tracer of this trace. */
  abstract pure(x: EagerArray): Tracer;
  /** Wraps a tracer of a lower trace as a tracer of this trace. */
  abstract lift(x: Tracer): Tracer;
  abstract processPrimitive(prim: Primitive<any>, tracers: Tracer[], params: Params): JaxArray[];
}

export type TraceClass = new (main: MainTrace) => Trace;

/** One active transformation (an entry of the trace stack). */
export class MainTrace {
  active = true;
  constructor(
    readonly level: number,
    readonly traceType: TraceClass | null,
    readonly globalData: unknown,
  ) {}
  makeTrace(): Trace {
    if (!this.traceType) throw new Error("internal: eval trace has no Trace object");
    return new this.traceType(this);
  }
}

const evalMain = new MainTrace(0, null, null);
const traceStack: MainTrace[] = [evalMain];
let dynamicMain: MainTrace = evalMain;

/** Runs fn with a new main trace pushed on the stack; pops it (and deactivates it) after. */
export function withMain<T>(traceType: TraceClass, globalData: unknown, fn: (main: MainTrace) => T): T {
  const main = new MainTrace(traceStack.length, traceType, globalData);
  traceStack.push(main);
  try {
    return fn(main);
  } finally {
    main.active = false;
    traceStack.pop();
  }
}

/** Runs fn with `main` as the dynamic trace: every bind, even on constants, reaches it. */
export function withDynamic<T>(main: MainTrace, fn: () => T): T {
  const prev = dynamicMain;
  dynamicMain = main;
  try {
    return fn();
  } finally {
    dynamicMain = prev;
  }
}

/** The active main traces, outermost first (the eval trace included). */
export function activeMains(): readonly MainTrace[] {
  return traceStack;
}

export function currentDynamic(): MainTrace {
  return dynamicMain;
}
export function stackDepth(): number {
  return traceStack.length;
}

export abstract class Tracer extends JaxArray {
  constructor(readonly _trace: Trace) {
    super();
  }
  /** Tracers that can be unwrapped (e.g. a JVP tracer with a zero tangent) return the inner value. */
  fullLower(): JaxArray {
    return this;
  }
  override _tracerRepr(): string {
    return `${this._trace.constructor.name.replace(/Trace$/, "")}Tracer(${this.aval.longStr()})`;
  }
}

function checkLive(t: Tracer): void {
  if (!t._trace.main.active)
    throw new UnexpectedTracerError(
      `${t.aval.longStr()} wrapped in a ${t._trace.constructor.name.replace(/Trace$/, "")}Tracer`,
      "The transformation that created this value has already returned. Return values from the transformed function instead of storing them in outer variables.",
    );
}

function findTopMain(args: readonly JaxArray[]): MainTrace {
  let top = evalMain;
  for (const a of args) {
    if (a instanceof Tracer) {
      checkLive(a);
      if (a._trace.main.level > top.level) top = a._trace.main;
    }
  }
  if (dynamicMain.level > top.level) top = dynamicMain;
  return top;
}

/** Wraps x as a tracer of `trace` (lifting lower-level values). */
export function fullRaise(trace: Trace, x: JaxArray): Tracer {
  if (!(x instanceof Tracer)) {
    if (!(x instanceof EagerArray)) throw new TypeError(`internal: bind got a non-array ${String(x)}`);
    return trace.pure(x);
  }
  const m = x._trace.main;
  if (m === trace.main) return x;
  if (m.level < trace.level) return trace.lift(x);
  throw new UnexpectedTracerError(
    `${x.aval.longStr()}`,
    `internal: a tracer from level ${m.level} reached a trace at level ${trace.level}`,
  );
}

export function fullLower(x: JaxArray): JaxArray {
  return x instanceof Tracer ? x.fullLower() : x;
}

/** Hooks called by the eval trace on every primitive executed (debug_nans, counters). */
export const evalHooks: { afterEval?: (prim: Primitive<any>, outs: EagerArray[]) => void } = {};

/**
 * For collectives (primitives with `namedAxes`): the traces of the vmaps that bind their axis
 * names (installed by src/transforms/collectives.ts). bind lets the innermost of those process
 * the collective when it is above the operands' traces (as JAX's AxisPrimitive), so a
 * collective of an unbatched value, or of no value (axisIndex), still reaches its vmap.
 */
export const namedAxisHooks: { mainsFor?: (names: readonly (string | symbol)[]) => readonly MainTrace[] } = {};

/** Applies a primitive to arrays. Returns one array per output. */
export function bind(prim: Primitive<any>, args: readonly JaxArray[], params: Params = {}): JaxArray[] {
  let main = findTopMain(args);
  if (prim.namedAxes && namedAxisHooks.mainsFor)
    for (const m of namedAxisHooks.mainsFor(prim.namedAxes(params))) if (m.level > main.level) main = m;
  if (main === evalMain) return evalPrimitive(prim, args as EagerArray[], params);
  const trace = main.makeTrace();
  const tracers = args.map((a) => fullRaise(trace, a));
  const outs = trace.processPrimitive(prim, tracers, params);
  return outs.map(fullLower);
}

/** Binds a single-output primitive. */
export function bind1(prim: Primitive<any>, args: readonly JaxArray[], params: Params = {}): JaxArray {
  return bind(prim, args, params)[0]!;
}

/** Runs a primitive on concrete arrays. */
export function evalPrimitive(prim: Primitive<any>, args: EagerArray[], params: Params): JaxArray[] {
  const impl = prim.impl;
  for (const a of args) a._checkAlive(); // a donated/disposed input must not be read as garbage
  if (typeof impl !== "function") return impl.bind(args, params);
  const inAvals = args.map((a) => a.aval);
  const outAvals = prim.abstractEval(inAvals, params);
  const backend = args.length ? args[0]!.backend : defaultBackend();
  const bufs = backend.execute(prim, args.map((a) => a._buf), inAvals, params, outAvals);
  const outs = bufs.map((b, i) => new EagerArray(b, outAvals[i]!, backend));
  if (evalHooks.afterEval) evalHooks.afterEval(prim, outs);
  return outs;
}

export function avalsOf(xs: readonly JaxArray[]): ShapedArray[] {
  return xs.map((x) => x.aval);
}

export { shapeSize };
