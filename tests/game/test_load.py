"""Load: 30 players (six on each of five seats) play 10 rounds against the real server, all at once each
round; every move the server acknowledged is stored and applied in its round: no move is lost.
(Timings are in benchmarks/bench_classroom.py, not here.)"""

from __future__ import annotations

import csv
import io
import zipfile
from concurrent.futures import ThreadPoolExecutor

from .live_server import LiveServer, new_room

SEATS = ["CN", "US", "JP", "EU", "AU"]
PLAYERS_PER_SEAT = 6
ROUNDS = 10


def test_thirty_players_ten_rounds_lose_no_move(tmp_path):
    db = tmp_path / "load.sqlite"
    room = new_room(db, "--seats", ",".join(SEATS), "--months-per-round", "2", "--round-seconds", "3600")
    server = LiveServer(db)
    try:
        code, teacher = room["room"], room["teacher_token"]
        api = f"/api/rooms/{code}"
        players = []
        for seat in SEATS:
            for i in range(PLAYERS_PER_SEAT):
                status, body = server.call("POST", f"{api}/join", body={"seat": seat, "name": f"{seat} student {i}"})
                assert status == 200, body
                players.append((seat, i, body["token"]))
        assert server.call("POST", f"{api}/teacher/start", teacher)[0] == 200
        acknowledged = {}

        def ready(token, round_):
            return server.call("POST", f"{api}/ready", token, {"round": round_})

        def play(player, round_):
            seat, i, token = player
            target = SEATS[(SEATS.index(seat) + 1 + i % 4) % 5]
            status, body = server.call(
                "POST",
                f"{api}/moves",
                token,
                {
                    "round": round_,
                    "move": {"lever": "tariff", "target": target, "change_points": 1 + i},
                    "rationale": f"{seat} student {i}, round {round_}",
                },
            )
            assert status == 200, body
            server.call("POST", f"{api}/messages", token, {"round": round_, "to": "*", "text": f"r{round_} {seat}{i}"})
            return body["id"], (round_, seat, i)

        with ThreadPoolExecutor(max_workers=30) as pool:
            for round_ in range(1, ROUNDS + 1):
                acknowledged.update(pool.map(play, players, [round_] * len(players)))
                tokens = [next(t for seat, _, t in players if seat == s) for s in SEATS]
                readies = list(pool.map(ready, tokens, [round_] * len(tokens)))
                assert all(status == 200 for status, _ in readies)
                assert server.call("GET", api)[1]["round"] == round_ + 1
        assert len(acknowledged) == 30 * ROUNDS

        status, archive = server.call("GET", f"{api}/export.zip", teacher)
        assert status == 200
        tables = zipfile.ZipFile(io.BytesIO(archive))
        moves = list(csv.DictReader(io.StringIO(tables.read("moves.csv").decode())))
        stored = {int(m["id"]): (int(m["round"]), m["seat"]) for m in moves if m["withdrawn"] == "False"}
        assert {k: (r, s) for k, (r, s, _) in acknowledged.items()} == stored
        applied = list(csv.DictReader(io.StringIO(tables.read("applied.csv").decode())))
        per_round = {}
        for row in applied:
            if row["source"] == "player" and row["kind"] == "tariff":
                per_round[int(row["round"])] = per_round.get(int(row["round"]), 0) + 1
        assert per_round == {r: 30 for r in range(1, ROUNDS + 1)}
        messages = list(csv.DictReader(io.StringIO(tables.read("messages.csv").decode())))
        assert len(messages) == 30 * ROUNDS
    finally:
        server.stop()
