"""The status line: model, execution provider in use, sampling params and live chars/s."""
from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static


class StatusLine(Static):
    model_name: reactive[str] = reactive("")
    provider: reactive[str] = reactive("")
    temperature: reactive[float] = reactive(0.5)
    top_k: reactive[int] = reactive(0)
    top_p: reactive[float] = reactive(1.0)
    rate: reactive[float] = reactive(0.0)
    state: reactive[str] = reactive("idle")

    def render(self) -> str:
        k = self.top_k or "off"
        p = "off" if self.top_p >= 1 else f"{self.top_p:g}"
        return (f"{self.model_name} · {self.provider} · T {self.temperature:.2f} · top-k {k} · "
                f"top-p {p} · {self.rate:,.0f} chars/s · {self.state}")
