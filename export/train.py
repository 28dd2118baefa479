"""Sequence-to-sequence training with exact resume (nanoGPT-style loop, Keras model, tf.data).

A run folder holds: config.json, metrics.jsonl, checkpoint.npz (latest position) and
best.npz (best validation bits/char). Every file is written atomically.
"""
from __future__ import annotations

import json
import math
import os
import signal
import sys
import time
from dataclasses import dataclass

import numpy as np

from engine.atomic import atomic_write_text
from export import checkpoint as ckpt_io
from export.config import TrainConfig, validate
from export.corpus import Corpus, load_corpus
from export.errors import UserError
from export.progress import Progress
from export.tf_quiet import import_tensorflow

DIVERSITIES = [0.2, 0.4, 0.6, 0.8]
LN2 = math.log(2)


@dataclass
class TrainResult:
    out_dir: str
    best_val_bpc: float
    steps: int
    finished: bool
    chars_per_s: float


def epoch_batches(n_ids: int, cfg: TrainConfig, epoch: int) -> np.ndarray:
    """Window starts for one epoch, shape [steps, batch]: a function of (seed, epoch) only,
    so a resumed run sees exactly the batches it would have seen.

    Shuffled windows by default; with `stateful`, row b of every batch is the next window of
    the b-th contiguous slice of the text (what carrying the state between batches needs)."""
    rng = np.random.default_rng([cfg.seed, epoch])
    span = cfg.seq_len + 1
    offset = int(rng.integers(0, cfg.seq_len)) if n_ids - span > cfg.seq_len else 0
    if cfg.stateful:
        batch = max(1, min(cfg.batch_size, (n_ids - offset - 1) // cfg.seq_len))
        length = (n_ids - offset - 1) // batch
        steps = length // cfg.seq_len
        rows = offset + np.arange(batch, dtype=np.int64) * length
        return rows[None, :] + np.arange(steps, dtype=np.int64)[:, None] * cfg.seq_len
    starts = np.arange(offset, n_ids - span + 1, cfg.seq_len, dtype=np.int64)
    starts = rng.permutation(starts)
    batch = min(cfg.batch_size, len(starts))
    steps = len(starts) // batch
    return starts[: steps * batch].reshape(steps, batch)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class Trainer:
    def __init__(self, cfg: TrainConfig, corpus: Corpus, out_dir: str, meta: dict):
        import keras
        import tensorflow as tf

        from export.keras_runtime import KerasStepper
        from export.model import build_model

        self.tf = tf
        self.cfg = cfg
        self.corpus = corpus
        self.out_dir = out_dir
        self.meta = meta
        keras.utils.set_random_seed(cfg.seed)
        self.model = build_model(cfg, len(corpus.vocab))
        self.train_ids = corpus.train_ids()
        self.val_ids = corpus.val_ids()
        self.steps_per_epoch = len(epoch_batches(len(self.train_ids), cfg, 0))
        total = max(1, self.steps_per_epoch * cfg.epochs)
        lr = keras.optimizers.schedules.CosineDecay(cfg.learning_rate, total, alpha=cfg.lr_floor)
        self.optimizer = keras.optimizers.Adam(lr, clipnorm=cfg.clipnorm)
        self.optimizer.build(self.model.trainable_variables)
        self.stepper = KerasStepper(self.model, cfg.layers)
        self._ids_const = tf.constant(self.train_ids)
        self._train_step = tf.function(self._step, reduce_retracing=True)
        self.carry: list[np.ndarray] = []  # states between batches (stateful runs only)
        self._t0 = time.monotonic()  # reset when the loop starts; elapsed_s accumulates across resumes

    # -- one optimisation step -------------------------------------------------------------
    def _step(self, x, y, states):
        tf = self.tf
        with tf.GradientTape() as tape:
            out = self.model([x, *states], training=True)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, out[0]))
        grads = tape.gradient(loss, self.model.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables))
        return loss, out[1:]

    def _states_for(self, batch: int) -> list[np.ndarray]:
        """Zeros, or (stateful) the states the previous batch of this epoch ended with."""
        from export.model import zero_states

        if self.cfg.stateful and self.meta["step_in_epoch"] > 0 and self.carry:
            return self.carry
        return zero_states(self.cfg.layers, batch)

    def dataset(self, epoch: int, skip: int):
        tf = self.tf
        starts = epoch_batches(len(self.train_ids), self.cfg, epoch)[skip:]
        offsets = tf.range(self.cfg.seq_len + 1, dtype=tf.int64)

        def windows(batch_starts):
            w = tf.gather(self._ids_const, batch_starts[:, None] + offsets[None, :])
            return w[:, :-1], tf.cast(w[:, 1:], tf.int32)

        return tf.data.Dataset.from_tensor_slices(starts).map(windows).prefetch(2)

    # -- state ---------------------------------------------------------------------------------
    def snapshot(self) -> ckpt_io.Checkpoint:
        return ckpt_io.Checkpoint(
            weights=[np.asarray(w) for w in self.model.get_weights()],
            optimizer=[np.asarray(v.numpy()) for v in self.optimizer.variables],
            meta=dict(self.meta), carry=list(self.carry))

    def restore(self, ck: ckpt_io.Checkpoint, with_optimizer: bool) -> None:
        check_weights(self.model, ck.weights)
        self.model.set_weights(ck.weights)
        if with_optimizer:
            variables = self.optimizer.variables
            if len(variables) != len(ck.optimizer):
                raise UserError("checkpoint optimizer state does not match this model")
            for var, value in zip(variables, ck.optimizer):
                var.assign(value)
            self.carry = list(ck.carry)

    def save(self, name: str) -> None:
        ckpt_io.save(os.path.join(self.out_dir, name), self.snapshot())

    # -- the loop ------------------------------------------------------------------------------
    def run(self, stop_after_steps: int | None = None, quiet: bool = False) -> TrainResult:
        cfg, meta = self.cfg, self.meta
        chars_per_step = cfg.batch_size * cfg.seq_len
        rate = 0.0
        steps_this_call = 0
        while meta["epoch"] < cfg.epochs and not meta["finished"]:
            epoch = meta["epoch"]
            progress = Progress(self.steps_per_epoch, f"epoch {epoch + 1}/{cfg.epochs}",
                                stream=open(os.devnull, "w") if quiet else None)
            progress.done = meta["step_in_epoch"]
            for x, y in self.dataset(epoch, meta["step_in_epoch"]):
                loss, states = self._train_step(x, y, self._states_for(int(x.shape[0])))
                loss = float(loss)
                if cfg.stateful:
                    self.carry = [s.numpy() for s in states]
                meta["step"] += 1
                meta["step_in_epoch"] += 1
                meta["loss_sum"] += loss
                meta["loss_count"] += 1
                meta["chars_trained"] += int(x.shape[0]) * int(x.shape[1])
                steps_this_call += 1
                progress.update(1, int(x.shape[0]) * int(x.shape[1]), bpc=loss / LN2)
                if cfg.checkpoint_every and meta["step"] % cfg.checkpoint_every == 0:
                    self.save(ckpt_io.CHECKPOINT)
                if stop_after_steps is not None and steps_this_call >= stop_after_steps:
                    self.save(ckpt_io.CHECKPOINT)
                    return self._result(progress.chars_per_s)
            progress.close()
            rate = progress.chars_per_s
            self._end_epoch(rate, quiet)
        return self._result(rate)

    def _end_epoch(self, rate: float, quiet: bool) -> None:
        cfg, meta = self.cfg, self.meta
        train_bpc = meta["loss_sum"] / max(meta["loss_count"], 1) / LN2
        val_bpc = bits_per_char_val(self)
        improved = val_bpc < meta["best_val_bpc"] - 1e-4
        if improved:
            meta["best_val_bpc"] = val_bpc
            meta["bad_epochs"] = 0
        else:
            meta["bad_epochs"] += 1
        samples = self.samples()
        record = {"epoch": meta["epoch"] + 1, "step": meta["step"],
                  "train_bpc": round(train_bpc, 4), "val_bpc": round(val_bpc, 4),
                  "lr": float(self.optimizer.learning_rate.numpy()),
                  "chars_per_s": round(rate, 1), "chars_trained": meta["chars_trained"],
                  "elapsed_s": round(meta["elapsed_s"] + time.monotonic() - self._t0, 1),
                  "samples": samples}
        metrics_path = os.path.join(self.out_dir, "metrics.jsonl")
        with open(metrics_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
        meta["epoch"] += 1
        meta["step_in_epoch"] = 0
        meta["loss_sum"] = 0.0
        meta["loss_count"] = 0
        if meta["bad_epochs"] >= cfg.patience or meta["epoch"] >= cfg.epochs:
            meta["finished"] = True
        if improved:
            self.save(ckpt_io.BEST)
        self.save(ckpt_io.CHECKPOINT)
        if not quiet:
            flag = " (best)" if improved else ""
            _log(f"epoch {record['epoch']}: train {train_bpc:.3f} bits/char, "
                 f"val {val_bpc:.3f} bits/char{flag}, {rate:,.0f} chars/s")
            for t, text in samples.items():
                _log(f"----- diversity {t}: {text!r}")
            if meta["finished"] and meta["epoch"] < cfg.epochs:
                _log(f"early stopping: no validation improvement for {cfg.patience} epochs")

    def samples(self) -> dict[str, str]:
        from export.keras_runtime import sample

        rng = np.random.default_rng([self.cfg.seed, self.meta["epoch"], 7])
        text = self.train_ids
        n_seed = min(40, len(text) - 1)
        pos = int(rng.integers(0, len(text) - n_seed))
        seed = text[pos:pos + n_seed]
        outs = sample(self.stepper, seed, self.cfg.sample_chars, DIVERSITIES, rng)
        seed_text = "".join(self.corpus.vocab[i] for i in seed)
        return {str(t): seed_text + "|" + "".join(self.corpus.vocab[i] for i in o)
                for t, o in zip(DIVERSITIES, outs)}

    def _result(self, rate: float) -> TrainResult:
        return TrainResult(self.out_dir, self.meta["best_val_bpc"], self.meta["step"],
                           self.meta["finished"], rate)


def bits_per_char_val(trainer: Trainer) -> float:
    from export.keras_runtime import bits_per_char

    return bits_per_char(trainer.stepper, trainer.val_ids, trainer.cfg.seq_len)


def check_weights(model, weights: list[np.ndarray]) -> None:
    """Refuse weights from another architecture, naming the first weight that differs."""
    mine = model.get_weights()
    if len(mine) != len(weights):
        raise UserError(f"checkpoint is from another architecture: {len(weights)} weight tensors, "
                        f"this model has {len(mine)}")
    for var, w_new in zip(model.weights, weights):
        if tuple(var.shape) != tuple(w_new.shape):
            raise UserError(f"checkpoint is from another architecture: {var.path} has shape "
                            f"{tuple(w_new.shape)} in the checkpoint, {tuple(var.shape)} here")


def new_meta(cfg: TrainConfig, corpus: Corpus, corpus_paths: list[str], init_from: str | None) -> dict:
    return {"format": 1, "config": cfg.to_dict(), "vocab": corpus.vocab,
            "corpus_paths": [os.path.abspath(p) for p in corpus_paths],
            "corpora": corpus.facts(), "init_from": init_from,
            "epoch": 0, "step": 0, "step_in_epoch": 0, "loss_sum": 0.0, "loss_count": 0,
            "chars_trained": 0, "best_val_bpc": float("inf"), "bad_epochs": 0,
            "finished": False, "elapsed_s": 0.0}


def train(corpus_paths: list[str], out_dir: str, cfg: TrainConfig, *, resume: bool = False,
          init_from: str | None = None, stop_after_steps: int | None = None,
          quiet: bool = False, epochs_override: int | None = None, arch_explicit: bool = True,
          vocab_files: tuple[str | None, str | None] = (None, None)) -> TrainResult:
    """Train (or resume) a run; see the module docstring for the folder layout."""
    parent = os.path.dirname(os.path.abspath(out_dir))
    if not os.path.isdir(parent):
        raise UserError(f"folder does not exist: {parent}")
    latest = os.path.join(out_dir, ckpt_io.CHECKPOINT)
    if resume:
        if not os.path.exists(latest):
            raise UserError(f"nothing to resume in {out_dir}: no {ckpt_io.CHECKPOINT}")
        ck = ckpt_io.load(latest)
        meta = ck.meta
        cfg = TrainConfig.from_dict(meta["config"])
        if epochs_override is not None and epochs_override != cfg.epochs:
            cfg.epochs = epochs_override
            meta["config"] = cfg.to_dict()
            meta["finished"] = meta["epoch"] >= cfg.epochs
        paths = corpus_paths or meta["corpus_paths"]
        corpus = load_corpus(paths, lowercase=cfg.lowercase, val_fraction=cfg.val_fraction,
                             seq_len=cfg.seq_len, vocab=meta["vocab"],
                             exclude_tail=cfg.exclude_tail)
        if meta["finished"]:
            _log(f"run in {out_dir} already finished after epoch {meta['epoch']} "
                 "(pass --epochs N to train longer)")
        import_tensorflow()
        trainer = Trainer(cfg, corpus, out_dir, meta)
        trainer.restore(ck, with_optimizer=True)
    else:
        if os.path.exists(latest):
            raise UserError(f"{out_dir} already holds a run; use --resume to continue it "
                            "or choose another --out")
        vocab = None
        base = None
        if init_from:
            base = load_init_checkpoint(init_from, vocab_files)
            base_cfg = TrainConfig.from_dict(base.meta["config"])
            if not arch_explicit:  # the architecture comes with the weights
                cfg.layers, cfg.embedding_dim = list(base_cfg.layers), base_cfg.embedding_dim
            if cfg.layers != base_cfg.layers or (cfg.embedding_dim != base_cfg.embedding_dim):
                raise UserError(
                    f"checkpoint is from another architecture: layers {base_cfg.layers}, "
                    f"embedding {base_cfg.embedding_dim}; drop --layers/--preset or match them")
            cfg.lowercase = base_cfg.lowercase
            vocab = base.meta["vocab"]
        validate(cfg)
        corpus = load_corpus(corpus_paths, lowercase=cfg.lowercase,
                             val_fraction=cfg.val_fraction, seq_len=cfg.seq_len, vocab=vocab,
                             exclude_tail=cfg.exclude_tail)
        os.makedirs(out_dir, exist_ok=True)
        meta = new_meta(cfg, corpus, corpus_paths, init_from)
        if base is not None:
            meta["base"] = {"init_from": os.path.basename(os.path.normpath(init_from)),
                            "corpora": base.meta.get("corpora", []),
                            "chars_trained": base.meta.get("chars_trained", 0)}
        atomic_write_text(os.path.join(out_dir, "config.json"),
                          json.dumps({"config": cfg.to_dict(), "corpus_paths": meta["corpus_paths"],
                                      "vocab": corpus.vocab, "init_from": init_from}, indent=2))
        import_tensorflow()
        trainer = Trainer(cfg, corpus, out_dir, meta)
        if base is not None:
            trainer.restore(base, with_optimizer=False)
    if not quiet:
        _log(f"training {cfg.layers} LSTM on {corpus.train_chars:,} chars "
             f"({len(corpus.vocab)} symbols), {trainer.steps_per_epoch} steps/epoch, "
             f"run folder {out_dir}")
    trainer._t0 = time.monotonic()
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        result = trainer.run(stop_after_steps=stop_after_steps, quiet=quiet)
    except KeyboardInterrupt:
        meta["elapsed_s"] += time.monotonic() - trainer._t0
        trainer.save(ckpt_io.CHECKPOINT)
        _log(f"\ninterrupted at step {meta['step']}; checkpoint saved. Continue with: "
             f"charstream train --resume --out {out_dir}")
        raise SystemExit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    meta["elapsed_s"] += time.monotonic() - trainer._t0
    trainer.save(ckpt_io.CHECKPOINT)
    return result


def load_init_checkpoint(path: str, vocab_files: tuple[str | None, str | None]) -> ckpt_io.Checkpoint:
    """A run folder or .npz checkpoint, a charstream .onnx file (the bundled models), or the
    classic notebook's HDF5 `transfer_weights` (its vocabulary files are looked up beside it
    unless given)."""
    from export.keras_import import is_hdf5, notebook_checkpoint

    if os.path.isfile(path) and path.lower().endswith(".onnx"):
        from export.onnx_import import checkpoint_from_onnx

        return checkpoint_from_onnx(path)
    if os.path.isfile(path) and is_hdf5(path):
        folder = os.path.dirname(os.path.abspath(path))
        ci = vocab_files[0] or os.path.join(folder, "char_indices.txt")
        ic = vocab_files[1] or os.path.join(folder, "indices_char.txt")
        return notebook_checkpoint(path, ci, ic)
    return ckpt_io.load(ckpt_io.resolve(path))


def _raise_interrupt(signum, frame):  # SIGTERM behaves like Ctrl-C: checkpoint, then exit
    raise KeyboardInterrupt
