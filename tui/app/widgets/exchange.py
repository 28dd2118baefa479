"""One exchange in the transcript: the user's seed, then the model's streamed continuation."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.app.widgets.reply import ReplyText


class ExchangeView(Vertical):
    def __init__(self, seed: str, reply: str = "", *, surprise: bool = False, meta: str = "",
                 **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._reply = reply
        self._surprise = surprise
        self._meta = meta

    def compose(self) -> ComposeResult:
        yield Static(self.seed.replace("[", r"\["), classes="seed", markup=False)
        yield ReplyText(self._reply, surprise=self._surprise, classes="reply")
        yield Static(self._meta, classes="meta", markup=False)

    @property
    def reply(self) -> ReplyText:
        return self.query_one(ReplyText)

    def set_meta(self, text: str) -> None:
        self.query_one(".meta", Static).update(text)
