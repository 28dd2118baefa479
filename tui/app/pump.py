"""Moves characters from a generator running in a worker thread to the UI, at most 30 times a
second: the worker only enqueues; the UI drains on a timer and once more when the stream ends,
so no character is lost or shown twice and widgets are only touched on the UI thread."""
from __future__ import annotations

import queue
import time
from typing import Callable

from engine.generator import Token

FRAME_S = 1 / 30


class StreamPump:
    def __init__(self, node, generator, on_tokens: Callable[[list[Token]], None],
                 on_done: Callable[[str], None], clock: Callable[[], float] = time.monotonic):
        self.node = node
        self.generator = generator
        self.on_tokens = on_tokens
        self.on_done = on_done
        self.clock = clock
        self.queue: queue.SimpleQueue[Token] = queue.SimpleQueue()
        self.chars = 0
        self.running = False
        self._t0 = 0.0
        self._timer = None
        self.worker = None

    def start(self) -> None:
        self.running = True
        self._t0 = self.clock()
        self.chars = 0
        self._timer = self.node.set_interval(FRAME_S, self.drain)
        self.worker = self.node.run_worker(self._produce, thread=True, group="stream",
                                           exit_on_error=False)

    def _produce(self) -> None:  # worker thread: never touches widgets
        reason = "finished"
        try:
            for token in self.generator.stream():
                self.queue.put(token)
            if self.generator.cancelled:
                reason = "stopped"
        except Exception as exc:  # noqa: BLE001 - shown to the user, not raised in a thread
            reason = f"error: {exc}"
        try:
            self.node.app.call_from_thread(self._finish, reason)
        except RuntimeError:  # the app is already shutting down
            pass

    def drain(self) -> None:
        tokens = []
        while True:
            try:
                tokens.append(self.queue.get_nowait())
            except queue.Empty:
                break
        if tokens:
            self.chars += len(tokens)
            self.on_tokens(tokens)

    @property
    def rate(self) -> float:
        elapsed = self.clock() - self._t0
        return self.chars / elapsed if elapsed > 0 else 0.0

    def stop(self) -> None:
        self.generator.cancel()

    def _finish(self, reason: str) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.drain()  # the final flush: whatever arrived after the last frame
        self.running = False
        self.on_done(reason)
