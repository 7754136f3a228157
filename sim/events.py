"""The event log (`events.csv`) and the scenario's dated events, applied in phase 1 of a month."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

# the modules whose measure rules register on import (see `sim.measures`)
from . import demand, investment, prices, stockpiles, supply, trade_measures  # noqa: F401
from .constants import COUNTRIES, P
from .dates import format_month, parse_month
from .measures import CONTROL_KINDS, RULES, MeasureBook, describe


@dataclass
class EventLog:
    rows: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)

    def add(self, month: int, actor: str, kind: str, target: str, detail: str, rationale: str) -> None:
        self.rows.append((format_month(month), actor, kind, target, detail, rationale))


@lru_cache(maxsize=4096)
def _month_of(date: str) -> int:
    """An event's date as a month number, parsed once per date: every month scans all the events for its own."""
    return parse_month(date)


# measures that bind everyone outside the actor (its projects abroad, its exports, goods made abroad):
# the log names them as the affected party ("*"), not the actor
ABROAD_KINDS = {"technology_ban", "export_quota", "extraterritorial"}


def _in_order(events: list) -> list:
    """Suspensions, resumptions and cancellations first: a measure suspended in the month it was due
    never takes effect."""
    return sorted(events, key=lambda e: (parse_month(e.date), e.kind not in CONTROL_KINDS))


class ScheduledEvents:
    """Applies each scenario event in its month. A measure enters the model's `MeasureBook`, which composes
    the policy state from the measures in force; its term's end, a `suspend` or a `cancel` takes it out. Other
    events are one-off actions (a proposal, a stockpile release, a change of strategy)."""

    def __init__(self, model, events):
        self.model = model
        self.events = list(events)
        self.measures: MeasureBook = model.measures

    def add(self, event) -> None:
        """A lever change: scheduled like the scenario's own events."""
        self.events.append(event)
        self.measures.add_definition(event)

    def apply_before_start(self) -> None:
        """Events dated before the start are in force from the first month."""
        start = self.model.start_month
        for event in _in_order([e for e in self.events if parse_month(e.date) < start]):
            self._dispatch(event, start)

    def apply(self, month: int) -> None:
        for measure in self.measures.expire(self.model, month):
            ended = RULES[measure.kind].ended(measure)
            if ended is not None:
                self.model.log.add(month, *ended)
        for measure_id in self.measures.restorations_due(month):
            self._restore(measure_id, month, "its suspension ended")
        for event in _in_order([e for e in self.events if _month_of(e.date) == month]):
            self._dispatch(event, month)

    def _dispatch(self, event, month: int) -> None:
        why_not = self.measures.blocked(event) if event.id is not None else None
        if why_not is not None:
            self.model.log.add(
                month,
                event.actor,
                "measure_held",
                event.id,
                f"{describe(event)} does not take effect: {why_not}",
                event.description or "a suspension or cancellation named it",
            )
            return
        self._apply(event, month)

    def _apply(self, event, month: int) -> None:
        if event.kind in RULES:
            _, detail, rationale = self.measures.put(
                self.model,
                event.kind,
                event,
                month,
                event.actor,
                key=event.id,
                duration=getattr(event, "duration_months", None),
            )
        else:
            detail, rationale = getattr(self, f"_{event.kind}")(event, month)
        target = (
            getattr(event, "country", None)
            or getattr(event, "target", None)
            or getattr(event, "measure", None)
            or ",".join(getattr(event, "destinations", []) or [])
        )
        if event.kind in ABROAD_KINDS:
            target = "*"
        self.model.log.add(
            month, event.actor, event.kind, target or event.actor, detail, event.description or rationale
        )

    # ------------------------------------------------------------------------------ suspend, resume, cancel
    def _take_out(self, measure_id: str) -> bool:
        """Take a measure in force out of the set; False if it was not in force."""
        return self.measures.take_out(self.model, measure_id) is not None

    def _restore(self, measure_id: str, month: int, why: str) -> None:
        book = self.measures
        book.suspended.pop(measure_id, None)
        event = book.defined[measure_id]
        if parse_month(event.date) > month:
            return  # still pending: it takes effect on its own date
        left = book.remaining(event, month)
        if left is not None and left <= 0:
            self.model.log.add(
                month,
                event.actor,
                "measure_expired",
                measure_id,
                f"{describe(event)} is not restored: its own term ended while it was suspended",
                why,
            )
            return
        self.model.log.add(
            month,
            event.actor,
            "measure_restored",
            measure_id,
            f"{describe(event)} back in force" + ("" if left is None else f" for {left} months"),
            why,
        )
        self._apply(event if left is None else event.model_copy(update={"duration_months": left}), month)

    def _suspend(self, event, month: int):
        book = self.measures
        measure = book.defined[event.measure]
        until = None if event.duration_months is None else month + event.duration_months
        if event.measure in book.cancelled:
            return f"{describe(measure)} was cancelled already", "nothing to suspend"
        was_in_force = self._take_out(event.measure)
        pending = parse_month(measure.date) >= month and not was_in_force
        book.suspended[event.measure] = until
        span = "until resumed" if until is None else f"for {event.duration_months} months, until {format_month(until)}"
        if was_in_force:
            return f"{describe(measure)} suspended {span}", "suspension set by the scenario"
        if pending:
            return (f"{describe(measure)} suspended before it takes effect, {span}", "suspension of a pending measure")
        return f"{describe(measure)} is not in force; suspended {span} all the same", "nothing in force to suspend"

    def _resume(self, event, month: int):
        book = self.measures
        if event.measure not in book.suspended:
            return f"{event.measure} is not suspended", "nothing to resume"
        self._restore(event.measure, month, event.description or "resumed by the scenario")
        return f"suspension of {event.measure} ended", "resumption set by the scenario"

    def _cancel(self, event, month: int):
        book = self.measures
        measure = book.defined[event.measure]
        was_in_force = self._take_out(event.measure)
        book.suspended.pop(event.measure, None)
        book.cancelled.add(event.measure)
        state = "undone" if was_in_force else "will never take effect"
        return f"{describe(measure)} cancelled: {state}", "cancellation set by the scenario"

    # ------------------------------------------------------------------------------ one-off actions
    def _proposal(self, event, month: int):
        from .agreements import Terms, negotiate, sign

        terms = Terms(
            event.cofinance_usd_per_year,
            event.cofinance_share,
            event.stockpile_days,
            event.tariff_points,
            event.suspend_controls,
            event.suspend_to_rate,
            event.general_licence,
            event.preferential_supply,
            event.rapid_response,
            event.purchase_usd,
        )
        proposer, partner = COUNTRIES.index(event.actor), COUNTRIES.index(event.target)
        if event.agreed:
            sign(self.model, proposer, partner, terms, event.duration_months, event.name, event.id)
            return f"{event.name} with {event.target}: {terms.describe()} (signed)", "both sides agreed"
        agreement = negotiate(self.model, proposer, partner, terms, event.duration_months, event.name, event.id)
        outcome = "signed" if agreement else "not agreed"
        return (
            f"{event.name} proposed to {event.target}: {terms.describe()} ({outcome})",
            "proposal set by the scenario",
        )

    def _relations(self, event, month: int):
        actor, target = COUNTRIES.index(event.actor), COUNTRIES.index(event.target)
        self.model.relations.shift(actor, target, event.change, month, event.description or "a diplomatic incident")
        score = self.model.relations.score[target, actor]
        return f"{event.target}'s view of {event.actor} moves {event.change:+.2f} to {score:+.2f}", "diplomatic event"

    def _tariff(self, event, month: int):
        actor, target = COUNTRIES.index(event.actor), COUNTRIES.index(event.target)
        change = -0.005 * event.change_points  # +10 points sours relations by 0.05
        self.model.relations.shift(
            actor, target, change, month, f"{'raised' if event.change_points > 0 else 'cut'} tariffs"
        )
        return (
            f"tariffs on {event.target}'s goods {event.change_points:+.0f} points",
            "trade measure set by the scenario",
        )

    def _stockpile_release(self, event, month: int):
        model = self.model
        state = model.states[event.actor]
        row = state.stockpile_row
        p = P[event.product]
        if row is None:
            return f"no stockpile to release {event.product} from", "the state holds no strategic stock"
        given = stockpiles.release_to_domestic(model, state, p, event.tonnes)
        if given is None:
            return f"no domestic users of {event.product}", "nothing released"
        return f"{given:,.0f} t of {event.product} released to domestic firms", "stockpile release set by the scenario"

    def _strategy(self, event, month: int):
        from agents.state import STRATEGIES

        state = self.model.states[event.actor]
        old = state.config.strategy
        # A copy, not an edit: the scenario's own config stays as loaded, so the run still replays from it.
        state.config = state.config.model_copy(update={"strategy": event.strategy})
        state.strategy = STRATEGIES[event.strategy]()
        return f"strategy {old} -> {event.strategy}", "strategy set by the scenario"

    def _project_support(self, event, month: int):
        state = self.model.states[event.actor]
        update = {"project_support": event.share}
        if event.budget_usd_per_year is not None:
            update["support_budget_usd"] = event.budget_usd_per_year
            state.budget_left = min(state.budget_left, event.budget_usd_per_year)
        state.config = state.config.model_copy(update=update)
        budget = state.config.support_budget_usd
        return (
            f"{event.share:.0%} of domestic project capex supported, budget {budget / 1e6:,.0f} M USD/yr",
            "project support set by the scenario",
        )

    def _demand_growth(self, event, month: int):
        self.model.set_demand_growth(event.growth)
        return f"magnet demand growth {event.growth:+.1%} a year from now on", "demand growth set by the scenario"

    def _stockpile_target(self, event, month: int):
        state = self.model.states[event.actor]
        old = state.config.stockpile_target_days
        state.config = state.config.model_copy(update={"stockpile_target_days": event.days})
        if state.stockpile_row is None:
            return f"stockpile target {event.days:g} days (no strategic stockpile to fill)", "nothing held"
        return (
            f"stockpile target {old:g} -> {event.days:g} days of domestic use",
            "stockpile target set by the scenario",
        )

    def _note(self, event, month: int):
        return event.description, "scenario note"
