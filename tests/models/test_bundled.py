"""The bundled models: loadable by the engine alone, and their model-card figures hold."""
import os

import pytest

from engine import Generator, GeneratorParams, load_model
from engine.bundled import bundled_models, default_model_path
from engine.evaluate import combine, evaluate_text, tail


def test_default_model_is_bundled_and_follows_the_contract():
    assert default_model_path() in bundled_models()
    model = load_model(None, "cpu")
    assert model.info.name == "yelp-reviews" and model.info.lowercase
    assert "{" in model.info.vocab and "}" in model.info.vocab
    gen = Generator(model, GeneratorParams(temperature=0.5, rng_seed=1, max_length=200))
    assert gen.prime("").text == "{"
    text = "".join(t.char for t in gen.stream())
    assert len(text) > 50 and " the " in text


@pytest.mark.slow
@pytest.mark.parametrize("name, expected", [("yelp-reviews.onnx", 1.9722),
                                            ("yelp-reviews.int8.onnx", 1.9728)])
def test_held_out_bits_per_char_match_the_model_card(name, expected, corpora_dir):
    path = os.path.join(os.path.dirname(default_model_path()), name)
    model = load_model(path, "cpu")
    results = []
    for f in ("yelp_100_3.txt", "yelp_100_5.txt"):
        with open(os.path.join(corpora_dir, "yelp", f), encoding="utf-8") as fh:
            results.append(evaluate_text(model, tail(fh.read(), 0.1), f))
    assert combine(results).bpc == pytest.approx(expected, abs=2e-3)
