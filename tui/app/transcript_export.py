"""A conversation as Markdown (for reading) and JSON (with the params used, for tooling)."""
from __future__ import annotations

import datetime
import json

from tui.app.store import Exchange


def _when(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def to_markdown(conversation: int, exchanges: list[Exchange]) -> str:
    lines = [f"# charstream conversation {conversation}", ""]
    for ex in exchanges:
        p = ex.params
        lines += [f"## {_when(ex.created)} · {ex.model} on {ex.provider}", "",
                  "**Seed:** " + ex.seed.replace("\n", " "), "", "```text", ex.seed + ex.reply,
                  "```", "",
                  f"*temperature {p.get('temperature')}, top-k {p.get('top_k')}, top-p "
                  f"{p.get('top_p')}, max length {p.get('max_length')}, rng seed "
                  f"{p.get('rng_seed')}, stop {p.get('stop')}; {ex.finish or 'finished'}*", ""]
    return "\n".join(lines)


def to_json(conversation: int, exchanges: list[Exchange]) -> str:
    return json.dumps({"conversation": conversation, "exchanges": [
        {"created": _when(ex.created), "seed": ex.seed, "reply": ex.reply, "params": ex.params,
         "model": ex.model, "provider": ex.provider, "finish": ex.finish} for ex in exchanges]},
        indent=2, ensure_ascii=False)
