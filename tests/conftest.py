import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPORA = os.path.join(os.path.dirname(ROOT), "shared", "corpora")

from tests.onnx_builder import write_model  # noqa: E402


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory) -> str:
    """A random two-layer contract model built with the onnx helper API (no TensorFlow)."""
    return write_model(tmp_path_factory.mktemp("models") / "tiny.onnx")


@pytest.fixture(scope="session")
def corpora_dir() -> str:
    if not os.path.isdir(CORPORA):
        pytest.skip("../shared/corpora is not present")
    return CORPORA


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own CHARSTREAM_HOME: no test touches the user's data folder."""
    monkeypatch.setenv("CHARSTREAM_HOME", str(tmp_path / "home"))
