import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from export import checkpoint as ckpt_io
from export.config import TrainConfig
from export.errors import UserError
from export.train import epoch_batches, train


def metrics(run):
    with open(os.path.join(run, "metrics.jsonl")) as fh:
        return [json.loads(line) for line in fh]


def test_training_lowers_the_loss(corpus_file, tiny_cfg, tmp_path):
    tiny_cfg.epochs = 3
    result = train([corpus_file], str(tmp_path / "run"), tiny_cfg, quiet=True)
    rows = metrics(result.out_dir)
    assert len(rows) == 3
    assert rows[-1]["val_bpc"] < rows[0]["val_bpc"] < 6.0
    assert rows[-1]["train_bpc"] < rows[0]["train_bpc"]
    assert set(rows[0]["samples"]) == {"0.2", "0.4", "0.6", "0.8"}
    assert os.path.exists(os.path.join(result.out_dir, ckpt_io.BEST))


def test_batches_depend_only_on_seed_and_epoch(tiny_cfg):
    a = epoch_batches(5000, tiny_cfg, 1)
    assert np.array_equal(a, epoch_batches(5000, tiny_cfg, 1))
    assert not np.array_equal(a, epoch_batches(5000, tiny_cfg, 2))


def test_stateful_batches_continue_each_row_where_the_last_batch_stopped(tiny_cfg):
    cfg = TrainConfig(**{**tiny_cfg.to_dict(), "stateful": True})
    starts = epoch_batches(5000, cfg, 1)
    assert np.array_equal(starts, epoch_batches(5000, cfg, 1))
    assert starts.shape[1] == cfg.batch_size
    assert (np.diff(starts, axis=0) == cfg.seq_len).all()  # row b: consecutive windows
    assert starts.max() + cfg.seq_len + 1 <= 5000          # every window fits in the text
    # rows are disjoint slices covering most of the text
    assert starts[0, 1] - starts[0, 0] >= starts.shape[0] * cfg.seq_len
    assert starts.size * cfg.seq_len > 0.8 * 5000


def test_stateful_training_carries_state_and_resumes_exactly(corpus_file, tiny_cfg, tmp_path,
                                                             monkeypatch):
    from export.model import zero_states
    from export.train import Trainer

    cfg = TrainConfig(**{**tiny_cfg.to_dict(), "stateful": True, "batch_size": 4})
    straight = train([corpus_file], str(tmp_path / "a"), cfg, quiet=True)
    a = ckpt_io.load(os.path.join(straight.out_dir, ckpt_io.CHECKPOINT))
    assert len(a.carry) == 2 and a.carry[0].shape == (4, 24) and np.abs(a.carry[0]).max() > 0
    with monkeypatch.context() as m:  # the same batches, every one from the zero state
        m.setattr(Trainer, "_states_for", lambda self, batch: zero_states(self.cfg.layers, batch))
        forgetful = train([corpus_file], str(tmp_path / "f"), TrainConfig(**cfg.to_dict()),
                          quiet=True)
    f = ckpt_io.load(os.path.join(forgetful.out_dir, ckpt_io.CHECKPOINT))
    assert max(float(np.abs(wa - wf).max()) for wa, wf in zip(a.weights, f.weights)) > 1e-3
    steps_per_epoch = straight.steps // cfg.epochs
    cut = str(tmp_path / "b")
    train([corpus_file], cut, TrainConfig(**cfg.to_dict()), quiet=True,
          stop_after_steps=steps_per_epoch // 2)
    mid = ckpt_io.load(os.path.join(cut, ckpt_io.CHECKPOINT))
    assert len(mid.carry) == 2  # the state the next batch continues from is saved
    train([], cut, cfg, resume=True, quiet=True)
    b = ckpt_io.load(os.path.join(cut, ckpt_io.CHECKPOINT))
    for wa, wb in zip(a.weights + a.optimizer, b.weights + b.optimizer):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)


def test_resume_after_interruption_matches_an_uninterrupted_run(corpus_file, tiny_cfg, tmp_path):
    straight = train([corpus_file], str(tmp_path / "a"), tiny_cfg, quiet=True)
    steps_per_epoch = straight.steps // tiny_cfg.epochs
    # interrupted mid-epoch 1, then resumed (twice, to cross an epoch boundary too)
    cut = str(tmp_path / "b")
    train([corpus_file], cut, TrainConfig(**tiny_cfg.to_dict()), quiet=True,
          stop_after_steps=steps_per_epoch // 2)
    train([], cut, tiny_cfg, resume=True, quiet=True, stop_after_steps=steps_per_epoch)
    resumed = train([], cut, tiny_cfg, resume=True, quiet=True)
    assert resumed.steps == straight.steps
    a = ckpt_io.load(os.path.join(straight.out_dir, ckpt_io.CHECKPOINT))
    b = ckpt_io.load(os.path.join(cut, ckpt_io.CHECKPOINT))
    for wa, wb in zip(a.weights + a.optimizer, b.weights + b.optimizer):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)
    for ra, rb in zip(metrics(straight.out_dir), metrics(cut)):
        assert ra["step"] == rb["step"] and ra["chars_trained"] == rb["chars_trained"]
        assert ra["train_bpc"] == pytest.approx(rb["train_bpc"], abs=1e-3)
        assert ra["val_bpc"] == pytest.approx(rb["val_bpc"], abs=1e-3)
        assert ra["lr"] == pytest.approx(rb["lr"])


def test_ctrl_c_saves_a_checkpoint_and_resume_finishes(corpus_file, tmp_path):
    out = str(tmp_path / "run")
    cmd = [sys.executable, "-m", "tui", "train", corpus_file, "--out", out, "--layers", "24",
           "--embedding-dim", "8", "--seq-len", "16", "--batch-size", "4", "--epochs", "50",
           "--checkpoint-every", "10"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 90
    ckpt = os.path.join(out, ckpt_io.CHECKPOINT)
    while not os.path.exists(ckpt) and time.time() < deadline:
        time.sleep(0.2)
    assert os.path.exists(ckpt), "no periodic checkpoint appeared"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "charstream train --resume --out" in err and "Traceback" not in err
    step = ckpt_io.load(ckpt).meta["step"]
    assert step >= 10
    done = subprocess.run([sys.executable, "-m", "tui", "train", "--resume", "--out", out,
                           "--epochs", "1"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    meta = ckpt_io.load(ckpt).meta
    assert meta["finished"] and meta["step"] >= step


def test_init_from_starts_from_the_given_weights(corpus_file, tiny_cfg, tmp_path):
    base = train([corpus_file], str(tmp_path / "base"), tiny_cfg, quiet=True)
    best = ckpt_io.load(os.path.join(base.out_dir, ckpt_io.BEST))
    cfg = TrainConfig(**tiny_cfg.to_dict())
    cfg.learning_rate = 1e-12
    tuned = str(tmp_path / "tuned")
    other = tmp_path / "other.txt"
    other.write_text("{the pizza was great.} {the salad was cold.}" * 40, encoding="utf-8")
    train([str(other)], tuned, cfg, init_from=base.out_dir, quiet=True, stop_after_steps=1)
    after = ckpt_io.load(os.path.join(tuned, ckpt_io.CHECKPOINT))
    for wa, wb in zip(best.weights, after.weights):
        np.testing.assert_allclose(wa, wb, atol=1e-6)
    assert after.meta["vocab"] == best.meta["vocab"]  # subset corpus: mapped onto base vocab


def test_init_from_refuses_unknown_characters(corpus_file, tiny_cfg, tmp_path):
    base = train([corpus_file], str(tmp_path / "base"), tiny_cfg, quiet=True)
    other = tmp_path / "other.txt"
    other.write_text("{zebra quiz: 42 xylophones!} " * 30, encoding="utf-8")
    with pytest.raises(UserError, match="does not know") as err:
        train([str(other)], str(tmp_path / "t"), TrainConfig(**tiny_cfg.to_dict()),
              init_from=base.out_dir, quiet=True)
    assert "q" in str(err.value) and "4" in str(err.value)


def test_init_from_another_architecture_is_refused(corpus_file, tiny_cfg, tmp_path):
    base = train([corpus_file], str(tmp_path / "base"), tiny_cfg, quiet=True)
    cfg = TrainConfig(**tiny_cfg.to_dict())
    cfg.layers = [32, 32]
    with pytest.raises(UserError, match="another architecture"):
        train([corpus_file], str(tmp_path / "t"), cfg, init_from=base.out_dir, quiet=True)
