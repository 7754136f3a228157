"""The classroom server: one process on 127.0.0.1 (or the school network) serving the JSON API for players
and the teacher and the Solara classroom pages (`ui.classroom.app`, loaded by name), over the same rooms.

Rooms live in plain Python objects guarded by each room's lock; every change is in SQLite before it is
acknowledged. Tokens travel in the `Authorization: Bearer TOKEN` header: a seat token acts only for its
seat and reads only its seat's messages; teacher actions need the room's teacher token.

API (JSON in and out; errors are `{"error": "one line"}` with status 400, 403, 404 or 409):
  GET  /api/rooms/{code}                 public: round, status, seats, players per seat, seconds left
  POST /api/rooms/{code}/join            {"seat", "name"} -> {"token", "seat", "play_link"}
  GET  /api/rooms/{code}/me              seat token: the player's view
  POST /api/rooms/{code}/moves           seat token: {"round", "move", "rationale"} -> {"id", "summary", "warnings"}
                                         (what the move will do; warnings when it will do little or nothing)
  POST /api/rooms/{code}/withdraw        seat token: {"round", "move_id"}
  POST /api/rooms/{code}/answers         seat token: {"round", "proposal_id", "answer", "terms"}
  POST /api/rooms/{code}/messages        seat token: {"round", "to", "text"} -> {"id"}
  POST /api/rooms/{code}/ready           seat token: {"round", "ready"}
  GET  /api/rooms/{code}/teacher         teacher token: every seat's status, messages, log
  POST /api/rooms/{code}/teacher/ACTION  teacher token: start pause resume advance rollback end,
                                         inject {"event", "rationale"}, broadcast {"text"}
  GET  /api/rooms/{code}/debrief         teacher token (or a seat token once the game is over)
  GET  /api/rooms/{code}/export.zip      teacher token: every table, CSV + JSON
"""
from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import export
from .debrief import DebriefJobs
from .moves import GameError
from .rooms import Rooms
from .views import player_view, seat_rows, teacher_view

_current: dict[str, Any] = {}


def current_rooms() -> Rooms:
    """The registry the running server serves (the Solara pages read it)."""
    if "rooms" not in _current:
        raise RuntimeError("no classroom server is running in this process")
    return _current["rooms"]


def current_jobs() -> DebriefJobs:
    return _current["jobs"]


def public_url() -> str:
    """The address students reach the server at (for join links and the QR code)."""
    return _current.get("url", "http://127.0.0.1:8765")


def lan_address() -> str:
    """This machine's address on the local network (no packet is sent: a UDP socket only picks a route)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def _token(request: Request) -> str:
    """From `Authorization: Bearer TOKEN`; a download link (export.zip) may carry it as `?token=`."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query_params.get("token", "") if request.method == "GET" else ""


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        raise GameError("the request body is not JSON") from None
    if not isinstance(data, dict):
        raise GameError("the request body must be a JSON object")
    return data


def _round(data: dict[str, Any]) -> int:
    try:
        return int(data.get("round"))
    except (TypeError, ValueError):
        raise GameError("round: say which round this is for (a number)") from None


def _api(handler):
    """Run a handler in the thread pool (a round's resolution must not hold up the pages' websockets),
    turning GameError into one JSON line with its status."""
    async def endpoint(request: Request):
        try:
            room = request.app.state.rooms.get(request.path_params["code"])
            data = await _body(request) if request.method == "POST" else {}
            call = Call(room, _token(request), data, request.path_params, request.app.state)
            result = await run_in_threadpool(handler, call)
        except GameError as err:
            return JSONResponse({"error": str(err)}, status_code=err.status)
        if isinstance(result, Response):
            return result
        return JSONResponse(result if result is not None else {"ok": True})
    return endpoint


@dataclass
class Call:
    room: Any
    token: str
    data: dict[str, Any]
    params: dict[str, str]
    app_state: Any


def public_state(c: Call):
    room = c.room
    with room.lock:
        return {"room": room.code, "round": room.state.round, "status": room.state.status, "seats": room.seats,
                "seconds_left": room.seconds_left, "version": room.version, "scenario": room.scenario.name,
                "players": {row["seat"]: row["players"] for row in seat_rows(room)}}


def join(c: Call):
    joined = c.room.join(c.data.get("seat", ""), c.data.get("name", ""))
    return {**joined, "play_link": f"/play/{c.room.code}/{joined['token']}"}


def me(c: Call):
    return player_view(c.room, c.token)


def moves(c: Call):
    move = c.room.submit_move(c.token, _round(c.data), c.data.get("move"), c.data.get("rationale", ""))
    return {"id": move.id, "summary": move.summary, "warnings": list(move.warnings)}


def withdraw(c: Call):
    c.room.withdraw(c.token, _round(c.data), _int(c.data, "move_id"))


def answers(c: Call):
    c.room.answer(c.token, _round(c.data), _int(c.data, "proposal_id"), str(c.data.get("answer", "")),
                  c.data.get("terms"))


def messages(c: Call):
    return {"id": c.room.message(c.token, _round(c.data), c.data.get("to", "*"), c.data.get("text", ""))}


def ready(c: Call):
    c.room.set_ready(c.token, _round(c.data), bool(c.data.get("ready", True)))


def teacher(c: Call):
    c.room.check_teacher(c.token)
    return teacher_view(c.room)


TEACHER_ACTIONS = ("start", "pause", "resume", "advance", "rollback", "end")


def teacher_action(c: Call):
    action, room, token = c.params["action"], c.room, c.token
    if action in TEACHER_ACTIONS:
        getattr(room, action)(token)
    elif action == "inject":
        return {"id": room.inject(token, c.data.get("event") or {}, c.data.get("rationale", ""))}
    elif action == "broadcast":
        return {"id": room.broadcast(token, c.data.get("text", ""))}
    else:
        raise GameError(f"unknown teacher action {action!r} ({', '.join(TEACHER_ACTIONS)}, inject, broadcast)", 404)


def may_read_debrief(room, token: str) -> None:
    try:
        room.check_teacher(token)
    except GameError:
        room.member(token)
        if room.state.status != "ended":
            raise GameError("the debrief opens when the game is over", 409) from None


def debrief(c: Call):
    may_read_debrief(c.room, c.token)
    return c.app_state.jobs.status(c.room)


def export_zip(c: Call):
    c.room.check_teacher(c.token)
    return Response(export.zip_bytes(c.room), media_type="application/zip",
                    headers={"content-disposition": f'attachment; filename="room_{c.room.code}.zip"'})


def _int(data: dict[str, Any], field: str) -> int:
    try:
        return int(data.get(field))
    except (TypeError, ValueError):
        raise GameError(f"{field}: a number is needed") from None


def api_routes() -> list:
    base = "/api/rooms/{code}"
    return [Route(base, _api(public_state)), Route(f"{base}/join", _api(join), methods=["POST"]),
            Route(f"{base}/me", _api(me)), Route(f"{base}/moves", _api(moves), methods=["POST"]),
            Route(f"{base}/withdraw", _api(withdraw), methods=["POST"]),
            Route(f"{base}/answers", _api(answers), methods=["POST"]),
            Route(f"{base}/messages", _api(messages), methods=["POST"]),
            Route(f"{base}/ready", _api(ready), methods=["POST"]), Route(f"{base}/teacher", _api(teacher)),
            Route(base + "/teacher/{action}", _api(teacher_action), methods=["POST"]),
            Route(f"{base}/debrief", _api(debrief)), Route(f"{base}/export.zip", _api(export_zip))]


def prepare_solara() -> None:
    """Settings for an offline classroom: Solara's bundled assets, no telemetry, production mode, and the
    Vega names Solara asks for pointed at the bundled versions."""
    os.environ.setdefault("SOLARA_APP", "ui.classroom.app")
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_MODE", "production")
    os.environ.setdefault("SOLARA_CHECK_VERSION", "False")
    import solara.server.settings as settings
    cdn = Path(settings.assets.proxy_cache_dir)
    for alias, bundled in (("vega@5", "vega@5.21.0"), ("vega-lite@5", "vega-lite@5.2.0"),
                           ("vega-embed@6", "vega-embed@6.20.2")):
        if (cdn / bundled).is_dir() and not (cdn / alias).exists():
            try:
                (cdn / alias).symlink_to(bundled)
            except OSError:  # a read-only install: charts then need the network, the rest still works
                pass


def build_app(rooms: Rooms, pages: bool = True) -> Starlette:
    _current["rooms"], _current["jobs"] = rooms, DebriefJobs()
    routes = api_routes()
    kwargs: dict[str, Any] = {}
    if pages:
        prepare_solara()
        import solara.server.starlette as solara_server
        routes += list(solara_server.routes)
        kwargs = {"lifespan": solara_server.lifespan, "middleware": solara_server.middleware}
    app = Starlette(routes=routes, **kwargs)
    app.state.rooms, app.state.jobs = rooms, _current["jobs"]
    return app


def serve(db: str | Path, host: str = "127.0.0.1", port: int = 8765, pages: bool = True) -> None:
    import uvicorn
    rooms = Rooms(db)
    loaded = rooms.load_all()  # replayed once at start, so a restarted server is at once where it was
    app = build_app(rooms, pages)
    rooms.run_clock()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        raise GameError(f"--port: cannot listen on {host}:{port} ({err.strerror})") from None
    shown = lan_address() if host in ("0.0.0.0", "") else host
    url = _current["url"] = f"http://{shown}:{sock.getsockname()[1]}"
    print(f"classroom server on {url}/ ({len(loaded)} room(s) in {db})", flush=True)
    for room in loaded:
        print(f"  room {room.code} ({room.scenario.name}, round {room.state.round}, {room.state.status}): "
              f"join {url}/join/{room.code}   teacher {url}/teacher/{room.code}/{room._teacher_token}", flush=True)
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2)
    uvicorn.Server(config).run(sockets=[sock])
