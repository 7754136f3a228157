"""Pages of the web app. `Layout` builds the tab's store (its own models) once and shares it with every
page of the tab; `explore` and `compare` are the what-if pages (the classroom's pages go in `classroom/`)."""

from __future__ import annotations

import solara

from ..state import ExploreStore, store_context

STYLE = """
.ree-feed, .ree-diff { border-collapse: collapse; width: 100%; }
.ree-feed td, .ree-feed th, .ree-diff td, .ree-diff th { border-bottom: 1px solid #ddd; padding: 3px 10px;
  text-align: left; vertical-align: top; }
.ree-feed td:first-child { white-space: nowrap; }
.ree-diff td:not(:first-child), .ree-diff th:not(:first-child) {
  text-align: right; font-variant-numeric: tabular-nums; }
.ree-diff tr.ree-measure td { border-top: 2px solid #bbb; font-weight: 500; }
.ree-diff tr.ree-year td { color: #555; font-size: 12px; border-bottom: 1px solid #eee; }
.ree-why-table td:last-child, .ree-why-table th:last-child { text-align: left; }
.ree-why-table td:nth-child(2) { white-space: nowrap; }
"""


def _new_store() -> ExploreStore:
    store = ExploreStore()
    store.start()
    return store


@solara.component
def Layout(children=None):
    store = solara.use_memo(_new_store, [])
    store_context.provide(store)
    _, routes = solara.use_route()
    with solara.Column(style={"padding": "0"}) as main:  # one child: AppLayout would make a second a sidebar
        solara.Style(STYLE)
        solara.Title("ree: rare-earth what-ifs")
        solara.AppBarTitle("ree · the rare-earth supply chain")
        with solara.AppBar():
            with solara.lab.Tabs(align="center", background_color="primary", dark=True):
                for route in routes:  # the classroom's routes show up here too
                    solara.lab.Tab(route.label, path_or_route=route)
        solara.Column(children=children or [])
    return solara.AppLayout(children=[main], navigation=True)
