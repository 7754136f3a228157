"""A classroom game's charts, from the room's shared views (`sim.game.shared`): the world's prices and
shortages through the shared charts (`charts.prices`, `charts.shortage_lines`) at the column's width and for
the room's seats only, each seat's score, and the class's scores against the AI-only worlds (the debrief).
Colours from `sim.runs.palette`; every spec is built once per shape around a named dataset, as in `charts`,
and its rows once per piece of the room's views: the 30 pages of a room get the same piece (the same object)
until the world moves, so they share one spec."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from functools import lru_cache

import altair as alt
import pandas as pd

from sim.runs import palette

from .charts import FILL, named_data, prices, scale_of, shortage_lines, with_rows

AI_DOT = palette.SERIES[-1]  # Tol's grey: the AI-only worlds stay behind the seats' colours
MARKETS = ("china", "world")
KEPT = 64  # specs kept, the newest: a few rooms' worth


def per_piece(build):
    """`build(piece, *args)` once per piece (by identity) and arguments, shared by every page that shows it."""
    kept: OrderedDict = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(build)
    def once(piece, *args):
        key = (id(piece), args)
        with lock:
            hit = kept.get(key)
            if hit is not None and hit[0] is piece:
                return hit[1]
        spec = build(piece, *args)
        with lock:
            kept[key] = (piece, spec)  # the piece is held, so its id is not reused while kept
            while len(kept) > KEPT:
                kept.popitem(last=False)
        return spec

    return once


def _seat_colours(seats: tuple[str, ...]) -> dict[str, str]:
    return {s: palette.COUNTRY[s] for s in seats}


@per_piece
def world_prices(series: dict, product: str = "magnet") -> dict:
    """One product's price in China and in the world, month by month (`series`: a room's `charts` piece)."""
    rows = [
        {"date": d, "product": product, "market": m, "usd_per_kg": series["prices"][f"{product}_{m}"][i]}
        for m in MARKETS
        for i, d in enumerate(series["dates"])
    ]
    return prices(pd.DataFrame(rows, columns=["date", "product", "market", "usd_per_kg"]), (product,), FILL)


@per_piece
def world_shortages(series: dict, seats: tuple[str, ...]) -> dict:
    """Each seat's share of its magnet demand left unmet, month by month, a line per seat."""
    rows = [
        {"date": d, "country": s, "short_pct": 100 * series["shortage"][s][i]}
        for s in seats
        for i, d in enumerate(series["dates"])
    ]
    return shortage_lines(pd.DataFrame(rows, columns=["date", "country", "short_pct"]), tuple(seats), FILL)


@lru_cache(maxsize=16)
def _scores_template(seats: tuple[str, ...]) -> dict:
    return (
        alt.Chart(named_data(), title="Scores")
        .mark_bar()
        .encode(
            x=alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title="score (points out of 100)"),
            y=alt.Y("seat:N", sort=list(seats), title=None),
            color=alt.Color("seat:N", scale=scale_of(_seat_colours(seats)), legend=None),
            tooltip=["seat:N", alt.Tooltip("score:Q", format=".0f")],
        )
        .properties(height=40 * len(seats) + 30, width=FILL)
        .to_dict()
    )


@per_piece
def scores(rows: list[dict]) -> dict:
    """Each seat's score so far, a bar in its colour."""
    data = pd.DataFrame([{"seat": r["seat"], "score": r["score"]} for r in rows], columns=["seat", "score"])
    return with_rows(_scores_template(tuple(data["seat"])), data)


@lru_cache(maxsize=16)
def _ai_comparison_template(seats: tuple[str, ...]) -> dict:
    y = alt.Y("seat:N", sort=list(seats), title=None)
    x = alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title="score (points out of 100)")
    dots = (
        alt.Chart(named_data())
        .transform_filter(alt.datum.world == "ai")
        .transform_calculate(jitter="random()")
        .mark_circle(size=60, opacity=0.8, color=AI_DOT)
        .encode(x=x, y=y, yOffset=alt.YOffset("jitter:Q"), tooltip=["seat:N", alt.Tooltip("score:Q", format=".0f")])
    )
    diamonds = (
        alt.Chart(named_data())
        .transform_filter(alt.datum.world == "class")
        .mark_point(shape="diamond", size=320, filled=True, stroke="black")
        .encode(
            x=x,
            y=y,
            color=alt.Color("seat:N", scale=scale_of(_seat_colours(seats)), legend=None),
            tooltip=["seat:N", alt.Tooltip("score:Q", format=".0f"), "beat:N"],
        )
    )
    # each seat's card says what share of the AI worlds it beat: no text beside the diamonds, which a phone's
    # narrow chart would cut off
    return (
        alt.layer(dots, diamonds)
        .properties(
            title=["Your world (diamonds)", "vs AI-only worlds (dots)"], height=60 * len(seats) + 40, width=FILL
        )
        .to_dict()
    )


@per_piece
def ai_comparison(comparison: list[dict]) -> dict:
    """Each seat's score in the AI-only worlds (grey dots) and the class's (a large diamond in its colour)."""
    ai = [{"world": "ai", "seat": r["seat"], "score": s, "beat": ""} for r in comparison for s in r["ai_scores"]]
    mine = [
        {
            "world": "class",
            "seat": r["seat"],
            "score": r["class_score"],
            "beat": f"beat {r['beat_share']:.0%} of AI worlds" if r["beat_share"] is not None else "",
        }
        for r in comparison
    ]
    data = pd.DataFrame(ai + mine, columns=["world", "seat", "score", "beat"])
    return with_rows(_ai_comparison_template(tuple(r["seat"] for r in comparison)), data)
