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
_NUMBERS = ["2", "3", "4", "5", "10", "15", "20", "30", "1", "6", "8", "12", "25", "45"]


def detokenise(line: str, rng: np.random.Generator) -> str:
    s = line.strip().replace("``", '"').replace("''", '"').replace(" ` ", " '")
    s = re.sub(r"_num_", lambda _m: _NUMBERS[int(rng.integers(len(_NUMBERS)))], s)
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
