"""Execution-provider choice and ONNX Runtime session set-up, tuned for one-character latency."""
from __future__ import annotations

import contextlib
import os
import sys

from engine.errors import EngineError

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
CUDA_FALLBACK_NOTICE = "CUDA unavailable: running on CPU"


def provider_plan(device: str, available: list[str], driver: bool = True) -> list[str]:
    """Providers to try, in order. `auto` wants CUDA when ONNX Runtime lists it and an NVIDIA
    driver is present (it may still fail to start it: the caller checks which provider the
    session really got). onnxruntime-gpu lists CUDA even on machines without a GPU."""
    if device not in ("auto", "cuda", "cpu"):
        raise EngineError(f"unknown device {device!r}; choose auto, cuda or cpu")
    if device == "cpu":
        return [CPU]
    if CUDA in available and driver:
        return [CUDA, CPU]
    if device == "cuda":
        why = "no NVIDIA driver found" if CUDA in available else \
            "this ONNX Runtime has no CUDA provider (install onnxruntime-gpu)"
        raise EngineError(f"CUDA requested but unavailable: {why}")
    return [CPU]


def nvidia_driver_present() -> bool:
    """libcuda is the driver's library: without it CUDA cannot start, and trying only makes
    ONNX Runtime print pages of load errors."""
    import ctypes
    import sys

    names = ["nvcuda.dll"] if sys.platform == "win32" else ["libcuda.so.1", "libcuda.so"]
    for name in names:
        try:
            ctypes.CDLL(name)
            return True
        except OSError:
            continue
    return False


def resolve_outcome(device: str, cuda_listed: bool, used: list[str]) -> tuple[str, str | None]:
    """(provider really in use, one-line notice for the user or None). Never claims CUDA when
    ONNX Runtime silently fell back to CPU."""
    actual = used[0] if used else CPU
    if device == "cuda" and actual != CUDA:
        raise EngineError("CUDA requested but ONNX Runtime could not start it (no GPU, driver or "
                          "CUDA/cuDNN libraries); use --device auto or cpu")
    if device == "auto" and cuda_listed and actual != CUDA:
        return actual, CUDA_FALLBACK_NOTICE
    return actual, None


def session_options(threads: int | None = None, spin: bool = True):
    """Latency-tuned options. `spin=False` stops ONNX Runtime's idle threads from busy-waiting
    between calls: on a small machine they would take the cores an interactive UI needs."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.intra_op_num_threads = threads or default_threads()
    opts.inter_op_num_threads = 1
    opts.enable_mem_pattern = True
    opts.enable_cpu_mem_arena = True
    opts.log_severity_level = 3  # errors only: provider fallback is reported by us in one line
    if not spin:
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return opts


def default_threads() -> int:
    env = os.environ.get("CHARSTREAM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(4, os.cpu_count() or 1))


def open_session(path: str, device: str = "auto", threads: int | None = None, spin: bool = True):
    """-> (InferenceSession, provider in use, notice or None)."""
    import onnxruntime as ort

    if not os.path.exists(path):
        raise EngineError(f"model file not found: {path}")
    if os.path.isdir(path):
        raise EngineError(f"model path is a folder, not an .onnx file: {path}")
    available = ort.get_available_providers()
    driver = device != "cpu" and CUDA in available and nvidia_driver_present()
    plan = provider_plan(device, available, driver)
    ort.set_default_logger_severity(3)
    with silenced_output(enabled=CUDA in plan):
        if CUDA in plan and hasattr(ort, "preload_dlls"):
            try:
                ort.preload_dlls()  # CUDA/cuDNN from pip wheels, when installed that way
            except Exception:  # noqa: BLE001 - a failed preload just means no CUDA
                pass
        try:
            session = ort.InferenceSession(path, session_options(threads, spin), providers=plan)
        except Exception as exc:  # onnxruntime raises several types for bad files
            text = str(exc).strip()
            first = text.splitlines()[0] if text else exc.__class__.__name__
            raise EngineError(f"cannot load {path}: not a valid ONNX model (truncated or "
                              f"corrupt?): {first[:160]}") from None
    provider, notice = resolve_outcome(device, CUDA in available and device == "auto",
                                       session.get_providers())
    return session, provider, notice


@contextlib.contextmanager
def silenced_output(enabled: bool = True):
    """Point fds 1 and 2 at /dev/null while CUDA libraries load: their loaders print straight
    to the terminal. Only used around a CUDA attempt, which happens before any UI draws."""
    if not enabled:
        yield
        return
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)
