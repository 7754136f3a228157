"""The firms' numbers, one row per firm agent, kept in numpy arrays so a month is vectorised.

Mesa agent objects (see `agents/`) hold only their row number; everything that changes monthly lives here.
Rows of kind STOCKPILE are states' strategic stocks: they buy in markets like firms but never produce.
"""

from __future__ import annotations

import numpy as np

from .constants import HEAVY, LIGHT, MAGNET, N_PRODUCTS, ORE

STOCKPILE = 4  # row kind for a state's strategic stock (firm kinds are 0-3)
NEW_PLANT_UTILISATION = 0.85


class FirmBook:
    """Columnar state of all firm rows. Quantities are tonnes REO; rates are per month unless named."""

    def __init__(self, kind, country, sector, capacity, unit_cost, transit_months: int):
        n = len(kind)
        self.n = n
        self.kind = np.asarray(kind, dtype=np.int8)
        self.country = np.asarray(country, dtype=np.int64)
        self.sector = np.asarray(sector, dtype=np.int64)
        self.capacity = np.asarray(capacity, dtype=float)  # t/yr: output, refinery feed, or base demand
        self.unit_cost = np.asarray(unit_cost, dtype=float)  # USD/kg of output (feed for refiners)
        self.capacity_factor = np.ones(n)  # shocks: 0.5 = half the plant is down
        self.stock = np.zeros((n, N_PRODUCTS))
        self.ore_content = np.zeros((n, 2))  # light and heavy tonnes inside the ore in stock
        self.transit = np.zeros((max(transit_months, 1), n, N_PRODUCTS))  # slot 0 arrives next month
        self.transit_content = np.zeros((max(transit_months, 1), n, 2))
        self.transit_months = transit_months
        self.order = np.zeros((n, N_PRODUCTS))
        self.need_now = np.zeros((n, N_PRODUCTS))  # input needed for this month's own output
        self.plan = np.zeros(n)  # planned output (miners, magnet makers) or feed (refiners) this month
        self.sales_avg = np.zeros((n, N_PRODUCTS))  # smoothed monthly sales of outputs
        self.asked_avg = np.zeros((n, N_PRODUCTS))  # smoothed monthly orders addressed to the row
        self.use_avg = np.zeros((n, N_PRODUCTS))  # smoothed monthly use of inputs
        self.utilisation = np.zeros(n)  # smoothed output / capacity
        self.cash = np.zeros(n)  # USD
        self.project_due = np.full(n, -1, dtype=np.int64)  # month number a capacity project completes
        self.project_add = np.zeros(n)
        self.risk = np.zeros((n, N_PRODUCTS))  # perceived supply risk of each input, 0..1
        self.unmet = np.zeros((n, N_PRODUCTS))  # orders not filled this month

    def rows_of(self, kind: int) -> np.ndarray:
        return np.flatnonzero(self.kind == kind)

    def total_held(self) -> float:
        """All tonnes held by rows or on the way to them."""
        return float(self.stock.sum() + self.transit.sum())

    def arrive(self) -> None:
        """Shipments in the first transit slot reach their buyers; the pipeline moves up one month."""
        if self.transit_months == 0:
            return
        self.stock += self.transit[0]
        self.ore_content += self.transit_content[0]
        if self.transit_months > 1:  # shifted in place: np.roll would build two new arrays every month
            self.transit[:-1] = self.transit[1:]
            self.transit_content[:-1] = self.transit_content[1:]
        self.transit[-1] = 0.0
        self.transit_content[-1] = 0.0

    def receive(
        self,
        rows: np.ndarray,
        product: int | np.ndarray,
        domestic: np.ndarray,
        imported: np.ndarray,
        content_domestic: np.ndarray | None = None,
        content_imported: np.ndarray | None = None,
    ) -> None:
        """Domestic deliveries land now; imports land after the transit delay. `product` is one product or
        each row's (a row appears once per product)."""
        if self.transit_months == 0:
            domestic, imported = domestic + imported, np.zeros_like(imported)
            if content_domestic is not None:
                content_domestic, content_imported = content_domestic + content_imported, None
        self.stock[rows, product] += domestic
        if imported.any():
            self.transit[-1, rows, product] += imported
        if content_domestic is not None:
            self.ore_content[rows] += content_domestic
            if content_imported is not None:
                self.transit_content[-1, rows] += content_imported

    def receive_at(self, cells: np.ndarray, domestic: np.ndarray, imported: np.ndarray) -> None:
        """`receive` for (row, product) cells given as flat positions in a row x product table, each once."""
        if self.transit_months == 0:
            self.stock.put(cells, self.stock.take(cells) + (domestic + imported))
            return
        self.stock.put(cells, self.stock.take(cells) + domestic)
        if imported.any():
            arriving = self.transit[-1]  # a view: put writes into the pipeline
            arriving.put(cells, arriving.take(cells) + imported)

    def receive_content(self, cells: np.ndarray, domestic: np.ndarray, imported: np.ndarray) -> None:
        """The light and heavy content of ore received, for (row, light or heavy) cells given as flat positions
        in a row x 2 table, each once."""
        if self.transit_months == 0:
            self.ore_content.put(cells, self.ore_content.take(cells) + (domestic + imported))
            return
        self.ore_content.put(cells, self.ore_content.take(cells) + domestic)
        arriving = self.transit_content[-1]
        arriving.put(cells, arriving.take(cells) + imported)

    def inbound(self, product: int) -> np.ndarray:
        return self.transit[:, :, product].sum(axis=0)

    def in_transit(self) -> np.ndarray:
        """Row x product tonnes on the way (read only: with a one-month pipeline, a view of it)."""
        if len(self.transit) == 1:  # nothing to add up
            return self.transit[0]
        return self.transit.sum(axis=0)

    def inbound_at(self, cells: np.ndarray) -> np.ndarray:
        """Tonnes on the way to (row, product) cells, given as flat positions in a row x product table."""
        if len(self.transit) == 1:
            return self.transit[0].take(cells)
        return self.transit.reshape(len(self.transit), -1).take(cells, axis=1).sum(axis=0)


def seed_at_reference_rates(
    book: FirmBook,
    rows: dict,
    output: np.ndarray,
    feed_grade: np.ndarray,
    ore_grade: np.ndarray,
    heavy_share: float,
    target_cover: np.ndarray,
) -> np.ndarray:
    """Start every row at its reference-year rates (`output`, t/yr) with its target stocks, so the warm-up
    has little to do. Returns each row's reference utilisation."""
    h = heavy_share
    monthly = output / 12.0
    grade = feed_grade
    miners, refiners, makers, users = (rows[k] for k in range(4))
    book.sales_avg[miners, ORE] = monthly[miners]
    book.sales_avg[refiners, LIGHT] = monthly[refiners] * grade[refiners, 0]
    book.sales_avg[refiners, HEAVY] = monthly[refiners] * grade[refiners, 1] * 0.9
    book.sales_avg[makers, MAGNET] = monthly[makers]
    book.asked_avg[:] = book.sales_avg
    book.use_avg[refiners, ORE] = monthly[refiners]
    book.use_avg[makers, LIGHT] = monthly[makers] * (1 - h)
    book.use_avg[makers, HEAVY] = monthly[makers] * h
    book.use_avg[users, MAGNET] = monthly[users]
    for p in range(N_PRODUCTS):
        book.stock[:, p] = 1.2 * book.sales_avg[:, p] + target_cover[p] * book.use_avg[:, p]
    book.ore_content[:] = book.stock[:, ORE : ORE + 1] * ore_grade[book.country]
    book.ore_content[refiners] = book.stock[refiners, ORE : ORE + 1] * grade[refiners]
    book.utilisation[:] = np.divide(output, book.capacity, out=np.zeros(book.n), where=book.capacity > 0)
    # plants without a reference-year record (new projects) run like a typical plant
    return np.where(output > 0, np.minimum(book.utilisation, 1.0), NEW_PLANT_UTILISATION)
