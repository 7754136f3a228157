"""Overlapping measures compose instead of undoing each other: factors multiply, covers add, and on a regime
the latest in force wins, with the one beneath back in force when it ends (`sim.measures`)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import RareEarthModel
from sim.constants import STAGE_KIND, C, P, S
from sim.licensing import BAN, LICENCE, NONE
from tests.conftest import model_with_events

US_EV = {"kind": "demand_shock", "country": "US", "sector": "ev", "factor": 0.5}
JP_WIND = {"kind": "demand_shock", "country": "JP", "sector": "wind", "factor": 0.5}
MY_REFINING = {"kind": "capacity_shock", "country": "MY", "stage": "refining", "factor": 0.5}
SHOCKS = [
    {**US_EV, "date": "2024-02", "duration_months": 3},
    {**JP_WIND, "date": "2024-03", "duration_months": 12},
    {**MY_REFINING, "date": "2024-02", "duration_months": 3},
    {**MY_REFINING, "date": "2024-03", "duration_months": 12},
]


def monthly(model: RareEarthModel, probe) -> dict[str, object]:
    """`probe(model)` after each month, by date."""
    out = {}
    while not model.finished:
        model.step()
        out[model.date] = probe(model)
    return out


def _demand_and_capacity(model):
    rec, t = model.recorder, model.months_run - 1
    my = model.rows[STAGE_KIND["refining"]]
    my = my[model.book.country[my] == C["MY"]]
    return (
        float(rec.demand[t, C["US"], S["ev"]]),
        float(rec.demand[t, C["JP"], S["wind"]]),
        float((model.book.capacity[my] * model.book.capacity_factor[my]).sum()),
    )


def test_overlapping_demand_and_capacity_shocks_each_end_on_their_own_date():
    shocked = monthly(model_with_events(SHOCKS, months=24), _demand_and_capacity)
    calm = monthly(model_with_events([], months=24), _demand_and_capacity)
    ratio = {date: np.divide(shocked[date], calm[date]) for date in calm}
    us_ev, jp_wind, my_refining = (np.array([ratio[d][i] for d in sorted(ratio)]) for i in range(3))
    dates = sorted(ratio)
    during_jp_only = [i for i, d in enumerate(dates) if "2024-06" <= d <= "2025-01"]
    assert np.all(np.abs(jp_wind[during_jp_only] - 0.5) < 0.1), jp_wind[during_jp_only]
    assert np.all(np.abs(us_ev[during_jp_only] - 1.0) < 0.1), us_ev[during_jp_only]
    assert abs(ratio["2024-03"][2] - 0.25) < 1e-9 and abs(ratio["2024-06"][2] - 0.5) < 1e-9  # both, then one
    after = [i for i, d in enumerate(dates) if d >= "2025-06"]
    for series in (us_ev, jp_wind, my_refining):
        assert np.all(np.abs(series[after] - 1.0) < 0.1), series[after]


# kind -> (two overlapping measures, a probe of the slot they feed, expected value by month)
def _level(model):
    return int(model.office.level[C["CN"], P["magnet"], C["JP"]])


def _grade(model):
    return round(float(model.ore_grade[C["CN"], 1] / model.registered_grade[C["CN"], 1]), 6)


CASES = {
    "export_control, the latest on top ends first": (
        [
            {
                "date": "2024-02",
                "kind": "export_control",
                "actor": "CN",
                "products": ["magnet"],
                "destinations": ["JP"],
                "level": "licence",
                "approval_rate": 0.5,
                "duration_months": 12,
            },
            {
                "date": "2024-04",
                "kind": "export_control",
                "actor": "CN",
                "products": ["magnet"],
                "destinations": ["JP"],
                "level": "ban",
                "duration_months": 3,
            },
        ],
        _level,
        {"2024-03": LICENCE, "2024-05": BAN, "2024-07": LICENCE, "2025-01": LICENCE, "2025-02": NONE},
    ),
    "export_control, the one beneath ends first": (
        [
            {
                "date": "2024-02",
                "kind": "export_control",
                "actor": "CN",
                "products": ["magnet"],
                "destinations": ["JP"],
                "level": "ban",
                "duration_months": 3,
            },
            {
                "date": "2024-03",
                "kind": "export_control",
                "actor": "CN",
                "products": ["magnet"],
                "destinations": ["*"],
                "level": "licence",
                "approval_rate": 0.5,
                "duration_months": 12,
            },
        ],
        _level,
        {"2024-02": BAN, "2024-04": LICENCE, "2024-06": LICENCE, "2025-02": LICENCE, "2025-03": NONE},
    ),
    "ore_grade": (
        [
            {"date": "2024-02", "kind": "ore_grade", "country": "CN", "heavy_factor": 0.5, "duration_months": 3},
            {"date": "2024-03", "kind": "ore_grade", "country": "CN", "heavy_factor": 0.8, "duration_months": 12},
        ],
        _grade,
        {"2024-02": 0.5, "2024-03": 0.4, "2024-05": 0.8, "2025-03": 1.0},
    ),
    "hoarding": (
        [
            {
                "date": "2024-02",
                "kind": "hoarding",
                "market": "china",
                "products": ["heavy_oxide"],
                "extra_cover": 1.0,
                "duration_months": 3,
            },
            {
                "date": "2024-03",
                "kind": "hoarding",
                "market": "china",
                "products": ["heavy_oxide"],
                "extra_cover": 0.5,
                "duration_months": 12,
            },
        ],
        lambda m: float(m.hoarding[P["heavy_oxide"], 0]),
        {"2024-02": 1.0, "2024-03": 1.5, "2024-05": 0.5, "2025-03": 0.0},
    ),
    "price_floor": (
        [
            {
                "date": "2024-02",
                "kind": "price_floor",
                "actor": "US",
                "product": "light_oxide",
                "usd_per_kg": 80.0,
                "duration_months": 3,
            },
            {
                "date": "2024-03",
                "kind": "price_floor",
                "actor": "US",
                "product": "light_oxide",
                "usd_per_kg": 110.0,
                "duration_months": 12,
            },
        ],
        lambda m: float(m.floors[C["US"], P["light_oxide"]]),
        {"2024-02": 80.0, "2024-03": 110.0, "2024-05": 110.0, "2025-03": 0.0},
    ),
    "general_licence": (
        [
            {
                "date": "2024-02",
                "kind": "general_licence",
                "actor": "CN",
                "products": ["magnet"],
                "destinations": ["JP"],
                "duration_months": 3,
            },
            {
                "date": "2024-03",
                "kind": "general_licence",
                "actor": "CN",
                "products": ["magnet"],
                "destinations": ["JP", "EU"],
                "duration_months": 12,
            },
        ],
        lambda m: sum(1 for g in m.office.general if C["JP"] in g.importers),
        {"2024-02": 1, "2024-03": 2, "2024-05": 1, "2025-03": 0},
    ),
    "extraterritorial": (
        [
            {"date": "2024-02", "kind": "extraterritorial", "actor": "CN", "threshold": 0.5, "duration_months": 12},
            {"date": "2024-04", "kind": "extraterritorial", "actor": "CN", "threshold": 0.01, "duration_months": 3},
        ],
        lambda m: m.office.extraterritorial[C["CN"]].threshold if m.office.extraterritorial else None,
        {"2024-03": 0.5, "2024-05": 0.01, "2024-07": 0.5, "2025-02": None},
    ),
    "demand_shock": (
        [{"date": "2024-02", **JP_WIND, "duration_months": 3}, {"date": "2024-03", **JP_WIND, "duration_months": 12}],
        lambda m: float(m.demand_shock[C["JP"], S["wind"]]),
        {"2024-02": 0.5, "2024-03": 0.25, "2024-05": 0.5, "2025-03": 1.0},
    ),
    "capacity_shock": (
        [
            {"date": "2024-02", **MY_REFINING, "duration_months": 3},
            {"date": "2024-03", **MY_REFINING, "factor": 0.2, "duration_months": 12},
        ],
        lambda m: float(
            m.book.capacity_factor[m.rows[STAGE_KIND["refining"]]][
                m.book.country[m.rows[STAGE_KIND["refining"]]] == C["MY"]
            ].max()
        ),
        {"2024-02": 0.5, "2024-03": 0.1, "2024-05": 0.2, "2025-03": 1.0},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_two_overlapping_measures_of_a_kind_compose_and_end_on_their_own_dates(case):
    events, probe, expected = CASES[case]
    seen = monthly(model_with_events(events, months=16), probe)
    got = {date: seen[date] for date in expected}
    for date, value in expected.items():
        assert got[date] == pytest.approx(value) if value is not None else got[date] is None, (case, got)


def test_every_kind_with_a_duration_has_an_overlap_case():
    from typing import get_args

    from sim.scenario_schema import MEASURE_KINDS, Event

    kinds = {
        get_args(model.model_fields["kind"].annotation)[0]
        for model in get_args(get_args(Event)[0])
        if "duration_months" in model.model_fields
    }
    covered = {case.split(",")[0] for case in CASES}
    assert kinds & set(MEASURE_KINDS) <= covered, kinds - covered
