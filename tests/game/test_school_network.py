"""What a school's IT person checks: one server per database file, a private database, no token
in a printed link's path or query, the console's cookie, rate limits, security headers, no diagnostics,
and the teacher's control over who is in the room."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from .test_hostile_input import raw_call


def test_a_second_server_on_the_same_file_exits_2_with_one_line(served):
    server, room, db = served
    second = subprocess.run(
        [sys.executable, "-m", "sim.cli", "classroom", "serve", "--db", str(db), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = second.stderr.strip().splitlines()
    print(second.stderr.strip())
    assert second.returncode == 2 and len(lines) == 1 and not second.stdout
    assert str(db) in lines[0] and "already served by ree classroom serve" in lines[0]
    assert f"pid {server.process.pid}" in lines[0] and server.url in lines[0]
    assert server.call("GET", f"/api/rooms/{room['room']}")[0] == 200  # the first one goes on


def test_the_database_is_private_and_no_printed_link_has_a_token_in_path_or_query(served):
    server, room, db = served
    for path in (db, db.with_name(db.name + "-wal")):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    printed = [room["join_link"], room["teacher_link"]] + [
        word for line in server.banner for word in line.split() if word.startswith("http")
    ]
    assert len(printed) >= 5
    for link in printed:
        parts = urlsplit(link)
        assert room["teacher_token"] not in parts.path + parts.query, link
    assert urlsplit(room["teacher_link"]).fragment == f"key={room['teacher_token']}"


def test_the_console_cookie_is_httponly_and_opens_the_teacher_api_and_the_export(served):
    server, room, _ = served
    api = f"/api/rooms/{room['room']}"
    status, headers, _ = raw_call(
        server,
        "POST",
        f"{api}/teacher/session",
        json.dumps({"token": room["teacher_token"]}).encode(),
        {"content-type": "application/json", "origin": server.url},
    )
    cookie = headers["set-cookie"]
    assert status == 200 and "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert room["teacher_token"] not in cookie
    jar = cookie.split(";")[0]
    for path in (f"{api}/teacher", f"{api}/export.zip"):
        assert raw_call(server, "GET", path, None, {"cookie": jar})[0] == 200
        assert raw_call(server, "GET", path, None, {"cookie": jar[:-4] + "0000"})[0] == 403
    status, _, raw = raw_call(
        server, "POST", f"{api}/teacher/session", b'{"token": "guess"}', {"content-type": "application/json"}
    )
    assert status == 403 and "set-cookie" not in {k.lower() for k in _}


def test_room_code_guesses_and_join_floods_meet_429(served):
    server, room, _ = served
    guesses = [raw_call(server, "GET", f"/api/rooms/Q{i:04d}", None, {})[0] for i in range(300)]
    print(f"300 room-code guesses: {guesses.count(404)} x 404, {guesses.count(429)} x 429")
    assert guesses.count(429) >= 250 and set(guesses) == {404, 429}
    status, headers, raw = raw_call(server, "GET", f"/api/rooms/{room['room']}", None, {})
    assert status == 429 and int(headers["retry-after"]) >= 1 and "wait" in json.loads(raw)["error"]
    joins = [
        raw_call(
            server,
            "POST",
            f"/api/rooms/{room['room']}/join",
            json.dumps({"seat": "US", "name": f"flood {i}"}).encode(),
            {"content-type": "application/json"},
        )[0]
        for i in range(100)
    ]
    print(f"100 joins at once: {joins.count(200)} x 200, {joins.count(429)} x 429")
    assert 30 <= joins.count(200) <= 45 and joins.count(429) == 100 - joins.count(200)


def test_pages_send_nosniff_a_frame_policy_and_a_csp_and_diagnostics_are_closed(served):
    server, room, _ = served
    for path in ("/", f"/join/{room['room']}", "/api/rooms/NOPE/me"):
        _, headers, _ = raw_call(server, "GET", path, None, {})
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in headers["content-security-policy"]
    assert raw_call(server, "GET", "/resourcez", None, {})[0] == 404
    assert raw_call(server, "GET", "/resourcez?verbose", None, {})[0] == 404


def test_the_teacher_removes_a_player_and_closes_joining(tmp_path):
    from sim.game.moves import GameError
    from sim.game.rooms import Rooms

    rooms = Rooms(tmp_path / "r.sqlite")
    room, teacher = rooms.create("classroom_2025")
    kept = room.join("US", "Ada")["token"]
    gone = room.join("US", "Troll")["token"]
    troll = next(p for p in room.state.players() if p["name"] == "Troll")
    room.remove_player(teacher, troll["id"])
    with pytest.raises(GameError, match="the teacher removed you"):
        room.message(gone, 1, "*", "still here?")
    room.message(kept, 1, "*", "hello")
    assert [p["name"] for p in room.state.players()] == ["Ada"]
    room.set_joining(teacher, False)
    with pytest.raises(GameError, match="closed joining") as refused:
        room.join("JP", "late")
    assert refused.value.status == 409
    room.set_joining(teacher, True)
    room.join("JP", "late")
    again = Rooms(tmp_path / "r.sqlite").get(room.code)  # all of it replays
    assert [p["name"] for p in again.state.players()] == ["Ada", "late"] and again.state.joining_open
    with pytest.raises(GameError, match="removed"):
        again.member(gone)


def test_a_websocket_from_another_site_is_refused(served):
    """A page elsewhere cannot open a session on the classroom server (and drive a teacher's console)."""
    import socket

    server, _, _ = served
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port

    def handshake(origin: str) -> str:
        with socket.create_connection((host, port), timeout=30) as sock:
            sock.sendall(
                (
                    f"GET /jupyter/api/kernels/k1/channels?session_id=s1 HTTP/1.1\r\nHost: {host}:{port}\r\n"
                    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: {origin}\r\n\r\n"
                ).encode()
            )
            return sock.recv(200).decode("latin-1").split("\r\n")[0]

    assert " 403 " in handshake("http://evil.test") + " "
    assert " 101 " in handshake(server.url) + " "
