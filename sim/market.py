"""Markets: who ships how much to whom, and how prices move.

Clearing works on country totals (an exporter x importer matrix, a few passes so unmet orders find other
origins), then shares the result among firms in proportion to their offers and orders. Prices move with
the stock cover buyers and sellers hold against what they want to hold, and with orders left unfilled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import CN, N_COUNTRIES, N_PRODUCTS, ORE

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


@dataclass(frozen=True)
class Side:
    """One side (sellers or buyers) of several products' markets, an entry per firm and product, product by
    product: what lets every product clear in the same numpy calls. `key` numbers each entry's (product,
    country) bin, so one bincount totals every product by country at once."""

    products: tuple[int, ...]
    span: slice  # the products as a slice of a product axis (they are all four or one): a view, where a list copies
    rows: np.ndarray  # book row of each entry
    product: np.ndarray  # its product
    country: np.ndarray
    key: np.ndarray  # the product's place in `products` x N_COUNTRIES + country
    bounds: tuple[int, ...]  # entries of the i-th product: bounds[i]:bounds[i + 1]
    # each entry's cell in a row x product table read flat: take/put cost a third of table[rows, product]
    cells: np.ndarray
    ore: slice | None  # the ore entries, if ore is one of the products
    # each ore entry's (light, heavy) cells in a row x 2 content table read flat, and its (country, light or
    # heavy) bin of a country x 2 table read flat, entry after entry
    content_cells: np.ndarray
    content_key: np.ndarray

    @classmethod
    def of(cls, book, rows_by_product: dict[int, np.ndarray], products: tuple[int, ...]) -> Side:
        rows = [np.asarray(rows_by_product[p], dtype=np.int64) for p in products]
        flat = np.concatenate(rows)
        product = np.concatenate([np.full(len(r), p) for p, r in zip(products, rows)])
        slot = np.concatenate([np.full(len(r), i) for i, r in enumerate(rows)])
        country = book.country[flat]
        bounds = tuple(int(b) for b in np.cumsum([0] + [len(r) for r in rows]))
        key = slot * N_COUNTRIES + country
        ore = slice(bounds[products.index(ORE)], bounds[products.index(ORE) + 1]) if ORE in products else None
        ore_rows, ore_country = (flat[ore], country[ore]) if ore is not None else (flat[:0], country[:0])
        content_cells = ore_rows[:, None] * 2 + np.arange(2)
        content_key = (ore_country[:, None] * 2 + np.arange(2)).ravel()
        span, cells = slice(products[0], products[-1] + 1), flat * N_PRODUCTS + product
        return cls(products, span, flat, product, country, key, bounds, cells, ore, content_cells, content_key)

    def by_country(self, values: np.ndarray) -> np.ndarray:
        """Product x country totals of a value per entry."""
        size = len(self.products) * N_COUNTRIES
        return np.bincount(self.key, values, minlength=size).reshape(len(self.products), N_COUNTRIES)

    def spread(self, by_country: np.ndarray) -> np.ndarray:
        """Each entry's value of a product x country table."""
        return by_country.take(self.key)

    def part(self, i: int) -> slice:
        return slice(self.bounds[i], self.bounds[i + 1])


def allocate(
    supply: np.ndarray,
    demand: np.ndarray,
    weight: np.ndarray,
    cap: np.ndarray,
    normal: np.ndarray,
    export_limit: np.ndarray | None = None,
    held: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Shipments T[product, exporter, importer] with T.sum(2) <= supply, T.sum(1) <= demand and T <= cap,
    every product (first axis) on its own.

    Each importer splits what it needs across exporters in proportion to weight x each exporter's normal
    supply (so market shares rest on capacity, not on whoever happens to hold stock); oversubscribed
    exporters scale requests down; what is left tries again, weighted by unsold supply.
    `export_limit` (product x exporter) caps each exporter's shipments abroad in total (an export quota).
    Also returns what importers first asked of each exporter: the demand a seller sees. `held` is, per
    exporter x importer under licence, the share of the orders a control holds back that the exporter
    expects to ship later (all of them while customs hold them, the approval rate under a licence): the
    seller keeps making for those, so supply a control holds back piles up at home instead of going unmade.
    """
    # Exporters' numbers are kept as columns (product x exporter x 1) and importers' as rows (product x 1 x
    # importer), so they meet the exporter x importer tables without a new view in every round.
    n_products, n_exporters, n_importers = weight.shape
    ship = np.zeros(weight.shape)
    left_supply = np.array(supply, dtype=float).reshape(n_products, n_exporters, 1)  # copies, then reshapes
    left_demand = np.array(demand, dtype=float).reshape(n_products, 1, n_importers)
    # Where no pair is capped (no licence, ban or hold: most months) every cap stays inf, so the steps that
    # track caps would multiply by 1, take the minimum with inf and subtract finite tonnes from inf: skipped.
    capped = np.count_nonzero(np.isinf(cap)) < cap.size
    left_cap = cap.astype(float) if capped else cap
    asked = np.zeros(left_supply.shape)
    left_export = None if export_limit is None else np.array(export_limit, dtype=float)[:, :, None]
    # a product whose buyers or sellers have nothing left is done: it ships and is asked nothing more
    live = np.ones((n_products, 1, 1), dtype=bool)
    for round_ in range(ROUNDS):
        live &= (np.add.reduce(left_demand, axis=2, keepdims=True) > EPS) & (
            np.add.reduce(left_supply, axis=1, keepdims=True) > EPS
        )
        n_live = np.count_nonzero(live)
        if not n_live:
            break
        open_links = weight * (left_cap > EPS) if capped else weight
        if round_ == 0:
            request = balanced_requests(open_links, normal, left_demand)
        else:
            w = open_links * left_supply
            total = np.add.reduce(w, axis=1, keepdims=True)
            # w / total * left_demand where total > EPS, else 0 (masked ufuncs: no np.errstate needed)
            has_links = total > EPS
            request = np.divide(w, total, out=np.zeros(w.shape), where=has_links)
            np.multiply(request, left_demand, out=request, where=has_links)
        if capped:
            request = np.minimum(request, left_cap)
        if left_export is not None:
            crossing = np.add.reduce(request * ABROAD, axis=2, keepdims=True)
            squeeze = np.divide(left_export, crossing, out=np.ones_like(crossing), where=crossing > left_export)
            request = np.where(ABROAD, request * squeeze, request)
        if n_live < n_products:
            request = request * live
        requested = np.add.reduce(request, axis=2, keepdims=True)
        # what each seller was asked for, including orders turned away elsewhere (a seller sees them)
        asked = asked + (requested if round_ == 0 else np.maximum(requested - left_supply, 0.0))
        if round_ == 0 and held is not None and held.any():
            unheld = balanced_requests(weight * ((left_cap > EPS) | (held > 0)), normal, left_demand)
            asked = asked + np.add.reduce(np.maximum(unheld - request, 0.0) * (held * live), axis=2, keepdims=True)
        over = requested > left_supply  # oversubscribed: scale by left_supply / requested, else 1
        sent = request * np.divide(left_supply, requested, out=np.ones(requested.shape), where=over)
        ship += sent
        left_supply = np.maximum(left_supply - np.add.reduce(sent, axis=2, keepdims=True), 0.0)
        left_demand = np.maximum(left_demand - np.add.reduce(sent, axis=1, keepdims=True), 0.0)
        if capped:
            left_cap = np.maximum(left_cap - sent, 0.0)
        if left_export is not None:
            left_export = np.maximum(left_export - np.add.reduce(sent * ABROAD, axis=2, keepdims=True), 0.0)
    return ship, asked.reshape(n_products, n_exporters)


def balanced_requests(links: np.ndarray, normal: np.ndarray, demand: np.ndarray, iterations: int = 8) -> np.ndarray:
    """Importers' demand spread over open links so that each exporter is asked for about its normal share
    of the total (matrix balancing, as in gravity models of trade); where links are closed, the rest of
    the world shifts its purchases to make room. Product by product (the first axis)."""
    n_products, n_exporters, n_importers = links.shape
    wanted = demand.reshape(n_products, 1, n_importers)
    supplied = normal.reshape(n_products, n_exporters, 1)
    total_normal = np.add.reduce(supplied, axis=1, keepdims=True)
    total_demand = np.add.reduce(wanted, axis=2, keepdims=True)
    per_normal = np.divide(total_demand, total_normal, out=np.zeros(total_normal.shape), where=total_normal > EPS)
    # the scales live in 3-D buffers shaped for the matrix products (an exporter column, an importer row) and
    # are written in place: this loop runs 8 times a month, where views and new arrays cost more than the sums
    row_target = supplied * per_normal  # a product no one supplies normally is asked nothing
    row_scale = np.ones((n_products, n_exporters, 1))
    col_scale = np.ones((n_products, 1, n_importers))
    by_importer, by_exporter = np.empty(col_scale.shape), np.empty(row_scale.shape)
    # the same numbers as vectors the other way round, for the matrix products (reshape: the same memory)
    row_scale_across = row_scale.reshape(n_products, 1, n_exporters)
    col_scale_down = col_scale.reshape(n_products, n_importers, 1)
    for _ in range(iterations):  # `ratio` written out, 0 where the sum is (almost) 0
        np.matmul(row_scale_across, links, out=by_importer)
        col_scale.fill(0.0)
        np.divide(wanted, by_importer, out=col_scale, where=by_importer > EPS)
        np.matmul(links, col_scale_down, out=by_exporter)
        row_scale.fill(0.0)
        np.divide(row_target, by_exporter, out=row_scale, where=by_exporter > EPS)
    request = row_scale * links * col_scale
    got = np.add.reduce(request, axis=1, keepdims=True)
    return np.multiply(request, ratio(wanted, got), out=request)


@dataclass
class Cleared:
    """What the products' markets did this month (country level), product by product (first axis)."""

    flows: np.ndarray  # product x exporter x importer tonnes
    exports: np.ndarray  # product x exporter: tonnes shipped abroad (the flows off the diagonal)
    licensed: list[np.ndarray | None]  # each product's buyer x exporter tonnes shipped under licence (or None)


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


@dataclass
class Terms:
    """What each product's market clears under this month, stacked product by product (first axis)."""

    weight: np.ndarray  # product x exporter x importer: how buyers weigh each origin
    cap: np.ndarray  # product x exporter x importer tonnes that may cross (inf: free)
    prices: np.ndarray  # product x market
    normal: np.ndarray  # per seller entry: its normal monthly supply, which anchors market shares
    licensed: list[Licensed | None]
    export_limit: np.ndarray | None = None  # product x exporter tonnes that may go abroad (None: no quota)

    def release(self) -> np.ndarray | None:
        """Product x exporter x importer share of held-back orders exporters expect to ship (see `allocate`)."""
        if all(lic is None or lic.release is None for lic in self.licensed):
            return None
        zero = np.zeros((N_COUNTRIES, N_COUNTRIES))
        return np.stack([zero if lic is None or lic.release is None else lic.release for lic in self.licensed])


def split_sales(offer: np.ndarray, share: np.ndarray, sellers: Side, sold_by_country: np.ndarray) -> np.ndarray:
    """Each country's sales shared among its sellers by `share` (of their country's normal supply), the
    rest by stock left."""
    first = np.minimum(offer, sellers.spread(sold_by_country) * share)
    rest = sellers.spread(sold_by_country - sellers.by_country(first))
    left = offer - first
    left_total = sellers.spread(sellers.by_country(left))
    extra = np.divide(left * rest, left_total, out=np.zeros(len(offer)), where=left_total > EPS)
    return np.minimum(first + np.maximum(extra, 0.0), offer)


def clear_products(book, sellers: Side, buyers: Side, terms: Terms) -> Cleared:
    """Move each product from sellers' stock to buyers (or into transit), pay for it, note unmet orders.

    Importers pay their own market's price. After the main allocation, buyers who cannot cover this month's
    use from stock are served at home first (imports arrive only later). No product's market reads what
    another's changes, so they clear together; the result is the same as one at a time.
    """
    offer = book.stock.take(sellers.cells)
    order = book.order.take(buyers.cells)
    supply = sellers.by_country(offer)
    demand = buyers.by_country(order)
    normal_by_country = sellers.by_country(terms.normal)

    # What a buyer needs for this month's own output and does not hold comes from home first: imports
    # would arrive too late.
    short_now = book.need_now.take(buyers.cells) - book.stock.take(buyers.cells)
    urgent = np.minimum(np.maximum(short_now, 0.0), order)
    urgent_by_country = buyers.by_country(urgent)
    first = np.minimum(supply, urgent_by_country)
    first_part = urgent * buyers.spread(ratio(first, urgent_by_country))
    rest = order - first_part
    rest_by_country = demand - first

    flows, asked = allocate(
        supply - first, rest_by_country, terms.weight, terms.cap, normal_by_country, terms.export_limit, terms.release()
    )
    home = flows.reshape(len(flows), -1)[:, :: N_COUNTRIES + 1]  # each product's diagonal: a view into flows
    dom = first_part + rest * buyers.spread(ratio(home, rest_by_country))
    imports = flows * ABROAD
    imp = rest * buyers.spread(ratio(np.add.reduce(imports, axis=1), rest_by_country))
    by_exporter = [
        None if lic is None else _licensed_imports(lic, buyers, i, imports, rest, imp)
        for i, lic in enumerate(terms.licensed)
    ]
    home += first
    asked += first

    shipped = np.add.reduce(flows, axis=2)  # product x exporter
    share = ratio(terms.normal, sellers.spread(normal_by_country))  # a seller's share of its country's normal
    sold = split_sales(offer, share, sellers, shipped)
    cells = sellers.cells
    asked_avg, sales_avg = book.asked_avg.take(cells), book.sales_avg.take(cells)
    book.asked_avg.put(cells, asked_avg + 0.3 * (np.maximum(sellers.spread(asked) * share, sold) - asked_avg))
    book.sales_avg.put(cells, sales_avg + 0.3 * (sold - sales_avg))
    price_to = terms.prices.take(MARKET_OF, axis=1)  # what an importer pays, product x importer country
    unit_revenue = ratio(np.matmul(flows, price_to[:, :, None])[:, :, 0], shipped)
    # a refiner sells two oxides: np.add.at adds each entry, where `cash[rows] +=` would keep one per row
    np.add.at(book.cash, sellers.rows, sold * sellers.spread(unit_revenue) * 1000.0)
    got = dom + imp
    np.subtract.at(book.cash, buyers.rows, got * buyers.spread(price_to) * 1000.0)
    book.unmet.put(buyers.cells, np.maximum(order - got, 0.0))
    book.stock.put(cells, offer - sold)

    if sellers.ore is not None:
        i, s, b = sellers.products.index(ORE), sellers.ore, buyers.ore
        ore = OreSale(offer[s], sold[s], shipped[i], imports[i], rest[b], rest_by_country[i], by_exporter[i])
        ore.move_content(book, sellers, buyers, dom[b])
    book.receive_at(buyers.cells, dom, imp)
    return Cleared(flows, shipped - home, by_exporter)


def _licensed_imports(
    licensed: Licensed, buyers: Side, i: int, imports: np.ndarray, rest: np.ndarray, imp: np.ndarray
) -> np.ndarray:
    """Goods shipped under licence go to the firms holding the licences, the rest by orders. Takes the
    licensed flows out of product i's `imports`, sets its buyers' `imp` and returns buyer x exporter tonnes
    shipped under licence."""
    part = buyers.part(i)
    b_country = buyers.country[part]
    licensed_flows = imports[i] * licensed.pairs
    imports[i] = imports[i] - licensed_flows
    by_exporter = licensed.holdings * ratio(licensed_flows, licensed.held)[:, b_country].T
    imp[part] = by_exporter.sum(axis=1) + unlicensed_first(
        rest[part], licensed.holdings.sum(axis=1), b_country, imports[i].sum(axis=0)
    )
    return by_exporter


@dataclass
class OreSale:
    """Ore carries its light and heavy content with it: sellers lose it pro rata, buyers get their
    exporters' blend."""

    offer: np.ndarray
    sold: np.ndarray
    shipped: np.ndarray  # by exporter
    imports: np.ndarray  # exporter x importer, less what went under licence
    rest: np.ndarray  # buyers' orders left after the urgent part served at home
    rest_by_country: np.ndarray
    by_exporter: np.ndarray | None  # buyer x exporter tonnes under licence

    def move_content(self, book, sellers: Side, buyers: Side, dom: np.ndarray) -> None:
        """Takes the content sold out of the sellers' ore and hands buyers theirs (`dom`: the ore buyers'
        deliveries from home)."""
        content = book.ore_content.take(sellers.content_cells)
        content_out = ratio(content, self.offer[:, None]) * self.sold[:, None]
        book.ore_content.put(sellers.content_cells, content - content_out)
        by_exporter = np.bincount(sellers.content_key, content_out.ravel(), minlength=2 * N_COUNTRIES)
        per_tonne = ratio(by_exporter.reshape(N_COUNTRIES, 2), self.shipped[:, None])  # exporter x (light, heavy)
        b_country = buyers.country[buyers.ore]
        imported = ratio(self.imports.T @ per_tonne, self.rest_by_country[:, None])  # importer x (light, heavy)
        unlicensed = self.rest[:, None] * imported.take(b_country, axis=0)
        if self.by_exporter is not None:
            unlicensed = unlicensed + self.by_exporter @ per_tonne
        book.receive_content(buyers.content_cells, dom[:, None] * per_tonne.take(b_country, axis=0), unlicensed)


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
    shape = numerator.shape
    if shape != getattr(denominator, "shape", None):
        shape = np.broadcast(numerator, denominator).shape
    return np.divide(numerator, denominator, out=np.zeros(shape), where=denominator > EPS)


def price_step(
    price: np.ndarray,
    expected: np.ndarray,
    held: np.ndarray,
    wanted: np.ndarray,
    unmet_share: np.ndarray,
    cover_elasticity: float,
    unmet_response: float,
    speed: float,
    max_change: float,
    cover_floor: float = COVER_FLOOR,
) -> np.ndarray:
    """This month's prices, every (product, market) at once: the price traders expect, raised when stocks
    are short of what holders want and when orders go unfilled (lowered when stocks are long), approached
    at `speed` per month. A price no one wants stock at stays put. (np.exp and np.log give an array the same
    last bits as one number at a time; math.exp and math.log would not.)"""
    traded = wanted > EPS
    cover = np.maximum(np.divide(held, wanted, out=np.ones(price.shape), where=traded), cover_floor)
    target = expected * np.exp(-cover_elasticity * np.log(cover) + unmet_response * unmet_share)
    change = (speed * np.log(target / price)).clip(-max_change, max_change)  # the method: np.clip adds two calls
    return np.where(traded, price * np.exp(change), price)
