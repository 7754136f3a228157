"""The teacher's console: the room code and a QR code to join (made here, no web service), every seat's
status on one page, the round's controls (start, close the round, pause, roll back, end), injects,
broadcasts, the world's charts, what each round applied and every message."""
from __future__ import annotations

import json
from html import escape

import segno
import solara

from sim.game.views import teacher_view

from . import charts
from .common import Feedback, act, seat_badge, table, use_view
from .live import Countdown


def join_link(code: str) -> str:
    from sim.game.server import public_url
    return f"{public_url()}/join/{code}"


def console_view(room, token: str) -> dict:
    room.check_teacher(token)
    return teacher_view(room)


@solara.component
def TeacherPage(code: str, token: str):
    router = solara.use_router()
    feedback, set_feedback = solara.use_state(None)
    room, view = use_view(code, lambda r: console_view(r, token))
    if view is None:
        return
    status = view["status"]
    with solara.Column(classes=["ree-page"]):
        link = join_link(room.code)
        qr = segno.make(link, error="m").svg_inline(scale=4, dark="#000", light="#fff")
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.HTML(tag="div", unsafe_innerHTML=qr)
            solara.HTML(tag="div", unsafe_innerHTML=(
                f"<div>Room code</div><div class='ree-big'>{room.code}</div><div>{escape(link)}</div>"
                f"<div><b>Round {view['round']} of {view['total_rounds']}</b> · {view['month']} · "
                f"{view['scenario']} · game {status}</div>"))
        Countdown(room)
        with solara.Row(style={"flex-wrap": "wrap"}):
            if status == "lobby":
                solara.Button("Start the game", color="primary", on_click=lambda: act(set_feedback, lambda: room.start(token), "started"))
            solara.Button("Close the round now", on_click=lambda: act(set_feedback, lambda: room.advance(token), "round resolved"),
                          disabled=status == "ended")
            if status == "running":
                solara.Button("Pause", on_click=lambda: act(set_feedback, lambda: room.pause(token), "paused"))
            if status == "paused":
                solara.Button("Resume", color="primary", on_click=lambda: act(set_feedback, lambda: room.resume(token), "resumed"))
            solara.Button("Roll back one round", on_click=lambda: act(set_feedback, lambda: room.rollback(token), "rolled back"),
                          disabled=not view["resolutions"])
            solara.Button("End the game", on_click=lambda: act(set_feedback, lambda: room.end(token), "game ended"),
                          disabled=status == "ended")
            solara.Button("Debrief", color="primary" if status == "ended" else None,
                          on_click=lambda: router.push(f"/debrief/{code}/{token}"))
            solara.HTML(tag="a", unsafe_innerHTML="Export (CSV + JSON)",
                        attributes={"href": f"/api/rooms/{code}/export.zip?token={token}", "download": ""})
        Feedback(feedback)
        rows = [[seat_badge(r["seat"]), escape(", ".join(r["players"])) or "<i>AI plays</i>",
                 "✅ ready" if r["ready"] else ("—" if r["ai"] else "thinking"), r["moves_this_round"],
                 escape(r["last_move"])] for r in view["seat_status"]]
        solara.HTML(tag="div", unsafe_innerHTML=table(["seat", "players", "ready", "moves this round", "last move"],
                                                      rows, raw=True))
        Injects(room, token, view).key(f"injects-{view['round']}-{view['rollbacks']}")
        Broadcast(room, token)
        with solara.ColumnsResponsive(12, large=6):
            charts.Chart(charts.prices(view["charts"], "magnet"))
            charts.Chart(charts.shortages(view["charts"], room.seats))
        charts.Chart(charts.scores(view["scores"]))
        with solara.Card("What the last rounds applied (moves, AI moves, injects, answers)", margin=0):
            if not view["resolutions"]:
                solara.Text("Nothing yet: a round's moves are applied when it ends.")
            for r in list(reversed(view["resolutions"]))[:3]:
                solara.HTML(tag="div", unsafe_innerHTML=f"<b>Round {r['round']}</b> ({escape(r['reason'])})<ul>"
                            + "".join(f"<li>{escape(a)}</li>" for a in r["applied"]) + "</ul>")
        with solara.Details(f"All messages ({len(view['messages'])})"):
            solara.HTML(tag="div", unsafe_innerHTML=table(["round", "from", "to", "by", "text"],
                        [[m["round"], m["from"], m["to"], m["by"], m["text"]] for m in reversed(view["messages"])]))


@solara.component
def Injects(room, token, view):
    catalogue = view["inject_catalogue"]
    labels = [c["label"] for c in catalogue]
    chosen, set_chosen = solara.use_state(labels[0] if labels else "")
    custom, set_custom = solara.use_state("")
    feedback, set_feedback = solara.use_state(None)

    def inject_chosen():
        event = next(c["event"] for c in catalogue if c["label"] == chosen)
        act(set_feedback, lambda: room.inject(token, event, chosen), "inject scheduled for the end of this round")

    def inject_custom():
        try:
            event = json.loads(custom or "{}")
        except ValueError as err:
            set_feedback(("error", f"inject: not JSON ({err})"))
            return
        act(set_feedback, lambda: room.inject(token, event if isinstance(event, dict) else {}),
            "inject scheduled for the end of this round")

    with solara.Card("Inject an event (applied with this round's moves)", margin=0):
        if view["injects_this_round"]:
            solara.Text("Scheduled this round: " + "; ".join(view["injects_this_round"]))
        if labels:
            solara.Select("From the scenario", value=chosen, values=labels, on_value=set_chosen)
            solara.Button("Inject", on_click=inject_chosen)
        solara.InputTextArea("Or a custom event (scenario format, JSON)", value=custom, on_value=set_custom,
                             continuous_update=True)
        solara.Button("Inject custom event", on_click=inject_custom)
        Feedback(feedback)


@solara.component
def Broadcast(room, token):
    text, set_text = solara.use_state("")
    feedback, set_feedback = solara.use_state(None)

    def send():
        if act(set_feedback, lambda: room.broadcast(token, text), "sent to every seat") is not None:
            set_text("")
    with solara.Row():
        solara.InputText("Broadcast to every seat", value=text, on_value=set_text, continuous_update=True)
        solara.Button("Send", on_click=send)
    Feedback(feedback)
