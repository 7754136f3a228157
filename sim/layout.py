"""Index arrays over the firm book's rows, made once per model.

A model's rows never change after construction (capacity grows inside existing rows), so which rows buy or
sell which product, and in which country and market each row sits, are fixed. The monthly phases work on
arrays of a few dozen numbers, where building an index costs as much as the arithmetic; they read these.

The `*_flat` arrays are positions in a row x product table read as one flat array (`table.ravel()`), so a
phase can gather every (row, product) pair it needs in one call. Pairs are listed product by product, each
product's rows in row order: sums grouped by product (np.bincount) add in the same order as a loop over
products would.
"""

from __future__ import annotations

import numpy as np

from .constants import (
    BUYER_KIND,
    CN,
    HEAVY,
    INPUTS_OF_KIND,
    LIGHT,
    MAGNET,
    MAGNET_MAKER,
    MANUFACTURER,
    MINER,
    N_COUNTRIES,
    N_PRODUCTS,
    N_SECTORS,
    ORE,
    REFINER,
    SELLER_KIND,
    STAGE_OF_KIND,
)
from .market import MARKET_OF, WORLD
from .world import STOCKPILE

OXIDES = np.arange(LIGHT, HEAVY + 1)
# Phase 6 (agents.firms.operate_firms) runs every firm kind at once, their rows in this order, and each row's
# main cell: what miners and magnet makers make, what refiners and manufacturers draw on.
WORK_ORDER = (MINER, MAGNET_MAKER, REFINER, MANUFACTURER)
WORK_PRODUCT = {MINER: ORE, MAGNET_MAKER: MAGNET, REFINER: ORE, MANUFACTURER: MAGNET}


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _pairs(rows_by_product: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(row, product) pairs, product by product: the rows and the products."""
    rows = np.concatenate([rows_by_product[p] for p in sorted(rows_by_product)])
    products = np.concatenate([np.full(len(rows_by_product[p]), p) for p in sorted(rows_by_product)])
    return rows.astype(np.int64), products.astype(np.int64)


class RowLayout:
    """What the monthly phases index the book by: rows, countries and markets fixed for the run."""

    def __init__(self, book, rows: dict[int, np.ndarray], sellers: dict[int, np.ndarray]):
        n_firms = int((book.kind != STOCKPILE).sum())
        # stockpiles are appended after every firm (see RareEarthModel._build_firms): firms are a leading slice
        assert (book.kind[n_firms:] == STOCKPILE).all()
        self.n_firms = n_firms
        market = MARKET_OF[book.country]
        self.market = _read_only(market)  # 0 china, 1 world, by row
        self.refining = _read_only(book.kind == REFINER)
        # sim.supply's margins: each product's price in each row's market, now and at the start, as positions
        # in the two product x market tables one after the other (product x (now, start) x row)
        self.margin_price_key = _read_only(
            np.arange(2)[None, :, None] * 2 * N_PRODUCTS + np.arange(N_PRODUCTS)[:, None, None] * 2 + market
        )
        # magnet makers outside China, who sell part of their output on term contracts (sim.supply)
        self.on_term_contracts = _read_only((book.kind == MAGNET_MAKER) & (market == WORLD))
        self.country_of = {kind: _read_only(book.country[r]) for kind, r in rows.items()}
        self.market_of = {kind: _read_only(market[r]) for kind, r in rows.items()}
        # use by country: key country x product for each (firm, product) cell
        self.use_key = _read_only((book.country[:n_firms, None] * N_PRODUCTS + np.arange(N_PRODUCTS)).ravel())

        # each product's firm buyers (no stockpiles) and sellers, as (row, product) pairs
        buy_rows, buy_products = _pairs({p: rows[BUYER_KIND[p]] for p in range(N_PRODUCTS)})
        sell_rows, sell_products = _pairs(sellers)
        self.buy_flat = _read_only(buy_rows * N_PRODUCTS + buy_products)
        self.buy_product = _read_only(buy_products)
        self.buy_price_flat = _read_only(buy_products * 2 + market[buy_rows])  # into a product x market table
        self.sell_flat = _read_only(sell_rows * N_PRODUCTS + sell_products)
        self.sell_price_flat = _read_only(sell_products * 2 + market[sell_rows])
        # sim.prices.market_sums' bins: wanted stock (buyers', then sellers'), held (every firm's every cell),
        # orders and unfilled orders, each a product x market table, one after the other
        held_key = (np.arange(N_PRODUCTS)[None, :] * 2 + market[:n_firms, None]).ravel()
        table = 2 * N_PRODUCTS
        self.market_sums_key = _read_only(
            np.concatenate(
                (
                    self.buy_price_flat,
                    self.sell_price_flat,
                    held_key + table,
                    self.buy_price_flat + 2 * table,
                    self.buy_price_flat + 3 * table,
                )
            )
        )

        # each firm kind's inputs (sim.constants.INPUTS_OF_KIND), as (row, product) pairs
        input_rows = np.concatenate([np.repeat(rows[k], len(ps)) for k, ps in INPUTS_OF_KIND.items()])
        input_products = np.concatenate([np.tile(ps, len(rows[k])) for k, ps in INPUTS_OF_KIND.items()])
        self.input_flat = _read_only(input_rows * N_PRODUCTS + input_products)
        self.input_exposure_flat = _read_only(input_products * N_COUNTRIES + book.country[input_rows])

        # each kind's (row, product) cells: `cell[kind][p]` one product's, `row_cells[kind]` every product's
        # (row x product), `oxide_cells[kind]` light and heavy oxide's (row x 2), `pair_cells[kind]` the
        # positions in a row x (light, heavy) table such as ore_content or feed_grade
        first = {kind: r.astype(np.int64) * N_PRODUCTS for kind, r in rows.items()}
        self.cell = {kind: [_read_only(at + p) for p in range(N_PRODUCTS)] for kind, at in first.items()}
        self.row_cells = {kind: _read_only(at[:, None] + np.arange(N_PRODUCTS)) for kind, at in first.items()}
        self.oxide_cells = {kind: _read_only(at[:, None] + OXIDES) for kind, at in first.items()}
        self.pair_cells = {kind: _read_only(r.astype(np.int64)[:, None] * 2 + np.arange(2)) for kind, r in rows.items()}
        # where each selling kind's outputs stand in the `sell_*` arrays (each product's sellers are one run
        # of them): by row, or row x output for refiners; and the refiners' ore orders among the `buy_*` ones
        sell_start = np.cumsum([0] + [len(sellers[p]) for p in range(N_PRODUCTS)])
        self.output_at = {}
        for kind in set(SELLER_KIND.values()):
            products = [p for p in range(N_PRODUCTS) if SELLER_KIND[p] == kind]
            at = np.stack([sell_start[p] + np.arange(len(rows[kind])) for p in products], axis=1)
            self.output_at[kind] = _read_only(at if len(products) > 1 else at[:, 0].copy())
        buy_start = np.cumsum([0] + [len(rows[BUYER_KIND[p]]) for p in range(N_PRODUCTS)])
        self.ore_orders = slice(int(buy_start[ORE]), int(buy_start[ORE + 1]))

        stockpiles = rows[STOCKPILE].astype(np.int64)  # one a country at most (RareEarthModel._build_states)
        self.stockpile_cells = _read_only(stockpiles[:, None] * N_PRODUCTS + np.arange(N_PRODUCTS))
        self.stockpile_exposure_flat = _read_only(
            np.arange(N_PRODUCTS) * N_COUNTRIES + book.country[stockpiles][:, None]
        )  # into a product x country table

        miners = rows[MINER]
        self.miners_in = [_read_only(miners[book.country[miners] == c]) for c in range(N_COUNTRIES)]
        self.chinese_miners_ore = _read_only(self.miners_in[CN] * N_PRODUCTS + ORE)  # cells of their ore stock
        self.chinese_refiners = _read_only(book.country[rows[REFINER]] == CN)  # among the refiner rows
        # each refiner's light and heavy oxide prices in a product x market table (row x oxide)
        self.refiner_oxide_prices = _read_only(OXIDES * 2 + market[rows[REFINER]][:, None])

        users = rows[MANUFACTURER]
        self.user_key = _read_only(book.country[users] * N_SECTORS + book.sector[users])  # country x sector

        # phase 6's positions (WORK_ORDER): `work_part[kind]` slices the kind out of `work_rows`; `work_cells`
        # are the stock cells it moves, the rows' main cells, then refiners' Dy/Tb and NdPr and magnet makers'
        # oxides (row x oxide, `work_oxides`), each moving by `work_sign` (+1 made, -1 used) times the tonnes
        parts = [rows[kind].astype(np.int64) for kind in WORK_ORDER]
        ends = np.cumsum([0] + [len(part) for part in parts])
        self.work_part = {kind: slice(int(ends[i]), int(ends[i + 1])) for i, kind in enumerate(WORK_ORDER)}
        self.work_rows = _read_only(np.concatenate(parts))
        main = [self.cell[kind][WORK_PRODUCT[kind]] for kind in WORK_ORDER]
        oxide_cells = self.oxide_cells[MAGNET_MAKER].ravel()
        self.work_cells = _read_only(
            np.concatenate(main + [self.cell[REFINER][HEAVY], self.cell[REFINER][LIGHT], oxide_cells])
        )
        self.work_oxides = slice(len(self.work_cells) - len(oxide_cells), len(self.work_cells))
        made = {MINER: 1.0, MAGNET_MAKER: 1.0, REFINER: -1.0, MANUFACTURER: -1.0}
        signs = [np.full(len(part), made[kind]) for kind, part in zip(WORK_ORDER, parts)]
        signs += [np.ones(2 * len(rows[REFINER])), -np.ones(len(oxide_cells))]
        self.work_sign = _read_only(np.concatenate(signs))
        # sellers' stock to restore the sales cover against: miners' ore, refiners' Dy/Tb
        self.cover_cells = _read_only(np.concatenate((self.cell[MINER][ORE], self.cell[REFINER][HEAVY])))
        # inputs used, whose averages phase 6 moves: refiners' ore, manufacturers' magnets, magnet makers' oxides
        self.use_cells = _read_only(
            np.concatenate((self.cell[REFINER][ORE], self.cell[MANUFACTURER][MAGNET], oxide_cells))
        )
        # one bincount for the month's output by stage and country (miners', magnet makers', refiners' rows:
        # their tonnes in that order) and demand and deliveries by country and sector (manufacturers' rows, twice)
        stage_key = [STAGE_OF_KIND[kind] * N_COUNTRIES + self.country_of[kind] for kind in WORK_ORDER[:3]]
        users_at = 3 * N_COUNTRIES
        sectors = N_COUNTRIES * N_SECTORS
        self.work_report_key = _read_only(
            np.concatenate(stage_key + [self.user_key + users_at, self.user_key + users_at + sectors])
        )
