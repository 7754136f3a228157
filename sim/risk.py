"""Buyers' sense of supply risk: who they usually buy from, how exposed that leaves them to controls,
and the unfilled orders they remember. Risk raises the stock cover buyers want (see `prices` and
`agents.firms`)."""

from __future__ import annotations

import numpy as np

from .constants import HEAVY, LIGHT, MAGNET, N_COUNTRIES
from .licensing import BAN, LICENCE

ORIGIN_MEMORY = 0.05  # how fast buyers forget who their usual suppliers were
DISTRUST_MEMORY_MONTHS = 36.0  # how slowly importers forget that a supplier cut them off


def update_risk(model) -> None:
    """Unfilled orders and the controls on their usual suppliers move each buyer's risk."""
    if model.in_warmup:
        return
    office, book = model.office, model.book
    if np.count_nonzero(office.level):
        severity = np.where(
            office.level == BAN, 1.0, np.where(office.level == LICENCE, 0.5 + 0.5 * (1.0 - office.approval_rate), 0.0)
        )
        # exposure[product, importer] = sum over exporters of usual share x severity
        exposure = np.einsum("pem,epm->pm", model.origin_share, severity)
        # distrust[exporter, importer]: the worst control the exporter has put on the importer, fading slowly
        worst = severity.max(axis=1)
        model.distrust = np.maximum(worst, model.distrust - model.distrust / DISTRUST_MEMORY_MONTHS)
    else:  # no control anywhere (most months): what the sums above give (exposure and worst 0), without them
        exposure = None  # and distrust (never below 0) fades
        model.distrust = model.distrust - model.distrust / DISTRUST_MEMORY_MONTHS
    memory = model.scenario.market.risk_memory
    # every firm's every input at once (sim.layout): the signal is its unfilled share of last month's
    # orders, or its exposure to controls on its usual suppliers, whichever is higher
    layout = model.layout
    cells = layout.input_flat
    order = book.order.take(cells)
    unmet_share = np.divide(book.unmet.take(cells), order, out=np.zeros(len(cells)), where=order > 1e-12)
    signal = np.maximum(unmet_share, 0.0 if exposure is None else exposure.take(layout.input_exposure_flat))
    before = book.risk.take(cells)
    book.risk.put(cells, before + memory * (signal - before))
    # a state's stockpile sees its country's exposure on every product (none: its risk fades)
    cells = layout.stockpile_cells
    before = book.risk.take(cells)
    exposed = 0.0 if exposure is None else exposure.take(layout.stockpile_exposure_flat)
    book.risk.put(cells, before + memory * (exposed - before))


def remember_suppliers(model, products: slice, flows: np.ndarray) -> None:
    """Each importer's usual share of supply by origin (`flows`: product x exporter x importer for the
    `products`, a slice of the product axis). Links under
    controls keep their pre-control share: buyers still count on those suppliers (and apply for licences
    accordingly)."""
    received = np.add.reduce(flows, axis=1, keepdims=True)
    supplied = received > 0
    share = np.divide(flows, received, out=np.zeros(flows.shape), where=supplied)
    memory = 0.5 if model.in_warmup else ORIGIN_MEMORY
    update = (model.office.level[:, products, :].transpose(1, 0, 2) == 0) & supplied  # free links
    origin = model.origin_share[products]  # a view: updated in place
    origin += memory * np.where(update, share - origin, 0.0)


def supply_exposure(model, country_id: int) -> float:
    """Share of the country's oxide and magnet supply that comes from suppliers that control exports
    to it or that it is at odds with."""
    office = model.office
    exposed = [
        ((office.level[:, p, country_id] > 0) | (model.relations.score[country_id] < 0.1))
        for p in (LIGHT, HEAVY, MAGNET)
    ]
    shares = [model.origin_share[p, :, country_id] for p in (LIGHT, HEAVY, MAGNET)]
    exposed_share = [float((s * (e & (np.arange(N_COUNTRIES) != country_id))).sum()) for s, e in zip(shares, exposed)]
    return float(np.mean(exposed_share))


def diversification_weight(model) -> np.ndarray:
    """[exporter, importer] multipliers on trade links: importers that were cut off by a supplier spread
    their purchases away from it for years after (Japan after 2010: >90% from China in 2009, 49% in
    June 2012), by exp(-market.diversification x distrust)."""
    return np.exp(-model.scenario.market.diversification * model.distrust)
