"""The engine's subcommands end to end, through the real `charstream` entry point."""
import json
import subprocess
import sys

import pytest

from tui.cli import main


def run_cli(*args: str):
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True,
                          timeout=120)


def test_generate_streams_and_is_reproducible(tiny_model_path, capsys):
    assert main(["generate", "--model", tiny_model_path, "--seed", "The food", "-n", "40",
                 "--rng-seed", "5", "-t", "0.8", "--device", "cpu"]) == 0
    first = capsys.readouterr().out
    assert first.startswith("the food") and len(first.rstrip("\n")) <= len("the food") + 40
    main(["generate", "--model", tiny_model_path, "--seed", "The food", "-n", "40",
          "--rng-seed", "5", "-t", "0.8", "--device", "cpu"])
    assert capsys.readouterr().out == first


def test_generate_several_temperatures_labels_each(tiny_model_path, capsys):
    assert main(["generate", "--model", tiny_model_path, "--seed", "ok", "-n", "20",
                 "--temperatures", "0.2,0.4,0.6,0.8", "--rng-seed", "1", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    for t in ("0.2", "0.4", "0.6", "0.8"):
        assert f"----- temperature {t}" in out


def test_eval_reports_bits_and_skipped(tiny_model_path, tmp_path, capsys):
    text = tmp_path / "t.txt"
    text.write_text("The pizza was GREAT é and the crust too.\n" * 5, encoding="utf-8")
    assert main(["eval", tiny_model_path, str(text), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"]["skipped_chars"] == 5
    assert 0 < data["total"]["bits_per_char"] < 20


def test_eval_fits_a_logit_scale_on_the_validation_split(tiny_model_path, tmp_path, capsys):
    text = tmp_path / "t.txt"
    text.write_text("the pizza was great and the crust too. " * 40, encoding="utf-8")
    assert main(["eval", tiny_model_path, str(text), "--drop-tail", "0.1", "--tail", "0.1",
                 "--fit-logit-scale", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["drop_tail"] == 0.1 and data["files"][0]["chars"] == 140 - 1
    assert data["logit_scale"]["bits_per_char"] <= data["total"]["bits_per_char"] + 1e-9
    assert main(["eval", tiny_model_path, str(text), "--fit-logit-scale"]) == 0
    assert "best logit scale" in capsys.readouterr().out


def test_info_prints_metadata(tiny_model_path, capsys):
    assert main(["info", tiny_model_path, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["layers"] == [16, 8] and info["lowercase"] is True


def test_bench_prints_figures(tiny_model_path, capsys):
    assert main(["bench", "--model", tiny_model_path, "--device", "cpu", "--steps", "30",
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("step_ms_batch1", "step_ms_batch4", "first_char_ms_after_256_seed",
                "window_method_ms_per_char", "speedup_vs_window", "peak_memory_mb"):
        assert result[key] > 0
    assert result["provider"] == "CPUExecutionProvider"
    assert result["in_call_ms_per_char"] == pytest.approx(
        result["window_method_ms_per_char"] / 256, abs=1e-4)
    assert result["rounds"] == 5


def test_bench_rounds_share_the_work_exactly():
    from engine.bench import _share

    for total in (0, 1, 7, 30, 500):
        parts = [_share(total, 5, r) for r in range(5)]
        assert sum(parts) == total and max(parts) - min(parts) <= 1


@pytest.mark.parametrize("args, message", [
    (["generate", "--model", "missing.onnx"], "model file not found"),
    (["generate", "--model", "{model}", "-t", "-1"], "temperature must be"),
    (["generate", "--model", "{model}", "--top-p", "0"], "top-p must be"),
    (["generate", "--model", "{model}", "--top-k", "-2"], "top-k must be"),
    (["eval", "{model}", "missing.txt"], "text file not found"),
    (["info", "{corrupt}"], "not a valid ONNX model"),
])
def test_bad_input_is_one_line_and_nonzero(args, message, tiny_model_path, tmp_path):
    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes(open(tiny_model_path, "rb").read()[:300])
    args = [a.format(model=tiny_model_path, corrupt=corrupt) for a in args]
    proc = run_cli(*args)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_help_does_not_import_tensorflow():
    code = ("import sys; from tui.cli import build_parser; build_parser().format_help(); "
            "import engine, tui.cli; print('tensorflow' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "False"
    assert run_cli("--help").returncode == 0


def test_bench_int8_reports_both_variants_in_one_run(tiny_model_path, capsys):
    assert main(["bench", "--model", tiny_model_path, "--device", "cpu", "--steps", "20",
                 "--int8", "--json"]) == 0
    fp32, int8 = json.loads(capsys.readouterr().out)
    assert int8["model"].endswith("(int8)")
    assert fp32["step_ms_batch1"] > 0 and int8["step_ms_batch1"] > 0


def test_quantized_model_keeps_the_contract(tiny_model_path, tmp_path):
    from engine import load_model
    from engine.quantize import quantize_int8

    out = str(tmp_path / "q.onnx")
    quantize_int8(tiny_model_path, out)
    model = load_model(out, "cpu")
    assert model.info.layers == [16, 8]


def test_quantisation_touches_only_the_lstms(tiny_model_path, tmp_path):
    """The logits MatMul stays fp32: quantising it would add per-step quantisation nodes."""
    import onnx

    from engine.quantize import quantize_int8

    out = str(tmp_path / "q.onnx")
    quantize_int8(tiny_model_path, out)
    ops = [n.op_type for n in onnx.load(out).graph.node]
    assert ops.count("DynamicQuantizeLSTM") == 2 and "LSTM" not in ops
    assert "MatMul" in ops
    assert not {"MatMulInteger", "DynamicQuantizeLinear"} & set(ops)
