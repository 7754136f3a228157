"""A state's strategic stockpile: when it opens to domestic buyers, when it closes again, and when it buys.

The signal is what the market left domestic buyers without: the tonnes of last month's orders that went
unfilled plus what the stockpile itself gave them (without its help they would have gone unfilled too), as
a share of what they ordered. Measured so, a stockpile that fills the gap does not hide the gap it fills,
and it stays open until the market alone serves its buyers again for `QUIET_MONTHS_TO_CLOSE` months in a
row (below a third of the opening trigger): no opening and closing every other month. Every number a
decision's reason quotes is last month's, named as what it is: orders (the model's), the stockpile's
deliveries (the change in `stocks.csv`), and, for magnets, the share of use that went short (`supply.csv`).
"""

from __future__ import annotations

import numpy as np

from sim.constants import BUYER_KIND, MAGNET, N_PRODUCTS, PRODUCTS, S
from sim.dates import format_month
from sim.world import STOCKPILE

CLOSE_SHARE_OF_TRIGGER = 1.0 / 3.0  # the market-left share below which a month counts as quiet
QUIET_MONTHS_TO_CLOSE = 2  # quiet months in a row before an open stockpile closes
CALM_SHARE = 0.01  # below this market-left share (and low risk) the stockpile buys towards its target
CALM_RISK = 0.05


def watched_rows(model, state, product: int) -> np.ndarray:
    """The buyers a stockpile serves: the country's buyers of the product (a defence stockpile: its
    military end users), never the stockpile itself."""
    book = model.book
    rows = model.rows[BUYER_KIND[product]]
    rows = rows[(book.country[rows] == state.country_id) & (book.kind[rows] != STOCKPILE)]
    if state.config.stockpile_end_use == "defense":
        rows = rows[model.defense_row[rows]]
    return rows


def buyers_name(state) -> str:
    return (
        f"{state.country} military end users"
        if state.config.stockpile_end_use == "defense"
        else f"domestic buyers in {state.country}"
    )


def magnet_use_short(model, state) -> float:
    """Last month's share of magnet demand the buyers went without, as `supply.csv` has it (the defence
    sector for a defence stockpile, every sector otherwise)."""
    c = state.country_id
    if state.config.stockpile_end_use == "defense":
        demand, delivered = model.month_demand[c, S["defense"]], model.month_delivered[c, S["defense"]]
    else:
        demand, delivered = model.month_demand[c].sum(), model.month_delivered[c].sum()
    return float(1.0 - delivered / demand) if demand > 1e-12 else 0.0


def _decision(
    model, state, p: int, opens: bool, ordered: float, left: float, released: float, share: float, stock: float
) -> tuple[str, str, str, str]:
    """An opening or closing, with its reason in last month's numbers."""
    book, row, trigger = model.book, state.stockpile_row, state.config.release_trigger
    coming = float(book.transit[:, row, p].sum())  # bought and on the way: `stocks.csv` counts it as held
    held = f"{stock:,.0f} t of {PRODUCTS[p]} on hand" + (f", {coming:,.0f} t more on the way" if coming >= 0.5 else "")
    basis = (
        f"in {format_month(model.month - 1)} {buyers_name(state)} ordered {ordered:,.0f} t of {PRODUCTS[p]} "
        f"and the market left {left:,.0f} t of it unfilled"
        + (f" ({released:,.0f} t of it the stockpile supplied)" if released > 0 else "")
        + f": {share:.0%} of their orders"
    )
    use_short = f" (their magnet use itself was {magnet_use_short(model, state):.0%} short)" if p == MAGNET else ""
    if opens:
        return (
            "stockpile_release",
            state.country,
            held,
            f"{basis}, above the {trigger:.0%} that opens the stockpile{use_short}",
        )
    why = (
        "the stockpile is empty"
        if stock <= 1e-9
        else f"{basis}, below {trigger * CLOSE_SHARE_OF_TRIGGER:.0%} for {state.quiet_months[p]} months in a row"
        f"{use_short}"
    )
    return "stockpile_close", state.country, f"{PRODUCTS[p]} release stopped, {held}", why


def manage(state, model) -> list[tuple[str, str, str, str]]:
    """Open, close and fill the stockpile, product by product; returns (kind, target, detail, rationale)
    for each opening and closing."""
    book, row = model.book, state.stockpile_row
    decisions = []
    # the stockpile's own row read once, as Python numbers (the same values as element by element)
    use = model.domestic_use(state.country_id).tolist()
    stocks, risks = book.stock[row].tolist(), book.risk[row].tolist()
    held = (book.stock[row] + book.in_transit()[row]).tolist()  # on hand or on the way
    orders = [0.0] * N_PRODUCTS  # the stockpile's own, written once at the end (no one reads them before)
    for p in range(N_PRODUCTS):
        if not state.holds[p]:
            continue
        cells = state.watched_cells[p]
        ordered = float(book.order.take(cells).sum())
        unfilled = float(book.unmet.take(cells).sum())
        # an open stockpile buys nothing, so what it holds fell by what it gave
        released = max(state.stock_seen[p] - held[p], 0.0) if state.releasing[p] else 0.0
        left = unfilled + released
        share = left / ordered if ordered > 1e-12 else 0.0
        trigger = state.config.release_trigger
        quiet = share < trigger * CLOSE_SHARE_OF_TRIGGER
        state.quiet_months[p] = state.quiet_months[p] + 1 if quiet else 0
        stock = stocks[p]
        opens = not state.releasing[p] and share > trigger and stock > 1e-9
        closes = state.releasing[p] and (stock <= 1e-9 or state.quiet_months[p] >= QUIET_MONTHS_TO_CLOSE)
        if opens or closes:  # the reasons are written only for a decision
            state.releasing[p] = opens
            if opens:
                state.quiet_months[p] = 0
            decisions.append(_decision(model, state, p, opens, ordered, left, released, share, stock))
        state.stock_seen[p] = held[p]
        target = (state.config.stockpile_target_days + state.extra_stockpile_days) / 30.0 * use[p]
        calm = not state.releasing[p] and share < CALM_SHARE and risks[p] < CALM_RISK
        orders[p] = max(target - stock, 0.0) / 12.0 if calm else 0.0
    book.order[row] = orders
    return decisions
