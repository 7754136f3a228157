"""A player's proposals to answer (in plain words, with buttons that wrap on a phone) and the inbox:
messages from other seats and the teacher, and a form to send one (to one seat, or a public communiqué)."""

from __future__ import annotations

import solara

from ..components.markup import Html, country_badge, element, lines
from .common import Feedback, act
from .live import use_piece


@solara.component
def Proposals(room, token: str, seat: str):
    mine = use_piece(room, lambda: room.views.seat_round(seat))
    clock = use_piece(room, room.views.clock)
    feedback, set_feedback = solara.use_state(None)
    round_ = clock["round"]
    if not mine["pending"]:
        return
    with solara.Card("Proposals to answer", margin=0):
        for p in mine["pending"]:
            answered = p["answer"] or "none yet (the AI answers for you at the deadline)"
            solara.Info(f"{p['words']}. Your answer: {answered}.")
            half = {
                "cofinance_usd_per_year": p["terms"].get("cofinance_usd_per_year", 0) / 2,
                "cofinance_share": p["terms"].get("cofinance_share", 0),
            }
            with solara.Row(classes=["ree-buttons"]):
                for answer, label in (("accept", "Accept"), ("reject", "Reject")):
                    solara.Button(
                        label,
                        on_click=lambda a=answer, p=p: act(
                            set_feedback,
                            lambda: room.answer(token, round_, p["id"], a),
                            f"you {a}ed '{p['name']}'",
                            round_,
                        ),
                    )
                if half["cofinance_usd_per_year"] > 0:
                    solara.Button(
                        "Counter: half the fund",
                        on_click=lambda p=p, half=half: act(
                            set_feedback,
                            lambda: room.answer(token, round_, p["id"], "counter", half),
                            "counter-offer sent",
                            round_,
                        ),
                    )
        Feedback(feedback, round_)


@solara.component
def Inbox(room, token: str, seat: str):
    with solara.Card(margin=0):
        MessageList(room, seat)
        MessageForm(room, token, seat)


@solara.component
def MessageList(room, seat: str):
    """Redrawn at every message this seat may read: one HTML block, the cheapest thing to send 30 times."""
    inbox = use_piece(room, lambda: room.views.inbox(seat))
    items = [
        [
            country_badge(m["from"]) if m["from"] != "teacher" else element("b", "teacher"),
            " ",
            element("small", f"{m['by']}, {'to everyone' if m['to'] == '*' else 'to ' + m['to']}, round {m['round']}"),
            element("br"),
            m["text"],
        ]
        for m in reversed(inbox)
    ]
    Html(
        [
            element("div", f"Messages ({len(inbox)})", classes="text-h6"),
            lines(items, classes="ree-messages") if items else None,
        ]
    )


@solara.component
def MessageForm(room, token: str, seat: str):
    clock = use_piece(room, room.views.clock)
    to, set_to = solara.use_state("*")
    text, set_text = solara.use_state("")
    feedback, set_feedback = solara.use_state(None)
    others = {"everyone (public communiqué)": "*", **{s: s for s in room.seats if s != seat}}
    shown = next(label for label, value in others.items() if value == to)
    solara.Select("To", value=shown, values=list(others), on_value=lambda label: set_to(others[label]))
    solara.InputText("Message", value=text, on_value=set_text, continuous_update=True)

    def send():
        if act(set_feedback, lambda: room.message(token, clock["round"], to, text), "sent") is not None:
            set_text("")

    with solara.Row(classes=["ree-buttons"]):
        solara.Button("Send", on_click=send, disabled=clock["status"] == "ended")
    Feedback(feedback)
