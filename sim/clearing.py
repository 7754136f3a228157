"""Phase 5 of the month: every product's buyers meet its sellers.

The four products clear in the same numpy calls (`market.clear_products`): no product's market reads what
another's changes, so the result is the one a loop over products would give. An export quota is the
exception: products share it, so under one they clear in turn, each drawing down what the quota has left.
"""

from __future__ import annotations

import numpy as np

from . import agreements, licence_flow, market, prices, risk, stockpiles, supply
from .constants import N_COUNTRIES, N_PRODUCTS

ALL_PRODUCTS = tuple(range(N_PRODUCTS))
EACH_PRODUCT = [(p,) for p in ALL_PRODUCTS]


def market_sides(book, sellers: dict, buyers: dict) -> dict[tuple[int, ...], tuple[market.Side, market.Side]]:
    """Each product's sellers and buyers flattened for clearing: every product at once, or one at a time."""
    return {
        group: (market.Side.of(book, sellers, group), market.Side.of(book, buyers, group))
        for group in [ALL_PRODUCTS, *EACH_PRODUCT]
    }


def clear_month(model) -> None:
    model.month_flows = np.zeros((N_PRODUCTS, N_COUNTRIES, N_COUNTRIES))
    preference = agreements.preferential_weight(model) * risk.diversification_weight(model)
    for products in EACH_PRODUCT if model.office.export_quotas else [ALL_PRODUCTS]:
        _clear(model, products, preference)
    buyers = model.market_sides[ALL_PRODUCTS][1]
    model.last_orders = buyers.by_country(model.book.order.take(buyers.cells)).T
    model.last_unmet = buyers.by_country(model.book.unmet.take(buyers.cells)).T


def _clear(model, products: tuple[int, ...], preference: np.ndarray) -> None:
    for p in products:  # term contracts ship before the spot market
        model.contracts.deliver(p, model.month_flows[p])
    sellers, buyers = model.market_sides[products]
    span = sellers.span
    caps, licensed, export_limit = licence_flow.market_terms_of(model, span)
    cleared = market.clear_products(
        model.book,
        sellers,
        buyers,
        market.Terms(
            weight=model.trade_weight[span] * prices.price_pulls(model, span) * preference,
            cap=caps,
            prices=model.prices[span],
            normal=supply.normal_supplies(model, sellers),
            licensed=licensed,
            export_limit=export_limit,
        ),
    )
    model.month_flows[span] += cleared.flows
    if not model.office.export_quotas:  # the mix a quota is shared by: exports while none binds
        mix = model.export_mix[:, span]  # a view: updated in place
        mix += 0.3 * (cleared.exports.T - mix)
    licence_flow.record_use(model, products, cleared)
    stockpiles.release_to_short_buyers(model, products)
    risk.remember_suppliers(model, span, cleared.flows)
