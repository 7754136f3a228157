"""Compare and fork: keep the world as it is now as a baseline branch (or rebuild the baseline from the
start with the same seed and no levers), pull levers on the explored branch, run both, and read the
difference in a table and in the overlaid charts (what-if solid, baseline dashed)."""

from __future__ import annotations

import pandas as pd
import solara

from sim.runs import branch_compare

from .tables import Table


def difference_table(view, baseline) -> pd.DataFrame:
    """Per measure, the run so far and each year: what-if, baseline, difference (`sim.runs.branch_compare`)."""
    return branch_compare.difference_table(view.frames, baseline.frames)


def _cell(value) -> str:
    if isinstance(value, str):
        return value
    return "–" if value != value else f"{value:,.1f}"  # NaN: no baseline to compare with


def difference_rows(table: pd.DataFrame) -> tuple[list[list[str]], list[str]]:
    """(rows, their classes): a measure's name once, over its "so far" row; its years below it, indented."""
    rows, classes = [], []
    for row in table.itertuples(index=False):
        first = row[1] == branch_compare.SO_FAR
        rows.append([row[0] if first else "", row[1]] + [_cell(v) for v in row[2:]])
        classes.append("ree-measure" if first else "ree-year")
    return rows, classes


@solara.component
def ForkControls(store):
    def fork():
        store.session.fork()
        store.refresh(store.session.view())

    def from_start():
        store.session.baseline_from_start()
        store.refresh(store.session.view())

    def drop():
        store.session.drop_baseline()
        store.refresh(store.session.view())

    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Button("Fork here", on_click=fork, color="primary", disabled=store.playing.value)
        solara.Button("Baseline from the start", on_click=from_start, disabled=store.playing.value)
        solara.Button("Drop the baseline", on_click=drop, disabled=store.baseline.value is None)
    solara.Text(
        "Fork here keeps a copy of the world as it is now (levers already pulled included) as the "
        "baseline; levers you pull next change only the what-if. Baseline from the start reruns the "
        "scenario with the same seed and no levers to this month. Stepping runs both.",
        style={"font-size": "13px", "color": "#444"},
    )


@solara.component
def DifferenceTable(view, baseline, fork_date: str):
    if baseline is None:
        return solara.Text("No baseline yet: fork here, or build one from the start.")
    if view.months_run == 0:
        return solara.Text("Run a month to compare.")
    solara.Text(
        f"What-if against the baseline (branched at {fork_date}), at {view.date}: the run so far and "
        "each year (prices: the mean; capacity: at the period's end; the rest: totals)",
        style={"font-weight": "bold"},
    )
    table = difference_table(view, baseline)
    Table(
        list(table.columns),
        *difference_rows(table),
        classes="ree-diff",
        style={"max-height": "520px", "overflow-y": "auto"},
    )
