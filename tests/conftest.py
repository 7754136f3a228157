"""Shared fixtures: scenario runs are cached per session because several tests read the same run."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pytest

from sim import RareEarthModel
from sim.constants import C, P
from sim.dates import parse_month
from sim.scenario import apply_override, load_raw, resolve_scenario, validate
from sim.shortage import unmet_share


@dataclass
class CheckedRun:
    """A finished model plus what was checked after every month."""

    model: RareEarthModel
    balance_errors: list[float] = field(default_factory=list)
    min_stock: list[float] = field(default_factory=list)
    prices_ok: list[bool] = field(default_factory=list)

    @property
    def rec(self):
        return self.model.recorder

    def month_index(self, date: str) -> int:
        return parse_month(date) - self.model.start_month

    def price(self, product: str, market: str) -> np.ndarray:
        return self.rec.price[: self.rec.written, P[product], 0 if market == "china" else 1]

    def shortage_share(self, country: str) -> np.ndarray:
        return unmet_share(
            self.rec.demand[: self.rec.written, C[country]].sum(axis=1),
            self.rec.delivered[: self.rec.written, C[country]].sum(axis=1),
        )


def run_checked(scenario: str = "baseline_2024", seed: int | None = None, **overrides) -> CheckedRun:
    model = RareEarthModel(scenario=scenario, seed=seed, **overrides)
    run = CheckedRun(model)
    while not model.finished:
        model.step()
        book = model.book
        run.balance_errors.append(model.last_balance_error)
        run.min_stock.append(float(min(book.stock.min(), book.transit.min(), book.ore_content.min())))
        run.prices_ok.append(bool(np.all(np.isfinite(model.prices)) and np.all(model.prices > 0)))
    return run


# China bans magnets and Dy/Tb oxide to the US: the lever most tests pull
CN_BAN_US = {
    "kind": "export_control",
    "actor": "CN",
    "products": ["magnet", "heavy_oxide"],
    "destinations": ["US"],
    "level": "ban",
}


def model_with_events(
    events: list[dict],
    months: int,
    base: str = "baseline_2024",
    sets: dict | None = None,
    seed: int = 42,
    source: str = "test",
) -> RareEarthModel:
    """A shipped scenario cut to `months`, with extra events and `--set` style overrides; not yet run."""
    raw = load_raw(resolve_scenario(base))
    raw["months"] = months
    raw["events"] = raw.get("events", []) + events
    for path, value in (sets or {}).items():
        apply_override(raw, path, value)
    return RareEarthModel(validate(raw, source), seed=seed)


@cache
def cached_run(scenario: str, seed: int | None = None, overrides: tuple = ()) -> CheckedRun:
    return run_checked(scenario, seed, **dict(overrides))


@pytest.fixture(scope="session")
def baseline() -> CheckedRun:
    return cached_run("baseline_2024")


@pytest.fixture(scope="session")
def embargo() -> CheckedRun:
    return cached_run("full_embargo")
