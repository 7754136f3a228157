"""China bans all four products to the US and Japan for 12 months from 2024-03 ('full_embargo')."""

import numpy as np
import pytest

from tests.conftest import cached_run

BAN, PRE_BAN = "2024-03", "2024-02"


@pytest.mark.parametrize("product", ["heavy_oxide", "magnet"])
def test_world_prices_at_least_double_within_six_months(embargo, product):
    pre = embargo.price(product, "world")[embargo.month_index(PRE_BAN)]
    ban = embargo.month_index(BAN)
    window = embargo.price(product, "world")[ban : ban + 6]
    assert window.max() >= 2.0 * pre, f"{product}: peak {window.max():.0f} within 6 months vs {pre:.0f} before"


@pytest.mark.parametrize("product", ["light_oxide", "heavy_oxide", "magnet"])
def test_china_domestic_prices_do_not_rise_during_the_ban(embargo, baseline, product):
    ban = embargo.month_index(BAN)
    during = slice(ban, ban + 12)
    china = embargo.price(product, "china")
    pre = china[embargo.month_index(PRE_BAN)]
    assert china[during].max() <= 1.05 * pre
    # and never above the same month without the ban: supply is trapped at home
    assert np.all(china[during] <= baseline.price(product, "china")[during] * 1.01)


def test_world_prices_rise_above_the_baseline(embargo, baseline):
    ban = embargo.month_index(BAN)
    for product in ("heavy_oxide", "magnet"):
        assert embargo.price(product, "world")[ban + 3] > 1.5 * baseline.price(product, "world")[ban + 3]


@pytest.mark.parametrize("country", ["US", "JP"])
def test_shortages_appear_only_once_stocks_run_down(embargo, country):
    ban = embargo.month_index(BAN)
    short = embargo.shortage_share(country)
    assert short[ban] < 0.01, "stocks should carry the first month"
    first = ban + int(np.argmax(short[ban : ban + 12] > 0.05))
    assert short[first] > 0.05, f"{country} never went short during the ban"
    assert first >= ban + 2
    stocks = embargo.rec.stock[:, embargo.model.states[country].country_id, 0, 3]  # firms' magnets
    assert stocks[first] < 0.5 * stocks[ban - 1]


@pytest.mark.parametrize("country", ["EU", "ROW", "CN"])
def test_countries_not_targeted_stay_supplied(embargo, country):
    assert embargo.shortage_share(country).max() < 0.02


def test_recovery_after_the_ban_ends(embargo):
    end = embargo.month_index("2025-03")
    for country in ("US", "JP"):
        assert embargo.shortage_share(country)[end + 3 : end + 12].max() < 0.02
    for product in ("heavy_oxide", "magnet"):
        world = embargo.price(product, "world")
        assert world[end + 12] < 0.5 * world[: end + 1].max()
    events = [row for row in embargo.model.log.rows if row[2] == "export_control_ends"]
    assert events and events[0][0] == "2025-03"


def test_japan_opens_its_stockpile(embargo):
    releases = [row for row in embargo.model.log.rows if row[1] == "JP" and row[2] == "stockpile_release"]
    assert releases and releases[0][0] >= BAN


def test_chinese_exports_to_targets_stop(embargo):
    from sim.constants import C

    ban = embargo.month_index(BAN)
    flows = embargo.rec.flow[ban : ban + 12, :, C["CN"], :]
    assert flows[:, :, C["US"]].sum() == 0 and flows[:, :, C["JP"]].sum() == 0
    assert embargo.rec.flow[ban - 1, :, C["CN"], C["JP"]].sum() > 0


def test_the_story_does_not_hang_on_the_seed():
    """Seeds draw licence verdicts and project delays; the embargo's headline effect must not depend on them."""
    peaks = [cached_run("full_embargo", seed=seed).price("heavy_oxide", "world").max() for seed in (1, 2, 3)]
    assert max(peaks) <= 1.1 * min(peaks)
