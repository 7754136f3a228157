"""What sellers bring to market: mining limits under quotas, processors' margins, and normal supply."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.firms import Miner, willingness

from . import market
from .constants import CN, COUNTRIES, HEAVY, LIGHT, MAGNET, MINER, ORE, REFINER, SELLER_KIND, STAGE_KIND
from .demand import heavy_share_of
from .measures import ActiveMeasure, MeasureRule, composer, latest_by, register


def normal_supply(model, rows: np.ndarray, product: int) -> np.ndarray:
    """Monthly tonnes a seller normally brings to market: its capacity at its reference utilisation
    (within any quota), times the product's share of a refinery's output, less what thin margins cut."""
    normal = Miner.monthly_capacity(model, rows) * model.base_utilisation[rows]
    willing = None if product == ORE else willingness(margin_index(model, rows))
    return _brought(model, rows, product, normal, willing)


def _brought(model, rows: np.ndarray, product: int, normal: np.ndarray, willing: np.ndarray | None) -> np.ndarray:
    """What of `normal` (capacity at the reference utilisation) the rows bring of `product`; `willing`: the
    share processors still make at their margins (None for ore)."""
    if product == ORE:
        return np.minimum(normal, model.mining_limit(rows))
    # processors squeezed by their input costs bring less to market, so buyers turn to cheaper makers
    normal = normal * willing
    if product in (LIGHT, HEAVY):
        return normal * model.feed_grade[rows, product - LIGHT]
    return normal


def normal_supplies(model, sellers: market.Side) -> np.ndarray:
    """`normal_supply` of each entry of a market's sellers (product after product), capacities all at once;
    both oxides come from the same refiners, whose willingness is worked out once."""
    normal = Miner.monthly_capacity(model, sellers.rows) * model.base_utilisation.take(sellers.rows)
    willing: dict[int, np.ndarray] = {}
    parts = []
    for i, p in enumerate(sellers.products):
        part = sellers.part(i)
        rows, kind = sellers.rows[part], SELLER_KIND[p]
        if p != ORE and kind not in willing:
            willing[kind] = willingness(margin_index(model, rows))
        parts.append(_brought(model, rows, p, normal[part], willing.get(kind)))
    return np.concatenate(parts)


UNREGISTERED_CAP = 1.5  # at most this times the calibrated Dy/Tb share: the clays mined are finite


def update_unregistered_pull(model) -> None:
    """China's Dy/Tb price above its start draws unregistered ionic-clay mining back in over months (in
    2011 private miners flooded the market to catch the price surge); a fall sends it away again."""
    sc = model.scenario.market
    if sc.unregistered_response <= 0:
        return
    rise = max(float(np.log(model.prices[HEAVY, market.CHINA] / model.start_prices[HEAVY, market.CHINA])), 0.0)
    model.unregistered_pull += (rise - model.unregistered_pull) / sc.unregistered_months


def mined_grade(model) -> np.ndarray:
    """Light and heavy shares of a tonne of ore mined in each country this month: the grade (as events have
    set it), China's Dy/Tb raised by the unregistered mining a high price has drawn in."""
    response = model.scenario.market.unregistered_response
    if response <= 0 or model.unregistered_pull <= 0:
        return model.ore_grade
    grade = model.ore_grade.copy()
    raised = grade[CN, 1] * (1.0 + response * model.unregistered_pull)
    grade[CN, 1] = min(raised, UNREGISTERED_CAP * model.registered_grade[CN, 1])
    return grade


def margin_index(model, rows: np.ndarray, contracts: bool = True) -> np.ndarray:
    """A processor's value-to-cost ratio (output value over inputs plus conversion) now, relative to
    the same ratio at start prices, in its own market. Magnet makers outside China sell part of their
    output on term contracts whose price is reset to cover their oxide costs (Shin-Etsu's and Hitachi
    Metals' six-month contracts with carmakers in 2010-11); on that part their margin holds. `contracts=False`
    gives the spot margin alone, which is what a decision to move production weighs.

    Worked out for every row once per change (`RareEarthModel._margin_version`: prices, feed grades and
    thrift move only in phase 6), then read: plans, normal supply, relocation and expansions all ask for it."""
    version, with_contracts, spot, _ = model._margin_cache
    if version != model._margin_version:
        with_contracts, spot, _ = _refresh_margins(model)
    return (with_contracts if contracts else spot)[rows]


def value_to_cost(model) -> np.ndarray:
    """Every row's value of output over inputs plus conversion at today's prices in its own market (the ratio
    of `value_and_cost`; meaningful for processors): what `margin_index` compares with the start's."""
    version, _, _, now = model._margin_cache
    return now if version == model._margin_version else _refresh_margins(model)[2]


def _refresh_margins(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    margins = _margins(model)
    model._margin_cache = (model._margin_version, *margins)
    return margins


def _margins(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`margin_index` of every row (meaningful for processors), with and without term contracts, and
    `value_to_cost`."""
    layout = model.layout
    # `value_and_cost` of every row, now and at the start in one pass: each product's (now, start) x row
    # prices in the row's market, gathered from both tables at once (`layout.margin_price_key`)
    ore, light, heavy, magnet = np.concatenate((model.prices, model.start_prices)).ravel()[layout.margin_price_key]
    grade_light, grade_heavy = model.feed_grade.T.copy()  # (a copy: contiguous rows multiply faster)
    h = model.heavy_share * model.heavy_thrift[layout.market]  # demand.heavy_share_of, every row
    value = np.where(layout.refining, grade_light * light + grade_heavy * heavy, magnet)
    cost = np.where(layout.refining, ore, (1 - h) * light + h * heavy) + model.book.unit_cost
    now, then = value / cost
    spot = now / then
    contracted = model.scenario.market.term_contract_share
    if contracted <= 0:
        return spot, spot, now
    return np.where(layout.on_term_contracts, contracted + (1 - contracted) * spot, spot), spot, now


def value_and_cost(model, rows: np.ndarray, prices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per tonne of output (magnets) or feed (refiners): value of what comes out, cost of what goes in."""
    refining = model.book.kind[rows] == REFINER
    # Callers mostly pass rows of one kind: then only that kind's side is worked out (the same numbers
    # np.where would pick), which halves the work of this function, called a dozen times a month.
    if refining.all():
        grade = model.feed_grade[rows]
        value = grade[:, 0] * prices[LIGHT] + grade[:, 1] * prices[HEAVY]
        inputs = prices[ORE]
    elif not refining.any():
        h = heavy_share_of(model, rows)
        value = prices[MAGNET].copy()
        inputs = (1 - h) * prices[LIGHT] + h * prices[HEAVY]
    else:
        grade = model.feed_grade[rows]
        h = heavy_share_of(model, rows)
        value = np.where(refining, grade[:, 0] * prices[LIGHT] + grade[:, 1] * prices[HEAVY], prices[MAGNET])
        inputs = np.where(refining, prices[ORE], (1 - h) * prices[LIGHT] + h * prices[HEAVY])
    return value, inputs + model.book.unit_cost[rows]


def mining_limits(model) -> np.ndarray:
    """Monthly mining limits by row: plant capacity, and a state's quota shared by capacity within it."""
    rows = model.rows[MINER]
    book = model.book
    limit = np.zeros(book.n)
    limit[rows] = Miner.monthly_capacity(model, rows)
    for state in model.states.values():
        if state.quota_t is None:
            continue
        own = model.layout.miners_in[state.country_id]
        total = limit[own].sum()
        if total > state.quota_t / 12.0 and total > 0:
            limit[own] *= state.quota_t / 12.0 / total
    return limit


# ---------------------------------------------------------------------------------------------- measures
@composer("capacity")
def compose_capacity(model, measures: list[ActiveMeasure]) -> None:
    """Capacity shocks multiply: each row's share of its plant that runs."""
    factor = np.ones(model.book.n)
    for measure in measures:
        factor[measure.state] *= measure.event.factor
    model.book.capacity_factor[:] = factor


def _capacity_shock(model, measure: ActiveMeasure) -> tuple[str, str]:
    event = measure.event
    rows = model.rows[STAGE_KIND[event.stage]]
    measure.state = rows[model.book.country[rows] == COUNTRIES.index(event.country)]
    return f"{event.stage} capacity in {event.country} x{event.factor:g}", "capacity shock set by the scenario"


register(
    MeasureRule(
        "capacity_shock",
        "capacity",
        _capacity_shock,
        lambda m: (
            m.event.actor,
            "capacity_shock_ends",
            m.event.country,
            f"{m.event.stage} capacity restored",
            "the disruption was temporary",
        ),
    )
)


def _graded(grade: np.ndarray, event) -> np.ndarray:
    """A country's ore mix after an `ore_grade` event's factors: the rare-earth shares of a tonne of ore
    cannot pass the whole tonne."""
    changed = grade * (event.light_factor, event.heavy_factor)
    return changed / changed.sum() if changed.sum() > 1.0 else changed


@composer("ore_grade")
def compose_ore_grade(model, measures: list[ActiveMeasure]) -> None:
    """The calibrated grade, with each change in force applied in order of arrival."""
    grade = model.registered_grade.copy()
    for measure in measures:
        c = COUNTRIES.index(measure.event.country)
        grade[c] = _graded(grade[c], measure.event)
    model.ore_grade[:] = grade


def _ore_grade(model, measure: ActiveMeasure) -> tuple[str, str]:
    event = measure.event
    before = model.ore_grade[COUNTRIES.index(event.country)]
    changed = _graded(before, event)
    return (
        f"ore mined in {event.country}: NdPr {before[0]:.3f} -> {changed[0]:.3f}, "
        f"Dy/Tb {before[1]:.4f} -> {changed[1]:.4f} of a tonne"
    ), "ore grade set by the scenario"


register(
    MeasureRule(
        "ore_grade",
        "ore_grade",
        _ore_grade,
        lambda m: (
            m.event.actor,
            "ore_grade_ends",
            m.event.country,
            "ore grade back to what it was",
            "the change was temporary",
        ),
    )
)


@dataclass
class QuotaLevel:
    """A mining quota measure's level: set by the event, grown since by the state's quota batches."""

    tonnes_per_year: float


@composer("mining_quota")
def compose_mining_quotas(model, measures: list[ActiveMeasure]) -> None:
    """Each state's quota: the latest quota measure in force, else the state's own."""
    latest = latest_by(measures, lambda m: m.actor)
    for country, state in model.states.items():
        top = latest.get(country)
        base = state.own_quota_t if top is None else top.state.tonnes_per_year
        state.quota_t = None if base is None else base * (1.0 + state.quota_extra)


def grow_quota(model, state, factor: float, extra: float = 0.0) -> None:
    """A state's quota batch: its own quota and every quota measure on it grow alike; `extra` is this half
    year's top-up above them (it does not carry into the next batch)."""
    if state.own_quota_t is not None:
        state.own_quota_t *= factor
    for measure in model.measures.of_slot("mining_quota"):
        if measure.actor == state.country:
            measure.state.tonnes_per_year *= factor
    state.quota_extra = extra
    model.measures.compose(model, "mining_quota")


def _mining_quota(model, measure: ActiveMeasure) -> tuple[str, str]:
    event = measure.event
    old = model.states[event.actor].quota_t
    measure.state = QuotaLevel(event.tonnes_per_year)
    old_text = "none" if old is None else f"{old:,.0f}"
    return f"{old_text} -> {event.tonnes_per_year:,.0f} t/yr", "mining quota set by the scenario"


register(MeasureRule("mining_quota", "mining_quota", _mining_quota))
