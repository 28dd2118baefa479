"""Every training knob in one place (nanoGPT style): presets plus explicit overrides."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from export.errors import UserError


@dataclass
class TrainConfig:
    layers: list[int] = field(default_factory=lambda: [256, 256])
    # 0 means one-hot input (the classic notebook): a frozen identity embedding of width vocab.
    embedding_dim: int = 32
    seq_len: int = 128
    batch_size: int = 128
    epochs: int = 10
    learning_rate: float = 2e-3
    # Cosine decay to lr * lr_floor over the planned steps; 1.0 keeps the rate constant.
    lr_floor: float = 0.1
    dropout: float = 0.0
    val_fraction: float = 0.1
    # dropped from the end of each file before the validation split (a never-seen test split)
    exclude_tail: float = 0.0
    lowercase: bool = True
    seed: int = 1234
    # Truncated backpropagation through time: each batch row continues where it stopped in the
    # previous batch, with the LSTM state carried over, so the model learns to use context
    # beyond one sequence, as streaming and `charstream eval` use it.
    stateful: bool = False
    patience: int = 3
    clipnorm: float = 5.0
    checkpoint_every: int = 500
    sample_chars: int = 200

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


# Presets: `classic` is the notebook's architecture; the others are sized for CPU training.
PRESETS: dict[str, dict] = {
    "tiny": dict(layers=[64], embedding_dim=16, seq_len=64, batch_size=32),
    "small": dict(layers=[256, 256], embedding_dim=32, seq_len=128, batch_size=128),
    "medium": dict(layers=[512, 512], embedding_dim=64, seq_len=128, batch_size=128),
    "classic": dict(layers=[1024, 512], embedding_dim=0, seq_len=256, batch_size=128,
                    learning_rate=2e-3),
}


def config_from_preset(name: str, **overrides) -> TrainConfig:
    """A preset with the user's explicit overrides (None means 'not given') applied on top."""
    if name not in PRESETS:
        raise UserError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")
    cfg = TrainConfig(**PRESETS[name])
    for key, value in overrides.items():
        if value is not None:
            setattr(cfg, key, value)
    validate(cfg)
    return cfg


def validate(cfg: TrainConfig) -> None:
    if not cfg.layers or any(u <= 0 for u in cfg.layers):
        raise UserError(f"--layers must be positive sizes such as 256,256 (got {cfg.layers})")
    if cfg.seq_len < 2:
        raise UserError("--seq-len must be at least 2")
    if cfg.batch_size < 1 or cfg.epochs < 1:
        raise UserError("--batch-size and --epochs must be at least 1")
    if not 0.0 <= cfg.dropout < 1.0:
        raise UserError("--dropout must be in [0, 1)")
    if not 0.0 < cfg.val_fraction < 0.5:
        raise UserError("--val-fraction must be in (0, 0.5)")
    if not 0.0 <= cfg.exclude_tail < 0.5:
        raise UserError("--exclude-tail must be in [0, 0.5)")
    if not cfg.learning_rate > 0:
        raise UserError("--lr must be positive")
