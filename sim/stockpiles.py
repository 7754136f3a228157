"""States' strategic stockpiles reaching firms: releases to buyers the market left short, and releases a
scenario orders. (What a state holds and when it opens its stockpile is the state's decision,
`agents/state.py`; this module moves the tonnes.)"""

from __future__ import annotations

import numpy as np

from . import agreements, market
from .constants import BUYER_KIND
from .scenario_types import RELEASE_ALL


def release_to_short_buyers(model, products: tuple[int, ...]) -> None:
    """Open stockpiles fill domestic orders the market left unfilled (and, through a rapid-response
    group, the partners'), at the market price. Product by product (buyers pay in that order)."""
    releasing = [s for s in model.states.values() if s.stockpile_row is not None and s.releasing.any()]
    for product in products:  # most months no stockpile is open: nothing to do
        for state in releasing:
            _release(model, state, product)


def _release(model, state, product: int) -> None:
    """One open stockpile's release of `product`."""
    book, row = model.book, state.stockpile_row
    if not state.releasing[product] or book.stock[row, product] <= 0:
        return
    buyers = model.rows[BUYER_KIND[product]]
    served = [state.country_id] + agreements.rapid_response_partners(model, state.country_id)
    mine = buyers[np.isin(book.country[buyers], served)]
    if state.config.stockpile_end_use == "defense":  # a defence stockpile serves military end users
        mine = mine[model.defense_row[mine]]
    short = book.unmet[mine, product]
    total = short.sum()
    if total <= 0:
        return
    given = min(total, book.stock[row, product])
    share = short / total * given
    book.stock[mine, product] += share
    book.unmet[mine, product] -= share
    book.stock[row, product] -= given
    price = model.prices[product, market.MARKET_OF[state.country_id]]
    book.cash[mine] -= share * price * 1000.0


def release_to_domestic(model, state, product: int, tonnes: float | str | None) -> float | None:
    """Hand up to `tonnes` of the state's stock (all of it for "all" or None) to its domestic users of the
    product, in proportion to their use. Returns the tonnes released, None where no domestic firm uses the
    product."""
    book = model.book
    row = state.stockpile_row
    held = float(book.stock[row, product])
    given = held if tonnes is None or tonnes == RELEASE_ALL else min(float(tonnes), held)
    buyers = model.rows[BUYER_KIND[product]]
    mine = buyers[book.country[buyers] == state.country_id]
    use = book.use_avg[mine, product]
    if len(mine) == 0 or use.sum() <= 0:
        return None
    book.stock[mine, product] += use / use.sum() * given
    book.stock[row, product] -= given
    return given
