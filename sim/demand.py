"""Final demand for magnets: growth, shocks, and users' substitution and thrifting when prices stay high."""

from __future__ import annotations

import numpy as np

from .constants import COUNTRIES, HEAVY, MAGNET, MANUFACTURER, MARKETS, N_COUNTRIES, N_PRODUCTS, N_SECTORS, SECTORS, S
from .measures import ActiveMeasure, MeasureRule, composer, register


def final_demand(model, rows: np.ndarray) -> np.ndarray:
    """Each manufacturer row's monthly magnet demand (tonnes REO)."""
    book = model.book
    return _demand(
        model, book.capacity[rows], model.layout.market[rows], book.country[rows] * N_SECTORS + book.sector[rows]
    )


def manufacturers_demand(model) -> np.ndarray:
    """`final_demand` of every manufacturer row (`model.rows[MANUFACTURER]`), from the layout's fixed keys."""
    layout = model.layout
    return _demand(
        model, model.book.capacity.take(model.rows[MANUFACTURER]), layout.market_of[MANUFACTURER], layout.user_key
    )


def _demand(model, capacity: np.ndarray, markets: np.ndarray, country_sector: np.ndarray) -> np.ndarray:
    years = 0.0 if model.in_warmup else model.months_run / 12.0
    growth = (1.0 + model.growth) ** years * model.growth_rebase
    return capacity / 12.0 * growth * model.substitution.take(markets) * model.demand_shock.take(country_sector)


def use_by_country(model) -> np.ndarray:
    """Smoothed monthly use of each product by firms, country x product: worked out once per change
    (`RareEarthModel._use_version`, bumped where phase 6 moves the use averages), then copied out."""
    if model._use_cache[0] != model._use_version:
        firms = model.book.use_avg[: model.layout.n_firms]  # stockpiles are the last rows
        use = np.bincount(model.layout.use_key, firms.ravel(), minlength=N_COUNTRIES * N_PRODUCTS)
        model._use_cache = (model._use_version, use.reshape(N_COUNTRIES, N_PRODUCTS))
    cached = model._use_cache[1]
    assert cached is not None  # the version starts at 0, an empty cache's at -1: filled just above
    return cached.copy()


def set_growth(model, growth: float) -> None:
    """Change the growth rate from this month on without a jump in demand: the level reached so far is kept."""
    years = model.months_run / 12.0
    model.growth_rebase *= (1.0 + model.growth) ** years / (1.0 + growth) ** years
    model.growth = growth


def update_substitution(model) -> None:
    """Users thrift and substitute when magnets stay dear, at most `substitution_speed` of demand a year;
    magnet makers likewise cut Dy/Tb per magnet when heavy oxide stays dear (as Japan's makers did
    after 2011), down to `demand.heavy_thrift_floor` of the 2024 content."""
    elasticity = model.scenario.demand.substitution_elasticity
    step = model.substitution_speed / 12.0
    cap, floor = model.scenario.demand.rebound_cap, model.scenario.demand.heavy_thrift_floor
    # heavy oxide's and magnets' prices relative to the start, by market, in one pass
    wanted_thrift, wanted = (model.prices[HEAVY : MAGNET + 1] / model.start_prices[HEAVY : MAGNET + 1]) ** (-elasticity)
    target = np.minimum(wanted, cap)
    model.substitution += (target - model.substitution).clip(-step, step)  # the method: np.clip adds two calls
    target = wanted_thrift.clip(floor, 1.0)
    model.heavy_thrift += (target - model.heavy_thrift).clip(-step, step)
    for k, name in enumerate(MARKETS):
        if wanted[k] > cap and model.substitution[k] >= cap - 1e-12:
            model.caps.hit("rebound_cap", f"magnet demand {name}")
        if wanted_thrift[k] < floor and model.heavy_thrift[k] <= floor + 1e-12:
            model.caps.hit("heavy_thrift_floor", f"Dy/Tb per magnet {name}")


def heavy_share_of(model, rows: np.ndarray) -> np.ndarray:
    """Share of Dy/Tb oxide in each magnet maker's input, after thrifting."""
    return model.heavy_share * model.heavy_thrift[model.layout.market[rows]]


def heavy_bearing_base(calibration) -> np.ndarray:
    """Per sector, the share of 2024's magnet tonnage made in grades with Dy/Tb (or Sm): what a control on
    heavy rare earths and "magnets containing them" reaches. 1 where the data leave it out."""
    return np.array([calibration.parameters.get(f"heavy_bearing_share_{s}", 1.0) for s in SECTORS])


def heavy_bearing_share(model, rows: np.ndarray, exporter_market: int) -> np.ndarray:
    """Share of each buyer row's magnets that carries heavy rare earths, from the exporter's makers: the
    sector's 2024 share, shrunk as makers thrift Dy/Tb (thrifted grades move to Dy-free designs).
    Stockpiles buy the world mix (a defence stockpile, defence grades)."""
    book = model.book
    base = model.heavy_bearing_base
    users = book.kind[rows] == MANUFACTURER
    mix = float(model.calibration.demand_shares.sum(axis=0) @ base)
    share = np.where(users, base[np.maximum(book.sector[rows], 0)], mix)
    share = np.where(model.defense_row[rows], base[S["defense"]], share)
    return np.clip(share * model.heavy_thrift[exporter_market], 0.0, 1.0)


@composer("demand")
def compose_demand_shocks(model, measures: list[ActiveMeasure]) -> None:
    """Demand shocks multiply, each on its country and sector ("*": all)."""
    shock = np.ones_like(model.demand_shock)
    for measure in measures:
        event = measure.event
        countries = slice(None) if event.country == "*" else COUNTRIES.index(event.country)
        sectors = slice(None) if event.sector == "*" else S[event.sector]
        shock[countries, sectors] *= event.factor
    model.demand_shock[:] = shock


register(
    MeasureRule(
        "demand_shock",
        "demand",
        lambda model, m: (
            f"demand of {m.event.country}/{m.event.sector} x{m.event.factor:g}",
            "demand shock set by the scenario",
        ),
    )
)
