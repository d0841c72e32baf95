// primitive.ts — the primitive registry. A primitive is ONE object carrying all of its rules:
// impl (reference kernel on host data, run by the js backend), abstractEval, jvp, transpose,
// batch and lower. Every slot must be given; a rule that a later issue supplies is written
// `missing("…")`, so a missing rule is visible in the definition and fails loudly if used.
import type { ShapedArray } from "./aval.js";
import type { DType, TypedArray } from "./dtype.js";
import type { JaxArray } from "./array.js";
import { NotImplementedError } from "./errors.js";

export type Params = Record<string, unknown>;

/** Host view of an operand handed to a reference kernel. */
export interface HostArray {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A rule that is not written yet. `why` names what provides it. */
export interface MissingRule {
  readonly missing: string;
}
export function missing(why: string): MissingRule {
  return { missing: why };
}
export function isMissing(r: unknown): r is MissingRule {
  return typeof r === "object" && r !== null && "missing" in r;
}

/** Marker for the transpose slot of a primitive that is not linear in any argument. */
export const NOT_LINEAR = { notLinear: true } as const;
export type NotLinear = typeof NOT_LINEAR;

/** A tangent or cotangent; `null` is a symbolic zero. */
export type MaybeZero = JaxArray | null;

/** Placeholder for a primal input of unknown value during transposition (a linear input). */
export class UndefinedPrimal {
  constructor(readonly aval: ShapedArray) {}
}

/** Reference kernel: host arrays in, host typed arrays out (one per output aval). */
export type KernelImpl<P> = (inputs: HostArray[], params: P, outAvals: ShapedArray[]) => TypedArray[];
/** An impl written in terms of other primitives (higher-order primitives: jit, cond …). */
export type BindImpl<P> = (args: JaxArray[], params: P) => JaxArray[];
/** (primals, tangents with null = zero) -> (primal outs, tangent outs). */
export type JvpRule<P> = (primals: JaxArray[], tangents: MaybeZero[], params: P) => [JaxArray[], MaybeZero[]];
/** (output cotangents, args with UndefinedPrimal for linear inputs) -> cotangent per arg. */
export type TransposeRule<P> = (cts: MaybeZero[], args: (JaxArray | UndefinedPrimal)[], params: P) => MaybeZero[];
/** Batch dims per arg (null = unbatched) -> outputs and their batch dims. */
export type BatchRule<P> = (
  args: JaxArray[],
  dims: (number | null)[],
  params: P,
  axis: { size: number; name: string | symbol },
) => [JaxArray[], (number | null)[]];
/** Lowering into the compiler's kernel IR (see src/compiler). */
export type LowerRule<P> = (ctx: unknown, inputs: unknown[], params: P) => unknown[];

export interface PrimitiveDef<P extends Params = Params> {
  readonly name: string;
  /** Reference implementation: a host kernel, or `{ bind }` for primitives built from others. */
  readonly impl: KernelImpl<P> | { readonly bind: BindImpl<P> };
  readonly abstractEval: (avals: ShapedArray[], params: P) => ShapedArray[];
  readonly jvp: JvpRule<P> | MissingRule;
  readonly transpose: TransposeRule<P> | NotLinear | MissingRule;
  readonly batch: BatchRule<P> | MissingRule;
  readonly lower: LowerRule<P> | MissingRule;
  /** Axis names a collective acts on: the vmap of such an axis always applies the batch rule,
   * even when no operand is batched (e.g. psum of a constant is n·x). */
  readonly namedAxes?: (params: P) => readonly (string | symbol)[];
  /** Printing of params in jaxpr text; default prints every param. */
  readonly printParams?: (params: P) => string;
}

export interface Primitive<P extends Params = Params> extends PrimitiveDef<P> {
  /** Looks up a rule, throwing a NotImplementedError naming the primitive if it is missing. */
  rule<K extends "jvp" | "transpose" | "batch" | "lower">(k: K): Exclude<PrimitiveDef<P>[K], MissingRule | NotLinear>;
}

const registry = new Map<string, Primitive<any>>();

export function definePrimitive<P extends Params>(def: PrimitiveDef<P>): Primitive<P> {
  if (registry.has(def.name)) throw new Error(`internal: primitive ${def.name} defined twice`);
  const prim: Primitive<P> = {
    ...def,
    rule(k) {
      const r = def[k];
      if (isMissing(r))
        throw new NotImplementedError(`the ${k} rule of primitive '${def.name}' is not implemented yet (${r.missing})`);
      if (r === NOT_LINEAR)
        throw new TypeError(`internal: primitive '${def.name}' is not linear, so it has no transpose rule`);
      return r as never;
    },
  };
  registry.set(def.name, prim);
  return prim;
}

export function getPrimitive(name: string): Primitive<any> | undefined {
  return registry.get(name);
}
export function allPrimitives(): Primitive<any>[] {
  return [...registry.values()];
}
