"""Firm agents: miners, refiners, magnet makers and manufacturers.

Each firm is a Mesa agent that knows its row in the model's `FirmBook`; the monthly decisions are class
methods that decide for all firms of the kind at once (vectorised over their rows):

- `plan(model, rows)`: how much to make this month and what to order (phase 3);
- `operate(model, rows)`: turn inputs into outputs once the markets have cleared (phase 6).

Ordering follows the stock-management rule of supply-chain models: order what you expect to use, plus a
share of the gap between the stock you want and the stock you have (counting goods on the way). Buyers
want more cover when supply looks at risk, which is what makes spikes bigger than the cut.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.constants import HEAVY, LIGHT, MAGNET, MAGNET_MAKER, MANUFACTURER, MINER, ORE, REFINER
from sim.market import EPS, ratio
from sim.ore_allotment import allotted_ore
from sim.prices import wanted_cover

STOCK_ADJUST_MONTHS = 3.0  # close a stock gap over this many months
SELLER_COVER = 1.2  # months of sales a seller counts as normal stock on hand after producing
MARGIN_SENSITIVITY = 3.5
SMOOTHING = 0.3  # weight of this month in moving averages


def _smooth(average: np.ndarray, value: np.ndarray) -> np.ndarray:
    return average + SMOOTHING * (value - average)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """`sim.market.ratio` for a numerator whose shape is the result's (no broadcast shape to work out)."""
    return np.divide(numerator, denominator, out=np.zeros(numerator.shape), where=denominator > EPS)


def _expected_sales(book, rows: np.ndarray, product) -> np.ndarray:
    """What buyers have been asking for, or buying if more (asks can exceed what could be sold)."""
    return np.maximum(book.sales_avg[rows, product], book.asked_avg[rows, product])


def _output_need(book, rows: np.ndarray, product) -> np.ndarray:
    """Output wanted this month: restore the sales cover after next month's expected sales. `product` a
    product, or a slice of products for a row x product table."""
    sales = _expected_sales(book, rows, product)
    left_after_sales = np.maximum(book.stock[rows, product] - sales, 0.0)
    return np.maximum(SELLER_COVER * sales - left_after_sales, 0.0)


def willingness(margin_index: np.ndarray) -> np.ndarray:
    """Share of the wanted output a processor still makes when its inputs eat into its margin: all of it
    at the start's value-to-cost ratio or better, less and less as the ratio falls (margin_index **
    MARGIN_SENSITIVITY: 0.53 at a ratio 19% down, 0.13 at half). A smooth curve rather than a cliff to
    zero, so processors whose margins hover near a threshold do not swing between idle and full output."""
    return margin_index.clip(0.0, 1.0) ** MARGIN_SENSITIVITY  # the method: np.clip adds two Python calls


def _input_order(model, rows: np.ndarray, product, use: np.ndarray) -> np.ndarray:
    """Expected use plus a share of the gap to the (risk-raised) target stock. `product` a product, or an
    array of products with `rows[:, None]` for a row x product table."""
    book = model.book
    wanted = wanted_cover(model, rows, product) * book.use_avg[rows, product]
    have = book.stock[rows, product] + book.transit[:, rows, product].sum(axis=0)
    return np.maximum(use + (wanted - have) / STOCK_ADJUST_MONTHS, 0.0)


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

    @classmethod
    def monthly_capacity(cls, model, rows: np.ndarray) -> np.ndarray:
        book = model.book
        return book.capacity[rows] * book.capacity_factor[rows] / 12.0


class Miner(Firm):
    kind = MINER

    @classmethod
    def plan(cls, model, rows: np.ndarray) -> None:
        model.book.plan[rows] = np.minimum(_output_need(model.book, rows, ORE), model.mining_limit(rows))

    @classmethod
    def operate(cls, model, rows: np.ndarray) -> np.ndarray:
        """Mine to restore the sales cover, within capacity and the state's quota; returns tonnes mined.
        A mine is a fixed-cost operation: when a control cuts it off from usual buyers abroad it keeps running
        at its normal rate and stores the concentrate, up to `ore_storage_months` of that rate, for home
        refining or for when trade resumes (MP mined a record 50.7 kt in 2025 after its Chinese outlet shut)."""
        book = model.book
        ore = book.stock[rows, ORE]
        wanted = np.maximum(SELLER_COVER * _expected_sales(book, rows, ORE) - ore, 0.0)
        capacity = cls.monthly_capacity(model, rows)
        countries = book.country[rows]
        storage = model.calibration.parameters.get("ore_storage_months", 0.0)
        if storage > 0:
            # exporters with a control on ore to a country that used to buy from them
            cut_off = ((model.office.level[:, ORE, :] > 0) & (model.origin_share[ORE] > 0)).any(axis=1)
            if cut_off.any():
                normal = capacity * model.base_utilisation[rows]
                keep_running = cut_off[countries] & (ore < storage * normal)
                wanted = np.where(keep_running, np.maximum(wanted, normal), wanted)
        mined = np.minimum(wanted, model.mining_limit(rows))
        book.stock[rows, ORE] = ore + mined
        book.ore_content[rows] += mined[:, None] * model.mined_grade()[countries]
        book.utilisation[rows] = _smooth(book.utilisation[rows], _ratio(mined, capacity))
        book.cash[rows] -= mined * book.unit_cost[rows] * 1000.0
        return mined


OXIDES = slice(LIGHT, HEAVY + 1)  # a refiner's outputs and a magnet maker's inputs: light, heavy oxide
OXIDE_PRODUCTS = np.arange(LIGHT, HEAVY + 1)


def _oxide_mix(model, rows: np.ndarray) -> np.ndarray:
    """Tonnes of light and heavy oxide in a tonne of each maker's magnets (row x oxide)."""
    h = model.heavy_share_of(rows)
    mix = np.empty((len(rows), 2))
    mix[:, 0] = 1.0 - h
    mix[:, 1] = h
    return mix


class Refiner(Firm):
    kind = REFINER

    @classmethod
    def plan(cls, model, rows: np.ndarray) -> None:
        book = model.book
        grade = model.feed_grade[rows]
        need = _output_need(book, rows, OXIDES)
        # light and heavy come out together: run for each in proportion to the revenue it brings
        value = grade * model.prices[OXIDES, model.layout.market[rows]].T
        weight = ratio(value, value.sum(axis=1, keepdims=True))
        feed_for = weight * _ratio(need, grade)  # feed wanted for each oxide, weighted
        feed = feed_for[:, 0] + feed_for[:, 1]
        feed *= willingness(model.margin_index(rows))
        plan = np.minimum(feed, cls.monthly_capacity(model, rows))
        book.plan[rows] = plan
        book.need_now[rows, ORE] = plan
        book.order[rows, ORE] = allotted_ore(model, rows, _input_order(model, rows, ORE, plan))

    @classmethod
    def operate(cls, model, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Separate ore into light and heavy oxide; returns (light, heavy, co-products) tonnes."""
        book = model.book
        stock = book.stock[rows]  # a copy, written back once
        content = book.ore_content[rows]
        plan = book.plan[rows]
        feed = np.minimum(plan, stock[:, ORE])
        grade = _ratio(content, stock[:, ORE, None])
        taken = feed[:, None] * grade  # light and heavy tonnes in the feed
        light, heavy_in_feed = taken[:, 0], taken[:, 1]
        # Dy/Tb are separated only as far as buyers want them; the rest leaves with the co-products.
        heavy_room = np.maximum(SELLER_COVER * _expected_sales(book, rows, HEAVY) - stock[:, HEAVY], 0.0)
        heavy = np.minimum(heavy_in_feed, heavy_room + 0.005 * heavy_in_feed)
        by_products = feed - light - heavy
        stock[:, ORE] -= feed
        stock[:, LIGHT] += light
        stock[:, HEAVY] += heavy
        book.stock[rows] = stock
        book.ore_content[rows] = content - taken
        has_feed = feed > 1e-12
        feed_grade = model.feed_grade[rows]
        model.feed_grade[rows] = np.where(has_feed[:, None], _smooth(feed_grade, grade), feed_grade)
        book.use_avg[rows, ORE] = _smooth(book.use_avg[rows, ORE], plan)
        book.utilisation[rows] = _smooth(book.utilisation[rows], _ratio(feed, cls.monthly_capacity(model, rows)))
        book.cash[rows] -= feed * book.unit_cost[rows] * 1000.0
        return light, heavy, by_products


class MagnetMaker(Firm):
    kind = MAGNET_MAKER

    @classmethod
    def plan(cls, model, rows: np.ndarray) -> None:
        book = model.book
        wanted = _output_need(book, rows, MAGNET) * willingness(model.margin_index(rows))
        plan = np.minimum(wanted, cls.monthly_capacity(model, rows))
        book.plan[rows] = plan
        need = plan[:, None] * _oxide_mix(model, rows)
        book.need_now[rows, OXIDES] = need
        book.order[rows, OXIDES] = _input_order(model, rows[:, None], OXIDE_PRODUCTS, need)

    @classmethod
    def operate(cls, model, rows: np.ndarray) -> np.ndarray:
        """Make magnets from light and heavy oxide in fixed proportion; returns tonnes made."""
        book = model.book
        mix = _oxide_mix(model, rows)
        stock = book.stock[rows]  # a copy, written back once
        plan = book.plan[rows]
        makeable = _ratio(stock[:, OXIDES], mix)  # magnets each oxide in stock is enough for
        made = np.minimum(plan, np.minimum(makeable[:, 0], makeable[:, 1]))
        stock[:, OXIDES] -= made[:, None] * mix
        stock[:, MAGNET] += made
        book.stock[rows] = stock
        book.use_avg[rows, OXIDES] = _smooth(book.use_avg[rows, OXIDES], plan[:, None] * mix)
        book.utilisation[rows] = _smooth(book.utilisation[rows], _ratio(made, cls.monthly_capacity(model, rows)))
        book.cash[rows] -= made * book.unit_cost[rows] * 1000.0
        return made


class Manufacturer(Firm):
    """Builds products (cars, turbines, motors, devices, weapons) that need magnets: final demand."""

    kind = MANUFACTURER

    def __init__(self, model, row: int, name: str, sector: str):
        super().__init__(model, row, name)
        self.sector = sector

    @classmethod
    def plan(cls, model, rows: np.ndarray) -> None:
        book = model.book
        plan = model.final_demand(rows)
        book.plan[rows] = plan
        book.need_now[rows, MAGNET] = plan
        book.order[rows, MAGNET] = _input_order(model, rows, MAGNET, plan)

    @classmethod
    def operate(cls, model, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Use magnets for this month's output; returns (demand, delivered) tonnes per row."""
        book = model.book
        demand = book.plan[rows]
        delivered = np.minimum(demand, book.stock[rows, MAGNET])
        book.stock[rows, MAGNET] -= delivered
        book.use_avg[rows, MAGNET] = _smooth(book.use_avg[rows, MAGNET], demand)
        book.utilisation[rows] = ratio(delivered, demand)
        return demand, delivered


FIRM_CLASSES = (Miner, Refiner, MagnetMaker, Manufacturer)
