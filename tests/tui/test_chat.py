"""Pilot tests of every chat action against fake streams."""
import asyncio

import pytest

from tests.tui.fakes import FakeBackend
from tui.app.screens.chat import ChatScreen
from tui.app.screens.compare import CompareScreen
from tui.app.screens.error import ErrorScreen
from tui.app.widgets.exchange import ExchangeView
from tui.app.widgets.status import StatusLine


async def wait_for(pilot, condition, timeout=5.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


async def submit(pilot, text):
    await pilot.click("#seed")
    for ch in text:
        await pilot.press(ch if ch != " " else "space")
    await pilot.press("enter")


def chat(app) -> ChatScreen:
    return app.chat()


def replies(app):
    return [v.reply.text for v in app.screen.query(ExchangeView)]


async def test_typing_a_seed_streams_every_character_once(make_app, store):
    script = "".join(chr(97 + (i * 7) % 26) for i in range(1500)) + "}"
    backend = FakeBackend(script=script)
    app = make_app(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        app.settings.max_length = 0
        await submit(pilot, "the pizza was")
        await wait_for(pilot, lambda: not chat(app).streaming and replies(app))
        assert replies(app) == [script]  # nothing lost, nothing duplicated
        ex = store.exchanges(app.conversation)[-1]
        assert ex.seed == "the pizza was" and ex.reply == script and ex.finish == "finished"
        assert chat(app).query_one(StatusLine).state == "finished"


async def test_temperature_keys_change_the_engine_value_mid_stream(make_app):
    backend = FakeBackend(script="abcdefgh", mode="endless", delay=0.002)
    app = make_app(backend)
    async with app.run_test() as pilot:
        app.settings.max_length = 0
        await submit(pilot, "the food")
        gen = backend.generators[-1]
        await wait_for(pilot, lambda: gen.emitted[0] > 20)
        await pilot.press("f6")
        await wait_for(pilot, lambda: gen.used_temperatures[-1] == pytest.approx(0.6))
        await pilot.press("f5", "f5")
        await wait_for(pilot, lambda: gen.used_temperatures[-1] == pytest.approx(0.4))
        assert chat(app).query_one(StatusLine).temperature == pytest.approx(0.4)
        assert app.settings.temperature == pytest.approx(0.4)
        await pilot.press("escape")


async def test_escape_stops_within_a_frame_and_keeps_what_arrived(make_app, store):
    backend = FakeBackend(script="abcdefgh", mode="endless", delay=0.001)
    app = make_app(backend)
    async with app.run_test() as pilot:
        app.settings.max_length = 0
        await submit(pilot, "service")
        gen = backend.generators[-1]
        await wait_for(pilot, lambda: gen.emitted[0] > 50)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not chat(app).streaming, timeout=1 / 30 + 0.5)
        shown = replies(app)[-1]
        assert len(shown) == gen.emitted[0]  # final flush: every emitted character is shown
        await pilot.pause(0.2)
        assert replies(app)[-1] == shown    # and nothing arrives after the stop
        assert store.exchanges(app.conversation)[-1].finish == "stopped"


async def test_regenerate_and_continue(make_app):
    backend = FakeBackend(script="good food.}")
    app = make_app(backend)
    async with app.run_test() as pilot:
        await submit(pilot, "the pizza")
        await wait_for(pilot, lambda: not chat(app).streaming and replies(app))
        await pilot.press("f7")
        await wait_for(pilot, lambda: len(replies(app)) == 2 and not chat(app).streaming)
        assert [v.seed for v in app.screen.query(ExchangeView)] == ["the pizza", "the pizza"]
        backend.generators[-1].script = "good food.} more text}"
        await pilot.press("f8")
        await wait_for(pilot, lambda: replies(app)[-1] == "good food.} more text}")


async def test_compare_mode_shows_one_column_per_temperature(make_app):
    backend = FakeBackend(script="tasty.}")
    app = make_app(backend)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.click("#seed")
        await pilot.press("h", "i")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.replies() == ["tasty.}"] * 4)
        gen = backend.generators[-1]
        assert gen.batch == 4  # one batched generator, not four
        assert [p.temperature for p in gen.params] == [0.2, 0.4, 0.6, 0.8]
        assert len(screen.query(".column")) == 4
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


async def test_settings_are_validated_and_persist(make_app, store):
    app = make_app(FakeBackend())
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        screen.query_one("#temperature").value = "-3"
        screen.query_one("#save").press()
        await pilot.pause()
        assert "temperature" in str(screen.query_one("#settings-error").render())
        screen.query_one("#temperature").value = "0.9"
        screen.query_one("#top_k").value = "5"
        screen.query_one("#rng_seed").value = "42"
        screen.query_one("#save").press()
        await pilot.pause()
        await pilot.pause()
        assert app.settings.temperature == 0.9 and app.settings.rng_seed == 42
    second = make_app(FakeBackend())
    async with second.run_test() as pilot:
        assert second.settings.temperature == 0.9 and second.settings.top_k == 5
        assert chat(second).query_one(StatusLine).temperature == 0.9


async def test_history_is_reopened_and_clear_starts_a_new_conversation(make_app, store):
    app = make_app(FakeBackend(script="nice.}"))
    async with app.run_test() as pilot:
        await submit(pilot, "lunch")
        await wait_for(pilot, lambda: not chat(app).streaming and replies(app))
    again = make_app(FakeBackend())
    async with again.run_test() as pilot:
        assert replies(again) == ["nice.}"]
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert replies(again) == []
        assert store.exchanges(again.conversation) == []


async def test_unknown_seed_characters_are_named(make_app):
    app = make_app(FakeBackend())
    async with app.run_test() as pilot:
        chat(app).start_exchange("café ☕")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("é" in m and "☕" in m for m in messages)


async def test_cuda_notice_is_shown(make_app):
    app = make_app(FakeBackend(notice="CUDA unavailable: running on CPU"))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert any("CUDA unavailable" in n.message for n in app._notifications)
        assert chat(app).query_one(StatusLine).provider == "CPU"


async def test_missing_model_shows_the_error_screen_and_recovers(make_app):
    loaded = FakeBackend(name="other")
    app = make_app(None, load_error="cannot load broken.onnx: not a valid ONNX model",
                   loader=lambda path, device: loaded)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        assert "not a valid ONNX model" in str(app.screen.query_one("#error-message").render())
        await pilot.click("#pick")
        await pilot.pause()
        app.screen.dismiss("fake/other.onnx")
        await wait_for(pilot, lambda: app.backend is loaded)
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))


async def test_export_conversation_markdown_and_json(make_app, tmp_path):
    import json

    app = make_app(FakeBackend(script="superb.}"))
    async with app.run_test() as pilot:
        await submit(pilot, "dinner")
        await wait_for(pilot, lambda: not chat(app).streaming and replies(app))
        app._export_transcript(str(tmp_path / "chat"))
        md = (tmp_path / "chat.md").read_text()
        data = json.loads((tmp_path / "chat.json").read_text())
        assert "dinnersuperb.}" in md
        assert data["exchanges"][0]["params"]["temperature"] == 0.5
        assert data["exchanges"][0]["reply"] == "superb.}"


def test_every_binding_has_an_id_and_every_action_is_in_the_palette(make_app):
    from tui.app.app import CharstreamApp

    for cls in (ChatScreen, CompareScreen, ErrorScreen, CharstreamApp):
        for binding in cls.BINDINGS:
            assert binding.id, f"{cls.__name__} binding {binding.key} has no id"


async def test_command_palette_lists_every_chat_action(make_app):
    app = make_app(FakeBackend())
    async with app.run_test() as pilot:
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for title in ("Stop generation", "Temperature up", "Temperature down", "Regenerate",
                      "Continue reply", "Compare temperatures", "Clear conversation",
                      "Toggle surprise colours", "Settings", "Pick model", "Export conversation",
                      "Export deployment bundle"):
            assert title in titles


async def test_a_new_seed_while_streaming_saves_the_interrupted_reply(make_app, store):
    backend = FakeBackend(script="abcdefgh", mode="endless", delay=0.001)
    app = make_app(backend)
    async with app.run_test() as pilot:
        app.settings.max_length = 0
        await submit(pilot, "first")
        await wait_for(pilot, lambda: backend.generators[-1].emitted[0] > 30)
        backend.mode = "scripted"
        backend.script = "done.}"
        await submit(pilot, "second")
        await wait_for(pilot, lambda: [e.finish for e in store.exchanges(app.conversation)]
                       == ["stopped", "finished"])
        first, second = store.exchanges(app.conversation)
        assert len(first.reply) == backend.generators[0].emitted[0] > 30
        assert second.reply == "done.}"


async def test_keys_open_their_dialogs_and_escape_closes_them(make_app):
    from tui.app.screens.dialogs import ModelPicker, PathPrompt, SettingsScreen

    app = make_app(FakeBackend())
    async with app.run_test() as pilot:
        for key, screen_type in (("ctrl+s", PathPrompt), ("f2", SettingsScreen), ("f4", ModelPicker)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen_type), key
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ChatScreen)


async def test_view_follows_new_text_unless_the_user_scrolled_up(make_app):
    backend = FakeBackend(script="the crust was thin and the sauce was bright. ", mode="endless",
                          delay=0.001)
    app = make_app(backend)
    async with app.run_test(size=(80, 20)) as pilot:
        app.settings.max_length = 0
        await submit(pilot, "the pizza")
        transcript = app.screen.query_one("#transcript")
        await wait_for(pilot, lambda: transcript.max_scroll_y > 10)
        await pilot.pause(0.1)
        assert transcript.scroll_y >= transcript.max_scroll_y - 2  # following
        transcript.scroll_home(animate=False, immediate=True)
        await pilot.pause(0.3)
        assert transcript.scroll_y == 0  # the user's position is kept while text arrives
        assert transcript.max_scroll_y > 10
        await pilot.press("escape")
