"""Firm agents: miners, refiners, magnet makers and manufacturers.

Each firm is a Mesa agent that knows its row in the model's `FirmBook`; the monthly decisions are class
methods that decide for all firms of the kind at once (vectorised over the kind's rows, `model.rows[kind]`):

- `plan(model)`: how much to make this month and what inputs that needs (phase 3), then
  `Firm.order_inputs(model)`: what every buying firm orders;
- `operate(model)`: turn inputs into outputs once the markets have cleared (phase 6).

Ordering follows the stock-management rule of supply-chain models: order what you expect to use, plus a
share of the gap between the stock you want and the stock you have (counting goods on the way). Buyers
want more cover when supply looks at risk, which is what makes spikes bigger than the cut.

The book's row x product tables are read and written through flat cell positions (`sim.layout`):
`table.take(cells)` and `table.put(cells, values)` cost a third of `table[rows, product]` on these few rows.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.constants import HEAVY, LIGHT, MAGNET, MAGNET_MAKER, MANUFACTURER, MINER, N_COUNTRIES, N_SECTORS, ORE, REFINER
from sim.demand import manufacturers_demand
from sim.market import ratio
from sim.ore_allotment import allotted_ore

STOCK_ADJUST_MONTHS = 3.0  # close a stock gap over this many months
SELLER_COVER = 1.2  # months of sales a seller counts as normal stock on hand after producing
MARGIN_SENSITIVITY = 3.5
SMOOTHING = 0.3  # weight of this month in moving averages
LIGHT_COLUMN, HEAVY_COLUMN = 0, 1  # in row x oxide tables (sim.layout's oxide_cells) and in ore grades


def _smooth(average: np.ndarray, value: np.ndarray) -> np.ndarray:
    return average + SMOOTHING * (value - average)


def _expected_sales(book, cells: np.ndarray) -> np.ndarray:
    """What buyers have been asking for, or buying if more (asks can exceed what could be sold)."""
    return np.maximum(book.sales_avg.take(cells), book.asked_avg.take(cells))


def _output_need(book, cells: np.ndarray) -> np.ndarray:
    """Output wanted this month: restore the sales cover after next month's expected sales."""
    sales = _expected_sales(book, cells)
    left_after_sales = np.maximum(book.stock.take(cells) - sales, 0.0)
    return np.maximum(SELLER_COVER * sales - left_after_sales, 0.0)


def _run(book, rows: np.ndarray, tonnes: np.ndarray, capacity: np.ndarray) -> None:
    """A producing kind's month run: its smoothed utilisation and its unit costs paid (`tonnes`: output, or
    feed for refiners)."""
    book.utilisation.put(rows, _smooth(book.utilisation.take(rows), ratio(tonnes, capacity)))
    book.cash.put(rows, book.cash.take(rows) - tonnes * book.unit_cost.take(rows) * 1000.0)


def willingness(margin_index: np.ndarray) -> np.ndarray:
    """Share of the wanted output a processor still makes when its inputs eat into its margin: all of it
    at the start's value-to-cost ratio or better, less and less as the ratio falls (margin_index **
    MARGIN_SENSITIVITY: 0.53 at a ratio 19% down, 0.13 at half). A smooth curve rather than a cliff to
    zero, so processors whose margins hover near a threshold do not swing between idle and full output."""
    return margin_index.clip(0.0, 1.0) ** MARGIN_SENSITIVITY  # the method: np.clip adds two Python calls


def output_needs(model) -> np.ndarray:
    """Every seller's output need this month (`_output_need`), in `layout.sell_flat` order: the kinds'
    plans read their part."""
    return _output_need(model.book, model.layout.sell_flat)


class Firm(mesa.Agent):
    """A firm's identity; its numbers live in `model.book` at `self.row`."""

    kind: int = -1

    def __init__(self, model, row: int, name: str):
        super().__init__(model)
        self.row = row
        self.name = name

    @property
    def country(self) -> str:
        from sim.constants import COUNTRIES

        return COUNTRIES[self.model.book.country[self.row]]

    @property
    def capacity(self) -> float:
        return float(self.model.book.capacity[self.row])

    @property
    def stock(self) -> dict[str, float]:
        from sim.constants import PRODUCTS

        return dict(zip(PRODUCTS, self.model.book.stock[self.row].tolist()))

    @staticmethod
    def order_inputs(model) -> None:
        """Every buying firm's order of each input, once the kinds have planned (the rule is the same for
        all of them, so one pass): this month's need plus a share of the gap to the risk-raised target
        stock (`model.buyers_cover`); Chinese refiners' ore orders within the allotment (`sim.ore_allotment`)."""
        book, layout = model.book, model.layout
        cells = layout.buy_flat
        wanted = model.buyers_cover * book.use_avg.take(cells)
        have = book.stock.take(cells) + book.inbound_at(cells)
        orders = np.maximum(book.need_now.take(cells) + (wanted - have) / STOCK_ADJUST_MONTHS, 0.0)
        ore = layout.ore_orders
        orders[ore] = allotted_ore(model, orders[ore])
        book.order.put(cells, orders)

    @classmethod
    def monthly_capacity(cls, model, rows: np.ndarray) -> np.ndarray:
        book = model.book
        return book.capacity[rows] * book.capacity_factor[rows] / 12.0


class Miner(Firm):
    kind = MINER

    @classmethod
    def plan(cls, model) -> None:
        rows = model.rows[cls.kind]
        need = model.output_need.take(model.layout.output_at[cls.kind])
        model.book.plan.put(rows, np.minimum(need, model.mining_limit(rows)))

    @classmethod
    def operate(cls, model) -> np.ndarray:
        """Mine to restore the sales cover, within capacity and the state's quota; returns tonnes mined.
        A mine is a fixed-cost operation: when a control cuts it off from usual buyers abroad it keeps running
        at its normal rate and stores the concentrate, up to `ore_storage_months` of that rate, for home
        refining or for when trade resumes (MP mined a record 50.7 kt in 2025 after its Chinese outlet shut)."""
        book, layout, rows = model.book, model.layout, model.rows[cls.kind]
        cells = layout.cell[cls.kind][ORE]
        ore = book.stock.take(cells)
        wanted = np.maximum(SELLER_COVER * _expected_sales(book, cells) - ore, 0.0)
        capacity = cls.monthly_capacity(model, rows)
        countries = layout.country_of[cls.kind]
        storage = model.calibration.parameters.get("ore_storage_months", 0.0)
        if storage > 0 and np.count_nonzero(model.office.level[:, ORE, :]):  # no control on ore: no one cut off
            # exporters with a control on ore to a country that used to buy from them
            cut_off = ((model.office.level[:, ORE, :] > 0) & (model.origin_share[ORE] > 0)).any(axis=1)
            if cut_off.any():
                normal = capacity * model.base_utilisation.take(rows)
                keep_running = cut_off[countries] & (ore < storage * normal)
                wanted = np.where(keep_running, np.maximum(wanted, normal), wanted)
        mined = np.minimum(wanted, model.mining_limit(rows))
        book.stock.put(cells, ore + mined)
        content = layout.pair_cells[cls.kind]
        book.ore_content.put(content, book.ore_content.take(content) + mined[:, None] * model.mined_grade()[countries])
        _run(book, rows, mined, capacity)
        return mined


class Refiner(Firm):
    kind = REFINER

    @classmethod
    def plan(cls, model) -> None:
        book, layout, rows = model.book, model.layout, model.rows[cls.kind]
        grade = model.feed_grade.take(layout.pair_cells[cls.kind])
        need = model.output_need.take(layout.output_at[cls.kind])  # row x oxide
        # light and heavy come out together: run for each in proportion to the revenue it brings
        value = grade * model.prices.take(layout.refiner_oxide_prices)
        weight = ratio(value, np.add.reduce(value, axis=1, keepdims=True))
        feed_for = weight * ratio(need, grade)  # feed wanted for each oxide, weighted
        feed = feed_for[:, LIGHT_COLUMN] + feed_for[:, HEAVY_COLUMN]
        feed *= willingness(model.margin_index(rows))
        plan = np.minimum(feed, cls.monthly_capacity(model, rows))
        book.plan.put(rows, plan)
        book.need_now.put(layout.cell[cls.kind][ORE], plan)

    @classmethod
    def operate(cls, model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Separate ore into light and heavy oxide; returns (light, heavy, co-products) tonnes."""
        book, layout, rows = model.book, model.layout, model.rows[cls.kind]
        cells, pairs = layout.row_cells[cls.kind], layout.pair_cells[cls.kind]
        stock = book.stock.take(cells)  # row x product, written back once
        content = book.ore_content.take(pairs)
        plan = book.plan.take(rows)
        feed = np.minimum(plan, stock[:, ORE])
        grade = ratio(content, stock[:, ORE, None])
        taken = feed[:, None] * grade  # light and heavy tonnes in the feed
        light, heavy_in_feed = taken[:, LIGHT_COLUMN], taken[:, HEAVY_COLUMN]
        # Dy/Tb are separated only as far as buyers want them; the rest leaves with the co-products.
        heavy_room = np.maximum(
            SELLER_COVER * _expected_sales(book, layout.cell[cls.kind][HEAVY]) - stock[:, HEAVY], 0.0
        )
        heavy = np.minimum(heavy_in_feed, heavy_room + 0.005 * heavy_in_feed)
        by_products = feed - light - heavy
        stock[:, ORE] -= feed
        stock[:, LIGHT] += light
        stock[:, HEAVY] += heavy
        book.stock.put(cells, stock)
        book.ore_content.put(pairs, content - taken)
        has_feed = feed > 1e-12
        feed_grade = model.feed_grade.take(pairs)
        model.feed_grade.put(pairs, np.where(has_feed[:, None], _smooth(feed_grade, grade), feed_grade))
        ore = layout.cell[cls.kind][ORE]
        book.use_avg.put(ore, _smooth(book.use_avg.take(ore), plan))
        _run(book, rows, feed, cls.monthly_capacity(model, rows))
        return light, heavy, by_products


def _oxide_mix(model, kind: int) -> np.ndarray:
    """Tonnes of light and heavy oxide in a tonne of each maker's magnets (row x oxide)."""
    h = model.heavy_share * model.heavy_thrift.take(model.layout.market_of[kind])  # demand.heavy_share_of
    # (1 - h, h) as 1 + h x -1 and 0 + h x 1: the same numbers (negation and x 1 are exact), in two calls
    return _MIX_BASE + h[:, None] * _MIX_SIGN


_MIX_BASE, _MIX_SIGN = np.array([[1.0, 0.0]]), np.array([[-1.0, 1.0]])  # LIGHT_COLUMN, HEAVY_COLUMN


class MagnetMaker(Firm):
    kind = MAGNET_MAKER

    @classmethod
    def plan(cls, model) -> None:
        book, layout, rows = model.book, model.layout, model.rows[cls.kind]
        wanted = model.output_need.take(layout.output_at[cls.kind]) * willingness(model.margin_index(rows))
        plan = np.minimum(wanted, cls.monthly_capacity(model, rows))
        book.plan.put(rows, plan)
        book.need_now.put(layout.oxide_cells[cls.kind], plan[:, None] * _oxide_mix(model, cls.kind))

    @classmethod
    def operate(cls, model) -> np.ndarray:
        """Make magnets from light and heavy oxide in fixed proportion; returns tonnes made."""
        book, layout, rows = model.book, model.layout, model.rows[cls.kind]
        mix = _oxide_mix(model, cls.kind)
        cells, oxides = layout.row_cells[cls.kind], layout.oxide_cells[cls.kind]
        stock = book.stock.take(cells)  # row x product, written back once
        plan = book.plan.take(rows)
        makeable = ratio(stock[:, LIGHT : HEAVY + 1], mix)  # magnets each oxide in stock is enough for
        made = np.minimum(plan, np.minimum(makeable[:, LIGHT_COLUMN], makeable[:, HEAVY_COLUMN]))
        stock[:, LIGHT : HEAVY + 1] -= made[:, None] * mix
        stock[:, MAGNET] += made
        book.stock.put(cells, stock)
        book.use_avg.put(oxides, _smooth(book.use_avg.take(oxides), plan[:, None] * mix))
        _run(book, rows, made, cls.monthly_capacity(model, rows))
        return made


class Manufacturer(Firm):
    """Builds products (cars, turbines, motors, devices, weapons) that need magnets: final demand."""

    kind = MANUFACTURER

    def __init__(self, model, row: int, name: str, sector: str):
        super().__init__(model, row, name)
        self.sector = sector

    @classmethod
    def plan(cls, model) -> None:
        book, rows = model.book, model.rows[cls.kind]
        plan = manufacturers_demand(model)
        book.plan.put(rows, plan)
        book.need_now.put(model.layout.cell[cls.kind][MAGNET], plan)

    @classmethod
    def operate(cls, model) -> tuple[np.ndarray, np.ndarray]:
        """Use magnets for this month's output; returns (demand, delivered) tonnes per row."""
        book, rows = model.book, model.rows[cls.kind]
        magnets = model.layout.cell[cls.kind][MAGNET]
        demand = book.plan.take(rows)
        in_stock = book.stock.take(magnets)
        delivered = np.minimum(demand, in_stock)
        book.stock.put(magnets, in_stock - delivered)
        book.use_avg.put(magnets, _smooth(book.use_avg.take(magnets), demand))
        book.utilisation.put(rows, ratio(delivered, demand))
        return demand, delivered


FIRM_CLASSES = (Miner, Refiner, MagnetMaker, Manufacturer)


def operate_firms(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Phase 6's production: mines, refineries and magnet plants run, manufacturers use magnets. Records the
    month's output by country and stage and demand and deliveries by country and sector; returns tonnes
    mined, left as co-products and delivered to users, by row."""
    mined = Miner.operate(model)
    light, heavy, by_products = Refiner.operate(model)
    made = MagnetMaker.operate(model)
    wanted, delivered = Manufacturer.operate(model)
    country_of = model.layout.country_of
    model.month_output = {
        "mined": np.bincount(country_of[MINER], mined, minlength=N_COUNTRIES),
        "refined": np.bincount(country_of[REFINER], light + heavy, minlength=N_COUNTRIES),
        "magnets": np.bincount(country_of[MAGNET_MAKER], made, minlength=N_COUNTRIES),
    }
    key = model.layout.user_key
    size = N_COUNTRIES * N_SECTORS
    model.month_demand = np.bincount(key, wanted, minlength=size).reshape(N_COUNTRIES, N_SECTORS)
    model.month_delivered = np.bincount(key, delivered, minlength=size).reshape(N_COUNTRIES, N_SECTORS)
    return mined, by_products, delivered
