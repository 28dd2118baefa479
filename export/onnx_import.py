"""A charstream .onnx file -> training checkpoint, so a shipped model can be fine-tuned.

Users who installed charstream have the bundled `.onnx` files, not the run folders they were
trained in; `charstream train --init-from models/yelp-reviews.onnx` starts from them. The
weights are found by the graph's structure (the Gather's table, the LSTM nodes in order, the
logits MatMul and its bias), not by tensor names, which differ between tf2onnx versions and
between charstream's old and lean export graphs.
"""
from __future__ import annotations

import json

import numpy as np

from engine import contract
from export import checkpoint as ckpt_io
from export.config import TrainConfig
from export.errors import UserError

# ONNX orders the LSTM gates input, output, forget, cell; Keras input, forget, cell, output.
_ONNX_TO_KERAS = (0, 2, 3, 1)


def _keras_gates(matrix: np.ndarray, units: int) -> np.ndarray:
    """[4H, ...] in ONNX gate order -> the same rows in Keras gate order."""
    blocks = [matrix[g * units:(g + 1) * units] for g in range(4)]
    return np.concatenate([blocks[g] for g in _ONNX_TO_KERAS], axis=0)


def checkpoint_from_onnx(path: str) -> ckpt_io.Checkpoint:
    """Weights (in the Keras model's order) and run facts of a charstream fp32 .onnx file."""
    import onnx
    from onnx import numpy_helper

    try:
        proto = onnx.load(path)
    except Exception as exc:  # noqa: BLE001 - onnx raises several types for bad files
        raise UserError(f"cannot read {path} as an ONNX model: {str(exc).splitlines()[0][:120]}") \
            from None
    meta = {p.key: p.value for p in proto.metadata_props}
    if contract.KEY_VOCAB not in meta or contract.KEY_LAYERS not in meta:
        raise UserError(f"{path} is not a charstream model (no charstream.* metadata)")
    vocab = json.loads(meta[contract.KEY_VOCAB])
    layers = json.loads(meta[contract.KEY_LAYERS])
    embedding_dim = int(meta.get(contract.KEY_EMBEDDING, "0"))
    training = json.loads(meta.get(contract.KEY_TRAINING, "{}"))
    ops = [n.op_type for n in proto.graph.node]
    if "DynamicQuantizeLSTM" in ops:
        raise UserError(f"{path} is an int8 variant; fine-tune from the fp32 .onnx file instead")

    init = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    lstms = [n for n in proto.graph.node if n.op_type == "LSTM"]
    if len(lstms) != len(layers):
        raise UserError(f"{path}: metadata names {len(layers)} LSTM layers, the graph has "
                        f"{len(lstms)}")
    V = len(vocab)
    tables = [init[n.input[0]] for n in proto.graph.node
              if n.op_type == "Gather" and n.input[0] in init and init[n.input[0]].ndim == 2
              and init[n.input[0]].shape[0] == V]
    kernels = [init[n.input[1]] for n in proto.graph.node if n.op_type == "MatMul"
               and n.input[1] in init and init[n.input[1]].shape == (layers[-1], V)]
    biases = [init[i] for n in proto.graph.node if n.op_type == "Add"
              for i in n.input if i in init and init[i].shape == (V,)]
    if len(tables) != 1 or len(kernels) != 1:
        raise UserError(f"{path}: cannot find the embedding and logits weights in the graph")

    weights = [tables[0].astype(np.float32)]
    for node, units in zip(lstms, layers):
        W, R = init[node.input[1]][0], init[node.input[2]][0]
        B = init[node.input[3]][0] if len(node.input) > 3 and node.input[3] in init \
            else np.zeros(8 * units, np.float32)
        if W.shape[0] != 4 * units or R.shape != (4 * units, units):
            raise UserError(f"{path}: LSTM weights {W.shape}/{R.shape} do not match {units} units")
        weights += [_keras_gates(W, units).T.copy(), _keras_gates(R, units).T.copy(),
                    _keras_gates(B[:4 * units] + B[4 * units:], units)]
    weights += [kernels[0], biases[0] if biases else np.zeros(V, np.float32)]

    cfg = TrainConfig(layers=list(layers), embedding_dim=embedding_dim,
                      lowercase=meta.get(contract.KEY_LOWERCASE, "true") == "true")
    return ckpt_io.Checkpoint(
        weights=[np.ascontiguousarray(w, dtype=np.float32) for w in weights], optimizer=[],
        meta={"config": cfg.to_dict(), "vocab": vocab,
              "corpora": training.get("corpora", []),
              "chars_trained": int(training.get("chars_trained", 0) or 0)})
