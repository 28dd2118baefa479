"""Modal dialogs: settings, model picker, and a path prompt for exports."""
from __future__ import annotations

import os

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static, Switch
from textual.widgets.option_list import Option

from engine.errors import EngineError
from tui.app.settings import Settings


class SettingsScreen(ModalScreen[Settings | None]):
    """Edit generation settings; Save validates them with the engine's own rules."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="settings_cancel")]

    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        s = self.settings
        with Vertical(classes="dialog"):
            yield Static("Settings", classes="title")
            yield Label("Temperature (0 = greedy)")
            yield Input(str(s.temperature), id="temperature")
            yield Label("Top-k (0 = off)")
            yield Input(str(s.top_k), id="top_k")
            yield Label("Top-p (1 = off)")
            yield Input(str(s.top_p), id="top_p")
            yield Label("Maximum length in characters (0 = no limit)")
            yield Input(str(s.max_length), id="max_length")
            yield Label("RNG seed for reproducible runs (empty = random)")
            yield Input("" if s.rng_seed is None else str(s.rng_seed), id="rng_seed")
            yield Label("Stop sequence (} = end of review; empty = none)")
            yield Input(s.stop, id="stop")
            yield Label("Compare temperatures")
            yield Input(",".join(f"{t:g}" for t in s.compare_temperatures), id="compare_temperatures")
            with Horizontal(classes="buttons"):
                yield Label("Colour by surprise ")
                yield Switch(s.surprise_colours, id="surprise_colours")
            yield Static("", id="settings-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def read(self) -> Settings:
        """The form as Settings, or ValueError/EngineError with a readable message."""
        try:
            temps = [float(x) for x in self._value("compare_temperatures").split(",") if x.strip()]
            seed = self._value("rng_seed")
            new = Settings(temperature=float(self._value("temperature")),
                           top_k=int(self._value("top_k")), top_p=float(self._value("top_p")),
                           max_length=int(self._value("max_length")),
                           rng_seed=int(seed) if seed else None,
                           stop=self.query_one("#stop", Input).value,
                           compare_temperatures=temps or [0.2, 0.4, 0.6, 0.8],
                           surprise_colours=self.query_one("#surprise_colours", Switch).value,
                           model_path=self.settings.model_path)
        except ValueError as exc:
            raise ValueError(f"not a number: {str(exc).split(':')[-1].strip()}") from None
        new.params()
        for t in new.compare_temperatures:
            new.params(temperature=t)
        if not 1 <= len(new.compare_temperatures) <= 8:
            raise ValueError("compare between 1 and 8 temperatures")
        return new

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
            return
        try:
            self.dismiss(self.read())
        except (ValueError, EngineError) as exc:
            self.query_one("#settings-error", Static).update(str(exc))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ModelPicker(ModalScreen[str | None]):
    """Bundled models plus any .onnx path."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker_cancel")]

    def __init__(self, models: list[str], current: str | None):
        super().__init__()
        self.models = models
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Pick a model", classes="title")
            options = [Option(os.path.basename(p) + ("  (in use)" if p == self.current else ""), id=p)
                       for p in self.models]
            yield OptionList(*options, id="model-list")
            yield Label("...or the path of any charstream .onnx file")
            yield Input(placeholder="path/to/model.onnx", id="model-path")
            with Horizontal(classes="buttons"):
                yield Button("Open", variant="primary", id="open")
                yield Button("Cancel", id="cancel")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(os.path.expanduser(event.value.strip()))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "open":
            value = self.query_one("#model-path", Input).value.strip()
            if value:
                self.dismiss(os.path.expanduser(value))
                return
            option_list = self.query_one(OptionList)
            if option_list.highlighted is not None:
                self.dismiss(option_list.get_option_at_index(option_list.highlighted).id)
                return
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PathPrompt(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt_cancel")]

    def __init__(self, title: str, default: str, note: str = ""):
        super().__init__()
        self.title_text = title
        self.default = default
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="title")
            if self.note:
                yield Label(self.note)
            yield Input(self.default, id="path")
            with Horizontal(classes="buttons"):
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(os.path.expanduser(event.value.strip()) or None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.dismiss(os.path.expanduser(self.query_one("#path", Input).value.strip()) or None)
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
