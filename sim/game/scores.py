"""Scores per seat: each role's objectives (the scenario's `[classroom.objectives.XX]`, else the defaults
below) turned into 0-100 from the world's numbers over the months played.

An objective names a metric, the value counted as the worst (0 points) and the best (full points), and a
weight; the seat's score is the weighted mean of its objectives' points, times 100. Metrics (per seat):

- `shortage_share`: share of the country's magnet demand left unmet over the game (0..1);
- `magnet_price_ratio`: the magnet price in the country's market at the end / at the start;
- `export_value_busd`: the value of the country's rare-earth exports over the game, billion USD
  (tonnes x the world price of each product);
- `refining_share`: the country's share of the world's refining capacity at the end (0..1);
- `magnet_capacity_growth`, `refining_capacity_growth`: the country's capacity at the end / at the start;
- `relations`: how the other countries regard it at the end, on average (-1..1);
- `stockpile_days`: the state stockpile at the end, in days of domestic use.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..constants import COUNTRIES, MAGNET, N_PRODUCTS
from ..market import MARKET_OF
from ..scenario_schema import Objective
from ..shortage import unmet_share

_SECURITY = [  # an importer's aims: keep factories supplied, build capacity at home, keep friends
    {
        "metric": "shortage_share",
        "worst": 0.3,
        "best": 0.0,
        "weight": 2.0,
        "description": "keep manufacturers supplied with magnets",
    },
    {
        "metric": "magnet_capacity_growth",
        "worst": 1.0,
        "best": 2.0,
        "weight": 1.0,
        "description": "build magnet capacity at home",
    },
    {"metric": "relations", "worst": -0.5, "best": 0.5, "weight": 1.0, "description": "keep good relations"},
]
DEFAULT_OBJECTIVES: dict[str, list[dict[str, Any]]] = {
    "CN": [
        {
            "metric": "export_value_busd",
            "worst": 0.0,
            "best": 4.0,
            "weight": 1.0,
            "description": "earn from rare-earth exports",
        },
        {
            "metric": "refining_share",
            "worst": 0.6,
            "best": 0.9,
            "weight": 2.0,
            "description": "keep the world's refining in China",
        },
        {"metric": "relations", "worst": -0.5, "best": 0.5, "weight": 1.0, "description": "avoid isolation"},
    ],
    "US": _SECURITY,
    "JP": _SECURITY,
    "EU": _SECURITY,
    "AU": [
        {
            "metric": "refining_capacity_growth",
            "worst": 1.0,
            "best": 2.0,
            "weight": 2.0,
            "description": "become the refiner outside China",
        },
        {"metric": "export_value_busd", "worst": 0.0, "best": 1.0, "weight": 1.0, "description": "earn from exports"},
        {"metric": "relations", "worst": -0.5, "best": 0.5, "weight": 1.0, "description": "keep good relations"},
    ],
}


def objectives(scenario, seat: str) -> list[Objective]:
    given = scenario.classroom.objectives.get(seat)
    return list(given) if given else [Objective(**o) for o in DEFAULT_OBJECTIVES.get(seat, _SECURITY)]


def metrics(model, seat: str) -> dict[str, float]:
    """The seat's metrics over the months run so far."""
    rec, n, c = model.recorder, model.recorder.written, COUNTRIES.index(seat)
    if n == 0:
        return {
            "shortage_share": 0.0,
            "magnet_price_ratio": 1.0,
            "export_value_busd": 0.0,
            "refining_share": float(model.refining_share(c)),
            "magnet_capacity_growth": 1.0,
            "refining_capacity_growth": 1.0,
            "relations": _relations(model, c),
            "stockpile_days": _stock_days(model, c),
        }
    demand, delivered = rec.demand[:n, c].sum(), rec.delivered[:n, c].sum()
    k = MARKET_OF[c]
    exports = rec.flow[:n, :, c, :].sum(axis=2) - rec.flow[:n, :, c, c]  # month x product
    value = float((exports * rec.price[:n, :, 1]).sum()) * 1000 / 1e9  # t x USD/kg -> billion USD
    start_cap, end_cap = rec.capacity[0, c], rec.capacity[n - 1, c]
    return {
        "shortage_share": float(unmet_share(demand, delivered)),
        "magnet_price_ratio": float(rec.price[n - 1, MAGNET, k] / model.start_prices[MAGNET, k]),
        "export_value_busd": value,
        "refining_share": float(model.refining_share(c)),
        "magnet_capacity_growth": _ratio(end_cap[2], start_cap[2]),
        "refining_capacity_growth": _ratio(end_cap[1], start_cap[1]),
        "relations": _relations(model, c),
        "stockpile_days": _stock_days(model, c),
    }


def _ratio(end: float, start: float) -> float:
    return float(end / start) if start > 1e-9 else (1.0 if end <= 1e-9 else 2.0)


def _relations(model, c: int) -> float:
    others = [i for i in range(len(COUNTRIES)) if i != c]
    return float(np.mean(model.relations.score[others, c]))


def _stock_days(model, c: int) -> float:
    row = model.states[COUNTRIES[c]].stockpile_row
    if row is None:
        return 0.0
    use = model.domestic_use(c)
    held = model.book.stock[row, :N_PRODUCTS]
    days = [held[p] / use[p] * 30 for p in range(N_PRODUCTS) if use[p] > 1e-9 and held[p] > 0]
    return float(np.mean(days)) if days else 0.0


def score(goals: list[Objective], values: dict[str, float]) -> tuple[float, list[dict[str, Any]]]:
    """(score 0-100, one row per objective with its value and points)."""
    rows, total, weights = [], 0.0, 0.0
    for goal in goals:
        value = values[goal.metric]
        points = float(np.clip((value - goal.worst) / (goal.best - goal.worst), 0.0, 1.0))
        rows.append(
            {
                "metric": goal.metric,
                "description": goal.description,
                "value": round(value, 4),
                "worst": goal.worst,
                "best": goal.best,
                "weight": goal.weight,
                "points": round(points, 4),
            }
        )
        total += goal.weight * points
        weights += goal.weight
    return round(100 * total / weights, 2), rows


def seat_score(model, scenario, seat: str) -> dict[str, Any]:
    value, rows = score(objectives(scenario, seat), metrics(model, seat))
    return {"seat": seat, "score": value, "objectives": rows}
