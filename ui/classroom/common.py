"""Pieces every classroom page uses: the room registry, the phone-first style, messages after an action.

Phone first (390 x 844 CSS pixels): one column, nothing wider than the screen (tables wrap their words
instead of scrolling sideways, charts take the column's width), buttons that wrap onto the next line and
are at least 44 px tall (a fingertip), text of at least 14 px.
"""
from __future__ import annotations

from html import escape

import solara

from sim.game.moves import GameError

CSS = """
.ree-page { max-width: 980px; width: 100%; margin: 0 auto; padding: 8px 12px; box-sizing: border-box;
            overflow-wrap: anywhere; font-size: 15px; }
.ree-page .v-card { max-width: 100%; }
.ree-page .row { margin-left: 0; margin-right: 0; }  /* Vuetify's grid reaches 12 px past its column */
.ree-big { font-size: 2.4em; letter-spacing: 0.15em; font-weight: bold; }
.ree-table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 0.92em; }
.ree-table td, .ree-table th { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left;
                               vertical-align: top; overflow-wrap: anywhere; }
.ree-seat { display: inline-block; padding: 2px 8px; border-radius: 10px; color: white; font-weight: bold; }
.ree-buttons { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.ree-page .v-btn { min-height: 44px; white-space: normal; }
.ree-page .v-btn__content { white-space: normal; }
.ree-countdown { font-weight: bold; font-size: 1.15em; margin: 4px 0; }
.ree-late { color: #CC3311; }
.ree-login { padding: 24px 12px; font-size: 1.1em; }
.ree-lines { margin: 4px 0; padding-left: 18px; }
.ree-lines li { margin: 2px 0; }
.ree-qr svg { max-width: 100%; height: auto; }
.ree-page .vega-embed, .ree-page .vega-embed svg, .ree-page .vega-embed canvas { max-width: 100%; }
@media (max-width: 600px) {
  .ree-page { padding: 4px 6px; }
  .ree-big { font-size: 1.8em; }
  .ree-table { font-size: 0.85em; }
}
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


def act(set_feedback, action, done: str = "", round_: int | None = None):
    """Run a room action; show its one-line refusal or a short confirmation (tagged with the round it
    was for, so an old confirmation disappears when the round moves on)."""
    try:
        result = action()
    except GameError as err:
        set_feedback(("error", str(err), round_))
        return None
    set_feedback(("ok", done, round_) if done else None)
    return result


@solara.component
def Feedback(feedback, round_: int | None = None):
    if feedback is None:
        return
    kind, text, for_round = feedback if len(feedback) == 3 else (*feedback, None)
    if for_round is not None and round_ is not None and for_round != round_:
        return  # a confirmation of last round: the round's notice says what came of it
    if kind == "error":
        solara.Error(text, dense=True)
    elif kind == "warning":  # done, but it will do little or nothing: amber, not green
        solara.Warning(text, dense=True, classes=["ree-move-warning"])
    elif kind == "info":
        solara.Info(text, dense=True)
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


def lines(items: list[str]) -> str:
    return "<ul class='ree-lines'>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


@solara.component
def Html(html: str, tag: str = "div"):
    solara.HTML(tag=tag, unsafe_innerHTML=html)
