"""The event feed: what happened each month and the reason each actor gave, newest first."""

from __future__ import annotations

import pandas as pd
import solara

from .tables import Table

ROUTINE = ("licence_approved", "licence_denied", "licence_decision")  # many lines a month; hidden unless asked


COLUMNS = {"date": "month", "actor": "who", "kind": "what", "detail": "detail", "rationale": "why"}


@solara.component
def Feed(
    events: pd.DataFrame, limit: int, columns=tuple(COLUMNS), style: dict | None = None, box: list[str] | None = None
):
    """Newest first, at most `limit` rows."""
    rows = events.iloc[::-1].head(limit)
    if not len(rows):
        return solara.Text("No events yet.")
    Table(
        [COLUMNS[c] for c in columns],
        rows[list(columns)].astype(str).values.tolist(),
        classes="ree-feed",
        style=style,
        box=box,
    )


@solara.component
def EventFeed(events: pd.DataFrame, limit: int = 300):
    show_licences = solara.use_reactive(False)
    shown = events if show_licences.value else events[~events["kind"].str.startswith(ROUTINE)]
    solara.Checkbox(
        label=f"show licence decisions ({len(events) - len(shown) if not show_licences.value else 0} hidden)",
        value=show_licences,
    )
    Feed(shown, limit, style={"max-height": "420px", "overflow-y": "auto", "font-size": "13px"})


@solara.component
def UpcomingEvents(upcoming: tuple[tuple[str, str, str, str], ...]):
    """The scenario's events still to come (a `Snapshot`'s `upcoming`: date, actor, kind, text), soonest first:
    every one of them, in a box that scrolls."""
    if not upcoming:
        return
    rows = pd.DataFrame(list(upcoming), columns=["date", "actor", "kind", "detail"]).iloc[::-1]  # Feed reverses
    solara.Style(".ree-upcoming thead th { position: sticky; top: 0; background: #fff; }")  # heads stay in view
    solara.Text(
        f"Still to come in this scenario ({len(rows)} event{'s' * (len(rows) > 1)}, on their dates, over "
        "any lever you pulled):",
        style={"font-weight": "bold", "font-size": "13px"},
    )
    Feed(
        rows,
        len(rows),
        ("date", "actor", "kind", "detail"),
        box=["ree-upcoming"],
        style={"max-height": "320px", "overflow-y": "auto", "font-size": "12px"},
    )
