"""One graph call with explicit recurrent state, through I/O binding.

States live on the execution device between calls (on CUDA they never travel to the host);
only ids go in and logits come out. Stepping one character reuses two pre-allocated state
buffer sets, written alternately, so a stream allocates nothing per character.
"""
from __future__ import annotations

import numpy as np

from engine import contract
from engine.session import CUDA


class State:
    """Recurrent state of a batch of streams: one OrtValue per h_i / c_i tensor."""

    def __init__(self, values: list, batch: int):
        self.values = values
        self.batch = batch


class Runner:
    def __init__(self, session, layers: list[int], vocab_size: int, provider: str):
        self.session = session
        self.layers = layers
        self.vocab_size = vocab_size
        self.device = "cuda" if provider == CUDA else "cpu"
        self.in_names = contract.state_inputs(len(layers))
        self.out_names = contract.state_outputs(len(layers))
        self._widths = [u for u in layers for _ in (0, 1)]

    def _ortvalue(self, array: np.ndarray, device: str | None = None):
        import onnxruntime as ort

        return ort.OrtValue.ortvalue_from_numpy(array, device or self.device, 0)

    def _empty(self, shape, dtype, device: str | None = None):
        import onnxruntime as ort

        return ort.OrtValue.ortvalue_from_shape_and_type(list(shape), dtype, device or self.device, 0)

    def zero_state(self, batch: int) -> State:
        return State([self._ortvalue(np.zeros((batch, w), np.float32)) for w in self._widths], batch)

    def run(self, ids: np.ndarray, state: State, into: list | None = None) -> tuple[np.ndarray, State]:
        """ids [batch, time] -> logits [batch, time, vocab] (host) and the new state, written into
        the given state buffers (`into`) or freshly allocated ones."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        binding = self.session.io_binding()
        binding.bind_cpu_input(contract.INPUT_IDS, ids)
        for name, value in zip(self.in_names, state.values):
            binding.bind_ortvalue_input(name, value)
        logits = self._empty((ids.shape[0], ids.shape[1], self.vocab_size), np.float32, "cpu")
        binding.bind_ortvalue_output(contract.OUTPUT_LOGITS, logits)
        new_values = into if into is not None else \
            [self._empty((ids.shape[0], w), np.float32) for w in self._widths]
        for name, value in zip(self.out_names, new_values):
            binding.bind_ortvalue_output(name, value)
        self.session.run_with_iobinding(binding)
        return logits.numpy(), State(new_values, ids.shape[0])


class StepBuffers:
    """Pre-bound buffers for one-character steps of a fixed batch (owned by one generator)."""

    def __init__(self, runner: Runner, batch: int):
        self.runner = runner
        self.batch = batch
        self.ids = np.zeros((batch, 1), np.int64)
        self._ids_value = runner._ortvalue(self.ids, "cpu")
        self._logits = runner._empty((batch, 1, runner.vocab_size), np.float32, "cpu")
        self._sets = [[runner._empty((batch, w), np.float32) for w in runner._widths]
                      for _ in range(2)]
        self._bindings = []
        for src, dst in ((0, 1), (1, 0)):
            b = runner.session.io_binding()
            b.bind_ortvalue_input(contract.INPUT_IDS, self._ids_value)
            for name, value in zip(runner.in_names, self._sets[src]):
                b.bind_ortvalue_input(name, value)
            b.bind_ortvalue_output(contract.OUTPUT_LOGITS, self._logits)
            for name, value in zip(runner.out_names, self._sets[dst]):
                b.bind_ortvalue_output(name, value)
            self._bindings.append(b)

    def _source(self, state: State) -> int | None:
        for i, values in enumerate(self._sets):
            if state.values is values:
                return i
        return None

    def feed(self, ids: np.ndarray, state: State) -> tuple[np.ndarray, State]:
        """Any number of ids per stream (priming); the new state lands in a step buffer set,
        so the following steps start without copying it."""
        src = self._source(state)
        dst = 0 if src is None else 1 - src
        return self.runner.run(ids, state, into=self._sets[dst])

    def step(self, ids: np.ndarray, state: State) -> tuple[np.ndarray, State]:
        """Feed one id per stream; returns logits [batch, vocab] and the state after it."""
        src = self._source(state)
        if src is None:
            logits, new_state = self.feed(np.asarray(ids).reshape(self.batch, 1), state)
            return logits[:, 0, :], new_state
        self.ids[:, 0] = ids
        self._ids_value.update_inplace(self.ids)
        self.runner.session.run_with_iobinding(self._bindings[src])
        return self._logits.numpy()[:, 0, :], State(self._sets[1 - src], self.batch)
