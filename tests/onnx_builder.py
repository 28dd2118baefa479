"""Build small charstream-contract ONNX models with the `onnx` helper API (no TensorFlow),
so engine and TUI tests run without the training extra."""
from __future__ import annotations

import json

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from engine import contract


def build_lstm_model(vocab: list[str], layers: list[int], *, embedding_dim: int = 8, seed: int = 0,
                     scale: float = 0.5, lowercase: bool = True, name: str = "tiny",
                     training: dict | None = None) -> onnx.ModelProto:
    rng = np.random.default_rng(seed)
    V = len(vocab)
    inits, nodes = [], []

    def init(name: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    init("emb", (rng.standard_normal((V, embedding_dim)) * scale).astype(np.float32))
    init("axes0", np.array([0], np.int64))
    init("axes1", np.array([1], np.int64))
    nodes.append(helper.make_node("Gather", ["emb", contract.INPUT_IDS], ["x_btE"]))
    nodes.append(helper.make_node("Transpose", ["x_btE"], ["x0"], perm=[1, 0, 2]))
    inputs = [helper.make_tensor_value_info(contract.INPUT_IDS, TensorProto.INT64, ["batch", "time"])]
    outputs = [helper.make_tensor_value_info(contract.OUTPUT_LOGITS, TensorProto.FLOAT,
                                             ["batch", "time", V])]
    x, width = "x0", embedding_dim
    for i, H in enumerate(layers):
        init(f"W{i}", (rng.standard_normal((1, 4 * H, width)) * scale / np.sqrt(width)).astype(np.float32))
        init(f"R{i}", (rng.standard_normal((1, 4 * H, H)) * scale / np.sqrt(H)).astype(np.float32))
        init(f"B{i}", (rng.standard_normal((1, 8 * H)) * 0.1).astype(np.float32))
        for s in ("h", "c"):
            inputs.append(helper.make_tensor_value_info(f"{s}_{i}", TensorProto.FLOAT, ["batch", H]))
            outputs.append(helper.make_tensor_value_info(f"{s}_{i}_out", TensorProto.FLOAT, ["batch", H]))
            nodes.append(helper.make_node("Unsqueeze", [f"{s}_{i}", "axes0"], [f"{s}{i}_3d"]))
        nodes.append(helper.make_node("LSTM", [x, f"W{i}", f"R{i}", f"B{i}", "", f"h{i}_3d", f"c{i}_3d"],
                                      [f"Y{i}", f"Yh{i}", f"Yc{i}"], hidden_size=H))
        nodes.append(helper.make_node("Squeeze", [f"Y{i}", "axes1"], [f"x{i + 1}"]))
        nodes.append(helper.make_node("Squeeze", [f"Yh{i}", "axes0"], [f"h_{i}_out"]))
        nodes.append(helper.make_node("Squeeze", [f"Yc{i}", "axes0"], [f"c_{i}_out"]))
        x, width = f"x{i + 1}", H
    init("Wd", (rng.standard_normal((width, V)) * 2.0 / np.sqrt(width)).astype(np.float32))
    init("bd", (rng.standard_normal(V) * 0.5).astype(np.float32))
    nodes.append(helper.make_node("Transpose", [x], ["y_btH"], perm=[1, 0, 2]))
    nodes.append(helper.make_node("MatMul", ["y_btH", "Wd"], ["mm"]))
    nodes.append(helper.make_node("Add", ["mm", "bd"], [contract.OUTPUT_LOGITS]))
    graph = helper.make_graph(nodes, "charstream_test", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    props = {
        contract.KEY_FORMAT: contract.FORMAT_VERSION,
        contract.KEY_NAME: name,
        contract.KEY_VOCAB: json.dumps(vocab),
        contract.KEY_LOWERCASE: "true" if lowercase else "false",
        contract.KEY_LAYERS: json.dumps(layers),
        contract.KEY_EMBEDDING: str(embedding_dim),
        contract.KEY_START: "{" if "{" in vocab else vocab[0],
        contract.KEY_TRAINING: json.dumps(training or {"best_val_bpc": 3.5, "corpora": []}),
    }
    for k, v in props.items():
        model.metadata_props.add(key=k, value=v)
    onnx.checker.check_model(model)
    return model


DEFAULT_VOCAB = list("\n !',.?abcdefghijklmnopqrstuvwxyz{}")


def write_model(path, vocab=None, layers=(16, 8), **kw) -> str:
    model = build_lstm_model(vocab or DEFAULT_VOCAB, list(layers), **kw)
    onnx.save(model, str(path))
    return str(path)
