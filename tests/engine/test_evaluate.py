"""bits/char scoring and temperature calibration (engine only, no TensorFlow)."""
import numpy as np
import pytest

from engine import load_model
from engine.errors import EngineError
from engine.evaluate import _bits, drop_tail, evaluate_text, fit_logit_scale, tail


def _sampled_text(model, n: int, temperature: float, seed: int = 0) -> str:
    """Text drawn from the model itself at a given temperature."""
    rng = np.random.default_rng(seed)
    ids = [0]
    state = model.runner.zero_state(1)
    for _ in range(n):
        logits, state = model.runner.run(np.array([[ids[-1]]], np.int64), state)
        z = logits[0, -1].astype(np.float64) / temperature
        p = np.exp(z - z.max())
        ids.append(int(rng.choice(len(p), p=p / p.sum())))
    return "".join(model.info.vocab[i] for i in ids)


def test_fitted_scale_recovers_the_sampling_temperature(tiny_model_path):
    model = load_model(tiny_model_path, "cpu")
    # text sampled at temperature 2 is best explained by logits scaled by 1/2
    text = _sampled_text(model, 3000, temperature=2.0)
    parts: list = []
    plain = evaluate_text(model, text, keep=parts)
    fit = fit_logit_scale(parts)
    assert fit.scale == pytest.approx(0.5, abs=0.08)
    assert fit.bpc_after < fit.bpc_before
    assert fit.bpc_before == pytest.approx(plain.bpc, abs=1e-9)


def test_scale_one_is_plain_scoring():
    logits = np.random.default_rng(0).normal(size=(20, 5))
    y = np.arange(20) % 5
    assert _bits(logits, y, 1.0) == pytest.approx(_bits(logits * 2, y, 0.5))


def test_drop_tail_then_tail_is_the_validation_split():
    text = "".join(chr(97 + i % 26) for i in range(1000))
    assert drop_tail(text, 0.1) == text[:900]
    assert tail(drop_tail(text, 0.1), 0.1) == text[810:900]
    with pytest.raises(EngineError, match="drop-tail"):
        drop_tail(text, 1.0)
