"""Phase 4 and the licence side of phase 5: importers apply, offices review, shipments use the licences.

Each month importers apply for what they expect to use from a controlled supplier over the next
`licensing.application_months` (the shipments of a later month), less licences they still hold unused;
having been refused before,
they apply for more (up to 2x), as firms did in 2025. Verdicts are logged per exporter, importer,
product and reason, naming the applicant firms.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from agents.firms import STOCK_ADJUST_MONTHS

from . import demand, market
from .constants import COUNTRIES, HEAVY, LIGHT, MAGNET, N_COUNTRIES, N_PRODUCTS, PRODUCTS
from .licensing import INF, LICENCE, NONE

MIN_APPROVAL_BELIEF = 0.5  # firms file at most twice what they need
BELIEF_MEMORY = 0.3
NAMES_SHOWN = 3


def file_and_review(model) -> None:
    office = model.office
    office.reset_month(model.month)
    if office.extraterritorial:
        office.apply_extraterritorial(_origin_content(model), model.month)
    if not (office.level == LICENCE).any() and not office.queue:
        return
    for p in range(N_PRODUCTS):
        if (office.level[:, p, :] == LICENCE).any():
            _file(model, p)
    office.resubmit_share = model.scenario.licensing.resubmit_share
    verdicts = office.review(model.month, _decider(model))
    _learn(model, verdicts)
    _log(model, verdicts)


def _decider(model):
    """Decides applications one by one. An office's odds for one kind of application depend on the
    rules, relations and the state's stance, none of which a review changes, so they are worked out once
    per review; only the draw is made for each application."""
    odds = {}

    def decide(app):
        key = (app.authority, app.exporter, app.product, app.importer, app.defense)
        if key not in odds:
            odds[key] = model.states[COUNTRIES[app.authority]].licence_odds(
                app.exporter, app.product, app.importer, app.defense
            )
        return odds[key].decide(model.rng)

    return decide


def _file(model, p: int) -> None:
    """Each buyer keeps its licence position (licences held plus tonnes under review) at what it expects to
    import from a controlled supplier until a new file would be decided (review time plus the office's
    backlog, plus `licensing.application_months`), plus the gap to its target stock, raised where it
    expects refusals. Only the share of its use that the control reaches needs a licence."""
    office, book = model.office, model.book
    buyers = model.buyers[p]
    b_country = book.country[buyers]
    orders = book.order[buyers, p]
    defense = model.defense_row[buyers]
    held = office.holdings(p, buyers, b_country, orders, defense, model.month)
    months = model.scenario.licensing.application_months
    scale = model.scenario.world.scale
    belief = np.maximum(model.approval_belief[buyers, p], MIN_APPROVAL_BELIEF)
    use = np.maximum(book.use_avg[buyers, p], book.need_now[buyers, p])
    stock_gap = np.maximum(model.target_cover(p) * use - book.stock[buyers, p] - book.inbound(p)[buyers], 0.0)
    backlog = office.backlog_months(scale)  # as the month's filing starts: every file this month waits alike
    pending = _pending_by_firm(office, p)
    for e, m in zip(*np.nonzero(office.level[:, p, :] == LICENCE)):
        if office.general_licence(int(e), p, int(m), model.month):
            mine = (b_country == m) & defense  # only military end users still need their own licences
        else:
            mine = b_country == m
        if not mine.any():
            continue
        reached = reach(model, p, int(e), int(m), buyers[mine])
        wait = backlog.get(office.authority.get((int(e), p, int(m)), int(e)), 0.0)
        horizon = office.review_months[e, p, m] + wait + months
        share = model.origin_share[p, e, m] * reached
        wanted = (use[mine] * horizon + stock_gap[mine]) * share / belief[mine]
        position = held[mine, e] + np.array([pending.get((int(row), int(e)), 0.0) for row in buyers[mine]])
        tonnes = np.maximum(wanted - position, 0.0)
        office.apply(buyers[mine], int(e), p, int(m), tonnes, defense[mine], model.month, wait)


def _pending_by_firm(office, p: int) -> dict[tuple[int, int], float]:
    """(firm row, exporter) -> tonnes of `p` waiting in the queue."""
    out: dict[tuple[int, int], float] = defaultdict(float)
    for a in office.queue:
        if a.product == p:
            out[(a.firm, a.exporter)] += a.tonnes
    return out


def reach(model, p: int, exporter: int, importer: int, rows: np.ndarray) -> np.ndarray:
    """Share of each buyer's imports of `p` from `exporter` that the control on the pair reaches."""
    regime = model.office.regime(exporter, p, importer)
    if p != MAGNET or regime is None or regime.covers != "heavy_bearing":
        return np.ones(len(rows))
    return demand.heavy_bearing_share(model, rows, market.MARKET_OF[exporter])


def _origin_content(model) -> np.ndarray:
    """[origin, maker country]: share of a country's oxide supply that came from each origin, the larger of
    light and heavy (a magnet carries both)."""
    return np.maximum(model.origin_share[LIGHT], model.origin_share[HEAVY])


def _learn(model, verdicts) -> None:
    """Each applicant's sense of its chances: the approved share of what it applied for, smoothed."""
    approved: defaultdict[tuple[int, int], float] = defaultdict(float)
    decided: defaultdict[tuple[int, int], float] = defaultdict(float)
    for v in verdicts:
        key = (v.application.firm, v.application.product)
        decided[key] += v.application.tonnes
        approved[key] += v.application.tonnes if v.approved else 0.0
    for (firm, p), total in decided.items():
        seen = approved[(firm, p)] / total
        model.approval_belief[firm, p] += BELIEF_MEMORY * (seen - model.approval_belief[firm, p])


def _log(model, verdicts) -> None:
    groups: dict[tuple, list] = defaultdict(list)
    for v in verdicts:
        a = v.application
        groups[(a.exporter, a.importer, a.product, v.approved, v.reason)].append(a)
    for (e, m, p, approved, reason), apps in sorted(groups.items(), key=lambda kv: kv[0][:4]):
        authority = apps[0].authority
        if authority != e:
            reason = f"{reason}; {COUNTRIES[e]}-made goods with {COUNTRIES[authority]} content need its licence"
        names = sorted({model.firm_names[a.firm].split(" #")[0] for a in apps})
        shown = ", ".join(names[:NAMES_SHOWN]) + (
            f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else ""
        )
        tonnes = sum(a.tonnes for a in apps)
        model.log.add(
            model.month,
            COUNTRIES[authority],
            "licence_approved" if approved else "licence_denied",
            COUNTRIES[m],
            f"{PRODUCTS[p]}: {len(apps)} application{'s' if len(apps) != 1 else ''}, {tonnes:,.0f} t, from {shown}",
            reason,
        )


def market_terms(model, p: int):
    """Caps on exporter x importer shipments, licence holdings, and export-quota limits for one product."""
    office, book = model.office, model.book
    buyers = model.buyers[p]
    b_country = book.country[buyers]
    licensed = None
    pairs = office.level[:, p, :] == LICENCE
    if pairs.any():
        holdings = office.holdings(
            p,
            buyers,
            b_country,
            book.order[buyers, p],
            model.defense_row[buyers],
            model.month,
            _unreached(model, p, buyers),
            documented_need(model, p, buyers),
        )
        licensed = market.Licensed.of(holdings, b_country, pairs, expected_release(office, p, model.month))
    cap = office.caps(p, None if licensed is None else licensed.held, model.month)
    if not office.export_quotas:
        return cap, licensed, None
    limit = np.array([office.export_allowance(e, p, model.month) for e in range(N_COUNTRIES)])
    # an exporter whose quota does not cover this product has no limit on it (inf x a share of 0 is nan)
    return cap, licensed, limit * np.where(np.isinf(limit), 1.0, export_quota_share(model, p))


def market_terms_of(model, products: slice) -> tuple[np.ndarray, list, np.ndarray | None]:
    """`market_terms` of each product in the slice, stacked: caps (product x exporter x importer), licence
    holdings (a list) and export limits (product x exporter, None without a quota). Without licences, customs
    holds or quotas (a calm month), every product's caps come from one comparison."""
    office = model.office
    level = office.level[:, products, :].transpose(1, 0, 2)  # product x exporter x importer
    if office.export_quotas or office.holds or (level == LICENCE).any():
        terms = [market_terms(model, p) for p in range(products.start, products.stop)]
        limits = [limit for _, _, limit in terms]
        caps = np.stack([cap for cap, _, _ in terms])
        return caps, [licensed for _, licensed, _ in terms], None if limits[0] is None else np.stack(limits)
    return np.where(level == NONE, INF, 0.0), [None] * len(level), None


def documented_need(model, p: int, buyers: np.ndarray) -> np.ndarray:
    """What each buyer's licence file documents for this month: its use plus a share of the gap to its normal
    stock cover, as the ordering rule closes it, but without the precautionary extra a buyer who fears for
    its supply would add (a licence names an end use and a quantity; MOFCOM reviewed both in 2025)."""
    book = model.book
    use = np.maximum(book.use_avg[buyers, p], book.need_now[buyers, p])
    gap = model.target_cover(p) * use - book.stock[buyers, p] - book.inbound(p)[buyers]
    return np.maximum(use + gap / STOCK_ADJUST_MONTHS, 0.0)


def expected_release(office, p: int, month: int) -> np.ndarray:
    """Exporter x importer share of the orders a control holds back that exporters expect to ship later:
    all of them while customs hold a pair (the hold ends), the licence approval rate otherwise."""
    licensed = office.level[:, p, :] == LICENCE
    release = np.where(licensed, office.approval_rate[:, p, :], 0.0)
    if office.holds:
        release = np.where(licensed & (office.held_share(p, month) > 0), 1.0, release)
    return release


def _unreached(model, p: int, buyers: np.ndarray) -> np.ndarray | None:
    """Share of each buyer's order that a heavy-bearing control leaves free (China's makers' grades)."""
    if p != MAGNET:
        return None
    return 1.0 - demand.heavy_bearing_share(model, buyers, market.CHINA)


def record_use(model, products: tuple[int, ...], cleared: market.Cleared) -> None:
    """The licences and export quotas the products' shipments (`cleared`, product by product) used."""
    office = model.office
    for p, licensed in zip(products, cleared.licensed):
        if licensed is not None:
            office.use(p, model.buyers[p], licensed)
    if not office.export_quotas:  # no quota to draw down
        return
    for p, exports in zip(products, cleared.exports):
        for e in range(N_COUNTRIES):
            if exports[e] > 0:
                office.use_export_quota(e, p, float(exports[e]))


def export_quota_share(model, product: int) -> np.ndarray:
    """Per exporter, the share of its export quota this product may use: its share of exports before
    the quota bound, shifted towards products whose export premium has risen most (exporters put
    scarce quota where it pays)."""
    share = np.ones(N_COUNTRIES)
    premium = (model.prices[:, market.WORLD] / model.prices[:, market.CHINA]) / (
        model.start_prices[:, market.WORLD] / model.start_prices[:, market.CHINA]
    )
    for e, quota in model.office.export_quotas.items():
        covered = sorted(quota.products)
        mix = model.export_mix[e, covered] * premium[covered] ** 2
        own = model.export_mix[e, product] * premium[product] ** 2
        share[e] = own / mix.sum() if mix.sum() > 0 else 1.0 / len(covered)
    return share
