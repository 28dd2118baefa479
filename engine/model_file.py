"""Reading and validating a charstream .onnx file: the metadata contract in engine/contract.py."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from engine import contract
from engine.errors import EngineError


@dataclass
class ModelInfo:
    path: str
    name: str
    vocab: list[str]
    lowercase: bool
    layers: list[int]
    embedding_dim: int
    start_text: str
    training: dict = field(default_factory=dict)
    size_bytes: int = 0

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def summary(self) -> dict:
        return {"name": self.name, "path": self.path, "size_bytes": self.size_bytes,
                "layers": self.layers, "embedding_dim": self.embedding_dim,
                "vocab_size": self.vocab_size, "vocab": "".join(self.vocab),
                "lowercase": self.lowercase, "start_text": self.start_text,
                "training": self.training}


def parse_metadata(path: str, meta: dict[str, str]) -> ModelInfo:
    """Metadata map (from ONNX Runtime) -> ModelInfo, or a clear error naming what is wrong."""
    if contract.KEY_VOCAB not in meta:
        raise EngineError(f"{path} is an ONNX model but not a charstream model "
                          f"(no {contract.KEY_VOCAB} metadata)")
    if meta.get(contract.KEY_FORMAT) != contract.FORMAT_VERSION:
        raise EngineError(f"{path} uses charstream format {meta.get(contract.KEY_FORMAT)!r}; "
                          f"this version reads format {contract.FORMAT_VERSION}")
    try:
        vocab = json.loads(meta[contract.KEY_VOCAB])
        layers = [int(u) for u in json.loads(meta[contract.KEY_LAYERS])]
        training = json.loads(meta.get(contract.KEY_TRAINING, "{}"))
        embedding = int(meta.get(contract.KEY_EMBEDDING, "0"))
    except (ValueError, KeyError, TypeError) as exc:
        raise EngineError(f"{path} has damaged charstream metadata ({exc})") from None
    if not vocab or any(not isinstance(c, str) or len(c) != 1 for c in vocab):
        raise EngineError(f"{path} has an invalid vocabulary in its metadata")
    if len(set(vocab)) != len(vocab):
        raise EngineError(f"{path} has duplicate characters in its vocabulary")
    start = meta.get(contract.KEY_START, "")
    if any(ch not in vocab for ch in start):
        start = ""
    return ModelInfo(path=path, name=meta.get(contract.KEY_NAME) or
                     os.path.splitext(os.path.basename(path))[0],
                     vocab=vocab, lowercase=meta.get(contract.KEY_LOWERCASE, "false") == "true",
                     layers=layers, embedding_dim=embedding, start_text=start or vocab[0],
                     training=training, size_bytes=os.path.getsize(path))


def check_signature(path: str, info: ModelInfo, inputs: dict[str, list], outputs: dict[str, list]) -> None:
    """The graph must have exactly the named tensors the contract promises."""
    want_in = [contract.INPUT_IDS] + contract.state_inputs(len(info.layers))
    want_out = [contract.OUTPUT_LOGITS] + contract.state_outputs(len(info.layers))
    missing = [n for n in want_in if n not in inputs] + [n for n in want_out if n not in outputs]
    if missing:
        raise EngineError(f"{path} does not follow the charstream contract: missing tensors "
                          f"{', '.join(missing)}")
    for i, units in enumerate(info.layers):
        shape = inputs[f"h_{i}"]
        if shape and isinstance(shape[-1], int) and shape[-1] != units:
            raise EngineError(f"{path}: state h_{i} has width {shape[-1]}, metadata says {units}")


def read_model_info(path: str) -> ModelInfo:
    """Metadata only (opens a CPU session briefly; for `charstream info` and model pickers)."""
    from engine.session import open_session

    session, _provider, _notice = open_session(path, "cpu")
    return info_from_session(path, session)


def info_from_session(path: str, session) -> ModelInfo:
    meta = session.get_modelmeta().custom_metadata_map
    info = parse_metadata(path, meta)
    check_signature(path, info, {i.name: i.shape for i in session.get_inputs()},
                    {o.name: o.shape for o in session.get_outputs()})
    return info
