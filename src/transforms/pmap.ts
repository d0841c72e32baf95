// pmap.ts — SPMD over CPU devices. pmap stages the per-device program once per signature
// (with the axis name bound, so collectives trace), and binds it as the primitive
// `xla_pmap`, whose impl runs one replica per device on the worker pool
// (src/runtime/pool.ts). Its jvp, transpose and batch rules transform the per-device
// program, so grad(pmap(f)), pmap(grad(f)), vmap inside and outside pmap all compose.
// Inputs and outputs live in SharedArrayBuffers: a pmap output (stacked along axis 0)
// feeds the next pmap without a copy, and reading it needs no gather.
import { ShapedArray, shapeSize } from "../core/aval.js";
import { EagerArray, JaxArray } from "../core/array.js";
import { config } from "../core/config.js";
import { isFloat, typedArrayFor, type TypedArray } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { ClosedJaxpr, Jaxpr, type JaxprEqn, evalJaxpr } from "../core/jaxpr.js";
import { type MaybeZero, type Primitive, UndefinedPrimal, definePrimitive, missing } from "../core/primitive.js";
import { activeMains, bind } from "../core/trace.js";
import * as tree from "../core/tree.js";
import { getBackend } from "../backends/backend.js";
import { type Device, deviceCount, devices as allDevices } from "../devices/devices.js";
import { type BufferRef, type DeviceCommand, runGroup } from "../runtime/pool.js";
import { serializeClosed } from "../runtime/serialize.js";
import { moveaxis, reduceSum, sliceInDim, reshape } from "../primitives/movement.js";
import { jvpFlat, tangentAval, transposeJaxpr, zerosFor } from "./ad.js";
import { checkCallable, fnName, leafToArray } from "./args.js";
import { type AxisData, batchFlat, toBatchDim0, withAxisEnv, AxisEnvTrace } from "./batching.js";
import { partialEvalJaxpr } from "./partial_eval.js";
import { paramsAxisNames } from "./collectives.js";
import { traceToJaxpr } from "./staging.js";
import { pjitP, staticKey, paramNames } from "./jit.js";
import { vmap } from "./api.js";

type Fn = (...args: any[]) => any;

export interface PmapParams {
  [k: string]: unknown;
  jaxpr: ClosedJaxpr; // per-device program, no consts
  axisName: string;
  axisSize: number;
  mappedIn: boolean[];
  name: string;
}

const perDevice = (a: ShapedArray, mapped: boolean) => (mapped ? new ShapedArray(a.shape.slice(1), a.dtype, a.weakType) : a);
const stacked = (a: ShapedArray, n: number) => new ShapedArray([n, ...a.shape], a.dtype, a.weakType);
const evalInner = (cj: ClosedJaxpr) => (...xs: JaxArray[]) => evalJaxpr(cj.jaxpr, cj.consts, xs);
const axisOf = (p: PmapParams): AxisData => ({ name: p.axisName, size: p.axisSize, named: true });

/** Traces a per-device function with the pmap axis bound. */
function traceDevice(fn: (...xs: JaxArray[]) => JaxArray[], avals: ShapedArray[], p: { axisName: string; axisSize: number }, name: string): ClosedJaxpr {
  return withAxisEnv({ name: p.axisName, size: p.axisSize, named: true }, () => traceToJaxpr(fn, avals, { label: "Pmap", fnName: name }).jaxpr);
}

/** Binds xla_pmap with a closed per-device program (its consts become unmapped inputs). */
function bindPmap(cj: ClosedJaxpr, args: JaxArray[], mappedIn: boolean[], base: PmapParams): JaxArray[] {
  const j = cj.jaxpr;
  const jaxpr = new ClosedJaxpr(new Jaxpr([], [...j.constvars, ...j.invars], j.eqns, j.outvars), []);
  return bind(pmapP, [...cj.consts, ...args], { ...base, jaxpr, mappedIn: [...cj.consts.map(() => false), ...mappedIn] });
}

export const pmapP: Primitive<PmapParams> = definePrimitive<PmapParams>({
  name: "xla_pmap",
  // collectives in the body reach a vmap of their axis even when no operand is batched
  namedAxes: paramsAxisNames,
  impl: { bind: (args: JaxArray[], p: PmapParams) => runPmap(args as EagerArray[], p) },
  abstractEval: (avals, p) => {
    avals.forEach((a, i) => {
      if (p.mappedIn[i] && a.shape[0] !== p.axisSize) throw new Error(`internal: pmap input ${i} has leading size ${a.shape[0]}, expected ${p.axisSize}`);
    });
    return p.jaxpr.outAvals.map((a) => stacked(a, p.axisSize));
  },
  // jvp: the joint per-device program, split so the primal part runs as its own pmap
  jvp: (ps, ts, p) => {
    const nz = ts.map((t, i) => (t && isFloat(ps[i]!.dtype) ? i : -1)).filter((i) => i >= 0);
    if (nz.length === 0) return [bind(pmapP, ps, p), p.jaxpr.outAvals.map(() => null)];
    const m = p.jaxpr.outAvals.length;
    const joint = traceDevice(
      (...xs) => {
        const tt: MaybeZero[] = ps.map(() => null);
        nz.forEach((i, k) => (tt[i] = xs[ps.length + k]!));
        const r = jvpFlat(evalInner(p.jaxpr), xs.slice(0, ps.length), tt);
        return [...r.primalsOut, ...r.tangentsOut.map((t, i) => t ?? zerosFor(tangentAval(r.primalsOut[i]!.aval)))];
      },
      [...ps.map((x, i) => perDevice(x.aval, p.mappedIn[i]!)), ...nz.map((i) => perDevice(ts[i]!.aval, p.mappedIn[i]!))],
      p,
      p.name,
    );
    const pe = partialEvalJaxpr(joint, [...ps.map(() => false), ...nz.map(() => true)]);
    const known = bindPmap(pe.known, ps, p.mappedIn, p);
    const nKnown = known.length - pe.numResiduals;
    const res = known.slice(nKnown);
    const unknown = pe.outUnknown.some((u) => u)
      ? bindPmap(pe.unknown, [...res, ...nz.map((i) => ts[i]!)], [...res.map(() => true), ...nz.map((i) => p.mappedIn[i]!)], p)
      : [];
    let ki = 0;
    let ui = 0;
    const all = pe.outUnknown.map((u) => (u ? unknown[ui++]! : known[ki++]!));
    const po = all.slice(0, m);
    return [po, all.slice(m).map((t, i) => (isFloat(po[i]!.dtype) ? t : null))];
  },
  // transpose: the transposed per-device program; cotangents of unmapped inputs sum over devices
  transpose: (cts, args, p) => {
    const knownIdx = args.map((a, i) => (a instanceof UndefinedPrimal ? -1 : i)).filter((i) => i >= 0);
    const undefIdx = args.map((a, i) => (a instanceof UndefinedPrimal ? i : -1)).filter((i) => i >= 0);
    const outAvals = p.jaxpr.outAvals;
    const ctsI = cts.map((c, i) => c ?? zerosFor(stacked(outAvals[i]!, p.axisSize)));
    const tj = traceDevice(
      (...xs) => {
        const full = args.map((a, i) => (a instanceof UndefinedPrimal ? new UndefinedPrimal(perDevice(a.aval, p.mappedIn[i]!)) : xs[knownIdx.indexOf(i)]!));
        const r = transposeJaxpr(p.jaxpr.jaxpr, [], full, xs.slice(knownIdx.length));
        return undefIdx.map((i) => r[i] ?? zerosFor(perDevice((args[i] as UndefinedPrimal).aval, p.mappedIn[i]!)));
      },
      [...knownIdx.map((i) => perDevice((args[i] as JaxArray).aval, p.mappedIn[i]!)), ...outAvals],
      p,
      p.name,
    );
    const outs = bindPmap(tj, [...knownIdx.map((i) => args[i] as JaxArray), ...ctsI], [...knownIdx.map((i) => p.mappedIn[i]!), ...ctsI.map(() => true)], p);
    const res: MaybeZero[] = args.map(() => null);
    undefIdx.forEach((i, k) => (res[i] = p.mappedIn[i] ? outs[k]! : reduceSum(outs[k]!, [0])));
    return res;
  },
  // vmap of pmap: the vmapped axis becomes axis 1 of mapped values (axis 0 per device)
  batch: (vals, dims, p, axis) => {
    const ax = axis as AxisData;
    const inVals = vals.map((v, i) => {
      const d = dims[i];
      if (d === null || d === undefined) return v;
      if (!p.mappedIn[i]) return v;
      return d === 1 ? v : moveaxis(toBatchDim0(v, d, ax.size), 0, 1);
    });
    const devDims = dims.map((d, i) => (d === null || d === undefined ? null : p.mappedIn[i] ? 0 : d));
    const bj = traceDevice(
      (...xs) => {
        const r = batchFlat(evalInner(p.jaxpr), xs, devDims, ax);
        return r.outs.map((o, i) => toBatchDim0(o, r.outDims[i]!, ax.size));
      },
      inVals.map((v, i) => perDevice(v.aval, p.mappedIn[i]!)),
      p,
      p.name,
    );
    const outs = bindPmap(bj, inVals, p.mappedIn, p);
    return [outs, outs.map(() => 1)];
  },
  lower: missing("the wasm compiler (issue #6)"),
  printParams: (p) => `axis_name=${p.axisName} axis_size=${p.axisSize} name=${p.name} jaxpr=${p.jaxpr.toString()}`,
});

// ---------------------------------------------------------------- running on devices
interface Program {
  id: number;
  serialized: ReturnType<typeof serializeClosed>;
  slotBytes: number;
}
const programs = new WeakMap<ClosedJaxpr, Program>();
let nextProgramId = 1;
const hostFns = new Map<number, Function>();
let nextFnId = 1;
const fnIds = new WeakMap<Function, number>();
const fnTable = {
  add(fn: Function): number {
    let id = fnIds.get(fn);
    if (id === undefined) {
      id = nextFnId++;
      fnIds.set(fn, id);
      hostFns.set(id, fn);
    }
    return id;
  },
};

const COLLECTIVE_PRIMS = new Set(["psum", "pmax", "pmin", "all_gather", "ppermute", "psum_scatter", "all_to_all", "reduce_scatter", "pbroadcast"]);
const avalBytes = (a: ShapedArray) => shapeSize(a.shape) * (a.dtype === "float64" ? 8 : a.dtype === "bool" || a.dtype === "float0" ? 1 : 4);

/** Largest payload any collective of the program exchanges (nested jaxprs included). */
function maxCollectiveBytes(j: Jaxpr): number {
  let m = 0;
  const visit = (v: unknown): void => {
    if (v instanceof ClosedJaxpr) m = Math.max(m, maxCollectiveBytes(v.jaxpr));
    else if (v instanceof Jaxpr) m = Math.max(m, maxCollectiveBytes(v));
    else if (Array.isArray(v)) v.forEach(visit);
  };
  for (const e of j.eqns) {
    if (COLLECTIVE_PRIMS.has(e.prim.name) || e.prim.namedAxes) for (const a of [...e.inputs.map((x) => x.aval), ...e.outvars.map((x) => x.aval)]) m = Math.max(m, avalBytes(a) * 8);
    Object.values(e.params).forEach(visit);
  }
  return m;
}

/** Replaces calls whose params are host functions that must run on the device (custom_jvp /
 * custom_vjp calls) by pjit calls of their traced bodies. */
function prepareForDevice(cj: ClosedJaxpr): ClosedJaxpr {
  const mapJ = (j: Jaxpr): Jaxpr => {
    let changed = false;
    const eqns = j.eqns.map((e): JaxprEqn => {
      if (e.prim.name === "custom_jvp_call" || e.prim.name === "custom_vjp_call") {
        changed = true;
        const fun = e.params.fun as (...xs: JaxArray[]) => JaxArray[];
        // the body's constants stay closed over in the pjit's jaxpr (sent with the program)
        const inner = prepareForDevice(traceToJaxpr(fun, e.inputs.map((a) => a.aval), { label: "Pmap" }).jaxpr);
        return { prim: pjitP, inputs: e.inputs, params: { jaxpr: inner, name: String(e.params.name) }, outvars: e.outvars };
      }
      let pc = false;
      const params = Object.fromEntries(
        Object.entries(e.params).map(([k, v]) => {
          const nv = mapV(v);
          if (nv !== v) pc = true;
          return [k, nv];
        }),
      );
      if (pc) changed = true;
      return pc ? { ...e, params } : e;
    });
    return changed ? new Jaxpr(j.constvars, j.invars, eqns, j.outvars) : j;
  };
  const mapV = (v: unknown): unknown => {
    if (v instanceof ClosedJaxpr) return prepareForDevice(v);
    if (Array.isArray(v)) {
      const r = v.map(mapV);
      return r.some((x, i) => x !== v[i]) ? r : v;
    }
    return v;
  };
  const nj = mapJ(cj.jaxpr);
  return nj === cj.jaxpr ? cj : new ClosedJaxpr(nj, cj.consts);
}

function programFor(cj: ClosedJaxpr): Program {
  let pr = programs.get(cj);
  if (!pr) {
    const prepared = prepareForDevice(cj);
    pr = { id: nextProgramId++, serialized: serializeClosed(prepared, fnTable), slotBytes: Math.max(64, maxCollectiveBytes(prepared.jaxpr)) };
    programs.set(cj, pr);
  }
  return pr;
}

/** Host data of an array in a SharedArrayBuffer (copied there if needed). */
function shared(x: EagerArray): TypedArray {
  const h = x._host();
  if (h.buffer instanceof SharedArrayBuffer) return h;
  const sab = new SharedArrayBuffer(Math.max(h.byteLength, 4));
  const Ctor = h.constructor as new (b: ArrayBufferLike, o: number, n: number) => TypedArray;
  const t = new Ctor(sab, 0, h.length);
  t.set(h);
  return t;
}
function sharedZeros(aval: ShapedArray): TypedArray {
  const proto = typedArrayFor(aval.dtype, 0);
  const Ctor = proto.constructor as new (b: ArrayBufferLike, o: number, n: number) => TypedArray;
  const n = shapeSize(aval.shape);
  return new Ctor(new SharedArrayBuffer(Math.max(n * proto.BYTES_PER_ELEMENT, 4)), 0, n);
}

function runPmap(args: EagerArray[], p: PmapParams): JaxArray[] {
  const n = p.axisSize;
  if (n > deviceCount())
    throw new ValueError(
      `compiling computation that requires ${n} logical devices, but only ${deviceCount()} XLA devices are available (num_replicas=${n}). Set JAXTS_NUM_CPU_DEVICES or config.update("numCpuDevices", n) before first use.`,
    );
  const prog = programFor(p.jaxpr);
  const ins = args.map((a) => shared(a));
  const outAvals = p.jaxpr.outAvals;
  const outs = outAvals.map((a) => sharedZeros(stacked(a, n)));
  const ref = (t: TypedArray, aval: ShapedArray, d: number | null): BufferRef => {
    const len = shapeSize(aval.shape);
    return { buf: t.buffer as SharedArrayBuffer, byteOffset: t.byteOffset + (d === null ? 0 : d * len * t.BYTES_PER_ELEMENT), length: len, dtype: aval.dtype, shape: [...aval.shape] };
  };
  const ctl = new SharedArrayBuffer(16);
  const slots = new SharedArrayBuffer(prog.slotBytes * n);
  const cmds: DeviceCommand[] = Array.from({ length: n }, (_, d) => ({
    programId: prog.id,
    program: prog.serialized,
    inputs: args.map((a, i) => ref(ins[i]!, perDevice(a.aval, p.mappedIn[i]!), p.mappedIn[i] ? d : null)),
    outputs: outAvals.map((a, i) => ref(outs[i]!, a, d)),
    axisName: p.axisName,
    index: d,
    size: n,
    ctl,
    slots,
    slotBytes: prog.slotBytes,
    done: new SharedArrayBuffer(4),
  }));
  const replies = runGroup(cmds);
  // host callbacks (debug.print …), once per device in device order
  replies.forEach((r) =>
    r.callbacks?.forEach((c) => {
      const fn = hostFns.get(c.id);
      if (fn) fn(...c.args.map((a) => EagerArray.fromTyped(a.data as TypedArray, a.shape, a.dtype as never, a.weak)));
    }),
  );
  const failed = replies.findIndex((r) => r.error && !r.error.aborted);
  const fi = failed >= 0 ? failed : replies.findIndex((r) => r.error);
  if (fi >= 0) {
    const e = replies[fi]!.error!;
    const err = new Error(`pmap: device ${fi} (of ${n}) raised ${e.name}: ${e.message}`);
    err.name = e.name === "Error" ? "Error" : e.name;
    throw err;
  }
  const js = getBackend("js");
  return outAvals.map((a, i) => EagerArray.fromTyped(outs[i]!, [n, ...a.shape], a.dtype, a.weakType, js));
}

// ---------------------------------------------------------------- the pmap API
export interface PmapOptions {
  axisName?: string;
  inAxes?: unknown;
  outAxes?: unknown;
  staticBroadcastedArgnums?: number | number[];
  devices?: Device[] | null;
}

const isAxisLeaf = (x: unknown) => x === null || x === undefined || typeof x === "number" || typeof x === "boolean" || typeof x === "string" || x instanceof JaxArray;
function checkSpec(spec: unknown, what: string): void {
  for (const l of tree.leaves(spec, (x) => x instanceof JaxArray))
    if (!(typeof l === "number" && Number.isInteger(l)))
      throw new TypeError(`pmap ${what} must be an int, None, or (nested) container with those types as leaves, but got ${String(l)}`);
}

const caches = new WeakMap<Function, Map<string, { jaxpr: ClosedJaxpr; outDef: tree.TreeDef }>>();
/** Number of per-device traces pmap performed (for tests of caching). */
export const pmapStats = { traces: 0 };

/** pmap(f, { axisName, inAxes, outAxes, staticBroadcastedArgnums, devices }) — SPMD on devices. */
export function pmap<F extends Fn>(f: F, opts: PmapOptions = {}): (...args: any[]) => any {
  checkCallable(f, "pmap");
  const inAxes = opts.inAxes === undefined ? 0 : opts.inAxes;
  const outAxes = opts.outAxes === undefined ? 0 : opts.outAxes;
  checkSpec(inAxes, "in_axes");
  checkSpec(outAxes, "out_axes");
  if (opts.devices !== undefined && opts.devices !== null && opts.devices.length === 0)
    throw new ValueError("'devices' argument to pmap must be non-empty, or None.");
  const staticIdx = opts.staticBroadcastedArgnums === undefined ? [] : typeof opts.staticBroadcastedArgnums === "number" ? [opts.staticBroadcastedArgnums] : [...opts.staticBroadcastedArgnums];
  const axisName = opts.axisName ?? `__pmap${Math.random().toString(36).slice(2)}`;
  const name = fnName(f);
  return (...args: unknown[]) => {
    for (const i of staticIdx)
      if (i >= args.length)
        throw new ValueError(
          `pmapped function has static_broadcasted_argnums=(${staticIdx.join(", ")}${staticIdx.length === 1 ? "," : ""}) but was called with only ${args.length} positional argument${args.length === 1 ? "" : "s"}. All static broadcasted arguments must be passed positionally.`,
        );
    if (config.get("disableJit")) return (vmap(f as Fn, { inAxes, outAxes, axisName: opts.axisName }) as Fn)(...args);
    if (activeMains().some((m) => m.traceType === AxisEnvTrace)) throw new ValueError("Nested pmap is not supported (as in JAX >= 0.8); use vmap inside pmap instead.");
    const sIdx = new Set(staticIdx);
    const dynArgs = args.map((a, i) => (sIdx.has(i) ? null : a));
    if (Array.isArray(inAxes) && inAxes.length !== args.length)
      throw new ValueError(
        `pmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got len(in_axes)=${inAxes.length}, len(args)=${args.length}`,
      );
    const [leaves, def] = tree.flatten(dynArgs);
    const specs = tree.broadcastPrefix(Array.isArray(inAxes) ? inAxes : args.map(() => inAxes), dynArgs, "pmap in_axes", isAxisLeaf) as (number | null | undefined)[];
    const paths = tree.leafPaths(def);
    const arrs = leaves.map((l, i) => leafToArray(l, () => `pmap argument at path args${paths[i]}`));
    const sizes: { size: number; desc: string }[] = [];
    const moved = arrs.map((a, i) => {
      const ax = specs[i];
      if (ax === null || ax === undefined) return a;
      if (ax < 0 || ax >= a.ndim)
        throw new ValueError(`pmap was requested to map its argument along axis ${ax}, which implies that its rank should be at least ${ax + 1}, but is only ${a.ndim} (its shape is [${a.shape.join(", ")}])`);
      sizes.push({ size: a.shape[ax]!, desc: `axis ${ax} of argument args${paths[i]} of type ${a.aval.longStr()}` });
      return ax === 0 ? a : moveaxis(a, ax, 0);
    });
    if (sizes.length === 0) throw new ValueError("pmap requires at least one argument with a mapped axis.");
    const distinct = [...new Set(sizes.map((s) => s.size))];
    if (distinct.length > 1)
      throw new ValueError(
        `pmap got inconsistent sizes for array axes to be mapped:\n${distinct.map((s) => `  * ${sizes.filter((x) => x.size === s).length} axes had size ${s}, e.g. ${sizes.find((x) => x.size === s)!.desc};`).join("\n")}`,
      );
    const n = distinct[0]!;
    const devs = opts.devices ?? null;
    if (devs && devs.length !== n)
      throw new ValueError(`Leading axis size of input to pmapped function must equal the number of local devices passed to pmap. Got axis_size=${n}, num_local_devices=${devs.length}.`);
    if (n > allDevices().length)
      throw new ValueError(
        `compiling computation that requires ${n} logical devices, but only ${allDevices().length} XLA devices are available (num_replicas=${n}). Set JAXTS_NUM_CPU_DEVICES or config.update("numCpuDevices", ${n}) before first use.`,
      );
    const mappedIn = specs.map((s) => s !== null && s !== undefined);
    const devAvals = moved.map((a, i) => perDevice(a.aval, mappedIn[i]!));
    const key = `${n}|${axisName}|${tree.treedefStr(def)}|${devAvals.map((a, i) => `${mappedIn[i] ? "m" : "u"}${a.dtype}[${a.shape.join(",")}]${a.weakType ? "w" : ""}`).join(";")}|${staticIdx.map((i) => staticKey(args[i], i)).join(";")}`;
    let cache = caches.get(f);
    if (!cache) caches.set(f, (cache = new Map()));
    let entry = cache.get(key);
    if (!entry) {
      pmapStats.traces++;
      let outDef: tree.TreeDef | undefined;
      const names = paramNames(f);
      const jaxpr = withAxisEnv({ name: axisName, size: n, named: true }, () =>
        traceToJaxpr(
          (...xs) => {
            const full = tree.unflatten(def, xs) as unknown[];
            sIdx.forEach((i) => (full[i] = args[i]));
            const [ol, od] = tree.flatten(f(...full));
            outDef = od;
            return ol.map((l, i) => leafToArray(l, () => `output ${i} of the pmapped function ${name}`));
          },
          devAvals,
          { label: "Pmap", fnName: name, argNames: paths.map((p) => `the argument ${names[Number(/^\[(\d+)\]/.exec(p)?.[1] ?? 0)] ?? "args"}${p.replace(/^\[\d+\]/, "")}`) },
        ).jaxpr,
      );
      entry = { jaxpr, outDef: outDef! };
      if (!jaxpr.consts.some((c) => !(c instanceof EagerArray))) cache.set(key, entry);
    }
    const base: PmapParams = { jaxpr: entry.jaxpr, axisName, axisSize: n, mappedIn, name };
    const outs = bindPmap(entry.jaxpr, moved, mappedIn, base);
    const outSpecs = tree.broadcastPrefix(outAxes, tree.unflatten(entry.outDef, outs), "pmap out_axes", isAxisLeaf) as (number | null | undefined)[];
    const finals = outs.map((o, i) => {
      const s = outSpecs[i];
      if (s === null || s === undefined) return reshape(sliceInDim(o, 0, 1, 1, 0), o.shape.slice(1));
      return s === 0 ? o : moveaxis(o, 0, s);
    });
    return tree.unflatten(entry.outDef, finals);
  };
}

