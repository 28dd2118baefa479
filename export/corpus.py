"""Reading corpora: text -> normalised string -> integer ids, with a per-file held-out tail.

Memory is O(corpus): one int32 per character, never windows x vocabulary as the notebook did.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from export.errors import UserError


@dataclass
class CorpusFile:
    name: str
    chars: int
    train: str
    val: str


@dataclass
class Corpus:
    files: list[CorpusFile]
    vocab: list[str]

    @property
    def train_chars(self) -> int:
        return sum(len(f.train) for f in self.files)

    def encode(self, text: str) -> np.ndarray:
        index = {ch: i for i, ch in enumerate(self.vocab)}
        try:
            return np.fromiter((index[ch] for ch in text), dtype=np.int32, count=len(text))
        except KeyError as exc:
            raise UserError(f"character {exc.args[0]!r} is not in the model's vocabulary") from None

    def train_ids(self) -> np.ndarray:
        """All train splits, concatenated (files joined end to start, as one stream)."""
        return self.encode("".join(f.train for f in self.files))

    def val_ids(self) -> np.ndarray:
        return self.encode("".join(f.val for f in self.files))

    def facts(self) -> list[dict]:
        return [{"name": f.name, "chars": f.chars, "train_chars": len(f.train)} for f in self.files]


def normalise(text: str, lowercase: bool) -> str:
    text = text.replace("\r\n", "\n")
    return text.lower() if lowercase else text


def read_text(path: str) -> str:
    if not os.path.exists(path):
        raise UserError(f"corpus file not found: {path}")
    if os.path.isdir(path):
        raise UserError(f"corpus path is a folder, not a text file: {path}")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise UserError(f"{path} is not UTF-8 text (byte {exc.start}: {exc.reason}); "
                        "convert it with iconv first") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None
    if not text.strip():
        raise UserError(f"corpus file is empty: {path}")
    return text


def load_corpus(paths: list[str], *, lowercase: bool, val_fraction: float, seq_len: int,
                vocab: list[str] | None = None, exclude_tail: float = 0.0) -> Corpus:
    """Read and split every file; build the vocabulary unless one is imposed (fine-tuning).

    `exclude_tail` drops the last fraction of each file before anything else: a test split
    that neither training nor validation (early stopping) ever sees."""
    if not paths:
        raise UserError("give at least one corpus file")
    files = []
    for path in paths:
        text = normalise(read_text(path), lowercase)
        if exclude_tail > 0:
            text = text[: len(text) - int(len(text) * exclude_tail)]
        n_val = max(1, int(len(text) * val_fraction))
        files.append(CorpusFile(os.path.basename(path), len(text), text[:-n_val], text[-n_val:]))
    total_train = sum(len(f.train) for f in files)
    if total_train < seq_len + 1:
        raise UserError(f"corpus too short: {total_train} training characters, need more than one "
                        f"sequence ({seq_len + 1}); lower --seq-len or add text")
    seen = sorted(set("".join(f.train + f.val for f in files)))
    if vocab is None:
        vocab = seen
    else:
        missing = [ch for ch in seen if ch not in set(vocab)]
        if missing:
            shown = "".join(missing) if len(missing) < 40 else "".join(missing[:40]) + "..."
            raise UserError(f"the corpus has {len(missing)} character(s) the base model does not "
                            f"know: {shown!r}; fine-tune only on text within its vocabulary")
    return Corpus(files, list(vocab))
