"""Firm agents: miners, refiners, magnet makers and manufacturers.

Each firm is a Mesa agent that knows its row in the model's `FirmBook`; the monthly decisions are class
methods that decide for all firms of the kind at once (vectorised over the kind's rows, `model.rows[kind]`):

- `plan(model)`: how much to make this month and what inputs that needs (phase 3), then
  `Firm.order_inputs(model)`: what every buying firm orders;
- `operate_firms(model)`: every kind turns inputs into outputs once the markets have cleared (phase 6), in
  one pass over all their rows (`sim.layout`'s `work_*` positions): at a few rows a kind, numpy's cost is
  per call, so four kinds' calls would cost four times one.

Ordering follows the stock-management rule of supply-chain models: order what you expect to use, plus a
share of the gap between the stock you want and the stock you have (counting goods on the way). Buyers
want more cover when supply looks at risk, which is what makes spikes bigger than the cut.

The book's row x product tables are read and written through flat cell positions (`sim.layout`):
`table.take(cells)` and `table.put(cells, values)` cost a third of `table[rows, product]` on these few rows.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.constants import MAGNET, MAGNET_MAKER, MANUFACTURER, MINER, N_COUNTRIES, N_SECTORS, ORE, REFINER
from sim.demand import manufacturers_demand
from sim.layout import WORK_ORDER
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


FIRM_CLASSES = (Miner, Refiner, MagnetMaker, Manufacturer)


def operate_firms(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Phase 6's production, every kind at once (each works on its own rows' stock, so none waits on
    another): each row does what it wants within what it can (`_wanted_and_possible`). Mines mine, refineries
    separate ore into light and heavy oxide (Dy/Tb only as far as buyers want it: the rest leaves with the
    co-products), magnet plants make magnets from the two oxides in fixed proportion, manufacturers use
    magnets for this month's output. Records the month's output by country and stage and demand and
    deliveries by country and sector; returns tonnes mined, left as co-products and delivered to users, by row."""
    book, layout = model.book, model.layout
    rows, cells = layout.work_rows, layout.work_cells
    miners, makers, refiners, users = (layout.work_part[kind] for kind in WORK_ORDER)
    stock = book.stock.take(cells)
    mix = _oxide_mix(model, MAGNET_MAKER)
    # light and heavy oxide tonnes in each tonne of the refiners' ore
    ore_in = book.ore_content.take(layout.pair_cells[REFINER])
    grade = ratio(ore_in, stock[refiners, None])
    room = np.maximum(
        SELLER_COVER * _expected_sales(book, layout.cover_cells) - book.stock.take(layout.cover_cells), 0.0
    )
    producers = slice(0, refiners.stop)
    capacity = Firm.monthly_capacity(model, rows[producers])
    wanted, possible = _wanted_and_possible(model, stock, room[miners], capacity[miners], mix)
    done = np.minimum(wanted, possible)
    mined, made, feed, delivered = done[miners], done[makers], done[refiners], done[users]

    taken = feed[:, None] * grade  # light and heavy tonnes in the feed
    light, heavy_in_feed = taken[:, LIGHT_COLUMN], taken[:, HEAVY_COLUMN]
    heavy = np.minimum(heavy_in_feed, room[miners.stop :] + 0.005 * heavy_in_feed)
    by_products = feed - light - heavy
    moved = np.concatenate((done, heavy, light, (made[:, None] * mix).ravel()))
    book.stock.put(cells, stock + layout.work_sign * moved)
    _move_ore_content(model, mined, taken, ore_in)
    pairs = layout.pair_cells[REFINER]
    feed_grade = model.feed_grade.take(pairs)
    model.feed_grade.put(pairs, np.where((feed > 1e-12)[:, None], _smooth(feed_grade, grade), feed_grade))
    # inputs used: refiners' and manufacturers' plans, magnet makers' oxides for theirs
    used = np.concatenate((wanted[refiners.start :], (wanted[makers, None] * mix).ravel()))
    book.use_avg.put(layout.use_cells, _smooth(book.use_avg.take(layout.use_cells), used))
    # producers' utilisation is smoothed and they pay their unit costs (of the feed, for refiners); users'
    # utilisation is the share of their demand met
    rate = ratio(done, np.concatenate((capacity, wanted[users])))
    running = rows[producers]
    book.utilisation.put(running, _smooth(book.utilisation.take(running), rate[producers]))
    book.utilisation.put(rows[users], rate[users])
    book.cash.put(running, book.cash.take(running) - done[producers] * book.unit_cost.take(running) * 1000.0)

    report = np.bincount(
        layout.work_report_key,
        np.concatenate((done[: makers.stop], light + heavy, wanted[users], done[users])),
        minlength=(3 + 2 * N_SECTORS) * N_COUNTRIES,
    )
    model.month_output = {
        stage: report[s * N_COUNTRIES : (s + 1) * N_COUNTRIES]
        for s, stage in enumerate(("mined", "refined", "magnets"))
    }
    sectors = report[3 * N_COUNTRIES :].reshape(2, N_COUNTRIES, N_SECTORS)
    model.month_demand, model.month_delivered = sectors[0], sectors[1]
    return mined, by_products, delivered


def _wanted_and_possible(
    model, stock: np.ndarray, room: np.ndarray, capacity: np.ndarray, mix: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Phase 6's rows (`layout.work_rows`): what each wants to make or use, and what it can. Mines mine to
    restore their sales cover within the state's quota; refineries feed their plan within their ore;
    magnet plants make their plan within either oxide; manufacturers use their plan within their magnets."""
    layout = model.layout
    miners, makers = layout.work_part[MINER], layout.work_part[MAGNET_MAKER]
    wanted = model.book.plan.take(layout.work_rows)
    wanted[miners] = _mines_running(model, room, stock[miners], capacity)
    possible = stock[: len(wanted)].copy()  # refiners' ore and manufacturers' magnets in stock
    possible[miners] = model.mining_limit(layout.work_rows[miners])
    oxides = stock[layout.work_oxides].reshape(-1, 2)
    makeable = ratio(oxides, mix)  # magnets each oxide in stock is enough for
    possible[makers] = np.minimum(makeable[:, LIGHT_COLUMN], makeable[:, HEAVY_COLUMN])
    return wanted, possible


def _mines_running(model, wanted: np.ndarray, ore: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Tonnes each mine wants to mine: `wanted`, to restore its sales cover. A mine is a fixed-cost operation:
    when a control cuts it off from usual buyers abroad it keeps running at its normal rate and stores the
    concentrate, up to `ore_storage_months` of that rate, for home refining or for when trade resumes (MP
    mined a record 50.7 kt in 2025 after its Chinese outlet shut)."""
    storage = model.calibration.parameters.get("ore_storage_months", 0.0)
    if storage > 0 and np.count_nonzero(model.office.level[:, ORE, :]):  # no control on ore: no one cut off
        # exporters with a control on ore to a country that used to buy from them
        cut_off = ((model.office.level[:, ORE, :] > 0) & (model.origin_share[ORE] > 0)).any(axis=1)
        if cut_off.any():
            normal = capacity * model.base_utilisation.take(model.rows[MINER])
            keep_running = cut_off[model.layout.country_of[MINER]] & (ore < storage * normal)
            wanted = np.where(keep_running, np.maximum(wanted, normal), wanted)
    return wanted


def _move_ore_content(model, mined: np.ndarray, taken: np.ndarray, refiners_content: np.ndarray) -> None:
    """The light and heavy tonnes inside ore stocks: mines add their ore's (at this month's grade),
    refineries lose what they fed."""
    book, layout = model.book, model.layout
    pairs = layout.pair_cells[MINER]
    grade = model.mined_grade()[layout.country_of[MINER]]
    book.ore_content.put(pairs, book.ore_content.take(pairs) + mined[:, None] * grade)
    book.ore_content.put(layout.pair_cells[REFINER], refiners_content - taken)
