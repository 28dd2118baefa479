"""Each bad input gets one clear line and a non-zero exit (through the real CLI)."""
import subprocess
import sys

import pytest


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


@pytest.fixture
def files(tmp_path, corpus_file):
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "short.txt").write_text("tiny text")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 cr\xe8me br\xfbl\xe9e ".encode("latin-1") * 50)
    return tmp_path


@pytest.mark.parametrize("args, message", [
    (["train", "{d}/missing.txt", "--out", "{d}/r"], "corpus file not found"),
    (["train", "{d}/empty.txt", "--out", "{d}/r"], "corpus file is empty"),
    (["train", "{d}/short.txt", "--out", "{d}/r"], "corpus too short"),
    (["train", "{d}/latin1.txt", "--out", "{d}/r"], "is not UTF-8 text"),
    (["train", "{corpus}", "--preset", "huge", "--out", "{d}/r"], "unknown preset 'huge'"),
    (["train", "{corpus}", "--out", "{d}/no/such/folder/r"], "folder does not exist"),
    (["train", "--resume", "--out", "{d}"], "nothing to resume"),
    (["export", "{d}/nowhere", "-o", "{d}/m.onnx"], "checkpoint not found"),
    (["export", "{corpus}", "-o", "{d}/m.onnx"], "not a charstream checkpoint"),
])
def test_bad_input(args, message, files, corpus_file):
    args = [a.format(d=files, corpus=corpus_file) for a in args]
    proc = cli(*args)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_training_without_tensorflow_says_which_extra_to_install(corpus_file, tmp_path):
    code = ("import sys; sys.modules['tensorflow'] = None; from tui.cli import main; "
            f"sys.exit(main(['train', {corpus_file!r}, '--out', {str(tmp_path / 'r')!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "pip install 'charstream[train]'" in proc.stderr and "Traceback" not in proc.stderr
