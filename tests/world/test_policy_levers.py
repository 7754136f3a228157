"""The lever kinds the web UI added to the scenario format: strategy, project support, demand growth."""

from __future__ import annotations

import numpy as np
import pytest

from sim import RareEarthModel, ScenarioError
from sim.constants import C
from sim.runs.outputs import tables


def demand_series(change: dict | None, months: int = 24, at: int = 6) -> np.ndarray:
    model = RareEarthModel("baseline_2024", seed=2, months=months)
    for month in range(months):
        if change is not None and month == at:
            model.apply_lever(change, "test")
        model.step()
    return model.recorder.demand[:months].sum(axis=(1, 2))


def test_demand_growth_changes_the_trend_without_a_jump():
    base = demand_series(None)
    faster = demand_series({"kind": "demand_growth", "growth": 0.3})
    assert np.allclose(base[:6], faster[:6])
    # the month the lever lands, demand is where the old trend had it (no step), then it pulls away
    assert abs(faster[6] / base[6] - 1) < 0.02
    assert faster[-1] / base[-1] > 1.1


def test_a_strategy_change_takes_effect_and_is_logged():
    model = RareEarthModel("apr2025_licensing", seed=4, months=6)
    model.step()
    model.apply_lever({"kind": "strategy", "actor": "CN", "strategy": "hawkish"}, "a harder line")
    model.step()
    assert type(model.states["CN"].strategy).__name__ == "HawkishStrategy"
    assert model.scenario.states["CN"].strategy != "hawkish"  # the loaded scenario stays as it was (replay)
    row = tables(model)["events.csv"].query("kind == 'strategy'")
    assert row.detail.iloc[0].endswith("-> hawkish") and row.rationale.iloc[0] == "a harder line"


def test_project_support_sets_the_share_and_budget():
    model = RareEarthModel("baseline_2024", seed=4, months=6)
    model.apply_lever({"kind": "project_support", "actor": "US", "share": 0.5, "budget_usd_per_year": 2e9}, "push")
    model.step()
    config = model.states["US"].config
    assert (config.project_support, config.support_budget_usd) == (0.5, 2e9)
    assert model.states["US"].strategy.project_support(model.states["US"], "refining", model) == 0.5


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "strategy", "actor": "CN", "strategy": "greedy"}, "strategy"),
        ({"kind": "project_support", "actor": "US", "share": 1.2}, "share"),
        ({"kind": "demand_growth", "growth": 3}, "growth"),
    ],
)
def test_bad_values_are_refused(change, field):
    model = RareEarthModel("baseline_2024", seed=4, months=3)
    with pytest.raises(ScenarioError) as err:
        model.apply_lever(change)
    assert err.value.field == field


def test_capacity_grows_faster_with_project_support():
    def us_refining(share: float) -> float:
        model = RareEarthModel("baseline_2024", seed=4, months=36)
        if share:
            model.apply_lever(
                {"kind": "project_support", "actor": "US", "share": share, "budget_usd_per_year": 5e9}, "support"
            )
        while not model.finished:
            model.step()
        return float(model.recorder.capacity[35, C["US"]].sum())

    assert us_refining(0.8) >= us_refining(0.0)
