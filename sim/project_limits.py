"""What holds a capacity project back besides its own returns, and the tally that names what limited the
joint funds.

- **Engineering**: a country builds at most `engineering_capacity.csv` plants of a stage at once (the known
  projects of `projects.csv` under construction count), times `investment.engineering_scale`.
- **Feed**: a refinery outside China needs ore that refineries outside China (built or being built) do not
  already take: concentrate mined outside China and Myanmar (whose ionic clays go to China) less refining
  capacity outside China. Integrated projects bring their own mine.
- **Market**: a project with no public money (a merchant plant) waits while plants under construction for
  its market would add more than `investment.pipeline_limit` of the market's use; a publicly financed
  magnet plant waits while its market's plants (built, being built, announced) already make all the magnets
  the market uses.
- **Money**: public money (a state's budget, a fund's year) ran short of what would make it bankable.

For every fund in force covering a project's country, each quarter a project that did not go ahead adds
one to the count of its reason; a project the fund paid for that comes online after the run adds one to
`lead_time`. `fund_year` rows and summary outcomes name the limit from these counts.
"""

from __future__ import annotations

import numpy as np

from . import market
from .constants import CN, COUNTRIES, LIGHT, MAGNET, MAGNET_MAKER, MARKETS, MINER, ORE, REFINER, STAGE_OF_KIND, STAGES
from .project_finance import funds_covering

REASONS = ("money", "engineering", "feed", "lead_time", "market", "bankability")  # the order codes follow
LIMIT_CODE = {reason: i + 1 for i, reason in enumerate(REASONS)}  # 0: no fund
LIMIT_WORDS = {
    "money": "money: projects wanted more than the fund's yearly amount",
    "engineering": "engineering: every team able to build another such plant was busy",
    "feed": "ore: refineries outside China already take all the ore mined outside China",
    "lead_time": "lead time: the plants it paid for come online after the run ends",
    "market": "the market: the plants built and being built would already make what it uses",
    "bankability": "its share: the projects left do not pay back even with it, at the prices lenders bank on",
}
HELD_BACK_WORDS = {  # a fund_year row's counts, in this order
    "money": "waited for money",
    "engineering": "found no engineering team free",
    "feed": "found no ore",
    "market": "found the market full",
    "bankability": "did not pay back even with the fund's share",
    "lead_time": "it paid for come online after the run",
}
NO_FEED_FROM = {CN, COUNTRIES.index("MM")}  # ore that goes to China's refiners


def known_under_construction(model, projects, month: int) -> np.ndarray:
    """Known projects (projects.csv) being built this month, counted once per firm, country x stage."""
    busy = np.zeros((len(COUNTRIES), len(STAGES)))
    seen = set()
    for online, country, stage, firm in projects.known:
        if online - projects.lead[STAGES[stage]] <= month < online and (firm, stage) not in seen:
            seen.add((firm, stage))
            busy[country, stage] += 1
    return busy


def engineering_free(model, projects, month: int, country: int, stage: str) -> bool:
    s = STAGES.index(stage)
    building = sum(1 for p in projects.active if p.country == country and p.stage == stage)
    building += known_under_construction(model, projects, month)[country, s]
    return building < projects.projects_at_once[country, s]


def spare_ore(model, projects, month: int) -> float:
    """t/yr of ore mined (or being mined) outside China and Myanmar that no refinery outside China takes."""
    book = model.book
    miners, refiners = book.kind == MINER, book.kind == REFINER
    outside = ~np.isin(book.country, list(NO_FEED_FROM))
    not_china = book.country != CN
    ore = (book.capacity + book.project_add)[miners & outside].sum()
    feed = (book.capacity + book.project_add)[refiners & not_china].sum()
    for online, country, stage, tonnes in projects.known_tonnes:
        if online > month:
            if STAGES[stage] == "mining" and country not in NO_FEED_FROM:
                ore += tonnes
            elif STAGES[stage] == "refining" and country != CN:
                feed += tonnes
    for project in projects.active:
        if project.country not in NO_FEED_FROM:
            ore += project.mine_tonnes + (project.tonnes_per_year if project.stage == "mining" else 0.0)
        if project.stage == "refining" and project.country != CN:
            feed += project.tonnes_per_year
    return float(ore - feed)


def pipeline_crowded(model, projects, country: int, stage: str) -> bool:
    """Merchant developers hold back while plants under construction for the same market would add more
    than `investment.pipeline_limit` of what that market uses of the stage's output."""
    k = market.MARKET_OF[country]
    building = sum(p.tonnes_per_year for p in projects.active if p.stage == stage and market.MARKET_OF[p.country] == k)
    product = {"mining": ORE, "refining": LIGHT, "magnets": MAGNET}[stage]
    use = model.use_by_country()[:, product]
    market_use = 12.0 * use[market.MARKET_OF == k].sum()
    if stage == "refining":
        market_use /= max(model.ore_grade[:, 0].mean(), 1e-9)  # refinery capacity is counted in feed
    crowded = building > model.scenario.investment.pipeline_limit * market_use
    if crowded:
        model.caps.hit("pipeline_limit", f"{stage} {MARKETS[k]}")
    return crowded


def magnet_room(model, projects, country: int) -> float:
    """t/yr of magnets the market of `country` uses beyond what its plants (built, being built, announced)
    can make: plants outside China sell to buyers outside China, who already get the rest from China."""
    k = market.MARKET_OF[country]
    in_market = market.MARKET_OF[model.book.country] == k
    makers = model.book.kind == MAGNET_MAKER
    capacity = (model.book.capacity + model.book.project_add)[makers & in_market].sum()
    month = model.month
    capacity += sum(
        t
        for online, c, s, t in projects.known_tonnes
        if online > month and STAGES[s] == "magnets" and market.MARKET_OF[c] == k
    )
    capacity += sum(
        p.tonnes_per_year for p in projects.active if p.stage == "magnets" and market.MARKET_OF[p.country] == k
    )
    use = 12.0 * model.use_by_country()[market.MARKET_OF == k, MAGNET].sum()
    return float(use - capacity)


def note_limit(model, projects, country: int, reason: str, funds: list | None = None) -> None:
    """Count `reason` for every fund in force that covers `country` (this calendar year; `funds`: those funds,
    if the caller has them)."""
    for agreement in funds_covering(model, country) if funds is None else funds:
        note_limit_of_fund(model, projects, agreement.key, reason)


def note_limit_of_fund(model, projects, key: str, reason: str) -> None:
    per_year = projects.limits.setdefault(key, {}).setdefault(model.month // 12, {})
    per_year[reason] = per_year.get(reason, 0) + 1


def binding_limit(counts: dict[str, int], ran_out: bool) -> str:
    """The limit a fund's year ran into: money if it ran out or a bankable project waited for it; else the
    most frequent of engineering, ore and the market; else lead time; else its share (nothing bankable left)."""
    if ran_out or counts.get("money", 0) > 0:
        return "money"
    physical = {r: counts.get(r, 0) for r in ("engineering", "feed", "market") if counts.get(r, 0) > 0}
    if physical:
        return max(physical, key=lambda r: (physical[r], -REASONS.index(r)))
    return "lead_time" if counts.get("lead_time", 0) > 0 else "bankability"


def stage_of_firm(model, firm: str) -> int:
    return STAGE_OF_KIND[int(model.book.kind[model.firm_name_index[firm][0]])]


def fund_year_limits(model, last_month: int) -> list[str]:
    """The binding limit of every fund-year up to `last_month` (as `fund_year` rows name them; the last,
    unfinished year judged on what happened so far)."""
    names = []
    for agreement in model.diplomats.agreements:
        if not agreement.has_fund:
            continue
        for year in agreement.fund_years(last_month):
            if year in agreement.limits:
                names.append(agreement.limits[year])
                continue
            counts = model.projects.limits.get(agreement.key, {}).get(year, {})
            paid = agreement.paid.get(year, 0.0)
            names.append(binding_limit(counts, paid >= agreement.terms.cofinance_usd_per_year - 1e-6))
    return names


def fund_limit_outcomes(model, last_month: int) -> dict[str, float]:
    """Summary outcomes: the code of the limit most fund-years ran into (LIMIT_CODE; 0 without a fund), how
    many fund-years each limit bound, and how many project appraisals each reason held back."""
    names = fund_year_limits(model, last_month)
    out = {"fund_binding_limit_code": 0.0}
    if names:
        out["fund_binding_limit_code"] = float(LIMIT_CODE[max(REASONS, key=lambda r: (names.count(r), -LIMIT_CODE[r]))])
    for reason in REASONS:
        out[f"fund_binding_limit_years_{reason}"] = float(names.count(reason))
        out[f"fund_held_back_{reason}"] = float(
            sum(per_year.get(reason, 0) for years in model.projects.limits.values() for per_year in years.values())
        )
    return out
