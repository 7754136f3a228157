"""`busan_truce` as the real path, seeds 42, 1 and 2, against the 2025-26 facts V19-V25 and V27
(V26, US magnet capacity, belongs to the investment pipeline and is reported by `ree validation`)."""

from __future__ import annotations

import pytest

from sim.runs.validation_facts import BAND, fact_metrics
from tests.conftest import cached_run

SEEDS = (None, 1, 2)  # the scenario's own (42) and two more
TO_2026_01 = (("months", 25),)
CHECKED = (
    "magnet_exports_2025_over_2024",
    "magnet_exports_to_us_2025_over_2024",
    "us_share_of_magnet_exports_2024",
    "heavy_china_dec_over_mar_2025",
    "ndpr_china_dec_2025",
    "ore_china_jan_2026_over_mar_2025",
    "us_ndpr_oxide_2025_t",
    "china_mined_2025_t",
)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("key", CHECKED)
def test_busan_truce_meets_the_2025_facts(seed, key):
    metrics = fact_metrics(cached_run("busan_truce", seed, TO_2026_01).model)
    assert BAND[key].holds(metrics[key]), (key, metrics[key], BAND[key].low, BAND[key].high)


def test_the_bands_can_fail():
    """Without the April controls (and their customs hold) exports to the US do not fall and China's Dy/Tb
    price does not fall either: the facts tell the controls apart from no controls."""
    free = fact_metrics(
        cached_run(
            "busan_truce", None, TO_2026_01 + (("events.no18.level", "none"), ("events.no18.customs_hold_months", 0.0))
        ).model
    )
    assert not BAND["magnet_exports_to_us_2025_over_2024"].holds(free["magnet_exports_to_us_2025_over_2024"])
