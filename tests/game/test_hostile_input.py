"""No input breaks a room: over a live server, what broke rooms before gets one line of JSON
with a 4xx status, and the room goes on: the round advances and every view, the export and the CLI export
still work. Bodies are checked strictly; a request-size limit; every error is JSON."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

BROKE_ROOMS = [  # (what, endpoint, body as raw JSON text, status): each of these once broke a room
    ("a lone surrogate in a message", "messages", '{"round": 1, "to": "*", "text": "hi \\ud800"}', 400),
    (
        "a mining quota of Infinity",
        "moves",
        '{"round": 1, "move": {"lever": "mining_quota", "tonnes_per_year": Infinity}}',
        400,
    ),
    (
        "an export control with no products",
        "moves",
        '{"round": 1, "move": {"lever": "export_control", "products": [], "destinations": ["US"], "level": "ban"}}',
        400,
    ),
    (
        "a 1 MB description",
        "moves",
        '{"round": 1, "move": {"lever": "stockpile_target", "days": 60, "description": "' + "x" * 1_000_000 + '"}}',
        413,
    ),
    ("ready as the text false", "ready", '{"round": 1, "ready": "false"}', 400),
    ("an id of Infinity", "withdraw", '{"round": 1, "move_id": Infinity}', 400),
    ("an id of 1e999", "withdraw", '{"round": 1, "move_id": 1e999}', 400),
    (
        "a 5 MB proposal name",
        "moves",
        '{"round": 1, "move": {"lever": "proposal", "target": "JP", "name": "' + "n" * 5_000_000 + '"}}',
        413,
    ),
    (
        "a long proposal name",
        "moves",
        '{"round": 1, "move": {"lever": "proposal", "target": "JP", "name": "' + "n" * 600 + '"}}',
        400,
    ),
    ("a field the endpoint does not take", "ready", '{"round": 1, "ready": true, "admin": true}', 400),
    ("a body that is not an object", "messages", '["hello"]', 400),
    ("not JSON at all", "messages", "hello", 400),
    ("nesting a thousand deep", "moves", '{"round": 1, "move": ' + "[" * 1000 + "]" * 1000 + "}", 400),
]


def raw_call(server, method: str, path: str, body: bytes | None, headers: dict[str, str]):
    request = urllib.request.Request(server.url + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_what_broke_rooms_gets_one_line_of_json_and_the_room_goes_on(served, tmp_path):
    server, room, db = served
    code, teacher = room["room"], room["teacher_token"]
    api = f"/api/rooms/{code}"
    tokens = {}
    for seat in ("CN", "US", "JP"):
        status, body = server.call("POST", f"{api}/join", body={"seat": seat, "name": f"p {seat}"})
        tokens[seat] = body["token"]
    assert server.call("POST", f"{api}/teacher/start", teacher)[0] == 200
    answers = {}
    for what, path, text, expected in BROKE_ROOMS:
        status, headers, raw = raw_call(
            server,
            "POST",
            f"{api}/{path}",
            text.encode("utf-8", "surrogatepass"),
            {"content-type": "application/json", "authorization": f"Bearer {tokens['CN']}"},
        )
        assert headers["content-type"] == "application/json", what
        message = json.loads(raw)["error"]
        answers[what] = (status, message)
        assert status == expected and message and "\n" not in message and "Traceback" not in message, (what, message)
    print("\n".join(f"{what}: {status} {message}" for what, (status, message) in answers.items()))
    assert "products" in answers["an export control with no products"][1]
    assert "ready" in answers["ready as the text false"][1]
    # nothing was stored, and the round advances with every seat ready
    for token in tokens.values():
        assert server.call("POST", f"{api}/ready", token, {"round": 1, "ready": True})[0] == 200
    assert server.call("GET", api)[1]["round"] == 2
    for token in tokens.values():
        status, view = server.call("GET", f"{api}/me", token)
        assert status == 200 and view["round"] == 2 and view["notice"]["title"].startswith("Round 1 resolved")
    status, view = server.call("GET", f"{api}/teacher", teacher)
    assert status == 200 and len(view["resolutions"]) == 1
    assert server.call("GET", f"{api}/export.zip", teacher)[0] == 200
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.cli",
            "classroom",
            "export",
            "--db",
            str(db),
            "--room",
            code,
            "--out",
            str(tmp_path / "export"),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "export" / "messages.csv").is_file()


def test_every_error_is_json_even_the_servers_own(served):
    server, room, _ = served
    api = f"/api/rooms/{room['room']}"
    for method, path in (
        ("DELETE", f"{api}/moves"),
        ("GET", f"{api}/moves"),
        ("GET", "/api/nothing/here"),
        ("POST", f"{api}/teacher/launch_missiles"),
    ):
        status, headers, raw = raw_call(server, method, path, b"{}", {"content-type": "application/json"})
        assert 400 <= status < 500 and headers["content-type"] == "application/json", (method, path, status)
        assert json.loads(raw)["error"]
    # a room code that is not one, of any length or alphabet
    for guess in ("%F0%9F%98%80", "A" * 400, "ZZZZZ"):
        status, _, raw = raw_call(server, "GET", f"/api/rooms/{guess}/me", None, {})
        assert status == 404 and "no room" in json.loads(raw)["error"]


def test_posts_must_be_json_from_this_site(served):
    server, room, _ = served
    join = f"/api/rooms/{room['room']}/join"
    body = b'{"seat": "US", "name": "from elsewhere"}'
    # a cross-site form post: text/plain, with the other site as Origin
    status, _, raw = raw_call(server, "POST", join, body, {"content-type": "text/plain", "origin": "http://evil.test"})
    assert status == 403 and "cross-site" in json.loads(raw)["error"]
    status, _, raw = raw_call(server, "POST", join, body, {"content-type": "text/plain"})
    assert status == 415 and "application/json" in json.loads(raw)["error"]
    status, _, _ = raw_call(server, "POST", join, body, {"content-type": "application/json", "origin": server.url})
    assert status == 200  # the classroom's own pages (same origin) and scripts without an Origin may post
