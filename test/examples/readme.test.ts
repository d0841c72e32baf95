// The README's TypeScript examples run: each ```ts block that imports from "jaxts" is run
// against the sources (so the docs stay in step with the code).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes('from "jaxts"'));

test("the README has runnable examples", () => assert.ok(blocks.length >= 3, `found ${blocks.length} examples`));

blocks.forEach((code, i) => {
  test(`README example ${i + 1} runs`, () => {
    const dir = mkdtempSync(join(tmpdir(), "jaxts-readme-"));
    const file = join(dir, `example${i}.ts`);
    const src = code.replace(/from "jaxts"/g, `from ${JSON.stringify(pathToFileURL(join(root, "src/index.ts")).href)}`);
    writeFileSync(file, src);
    const r = spawnSync(process.execPath, ["--import", "tsx", file], { encoding: "utf8", timeout: 120_000, cwd: root });
    assert.equal(r.status, 0, `example ${i + 1} failed:\n${code}\n${r.stderr}`);
  });
});
