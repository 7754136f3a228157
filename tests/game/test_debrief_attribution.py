"""The debrief's "what the moves did": after a game, each seat's score (and magnets unmet) split among the
players (each seat's moves, the teacher's injects, the scenario's events) adds up to the difference between
the game as played and the same months with none of them; a player without moves counts exactly 0; the
lines say the numbers; the debrief page shows the section."""

from __future__ import annotations

import json
from html import escape

import pytest

from sim.game import debrief
from sim.game.botplay import SeatBot
from sim.game.move_effects import SCENARIO, TEACHER
from sim.game.rooms import Rooms
from sim.game.scores import seat_score
from sim.runs.attribution import shapley
from sim.runs.why_outcomes import parse_outcome
from sim.scenario import load_scenario


@pytest.fixture(scope="module")
def played():
    """classroom_2025 to its end: bots at US and JP, a student at CN who never moves (only says ready), and
    a teacher's inject in round 2; then the debrief with 2 AI worlds. (room, result, progress seen)."""
    rooms = Rooms(":memory:")
    room, teacher = rooms.create("classroom_2025", seed=3)
    bots = [SeatBot(room, seat) for seat in ("US", "JP")]
    silent = room.join("CN", "a silent student")["token"]
    room.start(teacher)
    while room.state.status != "ended":
        round_ = room.state.round
        if round_ == 2:
            room.inject(teacher, room.inject_catalogue()[0]["event"], "a typhoon")
        for bot in bots:
            bot.play_round()
        room.set_ready(silent, round_)
    seen = []
    result = debrief.debrief(room, runs=2, progress=lambda done, total: seen.append((done, total)))
    yield room, result, seen
    rooms.close()


def test_every_seats_parts_add_up_to_its_difference(played):
    room, result, _ = played
    did = result["moves_did"]
    assert "error" not in did and did["months"] == room.model.months_run == 24 and did["method"] == "exact"
    assert [p["key"] for p in did["players"]] == ["CN", "US", "JP", TEACHER, SCENARIO]
    for row in did["seats"]:
        assert sum(row["points"].values()) == pytest.approx(row["score"] - row["score_without"], rel=1e-6, abs=1e-9)
        assert sum(row["tonnes"].values()) == pytest.approx(row["unmet_t"] - row["unmet_t_without"], rel=1e-6, abs=1e-9)
        # "as played" is the game itself: the seat's score and shortage read off the room's world
        assert row["score"] == seat_score(room.model, room.scenario, row["seat"])["score"]
        unmet = parse_outcome(f"shortage:{row['seat']}").value(room.model, 0, room.model.months_run - 1)
        assert row["unmet_t"] == pytest.approx(unmet, rel=1e-9)
    assert any(abs(v) > 0.05 for row in did["seats"] for v in row["points"].values()), "some move mattered"
    json.dumps(result)  # kept in the room's store as JSON


def test_a_seat_without_moves_counts_exactly_zero(played):
    room, result, _ = played
    applied = [a for r in room.state.resolutions for a in r.applied]
    assert not [a for a in applied if a["seat"] == "CN" and a["event"]["kind"] != "note"], "CN never moved"
    assert [a["source"] for a in applied if a["source"] == "inject"] == ["inject"]
    did = result["moves_did"]
    for row in did["seats"]:
        assert row["points"]["CN"] == 0.0 and row["tonnes"]["CN"] == 0.0
    china = next(row for row in did["seats"] if row["seat"] == "CN")
    assert china["lines"][0] == "China made no move: 0 for China."  # its own moves come first


def test_a_group_of_notes_only_is_worth_exactly_zero():
    scenario = load_scenario("apr2025_licensing", sets=["months=6"])
    notes = [i for i, e in enumerate(scenario.events) if e.kind == "note"]
    others = [i for i, e in enumerate(scenario.events) if e.kind != "note"]
    assert notes and others
    shares = shapley(scenario, {"notes": notes, "rest": others, "nothing": []}, parse_outcome("shortage:US"), 0, 5)
    assert shares.value["notes"] == 0.0 and shares.value["nothing"] == 0.0
    assert shares.value["rest"] == pytest.approx(shares.everyone - shares.nobody, rel=1e-12)
    assert shares.runs == 2  # with and without the rest: nothing else differs


def test_the_lines_say_the_numbers(played):
    _, result, _ = played
    for row in result["moves_did"]["seats"]:
        text = " ".join(row["lines"])
        for player, points in row["points"].items():
            tonnes = row["tonnes"][player]
            if abs(points) >= 0.05:
                assert f"{abs(points):.1f} points" in text, (row["seat"], player)
            if abs(tonnes) >= 0.5:
                assert f"{abs(tonnes):,.0f} t of magnets" in text, (row["seat"], player)
        assert f"{row['score']:.2f} points as played, {row['score_without']:.2f} with" in row["summary"]
    japan = next(row for row in result["moves_did"]["seats"] if row["seat"] == "JP")
    own = japan["points"]["JP"]
    assert japan["lines"][0] == f"Japan's moves {'gained' if own > 0 else 'cost'} Japan {abs(own):.1f} points."


def test_progress_counts_both_parts(played):
    _, result, seen = played
    total = result["moves_did"]["runs"] + 2
    assert seen[-1] == (total, total) and all(t == total for _, t in seen)
    assert [d for d, _ in seen] == list(range(1, total + 1))


@pytest.fixture
def tab():
    """A browser tab's kernel context, as the Solara server gives each page."""
    from solara.server import kernel, kernel_context

    context = kernel_context.VirtualKernelContext(id="debrief-test", kernel=kernel.Kernel(), session_id="debrief")
    with context:
        yield context
    context.close()


def test_the_debrief_page_shows_what_the_moves_did_reader_first(played, tab):
    import solara

    from ui.classroom.debrief_page import Result

    room, result, _ = played
    _, rc = solara.render(Result(room, result, "JP"), handle_error=False)
    shown = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
    rc.close()
    assert "What the moves did" in shown
    cards = [h for h in shown if "points as played" in h]
    assert len(cards) == 3 and "Japan: " in cards[0]  # the reader's seat first
    japan = next(row for row in result["moves_did"]["seats"] if row["seat"] == "JP")
    assert all(escape(line) in cards[0] for line in japan["lines"])
    assert "<th>Points</th>" in cards[0] and f"{japan['score'] - japan['score_without']:+.2f}" in cards[0]
