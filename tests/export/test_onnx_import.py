"""--init-from a charstream .onnx file: the weights come back exactly as trained."""
import os

import numpy as np
import pytest

from engine.bundled import default_model_path
from export import checkpoint as ckpt_io
from export import onnx_export
from export.config import TrainConfig
from export.errors import UserError
from export.onnx_import import checkpoint_from_onnx
from export.train import train


def test_exported_weights_come_back_in_keras_order(trained_run, tmp_path):
    out = str(tmp_path / "m.onnx")
    onnx_export.export_run(trained_run, out)
    best = ckpt_io.load(os.path.join(trained_run, ckpt_io.BEST))
    back = checkpoint_from_onnx(out)
    assert len(back.weights) == len(best.weights)
    for original, imported in zip(best.weights, back.weights):
        np.testing.assert_allclose(imported, original, atol=1e-7)
    assert back.meta["vocab"] == best.meta["vocab"]
    assert back.meta["config"]["layers"] == [24, 16]
    assert back.meta["chars_trained"] == best.meta["chars_trained"]


def test_bundled_model_reexports_to_the_same_logits(tmp_path):
    """The bundled file (tf2onnx's older, heavier graph) -> Keras -> lean ONNX: same model."""
    from export.onnx_export import export_model, keras_from_checkpoint

    ck = checkpoint_from_onnx(default_model_path())
    model, cfg = keras_from_checkpoint(ck)
    out = str(tmp_path / "again.onnx")
    report = export_model(model, cfg, ck.meta["vocab"], ck.meta, out)
    assert report.ok  # Keras with the imported weights == the re-exported ONNX graph

    from engine import load_model

    a, b = load_model(default_model_path(), "cpu"), load_model(out, "cpu")
    ids = np.asarray([a.encode("{the pizza was cold but the staff were lovely.}")[0]], np.int64)
    la, _ = a.runner.run(ids, a.runner.zero_state(1))
    lb, _ = b.runner.run(ids, b.runner.zero_state(1))
    assert np.abs(la - lb).max() < 1e-4


def test_train_init_from_an_onnx_file_starts_from_its_weights(trained_run, tmp_path):
    out = str(tmp_path / "m.onnx")
    onnx_export.export_run(trained_run, out)
    best = ckpt_io.load(os.path.join(trained_run, ckpt_io.BEST))
    text = tmp_path / "more.txt"
    text.write_text("{the pizza was great.} {the salad was cold.}" * 40, encoding="utf-8")
    cfg = TrainConfig(layers=[24, 16], embedding_dim=8, seq_len=16, batch_size=16, epochs=1,
                      learning_rate=1e-12, checkpoint_every=0, sample_chars=20)
    tuned = str(tmp_path / "tuned")
    train([str(text)], tuned, cfg, init_from=out, quiet=True, stop_after_steps=1,
          arch_explicit=False)
    after = ckpt_io.load(os.path.join(tuned, ckpt_io.CHECKPOINT))
    for wa, wb in zip(best.weights, after.weights):
        np.testing.assert_allclose(wb, wa, atol=1e-6)
    assert after.meta["base"]["init_from"] == "m.onnx"


def test_int8_variants_and_foreign_files_are_refused(trained_run, tmp_path):
    from engine.quantize import quantize_int8

    out = str(tmp_path / "m.onnx")
    onnx_export.export_run(trained_run, out)
    q = str(tmp_path / "m.int8.onnx")
    quantize_int8(out, q)
    with pytest.raises(UserError, match="int8"):
        checkpoint_from_onnx(q)
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(UserError, match="cannot read"):
        checkpoint_from_onnx(str(junk))
