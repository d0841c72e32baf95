// Runs every test/**/*.test.ts with Node's test runner (TypeScript through tsx), once per
// backend: the js reference backend and the wasm backend (JAXTS_TEST_BACKENDS=js,wasm by
// default; set it to one name to run one pass). Usage: node scripts/test.mjs [filter]
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}
const filter = process.argv[2];
const files = walk("test").filter((f) => !filter || f.includes(filter)).sort();
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
const backends = (process.env.JAXTS_TEST_BACKENDS ?? process.env.JAXTS_BACKEND ?? "js,wasm").split(",").filter(Boolean);
let status = 0;
for (const b of backends) {
  console.log(`\n# ---- test suite on the ${b} backend ----`);
  const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...files], {
    stdio: "inherit",
    env: { ...process.env, JAXTS_BACKEND: b },
  });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
