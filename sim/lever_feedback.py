"""What a lever will do, in plain words, and a warning when it will do little or nothing.

`assess(model, event)` reads the world as the lever finds it (the month the model runs next, before the
lever or any other change scheduled for that month applies) and never changes it. Each event kind has a
checker: one line of what the lever does, and the warnings for the ways it can miss (a release larger than
the stock, a control on pairs that trade nothing, a fund with no money, a shock of factor 1, ...). A
warning is advice, not a refusal: the lever still applies, and `sim.levers.apply` writes the warning into
the event's description so that events.csv and the replay file keep it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields

import numpy as np

from . import market
from .agreements import Terms
from .constants import BUYER_KIND, COUNTRIES, MARKETS, PRODUCT_WORDS, SECTORS, STAGES, P
from .licensing import LEVELS, LICENCE

RECENT_MONTHS = 12  # "traded nothing recently": no shipment and no licence application in this many months


@dataclass(frozen=True)
class Feedback:
    summary: str  # what the lever will do, in one line without its actor ("bans magnet exports to US ...")
    warnings: tuple[str, ...] = ()


def assess(model, event, measure_states: Mapping[str, str] | None = None) -> Feedback:
    """What the validated `event` will do when it applies next month, and why it may do little or nothing.

    A suspend, resume or cancel is judged by the state of the measure it names, from `measure_states`:
    `sim.levers.measures(model)`, which the caller passes because `sim.levers` imports this module."""
    if event.kind in ACTS_ON:
        if measure_states is None:
            raise ValueError(f"assessing a {event.kind} needs measure_states=sim.levers.measures(model)")
        return _measure_control(model, event, measure_states[event.measure])
    return CHECKS.get(event.kind, _plain)(model, event)


def _told(summary: str, *warnings: str | None) -> Feedback:
    """Feedback with the warnings that apply (a checker passes None for a check that found nothing)."""
    return Feedback(summary, tuple(w for w in warnings if w))


# ---------------------------------------------------------------------------------------------- wording
def _t(tonnes: float) -> str:
    return f"{tonnes:,.0f} t" if tonnes >= 1 else f"{tonnes:.2g} t"


def _lasting(duration: int | None) -> str:
    return "" if duration is None else f" for {duration} months"


def _places(names: list[str]) -> str:
    return "every destination" if "*" in names else ", ".join(names)


def _joined(names) -> str:
    return ", ".join(names)


def _goods(products) -> str:
    return ", ".join(PRODUCT_WORDS[p] for p in products)


# ---------------------------------------------------------------------------------------------- trade
def _pairs(event) -> tuple[int, list[int], list[int]]:
    """The exporter, products and importers a trade measure names (the actor is never its own importer)."""
    chosen = COUNTRIES if "*" in event.destinations else event.destinations
    return (
        COUNTRIES.index(event.actor),
        [P[p] for p in event.products],
        [COUNTRIES.index(c) for c in chosen if c != event.actor],
    )


def _on_pairs(flows: np.ndarray, exporter: int, products: list[int], importers: list[int]) -> float:
    """Tonnes on the named pairs of a [..., product, exporter, importer] table of flows."""
    return float(flows[..., products, :, :][..., exporter, :][..., importers].sum())


def _traded_recently(model, exporter: int, products: list[int], importers: list[int]) -> bool:
    """Whether anything was shipped or applied for on these pairs in the last RECENT_MONTHS (or in the
    warm-up's last month, for a lever pulled before the first month)."""
    recorder, now = model.recorder, model.recorder.written
    since = max(now - RECENT_MONTHS, 0)
    shipped = _on_pairs(recorder.flow[since:now], exporter, products, importers)
    applied = recorder.licence[since:now, 0, exporter][..., products, :][..., importers].sum()  # [t, product, importer]
    return shipped + _on_pairs(model.month_flows, exporter, products, importers) + float(applied) > 0


def _last_month_shipped(model, exporter: int, products: list[int], importers: list[int]) -> float:
    return _on_pairs(model.month_flows, exporter, products, importers)


def _no_trade_warning(model, event, what: str) -> str | None:
    exporter, products, importers = _pairs(event)
    if _traded_recently(model, exporter, products, importers):
        return None
    return (
        f"no {_goods(event.products)} went from {event.actor} to {_places(event.destinations)} in the last "
        f"{RECENT_MONTHS} months (no shipment, no licence application): {what}"
    )


def _same_regime(office, key: tuple[int, int, int], event) -> bool:
    """Whether the pair already has the level (and, under licence, the terms) the control sets."""
    if office.level[key] != LEVELS[event.level]:
        return False
    if event.level != "licence":
        return True
    regime = office.regime(*key)
    later = event.approval_rate if event.later_rate is None else event.later_rate
    # a ramp restarts with a new regime, so a ramped regime is never "the same"
    return (
        regime is not None
        and event.ramp_months == 0
        and regime.ramp_months == 0
        and (regime.approval_rate, regime.later_rate, regime.deny_defense, regime.covers)
        == (event.approval_rate, later, event.deny_defense, event.covers)
        and int(office.review_months[key]) == event.review_months
    )


def _export_control(model, event) -> Feedback:
    exporter, products, importers = _pairs(event)
    verb = {"none": "lifts controls on", "licence": "puts under licence", "ban": "bans"}[event.level]
    terms = (
        f", {event.approval_rate:.0%} of applications approved after {event.review_months} months' review"
        if event.level == "licence"
        else ""
    )
    shipped = _last_month_shipped(model, exporter, products, importers)
    summary = (
        f"{verb} exports of {_goods(event.products)} to {_places(event.destinations)}{terms}"
        f"{_lasting(event.duration_months)} ({_t(shipped)} shipped there last month)"
    )
    unchanged = all(_same_regime(model.office, (exporter, p, m), event) for p in products for m in importers)
    already = None
    if unchanged:
        already = (
            "no control is in force on these pairs: there is nothing to lift"
            if event.level == "none"
            else f"the same {event.level} is in force on these pairs already: nothing changes"
        )
    return _told(
        summary,
        already,
        None if event.level == "none" else _no_trade_warning(model, event, "the control cuts no trade now"),
    )


def _general_licence(model, event) -> Feedback:
    exporter, products, importers = _pairs(event)
    summary = (
        f"lets civil end users in {_places(event.destinations)} buy {_goods(event.products)} from "
        f"{event.actor} without a licence for {event.duration_months} months"
    )
    licensed = any(model.office.level[exporter, p, m] == LICENCE for p in products for m in importers)
    return _told(
        summary,
        None
        if licensed
        else "none of these exports is under licence now (free or banned): the general licence waives nothing",
        _no_trade_warning(model, event, "the general licence eases no trade now"),
    )


def _export_quota(model, event) -> Feedback:
    exporter = COUNTRIES.index(event.actor)
    in_force = model.office.export_quotas.get(exporter)
    if event.tonnes_per_year is None:
        return _told(
            f"lifts {event.actor}'s export quota",
            None if in_force else f"{event.actor} has no export quota in force: there is nothing to lift",
        )
    products = [P[p] for p in event.products]
    abroad = [m for m in range(len(COUNTRIES)) if m != exporter]
    pace = 12 * _last_month_shipped(model, exporter, products, abroad)
    summary = (
        f"caps {event.actor}'s exports of {_goods(event.products)} at {_t(event.tonnes_per_year)} a year "
        f"(last month's pace: {_t(pace)} a year)"
    )
    return _told(
        summary,
        f"the quota is above what {event.actor} exports at last month's pace: it does not bind now"
        if event.tonnes_per_year >= pace
        else None,
    )


# ---------------------------------------------------------------------------------------------- state policies
def _capacity(model, country: str, stage: str) -> float:
    return float(model.capacity_by_country_stage()[COUNTRIES.index(country), STAGES.index(stage)])


def _mining_quota(model, event) -> Feedback:
    capacity, current = _capacity(model, event.actor, "mining"), model.states[event.actor].quota_t
    now = "no quota now" if current is None else f"now {_t(current)} a year"
    summary = (
        f"caps {event.actor}'s mining at {_t(event.tonnes_per_year)} a year "
        f"({now}; its mines can dig {_t(capacity)} a year)"
    )
    slack = event.tonnes_per_year >= capacity and (current is None or current >= capacity)
    return _told(
        summary,
        f"the quota is above {event.actor}'s mining capacity of {_t(capacity)} a year: it does not bind"
        if slack
        else None,
        "the same quota is in force already: nothing changes" if current == event.tonnes_per_year else None,
    )


def _stockpile_release(model, event) -> Feedback:
    state, p = model.states[event.actor], P[event.product]
    if state.stockpile_row is None:
        return _told("releases nothing", f"{event.actor} holds no strategic stockpile: nothing is released")
    held = float(model.book.stock[state.stockpile_row, p])
    wanted = held if isinstance(event.tonnes, str) else event.tonnes  # the word "all" releases what is held
    given = min(wanted, held)
    all_of_it = " (all the stockpile holds)" if 0 < held <= wanted else ""
    summary = (
        f"releases {_t(given)} of {PRODUCT_WORDS[event.product]} to {event.actor} firms{all_of_it}"
        if given > 0
        else "releases nothing"
    )
    return _told(
        summary,
        "a release of 0 t releases nothing" if wanted <= 0 < held else None,
        f"the stockpile holds no {PRODUCT_WORDS[event.product]}: nothing is released" if held <= 0 else None,
        f"asks for {_t(wanted)} but the stockpile holds {_t(held)}" if 0 < held < wanted else None,
        None
        if _has_domestic_users(model, state.country_id, p)
        else f"no firm in {event.actor} uses {PRODUCT_WORDS[event.product]}: nothing is released",
    )


def _has_domestic_users(model, country_id: int, product: int) -> bool:
    """Whether a release has anyone to go to: the firms that buy the product at home, by their recent use
    (as `sim.stockpiles.release_to_domestic` shares a release)."""
    buyers = model.rows[BUYER_KIND[product]]
    mine = buyers[model.book.country[buyers] == country_id]
    return float(model.book.use_avg[mine, product].sum()) > 0


def _stockpile_target(model, event) -> Feedback:
    state = model.states[event.actor]
    old = state.config.stockpile_target_days
    return _told(
        f"aims the strategic stockpile at {event.days:g} days of domestic use (now {old:g} days)",
        f"{event.actor} holds no strategic stockpile: there is nothing to fill"
        if state.stockpile_row is None
        else None,
        "the same target is set already: nothing changes" if old == event.days else None,
    )


def _price_floor(model, event) -> Feedback:
    k = market.MARKET_OF[COUNTRIES.index(event.actor)]
    price = float(model.prices[P[event.product], k])
    summary = (
        f"guarantees {event.actor}'s producers {event.usd_per_kg:g} USD/kg for {PRODUCT_WORDS[event.product]}"
        f"{_lasting(event.duration_months)} (the {MARKETS[k]} price is {price:.1f} USD/kg)"
    )
    return _told(
        summary,
        f"the floor is below the current price of {price:.1f} USD/kg: it pays producers nothing unless the price falls"
        if event.usd_per_kg < price
        else None,
    )


def _project_support(model, event) -> Feedback:
    config = model.states[event.actor].config
    budget = config.support_budget_usd if event.budget_usd_per_year is None else event.budget_usd_per_year
    summary = f"pays {event.share:.0%} of the capex of new plants in {event.actor}, up to ${budget / 1e9:,.2f}B a year"
    same = event.share == config.project_support and budget == config.support_budget_usd
    return _told(
        summary,
        "the same support is in force already: nothing changes" if same else None,
        "a budget of 0 pays nothing" if event.share > 0 and budget <= 0 else None,
    )


def _strategy(model, event) -> Feedback:
    old = model.states[event.actor].config.strategy
    return _told(
        f"makes {event.actor}'s strategy {event.strategy} (now {old})",
        f"{event.actor} follows {old} already: nothing changes" if old == event.strategy else None,
    )


def _tariff(model, event) -> Feedback:
    return _told(
        f"changes tariffs on {event.target}'s goods by {event.change_points:+g} points",
        "a change of 0 points changes nothing" if event.change_points == 0 else None,
    )


def _relations(model, event) -> Feedback:
    return _told(
        f"moves {event.target}'s view of {event.actor} by {event.change:+.2f}",
        "a change of 0 changes nothing" if event.change == 0 else None,
    )


def _proposal(model, event) -> Feedback:
    terms = Terms(**{f.name: getattr(event, f.name) for f in fields(Terms)})
    agreed = " (signed as proposed)" if event.agreed else ""
    summary = (
        f"proposes '{event.name}' to {event.target} for {event.duration_months} months: {terms.describe()}{agreed}"
    )
    # the eased approval rate is a term only with eased controls, so it does not count on its own
    promises = terms != Terms(suspend_to_rate=terms.suspend_to_rate)
    money, share = terms.cofinance_usd_per_year, terms.cofinance_share
    return _told(
        summary,
        None if promises else "the proposal promises nothing: give it at least one term",
        f"the joint fund pays 0% of project capex: its ${money / 1e9:,.2f}B a year pays nothing"
        if money > 0 and share == 0
        else None,
        f"the joint fund pays {share:.0%} of project capex but has no money a year: it pays nothing"
        if share > 0 and money == 0
        else None,
    )


# ---------------------------------------------------------------------------------------------- shocks
def _factor_warning(factor: float, what: str) -> str | None:
    return f"a factor of 1 leaves {what} as it is" if factor == 1 else None


def _capacity_shock(model, event) -> Feedback:
    capacity = _capacity(model, event.country, event.stage)
    summary = (
        f"scales {event.stage} capacity in {event.country} by {event.factor:g}{_lasting(event.duration_months)}"
        f" (now {_t(capacity)} a year)"
    )
    return _told(
        summary,
        _factor_warning(event.factor, "capacity"),
        f"{event.country} has no {event.stage} capacity: nothing changes" if capacity <= 0 else None,
    )


def _demand_shock(model, event) -> Feedback:
    where = "every country" if event.country == "*" else event.country
    sector = "every sector" if event.sector == "*" else event.sector
    countries = range(len(COUNTRIES)) if event.country == "*" else [COUNTRIES.index(event.country)]
    sectors = range(len(SECTORS)) if event.sector == "*" else [SECTORS.index(event.sector)]
    demand = float(model.month_demand[np.ix_(countries, sectors)].sum())
    summary = (
        f"scales magnet demand of {sector} in {where} by {event.factor:g}{_lasting(event.duration_months)} "
        f"({_t(demand)} last month)"
    )
    return _told(
        summary,
        _factor_warning(event.factor, "demand"),
        f"nobody in {where} uses magnets in {sector}: nothing changes" if demand <= 0 else None,
    )


def _ore_grade(model, event) -> Feedback:
    summary = (
        f"scales the NdPr in ore mined in {event.country} by {event.light_factor:g} and the Dy/Tb by "
        f"{event.heavy_factor:g}{_lasting(event.duration_months)}"
    )
    unchanged = event.light_factor == 1 and event.heavy_factor == 1
    return _told(
        summary,
        "factors of 1 leave the ore as it is" if unchanged else None,
        f"{event.country} has no mines: nothing changes" if _capacity(model, event.country, "mining") <= 0 else None,
    )


def _hoarding(model, event) -> Feedback:
    summary = (
        f"makes buyers in the {event.market} market want {event.extra_cover:g}x their normal cover more of "
        f"{_goods(event.products)}{_lasting(event.duration_months)}"
    )
    return _told(summary, "an extra cover of 0 changes nothing" if event.extra_cover == 0 else None)


def _demand_growth(model, event) -> Feedback:
    return _told(
        f"makes magnet demand grow {event.growth:+.1%} a year from now on (now {model.growth:+.1%})",
        "demand grows at this rate already: nothing changes" if event.growth == model.growth else None,
    )


# ---------------------------------------------------------------------------------------------- named measures
# measure states (see `sim.levers.measures`) in which each kind acts
ACTS_ON = {"suspend": ("in force", "pending"), "resume": ("suspended",), "cancel": ("in force", "pending", "suspended")}
DOES = {"suspend": "suspends", "resume": "ends the suspension of", "cancel": "cancels"}


def _measure_control(model, event, state: str) -> Feedback:
    target = model.schedule_events.measures.defined[event.measure]
    span = _lasting(event.duration_months) if event.kind == "suspend" else ""
    summary = f"{DOES[event.kind]} {event.measure} ({target.kind} of {target.date}, {target.actor}){span}"
    status = {"ended": "has ended", "cancelled": "was cancelled"}.get(state, f"is {state}")
    return _told(
        summary, None if state in ACTS_ON[event.kind] else f"{event.measure} {status}: there is nothing to {event.kind}"
    )


# ---------------------------------------------------------------------------------------------- the rest
def _extraterritorial(model, event) -> Feedback:
    if event.lift:
        in_force = COUNTRIES.index(event.actor) in model.office.extraterritorial
        return _told(
            f"lifts {event.actor}'s extraterritorial rule",
            None if in_force else f"{event.actor} has no extraterritorial rule in force: there is nothing to lift",
        )
    return _told(
        f"makes {_goods(event.products)} made abroad with at least {event.threshold:.1%} {event.actor} "
        f"material need an {event.actor} licence{_lasting(event.duration_months)}"
    )


def _technology_ban(model, event) -> Feedback:
    if event.lift:
        return _told(f"lifts {event.actor}'s technology ban on {_joined(event.stages)}")
    return _told(
        f"makes new {_joined(event.stages)} plants outside {event.actor} take {event.lead_factor:g}x as long "
        f"and cost {event.cost_factor:g}x as much"
    )


def _note(model, event) -> Feedback:
    return _told("adds a note to the event log")


def _plain(model, event) -> Feedback:
    """A kind without a checker of its own."""
    return _told(f"{event.kind.replace('_', ' ')} by {event.actor}")


CHECKS: dict[str, Callable[..., Feedback]] = {
    "export_control": _export_control,
    "general_licence": _general_licence,
    "export_quota": _export_quota,
    "mining_quota": _mining_quota,
    "stockpile_release": _stockpile_release,
    "stockpile_target": _stockpile_target,
    "price_floor": _price_floor,
    "project_support": _project_support,
    "strategy": _strategy,
    "tariff": _tariff,
    "relations": _relations,
    "proposal": _proposal,
    "capacity_shock": _capacity_shock,
    "demand_shock": _demand_shock,
    "ore_grade": _ore_grade,
    "hoarding": _hoarding,
    "demand_growth": _demand_growth,
    "extraterritorial": _extraterritorial,
    "technology_ban": _technology_ban,
    "note": _note,
}  # suspend, resume and cancel: `_measure_control`, which also takes the measure's state
