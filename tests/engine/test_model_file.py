import onnx
import pytest

from engine import EngineError, load_model, read_model_info
from tests.onnx_builder import build_lstm_model


def test_metadata_round_trip(tiny_model_path):
    info = read_model_info(tiny_model_path)
    assert info.layers == [16, 8]
    assert info.lowercase is True
    assert "{" in info.vocab and info.start_text == "{"
    assert info.training["best_val_bpc"] == 3.5


def test_missing_file(tmp_path):
    with pytest.raises(EngineError, match="not found"):
        load_model(str(tmp_path / "nope.onnx"), "cpu")


def test_truncated_file(tiny_model_path, tmp_path):
    data = open(tiny_model_path, "rb").read()
    bad = tmp_path / "cut.onnx"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(EngineError, match="not a valid ONNX model"):
        load_model(str(bad), "cpu")


def test_text_file_is_not_a_model(tmp_path):
    bad = tmp_path / "notes.onnx"
    bad.write_text("hello")
    with pytest.raises(EngineError, match="not a valid ONNX model"):
        load_model(str(bad), "cpu")


def test_onnx_without_charstream_metadata(tmp_path):
    model = build_lstm_model(list("abc"), [4])
    del model.metadata_props[:]
    path = tmp_path / "plain.onnx"
    onnx.save(model, str(path))
    with pytest.raises(EngineError, match="not a charstream model"):
        load_model(str(path), "cpu")
