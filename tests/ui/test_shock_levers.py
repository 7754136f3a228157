"""The web UI's shock levers (capacity, demand, ore mix, speculative buying): a form left at its defaults
makes the same world as the same event written in a scenario file, and the world differs from one without it."""

from __future__ import annotations

import numpy as np
import pytest

from sim import RareEarthModel
from sim.dates import format_month
from tests.conftest import model_with_events
from ui.components.lever_specs import LEVER_BY_KIND, WORLD_LEVERS
from ui.components.levers import build_change

MONTHS = 12
SHOCKS = ["capacity_shock", "demand_shock", "ore_grade", "hoarding"]


def prices(model: RareEarthModel) -> np.ndarray:
    model.run_model()
    return model.recorder.price[: model.recorder.written].copy()


@pytest.fixture(scope="module")
def untouched():
    return prices(model_with_events([], MONTHS))


@pytest.mark.parametrize("kind", SHOCKS)
def test_a_shock_from_the_panel_is_the_scenario_event_and_moves_prices(kind, untouched):
    change = build_change(LEVER_BY_KIND[kind], "US", {})
    assert kind in WORLD_LEVERS and change["actor"] == "world"  # a shock is nobody's decision

    from_panel = model_with_events([], MONTHS)
    from_panel.apply_lever(change, "what-if")
    written = model_with_events([{**change, "date": format_month(from_panel.start_month)}], MONTHS)

    panel_prices = prices(from_panel)
    np.testing.assert_array_equal(panel_prices, prices(written))
    assert np.abs(np.log(panel_prices / untouched)).max() > 0.01
