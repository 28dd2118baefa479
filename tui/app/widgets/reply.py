"""The text of one streamed reply. Appends re-render only this widget, never the transcript."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from engine.generator import Token

# how surprising a character was: the model's own probability of it, in bands
SURPRISE_STYLES = [(0.5, "green"), (0.2, "yellow"), (0.05, "dark_orange"), (0.0, "bold red")]


def surprise_style(prob: float) -> str:
    for threshold, style in SURPRISE_STYLES:
        if prob >= threshold:
            return style
    return SURPRISE_STYLES[-1][1]


class ReplyText(Static):
    """Holds the reply as one rich Text; new characters are appended in batches per frame.

    A layout pass (the whole screen) is only requested when the wrapped height changes, i.e. a
    few times per line; other frames repaint just this widget."""

    def __init__(self, text: str = "", *, surprise: bool = False, **kwargs):
        super().__init__("", **kwargs)
        self.plain_tokens: list[Token] = []
        self.surprise = surprise
        self._text = Text(text)
        self._initial = text
        self._height = -1
        self.update(self._text)

    @property
    def text(self) -> str:
        return self._text.plain

    def append_tokens(self, tokens: list[Token]) -> None:
        if not tokens:
            return
        self.plain_tokens.extend(tokens)
        for token in tokens:
            self._text.append(token.char, style=surprise_style(token.prob) if self.surprise else "")
        height = self._wrapped_height()
        self.update(self._text, layout=height != self._height)
        self._height = height

    def _wrapped_height(self) -> int:
        width = self.content_region.width
        if width <= 0:
            return -1
        return len(self._text.wrap(self.app.console, width))

    def set_surprise(self, on: bool) -> None:
        """Re-style what is already there (one re-render of this widget)."""
        self.surprise = on
        text = Text(self._initial)
        for token in self.plain_tokens:
            text.append(token.char, style=surprise_style(token.prob) if on else "")
        self._text = text
        self.update(self._text)
