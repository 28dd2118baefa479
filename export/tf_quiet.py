"""Import TensorFlow without its start-up chatter (CUDA probes, absl banners) on the terminal.

The C++ runtime writes straight to file descriptor 2, so Python-level filters cannot stop it;
fd 2 points at /dev/null only for the duration of the import, then every error shows again.
"""
from __future__ import annotations

import logging
import os
import sys

from export.errors import UserError


def import_tensorflow():
    if sys.modules.get("tensorflow") is not None:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        try:
            import tensorflow as tf
            import keras  # noqa: F401  (its own import-time messages too)
        except ImportError as exc:
            raise UserError(f"training and export need TensorFlow ({exc.name} is not installed): "
                            "pip install 'charstream[train]'") from None
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("tf2onnx").setLevel(logging.ERROR)
    return tf
