"""China's controls trap supply at home, customs hold a new control's whole heading for a
while, China's quota stays near its published level, China's ore trades on a quarterly contract, and US ore is
mined and stored when it cannot go to China. Each mechanism is shown by what it changes."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.constants import C, P
from sim.licensing import LICENCE, Regime
from sim.prices import held_at_home, price_pull
from tests.conftest import cached_run, model_with_events

TO_END_2025 = (("months", 24),)
NO_HOLD = TO_END_2025 + (("events.no18.customs_hold_months", 0.0),)
NO_APRIL_CONTROL = TO_END_2025 + (("events.no18.level", "none"), ("events.no18.customs_hold_months", 0.0))


def magnet_exports(run, date: str) -> float:
    flows = run.rec.flow[run.month_index(date), P["magnet"], C["CN"]]
    return float(flows.sum() - flows[C["CN"]])


def test_customs_hold_every_magnet_in_the_first_month_then_the_law_decides():
    """April 2025: customs held Dy/Tb-free grades too (one heading, HS 8505.11); from May those cross freely."""
    held, unheld = cached_run("apr2025_licensing", None, TO_END_2025), cached_run("apr2025_licensing", None, NO_HOLD)
    assert magnet_exports(held, "2025-04") < 0.01 * magnet_exports(held, "2025-03")
    assert magnet_exports(unheld, "2025-04") > 0.2 * magnet_exports(unheld, "2025-03")  # Dy/Tb-free grades
    assert magnet_exports(held, "2025-05") > 0.2 * magnet_exports(held, "2025-03")


def test_a_hold_needs_a_licence_regime():
    with pytest.raises(Exception, match="customs_hold_months"):
        model_with_events(
            [
                {
                    "date": "2024-03",
                    "kind": "export_control",
                    "actor": "CN",
                    "products": ["magnet"],
                    "level": "ban",
                    "customs_hold_months": 1,
                }
            ],
            3,
        )


def test_licences_hold_dy_tb_at_home_and_china_s_price_falls():
    """V22: China's own Dy/Tb price ends 2025 below March's under the licences, and below the same path without
    them; the price China's sellers expect is lowered by the share its licences refuse (~7% of its Dy/Tb in
    late 2025), and only while a licence regime refuses some."""
    licensed = cached_run("busan_truce", None, TO_END_2025)
    free = cached_run("busan_truce", None, NO_APRIL_CONTROL)
    heavy, heavy_free = licensed.price("heavy_oxide", "china"), free.price("heavy_oxide", "china")
    dec, mar = licensed.month_index("2025-12"), licensed.month_index("2025-03")
    assert heavy[dec] / heavy[mar] < 1.0
    assert heavy[dec] < heavy_free[dec]
    assert heavy_free[dec] / heavy_free[mar] > heavy[dec] / heavy[mar]
    assert 0.05 < held_at_home(licensed.model)[P["heavy_oxide"]] < 0.12
    assert held_at_home(free.model).sum() == 0.0


def test_price_pull_follows_licences_not_the_price_gap():
    model = model_with_events([], 2)
    model.step()
    model.prices[P["heavy_oxide"], 1] *= 3.0  # the world pays three times more
    key = (C["CN"], P["heavy_oxide"], C["JP"])
    model.office.level[key] = LICENCE
    model.office.regimes[key] = Regime.from_terms(model.month, approval_rate=0.5)
    pull = price_pull(model, P["heavy_oxide"])
    assert pull[C["CN"], C["JP"]] == 1.0  # licensed: what crosses is what the licences allow
    assert pull[C["CN"], C["EU"]] > 10.0  # free: China's sellers chase the dearer market


def test_us_ore_is_mined_and_stored_when_it_cannot_go_to_china():
    """V25: MP mined a record 50.7 kt in 2025 after its Chinese outlet shut; the model's mine keeps its 2024 rate
    and stores what its own refinery cannot take."""
    run = cached_run("apr2025_licensing", None, TO_END_2025)
    mined = run.rec.output[: run.rec.written, 0, C["US"]]
    year = lambda y: slice(run.month_index(f"{y}-01"), run.month_index(f"{y}-12") + 1)  # noqa: E731
    assert mined[year(2025)].sum() > 0.95 * mined[year(2024)].sum()
    stock = run.rec.stock[: run.rec.written, C["US"], 0, P["ore"]]
    assert stock[run.month_index("2025-12")] > stock[run.month_index("2025-03")] + 20_000
    assert run.rec.flow[run.month_index("2025-05") :, P["ore"], C["US"], C["CN"]].sum() == 0


def test_china_s_quota_stays_near_its_published_level():
    """V27: USGS keeps China at 270 kt in 2025. The quota grows as published (5.9% a year), by at most 1.5% more
    a batch once refiners have gone short for a year, plus at most 5% for a half-year that does not carry over:
    never the 15% a batch, compounding, of the 2009-15 rule (382 kt in 2026 and 626 kt by 2027 before)."""
    run = cached_run("truce_lapses_2026")
    mined = run.rec.output[: run.rec.written, 0, C["CN"]]
    year = lambda y: slice(run.month_index(f"{y}-01"), run.month_index(f"{y}-12") + 1)  # noqa: E731
    assert 243_000 <= mined[year(2025)].sum() <= 297_000
    assert mined[year(2026)].sum() < 340_000
    most = 270_000 * (1.0295 + 0.015) ** 8 * 1.05  # eight half-year batches by 2027-07
    assert run.model.states["CN"].quota_t <= most + 1.0
    batches = [r for r in run.model.log.rows if r[1] == "CN" and r[2] == "mining_quota"]
    assert batches and all("grows 5.9% a year" in r[5] for r in batches)
    top_ups = [float(x) for r in batches for x in re.findall(r"topped up by ([\d.]+)%", r[5])]
    assert top_ups and max(top_ups) <= 5.0  # never the 10-15% of the old rule


def test_china_s_ore_price_is_a_quarterly_contract_in_2024_data_and_spot_in_2009():
    modern = cached_run("busan_truce", None, TO_END_2025)
    ore = modern.price("ore", "china")
    moved = np.flatnonzero(np.abs(np.diff(ore)) > 1e-12) + 1
    assert len(moved) and all(modern.rec.dates[t][5:] in ("01", "04", "07", "10") for t in moved)
    old = cached_run("crisis_2010").price("ore", "china")
    assert (np.abs(np.diff(old)) > 1e-12).mean() > 0.5  # spot: it moves most months


def test_a_licence_ships_the_documented_need_only():
    """Licensed imports in a month stop at what a buyer's file documents (use and normal stock, no precaution)."""
    model = model_with_events([], 1)
    office = model.office
    buyers = model.buyers[P["magnet"]][:2]
    key = (C["CN"], P["magnet"], int(model.book.country[buyers[0]]))
    office.level[key] = LICENCE
    office.regimes[key] = Regime.from_terms(0, approval_rate=0.5)
    office.quota[(int(buyers[0]), C["CN"], P["magnet"])] = [[500.0, 12]]
    country = model.book.country[buyers]
    orders, defense = np.full(2, 400.0), np.zeros(2, dtype=bool)
    unlimited = office.holdings(P["magnet"], buyers, country, orders, defense, 0)
    capped = office.holdings(P["magnet"], buyers, country, orders, defense, 0, documented=np.array([120.0, 0.0]))
    assert unlimited[0, C["CN"]] == 500.0 and capped[0, C["CN"]] == 120.0
