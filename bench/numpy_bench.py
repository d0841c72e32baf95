#!/usr/bin/env python3
"""numpy_bench.py — the numpy side of `npm run bench` (run by bench/run.mjs as
`python3 bench/numpy_bench.py <group> [names]` when `import numpy` works).

Same shapes, dtype (float32), input data (the mulberry32 stream of bench/common.mjs,
vectorised) and line protocol as the JS scripts. numpy has no autodiff and no jit: the MLP
step and the per-example gradients are hand-written backward passes (the reference a
compiler is measured against), and the first call has nothing to trace or compile.
"""
import json
import os
import sys
import time

try:
    import numpy as np
except ImportError:
    print('@@INFO ' + json.dumps({"unavailable": "numpy not installed"}), flush=True)
    sys.exit(3)

F32 = np.float32
SPEC = {
    "matmul": [256, 512, 1024, 2048],
    "chain": {"chain_1e6": 1_000_000, "chain_1e7": 10_000_000},
    "reduce": (4096, 1024),
    "mlp": {"sizes": [784, 512, 512, 10], "batch": 128, "lr": 0.01},
    "pexgrad": {"batch": 256, "features": 1000},
}
GROUPS = {
    "matmul": [f"matmul_{n}" for n in SPEC["matmul"]],
    "chain": list(SPEC["chain"]),
    "reduce": ["sum_4096x1024", "softmax_4096x1024"],
    "mlp": ["mlp_step"],
    "pexgrad": ["pexgrad"],
    "compile": ["mlp_first_call"],
}


def emit(kind, obj):
    sys.stdout.write(f"@@{kind} {json.dumps(obj)}\n")
    sys.stdout.flush()


def rand01(n, seed):
    """The first n values of mulberry32(seed) (bench/common.mjs), as float64."""
    with np.errstate(over="ignore"):
        a = (np.uint32(seed) + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x6D2B79F5)).astype(np.uint32)
        t = a
        t = (t ^ (t >> np.uint32(15))) * (t | np.uint32(1))
        t = t ^ (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61)))
        return (t ^ (t >> np.uint32(14))).astype(np.float64) / 4294967296.0


def uniform(n, lo, hi, seed):
    return (lo + (hi - lo) * rand01(n, seed)).astype(F32)


def mlp_data():
    sizes, batch = SPEC["mlp"]["sizes"], SPEC["mlp"]["batch"]
    params = []
    for l in range(len(sizes) - 1):
        fin, fout = sizes[l], sizes[l + 1]
        s = 1 / np.sqrt(fin)
        params.append([uniform(fin * fout, -s, s, 100 + l).reshape(fin, fout), np.zeros(fout, F32)])
    x = uniform(batch * sizes[0], 0, 1, 7).reshape(batch, sizes[0])
    classes = sizes[-1]
    y = np.zeros((batch, classes), F32)
    y[np.arange(batch), np.floor(rand01(batch, 8) * classes).astype(np.int64)] = 1
    return params, x, y


def mlp_step(params, x, y, lr):
    """One valueAndGrad + SGD step of mean softmax cross-entropy, by hand."""
    hs, zs = [x], []
    h = x
    for i, (w, b) in enumerate(params):
        z = h @ w + b
        zs.append(z)
        h = np.maximum(z, 0) if i + 1 < len(params) else z
        hs.append(h)
    z = zs[-1]
    m = z.max(-1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(-1, keepdims=True)
    logp = z - m - np.log(s)
    n = x.shape[0]
    loss = -np.mean(np.sum(logp * y, -1))
    dz = (e / s * y.sum(-1, keepdims=True) - y) * F32(1 / n)
    new = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        w, b = params[i]
        dw, db = hs[i].T @ dz, dz.sum(0)
        if i > 0:
            dz = (dz @ w.T) * (zs[i - 1] > 0)
        new[i] = [w - F32(lr) * dw, b - F32(lr) * db]
    return loss, new


def measure(fn, budget_ms, min_reps=3, max_reps=2000):
    # the same scheme as bench/common.mjs: warm up for a fifth of the budget (at least two
    # calls), then time calls until the budget has passed
    t = time.perf_counter()
    fn()
    warm = (time.perf_counter() - t) * 1e3
    warm_end = time.perf_counter() + budget_ms / 5e3
    k = 1
    while k < 2 or time.perf_counter() < warm_end:
        fn()
        k += 1
    times = []
    start = time.perf_counter()
    while True:
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
        spent = (time.perf_counter() - start) * 1e3
        if len(times) >= max_reps or (len(times) >= min_reps and spent >= budget_ms) or spent + times[-1] > 4 * budget_ms:
            break
    return {"ms": float(np.median(times)), "n": len(times), "min": min(times), "warmup_ms": warm}


def mean_sq(a):
    a = np.asarray(a, np.float64)
    return float(np.mean(a * a))


def setups():
    b = {}
    for n in SPEC["matmul"]:
        def mm(n=n):
            a = uniform(n * n, -1, 1, 1).reshape(n, n)
            c = uniform(n * n, -1, 1, 2).reshape(n, n)
            return {"fn": lambda: a @ c, "check": lambda: mean_sq(a @ c)}
        b[f"matmul_{n}"] = mm
    for name, n in SPEC["chain"].items():
        def chain(n=n):
            x = uniform(n, -3, 3, 3)
            f = lambda: np.tanh(x) * F32(2) + np.sin(x) * x
            return {"fn": f, "check": lambda: mean_sq(f())}
        b[name] = chain
    R, C = SPEC["reduce"]

    def red_sum():
        x = uniform(R * C, -1, 1, 4).reshape(R, C)
        return {"fn": lambda: np.sum(x), "check": lambda: float(np.sum(x))}

    def softmax():
        x = uniform(R * C, -3, 3, 5).reshape(R, C)

        def f():
            e = np.exp(x - x.max(-1, keepdims=True))
            return e / e.sum(-1, keepdims=True)
        return {"fn": f, "check": lambda: mean_sq(f())}
    b["sum_4096x1024"], b["softmax_4096x1024"] = red_sum, softmax
    lr = SPEC["mlp"]["lr"]

    def mlp():
        p0, x, y = mlp_data()
        state = {"p": p0}

        def f():
            loss, state["p"] = mlp_step(state["p"], x, y, lr)
        return {"fn": f, "check": lambda: float(mlp_step(p0, x, y, lr)[0])}

    def pexgrad():
        B, D = SPEC["pexgrad"]["batch"], SPEC["pexgrad"]["features"]
        x = uniform(B * D, -1, 1, 11).reshape(B, D)
        y = (rand01(B, 12) >= 0.5).astype(F32)
        w, bias = uniform(D, -0.05, 0.05, 13), F32(0.1)

        def f():
            # d/dw, d/db of softplus(z) - y z with z = x.w + b is (sigmoid(z) - y) * (x, 1)
            z = x @ w + bias
            r = F32(1) / (F32(1) + np.exp(-z)) - y
            return r[:, None] * x, r
        return {"fn": f, "check": lambda: mean_sq(f()[0])}

    def first_call():
        p0, x, y = mlp_data()
        t = time.perf_counter()
        loss, _ = mlp_step(p0, x, y, lr)
        return {"once": (time.perf_counter() - t) * 1e3, "check": float(loss)}
    b["mlp_step"], b["pexgrad"], b["mlp_first_call"] = mlp, pexgrad, first_call
    return b


def blas_name():
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f'{blas.get("name")} {blas.get("version", "")}'.strip()
    except Exception:  # older numpy (Debian's 1.x): the BLAS library actually loaded
        try:
            np.ones((64, 64), F32) @ np.ones((64, 64), F32)
            with open("/proc/self/maps") as f:
                libs = {os.path.realpath(l.split()[-1]) for l in f if "blas" in l.lower() and "/" in l}
            return ", ".join(sorted("/".join(l.split("/")[-2:]) for l in libs if "lapack" not in l)) or "unknown"
        except OSError:
            return "unknown"


def main():
    group = sys.argv[1] if len(sys.argv) > 1 else None
    if group not in GROUPS:
        print(f"usage: numpy_bench.py <group> [names]; groups: {', '.join(GROUPS)}", file=sys.stderr)
        sys.exit(2)
    names = sys.argv[2].split(",") if len(sys.argv) > 2 else GROUPS[group]
    emit("INFO", {"library": "numpy", "version": np.__version__, "blas": blas_name(), "python": sys.version.split()[0]})
    budget = float(os.environ.get("BENCH_BUDGET_MS") or 1500)
    b = setups()
    for name in names:
        if name not in b:
            emit("SKIP", {"name": name, "reason": "not implemented"})
            continue
        r = b[name]()
        if "once" in r:
            emit("RESULT", {"name": name, "ms": r["once"], "n": 1, "min": r["once"], "check": r["check"]})
            continue
        check = r["check"]()
        emit("RESULT", {"name": name, **measure(r["fn"], budget), "check": check})


if __name__ == "__main__":
    main()
