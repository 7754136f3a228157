"""The event log (`events.csv`) and the scenario's dated events, applied in phase 1 of a month."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import stockpiles
from .constants import COUNTRIES, STAGE_KIND, P, S
from .dates import format_month, parse_month
from .licensing import LEVELS


@dataclass
class EventLog:
    rows: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)

    def add(self, month: int, actor: str, kind: str, target: str, detail: str, rationale: str) -> None:
        self.rows.append((format_month(month), actor, kind, target, detail, rationale))


def _countries(names: list[str], exclude: str | None = None) -> list[int]:
    chosen = COUNTRIES if "*" in names else names
    return [COUNTRIES.index(c) for c in chosen if c != exclude]


class ScheduledEvents:
    """Applies each scenario event in its month; events with a duration undo themselves when it ends."""

    def __init__(self, model, events):
        self.model = model
        self.events = list(events)
        self._undo: list[tuple[int, object, str]] = []  # (month, callable, description)

    def apply_before_start(self) -> None:
        """Events dated before the start are in force from the first month."""
        start = self.model.start_month
        for event in self.events:
            if parse_month(event.date) < start:
                self._apply(event, start)

    def apply(self, month: int) -> None:
        due_undo = [u for u in self._undo if u[0] == month]
        self._undo = [u for u in self._undo if u[0] != month]
        for _, undo, _ in due_undo:
            undo()
        for event in self.events:
            if parse_month(event.date) == month:
                self._apply(event, month)

    def _apply(self, event, month: int) -> None:
        handler = getattr(self, f"_{event.kind}")
        detail, rationale = handler(event, month)
        target = (getattr(event, "country", None) or getattr(event, "target", None)
                  or ",".join(getattr(event, "destinations", []) or []))
        self.model.log.add(month, event.actor, event.kind, target or event.actor, detail,
                           event.description or rationale)

    def _later(self, month: int, duration: int | None, undo, what: str) -> None:
        if duration:
            self._undo.append((month + duration, undo, what))

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
                office.set_control(exporter, [p], [m], level, model.month, review_months=review,
                                   **({} if regime is None else {
                                       "approval_rate": regime.approval_rate, "later_rate": regime.later_rate,
                                       "ramp_months": regime.ramp_months, "deny_defense": regime.deny_defense}))
            model.log.add(model.month, event.actor, "export_control_ends", ",".join(event.destinations),
                          f"{event.level} on {', '.join(event.products)} lifted after {event.duration_months} months",
                          "the measure was announced for a fixed period")

        self._later(month, event.duration_months, undo, "export control")
        terms = "" if event.level != "licence" else (
            f" (approval rate {event.approval_rate:.0%}"
            + (f" rising to {event.later_rate:.0%} over {event.ramp_months} months" if event.later_rate is not None else "")
            + f", review {event.review_months} months)")
        return (f"{event.level} on {', '.join(event.products)} to {', '.join(event.destinations)}{terms}",
                "export control set by the scenario")

    def _export_quota(self, event, month: int):
        exporter = COUNTRIES.index(event.actor)
        self.model.office.set_export_quota(exporter, [P[p] for p in event.products], event.tonnes_per_year, month)
        if event.tonnes_per_year is None:
            return f"export quota on {', '.join(event.products)} lifted", "export quota set by the scenario"
        return (f"export quota of {event.tonnes_per_year:,.0f} t/yr on {', '.join(event.products)}",
                "export quota set by the scenario")

    def _general_licence(self, event, month: int):
        exporter = COUNTRIES.index(event.actor)
        importers = _countries(event.destinations, exclude=event.actor)
        self.model.office.add_general_licence(exporter, importers, [P[p] for p in event.products],
                                              month + event.duration_months - 1, event.description or "general licence")
        for m in importers:
            self.model.relations.shift(exporter, m, 0.1, month, "granted general licences")
        return (f"general licences for civil end users in {', '.join(event.destinations)} on "
                f"{', '.join(event.products)} for {event.duration_months} months", "general licence set by the scenario")

    def _extraterritorial(self, event, month: int):
        model = self.model
        authority = COUNTRIES.index(event.actor)
        products = [P[p] for p in event.products]
        model.office.set_extraterritorial(authority, products, None if event.lift else event.threshold, month,
                                          **event.regime())
        if event.lift:
            return f"extraterritorial rule on {', '.join(event.products)} lifted", "set by the scenario"

        def undo():
            model.office.set_extraterritorial(authority, products, None, model.month)
            model.log.add(model.month, event.actor, "extraterritorial_ends", "*",
                          f"rule on {', '.join(event.products)} lapsed", "the measure was announced for a fixed period")

        self._later(month, event.duration_months, undo, "extraterritorial rule")
        return (f"{', '.join(event.products)} made abroad with >= {event.threshold:.1%} {event.actor} content need "
                f"an {event.actor} licence to be exported", "extraterritorial rule set by the scenario")

    def _technology_ban(self, event, month: int):
        actor = COUNTRIES.index(event.actor)
        for stage in event.stages:
            self.model.investments.set_penalty(actor, stage, 1.0 if event.lift else event.lead_factor,
                                               1.0 if event.lift else event.cost_factor)
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
        model.floors[c, p] = event.usd_per_kg

        def undo():
            model.floors[c, p] = 0.0
        self._later(month, event.duration_months, undo, "price floor")
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
            self.model.log.add(self.model.month, event.actor, "capacity_shock_ends", event.country,
                               f"{event.stage} capacity restored", "the disruption was temporary")

        self._later(month, event.duration_months, undo, "capacity shock")
        return f"{event.stage} capacity in {event.country} x{event.factor:g}", "capacity shock set by the scenario"

    def _demand_shock(self, event, month: int):
        shock = self.model.demand_shock
        cs = slice(None) if event.country == "*" else COUNTRIES.index(event.country)
        ss = slice(None) if event.sector == "*" else S[event.sector]
        before = shock.copy()
        shock[cs, ss] *= event.factor

        def undo():
            shock[:] = before

        self._later(month, event.duration_months, undo, "demand shock")
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

    def _stockpile_target(self, event, month: int):
        state = self.model.states[event.actor]
        old = state.config.stockpile_target_days
        state.config = state.config.model_copy(update={"stockpile_target_days": event.days})
        if state.stockpile_row is None:
            return f"stockpile target {event.days:g} days (no strategic stockpile to fill)", "nothing held"
        return f"stockpile target {old:g} -> {event.days:g} days of domestic use", "stockpile target set by the scenario"

    def _project_support(self, event, month: int):
        state = self.model.states[event.actor]
        state.config = state.config.model_copy(update={"project_support": event.share,
                                                       "support_budget_usd": event.budget_usd})
        state.budget_year = -1  # this year's budget is the new one
        return (f"grants or loans for {event.share:.0%} of domestic project capex, up to "
                f"${event.budget_usd / 1e9:,.2f}B a year", "project support set by the scenario")

    def _note(self, event, month: int):
        return event.description, "scenario note"

