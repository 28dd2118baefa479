"""Checkpoint -> streaming ONNX file via tf2onnx, verified against Keras before it is written."""
from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass

import numpy as np

from engine import contract
from engine.atomic import atomic_write_bytes
from export import checkpoint as ckpt_io
from export.config import TrainConfig
from export.errors import UserError
from export.tf_quiet import import_tensorflow

PARITY_TOL = 1e-4


@dataclass
class ParityReport:
    output: str
    max_diff_one_call: float
    max_diff_stepwise: float
    greedy_equal: bool
    greedy_chars: int
    text_chars: int
    ops: list[str]
    size_bytes: int

    @property
    def ok(self) -> bool:
        return (self.max_diff_one_call <= PARITY_TOL and self.max_diff_stepwise <= PARITY_TOL
                and self.greedy_equal)

    def render(self) -> str:
        verdict = "PASS" if self.ok else "FAIL"
        return "\n".join([
            f"export verification ({verdict}, tolerance {PARITY_TOL:g}):",
            f"  max |logits ONNX - Keras|, {self.text_chars} chars in one call:   "
            f"{self.max_diff_one_call:.2e}",
            f"  max |logits ONNX - Keras|, {self.text_chars} chars one at a time: "
            f"{self.max_diff_stepwise:.2e}",
            f"  {self.greedy_chars} greedy characters identical: {'yes' if self.greedy_equal else 'NO'}",
            f"  ONNX ops: {', '.join(self.ops)}",
            f"wrote {self.output} ({self.size_bytes / 1e6:.2f} MB)",
        ])


def keras_from_checkpoint(ck: ckpt_io.Checkpoint):
    from export.model import build_model
    from export.train import check_weights

    cfg = TrainConfig.from_dict(ck.meta["config"])
    cfg.dropout = 0.0  # inference graph: dropout layers would only add identity nodes
    model = build_model(cfg, len(ck.meta["vocab"]))
    weights = ck.weights
    check_weights(model, weights)
    model.set_weights(weights)
    return model, cfg


def convert(model, layers: list[int], opset: int = 17):
    """The stateful graph: ids + per-layer (h, c) in, logits + new states out, named tensors."""
    import tensorflow as tf
    import tf2onnx

    spec = [tf.TensorSpec([None, None], tf.int64, name=contract.INPUT_IDS)]
    for name, units in zip(contract.state_inputs(len(layers)), [u for u in layers for _ in (0, 1)]):
        spec.append(tf.TensorSpec([None, units], tf.float32, name=name))
    out_names = contract.state_outputs(len(layers))

    embedding = model.get_layer("embedding").embeddings
    lstms = [model.get_layer(f"lstm_{i}") for i in range(len(layers))]
    dense = model.get_layer("logits")

    # The same layers as model.call, written out so the graph stays lean: a plain Gather (Keras's
    # Embedding adds ~10 nodes wrapping negative ids, which never occur here) and one MatMul for
    # the logits (Dense on 3-D input becomes a Shape/Reshape Tensordot chain). Every node costs
    # ONNX Runtime microseconds on each streamed character.
    @tf.function(input_signature=spec)
    def step(ids, *states):
        x = tf.gather(embedding, ids)
        result = {}
        for i, (lstm, name_h, name_c) in enumerate(zip(lstms, out_names[0::2], out_names[1::2])):
            x, result[name_h], result[name_c] = lstm(x, initial_state=[states[2 * i], states[2 * i + 1]])
        result[contract.OUTPUT_LOGITS] = tf.matmul(x, dense.kernel) + dense.bias
        return result

    import logging

    logging.getLogger("tf2onnx").setLevel(logging.ERROR)
    proto, _ = tf2onnx.convert.from_function(step, input_signature=spec, opset=opset)
    return proto


def add_metadata(proto, *, name: str, vocab: list[str], lowercase: bool, layers: list[int],
                 embedding_dim: int, training: dict) -> None:
    start = "{" if "{" in vocab else ("\n" if "\n" in vocab else vocab[0])
    props = {
        contract.KEY_FORMAT: contract.FORMAT_VERSION,
        contract.KEY_NAME: name,
        contract.KEY_VOCAB: json.dumps(vocab, ensure_ascii=False),
        contract.KEY_LOWERCASE: "true" if lowercase else "false",
        contract.KEY_LAYERS: json.dumps(layers),
        contract.KEY_EMBEDDING: str(embedding_dim),
        contract.KEY_START: start,
        contract.KEY_TRAINING: json.dumps(training, ensure_ascii=False),
    }
    del proto.metadata_props[:]
    for key, value in props.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    proto.producer_name = "charstream"
    proto.doc_string = (f"charstream streaming character LSTM {layers}; inputs ids + h_i/c_i, "
                        "outputs logits + h_i_out/c_i_out; see metadata charstream.*")


def verify(proto_bytes: bytes, model, layers: list[int], vocab_size: int, *,
           text_chars: int = 500, greedy_chars: int = 200, seed: int = 0) -> dict:
    """Compare ONNX Runtime against Keras on one sampled text, in one call and char by char."""
    import onnxruntime as ort

    from export.keras_runtime import KerasStepper, sample

    stepper = KerasStepper(model, layers)
    rng = np.random.default_rng(seed)
    start = np.array([int(rng.integers(vocab_size))], np.int32)
    text = np.concatenate([start, sample(stepper, start, text_chars - 1, [1.0], rng)[0]])
    keras_logits, _ = stepper.run(text[None, :])

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(proto_bytes, opts, providers=["CPUExecutionProvider"])
    in_names = contract.state_inputs(len(layers))
    out_names = [contract.OUTPUT_LOGITS] + contract.state_outputs(len(layers))

    def run(ids, states):
        feed = {contract.INPUT_IDS: np.asarray(ids, np.int64)}
        feed.update(dict(zip(in_names, states)))
        out = sess.run(out_names, feed)
        return out[0], out[1:]

    from export.model import zero_states
    onnx_logits, _ = run(text[None, :], zero_states(layers, 1))
    one_call = float(np.abs(onnx_logits - keras_logits).max())
    states = zero_states(layers, 1)
    stepwise = 0.0
    for t in range(len(text)):
        step_logits, states = run(text[None, t:t + 1], states)
        stepwise = max(stepwise, float(np.abs(step_logits[0, 0] - keras_logits[0, t]).max()))

    # greedy continuation from both runtimes
    seed_ids = text[:20]
    keras_greedy = sample(stepper, seed_ids, greedy_chars, [0.0], rng)[0]
    logits, states = run(seed_ids[None, :], zero_states(layers, 1))
    onnx_greedy = []
    for _ in range(greedy_chars):
        nxt = int(np.argmax(logits[0, -1]))
        onnx_greedy.append(nxt)
        logits, states = run(np.array([[nxt]]), states)
    ops = sorted({node.op_type for node in _load(proto_bytes).graph.node})
    return {"one_call": one_call, "stepwise": stepwise, "greedy_equal": keras_greedy == onnx_greedy,
            "text_chars": len(text), "greedy_chars": greedy_chars, "ops": ops}


def _load(proto_bytes: bytes):
    import onnx

    return onnx.load_from_string(proto_bytes)


def training_facts(meta: dict) -> dict:
    cfg = meta.get("config", {})
    facts = {
        "corpora": meta.get("corpora", []),
        "chars_trained": meta.get("chars_trained", 0),
        "best_val_bpc": None if meta.get("best_val_bpc") in (None, float("inf"))
        else round(float(meta["best_val_bpc"]), 4),
        "epochs": meta.get("epoch", 0),
        "steps": meta.get("step", 0),
        "seq_len": cfg.get("seq_len"),
        "val_fraction": cfg.get("val_fraction"),
        "exported": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if "base" in meta:
        facts["pretrained"] = meta["base"]
    if "source" in meta:
        facts["source"] = meta["source"]
    if "logit_scale" in meta:
        facts["logit_scale"] = meta["logit_scale"]
    return facts


def check_output_path(output: str, force: bool) -> None:
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise UserError(f"output folder does not exist: {folder}")
    if os.path.isdir(output):
        raise UserError(f"output path is a folder: {output}")
    if os.path.exists(output) and not force:
        raise UserError(f"{output} exists; pass --force to overwrite it")


def export_model(model, cfg: TrainConfig, vocab: list[str], meta: dict, output: str, *,
                 name: str | None = None, opset: int = 17) -> ParityReport:
    """Convert, stamp metadata, verify, and only then write `output` atomically."""
    proto = convert(model, cfg.layers, opset)
    add_metadata(proto, name=name or os.path.splitext(os.path.basename(output))[0], vocab=vocab,
                 lowercase=cfg.lowercase, layers=cfg.layers, embedding_dim=cfg.embedding_dim,
                 training=training_facts(meta))
    data = proto.SerializeToString()
    result = verify(data, model, cfg.layers, len(vocab))
    report = ParityReport(output, result["one_call"], result["stepwise"], result["greedy_equal"],
                          result["greedy_chars"], result["text_chars"], result["ops"], len(data))
    if not report.ok:
        raise UserError("export verification failed, nothing written:\n" + report.render())
    atomic_write_bytes(output, data)
    return report


def scale_logits(model, scale: float) -> None:
    """Multiply the output layer by `scale` (1/temperature, fitted on validation text with
    `charstream eval --fit-logit-scale`): calibrates an over-confident model at no cost per step."""
    dense = model.get_layer("logits")
    dense.kernel.assign(dense.kernel.numpy() * scale)
    dense.bias.assign(dense.bias.numpy() * scale)


def export_run(run: str, output: str, *, force: bool = False, name: str | None = None,
               opset: int = 17, logit_scale: float = 1.0) -> ParityReport:
    if not 0 < logit_scale < 100:
        raise UserError(f"--logit-scale must be in (0, 100) (got {logit_scale})")
    check_output_path(output, force)
    ck = ckpt_io.load(ckpt_io.resolve(run))
    import_tensorflow()  # only now: bad paths above fail fast, without TensorFlow's start-up
    model, cfg = keras_from_checkpoint(ck)
    meta = ck.meta
    if logit_scale != 1.0:
        scale_logits(model, logit_scale)
        meta = {**meta, "logit_scale": logit_scale}
    return export_model(model, cfg, meta["vocab"], meta, output, name=name, opset=opset)
