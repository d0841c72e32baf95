// linalg.ts — jnp linear algebra: dot, matmul, vdot, inner, outer, tensordot, einsum, trace
// and the `linalg` namespace (norm, inv, solve, cholesky, det, slogdet). Contractions all go
// through the dot_general primitive (one primitive per product, also under vmap); the
// decompositions through cholesky / lu / triangular_solve. Installs the method forms
// `matmul` and `dot`.
import { type ArrayLike, type Axis, EagerArray, type JaxArray, arrayOps } from "../../core/array.js";
import { shapeStr } from "../../core/aval.js";
import { type DType, toInexact } from "../../core/dtype.js";
import { NotImplementedError, ValueError } from "../../core/errors.js";
import * as el from "../../primitives/elementwise.js";
import * as lin from "../../primitives/linalg.js";
import { broadcastTo, reduceSum, reshape, transpose } from "../../primitives/movement.js";
import * as red from "../../primitives/reduce.js";
import { broadcastShapes, normAxes, normAxis, range } from "../../primitives/util.js";
import { asArray, promoteArgs } from "./coerce.js";

const fmt = shapeStr;

/** Elementwise product used for 0-d operands (logical and for bool, as numpy). */
function scalarProduct(x: JaxArray, y: JaxArray): JaxArray {
  return x.dtype === "bool" ? el.and(x, y) : el.mul(x, y);
}
/** An operand converted to an inexact dtype (ints and bool → float32). */
function inexact(x: ArrayLike): JaxArray {
  const a = asArray(x);
  const d = toInexact(a.dtype);
  return d === a.dtype ? a : el.convert(a, d);
}
/** Removes the axes in `axes` (all of size 1). */
function squeezeAxes(x: JaxArray, axes: readonly number[]): JaxArray {
  if (axes.length === 0) return x;
  return reshape(x, x.aval.shape.filter((_, i) => !axes.includes(i)));
}
/** Reshapes a reduction result so the reduced axes are kept with size 1. */
function keepDims(r: JaxArray, shape: readonly number[], axes: readonly number[]): JaxArray {
  return reshape(r, shape.map((d, i) => (axes.includes(i) ? 1 : d)));
}
/** Constant bool mask [n, m] true on the diagonal j - i == offset. */
function diagMask(n: number, m: number, offset = 0): JaxArray {
  const d = new Uint8Array(n * m);
  for (let i = 0; i < n; i++) {
    const j = i + offset;
    if (j >= 0 && j < m) d[i * m + j] = 1;
  }
  return EagerArray.fromTyped(d, [n, m], "bool");
}
/** The main diagonals [..., n] of a stack of square matrices [..., n, n]. */
function diagLast(x: JaxArray): JaxArray {
  const n = x.aval.shape[x.ndim - 1]!;
  return reduceSum(el.select(diagMask(n, n), x, el.scalarLike(x, 0)), [x.ndim - 1]);
}
/** Product over the last axis. */
function prodLast(x: JaxArray): JaxArray {
  return red.reduceProd(x, [x.ndim - 1]);
}

// ================================================================ products

/** jnp.dot(a, b): numpy dot — scalars multiply, otherwise the last axis of a with the second-to-last of b (or b's only axis). */
export function dot(a: ArrayLike, b: ArrayLike): JaxArray {
  const [x, y] = promoteArgs(a, b) as [JaxArray, JaxArray];
  if (x.ndim === 0 || y.ndim === 0) return scalarProduct(x, y);
  const xc = x.ndim - 1;
  const yc = y.ndim === 1 ? 0 : y.ndim - 2;
  if (x.aval.shape[xc] !== y.aval.shape[yc])
    throw new ValueError(
      `dot: shapes ${fmt(x.aval.shape)} and ${fmt(y.aval.shape)} not aligned: ${x.aval.shape[xc]} (dim ${xc}) != ${y.aval.shape[yc]} (dim ${yc})`,
    );
  return lin.dotGeneral(x, y, { contracting: [[xc], [yc]], batch: [[], []] });
}

/** jnp.matmul(a, b): matrix product with broadcast batch dimensions; 1-d operands are promoted to matrices and the added axis removed. */
export function matmul(a: ArrayLike, b: ArrayLike): JaxArray {
  const [x, y] = promoteArgs(a, b) as [JaxArray, JaxArray];
  for (const [i, v] of [x, y].entries())
    if (v.ndim === 0)
      throw new ValueError(`matmul: Input operand ${i} does not have enough dimensions (has 0, requires 1); use jnp.multiply for scalars`);
  const xs = x.aval.shape;
  const ys = y.aval.shape;
  const xIsMat = x.ndim > 1;
  const yIsMat = y.ndim > 1;
  const xk = xs[xs.length - 1]!;
  const yk = ys[yIsMat ? ys.length - 2 : 0]!;
  if (xk !== yk) throw new ValueError(`matmul: contracting dimension mismatch: ${fmt(xs)} @ ${fmt(ys)}`);
  // JAX's matmul: equal batch dims become dot_general batch dims; a size-1 (or missing) batch
  // dim on one side is squeezed away and the other side's dim becomes a free dim.
  const xb: (number | null)[] = xIsMat ? xs.slice(0, -2) : [];
  const yb: (number | null)[] = yIsMat ? ys.slice(0, -2) : [];
  const nb = Math.max(xb.length, yb.length);
  while (xb.length < nb) xb.unshift(null);
  while (yb.length < nb) yb.unshift(null);
  const xSqueeze: number[] = [];
  const ySqueeze: number[] = [];
  const xBatch: number[] = [];
  const yBatch: number[] = [];
  const idxBatch: number[] = [];
  const idxXOther: number[] = [];
  const idxYOther: number[] = [];
  for (let i = 0; i < nb; i++) {
    const ba = xb[i]!;
    const bb = yb[i]!;
    if (ba === null) idxYOther.push(i);
    else if (bb === null) idxXOther.push(i);
    else if (ba === 1) {
      idxYOther.push(i);
      xSqueeze.push(idxBatch.length + idxXOther.length + xSqueeze.length);
    } else if (bb === 1) {
      idxXOther.push(i);
      ySqueeze.push(idxBatch.length + idxYOther.length + ySqueeze.length);
    } else if (ba === bb) {
      xBatch.push(idxBatch.length + idxXOther.length);
      yBatch.push(idxBatch.length + idxYOther.length);
      idxBatch.push(i);
    } else throw new ValueError(`matmul: incompatible batch dimensions: ${fmt(xs)} @ ${fmt(ys)}`);
  }
  if (xIsMat) idxXOther.push(nb);
  if (yIsMat) idxYOther.push(nb + (xIsMat ? 1 : 0));
  const order = [...idxBatch, ...idxXOther, ...idxYOther];
  const perm = range(order.length).sort((p, q) => order[p]! - order[q]!);
  const xx = squeezeAxes(x, xSqueeze);
  const yy = squeezeAxes(y, ySqueeze);
  const out = lin.dotGeneral(xx, yy, { contracting: [[xx.ndim - 1], [yy.ndim - 1 - (yIsMat ? 1 : 0)]], batch: [xBatch, yBatch] });
  return transpose(out, perm);
}

/** jnp.vdot(a, b): dot product of the flattened arrays (real arrays: no conjugation needed). */
export function vdot(a: ArrayLike, b: ArrayLike): JaxArray {
  const [x, y] = promoteArgs(a, b) as [JaxArray, JaxArray];
  if (x.size !== y.size) throw new ValueError(`vdot: arrays of shapes ${fmt(x.aval.shape)} and ${fmt(y.aval.shape)} have different sizes (${x.size} and ${y.size})`);
  return lin.dotGeneral(reshape(x, [x.size]), reshape(y, [y.size]), { contracting: [[0], [0]], batch: [[], []] });
}

/** jnp.inner(a, b): contraction over the last axis of both (scalars multiply). */
export function inner(a: ArrayLike, b: ArrayLike): JaxArray {
  const [x, y] = promoteArgs(a, b) as [JaxArray, JaxArray];
  if (x.ndim === 0 || y.ndim === 0) return scalarProduct(x, y);
  const xc = x.ndim - 1;
  const yc = y.ndim - 1;
  if (x.aval.shape[xc] !== y.aval.shape[yc])
    throw new ValueError(`inner: shapes ${fmt(x.aval.shape)} and ${fmt(y.aval.shape)} not aligned: last dimensions ${x.aval.shape[xc]} != ${y.aval.shape[yc]}`);
  return lin.dotGeneral(x, y, { contracting: [[xc], [yc]], batch: [[], []] });
}

/** jnp.outer(a, b): outer product of the flattened arrays, shape [a.size, b.size]. */
export function outer(a: ArrayLike, b: ArrayLike): JaxArray {
  const [x, y] = promoteArgs(a, b) as [JaxArray, JaxArray];
  return lin.dotGeneral(reshape(x, [x.size]), reshape(y, [y.size]), { contracting: [[], []], batch: [[], []] });
}

/** jnp.tensordot(a, b, axes): contracts the last `axes` axes of a with the first of b, or the listed axis pairs [axesA, axesB]. */
export function tensordot(a: ArrayLike, b: ArrayLike, axes: number | readonly [number | readonly number[], number | readonly number[]] = 2): JaxArray {
  const [x, y] = promoteArgs(a, b) as [JaxArray, JaxArray];
  let ax: number[];
  let bx: number[];
  if (typeof axes === "number") {
    if (!Number.isInteger(axes) || axes < 0 || axes > x.ndim || axes > y.ndim)
      throw new ValueError(`tensordot: axes=${axes} must be a non-negative integer no larger than the ranks of shapes ${fmt(x.aval.shape)} and ${fmt(y.aval.shape)}`);
    ax = range(axes).map((i) => x.ndim - axes + i);
    bx = range(axes);
  } else {
    if (!Array.isArray(axes) || axes.length !== 2)
      throw new TypeError(`tensordot: axes must be an integer or a pair [axesA, axesB], got ${JSON.stringify(axes)}`);
    const l = (v: number | readonly number[]) => (typeof v === "number" ? [v] : [...v]);
    ax = normAxes(l(axes[0]), x.ndim, "tensordot");
    bx = normAxes(l(axes[1]), y.ndim, "tensordot");
    if (ax.length !== bx.length)
      throw new ValueError(`tensordot: axes lists ${JSON.stringify(axes[0])} and ${JSON.stringify(axes[1])} must have the same length`);
  }
  for (let i = 0; i < ax.length; i++)
    if (x.aval.shape[ax[i]!] !== y.aval.shape[bx[i]!])
      throw new ValueError(
        `tensordot: shape mismatch between shapes ${fmt(x.aval.shape)} and ${fmt(y.aval.shape)}: axis ${ax[i]} has size ${x.aval.shape[ax[i]!]} but axis ${bx[i]} has size ${y.aval.shape[bx[i]!]}`,
      );
  return lin.dotGeneral(x, y, { contracting: [ax, bx], batch: [[], []] });
}

// ================================================================ einsum

/** Labels of one operand's subscripts, with "..." expanded to the trailing ellipsis labels. */
function parseTerm(term: string, ndim: number | null, ellRank: number, where: string): string[] {
  const parts = term.split("...");
  if (parts.length > 2) throw new ValueError(`einsum: more than one ellipsis in ${where} '${term}'`);
  for (const ch of parts.join(""))
    if (!/[a-zA-Z]/.test(ch)) throw new ValueError(`einsum: invalid subscript '${ch}' in ${where} '${term}'; use letters a-z, A-Z and '...'`);
  if (parts.length === 1) return [...term];
  const named = parts[0]!.length + parts[1]!.length;
  const e = ndim === null ? ellRank : ndim - named;
  if (e < 0) throw new ValueError(`einsum: ${where} '${term}' names more dimensions than the operand has (${ndim})`);
  const ell = range(e).map((i) => String.fromCharCode(0x100 + ellRank - e + i));
  return [...parts[0]!, ...ell, ...parts[1]!];
}

/**
 * jnp.einsum(subscripts, ...operands): Einstein summation, e.g. "ij,jk->ik", implicit output
 * ("ij,jk"), repeated indices in one operand (diagonals, "ii->i"), and "..." broadcasting.
 */
export function einsum(subscripts: string, ...operands: ArrayLike[]): JaxArray {
  if (typeof subscripts !== "string") throw new TypeError(`einsum: the first argument must be a subscripts string, got ${typeof subscripts}`);
  const spec = subscripts.replace(/\s+/g, "");
  const arrow = spec.indexOf("->");
  const lhs = arrow >= 0 ? spec.slice(0, arrow) : spec;
  const terms = lhs.split(",");
  if (terms.length !== operands.length)
    throw new ValueError(`einsum: subscripts '${subscripts}' name ${terms.length} operand(s) but ${operands.length} were given`);
  let xs = operands.length ? promoteArgs(...operands) : [];
  // rank covered by "..." (the largest over the operands)
  let ellRank = 0;
  terms.forEach((t, i) => {
    if (t.includes("...")) ellRank = Math.max(ellRank, xs[i]!.ndim - (t.length - 3));
  });
  const labels = terms.map((t, i) => {
    const l = parseTerm(t, xs[i]!.ndim, ellRank, `operand ${i} subscripts`);
    if (l.length !== xs[i]!.ndim)
      throw new ValueError(`einsum: operand ${i} has ${xs[i]!.ndim} dimensions (shape ${fmt(xs[i]!.aval.shape)}) but its subscripts '${t}' name ${l.length}`);
    return l;
  });
  const counts = new Map<string, number>();
  for (const l of labels) for (const c of l) counts.set(c, (counts.get(c) ?? 0) + 1);
  let out: string[];
  if (arrow >= 0) {
    const rhs = spec.slice(arrow + 2);
    if (rhs.includes("-") || rhs.includes(">") || rhs.includes(",")) throw new ValueError(`einsum: invalid output subscripts '${rhs}'`);
    out = parseTerm(rhs, null, ellRank, "output subscripts");
    for (const c of out)
      if (!counts.has(c))
        throw new ValueError(`einsum: output subscript '${c.charCodeAt(0) >= 0x100 ? "..." : c}' does not appear in the input subscripts '${lhs}'`);
    if (new Set(out).size !== out.length) throw new ValueError(`einsum: output subscripts '${rhs}' repeat a label`);
  } else {
    const ell = range(ellRank).map((i) => String.fromCharCode(0x100 + i)).filter((c) => counts.has(c));
    const single = [...counts.keys()].filter((c) => c.charCodeAt(0) < 0x100 && counts.get(c) === 1).sort();
    out = [...ell, ...single];
  }
  // sizes: equal per label, size 1 broadcasts
  const size = new Map<string, number>();
  labels.forEach((l, i) =>
    l.forEach((c, k) => {
      const s = xs[i]!.aval.shape[k]!;
      const prev = size.get(c);
      if (prev === undefined || prev === 1) size.set(c, s);
      else if (s !== 1 && s !== prev)
        throw new ValueError(
          `einsum: size of label '${c.charCodeAt(0) >= 0x100 ? "..." : c}' differs between operands: ${prev} vs ${s} (operand ${i} of shape ${fmt(xs[i]!.aval.shape)})`,
        );
    }),
  );
  let labs = labels.map((l) => [...l]);
  // 1. diagonals of repeated labels within one operand
  xs = xs.map((x, i) => {
    let l = labs[i]!;
    for (const c of new Set(l)) {
      const pos = l.flatMap((d, k) => (d === c ? [k] : []));
      if (pos.length < 2) continue;
      const n = x.aval.shape[pos[0]!]!;
      const mshape = l.map((_, k) => (pos.includes(k) ? n : 1));
      const md = new Uint8Array(n ** pos.length);
      for (let j = 0; j < n; j++) {
        let off = 0;
        for (let q = 0; q < pos.length; q++) off = off * n + j;
        md[off] = 1;
      }
      const mask = EagerArray.fromTyped(md, mshape, "bool");
      x = reduceSum(el.select(mask, x, el.scalarLike(x, 0)), pos.slice(1));
      l = l.filter((_, k) => !pos.slice(1).includes(k));
    }
    labs[i] = l;
    return x;
  });
  // 2. labels of one operand that appear nowhere else and not in the output are summed now;
  //    size-1 broadcast dims are dropped where another operand carries the full size
  const outSet = new Set(out);
  xs = xs.map((x, i) => {
    const l = labs[i]!;
    const elsewhere = (c: string) => outSet.has(c) || labs.some((o, j) => j !== i && o.includes(c));
    const sumAx = l.flatMap((c, k) => (elsewhere(c) ? [] : [k]));
    let y = sumAx.length ? reduceSum(x, sumAx) : x;
    let l2 = l.filter((_, k) => !sumAx.includes(k));
    const drop = l2.flatMap((c, k) => (y.aval.shape[k] === 1 && size.get(c) !== 1 ? [k] : []));
    y = squeezeAxes(y, drop);
    l2 = l2.filter((_, k) => !drop.includes(k));
    labs[i] = l2;
    return y;
  });
  // 3. contract pairwise, left to right
  let cur = xs[0]!;
  let curL = labs[0]!;
  for (let i = 1; i < xs.length; i++) {
    const nx = xs[i]!;
    const nl = labs[i]!;
    const later = new Set([...out, ...labs.slice(i + 1).flat()]);
    const shared = curL.filter((c) => nl.includes(c));
    const batchL = shared.filter((c) => later.has(c));
    const contrL = shared.filter((c) => !later.has(c));
    const p: lin.DotGeneralParams = {
      contracting: [contrL.map((c) => curL.indexOf(c)), contrL.map((c) => nl.indexOf(c))],
      batch: [batchL.map((c) => curL.indexOf(c)), batchL.map((c) => nl.indexOf(c))],
    };
    cur = lin.dotGeneral(cur, nx, p);
    curL = [...batchL, ...curL.filter((c) => !shared.includes(c)), ...nl.filter((c) => !shared.includes(c))];
    // labels no longer needed anywhere (only possible for labels of cur that nothing later uses)
    const needless = curL.flatMap((c, k) => (later.has(c) ? [] : [k]));
    if (needless.length) {
      cur = reduceSum(cur, needless);
      curL = curL.filter((_, k) => !needless.includes(k));
    }
  }
  // 4. output labels that were dropped as size-1 broadcast dims everywhere come back as size 1
  for (const c of out)
    if (!curL.includes(c)) {
      cur = reshape(cur, [...cur.aval.shape, 1]);
      curL = [...curL, c];
    }
  const perm = out.map((c) => curL.indexOf(c));
  cur = transpose(cur, perm);
  // broadcast size-1 output dims to the full label size
  const fullShape = out.map((c) => size.get(c)!);
  return broadcastTo(cur, fullShape);
}

/** jnp.trace(x, offset = 0, axis1 = 0, axis2 = 1): sum along a diagonal. */
export function trace(a: ArrayLike, offset = 0, axis1 = 0, axis2 = 1): JaxArray {
  let x = asArray(a);
  if (x.ndim < 2) throw new ValueError(`trace: expected an array with at least 2 dimensions, got shape ${fmt(x.aval.shape)}`);
  const a1 = normAxis(axis1, x.ndim, "trace");
  const a2 = normAxis(axis2, x.ndim, "trace");
  if (a1 === a2) throw new ValueError(`trace: axis1 and axis2 cannot be the same (both are ${a1})`);
  if (!Number.isInteger(offset)) throw new TypeError(`trace: offset must be an integer, got ${offset}`);
  if (x.dtype === "bool") x = el.convert(x, "int32");
  const s = x.aval.shape;
  const n = s[a1]!;
  const m = s[a2]!;
  const dm = diagMask(n, m, offset);
  // place the [n, m] mask on axes (a1, a2)
  const mshape = s.map((_, k) => (k === a1 ? n : k === a2 ? m : 1));
  const mask = a1 < a2 ? reshape(dm, mshape) : reshape(transpose(dm, [1, 0]), mshape);
  return reduceSum(el.select(mask, x, el.scalarLike(x, 0)), [Math.min(a1, a2), Math.max(a1, a2)]);
}

// ================================================================ jnp.linalg

function checkSquare(name: string, x: JaxArray): number {
  const s = x.aval.shape;
  if (s.length < 2) throw new ValueError(`${name}: expected an array of at least 2 dimensions (a matrix), got shape ${fmt(s)}`);
  if (s[s.length - 1] !== s[s.length - 2])
    throw new ValueError(`${name}: last 2 dimensions of the array must be square, got shape ${fmt(s)}`);
  return s[s.length - 1]!;
}

function vecNorm(x: JaxArray, ord: number, axes: number[]): JaxArray {
  const ax = el.abs(x);
  if (ord === 2) return el.sqrt(reduceSum(el.mul(x, x), axes));
  if (ord === 1) return reduceSum(ax, axes);
  if (ord === Infinity) return red.reduceMax(ax, axes);
  if (ord === -Infinity) return red.reduceMin(ax, axes);
  if (ord === 0) return reduceSum(el.convert(el.ne(x, el.scalarLike(x, 0)), x.dtype), axes);
  // general p: (Σ|x|^p)^(1/p)
  return el.pow(reduceSum(el.pow(ax, ord), axes), 1 / ord);
}

function matNorm(x: JaxArray, ord: number | "fro" | "nuc", r: number, c: number): JaxArray {
  if (ord === "fro") return el.sqrt(reduceSum(el.mul(x, x), [r, c]));
  const ax = el.abs(x);
  // after summing one axis, the other axis index shifts down when it was after the summed one
  if (ord === 1 || ord === -1) {
    const s = reduceSum(ax, [r]);
    const cc = c > r ? c - 1 : c;
    return ord === 1 ? red.reduceMax(s, [cc]) : red.reduceMin(s, [cc]);
  }
  if (ord === Infinity || ord === -Infinity) {
    const s = reduceSum(ax, [c]);
    const rr = r > c ? r - 1 : r;
    return ord === Infinity ? red.reduceMax(s, [rr]) : red.reduceMin(s, [rr]);
  }
  if (ord === 2 || ord === -2 || ord === "nuc") {
    // singular values of the matrices spanned by axes (r, c), moved last
    const rest = range(x.ndim).filter((d) => d !== r && d !== c);
    const sv = lin.svd(transpose(x, [...rest, r, c]))[0];
    const last = sv.ndim - 1;
    return ord === 2 ? red.reduceMax(sv, [last]) : ord === -2 ? red.reduceMin(sv, [last]) : reduceSum(sv, [last]);
  }
  throw new ValueError(`linalg.norm: invalid norm order ${String(ord)} for matrices; use "fro", 1, -1, Infinity or -Infinity`);
}

/**
 * jnp.linalg.norm(x, ord?, axis?, { keepdims }?): vector norms (default 2-norm of the
 * flattened array; ord 1, 2, ±Infinity, 0, or any p) and matrix norms for 2-d arrays or
 * axis pairs ("fro" default, 1, -1, ±Infinity).
 */
function norm(a: ArrayLike, ord?: number | "fro" | "nuc" | null, axis?: Axis, opts: { keepdims?: boolean } = {}): JaxArray {
  const x = inexact(a);
  const keep = opts.keepdims ?? false;
  const s = x.aval.shape;
  let axes: number[];
  if (axis === null || axis === undefined) {
    if (ord === null || ord === undefined) {
      const all = range(x.ndim);
      const r = el.sqrt(reduceSum(el.mul(x, x), all));
      return keep ? keepDims(r, s, all) : r;
    }
    if (x.ndim !== 1 && x.ndim !== 2)
      throw new ValueError(`linalg.norm: improper number of dimensions to norm: an ord needs a 1-d or 2-d array or an explicit axis, got shape ${fmt(s)}`);
    axes = range(x.ndim);
  } else axes = normAxes(typeof axis === "number" ? [axis] : [...axis], x.ndim, "linalg.norm");
  let r: JaxArray;
  if (axes.length === 1) {
    if (typeof ord === "string") throw new ValueError(`linalg.norm: invalid norm order '${ord}' for vectors`);
    r = vecNorm(x, ord ?? 2, axes);
  } else if (axes.length === 2) {
    r = matNorm(x, ord ?? "fro", axes[0]!, axes[1]!);
  } else throw new ValueError(`linalg.norm: improper number of axes to norm: ${JSON.stringify(axis)} (give 1 or 2 axes)`);
  return keep ? keepDims(r, s, axes) : r;
}

/** The permutation sign (+1 or -1, as dtype) of LU pivots [..., k]. */
function pivotSign(pivots: JaxArray, dtype: DType): JaxArray {
  const k = pivots.aval.shape[pivots.ndim - 1]!;
  const swaps = reduceSum(el.convert(el.ne(pivots, lin.iotaConst(k)), "int32"), [pivots.ndim - 1]);
  const odd = el.convert(el.rem(swaps, 2), dtype);
  return el.sub(el.full([], 1, dtype), el.mul(odd, 2));
}

/** jnp.linalg.det(a): determinant of each matrix [..., n, n] (via LU: permutation sign times the product of U's diagonal). */
function det(a: ArrayLike): JaxArray {
  const x = inexact(a);
  const n = checkSquare("linalg.det", x);
  if (n === 0) return el.full(x.aval.shape.slice(0, -2), 1, x.dtype);
  const [lu, pivots] = lin.luDecomp(x);
  return el.mul(pivotSign(pivots, x.dtype), prodLast(diagLast(lu)));
}

/** jnp.linalg.slogdet(a): [sign, logabsdet] of each matrix, with det = sign · exp(logabsdet). */
function slogdet(a: ArrayLike): [JaxArray, JaxArray] {
  const x = inexact(a);
  const n = checkSquare("linalg.slogdet", x);
  if (n === 0) return [el.full(x.aval.shape.slice(0, -2), 1, x.dtype), el.full(x.aval.shape.slice(0, -2), 0, x.dtype)];
  const [lu, pivots] = lin.luDecomp(x);
  const d = diagLast(lu);
  const sign = el.mul(pivotSign(pivots, x.dtype), prodLast(el.sign(d)));
  return [sign, reduceSum(el.log(el.abs(d)), [d.ndim - 1])];
}

/** jnp.linalg.solve(a, b): x with a·x = b, for a [..., n, n] and b [..., n] or [..., n, k] (batch dims broadcast). */
function solve(a: ArrayLike, b: ArrayLike): JaxArray {
  let [x, y] = promoteArgs(a, b) as [JaxArray, JaxArray];
  x = inexact(x);
  y = inexact(y);
  const n = checkSquare("linalg.solve", x);
  const vec = y.ndim === 1 || y.ndim === x.ndim - 1;
  if (y.ndim === 0 || y.aval.shape[vec ? y.ndim - 1 : y.ndim - 2] !== n)
    throw new ValueError(`linalg.solve: incompatible shapes: a ${fmt(x.aval.shape)} and b ${fmt(y.aval.shape)} (b must be [..., ${n}] or [..., ${n}, k])`);
  if (vec) y = reshape(y, [...y.aval.shape, 1]);
  const batch = broadcastShapes("linalg.solve", x.aval.shape.slice(0, -2), y.aval.shape.slice(0, -2));
  x = broadcastTo(x, [...batch, n, n]);
  y = broadcastTo(y, [...batch, ...y.aval.shape.slice(-2)]);
  const [lu, , perm] = lin.luDecomp(x);
  const pb = lin.bmm(lin.permutationMatrix(perm, x.dtype), y);
  const z = lin.triangularSolve(lu, pb, { leftSide: true, lower: true, transposeA: false, unitDiagonal: true });
  const r = lin.triangularSolve(lu, z, { leftSide: true, lower: false, transposeA: false, unitDiagonal: false });
  return vec ? reshape(r, r.aval.shape.slice(0, -1)) : r;
}

/** jnp.linalg.inv(a): the inverse of each matrix [..., n, n]. */
function inv(a: ArrayLike): JaxArray {
  const x = inexact(a);
  const n = checkSquare("linalg.inv", x);
  return solve(x, broadcastTo(lin.eyeConst(n, n, x.dtype), x.aval.shape));
}

/** jnp.linalg.cholesky(a): lower-triangular L with a = L·Lᵀ (a is symmetrised first; NaN where not positive definite). */
function cholesky(a: ArrayLike): JaxArray {
  const x = inexact(a);
  checkSquare("linalg.cholesky", x);
  const sym = el.div(el.add(x, lin.mT(x)), 2);
  return lin.cholesky(sym);
}

/** jnp.linalg.svdvals(a): the singular values of a [..., m, n] in descending order. */
function svdvals(a: ArrayLike): JaxArray {
  const x = inexact(a);
  if (x.ndim < 2) throw new ValueError(`linalg.svdvals: expected a matrix (or a stack of matrices), got shape ${shapeStr(x.shape)}`);
  return lin.svd(x)[0];
}

/** jnp.linalg: norm, inv, solve, cholesky, det, slogdet, svdvals. */
export const linalg = { norm, inv, solve, cholesky, det, slogdet, svdvals };

Object.assign(arrayOps, { matmul, dot });
