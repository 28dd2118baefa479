"""One seed, several temperatures, streaming side by side from one batched engine call."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.app.pump import StreamPump
from tui.app.scrolling import at_end, follow_after_refresh
from tui.app.widgets.reply import ReplyText
from tui.app.widgets.status import StatusLine


class CompareScreen(Screen):
    BINDINGS = [Binding("escape", "stop_or_back", "Stop / back", id="compare_stop"),
                Binding("f7", "rerun", "Run again", id="compare_rerun"),
                Binding("f3", "back", "Back to chat", id="compare_back")]

    def __init__(self, seed: str, temperatures: list[float]):
        super().__init__()
        self.seed = seed
        self.temperatures = temperatures
        self.pump: StreamPump | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="compare-seed", markup=False)
        with Horizontal(id="compare"):
            for i, t in enumerate(self.temperatures):
                with Vertical(classes="column", id=f"col-{i}"):
                    yield Static(f"temperature {t:g}", classes="column-title")
                    with VerticalScroll(classes="column-body"):
                        yield ReplyText(surprise=self.app.settings.surprise_colours,
                                        id=f"reply-{i}")
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.app.sync_status(self.query_one(StatusLine))
        self.run_compare()

    def run_compare(self) -> None:
        app = self.app
        params = [app.settings.params(temperature=t, seed_offset=i)
                  for i, t in enumerate(self.temperatures)]
        gen = app.backend.generator(params)
        report = gen.prime(self.seed)
        if report.notice():
            app.notify(report.notice(), severity="warning")
        self.query_one("#compare-seed", Static).update(f"seed: {report.text}")
        for i in range(len(self.temperatures)):
            reply = self.query_one(f"#reply-{i}", ReplyText)
            reply.plain_tokens.clear()
            reply._text.truncate(0)
            reply.update(reply._text)
        self.pump = StreamPump(self, gen, self._on_tokens, self._on_done, app.clock)
        self.query_one(StatusLine).state = "streaming"
        self.pump.start()

    def _on_tokens(self, tokens) -> None:
        by_stream: dict[int, list] = {}
        for token in tokens:
            by_stream.setdefault(token.stream, []).append(token)
        for stream, items in by_stream.items():
            reply = self.query_one(f"#reply-{stream}", ReplyText)
            body = reply.parent
            follow = at_end(body)
            reply.append_tokens(items)
            if follow:
                follow_after_refresh(body)
        if self.pump:
            self.query_one(StatusLine).rate = self.pump.rate

    def _on_done(self, reason: str) -> None:
        self.query_one(StatusLine).state = reason
        if reason.startswith("error"):
            self.app.notify(reason, severity="error")

    def replies(self) -> list[str]:
        return [self.query_one(f"#reply-{i}", ReplyText).text for i in range(len(self.temperatures))]

    def on_unmount(self) -> None:
        """Leaving (or quitting) ends the stream, so no worker thread outlives the screen."""
        if self.pump is not None:
            self.pump.stop()

    def action_stop_or_back(self) -> None:
        if self.pump and self.pump.running:
            self.pump.stop()
        else:
            self.action_back()

    def action_rerun(self) -> None:
        if self.pump and self.pump.running:
            return
        self.run_compare()

    def action_back(self) -> None:
        if self.pump and self.pump.running:
            self.pump.stop()
        self.app.pop_screen()
