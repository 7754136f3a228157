"""The classroom server: one process on 127.0.0.1 (or the school network) serving the JSON API for players
and the teacher (`sim.game.api`) and the Solara classroom pages (`ui.classroom.app`, loaded by name), over
the same rooms.

Rooms live in plain Python objects guarded by each room's lock; every change is in SQLite before it is
acknowledged, and only one server may write a file (`sim.game.dblock`). Tokens travel in the
`Authorization: Bearer TOKEN` header: a seat token acts only for its seat and reads only its seat's
messages; teacher actions need the room's teacher token, or the console's HttpOnly cookie. Every response
carries the headers of `sim.game.guard`; Solara's diagnostics page (/resourcez) is not served.

API (JSON in and out; POSTs must be `application/json` from this site; errors are `{"error": "one line"}`
with status 400, 403, 404, 409, 413, 415 or 429):
  GET  /api/rooms/{code}                 public: round, status, seats, players per seat, seconds left
  POST /api/rooms/{code}/join            {"seat", "name"} -> {"token", "seat", "play_link"}
  GET  /api/rooms/{code}/me              seat token: the player's view
  POST /api/rooms/{code}/moves           seat token: {"round", "move", "rationale"} -> {"id", "summary", "warnings"}
                                         (what the move will do; warnings when it will do little or nothing)
  POST /api/rooms/{code}/withdraw        seat token: {"round", "move_id"}
  POST /api/rooms/{code}/answers         seat token: {"round", "proposal_id", "answer", "terms"}
  POST /api/rooms/{code}/messages        seat token: {"round", "to", "text"} -> {"id"}
  POST /api/rooms/{code}/ready           seat token: {"round", "ready"}
  GET  /api/rooms/{code}/teacher         teacher token: every seat's status, players, messages, log
  POST /api/rooms/{code}/teacher/session {"token"}: sets the console's HttpOnly cookie (the teacher link
                                         carries the token in its #fragment, which no server sees)
  POST /api/rooms/{code}/teacher/ACTION  teacher token: start pause resume advance rollback end debrief,
                                         inject {"event", "rationale"}, broadcast {"text"},
                                         remove {"player"}, joining {"open"}
  GET  /api/rooms/{code}/debrief         teacher token (or a seat token once the game is over)
  GET  /api/rooms/{code}/export.zip      teacher token or cookie: every table, CSV + JSON
"""
from __future__ import annotations

import os
import socket
import warnings
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse

from .api import Limits, api_routes, error, may_read_debrief  # noqa: F401 (may_read_debrief: the pages use it)
from .dblock import ServerLock
from .debrief import DebriefJobs
from .guard import SecurityHeaders
from .moves import GameError
from .rooms import Rooms

CULL_SECONDS = 30  # a page whose websocket is gone this long is closed (phones that left the Wi-Fi)
PING_SECONDS = 10  # a silent connection is found dead after at most two of these
CLOSED_ROUTES = ("/resourcez",)  # Solara's diagnostics: threads, websockets, memory; not for a school network

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


def prepare_solara() -> None:
    """Settings for an offline classroom: Solara's bundled assets, no telemetry, production mode. (The chart
    libraries' files are linked by the pages' app module as it loads, as for `ree ui`: ui/assets.py.)"""
    os.environ.setdefault("SOLARA_APP", "ui.classroom.app")
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_MODE", "production")
    os.environ.setdefault("SOLARA_CHECK_VERSION", "False")
    import solara.server.settings as settings
    settings.kernel.cull_timeout = f"{CULL_SECONDS}s"  # Solara's default keeps a dead page for 24 h
    settings.session.http_only = True  # Solara's own session cookie: no script needs to read it
    settings.theme.show_banner = False  # "runs on Solara", pinned over the last line of a phone's page
    # on plain http from another machine Solara warns at every page that its cookie falls back to
    # SameSite=Lax: that is what a classroom wants, and the teacher's terminal should stay readable
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")


async def http_error(request, exc: HTTPException):
    """Starlette's own errors (405, 404 of an API path) as one line of JSON on the API, text elsewhere."""
    if request.url.path.startswith("/api/"):
        return error(exc.detail, exc.status_code)
    return PlainTextResponse(str(exc.detail), status_code=exc.status_code)


def build_app(rooms: Rooms, pages: bool = True) -> Starlette:
    _current["rooms"], _current["jobs"] = rooms, DebriefJobs()
    routes = api_routes()
    middleware = [Middleware(SecurityHeaders)]
    kwargs: dict[str, Any] = {}
    if pages:
        prepare_solara()
        import solara.server.starlette as solara_server
        routes += [r for r in solara_server.routes if getattr(r, "path", "") not in CLOSED_ROUTES]
        middleware += list(solara_server.middleware)
        kwargs = {"lifespan": solara_server.lifespan}
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error}, **kwargs)
    app.state.rooms, app.state.jobs, app.state.limits = rooms, _current["jobs"], Limits()
    return app


def teacher_link(url: str, room) -> str:
    """The console's link: the token rides in the #fragment, which browsers never send to a server (so no
    log has it); the page trades it for an HttpOnly cookie and wipes it from the address bar."""
    return f"{url}/teacher/{room.code}#key={room._teacher_token}"


def serve(db: str | Path, host: str = "127.0.0.1", port: int = 8765, pages: bool = True) -> None:
    import uvicorn
    lock = ServerLock(db).acquire()  # before anything else: a second server on the file stops here
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
    lock.describe(f"{url}/")
    print(f"classroom server on {url}/ ({len(loaded)} room(s) in {db})", flush=True)
    for room in loaded:
        state = f"read-only: {room.read_only}" if room.read_only else room.state.status
        print(f"  room {room.code} ({room.scenario.name}, round {room.state.round}, {state}): "
              f"join {url}/join/{room.code}   teacher {teacher_link(url, room)}", flush=True)
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2, ws_ping_interval=PING_SECONDS,
                            ws_ping_timeout=PING_SECONDS)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        lock.release()
