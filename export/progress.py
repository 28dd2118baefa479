"""Progress reporting for long work: a live bar on a terminal, periodic lines in a log file."""
from __future__ import annotations

import sys
import time


class Progress:
    """Steps with chars/s and loss; on a non-terminal it prints a line every `every_s` seconds."""

    def __init__(self, total: int, label: str, *, every_s: float = 30.0, stream=None):
        self.stream = stream or sys.stderr
        self.total = total
        self.label = label
        self.every_s = every_s
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._t0 = time.monotonic()
        self._last = 0.0
        self.done = 0
        self.chars = 0

    def update(self, steps: int, chars: int, **fields: float) -> None:
        self.done += steps
        self.chars += chars
        now = time.monotonic()
        if not self.tty and now - self._last < self.every_s and self.done < self.total:
            return
        if self.tty and now - self._last < 0.1 and self.done < self.total:
            return
        self._last = now
        self.stream.write(("\r" if self.tty else "") + self._line(now, fields) + ("" if self.tty else "\n"))
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()

    @property
    def chars_per_s(self) -> float:
        return self.chars / max(time.monotonic() - self._t0, 1e-9)

    def _line(self, now: float, fields: dict) -> str:
        width = 24
        frac = self.done / max(self.total, 1)
        bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
        rate = self.chars_per_s
        eta = (now - self._t0) / max(frac, 1e-9) * (1 - frac) if self.done else 0.0
        extra = " ".join(f"{k} {v:.3f}" for k, v in fields.items())
        return (f"{self.label} [{bar}] {self.done}/{self.total} {rate:,.0f} chars/s "
                f"eta {eta / 60:.1f} min {extra}")
