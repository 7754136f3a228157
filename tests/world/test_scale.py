"""world.scale multiplies firm agents and splits capacity among them: aggregates stay put."""

import numpy as np
import pytest

from sim import RareEarthModel
from sim.constants import MANUFACTURER, MINER
from tests.conftest import cached_run


def test_scale_multiplies_firm_agents():
    one, ten = RareEarthModel(months=1), RareEarthModel(months=1, world__scale=10)
    for kind in range(MINER, MANUFACTURER + 1):
        assert len(ten.rows[kind]) == 10 * len(one.rows[kind])
    assert ten.book.capacity[ten.rows[MINER]].sum() == pytest.approx(one.book.capacity[one.rows[MINER]].sum())
    assert len(ten.agents) > 10 * len(one.rows[MINER])  # Mesa agents exist for every firm


@pytest.mark.parametrize("scenario", ["baseline_2024", "full_embargo"])
def test_scale_10_matches_scale_1_within_5_percent(scenario):
    one = cached_run(scenario)
    ten = cached_run(scenario, None, (("world.scale", 10),))
    for stage in range(3):
        a, b = one.rec.output[:, stage].sum(axis=1), ten.rec.output[:, stage].sum(axis=1)
        assert np.allclose(b, a, rtol=0.05), f"stage {stage}: worst ratio {np.max(np.abs(b / a - 1)):.3f}"
    assert np.allclose(ten.rec.price, one.rec.price, rtol=0.05)
