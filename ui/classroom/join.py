"""Joining: the room code (typed, or from the QR code's link), a seat and a name. The seat's link, with
its token, becomes the page's address, so a reload or a return to the tab gives the seat back."""
from __future__ import annotations

import solara

from sim.game.views import ROLE

from .common import Feedback, act, find_room, seat_badge


@solara.component
def JoinPage(code: str = ""):
    router = solara.use_router()
    typed, set_typed = solara.use_state(code)
    name, set_name = solara.use_state("")
    feedback, set_feedback = solara.use_state(None)
    with solara.Column(classes=["ree-page"]):
        solara.HTML(tag="h2", unsafe_innerHTML="Rare-earth classroom: join a room")
        solara.InputText("Room code (on the board)", value=typed, on_value=lambda v: set_typed(v.strip().upper()),
                         continuous_update=True)
        room, problem = find_room(typed) if len(typed) >= 4 else (None, None)
        if problem:
            solara.Warning(problem, dense=True)
        if room is None:
            return
        solara.InputText("Your name", value=name, on_value=set_name, continuous_update=True)
        solara.Text(f"Scenario: {room.scenario.name}, round {room.state.round} of {room.total_rounds}, "
                    f"{room.state.status}. Pick your country:")
        for seat in room.seats:
            players = room.state.names(seat)
            with solara.Card(margin=0, elevation=1):
                solara.HTML(tag="div", unsafe_innerHTML=f"{seat_badge(seat)} {ROLE.get(seat, '')}")
                solara.Text(f"Players: {len(players)}" + ("" if players else " (the AI plays it until you join)"))

                def join(seat=seat):
                    joined = act(set_feedback, lambda: room.join(seat, name))
                    if joined:
                        router.push(f"/play/{room.code}/{joined['token']}")
                solara.Button(f"Join as {seat}", on_click=join, color="primary", disabled=not name.strip())
        Feedback(feedback)
