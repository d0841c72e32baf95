// api.ts — the public transformation functions over pytrees: jvp, linearize, vjp, grad,
// valueAndGrad, jacfwd, jacrev, hessian and vmap, with JAX's argument handling and errors.
import { ShapedArray, shapeSize } from "../core/aval.js";
import { EagerArray, JaxArray } from "../core/array.js";
import { isFloat, typedArrayFor } from "../core/dtype.js";
import { NotImplementedError, ValueError } from "../core/errors.js";
import { evalJaxpr } from "../core/jaxpr.js";
import type { MaybeZero } from "../core/primitive.js";
import { Tracer, fullLower } from "../core/trace.js";
import * as tree from "../core/tree.js";
import { broadcastInDim, moveaxis, reshape, transpose } from "../primitives/movement.js";
import { backwardPass, jvpFlat, linearizeFlat, tangentAval, vjpFlat, zerosFor } from "./ad.js";
import { checkCallable, flattenFun, fnName, leafToArray, normArgnums } from "./args.js";
import { type AxisData, batchFlat } from "./batching.js";
import { JVPTracer } from "./jvp.js";

type Fn = (...args: any[]) => any;

/** A parameter type with every Array replaced by "Array or JS number/boolean": transformed
 * functions accept host scalars wherever the original takes arrays. */
export type Loose<T> = 0 extends 1 & T
  ? any
  : [T] extends [JaxArray]
  ? JaxArray | number | boolean
  : [JaxArray] extends [T]
    ? T | number | boolean
  : T extends (...a: any[]) => any
    ? T
    : T extends readonly unknown[]
      ? { [K in keyof T]: Loose<T[K]> }
      : T extends object
        ? { [K in keyof T]: Loose<T[K]> }
        : T;
type LooseTuple<P extends readonly unknown[]> = { [K in keyof P]: Loose<P[K]> };
export type LooseArgs<F extends Fn> = LooseTuple<Parameters<F>>;

function flattenArrays(t: unknown, where: (i: number) => string): [JaxArray[], tree.TreeDef] {
  const [leaves, def] = tree.flatten(t);
  return [leaves.map((l, i) => leafToArray(l, () => where(i))), def];
}

function shapeTuple(s: readonly number[]): string {
  return `(${s.join(", ")}${s.length === 1 ? "," : ""})`;
}

/** Strips tracers of the given JVP trace level from aux outputs (aux is returned concrete). */
function lowerAux(aux: unknown): unknown {
  return tree.map((l: unknown) => {
    let x = l;
    while (x instanceof JVPTracer) x = x.primal;
    return x instanceof Tracer ? fullLower(x) : x;
  }, aux);
}

// ---------------------------------------------------------------- grad family
export interface GradOptions {
  argnums?: number | number[];
  hasAux?: boolean;
  allowInt?: boolean;
  reduceAxes?: unknown[];
}

function checkScalarOut(out: unknown, fname: string): JaxArray {
  if (!(out instanceof JaxArray) && typeof out !== "number")
    throw new TypeError(`Gradient only defined for scalar-output functions. Output was ${formatOut(out)}.`);
  const o = leafToArray(out, () => "output");
  if (o.ndim !== 0) {
    const hints = [
      o.size === 1 ? `If your output has size 1, try output.reshape([])${o.ndim === 1 ? " or output.get(0)" : ""}.` : "",
      "Consider summing the output with output.sum(), or use jacrev/jacfwd for a full Jacobian.",
    ].filter(Boolean);
    throw new TypeError(`Gradient only defined for scalar-output functions. Output had shape: ${shapeTuple(o.shape)}. ${hints.join(" ")}`);
  }
  if (!isFloat(o.dtype))
    throw new TypeError(
      `${fname} requires real-valued outputs (output dtype that is a sub-dtype of np.floating), but got ${o.dtype}. For differentiation of functions with integer outputs, use jax.vjp directly.`,
    );
  return o;
}
function formatOut(x: unknown): string {
  try {
    return x instanceof JaxArray ? x.toString() : Array.isArray(x) ? `a JS array of length ${x.length}` : typeof x === "object" ? "an object" : String(x);
  } catch {
    return String(x);
  }
}

/**
 * The differentiated arguments of a call f(...args): their leaves flattened (checked by
 * `checkLeaf`), a way to call f with new leaves in their place (splitting off aux), and a way
 * to regroup per-leaf results into the arguments' trees (an array of them for array argnums).
 */
function diffArgs(
  f: Fn,
  args: unknown[],
  argnums: number | readonly number[],
  fname: string,
  hasAux: boolean | undefined,
  checkLeaf: (l: JaxArray) => void,
) {
  const nums = normArgnums(argnums, args.length, fname);
  const parts = nums.map((n) => flattenArrays(args[n], (i) => `Argument ${n}${i ? ` leaf ${i}` : ""}`));
  for (const [leaves] of parts) leaves.forEach(checkLeaf);
  const flatIn = parts.flatMap(([l]) => l);
  const counts = parts.map(([l]) => l.length);
  const state: { aux?: unknown } = {};
  const call = (xs: JaxArray[]): unknown => {
    const newArgs = [...args];
    let k = 0;
    nums.forEach((n, j) => {
      newArgs[n] = tree.unflatten(parts[j]![1], xs.slice(k, k + counts[j]!));
      k += counts[j]!;
    });
    const out = f(...newArgs);
    if (!hasAux) return out;
    if (!Array.isArray(out) || out.length !== 2)
      throw new TypeError(`expected function with aux output to return a two-element tuple, but got ${formatOut(out)}`);
    state.aux = out[1];
    return out[0];
  };
  const regroup = (vals: readonly unknown[]): unknown => {
    let k = 0;
    const trees = parts.map(([, def], j) => {
      const t = tree.unflatten(def, vals.slice(k, k + counts[j]!));
      k += counts[j]!;
      return t;
    });
    return typeof argnums === "number" ? trees[0] : trees;
  };
  return { flatIn, call, regroup, aux: () => lowerAux(state.aux) };
}

function gradImpl(f: Fn, opts: GradOptions, fname: string, withValue: boolean): Fn {
  checkCallable(f, fname);
  if (opts.reduceAxes && opts.reduceAxes.length) throw new NotImplementedError("reduce_axes argument to grad is deprecated");
  const argnums = opts.argnums ?? 0;
  return (...args: unknown[]) => {
    const d = diffArgs(f, args, argnums, fname, opts.hasAux, (l) => {
      if (!isFloat(l.dtype) && !opts.allowInt)
        throw new TypeError(
          `${fname} requires real- or complex-valued inputs (input dtype that is a sub-dtype of np.inexact), but got ${l.dtype}. If you want to use Boolean- or integer-valued inputs, use vjp or set allowInt to True.`,
        );
    });
    const { primalsOut, pullback } = vjpFlat((...xs) => [checkScalarOut(d.call(xs), fname)], d.flatIn);
    const value = primalsOut[0]!;
    const one = EagerArray.fromTyped(typedArrayFor(value.dtype, 1).fill(1), [], value.dtype, value.weakType);
    const g = d.regroup(pullback([one]));
    const auxOut = opts.hasAux ? d.aux() : undefined;
    if (withValue) return opts.hasAux ? [[value, auxOut], g] : [value, g];
    return opts.hasAux ? [g, auxOut] : g;
  };
}

/** grad(f, { argnums, hasAux, allowInt }) — the gradient of a scalar function. */
export function grad<F extends Fn>(f: F, opts: GradOptions = {}): (...args: LooseArgs<F>) => any {
  return gradImpl(f, opts, "grad", false);
}
/** valueAndGrad(f, opts) — [value, grad] (or [[value, aux], grad] with hasAux). */
export function valueAndGrad<F extends Fn>(f: F, opts: GradOptions = {}): (...args: LooseArgs<F>) => any {
  return gradImpl(f, opts, "grad", true);
}

// ---------------------------------------------------------------- jvp / linearize / vjp
function checkTangentsMatch(ps: JaxArray[], ts: JaxArray[]): void {
  ps.forEach((p, i) => {
    const t = ts[i]!;
    const expect = tangentAval(p.aval);
    if (t.dtype === "float0" && !isFloat(p.dtype)) return;
    if (t.ndim !== p.ndim || t.shape.some((d, j) => d !== p.shape[j]))
      throw new ValueError(
        `jvp called with different primal and tangent shapes; got primal shape ${shapeTuple(p.shape)} and tangent shape ${shapeTuple(t.shape)}`,
      );
    if (isFloat(p.dtype) && t.dtype !== expect.dtype)
      throw new TypeError(
        `primal and tangent arguments to jvp do not match; dtypes must be equal, or in case of int/bool primal dtype the tangent dtype must be float0. Got primal dtype ${p.dtype} and so expected tangent dtype ${expect.dtype}, but got tangent dtype ${t.dtype} instead.`,
      );
  });
}

/** jvp(f, primals, tangents) — [f(...primals), directional derivative]. */
export function jvp<F extends Fn>(f: F, primals: unknown[], tangents: unknown[]): [any, any] {
  checkCallable(f, "jvp");
  if (!Array.isArray(primals) || !Array.isArray(tangents))
    throw new TypeError("jvp: primal and tangent arguments must be JS arrays (one entry per positional argument of f)");
  const [ps, pdef] = flattenArrays(primals, (i) => `primal ${i}`);
  const [ts, tdef] = flattenArrays(tangents, (i) => `tangent ${i}`);
  if (!tree.treedefEq(pdef, tdef))
    throw new TypeError(
      `primal and tangent arguments to jvp must have the same tree structure; got primal structure ${tree.treedefStr(pdef)} and tangent structure ${tree.treedefStr(tdef)}.`,
    );
  checkTangentsMatch(ps, ts);
  const flat = flattenFun(f, pdef);
  const { primalsOut, tangentsOut } = jvpFlat(flat.fn, ps, ts.map((t) => (t.dtype === "float0" ? null : t)));
  const tOut = tangentsOut.map((t, i) => t ?? zerosFor(tangentAval(primalsOut[i]!.aval)));
  return [tree.unflatten(flat.outDef(), primalsOut), tree.unflatten(flat.outDef(), tOut)];
}

/** linearize(f, ...primals) — [f(...primals), jvpFn] where jvpFn(...tangents) evaluates the linear map. */
export function linearize<F extends Fn>(f: F, ...primals: unknown[]): [any, (...tangents: unknown[]) => any] {
  checkCallable(f, "linearize");
  const [ps, pdef] = flattenArrays(primals, (i) => `primal ${i}`);
  const flat = flattenFun(f, pdef);
  const lin = linearizeFlat(flat.fn, ps);
  const jvpFn = (...tangents: unknown[]) => {
    const [ts, tdef] = flattenArrays(tangents, (i) => `tangent ${i}`);
    if (!tree.treedefEq(pdef, tdef))
      throw new TypeError(`linearize: tangents must have the structure of the primals ${tree.treedefStr(pdef)}, got ${tree.treedefStr(tdef)}`);
    checkTangentsMatch(ps, ts);
    const outs = evalJaxpr(lin.linear.jaxpr, lin.linear.consts, ts.filter((_, i) => lin.inputHasTangent[i]));
    return tree.unflatten(flat.outDef(), outs);
  };
  return [tree.unflatten(flat.outDef(), lin.primalsOut), jvpFn];
}

/** vjp(f, ...primals) — [f(...primals), vjpFn] where vjpFn(ct) returns one cotangent per primal. */
export function vjp<F extends Fn>(f: F, ...primals: unknown[]): [any, (ct: unknown) => any[]] {
  checkCallable(f, "vjp");
  const [ps, pdef] = flattenArrays(primals, (i) => `primal ${i}`);
  const flat = flattenFun(f, pdef);
  const { primalsOut, pullback } = vjpFlat(flat.fn, ps);
  const vjpFn = (ct: unknown) => {
    const [cl, cdef] = flattenArrays(ct, (i) => `cotangent ${i}`);
    if (!tree.treedefEq(cdef, flat.outDef()))
      throw new TypeError(
        `unexpected tree structure of argument to vjp function: got ${tree.treedefStr(cdef)}, but expected to match ${tree.treedefStr(flat.outDef())}`,
      );
    cl.forEach((c, i) => {
      const o = primalsOut[i]!;
      const want = tangentAval(o.aval).dtype;
      if (c.dtype !== want)
        throw new TypeError(
          `Type of cotangent input to vjp pullback function (${c.dtype}) is not the expected tangent type (${want}) of corresponding primal output with dtype ${o.dtype}.`,
        );
      if (c.dtype !== "float0" && (c.ndim !== o.ndim || c.shape.some((d, j) => d !== o.shape[j])))
        throw new ValueError(
          `unexpected JAX type (e.g. shape/dtype) for argument to vjp function: got ${c.aval.longStr()}, but expected ${o.aval.longStr()} because the corresponding output of the function had that shape`,
        );
    });
    const gs = pullback(cl.map((c) => (c.dtype === "float0" ? null : c)));
    return tree.unflatten(pdef, gs) as unknown[];
  };
  return [tree.unflatten(flat.outDef(), primalsOut), vjpFn];
}

// ---------------------------------------------------------------- vmap
export interface VmapOptions {
  inAxes?: unknown;
  outAxes?: unknown;
  axisName?: string;
  axisSize?: number;
}

const isAxisLeaf = (x: unknown) => x === null || x === undefined || typeof x === "number" || typeof x === "boolean" || typeof x === "string" || x instanceof JaxArray;

function checkAxisSpec(spec: unknown, what: string): void {
  for (const l of tree.leaves(spec, (x) => x instanceof JaxArray))
    if (!(typeof l === "number" && Number.isInteger(l)))
      throw new TypeError(`vmap ${what} must be an int, None, or (nested) container with those types as leaves, but got ${typeof l === "string" ? JSON.stringify(l) : String(l)}`);
}

/** vmap(f, { inAxes, outAxes, axisName, axisSize }) — vectorising map. */
export function vmap<F extends Fn>(f: F, opts: VmapOptions = {}): (...args: LooseArgs<F>) => any {
  checkCallable(f, "vmap");
  const inAxes = opts.inAxes === undefined ? 0 : opts.inAxes;
  const outAxes = opts.outAxes === undefined ? 0 : opts.outAxes;
  checkAxisSpec(inAxes, "in_axes");
  checkAxisSpec(outAxes, "out_axes");
  return (...args: unknown[]) => {
    if (Array.isArray(inAxes) && inAxes.length !== args.length)
      throw new ValueError(
        `vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got len(in_axes)=${inAxes.length}, len(args)=${args.length}`,
      );
    const [leaves, def] = tree.flatten(args);
    const specs = tree.broadcastPrefix(Array.isArray(inAxes) ? inAxes : args.map(() => inAxes), args, "vmap in_axes", isAxisLeaf) as (number | null | undefined)[];
    const paths = tree.leafPaths(def);
    const arrs: unknown[] = [];
    const dims: (number | null)[] = [];
    const sizes: { size: number; desc: string }[] = [];
    leaves.forEach((l, i) => {
      const ax = specs[i];
      if (ax === null || ax === undefined) {
        arrs.push(l);
        dims.push(null);
        return;
      }
      const a = leafToArray(l, () => `vmap argument at path args${paths[i]}`);
      if (ax < -a.ndim || ax >= a.ndim)
        throw new ValueError(
          `vmap was requested to map its argument along axis ${ax}, which implies that its rank should be at least ${ax < 0 ? -ax : ax + 1}, but is only ${a.ndim} (its shape is ${shapeTuple(a.shape)})`,
        );
      const d = ax < 0 ? ax + a.ndim : ax;
      arrs.push(a);
      dims.push(d);
      sizes.push({ size: a.shape[d]!, desc: `axis ${d} of argument args${paths[i]} of type ${a.aval.longStr()}` });
    });
    let size: number;
    const distinct = [...new Set(sizes.map((s) => s.size))];
    if (sizes.length === 0) {
      if (opts.axisSize === undefined) {
        if (leaves.length === 0)
          throw new ValueError("vmap wrapped function must be passed at least one argument containing an array or axis_size must be specified");
        throw new ValueError("vmap must have at least one non-None value in in_axes or axis_size must be specified");
      }
      size = opts.axisSize;
    } else if (distinct.length > 1 || (opts.axisSize !== undefined && distinct[0] !== opts.axisSize)) {
      const lines = distinct.map((s) => {
        const with_ = sizes.filter((x) => x.size === s);
        return with_.length > 1
          ? `  * most axes (${with_.length} of them) had size ${s}, e.g. ${with_[0]!.desc};`
          : `  * one axis had size ${s}: ${with_[0]!.desc};`;
      });
      if (opts.axisSize !== undefined) lines.push(`  * the \`axis_size\` argument was ${opts.axisSize}`);
      throw new ValueError(`vmap got inconsistent sizes for array axes to be mapped:\n${lines.join("\n")}`);
    } else size = distinct[0]!;
    const axis: AxisData = { size, name: opts.axisName ?? Symbol("vmap"), named: opts.axisName !== undefined };
    const argIdx = arrs.map((a, i) => (a instanceof JaxArray ? i : -1)).filter((i) => i >= 0);
    let outDef: tree.TreeDef | undefined;
    let outWasLeaf: unknown[] = [];
    const flatFn = (...xs: JaxArray[]) => {
      const full = [...arrs];
      argIdx.forEach((i, k) => (full[i] = xs[k]));
      const out = f(...(tree.unflatten(def, full) as unknown[]));
      const [ol, od] = tree.flatten(out);
      outDef = od;
      outWasLeaf = ol;
      return ol.map((l, i) => leafToArray(l, () => `Output from batched function '${fnName(f)}' at index ${i}`));
    };
    const { outs, outDims } = batchFlat(
      flatFn,
      argIdx.map((i) => arrs[i] as JaxArray),
      argIdx.map((i) => dims[i]!),
      axis,
    );
    void outWasLeaf;
    const outSpecs = tree.broadcastPrefix(outAxes, tree.unflatten(outDef!, outs), "vmap out_axes", isAxisLeaf) as (number | null | undefined)[];
    const outPaths = tree.leafPaths(outDef!);
    const finals = outs.map((o, i) => {
      const spec = outSpecs[i];
      const bd = outDims[i]!;
      if (spec === null || spec === undefined) {
        if (bd !== null)
          throw new ValueError(
            opts.axisName !== undefined
              ? `vmap has mapped output (axis_name=${opts.axisName}) but out_axes is None`
              : `at vmap out_axes${outPaths[i]}, got axis spec None but output was batched on axis ${bd}`,
          );
        return o;
      }
      const rank = o.ndim + (bd === null ? 1 : 0);
      if (spec < -rank || spec >= rank) throw new ValueError(`axis ${spec} is out of bounds for array of dimension ${rank}`);
      const target = spec < 0 ? spec + rank : spec;
      if (bd === null) {
        const shape = [...o.shape];
        shape.splice(target, 0, size);
        return broadcastInDim(o, shape, o.shape.map((_, j) => (j < target ? j : j + 1)));
      }
      return moveaxis(o, bd, target);
    });
    return tree.unflatten(outDef!, finals);
  };
}

// ---------------------------------------------------------------- Jacobians
export interface JacOptions {
  argnums?: number | number[];
  hasAux?: boolean;
}

function eyeRows(n: number, aval: ShapedArray): EagerArray {
  const t = typedArrayFor(aval.dtype, n * n);
  for (let i = 0; i < n; i++) t[i * n + i] = 1;
  return EagerArray.fromTyped(t, [n, ...aval.shape], aval.dtype, aval.weakType); // weak input -> weak Jacobian, as grad
}

function jacImpl(f: Fn, opts: JacOptions, mode: "fwd" | "rev"): Fn {
  const fname = mode === "fwd" ? "jacfwd" : "jacrev";
  checkCallable(f, fname);
  const argnums = opts.argnums ?? 0;
  return (...args: unknown[]) => {
    const d = diffArgs(f, args, argnums, fname, opts.hasAux, (l) => {
      if (!isFloat(l.dtype))
        throw new TypeError(`${fname} requires real-valued inputs (input dtype that is a sub-dtype of np.floating), but got ${l.dtype}.`);
    });
    const flatIn = d.flatIn;
    let outDef: tree.TreeDef | undefined;
    const flatFn = (...xs: JaxArray[]): JaxArray[] => {
      const [ol, od] = flattenArrays(d.call(xs), (i) => `output ${i}`);
      outDef = od;
      return ol;
    };
    // blocks[o][i] = d out_o / d in_i with shape out_o.shape + in_i.shape
    let blocks: JaxArray[][];
    let outs: JaxArray[];
    if (mode === "fwd") {
      const cols: JaxArray[][] = [];
      outs = [];
      flatIn.forEach((x, i) => {
        const n = x.size;
        const basis = eyeRows(n, x.aval);
        const { outs: tOuts, outDims } = batchFlat(
          (b: JaxArray) => {
            const r = jvpFlat(flatFn, flatIn, flatIn.map((_, j) => (j === i ? b : null)));
            outs = r.primalsOut.map((p) => fullLower(p));
            return r.tangentsOut.map((t, k) => t ?? zerosFor(r.primalsOut[k]!.aval));
          },
          [basis],
          [0],
          { size: n, name: Symbol("jacfwd"), named: false },
        );
        // [n, ...out] -> [...out, ...in]
        cols.push(
          tOuts.map((t, k) => {
            const tt = outDims[k] === null ? broadcastInDim(t, [n, ...t.shape], t.shape.map((_, j) => j + 1)) : moveaxis(t, outDims[k]!, 0);
            const r = tt.ndim - 1;
            const moved = transpose(tt, [...Array.from({ length: r }, (_, j) => j + 1), 0]);
            return reshape(moved, [...moved.shape.slice(0, r), ...x.shape]);
          }),
        );
      });
      blocks = outs.map((_, o) => cols.map((c) => c[o]!));
    } else {
      const { primalsOut, pullback } = vjpFlat(flatFn, flatIn);
      outs = primalsOut;
      blocks = primalsOut.map((o, oi) => {
        const m = o.size;
        const basis = eyeRows(m, o.aval);
        const { outs: cts, outDims } = batchFlat(
          (b: JaxArray) => pullback(primalsOut.map((_, j) => (j === oi ? b : null)) as MaybeZero[]),
          [basis],
          [0],
          { size: m, name: Symbol("jacrev"), named: false },
        );
        return cts.map((c, i) => {
          const cc = outDims[i] === null ? broadcastInDim(c, [m, ...c.shape], c.shape.map((_, j) => j + 1)) : moveaxis(c, outDims[i]!, 0);
          return reshape(cc, [...o.shape, ...flatIn[i]!.shape]);
        });
      });
    }
    // assemble: output tree of (input trees per argnum)
    const jac = tree.unflatten(outDef!, blocks.map((row) => d.regroup(row)));
    return opts.hasAux ? [jac, d.aux()] : jac;
  };
}

/** jacfwd(f, { argnums, hasAux }) — forward-mode Jacobian, shape out.shape + in.shape. */
export function jacfwd<F extends Fn>(f: F, opts: JacOptions = {}): (...args: LooseArgs<F>) => any {
  return jacImpl(f, opts, "fwd");
}
/** jacrev(f, { argnums, hasAux }) — reverse-mode Jacobian. */
export function jacrev<F extends Fn>(f: F, opts: JacOptions = {}): (...args: LooseArgs<F>) => any {
  return jacImpl(f, opts, "rev");
}
export const jacobian = jacrev;
/** hessian(f, { argnums }) = jacfwd(jacrev(f)). */
export function hessian<F extends Fn>(f: F, opts: JacOptions = {}): (...args: LooseArgs<F>) => any {
  return jacImpl(jacImpl(f, { argnums: opts.argnums }, "rev"), { argnums: opts.argnums, hasAux: opts.hasAux }, "fwd");
}

export { shapeSize };
