"""Aggregates of a run's tables, named outcomes a sweep can keep beside the headline ones of summary.json.

A sweep file declares each under `[aggregates.NAME]`; NAME becomes a results column. This one is the share
of US EV and defence demand left unmet over 2026-2027:

    table = "supply"                      # prices | flows | supply | licences | capacity | stocks | events
    value = "demand_t - delivered_t"      # a column, or arithmetic on the table's columns (pandas eval)
    divide_by = "demand_t"                # optional: the result is aggregate(value) / aggregate(divide_by)
    where = { country = "US", sector = ["ev", "defense"] }   # optional filter on the label columns
    from = "2026-01"                      # optional window of months, inclusive
    to = "2027-12"
    per_month = "sum"                     # how one month's selected rows combine: sum | mean
    stat = "sum"                          # then over the months: sum | mean | max | min | first | last | count

`count` counts the selected rows and needs no value (for `events`: `where = { kind = "licence_denied" }`).
The window must lie inside the run's months; `ree sweep` checks it when the file loads.

No silent zeros: an empty selection counts 0 but has no sum, mean or peak (NaN), and a ratio whose
`divide_by` comes to 0 is NaN (0/0 included). The one exception is `flows`, which leaves out pairs that
shipped nothing: there a month of the window with no matching row counts as 0 t, so a stopped trade
sums to 0 and its monthly minimum is 0. The sweep report counts the NaNs of every aggregate.
"""
from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..constants import COUNTRIES, MARKETS, PRODUCTS, SECTORS, STAGES
from .outputs import EVENT_COLUMNS, clean_outcome, table
from ..recorder import HOLDERS

LABELS = {"country": COUNTRIES, "exporter": COUNTRIES, "importer": COUNTRIES, "product": PRODUCTS,
          "market": MARKETS, "sector": SECTORS, "stage": STAGES, "holder": HOLDERS}
COLUMNS = {
    "prices": ["date", "product", "market", "usd_per_kg"],
    "flows": ["date", "exporter", "importer", "product", "tonnes"],
    "supply": ["date", "country", "sector", "demand_t", "delivered_t"],
    "licences": ["date", "exporter", "importer", "product", "applied_t", "approved_t", "denied_t", "pending_t"],
    "capacity": ["date", "country", "stage", "tonnes_per_year"],
    "stocks": ["date", "country", "holder", "product", "tonnes"],
    "events": EVENT_COLUMNS,
}
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class Aggregate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    table: Literal["prices", "flows", "supply", "licences", "capacity", "stocks", "events"]
    value: str | None = None
    divide_by: str | None = None
    where: dict[str, str | list[str]] = Field(default_factory=dict)
    start: str | None = Field(None, alias="from")
    end: str | None = Field(None, alias="to")
    per_month: Literal["sum", "mean"] = "sum"
    stat: Literal["sum", "mean", "max", "min", "first", "last", "count"] = "sum"

    @field_validator("start", "end")
    @classmethod
    def _month(cls, value: str | None) -> str | None:
        if value is not None and not MONTH.match(value):
            raise ValueError(f"'{value}' is not a month YYYY-MM")
        return value

    def check(self) -> None:
        """Raise ValueError naming what is wrong: columns, labels, expressions and the stat's needs."""
        columns = COLUMNS[self.table]
        for column, wanted in self.where.items():
            if column not in columns or column == "date":
                raise ValueError(f"where: '{column}' is not a label column of {self.table} ({', '.join(columns[1:])})")
            known = LABELS.get(column)
            for label in [wanted] if isinstance(wanted, str) else wanted:
                if known is not None and label not in known:
                    raise ValueError(f"where.{column}: '{label}' is not one of {', '.join(known)}")
        if self.stat != "count" and self.value is None:
            raise ValueError(f"value: needed for stat '{self.stat}' (only 'count' goes without)")
        empty = pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
        for field in ("value", "divide_by"):
            expression = getattr(self, field)
            if expression is not None:
                try:
                    empty.eval(expression)
                except Exception as err:
                    raise ValueError(f"{field}: cannot evaluate '{expression}' on {self.table} "
                                     f"({', '.join(columns)}): {err}") from None
        if self.start and self.end and self.start > self.end:
            raise ValueError("from: must not be after to")

    def check_window(self, first: str, last: str) -> None:
        """Raise ValueError naming `from` or `to` when the window reaches outside the run's months
        `first`..`last` (a window past the end would otherwise select nothing)."""
        for field, month in (("from", self.start), ("to", self.end)):
            if month is not None and not first <= month <= last:
                raise ValueError(f"{field}: '{month}' is outside the run's months, {first} to {last}")

    def compute(self, frame: pd.DataFrame, months: list[str] | None = None) -> float:
        """The aggregate of one run's table; `months` (the run's months) lets `flows` count the months
        in which nothing matching was shipped as 0 t."""
        rows = frame
        for column, wanted in self.where.items():
            rows = rows[rows[column].isin([wanted] if isinstance(wanted, str) else wanted)]
        if self.start:
            rows = rows[rows["date"] >= self.start]
        if self.end:
            rows = rows[rows["date"] <= self.end]
        if self.stat == "count":
            return float(len(rows))
        if self.value is None:  # `check` says so too, but a script's declarations reach here unchecked
            raise ValueError(f"value: needed for stat '{self.stat}' (only 'count' goes without)")
        window = None
        if self.table == "flows" and months is not None:
            window = [m for m in months if (not self.start or m >= self.start) and (not self.end or m <= self.end)]
        result = self._over_months(rows, self.value, window)
        if self.divide_by is None:
            return result
        denominator = self._over_months(rows, self.divide_by, window)
        return result / denominator if denominator != 0 else float("nan")

    def _over_months(self, rows: pd.DataFrame, expression: str, window: list[str] | None) -> float:
        if rows.empty and not window:
            return float("nan")
        values = pd.Series(np.asarray(rows.eval(expression), dtype=float), index=rows.index)
        monthly = values.groupby(rows["date"].to_numpy(), sort=True).agg(self.per_month)
        if window:
            monthly = monthly.reindex(window, fill_value=0.0)
        if self.stat == "first":
            return float(monthly.iloc[0])
        if self.stat == "last":
            return float(monthly.iloc[-1])
        return float(getattr(monthly, self.stat)())


def compute_all(model, aggregates: dict[str, Aggregate | dict]) -> dict[str, float]:
    """Every aggregate of a finished model (declarations as `Aggregate`s or plain dicts), each table
    built once."""
    declared = {name: Aggregate.model_validate(a) for name, a in aggregates.items()}
    months = [str(m) for m in model.recorder.dates[: model.recorder.written]]
    frames: dict[str, pd.DataFrame] = {}
    out = {}
    for name, aggregate in declared.items():
        try:
            aggregate.check_window(months[0], months[-1])  # a script's declarations too, not only a sweep file's
        except ValueError as err:
            raise ValueError(f"aggregate '{name}': {err}") from None
        if aggregate.table not in frames:
            frames[aggregate.table] = table(model, aggregate.table)
        value = aggregate.compute(frames[aggregate.table], months)
        if np.isinf(value):
            raise ValueError(f"aggregate '{name}' is {value} (its expression divides by 0)")
        out[name] = value if np.isnan(value) else clean_outcome(value)
    return out
