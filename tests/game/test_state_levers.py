"""The levers added for classroom seats (`stockpile_target`, `project_support`, `proposal.agreed`) act on
the world in the direction they should and replay exactly, like every other lever."""

from __future__ import annotations

import pandas as pd

from sim import RareEarthModel
from sim.constants import P
from sim.levers import replay_toml
from sim.runs.outputs import tables

TARGET = {"kind": "stockpile_target", "actor": "JP", "days": 180}
SUPPORT = {"kind": "project_support", "actor": "US", "share": 0.6, "budget_usd_per_year": 5e9}
PACT = {
    "kind": "proposal",
    "actor": "US",
    "target": "CN",
    "name": "Grand bargain",
    "suspend_controls": True,
    "general_licence": True,
    "duration_months": 24,
}


def run(levers, months=12, scenario="apr2025_licensing"):
    model = RareEarthModel(scenario, seed=5, months=months)
    model.step()
    for change in levers:
        model.apply_lever(change, "a classroom move")
    while not model.finished:
        model.step()
    return model


def japan_stockpile(model) -> float:
    return float(model.book.stock[model.states["JP"].stockpile_row, P["light_oxide"]])


def test_a_higher_stockpile_target_fills_the_stockpile():
    calm, filled = run([]), run([TARGET])
    assert filled.states["JP"].config.stockpile_target_days == 180
    assert japan_stockpile(filled) > 1.5 * japan_stockpile(calm)


def test_project_support_sets_the_share_and_a_fresh_budget():
    model = run([SUPPORT], months=3)
    us = model.states["US"]
    assert (us.config.project_support, us.config.support_budget_usd) == (0.6, 5e9)
    rows = [r for r in model.log.rows if r[2] == "project_support"]
    assert rows and "60% of domestic project capex" in rows[0][4]


def test_an_agreed_proposal_is_signed_where_the_strategy_alone_would_not():
    talks = run([PACT], months=2)
    agreed = run([{**PACT, "agreed": True}], months=2)
    assert not [a for a in talks.diplomats.agreements if a.name == "Grand bargain"]
    assert [a.name for a in agreed.diplomats.agreements] == ["Grand bargain"]


def test_runs_with_the_new_levers_replay_to_the_same_world(tmp_path):
    model = run([TARGET, SUPPORT, {**PACT, "agreed": True}])
    path = tmp_path / "replay.toml"
    path.write_text(replay_toml(model))
    replay = RareEarthModel(path)
    while not replay.finished:
        replay.step()
    first, second = tables(model), tables(replay)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True)
