// checkVmap.ts — checks vmap(f) against its definition: an explicit loop over slices of the
// mapped arguments, calling f on each, then stacking the results along the output axis.
// Slicing and stacking are done on the host (harness/host.ts), so the oracle does not
// depend on the jnp functions under test.
import assert from "node:assert/strict";
import type { JaxArray } from "../../src/core/array.js";
import * as tree from "../../src/core/tree.js";
import { vmap } from "../../src/index.js";
import { type Tol, assertArraysClose } from "./compare.js";
import { arrayLeaves, sliceAxis, stackAxis } from "./host.js";

export type Axis = number | null;

export interface VmapCheckOptions {
  /** vmap's axisSize (required when every in axis is null). */
  axisSize?: number;
  /** Value tolerance (default: SEMANTICS 0.6 per dtype; exact for ints and bools). */
  tol?: Tol | null;
  label?: string;
}

/**
 * vmap(f, { inAxes, outAxes })(...args) must equal stacking f over slices. `inAxes` is passed
 * to vmap as given (a single number/null, or one entry per argument); `outAxes` is a number
 * or null applied to every output leaf.
 */
export function checkVmap(f: (...xs: JaxArray[]) => unknown, args: readonly JaxArray[], inAxes: Axis | readonly Axis[], outAxes: Axis, opts: VmapCheckOptions = {}): void {
  const label = opts.label ?? "checkVmap";
  const axes: Axis[] = Array.isArray(inAxes) ? [...(inAxes as Axis[])] : args.map(() => inAxes as Axis);
  assert.equal(axes.length, args.length, `${label}: ${axes.length} in axes for ${args.length} arguments`);
  let size = opts.axisSize;
  axes.forEach((ax, i) => {
    if (ax === null) return;
    const a = args[i]!;
    const n = a.shape[ax < 0 ? ax + a.ndim : ax]!;
    if (size === undefined) size = n;
    else assert.equal(n, size, `${label}: argument ${i} has size ${n} along axis ${ax}, expected ${size}`);
  });
  if (size === undefined) throw new Error(`${label}: every in axis is null; pass axisSize`);

  // the definition: a loop over slices
  const perExample: JaxArray[][] = [];
  let def: tree.TreeDef | undefined;
  for (let b = 0; b < size; b++) {
    const sliced = args.map((a, i) => (axes[i] === null ? a : sliceAxis(a, axes[i]!, b)));
    const out = f(...sliced);
    const [leaves, d] = tree.flatten(out);
    def ??= d;
    perExample.push(leaves as JaxArray[]);
  }
  const expected = perExample[0]!.map((_, k) => {
    const slices = perExample.map((ls) => ls[k]!);
    return outAxes === null ? slices[0]! : stackAxis(slices, outAxes);
  });

  const vopts: { inAxes: unknown; outAxes: Axis; axisSize?: number } = { inAxes: Array.isArray(inAxes) ? [...inAxes] : inAxes, outAxes };
  if (opts.axisSize !== undefined) vopts.axisSize = opts.axisSize;
  const actualTree = vmap(f, vopts)(...args);
  const [, adef] = tree.flatten(actualTree);
  assert.ok(tree.treedefEq(adef, def!), `${label}: vmap output structure ${tree.treedefStr(adef)}, expected ${tree.treedefStr(def!)}`);
  const actual = arrayLeaves(actualTree);
  const where = `${label} (inAxes ${JSON.stringify(inAxes)}, outAxes ${JSON.stringify(outAxes)}${opts.axisSize !== undefined ? `, axisSize ${opts.axisSize}` : ""})`;
  expected.forEach((e, k) => {
    const a = actual[k]!;
    try {
      assertArraysClose(a, e, opts.tol, `output ${k}`, true);
    } catch (err) {
      throw new assert.AssertionError({ message: `${where}: ${(err as Error).message}` });
    }
  });
}
