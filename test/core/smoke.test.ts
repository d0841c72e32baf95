import { test } from "node:test";
import assert from "node:assert/strict";
import { jnp } from "../../src/index.js";

test("add broadcasts and promotes a weak scalar", () => {
  const x = jnp.array([[1, 2, 3], [4, 5, 6]]);
  const y = jnp.add(x, 1);
  assert.deepEqual(y.shape, [2, 3]);
  assert.equal(y.dtype, "float32");
  assert.equal(y.weakType, false);
  assert.deepEqual(y.tolist(), [[2, 3, 4], [5, 6, 7]]);
});
