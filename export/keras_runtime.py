"""Running the Keras model outside of training: stateful chunks, bits/char, sampling.

Shared by the per-epoch samples/validation in training and by export verification.
"""
from __future__ import annotations

import math

import numpy as np

from export.model import zero_states


class KerasStepper:
    """Wraps the functional model in one traced function taking and returning explicit states."""

    def __init__(self, model, layers: list[int]):
        import tensorflow as tf

        self.layers = layers
        self._fn = tf.function(lambda ids, states: model([ids, *states], training=False),
                               reduce_retracing=True)

    def run(self, ids: np.ndarray, states: list[np.ndarray] | None = None):
        """ids [batch, time] -> (logits [batch, time, vocab], new states) as numpy."""
        ids = np.asarray(ids, dtype=np.int32)
        if states is None:
            states = zero_states(self.layers, ids.shape[0])
        out = self._fn(ids, [np.asarray(s, np.float32) for s in states])
        return out[0].numpy(), [o.numpy() for o in out[1:]]


def bits_per_char(stepper: KerasStepper, ids: np.ndarray, chunk: int, streams: int = 32) -> float:
    """Mean bits/char predicting ids[1:] from ids[:-1], state carried across chunks.

    The text is laid out as `streams` contiguous rows run side by side (one batched call per
    chunk), so long validation texts cost few calls; each row starts from the zero state.
    """
    ids = np.asarray(ids, np.int32)
    rows = max(1, min(streams, (len(ids) - 1) // max(chunk, 1)))
    length = (len(ids) - 1) // rows
    if length < 1:
        return float("nan")
    x = ids[: rows * length].reshape(rows, length)
    y = ids[1: rows * length + 1].reshape(rows, length)
    states = None
    total = 0.0
    for start in range(0, length, chunk):
        logits, states = stepper.run(x[:, start:start + chunk], states)
        total += float(_nll_sum(logits, y[:, start:start + chunk]))
    return total / (rows * length) / math.log(2)


def _nll_sum(logits: np.ndarray, targets: np.ndarray) -> float:
    logits = logits.astype(np.float64)
    m = logits.max(-1, keepdims=True)
    logz = np.log(np.exp(logits - m).sum(-1)) + m[..., 0]
    picked = np.take_along_axis(logits, targets[..., None], -1)[..., 0]
    return float((logz - picked).sum())


def sample(stepper: KerasStepper, seed_ids: np.ndarray, n: int, temperatures: list[float],
           rng: np.random.Generator) -> list[list[int]]:
    """One continuation per temperature, batched; temperature 0 is greedy."""
    batch = len(temperatures)
    logits, states = stepper.run(np.tile(np.asarray(seed_ids, np.int32)[None, :], (batch, 1)))
    last = logits[:, -1, :]
    out: list[list[int]] = [[] for _ in temperatures]
    for _ in range(n):
        nxt = np.empty(batch, np.int32)
        for b, t in enumerate(temperatures):
            if t <= 0:
                nxt[b] = int(np.argmax(last[b]))
            else:
                z = last[b].astype(np.float64) / t
                p = np.exp(z - z.max())
                p /= p.sum()
                nxt[b] = int(rng.choice(len(p), p=p))
            out[b].append(int(nxt[b]))
        logits, states = stepper.run(nxt[:, None], states)
        last = logits[:, -1, :]
    return out
