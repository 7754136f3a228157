"""The web UI's per-tab sessions, lever forms and run bundle, without a browser."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import RareEarthModel, ScenarioError
from sim.lever_catalogue import STATE_ACTS, measure_choices, named_measures
from sim.runs.outputs import tables
from ui.components.compare import difference_table
from ui.components.lever_specs import LEVER_BY_KIND, LEVERS
from ui.components.levers import build_change
from ui.session import Session

CHECKER = Path("/work/shared/tools/check_run_outputs.py")


def started(scenario: str = "apr2025_licensing", seed: str = "5") -> Session:
    session = Session()
    session.start(scenario, seed)
    return session


def test_two_sessions_have_their_own_models():
    first, second = started(), started()
    first.step(6)
    assert first.model is not second.model
    assert (first.view().months_run, second.view().months_run) == (6, 0)


@pytest.mark.parametrize(
    "seed, words", [("", "the field is empty"), ("-3", "got '-3'"), ("4.5", "got '4.5'"), ("abc", "got 'abc'")]
)
def test_a_bad_seed_is_refused_with_the_field_named(seed, words):
    with pytest.raises(ScenarioError) as err:
        Session().start("baseline_2024", seed)
    assert err.value.field == "seed" and words in err.value.reason


def test_a_seed_typed_as_text_gives_the_same_run_as_the_number():
    text = started(seed=" 7 ").step(3).frames
    model = RareEarthModel("apr2025_licensing", seed=7)
    for _ in range(3):
        model.step()
    pd.testing.assert_frame_equal(text["prices.csv"], tables(model)["prices.csv"])


@pytest.mark.parametrize(
    "month, words",
    [
        ("2124-01", "is too far: a run is at most 1200 months long"),
        ("2024-13", "months run 01-12"),
        ("soon", "not a YYYY-MM month"),
        ("2024-02", "has already been run"),
    ],
)
def test_run_to_refuses_months_it_cannot_reach(month, words):
    session = started()
    session.step(3)
    with pytest.raises(ScenarioError) as err:
        session.run_to(month)
    assert err.value.field == "run to" and words in err.value.reason
    assert session.view().months_run == 3


def test_run_to_stops_at_the_month_asked():
    assert started().run_to("2024-12").date == "2024-12"


def test_run_to_past_the_end_carries_the_run_on_and_its_tables_stay_consistent(tmp_path):
    """apr2025_licensing ends 2026-12; with a lever pulled and a fork, run to 2027-06: both branches go on
    six months (and may go on to 2027-12), every table has each month once and in order, mass balance holds
    every month, and the download's scenario replays the carried-on run file for file."""
    session = started()
    session.step(4)
    session.apply_lever(build_change(LEVER_BY_KIND["strategy"], "CN", {"strategy": "hawkish"}), "harder line")
    session.run_to("2026-12")
    assert session.view().finished and session.view().planned_end is None
    session.fork()
    view = session.run_to("2027-06")
    assert (view.date, view.months_run, view.months, view.end, view.planned_end) == (
        "2027-06",
        42,
        48,
        "2027-12",
        "2026-12",
    )
    assert session.baseline_view().months_run == 42 and session.baseline.levers == session.model.levers
    months = pd.period_range("2024-01", "2027-06", freq="M").strftime("%Y-%m").tolist()
    for model in (session.model, session.baseline):
        frames = tables(model)
        assert frames["prices.csv"].groupby(["product", "market"]).date.apply(list).map(months.__eq__).all()
        for name in ("flows.csv", "supply.csv", "capacity.csv", "stocks.csv"):
            assert sorted(frames[name].date.unique()) == months, name
        assert model.recorder.written == 42 and np.max(model.recorder.balance_error) <= 1e-9
        assert frames["stocks.csv"].tonnes.min() >= -1e-9
    assert len(view.frames["prices.csv"]) == 42 * 8
    with zipfile.ZipFile(BytesIO(session.download())) as archive:
        archive.extractall(tmp_path / "run")
    replay = RareEarthModel(tmp_path / "run" / "scenario.toml", months=42)
    while not replay.finished:
        replay.step()
    for name, frame in tables(replay).items():
        assert (tmp_path / "run" / name).read_text() == frame.to_csv(
            index=False, float_format="%.9g", lineterminator="\n"
        ), name
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["months"] == 42
    session.apply_lever(build_change(LEVER_BY_KIND["strategy"], "CN", {"strategy": "conciliatory"}), "softer")
    assert session.step(6).finished and session.model.levers[-1].date == "2027-07"  # a lever past the end
    view = session.run_to("2028-02")  # and on again, the lever kept
    assert (view.months_run, view.months, len(session.model.levers)) == (50, 60, 2)
    assert np.max(session.model.recorder.balance_error) <= 1e-9


def test_still_to_come_lists_every_upcoming_event_soonest_first():
    """truce_lapses_2026 has 20 events to come at its start; the list once stopped at 12, hiding the three
    resumptions of November 2026."""
    import solara
    import solara.widgets

    from ui.components.event_feed import UpcomingEvents

    view = Session().start("truce_lapses_2026", "42")
    assert len(view.upcoming) == 20
    _, rc = solara.render(UpcomingEvents(view.upcoming), handle_error=False)
    rows = rc.find(solara.widgets.HTML).widget.unsafe_innerHTML.split("<tbody>")[1].split("</tr>")[:-1]
    assert len(rows) == 20 and "2024-11" in rows[0] and "Nos. 56 and 62 return" in rows[-1]
    assert sum("<td>resume</td>" in row for row in rows) == 3


def test_a_fork_without_levers_stays_identical_to_the_branch_it_came_from():
    session = started()
    session.step(4)
    session.fork()
    session.step(8)
    view, base = session.view(), session.baseline_view()
    assert base.months_run == view.months_run == 12
    for name in view.frames:
        pd.testing.assert_frame_equal(view.frames[name], base.frames[name])


def test_a_lever_after_the_fork_changes_only_the_what_if():
    session = started()
    session.run_to("2025-03")
    session.fork()
    session.apply_lever(
        {
            "kind": "export_control",
            "actor": "CN",
            "products": ["magnet", "heavy_oxide"],
            "destinations": ["US"],
            "level": "ban",
        },
        "a ban, to compare",
    )
    session.step(9)
    table = difference_table(session.view(), session.baseline_view()).set_index(["measure", "period"])
    assert table.loc[("US magnet shortage (t REO)", "so far"), "difference"] > 0
    assert table.loc[("China's exports, all products (t REO)", "so far"), "difference"] < 0
    events = session.view().frames["events.csv"]
    assert "a ban, to compare" in set(events["rationale"])
    assert "a ban, to compare" not in set(session.baseline_view().frames["events.csv"]["rationale"])


def test_a_baseline_from_the_start_has_no_levers_and_the_same_seed():
    session = started()
    session.step(2)
    session.apply_lever({"kind": "mining_quota", "actor": "CN", "tonnes_per_year": 100000}, "cut")
    session.step(4)
    base = session.baseline_from_start()
    assert (base.months_run, base.seed, base.levers) == (6, 5, 0)
    fresh = RareEarthModel("apr2025_licensing", seed=5)
    for _ in range(6):
        fresh.step()
    pd.testing.assert_frame_equal(base.frames["prices.csv"], tables(fresh)["prices.csv"])


@pytest.mark.parametrize("actor", ["JP", "US", "CN"])
def test_every_lever_form_with_its_defaults_is_accepted_by_the_schema(actor):
    session, pulled = started(), []
    for lever in LEVERS:  # a partner or destination never defaults to the acting country
        measures = named_measures(session.model)  # a suspend, resume or cancel names the first it can
        if lever.kind in STATE_ACTS and not measure_choices(measures, lever.kind, actor):
            continue  # nothing of this actor's (or the world's) to suspend, resume or cancel
        session.apply_lever(build_change(lever, actor, {}, measures), f"test {lever.kind}")
        pulled.append(lever.kind)
    session.step(2)
    # a default that does little here (JP has no mines to cap) keeps its rationale, with the warning after it
    logged = {rationale.split(" (warning: ")[0] for rationale in session.view().frames["events.csv"]["rationale"]}
    assert {f"test {kind}" for kind in pulled if kind != "proposal"} <= logged
    assert actor == "JP" or {"suspend", "cancel"} <= set(pulled)  # CN and US have measures of their own


@pytest.mark.parametrize(
    "kind, values, field, words",
    [
        ("export_control", {"approval_rate": "1.5"}, "approval_rate", "less than or equal to 1"),
        ("export_control", {"review_months": "two"}, "review_months", "enter a whole number"),
        ("export_control", {"products": []}, "products", "choose at least one"),
        ("mining_quota", {"tonnes_per_year": ""}, "tonnes_per_year", "the field is empty"),
        ("tariff", {"change_points": "900"}, "change_points", "less than or equal to 200"),
        ("demand_growth", {"growth": "-2"}, "growth", "greater than or equal to -0.5"),
    ],
)
def test_a_bad_lever_value_names_its_field_and_changes_nothing(kind, values, field, words):
    session = started()
    with pytest.raises(ScenarioError) as err:
        session.apply_lever(build_change(LEVER_BY_KIND[kind], "CN", values), "")
    assert err.value.field == field and words in err.value.reason
    assert session.model.levers == []


def test_the_zip_holds_the_run_files_and_a_scenario_that_replays_it(tmp_path):
    session = started()
    session.step(3)
    session.apply_lever(build_change(LEVER_BY_KIND["strategy"], "CN", {"strategy": "hawkish"}), "harder line")
    session.apply_lever(build_change(LEVER_BY_KIND["demand_growth"], "CN", {"growth": "0.2"}), "boom")
    session.step(5)
    with zipfile.ZipFile(BytesIO(session.download())) as archive:
        archive.extractall(tmp_path / "run")
    names = {p.name for p in (tmp_path / "run").iterdir()}
    assert {"prices.csv", "events.csv", "summary.json", "report.html", "scenario.toml"} <= names
    if CHECKER.exists():
        result = subprocess.run([sys.executable, str(CHECKER), str(tmp_path / "run")], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    replay = RareEarthModel(tmp_path / "run" / "scenario.toml", months=8)
    while not replay.finished:
        replay.step()
    for name, frame in tables(replay).items():
        assert (tmp_path / "run" / name).read_text() == frame.to_csv(
            index=False, float_format="%.9g", lineterminator="\n"
        ), name
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["months"] == 8


def test_no_download_before_a_month_has_run():
    with pytest.raises(ScenarioError, match="run at least one month"):
        started().download()


def test_a_proposal_gets_an_answer_with_its_reasons_in_the_events():
    session = started()
    change = build_change(
        LEVER_BY_KIND["proposal"],
        "US",
        {"target": "JP", "cofinance_usd_per_year": "200000000", "cofinance_share": "0.3"},
    )
    session.apply_lever(change, "a joint fund")
    session.step(1)
    events = session.view().frames["events.csv"]
    talks = events[events["kind"].str.startswith("agreement_")]
    assert len(talks) >= 1 and talks["rationale"].str.len().min() > 10
    assert {"JP"} <= set(talks["actor"]) | set(talks["target"])


def test_ree_ui_refuses_a_bad_port_with_one_line(capsys):
    from sim.cli import main

    assert main(["ui", "--port", "70000"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "ree ui: --port: 70000 is not a port number (0-65535)"


def test_ree_ui_says_when_its_port_is_taken(capsys):
    import socket

    from sim.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["ui", "--port", str(port)]) == 2
    assert f"--port: {port} is in use" in capsys.readouterr().err
