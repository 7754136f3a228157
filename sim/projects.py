"""The investment pipeline: named candidate projects (`configs/data/candidate_projects.csv`) and greenfield
plants, each going ahead when its capital is found, and then built over years (with a chance of delay)
and ramped up.

Each quarter every candidate whose earliest start has come, and a standard greenfield plant of each stage
in every country of `investment.greenfield_countries` (again and again while they keep going ahead), is
appraised: at the prices lenders bank on (`sim/project_finance.py`) it must pay back the developer's share
of capex, after the home state's support and the joint funds' co-finance, within the hurdle. What else must
hold (an engineering team free, ore for a refinery, a market that is not flooded: `sim/project_limits.py`)
is checked too, and what held a project back is counted for the funds covering its country.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import project_limits as limits
from .constants import CN, COUNTRIES, STAGE_KIND, STAGES
from .project_data import Candidate, load_candidates, load_engineering
from .project_finance import (
    FUND,
    OFFTAKE,
    Basis,
    appraisal_basis,
    commit,
    entrant_cost,
    financing_offered,
    funds_at_full_share,
    margin_usd_per_kg,
    offtake_offered,
    offtake_possible,
    offtake_terms,
    revenue_usd,
    source_name,
    state_support,
)
from .project_speedup import speed_up

PROJECT_SIZE = {"mining": 10000.0, "refining": 10000.0, "magnets": 3000.0}  # t/yr of REO (feed for refining)
NEW_ENTRANT_COST = {"mining": 3.5, "refining": 12.0, "magnets": 100.0}  # USD/kg, as non-Chinese incumbents
GREENFIELD_FEED = {"mining": "none", "refining": "ore", "magnets": "oxide"}
RAMP_MONTHS = 12
APPRAISAL_MONTHS = (0, 3, 6, 9)
PRICE_MEMORY = 1 / 12
CANDIDATE_STREAM = 1000  # candidates' delay streams are keyed apart from greenfield plants'


@dataclass
class Project:
    name: str
    developer: str  # as events name it
    country: int
    stage: str
    tonnes_per_year: float
    started: int
    due: int
    rows: tuple[int, ...]  # the firm rows that will run it (split equally)
    delays: np.random.Generator  # this project's own stream of construction-delay draws
    ramp_months: int = RAMP_MONTHS
    mine_tonnes: float = 0.0  # an integrated project's own mine, t/yr of ore
    mine_row: int = -1
    capex_usd: float = 0.0
    lead_months: int = 0  # as planned when it started
    funds: tuple[str, ...] = ()  # keys of the joint funds that co-finance it
    months_saved: int = 0  # bought off its construction by its funds (sim/project_speedup.py)


class Offer(NamedTuple):
    """A project as appraised: a candidate or a standard greenfield plant (a named tuple: some thirty are
    made every quarter, and a tuple is made several times faster than a frozen dataclass)."""

    name: str | None  # None: a greenfield plant, named only if it starts (`greenfield_name`)
    developer: str | None  # None: the country's largest firm of the stage takes it
    country: int
    stage: str
    tonnes_per_year: float
    capex_usd: float
    lead_months: int
    ramp_months: int
    unit_cost: float
    feed: str
    stream: tuple[int, ...]  # what keys its delay stream besides seed, country, stage and month
    number: int = 0  # a greenfield plant's place among its country's and stage's this quarter, from 0


def greenfield_name(month: int, country: int, stage: str, number: int) -> str:
    return f"{COUNTRIES[country]} {stage} project {month // 12}-{month % 12 + 1:02d}" + (
        f" #{number + 1}" if number else ""
    )


class Projects:
    def __init__(self, model):
        self.model = model
        cal, rules = model.calibration, model.scenario.investment
        self.capex = {s: cal.param(f"capex_{s}_usd_per_tpy") for s in STAGES}
        self.lead = {s: int(cal.param(f"lead_{s}_months")) for s in STAGES}
        self.hazard = cal.param("project_delay_hazard")
        self.hurdle = cal.param("project_hurdle_years")
        self.candidates: tuple[Candidate, ...] = load_candidates(model.scenario.world.data)
        self.projects_at_once = load_engineering(model.scenario.world.data) * rules.engineering_scale
        self.started_candidates: list[int] = []
        self.active: list[Project] = []
        self.ramping: list[tuple[int, float, int]] = []  # (row, t/yr added a month, months left)
        # t/yr of each row's capacity built during the run (known projects and this pipeline): a plant just built,
        # most of them with public money that binds it to produce at home, does not relocate into China
        # (sim/investment.py); incumbents' lines do
        self.built_in_run = np.zeros(model.book.n)
        self.price_avg = model.prices.copy()  # product x market, a year's memory
        self.limits: dict[str, dict[int, dict[str, int]]] = {}  # fund key -> year -> reason -> projects
        mines = cal.mine_output[cal.mine_output["tonnes_reo"] > 0]
        self.mining_countries = {COUNTRIES.index(c) for c in mines["country"]}
        # known projects still to come: (online month, country, stage index, firm) and the same with tonnes
        known = [
            (
                online,
                int(model.book.country[model.firm_name_index[firm][0]]),
                limits.stage_of_firm(model, firm),
                firm,
                tonnes,
            )
            for online, firm, tonnes, _ in model.scheduled_projects
        ]
        self.known = [(online, c, s, firm) for online, c, s, firm, _ in known]
        self.known_tonnes = [(online, c, s, tonnes) for online, c, s, _, tonnes in known]

    # ------------------------------------------------------------------------------------------ monthly
    def step(self, month: int) -> None:
        self.price_avg += PRICE_MEMORY * (self.model.prices - self.price_avg)
        self._ramp()
        self._progress(month)
        if month % 12 in APPRAISAL_MONTHS:
            self._appraise(month)
            speed_up(self.model, self, month)

    def _ramp(self) -> None:
        book = self.model.book
        still = []
        for row, per_month, left in self.ramping:
            book.capacity[row] += per_month
            self.built_in_run[row] += per_month
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
            per_row = project.tonnes_per_year / len(project.rows) / project.ramp_months
            self.ramping.extend((row, per_row, project.ramp_months) for row in project.rows)
            if project.mine_tonnes > 0:
                self.ramping.append((project.mine_row, project.mine_tonnes / project.ramp_months, project.ramp_months))
            model.log.add(
                month,
                project.developer,
                "project_online",
                COUNTRIES[project.country],
                f"{project.name}: {project.tonnes_per_year:,.0f} t/yr of {project.stage}, ramping up over "
                f"{project.ramp_months} months",
                f"construction finished after {month - project.started} months",
            )
        self.active = still

    # ------------------------------------------------------------------------------------------ appraisal
    def _appraise(self, month: int) -> None:
        model = self.model
        bases: dict[int, Basis] = {}  # by country, made when first needed

        def consider(offer: Offer) -> bool:
            if offer.country not in bases:
                bases[offer.country] = self._basis(offer.country)
            return self._consider(month, offer, bases[offer.country])

        for candidate in self.candidates:
            if candidate.earliest <= month and candidate.index not in self.started_candidates:
                consider(self._candidate_offer(candidate))
        for country in model.scenario.investment.greenfield_countries:
            c = COUNTRIES.index(country)
            for s, stage in enumerate(STAGES):
                if stage == "mining" and c not in self.mining_countries:
                    continue  # new mines only where there is mining already
                k = 0
                while k < self.projects_at_once[c, s] and consider(self._greenfield_offer(month, c, stage, k)):
                    k += 1

    def _basis(self, country: int) -> Basis:
        return appraisal_basis(self.model, self.price_avg, country)

    def _candidate_offer(self, candidate: Candidate) -> Offer:
        return Offer(
            candidate.name,
            candidate.firm,
            candidate.country,
            candidate.stage,
            candidate.tonnes_per_year,
            candidate.capex_usd,
            candidate.lead_months,
            candidate.ramp_months,
            candidate.unit_cost,
            candidate.feed,
            (CANDIDATE_STREAM + candidate.index,),
        )

    def _greenfield_offer(self, month: int, c: int, stage: str, k: int) -> Offer:
        size = PROJECT_SIZE[stage]
        return Offer(
            None,  # most are not bankable: the name is made if it starts
            None,
            c,
            stage,
            size,
            size * self.capex[stage],
            self.lead[stage],
            RAMP_MONTHS,
            entrant_cost(c, NEW_ENTRANT_COST[stage]),
            GREENFIELD_FEED[stage],
            (k,) if k else (),
            k,
        )

    def _consider(self, month: int, offer: Offer, basis: Basis | None = None) -> bool:
        """Start the project if it is bankable and nothing else holds it back; else count what did. `basis`:
        what offers in its country are weighed against this appraisal, if the caller has it."""
        model = self.model
        c, stage, s = offer.country, offer.stage, STAGES.index(offer.stage)
        basis = basis or self._basis(c)
        funds = basis.funds
        capex = offer.capex_usd * float(model.investments.cost_factor[c, s])
        profit = margin_usd_per_kg(model, basis, stage, offer.unit_cost) * 1000.0 * offer.tonnes_per_year
        revenue = revenue_usd(basis, stage, offer.tonnes_per_year)
        public_at_most = state_support(model, c, stage, capex, within_budget=False) + funds_at_full_share(
            model, c, capex, funds
        )  # with money to spare
        if not offtake_possible(model, c, self._shortfall(capex - public_at_most, profit), revenue, funds) and (
            profit <= 0 or (capex - public_at_most) / profit > self.hurdle
        ):
            return self._held_back(c, "bankability", funds)
        if not limits.engineering_free(model, self, month, c, stage):
            return self._held_back(c, "engineering", funds)
        if (
            stage == "refining"
            and offer.feed == "ore"
            and c != CN
            and limits.spare_ore(model, self, month) < offer.tonnes_per_year
        ):
            return self._held_back(c, "feed", funds)
        financing = financing_offered(model, c, stage, capex)
        if not financing and limits.pipeline_crowded(model, self, c, stage):
            return self._held_back(c, "market", funds)
        if financing and stage == "magnets" and limits.magnet_room(model, self, c) < offer.tonnes_per_year:
            return self._held_back(c, "market", funds)
        own = capex - sum(financing.values())
        shortfall = self._shortfall(own, profit)
        offtake = offtake_offered(model, c, shortfall, revenue, financing)
        if shortfall > 0 and not offtake:
            return self._held_back(c, "money", funds)
        self._start(month, offer, capex, profit + shortfall, {"developer": own, **financing}, offtake)
        return True

    def _shortfall(self, own_usd: float, profit: float) -> float:
        """USD a year the developer's share lacks to pay back within the hurdle (0 if it does)."""
        return max(own_usd / self.hurdle - profit, 0.0)

    def _held_back(self, country: int, reason: str, funds: list) -> bool:
        limits.note_limit(self.model, self, country, reason, funds)
        return False

    def _start(self, month: int, offer: Offer, capex: float, profit: float, financing: dict, offtake: dict) -> None:
        model = self.model
        c, stage, s = offer.country, offer.stage, STAGES.index(offer.stage)
        name = offer.name or greenfield_name(month, c, stage, offer.number)
        commit(model, c, {**financing, **offtake}, name, capex)
        rows = self._rows_for(offer)
        developer = offer.developer or model.firm_names[rows[0]].split(" #")[0]
        lead = int(np.ceil(offer.lead_months * model.investments.lead_factor[c, s]))
        delays = np.random.default_rng([model.seed_value, c, s, month, *offer.stream])
        mine_tonnes = offer.tonnes_per_year if offer.feed == "own_mine" else 0.0
        mine_row = self._largest_row(c, "mining") if mine_tonnes > 0 else -1
        funds = tuple(
            dict.fromkeys(
                source.split(" ", 1)[1]
                for source in [*financing, *offtake]
                if source.startswith((f"{FUND} ", f"{OFFTAKE} "))
            )
        )
        project = Project(
            name,
            developer,
            c,
            stage,
            offer.tonnes_per_year,
            month,
            month + lead,
            rows,
            delays,
            offer.ramp_months,
            mine_tonnes,
            mine_row,
            capex,
            lead,
            funds,
        )
        self.active.append(project)
        if offer.stream and offer.stream[0] >= CANDIDATE_STREAM:
            self.started_candidates.append(offer.stream[0] - CANDIDATE_STREAM)
        if project.due > model.start_month + model.months - 1:
            for source in [*financing, *offtake]:
                if source.startswith((f"{FUND} ", f"{OFFTAKE} ")):
                    limits.note_limit_of_fund(model, self, source.split(" ", 1)[1], "lead_time")
        shares = ", ".join(f"{source_name(model, k)} {v / capex:.0%}" for k, v in financing.items() if v > 0)
        guarantee = "".join(
            f"; {source_name(model, k)} guarantees ${v / offtake_terms(model)[0] / 1e6:,.0f}M a year"
            for k, v in offtake.items()
        )
        mine = f" with its own mine of {mine_tonnes:,.0f} t/yr" if mine_tonnes else ""
        trust = model.calibration.parameters.get("project_premium_trust", 1.0)
        basis = (
            "last year's prices"
            if c == CN or trust >= 1
            else f"China's prices of the last year plus {trust:.0%} of the premium outside China"
        )
        model.log.add(
            month,
            developer,
            "project_started",
            COUNTRIES[c],
            f"{name}: {offer.tonnes_per_year:,.0f} t/yr of {stage}{mine}, capex ${capex / 1e6:,.0f}M "
            f"({shares}{guarantee}), online in about {lead} months",
            f"at {basis}{' with the offtake' if offtake else ''} it earns ${profit / 1e6:,.0f}M a year, "
            "so the developer's share pays back in "
            f"{financing['developer'] / profit:.1f} years (hurdle {self.hurdle:g})",
        )

    def _rows_for(self, offer: Offer) -> tuple[int, ...]:
        """A candidate's own firm (split among its copies) if the calibration has it; else, and for greenfield
        plants, the country's largest firm of that stage (there is always one: the model creates a dormant
        developers row for each country and processing stage)."""
        rows = self.model.firm_name_index.get(offer.developer or "", [])
        kind = STAGE_KIND[offer.stage]
        rows = [r for r in rows if int(self.model.book.kind[r]) == kind]
        return tuple(rows) if rows else (self._largest_row(offer.country, offer.stage),)

    def _largest_row(self, c: int, stage: str) -> int:
        book = self.model.book
        rows = self.model.rows[STAGE_KIND[stage]]
        rows = rows[book.country[rows] == c]
        return int(rows[np.argmax(book.capacity[rows])])
