"""Aggregates of a run's tables as sweep outcomes agree with the headline outcomes and the tables."""
import math

import pandas as pd
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


def test_an_empty_selection_counts_zero_but_has_no_sum_or_peak(model):
    """no silent zeros. No licence regime covers imports into China, so nothing is selected."""
    window = {"table": "licences", "value": "approved_t", "where": {"importer": "CN"}}
    got = compute_all(model, {"sum": window, "peak": dict(window, stat="max"),
                              "share": dict(window, divide_by="applied_t"), "count": dict(window, stat="count")})
    assert math.isnan(got["sum"]) and math.isnan(got["peak"]) and math.isnan(got["share"])
    assert got["count"] == 0.0


def test_zero_over_zero_is_nan_not_zero(model):
    got = compute_all(model, {
        "none_over_none": {"table": "supply", "value": "demand_t * 0", "divide_by": "delivered_t * 0"},
        "some_over_none": {"table": "supply", "value": "demand_t", "divide_by": "delivered_t * 0"},
        "fine": {"table": "supply", "value": "delivered_t", "divide_by": "demand_t"},
    })
    assert math.isnan(got["none_over_none"]) and math.isnan(got["some_over_none"])
    assert 0 < got["fine"] <= 1


def test_flows_count_months_without_a_shipment_as_zero():
    """flows.csv leaves out pairs that shipped nothing, so a month with no row is 0 t, not a gap."""
    months = ["2024-01", "2024-02", "2024-03", "2024-04"]
    flows = pd.DataFrame({"date": ["2024-01", "2024-04", "2024-04"], "exporter": ["CN", "CN", "AU"],
                          "importer": ["US", "US", "US"], "product": ["magnet"] * 3, "tonnes": [5.0, 3.0, 1.0]})
    cn_us = {"table": "flows", "value": "tonnes", "where": {"exporter": "CN", "importer": "US"}}
    assert Aggregate.model_validate(dict(cn_us, stat="min")).compute(flows, months) == 0.0
    assert Aggregate.model_validate(dict(cn_us, stat="mean")).compute(flows, months) == pytest.approx(2.0)
    stopped = dict(cn_us, **{"from": "2024-02", "to": "2024-03"})
    assert Aggregate.model_validate(stopped).compute(flows, months) == 0.0
    # any other table: an empty selection has no value
    prices = pd.DataFrame({"date": ["2024-01"], "product": ["magnet"], "market": ["world"], "usd_per_kg": [60.0]})
    late = Aggregate.model_validate({"table": "prices", "value": "usd_per_kg", "from": "2024-02"})
    assert math.isnan(late.compute(prices, months))


def test_windows_outside_the_run_are_refused():
    aggregate = Aggregate.model_validate({"table": "supply", "value": "demand_t", "from": "2027-01"})
    with pytest.raises(ValueError, match="from: '2027-01' is outside the run's months, 2024-01 to 2026-12"):
        aggregate.check_window("2024-01", "2026-12")
    Aggregate.model_validate({"table": "supply", "value": "demand_t", "from": "2024-01", "to": "2026-12"}
                             ).check_window("2024-01", "2026-12")
    with pytest.raises(ValueError, match="to: '2023-12'"):
        Aggregate.model_validate({"table": "supply", "value": "demand_t", "to": "2023-12"}).check_window(
            "2024-01", "2026-12")


def test_compute_all_refuses_a_window_outside_the_run(model):
    with pytest.raises(ValueError, match="aggregate 'late': to: '2027-06' is outside the run's months, 2024-01 to 2025-12"):
        compute_all(model, {"late": {"table": "supply", "value": "demand_t", "to": "2027-06"}})


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
