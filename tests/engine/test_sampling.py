import numpy as np
import pytest

from engine.errors import EngineError
from engine.params import GeneratorParams
from engine.sampling import candidate_probs, choose, choose_rows, softmax

LOGITS = np.array([2.0, 1.0, 0.5, 0.0, -1.0, -3.0], np.float32)


def draws(params, n=4000, seed=0):
    rng = np.random.default_rng(seed)
    return np.array([choose(LOGITS, params, rng) for _ in range(n)])


def test_temperature_zero_is_argmax():
    rng = np.random.default_rng(0)
    for _ in range(50):
        logits = rng.standard_normal(20)
        assert choose(logits, GeneratorParams(temperature=0), rng) == int(np.argmax(logits))


def test_low_temperature_sharpens():
    cold = draws(GeneratorParams(temperature=0.2))
    warm = draws(GeneratorParams(temperature=1.5))
    assert (cold == 0).mean() > 0.9
    assert (warm == 0).mean() < 0.6
    # and the empirical frequencies at temperature 1 follow the softmax
    at_one = draws(GeneratorParams(temperature=1.0), n=20000)
    freq = np.bincount(at_one, minlength=LOGITS.size) / at_one.size
    assert np.abs(freq - softmax(LOGITS)).max() < 0.02


def test_top_k_never_leaves_its_set():
    out = draws(GeneratorParams(temperature=2.0, top_k=2))
    assert set(out.tolist()) == {0, 1}


def test_top_p_never_leaves_its_set():
    params = GeneratorParams(temperature=1.0, top_p=0.7)
    probs = softmax(LOGITS)
    order = np.argsort(-probs)
    allowed = set(order[: int(np.searchsorted(np.cumsum(probs[order]), 0.7)) + 1].tolist())
    out = draws(params)
    assert set(out.tolist()) <= allowed
    assert set(out.tolist()) == allowed  # and it does use the whole nucleus
    assert candidate_probs(LOGITS, params)[[i for i in range(6) if i not in allowed]].sum() == 0


@pytest.mark.parametrize("changes, fragment", [
    (dict(temperature=-0.1), "temperature"),
    (dict(temperature=float("nan")), "temperature"),
    (dict(top_p=0.0), "top-p"),
    (dict(top_p=1.5), "top-p"),
    (dict(top_k=-1), "top-k"),
    (dict(max_length=-5), "max length"),
])
def test_invalid_params_are_refused(changes, fragment):
    with pytest.raises(EngineError, match=fragment):
        GeneratorParams(**changes)


def test_rows_sampled_together_equal_rows_sampled_alone():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((5, 40)).astype(np.float32) * 3
    params = [GeneratorParams(temperature=0.7), GeneratorParams(temperature=0),
              GeneratorParams(temperature=1.3, top_k=4), GeneratorParams(temperature=0.9, top_p=0.5),
              GeneratorParams(temperature=2.0, top_k=10, top_p=0.8)]
    together = [np.random.default_rng(i) for i in range(5)]
    alone = [np.random.default_rng(i) for i in range(5)]
    for _ in range(300):
        ids = choose_rows(logits, params, together)
        assert ids.tolist() == [choose(logits[r], params[r], alone[r]) for r in range(5)]
    # the greedy row never consumed randomness
    assert together[1].random() == np.random.default_rng(1).random()
