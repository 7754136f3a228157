"""The teacher's console: the room code and a QR code to join (made here, no web service), the round's
controls (start, close the round, pause, roll back, end, debrief), every seat and player on one page (with
a button to remove a player and a switch to close joining), injects, broadcasts, the world's charts, what
each round applied and every message.

It opens with the console's HttpOnly cookie, never with a token in its address: the teacher link's
`#key=...` is read in the browser, traded for the cookie and wiped (`widgets.ConsoleKeyWidget`), so the
projected address bar shows `/teacher/CODE` only. Each part redraws only when its piece of the room's
shared views changes."""

from __future__ import annotations

import json

import segno
import solara

from sim.game.api import COOKIE

from ..components import game_charts
from ..components.figures import Chart
from ..components.markup import Html, Raw, country_badge, element, lines
from ..components.tables import Table
from .common import Feedback, WorldCharts, act, find_room
from .live import Countdown, use_piece
from .mount import served
from .widgets import ConsoleKeyWidget

NO_KEY = (
    "This is a teacher's console. Open it with the teacher link that `ree classroom new` or "
    "`ree classroom serve` printed (it ends with #key=...)."
)


def join_link(code: str) -> str:
    return f"{served().url}/join/{code}"


def console_token(room) -> str:
    """The teacher token, if this tab's websocket carried the room's console cookie; else ""."""
    cookies = solara.lab.cookies.value or {}
    return room.teacher_token_for(cookies.get(COOKIE.format(code=room.code), ""))


@solara.component
def TeacherPage(code: str, old_link_token: str = ""):
    room, problem = find_room(code)
    if room is None:
        solara.Error(problem)
        return
    token = console_token(room)
    if not token:
        with solara.Column(classes=["ree-page"]):
            if old_link_token:
                solara.Error(
                    "Teacher links no longer carry the key in their path: open the link that "
                    "`ree classroom serve` prints (.../teacher/CODE#key=...)."
                )
            ConsoleKeyWidget.element(code=room.code, mode="login", no_key=NO_KEY)
        return
    with solara.Column(classes=["ree-page"], gap="10px"):
        ConsoleKeyWidget.element(code=room.code, mode="strip")  # the key leaves the address bar
        JoinPanel(room)
        Countdown(room)
        Controls(room, token)
        Seats(room, token)
        Injects(room, token)
        Broadcast(room, token)
        World(room)
        Resolutions(room)
        Messages(room)


@solara.component
def JoinPanel(room):
    clock = use_piece(room, room.views.clock)
    link = join_link(room.code)
    qr = solara.use_memo(lambda: segno.make(link, error="m").svg_inline(scale=4, dark="#000", light="#fff"), [link])
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        Html(Raw(qr), classes=["ree-qr"])  # segno's SVG of the link: markup of our own making
        Html(
            [
                element("div", "Room code"),
                element("div", room.code, classes="ree-big"),
                element("div", link),
                element(
                    "div",
                    element("b", f"Round {clock['round']} of {clock['total_rounds']}"),
                    f" · {clock['month']} · {room.scenario.name} · game {clock['status']}",
                ),
            ]
        )
    if clock["read_only"]:
        solara.Error(f"This room is read-only: {clock['read_only']}. Export it and start a new room.")
    if clock["paused_reason"]:
        solara.Warning(f"Paused: {clock['paused_reason']}")


@solara.component
def Controls(room, token: str):
    router = solara.use_router()
    clock = use_piece(room, room.views.clock)
    feedback, set_feedback = solara.use_state(None)
    status, ended, round_ = clock["status"], clock["status"] == "ended", clock["round"]

    def do(action, done: str):  # a confirmation stays while its round does
        act(set_feedback, action, done, round_)

    def debrief():
        served().jobs.status(room, start=True)  # mid-game this is the teacher's explicit action
        router.push(f"/debrief/{room.code}")

    with solara.Row(classes=["ree-buttons"]):
        if status == "lobby":
            solara.Button("Start the game", color="primary", on_click=lambda: do(lambda: room.start(token), "started"))
        solara.Button(
            "Close the round now", disabled=ended, on_click=lambda: do(lambda: room.advance(token), "round resolved")
        )
        if status == "running":
            solara.Button("Pause", on_click=lambda: do(lambda: room.pause(token), "paused"))
        if status == "paused":
            solara.Button("Resume", color="primary", on_click=lambda: do(lambda: room.resume(token), "resumed"))
        solara.Button(
            "Roll back one round",
            disabled=round_ <= 1,
            on_click=lambda: do(lambda: room.rollback(token), "rolled back"),
        )
        solara.Button("End the game", disabled=ended, on_click=lambda: do(lambda: room.end(token), "game ended"))
        solara.Button(
            "Debrief" if ended else "Debrief now (runs 20 AI worlds)",
            on_click=debrief,
            color="primary" if ended else None,
        )
        Html(element("a", "Export (CSV + JSON)", href=f"/api/rooms/{room.code}/export.zip", download=True))
    Feedback(feedback, round_)


@solara.component
def Seats(room, token: str):
    seats = use_piece(room, room.views.seats)
    feedback, set_feedback = solara.use_state(None)
    rows = [
        [
            country_badge(r["seat"]),
            ", ".join(r["players"]) or element("i", "AI plays"),
            "✅ ready" if r["ready"] else ("—" if r["ai"] else "thinking"),
            r["moves_this_round"],
            r["last_move"],
        ]
        for r in seats["rows"]
    ]
    Table(["seat", "players", "ready", "moves", "last move"], rows)
    with solara.Details(f"Players ({len(seats['players'])}): remove one, close joining"):
        opened = seats["joining_open"]
        solara.Switch(
            label="Joining is open" if opened else "Joining is closed",
            value=opened,
            on_value=lambda v: act(set_feedback, lambda: room.set_joining(token, v)),
        )
        with solara.Row(classes=["ree-buttons"]):
            for p in seats["players"]:
                solara.Button(
                    f"remove {p['name']} ({p['seat']})",
                    text=True,
                    on_click=lambda p=p: act(
                        set_feedback, lambda: room.remove_player(token, p["id"]), f"{p['name']} removed"
                    ),
                )
        Feedback(feedback)


@solara.component
def Injects(room, token: str):
    clock = use_piece(room, room.views.clock)
    scheduled = use_piece(room, room.views.injects)
    catalogue = room.views.inject_catalogue()
    labels = [c["label"] for c in catalogue]
    chosen, set_chosen = solara.use_state(labels[0] if labels else "")
    custom, set_custom = solara.use_state("")
    feedback, set_feedback = solara.use_state(None)
    round_ = clock["round"]

    def inject_chosen():
        event = next(c["event"] for c in catalogue if c["label"] == chosen)
        act(
            set_feedback,
            lambda: room.inject(token, event, chosen),
            "inject scheduled for the end of this round",
            round_,
        )

    def inject_custom():
        try:
            event = json.loads(custom or "{}")
        except ValueError as err:
            set_feedback(("error", f"inject: not JSON ({err})", round_))
            return
        act(set_feedback, lambda: room.inject(token, event), "inject scheduled for the end of this round", round_)

    with solara.Card("Inject an event (applied with this round's moves)", margin=0):
        if scheduled:
            solara.Text("Scheduled this round: " + "; ".join(scheduled))
        if labels:
            solara.Select("From the scenario", value=chosen, values=labels, on_value=set_chosen)
            solara.Button("Inject", on_click=inject_chosen)
        with solara.Details("Or a custom event (scenario format, JSON)"):
            solara.InputTextArea("Event", value=custom, on_value=set_custom, continuous_update=True)
            solara.Button("Inject custom event", on_click=inject_custom)
        Feedback(feedback, round_)


@solara.component
def Broadcast(room, token: str):
    text, set_text = solara.use_state("")
    feedback, set_feedback = solara.use_state(None)

    def send():
        if act(set_feedback, lambda: room.broadcast(token, text), "sent to every seat") is not None:
            set_text("")

    solara.InputText("Broadcast to every seat", value=text, on_value=set_text, continuous_update=True)
    with solara.Row(classes=["ree-buttons"]):
        solara.Button("Send", on_click=send)
    Feedback(feedback)


@solara.component
def World(room):
    world = use_piece(room, room.views.world)
    WorldCharts(world["charts"], tuple(room.seats), wide=True)
    Chart(game_charts.scores(world["scores"]))


@solara.component
def Resolutions(room):
    resolutions = use_piece(room, room.views.resolutions)
    with solara.Card("What the last rounds applied (moves, AI moves, injects, answers)", margin=0):
        if not resolutions:
            solara.Text("Nothing yet: a round's moves are applied when it ends.")
        for r in list(reversed(resolutions))[:3]:
            Html(
                [
                    element("b", f"Round {r['round']}"),
                    f" ({r['reason']})",
                    lines(r["applied"] + [f"refused: {x}" for x in r["refused"]]),
                ]
            )


@solara.component
def Messages(room):
    messages = use_piece(room, lambda: room.views.inbox(None))
    with solara.Details(f"All messages ({len(messages)})"):
        Table(
            ["round", "from", "to", "by", "text"],
            [[m["round"], m["from"], m["to"], m["by"], m["text"]] for m in reversed(messages)],
        )
