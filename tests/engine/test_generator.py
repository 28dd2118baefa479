import threading

import numpy as np
import pytest

from engine import EngineError, Generator, GeneratorParams, load_model


@pytest.fixture(scope="module")
def model(tiny_model_path):
    return load_model(tiny_model_path, "cpu")


def text_of(gen):
    return "".join(t.char for t in gen.stream())


def test_stepping_equals_one_call_priming(model):
    ids, _ = model.encode("the pizza was great, and the service too.")
    one_call, _ = model.runner.run(np.array([ids]), model.runner.zero_state(1))
    gen = Generator(model)
    gen.prime(model.decode(ids[:1]))
    stepped = [gen._logits[0].copy()]
    for i in ids[1:]:
        gen._logits, gen._state = gen._buffers.step(np.array([i]), gen._state)
        stepped.append(gen._logits[0].copy())
    assert np.abs(np.stack(stepped) - one_call[0]).max() <= 1e-5


def test_same_rng_seed_same_text(model):
    a = Generator(model, GeneratorParams(temperature=1.0, rng_seed=7, max_length=80))
    b = Generator(model, GeneratorParams(temperature=1.0, rng_seed=7, max_length=80))
    a.prime("the food")
    b.prime("the food")
    ta, tb = text_of(a), text_of(b)
    assert ta == tb and len(ta) == 80
    c = Generator(model, GeneratorParams(temperature=1.0, rng_seed=8, max_length=80))
    c.prime("the food")
    assert text_of(c) != ta


def test_batch_equals_single_streams(model):
    temps = [0.0, 0.5, 1.0, 1.5]
    params = [GeneratorParams(temperature=t, rng_seed=10 + i, max_length=60) for i, t in enumerate(temps)]
    batched = Generator(model, params)
    batched.prime("service was")
    texts = [""] * 4
    for token in batched.stream():
        texts[token.stream] += token.char
    for i, p in enumerate(params):
        single = Generator(model, p)
        single.prime("service was")
        assert text_of(single) == texts[i]


def test_parameter_change_applies_to_the_next_character(model):
    gen = Generator(model, GeneratorParams(temperature=1.5, rng_seed=1, max_length=0))
    gen.prime("the")
    for _ in range(10):
        gen.generate_next()
    gen.set_params(0, temperature=0.0)
    expected = int(np.argmax(gen._logits[0]))
    assert gen.generate_next()[0].id == expected


def test_invalid_live_change_is_refused_and_old_params_kept(model):
    gen = Generator(model, GeneratorParams(temperature=0.7))
    with pytest.raises(EngineError):
        gen.set_params(0, temperature=float("nan"))
    assert gen.params[0].temperature == 0.7


def test_stop_string_ends_the_stream_and_max_length_bounds_it(model):
    gen = Generator(model, GeneratorParams(temperature=0.0, max_length=200))
    gen.prime("a")
    greedy = text_of(gen)
    stop = greedy[5:7]
    gen2 = Generator(model, GeneratorParams(temperature=0.0, max_length=200, stop=(stop,)))
    gen2.prime("a")
    out = text_of(gen2)
    assert out.endswith(stop) and len(out) <= 7


def test_cancel_from_another_thread_is_immediate_and_engine_stays_usable(model):
    gen = Generator(model, GeneratorParams(temperature=1.0, max_length=0, rng_seed=3))
    gen.prime("x")
    seen = []

    def consume():
        for token in gen.stream():
            seen.append(token)
            if len(seen) == 25:
                gen.cancel()

    t = threading.Thread(target=consume)
    t.start()
    t.join(5)
    assert not t.is_alive()
    assert len(seen) == 25
    gen.restart_streams()
    more = []
    for token in gen.stream():
        more.append(token)
        if len(more) == 5:
            break
    assert len(more) == 5


def test_seed_normalisation_and_unknown_characters(model):
    gen = Generator(model)
    report = gen.prime("THE Café ☕")
    assert report.text == "the caf "
    assert report.skipped == {"é": 1, "☕": 1}
    assert "é" in report.notice()


def test_empty_seed_uses_start_text(model):
    gen = Generator(model, GeneratorParams(max_length=5))
    report = gen.prime("")
    assert report.text == model.info.start_text
    assert len(text_of(gen)) == 5


def test_generate_before_prime_is_an_error(model):
    with pytest.raises(EngineError, match="prime"):
        Generator(model).generate_next()


def test_eval_carries_state_like_one_long_call(model):
    from engine.evaluate import evaluate_text, log_softmax

    text = "the pizza was great. " * 20
    a = evaluate_text(model, text, chunk=7)
    b = evaluate_text(model, text, chunk=10_000)
    ids, _ = model.encode(text)
    logits, _ = model.runner.run(np.array([ids[:-1]]), model.runner.zero_state(1))
    ref = -log_softmax(logits[0])[np.arange(len(ids) - 1), ids[1:]].sum() / np.log(2)
    assert a.chars == b.chars == len(ids) - 1
    assert abs(a.bits - ref) < 1e-3 and abs(b.bits - ref) < 1e-3
