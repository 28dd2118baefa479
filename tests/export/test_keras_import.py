"""Import of the classic notebook's legacy Keras 2 HDF5 weights (made here with tf-keras)."""
import json
import os

import numpy as np
import pytest

from engine import Generator, GeneratorParams, load_model
from export.errors import UserError
from export.keras_import import import_keras, read_vocab

tf_keras = pytest.importorskip("tf_keras")


def notebook_weights(path, vocab_size, units=(24, 16), seed=0):
    """A genuine Keras 2 save_weights file of the notebook's architecture, no extension."""
    tf_keras.utils.set_random_seed(seed)
    model = tf_keras.Sequential([
        tf_keras.layers.LSTM(units[0], return_sequences=True, input_shape=(256, vocab_size)),
        tf_keras.layers.LSTM(units[1]),
        tf_keras.layers.Dense(vocab_size, activation="softmax"),
    ])
    # larger weights than the default init, so the distribution is far from uniform
    model.set_weights([w * 2 for w in model.get_weights()])
    model.save_weights(str(path), save_format="h5")
    return model


@pytest.fixture
def vocab_files(corpora_dir):
    return (os.path.join(corpora_dir, "yelp", "char_indices.txt"),
            os.path.join(corpora_dir, "yelp", "indices_char.txt"))


def test_import_matches_the_notebook_distribution(tmp_path, vocab_files):
    vocab = read_vocab(*vocab_files)
    weights = tmp_path / "transfer_weights"
    nb = notebook_weights(weights, len(vocab))
    out = tmp_path / "nb.onnx"
    report, diffs = import_keras(str(weights), *vocab_files, str(out))
    assert report.ok and len(diffs) >= 3 and max(diffs) <= 1e-4
    # independently: the engine's distribution after a 256-char seed equals tf-keras's
    model = load_model(str(out), "cpu")
    rng = np.random.default_rng(1)
    seed_ids = rng.integers(0, len(vocab), 256)
    onehot = np.zeros((1, 256, len(vocab)), np.float32)
    onehot[0, np.arange(256), seed_ids] = 1
    expected = nb.predict(onehot, verbose=0)[0]
    logits, _ = model.runner.run(seed_ids[None, :], model.runner.zero_state(1))
    p = np.exp(logits[0, -1] - logits[0, -1].max())
    assert np.abs(p / p.sum() - expected).max() <= 1e-4
    assert model.info.vocab == vocab and model.info.layers == [24, 16]
    assert model.info.embedding_dim == 0 and model.info.lowercase
    gen = Generator(model, GeneratorParams(temperature=0.5, max_length=30, rng_seed=0))
    gen.prime("the pizza was")
    assert len("".join(t.char for t in gen.stream())) == 30


def test_fine_tune_from_notebook_weights(tmp_path, vocab_files):
    from export import checkpoint as ckpt_io
    from export.config import TrainConfig
    from export.train import train

    vocab = read_vocab(*vocab_files)
    weights = tmp_path / "transfer_weights"
    nb = notebook_weights(weights, len(vocab))
    corpus = tmp_path / "new.txt"
    corpus.write_text("{the tacos were great and cheap.}{slow service, cold fries.}" * 30)
    cfg = TrainConfig(seq_len=32, batch_size=8, epochs=1, learning_rate=1e-12,
                      checkpoint_every=0, sample_chars=10)
    train([str(corpus)], str(tmp_path / "ft"), cfg, init_from=str(weights), quiet=True,
          arch_explicit=False, vocab_files=vocab_files, stop_after_steps=1)
    ck = ckpt_io.load(str(tmp_path / "ft" / ckpt_io.CHECKPOINT))
    assert ck.meta["vocab"] == vocab and ck.meta["config"]["layers"] == [24, 16]
    np.testing.assert_allclose(ck.weights[1], nb.get_weights()[0], atol=1e-6)


def test_other_architecture_names_the_layer(tmp_path, vocab_files):
    weights = tmp_path / "w"
    tf_keras.Sequential([
        tf_keras.layers.LSTM(8, return_sequences=True, input_shape=(256, 40)),
        tf_keras.layers.LSTM(4),
        tf_keras.layers.Dense(40, activation="softmax"),
    ]).save_weights(str(weights), save_format="h5")
    with pytest.raises(UserError, match=r"layer 1 \(lstm.*kernel has shape \(40, 32\)"):
        import_keras(str(weights), *vocab_files, str(tmp_path / "m.onnx"))
    assert not (tmp_path / "m.onnx").exists()


def test_disagreeing_vocabulary_files(tmp_path, vocab_files):
    c2i = json.load(open(vocab_files[0]))
    c2i["a"], c2i["b"] = c2i["b"], c2i["a"]
    bad = tmp_path / "char_indices.txt"
    bad.write_text(json.dumps(c2i))
    with pytest.raises(UserError, match="vocabulary files disagree"):
        read_vocab(str(bad), vocab_files[1])


def test_not_hdf5(tmp_path, vocab_files):
    weights = tmp_path / "transfer_weights"
    weights.write_text("these are not weights")
    with pytest.raises(UserError, match="not an HDF5 weights file"):
        import_keras(str(weights), *vocab_files, str(tmp_path / "m.onnx"))
