// vmap.test.ts — every vmappable row of the op table (test/harness/opTable.ts) through
// checkVmap: vmap(f) must equal a loop over slices stacked, for in axes 0, 1, -1 and null
// (per argument and mixed), out axes 0, 1, -1 and null (unbatched, with axisSize), and
// the scalar `inAxes` form. The batch size 5 differs from every per-example dimension in
// the table, so a batch axis put in the wrong place cannot go unnoticed.
import { test } from "node:test";
import type { JaxArray } from "../../src/core/array.js";
import { type Axis, checkVmap } from "../harness/checkVmap.js";
import { arrayLeaves, stackAxis } from "../harness/host.js";
import { OP_TABLE, type OpRow, missingFns, rowArgs, rowAvailable, rowId } from "../harness/opTable.js";

const B = 5;

/** Arguments for a row with a batch of B independent examples stacked at each in axis. */
function batchedArgs(row: OpRow, dtype: OpRow["dtypes"][number], axes: Axis[]): JaxArray[] {
  const examples = Array.from({ length: B }, (_, b) => rowArgs(row, dtype, b));
  return axes.map((ax, i) => (ax === null ? examples[0]![i]! : stackAxis(examples.map((e) => e[i]!), ax)));
}

interface Config {
  inAxes: Axis | Axis[];
  outAxes: Axis;
  axisSize?: number;
}

function configs(row: OpRow, dtype: OpRow["dtypes"][number]): Config[] {
  const ex = rowArgs(row, dtype);
  const ranks = ex.map((a) => a.ndim);
  const outRank = Math.min(...arrayLeaves(row.fn(...ex)).map((o) => o.ndim));
  const n = ex.length;
  const all = (a: Axis): Axis[] => ranks.map(() => a);
  const cs: Config[] = [
    { inAxes: 0, outAxes: 0 },
    { inAxes: ranks.map((r) => (r >= 1 ? 1 : 0)), outAxes: outRank >= 1 ? 1 : 0 },
    { inAxes: all(-1), outAxes: -1 },
    { inAxes: all(null), outAxes: null, axisSize: B },
    { inAxes: all(null), outAxes: 0, axisSize: B },
  ];
  if (n > 1) {
    cs.push({ inAxes: [0, ...new Array<Axis>(n - 1).fill(null)], outAxes: 0 });
    cs.push({ inAxes: [null, ...new Array<Axis>(n - 1).fill(-1)], outAxes: outRank >= 1 ? 1 : -1 });
  }
  return cs;
}

for (const row of OP_TABLE.filter((r) => r.vmap !== false)) {
  test(`vmap ${rowId(row)}`, (t) => {
    if (!rowAvailable(row)) {
      t.skip(`not implemented yet: jnp.${missingFns(row).join(", jnp.")}`);
      return;
    }
    if (row.todo?.vmap) t.todo(row.todo.vmap);
    for (const dtype of row.dtypes) {
      for (const c of configs(row, dtype)) {
        const axes = Array.isArray(c.inAxes) ? c.inAxes : row.args.map(() => c.inAxes as Axis);
        const args = batchedArgs(row, dtype, axes);
        checkVmap(row.fn, args, c.inAxes, c.outAxes, { axisSize: c.axisSize, label: `${rowId(row)} ${dtype}` });
      }
    }
    if (row.todo?.vmap) t.diagnostic("known failure now passes: remove its todo.vmap in test/harness/opTable.ts");
  });
}
