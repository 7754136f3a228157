"""What a joint fund's money left late in its year buys: time.

A fund's yearly money lapses in January. What is left at October's appraisal, after the capex shares and
offtakes of the year, pays to bring forward the plants the fund already co-finances: more crews and shifts,
equipment bought before the design is final, air freight. Every month saved costs more than the one before
(`speedup_cost_per_month` of the plant's capex times the months already saved plus one), and no plant is built
in less than `speedup_max_share` of its lead time taken off. Months are bought one at a time, each from the
plant whose next month is cheapest, while the money lasts. A plant finished sooner frees its engineering team
sooner, so a larger fund starts more plants before the limits of `sim/project_limits.py` bind again.
"""

from __future__ import annotations

from .constants import COUNTRIES
from .dates import format_month

SPEEDUP_MONTH = 9  # October's appraisal, the last before the year's money lapses


def speedup_terms(model) -> tuple[float, float]:
    """(share of capex the first month saved costs, most of a plant's lead time that can be saved)."""
    params = model.calibration.parameters
    return params.get("speedup_cost_per_month", 0.02), params.get("speedup_max_share", 0.33)


def next_month_cost(model, project) -> float:
    rate, _ = speedup_terms(model)
    return rate * project.capex_usd * (project.months_saved + 1)


def can_gain(model, project, month: int) -> bool:
    _, most = speedup_terms(model)
    return project.due > month + 1 and project.months_saved + 1 <= most * project.lead_months


def speed_up(model, projects, month: int) -> None:
    """October: every fund in force spends its money left on months off its own plants' construction."""
    if month % 12 != SPEEDUP_MONTH:
        return
    for agreement in model.diplomats.active(month):
        if not agreement.has_fund:
            continue
        model.diplomats.cofinance(agreement.parties[0], 0.0, month)  # this year's money, if January came
        own = [p for p in projects.active if agreement.key in p.funds]
        bought: dict[int, tuple[int, float]] = {}  # index in `own` -> (months, usd)
        left = agreement.fund_left
        while True:
            open_ = [i for i, p in enumerate(own) if can_gain(model, p, month)]
            if not open_:
                break
            i = min(open_, key=lambda k: (next_month_cost(model, own[k]), k))
            cost = next_month_cost(model, own[i])
            if cost > left:
                break
            left -= cost
            own[i].months_saved += 1
            own[i].due -= 1
            months, usd = bought.get(i, (0, 0.0))
            bought[i] = (months + 1, usd + cost)
        for i, (months, usd) in sorted(bought.items()):
            _pay(model, agreement, own[i], months, usd)


def _pay(model, agreement, project, months: int, usd: float) -> None:
    model.diplomats.spend(agreement.key, usd, model.month)
    year = model.month // 12
    agreement.paid_for_time[year] = agreement.paid_for_time.get(year, 0.0) + usd
    amount = agreement.terms.cofinance_usd_per_year
    model.log.add(
        model.month,
        "+".join(COUNTRIES[p] for p in agreement.parties),
        "fund_payment",
        agreement.key,
        f"${usd / 1e6:,.0f}M to bring {project.name} online {months} month{'s' * (months != 1)} sooner "
        f"({project.months_saved} saved in all, due {format_month(project.due)}); "
        f"${agreement.paid[model.month // 12] / 1e9:,.2f}B of this year's ${amount / 1e9:,.2f}B used",
        "the fund's money left this year lapses in January; each month saved costs more than the last",
    )
