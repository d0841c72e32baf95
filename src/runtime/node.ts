// node.ts — Node's built-in modules, reached through process.getBuiltinModule instead of
// static imports, so that jaxts also loads where they do not exist (a browser bundle: then the
// wasm kernels run on the calling thread and pmap has no device workers). Node ≥ 20.16.
import type * as WorkerThreads from "node:worker_threads";
import type * as NodeModule from "node:module";
import type * as NodeOs from "node:os";
import type * as NodePath from "node:path";
import type * as NodeUrl from "node:url";

type GetBuiltin = (id: string) => unknown;
const getBuiltin = (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process?.getBuiltinModule;

function builtin<T>(id: string): T | null {
  try {
    return getBuiltin ? ((getBuiltin(id) as T | undefined) ?? null) : null;
  } catch {
    return null;
  }
}

/** node:worker_threads, or null where there is none. */
export const workerThreads = builtin<typeof WorkerThreads>("node:worker_threads");
export const nodeOs = builtin<typeof NodeOs>("node:os");

/** What a feature needs that this host lacks (for error messages). */
export const NO_WORKERS =
  "worker threads need Node.js >= 20.16 (process.getBuiltinModule and node:worker_threads); this host has none";

/** A file path or file: URL as a file: URL string. */
export function fileUrl(pathOrUrl: string): string {
  if (pathOrUrl.startsWith("file:")) return pathOrUrl;
  const url = builtin<typeof NodeUrl>("node:url");
  if (!url) throw new Error(`cannot make a file URL of ${pathOrUrl}: ${NO_WORKERS}`);
  return url.pathToFileURL(pathOrUrl).href;
}

/** The ESM entry of tsx's register API (workers started while running from TypeScript sources
 * register tsx first), resolved from `from` (an import.meta.url). */
export function tsxApiUrl(from: string): string {
  const mod = builtin<typeof NodeModule>("node:module");
  const path = builtin<typeof NodePath>("node:path");
  if (!mod || !path) throw new Error(NO_WORKERS);
  const pkg = mod.createRequire(from).resolve("tsx/package.json");
  return fileUrl(path.join(path.dirname(pkg), "dist/esm/api/index.mjs"));
}
