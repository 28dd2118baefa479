"""`charstream bench`: latency of the stateful step against the notebook's window method."""
from __future__ import annotations

import resource
import statistics
import sys
import time

import numpy as np

from engine.generator import Generator, Model
from engine.params import GeneratorParams

WINDOW = 256


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1e3


class _Timer:
    """Collects per-call seconds of one measured action, after `warmup` untimed calls."""

    def __init__(self, action, warmup: int) -> None:
        self.action = action
        self.samples: list[float] = []
        for _ in range(warmup):
            action()

    def time(self, calls: int) -> list[float]:
        """Time `calls` calls; returns this block's samples."""
        block = []
        for _ in range(calls):
            t0 = time.perf_counter()
            self.action()
            block.append(time.perf_counter() - t0)
        self.samples.extend(block)
        return block


def _step_generator(model: Model, batch: int) -> Generator:
    gen = Generator(model, [GeneratorParams(temperature=0.8, rng_seed=i) for i in range(batch)])
    gen.prime("the food was")
    return gen


def bench_step(model: Model, batch: int, steps: int, warmup: int = 20) -> float:
    """Median milliseconds per generated character step (sampling included) at a given batch."""
    return _median_ms(_Timer(_step_generator(model, batch).generate_next, warmup).time(steps))


class _Window:
    """The classic notebook's method: every character re-runs the last 256 characters from a
    zero state (same ONNX session, so the ratio isolates the algorithm)."""

    def __init__(self, model: Model, seed_ids: list[int]) -> None:
        from engine.sampling import choose

        self._choose = choose
        self.runner = model.runner
        self.window = list(seed_ids[-WINDOW:])
        self.rng = np.random.default_rng(0)
        self.params = GeneratorParams(temperature=0.8)

    def next_char(self) -> None:
        logits, _ = self.runner.run(np.asarray(self.window, np.int64)[None, :],
                                    self.runner.zero_state(1))
        nxt = self._choose(logits[0, -1], self.params, self.rng)
        self.window = self.window[1:] + [nxt]


def seed_text(model: Model, length: int = WINDOW) -> str:
    """A realistic seed of exactly `length` in-vocabulary characters, sampled from the model."""
    gen = Generator(model, GeneratorParams(temperature=0.8, rng_seed=123))
    gen.prime("")
    text = model.info.start_text
    while len(text) < length:
        token = gen.generate_next()[0]
        text += token.char
    return text[:length]


def peak_memory_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def run_bench(model: Model, *, steps: int = 500, window_chars: int = 30, repeats: int = 15,
              rounds: int = 5) -> dict:
    """Interleave the measurements in `rounds` rounds (a block of batch-1 steps, batch-4 steps,
    a first character, window characters, then again), so a shared machine's speed drifting
    during the run affects every figure alike; the ratios are medians of per-round ratios."""
    seed = seed_text(model)
    ids, _ = model.encode(seed)
    gen1, gen4 = _step_generator(model, 1), _step_generator(model, 4)
    first_gen = Generator(model, GeneratorParams(temperature=0.8, rng_seed=0))
    window = _Window(model, ids)

    def first_char() -> None:
        first_gen.prime(seed)
        first_gen.generate_next()

    timers = {"b1": _Timer(gen1.generate_next, 20), "b4": _Timer(gen4.generate_next, 20),
              "first": _Timer(first_char, 2), "window": _Timer(window.next_char, 1)}
    per_round: dict[str, list[float]] = {"b4_over_b1": [], "speedup": []}
    for r in range(rounds):
        this = {
            "b1": timers["b1"].time(_share(steps, rounds, r)),
            "b4": timers["b4"].time(_share(steps, rounds, r)),
            "first": timers["first"].time(_share(repeats, rounds, r)),
            "window": timers["window"].time(_share(window_chars, rounds, r)),
        }
        if this["b1"] and this["b4"] and this["window"]:
            b1_r = statistics.median(this["b1"])
            per_round["b4_over_b1"].append(statistics.median(this["b4"]) / b1_r)
            per_round["speedup"].append(statistics.median(this["window"]) / b1_r)
    b1, b4, first, win = (_median_ms(timers[k].samples) for k in ("b1", "b4", "first", "window"))
    ratio_b4 = statistics.median(per_round["b4_over_b1"]) if per_round["b4_over_b1"] else b4 / b1
    speedup = statistics.median(per_round["speedup"]) if per_round["speedup"] else win / b1
    return {
        "model": model.info.name,
        "layers": model.info.layers,
        "provider": model.provider,
        "rounds": rounds,
        "step_ms_batch1": round(b1, 4),
        "step_ms_batch4": round(b4, 4),
        "batch4_over_batch1": round(ratio_b4, 3),
        "chars_per_s_batch1": round(1e3 / b1, 1),
        "chars_per_s_batch4": round(4e3 / b4, 1),
        "first_char_ms_after_256_seed": round(first, 3),
        "window_method_ms_per_char": round(win, 3),
        "speedup_vs_window": round(speedup, 1),
        # Inside one 256-character call ONNX Runtime batches each layer's input projection over
        # time, so a character there costs less than a one-character call: the speed-up over
        # the window method cannot exceed 256 x (this / step_ms_batch1).
        "in_call_ms_per_char": round(win / WINDOW, 4),
        "peak_memory_mb": round(peak_memory_mb(), 1),
    }


def _share(total: int, rounds: int, r: int) -> int:
    """Round r's part of `total`, spread so the parts add up exactly."""
    return total * (r + 1) // rounds - total * r // rounds


def render(result: dict) -> str:
    return "\n".join([
        f"model {result['model']} {result['layers']} on {result['provider']} "
        f"({result['rounds']} interleaved rounds; ratios are medians of per-round ratios)",
        f"  stateful step, batch 1:   {result['step_ms_batch1']:.3f} ms/char  "
        f"({result['chars_per_s_batch1']:,.0f} chars/s)",
        f"  stateful step, batch 4:   {result['step_ms_batch4']:.3f} ms/step "
        f"({result['batch4_over_batch1']:.2f}x batch 1; {result['chars_per_s_batch4']:,.0f} chars/s)",
        f"  first char after a 256-char seed: {result['first_char_ms_after_256_seed']:.2f} ms",
        f"  window method (notebook): {result['window_method_ms_per_char']:.2f} ms/char",
        f"  speed-up over the window method: {result['speedup_vs_window']:,.0f}x "
        f"(a character inside its 256-char call costs {result['in_call_ms_per_char']:.3f} ms)",
        f"  peak memory: {result['peak_memory_mb']:.0f} MB",
    ])


def bench_in_child(path: str, device: str, threads: int | None, steps: int) -> dict:
    """Benchmark a model in a fresh process, so its peak memory is its own (not the peak of the
    fp32 run and the quantisation that came before it in this process)."""
    import json
    import subprocess

    args = [sys.executable, "-m", "engine.bench", path, device, str(threads or 0), str(steps)]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        from engine.errors import EngineError

        raise EngineError(f"benchmark of {path} failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


if __name__ == "__main__":  # the child side of bench_in_child
    import json

    from engine.generator import load_model

    _path, _device, _threads, _steps = sys.argv[1:5]
    _model = load_model(_path, _device, int(_threads) or None)
    print(json.dumps(run_bench(_model, steps=int(_steps))))
