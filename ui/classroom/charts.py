"""Small Altair charts for the classroom, in the project's palette (sim/runs/palette.py)."""
from __future__ import annotations

import threading
from collections import OrderedDict

import altair as alt
import pandas as pd
import solara

from sim.runs.palette import COUNTRY, MARKET

LABELS = {"heavy_oxide": "Dy/Tb oxide", "magnet": "NdFeB magnets"}


def _empty(text: str) -> alt.Chart:
    return alt.Chart(pd.DataFrame({"t": [text]})).mark_text(size=14, color="#666").encode(text="t:N").properties(
        height=80, width="container")


def prices(charts: dict, product: str = "magnet") -> alt.Chart:
    """One product's price in China and in the rest of the world, USD/kg."""
    if not charts["dates"]:
        return _empty("Prices appear after the first round")
    rows = [{"month": d, "market": market, "usd_per_kg": charts["prices"][f"{product}_{market}"][i]}
            for market in ("china", "world") for i, d in enumerate(charts["dates"])]
    return alt.Chart(pd.DataFrame(rows), title=f"{LABELS[product]} price, USD/kg").mark_line(point=True).encode(
        x=alt.X("month:O", title=None), y=alt.Y("usd_per_kg:Q", title=None),
        color=alt.Color("market:N", scale=alt.Scale(domain=["china", "world"],
                                                    range=[MARKET["china"], MARKET["world"]]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["month", "market", alt.Tooltip("usd_per_kg:Q", format=",.0f")]).properties(height=180, width="container")


def shortages(charts: dict, seats: tuple[str, ...]) -> alt.Chart:
    """Share of each seat's magnet demand its manufacturers could not get, by month."""
    if not charts["dates"]:
        return _empty("Shortages appear after the first round")
    seats = list(seats)
    rows = [{"month": d, "country": c, "unmet": charts["shortage"][c][i]}
            for c in seats for i, d in enumerate(charts["dates"])]
    return alt.Chart(pd.DataFrame(rows), title="Magnet demand left unmet").mark_line(point=True).encode(
        x=alt.X("month:O", title=None), y=alt.Y("unmet:Q", title=None, axis=alt.Axis(format="%")),
        color=alt.Color("country:N", scale=alt.Scale(domain=seats, range=[COUNTRY[s] for s in seats]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["month", "country", alt.Tooltip("unmet:Q", format=".1%")]).properties(height=180, width="container")


def ai_comparison(comparison: list[dict]) -> alt.Chart:
    """Each seat's score in the AI-only worlds (grey dots) and the class's (a large coloured diamond)."""
    ai = pd.DataFrame([{"seat": r["seat"], "score": s} for r in comparison for s in r["ai_scores"]])
    mine = pd.DataFrame([{"seat": r["seat"], "score": r["class_score"],
                          "beat": f"beat {r['beat_share']:.0%} of AI worlds"} for r in comparison])
    seats = [r["seat"] for r in comparison]
    y = alt.Y("seat:N", sort=seats, title=None)
    dots = alt.Chart(ai).mark_circle(size=60, opacity=0.45, color="#8C8C8C").encode(
        x=alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title="score (0-100)"), y=y,
        yOffset=alt.YOffset("jitter:Q"), tooltip=["seat", "score"]).transform_calculate(jitter="random()")
    class_mark = alt.Chart(mine).mark_point(shape="diamond", size=320, filled=True, stroke="black").encode(
        x="score:Q", y=y, color=alt.Color("seat:N", scale=alt.Scale(domain=seats, range=[COUNTRY[s] for s in seats]),
                                          legend=None), tooltip=["seat", "score", "beat"])
    # each seat's card below says what share of the AI worlds it beat: no text beside the diamonds, which
    # a phone's narrow chart would cut off
    return (dots + class_mark).properties(title=["Your world (diamonds)", "vs AI-only worlds (dots)"],
                                                 height=60 * len(seats) + 40, width="container")


def scores(rows: list[dict]) -> alt.Chart:
    data = pd.DataFrame([{"seat": r["seat"], "score": r["score"]} for r in rows])
    seats = list(data["seat"])
    return alt.Chart(data, title="Scores").mark_bar().encode(
        x=alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title=None), y=alt.Y("seat:N", sort=seats, title=None),
        color=alt.Color("seat:N", scale=alt.Scale(domain=seats, range=[COUNTRY[s] for s in seats]), legend=None),
        tooltip=["seat", "score"]).properties(height=40 * len(seats) + 30, width="container")


_SPECS: OrderedDict = OrderedDict()  # (chart, id of its data, args) -> (data, spec); the newest few
_SPECS_KEPT = 64
_SPECS_LOCK = threading.Lock()


def spec(build, data, *args) -> dict:
    """The Vega-Lite spec of `build(data, *args)`, built once per piece of data and shared by every page
    that shows it (building one with Altair takes tens of milliseconds; a room's data changes only when
    its world moves, so 30 pages draw the same spec)."""
    key = (build.__name__, id(data), args)
    with _SPECS_LOCK:
        hit = _SPECS.get(key)
        if hit is not None and hit[0] is data:
            return hit[1]
    made = build(data, *args).to_dict()  # its $schema names Vega-Lite 5.20, which the served 5.23 draws (ui/assets.py)
    with _SPECS_LOCK:
        _SPECS[key] = (data, made)
        while len(_SPECS) > _SPECS_KEPT:
            _SPECS.popitem(last=False)
    return made


@solara.component
def Chart(chart_spec: dict):
    """A chart from its spec. (solara.FigureAltair switches Altair's global renderer in a `with` block,
    which races when several tabs redraw at once.)"""
    import solara.widgets
    return solara.widgets.VegaLite.element(spec=chart_spec, listen_to_click=False, listen_to_hover=False)
