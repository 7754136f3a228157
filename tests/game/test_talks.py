"""Proposals between seats, messages, injects, broadcasts and what each player may read."""

from __future__ import annotations

import pytest

from sim.game.moves import GameError
from sim.game.views import player_view, teacher_view

PACT = {
    "lever": "proposal",
    "target": "JP",
    "name": "Magnet pact",
    "duration_months": 24,
    "cofinance_usd_per_year": 1e9,
    "cofinance_share": 0.3,
}


def test_a_proposal_to_a_seat_with_players_waits_for_its_answer_next_round(game):
    room, teacher, tokens = game
    room.start(teacher)
    room.submit_move(tokens["US"], 1, PACT, "share the cost of new plants")
    room.advance(teacher)
    assert not room.model.diplomats.agreements
    waiting = room.state.pending_for("JP")
    assert [p["name"] for p in waiting] == ["Magnet pact"]
    with pytest.raises(GameError, match="no proposal"):
        room.answer(tokens["CN"], 2, waiting[0]["id"], "accept")
    room.answer(tokens["JP"], 2, waiting[0]["id"], "accept")
    room.advance(teacher)
    signed = room.model.diplomats.agreements
    assert [(a.name, a.parties) for a in signed] == [("Magnet pact", (1, 2))]


def test_a_counter_offer_goes_back_to_the_proposer(game):
    room, teacher, tokens = game
    room.start(teacher)
    room.submit_move(tokens["US"], 1, PACT)
    room.advance(teacher)
    pid = room.state.pending_for("JP")[0]["id"]
    with pytest.raises(GameError, match="terms.cofinance_usd"):
        room.answer(tokens["JP"], 2, pid, "counter", {"cofinance_usd": 1})
    room.answer(tokens["JP"], 2, pid, "counter", {"cofinance_share": 0.5})
    room.advance(teacher)
    back = room.state.pending_for("US")
    assert back and back[0]["proposer"] == "JP" and back[0]["terms"]["cofinance_share"] == 0.5


def test_an_unanswered_proposal_is_answered_by_the_seats_strategy(game):
    room, teacher, tokens = game
    room.start(teacher)
    room.submit_move(tokens["US"], 1, PACT)
    room.advance(teacher)
    room.advance(teacher)
    applied = room.state.resolutions[-1].applied
    assert any("did not answer" in a["rationale"] and a["event"]["kind"] == "proposal" for a in applied)
    assert any(r[2].startswith("agreement_") for r in room.model.log.rows)


def test_private_messages_reach_only_sender_receiver_and_teacher(game):
    room, teacher, tokens = game
    room.message(tokens["US"], 1, "JP", "secret: we plan a stockpile")
    room.message(tokens["CN"], 1, "*", "China welcomes trade")
    room.broadcast(teacher, "Five minutes left")
    texts = lambda seat: [m["text"] for m in player_view(room, tokens[seat])["inbox"]]
    assert "secret: we plan a stockpile" in texts("JP") and "secret: we plan a stockpile" in texts("US")
    assert "secret: we plan a stockpile" not in texts("CN")
    assert all("China welcomes trade" in texts(s) and "Five minutes left" in texts(s) for s in tokens)
    assert len(teacher_view(room)["messages"]) == 3
    with pytest.raises(GameError, match="send to another seat"):
        room.message(tokens["US"], 1, "US", "to myself")


def test_no_view_holds_a_token(game):
    room, teacher, tokens = game
    text = repr(player_view(room, tokens["US"])) + repr(teacher_view(room))
    assert not any(t in text for t in (*tokens.values(), teacher))


def test_a_bad_inject_is_refused_in_one_line(game):
    room, teacher, _ = game
    with pytest.raises(GameError, match="inject.factor"):
        room.inject(teacher, {"kind": "capacity_shock", "country": "AU", "stage": "refining", "factor": -1})
    catalogue = room.inject_catalogue()
    assert catalogue and all("date" not in c["event"] for c in catalogue)
    room.inject(teacher, catalogue[0]["event"])
    assert len(room.state.injects) == 1
