// format.ts — numpy-like text for arrays: `Array([1., 2.], dtype=float32)`.
import type { DType, TypedArray } from "./dtype.js";

function fmtFloatShort(x: number, d: DType): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.`;
  // shortest repr that round-trips in the array's precision
  let s: string;
  if (d === "float32") {
    s = "";
    for (let p = 1; p <= 9; p++) {
      s = x.toPrecision(p);
      if (Math.fround(Number(s)) === x) break;
    }
  } else s = String(x);
  s = String(Number(s));
  if (/e/.test(s)) {
    const [m, e] = s.split("e") as [string, string];
    const mm = m.includes(".") ? m : m + ".";
    const ee = e.startsWith("-") ? "-" + e.slice(1).padStart(2, "0") : "+" + e.replace("+", "").padStart(2, "0");
    return `${mm}e${ee}`;
  }
  return s;
}

/** Formats each element as numpy would inside an array repr (common width). */
function elementStrings(data: TypedArray, dtype: DType): string[] {
  const out: string[] = [];
  const n = data.length;
  if (dtype === "bool") {
    for (let i = 0; i < n; i++) out.push(data[i] ? "True" : "False");
    return out;
  }
  if (dtype === "float32" || dtype === "float64") {
    const big = (() => {
      let mx = 0;
      let mn = Infinity;
      for (let i = 0; i < n; i++) {
        const a = Math.abs(data[i]!);
        if (Number.isFinite(a)) {
          mx = Math.max(mx, a);
          if (a > 0) mn = Math.min(mn, a);
        }
      }
      return mx >= 1e16 || (mn < 1e-4 && mn !== Infinity) || (mn !== Infinity && mx / mn > 1e3 && mn < 1e-4);
    })();
    if (big) {
      for (let i = 0; i < n; i++) {
        const x = data[i]!;
        if (!Number.isFinite(x)) out.push(fmtFloatShort(x, dtype));
        else {
          let s = x.toExponential(dtype === "float32" ? 8 : 16);
          s = s.replace(/\.?0+e/, "e");
          const [m, e] = s.split("e") as [string, string];
          const ee = e.startsWith("-") ? "-" + e.slice(1).padStart(2, "0") : "+" + e.replace("+", "").padStart(2, "0");
          out.push(`${m.includes(".") ? m : m + "."}e${ee}`);
        }
      }
      return out;
    }
    for (let i = 0; i < n; i++) out.push(fmtFloatShort(data[i]!, dtype));
    // pad fractional parts to a common number of digits, numpy style
    const fracLen = Math.max(0, ...out.map((s) => (s.includes(".") ? s.length - s.indexOf(".") - 1 : 0)));
    return out.map((s) => {
      if (!s.includes(".")) return s;
      const f = s.length - s.indexOf(".") - 1;
      return fracLen > 0 && f < fracLen ? s + " ".repeat(fracLen - f) : s;
    });
  }
  for (let i = 0; i < n; i++) out.push(String(data[i]));
  return out;
}

export function formatArray(data: TypedArray, shape: readonly number[], dtype: DType, weak: boolean): string {
  const suffix = `dtype=${dtype}${weak ? ", weak_type=True" : ""}`;
  if (dtype === "float0") return `Array(shape=[${shape.join(", ")}], dtype=float0)`;
  const els = elementStrings(data, dtype);
  if (shape.length === 0) return `Array(${els[0]!.trim()}, ${suffix})`;
  const width = Math.max(0, ...els.map((s) => s.length));
  const padded = els.map((s) => s.padStart(width));
  const indent = "Array(".length;
  let pos = 0;
  const rec = (dim: number, depth: number): string => {
    if (dim === shape.length - 1) {
      const row: string[] = [];
      for (let i = 0; i < shape[dim]!; i++) row.push(padded[pos++]!);
      return `[${row.join(", ")}]`;
    }
    const parts: string[] = [];
    for (let i = 0; i < shape[dim]!; i++) parts.push(rec(dim + 1, depth + 1));
    const sep = "," + "\n".repeat(shape.length - 1 - dim) + " ".repeat(indent + depth + 1);
    return `[${parts.join(sep)}]`;
  };
  if (shape.includes(0)) return `Array([], shape=(${shape.join(", ")}${shape.length === 1 ? "," : ""}), ${suffix})`;
  return `Array(${rec(0, 0)}, ${suffix})`;
}
