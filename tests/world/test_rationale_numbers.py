"""Every number a stockpile or licence rationale quotes is the number the run's tables (or, for
orders, the model's state that month) hold, and stockpiles do not open and close month after month."""

from __future__ import annotations

import re

import numpy as np
import pytest

from agents.stockpile_policy import QUIET_MONTHS_TO_CLOSE, watched_rows
from sim import RareEarthModel
from sim.constants import PRODUCTS
from sim.dates import format_month, parse_month
from sim.runs.outputs import table

SCENARIOS = ("full_embargo", "apr2025_licensing", "busan_truce", "truce_lapses_2026", "us_japan_framework")
ORDERS = re.compile(
    r"in (\d{4}-\d{2}) (.+?) ordered ([\d,]+) t of (\w+) and the market left ([\d,]+) t of it unfilled"
    r"(?: \(([\d,]+) t of it the stockpile supplied\))?: (\d+)% of their orders"
)
USE_SHORT = re.compile(r"their magnet use itself was (\d+)% short")
STOCK = re.compile(r"([\d,]+) t of (\w+) on hand(?:, ([\d,]+) t more on the way)?$")
VERDICT = re.compile(r"^(\w+): (\d+) applications?, ([\d,]+) t, from ")
ABROAD = re.compile(r"; (\w+)-made goods with \w+ content need its licence")


def number(text: str) -> float:
    return float(text.replace(",", ""))


def run_with_orders(scenario: str):
    """The run, and per month, state and product: what the stockpile's buyers ordered and had left unfilled."""
    model = RareEarthModel(scenario)
    seen = {}
    while not model.finished:
        model.step()
        for state in model.states.values():
            if state.stockpile_row is None:
                continue
            for p in np.flatnonzero(state.holds):
                rows = watched_rows(model, state, int(p))
                seen[(model.date, state.country, PRODUCTS[p])] = (
                    float(model.book.order[rows, p].sum()),
                    float(model.book.unmet[rows, p].sum()),
                )
    return model, {name: table(model, name) for name in ("supply", "licences", "stocks")}, seen


@pytest.fixture(scope="module", params=SCENARIOS)
def checked(request):
    return run_with_orders(request.param)


def state_stock(stocks, date: str, country: str, product: str) -> float:
    row = stocks[
        (stocks.date == date)
        & (stocks.country == country)
        & (stocks.holder == "state")
        & (stocks["product"] == product)
    ]
    return float(row.tonnes.sum())


def test_stockpile_rationales_quote_the_tables(checked):
    model, out, seen = checked
    rows = [r for r in model.log.rows if r[2] in ("stockpile_release", "stockpile_close")]
    quoted = 0
    for date, actor, _kind, _target, detail, rationale in rows:
        before = format_month(parse_month(date) - 1)
        found = STOCK.search(detail)
        product = found.group(2)
        held = number(found.group(1)) + (number(found.group(3)) if found.group(3) else 0.0)
        assert held == pytest.approx(state_stock(out["stocks"], before, actor, product), abs=1.0), (date, detail)
        match = ORDERS.search(rationale)
        if match is None:
            assert rationale == "the stockpile is empty" and number(found.group(1)) < 0.5, rationale
            continue
        month, _who, ordered, named, left, supplied, share = match.groups()
        assert month == before and named == product
        orders, unmet = seen[(month, actor, product)]
        two_before = format_month(parse_month(month) - 1)
        gave = (
            max(
                state_stock(out["stocks"], two_before, actor, product)
                - state_stock(out["stocks"], month, actor, product),
                0.0,
            )
            if supplied
            else 0.0
        )
        assert number(ordered) == pytest.approx(orders, abs=0.5), rationale
        assert number(left) == pytest.approx(unmet + gave, abs=1.0), rationale
        if supplied:
            assert number(supplied) == pytest.approx(gave, abs=0.5), rationale
        assert int(share) == pytest.approx(100 * (unmet + gave) / orders, abs=0.51), rationale
        use = USE_SHORT.search(rationale)
        if product == "magnet":
            supply = out["supply"]
            cells = supply[(supply.date == month) & (supply.country == actor)]
            if "military" in rationale:
                cells = cells[cells.sector == "defense"]
            short = 1 - cells.delivered_t.sum() / cells.demand_t.sum()
            assert use is not None and int(use.group(1)) == pytest.approx(100 * short, abs=0.51), rationale
        quoted += 1
    assert quoted or not rows


def test_stockpiles_do_not_open_and_close_every_other_month(checked):
    model, _, _ = checked
    last = {}
    for date, actor, kind, _target, detail, _why in model.log.rows:
        if kind not in ("stockpile_release", "stockpile_close"):
            continue
        product = STOCK.search(detail).group(2)
        if kind == "stockpile_close" and not detail.endswith(f" 0 t of {product} on hand"):
            opened = last.get((actor, product))
            assert opened is not None and parse_month(date) - opened >= QUIET_MONTHS_TO_CLOSE, (date, actor, product)
        if kind == "stockpile_release":
            last[(actor, product)] = parse_month(date)


def test_licence_rationales_quote_licences_csv(checked):
    model, out, _ = checked
    quoted: dict[tuple, float] = {}
    for date, actor, kind, target, detail, rationale in model.log.rows:
        if kind not in ("licence_approved", "licence_denied"):
            continue
        found = VERDICT.match(detail)
        abroad = ABROAD.search(rationale)
        exporter = abroad.group(1) if abroad else actor
        key = (date, exporter, target, found.group(1), kind)
        quoted[key] = quoted.get(key, 0.0) + number(found.group(3))
    licences = out["licences"].set_index(["date", "exporter", "importer", "product"])
    for (date, exporter, importer, product, kind), tonnes in quoted.items():
        column = "approved_t" if kind == "licence_approved" else "denied_t"
        assert tonnes == pytest.approx(licences.loc[(date, exporter, importer, product), column], abs=2.0), (
            date,
            exporter,
            importer,
            product,
            kind,
        )


def test_the_check_can_fail(checked):
    """A doctored rationale (one more tonne ordered than the model had) is caught."""
    model, out, seen = checked
    if not any(r[2] == "stockpile_release" for r in model.log.rows):
        pytest.skip("no stockpile opened in this scenario")
    i = next(i for i, r in enumerate(model.log.rows) if r[2] == "stockpile_release")
    saved = model.log.rows[i]
    bumped = re.sub(r"ordered ([\d,]+) t", lambda m: f"ordered {number(m.group(1)) + 5:,.0f} t", saved[5])
    model.log.rows[i] = saved[:5] + (bumped,)
    try:
        with pytest.raises(AssertionError):
            test_stockpile_rationales_quote_the_tables((model, out, seen))
    finally:
        model.log.rows[i] = saved
