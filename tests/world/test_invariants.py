"""Invariants checked after every month of several scenarios."""

import numpy as np
import pytest

from tests.conftest import cached_run

LICENCE_CASE = ("baseline_2024", None, (("months", 24),))
SCENARIOS = [("baseline_2024", None, ()), ("full_embargo", None, ()), ("baseline_2024", None, (("world.scale", 3),))]


@pytest.fixture(params=SCENARIOS, ids=lambda s: f"{s[0]}{dict(s[2])}")
def run(request):
    return cached_run(*request.param)


def test_mass_balance_every_month(run):
    """Mined + opening stocks = co-products + magnets used + stocks + in transit, to 1e-9 relative."""
    assert max(run.balance_errors) <= 1e-9


def test_no_negative_stock_every_month(run):
    assert min(run.min_stock) >= -1e-9


def test_prices_finite_and_positive_every_month(run):
    assert all(run.prices_ok)
    assert np.all(np.isfinite(run.rec.price)) and np.all(run.rec.price > 0)


def test_deliveries_never_exceed_demand(run):
    rec = run.rec
    assert np.all(rec.delivered[: rec.written] <= rec.demand[: rec.written] * (1 + 1e-12))


def test_flows_are_non_negative(run):
    assert run.rec.flow.min() >= 0.0
