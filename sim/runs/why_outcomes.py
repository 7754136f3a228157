"""Outcomes that `ree why` attributes, named on the command line: what they measure and over which months.

- `shortage:US` / `shortage:US:ev`: tonnes of magnet demand left unmet in the window;
- `shortage_share:US` (`:SECTOR` too): that, over the demand in the window;
- `price:heavy_oxide:world`: the mean price in the window (USD/kg); `peak:heavy_oxide:world` its maximum;
- `exports:CN:magnet`: tonnes shipped abroad in the window;
- `capacity:refining+magnets:ex-CN`: capacity (t/yr) at the window's end, stages joined by `+`, over a country,
  `ex-CN` (all but China) or `world`;
- any name in `summary.json`'s outcomes (over the whole run).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import COUNTRIES, MARKETS, PRODUCTS, SECTORS, STAGES
from ..dates import format_month, parse_month
from ..scenario import ScenarioError

SOURCE = "ree why"
WINDOWED = ("shortage", "shortage_share", "price", "peak", "exports", "capacity")


def _pick(name: str, choices, what: str, text: str, flag: str = "--outcome") -> int:
    if name not in choices:
        raise ScenarioError(SOURCE, flag, f"{text!r}: {name!r} is not a {what} ({', '.join(choices)})")
    return list(choices).index(name)


def _region(name: str, text: str) -> list[int]:
    if name == "world":
        return list(range(len(COUNTRIES)))
    if name.startswith("ex-"):
        left_out = _pick(name[3:], COUNTRIES, "country", text)
        return [c for c in range(len(COUNTRIES)) if c != left_out]
    return [_pick(name, COUNTRIES, "country, ex-XX or world", text)]


@dataclass(frozen=True)
class Outcome:
    """One number read off a finished (or far enough run) model."""
    text: str
    kind: str
    parts: tuple

    @property
    def unit(self) -> str:
        return {"shortage": "t REO", "shortage_share": "share of demand", "price": "USD/kg", "peak": "USD/kg",
                "exports": "t REO", "capacity": "t/yr"}.get(self.kind, "")

    @property
    def windowed(self) -> bool:
        return self.kind in WINDOWED

    def value(self, model, first: int, last: int) -> float:
        """The outcome over months `first`..`last` (indices from the run's start, inclusive)."""
        rec = model.recorder
        span = slice(first, last + 1)
        if self.kind in ("shortage", "shortage_share"):
            country, sectors = self.parts
            demand = rec.demand[span, country][:, sectors].sum()
            short = demand - rec.delivered[span, country][:, sectors].sum()
            if self.kind == "shortage":
                return float(short)
            return float(short / demand) if demand > 0 else 0.0
        if self.kind in ("price", "peak"):
            product, market = self.parts
            series = rec.price[span, product, market]
            return float(series.mean() if self.kind == "price" else series.max())
        if self.kind == "exports":
            exporter, product = self.parts
            flows = rec.flow[span, product, exporter]
            return float(flows.sum() - flows[:, exporter].sum())
        if self.kind == "capacity":
            stages, countries = self.parts
            return float(rec.capacity[last][np.ix_(countries, stages)].sum())
        from .outputs import outcomes
        found = outcomes(model)
        if self.parts[0] not in found:
            raise ScenarioError(SOURCE, "--outcome", f"{self.text!r} is not an outcome of this run's summary.json "
                                f"(e.g. {', '.join(sorted(found)[:6])}, ...)")
        return float(found[self.parts[0]])


def parse_outcome(text: str, flag: str = "--outcome") -> Outcome:
    """An outcome from its name; ScenarioError (one line, naming `flag`) for a name that means nothing."""
    kind, _, rest = text.strip().partition(":")
    args = rest.split(":") if rest else []
    if kind in ("shortage", "shortage_share") and len(args) in (1, 2):
        sectors = [_pick(args[1], SECTORS, "sector", text)] if len(args) == 2 else list(range(len(SECTORS)))
        return Outcome(text, kind, (_pick(args[0], COUNTRIES, "country", text), sectors))
    if kind in ("price", "peak") and len(args) == 2:
        return Outcome(text, kind, (_pick(args[0], PRODUCTS, "product", text), _pick(args[1], MARKETS, "market", text)))
    if kind == "exports" and len(args) == 2:
        return Outcome(text, kind, (_pick(args[0], COUNTRIES, "country", text), _pick(args[1], PRODUCTS, "product", text)))
    if kind == "capacity" and len(args) == 2:
        stages = [_pick(s, STAGES, "stage", text) for s in args[0].split("+")]
        return Outcome(text, kind, (stages, _region(args[1], text)))
    if not args and kind.replace("_", "").isalnum() and kind not in WINDOWED:
        return Outcome(text, "summary", (kind,))  # checked against summary.json after the first run
    raise ScenarioError(SOURCE, flag, f"{text!r} is not an outcome: use shortage:US, shortage_share:US[:SECTOR], "
                        "price:PRODUCT:MARKET, peak:PRODUCT:MARKET, exports:COUNTRY:PRODUCT, "
                        "capacity:STAGE[+STAGE]:REGION or a summary.json outcome name")


def window(scenario, first: str | None, last: str | None) -> tuple[int, int]:
    """Month indices (from the start, inclusive) of `--from`/`--to`, checked against the run's months."""
    start, months = parse_month(scenario.start), scenario.months
    end = format_month(start + months - 1)
    out = []
    for flag, text, default in (("--from", first, 0), ("--to", last, months - 1)):
        if text is None:
            out.append(default)
            continue
        try:
            index = parse_month(text) - start
        except ValueError as err:
            raise ScenarioError(SOURCE, flag, str(err)) from None
        if not 0 <= index < months:
            raise ScenarioError(SOURCE, flag, f"{text} is outside the run ({scenario.start} to {end})")
        out.append(index)
    if out[0] > out[1]:
        raise ScenarioError(SOURCE, "--from", f"{first} comes after --to {last}")
    return out[0], out[1]
