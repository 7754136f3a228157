"""Measures on trade: export controls, export quotas, general licences and extraterritorial rules, with the
composition that turns the set in force into the licensing office's regimes (`sim.licensing`).

Besides the scenario's events, three kinds of records feed the controls: the controls a state's
configuration has in force at the start (`standing_control`), the regimes a state's strategy imposes or
lifts (`licence_decision`) and an agreement's easing of the partner's licences (`control_easing`). All are
`ControlOrder`s: on each (exporter, product, importer) the latest in force wins, and when it ends the one
beneath applies again; an easing changes the terms of the licence regime beneath it and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .constants import COUNTRIES, N_COUNTRIES, N_PRODUCTS, P
from .licensing import LEVELS, LICENCE, ExportQuota, ExtraterritorialRule, GeneralLicence, Regime
from .measures import ActiveMeasure, MeasureRule, composer, latest_by, register


@dataclass(frozen=True)
class ControlOrder:
    """A control on the pairs exporter x products x importers. `level` None eases the licence regime
    beneath to `regime`'s terms (an agreement's suspension of controls)."""

    exporter: int
    products: tuple[int, ...]
    importers: tuple[int, ...]
    level: int | None
    review_months: int
    regime: Regime | None  # the terms under a licence, started the month the order took effect
    hold_until: float = 0.0  # customs hold every shipment on these pairs until this month (0: no hold)


def country_ids(names: list[str], exclude: str | None = None) -> list[int]:
    chosen = COUNTRIES if "*" in names else names
    return [COUNTRIES.index(c) for c in chosen if c != exclude]


def places(names: list[str]) -> str:
    """Destinations as a reader says them: "*" is every destination."""
    return "every destination" if "*" in names else ", ".join(names)


def order_from_terms(
    exporter: int,
    products: list[int],
    importers: list[int],
    level: int | None,
    month: int,
    review_months: int = 0,
    customs_hold_months: float = 0.0,
    **terms,
) -> ControlOrder:
    regime = Regime.from_terms(month, **terms) if level in (LICENCE, None) else None
    hold_until = month + customs_hold_months if customs_hold_months > 0 else 0.0
    return ControlOrder(
        exporter,
        tuple(products),
        tuple(i for i in importers if i != exporter),
        level,
        review_months,
        regime,
        hold_until,
    )


def decide_control(
    model,
    kind: str,
    actor: str,
    products: Iterable[int | np.integer],
    importers: list[int],
    level: int | None,
    key: str | None = None,
    **terms,
) -> ActiveMeasure:
    """A standing control set by a state's configuration, strategy or agreement (the caller logs it).
    `products` may be numpy integers (a strategy's `np.flatnonzero`): the order holds plain ints."""
    order = order_from_terms(COUNTRIES.index(actor), [int(p) for p in products], importers, level, model.month, **terms)
    measure, _, _ = model.measures.put(model, kind, None, model.month, actor, key=key, state=order)
    return measure


# ---------------------------------------------------------------------------------------------- controls
@composer("controls")
def compose_controls(model, measures: list[ActiveMeasure]) -> None:
    """Each pair's own level, review time and licence terms: the latest order in force on it wins; an
    easing only changes the terms of a licence beneath it."""
    level = np.zeros((N_COUNTRIES, N_PRODUCTS, N_COUNTRIES), np.int8)
    review = np.zeros(level.shape, int)
    regimes: dict[tuple[int, int, int], Regime] = {}
    holds: dict[tuple[int, int, int], float] = {}
    for measure in measures:
        order: ControlOrder = measure.state
        for p in order.products:
            for m in order.importers:
                key = (order.exporter, p, m)
                if order.level is None:
                    if level[key] == LICENCE:
                        assert order.regime is not None  # order_from_terms gives an easing its terms
                        review[key], regimes[key] = order.review_months, order.regime
                    continue
                level[key], review[key] = order.level, order.review_months
                # customs hold what a new control's heading covers; a later order on the pair brings its own
                holds.pop(key, None)
                if order.hold_until > 0:
                    holds[key] = order.hold_until
                if order.level == LICENCE:
                    assert order.regime is not None  # order_from_terms gives a licence regime its terms
                    regimes[key] = order.regime
                else:
                    regimes.pop(key, None)
    model.office.holds = holds
    model.office.publish(model.month, (level, review, regimes))


def _severity(level: int, regime: Regime | None) -> float:
    if level == LEVELS["ban"]:
        return 1.0
    return 1.0 - regime.approval_rate if level == LICENCE and regime is not None else 0.0


def _export_control(model, measure: ActiveMeasure) -> tuple[str, str]:
    event, office = measure.event, model.office
    terms = event.regime()
    order = order_from_terms(
        COUNTRIES.index(event.actor),
        [P[p] for p in event.products],
        country_ids(event.destinations, exclude=event.actor),
        LEVELS[event.level],
        measure.start,
        customs_hold_months=event.customs_hold_months,
        **terms,
    )
    measure.state = order
    exporter = order.exporter
    severity = {"none": 0.0, "licence": 1.0 - event.approval_rate, "ban": 1.0}[event.level]
    for m in order.importers:
        was = max(_severity(int(office.level[exporter, p, m]), office.regime(exporter, p, m)) for p in order.products)
        if severity < was:
            model.relations.shift(exporter, m, 0.1, measure.start, "eased its export controls")
        elif event.level != "none":
            model.relations.shift(
                exporter,
                m,
                -0.3 if event.level == "ban" else -0.15,
                measure.start,
                f"put rare earths under {event.level}",
            )
    ramp = f" rising to {event.later_rate:.0%} over {event.ramp_months} months" if event.later_rate is not None else ""
    detail = (
        ""
        if event.level != "licence"
        else (f" (approval rate {event.approval_rate:.0%}{ramp}, review {event.review_months} months)")
    )
    if event.customs_hold_months > 0:
        detail += (
            f"; customs hold every {', '.join(event.products)} shipment for "
            f"{event.customs_hold_months:g} months, whatever its grade"
        )
    return (
        f"{event.level} on {', '.join(event.products)} to {places(event.destinations)}{detail}",
        "export control set by the scenario",
    )


def _control_ends(measure: ActiveMeasure):
    event = measure.event
    return (
        event.actor,
        "export_control_ends",
        ",".join(event.destinations),
        f"{event.level} on {', '.join(event.products)} lifted after {event.duration_months} months",
        "the measure was announced for a fixed period",
    )


def _carried(model, measure: ActiveMeasure) -> tuple[str, str]:
    """Records an agent's decision brings with it (its `state`); the agent logs the decision itself."""
    return "", ""


register(MeasureRule("export_control", "controls", _export_control, _control_ends))
for _kind in ("standing_control", "licence_decision", "control_easing"):
    register(MeasureRule(_kind, "controls", _carried))


# ---------------------------------------------------------------------------------------------- export quotas
@composer("export_quota")
def compose_export_quotas(model, measures: list[ActiveMeasure]) -> None:
    """Each exporter's latest quota in force (a lift is a quota of none)."""
    latest = latest_by(measures, lambda m: m.actor)
    model.office.export_quotas = {COUNTRIES.index(actor): m.state for actor, m in latest.items() if m.state is not None}


def _export_quota(model, measure: ActiveMeasure) -> tuple[str, str]:
    event, month = measure.event, measure.start
    if event.tonnes_per_year is None:
        return f"export quota on {', '.join(event.products)} lifted", "export quota set by the scenario"
    # a quota set during the year covers what is left of that year
    left = event.tonnes_per_year * (12 - month % 12) / 12
    measure.state = ExportQuota(frozenset(P[p] for p in event.products), event.tonnes_per_year, left, month // 12)
    return (
        f"export quota of {event.tonnes_per_year:,.0f} t/yr on {', '.join(event.products)}",
        "export quota set by the scenario",
    )


register(MeasureRule("export_quota", "export_quota", _export_quota))


# ---------------------------------------------------------------------------------------------- general licences
@composer("general_licence")
def compose_general_licences(model, measures: list[ActiveMeasure]) -> None:
    model.office.general = [m.state for m in measures]


def _general_licence(model, measure: ActiveMeasure) -> tuple[str, str]:
    event, month = measure.event, measure.start
    exporter = COUNTRIES.index(event.actor)
    importers = country_ids(event.destinations, exclude=event.actor)
    measure.state = GeneralLicence(
        exporter,
        frozenset(importers),
        frozenset(P[p] for p in event.products),
        month + event.duration_months - 1,
        event.description or "general licence",
        measure.key,
    )
    for m in importers:
        model.relations.shift(exporter, m, 0.1, month, "granted general licences")
    return (
        f"general licences for civil end users in {places(event.destinations)} on "
        f"{', '.join(event.products)} for {event.duration_months} months",
        "general licence set by the scenario",
    )


register(MeasureRule("general_licence", "general_licence", _general_licence))
register(MeasureRule("agreement_licence", "general_licence", _carried))


# ---------------------------------------------------------------------------------------------- extraterritorial
@composer("extraterritorial")
def compose_extraterritorial(model, measures: list[ActiveMeasure]) -> None:
    """Each authority's latest rule in force (a lift is a rule of none)."""
    latest = latest_by(measures, lambda m: m.actor)
    rules = {COUNTRIES.index(actor): m.state for actor, m in latest.items() if m.state is not None}
    model.office.set_extraterritorial_rules(rules, model.month)


def _extraterritorial(model, measure: ActiveMeasure) -> tuple[str, str]:
    event = measure.event
    if event.lift:
        return f"extraterritorial rule on {', '.join(event.products)} lifted", "set by the scenario"
    terms = event.regime()
    review = terms.pop("review_months")
    regime = Regime.from_terms(0, **terms)
    normal = {
        name: getattr(regime, name) for name in ("approval_rate", "later_rate", "ramp_months", "deny_defense", "covers")
    }
    measure.state = ExtraterritorialRule(
        frozenset(P[p] for p in event.products), event.threshold, tuple(normal.items()), review
    )
    return (
        f"{', '.join(event.products)} made abroad with >= {event.threshold:.1%} {event.actor} content need "
        f"an {event.actor} licence to be exported",
        "extraterritorial rule set by the scenario",
    )


def _extraterritorial_ends(measure: ActiveMeasure):
    event = measure.event
    if event.lift:
        return None
    return (
        event.actor,
        "extraterritorial_ends",
        "*",
        f"rule on {', '.join(event.products)} lapsed",
        "the measure was announced for a fixed period",
    )


register(MeasureRule("extraterritorial", "extraterritorial", _extraterritorial, _extraterritorial_ends))
