"""Final demand for magnets: growth, shocks, and users' substitution and thrifting when prices stay high."""
from __future__ import annotations

import numpy as np

from . import market
from .constants import HEAVY, MAGNET

HEAVY_THRIFT_FLOOR = 0.4  # magnet makers keep at least this share of 2024's Dy/Tb per magnet


def final_demand(model, rows: np.ndarray) -> np.ndarray:
    """Each manufacturer row's monthly magnet demand (tonnes REO)."""
    book = model.book
    years = 0.0 if model.in_warmup else model.months_run / 12.0
    growth = (1.0 + model.growth) ** years * model.growth_rebase
    markets = market.MARKET_OF[book.country[rows]]
    return (book.capacity[rows] / 12.0 * growth * model.substitution[markets]
            * model.demand_shock[book.country[rows], book.sector[rows]])


def set_growth(model, growth: float) -> None:
    """Change the growth rate from this month on without a jump in demand: the level reached so far is kept."""
    years = model.months_run / 12.0
    model.growth_rebase *= (1.0 + model.growth) ** years / (1.0 + growth) ** years
    model.growth = growth


def update_substitution(model) -> None:
    """Users thrift and substitute when magnets stay dear, at most `substitution_speed` of demand a year;
    magnet makers likewise cut Dy/Tb per magnet when heavy oxide stays dear (as Japan's makers did
    after 2011), down to HEAVY_THRIFT_FLOOR of the 2024 content."""
    elasticity = model.scenario.demand.substitution_elasticity
    step = model.substitution_speed / 12.0
    ratio = model.prices[MAGNET] / model.start_prices[MAGNET]
    target = np.minimum(ratio ** (-elasticity), model.scenario.demand.rebound_cap)
    model.substitution += np.clip(target - model.substitution, -step, step)
    heavy_ratio = model.prices[HEAVY] / model.start_prices[HEAVY]
    target = np.clip(heavy_ratio ** (-elasticity), HEAVY_THRIFT_FLOOR, 1.0)
    model.heavy_thrift += np.clip(target - model.heavy_thrift, -step, step)


def heavy_share_of(model, rows: np.ndarray) -> np.ndarray:
    """Share of Dy/Tb oxide in each magnet maker's input, after thrifting."""
    return model.heavy_share * model.heavy_thrift[market.MARKET_OF[model.book.country[rows]]]
