"""The lever API: policy changes made mid-run, as events of the scenario format, that replay exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import RareEarthModel, ScenarioError, load_scenario
from sim.levers import extended, replay_toml
from sim.runs.outputs import tables
from tests.conftest import CN_BAN_US


def run_with_lever(months_before: int = 4, months: int = 12):
    model = RareEarthModel("apr2025_licensing", seed=3, months=months)
    for _ in range(months_before):
        model.step()
    model.apply_lever(CN_BAN_US, rationale="the class voted for a ban")
    while not model.finished:
        model.step()
    return model


def test_a_lever_lands_in_the_event_log_at_the_month_it_was_pulled():
    model = run_with_lever()
    events = tables(model)["events.csv"]
    row = events[(events.kind == "export_control") & (events.rationale == "the class voted for a ban")]
    assert list(row.date) == ["2024-05"]
    assert "ban on magnet, heavy_oxide to US" in row.detail.iloc[0]


def test_a_lever_changes_the_world_in_the_direction_it_should():
    baseline = RareEarthModel("apr2025_licensing", seed=3, months=12)
    while not baseline.finished:
        baseline.step()
    banned = run_with_lever()
    flows = [tables(m)["flows.csv"] for m in (baseline, banned)]
    cn_to_us = [
        f[(f.exporter == "CN") & (f.importer == "US") & (f["product"] == "magnet") & (f.date >= "2024-06")].tonnes.sum()
        for f in flows
    ]
    assert cn_to_us[0] > 100 and cn_to_us[1] == 0


def test_a_run_with_levers_replays_to_the_same_world(tmp_path):
    model = run_with_lever()
    path = tmp_path / "replay.toml"
    path.write_text(replay_toml(model))
    replay = RareEarthModel(path)
    assert replay.months == model.months and replay.seed_value == 3
    while not replay.finished:
        replay.step()
    first, second = tables(model), tables(replay)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True)


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({**CN_BAN_US, "level": "licence", "approval_rate": 1.5}, "approval_rate", "less than or equal to 1"),
        ({**CN_BAN_US, "destinations": ["XX"]}, "destinations.0", "XX"),
        ({"kind": "teleport", "actor": "CN"}, "kind", "unknown event kind"),
        ({**CN_BAN_US, "date": "2030-01"}, "date", "current month 2024-01"),
        ({**CN_BAN_US, "volume": 3}, "volume", "unknown field"),
    ],
)
def test_a_bad_lever_is_refused_with_one_line_and_nothing_changes(change, field, words):
    model = RareEarthModel("apr2025_licensing", seed=3, months=6)
    before = len(model.schedule_events.events)
    with pytest.raises(ScenarioError) as err:
        model.apply_lever(change)
    assert err.value.field == field and words in err.value.reason and "\n" not in str(err.value)
    assert len(model.schedule_events.events) == before and model.levers == []


def test_no_lever_after_the_last_month():
    model = RareEarthModel("baseline_2024", seed=1, months=2)
    model.step()
    model.step()
    with pytest.raises(ScenarioError, match="the run is over"):
        model.apply_lever(CN_BAN_US)


def test_events_are_named_by_id_in_overrides(tmp_path):
    path = tmp_path / "named.toml"
    path.write_text(
        'extends = "apr2025_licensing"\n\n[[events]]\nid = "us_tariff"\nkind = "tariff"\n'
        'date = "2024-06"\nactor = "US"\ntarget = "CN"\nchange_points = 10\n'
    )
    scenario = load_scenario(path, overrides={"events.us_tariff.change_points": 25})
    assert [e.change_points for e in scenario.events if e.id == "us_tariff"] == [25]
    with pytest.raises(ScenarioError, match="no item with id 'nope'"):
        load_scenario(path, overrides={"events.nope.change_points": 25})
    path.write_text(path.read_text() + '\n[[events]]\nid = "us_tariff"\nkind = "note"\ndate = "2024-07"\n')
    with pytest.raises(ScenarioError, match="two events have the id 'us_tariff'"):
        load_scenario(path)


def test_an_export_quota_on_products_an_exporter_never_ships_leaves_its_other_trade_unlimited():
    import warnings

    model = RareEarthModel("baseline_2024", months=4)
    model.apply_lever({"kind": "export_quota", "actor": "US", "products": ["magnet"], "tonnes_per_year": 100.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # inf x 0 made the ore limit nan
        while not model.finished:
            model.step()
    assert np.isfinite(model.prices).all() and model.recorder.flows().tonnes.notna().all()


def test_a_run_carried_on_past_its_end_is_the_run_a_longer_scenario_makes():
    """crisis_2010 (84 months) with a lever, carried on for 18 months past its end: every table row for row
    as a scenario of 102 months with the same lever, the fund-year rows too (they count plants that "come
    online after the run", which a stretched run would have counted against the old end), mass balance
    every month, and the scheduled lever kept."""
    model = RareEarthModel("crisis_2010", seed=3)
    for _ in range(20):
        model.step()
    model.apply_lever(CN_BAN_US, rationale="the class voted for a ban")
    while not model.finished:
        model.step()
    longer = extended(model, 18)
    assert (longer.months, longer.months_run, longer.scenario.months, len(longer.levers)) == (102, 84, 102, 1)
    while not longer.finished:
        longer.step()
    planned = RareEarthModel("crisis_2010", seed=3, months=102)
    for _ in range(20):
        planned.step()
    planned.apply_lever(CN_BAN_US, rationale="the class voted for a ban")
    while not planned.finished:
        planned.step()
    ours, theirs = tables(longer), tables(planned)
    for name in ours:
        pd.testing.assert_frame_equal(ours[name], theirs[name], check_exact=True)
    # the case is exercised: two fund-year rows of the 84-month run count plants due after its end, which
    # the same rows of the 102-month run see come online within it
    short = tables(model)["events.csv"]
    noted = short[short.rationale.str.contains("after the run")][["date", "actor", "kind", "target"]]
    same_rows = ours["events.csv"].merge(noted)
    assert len(noted) == len(same_rows) == 2 and not same_rows.rationale.str.contains("after the run").any()
    assert longer.recorder.written == 102 and list(ours["prices.csv"].date.unique()) == longer.recorder.dates
    assert np.max(longer.recorder.balance_error) <= 1e-9


def test_a_run_is_carried_on_no_further_than_the_schema_allows():
    model = RareEarthModel("apr2025_licensing", seed=3, months=2)
    with pytest.raises(ScenarioError, match="at most 1200 months long"):
        extended(model, 1199)
    with pytest.raises(ScenarioError, match="not 0"):
        extended(model, 0)
