"""The streaming generator (shaped like onnxruntime-genai): params + prime + generate_next loop.

    model = load_model("models/yelp-reviews.onnx")
    gen = Generator(model, GeneratorParams(temperature=0.5, stop=("}",)))
    gen.prime("the pizza was")
    for token in gen.stream():
        print(token.char, end="", flush=True)

Parameters may be replaced between any two characters (`set_params`); the next character uses
them. `cancel()` is safe from another thread and leaves the generator ready for more.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np

from engine.errors import EngineError
from engine.model_file import ModelInfo, info_from_session
from engine.params import GeneratorParams, validate
from engine.runner import Runner, State, StepBuffers
from engine.sampling import choose_rows, probabilities_of
from engine.session import open_session


@dataclass
class Token:
    stream: int
    char: str
    id: int
    prob: float   # the model's own probability of this character (temperature 1)


@dataclass
class PrimeReport:
    text: str                                      # the normalised seed actually fed
    skipped: dict[str, int] = field(default_factory=dict)  # out-of-vocabulary chars -> count

    @property
    def skipped_count(self) -> int:
        return sum(self.skipped.values())

    def notice(self) -> str | None:
        if not self.skipped:
            return None
        chars = ", ".join(repr(c) for c in self.skipped)
        return f"skipped {self.skipped_count} character(s) the model does not know: {chars}"


class Model:
    """A loaded charstream model: metadata, session and the provider really in use."""

    def __init__(self, info: ModelInfo, session, provider: str, notice: str | None):
        self.info = info
        self.session = session
        self.provider = provider
        self.notice = notice
        self.runner = Runner(session, info.layers, info.vocab_size, provider)
        self._index = {ch: i for i, ch in enumerate(info.vocab)}

    @property
    def device(self) -> str:
        return "cuda" if self.provider == "CUDAExecutionProvider" else "cpu"

    def normalise(self, text: str) -> str:
        text = text.replace("\r\n", "\n")
        return text.lower() if self.info.lowercase else text

    def encode(self, text: str) -> tuple[list[int], PrimeReport]:
        text = self.normalise(text)
        ids, kept, skipped = [], [], Counter()
        for ch in text:
            idx = self._index.get(ch)
            if idx is None:
                skipped[ch] += 1
            else:
                ids.append(idx)
                kept.append(ch)
        return ids, PrimeReport("".join(kept), dict(skipped))

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.info.vocab[i] for i in ids)


def load_model(path: str | None = None, device: str = "auto", threads: int | None = None,
               spin: bool = True) -> Model:
    """Open a charstream .onnx (default: the bundled model) on `device` (auto|cuda|cpu).
    Interactive callers pass spin=False (see engine.session.session_options)."""
    if path is None:
        from engine.bundled import default_model_path

        path = default_model_path()
    session, provider, notice = open_session(path, device, threads, spin)
    return Model(info_from_session(path, session), session, provider, notice)


class Generator:
    """N streams (one per params object) advanced together, one batched call per character."""

    def __init__(self, model: Model, params: GeneratorParams | Sequence[GeneratorParams] | None = None):
        if params is None:
            params = GeneratorParams()
        plist = [params] if isinstance(params, GeneratorParams) else list(params)
        if not plist:
            raise EngineError("a generator needs at least one params object")
        for p in plist:
            validate(p)
        self.model = model
        self.params: list[GeneratorParams] = plist
        self.batch = len(plist)
        self._buffers = StepBuffers(model.runner, self.batch)
        self._cancel = threading.Event()
        self._state: State | None = None
        self._logits: np.ndarray | None = None
        self._rngs = [np.random.default_rng(p.rng_seed) for p in plist]
        self._reset_counters()

    # -- parameters ------------------------------------------------------------------------
    def set_params(self, stream: int = 0, **changes) -> GeneratorParams:
        """Replace one stream's params (validated); the very next character uses them."""
        new = self.params[stream].with_changes(**changes)
        self.params[stream] = new
        return new

    # -- feeding -----------------------------------------------------------------------------
    def prime(self, text: str) -> PrimeReport:
        """Start over from `text` (the model's start text when empty), in one graph call."""
        ids, report = self.model.encode(text)
        if not ids:
            ids, start = self.model.encode(self.model.info.start_text)
            report = PrimeReport(start.text, report.skipped)
        self._rngs = [np.random.default_rng(p.rng_seed) for p in self.params]
        self._state = self.model.runner.zero_state(self.batch)
        self._feed(ids)
        self._reset_counters()
        return report

    def append_text(self, text: str) -> PrimeReport:
        """Feed more text after what the streams have seen (continue with the user's words)."""
        if self._state is None:
            return self.prime(text)
        ids, report = self.model.encode(text)
        if ids:
            self._feed(ids)
        self._reset_counters()
        return report

    def _feed(self, ids: list[int]) -> None:
        batch_ids = np.tile(np.asarray(ids, np.int64)[None, :], (self.batch, 1))
        logits, self._state = self._buffers.feed(batch_ids, self._state)
        self._logits = logits[:, -1, :]

    def _reset_counters(self) -> None:
        self._done = [False] * self.batch
        self._generated = [0] * self.batch
        self._tails = [""] * self.batch
        self._cancel.clear()

    def restart_streams(self) -> None:
        """Continue generating from the current state (after a stop or a finished reply)."""
        self._reset_counters()

    # -- generating --------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return all(self._done)

    def stream_done(self, stream: int) -> bool:
        return self._done[stream]

    def cancel(self) -> None:
        """Stop before the next character (thread-safe)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def generate_next(self) -> list[Token | None]:
        """One character per stream still running (None for finished ones), one graph call."""
        if self._state is None or self._logits is None:
            raise EngineError("prime the generator with a seed before generating")
        active = [b for b in range(self.batch) if not self._done[b]]
        ids = np.zeros(self.batch, np.int64)
        tokens: list[Token | None] = [None] * self.batch
        if active:
            logits = self._logits[active]
            picked = choose_rows(logits, [self.params[b] for b in active],
                                 [self._rngs[b] for b in active])
            model_probs = probabilities_of(logits, picked)
            ids[active] = picked
            for b, idx, prob in zip(active, picked.tolist(), model_probs.tolist()):
                char = self.model.info.vocab[idx]
                tokens[b] = Token(b, char, idx, prob)
                self._generated[b] += 1
                self._tails[b] = (self._tails[b] + char)[-64:]
                params = self.params[b]
                if (params.max_length and self._generated[b] >= params.max_length) or \
                        any(self._tails[b].endswith(s) for s in params.stop):
                    self._done[b] = True
        self._logits, self._state = self._buffers.step(ids, self._state)
        return tokens

    def stream(self) -> Iterator[Token]:
        """Tokens of all running streams, in stream order, until all are done or cancelled."""
        while not self.done and not self._cancel.is_set():
            for token in self.generate_next():
                if token is not None:
                    yield token
