"""Checkpoints: one .npz holding weights, optimizer slots and the run's position, written atomically.

A plain numpy archive instead of TensorFlow's checkpoint format keeps resume logic readable and
lets `--init-from` read weights without rebuilding the optimizer.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass, field

import numpy as np

from engine.atomic import atomic_write_bytes
from export.errors import UserError

CHECKPOINT = "checkpoint.npz"   # latest position, for --resume
BEST = "best.npz"               # best validation loss, for export and --init-from


@dataclass
class Checkpoint:
    weights: list[np.ndarray]
    optimizer: list[np.ndarray]
    meta: dict
    # LSTM states carried between batches by a --stateful run (h_0, c_0, h_1, ...); empty otherwise
    carry: list[np.ndarray] = field(default_factory=list)


def save(path: str, ckpt: Checkpoint) -> None:
    arrays = {f"w{i:04d}": w for i, w in enumerate(ckpt.weights)}
    arrays.update({f"o{i:04d}": v for i, v in enumerate(ckpt.optimizer)})
    arrays.update({f"s{i:04d}": v for i, v in enumerate(ckpt.carry)})
    arrays["meta"] = np.frombuffer(json.dumps(ckpt.meta).encode("utf-8"), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    atomic_write_bytes(path, buf.getvalue())


def load(path: str) -> Checkpoint:
    try:
        with np.load(path) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            weights = [data[k] for k in sorted(k for k in data.files if k.startswith("w"))]
            optimizer = [data[k] for k in sorted(k for k in data.files if k.startswith("o"))]
            carry = [data[k] for k in sorted(k for k in data.files if k.startswith("s"))]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise UserError(f"{path} is not a charstream checkpoint ({exc.__class__.__name__})") from None
    return Checkpoint(weights, optimizer, meta, carry)


def resolve(path: str, prefer: str = BEST) -> str:
    """A run folder means its best (or latest) checkpoint; a file is taken as given."""
    if os.path.isdir(path):
        for name in (prefer, CHECKPOINT, BEST):
            candidate = os.path.join(path, name)
            if os.path.exists(candidate):
                return candidate
        raise UserError(f"no checkpoint in {path} (expected {BEST} or {CHECKPOINT})")
    if not os.path.exists(path):
        raise UserError(f"checkpoint not found: {path}")
    return path
