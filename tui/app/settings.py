"""User settings for generation, persisted in the store; converted to engine params on use."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from engine.params import GeneratorParams

TEMP_STEP = 0.1
TEMP_MAX = 2.0


@dataclass
class Settings:
    temperature: float = 0.5
    top_k: int = 0
    top_p: float = 1.0
    max_length: int = 600
    rng_seed: int | None = None
    stop: str = "}"                      # end of a review; empty = no stop sequence
    compare_temperatures: list[float] = field(default_factory=lambda: [0.2, 0.4, 0.6, 0.8])
    surprise_colours: bool = False
    model_path: str | None = None

    def params(self, temperature: float | None = None, seed_offset: int = 0) -> GeneratorParams:
        """Validated engine params (raises EngineError on a bad value)."""
        return GeneratorParams(
            temperature=self.temperature if temperature is None else temperature,
            top_k=self.top_k, top_p=self.top_p, max_length=self.max_length,
            stop=(self.stop,) if self.stop else (),
            rng_seed=None if self.rng_seed is None else self.rng_seed + seed_offset)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Settings":
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in data.items() if k in known})
        try:
            settings.params()
        except Exception:  # noqa: BLE001 - a damaged settings row falls back to defaults
            return cls()
        return settings


def step_temperature(value: float, direction: int) -> float:
    return round(min(TEMP_MAX, max(0.0, value + direction * TEMP_STEP)), 2)
