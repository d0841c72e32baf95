// aval.ts — abstract values: shape + dtype + weak type, the static type every value has.
import { type DType, shortName } from "./dtype.js";

export class ShapedArray {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly weakType: boolean;
  constructor(shape: readonly number[], dtype: DType, weakType = false) {
    this.shape = shape;
    this.dtype = dtype;
    this.weakType = weakType;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return shapeSize(this.shape);
  }
  /** `f32[2,3]` as in jaxpr text. */
  str(): string {
    return `${shortName(this.dtype)}[${this.shape.join(",")}]`;
  }
  /** `float32[2,3]` as in error messages. */
  longStr(): string {
    return `${this.dtype}[${this.shape.join(",")}]`;
  }
  equals(o: ShapedArray): boolean {
    return this.dtype === o.dtype && this.weakType === o.weakType && shapeEq(this.shape, o.shape);
  }
  /** Same shape and dtype, ignoring weak type. */
  sameType(o: ShapedArray): boolean {
    return this.dtype === o.dtype && shapeEq(this.shape, o.shape);
  }
  withWeak(weak: boolean): ShapedArray {
    return weak === this.weakType ? this : new ShapedArray(this.shape, this.dtype, weak);
  }
  withDType(d: DType, weak = false): ShapedArray {
    return new ShapedArray(this.shape, d, weak);
  }
  withShape(shape: readonly number[]): ShapedArray {
    return new ShapedArray(shape, this.dtype, this.weakType);
  }
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeEq(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function shapeStr(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= shape[i]!;
  }
  return st;
}
