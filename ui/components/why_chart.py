"""The Why panel's chart and table: each event's (and each lever's) contribution to an outcome as a
horizontal bar, largest first; the levers the user pulled in their own colour and named "your lever N".
Pure functions of an `Answer` (`sim.runs.why_branch`), checked by tests without a browser."""

from __future__ import annotations

import altair as alt
import pandas as pd

from sim.runs import palette

from .tables import Span

WHO = {"your lever": palette.SERIES[5], "scenario event": palette.SERIES[0]}


def number(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1e15 else f"{value:.3g}"


def rows(answer) -> pd.DataFrame:
    """One row per counted event, largest |contribution| first."""
    out = []
    for rank, c in enumerate(answer.counted):
        name = answer.names.get(c.id, c.id)
        out.append(
            {
                "rank": rank,
                "bar": f"{name} ({c.date})",
                "id": c.id,
                "date": c.date,
                "value": c.value,
                "alone": c.alone,
                "last": c.last,
                "stderr": c.stderr,
                "low": c.value - c.stderr,
                "high": c.value + c.stderr,
                "who": "your lever" if c.id in answer.levers else "scenario event",
                "what": c.label,
            }
        )
    return pd.DataFrame(
        out, columns=["rank", "bar", "id", "date", "value", "alone", "last", "stderr", "low", "high", "who", "what"]
    )


def contributions(answer, outcome_words: str) -> dict:
    """The Vega-Lite spec: a bar per event, x = its Shapley value in the outcome's unit, a line at 0."""
    result = answer.attribution
    data = rows(answer)
    unit = result.unit or "as in summary.json"
    y = alt.Y("bar:N", title=None, sort=alt.EncodingSortField(field="rank", op="min"), axis=alt.Axis(labelLimit=340))
    named = outcome_words if f"({unit}" in outcome_words else f"{outcome_words} ({unit})"  # the unit once
    x_title = f"contribution to {named}, {result.window[0]} to {result.window[1]}"
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("value:Q", title=x_title),
            color=alt.Color(
                "who:N",
                title=None,
                scale=alt.Scale(domain=list(WHO), range=list(WHO.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                "bar:N",
                "who:N",
                alt.Tooltip("value:Q", title="Shapley", format=",.4g"),
                alt.Tooltip("alone:Q", title="alone", format=",.4g"),
                alt.Tooltip("last:Q", title="last", format=",.4g"),
                "what:N",
            ],
        )
    )
    layers = [bars, alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#333").encode(x="zero:Q")]
    if (data["stderr"] > 0).any():
        layers.append(alt.Chart(data).mark_rule(color="#222").encode(y=y, x="low:Q", x2="high:Q"))
    return alt.layer(*layers).properties(width=460, height=alt.Step(24)).to_dict()


COLUMNS = ("event", "date", "Shapley", "alone", "last", "what")


def table_rows(answer) -> list[list]:
    """Shapley, alone and last per event, then the events that could not count and why (`COLUMNS`)."""
    sampled = any(c.stderr for c in answer.counted)
    counted = [
        [
            answer.names.get(c.id, c.id),
            c.date,
            f"{number(c.value)}{f' ± {c.stderr:.2g}' if sampled else ''}",
            number(c.alone),
            number(c.last),
            c.label,
        ]
        for c in answer.counted
    ]
    left = [[answer.names.get(c.id, c.id), c.date, Span(f"not counted: {c.note}", 3), c.label] for c in answer.left_out]
    return counted + left
