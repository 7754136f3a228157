"""Monthly numbers kept in preallocated arrays (no per-agent copies), turned into the output tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .constants import COUNTRIES, MARKETS, N_COUNTRIES, N_PRODUCTS, N_SECTORS, PRODUCTS, SECTORS, STAGES
from .shortage import unmet_share_of_totals
from .world import STOCKPILE

HOLDERS = ("firms", "state")


class Recorder:
    def __init__(self, months: int):
        self.months = months
        self.dates: list[str] = [""] * months
        self.price = np.zeros((months, N_PRODUCTS, 2))
        self.flow = np.zeros((months, N_PRODUCTS, N_COUNTRIES, N_COUNTRIES))
        self.demand = np.zeros((months, N_COUNTRIES, N_SECTORS))
        self.delivered = np.zeros((months, N_COUNTRIES, N_SECTORS))
        self.licence = np.zeros((months, 4, N_COUNTRIES, N_PRODUCTS, N_COUNTRIES))
        self.capacity = np.zeros((months, N_COUNTRIES, len(STAGES)))
        self.stock = np.zeros((months, N_COUNTRIES, 2, N_PRODUCTS))
        self.output = np.zeros((months, 3, N_COUNTRIES))  # mined, refined, magnets
        self.balance_error = np.zeros(months)
        self.export_quota = np.zeros((months, N_COUNTRIES))  # tonnes a month allowed, where a quota is set
        self.substitution = np.zeros((months, 2))  # demand multiplier by market (china, world)
        self.written = 0
        self._bins: np.ndarray | None = None  # see _stock_bins

    def record(self, model, t: int) -> None:
        # one numpy call per table where the month's arrays allow: at a few dozen numbers a table, the
        # cost is numpy's per call, not the copying
        book = model.book
        self.dates[t] = model.date
        self.price[t] = model.prices
        self.flow[t] = model.month_flows
        self.demand[t] = model.month_demand
        self.delivered[t] = model.month_delivered
        office = model.office
        for i, table in enumerate((office.applied, office.approved, office.denied, office.pending())):
            self.licence[t, i] = table
        self.capacity[t] = model.capacity_by_country_stage()
        held = book.stock + book.transit.sum(axis=0)  # row x product
        bins = N_COUNTRIES * 2 * N_PRODUCTS
        self.stock[t] = np.bincount(self._stock_bins(book), held.ravel(), minlength=bins).reshape(self.stock.shape[1:])
        out = model.month_output
        output = self.output[t]
        output[0], output[1], output[2] = out["mined"], out["refined"], out["magnets"]
        self.balance_error[t] = model.last_balance_error
        for exporter, quota in office.export_quotas.items():
            self.export_quota[t, exporter] = quota.tonnes_per_year / 12.0
        self.substitution[t] = model.substitution
        self.written = t + 1

    def _stock_bins(self, book) -> np.ndarray:
        """Each (row, product)'s cell of a month's stock table, (country, holder, product), in the order of
        `book.stock.ravel()`: the rows never change, so it is worked out once."""
        if self._bins is None:
            holder = (book.kind == STOCKPILE).astype(np.int64)
            cell = (book.country * 2 + holder) * N_PRODUCTS
            self._bins = (cell[:, None] + np.arange(N_PRODUCTS)).ravel()
        return self._bins

    def last_shortage_share(self, t: int) -> float:
        if t == 0:
            return 0.0
        return unmet_share_of_totals(float(self.demand[t - 1].sum()), float(self.delivered[t - 1].sum()))

    # ---------------------------------------------------------------------------------- tables
    def _frame(self, values: np.ndarray, names: list[str], labels: list[tuple[str, ...]], column: str) -> pd.DataFrame:
        n = self.written
        index = pd.MultiIndex.from_product(
            [self.dates[:n]] + [list(values) for values in labels], names=["date"] + names
        )
        return pd.DataFrame({column: values[:n].reshape(-1)}, index=index).reset_index()

    def prices(self) -> pd.DataFrame:
        return self._frame(self.price, ["product", "market"], [PRODUCTS, MARKETS], "usd_per_kg")

    def flows(self) -> pd.DataFrame:
        table = self._frame(self.flow, ["product", "exporter", "importer"], [PRODUCTS, COUNTRIES, COUNTRIES], "tonnes")
        table = table[table["tonnes"] > 1e-9]
        return table[["date", "exporter", "importer", "product", "tonnes"]].reset_index(drop=True)

    def supply(self) -> pd.DataFrame:
        demand = self._frame(self.demand, ["country", "sector"], [COUNTRIES, SECTORS], "demand_t")
        demand["delivered_t"] = self.delivered[: self.written].reshape(-1)
        return demand[demand["demand_t"] > 0].reset_index(drop=True)

    def licences(self) -> pd.DataFrame:
        n = self.written
        parts = {}
        for i, name in enumerate(("applied_t", "approved_t", "denied_t", "pending_t")):
            parts[name] = self.licence[:n, i].reshape(-1)
        index = pd.MultiIndex.from_product(
            [self.dates[:n], COUNTRIES, PRODUCTS, COUNTRIES], names=["date", "exporter", "product", "importer"]
        )
        table = pd.DataFrame(parts, index=index).reset_index()
        active = table[["applied_t", "approved_t", "denied_t", "pending_t"]].sum(axis=1) > 1e-9
        table = table[active]
        return table[
            ["date", "exporter", "importer", "product", "applied_t", "approved_t", "denied_t", "pending_t"]
        ].reset_index(drop=True)

    def capacities(self) -> pd.DataFrame:
        table = self._frame(self.capacity, ["country", "stage"], [COUNTRIES, STAGES], "tonnes_per_year")
        return table[table["tonnes_per_year"] > 0].reset_index(drop=True)

    def stocks(self, state_countries: set[str]) -> pd.DataFrame:
        table = self._frame(self.stock, ["country", "holder", "product"], [COUNTRIES, HOLDERS, PRODUCTS], "tonnes")
        keep = (table["holder"] == "firms") | table["country"].isin(state_countries)
        table = table[keep]
        return table[["date", "country", "holder", "product", "tonnes"]].reset_index(drop=True)
