"""Layout snapshots (pytest-textual-snapshot), deterministic: fake streams, fake clock, no blink."""
import pytest

from tests.tui.fakes import FakeBackend, FakeClock
from tui.app.app import CharstreamApp
from tui.app.store import Store

SIZE = (100, 30)


def app_for(tmp_path, backend, **kw):
    return CharstreamApp(backend, store=Store(str(tmp_path / "snap.sqlite3")), clock=FakeClock(),
                         cursor_blink=False, **kw)


async def _type_seed(pilot, seed="the pizza was"):
    for ch in seed:
        await pilot.press(ch if ch != " " else "space")
    await pilot.press("enter")


def test_main_screen_idle(snap_compare, tmp_path):
    assert snap_compare(app_for(tmp_path, FakeBackend()), terminal_size=SIZE)


def test_main_screen_mid_stream(snap_compare, tmp_path):
    backend = FakeBackend(script=" the crust was thin and crisp, the sauce", mode="hanging")

    async def run_before(pilot):
        await _type_seed(pilot)
        chat = pilot.app.chat()
        while chat.current is None or chat.current.reply.text != backend.script:
            await pilot.pause(0.02)
        await pilot.pause(0.1)

    app = app_for(tmp_path, backend)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    backend.generators[-1].cancel()


def test_compare_mode(snap_compare, tmp_path):
    backend = FakeBackend(script=" was good. great service and friendly staff.}")

    async def run_before(pilot):
        for ch in "the food":
            await pilot.press(ch if ch != " " else "space")
        await pilot.press("f3")
        screen = pilot.app.screen
        while getattr(screen, "pump", None) is None or screen.pump.running:
            await pilot.pause(0.02)
        await pilot.pause(0.1)

    assert snap_compare(app_for(tmp_path, backend), terminal_size=(120, 30), run_before=run_before)


def test_settings_screen(snap_compare, tmp_path):
    assert snap_compare(app_for(tmp_path, FakeBackend()), terminal_size=(100, 44), press=["f2"])


def test_error_screen(snap_compare, tmp_path):
    app = app_for(tmp_path, None, load_error="cannot load models/broken.onnx: not a valid ONNX "
                  "model (truncated or corrupt?): Protobuf parsing failed.")
    assert snap_compare(app, terminal_size=SIZE)
