#!/usr/bin/env python3
"""Reference-number generator for the jaxts test-suite (real JAX is the oracle).

Rerun (from anywhere):

    python3 -m venv /work/scratch/venv
    /work/scratch/venv/bin/pip install jax==0.10.2 jaxlib==0.10.2
    JAX_PLATFORMS=cpu /work/scratch/venv/bin/python test/reference/gen_reference.py

It writes, next to this file:

  ops.json        list of op cases   {"fn", "args", "out", [x64], [rtol], [atol], [note], [scalarKinds]}
  promotion.json  dtype / weak_type promotion tables for x64 off and x64 on

Output is deterministic: inputs come from numpy RandomState(0) (consumed in a fixed
order) and fixed edge-value lists, and every input is stored in the JSON (the TS side
never regenerates anything).  Computation is on the CPU backend.

Encoding (ops.json)
-------------------
* array  -> {"array": [flat row-major values], "shape": [...], "dtype": "float32"|"float64"|
             "int32"|"uint32"|"bool"}; results additionally carry "weak": true/false
             (jax.typeof(r).weak_type).
* NaN / +inf / -inf floats are the strings "nan", "inf", "-inf" everywhere (also in
  plain scalar args, e.g. linalg.norm ord=inf is "inf").  -0.0 is written as -0.0.
* plain JSON numbers / bools / null / lists of ints / strings are passed as-is (axis,
  shape, dtype name, python scalar operand, ...).  A python scalar used as an *operand*
  (e.g. add(x, 2.5)) is a plain number; since JSON/JS cannot tell 2 from 2.0, the case
  has "scalarKinds": {"<argIndex>": "int"|"float"|"bool"} giving the Python type that
  was used on the JAX side (matters only when the other operand is an int/bool array).
* a list of arrays (concatenate/stack/hstack/vstack first arg) is a JSON list of array
  encodings.
* the LAST arg may be {"opts": {...}} with camelCase keyword options (keepdims,
  endpoint, indexing, mode, constantValues, ddof).
* "out" is one array encoding, or a list of them (split, meshgrid, broadcastArrays).
* "x64": true  -> case was computed with jax_enable_x64=True (float64 cases).
* "rtol"/"atol" -> suggested tolerance (|got-exp| <= atol + rtol*|exp|); absent means
  the value is expected bit-exact (NaN matches NaN; the sign of a zero result is not
  meant to be significant unless a note says so).
"""

import json
import math
import os
import re
import warnings

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax._src.lax import lax as lax_internal  # noqa: E402

warnings.simplefilter("ignore")  # x64-off float64 truncation warnings etc.

HERE = os.path.dirname(os.path.abspath(__file__))
RS = np.random.RandomState(0)

F32, F64, I32, U32, BOOL = np.float32, np.float64, np.int32, np.uint32, np.bool_
NAN, INF = float("nan"), float("inf")

# ----------------------------------------------------------------------------------
# encoding helpers
# ----------------------------------------------------------------------------------


def enc_float(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc_scalar(v, dtype):
    if dtype.kind == "b":
        return bool(v)
    if dtype.kind in "iu":
        return int(v)
    return enc_float(v)


def enc_array(a, weak=None):
    a = np.asarray(a)
    d = {
        "array": [enc_scalar(v, a.dtype) for v in a.reshape(-1).tolist()],
        "shape": list(a.shape),
        "dtype": str(a.dtype),
    }
    if weak is not None:
        d["weak"] = bool(weak)
    return d


def enc_out(r):
    if isinstance(r, (list, tuple)):
        return [enc_out(x) for x in r]
    return enc_array(np.asarray(r), jax.typeof(r).weak_type)


def is_arr(v):
    return isinstance(v, np.ndarray)


def enc_arg(v):
    if is_arr(v):
        return enc_array(v)
    if isinstance(v, (list, tuple)):
        return [enc_arg(x) for x in v]
    if isinstance(v, float):
        return enc_float(v)
    return v


class IntList(list):
    """A list of ints that JSON-encodes as a list but is handed to JAX as an int array
    (jnp.repeat rejects tuples/lists for `repeats`)."""


def to_jax(v):
    if isinstance(v, IntList):
        return np.array(v, dtype=I32)
    if is_arr(v):
        return jnp.asarray(v)
    if isinstance(v, list) and any(is_arr(x) for x in v):
        return [to_jax(x) for x in v]
    if isinstance(v, list):
        return tuple(v) if all(isinstance(x, (int, list)) for x in v) else v
    return v


SNAKE_OPTS = {"keepdims": "keepdims", "endpoint": "endpoint", "indexing": "indexing",
              "mode": "mode", "constantValues": "constant_values", "ddof": "ddof"}


def jfn_for(name):
    obj = jnp
    for part in name.split("."):
        obj = getattr(obj, re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), part))
    return obj


CASES = []
X64 = False

TRANSC = {"exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
          "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh",
          "arctanh", "power", "arctan2"}
ACCUM = {"sum", "prod", "mean", "var", "std", "cumsum", "cumprod", "dot", "matmul", "vdot",
         "inner", "tensordot", "einsum", "trace"}
LINALG = {"linalg.norm", "linalg.inv", "linalg.solve", "linalg.cholesky", "linalg.det"}


def tol_for(fn, out_dtypes):
    if not any(d in ("float32", "float64") for d in out_dtypes):
        return None
    f64 = all(d == "float64" for d in out_dtypes if d.startswith("float"))
    if fn in LINALG:
        return (1e-10, 1e-12) if f64 else (1e-4, 1e-5)
    if fn in ("divide", "trueDivide"):
        # XLA's algebraic simplifier rewrites x / broadcast(y) as x * broadcast(1/y), so
        # broadcasting float divisions can be 1 ulp off the correctly rounded quotient.
        return (4e-16, 0.0) if f64 else (2.5e-7, 0.0)
    if fn in TRANSC:
        return (1e-12, 1e-300) if f64 else (5e-6, 1e-7)
    if fn in ACCUM:
        return (1e-12, 1e-14) if f64 else (1e-5, 1e-6)
    return None


def case(fn, *args, opts=None, note=None, scalar_kinds=None, rtol=None, atol=None):
    """Compute jnp.<fn>(*args, **opts) and record it."""
    jargs = [to_jax(a) for a in args]
    kw = {SNAKE_OPTS[k]: v for k, v in (opts or {}).items()}
    r = jfn_for(fn)(*jargs, **kw)
    out = enc_out(r)
    c = {"fn": fn, "args": [enc_arg(a) for a in args]}
    if opts:
        c["args"].append({"opts": {k: enc_arg(v) for k, v in opts.items()}})
    c["out"] = out
    if X64:
        c["x64"] = True
    outs = out if isinstance(out, list) else [out]
    t = tol_for(fn, [o["dtype"] for o in outs])
    if rtol is not None:
        t = (rtol, atol if atol is not None else 0.0)
    if t:
        c["rtol"], c["atol"] = t
    if scalar_kinds is None:
        sk = {str(i): type(a).__name__ for i, a in enumerate(args)
              if isinstance(a, (int, float)) and not isinstance(a, bool) and fn in SCALAR_OPERAND_FNS}
        sk.update({str(i): "bool" for i, a in enumerate(args)
                   if isinstance(a, bool) and fn in SCALAR_OPERAND_FNS})
        if sk:
            c["scalarKinds"] = sk
    if note:
        c["note"] = note
    CASES.append(c)
    return r


# ----------------------------------------------------------------------------------
# input helpers
# ----------------------------------------------------------------------------------


def A(vals, dtype):
    return np.array(vals, dtype=dtype)


def rf(shape, lo=-3.0, hi=3.0, dtype=F32):
    return RS.uniform(lo, hi, size=shape).astype(dtype)


def ri(shape, lo=-10, hi=10, dtype=I32):
    return RS.randint(lo, hi, size=shape).astype(dtype)


def rb(shape):
    return RS.rand(*shape) < 0.5


UNARY = ["negative", "positive", "abs", "sign", "sqrt", "square", "reciprocal", "exp", "exp2",
         "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "arcsin", "arccos",
         "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "floor", "ceil",
         "round", "isnan", "isinf", "isfinite", "logicalNot"]
BINARY = ["add", "subtract", "multiply", "divide", "trueDivide", "floorDivide", "remainder",
          "mod", "power", "maximum", "minimum", "arctan2", "equal", "notEqual", "less",
          "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr", "logicalXor"]
SCALAR_OPERAND_FNS = set(BINARY) | {"clip", "where", "arange", "full", "linspace"}

PI = math.pi
GENERAL = [-50.0, -3.5, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 2.5, 50.0, NAN, INF, -INF]
DOMAIN = {
    "exp": [-50, -10, -1, -0.5, 0, 0.5, 1, 10, 50, 88, 89, 100, NAN, INF, -INF],
    "exp2": [-50, -1, 0, 0.5, 1, 10, 50, 127, 128, NAN, INF, -INF],
    "expm1": [-50, -1, -1e-5, 0, 1e-5, 0.5, 1, 10, 50, NAN, INF, -INF],
    "log": [0, -0.0, -1, 1e-5, 0.5, 1, 2, 10, 1e10, NAN, INF, -INF],
    "log2": [0, -1, 0.125, 0.5, 1, 2, 3, 1024, 1e10, NAN, INF],
    "log10": [0, -1, 1e-5, 0.5, 1, 10, 1000, 1e10, NAN, INF],
    "log1p": [-1, -2, -0.5, -1e-5, 0, 1e-5, 1, 100, NAN, INF],
    "sqrt": [-1, 0, -0.0, 0.25, 2, 9, 1e10, NAN, INF, -INF],
    "sin": [-10, -PI, -1, 0, 0.5, 1, PI / 2, 3, 10, 100, NAN, INF],
    "cos": [-10, -PI, -1, 0, 0.5, 1, PI / 2, 3, 10, 100, NAN, INF],
    "tan": [-10, -1, 0, 0.5, 1, 1.5, 3, 10, 100, NAN, INF],
    "arcsin": [-1.5, -1, -0.5, 0, 0.5, 1, 1.5, NAN],
    "arccos": [-1.5, -1, -0.5, 0, 0.5, 1, 1.5, NAN],
    "arctan": [-INF, -50, -1, 0, 0.5, 1, 50, INF, NAN],
    "sinh": [-50, -10, -1, 0, 0.5, 1, 10, 50, 89, 100, NAN, INF, -INF],
    "cosh": [-50, -10, -1, 0, 0.5, 1, 10, 50, 89, 100, NAN, INF, -INF],
    "tanh": [-50, -10, -1, -0.5, 0, 0.5, 1, 10, 50, NAN, INF, -INF],
    "arcsinh": [-1e10, -50, -1, 0, 0.5, 1, 50, 1e10, NAN, INF, -INF],
    "arccosh": [0, 0.5, 1, 1.5, 2, 10, 50, 1e10, INF, NAN],
    "arctanh": [-1.5, -1, -0.99, -0.5, 0, 0.5, 0.99, 1, 1.5, NAN],
    "floor": [-2.5, -1.5, -0.5, -0.2, -0.0, 0, 0.5, 1.5, 2.5, 1e10, NAN, INF, -INF],
    "ceil": [-2.5, -1.5, -0.5, -0.2, -0.0, 0, 0.5, 1.5, 2.5, 1e10, NAN, INF, -INF],
    "round": [-3.5, -2.5, -1.5, -0.5, -0.2, 0.49, 0.5, 1.5, 1.51, 2.5, 3.5, 1e10, NAN, INF],
    "reciprocal": [-50, -2, -0.5, -0.0, 0, 0.25, 3, 50, NAN, INF, -INF],
}
RANGE = {  # range for the random [2,3] case
    "sqrt": (0, 10), "log": (0.01, 10), "log2": (0.01, 10), "log10": (0.01, 10),
    "log1p": (-0.9, 10), "arcsin": (-1, 1), "arccos": (-1, 1), "arccosh": (1, 10),
    "arctanh": (-0.95, 0.95), "reciprocal": (0.1, 5),
}


def gen_unary(dtype):
    for fn in UNARY:
        vals = DOMAIN.get(fn, GENERAL)
        note = None
        if fn == "round":
            note = "round half to even"
        case(fn, A(vals, dtype), note=note)
        lo, hi = RANGE.get(fn, (-3, 3))
        if fn == "logicalNot":
            case(fn, rb([2, 3]))
            continue
        case(fn, rf([2, 3], lo, hi, dtype))


def gen_unary_int():
    iv = A([-7, -2, -1, 0, 1, 3, 100, 46340], I32)
    for fn in ["negative", "positive", "abs", "sign", "square", "floor", "ceil", "round"]:
        case(fn, iv, note="int32 input stays int32" if fn in ("floor", "ceil", "round") else None)
    case("abs", A([-2147483648, 2147483647], I32), note="abs(INT32_MIN) wraps to INT32_MIN")
    case("negative", A([-2147483648], I32), note="wraps")
    case("square", A([46341, -50000], I32), note="int32 overflow wraps (mod 2^32)")
    for fn in ["sqrt", "exp", "log", "sin", "reciprocal"]:
        v = A([1, 2, 4, 9], I32) if fn != "reciprocal" else A([1, 2, -1, 4], I32)
        case(fn, v, note="int32 input" + " promotes to float32")
    case("isnan", A([1, 0, -3], I32))
    case("isfinite", A([1, 0, -3], I32))
    case("logicalNot", A([True, False], BOOL))
    case("logicalNot", A([0.0, -0.0, 1.0, NAN, INF], F32), note="nonzero (incl. NaN) is truthy")
    case("logicalNot", A([0, 3, -1], I32))
    case("negative", A([1, 0, 4294967295], U32), note="uint32 negation wraps")
    case("abs", A([True, False], BOOL), note="abs(bool)")
    case("sign", A([-3.0, -0.0, 0.0, 2.0, NAN, -INF, INF], F32))


def gen_binary_f(dtype):
    edge = {
        "divide": ([1, -1, 0, NAN, 7, -7, INF, 1], [0, 0, 0, 1, 2, 2, INF, INF]),
        "trueDivide": ([1, -1, 0, 6, -6], [0, 0, 0, 4, 4]),
        "floorDivide": ([7, -7, 7, -7, 7.5, -7.5, 1, 0, 6, INF], [2, 2, -2, -2, 2, 2, 0, 0, 3, 2]),
        "remainder": ([7, -7, 7, -7, 5.5, -5.5, 1, INF, 6, -6], [3, 3, -3, -3, 2, 2, 0, 1, 3, 3]),
        "mod": ([7, -7, 7, -7, 5.5, -5.5, 1, 6], [3, 3, -3, -3, 2, 2, 0, -3]),
        "power": ([2, -2, 0, 0, -8, 4, NAN, 1, 2, -1, 10, 0.5], [3, 3, 0, -1, 1 / 3, 0.5, 0, NAN, -2, INF, 20, -2]),
        "maximum": ([1, NAN, 3, -INF, -1], [2, 1, NAN, 0, -1]),
        "minimum": ([1, NAN, 3, -INF, -1], [2, 1, NAN, 0, -1]),
        "arctan2": ([1, 1, -1, -1, 0, 0, -0.0, 0, INF, NAN, 2], [1, -1, 1, -1, 1, -1, -1, 0, INF, 1, -INF]),
        "add": ([INF, INF, NAN, 1e30], [-INF, 1, 1, 1e30]),
        "subtract": ([INF, INF, NAN, 1], [INF, 1, 1, 1]),
        "multiply": ([INF, 0, NAN, 1e30, -2], [0, 5, 1, 1e30, 3]),
        "equal": ([1, NAN, INF, 0.0, 2], [1, NAN, INF, -0.0, 3]),
        "notEqual": ([1, NAN, INF, 0.0, 2], [1, NAN, INF, -0.0, 3]),
        "less": ([1, NAN, -INF, 0.0, 2], [2, 1, INF, -0.0, 2]),
        "lessEqual": ([1, NAN, -INF, 0.0, 2], [2, 1, INF, -0.0, 2]),
        "greater": ([1, NAN, -INF, 0.0, 3], [2, 1, INF, -0.0, 2]),
        "greaterEqual": ([1, NAN, -INF, 0.0, 3], [2, 1, INF, -0.0, 2]),
        "logicalAnd": ([0, 1, NAN, 0, -2], [0, 0, 1, 3, 5]),
        "logicalOr": ([0, 1, NAN, 0, -2], [0, 0, 0, 3, 5]),
        "logicalXor": ([0, 1, NAN, 0, -2], [0, 0, 0, 3, 5]),
    }
    for fn in BINARY:
        pos = fn in ("power",)
        lo = 0.1 if pos else -3
        x = rf([2, 3], lo, 3, dtype)
        y = rf([2, 3], -3, 3, dtype) if not pos else rf([2, 3], -2, 2, dtype)
        if fn in ("equal", "notEqual", "lessEqual", "greaterEqual", "less", "greater"):
            y[0, 1] = x[0, 1]
            y[1, 2] = x[1, 2]
        case(fn, x, y)
        ex, ey = edge[fn]
        note = {"remainder": "result takes sign of divisor", "mod": "alias of remainder",
                "floorDivide": "float floor division", "maximum": "NaN propagates",
                "minimum": "NaN propagates"}.get(fn)
        case(fn, A(ex, dtype), A(ey, dtype), note=note)
        if dtype is F64:
            continue
        # broadcasting
        case(fn, rf([2, 3], lo, 3, dtype), rf([3], 0.5 if pos else -3, 2, dtype))
        case(fn, rf([2, 1], lo, 3, dtype), rf([1, 3], 0.5 if pos else -3, 2, dtype))
        case(fn, rf([2, 3], lo, 3, dtype), A(1.5, dtype))
        if fn.startswith("logical"):
            continue
        case(fn, rf([2, 3], lo, 3, dtype), 2.0)
        case(fn, 2.0 if not pos else 1.5, rf([3], lo, 3, dtype))


def gen_binary_int():
    x, y = ri([2, 3], -10, 10), ri([2, 3], 1, 6)
    for fn in ["add", "subtract", "multiply", "floorDivide", "remainder", "mod", "maximum",
               "minimum", "equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual",
               "divide", "trueDivide"]:
        case(fn, x, y, note="int32/int32 true division gives float32" if fn in ("divide", "trueDivide") else None)
    a = A([7, -7, 7, -7, 0, 6, -6, 1, -1], I32)
    b = A([2, 2, -2, -2, 3, -3, 3, 5, 5], I32)
    case("floorDivide", a, b, note="floors toward -inf")
    case("remainder", a, b, note="sign of divisor")
    case("mod", a, b)
    case("power", A([2, 3, -2, 0, 5, 1, -1, 7], I32), A([3, 2, 3, 0, 0, 10, 5, 1], I32), note="int32 power")
    case("power", ri([2, 3], -5, 5), 2, note="int32 ** python int stays int32")
    case("power", A([1.5, 2.0], F32), A([2, 3], I32))
    case("add", A([2147483647, -2147483648], I32), A([1, -1], I32), note="int32 overflow wraps")
    case("multiply", A([65536, 100000], I32), A([65536, 100000], I32), note="int32 overflow wraps")
    # broadcasting & python scalars
    case("add", ri([2, 3]), ri([3]))
    case("multiply", ri([2, 1]), ri([1, 3]))
    case("add", ri([2, 3]), 3)
    case("multiply", ri([3]), 2.5, note="int32 * python float -> weak float32 (weak flag survives!)")
    case("subtract", 3, ri([3]))
    case("floorDivide", ri([2, 3], -20, 20), 3)
    case("remainder", ri([2, 3], -20, 20), 3)
    case("remainder", ri([2, 3], -20, 20), -3)
    case("divide", ri([3]), 2)
    case("maximum", ri([2, 3]), 0)
    case("greater", ri([2, 3]), 0)
    case("equal", ri([3]), 2.5)
    # mixed dtype promotion
    case("add", ri([2, 3]), rf([2, 3]), note="int32+float32 -> float32")
    case("multiply", rf([3]), ri([2, 3]))
    case("add", rb([2, 3]), ri([2, 3]), note="bool+int32 -> int32")
    case("add", rb([3]), rf([3]), note="bool+float32 -> float32")
    case("add", rb([3]), rb([3]), note="bool+bool -> bool (logical or)")
    case("multiply", rb([3]), rb([3]), note="bool*bool -> bool (logical and)")
    case("add", rb([3]), 1, note="bool + python int -> int32 weak")
    case("add", rb([3]), 1.5, note="bool + python float -> float32 weak")
    case("add", ri([3], 0, 10, U32), ri([3], 0, 10, U32))
    case("add", ri([3], 0, 10, U32), 5, note="uint32 + python int stays uint32")
    case("subtract", A([0, 1], U32), A([1, 0], U32), note="uint32 underflow wraps")
    case("add", ri([3], 0, 10, U32), ri([3], -5, 5), note="uint32+int32 -> int64, truncated to int32 with x64 off")
    case("less", ri([3]), rf([3]))
    case("maximum", ri([3]), rf([3]))
    case("greater", rf([3]), 1)
    case("floorDivide", ri([3], 1, 10), rf([3], 0.5, 3))
    # logical ops on bools
    p, q = A([True, True, False, False], BOOL), A([True, False, True, False], BOOL)
    for fn in ["logicalAnd", "logicalOr", "logicalXor", "equal", "notEqual", "add", "multiply", "maximum", "minimum"]:
        case(fn, p, q)
    case("logicalAnd", rb([2, 3]), A([True, False, True], BOOL))
    case("logicalOr", rb([2, 1]), rb([1, 3]))
    case("logicalXor", ri([2, 3], -1, 2), ri([2, 3], -1, 2), note="int inputs are truthiness")
    case("logicalAnd", rb([3]), True)


def gen_other():
    case("clip", rf([2, 3], -5, 5), -1.0, 2.0)
    case("clip", A([-INF, -2, NAN, 0.5, 3, INF], F32), -1.0, 2.0, note="NaN stays NaN")
    case("clip", rf([2, 3], -5, 5), rf([3], -2, 0), rf([2, 1], 0, 2))
    case("clip", rf([5], -5, 5), None, 1.0, note="max only")
    case("clip", rf([5], -5, 5), -1.0, None, note="min only")
    case("clip", ri([2, 3], -10, 10), -3, 4)
    case("clip", ri([4], -10, 10), -2.5, 2.5, note="int32 clipped with python floats")
    case("clip", A([1.0, 5.0], F32), 3.0, 2.0, note="min > max: result is max (minimum(maximum(x,lo),hi))")
    case("where", rb([2, 3]), rf([2, 3]), rf([2, 3]))
    case("where", rb([3]), rf([2, 3]), 0.0)
    case("where", rb([2, 1]), ri([1, 3]), rf([2, 3]), note="int32/float32 -> float32")
    case("where", rb([4]), 1.0, 0.0, note="python scalar branches -> weak float32")
    case("where", rb([4]), 1, 0, note="python int branches -> weak int32")
    case("where", ri([4], -1, 2), ri([4]), ri([4]), note="int condition is truthiness")
    case("where", rf([2, 3], -1, 1) > 0, A(5, I32), A(-5, I32))


def gen_reductions():
    x = rf([2, 3, 4], -3, 3)
    xp = rf([2, 3, 4], 0.5, 1.5)
    xb = rb([2, 3, 4])
    for fn in ["sum", "prod", "mean", "var", "std", "max", "min", "argmax", "argmin", "all", "any"]:
        inp = xp if fn == "prod" else xb if fn in ("all", "any") else x
        axes = [None, 0, 1, -1] + ([] if fn.startswith("arg") else [[0, 1]])
        for ax in axes:
            for kd in (False, True):
                case(fn, inp, ax, opts={"keepdims": kd})
    xi = ri([2, 3, 4], -10, 10)
    for fn in ["sum", "prod", "max", "min", "argmax", "argmin", "mean", "var", "all", "any"]:
        for ax in [None, 1]:
            case(fn, ri([2, 3, 4], -3, 4) if fn == "prod" else xi, ax, opts={"keepdims": False},
                 note="int32 input")
    case("sum", xb, None, opts={"keepdims": False}, note="sum of bool -> int32")
    case("sum", xb, 0, opts={"keepdims": False})
    case("mean", xb, 1, opts={"keepdims": False}, note="mean of bool -> float32")
    case("max", xb, -1, opts={"keepdims": False})
    case("argmax", xb, -1, opts={"keepdims": False})
    case("prod", xb, 0, opts={"keepdims": False}, note="prod of bool -> int32")
    case("all", x, 1, opts={"keepdims": False}, note="float input truthiness")
    case("any", A([[0.0, NAN], [0.0, -0.0]], F32), 1, opts={"keepdims": False}, note="NaN is truthy")
    xn = A([[1, NAN, 3], [2, 5, 4], [-INF, 0, INF]], F32)
    for fn in ["max", "min", "argmax", "argmin", "sum", "mean"]:
        case(fn, xn, 1, opts={"keepdims": False}, note="NaN propagates; argmax/argmin return first NaN index")
    case("argmax", A([3, 7, 7, 1, 7], F32), None, opts={"keepdims": False}, note="ties -> first index")
    case("argmin", A([3, 1, 7, 1, 7], I32), None, opts={"keepdims": False}, note="ties -> first index")
    case("var", x, None, opts={"keepdims": False, "ddof": 1})
    case("std", x, 1, opts={"keepdims": True, "ddof": 1})
    case("sum", A(5.0, F32), None, opts={"keepdims": False}, note="0-d input")
    case("sum", np.zeros([0], F32), None, opts={"keepdims": False}, note="empty sum")
    case("prod", np.zeros([0, 3], F32), 0, opts={"keepdims": False}, note="empty prod")
    case("max", A([[1.0, 2.0]], F32), [0, 1], opts={"keepdims": True})
    for fn in ["cumsum", "cumprod"]:
        y = rf([3, 4], 0.5, 1.5) if fn == "cumprod" else rf([3, 4])
        for ax in [None, 0, 1, -1]:
            case(fn, y, ax)
        case(fn, ri([2, 3], -4, 5), 1, note="int32")
        case(fn, ri([2, 3], -4, 5), None, note="int32 flattened")
        case(fn, rb([2, 3]), 1, note="bool -> int32")
        case(fn, rf([2, 2, 3]), 2)
    case("cumsum", A([1, NAN, 2, 3], F32), 0)


def gen_linalg_common(dtype):
    def m(shape, lo=-2, hi=2):
        return rf(shape, lo, hi, dtype)

    case("dot", m([4]), m([4]))
    case("dot", m([2, 3]), m([3, 4]))
    case("dot", m([2, 3]), m([3]))
    case("dot", m([3]), m([3, 2]))
    case("matmul", m([2, 3]), m([3, 4]))
    case("matmul", m([2, 3, 4]), m([2, 4, 2]), note="batched")
    case("matmul", m([2, 3, 4]), m([4, 2]), note="broadcast batch")
    case("matmul", m([3]), m([3, 2]), note="1-D lhs")
    case("matmul", m([2, 3]), m([3]), note="1-D rhs")
    case("matmul", m([3]), m([3]), note="1-D both -> 0-d")
    case("matmul", m([1, 2, 3]), m([2, 3, 2]), note="batch broadcast 1 vs 2")
    case("vdot", m([4]), m([4]))
    case("inner", m([2, 3]), m([4, 3]))
    case("outer", m([3]), m([4]))
    case("tensordot", m([2, 3, 4]), m([3, 4, 2]), 2)
    case("einsum", "ij,jk->ik", m([2, 3]), m([3, 2]))
    case("trace", m([3, 3]))
    sq = m([3, 3])
    case("linalg.norm", m([5]))
    case("linalg.norm", sq, note="Frobenius")
    case("linalg.det", sq)
    case("linalg.inv", sq + 3 * np.eye(3, dtype=dtype))
    b = m([3, 3])
    spd = (b @ b.T + 3 * np.eye(3)).astype(dtype)
    case("linalg.cholesky", spd)
    case("linalg.solve", sq + 3 * np.eye(3, dtype=dtype), m([3]))
    case("linalg.solve", sq + 3 * np.eye(3, dtype=dtype), m([3, 2]))


def gen_linalg_f32():
    def m(shape, lo=-2, hi=2):
        return rf(shape, lo, hi)

    case("dot", m([2, 3, 4]), m([4, 2]), note="N-D dot: sum over last of a and 2nd-last of b")
    case("dot", m([2, 3]), A(2.0, F32), note="0-d operand")
    case("dot", ri([2, 3], -5, 5), ri([3, 2], -5, 5), note="int32")
    case("matmul", ri([2, 3], -5, 5), ri([3, 2], -5, 5), note="int32")
    case("matmul", ri([2, 3], -5, 5), m([3, 2]), note="int32 @ float32")
    case("vdot", m([2, 3]), m([2, 3]), note="vdot flattens")
    case("vdot", ri([4], -5, 5), ri([4], -5, 5))
    case("inner", m([3]), m([3]))
    case("inner", m([2, 3]), m([3]))
    case("outer", m([2, 2]), m([3]), note="outer flattens")
    case("outer", ri([3], -5, 5), ri([2], -5, 5))
    case("tensordot", m([2, 3]), m([3, 4]), 1)
    case("tensordot", m([2]), m([3]), 0, note="axes=0 outer product")
    case("tensordot", m([2, 3, 4]), m([4, 2]), [[2], [0]])
    case("tensordot", m([2, 3, 4]), m([3, 2, 5]), [[0, 1], [1, 0]])
    for sub, shapes in [("ii->i", [[3, 3]]), ("ii", [[3, 3]]), ("ij->ji", [[2, 3]]),
                        ("i,i->", [[4], [4]]), ("bij,bjk->bik", [[2, 2, 3], [2, 3, 2]]),
                        ("ij->", [[2, 3]]), ("ij->j", [[2, 3]]), ("i,j->ij", [[2], [3]]),
                        ("ij,j->i", [[2, 3], [3]]), ("ijk,ikl->jl", [[2, 3, 2], [2, 2, 3]]),
                        ("...ij,...jk->...ik", [[2, 2, 3], [2, 3, 2]]), ("ij,ij->ij", [[2, 3], [2, 3]])]:
        case("einsum", sub, *[m(s) for s in shapes])
    case("trace", m([3, 4]), note="non-square")
    case("trace", m([2, 2, 3]), note="3-D: traces over axes 0,1 -> shape [3]")
    case("trace", m([3, 3]), 1, note="offset=1 (positional)")
    case("trace", ri([3, 3], -5, 5), note="int32")
    v = A([3.0, -4.0, 0.0, 1.0], F32)
    for o in [None, 1, 2, INF, -INF, 0]:
        case("linalg.norm", v, o)
    mm = m([3, 4])
    for o in [None, "fro", 1, -1, INF, -INF, 2, "nuc"]:
        case("linalg.norm", mm, o, note="matrix ord 2/nuc need SVD" if o in (2, "nuc") else None)
    case("linalg.norm", mm, None, 1, note="vector norms along axis 1")
    case("linalg.norm", mm, 1, 0)
    case("linalg.norm", mm, INF, -1)
    case("linalg.norm", m([2, 3, 4]), None, [1, 2], note="matrix (Frobenius) norm over last two axes")
    case("linalg.norm", m([2, 3, 4]), None, None, note="flattened 2-norm of 3-D")
    case("linalg.inv", m([2, 2]) + 2 * np.eye(2, dtype=F32))
    case("linalg.inv", m([2, 3, 3]) + 3 * np.eye(3, dtype=F32), note="batched")
    case("linalg.inv", A([[4.0, 7.0], [2.0, 6.0]], F32))
    case("linalg.det", A([[1.0, 2.0], [3.0, 4.0]], F32))
    case("linalg.det", A([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]], F32))
    case("linalg.det", A([[1.0, 2.0], [2.0, 4.0]], F32), note="singular -> 0", atol=1e-5, rtol=1e-4)
    case("linalg.det", A([[0.0, 1.0], [1.0, 0.0]], F32), note="needs pivoting -> -1")
    case("linalg.det", m([2, 3, 3]), note="batched")
    case("linalg.det", m([4, 4]))
    case("linalg.solve", A([[0.0, 1.0], [2.0, 3.0]], F32), A([1.0, 2.0], F32), note="needs pivoting")
    bb = m([4, 4])
    case("linalg.cholesky", (bb @ bb.T + 4 * np.eye(4)).astype(F32))
    case("linalg.cholesky", A([[4.0, 2.0], [2.0, 3.0]], F32))
    bb = m([2, 3, 3])
    case("linalg.cholesky", (bb @ np.swapaxes(bb, 1, 2) + 3 * np.eye(3)).astype(F32), note="batched")


def gen_shape():
    x = np.arange(24, dtype=F32).reshape(2, 3, 4) * 0.5 - 3
    xi = np.arange(24, dtype=I32).reshape(2, 3, 4)
    for s in [[6, 4], [-1], [4, -1], [2, 12], [4, 3, 2], [1, 24]]:
        case("reshape", x, s)
    case("reshape", A(3.0, F32), [1, 1])
    case("reshape", xi, [3, 8])
    case("ravel", x)
    case("ravel", A(2, I32))
    case("ravel", np.swapaxes(xi, 0, 2).copy())
    case("transpose", x)
    case("transpose", x, [1, 0, 2])
    case("transpose", x, [2, 0, 1])
    case("transpose", xi[0], None)
    case("transpose", A([1.0, 2.0, 3.0], F32))
    case("transpose", x, [-1, 0, 1], note="negative axes")
    case("swapaxes", x, 0, 2)
    case("swapaxes", x, -1, 0)
    case("swapaxes", xi, 1, 1)
    case("moveaxis", x, 0, -1)
    case("moveaxis", x, 2, 0)
    case("moveaxis", x, [0, 1], [-1, -2])
    case("expandDims", x, 0)
    case("expandDims", x, -1)
    case("expandDims", x, 3)
    case("expandDims", xi[0], [0, 2])
    case("expandDims", A(1.0, F32), 0)
    y = np.arange(3, dtype=F32).reshape(1, 3, 1)
    case("squeeze", y)
    case("squeeze", y, 0)
    case("squeeze", y, [0, 2])
    case("squeeze", y, -1)
    case("squeeze", np.ones([1, 1], I32))
    case("broadcastTo", A([1.0, 2.0, 3.0], F32), [2, 3])
    case("broadcastTo", A([[1], [2]], I32), [2, 4])
    case("broadcastTo", A(7.0, F32), [2, 2])
    case("broadcastTo", A([[1.0, 2.0, 3.0]], F32), [2, 2, 3])
    case("broadcastTo", A([True, False], BOOL), [3, 2])
    case("broadcastArrays", A([[1.0], [2.0]], F32), A([1.0, 2.0, 3.0], F32))
    case("broadcastArrays", A([1, 2, 3], I32), A(5, I32), np.zeros([2, 1, 1], I32))
    case("broadcastArrays", A([1.0, 2.0], F32), A([[1], [2], [3]], I32), note="no dtype promotion")
    a, b = rf([2, 3]), rf([2, 2])
    case("concatenate", [a, b], 1)
    case("concatenate", [a, rf([1, 3])], 0)
    case("concatenate", [a, rf([2, 1]), b], -1)
    case("concatenate", [a, b], None, note="axis=None flattens")
    case("concatenate", [A([1, 2], I32), A([1.5], F32)], 0, note="int32+float32 -> float32")
    case("concatenate", [A([1, 2], I32), A([True], BOOL)], 0, note="int32+bool -> int32")
    case("concatenate", [A([1.0], F32)], 0)
    p, q = rf([2, 3]), rf([2, 3])
    for ax in [0, 1, 2, -1]:
        case("stack", [p, q], ax)
    case("stack", [A(1.0, F32), A(2.0, F32), A(3.0, F32)], 0)
    case("stack", [A([1, 2], I32), A([3.5, 4.5], F32)], 0, note="promotes to float32")
    case("hstack", [A([1.0, 2.0], F32), A([3.0], F32)])
    case("hstack", [rf([2, 1]), rf([2, 3])])
    case("hstack", [A(1.0, F32), A(2.0, F32)], note="0-d inputs")
    case("vstack", [A([1.0, 2.0], F32), A([3.0, 4.0], F32)], note="1-D -> rows")
    case("vstack", [rf([1, 3]), rf([2, 3])])
    case("vstack", [A(1, I32), A(2, I32)], note="0-d inputs -> [2,1]")
    case("split", np.arange(6, dtype=F32), 3, 0)
    case("split", np.arange(7, dtype=I32), [2, 5], 0)
    case("split", np.arange(12, dtype=F32).reshape(2, 6), 2, 1)
    case("split", np.arange(12, dtype=F32).reshape(2, 6), [2, 2, 6], 1, note="repeated index / index at end -> empty pieces")
    # NB: JAX (unlike numpy) raises for indices beyond the axis length or decreasing indices.
    case("split", np.arange(12, dtype=I32).reshape(4, 3), 4, 0)
    case("tile", A([1, 2, 3], I32), 2)
    case("tile", A([1.0, 2.0], F32), [2, 2])
    case("tile", np.arange(6, dtype=F32).reshape(2, 3), [2, 1])
    case("tile", np.arange(6, dtype=F32).reshape(2, 3), [2, 1, 2], note="reps longer than ndim")
    case("tile", np.arange(6, dtype=F32).reshape(2, 3), 2, note="reps shorter than ndim")
    z = np.arange(6, dtype=F32).reshape(2, 3)
    case("repeat", z, 2, None, note="axis=None flattens")
    case("repeat", z, 2, 0)
    case("repeat", z, 3, 1)
    case("repeat", z, IntList([1, 2]), 0, note="per-element repeats")
    case("repeat", z, IntList([0, 1, 2]), 1)
    case("repeat", A([True, False], BOOL), 2, 0)
    for ax in [None, 0, 1, [0, 1], -1]:
        case("flip", xi[0], ax)
    case("flip", x, [0, 2])
    w = np.arange(10, dtype=I32)
    case("roll", w, 2)
    case("roll", w, -3)
    case("roll", w, 13, note="shift larger than size")
    case("roll", z, 1, None, note="axis None: flatten, roll, reshape")
    case("roll", z, 1, 0)
    case("roll", z, -1, 1)
    case("roll", z, [1, 2], [0, 1])
    case("roll", xi, [1, -1], [2, 2], note="same axis twice accumulates")
    case("pad", A([1.0, 2.0, 3.0], F32), 2)
    case("pad", z, 1)
    case("pad", z, [[1, 2], [0, 1]])
    case("pad", z, [[1, 2], [0, 1]], opts={"mode": "constant", "constantValues": 9.5})
    case("pad", z, [1, 2], note="(before, after) for all axes")
    case("pad", A([1, 2, 3], I32), [[2, 1]], opts={"mode": "constant", "constantValues": -1})
    case("pad", z, [[0, 0], [2, 0]], opts={"mode": "constant", "constantValues": 0})
    case("pad", A([1.0, 2.0, 3.0], F32), [[2, 3]], opts={"mode": "edge"}, note="optional: non-constant mode")
    case("pad", A([1.0, 2.0, 3.0], F32), [[2, 2]], opts={"mode": "reflect"}, note="optional: non-constant mode")
    t = np.arange(12, dtype=F32).reshape(3, 4)
    case("take", t, A([0, 2], I32), 0)
    case("take", t, A([3, 0, 0, 1], I32), 1)
    case("take", t, A([1, 11, 5], I32), None, note="axis=None uses flattened")
    case("take", t, A([-1, -4], I32), 1, note="negative indices wrap")
    case("take", t, A([[0, 1], [2, 2]], I32), 0, note="2-D indices -> shape [2,2,4]")
    case("take", t, A([0, 7], I32), 0, note="JAX default mode='fill': out-of-bounds -> NaN for floats")
    case("take", np.arange(5, dtype=I32), A([1, 9, -9], I32), 0,
         note="JAX default mode='fill': out-of-bounds int -> INT32_MIN (min value)")
    case("take", t, A(2, I32), 1, note="0-d index removes axis")
    tf = rf([3, 4])
    idx = np.argsort(tf, axis=-1).astype(I32)
    case("takeAlongAxis", tf, idx, -1)
    idx0 = np.argsort(tf, axis=0).astype(I32)
    case("takeAlongAxis", tf, idx0, 0)
    case("takeAlongAxis", tf, A([[0], [3], [1]], I32), 1, note="broadcast index shape [3,1]")
    case("takeAlongAxis", tf, A([5, 0, 11], I32), None, note="axis None: flattened")
    sq = np.arange(9, dtype=F32).reshape(3, 3)
    r34 = np.arange(12, dtype=I32).reshape(3, 4)
    case("diagonal", sq)
    case("diagonal", sq, 1)
    case("diagonal", sq, -1)
    case("diagonal", r34)
    case("diagonal", r34, 2)
    case("diagonal", r34, -2)
    case("diagonal", r34, 5, note="offset out of range -> empty")
    case("diagonal", xi, 0, 1, 2)
    case("diagonal", xi, 1, 0, 2)
    case("diagonal", xi, 0, 2, 1, note="axis1 > axis2")
    for fn in ["triu", "tril"]:
        case(fn, r34)
        case(fn, r34, 1)
        case(fn, r34, -1)
        case(fn, sq, 5)
        case(fn, xi, 0, note="batched: applies to last two axes")
    s = A([[3.0, NAN, -1.0, INF], [2.0, -INF, 2.0, 0.5], [-0.0, 7.0, NAN, 1.0]], F32)
    case("sort", s, note="default axis -1; NaN sorts last")
    case("sort", s, 0)
    case("sort", s, None, note="axis None flattens")
    case("sort", rf([2, 3, 4]), 1)
    case("sort", ri([2, 5]), -1)
    case("sort", A([True, False, True, False], BOOL))
    case("sort", ri([6], 0, 100, U32))
    ties = A([[3, 1, 2, 1, 3, 0], [5, 5, 5, 1, 1, 2]], I32)
    case("argsort", ties, note="stable: ties in original order")
    case("argsort", ties, 0)
    case("argsort", ties, None)
    case("argsort", s, -1, note="NaN last")
    case("argsort", rf([3, 4]), 0)
    case("meshgrid", A([1.0, 2.0, 3.0], F32), A([4.0, 5.0], F32))
    case("meshgrid", A([1.0, 2.0, 3.0], F32), A([4.0, 5.0], F32), opts={"indexing": "ij"})
    case("meshgrid", A([1, 2], I32), A([3, 4, 5], I32), A([6.0, 7.0], F32), opts={"indexing": "xy"},
         note="3 inputs xy: shape [3,2,2]; no dtype promotion")
    case("meshgrid", A([1, 2], I32), A([3, 4, 5], I32), A([6.0, 7.0], F32), opts={"indexing": "ij"})
    case("meshgrid", A([1.0, 2.0], F32))


def gen_creation():
    case("zeros", [2, 3], "float32")
    case("zeros", [2, 3], None, note="default dtype float32")
    case("zeros", [3], "int32")
    case("zeros", [], "float32")
    case("zeros", [2, 0], "float32")
    case("ones", [2, 3], "float32")
    case("ones", [4], None)
    case("ones", [2, 2], "bool")
    case("ones", [3], "int32")
    case("full", [2, 2], 7, None, note="python int fill -> weak int32")
    case("full", [2], 2.5, None)
    case("full", [2, 3], 2.5, "float32")
    case("full", [3], 7, "float32")
    case("full", [3], 2.7, "int32", note="fill cast to int32 truncates")
    case("full", [2], True, None)
    case("full", [], -1.5, None)
    for a in [(5,), (2, 10), (2, 10, 3), (0, 1, 0.25), (5, 0, -1), (3.0,), (0, 5, 1, "float32"),
              (1, 2.5, 0.5), (10, 5), (0.1, 0.5, 0.1), (-3, 3, 2), (0, 10, 3, "float32"), (0, -5, -2)]:
        case("arange", *a)
    for a, o in [((0, 1, 5), None), ((0, 1, 5), {"endpoint": False}), ((1, 10, 10), None),
                 ((-1, 1, 1), None), ((2, 3, 2), None), ((0, 1, 0), None), ((10, 0, 6), None),
                 ((0, 1, 7), {"endpoint": True}), ((-2.5, 2.5, 4), {"endpoint": False})]:
        case("linspace", *a, opts=o, rtol=1e-6, atol=1e-7)
    case("eye", 3)
    case("eye", 2, 3)
    case("eye", 3, 3, 1)
    case("eye", 3, 4, -1)
    case("eye", 3, None, 1)
    case("eye", 2, 4, 3)
    case("eye", 0)
    case("identity", 3)
    case("identity", 1)


def gen_x64():
    global X64
    jax.config.update("jax_enable_x64", True)
    X64 = True
    gen_unary(F64)
    gen_binary_f(F64)
    case("add", rf([3], dtype=F64), rf([3]), note="float64+float32 -> float64")
    case("multiply", rf([3], dtype=F64), 2.5)
    x = rf([2, 3, 4], dtype=F64)
    for fn in ["sum", "prod", "mean", "var", "std", "max", "min"]:
        for ax in [None, 1, [0, 1]]:
            case(fn, x, ax, opts={"keepdims": ax == 1})
    case("cumsum", rf([3, 4], dtype=F64), 1)
    case("cumprod", rf([3, 4], 0.5, 1.5, dtype=F64), 0)
    gen_linalg_common(F64)
    case("zeros", [2], "float64")
    case("arange", 0.0, 1.0, 0.25, note="x64: float arange -> float64")
    case("linspace", 0, 1, 5, note="x64: float64")
    case("sqrt", A([1.0, 2.0, 3.0], F64))
    jax.config.update("jax_enable_x64", False)
    X64 = False


# ----------------------------------------------------------------------------------
# promotion tables
# ----------------------------------------------------------------------------------

KINDS = ["bool", "int32", "uint32", "float32", "float64", "weak_int", "weak_float", "weak_bool"]
PYVAL = {"weak_int": 1, "weak_float": 1.0, "weak_bool": True}


def info(r):
    return {"dtype": str(r.dtype), "weak": bool(jax.typeof(r).weak_type)}


def operand(kind, style):
    """style: 'array' -> weak kinds are jnp arrays built from python scalars
    (jnp.asarray(1) / jnp.asarray(1.0) are weak; jnp.asarray(True) is a strong bool,
    which is exactly how JAX treats a Python bool);  'pyscalar' -> the raw Python scalar;
    'weakarray' -> lax_internal._convert_element_type(pyval, weak_type=True) (this can
    create a weak *bool*, which JAX never produces from Python input)."""
    if kind in PYVAL:
        v = PYVAL[kind]
        if style == "pyscalar":
            return v
        if style == "weakarray":
            return lax_internal._convert_element_type(v, weak_type=True)
        return jnp.asarray(v)
    return jnp.asarray(np.array(1, dtype=kind))


def promo_table(style):
    t = {}
    for ka in KINDS:
        for kb in KINDS:
            a, b = operand(ka, style), operand(kb, style)
            if not isinstance(a, jax.Array) and not isinstance(b, jax.Array):
                a = jnp.asarray(a)  # python+python would not involve JAX
            try:
                t[f"{ka},{kb}"] = info(a + b)
            except Exception as e:  # pragma: no cover
                t[f"{ka},{kb}"] = {"error": repr(e)}
    return t


def operand_info():
    out = {}
    for k in KINDS:
        for style in ("array", "weakarray"):
            out[f"{k}/{style}"] = info(operand(k, style))
    return out


def dtype_records():
    i32 = jnp.asarray(np.array([1, 2, 3], I32))
    f32 = jnp.asarray(np.array([1.0, 2.0], F32))
    bl = jnp.asarray(np.array([True, False]))
    recs = {
        "jnp.array(1.0)": jnp.array(1.0),
        "jnp.array(1)": jnp.array(1),
        "jnp.array(True)": jnp.array(True),
        "jnp.array([1.0, 2.0])": jnp.array([1.0, 2.0]),
        "jnp.array([1, 2])": jnp.array([1, 2]),
        "jnp.asarray(1.0)": jnp.asarray(1.0),
        "jnp.arange(5)": jnp.arange(5),
        "jnp.arange(3.)": jnp.arange(3.0),
        "jnp.arange(0, 1, 0.25)": jnp.arange(0, 1, 0.25),
        "jnp.linspace(0, 1, 5)": jnp.linspace(0, 1, 5),
        "jnp.ones(3)": jnp.ones(3),
        "jnp.zeros(3, int32)": jnp.zeros(3, jnp.int32),
        "jnp.full(3, 7)": jnp.full(3, 7),
        "jnp.full(3, 2.5)": jnp.full(3, 2.5),
        "jnp.eye(3)": jnp.eye(3),
        "jnp.mean(int32_array)": jnp.mean(i32),
        "jnp.mean(bool_array)": jnp.mean(bl),
        "jnp.sum(int32_array)": jnp.sum(i32),
        "jnp.sum(bool_array)": jnp.sum(bl),
        "jnp.prod(bool_array)": jnp.prod(bl),
        "jnp.cumsum(bool_array)": jnp.cumsum(bl),
        "jnp.argmax(float32_array)": jnp.argmax(f32),
        "jnp.var(int32_array)": jnp.var(i32),
        "jnp.sqrt(int32_array)": jnp.sqrt(i32),
        "jnp.exp(bool_array)": jnp.exp(bl),
        "jnp.sqrt(2)": jnp.sqrt(2),
        "jnp.sqrt(2.0)": jnp.sqrt(2.0),
        "jnp.abs(weak_float)": jnp.abs(jnp.asarray(-1.5)),
        "-weak_int": -jnp.asarray(3),
        "jnp.true_divide(int32,int32)": jnp.true_divide(i32, i32),
        "jnp.floor_divide(int32,int32)": jnp.floor_divide(i32, i32),
        "int32_array / 2": i32 / 2,
        "int32_array // 2": i32 // 2,
        "int32_array ** 2": i32 ** 2,
        "int32_array ** 2.0": i32 ** 2.0,
        "int32_array * 2.5": i32 * 2.5,
        "int32_array + 1": i32 + 1,
        "float32_array + 1": f32 + 1,
        "float32_array ** 2": f32 ** 2,
        "bool_array + 1": bl + 1,
        "bool_array + True": bl + True,
        "jnp.where(bool, 1.0, 0.0)": jnp.where(bl, 1.0, 0.0),
        "jnp.where(bool, 1, 0)": jnp.where(bl, 1, 0),
        "jnp.where(bool, int32_array[:2], 0.5)": jnp.where(bl, i32[:2], 0.5),
        "jnp.clip(int32_array, 0.5, 2.5)": jnp.clip(i32, 0.5, 2.5),
        "jnp.maximum(int32_array, 1.5)": jnp.maximum(i32, 1.5),
        "jnp.asarray(1.0) * 2": jnp.asarray(1.0) * 2,
        "jnp.asarray(1) * 2.0": jnp.asarray(1) * 2.0,
        "int32_array == 1.5": i32 == 1.5,
        "jnp.floor(int32_array)": jnp.floor(i32),
        "jnp.round(int32_array)": jnp.round(i32),
        "uint32_array + 1": jnp.asarray(np.array([1], U32)) + 1,
        "uint32_array + int32_array": jnp.asarray(np.array([1], U32)) + i32[:1],
        "uint32_array * 1.5": jnp.asarray(np.array([1], U32)) * 1.5,
        "jnp.asarray(np.float64 array)": jnp.asarray(np.array([1.0], F64)),
        "jnp.asarray(np.int64 array)": jnp.asarray(np.array([1], np.int64)),
    }
    return {k: info(v) for k, v in recs.items()}


STRONG = ["bool", "int32", "uint32", "float32", "float64"]
EXTENDED = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
            "float16", "bfloat16", "float32", "float64"]


def promote_types(names):
    return {f"{a},{b}": str(jnp.promote_types(jnp.dtype(a), jnp.dtype(b))) for a in names for b in names}


def gen_promotion():
    res = {"_doc": (
        "Keys 'A,B' give dtype/weak of (A + B). Tables x64_off/x64_on: strong kinds are "
        "jnp.asarray(np.array(1, dtype)); weak_int/weak_float are jnp.asarray(1)/jnp.asarray(1.0) "
        "(weak arrays); weak_bool is a Python True, which JAX treats as a STRONG bool "
        "(jnp.asarray(True) is not weak). *_pyscalar: weak kinds passed as raw Python scalars "
        "(if both are Python scalars the left is first wrapped in jnp.asarray). *_weakarray: weak "
        "kinds built with lax_internal._convert_element_type(v, weak_type=True), which makes an "
        "(unusual) weak bool for weak_bool. With x64 off, 'float64' strong operands are already "
        "truncated to float32 by jnp.asarray. promote_types*: jnp.promote_types(a, b) (not "
        "x64-canonicalized). dtypes: result dtype/weak of common expressions.")}
    for mode, flag in (("x64_off", False), ("x64_on", True)):
        jax.config.update("jax_enable_x64", flag)
        res[mode] = promo_table("array")
        res[mode + "_pyscalar"] = promo_table("pyscalar")
        res[mode + "_weakarray"] = promo_table("weakarray")
        res[mode + "_operands"] = operand_info()
        res[mode + "_promote_types"] = promote_types(STRONG)
        res[mode + "_dtypes"] = dtype_records()
    res["promote_types_extended"] = promote_types(EXTENDED)
    jax.config.update("jax_enable_x64", False)
    return res


def main():
    jax.config.update("jax_enable_x64", False)
    gen_creation()
    gen_unary(F32)
    gen_unary_int()
    gen_binary_f(F32)
    gen_binary_int()
    gen_other()
    gen_reductions()
    gen_linalg_common(F32)
    gen_linalg_f32()
    gen_shape()
    gen_x64()
    with open(os.path.join(HERE, "ops.json"), "w") as f:
        json.dump(CASES, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    promo = gen_promotion()
    with open(os.path.join(HERE, "promotion.json"), "w") as f:
        json.dump(promo, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {len(CASES)} op cases")


if __name__ == "__main__":
    main()
