// grad.test.ts — every differentiable row of the op table (test/harness/opTable.ts) through
// checkGrads: jvp against float64 central finite differences, vjp against jvp through
// <vjp(ct), t> = <ct, jvp(t)>, the same for the jvp and the vjp of the op (second order),
// jvp(f)(x, t) = f(t) for linear ops, and float32 tangents/cotangents of the right dtype.
// Then jacfwd (vmap of jvp) against jacrev (vmap of the pullback), which runs the batch
// rules of every tangent and transposed computation.
import { test } from "node:test";
import { isFloat } from "../../src/core/dtype.js";
import { checkGrads, checkJacobians } from "../harness/checkGrads.js";
import { arrayLeaves } from "../harness/host.js";
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
    if (row.todo?.grad) t.diagnostic("known failure now passes: remove its todo.grad in test/harness/opTable.ts");
  });
}

for (const row of OP_TABLE.filter((r) => r.diff && !(r.gradModes && !r.gradModes.includes("rev")))) {
  test(`jacfwd = jacrev ${rowId(row)}`, (t) => {
    if (!rowAvailable(row)) {
      t.skip(`not implemented yet: jnp.${missingFns(row).join(", jnp.")}`);
      return;
    }
    if (row.todo?.jac) t.todo(row.todo.jac);
    const args = rowArgs(row, row.dtypes[0]!);
    if (!arrayLeaves(row.fn(...args)).every((o) => isFloat(o.dtype))) {
      t.skip("has non-float outputs");
      return;
    }
    checkJacobians(row.fn, args, { x64: row.dtypes.includes("float64"), label: rowId(row) });
    if (row.todo?.jac) t.diagnostic("known failure now passes: remove its todo.jac in test/harness/opTable.ts");
  });
}
