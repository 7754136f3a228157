"""A model is plain data: a `copy.deepcopy` at any month runs on exactly as the original, a pickled model
too, and every branch (with levers pulled before or after the fork) replays from its own scenario file."""

from __future__ import annotations

import copy
import pickle
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import RareEarthModel, levers
from sim.runs.outputs import tables
from sim.scenario import scenario_library

SCENARIOS = sorted(path.stem for path in scenario_library().glob("*.toml"))
FORK_MONTHS = (2, 5, 14)


def run_on(model: RareEarthModel) -> RareEarthModel:
    while not model.finished:
        model.step()
    return model


def assert_same_tables(a: RareEarthModel, b: RareEarthModel) -> None:
    left, right = tables(a), tables(b)
    assert left.keys() == right.keys()
    for name in left:
        assert left[name].equals(right[name]), f"{name} differs"


@cache
def unforked(scenario: str) -> dict:
    return tables(run_on(RareEarthModel(scenario)))


def replayed(model: RareEarthModel, folder: Path) -> RareEarthModel:
    """The branch rebuilt from the scenario file it writes, run for as many months."""
    path = folder / "replay.toml"
    path.write_text(levers.replay_toml(model))
    replay = RareEarthModel(path)
    for _ in range(model.months_run):
        replay.step()
    return replay


def test_the_scenario_library_is_what_the_fork_tests_cover():
    assert {"baseline_2024", "crisis_2010", "full_embargo", "us_japan_framework", "truce_lapses_2026"} <= set(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_deepcopy_at_months_2_5_and_14_runs_on_exactly_as_the_original(scenario):
    model = RareEarthModel(scenario)
    branches = []
    while not model.finished:
        if model.months_run in FORK_MONTHS:
            branches.append(copy.deepcopy(model))
        model.step()
    assert len(branches) == len([m for m in FORK_MONTHS if m < model.months])
    for branch in branches:
        assert_same_tables(run_on(branch), model)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=st.sampled_from(SCENARIOS), share=st.floats(0.0, 1.0), pickled=st.booleans())
def test_a_branch_taken_at_any_month_by_copy_or_pickle_ends_where_the_original_does(scenario, share, pickled):
    model = RareEarthModel(scenario)
    for _ in range(int(share * (model.months - 1))):
        model.step()
    branch = pickle.loads(pickle.dumps(model)) if pickled else copy.deepcopy(model)
    run_on(branch)
    expected = unforked(scenario)
    for name, frame in tables(branch).items():
        assert frame.equals(expected[name]), f"{scenario}: {name} differs after a fork at month {model.months_run}"


def test_the_original_runs_on_unchanged_after_its_copy_ran_ahead():
    model = RareEarthModel("full_embargo")
    for _ in range(5):
        model.step()
    run_on(copy.deepcopy(model))  # the copy's "ban lifted after 12 months" must not reach the original
    for name, frame in tables(run_on(model)).items():
        assert frame.equals(unforked("full_embargo")[name]), name


LEVERS_AFTER_FORK = {
    "full_embargo": {"kind": "cancel", "actor": "CN", "measure": "embargo"},
    "busan_truce": {"kind": "resume", "actor": "CN", "measure": "no57"},
    "us_japan_framework": {
        "kind": "proposal",
        "actor": "US",
        "target": "JP",
        "name": "supply pact",
        "cofinance_usd_per_year": 1e9,
        "cofinance_share": 0.3,
        "duration_months": 24,
    },
    "baseline_2024": {
        "kind": "export_control",
        "actor": "CN",
        "products": ["heavy_oxide"],
        "destinations": ["JP"],
        "level": "licence",
        "approval_rate": 0.5,
        "duration_months": 6,
    },
}


@pytest.mark.parametrize("scenario", sorted(LEVERS_AFTER_FORK))
def test_both_branches_of_a_fork_replay_from_their_own_scenario_files(scenario, tmp_path):
    model = RareEarthModel(scenario)
    model.apply_lever({"kind": "relations", "actor": "US", "target": "CN", "change": -0.1}, "a lever before the fork")
    for _ in range(24 if scenario == "busan_truce" else 5):
        model.step()
    baseline = copy.deepcopy(model)
    model.apply_lever(LEVERS_AFTER_FORK[scenario], "a lever after the fork")
    run_on(model)
    run_on(baseline)
    with pytest.raises(AssertionError):
        assert_same_tables(model, baseline)  # the lever changed the what-if branch
    for branch, name in ((model, "what-if"), (baseline, "baseline")):
        folder = tmp_path / name
        folder.mkdir()
        assert_same_tables(replayed(branch, folder), branch)


def test_a_model_pickles_and_unpickles_to_the_same_world():
    model = RareEarthModel("us_japan_framework")
    for _ in range(30):
        model.step()
    clone = pickle.loads(pickle.dumps(model))
    assert_same_tables(run_on(clone), run_on(model))
