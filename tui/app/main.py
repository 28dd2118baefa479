"""Start the app: open the model before the terminal switches to the UI (a CUDA attempt may
print from native code), then run."""
from __future__ import annotations

from engine.errors import EngineError


def run_app(model: str | None = None, device: str = "auto") -> int:
    from tui.app.app import CharstreamApp
    from tui.app.backend import EngineBackend
    from tui.app.settings import Settings
    from tui.app.store import Store

    store = Store()
    if model is None:
        saved = Settings.from_dict(store.load_settings()).model_path
        import os

        model = saved if saved and os.path.exists(saved) else None
    backend, error = None, None
    try:
        backend = EngineBackend(model, device)
    except EngineError as exc:
        error = str(exc)
    CharstreamApp(backend, load_error=error, device=device, store=store).run()
    return 0
