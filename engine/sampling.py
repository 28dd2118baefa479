"""Choosing the next character from logits: temperature, top-k, top-p; greedy at temperature 0."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from engine.params import GeneratorParams


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits.astype(np.float64)
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def _truncate(probs: np.ndarray, params: GeneratorParams) -> np.ndarray:
    """Zero everything outside the top-k / top-p set of one row and renormalise."""
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


def _tempered(logits: np.ndarray, temperatures: np.ndarray) -> np.ndarray:
    # float32 division, like the single-row formula, so a batch row equals a single stream exactly
    return softmax(logits / np.maximum(temperatures, 1e-8).astype(np.float32)[:, None])


def candidate_probs(logits: np.ndarray, params: GeneratorParams) -> np.ndarray:
    """The distribution actually sampled from (zeros outside the top-k / top-p set)."""
    return _truncate(_tempered(logits[None, :], np.array([params.temperature]))[0], params)


def choose_rows(logits: np.ndarray, params: Sequence[GeneratorParams],
                rngs: Sequence[np.random.Generator]) -> np.ndarray:
    """One character id per row of `logits` [rows, vocab], row r drawn with params[r] and rngs[r].

    Vectorised across rows and kept to a few numpy calls (this runs once per character and a
    numpy call costs microseconds), so a batch of streams costs little more than one. A row's RNG
    is drawn once per character, only when it samples (greedy rows draw nothing), so every
    stream's text is identical to generating it alone.
    """
    hot = [p.temperature > 0 for p in params]
    inverse = np.array([1.0 / max(p.temperature, 1e-8) if h else 0.0 for p, h in zip(params, hot)])
    weights = logits * inverse[:, None]  # float64
    weights -= weights.max(axis=1, keepdims=True)
    np.exp(weights, out=weights)  # unnormalised: the draw scales u by the row's total instead
    for j, p in enumerate(params):
        if hot[j] and (p.top_k or p.top_p < 1.0):
            weights[j] = _truncate(weights[j] / weights[j].sum(), p)
    cum = weights.cumsum(axis=1)
    u = np.array([rng.random() if h else 0.0 for rng, h in zip(rngs, hot)])
    u *= cum[:, -1]
    ids = (cum <= u[:, None]).sum(axis=1)
    if ids.max() >= logits.shape[1]:  # rounding at the top of the sum: last allowed character
        for j in np.flatnonzero(ids >= logits.shape[1]):
            ids[j] = np.flatnonzero(weights[j])[-1]
    if not all(hot):
        for j in (j for j, h in enumerate(hot) if not h):
            ids[j] = int(np.argmax(logits[j]))
    return ids


def choose(logits: np.ndarray, params: GeneratorParams, rng: np.random.Generator) -> int:
    """One character id; `logits` is the model's raw output for one stream ([vocab])."""
    return int(choose_rows(logits[None, :], [params], [rng])[0])


def probabilities_of(logits: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The model's own probability (temperature 1) of ids[r] in row r: what "surprise" shows."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e[np.arange(len(ids)), ids] / e.sum(axis=1)
