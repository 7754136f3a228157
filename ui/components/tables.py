"""Tables for both faces (the explore and compare pages, the classroom): columns and rows of cells, every
cell escaped as text (`markup.fragment`). A cell may be a number, a block of parts (text and `markup.Raw`,
such as a country's badge) or a `Span` across several columns; a row may carry a class. Markup reaches a
cell only as `Raw`: no caller escapes, and none can forget to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import solara

from .markup import Html, Part, Raw, element


@dataclass(frozen=True)
class Span:
    """A cell across `columns` columns (a note in place of numbers)."""

    value: Part
    columns: int


Cell = Part | Span


def _cell(value: Cell) -> Raw:
    if isinstance(value, Span):
        return element("td", value.value, colspan=str(value.columns))
    return element("td", value)


def table_html(
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    row_classes: Sequence[str] | None = None,
    classes: str = "ree-table",
) -> Raw:
    """`<table class=classes>`: a head row of `columns` (none if empty), then one row per `rows`, with the
    class of `row_classes[i]` if given."""
    head = element("thead", element("tr", [element("th", c) for c in columns])) if columns else None
    body = [
        element("tr", [_cell(v) for v in row], classes=row_classes[i] if row_classes else "")
        for i, row in enumerate(rows)
    ]
    return element("table", head, element("tbody", body), classes=classes)


@solara.component
def Table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    row_classes: Sequence[str] | None = None,
    classes: str = "ree-table",
    style: dict | None = None,
    box: list[str] | None = None,
):
    """The table in a div (`style`, `box`: its classes; a `max-height` with `overflow-y` makes it scroll)."""
    Html(table_html(columns, rows, row_classes, classes), classes=box, style=style)
