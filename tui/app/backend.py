"""What the app needs from a model, behind one small interface: the real engine in use, fake
scripted/endless/hanging streams in tests (tests/tui/fakes.py implements the same shape)."""
from __future__ import annotations

from typing import Protocol, Sequence

from engine import Generator, GeneratorParams, load_model


class Backend(Protocol):
    name: str
    path: str
    provider: str           # the execution provider really in use
    notice: str | None      # e.g. "CUDA unavailable: running on CPU"
    vocab: list[str]

    def generator(self, params: Sequence[GeneratorParams]) -> Generator: ...


class EngineBackend:
    def __init__(self, path: str | None, device: str = "auto"):
        # no busy-waiting ONNX Runtime threads: the UI thread needs a core to stay responsive
        self.model = load_model(path, device, spin=False)
        self.path = self.model.info.path
        self.name = self.model.info.name
        self.provider = self.model.provider
        self.notice = self.model.notice
        self.vocab = self.model.info.vocab
        self.info = self.model.info

    def generator(self, params: Sequence[GeneratorParams]) -> Generator:
        return Generator(self.model, list(params))


def short_provider(provider: str) -> str:
    return {"CUDAExecutionProvider": "CUDA", "CPUExecutionProvider": "CPU"}.get(
        provider, provider.replace("ExecutionProvider", ""))
