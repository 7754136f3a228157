"""The classroom app: one Page that routes by path (Solara loads this module by the name `mount.mount` gives it).

/                      join: type the room code
/join/CODE             join that room (the QR code's link)
/play/CODE/TOKEN       a player's seat (the token is the player's own; reload keeps the seat)
/teacher/CODE          the teacher's console, opened by its cookie (the teacher link adds #key=...)
/debrief/CODE          the debrief for the teacher (the console's cookie)
/debrief/CODE/TOKEN    the debrief for a player, once the game is over
"""

from __future__ import annotations

import solara

from ..assets import ensure_offline_assets
from .common import CSS
from .debrief_page import DebriefPage
from .join import JoinPage
from .player import PlayerPage
from .teacher import TeacherPage

ensure_offline_assets()  # the chart libraries' paths, linked as `ree ui` links them (ui/assets.py)


@solara.component
def Page():
    router = solara.use_router()
    parts = [p for p in router.path.split("/") if p]
    solara.Style(CSS)
    solara.Title("ree classroom")
    kind, args = (parts[0], parts[1:]) if parts else ("", [])
    if kind == "play" and len(args) == 2:
        PlayerPage(*args)
    elif kind == "teacher" and len(args) in (1, 2):
        TeacherPage(*args)  # a second part is an old link's token: the page says what to open instead
    elif kind == "debrief" and len(args) in (1, 2):
        DebriefPage(*args)
    elif kind == "join" and len(args) == 1:
        JoinPage(args[0].upper())
    else:
        JoinPage()


@solara.component
def Bare(children=[]):  # noqa: B006 (Solara's layout signature)
    """No app bar or navigation tabs: a classroom page fills a phone's screen."""
    solara.Column(children=children, style={"padding": "0"})


# Solara's server answers only paths its routes can match: one leaf per first part, all drawn by Page.
routes = [solara.Route(path="/", component=Page, layout=Bare)] + [
    solara.Route(path=part, component=Page) for part in ("join", "play", "teacher", "debrief")
]
