"""CharstreamApp: owns settings, the transcript store, the model backend and the screens."""
from __future__ import annotations

import os
import time
from typing import Callable, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from engine.errors import EngineError
from tui.app.backend import Backend, EngineBackend, short_provider
from tui.app.screens.chat import ChatScreen
from tui.app.screens.compare import CompareScreen
from tui.app.screens.dialogs import ModelPicker, PathPrompt, SettingsScreen
from tui.app.screens.error import ErrorScreen
from tui.app.settings import Settings
from tui.app.store import Store, data_dir
from tui.app.transcript_export import to_json, to_markdown


class CharstreamApp(App):
    CSS_PATH = "charstream.tcss"
    TITLE = "charstream"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit")]

    def __init__(self, backend: Backend | None = None, *, load_error: str | None = None,
                 loader: Callable[[str, str], Backend] | None = None, device: str = "auto",
                 store: Store | None = None, clock: Callable[[], float] = time.monotonic,
                 cursor_blink: bool = True):
        super().__init__()
        self.backend = backend
        self.load_error = load_error
        self.loader = loader or (lambda path, dev: EngineBackend(path, dev))
        self.device = device
        self._store = store
        self.clock = clock
        self.cursor_blink = cursor_blink
        self.settings = Settings()
        self.conversation = 0

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store()
        return self._store

    def on_mount(self) -> None:
        self.settings = Settings.from_dict(self.store.load_settings())
        self.conversation = self.store.latest_conversation()
        self.push_screen(ChatScreen())
        if self.backend is not None and self.backend.notice:
            self.notify(self.backend.notice, severity="warning", timeout=8)
        if self.backend is None:
            self.push_screen(ErrorScreen(self.load_error or "no model loaded"))

    def save_settings(self) -> None:
        if self.backend is not None:
            self.settings.model_path = self.backend.path
        self.store.save_settings(self.settings.to_dict())

    def sync_status(self, status) -> None:
        s = self.settings
        status.model_name = self.backend.name if self.backend else "no model"
        status.provider = short_provider(self.backend.provider) if self.backend else "-"
        status.temperature = s.temperature
        status.top_k = s.top_k
        status.top_p = s.top_p

    def chat(self) -> ChatScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                return screen
        return None

    # -- commands (also in the command palette) -----------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        chat = self.chat()
        if chat is None:
            return
        yield SystemCommand("Stop generation", "Stop the streaming reply (Esc)", chat.action_stop)
        yield SystemCommand("Temperature up", "Hotter: more surprising text (F6)", chat.action_temp_up)
        yield SystemCommand("Temperature down", "Colder: safer text (F5)", chat.action_temp_down)
        yield SystemCommand("Regenerate", "Run the last seed again (F7)", chat.action_regenerate)
        yield SystemCommand("Continue reply", "Keep generating from the last reply's state (F8)",
                            chat.action_continue_reply)
        yield SystemCommand("Compare temperatures", "One seed, several temperatures side by "
                            "side (F3)", chat.action_compare)
        yield SystemCommand("Clear conversation", "Start a new conversation (Ctrl+L)",
                            chat.action_clear)
        yield SystemCommand("Toggle surprise colours", "Colour each character by its "
                            "probability (F9)", chat.action_toggle_surprise)
        yield SystemCommand("Settings", "Temperature, top-k, top-p, length, RNG seed, stop "
                            "sequence (F2)", self.action_settings)
        yield SystemCommand("Pick model", "A bundled model or any .onnx path (F4)",
                            self.action_pick_model)
        yield SystemCommand("Export conversation", "Save this conversation as Markdown and "
                            "JSON (Ctrl+S)", self.action_export_transcript)
        yield SystemCommand("Export deployment bundle", "The .onnx, an int8 variant and a "
                            "model card in a folder", self.action_export_bundle)

    def action_settings(self) -> None:
        def done(result: Settings | None) -> None:
            if result is None:
                return
            self.settings = result
            self.save_settings()
            for screen in self.screen_stack:
                for status in screen.query("StatusLine"):
                    self.sync_status(status)
            self.notify("settings saved")

        self.push_screen(SettingsScreen(self.settings), done)

    def open_compare(self, seed: str) -> None:
        if self.backend is None:
            self.notify("no model loaded: pick one with F4", severity="error")
            return
        self.push_screen(CompareScreen(seed, list(self.settings.compare_temperatures)))

    def action_pick_model(self) -> None:
        from engine.bundled import bundled_models

        current = self.backend.path if self.backend else None
        models = bundled_models()
        if current and current not in models:
            models.insert(0, current)
        self.push_screen(ModelPicker(models, current), self._model_chosen)

    def _model_chosen(self, path: str | None) -> None:
        if path:
            self.notify(f"loading {os.path.basename(path)}...")
            self.run_worker(lambda: self._load_model(path), thread=True, group="load",
                            exit_on_error=False)

    def _load_model(self, path: str) -> None:  # worker thread
        try:
            backend = self.loader(path, self.device)
        except EngineError as exc:
            self.call_from_thread(self._model_failed, str(exc))
            return
        self.call_from_thread(self._model_loaded, backend)

    def _model_loaded(self, backend: Backend) -> None:
        self.backend = backend
        self.save_settings()
        while isinstance(self.screen, ErrorScreen):
            self.pop_screen()
        chat = self.chat()
        if chat is not None:
            chat.generator = None
            self.sync_status(chat.query_one("StatusLine"))
        self.notify(f"model {backend.name} on {short_provider(backend.provider)}")
        if backend.notice:
            self.notify(backend.notice, severity="warning")

    def _model_failed(self, message: str) -> None:
        if isinstance(self.screen, ErrorScreen):
            self.pop_screen()
        self.push_screen(ErrorScreen(message))

    def action_export_transcript(self) -> None:
        folder = os.path.join(data_dir(), "exports")
        default = os.path.join(folder, f"conversation-{self.conversation}")
        self.push_screen(PathPrompt("Export conversation (writes PATH.md and PATH.json)", default),
                         self._export_transcript)

    def _export_transcript(self, base: str | None) -> None:
        if not base:
            return
        from engine.atomic import atomic_write_text

        exchanges = self.store.exchanges(self.conversation)
        base = base[:-3] if base.endswith(".md") else base
        try:
            os.makedirs(os.path.dirname(os.path.abspath(base)), exist_ok=True)
            atomic_write_text(base + ".md", to_markdown(self.conversation, exchanges))
            atomic_write_text(base + ".json", to_json(self.conversation, exchanges))
        except OSError as exc:
            self.notify(f"export failed: {exc}", severity="error")
            return
        self.notify(f"saved {base}.md and {base}.json")

    def action_export_bundle(self) -> None:
        if self.backend is None:
            self.notify("no model loaded", severity="error")
            return
        name = os.path.splitext(os.path.basename(self.backend.path))[0]
        default = os.path.join(data_dir(), "bundles", name)
        self.push_screen(PathPrompt("Export deployment bundle to folder", default,
                                    "Writes the .onnx, an int8 variant and MODEL_CARD.md"),
                         self._export_bundle)

    def _export_bundle(self, folder: str | None) -> None:
        if not folder or self.backend is None:
            return
        path = self.backend.path
        self.notify(f"writing bundle to {folder}...")

        def work() -> None:
            from tui.bundle import write_bundle

            try:
                os.makedirs(os.path.dirname(os.path.abspath(folder)), exist_ok=True)
                report = write_bundle(path, folder)
            except (EngineError, OSError) as exc:
                self.call_from_thread(self.notify, f"bundle failed: {exc}", severity="error")
                return
            self.call_from_thread(self.notify, report.render(), timeout=12)

        self.run_worker(work, thread=True, group="bundle", exit_on_error=False)
