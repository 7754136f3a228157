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

Where that is not enough, a joint fund can also sign an **offtake**: it guarantees the project the yearly
earnings its developer's share lacks, for `offtake_years`, as DoD did for MP Materials (a 10-year floor
at about twice the spot price). A guarantee is scored when it is signed at its full cost, the yearly
shortfall times its years, out of the fund's money left after its capex shares; and it may at most add
`offtake_max_uplift` of the plant's revenue at the appraisal prices. So money builds twice: a bigger fund
pays its share of more projects and underwrites more of those that do not pay back at Chinese prices.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import market
from .constants import CN, COUNTRIES, HEAVY, LIGHT, MAGNET, ORE

FUND = "fund"  # financing from an agreement's joint fund is keyed "fund KEY" (ids have no spaces)
OFFTAKE = "offtake"  # a fund's offtake guarantee is keyed "offtake KEY"; it pays no capex
OUTPUT = {"mining": [ORE], "refining": [LIGHT, HEAVY], "magnets": [MAGNET]}


class Basis(NamedTuple):
    """What a project in one country is appraised at. An appraisal weighs some thirty offers a quarter and
    nothing it does moves these (prices move monthly; floors, grades and agreements in other phases), so
    they are worked out once per country, in plain floats (the same IEEE arithmetic as numpy's, without
    numpy's cost per call)."""

    prices: list[float]  # USD/kg by product that lenders bank on (`appraisal_prices`)
    floors: list[float]  # the state's price floors, USD/kg by product
    grade: list[float]  # light and heavy shares of a refinery's feed (`refinery_grade`)
    funds: list  # the agreements in force with a joint fund covering the country (`funds_covering`)


def appraisal_basis(model, price_avg: np.ndarray, country: int) -> Basis:
    return Basis(
        appraisal_prices(model, price_avg, country),
        model.floors[country].tolist(),
        refinery_grade(model, country),
        funds_covering(model, country),
    )


def appraisal_prices(model, price_avg: np.ndarray, country: int) -> list[float]:
    """USD/kg by product that a project in `country` banks on: China's price of the last year plus the
    trusted share of the premium its own market paid over it; its state's floors raise its output."""
    k = int(market.MARKET_OF[country])
    trust = float(model.calibration.parameters.get("project_premium_trust", 1.0))
    return [row[market.CHINA] + trust * max(row[k] - row[market.CHINA], 0.0) for row in price_avg.tolist()]


def refinery_grade(model, country: int) -> list[float]:
    """Light and heavy shares of a refinery's feed: its country's ore, or the average ore where it has none."""
    grade = model.ore_grade[country] if model.ore_grade[country, 0] > 0 else model.ore_grade.mean(axis=0)
    return grade.tolist()


def margin_usd_per_kg(model, basis: Basis, stage: str, unit_cost: float) -> float:
    """What a kg of capacity earns a year at the basis' prices (stage output raised to the state's floors)."""
    prices = list(basis.prices)
    for product in OUTPUT[stage]:
        prices[product] = max(prices[product], basis.floors[product])  # floors pay producers
    if stage == "mining":
        return float(prices[ORE] - unit_cost)
    if stage == "refining":
        grade = basis.grade
        return float(grade[0] * prices[LIGHT] + grade[1] * prices[HEAVY] - prices[ORE] - unit_cost)
    h = float(model.heavy_share)
    return float(prices[MAGNET] - (1 - h) * prices[LIGHT] - h * prices[HEAVY] - unit_cost)


def revenue_usd(basis: Basis, stage: str, tonnes_per_year: float) -> float:
    """A year's sales of a plant at the basis' prices (a refinery sells its feed's oxides at its grade)."""
    prices = basis.prices
    if stage == "mining":
        per_kg = prices[ORE]
    elif stage == "refining":
        per_kg = basis.grade[0] * prices[LIGHT] + basis.grade[1] * prices[HEAVY]
    else:
        per_kg = prices[MAGNET]
    return float(per_kg) * 1000.0 * tonnes_per_year


def offtake_terms(model) -> tuple[float, float]:
    """(years a guarantee runs, most it may add as a share of revenue)."""
    params = model.calibration.parameters
    return params.get("offtake_years", 10.0), params.get("offtake_max_uplift", 1.0)


def funds_covering(model, country: int) -> list:
    """The agreements in force with a joint fund that covers `country`."""
    return [a for a in model.diplomats.active(model.month) if a.covers(country) and a.has_fund]


def offtake_possible(model, country: int, shortfall: float, revenue: float, funds: list | None = None) -> bool:
    """Whether a fund covering `country` may underwrite a yearly shortfall of this size at all (`funds`: the
    `funds_covering` the country, if the caller has them)."""
    _, uplift = offtake_terms(model)
    return shortfall <= uplift * max(revenue, 0.0) and bool(funds_covering(model, country) if funds is None else funds)


def offtake_offered(
    model, country: int, shortfall: float, revenue: float, capital: dict[str, float]
) -> dict[str, float]:
    """The guarantee a fund covering `country` signs for a yearly `shortfall`, keyed "offtake KEY" with its
    scored cost: the fund with the most money left after the capex shares in `capital`; {} if none can."""
    years, _ = offtake_terms(model)
    cost = shortfall * years
    if shortfall <= 0 or not offtake_possible(model, country, shortfall, revenue):
        return {}
    model.diplomats.cofinance(country, 0.0, model.month)  # a new year's money, if January came
    left = {
        a.key: a.fund_left - capital.get(f"{FUND} {a.key}", 0.0)
        for a in model.diplomats.active(model.month)
        if a.covers(country) and a.has_fund
    }
    key = max(left, key=lambda k: left[k])
    return {f"{OFFTAKE} {key}": cost} if left[key] >= cost else {}


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


def funds_at_full_share(model, country: int, capex: float, funds: list | None = None) -> float:
    """What the funds covering the country would pay if their money were not spent: their shares of capex
    (`funds`: the `funds_covering` the country, if the caller has them)."""
    return sum(capex * a.terms.cofinance_share for a in (funds_covering(model, country) if funds is None else funds))


def source_name(model, source: str) -> str:
    """A financing source as a reader says it: a fund by its agreement's name."""
    if source.startswith((f"{FUND} ", f"{OFFTAKE} ")):
        kind, key = source.split(" ", 1)
        return model.diplomats.by_key(key).name + (" (offtake)" if kind == OFFTAKE else "")
    return source


def commit(model, country: int, financing: dict[str, float], project: str, capex: float) -> None:
    """Draw the state's budget and the funds' money for a project that goes ahead; each fund's payment is
    logged with what is left of its year's money."""
    state = model.states[COUNTRIES[country]]
    for source, usd in financing.items():
        if source == f"{state.country} state":
            state.budget_left -= usd
        elif source.startswith((f"{FUND} ", f"{OFFTAKE} ")):
            kind, key = source.split(" ", 1)
            fund = model.diplomats.spend(key, usd, model.month)
            amount = fund.terms.cofinance_usd_per_year
            used = f"${fund.paid[model.month // 12] / 1e9:,.2f}B of this year's ${amount / 1e9:,.2f}B used"
            if kind == FUND:
                what = f"${usd / 1e6:,.0f}M ({usd / capex:.0%} of ${capex / 1e6:,.0f}M) for {project}; {used}"
                why = f"the fund pays {fund.terms.cofinance_share:.0%} of capex while its yearly money lasts"
            else:
                years, _ = offtake_terms(model)
                what = (
                    f"${usd / 1e6:,.0f}M committed to an offtake for {project} "
                    f"(${usd / years / 1e6:,.0f}M a year for {years:g} years); {used}"
                )
                why = (
                    "at the prices lenders bank on the plant does not pay back with the capex shares alone; the "
                    "fund guarantees the earnings it lacks"
                )
            model.log.add(
                model.month, "+".join(COUNTRIES[p] for p in fund.parties), "fund_payment", fund.key, what, why
            )


def entrant_cost(country: int, base: float) -> float:
    """Unit cost of a new greenfield plant: non-Chinese incumbents' cost, half in China."""
    return base if country != CN else base / 2
