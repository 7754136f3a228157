"""What a sweep's outcome columns measure: unit, the range a value can take (bands are clipped to it), and
the group the report files it under. Names are those of `outputs.outcomes` and the sweep file's aggregates."""
from __future__ import annotations

import math

from .aggregates import Aggregate

# (prefix, unit, lowest, highest, group), most specific prefix first
_KINDS = [
    ("price_peak_ratio_", "ratio to the start price", 0.0, math.inf, "Prices"),
    ("price_", "USD/kg", 0.0, math.inf, "Prices"),
    ("shortage_peak_month_share_", "share of a month's demand (0-1)", 0.0, 1.0, "Shortages"),
    ("shortage_share_", "share of demand (0-1)", 0.0, 1.0, "Shortages"),
    ("shortage_t_", "t REO", 0.0, math.inf, "Shortages"),
    ("china_share_", "China's share of output (0-1)", 0.0, 1.0, "China's shares"),
    ("capacity_", "t/yr", 0.0, math.inf, "Capacity outside China"),
    ("china_exports_t", "t REO", 0.0, math.inf, "Trade and licences"),
    ("licence_approval_rate", "share of decided tonnes (0-1)", 0.0, 1.0, "Trade and licences"),
    ("licence_", "t REO", 0.0, math.inf, "Trade and licences"),
    ("cofinance_", "USD", 0.0, math.inf, "Co-finance"),
    ("cap_hits_", "count", 0.0, math.inf, "Model checks (clamps and mass balance)"),
    ("mass_balance_", "relative error", 0.0, math.inf, "Model checks (clamps and mass balance)"),
]
GROUP_ORDER = ["Aggregates of the sweep file", *dict.fromkeys(k[4] for k in _KINDS), "Other"]
_TABLE_UNITS = {"prices": "USD/kg", "flows": "t REO", "supply": "t REO", "licences": "t REO",
                "capacity": "t/yr", "stocks": "t REO"}


def describe(name: str, aggregates: dict[str, Aggregate] | None = None) -> tuple[str, float, float, str]:
    """(unit, lowest, highest, group) of an outcome column; an aggregate's from its table and stat."""
    aggregate = (aggregates or {}).get(name)
    if aggregate is not None:
        return (*_aggregate_unit(aggregate), "Aggregates of the sweep file")
    for prefix, unit, low, high, group in _KINDS:
        if name.startswith(prefix):
            return unit, low, high, group
    return "", -math.inf, math.inf, "Other"


def _aggregate_unit(aggregate: Aggregate) -> tuple[str, float, float]:
    if aggregate.stat == "count":
        return "count of rows", 0.0, math.inf
    unit = _TABLE_UNITS.get(aggregate.table, "")
    if aggregate.divide_by is not None:
        return f"ratio: ({aggregate.value}) / ({aggregate.divide_by})", -math.inf, math.inf
    if aggregate.value not in (None, *(["usd_per_kg", "tonnes", "demand_t", "delivered_t", "applied_t",
                                        "approved_t", "denied_t", "pending_t", "tonnes_per_year"])):
        return f"{unit}, from {aggregate.value}", -math.inf, math.inf  # arithmetic can go below 0
    return unit, 0.0, math.inf


def units(columns: list[str], aggregates: dict[str, Aggregate] | None = None) -> dict[str, str]:
    """Unit of every outcome column that has one (results.parquet's metadata)."""
    found = {name: describe(name, aggregates)[0] for name in columns}
    return {name: unit for name, unit in found.items() if unit}


def grouped(outcomes: list[str], aggregates: dict[str, Aggregate] | None = None) -> dict[str, list[str]]:
    """Outcomes by group, groups in a fixed order, outcomes in the order given."""
    groups: dict[str, list[str]] = {}
    for name in outcomes:
        groups.setdefault(describe(name, aggregates)[3], []).append(name)
    return {g: groups[g] for g in GROUP_ORDER if g in groups}
