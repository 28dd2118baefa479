import os

import numpy as np
import pytest

from engine import Generator, GeneratorParams, load_model, read_model_info
from export import checkpoint as ckpt_io
from export import onnx_export
from export.errors import UserError


def test_export_passes_parity_and_metadata_round_trips(trained_run, tmp_path):
    out = str(tmp_path / "m.onnx")
    report = onnx_export.export_run(trained_run, out)
    assert report.ok
    assert report.max_diff_one_call <= 1e-4 and report.max_diff_stepwise <= 1e-4
    assert report.greedy_equal and report.text_chars == 500 and report.greedy_chars == 200
    assert "LSTM" in report.ops  # a native LSTM op, not an unrolled loop
    # lean graph: no negative-id wrapping around the embedding, no Tensordot reshapes
    assert not {"Less", "Not", "Shape", "Reshape", "Loop"} & set(report.ops)
    info = read_model_info(out)
    best = ckpt_io.load(os.path.join(trained_run, ckpt_io.BEST))
    assert info.vocab == best.meta["vocab"]
    assert info.layers == [24, 16] and info.embedding_dim == 8 and info.lowercase
    assert info.training["best_val_bpc"] == pytest.approx(best.meta["best_val_bpc"], abs=1e-4)
    assert info.training["corpora"][0]["name"] == "reviews.txt"
    assert info.training["chars_trained"] == best.meta["chars_trained"]


def test_exported_model_streams_in_the_engine(trained_run, tmp_path):
    out = str(tmp_path / "m.onnx")
    onnx_export.export_run(trained_run, out)
    model = load_model(out, "cpu")
    gen = Generator(model, GeneratorParams(temperature=0, max_length=40))
    gen.prime("{the pizza")
    text = "".join(t.char for t in gen.stream())
    assert len(text) > 0 and set(text) <= set(model.info.vocab)


def test_refuses_to_overwrite_without_force(trained_run, tmp_path):
    out = tmp_path / "m.onnx"
    out.write_bytes(b"keep me")
    with pytest.raises(UserError, match="--force"):
        onnx_export.export_run(trained_run, str(out))
    assert out.read_bytes() == b"keep me"
    onnx_export.export_run(trained_run, str(out), force=True)
    assert out.read_bytes() != b"keep me"


def test_output_in_a_missing_folder(trained_run, tmp_path):
    with pytest.raises(UserError, match="output folder does not exist"):
        onnx_export.export_run(trained_run, str(tmp_path / "nope" / "m.onnx"))


def test_failed_verification_leaves_no_file(trained_run, tmp_path, monkeypatch):
    real = onnx_export.verify

    def broken(*args, **kw):
        result = real(*args, **kw)
        result["stepwise"] = 0.5
        return result

    monkeypatch.setattr(onnx_export, "verify", broken)
    out = tmp_path / "m.onnx"
    with pytest.raises(UserError, match="verification failed"):
        onnx_export.export_run(trained_run, str(out))
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_checkpoint_from_another_architecture_is_refused(trained_run, tmp_path):
    ck = ckpt_io.load(os.path.join(trained_run, ckpt_io.BEST))
    ck.meta["config"]["layers"] = [32, 16]
    bad = str(tmp_path / "bad.npz")
    ckpt_io.save(bad, ck)
    with pytest.raises(UserError, match="another architecture"):
        onnx_export.export_run(bad, str(tmp_path / "m.onnx"))


def test_logit_scale_is_folded_into_the_output_layer(trained_run, tmp_path):
    plain, scaled = str(tmp_path / "plain.onnx"), str(tmp_path / "scaled.onnx")
    onnx_export.export_run(trained_run, plain)
    report = onnx_export.export_run(trained_run, scaled, logit_scale=0.5)
    assert report.ok  # parity is checked against the scaled Keras model
    ids = np.array([[3, 5, 7, 2, 4]], np.int64)
    a, b = load_model(plain, "cpu"), load_model(scaled, "cpu")
    la, _ = a.runner.run(ids, a.runner.zero_state(1))
    lb, _ = b.runner.run(ids, b.runner.zero_state(1))
    np.testing.assert_allclose(lb, 0.5 * la, rtol=1e-5, atol=1e-6)
    assert read_model_info(scaled).training["logit_scale"] == 0.5
    assert "logit_scale" not in read_model_info(plain).training


def test_non_positive_logit_scale_is_refused(trained_run, tmp_path):
    with pytest.raises(UserError, match="logit-scale"):
        onnx_export.export_run(trained_run, str(tmp_path / "m.onnx"), logit_scale=0.0)
