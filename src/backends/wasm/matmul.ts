// matmul.ts — the float32 matrix-multiply routine of the wasm backend (dot_general): a
// register-tiled SIMD128 micro-kernel (MR rows × NR columns of accumulators) inside
// GotoBLAS-style cache blocking, with B packed into NR-wide column panels and A packed into
// MR-row panels per (KC × MC) block.
//
// ABI (byte addresses into the shared memory, sizes in elements):
//   packB(b, bp, K, N, ldb, transB, panelStart, panelEnd)
//       packs column panels [panelStart, panelEnd) of B (K×N; transB = 1 reads it from a
//       row-major N×K matrix) into bp: panel p holds K rows of NR floats (zero padded).
//   gemm(a, lda, bp, c, ldc, N, K, rowStart, rowEnd, scratch)
//       C[rowStart:rowEnd, :] = A[rowStart:rowEnd, :K] · B for packed B. `scratch` holds
//       SCRATCH_BYTES (the packed A block and an edge tile); give each thread its own.
// Threads can split packB by panels and gemm by rows (no two ranges write the same bytes).
import { type Local, type FuncBuilder, type ModuleBuilder, Op, T, V } from "./encoder.js";
import { type KernelFn, kernelModule } from "./kernels.js";
import type { WasmHeap } from "./memory.js";

export interface GemmConfig {
  /** rows of the register tile */
  MR: number;
  /** columns of the register tile (a multiple of 4) */
  NR: number;
  /** depth of a cache block */
  KC: number;
  /** rows of a cache block (a multiple of MR) */
  MC: number;
}
export const DEFAULT_GEMM: GemmConfig = { MR: 4, NR: 8, KC: 512, MC: 64 };

export function scratchBytes(cfg: GemmConfig): number {
  return (cfg.MC * cfg.KC + cfg.MR * cfg.NR) * 4;
}
/** Bytes of packed B for a K×N operand. */
export function packedBytes(cfg: GemmConfig, K: number, N: number): number {
  return Math.ceil(N / cfg.NR) * cfg.NR * Math.max(K, 1) * 4;
}

export interface GemmKernels {
  packB: KernelFn;
  gemm: KernelFn;
  gemmCols: KernelFn;
  cfg: GemmConfig;
}

const addr = (f: FuncBuilder, base: Local, idx: () => void): FuncBuilder => {
  f.get(base);
  idx();
  return f.i32(2).op(Op.i32_shl).op(Op.i32_add);
};

function emitMicro(m: ModuleBuilder, cfg: GemmConfig): number {
  const { MR, NR } = cfg;
  const NV = NR / 4;
  // micro(ap, bp, c, ldcBytes, kc, accumulate)
  return m.func(
    "micro",
    [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32],
    [],
    (f) => {
      const [ap, bp, c, ldc, kc, accum] = f.params as [Local, Local, Local, Local, Local, Local];
      const acc = Array.from({ length: MR }, () => f.locals(T.v128, NV));
      const b = f.locals(T.v128, NV);
      const a = f.local(T.v128);
      const k = f.local(T.i32);
      const cr = f.local(T.i32);
      f.get(accum).if(
        () => {
          f.get(c).set(cr);
          for (let r = 0; r < MR; r++) {
            for (let v = 0; v < NV; v++) f.get(cr).vmem(V.v128_load, 16 * v).set(acc[r]![v]!);
            if (r < MR - 1) f.get(cr).get(ldc).op(Op.i32_add).set(cr);
          }
        },
        () => {
          for (let r = 0; r < MR; r++) for (let v = 0; v < NV; v++) f.vf32(0).set(acc[r]![v]!);
        },
      );
      f.get(kc).set(k);
      f.block((exit) => {
        f.loop((cont) => {
          f.get(k).i32(1).op(Op.i32_lt_s).brIf(exit);
          for (let v = 0; v < NV; v++) f.get(bp).vmem(V.v128_load, 16 * v).set(b[v]!);
          for (let r = 0; r < MR; r++) {
            f.get(ap).vmem(V.v128_load32_splat, 4 * r).set(a);
            for (let v = 0; v < NV; v++) f.get(acc[r]![v]!).get(a).get(b[v]!).v(V.f32x4_mul).v(V.f32x4_add).set(acc[r]![v]!);
          }
          f.get(ap).i32(4 * MR).op(Op.i32_add).set(ap);
          f.get(bp).i32(4 * NR).op(Op.i32_add).set(bp);
          f.get(k).i32(1).op(Op.i32_sub).set(k);
          f.br(cont);
        });
      });
      f.get(c).set(cr);
      for (let r = 0; r < MR; r++) {
        for (let v = 0; v < NV; v++) f.get(cr).get(acc[r]![v]!).vmem(V.v128_store, 16 * v);
        if (r < MR - 1) f.get(cr).get(ldc).op(Op.i32_add).set(cr);
      }
    },
    false,
  );
}

export function gemmKernels(heap: WasmHeap, cfg: GemmConfig = DEFAULT_GEMM): GemmKernels {
  const key = `gemm|${cfg.MR}|${cfg.NR}|${cfg.KC}|${cfg.MC}`;
  const ex = kernelModule(heap, key, (m) => {
    const micro = emitMicro(m, cfg);
    emitPackB(m, cfg);
    const gemm = emitGemm(m, cfg, micro);
    emitGemmCols(m, cfg, gemm);
  });
  return { packB: ex.packB!, gemm: ex.gemm!, gemmCols: ex.gemmCols!, cfg };
}

function emitPackB(m: ModuleBuilder, cfg: GemmConfig): void {
  const { NR } = cfg;
  m.func("packB", [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
    const [b, bp, K, N, ldb, transB, p0, p1] = f.params as [Local, Local, Local, Local, Local, Local, Local, Local];
    const p = f.local(T.i32);
    const k = f.local(T.i32);
    const j = f.local(T.i32);
    const j0 = f.local(T.i32);
    const ncol = f.local(T.i32);
    const dst = f.local(T.i32);
    const val = f.local(T.i32);
    f.forRange(p, () => f.get(p0), () => f.get(p1), 1, () => {
      f.get(p).i32(NR).op(Op.i32_mul).set(j0);
      f.get(N).get(j0).op(Op.i32_sub).set(ncol);
      f.get(ncol).i32(NR).op(Op.i32_gt_s).if(() => f.i32(NR).set(ncol));
      f.get(bp).get(p).get(K).op(Op.i32_mul).i32(NR * 4).op(Op.i32_mul).op(Op.i32_add).set(dst);
      f.forRange(k, () => f.i32(0), () => f.get(K), 1, () => {
        f.get(transB).op(Op.i32_eqz).get(ncol).i32(NR).op(Op.i32_eq).op(Op.i32_and);
        f.if(
          () => {
            for (let v = 0; v < NR / 4; v++) {
              f.get(dst);
              addr(f, b, () => f.get(k).get(ldb).op(Op.i32_mul).get(j0).op(Op.i32_add)).vmem(V.v128_load, 16 * v);
              f.vmem(V.v128_store, 16 * v);
            }
          },
          () => {
            f.forRange(j, () => f.i32(0), () => f.i32(NR), 1, () => {
              f.i32(0).set(val);
              f.get(j).get(ncol).op(Op.i32_lt_s);
              f.if(() => {
                f.get(transB);
                f.if(
                  () => addr(f, b, () => f.get(j0).get(j).op(Op.i32_add).get(ldb).op(Op.i32_mul).get(k).op(Op.i32_add)).mem(Op.i32_load).set(val),
                  () => addr(f, b, () => f.get(k).get(ldb).op(Op.i32_mul).get(j0).op(Op.i32_add).get(j).op(Op.i32_add)).mem(Op.i32_load).set(val),
                );
              });
              f.get(dst).get(j).i32(2).op(Op.i32_shl).op(Op.i32_add).get(val).mem(Op.i32_store);
            });
          },
        );
        f.get(dst).i32(NR * 4).op(Op.i32_add).set(dst);
      });
    });
  });
}

// ---------------------------------------------------------------- matrix-vector products
// Matrix-vector shapes (one side a vector) use their own loops, accumulating in float32 as
// the matmul does (and as XLA's float32 dot does):
//   dotRows(a, v, out, K, r0, r1)     out[r] = Σ_k a[r·K + k]·v[k]: 16 lanes of partial sums
//                                     (4 independent accumulators), added up at the end
//   axpyRows(a, v, out, K, N, j0, j1) out[j] = Σ_k v[k]·a[k·N + j], k in order (per column
//                                     exactly the float32 sum the matmul's loop makes)
export interface GemvKernels {
  dotRows: KernelFn;
  axpyRows: KernelFn;
}

export function gemvKernels(heap: WasmHeap): GemvKernels {
  const ex = kernelModule(heap, "gemv32", (m) => {
    m.func("dotRows", [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
      const [a, v, out, K, r0, r1] = f.params as [Local, Local, Local, Local, Local, Local];
      const r = f.local(T.i32);
      const k = f.local(T.i32);
      const p = f.local(T.i32);
      const q = f.local(T.i32);
      const acc = [f.local(T.v128), f.local(T.v128), f.local(T.v128), f.local(T.v128)];
      const s = f.local(T.f32);
      const fma = (l: Local, off: number) => f.get(l).get(p).vmem(V.v128_load, off).get(q).vmem(V.v128_load, off).v(V.f32x4_mul).v(V.f32x4_add).set(l);
      const bump = (bytes: number) => {
        f.get(p).i32(bytes).op(Op.i32_add).set(p);
        f.get(q).i32(bytes).op(Op.i32_add).set(q);
      };
      f.forRange(r, () => f.get(r0), () => f.get(r1), 1, () => {
        addr(f, a, () => f.get(r).get(K).op(Op.i32_mul)).set(p);
        f.get(v).set(q);
        for (const l of acc) f.vf32(0).set(l);
        f.f32(0).set(s);
        f.forRange(k, () => f.i32(0), () => f.get(K), 16, () => {
          acc.forEach((l, i) => fma(l, 16 * i));
          bump(64);
        }, true);
        f.forRange(k, () => f.get(k), () => f.get(K), 4, () => {
          fma(acc[0]!, 0);
          bump(16);
        }, true);
        f.forRange(k, () => f.get(k), () => f.get(K), 1, () => {
          f.get(s).get(p).mem(Op.f32_load).get(q).mem(Op.f32_load).op(Op.f32_mul).op(Op.f32_add).set(s);
          bump(4);
        });
        f.get(acc[0]!).get(acc[1]!).v(V.f32x4_add).get(acc[2]!).get(acc[3]!).v(V.f32x4_add).v(V.f32x4_add).set(acc[0]!);
        addr(f, out, () => f.get(r));
        for (let i = 0; i < 4; i++) {
          f.get(acc[0]!).vlane(V.f32x4_extract_lane, i);
          if (i > 0) f.op(Op.f32_add);
        }
        f.get(s).op(Op.f32_add).mem(Op.f32_store);
      });
    });
    m.func("axpyRows", [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
      const [a, v, out, K, N, j0, j1] = f.params as [Local, Local, Local, Local, Local, Local, Local];
      const j = f.local(T.i32);
      const k = f.local(T.i32);
      const p = f.local(T.i32);
      const q = f.local(T.i32);
      const w = f.local(T.v128);
      const vk = f.local(T.f32);
      // zero the output columns, then add v[k]·a[k, j0:j1] row by row
      addr(f, out, () => f.get(j0)).i32(0).get(j1).get(j0).op(Op.i32_sub).i32(2).op(Op.i32_shl).memoryFill();
      f.forRange(k, () => f.i32(0), () => f.get(K), 1, () => {
        f.get(v).get(k).i32(2).op(Op.i32_shl).op(Op.i32_add).mem(Op.f32_load).set(vk);
        f.get(vk).v(V.f32x4_splat).set(w);
        addr(f, a, () => f.get(k).get(N).op(Op.i32_mul).get(j0).op(Op.i32_add)).set(p);
        addr(f, out, () => f.get(j0)).set(q);
        f.forRange(j, () => f.get(j0), () => f.get(j1), 4, () => {
          f.get(q).get(q).vmem(V.v128_load).get(p).vmem(V.v128_load).get(w).v(V.f32x4_mul).v(V.f32x4_add).vmem(V.v128_store);
          f.get(p).i32(16).op(Op.i32_add).set(p);
          f.get(q).i32(16).op(Op.i32_add).set(q);
        }, true);
        f.forRange(j, () => f.get(j), () => f.get(j1), 1, () => {
          f.get(q).get(q).mem(Op.f32_load).get(p).mem(Op.f32_load).get(vk).op(Op.f32_mul).op(Op.f32_add).mem(Op.f32_store);
          f.get(p).i32(4).op(Op.i32_add).set(p);
          f.get(q).i32(4).op(Op.i32_add).set(q);
        });
      });
    });
  });
  return { dotRows: ex.dotRows!, axpyRows: ex.axpyRows! };
}

/** i8x16.shuffle byte indices selecting 32-bit lanes (0–3 first operand, 4–7 second). */
const lanes32 = (l: readonly number[]): number[] => l.flatMap((x) => [4 * x, 4 * x + 1, 4 * x + 2, 4 * x + 3]);

/**
 * gemmCols(a, lda, bp, c, ldc, N, K, M, p0, p1, scratch): C[:, p0·NR : p1·NR] for all M rows
 * (packed-B column panels [p0, p1)) — the split for threads when A has few rows: each thread
 * then reads only its part of B.
 */
function emitGemmCols(m: ModuleBuilder, cfg: GemmConfig, gemm: number): void {
  const { NR } = cfg;
  m.func("gemmCols", [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
    const [a, lda, bp, c, ldc, N, K, M, p0, p1, scratch] = f.params as Local[];
    const cols = f.local(T.i32);
    // cols = min(N − p0·NR, (p1 − p0)·NR)
    f.get(p1!).get(p0!).op(Op.i32_sub).i32(NR).op(Op.i32_mul).set(cols);
    f.get(N!).get(p0!).i32(NR).op(Op.i32_mul).op(Op.i32_sub);
    f.get(cols).op(Op.i32_lt_s);
    f.if(() => f.get(N!).get(p0!).i32(NR).op(Op.i32_mul).op(Op.i32_sub).set(cols));
    f.get(a!).get(lda!);
    f.get(bp!).get(p0!).get(K!).op(Op.i32_mul).i32(NR * 4).op(Op.i32_mul).op(Op.i32_add);
    f.get(c!).get(p0!).i32(NR * 4).op(Op.i32_mul).op(Op.i32_add);
    f.get(ldc!).get(cols).get(K!).i32(0).get(M!).get(scratch!).call(gemm);
  });
}

function emitGemm(m: ModuleBuilder, cfg: GemmConfig, micro: number): number {
  const { MR, NR, KC, MC } = cfg;
  // gemm(a, lda, bp, c, ldc, N, K, r0, r1, scratch)
  return m.func("gemm", [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
    const [a, lda, bp, c, ldc, N, K, r0, r1, scratch] = f.params as Local[];
    const pc = f.local(T.i32);
    const kc = f.local(T.i32);
    const ic = f.local(T.i32);
    const mc = f.local(T.i32);
    const jp = f.local(T.i32);
    const npan = f.local(T.i32);
    const ir = f.local(T.i32);
    const r = f.local(T.i32);
    const k = f.local(T.i32);
    const rows = f.local(T.i32);
    const cols = f.local(T.i32);
    const src = f.local(T.i32);
    const dst = f.local(T.i32);
    const app = f.local(T.i32);
    const bpp = f.local(T.i32);
    const ctile = f.local(T.i32);
    const tile = f.local(T.i32);
    const accum = f.local(T.i32);
    const j = f.local(T.i32);
    const pk = [0, 1, 2, 3].map(() => f.local(T.v128));
    const pt = [0, 1, 2, 3].map(() => f.local(T.v128));
    f.get(scratch!).i32(MC * KC * 4).op(Op.i32_add).set(tile);
    f.get(N!).i32(NR - 1).op(Op.i32_add).i32(NR).op(Op.i32_div_u).set(npan);
    f.forRange(pc, () => f.i32(0), () => f.get(K!), KC, () => {
      f.get(K!).get(pc).op(Op.i32_sub).set(kc);
      f.get(kc).i32(KC).op(Op.i32_gt_s).if(() => f.i32(KC).set(kc));
      f.get(pc).i32(0).op(Op.i32_gt_s).set(accum);
      f.forRange(ic, () => f.get(r0!), () => f.get(r1!), MC, () => {
        f.get(r1!).get(ic).op(Op.i32_sub).set(mc);
        f.get(mc).i32(MC).op(Op.i32_gt_s).if(() => f.i32(MC).set(mc));
        // pack A[ic:ic+mc, pc:pc+kc] into MR-row panels: apack[(ir/MR)*kc*MR + k*MR + r]
        f.get(scratch!).set(dst);
        f.forRange(ir, () => f.i32(0), () => f.get(mc), MR, () => {
          f.i32(0).set(k);
          // MR = 4 and a full panel: 4×4 blocks by SIMD (4 row loads, a transpose, 4 stores)
          if (MR === 4) {
            f.get(ir).i32(MR).op(Op.i32_add).get(mc).op(Op.i32_le_s);
            f.if(() => {
              f.forRange(k, () => f.i32(0), () => f.get(kc), 4, () => {
                for (let rr = 0; rr < 4; rr++) {
                  addr(f, a!, () => f.get(ic).get(ir).op(Op.i32_add).i32(rr).op(Op.i32_add).get(lda!).op(Op.i32_mul).get(pc).op(Op.i32_add).get(k).op(Op.i32_add));
                  f.vmem(V.v128_load).set(pk[rr]!);
                }
                // [a0 b0 a1 b1], [a2 b2 a3 b3], [c0 d0 c1 d1], [c2 d2 c3 d3]
                f.get(pk[0]!).get(pk[1]!).shuffle(lanes32([0, 4, 1, 5])).set(pt[0]!);
                f.get(pk[0]!).get(pk[1]!).shuffle(lanes32([2, 6, 3, 7])).set(pt[1]!);
                f.get(pk[2]!).get(pk[3]!).shuffle(lanes32([0, 4, 1, 5])).set(pt[2]!);
                f.get(pk[2]!).get(pk[3]!).shuffle(lanes32([2, 6, 3, 7])).set(pt[3]!);
                const out = (x: Local, y: Local, lanes: number[], off: number) => {
                  f.get(dst).get(x).get(y).shuffle(lanes32(lanes)).vmem(V.v128_store, off);
                };
                out(pt[0]!, pt[2]!, [0, 1, 4, 5], 0);
                out(pt[0]!, pt[2]!, [2, 3, 6, 7], 16);
                out(pt[1]!, pt[3]!, [0, 1, 4, 5], 32);
                out(pt[1]!, pt[3]!, [2, 3, 6, 7], 48);
                f.get(dst).i32(64).op(Op.i32_add).set(dst);
              }, true);
            });
          }
          // the rest element by element (k continues where the blocks stopped)
          f.forRange(k, () => f.get(k), () => f.get(kc), 1, () => {
            for (let rr = 0; rr < MR; rr++) {
              f.get(dst);
              // A element, or 0 below the last row
              addr(f, a!, () => f.get(ic).get(ir).op(Op.i32_add).i32(rr).op(Op.i32_add).get(lda!).op(Op.i32_mul).get(pc).op(Op.i32_add).get(k).op(Op.i32_add));
              f.set(src);
              f.get(ir).i32(rr).op(Op.i32_add).get(mc).op(Op.i32_lt_s);
              f.if(() => f.get(src).mem(Op.i32_load).set(src), () => f.i32(0).set(src));
              f.get(src).mem(Op.i32_store, 4 * rr);
            }
            f.get(dst).i32(4 * MR).op(Op.i32_add).set(dst);
          });
        });
        f.forRange(jp, () => f.i32(0), () => f.get(npan), 1, () => {
          // bpp = bp + (jp*K + pc)*NR*4
          f.get(bp!).get(jp).get(K!).op(Op.i32_mul).get(pc).op(Op.i32_add).i32(NR * 4).op(Op.i32_mul).op(Op.i32_add).set(bpp);
          f.get(N!).get(jp).i32(NR).op(Op.i32_mul).op(Op.i32_sub).set(cols);
          f.get(cols).i32(NR).op(Op.i32_gt_s).if(() => f.i32(NR).set(cols));
          f.forRange(ir, () => f.i32(0), () => f.get(mc), MR, () => {
            f.get(scratch!).get(ir).get(kc).op(Op.i32_mul).i32(2).op(Op.i32_shl).op(Op.i32_add).set(app);
            // ctile = c + ((ic+ir)*ldc + jp*NR)*4
            addr(f, c!, () => f.get(ic).get(ir).op(Op.i32_add).get(ldc!).op(Op.i32_mul).get(jp).i32(NR).op(Op.i32_mul).op(Op.i32_add)).set(ctile);
            f.get(mc).get(ir).op(Op.i32_sub).set(rows);
            f.get(rows).i32(MR).op(Op.i32_gt_s).if(() => f.i32(MR).set(rows));
            f.get(rows).i32(MR).op(Op.i32_eq).get(cols).i32(NR).op(Op.i32_eq).op(Op.i32_and);
            f.if(
              () => {
                f.get(app).get(bpp).get(ctile).get(ldc!).i32(2).op(Op.i32_shl).get(kc).get(accum).call(micro);
              },
              () => {
                // edge tile: through the MR×NR tile buffer
                const copy = (toTile: boolean) => {
                  f.forRange(r, () => f.i32(0), () => f.get(rows), 1, () => {
                    f.forRange(j, () => f.i32(0), () => f.get(cols), 1, () => {
                      // tile[r*NR + j] <-> ctile[r*ldc + j]
                      addr(f, tile, () => f.get(r).i32(NR).op(Op.i32_mul).get(j).op(Op.i32_add)).set(src);
                      addr(f, ctile, () => f.get(r).get(ldc!).op(Op.i32_mul).get(j).op(Op.i32_add)).set(dst);
                      if (toTile) f.get(src).get(dst).mem(Op.i32_load).mem(Op.i32_store);
                      else f.get(dst).get(src).mem(Op.i32_load).mem(Op.i32_store);
                    });
                  });
                };
                f.get(accum).if(() => copy(true));
                f.get(app).get(bpp).get(tile).i32(NR * 4).get(kc).get(accum).call(micro);
                copy(false);
              },
            );
          });
        });
      });
    });
  });
}
