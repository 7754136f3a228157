"""Markets: who ships how much to whom, and how prices move.

Clearing works on country totals (an exporter x importer matrix, a few passes so unmet orders find other
origins), then shares the result among firms in proportion to their offers and orders. Prices move with
the stock cover buyers and sellers hold against what they want to hold, and with orders left unfilled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import CN, N_COUNTRIES, ORE

CHINA, WORLD = 0, 1
ROUNDS = 4
COVER_FLOOR = 0.2  # default of market.cover_floor (see sim/caps.py)
EPS = 1e-12


def market_of_country() -> np.ndarray:
    out = np.full(N_COUNTRIES, WORLD)
    out[CN] = CHINA
    return out


MARKET_OF = market_of_country()


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


# Made once: markets clear four times a month, and building these each time cost more than the arithmetic.
ABROAD = _read_only(~np.eye(N_COUNTRIES, dtype=bool))  # exporter x importer: True off the diagonal
HOME = (_read_only(np.arange(N_COUNTRIES)),) * 2  # index of the diagonal (a country's own market)


def allocate(
    supply: np.ndarray,
    demand: np.ndarray,
    weight: np.ndarray,
    cap: np.ndarray,
    normal: np.ndarray | None = None,
    export_limit: np.ndarray | None = None,
    held: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Shipments T[exporter, importer] with T.sum(1) <= supply, T.sum(0) <= demand and T <= cap.

    Each importer splits what it needs across exporters in proportion to weight x each exporter's normal
    supply (so market shares rest on capacity, not on whoever happens to hold stock); oversubscribed
    exporters scale requests down; what is left tries again, weighted by unsold supply.
    `export_limit` caps each exporter's shipments abroad in total (an export quota).
    Also returns what importers first asked of each exporter: the demand a seller sees. `held` is, per
    exporter x importer under licence, the share of the orders a control holds back that the exporter
    expects to ship later (all of them while customs hold them, the approval rate under a licence): the
    seller keeps making for those, so supply a control holds back piles up at home instead of going unmade.
    """
    ship = np.zeros(weight.shape)
    left_supply = supply.astype(float)  # astype copies
    left_demand = demand.astype(float)
    left_cap = cap.astype(float)
    # Where no pair is capped (no licence, ban or hold: most months) every cap stays inf, so the steps that
    # track caps would multiply by 1, take the minimum with inf and subtract finite tonnes from inf: skipped.
    capped = not np.isinf(left_cap).all()
    asked = np.zeros(len(supply))
    abroad = ABROAD
    left_export = None if export_limit is None else export_limit.astype(float)
    for round_ in range(ROUNDS):
        if left_demand.sum() <= EPS or left_supply.sum() <= EPS:
            break
        open_links = weight * (left_cap > EPS) if capped else weight
        if round_ == 0 and normal is not None:
            request = balanced_requests(open_links, normal, left_demand)
        else:
            w = open_links * left_supply[:, None]
            total = w.sum(axis=0)
            # w / total * left_demand where total > EPS, else 0 (masked ufuncs: no np.errstate needed)
            has_links = total > EPS
            request = np.divide(w, total, out=np.zeros(w.shape), where=has_links)
            np.multiply(request, left_demand, out=request, where=has_links)
        if capped:
            request = np.minimum(request, left_cap)
        if left_export is not None:
            crossing = (request * abroad).sum(axis=1)
            squeeze = np.divide(left_export, crossing, out=np.ones_like(crossing), where=crossing > left_export)
            request = np.where(abroad, request * squeeze[:, None], request)
        requested = request.sum(axis=1)
        # what each seller was asked for, including orders turned away elsewhere (a seller sees them)
        asked = asked + (requested if round_ == 0 else np.maximum(requested - left_supply, 0.0))
        if round_ == 0 and held is not None and normal is not None and held.any():
            unheld = balanced_requests(weight * ((left_cap > EPS) | (held > 0)), normal, left_demand)
            asked = asked + (np.maximum(unheld - request, 0.0) * held).sum(axis=1)
        over = requested > left_supply  # oversubscribed: scale by left_supply / requested, else 1
        scale = np.divide(left_supply, requested, out=np.ones(len(requested)), where=over)
        sent = request * scale[:, None]
        ship += sent
        left_supply = np.maximum(left_supply - sent.sum(axis=1), 0.0)
        left_demand = np.maximum(left_demand - sent.sum(axis=0), 0.0)
        if capped:
            left_cap = np.maximum(left_cap - sent, 0.0)
        if left_export is not None:
            left_export = np.maximum(left_export - (sent * abroad).sum(axis=1), 0.0)
    return ship, asked


def balanced_requests(links: np.ndarray, normal: np.ndarray, demand: np.ndarray, iterations: int = 8) -> np.ndarray:
    """Importers' demand spread over open links so that each exporter is asked for about its normal share
    of the total (matrix balancing, as in gravity models of trade); where links are closed, the rest of
    the world shifts its purchases to make room."""
    total_normal = normal.sum()
    if total_normal <= EPS:
        return np.zeros_like(links)
    row_target = normal * (demand.sum() / total_normal)
    n_rows, n_cols = len(normal), len(demand)
    row_scale = np.ones(n_rows)
    col_scale = np.ones(n_cols)
    for _ in range(iterations):  # `ratio` written out: this loop runs 32 times a month
        col = row_scale @ links
        col_scale = np.divide(demand, col, out=np.zeros(n_cols), where=col > EPS)
        row = links @ col_scale
        row_scale = np.divide(row_target, row, out=np.zeros(n_rows), where=row > EPS)
    request = row_scale[:, None] * links * col_scale[None, :]
    got = request.sum(axis=0)
    return request * ratio(demand, got)[None, :]


@dataclass
class Clearing:
    """What one product's market did this month (country level)."""

    flows: np.ndarray  # exporter x importer tonnes
    orders: np.ndarray  # by importer
    offers: np.ndarray  # by exporter
    exports: np.ndarray  # by exporter: tonnes shipped abroad (the flows off the diagonal)
    licensed: np.ndarray | None = None  # buyer x exporter tonnes shipped under licence


@dataclass
class Licensed:
    """Licence holdings for one product: what each buyer may import from each exporter, and which
    exporter x importer pairs need a licence."""

    holdings: np.ndarray  # buyer x exporter tonnes
    held: np.ndarray  # exporter x importer tonnes: the holdings summed by the buyers' country
    pairs: np.ndarray  # exporter x importer bool
    # exporter x importer: share of orders held back that the exporter expects to ship (see `allocate`)
    release: np.ndarray | None = None

    @classmethod
    def of(
        cls, holdings: np.ndarray, buyer_country: np.ndarray, pairs: np.ndarray, release: np.ndarray | None = None
    ) -> Licensed:
        held = np.stack([np.bincount(buyer_country, holdings[:, e], minlength=N_COUNTRIES) for e in range(N_COUNTRIES)])
        return cls(holdings, held, pairs, release)


def split_sales(offer: np.ndarray, share: np.ndarray, country: np.ndarray, sold_by_country: np.ndarray) -> np.ndarray:
    """Each country's sales shared among its sellers by `share` (of their country's normal supply), the
    rest by stock left."""
    first = np.minimum(offer, sold_by_country[country] * share)
    rest = sold_by_country - np.bincount(country, first, minlength=N_COUNTRIES)
    left = offer - first
    left_total = np.bincount(country, left, minlength=N_COUNTRIES)
    extra = np.divide(
        left * rest[country], left_total[country], out=np.zeros(len(offer)), where=left_total[country] > EPS
    )
    return np.minimum(first + np.maximum(extra, 0.0), offer)


def clear_product(
    book,
    product: int,
    sellers: np.ndarray,
    buyers: np.ndarray,
    weight: np.ndarray,
    cap: np.ndarray,
    prices: np.ndarray,
    normal: np.ndarray,
    licensed: Licensed | None = None,
    export_limit: np.ndarray | None = None,
) -> Clearing:
    """Move one product from sellers' stock to buyers (or into transit), pay for it, note unmet orders.

    `prices` is (market,) for this product; importers pay their own market's price; `normal` is each
    seller's normal monthly supply, which anchors market shares. After the main allocation, buyers who
    cannot cover this month's use from stock are served at home first (imports arrive only later).
    """
    offer = book.stock[sellers, product]
    order = book.order[buyers, product]
    s_country = book.country[sellers]
    b_country = book.country[buyers]
    supply = np.bincount(s_country, offer, minlength=N_COUNTRIES)
    demand = np.bincount(b_country, order, minlength=N_COUNTRIES)
    normal_by_country = np.bincount(s_country, normal, minlength=N_COUNTRIES)

    # What a buyer needs for this month's own output and does not hold comes from home first: imports
    # would arrive too late.
    urgent = np.minimum(np.maximum(book.need_now[buyers, product] - book.stock[buyers, product], 0.0), order)
    urgent_by_country = np.bincount(b_country, urgent, minlength=N_COUNTRIES)
    first = np.minimum(supply, urgent_by_country)
    first_part = urgent * ratio(first, urgent_by_country)[b_country]
    rest = order - first_part
    rest_by_country = demand - first

    flows, asked = allocate(
        supply - first,
        rest_by_country,
        weight,
        cap,
        normal_by_country,
        export_limit,
        None if licensed is None else licensed.release,
    )
    home = flows.diagonal().copy()
    dom = first_part + rest * ratio(home, rest_by_country)[b_country]
    imports = flows * ABROAD
    by_exporter = None
    if licensed is not None:
        # goods shipped under licence go to the firms holding the licences, the rest by orders
        licensed_flows = imports * licensed.pairs
        imports = imports - licensed_flows
        by_exporter = licensed.holdings * ratio(licensed_flows, licensed.held)[:, b_country].T
    if by_exporter is None:
        imp = rest * ratio(imports.sum(axis=0), rest_by_country)[b_country]
    else:
        assert licensed is not None  # by_exporter is set only when there are licences
        imp = by_exporter.sum(axis=1) + unlicensed_first(
            rest, licensed.holdings.sum(axis=1), b_country, imports.sum(axis=0)
        )
    flows[HOME] += first
    asked = asked + first

    shipped = flows.sum(axis=1)  # by exporter
    share = ratio(normal, normal_by_country[s_country])  # each seller's share of its country's normal supply
    sold = split_sales(offer, share, s_country, shipped)
    book.asked_avg[sellers, product] += 0.3 * (
        np.maximum(asked[s_country] * share, sold) - book.asked_avg[sellers, product]
    )
    book.sales_avg[sellers, product] += 0.3 * (sold - book.sales_avg[sellers, product])
    price_to = prices[MARKET_OF]  # what an importer pays, by importer country
    unit_revenue = ratio(flows @ price_to, shipped)
    book.cash[sellers] += sold * unit_revenue[s_country] * 1000.0
    got = dom + imp
    book.cash[buyers] -= got * price_to[b_country] * 1000.0
    book.unmet[buyers, product] = np.maximum(order - got, 0.0)

    book.stock[sellers, product] -= sold
    if product != ORE:
        book.receive(buyers, product, dom, imp)
        return Clearing(
            flows=flows, orders=demand, offers=supply, licensed=by_exporter, exports=shipped - flows.diagonal()
        )

    # Ore carries its light and heavy content with it: sellers lose it pro rata, buyers get their
    # exporters' blend.
    content_out = ratio(book.ore_content[sellers], offer[:, None]) * sold[:, None]
    book.ore_content[sellers] -= content_out
    content_by_exporter = np.stack(
        [np.bincount(s_country, content_out[:, j], minlength=N_COUNTRIES) for j in range(2)], 1
    )
    per_tonne = ratio(content_by_exporter, shipped[:, None])  # exporter x (light, heavy)
    unlicensed_content = rest[:, None] * ratio(imports.T @ per_tonne, rest_by_country[:, None])[b_country]
    if by_exporter is not None:
        unlicensed_content = unlicensed_content + by_exporter @ per_tonne
    book.receive(buyers, product, dom, imp, dom[:, None] * per_tonne[b_country], unlicensed_content)
    return Clearing(flows=flows, orders=demand, offers=supply, licensed=by_exporter, exports=shipped - flows.diagonal())


def unlicensed_first(
    rest: np.ndarray, licensed: np.ndarray, b_country: np.ndarray, unlicensed: np.ndarray
) -> np.ndarray:
    """Shares of each importing country's imports that need no licence: first to its buyers for the part of
    their orders their licences do not cover (a military end user refused by the controlling state buys
    from other makers, as US defence rules oblige), the rest by orders."""
    claim = np.maximum(rest - licensed, 0.0)
    claims = np.bincount(b_country, claim, minlength=N_COUNTRIES)
    first = claim * np.minimum(ratio(unlicensed, claims), 1.0)[b_country]
    left = unlicensed - np.bincount(b_country, first, minlength=N_COUNTRIES)
    others = rest - first
    return (
        first + others * ratio(np.maximum(left, 0.0), np.bincount(b_country, others, minlength=N_COUNTRIES))[b_country]
    )


def ratio(numerator: np.ndarray, denominator) -> np.ndarray:
    """Numerator / denominator, 0 where the denominator is (almost) 0."""
    # np.broadcast, not np.broadcast_shapes (slower than the division itself on arrays of a few numbers)
    out = np.zeros(np.broadcast(numerator, denominator).shape)
    return np.divide(numerator, denominator, out=out, where=denominator > EPS)


def price_step(
    price: float,
    expected: float,
    held: float,
    wanted: float,
    unmet_share: float,
    cover_elasticity: float,
    unmet_response: float,
    speed: float,
    max_change: float,
    cover_floor: float = COVER_FLOOR,
) -> float:
    """This month's price: the price traders expect, raised when stocks are short of what holders want
    and when orders go unfilled (lowered when stocks are long), approached at `speed` per month."""
    if wanted <= EPS:
        return price
    cover = max(held / wanted, cover_floor)
    target = expected * float(np.exp(-cover_elasticity * np.log(cover) + unmet_response * unmet_share))
    change = speed * float(np.log(target / price))
    change = min(max(change, -max_change), max_change)
    return price * float(np.exp(change))
