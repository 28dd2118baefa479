"""Deployment bundle: the .onnx, an int8 variant (ONNX Runtime dynamic quantisation, no
TensorFlow) and a model card with vocabulary, sizes and measured bits/char of each."""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass

from engine import Generator, GeneratorParams, load_model
from engine.atomic import atomic_open, atomic_write_text
from engine.errors import EngineError
from engine.evaluate import evaluate_text
from engine.quantize import quantize_int8


@dataclass
class BundleReport:
    folder: str
    fp32_path: str
    int8_path: str
    fp32_bpc: float
    int8_bpc: float
    fp32_ms: float
    int8_ms: float
    eval_source: str

    def render(self) -> str:
        return (f"bundle in {self.folder}: fp32 {self.fp32_bpc:.4f} bits/char "
                f"({os.path.getsize(self.fp32_path) / 1e6:.2f} MB, {self.fp32_ms:.3f} ms/char), "
                f"int8 {self.int8_bpc:.4f} bits/char ({os.path.getsize(self.int8_path) / 1e6:.2f} MB, "
                f"{self.int8_ms:.3f} ms/char) on {self.eval_source}")


def _step_ms(path: str, steps: int = 300) -> float:
    from engine.bench import bench_step

    return bench_step(load_model(path, "cpu"), 1, steps)


def _eval_text(path: str, text_path: str | None, chars: int = 5000) -> tuple[str, str]:
    if text_path:
        try:
            with open(text_path, encoding="utf-8") as fh:
                return fh.read(), os.path.basename(text_path)
        except (OSError, UnicodeDecodeError) as exc:
            raise EngineError(f"cannot read evaluation text {text_path}: {exc}") from None
    gen = Generator(load_model(path, "cpu"), GeneratorParams(temperature=1.0, rng_seed=0,
                                                              max_length=chars))
    report = gen.prime("")
    return report.text + "".join(t.char for t in gen.stream()), \
        f"{chars} characters sampled from the fp32 model at temperature 1"


def write_bundle(model_path: str, folder: str, eval_text: str | None = None) -> BundleReport:
    parent = os.path.dirname(os.path.abspath(folder))
    if not os.path.isdir(parent):
        raise EngineError(f"folder does not exist: {parent}")
    model = load_model(model_path, "cpu")
    os.makedirs(folder, exist_ok=True)
    base = os.path.splitext(os.path.basename(model_path))[0]
    fp32 = os.path.join(folder, base + ".onnx")
    int8 = os.path.join(folder, base + ".int8.onnx")
    if os.path.abspath(fp32) != os.path.abspath(model_path):
        with open(model_path, "rb") as src, atomic_open(fp32) as dst:
            shutil.copyfileobj(src, dst)
    quantize_int8(fp32, int8)
    text, source = _eval_text(fp32, eval_text)
    r32 = evaluate_text(load_model(fp32, "cpu"), text)
    r8 = evaluate_text(load_model(int8, "cpu"), text)
    report = BundleReport(folder, fp32, int8, r32.bpc, r8.bpc, _step_ms(fp32), _step_ms(int8), source)
    atomic_write_text(os.path.join(folder, "MODEL_CARD.md"), model_card(model.info, report))
    return report


def model_card(info, report: BundleReport) -> str:
    t = info.training
    corpora = ", ".join(f"{c.get('name')} ({c.get('chars', 0):,} chars)" for c in t.get("corpora", []))
    return "\n".join([
        f"# {info.name}", "",
        f"Character-level LSTM {info.layers} (embedding {info.embedding_dim or 'one-hot'}), "
        f"exported by charstream on {time.strftime('%Y-%m-%d')}.", "",
        "| file | size | bits/char | ms/char (CPU, batch 1) |", "|---|---|---|---|",
        f"| {os.path.basename(report.fp32_path)} | {os.path.getsize(report.fp32_path) / 1e6:.2f} MB "
        f"| {report.fp32_bpc:.4f} | {report.fp32_ms:.3f} |",
        f"| {os.path.basename(report.int8_path)} | {os.path.getsize(report.int8_path) / 1e6:.2f} MB "
        f"| {report.int8_bpc:.4f} | {report.int8_ms:.3f} |", "",
        f"Bits/char measured on {report.eval_source}.", "",
        f"- vocabulary ({info.vocab_size}): `{json.dumps(''.join(info.vocab))}`",
        f"- lowercases input: {info.lowercase}",
        f"- trained on: {corpora or 'unknown'}; characters trained: {t.get('chars_trained', 'n/a')}",
        f"- best validation bits/char during training: {t.get('best_val_bpc', 'n/a')}", "",
        "Both files follow the charstream ONNX contract (inputs `ids`, `h_i`, `c_i`; outputs "
        "`logits`, `h_i_out`, `c_i_out`; metadata `charstream.*`): run them with "
        "`charstream generate --model FILE` or ONNX Runtime directly.", ""])
