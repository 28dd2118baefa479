"""Bring your notebook model: the classic Keras notebook's legacy HDF5 weights and vocabulary
files -> a charstream checkpoint -> the streaming ONNX contract.

The notebook saved `model.save_weights("transfer_weights")` (Keras 2 HDF5, no extension) for
LSTM(1024, return_sequences) -> LSTM(512) -> Dense(61) -> softmax over one-hot input. Weight names
differ across Keras 2 releases (with or without an `lstm_cell` level), so layers are matched by
order and shape, as Keras's own legacy loader does. The one-hot input becomes a frozen identity
embedding: a lookup with exactly the same effect.
"""
from __future__ import annotations

import json
import os

import numpy as np

from export import checkpoint as ckpt_io
from export.config import PRESETS, TrainConfig
from export.errors import UserError

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
NOTEBOOK_WINDOW = 256


def is_hdf5(path: str) -> bool:
    with open(path, "rb") as fh:
        return fh.read(8) == HDF5_SIGNATURE


def read_vocab(char_indices: str, indices_char: str) -> list[str]:
    """Both JSON files, checked against each other: index -> character, contiguous from 0."""
    def load(path: str) -> dict:
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            raise UserError(f"vocabulary file not found: {path}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UserError(f"{path} is not a JSON vocabulary file ({exc})") from None
        if not isinstance(data, dict):
            raise UserError(f"{path} is not a JSON object")
        return data

    c2i = load(char_indices)
    i2c = load(indices_char)
    try:
        by_index = {int(k): v for k, v in i2c.items()}
    except ValueError:
        raise UserError(f"{indices_char}: keys must be integer indices") from None
    n = len(by_index)
    if sorted(by_index) != list(range(n)):
        raise UserError(f"{indices_char}: indices are not 0..{n - 1}")
    if len(c2i) != n:
        raise UserError(f"vocabulary files disagree: {len(c2i)} characters in "
                        f"{os.path.basename(char_indices)}, {n} in {os.path.basename(indices_char)}")
    for ch, idx in c2i.items():
        if by_index.get(idx) != ch:
            raise UserError(f"vocabulary files disagree: {ch!r} -> {idx} in "
                            f"{os.path.basename(char_indices)}, but {idx} -> "
                            f"{by_index.get(idx)!r} in {os.path.basename(indices_char)}")
    return [by_index[i] for i in range(n)]


def read_notebook_weights(path: str) -> list[tuple[str, list[np.ndarray]]]:
    """(layer name, weights in saved order) for every layer with weights, in model order."""
    import h5py

    if not os.path.exists(path):
        raise UserError(f"weights file not found: {path}")
    if not is_hdf5(path):
        raise UserError(f"{path} is not an HDF5 weights file (Keras save_weights format)")
    try:
        with h5py.File(path, "r") as f:
            root = f["model_weights"] if "model_weights" in f else f
            names = [n.decode() if isinstance(n, bytes) else n for n in root.attrs["layer_names"]]
            layers = []
            for name in names:
                group = root[name]
                wnames = [w.decode() if isinstance(w, bytes) else w
                          for w in group.attrs.get("weight_names", [])]
                if wnames:
                    layers.append((name, [np.asarray(group[w]) for w in wnames]))
    except (OSError, KeyError) as exc:
        raise UserError(f"{path}: not a Keras weights file ({exc})") from None
    return layers


def match_architecture(layers: list[tuple[str, list[np.ndarray]]], vocab_size: int) -> list[int]:
    """LSTM sizes from shapes; any mismatch names the layer and the shape that differs."""
    if len(layers) < 2:
        raise UserError(f"expected LSTM layers then a Dense layer, found {len(layers)} layer(s) "
                        "with weights")
    sizes: list[int] = []
    width = vocab_size
    for i, (name, weights) in enumerate(layers[:-1]):
        if len(weights) != 3:
            raise UserError(f"layer {i + 1} ({name}) has {len(weights)} weights; an LSTM has 3 "
                            "(kernel, recurrent kernel, bias)")
        kernel, recurrent, bias = weights
        units = recurrent.shape[0]
        expect = [(width, 4 * units), (units, 4 * units), (4 * units,)]
        for label, w, shape in zip(("kernel", "recurrent kernel", "bias"), weights, expect):
            if tuple(w.shape) != shape:
                raise UserError(f"layer {i + 1} ({name}): {label} has shape {tuple(w.shape)}, "
                                f"expected {shape} for an LSTM({units}) after width {width}")
        sizes.append(units)
        width = units
    name, dense = layers[-1]
    expect = [(width, vocab_size), (vocab_size,)]
    if len(dense) != 2 or [tuple(w.shape) for w in dense] != expect:
        raise UserError(f"last layer ({name}): shapes {[tuple(w.shape) for w in dense]}, "
                        f"expected Dense {expect} for a {vocab_size}-character vocabulary")
    return sizes


def notebook_checkpoint(weights_path: str, char_indices: str, indices_char: str) -> ckpt_io.Checkpoint:
    """The notebook model as a charstream checkpoint (weights in this project's layer order)."""
    vocab = read_vocab(char_indices, indices_char)
    layers = read_notebook_weights(weights_path)
    sizes = match_architecture(layers, len(vocab))
    cfg = TrainConfig(**PRESETS["classic"])
    cfg.layers = sizes
    cfg.embedding_dim = 0
    cfg.lowercase = True  # the notebook lowercased its text
    weights = [np.eye(len(vocab), dtype=np.float32)]
    for _name, ws in layers:
        weights += [w.astype(np.float32) for w in ws]
    source = f"Keras notebook weights {os.path.basename(weights_path)}"
    meta = {"format": 1, "config": cfg.to_dict(), "vocab": vocab, "corpora": [],
            "source": source, "epoch": 0, "step": 0, "chars_trained": 0,
            "best_val_bpc": None}
    return ckpt_io.Checkpoint(weights, [], meta)


def notebook_reference(sizes: list[int], vocab_size: int, weights: list[np.ndarray]):
    """The notebook's own model, rebuilt: one-hot windows in, softmax of the last position out.
    `weights` are the notebook's, in its saved order (LSTM kernels..., Dense kernel, bias)."""
    import keras

    x = inp = keras.Input((NOTEBOOK_WINDOW, vocab_size))
    for i, units in enumerate(sizes):
        x = keras.layers.LSTM(units, return_sequences=i < len(sizes) - 1)(x)
    out = keras.layers.Dense(vocab_size, activation="softmax")(x)
    model = keras.Model(inp, out)
    model.set_weights(weights)
    return model


def distribution_parity(onnx_bytes: bytes, reference, vocab_size: int, sizes: list[int],
                        seeds: int = 4, rng_seed: int = 0) -> list[float]:
    """Max |p_onnx - p_notebook| of the next character after each of several 256-char seeds."""
    import onnxruntime as ort

    from engine import contract
    from export.model import zero_states

    sess = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(rng_seed)
    diffs = []
    for _ in range(seeds):
        ids = rng.integers(0, vocab_size, NOTEBOOK_WINDOW)
        onehot = np.zeros((1, NOTEBOOK_WINDOW, vocab_size), np.float32)
        onehot[0, np.arange(NOTEBOOK_WINDOW), ids] = 1.0
        p_ref = reference.predict(onehot, verbose=0)[0]
        feed = {contract.INPUT_IDS: ids[None, :].astype(np.int64)}
        feed.update(dict(zip(contract.state_inputs(len(sizes)), zero_states(sizes, 1))))
        logits = sess.run([contract.OUTPUT_LOGITS], feed)[0][0, -1].astype(np.float64)
        p = np.exp(logits - logits.max())
        p /= p.sum()
        diffs.append(float(np.abs(p - p_ref).max()))
    return diffs


def import_keras(weights_path: str, char_indices: str, indices_char: str, output: str, *,
                 force: bool = False, name: str | None = None) -> tuple[object, list[float]]:
    from export.onnx_export import check_output_path, convert, export_model, keras_from_checkpoint
    from export.tf_quiet import import_tensorflow

    check_output_path(output, force)
    ck = notebook_checkpoint(weights_path, char_indices, indices_char)
    import_tensorflow()
    model, cfg = keras_from_checkpoint(ck)
    # the checkpoint holds the identity embedding, then the notebook's weights in saved order
    reference = notebook_reference(cfg.layers, len(ck.meta["vocab"]), ck.weights[1:])
    diffs = distribution_parity(convert(model, cfg.layers).SerializeToString(), reference,
                                len(ck.meta["vocab"]), cfg.layers)
    if max(diffs) > 1e-4:
        raise UserError(f"imported model disagrees with the notebook model: max |p difference| "
                        f"{max(diffs):.2e} > 1e-4; nothing written")
    report = export_model(model, cfg, ck.meta["vocab"], ck.meta, output,
                          name=name or "notebook-" + os.path.basename(weights_path))
    return report, diffs
