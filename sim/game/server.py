"""The classroom server: one process on 127.0.0.1 (or the school network) serving the JSON API for players
and the teacher (`sim.game.api`) and, beside it, the web pages it is given, over the same rooms. The pages
come as a `Mount` from whoever starts the server (the command line hands it the classroom's pages): the
server calls it with what the pages need (`Served`: rooms, debrief jobs, public address) and serves the routes
it returns. It imports and names nothing of the UI.

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

import socket
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute

from .api import Limits, api_routes, error
from .dblock import ServerLock
from .debrief import DebriefJobs
from .guard import SecurityHeaders
from .moves import GameError
from .rooms import Rooms

PING_SECONDS = 10  # a silent connection is found dead after at most two of these
CLOSED_ROUTES = ("/resourcez",)  # Solara's diagnostics: threads, websockets, memory; not for a school network

DEFAULT_URL = "http://127.0.0.1:8765"


@dataclass
class Served:
    """What the pages need of the running server, handed to them when they are mounted."""

    rooms: Rooms
    jobs: DebriefJobs
    url: str = DEFAULT_URL  # the address students reach the server at (join links, the QR code)


@dataclass
class Pages:
    """What a page app gives the server to serve beside the API."""

    routes: list[BaseRoute]
    middleware: list[Middleware] = field(default_factory=list)
    lifespan: Callable[[Any], AbstractAsyncContextManager[Any]] | None = None


Mount = Callable[[Served], Pages]  # the pages, mounted over what the server serves


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


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (405, 404 of an API path) as one line of JSON on the API, text elsewhere."""
    assert isinstance(exc, HTTPException)  # the handler of HTTPException only (build_app)
    if request.url.path.startswith("/api/"):
        return error(exc.detail, exc.status_code)
    return PlainTextResponse(str(exc.detail), status_code=exc.status_code)


def build_app(rooms: Rooms, pages: Mount | None = None, url: str = DEFAULT_URL) -> Starlette:
    """The API over `rooms` and, if given, the pages `pages` mounts (Solara's diagnostics left out)."""
    served = Served(rooms, DebriefJobs(), url)
    routes = api_routes()
    middleware = [Middleware(SecurityHeaders)]
    lifespan = None
    if pages is not None:
        mounted = pages(served)
        routes += [r for r in mounted.routes if getattr(r, "path", "") not in CLOSED_ROUTES]
        middleware += mounted.middleware
        lifespan = mounted.lifespan
    app = Starlette(
        routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error}, lifespan=lifespan
    )
    app.state.rooms, app.state.jobs, app.state.limits = rooms, served.jobs, Limits()
    return app


def teacher_link(url: str, room) -> str:
    """The console's link: the token rides in the #fragment, which browsers never send to a server (so no
    log has it); the page trades it for an HttpOnly cookie and wipes it from the address bar."""
    return f"{url}/teacher/{room.code}#key={room._teacher_token}"


def serve(db: str | Path, host: str = "127.0.0.1", port: int = 8765, pages: Mount | None = None) -> None:
    """Serve the API and `pages` (none: the API alone) over every room of `db` until stopped."""
    import uvicorn

    lock = ServerLock(db).acquire()  # before anything else: a second server on the file stops here
    rooms = Rooms(db)
    loaded = rooms.load_all()  # replayed once at start, so a restarted server is at once where it was
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        raise GameError(f"--port: cannot listen on {host}:{port} ({err.strerror})") from None
    shown = lan_address() if host in ("0.0.0.0", "") else host
    url = f"http://{shown}:{sock.getsockname()[1]}"
    app = build_app(rooms, pages, url)
    rooms.run_clock()
    lock.describe(f"{url}/")
    print(f"classroom server on {url}/ ({len(loaded)} room(s) in {db})", flush=True)
    for room in loaded:
        state = f"read-only: {room.read_only}" if room.read_only else room.state.status
        print(
            f"  room {room.code} ({room.scenario.name}, round {room.state.round}, {state}): "
            f"join {url}/join/{room.code}   teacher {teacher_link(url, room)}",
            flush=True,
        )
    config = uvicorn.Config(
        app,
        log_level="warning",
        timeout_graceful_shutdown=2,
        ws_ping_interval=PING_SECONDS,
        ws_ping_timeout=PING_SECONDS,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        lock.release()
