"""int8 variant of a model with ONNX Runtime's dynamic quantisation of the LSTM weights.
Metadata is carried over by the tool, so the variant is a complete charstream model.
The 1024/512 step is memory-bound on CPU: int8 weights read 4x fewer bytes per character.

Only the LSTMs are quantised: they hold almost every weight. The logits MatMul and the
embedding Gather are tiny, and quantising them would add four nodes (DynamicQuantizeLinear,
MatMulInteger, Cast, Mul) to every one-character step: ~30 us of overhead per character on the
1024/512 model for no memory saved worth having."""
from __future__ import annotations

import logging
import os
import tempfile

from engine.atomic import atomic_open


def quantize_int8(src: str, dst: str) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the tool's "consider pre-processing" hint is for CNNs
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "int8.onnx")
            quantize_dynamic(src, out, weight_type=QuantType.QInt8, op_types_to_quantize=["LSTM"])
            with open(out, "rb") as fh, atomic_open(dst) as dst_fh:
                dst_fh.write(fh.read())
    finally:
        root.setLevel(level)
