"""Views are computed once per change and shared (a message does not touch the world's pieces), and what
the pages say reads right: proposals in plain words, score lines in the metric's own direction, the
notice after a round, forms that offer only what the seat holds."""

from __future__ import annotations

from sim.game import shared, views
from sim.game.wording import objective_line, proposal_words

STOCK = {"lever": "stockpile_target", "days": 90}


def test_a_message_changes_the_inboxes_and_nothing_of_the_world(game, monkeypatch):
    room, teacher, tokens = game
    room.start(teacher)
    v = room.views
    world, seat_world, clock, seat_round = v.world(), v.seat_world("US"), v.clock(), v.seat_round("US")
    inbox = v.inbox("US")
    calls = []
    monkeypatch.setattr(views, "_series", lambda model: calls.append(1) or {"dates": []})
    room.message(tokens["JP"], 1, "*", "hello all")
    assert v.world() is world and v.seat_world("US") is seat_world and not calls  # no chart data rebuilt
    assert v.clock() is clock and v.seat_round("US") is seat_round  # recomputed, equal: the same object
    assert v.inbox("US") is not inbox and v.inbox("US")[-1]["text"] == "hello all"
    assert v.inbox("US") is v.inbox("US")  # once per change, whoever asks


def test_a_resolution_renews_the_world_once_for_every_reader(game):
    room, teacher, tokens = game
    room.start(teacher)
    before = room.views.world()
    room.advance(teacher)
    after = room.views.world()
    assert after is not before and after is room.views.world() and len(after["charts"]["dates"]) == 3
    me = views.player_view(room, tokens["US"])
    assert me["charts"] is after["charts"]  # the API's view shares the same piece


def test_proposals_and_scores_read_in_plain_words():
    words = proposal_words(
        {
            "proposer": "US",
            "name": "Magnet pact",
            "duration_months": 24,
            "terms": {"cofinance_usd_per_year": 1.5e9, "cofinance_share": 0.3},
        }
    )
    assert words == (
        "US proposes 'Magnet pact' for 24 months: a joint fund of $1.50B a year paying 30% of project capex"
    )
    assert "=" not in words and "1500000000" not in words
    full = objective_line(
        {
            "metric": "shortage_share",
            "description": "keep factories supplied",
            "value": 0.0,
            "worst": 0.3,
            "best": 0.0,
            "weight": 2.0,
            "points": 1.0,
        }
    )
    assert full == (
        "Keep factories supplied: 0% of magnet demand unmet (full marks at 0%, none at 30%): full marks, counts x2"
    )
    half = objective_line(
        {"metric": "stockpile_days", "description": "", "value": 30, "worst": 0, "best": 60, "weight": 1, "points": 0.5}
    )
    assert half == "Stockpile_days: 30 days of stockpile (full marks at 60 days, none at 0 days): 50% of the marks"


def test_the_notice_after_a_round_says_what_the_ai_did_for_a_late_seat(game):
    room, teacher, tokens = game
    room.start(teacher)
    room.submit_move(tokens["US"], 1, STOCK, "hold more")
    room.advance(teacher)  # nobody was ready; US moved, CN and JP did not
    us, jp = room.views.seat_round("US")["notice"], room.views.seat_round("JP")["notice"]
    assert us["title"] == "Round 1 resolved (the teacher closed the round)."
    assert us["lines"] == ["you: US aims the strategic stockpile at 90 days of domestic use (now 30 days)"]
    assert jp["lines"][0].startswith("You were not ready when the round ended and had made no move, so the AI")
    assert all(line.startswith(("AI:", "You were not ready")) for line in jp["lines"])


def test_the_release_form_offers_only_what_the_stockpile_holds(game):
    room, teacher, tokens = game
    briefing = room.views.seat_world("JP")["briefing"]
    held = briefing["stockpile"]
    assert held and all(t >= 0.5 for t in held.values())
    example = briefing["levers"]["stockpile_release"]["example"]
    assert example["product"] in held and example["tonnes"] <= held[example["product"]]
    assert "stockpile_release" not in room.views.seat_world("CN")["briefing"]["levers"]  # no stockpile at all
    # what a release larger than the stock will really do, before it is submitted
    product = example["product"]
    told = room.preview_move(
        tokens["JP"], {"lever": "stockpile_release", "product": product, "tonnes": held[product] + 1000}
    )
    assert told.warnings and "holds" in told.warnings[0]
    assert room.version == 3  # a preview stores nothing


def test_shared_views_keep_no_state_of_their_own_beyond_the_cache():
    assert set(vars(shared.SharedViews(object()))) == {"room", "_cache"}
