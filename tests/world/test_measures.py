"""Measures named by id: suspended, resumed and cancelled whatever their date, by a scenario or a lever;
`ree validate` lists events with their numbers and ids and warns about lifts that find nothing in force."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim import RareEarthModel
from sim.constants import C, P
from sim.dates import format_month, parse_month
from sim.runs.outputs import table
from sim.scenario import ScenarioError, load_raw, resolve_scenario, validate

EXTRATERRITORIAL_REASON = "content need its licence"


def scenario_with(events: list[dict], base: str = "baseline_2024", months: int = 12):
    raw = load_raw(resolve_scenario(base))
    raw["months"] = months
    raw["events"] = raw.get("events", []) + events
    return validate(raw, "test")


def run(scenario, levers=()) -> RareEarthModel:
    model = RareEarthModel(scenario)
    for month, change in levers:  # a lever applies in the month the model runs next
        while format_month(model.start_month + model.months_run) < month:
            model.step()
        model.apply_lever(change, "test lever")
    while not model.finished:
        model.step()
    return model


BAN = {
    "id": "ban",
    "date": "2024-03",
    "kind": "export_control",
    "actor": "CN",
    "products": ["magnet"],
    "destinations": ["*"],
    "level": "ban",
}


def magnet_level_to_us(model_events, months_in: list[str]) -> list[int]:
    """The CN->US magnet control level each month (0 none, 2 ban), from a model stepped month by month."""
    model = RareEarthModel(scenario_with(model_events))
    levels = []
    while not model.finished:
        model.step()
        if model.date in months_in:
            levels.append(int(model.office.level[C["CN"], P["magnet"], C["US"]]))
    return levels


def test_pending_measure_suspended_before_its_date_never_takes_effect():
    events = [BAN, {"date": "2024-02", "kind": "suspend", "actor": "CN", "measure": "ban"}]
    assert magnet_level_to_us(events, ["2024-03", "2024-08", "2024-12"]) == [0, 0, 0]
    assert magnet_level_to_us([BAN], ["2024-03"]) == [2]


def test_suspension_with_an_end_restores_the_measure_then():
    events = [BAN, {"date": "2024-05", "kind": "suspend", "actor": "CN", "measure": "ban", "duration_months": 3}]
    levels = magnet_level_to_us(events, ["2024-04", "2024-05", "2024-07", "2024-08", "2024-12"])
    assert levels == [2, 0, 0, 2, 2]


def test_suspension_of_a_pending_measure_past_its_date_restores_it_for_the_rest_of_its_term():
    events = [
        {**BAN, "duration_months": 6},  # due 2024-03 .. 2024-08
        {"date": "2024-02", "kind": "suspend", "actor": "CN", "measure": "ban", "duration_months": 3},
    ]
    levels = magnet_level_to_us(events, ["2024-03", "2024-04", "2024-05", "2024-08", "2024-09"])
    assert levels == [0, 0, 2, 2, 0]  # suspended 2024-02..04, back 2024-05 for the 4 months left


def test_cancel_undoes_a_measure_for_good_and_resume_ends_an_open_suspension():
    cancelled = [BAN, {"date": "2024-06", "kind": "cancel", "actor": "CN", "measure": "ban"}]
    assert magnet_level_to_us(cancelled, ["2024-05", "2024-06", "2024-12"]) == [2, 0, 0]
    resumed = [
        BAN,
        {"date": "2024-04", "kind": "suspend", "actor": "CN", "measure": "ban"},
        {"date": "2024-09", "kind": "resume", "actor": "CN", "measure": "ban"},
    ]
    assert magnet_level_to_us(resumed, ["2024-04", "2024-08", "2024-09"]) == [0, 0, 2]


def test_suspending_a_licence_regime_restores_the_one_it_replaced_with_its_ramp():
    """busan_truce's No. 70 case: the April regime ramps on while No. 57 is suspended."""
    april = {
        "id": "april",
        "date": "2024-02",
        "kind": "export_control",
        "actor": "CN",
        "products": ["magnet"],
        "level": "licence",
        "approval_rate": 0.2,
        "later_rate": 0.6,
        "ramp_months": 8,
    }
    stricter = {
        "id": "stricter",
        "date": "2024-04",
        "kind": "export_control",
        "actor": "CN",
        "products": ["magnet"],
        "level": "licence",
        "approval_rate": 0.1,
    }
    suspend = {"date": "2024-06", "kind": "suspend", "actor": "CN", "measure": "stricter"}
    model = RareEarthModel(scenario_with([april, stricter, suspend]))
    rates = {}
    while not model.finished:
        model.step()
        rates[model.date] = model.office.approval_rate[C["CN"], P["magnet"], C["US"]]
    assert rates["2024-05"] == pytest.approx(0.1)
    assert rates["2024-06"] == pytest.approx(0.2 + 0.4 * 4 / 8)  # the April ramp, four months in
    assert rates["2024-10"] == pytest.approx(0.6)


def test_suspend_cancel_and_resume_are_levers_and_logged():
    model = run(
        scenario_with([BAN]),
        levers=[("2024-05", {"kind": "suspend", "actor": "CN", "measure": "ban", "duration_months": 2})],
    )
    events = table(model, "events")
    kinds = events.set_index("kind")
    assert kinds.loc["suspend", "date"] == "2024-05" and kinds.loc["suspend", "target"] == "ban"
    assert kinds.loc["measure_restored", "date"] == "2024-07"
    with pytest.raises(ScenarioError, match="measure: no measure has the id 'nothing'"):
        RareEarthModel(scenario_with([BAN])).apply_lever({"kind": "cancel", "actor": "CN", "measure": "nothing"})


def test_scenario_naming_an_unknown_or_unsuspendable_event_is_an_error():
    with pytest.raises(ScenarioError, match="names 'nope', but no event has that id"):
        scenario_with([BAN, {"date": "2024-05", "kind": "suspend", "measure": "nope"}])
    with pytest.raises(ScenarioError, match="a relations event, which cannot be suspended"):
        scenario_with(
            [
                {"id": "talk", "date": "2024-02", "kind": "relations", "actor": "US", "target": "CN", "change": 0.1},
                {"date": "2024-05", "kind": "suspend", "measure": "talk"},
            ]
        )


def ree(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True)


def test_validate_lists_numbered_named_events_and_warns_about_a_lift_of_a_later_rule(tmp_path: Path):
    listed = ree("validate", "busan_truce")
    assert listed.returncode == 0 and listed.stderr == ""
    # numbers follow the inherited files' order: apr2025_licensing (MP's halt is events.3),
    # oct2025_controls, then the truce
    assert "events.9 (no61)" in listed.stdout and "events.13 (no70_no61)" in listed.stdout
    # the seed's busan_truce lifted No. 61 a month before No. 61 took effect
    early_lift = tmp_path / "early_lift.toml"
    early_lift.write_text(
        'extends = "oct2025_controls"\nname = "x"\ndescription = "x"\n[[events]]\n'
        'date = "2025-11"\nkind = "extraterritorial"\nactor = "CN"\nlift = true\n'
    )
    warned = ree("validate", str(early_lift))
    assert warned.returncode == 0
    lines = warned.stderr.strip().splitlines()
    assert len(lines) == 1 and "events.10" in lines[0] and "finds none in force" in lines[0]
    assert "the extraterritorial of 2025-12 comes after it" in lines[0]
    stale = tmp_path / "stale.toml"
    stale.write_text(
        'extends = "full_embargo"\nname = "x"\ndescription = "x"\n[[events]]\ndate = "2026-01"\n'
        'kind = "suspend"\nmeasure = "embargo"\n'
    )
    assert "that measure ended in 2025-03" in ree("validate", str(stale)).stderr
    late = tmp_path / "late.toml"
    late.write_text(
        'extends = "full_embargo"\nname = "x"\ndescription = "x"\n[[events]]\ndate = "2024-05"\n'
        'kind = "cancel"\nmeasure = "embargo"\n[[events]]\ndate = "2024-06"\nkind = "suspend"\n'
        'measure = "embargo"\n'
    )
    assert "but it was cancelled before" in ree("validate", str(late)).stderr
    assert ree("validate", "busan_truce", "truce_lapses_2026", "crisis_2010").stderr == ""


def us_magnet_shortage(model, first: str, last: str) -> float:
    rec, us, window = model.recorder, C["US"], window_of(model, first, last)
    demand = rec.demand[window, us].sum()
    return float((demand - rec.delivered[window, us].sum()) / demand)


def window_of(model, first: str, last: str) -> slice:
    return slice(parse_month(first) - model.start_month, parse_month(last) - model.start_month + 1)


def us_licences_refused(model, first: str, last: str) -> float:
    """Tonnes of magnets for the US refused by any office (China's, or China's over JP/EU/ROW makers)."""
    return float(model.recorder.licence[window_of(model, first, last), 2, :, P["magnet"], C["US"]].sum())


def us_magnets_delivered(model, first: str, last: str) -> float:
    return float(model.recorder.delivered[window_of(model, first, last), C["US"]].sum())


def us_magnets_met(model, first: str, last: str) -> float:
    """Share of US magnet demand delivered over the window."""
    window = window_of(model, first, last)
    return us_magnets_delivered(model, first, last) / float(model.recorder.demand[window, C["US"]].sum())


def world_magnet_price(model, first: str, last: str) -> float:
    return float(model.recorder.price[window_of(model, first, last), P["magnet"], 1].mean())


@pytest.mark.parametrize("seed", [42, 7])
def test_busan_truce_keeps_the_extraterritorial_rule_out_and_the_us_better_off(seed):
    truce = RareEarthModel("busan_truce", seed=seed)
    controls = RareEarthModel("oct2025_controls", seed=seed)
    for model in (truce, controls):
        while not model.finished:
            model.step()
    events = table(truce, "events")
    licences = events[events["kind"].str.startswith("licence")]
    window = licences[(licences["date"] >= "2025-11") & (licences["date"] <= "2026-10")]
    assert not window["rationale"].str.contains(EXTRATERRITORIAL_REASON).any()
    assert not window["detail"].str.contains(EXTRATERRITORIAL_REASON).any()
    controls_rows = table(controls, "events")
    assert controls_rows["rationale"].str.contains(EXTRATERRITORIAL_REASON).any()  # the check can fail
    # A lower US magnet shortage under the truce was the first aim. Since the 2025 recalibration (Dy/Tb-free
    # grades need no licence, most refused files are filed again, firms hold ~3 months of stock) the US is
    # not short over these months in either scenario, so the shortage may only be no higher; what the
    # October measures still cost the US is refused licences, dearer magnets and less magnet use.
    first, last = "2025-12", "2026-10"
    assert us_magnet_shortage(truce, first, last) <= us_magnet_shortage(controls, first, last)
    assert us_licences_refused(truce, first, last) < 0.5 * us_licences_refused(controls, first, last)
    # neither leaves the US short, so both deliver what US users ask for (within 0.1%: demand follows the price
    # path) and the truce cannot deliver more; what it must not do is deliver a smaller share of demand
    assert us_magnets_met(truce, first, last) >= us_magnets_met(controls, first, last) - 1e-9
    assert world_magnet_price(truce, first, last) < world_magnet_price(controls, first, last)
    assert np.isfinite(truce.prices).all()


def test_a_run_with_a_suspension_lever_replays_to_the_same_world(tmp_path: Path):
    from sim.levers import replay_toml
    from sim.runs.outputs import tables

    lever = ("2024-06", {"kind": "suspend", "actor": "CN", "measure": "ban", "duration_months": 3})
    model = run(scenario_with([BAN]), levers=[lever])
    path = tmp_path / "replay.toml"
    path.write_text(replay_toml(model))
    replayed = RareEarthModel(str(path))
    while not replayed.finished:
        replayed.step()
    for name, frame in tables(model).items():
        assert frame.equals(tables(replayed)[name]), name


def test_the_lever_api_lists_named_measures_and_their_state():
    from sim.levers import measures

    model = RareEarthModel("busan_truce", months=28)  # to 2026-04
    assert measures(model)["no61"] == "pending" and measures(model)["catalogue_2023"] == "in force"
    while not model.finished:
        model.step()
    state = measures(model)
    assert state["no57"] == state["no61"] == state["no56_62"] == "suspended"
    assert state["no18"] == "in force" and state["us_general_licences"] == "in force"
