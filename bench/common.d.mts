// common.d.mts — types of bench/common.mjs for bench/jaxts.ts.
export declare const SPEC: {
  matmul: number[];
  chain: Record<string, number>;
  reduce: [number, number];
  mlp: { sizes: number[]; batch: number; lr: number };
  pexgrad: { batch: number; features: number };
};
export declare const GROUPS: Record<string, string[]>;
export declare function rng(seed: number): () => number;
export declare function uniform(n: number, lo: number, hi: number, seed: number): Float32Array;
export interface MlpData {
  params: { w: Float32Array; wShape: number[]; b: Float32Array; bShape: number[] }[];
  x: Float32Array;
  xShape: number[];
  y: Float32Array;
  yShape: number[];
}
export declare function mlpData(): MlpData;
export declare function pexgradData(): { x: Float32Array; xShape: number[]; y: Float32Array; w: Float32Array; b: number };
export interface MeasureOpts {
  budgetMs?: number;
  minReps?: number;
  maxReps?: number;
}
export declare function measure(fn: () => unknown, opts?: MeasureOpts): Promise<{ ms: number; n: number; min: number; warmup_ms: number }>;
export declare function meanSq(data: ArrayLike<number>): number;
export declare function emit(kind: "INFO" | "RESULT" | "SKIP", obj: object): void;
export type Setup = () => Promise<
  { fn: () => unknown; check?: () => number | Promise<number>; cleanup?: () => void; opts?: MeasureOpts } | { once: number; check?: number }
>;
export declare function runCli(benches: Record<string, Setup | string>): Promise<void>;
