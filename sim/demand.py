"""Final demand for magnets: growth, shocks, and users' substitution and thrifting when prices stay high."""
from __future__ import annotations

import numpy as np

from . import market
from .constants import HEAVY, MAGNET, MARKETS


def final_demand(model, rows: np.ndarray) -> np.ndarray:
    """Each manufacturer row's monthly magnet demand (tonnes REO)."""
    book = model.book
    years = 0.0 if model.in_warmup else model.months_run / 12.0
    growth = (1.0 + model.growth) ** years
    markets = market.MARKET_OF[book.country[rows]]
    return (book.capacity[rows] / 12.0 * growth * model.substitution[markets]
            * model.demand_shock[book.country[rows], book.sector[rows]])


def update_substitution(model) -> None:
    """Users thrift and substitute when magnets stay dear, at most `substitution_speed` of demand a year;
    magnet makers likewise cut Dy/Tb per magnet when heavy oxide stays dear (as Japan's makers did
    after 2011), down to `demand.heavy_thrift_floor` of the 2024 content."""
    elasticity = model.scenario.demand.substitution_elasticity
    step = model.substitution_speed / 12.0
    ratio = model.prices[MAGNET] / model.start_prices[MAGNET]
    cap, floor = model.scenario.demand.rebound_cap, model.scenario.demand.heavy_thrift_floor
    wanted = ratio ** (-elasticity)
    target = np.minimum(wanted, cap)
    model.substitution += np.clip(target - model.substitution, -step, step)
    heavy_ratio = model.prices[HEAVY] / model.start_prices[HEAVY]
    wanted_thrift = heavy_ratio ** (-elasticity)
    target = np.clip(wanted_thrift, floor, 1.0)
    model.heavy_thrift += np.clip(target - model.heavy_thrift, -step, step)
    for k, name in enumerate(MARKETS):
        if wanted[k] > cap and model.substitution[k] >= cap - 1e-12:
            model.caps.hit("rebound_cap", f"magnet demand {name}")
        if wanted_thrift[k] < floor and model.heavy_thrift[k] <= floor + 1e-12:
            model.caps.hit("heavy_thrift_floor", f"Dy/Tb per magnet {name}")


def heavy_share_of(model, rows: np.ndarray) -> np.ndarray:
    """Share of Dy/Tb oxide in each magnet maker's input, after thrifting."""
    return model.heavy_share * model.heavy_thrift[market.MARKET_OF[model.book.country[rows]]]
