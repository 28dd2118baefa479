"""End-to-end runs of the app and bundle on a tiny real ONNX model (CPU)."""
import os

from engine import load_model
from tests.tui.test_chat import chat, replies, submit, wait_for
from tui.app.backend import EngineBackend
from tui.app.screens.error import ErrorScreen
from tui.app.widgets.status import StatusLine
from tui.bundle import write_bundle


async def test_streams_from_a_real_model(make_app, tiny_model_path):
    app = make_app(EngineBackend(tiny_model_path, "cpu"))
    async with app.run_test() as pilot:
        app.settings.max_length = 120
        app.settings.stop = ""
        await submit(pilot, "the pizza")
        await wait_for(pilot, lambda: not chat(app).streaming and replies(app), timeout=20)
        assert len(replies(app)[0]) == 120
        status = chat(app).query_one(StatusLine)
        assert status.provider == "CPU" and status.rate > 0


async def test_corrupt_model_file_shows_the_error_screen(make_app, tmp_path):
    from tui.app.app import CharstreamApp  # noqa: F401
    from engine.errors import EngineError

    bad = tmp_path / "broken.onnx"
    bad.write_bytes(b"\x08\x07garbage" * 10)
    try:
        EngineBackend(str(bad), "cpu")
        raise AssertionError("a corrupt model loaded")
    except EngineError as exc:
        message = str(exc)
    app = make_app(None, load_error=message)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        assert "not a valid ONNX model" in str(app.screen.query_one("#error-message").render())


def test_export_writes_a_working_bundle(tiny_model_path, tmp_path):
    folder = tmp_path / "bundle"
    report = write_bundle(tiny_model_path, str(folder))
    assert sorted(os.listdir(folder)) == ["MODEL_CARD.md", "tiny.int8.onnx", "tiny.onnx"]
    int8 = load_model(str(folder / "tiny.int8.onnx"), "cpu")
    assert int8.info.vocab == load_model(tiny_model_path, "cpu").info.vocab  # metadata kept
    assert os.path.getsize(folder / "tiny.int8.onnx") < os.path.getsize(folder / "tiny.onnx")
    assert abs(report.int8_bpc - report.fp32_bpc) < 0.5
    card = (folder / "MODEL_CARD.md").read_text()
    assert "bits/char" in card and "tiny.int8.onnx" in card


async def test_bundle_export_from_the_app(make_app, tiny_model_path, tmp_path):
    app = make_app(EngineBackend(tiny_model_path, "cpu"))
    folder = tmp_path / "from-app"
    async with app.run_test() as pilot:
        app._export_bundle(str(folder))
        await wait_for(pilot, lambda: (folder / "MODEL_CARD.md").exists(), timeout=60)
        await pilot.pause(0.2)
        assert any("bundle in" in n.message for n in app._notifications)
