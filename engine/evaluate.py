"""Bits per character of a model on text: the project's quality figure (`charstream eval`)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.errors import EngineError
from engine.generator import Model


@dataclass
class EvalResult:
    name: str
    chars: int          # characters scored (every in-vocabulary character after the first)
    bits: float
    skipped: dict

    @property
    def bpc(self) -> float:
        return self.bits / self.chars if self.chars else float("nan")

    def to_dict(self) -> dict:
        return {"name": self.name, "chars": self.chars, "bits_per_char": round(self.bpc, 4),
                "skipped_chars": sum(self.skipped.values()), "skipped": self.skipped}


def log_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits.astype(np.float64)
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def _chunks(model: Model, text: str, name: str, chunk: int):
    """(logits, targets) per chunk of `text`, the LSTM state carried across chunks (exactly like
    one long call), and the encoding report."""
    ids, report = model.encode(text)
    if len(ids) < 2:
        raise EngineError(f"{name}: need at least two in-vocabulary characters to score")
    arr = np.asarray(ids, np.int64)

    def run():
        state = model.runner.zero_state(1)
        for start in range(0, len(arr) - 1, chunk):
            x = arr[start:min(start + chunk, len(arr) - 1)]
            logits, state = model.runner.run(x[None, :], state)
            yield logits[0], arr[start + 1:start + 1 + len(x)]

    return run(), len(arr) - 1, report


def _bits(logits: np.ndarray, targets: np.ndarray, scale: float = 1.0) -> float:
    lp = log_softmax(logits * scale)
    return -float(lp[np.arange(len(targets)), targets].sum()) / math.log(2)


def evaluate_text(model: Model, text: str, name: str = "text", chunk: int = 1024,
                  keep: list | None = None) -> EvalResult:
    """Score text in chunks, carrying the LSTM state across chunks (exactly like one long call).
    `keep` collects each chunk's (logits, targets), for `fit_logit_scale` without a second run."""
    chunks, n, report = _chunks(model, text, name, chunk)
    bits = 0.0
    for lg, y in chunks:
        bits += _bits(lg, y)
        if keep is not None:
            keep.append((lg, y))
    return EvalResult(name, n, bits, report.skipped)


@dataclass
class ScaleFit:
    scale: float        # multiply the logits by this (1 / temperature)
    bpc_before: float
    bpc_after: float


def fit_logit_scale(parts: list[tuple[np.ndarray, np.ndarray]]) -> ScaleFit:
    """The logit scale that minimises bits/char on scored text (the (logits, targets) chunks
    `evaluate_text(..., keep=parts)` collected): temperature scaling, the standard calibration of
    an over-confident model. Fit it on validation text, never on the test split; `charstream
    export --logit-scale` folds it into the output layer."""
    chars = sum(len(y) for _lg, y in parts)

    def bpc(scale: float) -> float:
        return sum(_bits(lg, y, scale) for lg, y in parts) / chars

    # bits/char is convex in the scale: a coarse grid, then a golden-section refinement
    grid = np.linspace(0.25, 2.0, 36)
    best = float(grid[int(np.argmin([bpc(s) for s in grid]))])
    lo, hi = best - 0.05, best + 0.05
    g = (math.sqrt(5) - 1) / 2
    for _ in range(25):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        if bpc(a) < bpc(b):
            hi = b
        else:
            lo = a
    scale = round((lo + hi) / 2, 4)
    return ScaleFit(scale, bpc(1.0), bpc(scale))


def combine(results: list[EvalResult]) -> EvalResult:
    skipped: dict[str, int] = {}
    for r in results:
        for ch, n in r.skipped.items():
            skipped[ch] = skipped.get(ch, 0) + n
    return EvalResult("total", sum(r.chars for r in results), sum(r.bits for r in results), skipped)


def drop_tail(text: str, fraction: float) -> str:
    """The text without its last `fraction`: what `charstream train --exclude-tail` trains on."""
    if not 0 <= fraction < 1:
        raise EngineError("--drop-tail must be in [0, 1)")
    return text[: len(text) - int(len(text) * fraction)]


def tail(text: str, fraction: float) -> str:
    """The last `fraction` of a text: the project's held-out convention (last 10% of each file)."""
    if not 0 < fraction <= 1:
        raise EngineError("--tail must be in (0, 1]")
    if fraction == 1:
        return text
    return text[-max(1, int(len(text) * fraction)):]
