"""The `ore_grade` event: what a country's mines bring up changes from the month it takes effect, a cut deep
enough to pass the Dy/Tb that refiners leave unseparated raises the heavy price, and it can be taken back."""

from __future__ import annotations

import pytest

from sim import RareEarthModel
from sim.constants import C, P
from sim.scenario import ScenarioError, load_raw, resolve_scenario, validate
from tests.conftest import model_with_events


def model_with(events: list[dict], months: int = 18) -> RareEarthModel:
    return model_with_events(events, months, source="ore grade test")


def run(model: RareEarthModel) -> RareEarthModel:
    while not model.finished:
        model.step()
    return model


CUT = {"id": "crackdown", "date": "2024-03", "kind": "ore_grade", "actor": "CN", "country": "CN", "heavy_factor": 0.4}


def test_grade_changes_in_its_month_and_returns_after_its_duration():
    model = model_with([dict(CUT, duration_months=6)])
    before = model.ore_grade[C["CN"]].copy()
    seen = {}
    while not model.finished:
        model.step()
        seen[model.recorder.dates[model.recorder.written - 1]] = model.ore_grade[C["CN"]].copy()
    assert seen["2024-02"][1] == pytest.approx(before[1])
    assert seen["2024-03"][1] == pytest.approx(0.4 * before[1])
    assert seen["2024-03"][0] == pytest.approx(before[0])  # the light share is left alone
    assert seen["2024-09"][1] == pytest.approx(before[1])
    kinds = [row[2] for row in model.log.rows]
    assert "ore_grade" in kinds and "ore_grade_ends" in kinds


def test_a_deep_heavy_cut_raises_china_heavy_price_and_gluts_light():
    """Refiners run more ore to get the scarcer Dy/Tb, and NdPr comes out with it (co-products)."""
    base = run(model_with([]))
    cut = run(model_with([CUT]))
    heavy, light = P["heavy_oxide"], P["light_oxide"]
    n = base.recorder.written
    assert cut.recorder.price[:n, heavy, 0].max() > 1.5 * base.recorder.price[:n, heavy, 0].max()
    assert cut.recorder.price[n - 1, light, 0] < base.recorder.price[n - 1, light, 0]


def test_cancel_restores_the_grade():
    model = run(model_with([CUT, {"date": "2024-05", "kind": "cancel", "actor": "CN", "measure": "crackdown"}], 6))
    assert model.ore_grade[C["CN"], 1] == pytest.approx(model.calibration.ore_grades.loc["CN", "heavy_fraction"])


def test_shares_never_pass_a_whole_tonne():
    model = run(model_with([dict(CUT, heavy_factor=3.0, light_factor=3.0)], 3))
    assert model.ore_grade[C["CN"]].sum() == pytest.approx(1.0) or model.ore_grade[C["CN"]].sum() < 1.0


def test_out_of_range_factor_is_one_clear_error():
    raw = load_raw(resolve_scenario("baseline_2024"))
    raw["events"] = raw.get("events", []) + [dict(CUT, heavy_factor=-0.5)]
    with pytest.raises(ScenarioError) as err:
        validate(raw, "bad.toml")
    message = str(err.value)
    assert "bad.toml" in message and "heavy_factor" in message and "\n" not in message
