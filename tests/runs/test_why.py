"""`ree why`: Shapley contributions of a scenario's events to an outcome, from counterfactual runs."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sim import RareEarthModel
from sim.runs.attribution import _Evaluator, Player, attribute
from sim.runs.why_outcomes import parse_outcome, window
from sim.scenario import ScenarioError, load_scenario
from sim.dates import parse_month


def why(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.cli", "why", *args], capture_output=True, text=True, timeout=300)


def test_the_embargo_explains_the_us_shortage_of_full_embargo():
    out = why("full_embargo", "--outcome", "shortage:US", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) == {"outcome", "window", "scenario_value", "counterfactual_value", "method", "runs",
                           "seconds", "contributions"}
    assert set(result["contributions"][0]) == {"id", "label", "date", "value", "alone", "last", "stderr"}
    embargo = next(c for c in result["contributions"] if c["id"] == "embargo")
    gap = result["scenario_value"] - result["counterfactual_value"]
    assert gap > 0 and embargo["value"] >= 0.8 * gap
    assert sum(c["value"] for c in result["contributions"]) == pytest.approx(gap, rel=1e-6)


def test_no18_is_among_the_top_two_causes_of_the_us_shortage_of_april_to_september_2025():
    scenario = load_scenario("apr2025_licensing")
    first, last = window(scenario, "2025-04", "2025-09")
    result = attribute(scenario, parse_outcome("shortage:US"), first, last)
    assert "no18" in [c.id for c in result.contributions[:2]]
    gap = result.scenario_value - result.counterfactual_value
    assert sum(c.value for c in result.contributions) == pytest.approx(gap, rel=1e-6)
    pruned = {c.id: c.note for c in result.contributions if c.note}
    assert pruned.get("mp_dod_deal") == "a note changes nothing"


def test_a_shared_history_gives_the_same_values_as_fresh_runs_of_each_subset():
    scenario = load_scenario("apr2025_licensing", sets=["months=24"])
    outcome = parse_outcome("price:heavy_oxide:world")
    start = parse_month(scenario.start)
    players = [Player(i, e, max(parse_month(e.date), start)) for i, e in enumerate(scenario.events) if e.kind != "note"]
    ids = [p.position for p in players]
    subsets = {frozenset(), frozenset(ids), frozenset(ids[:1]), frozenset(ids[1:3]), frozenset(ids[-2:])}
    shared = _Evaluator(scenario, players, outcome, 0, 23, None, lambda: None).values_of(subsets)
    for subset in subsets:
        kept = [e for i, e in enumerate(scenario.events) if i in subset or e.kind == "note"]
        model = RareEarthModel(scenario.model_copy(update={"events": kept}))
        while not model.finished:
            model.step()
        assert shared[subset] == outcome.value(model, 0, 23), sorted(subset)


def test_many_events_are_sampled_with_a_standard_error_and_still_add_up():
    scenario = load_scenario("crisis_2010", sets=["months=30"])
    first, last = window(scenario, None, None)
    result = attribute(scenario, parse_outcome("peak:heavy_oxide:world"), first, last, orders=6)
    assert result.method.startswith("sampled")
    gap = result.scenario_value - result.counterfactual_value
    assert sum(c.value for c in result.contributions) == pytest.approx(gap, rel=1e-6)
    assert any(c.stderr > 0 for c in result.contributions)


@pytest.mark.parametrize("args, words", [
    (["--outcome", "shortage:XX"], "'XX' is not a country"),
    (["--outcome", "happiness"], "not an outcome of this run's summary.json"),
    (["--outcome", "price:magnet"], "is not an outcome"),
    (["--outcome", "shortage:US", "--from", "2030-01"], "outside the run"),
    (["--outcome", "shortage:US", "--from", "2025-06", "--to", "2025-01"], "comes after"),
])
def test_bad_outcomes_and_windows_get_one_line_and_exit_2(args, words):
    out = why("full_embargo", *args, "--quiet")
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and words in out.stderr, out.stderr


def test_ree_run_with_why_adds_the_section_and_without_it_says_how(tmp_path):
    from sim.cli import main
    assert main(["run", "full_embargo", "--months", "14", "--out", str(tmp_path / "a"), "--quiet",
                 "--why", "shortage:US"]) == 0
    page = (tmp_path / "a" / "report.html").read_text()
    assert "id=\"why\"" in page and "embargo (2024-03)" in page and "t REO with every event" in page
    assert main(["run", "full_embargo", "--months", "3", "--out", str(tmp_path / "b"), "--quiet"]) == 0
    assert "ree run full_embargo --why shortage:US" in (tmp_path / "b" / "report.html").read_text()
