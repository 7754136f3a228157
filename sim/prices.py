"""Price formation: each month's move of the two price levels, and the pulls on where sellers sell.

`market.price_step` moves the prices; this module feeds it each market's cover, wants and unfilled orders,
and keeps the level traders measure scarcity against (the expected price), which drifts back to normal and
is arbitraged towards China's price where Chinese exports flow freely.
"""

from __future__ import annotations

import numpy as np

from . import market
from .constants import (
    CN,
    COUNTRIES,
    HEAVY,
    LIGHT,
    MAGNET,
    MANUFACTURER,
    MARKETS,
    N_COUNTRIES,
    N_PRODUCTS,
    ORE,
    PRODUCTS,
    P,
)
from .demand import heavy_bearing_share
from .licensing import BAN, LICENCE, NONE
from .measures import ActiveMeasure, MeasureRule, composer, latest_by, register

MOMENTUM_MEMORY = 0.3  # weight of this month's price change in the smoothed recent change
MAX_HELD_AT_HOME = 0.5  # a bound on the share of China's supply its controls can hold at home


def wanted_cover(model, rows: np.ndarray, p) -> np.ndarray:
    """Months of use each buyer wants in stock: the normal cover, raised by the supply risk it sees
    (precaution), by recent price rises in its market (buying ahead of further rises; when prices
    fall the extra stock is run down) and by any hoarding a scenario sets in its market. `p` a product, or an
    array of products with `rows[:, None]` for a row x product table."""
    sc = model.scenario.market
    markets = model.layout.market[rows]
    rising = model.price_momentum[p, markets].clip(0.0, 1.0)  # the method: np.clip adds two Python calls
    return model._target_cover[p] * (
        1.0 + sc.precaution * model.book.risk[rows, p] + sc.speculation * rising + model.hoarding[p, markets]
    )


def buyers_cover(model) -> np.ndarray:
    """`wanted_cover` for every product's firm buyers at once, in `layout.buy_flat` order."""
    sc, layout = model.scenario.market, model.layout
    price_cells = layout.buy_price_flat
    cover = 1.0 + sc.precaution * model.book.risk.take(layout.buy_flat)
    if sc.speculation:  # (none adds 0 to every cover: the same sums without the price momentum)
        cover += sc.speculation * model.price_momentum.take(price_cells).clip(0.0, 1.0)
    return model._target_cover[layout.buy_product] * (cover + model.hoarding.take(price_cells))


def magnet_cost_change(model) -> np.ndarray:
    """Per market, the change since the start in the oxide cost of a tonne of magnet REO (USD/kg)."""
    h = model.heavy_share * model.heavy_thrift
    delta = model.prices - model.start_prices
    return (1 - h) * delta[LIGHT] + h * delta[HEAVY]


def update_prices(model) -> None:
    sc = model.scenario.market
    before = model.prices.copy()
    contract_months = int(model.calibration.parameters.get("china_ore_contract_months", 0))
    # China's sellers must sell at home what its controls hold back: the price they can expect falls with it
    expected = model.expected_prices.copy()
    held_back = held_at_home(model)
    if np.count_nonzero(held_back):  # (most months nothing: x 1 changes no price)
        expected[:, market.CHINA] *= 1.0 - held_back
    wanted, held, orders, unmet = market_sums(model)
    share = np.divide(unmet, orders, out=np.zeros(unmet.shape), where=orders > 1e-12)
    priced = np.ones(before.shape, dtype=bool)  # (product, market) cells whose price the market set
    if contract_months > 0:  # (read before any price moves: the contract reads this month's)
        contract = china_ore_contract(model, contract_months)
        priced[ORE, market.CHINA] = False
    model.prices[:] = market.price_step(
        before,
        expected,
        held,
        wanted,
        share,
        sc.cover_elasticity,
        sc.unmet_response,
        sc.price_speed,
        sc.max_monthly_change,
        sc.cover_floor,
    )
    if contract_months > 0:
        model.prices[ORE, market.CHINA] = contract
    # Recent price rises, smoothed: buyers who expect dearer inputs stock up ahead of them.
    change = np.log(model.prices / before)
    _report_caps(model, priced, held, wanted, change)
    model.price_momentum += MOMENTUM_MEMORY * (change - model.price_momentum)
    # The price traders expect (the level scarcity is measured against) drifts back to its normal,
    # cost-based level (magnets' normal level carries their makers' oxide costs), follows the market
    # price while scarcity lasts, and where Chinese exports flow freely it is arbitraged towards China's.
    normal = model.start_prices
    if sc.cost_pass_through:  # (none passed through adds 0 to every price: the start's)
        normal = normal.copy()
        normal[MAGNET] += sc.cost_pass_through * magnet_cost_change(model)
    model.expected_prices += (normal - model.expected_prices) / sc.normal_price_months
    # magnet makers quote cost plus margin: dearer oxides raise the price their buyers expect at once
    model.expected_prices[MAGNET] = np.maximum(model.expected_prices[MAGNET], normal[MAGNET])
    if sc.expectation_months > 0:
        # only upwards: where the market price is above the expected one
        model.expected_prices += np.maximum(model.prices - model.expected_prices, 0.0) / sc.expectation_months
    parity = model.prices[:, market.CHINA] * model.start_prices[:, market.WORLD] / model.start_prices[:, market.CHINA]
    gap = parity - model.expected_prices[:, market.WORLD]
    model.expected_prices[:, market.WORLD] += export_openness(model) * gap / sc.arbitrage_months


def market_sums(model) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Product x market sums: the stock buyers and sellers want, what firms hold or have on the way, and
    buyers' orders and unfilled orders. One bincount over all four (`layout.market_sums_key`); each sum
    adds its terms in the order a loop over products would."""
    book, layout = model.book, model.layout
    buy_cells, firms = layout.buy_flat, slice(0, layout.n_firms)
    terms = np.concatenate(
        (
            model.buyers_cover * book.use_avg.take(buy_cells),
            1.2 * book.sales_avg.take(layout.sell_flat),
            (book.stock[firms] + book.in_transit()[firms]).ravel(),
            book.order.take(buy_cells),
            book.unmet.take(buy_cells),
        )
    )
    sums = np.bincount(layout.market_sums_key, terms, minlength=4 * 2 * N_PRODUCTS).reshape(4, N_PRODUCTS, 2)
    return sums[0], sums[1], sums[2], sums[3]


def china_ore_contract(model, months: int) -> float:
    """China's ore changes hands inside the two state groups that mine and separate it, at a contract price
    reset every `months` to follow the value of the oxides a tonne yields over the period before (Baogang's
    concentrate: +37% for Q4 2025 after NdPr's summer rise, +2.4% for Q1 2026); between resets it holds, and
    scarce ore is rationed by quantity rather than bid up."""
    price = float(model.prices[ORE, market.CHINA])
    if model.month % months:
        return price
    grade = model.registered_grade[CN]
    done = model.months_run  # months already recorded
    past = model.recorder.price[max(done - months, 0) : done] if done > 0 else model.start_prices[None]
    value = (grade[0] * past[:, LIGHT, market.CHINA] + grade[1] * past[:, HEAVY, market.CHINA]).mean()
    start = grade[0] * model.start_prices[LIGHT, market.CHINA] + grade[1] * model.start_prices[HEAVY, market.CHINA]
    return float(model.start_prices[ORE, market.CHINA] * value / start)


def export_openness(model) -> np.ndarray:
    """Per product, the share of world demand that China may supply freely (licences count as half
    open at a 100% approval rate, less at lower ones)."""
    office = model.office
    if not np.count_nonzero(office.level[CN]):  # no control from China (most months): all of it is open
        return np.ones(N_PRODUCTS)
    closed = np.where(
        office.level[CN] == BAN, 1.0, np.where(office.level[CN] == LICENCE, 1.0 - 0.5 * office.approval_rate[CN], 0.0)
    )
    use = model.use_by_country()
    use[CN] = 0.0
    total = use.sum(axis=0)
    weights = np.divide(use, total, out=np.zeros_like(use), where=total > 0)
    return 1.0 - (closed.T * weights).sum(axis=0)


def held_at_home(model) -> np.ndarray:
    """Per product, the share of China's supply that its own licence regimes hold at home for good, as it
    lowers the price China's sellers can expect. Only Dy/Tb: they are co-products of the ore run for NdPr, so
    what a licence office refuses (1 - the approval rate; none for civil users a general licence covers)
    stays on Chinese shelves rather than unmade, both as oxide and inside the heavy-bearing magnets held back
    (on magnets only the grades the control reaches); main products (NdPr, magnets) are simply made less.
    China's Dy and Tb oxide fell 19% and 7% from March to December 2025 while exports were held (V22). A
    customs hold or a ban (a halt such as 2010's two months against Japan) delays what will ship when it
    ends: exporters keep the stock for then, and the price traders expect at home does not move."""
    office = model.office
    out = np.zeros(N_PRODUCTS)
    if not np.count_nonzero(office.level[CN]):  # no control from China (most months): nothing held
        return out
    level, rate = office.level[CN], office.approval_rate[CN]  # product x importer
    blocked = np.where(level == LICENCE, 1.0 - rate, 0.0)
    if not blocked[HEAVY : MAGNET + 1].any():
        return out
    for p in (HEAVY, MAGNET):
        for m in np.flatnonzero(level[p] == LICENCE):
            regime = office.regime(CN, p, int(m))
            if office.general_licence(CN, p, int(m), model.month):
                blocked[p, m] = 0.0  # civil users there need no licence
            elif p == MAGNET and regime is not None and regime.covers == "heavy_bearing":
                blocked[p, m] *= magnet_reach(model, int(m), market.CHINA)
    use = model.use_by_country()  # country x product
    usual = model.origin_share[:, CN, :] * use.T  # product x importer: what China's buyers abroad take from it
    usual[:, CN] = 0.0
    h = model.heavy_share * model.heavy_thrift[market.CHINA]
    held = (blocked[HEAVY] * usual[HEAVY]).sum() + h * (blocked[MAGNET] * usual[MAGNET]).sum()
    supply = use[CN, HEAVY] + usual[HEAVY].sum()
    out[HEAVY] = min(held / supply, MAX_HELD_AT_HOME) if supply > 1e-12 else 0.0
    return out


def magnet_reach(model, importer: int, exporter_market: int) -> float:
    """Use-weighted share of an importer's magnets that a heavy-bearing control reaches (grades with Dy/Tb as
    the exporter's makers make them)."""
    rows = model.rows[MANUFACTURER]
    rows = rows[model.book.country[rows] == importer]
    use = model.book.use_avg[rows, MAGNET]
    if use.sum() <= 1e-12:
        return 0.0
    return float((heavy_bearing_share(model, rows, exporter_market) * use).sum() / use.sum())


def price_pull(model, product: int) -> np.ndarray:
    """Exporter x importer multipliers on one product's trade links: see `price_pulls`."""
    return price_pulls(model, slice(product, product + 1))[0]


def price_pulls(model, products: slice) -> np.ndarray:
    """Sellers lean towards the market that pays more (China's exports rise when world prices do), but only
    where trade is free: on a pair under licence or ban, what crosses follows the licences, not the price
    gap the control itself opened (China's refiners could not chase 2025's world Dy/Tb prices).
    Product x exporter x importer multipliers for the `products` (a slice of the product axis)."""
    strength = model.scenario.market.price_pull
    # Python's scalar power, as before: numpy's array power rounds a few last bits differently
    relative = (model.prices[products] / model.start_prices[products]).tolist()  # plain floats: faster scalars
    level = model.office.level[:, products, :].transpose(1, 0, 2)  # product x exporter x importer
    pull = np.ones((len(relative), N_COUNTRIES, N_COUNTRIES))
    pull[:, CN, :] = [[(world / china) ** strength] for china, world in relative]
    pull[:, :, CN] = [[(china / world) ** strength] for china, world in relative]
    if np.count_nonzero(level[:, CN]) or np.count_nonzero(level[:, :, CN]):  # (a fraction of the cost of .any())
        pull[:, CN, :] = np.where(level[:, CN, :] == NONE, pull[:, CN, :], 1.0)
        pull[:, :, CN] = np.where(level[:, :, CN] == NONE, pull[:, :, CN], 1.0)
    pull[:, CN, CN] = 1.0
    return pull


def _report_caps(model, priced: np.ndarray, held: np.ndarray, wanted: np.ndarray, change: np.ndarray) -> None:
    """The cover floor and the monthly change limit, where each bound a price the market set (in the order
    the prices were set, product by product: the first hit of each is logged)."""
    sc = model.scenario.market
    # (where no stock is wanted the cover is infinite: no floor binds)
    short = np.divide(held, wanted, out=np.full(held.shape, np.inf), where=wanted > market.EPS) < sc.cover_floor
    at_limit = np.abs(change) >= sc.max_monthly_change * (1 - 1e-9)
    bound = (short | at_limit) & priced
    if not np.count_nonzero(bound):  # most months (np.count_nonzero: a fraction of the cost of .any())
        return
    for p, k in zip(*np.nonzero(bound)):
        if short[p, k]:
            model.caps.hit("cover_floor", f"{PRODUCTS[p]} {MARKETS[k]}")
        if at_limit[p, k]:
            model.caps.hit("max_monthly_change", f"{PRODUCTS[p]} {MARKETS[k]}")


# ---------------------------------------------------------------------------------------------- measures
@composer("hoarding")
def compose_hoarding(model, measures: list[ActiveMeasure]) -> None:
    """Extra covers wanted by hoarders add up, per product and market."""
    hoard = np.zeros_like(model.hoarding)
    for measure in measures:
        event = measure.event
        hoard[[P[name] for name in event.products], MARKETS.index(event.market)] += event.extra_cover
    model.hoarding[:] = hoard


def _hoarding(model, measure: ActiveMeasure) -> tuple[str, str]:
    event = measure.event
    return (
        f"buyers in the {event.market} market want {event.extra_cover:g}x their normal cover more "
        f"of {', '.join(event.products)}"
    ), "hoarding set by the scenario"


register(
    MeasureRule(
        "hoarding",
        "hoarding",
        _hoarding,
        lambda m: (
            m.event.actor,
            "hoarding_ends",
            m.event.market,
            f"buyers in the {m.event.market} market sell back their extra {', '.join(m.event.products)}",
            "the hoarding was temporary",
        ),
    )
)


@composer("floors")
def compose_floors(model, measures: list[ActiveMeasure]) -> None:
    """Each state's latest price floor in force on a product (0: none)."""
    floors = np.zeros_like(model.floors)
    for (actor, product), measure in latest_by(measures, lambda m: (m.actor, m.event.product)).items():
        floors[COUNTRIES.index(actor), P[product]] = measure.event.usd_per_kg
    model.floors[:] = floors


register(
    MeasureRule(
        "price_floor",
        "floors",
        lambda model, m: (
            f"{m.event.actor} guarantees {m.event.usd_per_kg:g} USD/kg for domestic {m.event.product}",
            "price floor set by the scenario",
        ),
    )
)
