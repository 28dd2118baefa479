"""Where the models shipped in the `models` package live once installed."""
from __future__ import annotations

import os
from importlib import resources

DEFAULT_MODEL = "yelp-reviews.onnx"


def models_dir() -> str:
    return str(resources.files("models"))


def bundled_models() -> list[str]:
    folder = models_dir()
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".onnx"))


def default_model_path() -> str:
    return os.path.join(models_dir(), DEFAULT_MODEL)
