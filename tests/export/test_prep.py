import numpy as np

from export.prep import detokenise, prep_sentences


def test_detokenise_reattaches_punctuation_and_clitics():
    rng = np.random.default_rng(0)
    assert detokenise("it 's good , but i do n't love it .", rng) == "it's good, but i don't love it."
    assert detokenise("we paid $ _num_ ( plus tip ) !", rng).startswith("we paid $")
    assert "_num_" not in detokenise("_num_ stars", rng)
    assert detokenise("`` great '' pizza", rng) == '"great" pizza'


def test_prep_groups_sentences_into_reviews(tmp_path):
    src = tmp_path / "s.txt"
    src.write_text("\n".join(f"sentence {i} was good ." for i in range(40)) + "\n")
    out = tmp_path / "out.txt"
    n_reviews, n_chars = prep_sentences([str(src)], str(out))
    text = out.read_text()
    assert len(text) == n_chars and text.count("{") == text.count("}") == n_reviews
    assert text.startswith("{sentence 0 was good. sentence 1 was good.")
