"""Turn the tokenised one-sentence-per-line Yelp corpus into review-like natural text.

`it 's good .` becomes `it's good.`; `_num_` becomes a plausible number; consecutive
sentences of a file are grouped into pseudo-reviews wrapped in `{` `}`, the classic notebook's
review markers, so a model pre-trained on it already knows where reviews start and end.
"""
from __future__ import annotations

import re

import numpy as np

from engine.atomic import atomic_write_text
from export.corpus import read_text

_ATTACH_LEFT = re.compile(r" (n't|'s|'re|'ve|'m|'ll|'d|[.,!?:;)%])")
_ATTACH_RIGHT = re.compile(r"([($#]) ")
# `_num_` stands for any number; natural reviews mostly have small counts, prices and times, so
# draw from that mix (a short fixed list taught the model confident, wrong digits).
_SMALL = [str(n) for n in range(1, 13)]
_ROUND = ["15", "20", "25", "30", "40", "45", "50", "60", "90", "100"]


def _number(rng: np.random.Generator) -> str:
    kind = rng.random()
    if kind < 0.55:
        return _SMALL[int(rng.integers(len(_SMALL)))]
    if kind < 0.75:
        return _ROUND[int(rng.integers(len(_ROUND)))]
    if kind < 0.88:
        return str(int(rng.integers(13, 100)))
    if kind < 0.95:
        return f"{int(rng.integers(1, 30))}.{int(rng.integers(0, 100)):02d}"
    return f"{int(rng.integers(1, 13))}:{int(rng.choice([0, 15, 30, 45])):02d}"


def detokenise(line: str, rng: np.random.Generator) -> str:
    s = line.strip().replace("``", '"').replace("''", '"').replace(" ` ", " '")
    s = re.sub(r"_num_", lambda _m: _number(rng), s)
    s = _ATTACH_LEFT.sub(r"\1", s)
    s = _ATTACH_RIGHT.sub(r"\1", s)
    s = re.sub(r'" (.*?) "', r'"\1"', s)
    return s


def prep_sentences(paths: list[str], output: str, *, seed: int = 0) -> tuple[int, int]:
    """Write the pseudo-review text to `output` (atomically); returns (reviews, characters)."""
    rng = np.random.default_rng(seed)
    reviews: list[str] = []
    for path in paths:
        lines = [ln for ln in read_text(path).splitlines() if ln.strip()]
        i = 0
        while i < len(lines):
            n = int(rng.integers(3, 9))
            body = " ".join(detokenise(ln, rng) for ln in lines[i:i + n])
            reviews.append("{" + body + "}")
            i += n
    text = "".join(reviews)
    atomic_write_text(output, text)
    return len(reviews), len(text)
