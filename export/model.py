"""The model family: ids -> embedding (or one-hot) -> stacked LSTMs -> Dense logits.

One functional Keras model with explicit state inputs and outputs serves training (zero
states), sampling during training (carried states) and export (the streaming ONNX graph).
"""
from __future__ import annotations

import numpy as np

from export.config import TrainConfig


def state_names(n_layers: int) -> list[tuple[str, str]]:
    """The (h, c) tensor names per layer; the ONNX contract uses them verbatim."""
    return [(f"h_{i}", f"c_{i}") for i in range(n_layers)]


def build_model(cfg: TrainConfig, vocab_size: int):
    import keras

    ids = keras.Input((None,), dtype="int32", name="ids")
    if cfg.embedding_dim == 0:
        embed = keras.layers.Embedding(vocab_size, vocab_size, trainable=False, name="embedding",
                                       embeddings_initializer=keras.initializers.Identity())
    else:
        embed = keras.layers.Embedding(vocab_size, cfg.embedding_dim, name="embedding")
    x = embed(ids)
    state_in, state_out = [], []
    for i, (units, (h_name, c_name)) in enumerate(zip(cfg.layers, state_names(len(cfg.layers)))):
        h = keras.Input((units,), name=h_name)
        c = keras.Input((units,), name=c_name)
        state_in += [h, c]
        x, h_new, c_new = keras.layers.LSTM(units, return_sequences=True, return_state=True,
                                            name=f"lstm_{i}")(x, initial_state=[h, c])
        state_out += [h_new, c_new]
        if cfg.dropout > 0:
            x = keras.layers.Dropout(cfg.dropout, name=f"dropout_{i}")(x)
    logits = keras.layers.Dense(vocab_size, name="logits")(x)
    return keras.Model([ids, *state_in], [logits, *state_out], name="charstream")


def zero_states(cfg_layers: list[int], batch: int) -> list[np.ndarray]:
    out = []
    for units in cfg_layers:
        out += [np.zeros((batch, units), np.float32), np.zeros((batch, units), np.float32)]
    return out
