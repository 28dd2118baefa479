"""The main screen: transcript of exchanges, the seed input, status line and footer."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from engine.errors import EngineError
from tui.app.pump import StreamPump
from tui.app.scrolling import at_end, follow_after_refresh
from tui.app.settings import step_temperature
from tui.app.widgets.exchange import ExchangeView
from tui.app.widgets.status import StatusLine

HINT = ("Type the start of a review (for example: the pizza was) and press Enter. "
        "F5/F6 change the temperature while it streams, Esc stops, Ctrl+P lists every command.")


class ChatScreen(Screen):
    BINDINGS = [
        Binding("escape", "stop", "Stop", id="stop"),
        Binding("f5", "temp_down", "Temp -", id="temp_down", priority=True),
        Binding("f6", "temp_up", "Temp +", id="temp_up", priority=True),
        Binding("f7", "regenerate", "Regenerate", id="regenerate"),
        Binding("f8", "continue_reply", "Continue", id="continue"),
        Binding("f3", "compare", "Compare", id="compare"),
        Binding("f2", "app.settings", "Settings", id="settings"),
        Binding("f4", "app.pick_model", "Model", id="pick_model"),
        Binding("f9", "toggle_surprise", "Surprise", id="surprise"),
        Binding("ctrl+l", "clear", "Clear", id="clear"),
        Binding("ctrl+s", "app.export_transcript", "Save chat", id="export_transcript"),
    ]

    def __init__(self):
        super().__init__()
        self.pump: StreamPump | None = None
        self.generator = None
        self.current: ExchangeView | None = None
        self.current_id: int | None = None
        self.last_seed: str | None = None
        self._params_used: dict = {}

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="transcript"):
            yield Static(HINT, id="empty-hint")
        yield Input(placeholder="Type a seed and press Enter", id="seed")
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#seed", Input).cursor_blink = self.app.cursor_blink
        self.app.sync_status(self.query_one(StatusLine))
        self.reload_history()
        self.query_one("#seed", Input).focus()

    # -- history -------------------------------------------------------------------------------
    def reload_history(self) -> None:
        transcript = self.query_one("#transcript")
        for view in list(transcript.query(ExchangeView)):
            view.remove()
        exchanges = self.app.store.exchanges(self.app.conversation)
        for ex in exchanges:
            transcript.mount(ExchangeView(ex.seed, ex.reply, meta=self._meta_text(ex.params, ex.finish)))
        if exchanges:
            self.last_seed = exchanges[-1].seed
            self.query_one("#empty-hint").display = False
            transcript.scroll_end(animate=False)

    @staticmethod
    def _meta_text(params: dict, finish: str, rate: float | None = None) -> str:
        parts = [f"T {params.get('temperature')}"]
        if params.get("top_k"):
            parts.append(f"top-k {params['top_k']}")
        if params.get("top_p", 1) < 1:
            parts.append(f"top-p {params['top_p']}")
        if rate:
            parts.append(f"{rate:,.0f} chars/s")
        parts.append(finish or "")
        return " · ".join(p for p in parts if p)

    # -- streaming -----------------------------------------------------------------------------
    @property
    def streaming(self) -> bool:
        return bool(self.pump and self.pump.running)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        seed = event.value
        event.input.value = ""
        self.start_exchange(seed)

    def start_exchange(self, seed: str) -> None:
        app = self.app
        if app.backend is None:
            app.notify("no model loaded: pick one with F4", severity="error")
            return
        self._retire_stream()
        try:
            params = app.settings.params()
        except EngineError as exc:
            app.notify(str(exc), severity="error")
            return
        self.generator = app.backend.generator([params])
        report = self.generator.prime(seed)
        if report.notice():
            app.notify(report.notice(), severity="warning")
        self.last_seed = seed
        self._params_used = params.to_dict()
        self.query_one("#empty-hint").display = False
        self.current = ExchangeView(report.text, surprise=app.settings.surprise_colours)
        transcript = self.query_one("#transcript")
        transcript.mount(self.current)
        transcript.scroll_end(animate=False)
        self.current_id = app.store.add_exchange(app.conversation, report.text, "",
                                                 self._params_used, app.backend.name,
                                                 app.backend.provider, "streaming")
        self._run_pump()

    def _run_pump(self) -> None:
        view = self.current  # bound now: a retired stream's last flush must not reach a newer view
        self.pump = StreamPump(self, self.generator, lambda tokens: self._on_tokens(view, tokens),
                               self._on_done, self.app.clock)
        self.query_one(StatusLine).state = "streaming"
        self.pump.start()

    def _on_tokens(self, view: ExchangeView, tokens) -> None:
        transcript = self.query_one("#transcript")
        follow = at_end(transcript)
        if view is not None and view.is_attached:
            view.reply.append_tokens(tokens)
        if follow:
            follow_after_refresh(transcript)
        if self.pump is not None and view is self.current:
            self.query_one(StatusLine).rate = self.pump.rate

    def _on_done(self, reason: str) -> None:
        self.query_one(StatusLine).state = reason
        self._record(self.current, self.current_id, self._params_used, self.pump, reason)
        if reason.startswith("error"):
            self.app.notify(reason, severity="error")

    def _record(self, view, exchange_id, params: dict, pump, reason: str) -> None:
        if view is not None and exchange_id is not None:
            view.set_meta(self._meta_text(params, reason, pump.rate if pump else None))
            self.app.store.update_exchange(exchange_id, view.reply.text, reason)

    def _retire_stream(self) -> None:
        """Stop a running stream that a new action replaces; its exchange is still saved (as
        stopped), but the status line is left to what comes next."""
        if not self.streaming:
            return
        view, exchange_id, params, pump = self.current, self.current_id, dict(self._params_used), self.pump
        pump.on_done = lambda reason: self._record(view, exchange_id, params, pump, reason)
        pump.stop()

    def on_unmount(self) -> None:
        """Leaving (or quitting) ends the stream, so no worker thread outlives the screen."""
        if self.pump is not None:
            self.pump.stop()

    # -- actions -------------------------------------------------------------------------------
    def action_stop(self) -> None:
        if self.streaming:
            self.pump.stop()

    def _change_temperature(self, direction: int) -> None:
        app = self.app
        app.settings.temperature = step_temperature(app.settings.temperature, direction)
        app.save_settings()
        if self.generator is not None:
            self.generator.set_params(0, temperature=app.settings.temperature)
            self._params_used["temperature"] = app.settings.temperature
        self.query_one(StatusLine).temperature = app.settings.temperature

    def action_temp_up(self) -> None:
        self._change_temperature(+1)

    def action_temp_down(self) -> None:
        self._change_temperature(-1)

    def action_regenerate(self) -> None:
        if self.last_seed is None:
            self.app.notify("nothing to regenerate yet: type a seed first")
            return
        self.start_exchange(self.last_seed)

    def action_continue_reply(self) -> None:
        if self.streaming:
            return
        if self.generator is None or self.current is None:
            self.app.notify("nothing to continue yet: type a seed first")
            return
        self.generator.restart_streams()
        self._run_pump()

    def action_compare(self) -> None:
        seed = self.query_one("#seed", Input).value or self.last_seed or ""
        self.app.open_compare(seed)

    def action_clear(self) -> None:
        self._retire_stream()
        self.app.conversation = self.app.store.new_conversation()
        self.generator = None
        self.current = None
        self.last_seed = None
        for view in list(self.query(ExchangeView)):
            view.remove()
        self.query_one("#empty-hint").display = True
        self.query_one(StatusLine).state = "idle"

    def action_toggle_surprise(self) -> None:
        app = self.app
        app.settings.surprise_colours = not app.settings.surprise_colours
        app.save_settings()
        for view in self.query(ExchangeView):
            view.reply.set_surprise(app.settings.surprise_colours)
        app.notify("colouring characters by surprise" if app.settings.surprise_colours
                   else "surprise colouring off")
