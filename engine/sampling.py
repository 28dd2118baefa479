"""Choosing the next character from logits: temperature, top-k, top-p; greedy at temperature 0."""
from __future__ import annotations

import numpy as np

from engine.params import GeneratorParams


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits.astype(np.float64)
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def candidate_probs(logits: np.ndarray, params: GeneratorParams) -> np.ndarray:
    """The distribution actually sampled from (zeros outside the top-k / top-p set)."""
    probs = softmax(logits / max(params.temperature, 1e-8))
    if params.top_k and params.top_k < probs.size:
        cutoff = np.partition(probs, -params.top_k)[-params.top_k]
        keep = probs >= cutoff
        # ties at the cutoff could admit more than k: keep the k highest by index order
        if keep.sum() > params.top_k:
            order = np.argsort(-probs, kind="stable")[: params.top_k]
            keep = np.zeros_like(keep)
            keep[order] = True
        probs = np.where(keep, probs, 0.0)
        probs /= probs.sum()
    if params.top_p < 1.0:
        order = np.argsort(-probs, kind="stable")
        cum = np.cumsum(probs[order])
        n_keep = int(np.searchsorted(cum, params.top_p, side="left")) + 1
        keep = np.zeros(probs.size, bool)
        keep[order[:n_keep]] = True
        probs = np.where(keep, probs, 0.0)
        probs /= probs.sum()
    return probs


def choose(logits: np.ndarray, params: GeneratorParams, rng: np.random.Generator) -> int:
    """One character id; `logits` is the model's raw output for one stream ([vocab])."""
    if params.temperature == 0:
        return int(np.argmax(logits))
    probs = candidate_probs(logits, params)
    u = rng.random()
    idx = int(np.searchsorted(np.cumsum(probs), u, side="right"))
    idx = min(idx, probs.size - 1)
    while probs[idx] == 0.0:  # guard against rounding at the top of the cumulative sum
        idx -= 1
    return idx
