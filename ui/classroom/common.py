"""Pieces every classroom page uses: the room registry (of the server the pages are mounted on: `mount`),
the phone-first style, messages after an action. Tables, lists and badges are the shared ones
(`ui.components.tables`, `ui.components.markup`).

Phone first (390 x 844 CSS pixels): one column, nothing wider than the screen (tables wrap their words
instead of scrolling sideways, charts take the column's width), buttons that wrap onto the next line and
are at least 44 px tall (a fingertip), text of at least 14 px.
"""

from __future__ import annotations

import solara

from sim.game.moves import GameError

from ..components import game_charts
from ..components.figures import Chart
from .mount import served

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
.ree-page .ree-messages { max-height: 320px; overflow-y: auto; list-style: none; margin: 0; padding: 0; }
.ree-page .ree-messages li { margin: 4px 0; }
.ree-qr svg { max-width: 100%; height: auto; }
.ree-page .vega-embed, .ree-page .vega-embed svg, .ree-page .vega-embed canvas { max-width: 100%; }
@media (max-width: 600px) {
  .ree-page { padding: 4px 6px; }
  .ree-big { font-size: 1.8em; }
  .ree-table { font-size: 0.85em; }
}
"""


def find_room(code: str):
    """(room, None) or (None, message)."""
    try:
        return served().rooms.get(code), None
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


@solara.component
def WorldCharts(series: dict, seats: tuple[str, ...], products: tuple[str, ...] = ("magnet",), wide: bool = False):
    """The world's prices (a chart per product) and each seat's shortage, each as wide as its column;
    `wide`: two a row on a large screen (the projected console)."""
    if not series["dates"]:
        solara.Text("Prices and shortages appear after the first round.", style={"color": "#555"})
        return
    charts = [game_charts.world_prices(series, p) for p in products] + [game_charts.world_shortages(series, seats)]
    if wide:
        with solara.ColumnsResponsive(12, large=6):
            for spec in charts:
                Chart(spec)
    else:
        for spec in charts:
            Chart(spec)
