"""Capacity projects: the scenario's known projects, expansions firms start when plants run full and margins
are good, and technology bans that make projects outside the banning country slower and dearer."""

from __future__ import annotations

import numpy as np

from . import market, supply
from .constants import CN, COUNTRIES, LIGHT, MAGNET_MAKER, MINER, ORE, STAGE_OF_KIND, STAGES
from .measures import ActiveMeasure, MeasureRule, composer, latest_by, register

QUOTA_HEADROOM = 0.95
RELOCATION_GAP = 1.5  # world/China oxide price ratio, relative to normal, that makes moving worthwhile
RELOCATION_MARGIN = 0.75  # 0.7 until offtakes were bounded by what sellers make (milder 2011 squeeze)
RELOCATION_SHARE = 0.1  # of a squeezed plant's capacity, per quarter
STAGE_NAME = {kind: STAGES[stage] for kind, stage in STAGE_OF_KIND.items()}


class Investments:
    def __init__(self, model):
        self.model = model
        self.scheduled = sorted(model.scheduled_projects)
        # technology and equipment bans: lead-time and cost factors for projects outside the banning country
        self.lead_factor = np.ones((len(COUNTRIES), len(STAGES)))
        self.cost_factor = np.ones((len(COUNTRIES), len(STAGES)))
        book = model.book
        self._producer, self._mining = book.kind <= MAGNET_MAKER, book.kind == MINER
        self._stages = np.array([STAGE_OF_KIND.get(int(k), 0) for k in book.kind])
        self._country_stage = book.country * len(STAGES) + self._stages  # each row's cell of the factors
        # the firm each row belongs to, as the log names it ("Lynas" for "Lynas #2")
        self._firm_of_row = [name.split(" #")[0] for name in model.firm_names]

    def step(self, month: int) -> None:
        self._known_projects(month)
        self._complete(month)
        self._start_expansions(month)
        self._relocate(month)

    def _relocate(self, month: int) -> None:
        """Magnet makers abroad squeezed for months by dear oxide while China's stays cheap move part of
        their production into China (as Japanese makers did after 2010), if China does not bar it."""
        if month % 3 != 0:
            return
        model, book = self.model, self.model.book
        makers = self.model.rows[MAGNET_MAKER]
        abroad = makers[(book.country[makers] != CN) & (book.capacity[makers] > 0)]
        if len(abroad) == 0:
            return
        gap = (
            model.prices[LIGHT, market.WORLD]
            / model.prices[LIGHT, market.CHINA]
            / (model.start_prices[LIGHT, market.WORLD] / model.start_prices[LIGHT, market.CHINA])
        )
        if gap < RELOCATION_GAP:
            return
        squeezed = abroad[model.margin_index(abroad, contracts=False) < RELOCATION_MARGIN]
        if len(squeezed) == 0:
            return
        # plants built during the run stay where they were built (sim/projects.py, `built_in_run`)
        moved = np.maximum(book.capacity[squeezed] - model.projects.built_in_run[squeezed], 0.0) * RELOCATION_SHARE
        if moved.sum() <= 0:
            return
        book.capacity[squeezed] -= moved
        chinese = makers[book.country[makers] == CN]
        host = chinese[np.argmax(book.capacity[chinese])]
        book.capacity[host] += moved.sum()
        for country in sorted(set(book.country[squeezed].tolist())):
            sel = book.country[squeezed] == country
            model.log.add(
                month,
                f"{int(sel.sum())} magnet maker{'s' if sel.sum() > 1 else ''}",
                "relocation",
                COUNTRIES[country],
                f"{moved[sel].sum():,.0f} t/yr of magnet making moved into China",
                f"oxide costs {gap:.1f}x more outside China than inside, relative to normal, and margins "
                f"at home have collapsed",
            )

    def _add(self, rows: np.ndarray, tonnes: np.ndarray) -> None:
        self.model.book.capacity[rows] += tonnes

    def _known_projects(self, month: int) -> None:
        model = self.model
        while self.scheduled and self.scheduled[0][0] <= month:
            _, firm, tonnes, name = self.scheduled.pop(0)
            rows = np.asarray(model.firm_name_index[firm])
            self._add(rows, np.full(len(rows), tonnes / len(rows)))
            model.projects.built_in_run[rows] += tonnes / len(rows)
            country = COUNTRIES[model.book.country[rows[0]]]
            stage = STAGE_NAME[int(model.book.kind[rows[0]])]
            model.log.add(
                month,
                firm,
                "capacity_online",
                country,
                f"{name}: +{tonnes:,.0f} t/yr of {stage}",
                "a project announced before the start of the run comes online",
            )

    def _complete(self, month: int) -> None:
        book = self.model.book
        done = np.flatnonzero(book.project_due == month)
        if len(done) == 0:
            return
        added = book.project_add[done]
        self._add(done, added)
        self._log(month, done, added, "capacity_online", "expansion finished after its construction lead time")
        book.project_due[done] = -1
        book.project_add[done] = 0.0

    def _margins(self) -> np.ndarray:
        """Every row's price of output over unit cost plus inputs, in its own market (meaningful for producers):
        processors' as their margins were worked out this month, mines' what their ore fetches over its cost."""
        model = self.model
        ore = model.prices[ORE].take(model.layout.market)
        return np.where(self._mining, ore / model.book.unit_cost, supply.value_to_cost(model))

    def _start_expansions(self, month: int) -> None:
        model, book = self.model, self.model.book
        rules = model.scenario.investment
        # whole columns: a few numpy calls on every row cost less than gathering the handful that qualify
        ready = self._producer & (book.project_due < 0) & (book.capacity > 0)
        ready &= book.utilisation > rules.utilisation_trigger
        if not ready.any():
            return
        ready &= self._margins() > rules.margin_trigger * self.cost_factor.take(self._country_stage)
        # a mine held well below its capacity by a quota has no reason to grow
        mines = model.rows[MINER]
        ready[mines] &= model.mining_limit(mines) >= (
            QUOTA_HEADROOM * book.capacity[mines] * book.capacity_factor[mines] / 12.0
        )
        rows = np.flatnonzero(ready)
        if len(rows) == 0:
            return
        stages = self._stages[rows]
        lead = np.array([rules.lead_months[STAGES[s]] for s in stages.tolist()])
        lead = np.ceil(lead * self.lead_factor[book.country[rows], stages]).astype(int)
        book.project_due[rows] = month + lead
        book.project_add[rows] = book.capacity[rows] * rules.step
        self._log(
            month,
            rows,
            book.project_add[rows],
            "expansion_started",
            f"plants run above {rules.utilisation_trigger:.0%} of capacity and prices cover costs "
            f"by more than {rules.margin_trigger:.2f}x",
        )

    def _log(self, month: int, rows: np.ndarray, tonnes: np.ndarray, kind: str, rationale: str) -> None:
        """One line per country and stage, whatever the number of firm agents."""
        model = self.model
        stages = self._stages.take(rows).tolist()
        firms = [self._firm_of_row[row] for row in rows.tolist()]
        groups: dict[tuple[int, int], list[int]] = {}  # (country, stage) -> positions in `rows`
        for i, key in enumerate(zip(model.book.country.take(rows).tolist(), stages)):
            groups.setdefault(key, []).append(i)
        for (country, stage), members in sorted(groups.items()):
            names = sorted({firms[i] for i in members})
            who = names[0] if len(names) == 1 else f"{len(names)} firms"
            # a one-plant group's own number (what the sum of one is) skips numpy's costlier indexed sum
            added = tonnes[members[0]] if len(members) == 1 else tonnes[members].sum()
            model.log.add(month, who, kind, COUNTRIES[country], f"+{added:,.0f} t/yr of {STAGES[stage]}", rationale)


# ---------------------------------------------------------------------------------------------- measures
@composer("technology")
def compose_technology_bans(model, measures: list[ActiveMeasure]) -> None:
    """A ban is a catalogue: on each (banning country, stage) the latest in force sets the factors (a lift
    sets 1); bans of different countries multiply for projects outside both."""
    lead, cost = np.ones((len(COUNTRIES), len(STAGES))), np.ones((len(COUNTRIES), len(STAGES)))
    latest = latest_by(
        [(m, stage) for m in measures for stage in m.event.stages], lambda pair: (pair[0].actor, pair[1])
    )
    for (actor, stage), (measure, _) in latest.items():
        if measure.event.lift:
            continue
        others, s = np.arange(len(COUNTRIES)) != COUNTRIES.index(actor), STAGES.index(stage)
        lead[others, s] *= measure.event.lead_factor
        cost[others, s] *= measure.event.cost_factor
    model.investments.lead_factor[:], model.investments.cost_factor[:] = lead, cost


def _technology_ban(model, measure: ActiveMeasure) -> tuple[str, str]:
    event = measure.event
    if event.lift:
        return f"technology and equipment ban on {', '.join(event.stages)} lifted", "set by the scenario"
    return (
        f"no {event.actor} technology or equipment for {', '.join(event.stages)} projects elsewhere: lead "
        f"times x{event.lead_factor:g}, costs x{event.cost_factor:g}",
        "technology ban set by the scenario",
    )


register(MeasureRule("technology_ban", "technology", _technology_ban))
