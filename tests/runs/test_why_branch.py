"""Why, for a run in progress (`sim.runs.why_branch`, the web UI's Why panel): the run so far with its levers,
and the difference between a what-if and its baseline explained by the levers pulled after the fork; plus
the branch comparison table and the zip's progress."""
from __future__ import annotations

import copy
import io
import zipfile

import pytest

from sim import RareEarthModel, ScenarioError
from sim.runs.attribution import attribute
from sim.runs.branch_compare import SO_FAR, difference_table
from sim.runs.bundle import STEPS, run_zip, zip_filename
from sim.runs.outputs import tables
from sim.runs.why_branch import common_outcomes, explain, question
from sim.runs.why_outcomes import parse_outcome, window
from sim.scenario import load_scenario

LIFT = {"kind": "export_control", "actor": "CN", "products": ["heavy_oxide", "magnet"], "destinations": ["US"],
        "level": "none"}
RELEASE = {"kind": "stockpile_release", "actor": "JP", "product": "heavy_oxide", "tonnes": 10}


@pytest.fixture(scope="module")
def forked():
    """full_embargo forked at 2024-04; the what-if lifts the ban on heavy oxide and magnets to the US and
    releases a little of Japan's stockpile; both run to 2024-12."""
    what_if = RareEarthModel("full_embargo", seed=1)
    for _ in range(4):
        what_if.step()
    baseline, kept = copy.deepcopy(what_if), len(what_if.levers)
    what_if.apply_lever(LIFT, "lift it for the US")
    what_if.apply_lever(RELEASE, "a little for Japan")
    for _ in range(8):
        what_if.step()
        baseline.step()
    return what_if, baseline, kept


def test_players_vary_and_every_other_event_is_always_kept():
    scenario = load_scenario("full_embargo", sets=["months=12"])
    first, last = window(scenario, None, None)
    outcome = parse_outcome("shortage:US")
    everything = attribute(scenario, outcome, first, last)
    embargo = [i for i, e in enumerate(scenario.events) if e.id == "embargo"]
    only = attribute(scenario, outcome, first, last, players=embargo)
    assert [c.id for c in only.contributions] == ["embargo"]
    assert only.scenario_value == everything.scenario_value  # all kept: the scenario as it is
    # without the embargo but with every other event (the 2023 catalogue stays)
    gap = only.scenario_value - only.counterfactual_value
    assert gap > 0 and only.contributions[0].value == pytest.approx(gap, rel=1e-9)
    assert only.runs == 2


def test_the_difference_is_explained_by_the_levers_after_the_fork_exactly(forked):
    what_if, baseline, kept = forked
    outcome = parse_outcome("shortage:US")
    answer = explain(question(what_if, kept), "shortage:US")
    result = answer.attribution
    # "with all" is the what-if as it ran, "with none" its baseline as it ran: same scenario, same seed
    assert result.scenario_value == outcome.value(what_if, 0, 11)
    assert result.counterfactual_value == outcome.value(baseline, 0, 11)
    assert result.window == ("2024-01", "2024-12")
    assert answer.difference and len(result.contributions) == 2 and answer.levers == {c.id for c in result.contributions}
    lift, release = result.contributions
    assert answer.names[lift.id] == "your lever 1: CN export control" and "lift it for the US" in lift.label
    assert lift.value < -100 and release.value == pytest.approx(0.0, abs=1e-6)
    assert sum(c.value for c in result.contributions) == pytest.approx(result.scenario_value
                                                                       - result.counterfactual_value, rel=1e-9)


def test_the_run_so_far_is_explained_by_the_scenarios_events_and_the_levers(forked):
    what_if, _, _ = forked
    answer = explain(question(what_if), "shortage:US", "2024-03", "")
    ids = {c.id for c in answer.attribution.contributions}
    assert {"embargo", "catalogue_2023"} <= ids and len(answer.levers) == 2 and answer.levers <= ids
    assert not answer.difference and answer.attribution.window == ("2024-03", "2024-12")
    gap = answer.attribution.scenario_value - answer.attribution.counterfactual_value
    assert sum(c.value for c in answer.attribution.contributions) == pytest.approx(gap, rel=1e-6)


def test_a_lever_for_next_month_is_listed_as_not_counted():
    model = RareEarthModel("full_embargo", seed=1)
    model.step()
    model.apply_lever(RELEASE, "next month")
    answer = explain(question(model), "price:heavy_oxide:world")
    assert [c.note for c in answer.left_out if c.id in answer.levers] == ["dated after the window"]


@pytest.mark.parametrize("args, field, words", [
    (("shortage:XX",), "outcome", "'XX' is not a country"),
    (("cap_hits_total",), "outcome", "pick a monthly outcome"),
    (("shortage:US", "2024-05", "2024-03"), "from", "2024-05 comes after the window's end (2024-03)"),
    (("shortage:US", "", "2024-09"), "to", "has not been run yet (the run so far ends 2024-04)"),
    (("shortage:US", "2031-01", ""), "from", "outside the run"),
])
def test_bad_questions_get_one_line_naming_the_field(args, field, words):
    model = RareEarthModel("full_embargo", seed=1)
    for _ in range(4):
        model.step()
    with pytest.raises(ScenarioError) as err:
        explain(question(model), *args)
    assert err.value.field == field and words in err.value.reason


def test_nothing_to_explain_before_a_month_or_without_a_lever_after_the_fork():
    model = RareEarthModel("full_embargo", seed=1)
    with pytest.raises(ScenarioError, match="run at least one month"):
        explain(question(model), "shortage:US")
    model.step()
    with pytest.raises(ScenarioError, match="no lever pulled"):
        explain(question(model, 0), "shortage:US")


def test_the_key_names_the_branch():
    model = RareEarthModel("full_embargo", seed=1)
    model.step()
    first = question(model).key
    assert question(model).key == first
    model.apply_lever(RELEASE, "x")
    with_lever = question(model).key
    model.step()
    keys = {first, with_lever, question(model).key, question(model, 0).key}
    assert len(keys) == 4
    other = RareEarthModel("full_embargo", seed=2)
    other.step()
    assert question(other).key != first


def test_common_outcomes_all_parse():
    names = common_outcomes()
    assert {"shortage:US", "shortage_share:JP", "price:magnet:world", "peak:heavy_oxide:china", "exports:CN:magnet",
            "capacity:refining+magnets:ex-CN"} <= set(names)
    for name in names:
        assert parse_outcome(name).windowed


def test_the_branch_table_has_each_year_and_totals_outside_china(forked):
    what_if, baseline, _ = forked
    for _ in range(3):  # into 2025
        what_if.step()
        baseline.step()
    table = difference_table(tables(what_if), tables(baseline)).set_index(["measure", "period"])
    periods = table.loc["US magnet shortage (t REO)"].index.tolist()
    assert periods == [SO_FAR, "2024", "2025"]
    us = table.loc["US magnet shortage (t REO)"]
    assert us.loc[SO_FAR, "difference"] < 0  # the lift helps the US
    assert us.loc[SO_FAR, "what-if"] == pytest.approx(us.loc["2024", "what-if"] + us.loc["2025", "what-if"])
    for stage in ("mining", "refining", "magnets"):
        assert table.loc[(f"{stage} capacity outside China (t/yr, at the end)", SO_FAR), "baseline"] > 0
    delivered = tables(baseline)["supply.csv"]
    delivered = delivered[delivered["country"] != "CN"]["delivered_t"].sum()
    assert table.loc[("magnets delivered outside China (t REO)", SO_FAR), "baseline"] == pytest.approx(delivered)


def test_the_zip_reports_each_file_as_it_is_written(forked):
    what_if, _, _ = forked
    heard = []
    data = run_zip(what_if, lambda done, total, name: heard.append((done, total, name)))
    assert [name for _, _, name in heard] == [*STEPS, "done"]
    assert [done for done, _, _ in heard] == list(range(len(STEPS) + 1))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {"report.html", "scenario.toml", "prices.csv"} <= set(archive.namelist())
    assert zip_filename("full_embargo", 1, "2024-12", "whatif") == "ree_whatif_full_embargo_2024-12.zip"
    assert zip_filename("full_embargo", 1, "2024-12") == "full_embargo_seed1_2024-12.zip"
