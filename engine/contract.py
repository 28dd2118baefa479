"""The ONNX contract shared by export/ (writer) and engine/ (reader): tensor names and metadata keys.

Pure constants and helpers, no heavy imports, so both sides agree by construction.
"""
from __future__ import annotations

FORMAT_VERSION = "1"
PREFIX = "charstream."

KEY_FORMAT = PREFIX + "format"          # "1"
KEY_NAME = PREFIX + "name"              # display name
KEY_VOCAB = PREFIX + "vocab"            # JSON list of single characters; index = token id
KEY_LOWERCASE = PREFIX + "lowercase"    # "true" | "false": normalise seeds before encoding
KEY_LAYERS = PREFIX + "layers"          # JSON list of LSTM sizes, bottom first
KEY_EMBEDDING = PREFIX + "embedding_dim"  # "0" means one-hot input
KEY_START = PREFIX + "start_text"       # primed when the seed is empty (e.g. "{" = review start)
KEY_TRAINING = PREFIX + "training"      # JSON: corpora, chars trained, best val bits/char, ...

INPUT_IDS = "ids"        # int64 [batch, time]
OUTPUT_LOGITS = "logits"  # float32 [batch, time, vocab]


def state_inputs(n_layers: int) -> list[str]:
    """h_0, c_0, h_1, c_1, ... float32 [batch, units_i]."""
    names = []
    for i in range(n_layers):
        names += [f"h_{i}", f"c_{i}"]
    return names


def state_outputs(n_layers: int) -> list[str]:
    """h_0_out, c_0_out, ... the states after the last time step, same order as the inputs."""
    return [name + "_out" for name in state_inputs(n_layers)]
