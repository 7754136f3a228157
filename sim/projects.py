"""Greenfield capacity projects: proposed by developers where prices justify them, financed from the
developer's own money, the home state's grants and loans and allies' co-finance, built over years with a
chance of delay, then ramped up.

Each quarter a developer in every country looks at each stage (mine, refinery, magnet plant). At the
prices buyers there have paid over the last year (or a state's price floor, if higher), a standard
project would pay back its capex in some years; the home state and any co-financing agreement cover
part of the capex, and the developer starts the project if its own share pays back within its hurdle.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import market
from .constants import CN, COUNTRIES, HEAVY, LIGHT, MAGNET, MARKETS, ORE, STAGE_KIND, STAGES

PROJECT_SIZE = {"mining": 10000.0, "refining": 10000.0, "magnets": 3000.0}  # t/yr of REO (feed for refining)
NEW_ENTRANT_COST = {"mining": 3.5, "refining": 12.0, "magnets": 100.0}  # USD/kg, as non-Chinese incumbents
RAMP_MONTHS = 12
APPRAISAL_MONTHS = (0, 3, 6, 9)
PRICE_MEMORY = 1 / 12


FUND = "fund"  # financing from an agreement's joint fund is keyed "fund KEY" (ids have no spaces)


@dataclass
class Project:
    name: str
    country: int
    stage: str
    tonnes_per_year: float
    started: int
    due: int
    row: int  # the firm row that will run it
    delays: np.random.Generator  # this project's own stream of construction-delay draws


class Projects:
    def __init__(self, model):
        self.model = model
        cal = model.calibration
        self.capex = {s: cal.param(f"capex_{s}_usd_per_tpy") for s in STAGES}
        self.lead = {s: int(cal.param(f"lead_{s}_months")) for s in STAGES}
        self.hazard = cal.param("project_delay_hazard")
        self.hurdle = cal.param("project_hurdle_years")
        self.active: list[Project] = []
        self.ramping: list[tuple[int, float, int]] = []  # (row, tonnes per month of ramp, months left)
        self.price_avg = model.prices.copy()  # product x market, a year's memory
        mines = cal.mine_output[cal.mine_output["tonnes_reo"] > 0]
        self.mining_countries = {COUNTRIES.index(c) for c in mines["country"]}

    # ------------------------------------------------------------------------------------------ monthly
    def step(self, month: int) -> None:
        self.price_avg += PRICE_MEMORY * (self.model.prices - self.price_avg)
        self._ramp()
        self._progress(month)
        if month % 12 in APPRAISAL_MONTHS:
            self._appraise(month)

    def _ramp(self) -> None:
        book = self.model.book
        still = []
        for row, per_month, left in self.ramping:
            book.capacity[row] += per_month
            if left > 1:
                still.append((row, per_month, left - 1))
        self.ramping = still

    def _progress(self, month: int) -> None:
        model = self.model
        still = []
        for project in self.active:
            if project.due > month:
                if project.delays.random() < self.hazard:
                    project.due += 1
                still.append(project)
                continue
            self.ramping.append((project.row, project.tonnes_per_year / RAMP_MONTHS, RAMP_MONTHS))
            model.log.add(month, model.firm_names[project.row], "project_online", COUNTRIES[project.country],
                          f"{project.name}: {project.tonnes_per_year:,.0f} t/yr of {project.stage}, ramping up over "
                          f"{RAMP_MONTHS} months", f"construction finished after {month - project.started} months")
        self.active = still

    # ------------------------------------------------------------------------------------------ appraisal
    def _appraise(self, month: int) -> None:
        model = self.model
        for country in model.scenario.investment.greenfield_countries:
            c = COUNTRIES.index(country)
            for stage in STAGES:
                if any(p.country == c and p.stage == stage for p in self.active):
                    continue  # one project at a time per country and stage
                self._consider(month, c, stage)

    def profit_per_tpy(self, c: int, stage: str) -> float:
        """Expected USD a year per t/yr of capacity at last year's prices (or a state's floor)."""
        model = self.model
        k = market.MARKET_OF[c]
        prices = self.price_avg[:, k].copy()
        output = {"mining": [ORE], "refining": [LIGHT, HEAVY], "magnets": [MAGNET]}[stage]
        prices[output] = np.maximum(prices[output], model.floors[c][output])  # floors pay producers
        unit = NEW_ENTRANT_COST[stage] if c != CN else NEW_ENTRANT_COST[stage] / 2
        if stage == "mining":
            margin = prices[ORE] - unit
        elif stage == "refining":
            grade = model.ore_grade[c] if model.ore_grade[c, 0] > 0 else model.ore_grade.mean(axis=0)
            margin = grade[0] * prices[LIGHT] + grade[1] * prices[HEAVY] - prices[ORE] - unit
        else:
            h = model.heavy_share
            margin = prices[MAGNET] - (1 - h) * prices[LIGHT] - h * prices[HEAVY] - unit
        return margin * 1000.0

    def _pipeline_crowded(self, c: int, stage: str) -> bool:
        """Developers hold back while plants already under construction for the same market would add
        more than `investment.pipeline_limit` of what that market uses of the stage's output."""
        model = self.model
        k = market.MARKET_OF[c]
        building = sum(p.tonnes_per_year for p in self.active
                       if p.stage == stage and market.MARKET_OF[p.country] == k)
        product = {"mining": ORE, "refining": LIGHT, "magnets": MAGNET}[stage]
        use = model.use_by_country()[:, product]
        market_use = 12.0 * use[market.MARKET_OF == k].sum()
        if stage == "refining":
            market_use /= max(model.ore_grade[:, 0].mean(), 1e-9)  # refinery capacity is counted in feed
        crowded = building > model.scenario.investment.pipeline_limit * market_use
        if crowded:
            model.caps.hit("pipeline_limit", f"{stage} {MARKETS[k]}")
        return crowded

    def _consider(self, month: int, c: int, stage: str) -> None:
        model = self.model
        if self._pipeline_crowded(c, stage):
            return
        if stage == "mining" and c not in self.mining_countries:
            return  # new mines only where there is mining already
        size = PROJECT_SIZE[stage]
        capex = size * self.capex[stage] * model.investments.cost_factor[c, STAGES.index(stage)]
        profit = self.profit_per_tpy(c, stage) * size
        if profit <= 0:
            return
        financing = self._financing_offered(c, stage, capex)
        own = capex - sum(financing.values())
        if own / profit > self.hurdle:
            return
        financing = {"developer": own, **financing}
        name = f"{COUNTRIES[c]} {stage} project {month // 12}-{month % 12 + 1:02d}"
        self._commit(c, financing, name, capex)
        row = self._developer_row(c, stage)
        lead = int(np.ceil(self.lead[stage] * model.investments.lead_factor[c, STAGES.index(stage)]))
        self.active.append(Project(name, c, stage, size, month, month + lead, row, self._delay_stream(c, stage, month)))
        shares = ", ".join(f"{self._source_name(k)} {v / capex:.0%}" for k, v in financing.items() if v > 0)
        model.log.add(month, model.firm_names[row].split(" #")[0], "project_started", COUNTRIES[c],
                      f"{name}: {size:,.0f} t/yr of {stage}, capex ${capex / 1e6:,.0f}M ({shares}), online in "
                      f"about {lead} months",
                      f"at last year's prices it earns ${profit / 1e6:,.0f}M a year, so the developer's share pays "
                      f"back in {own / profit:.1f} years (hurdle {self.hurdle:g})")

    def _delay_stream(self, c: int, stage: str, month: int) -> np.random.Generator:
        """Each project draws its delays from a stream of its own, seeded from the scenario seed and the
        project (country, stage, start month). Drawn from the model's shared stream, one more project under
        construction shifted every later licence decision, so a bigger fund that started one mine three
        months earlier changed unrelated outcomes at random and could build less in the end."""
        return np.random.default_rng([self.model.seed_value, c, STAGES.index(stage), month])

    def _financing_offered(self, country_id: int, stage: str, capex: float) -> dict:
        """What the home state and allies would put into a project: grants and loans, co-finance."""
        model = self.model
        state = model.states[COUNTRIES[country_id]]
        if state.budget_year != model.month // 12:
            state.budget_year, state.budget_left = model.month // 12, state.config.support_budget_usd
        sources = {}
        grant = min(capex * state.strategy.project_support(state, stage, model), state.budget_left)
        if grant > 0:
            sources[f"{state.country} state"] = grant
        sources.update({f"{FUND} {key}": usd for key, usd in model.diplomats.cofinance(country_id, capex,
                                                                                      model.month).items()})
        return sources

    def _source_name(self, source: str) -> str:
        """A financing source as a reader says it: a fund by its agreement's name."""
        if source.startswith(f"{FUND} "):
            return self.model.diplomats.by_key(source.split(" ", 1)[1]).name
        return source

    def _commit(self, country_id: int, financing: dict, project: str, capex: float) -> None:
        """Draw the state's budget and the agreements' funds for a project that goes ahead; each fund's
        payment is logged with what is left of its year's money."""
        model = self.model
        state = model.states[COUNTRIES[country_id]]
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

    def _developer_row(self, c: int, stage: str) -> int:
        """The country's largest firm of that stage takes the project (there is always one: the model
        creates a dormant firm for each country and stage)."""
        book = self.model.book
        rows = self.model.rows[STAGE_KIND[stage]]
        rows = rows[book.country[rows] == c]
        return int(rows[np.argmax(book.capacity[rows])])
