// array.ts — the Array type users see. `JaxArray` is the common base of concrete arrays
// (`EagerArray`, holding a backend buffer) and of tracers (core/trace.ts), so user code typed
// with `Array` runs unchanged under every transformation. Method forms delegate to the
// numpy layer through the `arrayOps` table it installs (core never imports upward).
import { ShapedArray, shapeSize } from "./aval.js";
import { type DType, type TypedArray, isDType } from "./dtype.js";
import { ConcretizationTypeError, TracerArrayConversionError, TracerBoolConversionError, TracerIntegerConversionError, ValueError } from "./errors.js";
import { formatArray } from "./format.js";
import { type Backend, type DeviceBuffer, defaultBackend } from "../backends/backend.js";

/** A (nested) JS array of numbers or booleans. */
export type NestedArray = number | boolean | readonly NestedArray[];
/** Anything jaxts accepts where an array is expected. */
export type ArrayLike = JaxArray | number | boolean | readonly NestedArray[] | TypedArray;
/** An index element of `get`/`at`. */
export type IndexElement = number | string | null | JaxArray | boolean | readonly NestedArray[];
export type Axis = number | readonly number[] | null | undefined;

export interface AtHelper {
  set(v: ArrayLike): JaxArray;
  add(v: ArrayLike): JaxArray;
  mul(v: ArrayLike): JaxArray;
  min(v: ArrayLike): JaxArray;
  max(v: ArrayLike): JaxArray;
  get(): JaxArray;
}

type Bin = (a: ArrayLike, b: ArrayLike) => JaxArray;
type Un = (a: ArrayLike) => JaxArray;
type Red = (a: ArrayLike, axis?: Axis, opts?: { keepdims?: boolean }) => JaxArray;

/** Functions the numpy layer installs so that methods work (filled at import of the api). */
export interface ArrayOps {
  add: Bin; subtract: Bin; multiply: Bin; divide: Bin; power: Bin; matmul: Bin; dot: Bin;
  equal: Bin; notEqual: Bin; less: Bin; lessEqual: Bin; greater: Bin; greaterEqual: Bin;
  negative: Un; abs: Un; exp: Un; log: Un; sqrt: Un; sin: Un; cos: Un; tanh: Un; square: Un;
  sum: Red; mean: Red; max: Red; min: Red; prod: Red; all: Red; any: Red;
  argmax: (a: ArrayLike, axis?: number | null, opts?: { keepdims?: boolean }) => JaxArray;
  argmin: (a: ArrayLike, axis?: number | null, opts?: { keepdims?: boolean }) => JaxArray;
  reshape: (a: ArrayLike, shape: number | readonly number[]) => JaxArray;
  transpose: (a: ArrayLike, axes?: readonly number[] | null) => JaxArray;
  squeeze: (a: ArrayLike, axis?: Axis) => JaxArray;
  expandDims: (a: ArrayLike, axis: number | readonly number[]) => JaxArray;
  ravel: Un;
  astype: (a: ArrayLike, dtype: DType) => JaxArray;
  flatten: Un;
  get: (a: JaxArray, idx: IndexElement[]) => JaxArray;
  at: (a: JaxArray, idx: IndexElement[]) => AtHelper;
}
export const arrayOps = {} as ArrayOps;

function op<K extends keyof ArrayOps>(k: K): ArrayOps[K] {
  const f = arrayOps[k];
  if (!f) throw new Error(`internal: array method ${String(k)} used before the numpy layer was loaded`);
  return f;
}

export abstract class JaxArray {
  /** The abstract value: shape, dtype and weak type. */
  abstract get aval(): ShapedArray;
  /** The concrete value behind this array if one is known, else null. */
  abstract _concrete(): EagerArray | null;
  /** What the value is, for error messages: `traced array with shape float32[3]`. */
  _describe(): string {
    return `traced array with shape ${this.aval.longStr()}`;
  }
  /** Where an abstract value came from, for error messages (set by tracing transforms). */
  _originInfo(): string {
    return "";
  }

  get shape(): number[] {
    return [...this.aval.shape];
  }
  get dtype(): DType {
    return this.aval.dtype;
  }
  get ndim(): number {
    return this.aval.shape.length;
  }
  get size(): number {
    return shapeSize(this.aval.shape);
  }
  get weakType(): boolean {
    return this.aval.weakType;
  }

  protected _need(kind: "convert" | "array", what: string): EagerArray {
    const c = this._concrete();
    if (c) return c;
    if (kind === "array") throw new TracerArrayConversionError(this._describe(), `The problem arose with ${what}. ${this._originInfo()}`.trim());
    throw new ConcretizationTypeError(this._describe(), `The problem arose with ${what}. ${this._originInfo()}`.trim());
  }

  /** The single element of a size-1 array as a JS number (or boolean for bool arrays). */
  item(): number | boolean {
    const c = this._need("convert", "the `item()` method");
    if (c.size !== 1)
      throw new TypeError(`item(): only size-1 arrays can be converted to a JS scalar; this array has shape [${c.shape.join(", ")}]`);
    const v = c._host()[0]!;
    return c.dtype === "bool" ? v !== 0 : v;
  }
  /** Truthiness of a size-1 array (Python's bool(x)); an abstract tracer throws
   * TracerBoolConversionError instead of silently picking a branch. */
  toBool(): boolean {
    const c = this._concrete();
    if (!c) throw new TracerBoolConversionError(this._describe(), this._originInfo());
    if (c.size !== 1) throw new ValueError(`The truth value of an array with more than one element is ambiguous (shape [${c.shape.join(", ")}]). Use jnp.any or jnp.all.`);
    return c._host()[0] !== 0;
  }
  /** The integer value of a size-1 integer array (Python's operator.index(x)); an abstract
   * tracer throws TracerIntegerConversionError. */
  toInt(): number {
    const c = this._concrete();
    if (!c) throw new TracerIntegerConversionError(this._describe(), this._originInfo());
    if (c.size !== 1 || (c.dtype !== "int32" && c.dtype !== "uint32" && c.dtype !== "bool"))
      throw new TypeError(`only integer scalar arrays can be converted to an index; got ${c.aval.longStr()}`);
    return c._host()[0]!;
  }

  /** Nested JS arrays of the values (numbers, or booleans for bool arrays). */
  tolist(): NestedArray {
    const c = this._need("array", "the `tolist()` method");
    const data = c._host();
    const shape = c.aval.shape;
    const isB = c.dtype === "bool";
    let pos = 0;
    const rec = (d: number): NestedArray => {
      if (d === shape.length) {
        const v = data[pos++]!;
        return isB ? v !== 0 : v;
      }
      const out: NestedArray[] = [];
      for (let i = 0; i < shape[d]!; i++) out.push(rec(d + 1));
      return out;
    };
    return rec(0);
  }
  /** A copy of the values as a typed array (Uint8Array for bool). */
  dataSync(): TypedArray {
    return this._need("array", "the `dataSync()` method")._host().slice();
  }
  /** Promise of `dataSync()`; the only read asynchronous backends must support. */
  data(): Promise<TypedArray> {
    // synchronous read, so a tracer throws at the call (not as an unhandled rejection)
    return Promise.resolve(this.dataSync());
  }
  /** Waits for pending computation; returns this. */
  blockUntilReady(): this {
    return this;
  }
  /** Releases the buffer early; never required. */
  dispose(): void {}
  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    const c = this._concrete();
    if (c && c === (this as unknown)) return formatArray(c._host(), c.aval.shape, c.dtype, c.weakType);
    return this._tracerRepr();
  }
  _tracerRepr(): string {
    return `Tracer(${this.aval.longStr()})`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
  [Symbol.toPrimitive](hint: string): number | string {
    if (hint === "string") return this.toString();
    const c = this._need("convert", "a conversion to a JS number (Number(x), +x or a comparison such as x > 0)");
    if (c.size !== 1)
      throw new TypeError(
        `only size-1 arrays can be converted to a JS number; this array has shape [${c.shape.join(", ")}]. Use x.get(i) or jnp.all(...) first.`,
      );
    return c._host()[0]!;
  }
  valueOf(): number {
    return this[Symbol.toPrimitive]("number") as number;
  }

  // ---- method forms (see ArrayOps) ----
  add(o: ArrayLike): JaxArray { return op("add")(this, o); }
  sub(o: ArrayLike): JaxArray { return op("subtract")(this, o); }
  mul(o: ArrayLike): JaxArray { return op("multiply")(this, o); }
  div(o: ArrayLike): JaxArray { return op("divide")(this, o); }
  pow(o: ArrayLike): JaxArray { return op("power")(this, o); }
  matmul(o: ArrayLike): JaxArray { return op("matmul")(this, o); }
  dot(o: ArrayLike): JaxArray { return op("dot")(this, o); }
  eq(o: ArrayLike): JaxArray { return op("equal")(this, o); }
  ne(o: ArrayLike): JaxArray { return op("notEqual")(this, o); }
  lt(o: ArrayLike): JaxArray { return op("less")(this, o); }
  le(o: ArrayLike): JaxArray { return op("lessEqual")(this, o); }
  gt(o: ArrayLike): JaxArray { return op("greater")(this, o); }
  ge(o: ArrayLike): JaxArray { return op("greaterEqual")(this, o); }
  neg(): JaxArray { return op("negative")(this); }
  abs(): JaxArray { return op("abs")(this); }
  exp(): JaxArray { return op("exp")(this); }
  log(): JaxArray { return op("log")(this); }
  sqrt(): JaxArray { return op("sqrt")(this); }
  sin(): JaxArray { return op("sin")(this); }
  cos(): JaxArray { return op("cos")(this); }
  tanh(): JaxArray { return op("tanh")(this); }
  square(): JaxArray { return op("square")(this); }
  sum(axis?: Axis, opts?: { keepdims?: boolean }): JaxArray { return op("sum")(this, axis, opts); }
  mean(axis?: Axis, opts?: { keepdims?: boolean }): JaxArray { return op("mean")(this, axis, opts); }
  max(axis?: Axis, opts?: { keepdims?: boolean }): JaxArray { return op("max")(this, axis, opts); }
  min(axis?: Axis, opts?: { keepdims?: boolean }): JaxArray { return op("min")(this, axis, opts); }
  prod(axis?: Axis, opts?: { keepdims?: boolean }): JaxArray { return op("prod")(this, axis, opts); }
  all(axis?: Axis, opts?: { keepdims?: boolean }): JaxArray { return op("all")(this, axis, opts); }
  any(axis?: Axis, opts?: { keepdims?: boolean }): JaxArray { return op("any")(this, axis, opts); }
  argmax(axis?: number | null, opts?: { keepdims?: boolean }): JaxArray { return op("argmax")(this, axis, opts); }
  argmin(axis?: number | null, opts?: { keepdims?: boolean }): JaxArray { return op("argmin")(this, axis, opts); }
  reshape(shape: number | readonly number[]): JaxArray { return op("reshape")(this, shape); }
  transpose(axes?: readonly number[] | null): JaxArray { return op("transpose")(this, axes); }
  get T(): JaxArray { return op("transpose")(this); }
  squeeze(axis?: Axis): JaxArray { return op("squeeze")(this, axis); }
  expandDims(axis: number | readonly number[]): JaxArray { return op("expandDims")(this, axis); }
  ravel(): JaxArray { return op("ravel")(this); }
  flatten(): JaxArray { return op("ravel")(this); }
  astype(dtype: DType): JaxArray { return op("astype")(this, dtype); }
  /** `x.get(0, "1:3", null, "...")` — numpy basic and advanced indexing. */
  get(...idx: IndexElement[]): JaxArray { return op("get")(this, idx); }
  /** Functional updates: `x.at(0).set(5)`, `.add`, `.mul`, `.min`, `.max`, `.get`. */
  at(...idx: IndexElement[]): AtHelper { return op("at")(this, idx); }
}

/** A concrete array stored in a backend buffer. Immutable. */
export class EagerArray extends JaxArray {
  readonly _aval: ShapedArray;
  _buf: DeviceBuffer;
  readonly backend: Backend;
  constructor(buf: DeviceBuffer, aval: ShapedArray, backend: Backend) {
    super();
    this._buf = buf;
    this._aval = aval;
    this.backend = backend;
  }
  get aval(): ShapedArray {
    return this._aval;
  }
  _concrete(): EagerArray {
    return this;
  }
  /** Host view of the data (do not mutate). */
  _host(): TypedArray {
    this._checkAlive();
    return this.backend.toHost(this._buf, this._aval);
  }
  /** Throws when the buffer was disposed or donated (checked before every use). */
  _checkAlive(): void {
    if (this._disposed) throw new Error(`Array has been deleted with shape=${this.aval.longStr()}; it was disposed or donated.`);
  }
  private _disposed = false;
  override dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      this.backend.dispose(this._buf);
    }
  }
  static fromTyped(data: TypedArray, shape: readonly number[], dtype: DType, weak = false, backend?: Backend): EagerArray {
    if (!isDType(dtype)) throw new TypeError(`internal: bad dtype ${String(dtype)}`);
    const b = backend ?? defaultBackend();
    const aval = new ShapedArray([...shape], dtype, weak);
    if (data.length !== shapeSize(shape) && dtype !== "float0")
      throw new Error(`internal: ${data.length} values for shape [${shape.join(", ")}]`);
    return new EagerArray(b.fromHost(data, aval), aval, b);
  }
}

export function isArray(x: unknown): x is JaxArray {
  return x instanceof JaxArray;
}
