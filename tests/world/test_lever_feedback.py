"""Feedback on levers: applying a lever says what it will do, and warns when it will do little
or nothing; the warning travels in the event's description, so events.csv and the replay file keep it."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import RareEarthModel
from sim.dates import format_month
from sim.lever_feedback import assess
from sim.levers import AppliedLever, measures, replay_toml
from sim.runs.outputs import tables
from sim.scenario import load_scenario, validate_event
from tests.conftest import CN_BAN_US, model_with_events

CN_LICENCE_ALL = {
    "kind": "export_control",
    "actor": "CN",
    "products": ["magnet"],
    "destinations": ["*"],
    "level": "licence",
    "approval_rate": 0.5,
    "review_months": 2,
}
JP_RELEASE = {"kind": "stockpile_release", "actor": "JP", "product": "heavy_oxide"}  # JP holds 17 t at the start
PACT = {"kind": "proposal", "actor": "US", "target": "JP", "name": "pact"}
SHOCK = {"kind": "capacity_shock", "actor": "world", "country": "MY", "stage": "refining"}


@pytest.fixture(scope="module")
def model():
    """baseline_2024 two months in; `assess` only reads it, so the tests share it."""
    model = RareEarthModel("baseline_2024", seed=1, months=12)
    model.step()
    model.step()
    return model


def feedback(model, change: dict):
    event = validate_event({"date": format_month(model.start_month + model.months_run), **change}, "test")
    return assess(model, event, measures(model))


# Each check: a change it warns about (with words of the warning), and one that bites and gets no warning.
CHECKS = {
    "release larger than the stock": (
        {**JP_RELEASE, "tonnes": 1e6},
        "the stockpile holds 17 t",
        {**JP_RELEASE, "tonnes": 10},
    ),
    "release from no stockpile": (
        {**JP_RELEASE, "actor": "CN", "tonnes": 10},
        "CN holds no strategic stockpile",
        {**JP_RELEASE, "tonnes": 10},
    ),
    "release of a product not held": (
        {**JP_RELEASE, "product": "magnet", "tonnes": 10},
        "holds no magnet",
        {**JP_RELEASE, "product": "light_oxide", "tonnes": 10},
    ),
    "release with no domestic users": (
        {**JP_RELEASE, "actor": "US", "product": "light_oxide", "tonnes": 10},
        "no firm in US uses NdPr oxide",
        {**JP_RELEASE, "tonnes": 10},
    ),
    "control on pairs that trade nothing": (
        {**CN_BAN_US, "products": ["ore"], "destinations": ["MM"]},
        "the control cuts no trade now",
        CN_BAN_US,
    ),
    "lift of a control not in force": ({**CN_BAN_US, "level": "none"}, "there is nothing to lift", CN_BAN_US),
    "general licence where no licence is needed": (
        {"kind": "general_licence", "actor": "CN", "products": ["magnet"], "destinations": ["US"]},
        "waives nothing",
        None,
    ),
    "export quota above exports": (
        {"kind": "export_quota", "actor": "CN", "products": ["magnet"], "tonnes_per_year": 1e6},
        "does not bind",
        {"kind": "export_quota", "actor": "CN", "products": ["magnet"], "tonnes_per_year": 1000},
    ),
    "lift of an export quota not in force": (
        {"kind": "export_quota", "actor": "CN", "products": ["magnet"]},
        "there is nothing to lift",
        None,
    ),
    "fund whose share is 0": (
        {**PACT, "cofinance_usd_per_year": 1e9},
        "pays 0% of project capex",
        {**PACT, "cofinance_usd_per_year": 1e9, "cofinance_share": 0.3},
    ),
    "fund with no money": (
        {**PACT, "cofinance_share": 0.3},
        "has no money",
        {**PACT, "cofinance_usd_per_year": 1e9, "cofinance_share": 0.3},
    ),
    "proposal with no terms": (PACT, "promises nothing", {**PACT, "rapid_response": True}),
    "mining quota above capacity": (
        {"kind": "mining_quota", "actor": "US", "tonnes_per_year": 1e6},
        "above US's mining capacity",
        {"kind": "mining_quota", "actor": "CN", "tonnes_per_year": 100000},
    ),
    "the mining quota in force": (
        {"kind": "mining_quota", "actor": "CN", "tonnes_per_year": 270000},
        "the same quota",
        {"kind": "mining_quota", "actor": "CN", "tonnes_per_year": 1e6},
    ),
    "capacity shock of factor 1": ({**SHOCK, "factor": 1}, "a factor of 1", {**SHOCK, "factor": 0.5}),
    "capacity shock where there is no plant": (
        {**SHOCK, "country": "MM", "stage": "magnets", "factor": 0.5},
        "MM has no magnets capacity",
        {**SHOCK, "factor": 0.5},
    ),
    "demand shock of factor 1": (
        {"kind": "demand_shock", "factor": 1},
        "a factor of 1",
        {"kind": "demand_shock", "factor": 0.8},
    ),
    "ore grade of factors 1": (
        {"kind": "ore_grade", "country": "CN"},
        "factors of 1",
        {"kind": "ore_grade", "country": "CN", "heavy_factor": 0.5},
    ),
    "hoarding of 0": (
        {"kind": "hoarding", "market": "china", "extra_cover": 0},
        "changes nothing",
        {"kind": "hoarding", "market": "china", "extra_cover": 0.5},
    ),
    "price floor below the price": (
        {"kind": "price_floor", "actor": "US", "product": "magnet", "usd_per_kg": 1},
        "below the current price",
        {"kind": "price_floor", "actor": "US", "product": "magnet", "usd_per_kg": 1000},
    ),
    "the strategy in force": (
        {"kind": "strategy", "actor": "CN", "strategy": "default"},
        "follows default already",
        {"kind": "strategy", "actor": "CN", "strategy": "hawkish"},
    ),
    "tariff change of 0": (
        {"kind": "tariff", "actor": "US", "target": "CN", "change_points": 0},
        "changes nothing",
        {"kind": "tariff", "actor": "US", "target": "CN", "change_points": 10},
    ),
    "the demand growth in force": (
        {"kind": "demand_growth", "growth": 0.087},
        "grows at this rate already",
        {"kind": "demand_growth", "growth": 0.2},
    ),
    "stockpile target with no stockpile": (
        {"kind": "stockpile_target", "actor": "CN", "days": 30},
        "no strategic stockpile",
        {"kind": "stockpile_target", "actor": "JP", "days": 60},
    ),
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_a_lever_that_does_little_gets_a_warning_and_one_that_bites_none(model, name):
    warned, words, biting = CHECKS[name]
    told = feedback(model, warned)
    assert any(words in w for w in told.warnings), told
    assert told.summary and "\n" not in told.summary
    if biting is not None:
        assert feedback(model, biting).warnings == ()


def test_the_summary_says_what_a_release_gives():
    model = RareEarthModel("baseline_2024", seed=1, months=3)
    told = feedback(model, {**JP_RELEASE, "tonnes": 1e6})
    assert told.summary == "releases 17 t of Dy/Tb oxide to JP firms (all the stockpile holds)"
    assert told.warnings == ("asks for 1,000,000 t but the stockpile holds 17 t",)


def test_a_control_that_is_in_force_already_changes_nothing():
    model = RareEarthModel("baseline_2024", seed=1, months=6)
    model.apply_lever(CN_LICENCE_ALL)
    assert feedback(model, CN_LICENCE_ALL).warnings == ()  # scheduled, not yet in force
    model.step()
    assert any("the same licence is in force" in w for w in feedback(model, CN_LICENCE_ALL).warnings)
    assert feedback(model, {**CN_LICENCE_ALL, "approval_rate": 0.3}).warnings == ()
    assert feedback(model, {**CN_LICENCE_ALL, "level": "none"}).warnings == ()


@pytest.fixture(scope="module")
def measured():
    """At 2024-05 (next month): flood in force, later pending, held suspended, gone cancelled, brief ended."""
    shock = {**SHOCK, "date": "2024-01", "factor": 0.9}
    model = model_with_events(
        [
            {**shock, "id": "flood"},
            {**shock, "id": "later", "date": "2024-12"},
            {**shock, "id": "held"},
            {**shock, "id": "gone"},
            {**shock, "id": "brief", "duration_months": 2},
            {"kind": "suspend", "measure": "held", "date": "2024-02"},
            {"kind": "cancel", "measure": "gone", "date": "2024-02"},
        ],
        months=12,
    )
    for _ in range(4):
        model.step()
    return model


@pytest.mark.parametrize(
    "kind, measure, words",
    [
        ("suspend", "flood", None),
        ("suspend", "later", None),
        ("suspend", "held", "held is suspended"),
        ("suspend", "brief", "brief has ended"),
        ("resume", "held", None),
        ("resume", "flood", "flood is in force"),
        ("cancel", "flood", None),
        ("cancel", "held", None),
        ("cancel", "gone", "gone was cancelled"),
    ],
)
def test_suspend_resume_and_cancel_warn_when_the_measure_is_not_in_a_state_they_act_on(measured, kind, measure, words):
    told = feedback(measured, {"kind": kind, "measure": measure})
    assert measure in told.summary
    assert told.warnings == (() if words is None else (f"{words}: there is nothing to {kind}",))


def test_a_measure_control_is_not_judged_without_the_measures_states(measured):
    event = validate_event({"kind": "cancel", "measure": "flood", "date": "2024-05"}, "test")
    with pytest.raises(ValueError, match="measure_states=sim.levers.measures"):
        assess(measured, event)


def test_apply_returns_the_summary_and_warnings_and_the_event_fields():
    model = RareEarthModel("baseline_2024", seed=1, months=3)
    applied = model.apply_lever({**JP_RELEASE, "tonnes": 1e6, "id": "sale"}, "sell it all")
    assert isinstance(applied, AppliedLever)
    assert (applied.kind, applied.id, applied.actor, applied.date) == ("stockpile_release", "sale", "JP", "2024-01")
    assert applied.warnings and applied.description == f"sell it all (warning: {applied.warnings[0]})"
    assert model.levers == [applied.event]
    clean = model.apply_lever(CN_BAN_US, "a ban")
    assert clean.warnings == () and clean.description == "a ban"


def run_with_warned_lever(scenario="baseline_2024", months: int = 6):
    model = RareEarthModel(scenario, seed=4, months=months)
    model.step()
    model.step()
    model.apply_lever({**JP_RELEASE, "tonnes": 1e6}, "sell it all")
    model.apply_lever({**CN_BAN_US, "products": ["ore"], "destinations": ["MM"]}, "a ban on nothing")
    while not model.finished:
        model.step()
    return model


def test_the_warning_lands_in_events_csv_and_the_run_replays_to_the_same_tables(tmp_path):
    model = run_with_warned_lever()
    events = tables(model)["events.csv"]
    release = events[(events.kind == "stockpile_release") & (events.date == "2024-03")]
    assert list(release.rationale) == ["sell it all (warning: asks for 1,000,000 t but the stockpile holds 17 t)"]
    ban = events[(events.kind == "export_control") & (events.date == "2024-03")]
    assert ban.rationale.str.startswith("a ban on nothing (warning: no ore went from CN to MM").all() and len(ban) == 1

    path = tmp_path / "replay.toml"
    path.write_text(replay_toml(model))
    assert path.read_text().count("(warning: ") == 2
    replay = RareEarthModel(load_scenario(path))
    while not replay.finished:
        replay.step()
    first, second = tables(model), tables(replay)
    assert first.keys() == second.keys()
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True)
