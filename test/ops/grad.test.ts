// grad.test.ts — every differentiable row of the op table (test/harness/opTable.ts) through
// checkGrads: jvp against float64 central finite differences, vjp against jvp through
// <vjp(ct), t> = <ct, jvp(t)>, the same for the jvp and the vjp of the op (second order),
// jvp(f)(x, t) = f(t) for linear ops, and float32 tangents/cotangents of the right dtype.
import { test } from "node:test";
import { checkGrads } from "../harness/checkGrads.js";
import { OP_TABLE, missingFns, rowArgs, rowAvailable, rowId } from "../harness/opTable.js";

for (const row of OP_TABLE.filter((r) => r.diff)) {
  test(`grad ${rowId(row)}`, (t) => {
    if (!rowAvailable(row)) {
      t.skip(`not implemented yet: jnp.${missingFns(row).join(", jnp.")}`);
      return;
    }
    if (row.todo?.grad) t.todo(row.todo.grad);
    const args = rowArgs(row, row.dtypes[0]!);
    checkGrads(row.fn, args, {
      order: row.gradOrder ?? 2,
      x64: row.dtypes.includes("float64"),
      linear: row.linear,
      modes: row.gradModes,
      label: rowId(row),
      ...row.gradTol,
    });
  });
}
