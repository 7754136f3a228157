"""The real server over HTTP: persistence across a SIGKILL, and who may do and read what."""

from __future__ import annotations

import re
import secrets

import pytest

from .live_server import LiveServer, new_room

STOCK = {"lever": "stockpile_target", "days": 75}


@pytest.fixture
def served(tmp_path):
    db = tmp_path / "class.sqlite"
    room = new_room(db)
    server = LiveServer(db)
    yield server, room, db
    server.stop()


def join_all(server, code):
    tokens = {}
    for seat in ("CN", "US", "JP"):
        status, body = server.call("POST", f"/api/rooms/{code}/join", body={"seat": seat, "name": f"player {seat}"})
        assert status == 200, body
        tokens[seat] = body["token"]
    return tokens


def snapshot(server, code, teacher, tokens):
    status, view = server.call("GET", f"/api/rooms/{code}/teacher", teacher)
    assert status == 200
    players = {seat: server.call("GET", f"/api/rooms/{code}/me", token)[1] for seat, token in tokens.items()}
    return {
        "round": view["round"],
        "month": view["month"],
        "charts": view["charts"],
        "log": view["log"],
        "seats": view["seat_status"],
        "messages": view["messages"],
        "moves": {s: p["moves"] for s, p in players.items()},
        "now": {s: p["status_now"] for s, p in players.items()},
    }


def test_a_server_killed_mid_round_comes_back_at_the_same_round_with_every_move(served):
    server, room, db = served
    code, teacher = room["room"], room["teacher_token"]
    tokens = join_all(server, code)
    assert server.call("POST", f"/api/rooms/{code}/teacher/start", teacher)[0] == 200
    server.call("POST", f"/api/rooms/{code}/moves", tokens["US"], {"round": 1, "move": STOCK})
    for seat in tokens:
        assert server.call("POST", f"/api/rooms/{code}/ready", tokens[seat], {"round": 1})[0] == 200
    # round 2, under way: moves, a proposal and a message submitted, then the power goes
    for seat, move in (
        ("JP", STOCK),
        (
            "CN",
            {
                "lever": "export_control",
                "products": ["magnet"],
                "destinations": ["JP"],
                "level": "licence",
                "approval_rate": 0.3,
            },
        ),
        (
            "US",
            {
                "lever": "proposal",
                "target": "JP",
                "name": "Pact",
                "cofinance_share": 0.3,
                "cofinance_usd_per_year": 1e9,
            },
        ),
    ):
        status, body = server.call("POST", f"/api/rooms/{code}/moves", tokens[seat], {"round": 2, "move": move})
        assert status == 200 and set(body) == {"id", "summary", "warnings"}, body
    server.call("POST", f"/api/rooms/{code}/messages", tokens["US"], {"round": 2, "to": "JP", "text": "deal?"})
    server.call("POST", f"/api/rooms/{code}/ready", tokens["JP"], {"round": 2})
    before = snapshot(server, code, teacher, tokens)
    assert before["round"] == 2 and sum(len(m) for m in before["moves"].values()) == 3
    server.kill()

    again = LiveServer(db)
    try:
        after = snapshot(again, code, teacher, tokens)
        assert after == before  # same round, every move and message, the same world
        assert [r["ready"] for r in after["seats"]] == [False, False, True]
        for seat in ("CN", "US"):  # and the game goes on from there
            assert again.call("POST", f"/api/rooms/{code}/ready", tokens[seat], {"round": 2})[0] == 200
        assert again.call("GET", f"/api/rooms/{code}")[1]["round"] == 3
    finally:
        again.stop()


def test_seat_and_teacher_tokens_guard_every_action_and_private_message(served):
    server, room, _ = served
    code, teacher = room["room"], room["teacher_token"]
    tokens = join_all(server, code)
    api = f"/api/rooms/{code}"
    # a seat cannot act for another seat
    status, body = server.call(
        "POST",
        f"{api}/moves",
        tokens["US"],
        {"round": 1, "move": {"lever": "export_control", "actor": "CN", "products": ["magnet"], "level": "ban"}},
    )
    assert status == 403 and "you play US" in body["error"]
    # private messages reach only their two seats
    server.call("POST", f"{api}/messages", tokens["CN"], {"round": 1, "to": "JP", "text": "secret offer to Japan"})
    inbox = lambda seat: [m["text"] for m in server.call("GET", f"{api}/me", tokens[seat])[1]["inbox"]]
    assert "secret offer to Japan" in inbox("JP") and "secret offer to Japan" not in inbox("US")
    # teacher actions need the teacher token: no token, a seat token, a made-up token
    for token in (None, tokens["US"], secrets.token_urlsafe(16)):
        for action in ("start", "advance", "rollback", "pause", "end", "broadcast", "inject"):
            status, body = server.call(
                "POST", f"{api}/teacher/{action}", token, {"text": "x", "event": {"kind": "note"}}
            )
            assert status == 403 and "teacher token" in body["error"]
        assert server.call("GET", f"{api}/teacher", token)[0] == 403
        assert server.call("GET", f"{api}/export.zip", token)[0] == 403
    assert server.call("GET", f"{api}/me", secrets.token_urlsafe(16))[0] == 403
    assert server.call("GET", f"{api}/me")[0] == 403
    # a token of another room does not open this one
    other = new_room(server.db)
    status, joined = server.call("POST", f"/api/rooms/{other['room']}/join", body={"seat": "US", "name": "x"})
    assert status == 200 and server.call("GET", f"{api}/me", joined["token"])[0] == 403
    # nothing a player (or anyone) can read holds another player's token
    views = [server.call("GET", f"{api}/me", t)[1] for t in tokens.values()] + [server.call("GET", api)[1]]
    for seat, view in zip(list(tokens) + ["public"], views):
        text = repr(view)
        assert teacher not in text
        assert not [s for s, t in tokens.items() if t in text and s != seat]
    assert server.call("GET", f"{api}/export.zip", teacher)[0] == 200
    assert server.call("POST", f"{api}/teacher/start", teacher)[0] == 200


def test_tokens_are_long_random_and_distinct(tmp_path):
    from sim.game.rooms import Rooms

    rooms = Rooms(":memory:")
    room, teacher = rooms.create("classroom_2025")
    tokens = [room.join("US", f"s{i}")["token"] for i in range(300)] + [teacher]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:  # 16 bytes from the OS, URL-safe base64: 128 bits, 22 characters
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)
    # no structure to exploit: characters are spread over the whole alphabet, not counters or clocks
    assert len(set("".join(tokens))) == 64
    assert len({t[:6] for t in tokens}) == len(tokens)
