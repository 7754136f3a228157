"""China's ore under contract: where the calibration sets `china_ore_contract_months`, concentrate moves inside
the two state groups that mine and separate it at a quarterly contract price (`sim.prices.china_ore_contract`),
and a separator orders the ore allotted to it, not more: what China's mines can sell this month plus what its
separators imported last month, shared in proportion to their orders. Scarce ore is rationed by allotment,
not bid for, so separators do not pile up unfilled orders (and the fear of shortage that follows) for ore no
one can sell them."""

from __future__ import annotations

import numpy as np

from .constants import CN, ORE


def allotted_ore(model, orders: np.ndarray) -> np.ndarray:
    """Chinese refiners' ore orders within the allotment; other rows' orders unchanged (`orders`: every
    refiner's, in the order of `model.rows[REFINER]`)."""
    if not model.calibration.parameters.get("china_ore_contract_months", 0) or model.in_warmup:
        return orders
    book, layout = model.book, model.layout
    chinese = layout.chinese_refiners
    wanted = float(orders[chinese].sum())
    if wanted <= 1e-12:
        return orders
    at_home = float(book.stock.take(layout.chinese_miners_ore).sum())
    flows = model.month_flows  # last month's
    imported = float(flows[ORE, :, CN].sum() - flows[ORE, CN, CN])
    allotment = at_home + imported
    # what the allotment leaves out is the shortage China's quota office sees (agents/state.py)
    model.states["CN"].ore_allotment_cut = max(1.0 - allotment / wanted, 0.0)
    if wanted <= allotment:
        return orders
    return np.where(chinese, orders * allotment / wanted, orders)
