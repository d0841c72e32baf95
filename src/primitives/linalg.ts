// linalg.ts — linear-algebra primitives: dot_general (batched tensor contraction with JAX's
// output layout), cholesky, triangular_solve and lu (partial pivoting), each with its
// reference kernel and its jvp / transpose / batch rules. The decompositions accept leading
// batch dimensions ([..., m, n]) natively, so their batch rules only move the vmapped axis.
import { ShapedArray, shapeSize, shapeStr, stridesOf } from "../core/aval.js";
import { EagerArray, type JaxArray } from "../core/array.js";
import { type DType, type TypedArray, isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { bind, bind1 } from "../core/trace.js";
import { type HostArray, NOT_LINEAR, type Primitive, UndefinedPrimal, definePrimitive, missing } from "../core/primitive.js";
import { add, convert, div, eq, mul, neg, select, scalarLike, sub } from "./elementwise.js";
import { broadcastInDim, moveaxis, reduceSum, reshape, transpose } from "./movement.js";
import { alloc, range } from "./util.js";

const LOWER = missing("the wasm compiler (issue #6)");

// ================================================================ helpers (host side)

/** Dims of an array of rank `ndim` that are neither contracted nor batch dims, in order. */
export function freeDims(ndim: number, contract: readonly number[], batch: readonly number[]): number[] {
  return range(ndim).filter((d) => !contract.includes(d) && !batch.includes(d));
}

/**
 * Copies `data` (row-major with `shape`) into `out` with its axes permuted: the result is
 * row-major in the order `perm` (out axis i = source axis perm[i]).
 */
function permuteInto(data: TypedArray, shape: readonly number[], perm: readonly number[], out: TypedArray | Float64Array): void {
  const n = out.length;
  if (n === 0) return;
  if (perm.every((p, i) => p === i)) {
    out.set(data);
    return;
  }
  const st = stridesOf(shape);
  const oshape = perm.map((p) => shape[p]!);
  const ost = perm.map((p) => st[p]!);
  const rank = oshape.length;
  const inner = oshape[rank - 1]!;
  const innerSt = ost[rank - 1]!;
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0, s = src; j < inner; j++, s += innerSt) out[o + j] = data[s]!;
    // advance the outer odometer (all axes but the last)
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      src += ost[d]!;
      if (idx[d]! < oshape[d]!) break;
      src -= ost[d]! * oshape[d]!;
      idx[d] = 0;
    }
  }
}

const prodOf = (shape: readonly number[], dims: readonly number[]): number => dims.reduce((a, d) => a * shape[d]!, 1);

/** Reads a float operand as float64 (a copy, so kernels can work in place). */
function toF64(x: HostArray): Float64Array {
  const r = new Float64Array(x.data.length);
  r.set(x.data);
  return r;
}
/** Rounds a float64 work buffer into the storage of `dtype`. */
function fromF64(w: Float64Array, dtype: DType): TypedArray {
  if (dtype === "float64") return w;
  const out = alloc(dtype, [w.length]);
  out.set(w);
  return out;
}

// ================================================================ dot_general

export type DotGeneralParams = {
  /** [lhs contracting dims, rhs contracting dims], paired in order. */
  contracting: [number[], number[]];
  /** [lhs batch dims, rhs batch dims], paired in order. */
  batch: [number[], number[]];
};

function checkDims(name: string, dims: readonly number[], ndim: number, shape: readonly number[], what: string): void {
  for (const d of dims)
    if (!Number.isInteger(d) || d < 0 || d >= ndim)
      throw new ValueError(`dot_general: ${what} dimension ${d} is out of bounds for ${name} of shape ${shapeStr(shape)}`);
}

function dotGeneralAbstract(x: ShapedArray, y: ShapedArray, p: DotGeneralParams): ShapedArray {
  const [lc, rc] = p.contracting;
  const [lb, rb] = p.batch;
  if (x.dtype !== y.dtype)
    throw new TypeError(`dot_general requires operands of the same dtype, got ${x.dtype} and ${y.dtype} (promote them first)`);
  if (x.dtype === "float0") throw new TypeError("dot_general does not accept float0 arrays");
  checkDims("lhs", lc, x.ndim, x.shape, "contracting");
  checkDims("rhs", rc, y.ndim, y.shape, "contracting");
  checkDims("lhs", lb, x.ndim, x.shape, "batch");
  checkDims("rhs", rb, y.ndim, y.shape, "batch");
  if (lc.length !== rc.length)
    throw new ValueError(`dot_general: lhs and rhs must have the same number of contracting dimensions, got ${JSON.stringify(lc)} and ${JSON.stringify(rc)}`);
  if (lb.length !== rb.length)
    throw new ValueError(`dot_general: lhs and rhs must have the same number of batch dimensions, got ${JSON.stringify(lb)} and ${JSON.stringify(rb)}`);
  const lAll = [...lc, ...lb];
  const rAll = [...rc, ...rb];
  if (new Set(lAll).size !== lAll.length || new Set(rAll).size !== rAll.length)
    throw new ValueError(`dot_general: repeated dimension in contracting ${JSON.stringify(p.contracting)} / batch ${JSON.stringify(p.batch)}`);
  for (let i = 0; i < lc.length; i++)
    if (x.shape[lc[i]!] !== y.shape[rc[i]!])
      throw new TypeError(
        `dot_general requires contracting dimensions to have the same shape, got ${shapeStr(lc.map((d) => x.shape[d]!))} and ${shapeStr(rc.map((d) => y.shape[d]!))} (operand shapes ${shapeStr(x.shape)} and ${shapeStr(y.shape)})`,
      );
  for (let i = 0; i < lb.length; i++)
    if (x.shape[lb[i]!] !== y.shape[rb[i]!])
      throw new TypeError(
        `dot_general requires lhs batch dimensions and rhs batch dimensions to have the same shape, got ${shapeStr(lb.map((d) => x.shape[d]!))} and ${shapeStr(rb.map((d) => y.shape[d]!))} (operand shapes ${shapeStr(x.shape)} and ${shapeStr(y.shape)})`,
      );
  const shape = [
    ...lb.map((d) => x.shape[d]!),
    ...freeDims(x.ndim, lc, lb).map((d) => x.shape[d]!),
    ...freeDims(y.ndim, rc, rb).map((d) => y.shape[d]!),
  ];
  return new ShapedArray(shape, x.dtype, x.weakType && y.weakType);
}

/** Reference kernel: operands to [B, M, K] and [B, K, N] layouts, then an i-k-j loop. */
function dotGeneralKernel([x, y]: HostArray[], p: DotGeneralParams, [o]: ShapedArray[]): TypedArray[] {
  const [lc, rc] = p.contracting;
  const [lb, rb] = p.batch;
  const lf = freeDims(x!.shape.length, lc, lb);
  const rf = freeDims(y!.shape.length, rc, rb);
  const B = prodOf(x!.shape, lb);
  const M = prodOf(x!.shape, lf);
  const K = prodOf(x!.shape, lc);
  const N = prodOf(y!.shape, rf);
  const dtype = o!.dtype;
  const lperm = [...lb, ...lf, ...lc];
  const rperm = [...rb, ...rc, ...rf];
  if (isFloat(dtype)) {
    const A = new Float64Array(B * M * K);
    const Bm = new Float64Array(B * K * N);
    permuteInto(x!.data, x!.shape, lperm, A);
    permuteInto(y!.data, y!.shape, rperm, Bm);
    const acc = new Float64Array(B * M * N);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < M; i++) {
        const orow = (b * M + i) * N;
        const arow = (b * M + i) * K;
        for (let k = 0; k < K; k++) {
          const a = A[arow + k]!;
          const brow = (b * K + k) * N;
          for (let j = 0; j < N; j++) acc[orow + j] += a * Bm[brow + j]!;
        }
      }
    }
    return [fromF64(acc, dtype)];
  }
  // integer and bool: wrap-around integer arithmetic (bool: logical or of ands)
  const A = alloc(dtype, [B * M * K]);
  const Bm = alloc(dtype, [B * K * N]);
  permuteInto(x!.data, x!.shape, lperm, A);
  permuteInto(y!.data, y!.shape, rperm, Bm);
  const out = alloc(dtype, o!.shape);
  const isBool = dtype === "bool";
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < M; i++) {
      const orow = (b * M + i) * N;
      const arow = (b * M + i) * K;
      for (let k = 0; k < K; k++) {
        const a = A[arow + k]!;
        if (a === 0) continue; // exact for integers
        const brow = (b * K + k) * N;
        if (isBool) {
          for (let j = 0; j < N; j++) if (Bm[brow + j]) out[orow + j] = 1;
        } else {
          for (let j = 0; j < N; j++) out[orow + j] += Math.imul(a, Bm[brow + j]!);
        }
      }
    }
  }
  return [out];
}

/** JAX's _dot_general_transpose_lhs: the cotangent of the lhs is a dot of g with the rhs, transposed back. */
function dotTransposeLhs(g: JaxArray, xAval: ShapedArray, y: JaxArray, p: DotGeneralParams, swapAns: boolean): JaxArray {
  const [xc, yc] = p.contracting;
  const [xb, yb] = p.batch;
  const xKept = freeDims(xAval.ndim, xc, xb);
  const yKept = freeDims(y.ndim, yc, yb);
  const nb = xb.length;
  const ansBatch = range(nb);
  // positions of y's kept dims within the answer
  const ansY = swapAns ? range(yKept.length).map((i) => nb + i) : range(yKept.length).map((i) => nb + xKept.length + i);
  const dims: DotGeneralParams = { contracting: [ansY, yKept], batch: [ansBatch, [...yb]] };
  // the result lists x's contracting dims in the order of y's (ascending) contracting dims
  const order = range(yc.length).sort((a, b) => yc[a]! - yc[b]!);
  const xcSortedByY = order.map((i) => xc[i]!);
  const pre = [...xb, ...xKept, ...xcSortedByY];
  const argsort = (v: number[]) => range(v.length).sort((a, b) => v[a]! - v[b]!);
  const outAxes = argsort(pre);
  // with the operands swapped the dot lists y's kept dims first; when that is already x's
  // layout (A·Bᵀ's cotangents, say), no transpose is needed
  const swapped = [...xb, ...xcSortedByY, ...xKept];
  const isId = (v: number[]) => v.every((d, i) => d === i);
  if (!isId(outAxes) && isId(argsort(swapped)))
    return dotGeneral(y, g, { contracting: [yKept, ansY], batch: [[...yb], ansBatch] });
  return transpose(dotGeneral(g, y, dims), outAxes);
}

export const dotGeneralP: Primitive<DotGeneralParams> = definePrimitive<DotGeneralParams>({
  name: "dot_general",
  impl: dotGeneralKernel,
  abstractEval: ([x, y], p) => [dotGeneralAbstract(x!, y!, p)],
  // bilinear: d(x·y) = dx·y + x·dy
  jvp: ([x, y], [tx, ty], p) => {
    const out = dotGeneral(x!, y!, p);
    const a = tx ? dotGeneral(tx, y!, p) : null;
    const b = ty ? dotGeneral(x!, ty, p) : null;
    return [[out], [a && b ? add(a, b) : (a ?? b)]];
  },
  // x̄ = g·yᵀ and ȳ = xᵀ·g, arranged back into each operand's layout
  transpose: ([ct], [x, y], p) => {
    if (!ct) return [null, null];
    const xu = x instanceof UndefinedPrimal;
    const yu = y instanceof UndefinedPrimal;
    if (xu && yu) throw new Error("internal: dot_general transpose with both operands linear");
    if (xu) return [dotTransposeLhs(ct, x.aval, y as JaxArray, p, false), null];
    if (yu) {
      const swapped: DotGeneralParams = { contracting: [p.contracting[1], p.contracting[0]], batch: [p.batch[1], p.batch[0]] };
      return [null, dotTransposeLhs(ct, y.aval, x as JaxArray, swapped, true)];
    }
    return [null, null];
  },
  // vmapped dims become a new batch dim (both batched) or a free dim (one side batched)
  batch: ([x, y], [dx, dy], p) => {
    const [lc, rc] = p.contracting;
    const [lb, rb] = p.batch;
    const bump = (dims: readonly number[], b: number) => dims.map((d) => (d >= b ? d + 1 : d));
    if (dx !== null && dy !== null) {
      const xx = moveaxis(x!, dx!, 0);
      const yy = moveaxis(y!, dy!, 0);
      const q: DotGeneralParams = {
        contracting: [bump(lc, 0), bump(rc, 0)],
        batch: [[0, ...bump(lb, 0)], [0, ...bump(rb, 0)]],
      };
      return [[dotGeneral(xx, yy, q)], [0]];
    }
    if (dx !== null) {
      const q: DotGeneralParams = { contracting: [bump(lc, dx!), [...rc]], batch: [bump(lb, dx!), [...rb]] };
      const lf = freeDims(x!.ndim, q.contracting[0], q.batch[0]);
      return [[dotGeneral(x!, y!, q)], [lb.length + lf.indexOf(dx!)]];
    }
    if (dy !== null) {
      const q: DotGeneralParams = { contracting: [[...lc], bump(rc, dy!)], batch: [[...lb], bump(rb, dy!)] };
      const rf = freeDims(y!.ndim, q.contracting[1], q.batch[1]);
      const nlf = x!.ndim - lc.length - lb.length;
      return [[dotGeneral(x!, y!, q)], [lb.length + nlf + rf.indexOf(dy!)]];
    }
    return [[dotGeneral(x!, y!, p)], [null]];
  },
  lower: LOWER,
  printParams: (p) => {
    const t = (a: readonly number[]) => `[${a.join(", ")}]`;
    return `dimension_numbers=((${t(p.contracting[0])}, ${t(p.contracting[1])}), (${t(p.batch[0])}, ${t(p.batch[1])})) precision=None`;
  },
});

// ================================================================ matrix helpers for rules

/** Constant bool mask [n, m] with true where (j - i) compares to k: "lower" keeps j - i <= k, "upper" j - i >= k. */
function triMaskConst(n: number, m: number, k: number, lower: boolean): JaxArray {
  const d = new Uint8Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) d[i * m + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
  return EagerArray.fromTyped(d, [n, m], "bool");
}
/** Constant rectangular identity [n, m] of `dtype`. */
export function eyeConst(n: number, m: number, dtype: DType, offset = 0): JaxArray {
  const d = alloc(dtype, [n, m]);
  for (let i = 0; i < n; i++) if (i + offset >= 0 && i + offset < m) d[i * m + i + offset] = 1;
  return EagerArray.fromTyped(d, [n, m], dtype);
}
export function iotaConst(n: number): JaxArray {
  const d = new Int32Array(n);
  for (let i = 0; i < n; i++) d[i] = i;
  return EagerArray.fromTyped(d, [n], "int32");
}
/** The permutation matrix P [..., m, m] of an int32 permutation [..., m]: (P·a)[i] = a[perm[i]]. */
export function permutationMatrix(perm: JaxArray, dtype: DType): JaxArray {
  const m = perm.aval.shape[perm.ndim - 1]!;
  return convert(eq(reshape(perm, [...perm.aval.shape, 1]), iotaConst(m)), dtype);
}
/** Zeroes x above (lower) or below (upper) diagonal k of its last two axes (jnp.tril / triu). */
export function tri(x: JaxArray, k: number, lower: boolean): JaxArray {
  const s = x.aval.shape;
  const mask = triMaskConst(s[s.length - 2]!, s[s.length - 1]!, k, lower);
  return select(mask, x, scalarLike(x, 0));
}
/** Swaps the last two axes. */
export function mT(x: JaxArray): JaxArray {
  const n = x.ndim;
  const perm = range(n);
  perm[n - 2] = n - 1;
  perm[n - 1] = n - 2;
  return transpose(x, perm);
}
/** Batched matrix product of a [..., p, q] and b [..., q, r] with equal leading dims. */
export function bmm(a: JaxArray, b: JaxArray): JaxArray {
  const n = a.ndim;
  const lead = range(n - 2);
  return dotGeneral(a, b, { contracting: [[n - 1], [b.ndim - 2]], batch: [lead, lead] });
}
/** x [..., p, q] @ c [q, r] with a constant unbatched matrix c. */
function matmulConstRight(x: JaxArray, c: JaxArray): JaxArray {
  return dotGeneral(x, c, { contracting: [[x.ndim - 1], [0]], batch: [[], []] });
}
/** c [r, p] @ x [..., p, q] with a constant unbatched matrix c. */
function matmulConstLeft(c: JaxArray, x: JaxArray): JaxArray {
  // contract x's row axis with c's column axis: result [..., q, r], then swap to [..., r, q]
  return mT(dotGeneral(x, c, { contracting: [[x.ndim - 2], [1]], batch: [[], []] }));
}

/** Moves the batch dim of x to 0, or broadcasts x along a new leading axis of size `size`. */
function batchToFront(x: JaxArray, d: number | null, size: number): JaxArray {
  if (d !== null) return moveaxis(x, d, 0);
  const s = x.aval.shape;
  return broadcastInDim(x, [size, ...s], range(s.length).map((i) => i + 1));
}

function checkSquare(name: string, x: ShapedArray): number {
  if (x.ndim < 2)
    throw new ValueError(`${name}: expected a matrix (or a stack of matrices) with at least 2 dimensions, got shape ${shapeStr(x.shape)}`);
  const n = x.shape[x.ndim - 1]!;
  if (x.shape[x.ndim - 2] !== n)
    throw new ValueError(`${name}: expected square matrices in the last two dimensions, got shape ${shapeStr(x.shape)}`);
  return n;
}
function checkFloat(name: string, d: DType): void {
  if (!isFloat(d)) throw new TypeError(`${name} requires a floating-point array, got dtype ${d} (use .astype("float32") first)`);
}

// ================================================================ cholesky

/** Lower Cholesky factor of each matrix (reads the lower triangle); NaN-filled where not positive definite. */
function choleskyKernel([x]: HostArray[], _p: {}, [o]: ShapedArray[]): TypedArray[] {
  const s = x!.shape;
  const n = s[s.length - 1]!;
  const nb = n === 0 ? 0 : x!.data.length / (n * n);
  const a = toF64(x!);
  const L = new Float64Array(a.length);
  for (let b = 0; b < nb; b++) {
    const off = b * n * n;
    let ok = true;
    for (let j = 0; j < n && ok; j++) {
      let d = a[off + j * n + j]!;
      for (let k = 0; k < j; k++) d -= L[off + j * n + k]! * L[off + j * n + k]!;
      if (!(d > 0)) {
        ok = false;
        break;
      }
      const ljj = Math.sqrt(d);
      L[off + j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let v = a[off + i * n + j]!;
        for (let k = 0; k < j; k++) v -= L[off + i * n + k]! * L[off + j * n + k]!;
        L[off + i * n + j] = v / ljj;
      }
    }
    if (!ok) L.fill(NaN, off, off + n * n);
  }
  return [fromF64(L, o!.dtype)];
}

export const choleskyP: Primitive<{}> = definePrimitive<{}>({
  name: "cholesky",
  impl: choleskyKernel,
  abstractEval: ([x]) => {
    checkSquare("cholesky", x!);
    checkFloat("cholesky", x!.dtype);
    return [x!.withWeak(false)];
  },
  // dL = L·Φ(L⁻¹ dA L⁻ᵀ), Φ = lower triangle with the diagonal halved
  jvp: ([x], [t]) => {
    const L = cholesky(x!);
    if (!t) return [[L], [null]];
    const tmp = triangularSolve(L, t, { leftSide: false, lower: true, transposeA: true, unitDiagonal: false });
    const inner = triangularSolve(L, tmp, { leftSide: true, lower: true, transposeA: false, unitDiagonal: false });
    const n = x!.aval.shape[x!.ndim - 1]!;
    const halfDiag = add(eyeConst(n, n, x!.dtype), scalarLike(x!, 1)); // 2 on the diagonal, 1 elsewhere
    const phi = div(tri(inner, 0, true), halfDiag);
    return [[L], [bmm(L, phi)]];
  },
  transpose: NOT_LINEAR,
  // leading batch dims are native: move the vmapped axis to the front
  batch: ([x], [d]) => [[cholesky(moveaxis(x!, d!, 0))], [0]],
  lower: LOWER,
});

// ================================================================ triangular_solve

export type TriangularSolveParams = {
  /** true: solve op(a)·x = b; false: solve x·op(a) = b. */
  leftSide: boolean;
  /** a is lower (true) or upper (false) triangular; only that triangle is read. */
  lower: boolean;
  /** op(a) = aᵀ when true. */
  transposeA: boolean;
  /** the diagonal of a is taken as ones (and not read). */
  unitDiagonal: boolean;
};

function triangularSolveKernel([a, b]: HostArray[], p: TriangularSolveParams, [o]: ShapedArray[]): TypedArray[] {
  const as = a!.shape;
  const m = as[as.length - 1]!;
  const bs = b!.shape;
  const r = bs[bs.length - 2]!;
  const c = bs[bs.length - 1]!;
  const A = toF64(a!);
  const X = toF64(b!);
  const nb = shapeSize(bs.slice(0, -2));
  // x·op(a) = b  <=>  op(a)ᵀ·xᵀ = bᵀ: solve each row of b as a vector with the transpose toggled
  const trans = p.leftSide ? p.transposeA : !p.transposeA;
  // op(a)[i][j] reads a[j][i] when transposed; op(a) is lower triangular iff lower xor trans
  const effLower = p.lower !== trans;
  const nvec = p.leftSide ? c : r; // number of right-hand-side vectors
  const vstride = p.leftSide ? c : 1; // stride between consecutive elements of one vector
  const vstep = p.leftSide ? 1 : c; // offset between consecutive vectors
  const si = trans ? 1 : m; // stride of op(a)'s row index in a's storage
  const sj = trans ? m : 1;
  for (let bi = 0; bi < nb; bi++) {
    const ao = bi * m * m;
    const xo = bi * r * c;
    for (let v = 0; v < nvec; v++) {
      const base = xo + v * vstep;
      if (effLower) {
        for (let i = 0; i < m; i++) {
          let s = X[base + i * vstride]!;
          for (let j = 0; j < i; j++) s -= A[ao + i * si + j * sj]! * X[base + j * vstride]!;
          X[base + i * vstride] = p.unitDiagonal ? s : s / A[ao + i * si + i * sj]!;
        }
      } else {
        for (let i = m - 1; i >= 0; i--) {
          let s = X[base + i * vstride]!;
          for (let j = i + 1; j < m; j++) s -= A[ao + i * si + j * sj]! * X[base + j * vstride]!;
          X[base + i * vstride] = p.unitDiagonal ? s : s / A[ao + i * si + i * sj]!;
        }
      }
    }
  }
  return [fromF64(X, o!.dtype)];
}

export const triangularSolveP: Primitive<TriangularSolveParams> = definePrimitive<TriangularSolveParams>({
  name: "triangular_solve",
  impl: triangularSolveKernel,
  abstractEval: ([a, b], p) => {
    const m = checkSquare("triangular_solve", a!);
    checkFloat("triangular_solve", a!.dtype);
    if (a!.dtype !== b!.dtype)
      throw new TypeError(`triangular_solve requires operands of the same dtype, got ${a!.dtype} and ${b!.dtype}`);
    if (b!.ndim !== a!.ndim)
      throw new ValueError(`triangular_solve: a and b must have the same rank, got shapes ${shapeStr(a!.shape)} and ${shapeStr(b!.shape)}`);
    const k = p.leftSide ? b!.shape[b!.ndim - 2] : b!.shape[b!.ndim - 1];
    const lead = a!.shape.slice(0, -2);
    if (k !== m || lead.some((d, i) => d !== b!.shape[i]))
      throw new ValueError(
        `triangular_solve: incompatible shapes ${shapeStr(a!.shape)} and ${shapeStr(b!.shape)} (leftSide=${p.leftSide}: b's ${p.leftSide ? "second-to-last" : "last"} dimension must equal ${m} and the leading dimensions must match)`,
      );
    return [b!.withWeak(false)];
  },
  // linear in b; in a: d(op(a)⁻¹b) = -op(a)⁻¹·op(da)·x (left) or -x·op(da)·op(a)⁻¹ (right)
  jvp: ([a, b], [ta, tb], p) => {
    const x = triangularSolve(a!, b!, p);
    let t: JaxArray | null = tb ? triangularSolve(a!, tb, p) : null;
    if (ta) {
      let ga = p.unitDiagonal ? tri(ta, p.lower ? -1 : 1, p.lower) : tri(ta, 0, p.lower);
      ga = neg(ga);
      if (p.transposeA) ga = mT(ga);
      const ainv = (rhs: JaxArray) => triangularSolve(a!, rhs, p);
      const ta2 = p.leftSide ? bmm(ainv(ga), x) : bmm(x, ainv(ga));
      t = t ? add(t, ta2) : ta2;
    }
    return [[x], [t]];
  },
  // transpose in b: solve with op(a)ᵀ
  transpose: ([ct], [a, b], p) => {
    if (a instanceof UndefinedPrimal) throw new Error("internal: triangular_solve is not linear in its matrix operand");
    if (!(b instanceof UndefinedPrimal) || !ct) return [null, null];
    return [null, triangularSolve(a as JaxArray, ct, { ...p, transposeA: !p.transposeA })];
  },
  // batch dims go in front (an unbatched matrix of rank 2 keeps b's batch folded into its columns/rows)
  batch: ([a, b], [da, db], p, axis) => {
    if (da === null && a!.ndim === 2 && db !== null) {
      const bb = moveaxis(b!, db!, 0); // [B, r, c]
      const [B, r, c] = bb.aval.shape as [number, number, number];
      if (p.leftSide) {
        const folded = reshape(moveaxis(bb, 0, 1), [r, B * c]);
        const x = triangularSolve(a!, folded, p);
        return [[reshape(x, [r, B, c])], [1]];
      }
      const x = triangularSolve(a!, reshape(bb, [B * r, c]), p);
      return [[reshape(x, [B, r, c])], [0]];
    }
    const aa = batchToFront(a!, da ?? null, axis.size);
    const bb = batchToFront(b!, db ?? null, axis.size);
    return [[triangularSolve(aa, bb, p)], [0]];
  },
  lower: LOWER,
  printParams: (p) =>
    `conjugate_a=False left_side=${p.leftSide ? "True" : "False"} lower=${p.lower ? "True" : "False"} transpose_a=${p.transposeA ? "True" : "False"} unit_diagonal=${p.unitDiagonal ? "True" : "False"}`,
});

// ================================================================ lu

/** LU with partial pivoting of each [m, n] matrix: P·a = L·U, L unit lower (below the diagonal of lu), U upper. */
/** The leading (batch) dims and the matrix dims m×n (k = min(m, n)) of a [..., m, n] shape. */
function matrixDims(shape: readonly number[]): { lead: number[]; m: number; n: number; k: number } {
  const m = shape[shape.length - 2]!;
  const n = shape[shape.length - 1]!;
  return { lead: shape.slice(0, -2), m, n, k: Math.min(m, n) };
}

function luKernel([x]: HostArray[], _p: {}, [o, po, permo]: ShapedArray[]): TypedArray[] {
  const { lead, m, n, k } = matrixDims(x!.shape);
  const nb = shapeSize(lead);
  const A = toF64(x!);
  const piv = alloc("int32", po!.shape);
  const perm = alloc("int32", permo!.shape);
  for (let b = 0; b < nb; b++) {
    const off = b * m * n;
    const pr = b * m;
    for (let i = 0; i < m; i++) perm[pr + i] = i;
    for (let j = 0; j < k; j++) {
      // pivot: the largest |a[i, j]| for i >= j (first one on ties; NaN never wins)
      let p = j;
      let best = Math.abs(A[off + j * n + j]!);
      for (let i = j + 1; i < m; i++) {
        const v = Math.abs(A[off + i * n + j]!);
        if (v > best || (Number.isNaN(best) && !Number.isNaN(v))) {
          best = v;
          p = i;
        }
      }
      piv[b * k + j] = p;
      if (p !== j) {
        for (let c = 0; c < n; c++) {
          const t = A[off + j * n + c]!;
          A[off + j * n + c] = A[off + p * n + c]!;
          A[off + p * n + c] = t;
        }
        const t = perm[pr + j]!;
        perm[pr + j] = perm[pr + p]!;
        perm[pr + p] = t;
      }
      const d = A[off + j * n + j]!;
      if (d !== 0) {
        for (let i = j + 1; i < m; i++) {
          const l = (A[off + i * n + j] = A[off + i * n + j]! / d);
          if (l === 0) continue;
          for (let c = j + 1; c < n; c++) A[off + i * n + c] -= l * A[off + j * n + c]!;
        }
      }
    }
  }
  return [fromF64(A, o!.dtype), piv, perm];
}

export const luP: Primitive<{}> = definePrimitive<{}>({
  name: "lu",
  impl: luKernel,
  abstractEval: ([x]) => {
    if (x!.ndim < 2)
      throw new ValueError(`lu: expected a matrix (or a stack of matrices) with at least 2 dimensions, got shape ${shapeStr(x!.shape)}`);
    checkFloat("lu", x!.dtype);
    const { lead, m, n } = matrixDims(x!.shape);
    return [x!.withWeak(false), new ShapedArray([...lead, Math.min(m, n)], "int32"), new ShapedArray([...lead, m], "int32")];
  },
  // JAX's lu_jvp_rule: with X = L⁻¹·P·dA·U⁻¹, dL = L·tril(X, -1) and dU = triu(X)·U
  jvp: ([a], [t]) => {
    const [lu, pivots, perm] = luDecomp(a!);
    if (!t) return [[lu, pivots, perm], [null, null, null]];
    const { m, n, k } = matrixDims(a!.aval.shape);
    const dtype = a!.dtype;
    const x = bmm(permutationMatrix(perm, dtype), t); // P·dA
    // L [m, m] (unit lower) and U [n, n] (upper, padded with an identity block)
    const luSqL = m === n ? lu : matmulConstRight(lu, eyeConst(n, m, dtype));
    const l = add(tri(luSqL, -1, true), eyeConst(m, m, dtype));
    const luSqU = m === n ? lu : matmulConstLeft(eyeConst(n, m, dtype), lu);
    let u = tri(luSqU, 0, false);
    if (n > k) u = add(u, uPad(n, k, dtype));
    const la = triangularSolve(l, x, { leftSide: true, lower: true, transposeA: false, unitDiagonal: true });
    const lau = triangularSolve(u, la, { leftSide: false, lower: false, transposeA: false, unitDiagonal: false });
    const lDot = bmm(l, tri(lau, -1, true));
    const uDot = bmm(tri(lau, 0, false), u);
    return [[lu, pivots, perm], [add(lDot, uDot), null, null]];
  },
  transpose: NOT_LINEAR,
  // leading batch dims are native: move the vmapped axis to the front
  batch: ([x], [d]) => [luDecomp(moveaxis(x!, d!, 0)), [0, 0, 0]],
  lower: LOWER,
});

/** Identity on the trailing (n - k) block of an [n, n] matrix (pads U when m < n). */
function uPad(n: number, k: number, dtype: DType): JaxArray {
  const d = alloc(dtype, [n, n]);
  for (let i = k; i < n; i++) d[i * n + i] = 1;
  return EagerArray.fromTyped(d, [n, n], dtype);
}

// ================================================================ lax-level wrappers

export const dotGeneral = (x: JaxArray, y: JaxArray, p: DotGeneralParams): JaxArray =>
  bind1(dotGeneralP, [x, y], {
    contracting: [[...p.contracting[0]], [...p.contracting[1]]],
    batch: [[...p.batch[0]], [...p.batch[1]]],
  });
/** Lower Cholesky factor (lax.linalg.cholesky without symmetrisation). */
export const cholesky = (x: JaxArray): JaxArray => bind1(choleskyP, [x]);
export const triangularSolve = (a: JaxArray, b: JaxArray, p: TriangularSolveParams): JaxArray =>
  bind1(triangularSolveP, [a, b], { leftSide: p.leftSide, lower: p.lower, transposeA: p.transposeA, unitDiagonal: p.unitDiagonal });
/** lax.linalg.lu: [lu, pivots (int32), permutation (int32)]. */
export const luDecomp = (x: JaxArray): [JaxArray, JaxArray, JaxArray] => {
  const r = bind(luP, [x]);
  return [r[0]!, r[1]!, r[2]!];
};

// ================================================================ svd
/** One-sided Jacobi SVD of a row-major m×n matrix (m ≥ n) in float64: U [m,n], s [n], V [n,n]. */
function jacobiSvd(a: Float64Array, m: number, n: number): { u: Float64Array; s: Float64Array; v: Float64Array } {
  const u = a.slice(); // columns get orthogonalised in place
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = u[i * n + p]!;
          const y = u[i * n + q]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        off = Math.max(off, Math.abs(gamma) / Math.sqrt(alpha * beta));
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const sn = c * t;
        for (let i = 0; i < m; i++) {
          const x = u[i * n + p]!;
          const y = u[i * n + q]!;
          u[i * n + p] = c * x - sn * y;
          u[i * n + q] = sn * x + c * y;
        }
        for (let i = 0; i < n; i++) {
          const x = v[i * n + p]!;
          const y = v[i * n + q]!;
          v[i * n + p] = c * x - sn * y;
          v[i * n + q] = sn * x + c * y;
        }
      }
    if (off < 1e-15) break;
  }
  const s = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += u[i * n + j]! ** 2;
    s[j] = Math.sqrt(nrm);
    for (let i = 0; i < m; i++) u[i * n + j] = s[j]! > 0 ? u[i * n + j]! / s[j]! : 0;
  }
  return { u, s, v };
}

function svdKernel([x]: HostArray[], _p: {}, [so, uo, vto]: ShapedArray[]): TypedArray[] {
  const { lead, m, n, k } = matrixDims(x!.shape);
  const batch = shapeSize(lead);
  const A = toF64(x!);
  const S = new Float64Array(batch * k);
  const U = new Float64Array(batch * m * k);
  const VT = new Float64Array(batch * k * n);
  for (let b = 0; b < batch; b++) {
    // work on the tall orientation: A (m ≥ n) or Aᵀ
    const tall = m >= n;
    const rows = tall ? m : n;
    const cols = k;
    const a = new Float64Array(rows * cols);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a[tall ? i * n + j : j * m + i] = A[b * m * n + i * n + j]!;
    const r = jacobiSvd(a, rows, cols);
    // sort singular values in descending order
    const order = range(cols).sort((p, q) => r.s[q]! - r.s[p]!);
    order.forEach((j, jj) => {
      S[b * k + jj] = r.s[j]!;
      // tall: A = U S Vᵀ with U = r.u, V = r.v; wide: Aᵀ = r.u S r.vᵀ so U = r.v, Vᵀ = r.uᵀ
      for (let i = 0; i < m; i++) U[b * m * k + i * k + jj] = tall ? r.u[i * cols + j]! : r.v[i * cols + j]!;
      for (let c = 0; c < n; c++) VT[b * k * n + jj * n + c] = tall ? r.v[c * cols + j]! : r.u[c * cols + j]!;
    });
  }
  return [fromF64(S, so!.dtype), fromF64(U, uo!.dtype), fromF64(VT, vto!.dtype)];
}

export const svdP: Primitive<{}> = definePrimitive<{}>({
  name: "svd",
  impl: svdKernel,
  abstractEval: ([x]) => {
    if (x!.ndim < 2) throw new ValueError(`svd: expected a matrix (or a stack of matrices), got shape ${shapeStr(x!.shape)}`);
    checkFloat("svd", x!.dtype);
    const { lead, m, n, k } = matrixDims(x!.shape);
    return [new ShapedArray([...lead, k], x!.dtype), new ShapedArray([...lead, m, k], x!.dtype), new ShapedArray([...lead, k, n], x!.dtype)];
  },
  // JAX's svd_jvp_rule (reduced SVD, real): dS = Uᵀ dA V, ds = diag(dS),
  // dU = U (F ∘ (S dS + dSᵀ S)) (+ the part outside span(U) when m > n), dV likewise
  jvp: ([a], [t]) => {
    const [s, u, vt] = svd(a!);
    if (!t) return [[s, u, vt], [null, null, null]];
    const { m, n, k } = matrixDims(a!.aval.shape);
    const dt = a!.dtype;
    const v = mT(vt);
    const ut = mT(u);
    const dS = bmm(bmm(ut, t), v); // [.., k, k]
    const eye = eyeConst(k, k, dt);
    const ds = reduceDiag(mul(dS, eye));
    const sRow = expandLast(s, -2); // [.., 1, k]
    const sCol = expandLast(s, -1); // [.., k, 1]
    const sDiff = mul(add(sRow, sCol), sub(sRow, sCol)); // s_j² - s_i²
    const F = sub(div(scalarLike(a!, 1), add(sDiff, eye)), eye);
    const dSS = mul(sRow, dS);
    const SdS = mul(sCol, dS);
    let dU = bmm(u, mul(F, add(dSS, mT(dSS))));
    let dV = bmm(v, mul(F, add(SdS, mT(SdS))));
    if (m > n) {
      const dAV = bmm(t, v);
      dU = add(dU, div(sub(dAV, bmm(u, bmm(ut, dAV))), sRow));
    }
    if (n > m) {
      const dAHU = bmm(mT(t), u);
      dV = add(dV, div(sub(dAHU, bmm(v, bmm(vt, dAHU))), sRow));
    }
    return [[s, u, vt], [ds, dU, mT(dV)]];
  },
  transpose: NOT_LINEAR,
  batch: ([x], [d]) => [svd(moveaxis(x!, d!, 0)), [0, 0, 0]],
  lower: LOWER,
});

/** lax.linalg.svd (reduced): [s (descending), u, vt] with a = u · diag(s) · vt. */
export const svd = (x: JaxArray): [JaxArray, JaxArray, JaxArray] => {
  const r = bind(svdP, [x]);
  return [r[0]!, r[1]!, r[2]!];
};
function expandLast(s: JaxArray, where: -1 | -2): JaxArray {
  const sh = s.aval.shape;
  const lead = sh.slice(0, -1);
  const k = sh[sh.length - 1]!;
  return reshape(s, where === -1 ? [...lead, k, 1] : [...lead, 1, k]);
}
/** The diagonal of a [.., k, k] matrix whose off-diagonal entries are zero (sum over the last axis). */
function reduceDiag(x: JaxArray): JaxArray {
  return reduceSum(x, [x.ndim - 1]);
}
