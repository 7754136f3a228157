"""The `hoarding` event: buyers in one market want more stock of the products named, for its duration."""

from __future__ import annotations

import numpy as np
import pytest

from sim import RareEarthModel
from sim.constants import BUYER_KIND, P
from sim.prices import wanted_cover
from sim.scenario import ScenarioError, load_raw, resolve_scenario, validate
from tests.conftest import model_with_events

HOARD = {
    "id": "frenzy",
    "date": "2024-03",
    "kind": "hoarding",
    "actor": "CN",
    "market": "china",
    "products": ["heavy_oxide"],
    "extra_cover": 1.0,
    "duration_months": 3,
}


def model_with(events: list[dict], months: int = 12) -> RareEarthModel:
    return model_with_events(events, months, source="hoarding test")


def covers(model, product: str) -> tuple[float, float]:
    """Mean wanted cover of buyers in China and outside it."""
    p = P[product]
    rows = model.rows[BUYER_KIND[p]]
    cover = wanted_cover(model, rows, p)
    in_china = model.market_of(rows) == 0
    return float(cover[in_china].mean()), float(cover[~in_china].mean())


def test_only_the_named_market_and_products_and_only_for_its_duration():
    model = model_with([HOARD])
    seen = {}
    while not model.finished:
        model.step()
        seen[model.recorder.dates[model.recorder.written - 1]] = model.hoarding.copy()
    heavy, light = P["heavy_oxide"], P["light_oxide"]
    assert seen["2024-02"][heavy, 0] == 0
    assert seen["2024-03"][heavy, 0] == pytest.approx(1.0)
    assert seen["2024-03"][light, 0] == 0 and seen["2024-03"][heavy, 1] == 0
    assert seen["2024-06"][heavy, 0] == pytest.approx(0.0)
    kinds = [row[2] for row in model.log.rows]
    assert "hoarding" in kinds and "hoarding_ends" in kinds


def test_buyers_want_more_stock_and_chinas_price_rises():
    plain, hoarded = model_with([], 6), model_with([HOARD], 6)
    for model in (plain, hoarded):
        while model.date < "2024-04":
            model.step()
    china_plain, world_plain = covers(plain, "heavy_oxide")
    china_hoard, world_hoard = covers(hoarded, "heavy_oxide")
    assert china_hoard > china_plain
    for model in (plain, hoarded):
        while not model.finished:
            model.step()
    heavy = P["heavy_oxide"]
    n = plain.recorder.written
    assert hoarded.recorder.price[:n, heavy, 0].max() > plain.recorder.price[:n, heavy, 0].max()
    assert np.isfinite(hoarded.recorder.price[:n]).all()


def test_a_negative_amount_is_one_clear_error():
    raw = load_raw(resolve_scenario("baseline_2024"))
    raw["events"] = raw.get("events", []) + [dict(HOARD, extra_cover=-1)]
    with pytest.raises(ScenarioError) as err:
        validate(raw, "bad.toml")
    assert "bad.toml" in str(err.value) and "extra_cover" in str(err.value) and "\n" not in str(err.value)
