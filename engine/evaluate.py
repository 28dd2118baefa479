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


def evaluate_text(model: Model, text: str, name: str = "text", chunk: int = 1024) -> EvalResult:
    """Score text in chunks, carrying the LSTM state across chunks (exactly like one long call)."""
    ids, report = model.encode(text)
    if len(ids) < 2:
        raise EngineError(f"{name}: need at least two in-vocabulary characters to score")
    arr = np.asarray(ids, np.int64)
    state = model.runner.zero_state(1)
    bits = 0.0
    for start in range(0, len(arr) - 1, chunk):
        x = arr[start:min(start + chunk, len(arr) - 1)]
        y = arr[start + 1:start + 1 + len(x)]
        logits, state = model.runner.run(x[None, :], state)
        lp = log_softmax(logits[0])
        bits -= float(lp[np.arange(len(y)), y].sum()) / math.log(2)
    return EvalResult(name, len(arr) - 1, bits, report.skipped)


def combine(results: list[EvalResult]) -> EvalResult:
    skipped: dict[str, int] = {}
    for r in results:
        for ch, n in r.skipped.items():
            skipped[ch] = skipped.get(ch, 0) + n
    return EvalResult("total", sum(r.chars for r in results), sum(r.bits for r in results), skipped)


def tail(text: str, fraction: float) -> str:
    """The last `fraction` of a text: the project's held-out convention (last 10% of each file)."""
    if not 0 < fraction <= 1:
        raise EngineError("--tail must be in (0, 1]")
    if fraction == 1:
        return text
    return text[-max(1, int(len(text) * fraction)):]
