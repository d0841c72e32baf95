// reference.test.ts — jaxts against real JAX: every case of test/reference/ops.json (made by
// test/reference/gen_reference.py) is called through the jnp namespace and its output
// checked for dtype, shape, weak type (where recorded) and values: ints and bools exactly,
// floats per SEMANTICS 0.6 (float32 |a-e| <= 1e-6 + 1e-5|e|, float64 1e-12 + 1e-9|e|),
// loosened to the generator's suggested tolerance where it gives one (transcendental and
// accumulating float ops, linalg) and per op below where justified. NaN matches NaN,
// infinities match in sign. A case whose function is not in jnp yet is skipped with the
// reason; a case jaxts cannot express as recorded (int64 results, x64-default float64) is
// skipped with the reason; a known failure is a todo naming the bug.
import { test } from "node:test";
import type { Tol } from "../harness/compare.js";
import { jnpFn } from "../harness/opTable.js";
import { type RefCase, checkOutput, decodeArgs, describeArgs, loadJson, unsupportedReason } from "../harness/reference.js";

/** Extra tolerance per function, each with its justification. */
const OP_TOL: Record<string, Tol> = {};

/** Known failures: `${fn}#${k}` (k-th case of fn in the file) -> reason. Each names a bug. */
const NULL_DTYPE = "bug: creation functions reject dtype null (API: null where Python has None), src/api/numpy/creation.ts";
const FLOORDIV_ZERO =
  "bug: floorDivide(1., 0.) gives NaN, JAX gives inf (JAX's _float_divmod divides x1 itself where x2 == 0), src/api/numpy/ufuncs.ts";
const KNOWN: Record<string, string> = {
};

const cases = loadJson<RefCase[]>("ops.json");

if (!cases) {
  test("reference ops.json", (t) => {
    t.skip("test/reference/ops.json is missing; run test/reference/gen_reference.py");
  });
} else {
  const byFn = new Map<string, RefCase[]>();
  for (const c of cases) byFn.set(c.fn, [...(byFn.get(c.fn) ?? []), c]);
  for (const [fn, list] of byFn) {
    test(`reference ${fn}`, async (t) => {
      const f = jnpFn(fn);
      if (!f) {
        t.skip(`jnp.${fn} is not implemented yet (${list.length} cases)`);
        return;
      }
      for (const [k, c] of list.entries()) {
        const name = `#${k} ${fn}(${describeArgs(c)})${c.x64 ? " x64" : ""}${c.note ? ` — ${c.note}` : ""}`;
        await t.test(name, (st) => {
          const why = unsupportedReason(c);
          if (why) {
            st.skip(why);
            return;
          }
          const known = KNOWN[`${fn}#${k}`];
          if (known) st.todo(known);
          checkOutput(c, f(...decodeArgs(c)), OP_TOL[fn]);
          if (known) st.diagnostic(`known failure now passes: remove "${fn}#${k}" from KNOWN in test/ops/reference.test.ts`);
        });
      }
    });
  }
}
