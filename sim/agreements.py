"""Agreements between states: proposals with terms, answers (accept, reject, counter) and their effects.

A proposal names a proposer, a partner, terms and a duration. The partner's strategy values the terms
(`agents/state.py`: supply security, cost, relations, leverage, trade); it accepts what is worth having,
counters by scaling down what costs it most, or rejects; the proposer then weighs the counter the same
way. Talks end after MAX_ROUNDS offers, so negotiations always terminate.

Terms (all optional):
- `cofinance_usd_per_year` / `cofinance_share`: a joint fund paying that share of the capex of projects in
  either country, up to the yearly amount;
- `stockpile_days`: both raise their stockpile targets by that many days (stockpile coordination);
- `tariff_points`: the proposer cuts tariffs on the partner's goods by that many points;
- `suspend_controls`: the partner (or proposer) that licenses rare-earth exports to the other returns
  them to a lighter regime (`suspend_to_rate`) for the duration;
- `general_licence`: that state grants general licences to the other's civil end users;
- `preferential_supply`: each side's suppliers weigh the other's buyers PREFERENCE times more;
- `rapid_response`: in a shortage, a party's open stockpile also serves the partner's buyers;
- `purchase_usd`: the proposer commits to buy that much of the partner's goods (valued as trade).
Agreements lapse at their end and are broken when a party comes to value them below BREAK_THRESHOLD.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .constants import COUNTRIES, PRODUCTS

MAX_ROUNDS = 3
BREAK_THRESHOLD = -0.6  # what a party would now reject outright
PREFERENCE = 3.0


@dataclass
class Terms:
    cofinance_usd_per_year: float = 0.0
    cofinance_share: float = 0.0
    stockpile_days: float = 0.0
    tariff_points: float = 0.0
    suspend_controls: bool = False
    suspend_to_rate: float = 0.6
    general_licence: bool = False
    preferential_supply: bool = False
    rapid_response: bool = False
    purchase_usd: float = 0.0

    def describe(self) -> str:
        parts = []
        if self.preferential_supply:
            parts.append("each side's suppliers serve the other first")
        if self.rapid_response:
            parts.append("a rapid-response group that shares stockpiles in a shortage")
        if self.purchase_usd > 0:
            parts.append(f"purchases of ${self.purchase_usd / 1e9:,.0f}B of the partner's goods")
        if self.cofinance_usd_per_year > 0:
            parts.append(
                f"a joint fund of ${self.cofinance_usd_per_year / 1e9:,.2f}B a year paying "
                f"{self.cofinance_share:.0%} of project capex"
            )
        if self.stockpile_days > 0:
            parts.append(f"stockpiles raised by {self.stockpile_days:g} days")
        if self.tariff_points:
            parts.append(f"tariffs cut by {self.tariff_points:g} points")
        if self.suspend_controls:
            parts.append(f"export controls eased (approval {self.suspend_to_rate:.0%})")
        if self.general_licence:
            parts.append("general licences for civil end users")
        return "; ".join(parts) or "no terms"


@dataclass
class Agreement:
    key: str  # the id every row of events.csv names it by: its proposal's id, else agreement-N
    name: str  # as the parties call it; two agreements may share one
    parties: tuple[int, int]  # (proposer, partner)
    terms: Terms
    start: int
    end: int
    fund_left: float = 0.0
    status: str = "in force"
    year: int = -1
    ended: int | None = None  # the month it lapsed or was broken
    paid: dict[int, float] = field(default_factory=dict)  # calendar year -> co-finance paid out
    paid_for_time: dict[int, float] = field(default_factory=dict)  # calendar year -> of it, months bought off plants
    limits: dict[int, str] = field(default_factory=dict)  # calendar year -> what limited it (sim/project_limits.py)

    @property
    def has_fund(self) -> bool:
        return self.terms.cofinance_share > 0 and self.terms.cofinance_usd_per_year > 0

    def fund_years(self, last_month: int) -> list[int]:
        """Calendar years in which the fund had its yearly amount to spend (up to `last_month`)."""
        end = min(self.end, last_month if self.ended is None else self.ended - 1)
        return sorted({m // 12 for m in range(self.start, end + 1)})

    def covers(self, country: int) -> bool:
        return country in self.parties


@dataclass
class Diplomats:
    agreements: list[Agreement] = field(default_factory=list)

    def active(self, month: int) -> list[Agreement]:
        return [a for a in self.agreements if a.status == "in force" and a.start <= month <= a.end]

    def new_key(self, event_id: str | None) -> str:
        taken = {a.key for a in self.agreements}
        if event_id is not None and event_id not in taken:
            return event_id
        n = len(self.agreements) + 1
        while f"agreement-{n}" in taken:
            n += 1
        return f"agreement-{n}"

    def cofinance(self, country: int, capex: float, month: int) -> dict[str, float]:
        """What agreements covering `country` would pay towards a project there, by agreement key."""
        out = {}
        for agreement in self.active(month):
            if not agreement.covers(country) or agreement.terms.cofinance_share <= 0:
                continue
            if agreement.year != month // 12:  # the fund is replenished every January
                agreement.year, agreement.fund_left = month // 12, agreement.terms.cofinance_usd_per_year
            pay = min(capex * agreement.terms.cofinance_share, agreement.fund_left)
            if pay > 0:
                out[agreement.key] = pay
        return out

    def spend(self, key: str, usd: float, month: int) -> Agreement:
        """Draw `usd` from the fund of the agreement with this key (never more than this year's money left)."""
        agreement = next(a for a in self.active(month) if a.key == key)
        if usd > agreement.fund_left + 1e-6:
            raise ValueError(f"{key}: ${usd:,.0f} asked of a fund with ${agreement.fund_left:,.0f} left this year")
        agreement.fund_left -= usd
        agreement.paid[month // 12] = agreement.paid.get(month // 12, 0.0) + usd
        return agreement

    def by_key(self, key: str) -> Agreement:
        return next(a for a in self.agreements if a.key == key)

    def fund_use(self, last_month: int) -> tuple[float, float]:
        """(paid, available) over all agreements' funds up to `last_month`, USD."""
        paid = sum(sum(a.paid.values()) for a in self.agreements)
        available = sum(
            a.terms.cofinance_usd_per_year * len(a.fund_years(last_month)) for a in self.agreements if a.has_fund
        )
        return paid, available


def negotiate(
    model, proposer: int, partner: int, terms: Terms, duration: int, name: str, event_id: str | None = None
) -> Agreement | None:
    """Bounded alternating offers; logs every offer and answer with its reason."""
    offer = terms
    for round_ in range(1, MAX_ROUNDS + 1):
        answer, counter, why = model.states[COUNTRIES[partner]].answer(offer, proposer)
        model.log.add(
            model.month,
            COUNTRIES[partner],
            f"agreement_{answer}",
            COUNTRIES[proposer],
            f"{name}, offer {round_}: {offer.describe()}",
            why,
        )
        if answer == "accept":
            return sign(model, proposer, partner, offer, duration, name, event_id)
        if answer == "reject" or counter is None:
            return None
        back, _, why_back = model.states[COUNTRIES[proposer]].answer(counter, partner, as_proposer=True)
        model.log.add(
            model.month,
            COUNTRIES[proposer],
            f"agreement_{back}",
            COUNTRIES[partner],
            f"{name}, counter {round_}: {counter.describe()}",
            why_back,
        )
        if back == "accept":
            return sign(model, proposer, partner, counter, duration, name, event_id)
        offer = counter  # terms are never changed in place
    return None


def sign(
    model, proposer: int, partner: int, terms: Terms, duration: int, name: str, event_id: str | None = None
) -> Agreement:
    month = model.month
    agreement = Agreement(
        model.diplomats.new_key(event_id), name, (proposer, partner), terms, month, month + duration - 1
    )
    model.diplomats.agreements.append(agreement)
    model.relations.shift(proposer, partner, 0.15, month, f"signed {name}")
    model.relations.shift(partner, proposer, 0.15, month, f"signed {name}")
    model.relations.build_trust(proposer, partner, 0.1)
    _apply(model, agreement)
    model.log.add(
        month,
        f"{COUNTRIES[proposer]}+{COUNTRIES[partner]}",
        "agreement_signed",
        agreement.key,
        f"{name}: {terms.describe()}",
        f"both sides value the terms; in force for {duration} months",
    )
    return agreement


def review(model) -> None:
    """Each month agreements past their end lapse, and both parties re-value those in force; one whose
    terms have turned badly against a party (relations collapsed, controls imposed) is broken, at a cost
    in trust. Either way its stockpile commitments end with it."""
    if model.month % 12 == 0:
        for agreement in model.diplomats.agreements:
            if agreement.has_fund and model.month // 12 - 1 in agreement.fund_years(model.month - 1):
                report_fund_year(model, agreement, model.month // 12 - 1)
    for agreement in model.diplomats.agreements:
        if agreement.status == "in force" and model.month > agreement.end:
            agreement.status = "lapsed"
            agreement.ended = model.month
            _unwind(model, agreement)
            model.log.add(
                model.month,
                "+".join(COUNTRIES[p] for p in agreement.parties),
                "agreement_lapsed",
                agreement.key,
                f"{agreement.name}: {agreement.terms.describe()}",
                "it ran its agreed term",
            )
    for agreement in model.diplomats.active(model.month):
        for party, other in (agreement.parties, agreement.parties[::-1]):
            state = model.states[COUNTRIES[party]]
            value, why = state.strategy.value_terms(
                state, agreement.terms, other, model, as_proposer=party == agreement.parties[0]
            )
            if value < BREAK_THRESHOLD:
                agreement.status = "broken"
                agreement.ended = model.month
                model.relations.shift(party, other, -0.3, model.month, f"broke {agreement.name}")
                model.relations.break_trust(party, other, 0.3)
                _unwind(model, agreement)
                model.log.add(
                    model.month,
                    COUNTRIES[party],
                    "agreement_broken",
                    agreement.key,
                    f"{agreement.name}: {agreement.terms.describe()}",
                    f"value {value:+.2f}: " + "; ".join(why),
                )
                break


def report_fund_year(model, agreement: Agreement, year: int) -> None:
    """A `fund_year` row: what the joint fund paid out of its yearly amount, and the limit that kept it from
    building more (`sim/project_limits.py`): money, engineering, ore, the market, lead time or its share."""
    from .project_limits import HELD_BACK_WORDS, LIMIT_WORDS, binding_limit

    paid, amount = agreement.paid.get(year, 0.0), agreement.terms.cofinance_usd_per_year
    counts = model.projects.limits.get(agreement.key, {}).get(year, {})
    ran_out = paid >= amount - 1e-6
    limit = binding_limit(counts, ran_out)
    agreement.limits[year] = limit
    held = ", ".join(f"{counts[reason]} {words}" for reason, words in HELD_BACK_WORDS.items() if counts.get(reason))
    why = (
        "the fund ran out: projects wanted more than its yearly amount"
        if ran_out
        else f"binding limit: {LIMIT_WORDS[limit]}"
    )
    model.log.add(
        model.month,
        "+".join(COUNTRIES[p] for p in agreement.parties),
        "fund_year",
        agreement.key,
        f"{year}: used ${paid / 1e9:,.2f}B of ${amount / 1e9:,.2f}B ({paid / amount:.0%})"
        + (
            f", ${agreement.paid_for_time[year] / 1e9:,.2f}B of it to bring its plants forward"
            if agreement.paid_for_time.get(year)
            else ""
        ),
        why
        + (
            f" (project appraisals in {COUNTRIES[agreement.parties[0]]} and {COUNTRIES[agreement.parties[1]]}: {held})"
            if held
            else ""
        ),
    )


def _unwind(model, agreement: Agreement) -> None:
    """Commitments that last only as long as the agreement (eased controls stay until a state changes them)."""
    for party in agreement.parties:
        model.states[COUNTRIES[party]].extra_stockpile_days -= agreement.terms.stockpile_days
    model.measures.take_out_where(model, lambda m: m.key.startswith(f"{agreement.key}/general-licence"))


def preferential_weight(model) -> np.ndarray:
    """[exporter, importer] multipliers on trade links from preferential-supply agreements in force."""
    weight = np.ones((len(COUNTRIES), len(COUNTRIES)))
    for agreement in model.diplomats.active(model.month):
        if agreement.terms.preferential_supply:
            a, b = agreement.parties
            weight[a, b] = weight[b, a] = PREFERENCE
    return weight


def rapid_response_partners(model, country: int) -> list[int]:
    return [
        a.parties[1] if a.parties[0] == country else a.parties[0]
        for a in model.diplomats.active(model.month)
        if a.terms.rapid_response and a.covers(country)
    ]


def _apply(model, agreement: Agreement) -> None:
    """What the terms set going: stockpile targets, eased controls (which outlast the agreement until a state
    changes them) and general licences (which end with it), the latter two as measures keyed by the agreement."""
    from .licensing import LICENCE, GeneralLicence
    from .trade_measures import decide_control

    terms, (a, b) = agreement.terms, agreement.parties
    for x in (a, b):
        state = model.states[COUNTRIES[x]]
        state.extra_stockpile_days += terms.stockpile_days
    if terms.suspend_controls:
        for exporter, importer in ((a, b), (b, a)):
            licensed = [p for p in range(len(PRODUCTS)) if model.office.level[exporter, p, importer] == LICENCE]
            if licensed:
                decide_control(
                    model,
                    "control_easing",
                    COUNTRIES[exporter],
                    licensed,
                    [importer],
                    None,
                    key=f"{agreement.key}/easing-{COUNTRIES[exporter]}",
                    approval_rate=terms.suspend_to_rate,
                    review_months=1,
                )
    if terms.general_licence:
        licences = []
        for exporter, importer in ((a, b), (b, a)):
            if model.office.level[exporter, :, importer].any():
                products = [p for p in range(len(PRODUCTS)) if model.office.level[exporter, p, importer]]
                licences.append(
                    GeneralLicence(
                        exporter,
                        frozenset([importer]),
                        frozenset(products),
                        agreement.end,
                        agreement.name,
                        agreement.key,
                    )
                )
        for i, licence in enumerate(licences):
            model.measures.put(
                model,
                "agreement_licence",
                None,
                model.month,
                COUNTRIES[licence.exporter],
                key=f"{agreement.key}/general-licence" + ("" if i == 0 else f"-{i + 1}"),
                state=licence,
            )
