"""The classroom's JSON API: who may call what, with which body, how often.

Every endpoint goes through `endpoint()`: a POST must be JSON (`Content-Type: application/json`) from
this site (a browser's `Origin`, when it sends one, names this host), so a cross-site form cannot act for
a player or the teacher; rate limits per client address refuse room-code guessing and join floods with
429; the caller is checked (seat token, teacher token or the console's cookie) before the body is read;
the body is parsed by its endpoint's model (`sim.game.bodies`); and every error, whatever it is, is one
line of JSON: `{"error": "..."}`.

Tokens travel in `Authorization: Bearer TOKEN`. The teacher's console and its export link use an
HttpOnly cookie instead (`POST .../teacher/session` with the teacher token sets it), so the token is
never in a URL path or query that a log or a projector could show.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import bodies, export
from .moves import GameError
from .ratelimit import Buckets

COOKIE = "ree_console_{code}"
COOKIE_SECONDS = 12 * 3600  # a school day; the teacher link sets it again
DRAIN_BYTES = 8 * 1024 * 1024  # a body over MAX_BODY is still read this far, to answer it cleanly
log = logging.getLogger(__name__)


class SafeJSON(JSONResponse):
    """JSON that never fails to render: a value that is not finite (from an old room) becomes null."""

    def render(self, content: Any) -> bytes:
        try:
            text = json.dumps(content, allow_nan=False, separators=(",", ":"))
        except ValueError:
            text = json.dumps(_finite(content), separators=(",", ":"))
        return text.encode()


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def error(message: str, status: int, retry_after: float | None = None) -> SafeJSON:
    headers = {"retry-after": str(math.ceil(retry_after))} if retry_after else None
    return SafeJSON({"error": " ".join(str(message).split())}, status_code=status, headers=headers)


class Limits:
    """Rate limits per client address (a class behind one school NAT shares one: they allow a class)."""

    def __init__(self):
        self.lookups = Buckets(capacity=30, per_second=1.0)  # room states asked for, unknown codes tried
        self.joins = Buckets(capacity=40, per_second=1.0)
        self.logins = Buckets(capacity=10, per_second=0.2)

    @staticmethod
    def take(buckets: Buckets, client: str, what: str) -> None:
        wait = buckets.take(client)
        if wait:
            raise GameError(f"too many {what} from this address: wait {math.ceil(wait)} s", 429, retry_after=wait)


@dataclass
class Call:
    room: Any
    token: str
    body: Any
    params: dict[str, str]
    app_state: Any


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_post(request: Request) -> None:
    """JSON only, and from this site: refuses a cross-site form or `text/plain` POST."""
    origin = request.headers.get("origin")
    host = request.headers.get("x-forwarded-host") or request.headers.get("host", "")
    if (origin is not None and urlsplit(origin).netloc != host) or request.headers.get(
        "sec-fetch-site"
    ) == "cross-site":
        raise GameError("cross-site request refused: use the classroom's own pages", 403)
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise GameError("send JSON with Content-Type: application/json", 415)


async def read_body(request: Request) -> bytes:
    """At most MAX_BODY bytes. A larger body is read to its end (up to DRAIN_BYTES) before the 413, so the
    client, still sending, gets the answer rather than a broken connection."""
    raw, size = b"", 0
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > DRAIN_BYTES:
        raise GameError(f"the request body is too large ({int(declared):,} bytes; at most {bodies.MAX_BODY:,})", 413)
    async for chunk in request.stream():
        size += len(chunk)
        if size <= bodies.MAX_BODY:
            raw += chunk
        elif size > DRAIN_BYTES:
            break
    if size > bodies.MAX_BODY:
        raise GameError(f"the request body is too large ({size:,} bytes; at most {bodies.MAX_BODY:,})", 413)
    return raw


def _token(request: Request, room) -> str:
    """The bearer token, else the teacher token if the request carries this room's console cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()[:100]
    cookie = request.cookies.get(COOKIE.format(code=room.code), "")
    return room.teacher_token_for(cookie) if cookie else ""


def _authorize(room, token: str, who: str) -> None:
    if who == "seat":
        room.member(token)
    elif who == "teacher":
        room.check_teacher(token)
    elif who == "reader":
        may_read_debrief(room, token)


def endpoint(
    handler: Callable,
    model: type[bodies.Body] | Callable[[Call], type] | None = None,
    who: str = "public",
    limit: str | None = None,
):
    """An API route: the checks in this module's docstring, then `handler(call)` in the thread pool (a
    round's resolution must not hold up the pages' websockets)."""

    async def run(request: Request):
        try:
            state = request.app.state
            if request.method == "POST":
                check_post(request)
            if limit:
                Limits.take(getattr(state.limits, limit), _client(request), limit)
            try:
                room = state.rooms.get(request.path_params["code"])
            except GameError as err:
                if err.status == 404:
                    Limits.take(state.limits.lookups, _client(request), "lookups")
                raise
            raw = await read_body(request) if request.method == "POST" else b""
            token = _token(request, room)
            _authorize(room, token, who)
            call = Call(room, token, None, request.path_params, state)
            chosen = model(call) if model is not None and not isinstance(model, type) else model
            call.body = bodies.parse(raw, chosen) if chosen is not None else None
            result = await run_in_threadpool(handler, call)
        except GameError as err:
            return error(str(err), err.status, err.retry_after)
        except Exception as err:  # a bug: one line for the caller, the traceback in the server's log
            log.exception("classroom API %s %s", request.method, request.url.path)
            return error(f"internal error ({type(err).__name__}); the server's log has the details", 500)
        if isinstance(result, Response):
            return result
        return SafeJSON(result if result is not None else {"ok": True})

    return run


# ------------------------------------------------------------------------------------------ handlers
def public_state(c: Call):
    from .views import seat_rows

    room = c.room
    with room.lock:
        return {
            "room": room.code,
            "round": room.state.round,
            "status": room.state.status,
            "seats": room.seats,
            "seconds_left": room.seconds_left,
            "version": room.version,
            "scenario": room.scenario.name,
            "joining_open": room.state.joining_open,
            "players": {row["seat"]: row["players"] for row in seat_rows(room)},
        }


def join(c: Call):
    joined = c.room.join(c.body.seat, c.body.name)
    return {**joined, "play_link": f"/play/{c.room.code}/{joined['token']}"}


def me(c: Call):
    from .views import player_view

    return player_view(c.room, c.token)


def moves(c: Call):
    move = c.room.submit_move(c.token, c.body.round, c.body.move, c.body.rationale)
    return {"id": move.id, "summary": move.summary, "warnings": list(move.warnings)}


def withdraw(c: Call):
    c.room.withdraw(c.token, c.body.round, c.body.move_id)


def answers(c: Call):
    b = c.body
    c.room.answer(c.token, b.round, b.proposal_id, b.answer, b.terms)


def messages(c: Call):
    return {"id": c.room.message(c.token, c.body.round, c.body.to, c.body.text)}


def ready(c: Call):
    c.room.set_ready(c.token, c.body.round, c.body.ready)


def teacher(c: Call):
    from .views import teacher_view

    return teacher_view(c.room)


TEACHER_ACTIONS = ("start", "pause", "resume", "advance", "rollback", "end")
TEACHER_BODIES = {
    **{a: bodies.Empty for a in TEACHER_ACTIONS},
    "debrief": bodies.Empty,
    "inject": bodies.Inject,
    "broadcast": bodies.Broadcast,
    "remove": bodies.RemovePlayer,
    "joining": bodies.Joining,
}


def teacher_body(c: Call) -> type:
    if c.params["action"] not in TEACHER_BODIES:
        raise GameError(f"unknown teacher action {c.params['action'][:40]!r} ({', '.join(TEACHER_BODIES)})", 404)
    return TEACHER_BODIES[c.params["action"]]


def teacher_action(c: Call):
    action, room, token, b = c.params["action"], c.room, c.token, c.body
    if action in TEACHER_ACTIONS:
        getattr(room, action)(token)
    elif action == "debrief":  # the explicit action that opens a debrief mid-game
        return c.app_state.jobs.status(room, start=True)
    elif action == "inject":
        return {"id": room.inject(token, b.event, b.rationale)}
    elif action == "broadcast":
        return {"id": room.broadcast(token, b.text)}
    elif action == "remove":
        room.remove_player(token, b.player)
    elif action == "joining":
        room.set_joining(token, b.open)


def teacher_session(c: Call):
    """The teacher link's key (from its #fragment, posted by the page) for the console's HttpOnly cookie."""
    c.room.check_teacher(c.body.token)
    response = SafeJSON({"ok": True, "console": f"/teacher/{c.room.code}"})
    response.set_cookie(
        COOKIE.format(code=c.room.code),
        c.room.console_key(),
        max_age=COOKIE_SECONDS,
        httponly=True,
        samesite="strict",
        path="/",
        secure=c.params.get("scheme") == "https",
    )
    return response


def may_read_debrief(room, token: str) -> None:
    try:
        room.check_teacher(token)
    except GameError:
        room.member(token)
        if room.state.status != "ended":
            raise GameError("the debrief opens when the game is over", 409) from None


def debrief(c: Call):
    return c.app_state.jobs.status(c.room)


def export_zip(c: Call):
    return Response(
        export.zip_bytes(c.room),
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="room_{c.room.code}.zip"'},
    )


def api_routes() -> list:
    base = "/api/rooms/{code}"

    session = endpoint(teacher_session, bodies.TeacherLogin, limit="logins")

    async def login(request: Request):  # the cookie's Secure flag follows the scheme the browser used
        request.path_params["scheme"] = request.headers.get("x-forwarded-proto") or request.url.scheme
        return await session(request)

    return [
        Route(base, endpoint(public_state, limit="lookups")),
        Route(f"{base}/join", endpoint(join, bodies.Join, limit="joins"), methods=["POST"]),
        Route(f"{base}/me", endpoint(me, who="seat")),
        Route(f"{base}/moves", endpoint(moves, bodies.MoveBody, "seat"), methods=["POST"]),
        Route(f"{base}/withdraw", endpoint(withdraw, bodies.Withdraw, "seat"), methods=["POST"]),
        Route(f"{base}/answers", endpoint(answers, bodies.AnswerBody, "seat"), methods=["POST"]),
        Route(f"{base}/messages", endpoint(messages, bodies.MessageBody, "seat"), methods=["POST"]),
        Route(f"{base}/ready", endpoint(ready, bodies.Ready, "seat"), methods=["POST"]),
        Route(f"{base}/teacher", endpoint(teacher, who="teacher")),
        Route(f"{base}/teacher/session", login, methods=["POST"]),
        Route(base + "/teacher/{action}", endpoint(teacher_action, teacher_body, "teacher"), methods=["POST"]),
        Route(f"{base}/debrief", endpoint(debrief, who="reader")),
        Route(f"{base}/export.zip", endpoint(export_zip, who="teacher")),
    ]
