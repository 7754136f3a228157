"""The web app: `ree ui`, or `solara run ui.app`. Each browser tab gets its own runs (built in `Layout`)."""

from __future__ import annotations

import os

import solara

from .assets import ensure_offline_assets

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
ensure_offline_assets()

from .components.charts import build_templates  # noqa: E402  (after the assets are in place)
from .pages import Layout, compare, explore  # noqa: E402

build_templates()  # at server start, not in the first student's first month

routes = [
    solara.Route(path="/", component=explore.Page, label="Explore", layout=Layout),
    solara.Route(path="compare", component=compare.Page, label="Compare and fork"),
]
