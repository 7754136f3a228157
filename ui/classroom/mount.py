"""The classroom's pages on the classroom server: `ree classroom serve` hands `mount` to the server
(`sim.game.server.serve(..., pages=mount)`), which calls it with what the pages need of it (`Served`: its
rooms, its debrief jobs, the address students reach it at) and serves the routes it returns beside the JSON
API. The pages read that through `served()`; the server names nothing of `ui`.

Solara's settings for an offline classroom are made here: its bundled assets, no telemetry, production mode,
a dead page closed after `CULL_SECONDS`. (The chart libraries' files are linked by `app` as it loads, as
for `ree ui`: ui/assets.py.)
"""

from __future__ import annotations

import os
import warnings

from sim.game.server import Pages, Served

CULL_SECONDS = 30  # a page whose websocket is gone this long is closed (phones that left the Wi-Fi)
_served: list[Served] = []  # what the server handed over: one server a process


def served() -> Served:
    """The rooms, debrief jobs and address of the server these pages are mounted on."""
    if not _served:
        raise RuntimeError("the classroom pages are not mounted on a classroom server in this process")
    return _served[0]


def mount(server: Served) -> Pages:
    """Solara's routes, middleware and lifespan serving this package's `app`, over the server's rooms."""
    _served[:] = [server]
    os.environ.setdefault("SOLARA_APP", f"{__package__}.app")
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_MODE", "production")
    os.environ.setdefault("SOLARA_CHECK_VERSION", "False")
    import solara.server.settings as settings

    settings.kernel.cull_timeout = f"{CULL_SECONDS}s"  # Solara's default keeps a dead page for 24 h
    settings.session.http_only = True  # Solara's own session cookie: no script needs to read it
    settings.theme.show_banner = False  # "runs on Solara", pinned over the last line of a phone's page
    # on plain http from another machine Solara warns at every page that its cookie falls back to
    # SameSite=Lax: that is what a classroom wants, and the teacher's terminal should stay readable
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    import solara.server.starlette as solara_server  # reads the settings above as it loads

    return Pages(
        routes=list(solara_server.routes), middleware=list(solara_server.middleware), lifespan=solara_server.lifespan
    )
