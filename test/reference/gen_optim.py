#!/usr/bin/env python3
"""Reference trajectories for jaxts' optim (optax 0.2.8 on JAX 0.10.2 is the oracle).

Rerun (from the repository root):

    /work/scratch/venv/bin/pip install jax==0.10.2 jaxlib==0.10.2 optax==0.2.8 absl-py
    JAX_PLATFORMS=cpu /work/scratch/venv/bin/python test/reference/gen_optim.py

It writes test/reference/optim.json: {"params0": tree, "grads": [tree per step],
"cases": [{"name", "opt", "args", "updates": [tree per step], "params": [tree per step]}],
"loss": {...}}. A tree is {"b": array, "w": array}; an array is {"shape", "dtype", "data"}.
Gradients are fixed random arrays (numpy RandomState(0)), so each case is the optimizer alone:
step t does `updates, state = opt.update(grads[t], state, params); params = apply_updates(
params, updates)` starting from params0. "loss" is a small least-squares problem trained with
adam inside jax.jit, with the loss after each step.
"""
import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import optax

assert jax.__version__ == "0.10.2" and optax.__version__ == "0.2.8", (jax.__version__, optax.__version__)


def enc(x):
    a = np.asarray(x)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": [float(v) for v in a.reshape(-1)]}


def enc_tree(t):
    return {k: enc(v) for k, v in t.items()}


rs = np.random.RandomState(0)
params0 = {"w": rs.randn(3, 2).astype(np.float32), "b": rs.randn(2).astype(np.float32)}
STEPS = 6
grads = [{"w": (rs.randn(3, 2) * 2).astype(np.float32), "b": (rs.randn(2) * 2).astype(np.float32)} for _ in range(STEPS)]

CASES = [
    ("sgd(0.1)", "sgd", {"lr": 0.1}, optax.sgd(0.1)),
    ("sgd(0.1, momentum 0.9)", "sgd", {"lr": 0.1, "momentum": 0.9}, optax.sgd(0.1, momentum=0.9)),
    ("sgd(0.05, momentum 0.8, nesterov)", "sgd", {"lr": 0.05, "momentum": 0.8, "nesterov": True},
     optax.sgd(0.05, momentum=0.8, nesterov=True)),
    ("adam(1e-2)", "adam", {"lr": 1e-2}, optax.adam(1e-2)),
    ("adam(1e-3, b1 0.8, b2 0.99, eps 1e-6)", "adam", {"lr": 1e-3, "b1": 0.8, "b2": 0.99, "eps": 1e-6},
     optax.adam(1e-3, b1=0.8, b2=0.99, eps=1e-6)),
    ("adam(1e-2, nesterov)", "adam", {"lr": 1e-2, "nesterov": True}, optax.adam(1e-2, nesterov=True)),
    ("adamw(1e-2, weight decay 0.1)", "adamw", {"lr": 1e-2, "weightDecay": 0.1}, optax.adamw(1e-2, weight_decay=0.1)),
    ("adamw(1e-3)", "adamw", {"lr": 1e-3}, optax.adamw(1e-3)),
    ("rmsprop(1e-2)", "rmsprop", {"lr": 1e-2}, optax.rmsprop(1e-2)),
    ("rmsprop(1e-2, momentum 0.9)", "rmsprop", {"lr": 1e-2, "momentum": 0.9}, optax.rmsprop(1e-2, momentum=0.9)),
    ("rmsprop(1e-2, centered, decay 0.95)", "rmsprop", {"lr": 1e-2, "centered": True, "decay": 0.95},
     optax.rmsprop(1e-2, centered=True, decay=0.95)),
    ("clipByGlobalNorm(1.0)", "clip", {"maxNorm": 1.0}, optax.clip_by_global_norm(1.0)),
    ("chain(clipByGlobalNorm(2.0), adam(1e-2))", "clipAdam", {"maxNorm": 2.0, "lr": 1e-2},
     optax.chain(optax.clip_by_global_norm(2.0), optax.adam(1e-2))),
]

cases = []
for name, kind, args, opt in CASES:
    params = jax.tree.map(jnp.asarray, params0)
    state = opt.init(params)
    ups, ps = [], []
    for t in range(STEPS):
        g = jax.tree.map(jnp.asarray, grads[t])
        updates, state = opt.update(g, state, params)
        params = optax.apply_updates(params, updates)
        ups.append(enc_tree(updates))
        ps.append(enc_tree(params))
    cases.append({"name": name, "opt": kind, "args": args, "updates": ups, "params": ps})

# a jitted training loop: least squares y = x @ w + b, adam(0.05), 20 steps
x = rs.randn(16, 3).astype(np.float32)
y = (x @ np.array([[1.0, -2.0], [0.5, 0.0], [-1.0, 3.0]], np.float32) + np.array([0.3, -0.7], np.float32)).astype(np.float32)


def loss_fn(p):
    return jnp.mean((x @ p["w"] + p["b"] - y) ** 2)


opt = optax.adam(0.05)


@jax.jit
def step(p, s):
    l, g = jax.value_and_grad(loss_fn)(p)
    u, s = opt.update(g, s, p)
    return optax.apply_updates(p, u), s, l


p = jax.tree.map(jnp.asarray, params0)
s = opt.init(p)
losses = []
for _ in range(20):
    p, s, l = step(p, s)
    losses.append(float(l))
loss_case = {"x": enc(x), "y": enc(y), "lr": 0.05, "losses": losses, "final": enc_tree(p)}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim.json")
with open(out, "w") as fh:
    json.dump({"params0": enc_tree(params0), "grads": [enc_tree(g) for g in grads], "cases": cases, "loss": loss_case}, fh,
              separators=(",", ":"))
print(out, len(cases))
