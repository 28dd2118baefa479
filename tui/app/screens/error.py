"""Shown instead of crashing when the model cannot be used: the reason and a way out."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Static


class ErrorScreen(Screen):
    BINDINGS = [Binding("f4", "pick", "Pick another model", id="error_pick"),
                Binding("ctrl+q", "app.quit", "Quit", id="error_quit")]

    def __init__(self, message: str):
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box"):
            yield Static("The model could not be opened", id="error-title")
            yield Static(self.message, id="error-message", markup=False)
            yield Static("Pick another model (a bundled one or any charstream .onnx file), or "
                         "start charstream with --model PATH.", id="error-help")
            with Horizontal(classes="buttons"):
                yield Button("Pick another model", variant="primary", id="pick")
                yield Button("Quit", id="quit")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "pick":
            self.action_pick()
        else:
            self.app.exit()

    def action_pick(self) -> None:
        self.app.action_pick_model()
