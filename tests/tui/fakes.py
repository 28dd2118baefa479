"""Fake model backends for TUI tests: scripted, endless and hanging streams (no ONNX needed)."""
from __future__ import annotations

import threading
import time

from engine.generator import PrimeReport, Token
from engine.params import GeneratorParams


class FakeGenerator:
    """Streams `script` per stream, then either finishes, repeats forever, or hangs until
    cancelled. Records the temperature in force for every character it emits."""

    def __init__(self, params, script: str, mode: str = "scripted", delay: float = 0.0,
                 vocab: set[str] | None = None):
        self.params: list[GeneratorParams] = list(params)
        self.script = script
        self.mode = mode
        self.delay = delay
        self.vocab = vocab
        self.batch = len(self.params)
        self.used_temperatures: list[float] = []
        self.emitted = [0] * self.batch
        self._cancel = threading.Event()
        self._done = [False] * self.batch

    def prime(self, text: str) -> PrimeReport:
        skipped: dict[str, int] = {}
        kept = []
        for ch in text.lower():
            if self.vocab is not None and ch not in self.vocab:
                skipped[ch] = skipped.get(ch, 0) + 1
            else:
                kept.append(ch)
        self.restart_streams()
        return PrimeReport("".join(kept) or "{", skipped)

    def set_params(self, stream: int = 0, **changes) -> GeneratorParams:
        self.params[stream] = self.params[stream].with_changes(**changes)
        return self.params[stream]

    def restart_streams(self) -> None:
        self._cancel.clear()
        self._done = [False] * self.batch

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        return all(self._done)

    def stream_done(self, stream: int) -> bool:
        return self._done[stream]

    def _char(self, b: int) -> str | None:
        n = self.emitted[b]
        if n < len(self.script):
            return self.script[n]
        if self.mode == "endless":
            return self.script[n % len(self.script)]
        return None

    def generate_next(self):
        tokens = []
        for b in range(self.batch):
            ch = None if self._done[b] else self._char(b)
            if ch is None:
                if self.mode == "hanging" and not self._done[b]:
                    self._cancel.wait()
                    tokens.append(None)
                    continue
                self._done[b] = True
                tokens.append(None)
                continue
            self.emitted[b] += 1
            self.used_temperatures.append(self.params[b].temperature)
            tokens.append(Token(b, ch, 0, 0.9 if ch != "x" else 0.01))
            p = self.params[b]
            if (p.max_length and self.emitted[b] >= p.max_length) or any(
                    self.script[: self.emitted[b]].endswith(s) for s in p.stop):
                self._done[b] = True
        if self.delay:
            time.sleep(self.delay)
        return tokens

    def stream(self):
        while not self.done and not self._cancel.is_set():
            for token in self.generate_next():
                if token is not None:
                    yield token


class FakeBackend:
    def __init__(self, script: str = "was great and the crust was perfect.}", mode: str = "scripted",
                 delay: float = 0.0, name: str = "fake-reviews", notice: str | None = None):
        self.script = script
        self.mode = mode
        self.delay = delay
        self.name = name
        self.path = "fake/" + name + ".onnx"
        self.provider = "CPUExecutionProvider"
        self.notice = notice
        self.vocab = list("\n !',.?abcdefghijklmnopqrstuvwxyz{}")
        self.generators: list[FakeGenerator] = []

    def generator(self, params):
        gen = FakeGenerator(params, self.script, self.mode, self.delay, set(self.vocab))
        self.generators.append(gen)
        return gen


class FakeClock:
    """Deterministic time for snapshot tests: a stream starts at 0 s and every later reading is
    1 s, so the chars/s shown equals the characters streamed, however many frames ran."""

    def __init__(self):
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return 0.0 if self.calls == 1 else 1.0
