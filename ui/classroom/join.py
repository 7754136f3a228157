"""Joining: the room code (typed, or from the QR code's link), a seat and a name. The seat's link, with
its token, becomes the page's address, so a reload or a return to the tab gives the seat back.

Typed codes are looked up only once they are complete, and each browser session may look up only so
many (the API's limit on room lookups, for the page): guessing codes here is as slow as over the API."""

from __future__ import annotations

import solara

from sim.game.ratelimit import Buckets
from sim.game.room import CODE_LENGTH
from sim.game.views import ROLE

from ..components.markup import Html, country_badge
from .common import Feedback, act, find_room

LOOKUPS = Buckets(capacity=20, per_second=0.5)  # per browser session


def look_up(typed: str):
    """(room, problem) for a complete code, within this session's allowance of lookups."""
    if len(typed) != CODE_LENGTH:
        return None, None
    wait = LOOKUPS.take(solara.get_session_id() or "no-session")
    if wait:
        return None, f"Too many room codes tried: wait {wait:.0f} s, then check the code on the board."
    return find_room(typed)


@solara.component
def JoinPage(code: str = ""):
    router = solara.use_router()
    typed, set_typed = solara.use_state(code)
    name, set_name = solara.use_state("")
    feedback, set_feedback = solara.use_state(None)
    room, problem = solara.use_memo(lambda: look_up(typed), [typed])
    with solara.Column(classes=["ree-page"]):
        Html("Rare-earth classroom: join a room", tag="h2")
        solara.InputText(
            "Room code (on the board)",
            value=typed,
            continuous_update=True,
            on_value=lambda v: set_typed(v.strip().upper()[:12]),
        )
        if problem:
            solara.Warning(problem, dense=True)
        if room is None:
            return
        if room.state.status == "ended":
            solara.Info("This game is over: the room takes no new players.")
            return
        if not room.state.joining_open:
            solara.Warning("The teacher has closed joining: ask the teacher to open it.")
            return
        solara.InputText("Your name", value=name, on_value=set_name, continuous_update=True)
        solara.Text(
            f"Scenario: {room.scenario.name}, round {room.state.round} of {room.total_rounds}, "
            f"{room.state.status}. Pick your country:"
        )
        for seat in room.seats:
            players = room.state.names(seat)
            with solara.Card(margin=0, elevation=1):
                Html([country_badge(seat), f" {ROLE.get(seat, '')}"])
                solara.Text(f"Players: {len(players)}" + ("" if players else " (the AI plays it until you join)"))

                def join(seat=seat):
                    joined = act(set_feedback, lambda: room.join(seat, name))
                    if joined:
                        router.push(f"/play/{room.code}/{joined['token']}")

                solara.Button(f"Join as {seat}", on_click=join, color="primary", disabled=not name.strip())
        Feedback(feedback)
