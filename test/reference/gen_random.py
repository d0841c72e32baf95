#!/usr/bin/env python3
"""Reference numbers for jaxts' random and nn (real JAX 0.10.2 is the oracle).

Rerun (from the repository root):

    /work/scratch/venv/bin/pip install jax==0.10.2 jaxlib==0.10.2   # once, in any venv
    JAX_PLATFORMS=cpu /work/scratch/venv/bin/python test/reference/gen_random.py

It writes test/reference/random.json: {"random": [case...], "nn": [case...], "init": [case...]}.
Each case is {"name", "fn", "args", "out"}; arrays are {"shape", "dtype", "data"} with
row-major data (floats as exact doubles of the float32 values; "nan"/"inf"/"-inf" strings),
keys are the raw uint32[2] arrays (jax.random.key_data). Default JAX config: x64 off,
jax_threefry_partitionable=True. Cases with "x64": true were made with jax_enable_x64 on.
"""
import json
import math
import os

import jax
import jax.numpy as jnp
import numpy as np

assert jax.__version__ == "0.10.2", jax.__version__
assert jax.config.jax_threefry_partitionable

R = jax.random


def enc(x):
    a = np.asarray(x)
    def val(v):
        if a.dtype == np.bool_:
            return bool(v)
        if np.issubdtype(a.dtype, np.floating):
            v = float(v)
            if math.isnan(v):
                return "nan"
            if math.isinf(v):
                return "inf" if v > 0 else "-inf"
            return v
        return int(v)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": [val(v) for v in a.reshape(-1)]}


def K(seed):
    return R.PRNGKey(seed)


cases = {"random": [], "nn": [], "init": []}


def add(section, name, fn, args, out, **extra):
    c = {"name": name, "fn": fn, "args": args, "out": enc(out)}
    c.update(extra)
    cases[section].append(c)


# ---------------------------------------------------------------- keys
for s in [0, 1, 42, -1, 2**31 - 1, 2**31, 2**40 + 5]:
    add("random", f"key({s})", "key", {"seed": s}, K(s))
add("random", "split(key(0))", "split", {"key": 0}, R.split(K(0)))
add("random", "split(key(42), 5)", "split", {"key": 42, "num": 5}, R.split(K(42), 5))
add("random", "split(key(7), [2,3])", "split", {"key": 7, "num": [2, 3]}, R.split(K(7), (2, 3)))
add("random", "split(key(3), 1)", "split", {"key": 3, "num": 1}, R.split(K(3), 1))
for s, d in [(0, 0), (42, 123), (1, 2**31 + 5), (5, 7)]:
    add("random", f"foldIn(key({s}), {d})", "foldIn", {"key": s, "data": d}, R.fold_in(K(s), d))

# ---------------------------------------------------------------- bits, uniform
add("random", "bits(key(0), [7])", "bits", {"key": 0, "shape": [7]}, R.bits(K(0), (7,)))
add("random", "bits(key(3), [2,3])", "bits", {"key": 3, "shape": [2, 3]}, R.bits(K(3), (2, 3)))
add("random", "bits(key(1), [])", "bits", {"key": 1, "shape": []}, R.bits(K(1), ()))
add("random", "uniform(key(0), [10])", "uniform", {"key": 0, "shape": [10]}, R.uniform(K(0), (10,)))
add("random", "uniform(key(9), [])", "uniform", {"key": 9, "shape": []}, R.uniform(K(9), ()))
add("random", "uniform(key(5), [3,4], -3, 5)", "uniform", {"key": 5, "shape": [3, 4], "minval": -3.0, "maxval": 5.0},
    R.uniform(K(5), (3, 4), minval=-3.0, maxval=5.0))
add("random", "uniform(key(6), [200], 0.1, 0.7)", "uniform", {"key": 6, "shape": [200], "minval": 0.1, "maxval": 0.7},
    R.uniform(K(6), (200,), minval=0.1, maxval=0.7))
mv = np.array([0.0, 1.0, -2.0, 10.0], np.float32)
add("random", "uniform(key(8), [2,4], minval=array, maxval=20)", "uniform",
    {"key": 8, "shape": [2, 4], "minval": enc(mv), "maxval": 20.0}, R.uniform(K(8), (2, 4), minval=mv, maxval=20.0))
add("random", "uniform(key(11), [1000])", "uniform", {"key": 11, "shape": [1000]}, R.uniform(K(11), (1000,)))

# ---------------------------------------------------------------- normal family
add("random", "normal(key(0), [1000])", "normal", {"key": 0, "shape": [1000]}, R.normal(K(0), (1000,)))
add("random", "normal(key(1), [2,3])", "normal", {"key": 1, "shape": [2, 3]}, R.normal(K(1), (2, 3)))
add("random", "normal(key(4), [])", "normal", {"key": 4, "shape": []}, R.normal(K(4), ()))
add("random", "truncatedNormal(key(2), -2, 2, [1000])", "truncatedNormal", {"key": 2, "lower": -2.0, "upper": 2.0, "shape": [1000]},
    R.truncated_normal(K(2), -2.0, 2.0, (1000,)))
add("random", "truncatedNormal(key(3), -1, 0.5, [5])", "truncatedNormal", {"key": 3, "lower": -1.0, "upper": 0.5, "shape": [5]},
    R.truncated_normal(K(3), -1.0, 0.5, (5,)))
add("random", "gumbel(key(0), [10])", "gumbel", {"key": 0, "shape": [10]}, R.gumbel(K(0), (10,)))

# ---------------------------------------------------------------- integers
for s, shape, lo, hi in [(0, [20], 0, 10), (1, [5], -100, 100), (2, [8], -2**31, 2**31 - 1), (3, [6], 5, 5),
                         (4, [4], 0, 70000), (5, [3, 3], -7, 3), (6, [], 0, 1000), (7, [10], 10, 2)]:
    add("random", f"randint(key({s}), {shape}, {lo}, {hi})", "randint", {"key": s, "shape": shape, "minval": lo, "maxval": hi},
        R.randint(K(s), tuple(shape), lo, hi))
lo_arr = np.array([0, 10, -5], np.int32)
add("random", "randint(key(8), [2,3], array, 20)", "randint", {"key": 8, "shape": [2, 3], "minval": enc(lo_arr), "maxval": 20},
    R.randint(K(8), (2, 3), lo_arr, 20))
add("random", "randint(key(9), [6], 0, 5, uint32)", "randint", {"key": 9, "shape": [6], "minval": 0, "maxval": 5, "dtype": "uint32"},
    R.randint(K(9), (6,), 0, 5, dtype=jnp.uint32))
add("random", "bernoulli(key(0), 0.3, [20])", "bernoulli", {"key": 0, "p": 0.3, "shape": [20]}, R.bernoulli(K(0), 0.3, (20,)))
pb = np.array([0.1, 0.5, 0.9], np.float32)
add("random", "bernoulli(key(1), [0.1,0.5,0.9])", "bernoulli", {"key": 1, "p": enc(pb)}, R.bernoulli(K(1), pb))
add("random", "bernoulli(key(2))", "bernoulli", {"key": 2}, R.bernoulli(K(2)))

# ---------------------------------------------------------------- categorical, permutation, choice
rs = np.random.RandomState(0)
lg1 = rs.randn(5).astype(np.float32)
lg2 = rs.randn(3, 4).astype(np.float32)
add("random", "categorical(key(0), logits[5])", "categorical", {"key": 0, "logits": enc(lg1)}, R.categorical(K(0), lg1))
add("random", "categorical(key(1), logits[3,4])", "categorical", {"key": 1, "logits": enc(lg2)}, R.categorical(K(1), lg2))
add("random", "categorical(key(2), logits[3,4], axis=0)", "categorical", {"key": 2, "logits": enc(lg2), "axis": 0},
    R.categorical(K(2), lg2, axis=0))
add("random", "categorical(key(3), logits[3,4], shape=[6,3])", "categorical", {"key": 3, "logits": enc(lg2), "shape": [6, 3]},
    R.categorical(K(3), lg2, shape=(6, 3)))
add("random", "categorical(key(4), logits[3,4], shape=[2,3], replace=False)", "categorical",
    {"key": 4, "logits": enc(lg2), "shape": [2, 3], "replace": False}, R.categorical(K(4), lg2, shape=(2, 3), replace=False))
lgw = np.log(np.array([0.1, 0.2, 0.7], np.float32))
add("random", "categorical(key(5), log[0.1,0.2,0.7], shape=[1000])", "categorical", {"key": 5, "logits": enc(lgw), "shape": [1000]},
    R.categorical(K(5), lgw, shape=(1000,)))
add("random", "permutation(key(0), 10)", "permutation", {"key": 0, "x": 10}, R.permutation(K(0), 10))
px = np.arange(15, dtype=np.float32).reshape(5, 3)
add("random", "permutation(key(1), array[5,3])", "permutation", {"key": 1, "x": enc(px)}, R.permutation(K(1), px))
add("random", "permutation(key(1), array[5,3], axis=1)", "permutation", {"key": 1, "x": enc(px), "axis": 1}, R.permutation(K(1), px, axis=1))
add("random", "permutation(key(2), 2000)", "permutation", {"key": 2, "x": 2000}, R.permutation(K(2), 2000))
add("random", "choice(key(0), 10, [5])", "choice", {"key": 0, "a": 10, "shape": [5]}, R.choice(K(0), 10, (5,)))
ca = np.arange(8, dtype=np.float32) * 1.5
add("random", "choice(key(1), array[8], [3], replace=False)", "choice", {"key": 1, "a": enc(ca), "shape": [3], "replace": False},
    R.choice(K(1), ca, (3,), replace=False))
pp = np.array([0.1, 0.2, 0.3, 0.15, 0.25], np.float32)
add("random", "choice(key(2), 5, [4,2], p)", "choice", {"key": 2, "a": 5, "shape": [4, 2], "p": enc(pp)}, R.choice(K(2), 5, (4, 2), p=pp))
add("random", "choice(key(3), 5, [3], replace=False, p)", "choice", {"key": 3, "a": 5, "shape": [3], "replace": False, "p": enc(pp)},
    R.choice(K(3), 5, (3,), replace=False, p=pp))
c2 = np.arange(12, dtype=np.int32).reshape(4, 3)
add("random", "choice(key(4), array[4,3], [2], axis=1)", "choice", {"key": 4, "a": enc(c2), "shape": [2], "axis": 1},
    R.choice(K(4), c2, (2,), axis=1))

# vmap over split keys
ks = R.split(K(0), 4)
add("random", "vmap(uniform(k, [3]))(split(key(0), 4))", "vmapUniform", {"key": 0, "num": 4, "shape": [3]},
    jax.vmap(lambda k: R.uniform(k, (3,)))(ks))
add("random", "vmap(normal(k, [2]))(split(key(0), 4))", "vmapNormal", {"key": 0, "num": 4, "shape": [2]},
    jax.vmap(lambda k: R.normal(k, (2,)))(ks))

# float64 uniform (x64 on)
jax.config.update("jax_enable_x64", True)
add("random", "uniform(key(0), [6], float64)", "uniform", {"key": 0, "shape": [6], "dtype": "float64"},
    R.uniform(R.PRNGKey(0), (6,), dtype=jnp.float64), x64=True)
jax.config.update("jax_enable_x64", False)

# ---------------------------------------------------------------- nn initializers
I = jax.nn.initializers
for name, mk in [("glorotNormal", I.glorot_normal), ("glorotUniform", I.glorot_uniform), ("heNormal", I.he_normal),
                 ("heUniform", I.he_uniform), ("lecunNormal", I.lecun_normal), ("lecunUniform", I.lecun_uniform),
                 ("xavierNormal", I.xavier_normal)]:
    for s, shape in [(0, [4, 5]), (1, [3, 2, 6])]:
        add("init", f"{name}()(key({s}), {shape})", name, {"key": s, "shape": shape}, mk()(K(s), tuple(shape)))
add("init", "normal(0.5)(key(2), [3,3])", "normal", {"key": 2, "shape": [3, 3], "stddev": 0.5}, I.normal(0.5)(K(2), (3, 3)))
add("init", "normal()(key(2), [4])", "normal", {"key": 2, "shape": [4]}, I.normal()(K(2), (4,)))
add("init", "uniform(2.0)(key(3), [2,5])", "uniform", {"key": 3, "shape": [2, 5], "scale": 2.0}, I.uniform(2.0)(K(3), (2, 5)))
add("init", "truncatedNormal(0.1)(key(4), [6])", "truncatedNormal", {"key": 4, "shape": [6], "stddev": 0.1},
    I.truncated_normal(0.1)(K(4), (6,)))
add("init", "zeros(key(0), [2,3])", "zeros", {"key": 0, "shape": [2, 3]}, I.zeros(K(0), (2, 3)))
add("init", "ones(key(0), [2])", "ones", {"key": 0, "shape": [2]}, I.ones(K(0), (2,)))
add("init", "varianceScaling(2, fan_avg, uniform)(key(5), [3,4])", "varianceScaling",
    {"key": 5, "shape": [3, 4], "scale": 2.0, "mode": "fan_avg", "distribution": "uniform"},
    I.variance_scaling(2.0, "fan_avg", "uniform")(K(5), (3, 4)))
add("init", "varianceScaling(1, fan_out, normal)(key(6), [3,4])", "varianceScaling",
    {"key": 6, "shape": [3, 4], "scale": 1.0, "mode": "fan_out", "distribution": "normal"},
    I.variance_scaling(1.0, "fan_out", "normal")(K(6), (3, 4)))

# ---------------------------------------------------------------- nn functions
xs = np.array([-1000.0, -20.0, -3.5, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 1.0, 2.5, 20.0, 1000.0], np.float32)
xs_small = np.array([-3.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5], np.float32)
N = jax.nn
for name, f in [("relu", N.relu), ("sigmoid", N.sigmoid), ("softplus", N.softplus), ("silu", N.silu),
                ("geluApprox", lambda x: N.gelu(x, approximate=True)), ("geluExact", lambda x: N.gelu(x, approximate=False))]:
    add("nn", name, name, {"x": enc(xs)}, jax.jit(f)(xs))
    add("nn", f"grad {name}", "grad_" + name, {"x": enc(xs_small)}, jax.jit(jax.vmap(jax.grad(f)))(xs_small))
m = rs.randn(3, 4).astype(np.float32) * 3
add("nn", "softmax axis -1", "softmax", {"x": enc(m)}, N.softmax(m))
add("nn", "softmax axis 0", "softmax", {"x": enc(m), "axis": 0}, N.softmax(m, axis=0))
add("nn", "logSoftmax axis -1", "logSoftmax", {"x": enc(m)}, N.log_softmax(m))
add("nn", "logsumexp all", "logsumexp", {"x": enc(m)}, N.logsumexp(m))
add("nn", "logsumexp axis 1 keepdims", "logsumexp", {"x": enc(m), "axis": 1, "keepdims": True}, N.logsumexp(m, axis=1, keepdims=True))
big = np.array([[1000.0, 1000.0, -1000.0], [-1000.0, -999.0, -1001.0]], np.float32)
add("nn", "softmax large", "softmax", {"x": enc(big)}, N.softmax(big))
add("nn", "logsumexp large", "logsumexp", {"x": enc(big), "axis": 1}, N.logsumexp(big, axis=1))
add("nn", "grad logsumexp", "grad_logsumexp", {"x": enc(m[0])}, jax.grad(N.logsumexp)(m[0]))
add("nn", "oneHot", "oneHot", {"x": enc(np.array([0, 2, 1, 5, -1], np.int32)), "numClasses": 3},
    N.one_hot(np.array([0, 2, 1, 5, -1], np.int32), 3))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "random.json")
with open(out, "w") as fh:
    json.dump(cases, fh, separators=(",", ":"))
print(out, {k: len(v) for k, v in cases.items()})
