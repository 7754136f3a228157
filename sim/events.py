"""The event log (`events.csv`) and the scenario's dated events, applied in phase 1 of a month."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import stockpiles
from .constants import COUNTRIES, MARKETS, STAGE_KIND, P, S
from .dates import format_month, parse_month
from .licensing import LEVELS
from .measures import CONTROL_KINDS, Measure, MeasureBook, describe


@dataclass
class EventLog:
    rows: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)

    def add(self, month: int, actor: str, kind: str, target: str, detail: str, rationale: str) -> None:
        self.rows.append((format_month(month), actor, kind, target, detail, rationale))


# measures that bind everyone outside the actor (its projects abroad, its exports, goods made abroad):
# the log names them as the affected party ("*"), not the actor
ABROAD_KINDS = {"technology_ban", "export_quota", "extraterritorial"}


def _places(names: list[str]) -> str:
    """Destinations as a reader says them: "*" is every destination."""
    return "every destination" if "*" in names else ", ".join(names)


def _countries(names: list[str], exclude: str | None = None) -> list[int]:
    chosen = COUNTRIES if "*" in names else names
    return [COUNTRIES.index(c) for c in chosen if c != exclude]


def _in_order(events: list) -> list:
    """Suspensions, resumptions and cancellations first: a measure suspended in the month it was due
    never takes effect."""
    return sorted(events, key=lambda e: (parse_month(e.date), e.kind not in CONTROL_KINDS))


class ScheduledEvents:
    """Applies each scenario event in its month. A measure's handler hands over how to undo it: that undo
    runs when its duration ends, or when a `suspend` or `cancel` names the measure (`sim.measures`)."""

    def __init__(self, model, events):
        self.model = model
        self.events = list(events)
        self.measures = MeasureBook(self.events)
        self._undo: list[tuple[int, str | None, object, tuple | None]] = []  # (month, id, undo, end log row)

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
        due_undo = [u for u in self._undo if u[0] == month]
        self._undo = [u for u in self._undo if u[0] != month]
        for _, measure_id, undo, ended in due_undo:
            undo()
            self.measures.in_force.pop(measure_id, None)
            if ended is not None:
                self.model.log.add(month, *ended)
        for measure_id in self.measures.restorations_due(month):
            self._restore(measure_id, month, "its suspension ended")
        for event in _in_order([e for e in self.events if parse_month(e.date) == month]):
            self._dispatch(event, month)

    def _dispatch(self, event, month: int) -> None:
        why_not = self.measures.blocked(event) if event.id is not None else None
        if why_not is not None:
            self.model.log.add(month, event.actor, "measure_held", event.id,
                               f"{describe(event)} does not take effect: {why_not}",
                               event.description or "a suspension or cancellation named it")
            return
        self._apply(event, month)

    def _apply(self, event, month: int) -> None:
        handler = getattr(self, f"_{event.kind}")
        detail, rationale = handler(event, month)
        target = (getattr(event, "country", None) or getattr(event, "target", None)
                  or getattr(event, "measure", None) or ",".join(getattr(event, "destinations", []) or []))
        if event.kind in ABROAD_KINDS:
            target = "*"
        self.model.log.add(month, event.actor, event.kind, target or event.actor, detail,
                           event.description or rationale)

    def _later(self, event, month: int, undo, ended: tuple | None = None) -> None:
        """Register how to undo a measure: when its duration ends (logging `ended`, a row without the
        date) and for any suspension or cancellation that names it."""
        if event.id is not None:
            self.measures.in_force[event.id] = Measure(event, undo)
        if getattr(event, "duration_months", None):
            self._undo.append((month + event.duration_months, event.id, undo, ended))

    # ------------------------------------------------------------------------------ suspend, resume, cancel
    def _take_out(self, measure_id: str) -> bool:
        """Undo a measure in force now and drop its scheduled end; False if it was not in force."""
        measure = self.measures.in_force.pop(measure_id, None)
        if measure is None:
            return False
        self._undo = [u for u in self._undo if u[1] != measure_id]
        measure.undo()
        return True

    def _restore(self, measure_id: str, month: int, why: str) -> None:
        book = self.measures
        book.suspended.pop(measure_id, None)
        event = book.defined[measure_id]
        if parse_month(event.date) > month:
            return  # still pending: it takes effect on its own date
        left = book.remaining(event, month)
        if left is not None and left <= 0:
            self.model.log.add(month, event.actor, "measure_expired", measure_id,
                               f"{describe(event)} is not restored: its own term ended while it was suspended", why)
            return
        self.model.log.add(month, event.actor, "measure_restored", measure_id,
                           f"{describe(event)} back in force" + ("" if left is None else f" for {left} months"), why)
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
            return (f"{describe(measure)} suspended before it takes effect, {span}",
                    "suspension of a pending measure")
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

    # ------------------------------------------------------------------------------ measures and shocks
    def _export_control(self, event, month: int):
        model = self.model
        exporter = COUNTRIES.index(event.actor)
        products = [P[p] for p in event.products]
        importers = _countries(event.destinations, exclude=event.actor)
        office = model.office
        before = [(p, m, int(office.level[exporter, p, m]), office.regime(exporter, p, m),
                   int(office.review_months[exporter, p, m])) for p in products for m in importers]
        office.set_control(exporter, products, importers, LEVELS[event.level], month, **event.regime())
        severity = {"none": 0.0, "licence": 1.0 - event.approval_rate, "ban": 1.0}[event.level]
        for m in importers:
            was = max((1.0 if level == 2 else (1.0 - regime.approval_rate if regime else 0.0)) if level else 0.0
                      for p, mm, level, regime, _ in before if mm == m)
            if severity < was:
                model.relations.shift(exporter, m, 0.1, month, "eased its export controls")
            elif event.level == "none":
                continue
            else:
                model.relations.shift(exporter, m, -0.3 if event.level == "ban" else -0.15, month,
                                      f"put rare earths under {event.level}")

        def undo():
            for p, m, level, regime, review in before:
                office.set_control(exporter, [p], [m], level, model.month, review_months=review)
                if regime is not None:  # the regime it replaced, with its own start (a ramp goes on)
                    office.regimes[(exporter, p, m)] = regime
            office.refresh_rates(model.month)

        self._later(event, month, undo, (event.actor, "export_control_ends", ",".join(event.destinations),
                                         f"{event.level} on {', '.join(event.products)} lifted after "
                                         f"{event.duration_months} months", "the measure was announced for a fixed period"))
        terms = "" if event.level != "licence" else (
            f" (approval rate {event.approval_rate:.0%}"
            + (f" rising to {event.later_rate:.0%} over {event.ramp_months} months" if event.later_rate is not None else "")
            + f", review {event.review_months} months)")
        return (f"{event.level} on {', '.join(event.products)} to {_places(event.destinations)}{terms}",
                "export control set by the scenario")

    def _export_quota(self, event, month: int):
        office = self.model.office
        exporter = COUNTRIES.index(event.actor)
        before = office.export_quotas.get(exporter)
        office.set_export_quota(exporter, [P[p] for p in event.products], event.tonnes_per_year, month)
        if event.tonnes_per_year is None:
            return f"export quota on {', '.join(event.products)} lifted", "export quota set by the scenario"

        def undo():
            if before is None:
                office.export_quotas.pop(exporter, None)
            else:
                office.export_quotas[exporter] = before
        self._later(event, month, undo)
        return (f"export quota of {event.tonnes_per_year:,.0f} t/yr on {', '.join(event.products)}",
                "export quota set by the scenario")

    def _general_licence(self, event, month: int):
        exporter = COUNTRIES.index(event.actor)
        importers = _countries(event.destinations, exclude=event.actor)
        office = self.model.office
        office.add_general_licence(exporter, importers, [P[p] for p in event.products],
                                   month + event.duration_months - 1, event.description or "general licence")
        licence = office.general[-1]

        def undo():
            licence.until = min(licence.until, self.model.month - 1)
        self._later(event, month, undo)
        for m in importers:
            self.model.relations.shift(exporter, m, 0.1, month, "granted general licences")
        return (f"general licences for civil end users in {_places(event.destinations)} on "
                f"{', '.join(event.products)} for {event.duration_months} months", "general licence set by the scenario")

    def _extraterritorial(self, event, month: int):
        model = self.model
        authority = COUNTRIES.index(event.actor)
        products = [P[p] for p in event.products]
        before = model.office.extraterritorial.get(authority)
        model.office.set_extraterritorial(authority, products, None if event.lift else event.threshold, month,
                                          **event.regime())
        if event.lift:
            return f"extraterritorial rule on {', '.join(event.products)} lifted", "set by the scenario"

        def undo():
            if before is None:
                model.office.set_extraterritorial(authority, products, None, model.month)
            else:
                model.office.set_extraterritorial(authority, list(before[0]), before[1], model.month, **before[2])

        self._later(event, month, undo, (event.actor, "extraterritorial_ends", "*",
                                         f"rule on {', '.join(event.products)} lapsed",
                                         "the measure was announced for a fixed period"))
        return (f"{', '.join(event.products)} made abroad with >= {event.threshold:.1%} {event.actor} content need "
                f"an {event.actor} licence to be exported", "extraterritorial rule set by the scenario")

    def _technology_ban(self, event, month: int):
        actor = COUNTRIES.index(event.actor)
        investments = self.model.investments
        before = investments.lead_factor.copy(), investments.cost_factor.copy()
        for stage in event.stages:
            investments.set_penalty(actor, stage, 1.0 if event.lift else event.lead_factor,
                                    1.0 if event.lift else event.cost_factor)

        def undo():
            investments.lead_factor[:], investments.cost_factor[:] = before
        if not event.lift:
            self._later(event, month, undo)
        if event.lift:
            return f"technology and equipment ban on {', '.join(event.stages)} lifted", "set by the scenario"
        return (f"no {event.actor} technology or equipment for {', '.join(event.stages)} projects elsewhere: lead "
                f"times x{event.lead_factor:g}, costs x{event.cost_factor:g}", "technology ban set by the scenario")

    def _proposal(self, event, month: int):
        from .agreements import Terms, negotiate, sign
        terms = Terms(event.cofinance_usd_per_year, event.cofinance_share, event.stockpile_days, event.tariff_points,
                      event.suspend_controls, event.suspend_to_rate, event.general_licence,
                      event.preferential_supply, event.rapid_response, event.purchase_usd)
        proposer, partner = COUNTRIES.index(event.actor), COUNTRIES.index(event.target)
        if event.agreed:
            sign(self.model, proposer, partner, terms, event.duration_months, event.name)
            return f"{event.name} with {event.target}: {terms.describe()} (signed)", "both sides agreed"
        agreement = negotiate(self.model, proposer, partner, terms, event.duration_months, event.name)
        outcome = "signed" if agreement else "not agreed"
        return f"{event.name} proposed to {event.target}: {terms.describe()} ({outcome})", "proposal set by the scenario"

    def _price_floor(self, event, month: int):
        model = self.model
        c, p = COUNTRIES.index(event.actor), P[event.product]
        before = float(model.floors[c, p])
        model.floors[c, p] = event.usd_per_kg

        def undo():
            model.floors[c, p] = before
        self._later(event, month, undo)
        return (f"{event.actor} guarantees {event.usd_per_kg:g} USD/kg for domestic {event.product}",
                "price floor set by the scenario")

    def _relations(self, event, month: int):
        actor, target = COUNTRIES.index(event.actor), COUNTRIES.index(event.target)
        self.model.relations.shift(actor, target, event.change, month, event.description or "a diplomatic incident")
        score = self.model.relations.score[target, actor]
        return f"{event.target}'s view of {event.actor} moves {event.change:+.2f} to {score:+.2f}", "diplomatic event"

    def _tariff(self, event, month: int):
        actor, target = COUNTRIES.index(event.actor), COUNTRIES.index(event.target)
        change = -0.005 * event.change_points  # +10 points sours relations by 0.05
        self.model.relations.shift(actor, target, change, month,
                                   f"{'raised' if event.change_points > 0 else 'cut'} tariffs")
        return f"tariffs on {event.target}'s goods {event.change_points:+.0f} points", "trade measure set by the scenario"

    def _mining_quota(self, event, month: int):
        state = self.model.states[event.actor]
        old = state.quota_t
        state.quota_t = event.tonnes_per_year

        def undo():
            state.quota_t = old
        self._later(event, month, undo)
        old_text = "none" if old is None else f"{old:,.0f}"
        return f"{old_text} -> {event.tonnes_per_year:,.0f} t/yr", "mining quota set by the scenario"

    def _capacity_shock(self, event, month: int):
        book = self.model.book
        rows = self.model.rows[STAGE_KIND[event.stage]]
        rows = rows[book.country[rows] == COUNTRIES.index(event.country)]
        before = book.capacity_factor[rows].copy()
        book.capacity_factor[rows] *= event.factor

        def undo():
            book.capacity_factor[rows] = before

        self._later(event, month, undo, (event.actor, "capacity_shock_ends", event.country,
                                         f"{event.stage} capacity restored", "the disruption was temporary"))
        return f"{event.stage} capacity in {event.country} x{event.factor:g}", "capacity shock set by the scenario"

    def _ore_grade(self, event, month: int):
        grade = self.model.ore_grade
        c = COUNTRIES.index(event.country)
        before = grade[c].copy()
        changed = before * (event.light_factor, event.heavy_factor)
        if changed.sum() > 1.0:  # the rare-earth shares of a tonne of ore cannot pass the whole tonne
            changed /= changed.sum()
        grade[c] = changed

        def undo():
            grade[c] = before

        self._later(event, month, undo, (event.actor, "ore_grade_ends", event.country,
                                         "ore grade back to what it was", "the change was temporary"))
        return (f"ore mined in {event.country}: NdPr {before[0]:.3f} -> {changed[0]:.3f}, "
                f"Dy/Tb {before[1]:.4f} -> {changed[1]:.4f} of a tonne"), "ore grade set by the scenario"

    def _hoarding(self, event, month: int):
        hoard = self.model.hoarding
        market = MARKETS.index(event.market)
        products = [P[name] for name in event.products]
        hoard[products, market] += event.extra_cover

        def undo():
            hoard[products, market] -= event.extra_cover

        names = ", ".join(event.products)
        self._later(event, month, undo, (event.actor, "hoarding_ends", event.market,
                                         f"buyers in the {event.market} market sell back their extra {names}",
                                         "the hoarding was temporary"))
        return (f"buyers in the {event.market} market want {event.extra_cover:g}x their normal cover more "
                f"of {names}"), "hoarding set by the scenario"

    def _demand_shock(self, event, month: int):
        shock = self.model.demand_shock
        cs = slice(None) if event.country == "*" else COUNTRIES.index(event.country)
        ss = slice(None) if event.sector == "*" else S[event.sector]
        before = shock.copy()
        shock[cs, ss] *= event.factor

        def undo():
            shock[:] = before

        self._later(event, month, undo)
        return f"demand of {event.country}/{event.sector} x{event.factor:g}", "demand shock set by the scenario"

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
        return (f"{event.share:.0%} of domestic project capex supported, budget {budget / 1e6:,.0f} M USD/yr",
                "project support set by the scenario")

    def _demand_growth(self, event, month: int):
        self.model.set_demand_growth(event.growth)
        return f"magnet demand growth {event.growth:+.1%} a year from now on", "demand growth set by the scenario"

    def _stockpile_target(self, event, month: int):
        state = self.model.states[event.actor]
        old = state.config.stockpile_target_days
        state.config = state.config.model_copy(update={"stockpile_target_days": event.days})
        if state.stockpile_row is None:
            return f"stockpile target {event.days:g} days (no strategic stockpile to fill)", "nothing held"
        return f"stockpile target {old:g} -> {event.days:g} days of domestic use", "stockpile target set by the scenario"

    def _note(self, event, month: int):
        return event.description, "scenario note"

