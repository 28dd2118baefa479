"""Sampling parameters of one stream; validated on every change so bad values never reach sampling."""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

from engine.errors import EngineError


@dataclass
class GeneratorParams:
    temperature: float = 0.5      # 0 = greedy (argmax)
    top_k: int = 0                # 0 = off
    top_p: float = 1.0            # nucleus mass in (0, 1]; 1 = off
    max_length: int = 500         # characters generated per reply; 0 = no limit
    stop: tuple[str, ...] = field(default_factory=tuple)  # e.g. ("}",) = end of a review
    rng_seed: int | None = None   # same seed, same params -> same text

    def __post_init__(self) -> None:
        self.stop = tuple(s for s in self.stop if s)
        validate(self)

    def with_changes(self, **changes) -> "GeneratorParams":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        return {f.name: (list(getattr(self, f.name)) if f.name == "stop" else getattr(self, f.name))
                for f in fields(self)}


def validate(p: GeneratorParams) -> None:
    t = p.temperature
    if not isinstance(t, (int, float)) or math.isnan(t) or math.isinf(t) or t < 0:
        raise EngineError(f"temperature must be a finite number >= 0 (0 = greedy), got {t!r}")
    if not isinstance(p.top_k, int) or isinstance(p.top_k, bool) or p.top_k < 0:
        raise EngineError(f"top-k must be an integer >= 0 (0 = off), got {p.top_k!r}")
    tp = p.top_p
    if not isinstance(tp, (int, float)) or math.isnan(tp) or not 0 < tp <= 1:
        raise EngineError(f"top-p must be in (0, 1] (1 = off), got {tp!r}")
    if not isinstance(p.max_length, int) or p.max_length < 0:
        raise EngineError(f"max length must be an integer >= 0 (0 = no limit), got {p.max_length!r}")
    if p.rng_seed is not None and (not isinstance(p.rng_seed, int) or p.rng_seed < 0):
        raise EngineError(f"RNG seed must be a non-negative integer, got {p.rng_seed!r}")
