import pytest

from engine.errors import EngineError
from engine.session import CPU, CUDA, CUDA_FALLBACK_NOTICE, provider_plan, resolve_outcome


def test_cpu_is_cpu_only():
    assert provider_plan("cpu", [CUDA, CPU]) == [CPU]


def test_auto_tries_cuda_then_cpu_when_listed_with_a_driver():
    assert provider_plan("auto", [CUDA, CPU], driver=True) == [CUDA, CPU]


def test_auto_skips_cuda_without_a_driver():
    assert provider_plan("auto", [CUDA, CPU], driver=False) == [CPU]
    assert provider_plan("auto", [CPU]) == [CPU]


def test_cuda_request_without_cuda_is_a_clear_error():
    with pytest.raises(EngineError, match="no NVIDIA driver"):
        provider_plan("cuda", [CUDA, CPU], driver=False)
    with pytest.raises(EngineError, match="onnxruntime-gpu"):
        provider_plan("cuda", [CPU])


def test_unknown_device():
    with pytest.raises(EngineError, match="unknown device"):
        provider_plan("tpu", [CPU])


def test_outcome_never_claims_cuda_after_a_silent_fallback():
    provider, notice = resolve_outcome("auto", True, [CPU])
    assert provider == CPU and notice == CUDA_FALLBACK_NOTICE
    assert resolve_outcome("auto", True, [CUDA, CPU]) == (CUDA, None)
    assert resolve_outcome("auto", False, [CPU]) == (CPU, None)
    with pytest.raises(EngineError, match="could not start"):
        resolve_outcome("cuda", True, [CPU])


def test_auto_on_this_machine_reports_the_provider_in_use(tiny_model_path, capfd):
    from engine import load_model
    import onnxruntime as ort

    model = load_model(tiny_model_path, "auto")
    assert model.provider == model.session.get_providers()[0]
    out, err = capfd.readouterr()
    assert "Failed to load" not in out + err  # no ONNX Runtime log spam on the terminal
    if CUDA in ort.get_available_providers() and model.provider == CPU:
        assert model.notice == CUDA_FALLBACK_NOTICE
