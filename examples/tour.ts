// tour.ts — a short guided tour of jaxts (`npm start`). Each capability adds its section.
import { jnp } from "../src/index.js";

function section(title: string): void {
  console.log(`\n=== ${title} ===`);
}

section("Arrays and jax.numpy");
const x = jnp.array([[1, 2, 3], [4, 5, 6]]);
console.log("x =", x.toString());
console.log("jnp.sin(x).add(1) =", jnp.sin(x).add(1).toString());
console.log("weak scalars yield: int32 array + 1.5 ->", jnp.add(jnp.arange(3), 1.5).toString());
