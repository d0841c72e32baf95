// assertions.ts — shared value assertions for tests: shapes of nested JS arrays, close()
// against expected nested numbers (SEMANTICS 0.6 float32 tolerance by default), same() for two arrays.
import assert from "node:assert/strict";
import { jnp, type Array as A } from "../../src/index.js";

export type Nested = number | Nested[];

export function shapeOf(e: Nested): number[] {
  const s: number[] = [];
  let c: Nested = e;
  while (Array.isArray(c)) {
    s.push(c.length);
    c = c[0]!;
  }
  return s;
}

/** Checks shape, dtype and values (float32 tolerance of SEMANTICS 0.6 unless tol given). */
export function close(x: unknown, expected: Nested, opts: { dtype?: string; weak?: boolean; tol?: number } = {}): void {
  assert.ok(x instanceof jnp.Array, `expected an Array, got ${String(x)}`);
  const flat = (Array.isArray(expected) ? expected.flat(4) : [expected]) as number[];
  assert.deepEqual(x.shape, shapeOf(expected), `shape [${x.shape}] vs [${shapeOf(expected)}]`);
  assert.equal(x.dtype, opts.dtype ?? "float32");
  if (opts.weak !== undefined) assert.equal(x.weakType, opts.weak, "weak type");
  const got = Array.from(x.dataSync() as ArrayLike<number>);
  const tol = opts.tol ?? 1e-5;
  got.forEach((g, i) => assert.ok(Math.abs(g - flat[i]!) <= tol + tol * Math.abs(flat[i]!), `element ${i}: got ${g}, expected ${flat[i]}`));
}

/** Compares two arrays (shape, dtype, values). */
export function same(a: unknown, b: unknown, tol = 1e-5, what = ""): void {
  assert.ok(a instanceof jnp.Array && b instanceof jnp.Array, what);
  assert.deepEqual(a.shape, b.shape, `${what}: shapes`);
  assert.equal(a.dtype, b.dtype, `${what}: dtypes`);
  const x = Array.from(a.dataSync() as ArrayLike<number>);
  const y = Array.from(b.dataSync() as ArrayLike<number>);
  x.forEach((v, i) => assert.ok(Math.abs(v - y[i]!) <= tol + tol * Math.abs(y[i]!), `${what}: element ${i}: ${v} vs ${y[i]}`));
}

/** Same dtype, shape and bytes (NaN payloads and signed zeros included). */
export function bitsEqual(a: A, b: A): boolean {
  const x = a.dataSync();
  const y = b.dataSync();
  if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join() || x.length !== y.length) return false;
  const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const by = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
  return bx.every((v, i) => v === by[i]);
}
