// host_math.ts — scalar float64 math shared by the reference kernels and the wasm backend's
// host imports (its kernels call these for lanes outside their vector fast paths), so both
// backends give the same values there.

/** x^y with C's (and JAX's) special cases where Math.pow differs: 1^y = 1 (y NaN too) and
 * (−1)^±∞ = 1. */
export function powC(x: number, y: number): number {
  return x === 1 || (x === -1 && Math.abs(y) === Infinity) ? 1 : Math.pow(x, y);
}

/** The functions the wasm kernels import (as `env.<name>`, each (f64…) -> f64). */
export const HOST_MATH = { sin: Math.sin, cos: Math.cos, pow: powC } as const;
