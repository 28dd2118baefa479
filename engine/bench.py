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


def bench_step(model: Model, batch: int, steps: int, warmup: int = 20) -> float:
    """Median seconds per generated character step (sampling included) at a given batch."""
    gen = Generator(model, [GeneratorParams(temperature=0.8, rng_seed=i) for i in range(batch)])
    gen.prime("the food was")
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        gen.generate_next()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return _median_ms(times)


def bench_first_char(model: Model, seed: str, repeats: int) -> float:
    """Prime a seed in one call and produce the first character: what a user waits for."""
    gen = Generator(model, GeneratorParams(temperature=0.8, rng_seed=0))
    times = []
    for _ in range(repeats + 2):
        t0 = time.perf_counter()
        gen.prime(seed)
        gen.generate_next()
        times.append(time.perf_counter() - t0)
    return _median_ms(times[2:])


def bench_window(model: Model, seed_ids: list[int], chars: int) -> float:
    """The classic notebook's method: every character re-runs the last 256 characters from a
    zero state (same ONNX session, so the ratio isolates the algorithm)."""
    runner = model.runner
    window = list(seed_ids[-WINDOW:])
    rng = np.random.default_rng(0)
    params = GeneratorParams(temperature=0.8)
    from engine.sampling import choose

    times = []
    for i in range(chars + 1):
        t0 = time.perf_counter()
        logits, _ = runner.run(np.asarray(window, np.int64)[None, :], runner.zero_state(1))
        nxt = choose(logits[0, -1], params, rng)
        window = window[1:] + [nxt]
        if i:
            times.append(time.perf_counter() - t0)
    return _median_ms(times)


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


def run_bench(model: Model, *, steps: int = 500, window_chars: int = 30, repeats: int = 15) -> dict:
    seed = seed_text(model)
    ids, _ = model.encode(seed)
    b1 = bench_step(model, 1, steps)
    b4 = bench_step(model, 4, steps)
    first = bench_first_char(model, seed, repeats)
    window = bench_window(model, ids, window_chars)
    return {
        "model": model.info.name,
        "layers": model.info.layers,
        "provider": model.provider,
        "step_ms_batch1": round(b1, 4),
        "step_ms_batch4": round(b4, 4),
        "batch4_over_batch1": round(b4 / b1, 3),
        "chars_per_s_batch1": round(1e3 / b1, 1),
        "chars_per_s_batch4": round(4e3 / b4, 1),
        "first_char_ms_after_256_seed": round(first, 3),
        "window_method_ms_per_char": round(window, 3),
        "speedup_vs_window": round(window / b1, 1),
        # Inside one 256-character call ONNX Runtime batches each layer's input projection over
        # time, so a character there costs less than a one-character call: the speed-up over
        # the window method cannot exceed 256 x (this / step_ms_batch1).
        "in_call_ms_per_char": round(window / WINDOW, 4),
        "peak_memory_mb": round(peak_memory_mb(), 1),
    }


def render(result: dict) -> str:
    return "\n".join([
        f"model {result['model']} {result['layers']} on {result['provider']}",
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
