"""States: one agent per country, with a pluggable strategy that takes the monthly decisions.

A strategy manages the mining quota and the strategic stockpile, reviews licence applications to export,
and (depending on its stance) escalates or relaxes export controls in answer to what others do. The
stances: `default` (moderate), `hawkish`, `conciliatory`, `tit_for_tat` and `passive` (scripted events
only). A classroom player replaces the strategy's decisions with submitted moves.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from agents import stockpile_policy
from sim.constants import COUNTRIES, LIGHT, N_PRODUCTS, ORE, PRODUCTS
from sim.dates import format_month
from sim.diplomacy import describe
from sim.supply import grow_quota
from sim.trade_measures import decide_control

QUOTA_PRICE_RESPONSE = 0.5  # top-up of a quota batch per unit rise of the domestic ore price index
QUOTA_SHORTAGE_TRIGGER = 0.02  # ... or when domestic refiners could not get this share of their ore
# Largest top-up of one batch where the calibration does not bound it (`quota_top_up_max`): in 2009-15 quotas
# were loosely enforced and output beyond them answered shortages and stayed; since the Rare Earth Management
# Regulations of October 2024 (total-amount control, traceability) a batch adds at most that much for its half
# year, so the quota stays near the published one.
QUOTA_MAX_TOP_UP = 0.15


@dataclass(frozen=True)
class LicenceOdds:
    """How an office treats one kind of application: the chance of approval and the reason it gives for
    each verdict. `drawn` False: the rules decide outright (chance 0 or 1) and no lot is drawn."""

    chance: float
    approved_reason: str
    denied_reason: str
    drawn: bool = True

    def decide(self, rng) -> tuple[bool, str]:
        approved = rng.random() < self.chance if self.drawn else self.chance >= 1.0
        return approved, self.approved_reason if approved else self.denied_reason


@dataclass
class Decision:
    kind: str
    target: str
    detail: str
    rationale: str


class PassiveStrategy:
    """Takes no decisions: controls and stocks change only through scenario events; licences are
    reviewed at the regime's rate alone."""

    name = "passive"
    stance = 0.0  # how much easier (+) or harder (-) licences are for every partner
    stance_why = ""

    def decide(self, state: StateAgent, model) -> list[Decision]:
        return []

    def partner_adjustment(self, state: StateAgent, partner: int, model) -> tuple[float, str]:
        return self.stance, self.stance_why

    def licence_odds(
        self, state: StateAgent, exporter: int, product: int, importer: int, defense: bool, model
    ) -> LicenceOdds:
        """How this state's office treats an application to ship `product` from `exporter` to `importer`;
        the reasons are written for a student."""
        regime = model.office.regime(exporter, product, importer)
        who = COUNTRIES[importer]
        if regime is None:
            return LicenceOdds(1.0, "no licence is needed any more", "", drawn=False)
        if defense and regime.deny_defense:
            return LicenceOdds(
                0.0, "", f"military end use in {who}: denied in principle under the export-control rules", drawn=False
            )
        rate = regime.rate(model.month)
        relation = float(model.relations.score[state.country_id, importer])
        adjustment, why = self.partner_adjustment(state, importer, model)
        chance = float(np.clip(rate + RELATION_WEIGHT * relation + adjustment, 0.0, 1.0))
        basis = (
            f"about {rate:.0%} of applications pass under the current rules; relations with {who} are "
            f"{describe(relation)}" + (f"; {why}" if why else "") + f" (chance {chance:.0%})"
        )
        return LicenceOdds(chance, f"approved: {basis}", f"denied: {basis}")

    def review_licence(self, state: StateAgent, app, model) -> tuple[bool, str]:
        """Approve or deny one application, drawing from the model's generator."""
        return self.licence_odds(state, app.exporter, app.product, app.importer, app.defense, model).decide(model.rng)

    # weights of what a state cares about when it values an agreement's terms
    weights = {"security": 1.0, "cost": 0.5, "trade": 0.5, "leverage": 0.6, "relations": 0.5}

    def value_terms(
        self, state: StateAgent, terms, partner: int, model, as_proposer: bool = False
    ) -> tuple[float, list[str]]:
        """Utility of an agreement's terms for this state (the proposer pays tariff cuts and purchases),
        with the reasons behind it."""
        w, me = self.weights, state.country_id
        value, why = 0.0, []
        exposure = model.supply_exposure(me)
        if terms.cofinance_share > 0:
            gain = w["security"] * exposure * (0.5 + terms.cofinance_share)
            cost = w["cost"] * (terms.cofinance_usd_per_year / 2) / max(state.config.support_budget_usd, 1e9)
            value += gain - cost
            benefit = (
                f"make its supply safer (exposure {exposure:.0%})"
                if exposure >= 0.005
                else "bring investment (its supply is not exposed)"
            )  # no "safer (exposure 0%)"
            why.append(f"joint projects {benefit} for ${terms.cofinance_usd_per_year / 2e9:,.2f}B a year")
        if terms.stockpile_days > 0:
            value += w["security"] * exposure * 0.3 - w["cost"] * 0.05
            why.append("bigger stockpiles")
        if terms.tariff_points:
            receives = not as_proposer
            value += w["trade"] * terms.tariff_points / 20.0 * (1 if receives else -0.5)
            why.append("lower tariffs on its exports" if receives else "lower tariffs cost revenue")
        if terms.preferential_supply or terms.rapid_response:
            value += w["security"] * exposure * 0.4
            why.append("priority supply from a partner in a shortage")
        if terms.purchase_usd > 0:
            sells = not as_proposer
            value += w["trade"] * min(terms.purchase_usd / 1e11, 2.0) * (1 if sells else -0.3)
            why.append("the partner buys its goods" if sells else "the purchases cost it")
        controls_partner = bool(model.office.level[me, :, partner].any())
        # processed goods only: a partner's halt of ore (MP's concentrate in 2025) is no leverage over
        # a state that refines most of the world's ore itself
        controlled_by_partner = bool(model.office.level[partner, LIGHT:, me].any())
        if terms.suspend_controls or terms.general_licence:
            if controls_partner:
                value -= w["leverage"] * (1.0 if terms.suspend_controls else 0.5)
                why.append("easing its controls gives up leverage")
            if controlled_by_partner:
                value += w["security"] * (1.0 if terms.suspend_controls else 0.6)
                why.append("its firms regain access to supply")
        relation = float(model.relations.score[me, partner])
        value += w["relations"] * relation
        why.append(f"relations are {describe(relation)}")
        return value, why

    def answer(self, state: StateAgent, terms, partner: int, model, as_proposer: bool = False):
        """Accept / counter / reject, with a counter-offer that halves what costs this state most."""
        from dataclasses import replace

        value, why = self.value_terms(state, terms, partner, model, as_proposer)
        reason = f"value {value:+.2f}: " + "; ".join(why)
        if value >= 0:
            return "accept", None, reason
        if value < -0.6 or as_proposer:
            return "reject", None, reason
        counter = replace(
            terms,
            cofinance_usd_per_year=terms.cofinance_usd_per_year * 0.5,
            general_licence=terms.general_licence and not model.office.level[state.country_id].any(),
            suspend_to_rate=(terms.suspend_to_rate + 0.3) / 2,
        )
        return "counter", counter, reason

    def project_support(self, state: StateAgent, stage: str, model) -> float:
        """Share of a domestic project's capex the state is willing to grant or lend."""
        return state.config.project_support


class DefaultStrategy(PassiveStrategy):
    """Moderate: grows the mining quota in two batches a year and keeps the stockpile: fill it in calm
    times, open it when domestic buyers go short."""

    name = "default"

    def decide(self, state: StateAgent, model) -> list[Decision]:
        decisions: list[Decision] = self.respond_to_others(state, model)
        # ore orders left unfilled, or cut to the allotment where China's ore moves on contract (sim.ore_allotment)
        short = max(model.unmet_share(state.country_id, ORE), state.ore_allotment_cut)
        state.ore_shortage += 0.2 * (short - state.ore_shortage)
        if state.quota_t is not None and model.month_of_year in (0, 6) and model.months_run > 0:
            decisions.append(self._new_quota(state, model))
        if state.stockpile_row is not None:
            decisions.extend(self._manage_stockpile(state, model))
        return decisions

    def _new_quota(self, state: StateAgent, model) -> Decision:
        """Quotas come in two batches a year; a batch tops up when domestic refiners went short or ore is dear.
        Where the calibration bounds the top-up (`quota_top_up_max`, since China's 2024 regulations), it is
        extra for the half-year only, on top of the published quota; otherwise (2009-15) it compounds."""
        growth = state.config.quota_growth / 2.0
        batch = "first" if model.month_of_year == 0 else "second"
        why = (
            f"{batch} batch: the quota grows {state.config.quota_growth:.1%} a year with domestic demand"
            if state.config.quota_growth
            else f"{batch} batch: the published quota, unchanged"
        )
        price_ratio = model.price_index(state.country_id, ORE)
        bound = model.calibration.parameters.get("quota_top_up_max")
        top_up = min(
            max(
                state.ore_shortage if state.ore_shortage > QUOTA_SHORTAGE_TRIGGER else 0.0,
                QUOTA_PRICE_RESPONSE * (price_ratio - 1.0),
            ),
            QUOTA_MAX_TOP_UP if bound is None else bound,
        )
        top_up = max(top_up, 0.0)
        # name only the reasons that triggered the top-up (a 0% shortage is no reason)
        reasons = (
            [
                f"domestic refiners went short of {state.ore_shortage:.0%} of the ore they asked for (smoothed "
                "over recent months)"
            ]
            if state.ore_shortage > QUOTA_SHORTAGE_TRIGGER
            else []
        )
        reasons += (
            [f"ore costs {price_ratio:.2f}x its start ({format_month(model.month - 1)})"] if price_ratio > 1.0 else []
        )
        old = state.quota_t
        short = state.ore_shortage > QUOTA_SHORTAGE_TRIGGER
        lasting = short and state.short_batches >= 1  # short at the last batch too: a year of shortage
        state.short_batches = state.short_batches + 1 if short else 0
        if bound is None:  # output beyond a loosely enforced quota stays in the next one
            if top_up > 0:
                growth += top_up
                why = f"{batch} batch: {' and '.join(reasons)}, so the quota is topped up by {top_up:.1%}"
            grow_quota(model, state, 1.0 + growth)
        else:
            # a year of shortage raises the published quota a little (quotas followed demand over the years:
            # +14% a year 2017-23); a half-year's top-up stays within the bound and ends with its batch
            raised = (
                min(state.ore_shortage, model.calibration.parameters.get("quota_lasting_growth_max", 0.0))
                if lasting
                else 0.0
            )
            grow_quota(model, state, 1.0 + growth + raised, extra=top_up)
            if raised > 0:
                why += f"; domestic refiners have gone short for a year, so the published quota grows {raised:.1%} more"
            if top_up > 0:
                why += (
                    f"; {' and '.join(reasons)}, so this half-year's quota is topped up by {top_up:.1%} above the "
                    f"published one (at most {bound:.0%}: total-amount control)"
                )
        return Decision("mining_quota", state.country, f"{old:,.0f} -> {state.quota_t:,.0f} t/yr", why)

    def _manage_stockpile(self, state: StateAgent, model) -> list[Decision]:
        """Open the stockpile when the market leaves domestic buyers short, close it once the market serves
        them again for a while, buy in calm times (`agents.stockpile_policy`)."""
        return [Decision(*decision) for decision in stockpile_policy.manage(state, model)]

    def respond_to_others(self, state: StateAgent, model) -> list[Decision]:
        """Moderates do not answer controls with controls."""
        return []


class HawkishStrategy(DefaultStrategy):
    """Uses supply as leverage: approves fewer licences for partners it is at odds with, and puts
    heavy rare earths and magnets under licence for any country whose relations turn hostile."""

    name = "hawkish"
    stance = -0.15
    stance_why = "the government treats exports as leverage (hawkish)"
    weights = {"security": 1.0, "cost": 0.5, "trade": 0.4, "leverage": 1.2, "relations": 0.2}

    def respond_to_others(self, state, model):
        return escalate_against(
            state,
            model,
            threshold=HAWK_THRESHOLD,
            rate=0.4,
            why="relations have turned {mood}; a hawkish government uses supply as leverage",
        )


class ConciliatoryStrategy(DefaultStrategy):
    """Keeps trade flowing: approves more licences and eases its own controls once relations recover."""

    name = "conciliatory"
    stance = 0.15
    stance_why = "the government wants trade to keep flowing (conciliatory)"
    weights = {"security": 1.0, "cost": 0.4, "trade": 0.8, "leverage": 0.3, "relations": 0.8}

    def respond_to_others(self, state, model):
        return relax_controls(state, model, above=0.0)


class TitForTatStrategy(DefaultStrategy):
    """Answers like with like: hostile acts in the last months cost a partner its licences (and, for a
    supplier, bring controls on it); once the partner stops, so does it."""

    name = "tit_for_tat"

    def partner_adjustment(self, state, partner, model):
        act = model.relations.recent_hostility(partner, state.country_id, model.month)
        if act is None:
            return 0.05, ""
        return -0.3, f"{COUNTRIES[partner]} acted against it recently ({act.what}), and it answers in kind"

    def respond_to_others(self, state, model):
        decisions = []
        for partner in range(len(COUNTRIES)):
            if partner == state.country_id:
                continue
            act = model.relations.recent_hostility(partner, state.country_id, model.month)
            controlled = model.office.level[state.country_id, :, partner].any()
            if act is not None and not controlled and state.exports_leverage(model):
                decisions.append(
                    impose_licences(
                        state, model, partner, rate=0.5, why=f"tit for tat: {COUNTRIES[partner]} {act.what}"
                    )
                )
        decisions.extend(relax_controls(state, model, above=-0.05, only_if_quiet=True))
        return decisions


HAWK_THRESHOLD = -0.4
RELATION_WEIGHT = 0.3  # licence approval chance per unit of relations score
LEVERAGE_PRODUCTS = ("heavy_oxide", "magnet")


def impose_licences(state, model, partner: int, rate: float, why: str) -> Decision:
    from sim.licensing import LICENCE

    products = [PRODUCTS.index(p) for p in LEVERAGE_PRODUCTS]
    decide_control(
        model, "licence_decision", state.country, products, [partner], LICENCE, approval_rate=rate, review_months=2
    )
    model.relations.shift(state.country_id, partner, -0.2, model.month, "put rare earths under licence")
    return Decision(
        "export_control",
        COUNTRIES[partner],
        f"licence on {', '.join(LEVERAGE_PRODUCTS)} (approval rate {rate:.0%}, review 2 months)",
        why,
    )


def escalate_against(state, model, threshold: float, rate: float, why: str) -> list[Decision]:
    if not state.exports_leverage(model):
        return []
    decisions = []
    for partner in range(len(COUNTRIES)):
        score = model.relations.score[state.country_id, partner]
        if (
            partner != state.country_id
            and score < threshold
            and not model.office.level[state.country_id, :, partner].any()
        ):
            decisions.append(impose_licences(state, model, partner, rate, why.format(mood=describe(score))))
    return decisions


def relax_controls(state, model, above: float, only_if_quiet: bool = False) -> list[Decision]:
    """Lift own licence regimes on partners whose relations are back above `above`."""
    from sim.licensing import LICENCE, NONE

    decisions = []
    own = state.country_id
    for partner in range(len(COUNTRIES)):
        if partner == own or not (model.office.level[own, :, partner] == LICENCE).any():
            continue
        if model.office.level[own, :, partner].max() > LICENCE:
            continue  # bans are political decisions the strategy leaves to the scenario
        quiet = model.relations.recent_hostility(partner, own, model.month) is None
        if model.relations.score[own, partner] > above and (quiet or not only_if_quiet):
            products = list(np.flatnonzero(model.office.level[own, :, partner] == LICENCE))
            decide_control(model, "licence_decision", state.country, products, [partner], NONE)
            model.relations.shift(own, partner, 0.1, model.month, "lifted its licence requirement")
            decisions.append(
                Decision(
                    "export_control",
                    COUNTRIES[partner],
                    "licence requirement lifted",
                    f"relations with {COUNTRIES[partner]} are {describe(model.relations.score[own, partner])} again",
                )
            )
    return decisions


STRATEGIES = {
    "default": DefaultStrategy,
    "passive": PassiveStrategy,
    "hawkish": HawkishStrategy,
    "conciliatory": ConciliatoryStrategy,
    "tit_for_tat": TitForTatStrategy,
}


class StateAgent(mesa.Agent):
    """A country's government."""

    def __init__(self, model, country: str, config):
        super().__init__(model)
        self.country = country
        self.country_id = COUNTRIES.index(country)
        self.config = config
        self.strategy = STRATEGIES[config.strategy]()
        self.own_quota_t: float | None = config.mining_quota_t  # as its own batches grow it
        self.quota_t: float | None = config.mining_quota_t  # in force: a quota measure's, else its own
        self.quota_extra = 0.0  # this half-year's top-up above the published quota (bounded since 2024)
        self.short_batches = 0  # quota batches in a row at which domestic refiners were short of ore
        self.ore_allotment_cut = 0.0  # share of refiners' ore orders last cut to the allotment (sim.ore_allotment)
        self.stockpile_row: int | None = None
        # by product, the (row, product) cells of the buyers its stockpile serves (agents.stockpile_policy)
        self.watched_cells: list[np.ndarray] = []
        self.holds = np.zeros(N_PRODUCTS, dtype=bool)
        self.releasing = np.zeros(N_PRODUCTS, dtype=bool)
        self.stock_seen = np.zeros(N_PRODUCTS)  # the stockpile's holdings at its last decision
        self.quiet_months = np.zeros(N_PRODUCTS, dtype=int)  # months in a row the market served its buyers
        self.ore_shortage = 0.0  # smoothed share of domestic ore orders left unfilled
        self.extra_stockpile_days = 0.0  # added by agreements
        self.budget_left = config.support_budget_usd  # this year's project support
        self.budget_year = -1

    def decide(self) -> list[Decision]:
        return self.strategy.decide(self, self.model)

    def review_licence(self, app) -> tuple[bool, str]:
        return self.strategy.review_licence(self, app, self.model)

    def licence_odds(self, exporter: int, product: int, importer: int, defense: bool) -> LicenceOdds:
        return self.strategy.licence_odds(self, exporter, product, importer, defense, self.model)

    def answer(self, terms, partner: int, as_proposer: bool = False):
        return self.strategy.answer(self, terms, partner, self.model, as_proposer)

    def exports_leverage(self, model) -> bool:
        """Whether this country supplies enough of the world's refining to make controls bite."""
        return model.refining_share(self.country_id) > 0.5
