"""Issue C: aggregates of a run's tables as sweep outcomes agree with the headline outcomes and the tables."""
import pytest

from sim.runs.aggregates import Aggregate, compute_all
from sim.runs.outputs import outcomes, table
from sim.runs.runner import check_params, run_model, run_scenario


@pytest.fixture(scope="module")
def model():
    return run_model(check_params("apr2025_licensing", {"months": 24}), seed=5)


def test_shares_and_peaks_agree_with_the_headline_outcomes(model):
    headline = outcomes(model)
    got = compute_all(model, {
        "us_share": {"table": "supply", "value": "demand_t - delivered_t", "divide_by": "demand_t",
                     "where": {"country": "US"}},
        "magnet_peak": {"table": "prices", "value": "usd_per_kg", "stat": "max",
                        "where": {"product": "magnet", "market": "world"}},
        "magnet_end": {"table": "prices", "value": "usd_per_kg", "stat": "last",
                       "where": {"product": "magnet", "market": "world"}},
    })
    assert got["us_share"] == pytest.approx(headline["shortage_share_US"], rel=1e-6)
    assert got["magnet_peak"] == pytest.approx(headline["price_peak_magnet_world"], rel=1e-6)
    assert got["magnet_end"] == pytest.approx(headline["price_end_magnet_world"], rel=1e-6)
    assert got["us_share"] > 0  # the April 2025 licences leave some US demand unmet


def test_windows_filters_and_counts_follow_the_tables(model):
    events = table(model, "events")
    supply = table(model, "supply")
    got = compute_all(model, {
        "denials": {"table": "events", "where": {"kind": "licence_denied"}, "stat": "count"},
        "jp_ev_2025": {"table": "supply", "value": "delivered_t", "where": {"country": "JP", "sector": ["ev"]},
                       "from": "2025-01", "to": "2025-12"},
        "cn_demand_peak": {"table": "supply", "value": "demand_t", "where": {"country": "CN"}, "stat": "max"},
    })
    assert got["denials"] == (events["kind"] == "licence_denied").sum() > 0
    jp = supply[(supply.country == "JP") & (supply.sector == "ev") & supply.date.between("2025-01", "2025-12")]
    assert got["jp_ev_2025"] == pytest.approx(jp.delivered_t.sum(), rel=1e-8)
    cn_monthly = supply[supply.country == "CN"].groupby("date").demand_t.sum()
    assert got["cn_demand_peak"] == pytest.approx(cn_monthly.max(), rel=1e-8)


def test_an_empty_selection_sums_to_zero_but_has_no_peak(model):
    window = {"table": "licences", "value": "approved_t", "where": {"importer": "CN"}}
    assert compute_all(model, {"x": window}) == {"x": 0.0}
    with pytest.raises(ValueError, match="no rows"):
        compute_all(model, {"x": dict(window, stat="max")})


def test_run_scenario_returns_aggregates_beside_the_headline_outcomes():
    out = run_scenario({"scenario": "full_embargo", "months": 6}, seed=1,
                       aggregates={"bans": {"table": "events", "where": {"kind": "export_control"},
                                            "stat": "count"}})
    assert out["bans"] >= 1 and "shortage_share_US" in out


@pytest.mark.parametrize("declaration, message", [
    ({"table": "supply", "value": "demand_t", "where": {"country": "USA"}}, "where.country"),
    ({"table": "supply", "value": "demand_t", "where": {"colour": "red"}}, "where"),
    ({"table": "supply", "value": "demand_x"}, "value"),
    ({"table": "prices", "value": "usd_per_kg +"}, "value"),
    ({"table": "prices", "stat": "max"}, "value"),
    ({"table": "prices", "value": "usd_per_kg", "from": "2027-01", "to": "2026-01"}, "from"),
])
def test_bad_declarations_name_the_field(declaration, message):
    with pytest.raises(ValueError, match=message):
        Aggregate.model_validate(declaration).check()
