import pytest

from tui.app.app import CharstreamApp
from tui.app.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store(str(tmp_path / "history.sqlite3"))
    yield s
    s.close()


@pytest.fixture
def make_app(store):
    def make(backend=None, **kw):
        kw.setdefault("cursor_blink", False)
        return CharstreamApp(backend, store=store, **kw)
    return make
