"""Who pays for a capacity project and whether it pays back.

A developer and its lenders bank on China's price: Chinese plants set the price the world pays whenever
China's exports flow, and the premium outside China that export controls open has not lasted (the 2011
export premium of 3-7x collapsed by 2013-15, reference V4). So a project outside China is appraised at
China's price of the last year plus the share `project_premium_trust` of the premium the world market has
paid over it, raised to any price floor its state guarantees. At those prices most Western separation loses
money, as Solvay's CEO said ("no real market" at Chinese prices), and only public money, floors or
offtakes make it bankable.

The capital comes from the home state (a share of capex, within its yearly budget), the joint funds of
agreements covering the country (a share, within each fund's yearly money) and the developer, who pays
the rest if that share pays back within `project_hurdle_years` at the appraisal prices.
"""
from __future__ import annotations

import numpy as np

from . import market
from .constants import CN, COUNTRIES, HEAVY, LIGHT, MAGNET, ORE

FUND = "fund"  # financing from an agreement's joint fund is keyed "fund KEY" (ids have no spaces)
OUTPUT = {"mining": [ORE], "refining": [LIGHT, HEAVY], "magnets": [MAGNET]}


def appraisal_prices(model, price_avg: np.ndarray, country: int) -> np.ndarray:
    """USD/kg by product that a project in `country` banks on: China's price of the last year plus the
    trusted share of the premium its own market paid over it; its state's floors raise its output."""
    china = price_avg[:, market.CHINA]
    own = price_avg[:, market.MARKET_OF[country]]
    trust = model.calibration.parameters.get("project_premium_trust", 1.0)
    prices = china + trust * np.maximum(own - china, 0.0)
    return prices


def margin_usd_per_kg(model, prices: np.ndarray, country: int, stage: str, unit_cost: float) -> float:
    """What a kg of capacity earns a year at `prices` (stage output raised to the state's floors)."""
    prices = prices.copy()
    output = OUTPUT[stage]
    prices[output] = np.maximum(prices[output], model.floors[country][output])  # floors pay producers
    if stage == "mining":
        return float(prices[ORE] - unit_cost)
    if stage == "refining":
        grade = model.ore_grade[country] if model.ore_grade[country, 0] > 0 else model.ore_grade.mean(axis=0)
        return float(grade[0] * prices[LIGHT] + grade[1] * prices[HEAVY] - prices[ORE] - unit_cost)
    h = model.heavy_share
    return float(prices[MAGNET] - (1 - h) * prices[LIGHT] - h * prices[HEAVY] - unit_cost)


def state_support(model, country: int, stage: str, capex: float, within_budget: bool = True) -> float:
    """The home state's grant or loan for a project: its share of capex, within this year's budget (or, with
    `within_budget=False`, what it would give with budget to spare)."""
    state = model.states[COUNTRIES[country]]
    if state.budget_year != model.month // 12:
        state.budget_year, state.budget_left = model.month // 12, state.config.support_budget_usd
    share = capex * state.strategy.project_support(state, stage, model)
    return max(min(share, state.budget_left) if within_budget else share, 0.0)


def financing_offered(model, country: int, stage: str, capex: float) -> dict[str, float]:
    """What the home state and the joint funds covering the country would put in now, by source."""
    sources = {}
    grant = state_support(model, country, stage, capex)
    if grant > 0:
        sources[f"{COUNTRIES[country]} state"] = grant
    for key, usd in model.diplomats.cofinance(country, capex, model.month).items():
        sources[f"{FUND} {key}"] = usd
    return sources


def funds_at_full_share(model, country: int, capex: float) -> float:
    """What the funds covering the country would pay if their money were not spent: their shares of capex."""
    return sum(capex * a.terms.cofinance_share for a in model.diplomats.active(model.month)
               if a.covers(country) and a.has_fund)


def source_name(model, source: str) -> str:
    """A financing source as a reader says it: a fund by its agreement's name."""
    if source.startswith(f"{FUND} "):
        return model.diplomats.by_key(source.split(" ", 1)[1]).name
    return source


def commit(model, country: int, financing: dict[str, float], project: str, capex: float) -> None:
    """Draw the state's budget and the funds' money for a project that goes ahead; each fund's payment is
    logged with what is left of its year's money."""
    state = model.states[COUNTRIES[country]]
    for source, usd in financing.items():
        if source == f"{state.country} state":
            state.budget_left -= usd
        elif source.startswith(f"{FUND} "):
            fund = model.diplomats.spend(source.split(" ", 1)[1], usd, model.month)
            amount = fund.terms.cofinance_usd_per_year
            model.log.add(model.month, "+".join(COUNTRIES[p] for p in fund.parties), "fund_payment", fund.key,
                          f"${usd / 1e6:,.0f}M ({usd / capex:.0%} of ${capex / 1e6:,.0f}M) for {project}; "
                          f"${fund.paid[model.month // 12] / 1e9:,.2f}B of this year's ${amount / 1e9:,.2f}B used",
                          f"the fund pays {fund.terms.cofinance_share:.0%} of capex while its yearly money lasts")


def entrant_cost(country: int, base: float) -> float:
    """Unit cost of a new greenfield plant: non-Chinese incumbents' cost, half in China."""
    return base if country != CN else base / 2
