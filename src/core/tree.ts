// tree.ts — pytrees: JS arrays, plain objects (sorted keys), null/undefined as empty nodes,
// and user-registered classes. Everything else is a leaf.
import { ValueError } from "./errors.js";

type Ctor = abstract new (...args: never[]) => unknown;
interface Registration {
  flatten: (x: any) => [children: unknown[], aux: unknown];
  unflatten: (aux: any, children: unknown[]) => unknown;
}
const registry = new Map<Ctor, Registration>();

export type TreeDef =
  | { readonly kind: "leaf" }
  | { readonly kind: "none"; readonly value: null | undefined }
  | { readonly kind: "array"; readonly children: readonly TreeDef[] }
  | { readonly kind: "object"; readonly keys: readonly string[]; readonly children: readonly TreeDef[] }
  | { readonly kind: "custom"; readonly cls: Ctor; readonly aux: unknown; readonly children: readonly TreeDef[] };

const LEAF: TreeDef = { kind: "leaf" };

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

function registrationOf(x: unknown): [Ctor, Registration] | undefined {
  if (x === null || typeof x !== "object") return undefined;
  const c = (x as object).constructor as Ctor | undefined;
  if (!c) return undefined;
  const r = registry.get(c);
  return r ? [c, r] : undefined;
}

/** Register a class as a pytree node (like jax.tree_util.register_pytree_node). */
export function registerNode<T>(
  cls: abstract new (...args: any[]) => T,
  flatten: (x: T) => [children: unknown[], aux: unknown],
  unflatten: (aux: any, children: any[]) => T,
): void {
  if (typeof cls !== "function") throw new TypeError("tree.registerNode: cls must be a class (constructor)");
  registry.set(cls as Ctor, { flatten, unflatten });
}

/** Is `x` a leaf with respect to the default node types (and optional isLeaf)? */
export function isLeaf(x: unknown): boolean {
  return !(Array.isArray(x) || isPlainObject(x) || x === null || x === undefined || registrationOf(x));
}

/** Flattens a pytree into its leaves (depth first, sorted object keys) and a treedef. */
export function flatten(t: unknown, isLeafFn?: (x: unknown) => boolean): [unknown[], TreeDef] {
  const leaves: unknown[] = [];
  const def = flattenInto(t, leaves, isLeafFn);
  return [leaves, def];
}

function flattenInto(t: unknown, leaves: unknown[], isLeafFn?: (x: unknown) => boolean): TreeDef {
  if (isLeafFn && t !== null && t !== undefined && isLeafFn(t)) {
    leaves.push(t);
    return LEAF;
  }
  if (t === null || t === undefined) return { kind: "none", value: t };
  if (Array.isArray(t)) return { kind: "array", children: t.map((c) => flattenInto(c, leaves, isLeafFn)) };
  if (isPlainObject(t)) {
    const keys = Object.keys(t).sort();
    return { kind: "object", keys, children: keys.map((k) => flattenInto(t[k], leaves, isLeafFn)) };
  }
  const reg = registrationOf(t);
  if (reg) {
    const [children, aux] = reg[1].flatten(t);
    return { kind: "custom", cls: reg[0], aux, children: children.map((c) => flattenInto(c, leaves, isLeafFn)) };
  }
  leaves.push(t);
  return LEAF;
}

export function numLeaves(def: TreeDef): number {
  switch (def.kind) {
    case "leaf":
      return 1;
    case "none":
      return 0;
    default:
      return def.children.reduce((a, c) => a + numLeaves(c), 0);
  }
}

/** Rebuilds a tree of the structure `def` from `leaves`. */
export function unflatten(def: TreeDef, leaves: readonly unknown[]): any {
  if (!def || typeof def !== "object" || !("kind" in def))
    throw new TypeError("tree.unflatten: the first argument must be a treedef from tree.flatten or tree.structure");
  const n = numLeaves(def);
  if (leaves.length !== n)
    throw new ValueError(`tree.unflatten: the treedef ${treedefStr(def)} expects ${n} leaves, got ${leaves.length}`);
  let i = 0;
  const build = (d: TreeDef): unknown => {
    switch (d.kind) {
      case "leaf":
        return leaves[i++];
      case "none":
        return d.value;
      case "array":
        return d.children.map(build);
      case "object": {
        const o: Record<string, unknown> = {};
        d.keys.forEach((k, j) => (o[k] = build(d.children[j]!)));
        return o;
      }
      case "custom":
        return registry.get(d.cls)!.unflatten(d.aux, d.children.map(build));
    }
  };
  return build(def);
}

export function leaves(t: unknown, isLeafFn?: (x: unknown) => boolean): unknown[] {
  return flatten(t, isLeafFn)[0];
}

export function structure(t: unknown, isLeafFn?: (x: unknown) => boolean): TreeDef {
  return flatten(t, isLeafFn)[1];
}

export function treedefEq(a: TreeDef, b: TreeDef): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "leaf":
      return true;
    case "none":
      return true;
    case "array":
    case "object":
    case "custom": {
      const bb = b as typeof a;
      if (a.children.length !== bb.children.length) return false;
      if (a.kind === "object" && (a.keys as string[]).join("\0") !== (bb as typeof a).keys.join("\0")) return false;
      if (a.kind === "custom" && (a.cls !== (bb as typeof a).cls || !auxEq(a.aux, (bb as typeof a).aux))) return false;
      return a.children.every((c, i) => treedefEq(c, bb.children[i]!));
    }
  }
}

function auxEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

/** A readable form of a treedef, e.g. `[*, {a: *, b: null}]`. */
export function treedefStr(d: TreeDef): string {
  switch (d.kind) {
    case "leaf":
      return "*";
    case "none":
      return String(d.value);
    case "array":
      return `[${d.children.map(treedefStr).join(", ")}]`;
    case "object":
      return `{${d.keys.map((k, i) => `${k}: ${treedefStr(d.children[i]!)}`).join(", ")}}`;
    case "custom":
      return `${(d.cls as { name?: string }).name ?? "Custom"}(${d.children.map(treedefStr).join(", ")})`;
  }
}

/** Maps `fn` over the leaves of `t` and of each tree in `rest` (which must share t's structure). */
export function map(fn: (...xs: any[]) => unknown, t: unknown, ...rest: unknown[]): any {
  if (typeof fn !== "function") throw new TypeError("tree.map: the first argument must be a function");
  const [ls, def] = flatten(t);
  const others = rest.map((r, k) => {
    const [rl, rd] = flatten(r);
    if (!treedefEq(def, rd))
      throw new ValueError(
        `tree.map: tree ${k + 1} has structure ${treedefStr(rd)} but the first tree has structure ${treedefStr(def)}; all trees must have the same structure`,
      );
    return rl;
  });
  return unflatten(
    def,
    ls.map((l, i) => fn(l, ...others.map((o) => o[i]))),
  );
}

/** Key paths of each leaf, e.g. `[0].w`, for error messages. */
export function leafPaths(def: TreeDef, prefix = ""): string[] {
  switch (def.kind) {
    case "leaf":
      return [prefix];
    case "none":
      return [];
    case "array":
      return def.children.flatMap((c, i) => leafPaths(c, `${prefix}[${i}]`));
    case "object":
      return def.children.flatMap((c, i) => leafPaths(c, `${prefix}.${def.keys[i]}`));
    case "custom":
      return def.children.flatMap((c, i) => leafPaths(c, `${prefix}<${i}>`));
  }
}

/**
 * Broadcasts a prefix tree `prefix` against the full tree `full`: returns, for each leaf of
 * `full`, the prefix leaf that covers it. `null` in the prefix is treated as a leaf (as for
 * vmap's in_axes). Throws a ValueError naming the mismatching path otherwise.
 */
export function broadcastPrefix(prefix: unknown, full: unknown, what: string, isPrefixLeaf?: (x: unknown) => boolean): unknown[] {
  const out: unknown[] = [];
  const leafP = (x: unknown) => x === null || x === undefined || (isPrefixLeaf ? isPrefixLeaf(x) : isLeaf(x));
  const go = (p: unknown, f: unknown, path: string): void => {
    if (leafP(p)) {
      const n = flatten(f)[0].length;
      for (let i = 0; i < n; i++) out.push(p);
      return;
    }
    const pd = flatten(p, (x) => x !== p && leafP(x))[1];
    if (Array.isArray(p)) {
      if (!Array.isArray(f) || f.length !== p.length)
        throw new ValueError(
          `${what} specification must be a tree prefix of the corresponding value, got specification ${treedefStr(pd)} for value tree ${treedefStr(structure(f))} at ${path || "the root"}`,
        );
      p.forEach((c, i) => go(c, f[i], `${path}[${i}]`));
      return;
    }
    if (isPlainObject(p)) {
      if (!isPlainObject(f))
        throw new ValueError(
          `${what} specification must be a tree prefix of the corresponding value, got specification ${treedefStr(pd)} for value tree ${treedefStr(structure(f))} at ${path || "the root"}`,
        );
      const pk = Object.keys(p).sort();
      const fk = Object.keys(f).sort();
      if (pk.join("\0") !== fk.join("\0"))
        throw new ValueError(
          `${what} specification must be a tree prefix of the corresponding value: keys {${pk.join(", ")}} do not match {${fk.join(", ")}} at ${path || "the root"}`,
        );
      for (const k of pk) go(p[k], f[k], `${path}.${k}`);
      return;
    }
    throw new ValueError(`${what} specification must be a tree prefix of the corresponding value at ${path || "the root"}`);
  };
  go(prefix, full, "");
  return out;
}
