"""A move says what it will do when it is submitted, and warns when it will do little or nothing; the warning
reaches the world's event log when the round resolves."""

from __future__ import annotations

from ui.classroom.move_form import submitted_feedback

EMPTY_FUND = {"lever": "proposal", "target": "JP", "name": "Pact", "cofinance_usd_per_year": 1e9}
SLACK_QUOTA = {"lever": "mining_quota", "tonnes_per_year": 1_000_000}  # far above the US's mines
STOCK = {"lever": "stockpile_target", "days": 90}


def test_a_move_that_does_little_is_stored_with_a_warning_that_reaches_the_event_log(game):
    room, teacher, tokens = game
    room.start(teacher)
    warned = room.submit_move(tokens["US"], 1, SLACK_QUOTA, "dig more")
    assert warned.summary.startswith("caps US's mining at 1,000,000 t a year")
    assert len(warned.warnings) == 1 and "above US's mining capacity" in warned.warnings[0]
    clean = room.submit_move(tokens["US"], 1, STOCK, "hold more")
    assert clean.id > warned.id and clean.warnings == ()
    assert [m.id for m in room.state.round_moves(1, "US")] == [warned.id, clean.id]
    for seat in ("CN", "US", "JP"):
        room.set_ready(tokens[seat], 1)
    logged = {row[2]: row[5] for row in room.model.log.rows if row[0] == "2025-01" and row[1] == "US"}
    assert logged["mining_quota"] == f"dig more (warning: {warned.warnings[0]})"
    assert logged["stockpile_target"] == "hold more"


def test_a_fund_with_no_share_is_shown_in_amber_and_a_clean_move_in_green(game):
    room, teacher, tokens = game
    warned = room.submit_move(tokens["US"], 1, EMPTY_FUND)
    assert warned.warnings == ("the joint fund pays 0% of project capex: its $1.00B a year pays nothing",)
    kind, text, for_round = submitted_feedback("Proposal of an agreement", 1, warned)
    assert (
        kind == "warning"
        and for_round == 1
        and text.startswith("Proposal of an agreement submitted for round 1: it proposes 'Pact'")
    )
    assert text.endswith(f"Warning: {warned.warnings[0]}.")
    fund = room.submit_move(tokens["US"], 1, {**EMPTY_FUND, "cofinance_share": 0.3})
    assert submitted_feedback("Proposal of an agreement", 1, fund)[0] == "ok"
