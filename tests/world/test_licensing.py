"""Licences: applications wait for review, are approved at the regime's rate or denied, and cap shipments."""

import numpy as np
import pytest

from sim import RareEarthModel
from sim.constants import C, P
from tests.conftest import cached_run, run_checked

SCENARIO = "tests/scenarios/licence_heavy_to_jp.toml"


@pytest.fixture(scope="module")
def licensed():
    return run_checked(SCENARIO)


def test_applications_wait_for_review(licensed):
    lic = licensed.rec.licence  # month, (applied, approved, denied, pending), exporter, product, importer
    start = licensed.month_index("2024-03")
    pair = (C["CN"], P["heavy_oxide"], C["JP"])
    assert lic[start, 0][pair] > 0, "Japanese buyers apply in the month the regime starts"
    decided = lic[:, 1][:, pair[0], pair[1], pair[2]] + lic[:, 2][:, pair[0], pair[1], pair[2]]
    assert decided[start] == 0, "nothing is decided in the month it is filed"
    # review_months is the longest review: an application's lots are decided evenly up to it
    assert decided[start + 1] > 0 and decided[start + 2] > 0


def test_about_half_of_the_tonnes_are_approved_over_time(licensed):
    lic = licensed.rec.licence
    approved, denied = lic[:, 1].sum(), lic[:, 2].sum()
    assert 0.3 <= approved / (approved + denied) <= 0.7


def test_shipments_never_exceed_approved_licences(licensed):
    flows = licensed.rec.flow[:, :, C["CN"], C["JP"]]
    lic = licensed.rec.licence
    for product in ("heavy_oxide", "magnet"):
        p = P[product]
        shipped = flows[:, p].cumsum()
        approved = lic[:, 1, C["CN"], p, C["JP"]].cumsum()
        start = licensed.month_index("2024-03")
        assert np.all(shipped[start:] - shipped[start - 1] <= approved[start:] + 1e-6)


def test_unlicensed_products_still_flow(licensed):
    start = licensed.month_index("2024-03")
    assert licensed.rec.flow[start:, P["light_oxide"], C["CN"], C["JP"]].min() > 0


def test_licence_decisions_are_logged_with_applicants_and_reasons(licensed):
    rows = [r for r in licensed.model.log.rows if r[2] in ("licence_approved", "licence_denied")]
    assert {r[2] for r in rows} == {"licence_approved", "licence_denied"}
    assert all(r[1] == "CN" and r[3] == "JP" for r in rows)
    civil = [r for r in rows if "military" not in r[5]]
    assert civil and all("about 50% of applications pass" in r[5] and "relations with JP" in r[5] for r in civil)
    assert any("manufacturers" in r[4] or "Shin-Etsu" in r[4] for r in rows), "the detail names the applicants"


def test_military_end_users_are_denied(licensed):
    rows = [r for r in licensed.model.log.rows if r[2] == "licence_denied" and "military end use" in r[5]]
    assert rows and all("JP defense manufacturers" in r[4] for r in rows)
    assert not any(r[2] == "licence_approved" and "JP defense" in r[4] for r in licensed.model.log.rows)


def test_refused_firms_apply_for_more(licensed):
    from sim.constants import MANUFACTURER

    model = licensed.model
    jp_users = model.rows[MANUFACTURER][model.book.country[model.rows[MANUFACTURER]] == C["JP"]]
    assert model.approval_belief[jp_users, P["magnet"]].min() < 0.9


def test_stricter_licensing_raises_world_prices_and_cuts_china_exports():
    loose = cached_run(SCENARIO, None, (("events.1.approval_rate", 0.9),))
    tight = cached_run(SCENARIO, None, (("events.1.approval_rate", 0.2),))
    heavy, year = P["heavy_oxide"], slice(tight.month_index("2024-03"), tight.month_index("2025-03"))
    assert tight.price("heavy_oxide", "world").max() > loose.price("heavy_oxide", "world").max()
    assert (
        tight.rec.flow[year, heavy, C["CN"], C["JP"]].sum() < 0.8 * loose.rec.flow[year, heavy, C["CN"], C["JP"]].sum()
    )


def test_ban_stops_flows_and_lifting_it_restores_them():
    model = RareEarthModel(SCENARIO, months=12, **{"events__1__level": "ban", "events__1__duration_months": 4})
    while not model.finished:
        model.step()
    flows = model.recorder.flow[:, P["magnet"], C["CN"], C["JP"]]
    assert flows[2:6].sum() == 0 and flows[7:].min() > 0
