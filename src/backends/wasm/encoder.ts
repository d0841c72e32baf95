// encoder.ts — the project's own small WebAssembly binary encoder: LEB128, module sections
// (type, import, function, export, code; memory is always imported, shared), a function
// builder with the instruction subset the kernels use (control flow, locals, i32/f32/f64
// arithmetic, loads/stores, bulk memory, SIMD128) and typed accessors for the WebAssembly
// JS API (the project compiles without the DOM lib, so those types are declared here).

// ---------------------------------------------------------------- JS API (typed)
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
export type WasmModuleObject = object;
interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModuleObject;
  Instance: new (m: WasmModuleObject, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
}
/** The WebAssembly global, typed for what this backend uses. */
export const WA: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

// ---------------------------------------------------------------- value types and LEB128
export const T = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof T)[keyof typeof T];
/** Block type of a block/loop/if with no result. */
const VOID = 0x40;

export function uleb(out: number[], v: number): void {
  if (v < 0 || !Number.isInteger(v)) throw new Error(`internal: uleb of ${v}`);
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}
export function sleb(out: number[], v: number): void {
  if (!Number.isInteger(v)) throw new Error(`internal: sleb of ${v}`);
  // works for the i32 and i64-safe-integer range
  for (;;) {
    const b = v & 0x7f;
    v = Math.floor(v / 128);
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}
const f32buf = new DataView(new ArrayBuffer(8));
function pushF32(out: number[], v: number): void {
  f32buf.setFloat32(0, v, true);
  for (let i = 0; i < 4; i++) out.push(f32buf.getUint8(i));
}
function pushF64(out: number[], v: number): void {
  f32buf.setFloat64(0, v, true);
  for (let i = 0; i < 8; i++) out.push(f32buf.getUint8(i));
}
function pushName(out: number[], s: string): void {
  const b = new TextEncoder().encode(s);
  uleb(out, b.length);
  for (const x of b) out.push(x);
}

// ---------------------------------------------------------------- opcodes
/** Single-byte opcodes (the subset used). */
export const Op = {
  unreachable: 0x00, nop: 0x01, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b,
  br: 0x0c, br_if: 0x0d, return: 0x0f, call: 0x10, drop: 0x1a, select: 0x1b,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22,
  i32_load: 0x28, i64_load: 0x29, f32_load: 0x2a, f64_load: 0x2b, i32_load8_u: 0x2d,
  i32_store: 0x36, i64_store: 0x37, f32_store: 0x38, f64_store: 0x39, i32_store8: 0x3a,
  i32_const: 0x41, f32_const: 0x43, f64_const: 0x44,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a, i32_gt_u: 0x4b,
  i32_le_s: 0x4c, i32_le_u: 0x4d, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  f32_eq: 0x5b, f32_ne: 0x5c, f32_lt: 0x5d, f32_gt: 0x5e, f32_le: 0x5f, f32_ge: 0x60,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_div_s: 0x6d, i32_div_u: 0x6e, i32_rem_s: 0x6f, i32_rem_u: 0x70,
  i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74, i32_shr_s: 0x75, i32_shr_u: 0x76,
  f32_abs: 0x8b, f32_neg: 0x8c, f32_sqrt: 0x91, f32_add: 0x92, f32_sub: 0x93, f32_mul: 0x94, f32_div: 0x95,
  f32_min: 0x96, f32_max: 0x97,
  f64_add: 0xa0, f64_sub: 0xa1, f64_mul: 0xa2, f64_div: 0xa3,
  f32_demote_f64: 0xb6, f64_promote_f32: 0xbb,
} as const;

/** SIMD128 opcodes (after the 0xFD prefix). */
export const V = {
  v128_load: 0x00, v128_load32_splat: 0x09, v128_store: 0x0b, v128_const: 0x0c, i8x16_shuffle: 0x0d,
  i32x4_splat: 0x11, i64x2_splat: 0x12, f32x4_splat: 0x13, f64x2_splat: 0x14,
  i32x4_extract_lane: 0x1b, i32x4_replace_lane: 0x1c, f32x4_extract_lane: 0x1f, f32x4_replace_lane: 0x20,
  f64x2_extract_lane: 0x21,
  i32x4_eq: 0x37, i32x4_ne: 0x38, i32x4_lt_s: 0x39, i32x4_gt_s: 0x3b, i32x4_gt_u: 0x3c, i32x4_le_s: 0x3d, i32x4_ge_s: 0x3f,
  f32x4_eq: 0x41, f32x4_ne: 0x42, f32x4_lt: 0x43, f32x4_gt: 0x44, f32x4_le: 0x45, f32x4_ge: 0x46,
  v128_not: 0x4d, v128_and: 0x4e, v128_andnot: 0x4f, v128_or: 0x50, v128_xor: 0x51, v128_bitselect: 0x52,
  v128_any_true: 0x53, v128_store32_lane: 0x5a, v128_load32_zero: 0x5c,
  f64x2_promote_low_f32x4: 0x5f, f32x4_demote_f64x2_zero: 0x5e,
  i8x16_narrow_i16x8_s: 0x65, f32x4_ceil: 0x67, f32x4_floor: 0x68, f32x4_trunc: 0x69, f32x4_nearest: 0x6a,
  i16x8_narrow_i32x4_s: 0x85, i16x8_extend_low_i8x16_u: 0x89,
  i32x4_abs: 0xa0, i32x4_neg: 0xa1, i32x4_all_true: 0xa3, i32x4_bitmask: 0xa4, i32x4_extend_low_i16x8_u: 0xa9,
  i32x4_shl: 0xab, i32x4_shr_s: 0xac, i32x4_shr_u: 0xad, i32x4_add: 0xae, i32x4_sub: 0xb1, i32x4_mul: 0xb5,
  i32x4_min_s: 0xb6, i32x4_max_s: 0xb8,
  f32x4_abs: 0xe0, f32x4_neg: 0xe1, f32x4_sqrt: 0xe3, f32x4_add: 0xe4, f32x4_sub: 0xe5, f32x4_mul: 0xe6,
  f32x4_div: 0xe7, f32x4_min: 0xe8, f32x4_max: 0xe9, f32x4_pmin: 0xea, f32x4_pmax: 0xeb,
  f64x2_nearest: 0x94, i64x2_shl: 0xcb, i64x2_add: 0xce,
  f64x2_add: 0xf0, f64x2_sub: 0xf1, f64x2_mul: 0xf2, f64x2_div: 0xf3, f64x2_max: 0xf5, f64x2_convert_low_i32x4_s: 0xfe,
  i32x4_trunc_sat_f32x4_s: 0xf8, f32x4_convert_i32x4_s: 0xfa,
} as const;
export type SimdOp = (typeof V)[keyof typeof V];

/** Natural alignment (log2 bytes) of the memory opcodes, for the memarg. */
const ALIGN: Record<number, number> = {
  [Op.i32_load]: 2, [Op.i64_load]: 3, [Op.f32_load]: 2, [Op.f64_load]: 3, [Op.i32_load8_u]: 0,
  [Op.i32_store]: 2, [Op.i64_store]: 3, [Op.f32_store]: 2, [Op.f64_store]: 3, [Op.i32_store8]: 0,
};

// ---------------------------------------------------------------- function builder
/** A local variable index with its type (for readable code generation). */
export interface Local {
  readonly index: number;
  readonly type: ValType;
}

/**
 * Builds one function body. Methods append instructions in stack-machine order and return
 * `this`, so code reads like the wasm text format: `f.get(a).get(b).op(Op.i32_add).set(c)`.
 */
export class FuncBuilder {
  readonly code: number[] = [];
  private readonly localTypes: ValType[] = [];
  private depth = 0;
  readonly params: Local[];
  /** When set, vconst() keeps v128 constants in locals initialised at function entry. */
  poolConstants = false;
  private readonly pool = new Map<string, Local>();
  private readonly poolInit: number[] = [];
  constructor(
    readonly name: string,
    paramTypes: readonly ValType[],
    readonly results: readonly ValType[],
    readonly exported = true,
  ) {
    this.params = paramTypes.map((type, index) => ({ index, type }));
  }
  get paramTypes(): ValType[] {
    return this.params.map((p) => p.type);
  }
  /** A fresh local of type t. */
  local(t: ValType): Local {
    const l = { index: this.params.length + this.localTypes.length, type: t };
    this.localTypes.push(t);
    return l;
  }
  locals(t: ValType, n: number): Local[] {
    return Array.from({ length: n }, () => this.local(t));
  }
  /** Appends raw bytes. */
  raw(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }
  op(code: number): this {
    this.code.push(code);
    return this;
  }
  get(l: Local): this {
    this.code.push(Op.local_get);
    uleb(this.code, l.index);
    return this;
  }
  set(l: Local): this {
    this.code.push(Op.local_set);
    uleb(this.code, l.index);
    return this;
  }
  tee(l: Local): this {
    this.code.push(Op.local_tee);
    uleb(this.code, l.index);
    return this;
  }
  i32(v: number): this {
    this.code.push(Op.i32_const);
    sleb(this.code, v | 0);
    return this;
  }
  f32(v: number): this {
    this.code.push(Op.f32_const);
    pushF32(this.code, v);
    return this;
  }
  f64(v: number): this {
    this.code.push(Op.f64_const);
    pushF64(this.code, v);
    return this;
  }
  /** A scalar memory access with a constant byte offset. */
  mem(code: number, offset = 0): this {
    const a = ALIGN[code];
    if (a === undefined) throw new Error(`internal: no alignment known for opcode ${code}`);
    this.code.push(code);
    uleb(this.code, a);
    uleb(this.code, offset);
    return this;
  }
  /** A SIMD instruction without immediates. */
  v(code: SimdOp): this {
    this.code.push(0xfd);
    uleb(this.code, code);
    return this;
  }
  /** A SIMD memory access (v128.load/store, load32_splat, load32_zero) with a byte offset. */
  vmem(code: SimdOp, offset = 0): this {
    const align = code === V.v128_load || code === V.v128_store ? 4 : 2;
    this.v(code);
    uleb(this.code, align);
    uleb(this.code, offset);
    return this;
  }
  /** v128.store32_lane: stores lane `lane` (i32) at the address on the stack. */
  vstoreLane32(lane: number, offset = 0): this {
    this.v(V.v128_store32_lane);
    uleb(this.code, 2);
    uleb(this.code, offset);
    this.code.push(lane);
    return this;
  }
  vlane(code: SimdOp, lane: number): this {
    this.v(code);
    this.code.push(lane);
    return this;
  }
  /**
   * A v128 constant (16 little-endian bytes): `v128.const`, or with poolConstants a local
   * set once at function entry (V8 rematerialises v128.const inside loops at a cost of
   * several instructions per use; a spilled local is one load).
   */
  vconst(bytes: readonly number[]): this {
    if (!this.poolConstants) {
      this.v(V.v128_const);
      for (const b of bytes) this.code.push(b);
      return this;
    }
    const key = bytes.join(",");
    let l = this.pool.get(key);
    if (!l) {
      l = this.local(T.v128);
      this.pool.set(key, l);
      this.poolInit.push(0xfd);
      uleb(this.poolInit, V.v128_const);
      this.poolInit.push(...bytes, Op.local_set);
      uleb(this.poolInit, l.index);
    }
    return this.get(l);
  }
  /** v128.const from 4 f32 lanes (or one value splat to all lanes). */
  vf32(a: number, b = a, c = a, d = a): this {
    this.v(V.v128_const);
    for (const x of [a, b, c, d]) pushF32(this.code, x);
    return this;
  }
  /** v128.const of two f64 lanes (one value in both; pooled like vconst). */
  f64x2(v: number): this {
    const b: number[] = [];
    pushF64(b, v);
    return this.vconst([...b, ...b]);
  }
  /** v128.const from 4 i32 lanes (or one value splat). */
  vi32(a: number, b = a, c = a, d = a): this {
    this.v(V.v128_const);
    for (const x of [a, b, c, d]) for (let i = 0; i < 4; i++) this.code.push((x >>> (8 * i)) & 0xff);
    return this;
  }
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new Error("internal: i8x16.shuffle needs 16 lane indices");
    this.v(V.i8x16_shuffle);
    for (const l of lanes) this.code.push(l);
    return this;
  }
  call(funcIndex: number): this {
    this.code.push(Op.call);
    uleb(this.code, funcIndex);
    return this;
  }
  memoryCopy(): this {
    return this.raw(0xfc, 10, 0, 0);
  }
  memoryFill(): this {
    return this.raw(0xfc, 11, 0);
  }

  // ---- structured control flow (labels are counted by the builder)
  /** `block … end` around body; `exit` is the label depth to branch out of it from inside. */
  block(body: (exit: Label) => void): this {
    this.code.push(Op.block, VOID);
    const l = new Label(this, ++this.depth);
    body(l);
    this.depth--;
    this.code.push(Op.end);
    return this;
  }
  /** `loop … end`; branching to `cont` restarts the loop. */
  loop(body: (cont: Label) => void): this {
    this.code.push(Op.loop, VOID);
    const l = new Label(this, ++this.depth);
    body(l);
    this.depth--;
    this.code.push(Op.end);
    return this;
  }
  /** `if … (else …) end` on the i32 condition on the stack. */
  if(then: () => void, otherwise?: () => void): this {
    this.code.push(Op.if, VOID);
    this.depth++;
    then();
    if (otherwise) {
      this.code.push(Op.else);
      otherwise();
    }
    this.depth--;
    this.code.push(Op.end);
    return this;
  }
  /** Branch to label l (relative depth computed from the current nesting). */
  br(l: Label): this {
    this.code.push(Op.br);
    uleb(this.code, this.depth - l.depth);
    return this;
  }
  brIf(l: Label): this {
    this.code.push(Op.br_if);
    uleb(this.code, this.depth - l.depth);
    return this;
  }

  /**
   * `for (i = from; i < to; i += step) body` with i32 locals; `to` is re-read each test.
   * The loop body runs only while i + (step - 1) < to when `whole` is set (full steps only).
   */
  forRange(i: Local, from: () => void, to: () => void, step: number, body: () => void, whole = false): this {
    from();
    this.set(i);
    this.block((exit) => {
      this.loop((cont) => {
        // exit when i (+ step-1) >= to
        this.get(i);
        if (whole && step > 1) this.i32(step - 1).op(Op.i32_add);
        to();
        this.op(Op.i32_ge_s).brIf(exit);
        body();
        this.get(i).i32(step).op(Op.i32_add).set(i);
        this.br(cont);
      });
    });
    return this;
  }

  /** Encoded body (locals + code + end). */
  encodeBody(): number[] {
    const out: number[] = [];
    // run-length encode local declarations
    const runs: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(out, runs.length);
    for (const [n, t] of runs) {
      uleb(out, n);
      out.push(t);
    }
    for (const b of this.poolInit) out.push(b);
    for (const b of this.code) out.push(b);
    out.push(Op.end);
    if (this.depth !== 0) throw new Error(`internal: unbalanced blocks in ${this.name}`);
    return out;
  }
}

export class Label {
  constructor(
    readonly fb: FuncBuilder,
    readonly depth: number,
  ) {}
}

// ---------------------------------------------------------------- module builder
interface FuncImport {
  module: string;
  name: string;
  type: number;
}

/** Limits of the imported memory (pages of 64 KiB); shared unless `shared` is false. */
export interface MemoryLimits {
  initial: number;
  maximum: number;
  shared?: boolean;
}

/**
 * A module that imports one shared memory ("env"."memory") and optional host functions,
 * and defines functions (exported under their names unless built with exported = false).
 * Function indices: imports first (in order of importFunc calls), then defined functions.
 */
export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly typeSigs: [readonly ValType[], readonly ValType[]][] = [];
  private readonly funcImports: FuncImport[] = [];
  private readonly funcs: FuncBuilder[] = [];
  constructor(readonly memory: MemoryLimits) {}

  private typeIndex(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(",")}->${results.join(",")}`;
    let i = this.types.indexOf(key);
    if (i < 0) {
      i = this.types.length;
      this.types.push(key);
      this.typeSigs.push([params, results]);
    }
    return i;
  }
  /** Imports a host function (module "env"); returns its function index. */
  importFunc(name: string, params: readonly ValType[], results: readonly ValType[]): number {
    if (this.funcs.length) throw new Error("internal: import functions before defining any");
    this.funcImports.push({ module: "env", name, type: this.typeIndex(params, results) });
    return this.funcImports.length - 1;
  }
  /** Adds a function; returns its function index (for `call`). */
  func(name: string, params: readonly ValType[], results: readonly ValType[], body: (f: FuncBuilder) => void, exported = true): number {
    const f = new FuncBuilder(name, params, results, exported);
    body(f);
    return this.add(f);
  }
  add(f: FuncBuilder): number {
    this.typeIndex(f.paramTypes, f.results);
    this.funcs.push(f);
    return this.funcImports.length + this.funcs.length - 1;
  }

  build(): Uint8Array {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, content: number[]) => {
      out.push(id);
      uleb(out, content.length);
      for (const b of content) out.push(b);
    };
    // function types must be registered before the type section is written
    const funcTypes = this.funcs.map((f) => this.typeIndex(f.paramTypes, f.results));
    // 1: types
    {
      const c: number[] = [];
      uleb(c, this.typeSigs.length);
      for (const [p, r] of this.typeSigs) {
        c.push(0x60);
        uleb(c, p.length);
        c.push(...p);
        uleb(c, r.length);
        c.push(...r);
      }
      section(1, c);
    }
    // 2: imports (functions, then the shared memory)
    {
      const c: number[] = [];
      uleb(c, this.funcImports.length + 1);
      for (const im of this.funcImports) {
        pushName(c, im.module);
        pushName(c, im.name);
        c.push(0x00);
        uleb(c, im.type);
      }
      pushName(c, "env");
      pushName(c, "memory");
      c.push(0x02, this.memory.shared === false ? 0x01 : 0x03); // memory, limits with maximum (, shared)
      uleb(c, this.memory.initial);
      uleb(c, this.memory.maximum);
      section(2, c);
    }
    // 3: function declarations
    {
      const c: number[] = [];
      uleb(c, funcTypes.length);
      for (const t of funcTypes) uleb(c, t);
      section(3, c);
    }
    // 7: exports
    {
      const c: number[] = [];
      const ex = this.funcs.map((f, i) => [f, i] as const).filter(([f]) => f.exported);
      uleb(c, ex.length);
      for (const [f, i] of ex) {
        pushName(c, f.name);
        c.push(0x00);
        uleb(c, this.funcImports.length + i);
      }
      section(7, c);
    }
    // 10: code
    {
      const c: number[] = [];
      uleb(c, this.funcs.length);
      for (const f of this.funcs) {
        const body = f.encodeBody();
        uleb(c, body.length);
        for (const b of body) c.push(b);
      }
      section(10, c);
    }
    return new Uint8Array(out);
  }
}
