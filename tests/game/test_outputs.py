"""Scores, the debrief's AI-only worlds, exports and `ree classroom` on the command line."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from sim.cli import main
from sim.game import debrief, export
from sim.game.scores import objectives, score
from sim.scenario_schema import Objective


def test_score_points_run_from_worst_to_best_and_weights_count():
    goals = [
        Objective(metric="shortage_share", worst=0.4, best=0.0, weight=3),
        Objective(metric="relations", worst=-0.5, best=0.5, weight=1),
    ]
    assert score(goals, {"shortage_share": 0.4, "relations": -0.5})[0] == 0
    assert score(goals, {"shortage_share": 0.0, "relations": 0.5})[0] == 100
    assert score(goals, {"shortage_share": 0.2, "relations": -2.0})[0] == pytest.approx(37.5)
    assert score(goals, {"shortage_share": 0.9, "relations": 9.0})[0] == 25  # clipped, not negative


def test_role_objectives_come_from_the_scenario_file(rooms):
    room, _ = rooms.create("classroom_2025")
    assert [o.metric for o in objectives(room.scenario, "CN")] == ["export_value_busd", "refining_share", "relations"]
    other, _ = rooms.create("baseline_2024")  # no [classroom] objectives: the documented defaults
    assert objectives(other.scenario, "US")[0].metric == "shortage_share"


def test_debrief_places_the_class_among_ai_only_worlds(game):
    room, teacher, tokens = game
    room.start(teacher)
    room.advance(teacher)
    seen = []
    result = debrief.debrief(room, runs=3, progress=lambda done, total: seen.append((done, total)))
    total = result["moves_did"]["runs"] + 3  # the worlds without some players' moves, then the AI worlds
    assert seen[-3:] == [(total - 2, total), (total - 1, total), (total, total)]
    assert [c["seat"] for c in result["comparison"]] == ["CN", "US", "JP"]
    for row in result["comparison"]:
        assert len(row["ai_scores"]) == 3 and 0 <= row["beat_share"] <= 1
    assert {s["seat"] for s in result["scores"]} == {"CN", "US", "JP"}


def test_export_has_wide_and_long_tables_and_no_tokens(game):
    room, teacher, tokens = game
    room.start(teacher)
    room.submit_move(tokens["US"], 1, {"lever": "stockpile_target", "days": 80}, "more stock")
    room.message(tokens["US"], 1, "JP", "hello")
    room.advance(teacher)
    room.advance(teacher)
    data = zipfile.ZipFile(io.BytesIO(export.zip_bytes(room)))
    names = set(data.namelist())
    assert {
        "moves.csv",
        "applied.csv",
        "messages.csv",
        "seat_rounds.csv",
        "seats.csv",
        "events.csv",
        "prices.csv",
        "room.json",
    } <= names
    everything = b"".join(data.read(n) for n in names).decode()
    assert not any(t in everything for t in (*tokens.values(), teacher))
    frames = export.frames(room)
    assert len(frames["seat_rounds.csv"]) == 2 * 3  # long: seat x round
    wide = frames["seats.csv"]
    assert list(wide["seat"]) == ["CN", "US", "JP"] and "r2.score" in wide.columns
    assert frames["moves.csv"]["rationale"].tolist() == ["more stock"]
    assert json.loads(data.read("room.json"))["tables"]["messages"][0]["text"] == "hello"


def test_cli_demo_plays_a_game_with_bots_and_is_deterministic(tmp_path, capsys):
    results = []
    for name in ("a", "b"):
        assert main(["classroom", "demo", "--db", str(tmp_path / f"{name}.sqlite"), "--rounds", "3"]) == 0
        results.append(json.loads(capsys.readouterr().out))
    first, second = results
    assert first["rounds"] == 3 and set(first["scores"]) == {"CN", "US", "JP"}
    assert all(0 <= v <= 100 for v in first["scores"].values())
    assert first["scores"] == second["scores"]


def test_cli_new_prints_code_token_and_links(tmp_path, capsys):
    db = tmp_path / "class.sqlite"
    assert main(["classroom", "new", "classroom_2025", "--db", str(db), "--seats", "CN,US,JP,EU"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["room"]) == 5 and out["room"].isalpha() and out["join_link"].endswith(f"/join/{out['room']}")
    assert out["seats"] == ["CN", "US", "JP", "EU"] and len(out["teacher_token"]) >= 22
    assert main(["classroom", "export", "--db", str(db), "--room", out["room"], "--out", str(tmp_path / "x")]) == 0
    assert (tmp_path / "x" / "seats.csv").is_file()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["classroom", "new", "no_such_scenario"], "no_such_scenario: scenario: no such file"),
        (["classroom", "new", "classroom_2025", "--seats", "CN,MARS"], "classroom.seats.1"),
        (["classroom", "new", "classroom_2025", "--months-per-round", "0"], "classroom.months_per_round"),
        (["classroom", "demo", "--rounds", "0"], "--rounds: play at least one round"),
        (["classroom", "export", "--room", "QQQQQ", "--out", "x"], "no room with the code QQQQQ"),
        (["classroom", "serve", "--port", "99999"], "--port: 99999 is not a port"),
        (["classroom", "serve", "--db", "missing.sqlite"], "--db: missing.sqlite does not exist"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, capsys, argv, message):
    db = tmp_path / "class.sqlite"
    main(["classroom", "new", "classroom_2025", "--db", str(db)])
    capsys.readouterr()
    assert main(argv + ([] if "--db" in argv else ["--db", str(db)])) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
