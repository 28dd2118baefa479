import random

import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("tf2onnx")

from export.config import TrainConfig  # noqa: E402


def make_text(n_chars: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    subjects = ["the pizza", "the service", "our waiter", "the salad", "dessert", "the patio"]
    verbs = ["was", "is", "seemed", "felt"]
    adjs = ["great", "slow", "amazing", "cold", "fresh", "friendly", "ok"]
    parts = []
    while sum(map(len, parts)) < n_chars:
        sentences = " ".join(f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(adjs)}."
                             for _ in range(rng.randint(2, 4)))
        parts.append("{" + sentences + "}")
    return "".join(parts)[:n_chars]


@pytest.fixture
def corpus_file(tmp_path):
    path = tmp_path / "reviews.txt"
    path.write_text(make_text(6000), encoding="utf-8")
    return str(path)


@pytest.fixture
def tiny_cfg():
    return TrainConfig(layers=[24], embedding_dim=8, seq_len=16, batch_size=16, epochs=2,
                       learning_rate=1e-2, seed=3, checkpoint_every=0, sample_chars=20)


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory):
    """One tiny trained run shared by the export tests."""
    from export.train import train

    folder = tmp_path_factory.mktemp("run")
    path = folder / "reviews.txt"
    path.write_text(make_text(6000, seed=1), encoding="utf-8")
    cfg = TrainConfig(layers=[24, 16], embedding_dim=8, seq_len=16, batch_size=16, epochs=2,
                      learning_rate=1e-2, seed=5, checkpoint_every=0, sample_chars=20)
    out = str(folder / "run")
    train([str(path)], out, cfg, quiet=True)
    return out
