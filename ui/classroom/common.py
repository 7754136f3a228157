"""Pieces every classroom page uses: the room registry, a header, messages after an action."""
from __future__ import annotations

from html import escape

import solara

from sim.game.moves import GameError

CSS = """
.ree-page { max-width: 980px; margin: 0 auto; padding: 8px 12px; }
.ree-big { font-size: 2.4em; letter-spacing: 0.15em; font-weight: bold; }
.ree-table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
.ree-table td, .ree-table th { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
.ree-seat { display: inline-block; padding: 2px 8px; border-radius: 10px; color: white; font-weight: bold; }
@media (max-width: 600px) { .ree-page { padding: 4px; } .ree-big { font-size: 1.8em; } }
"""


def rooms():
    from sim.game.server import current_rooms
    return current_rooms()


def find_room(code: str):
    """(room, None) or (None, message)."""
    try:
        return rooms().get(code), None
    except GameError as err:
        return None, str(err)


def use_room(code: str):
    """This page's room, redrawn whenever the room changes; None (after saying why) if there is none."""
    from .live import use_poll
    room, problem = find_room(code)
    use_poll(lambda: room.version if room is not None else 0)
    if room is None:
        solara.Error(problem)
    return room


def use_view(code: str, read):
    """(room, what `read(room)` shows this visitor), redrawn as the room changes; view None after an
    error saying why (an unknown room or token)."""
    room = use_room(code)
    if room is None:
        return None, None
    try:
        return room, read(room)
    except GameError as err:
        solara.Error(str(err))
        return room, None


def act(set_feedback, action, done: str = ""):
    """Run a room action; show its one-line refusal or a short confirmation."""
    try:
        result = action()
    except GameError as err:
        set_feedback(("error", str(err)))
        return None
    set_feedback(("ok", done) if done else None)
    return result


@solara.component
def Feedback(feedback):
    if feedback is None:
        return
    kind, text = feedback
    if kind == "error":
        solara.Error(text, dense=True)
    elif kind == "warning":  # done, but it will do little or nothing: amber, not green
        solara.Warning(text, dense=True, classes=["ree-move-warning"])
    elif text:
        solara.Success(text, dense=True)


def seat_badge(seat: str) -> str:
    from sim.runs.palette import COUNTRY
    return f"<span class='ree-seat' style='background:{COUNTRY.get(seat, '#666')}'>{escape(seat)}</span>"


def table(headers: list[str], rows: list[list[str]], raw: bool = False) -> str:
    """An HTML table; cells are escaped unless `raw` (for cells we built ourselves)."""
    cell = (lambda v: str(v)) if raw else (lambda v: escape(str(v)))
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table class='ree-table'><tr>{head}</tr>{body}</table>"
