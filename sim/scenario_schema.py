"""The scenario schema: every section and event of a scenario file as a pydantic model, each field with
its description (what `ree validate` checks and what the docs list). Loading and merging files is
`sim.scenario`'s job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .constants import COUNTRIES
from .dates import parse_month
from .scenario_market import Market
from .scenario_types import (
    Country,
    CountryOrAll,
    CountryOrWorld,
    Level,
    Month,
    Product,
    ReviewsPerMonth,
    SectorOrAll,
    Stage,
    Strategy,
    Tonnes,
    TonnesOrAll,
    Usd,
    UsdPerKg,
    _check_month,
    _Strict,
    field_error,
)


class World(_Strict):
    scale: int = Field(1, ge=1, le=1000, description="firm agents per calibrated firm")
    data: str = Field(
        "",
        description="calibration CSVs: empty = configs/data, a name = a folder shipped "
        "beside it (e.g. data_2009), else a path",
    )


class Demand(_Strict):
    growth: float | None = Field(None, ge=-0.5, le=1.0, description="per year; default from parameters.csv")
    substitution_speed: float | None = Field(None, ge=0, le=1, description="share of demand per year")
    substitution_elasticity: float = Field(0.35, ge=0, le=3)
    rebound_cap: float = Field(1.05, ge=1, le=2, description="how far cheap magnets can lift demand")
    heavy_thrift_floor: float = Field(
        0.4, gt=0, le=1, description="share of 2024's Dy/Tb per magnet that thrifting never goes below"
    )


class Investment(_Strict):
    greenfield_countries: list[Country] = Field(
        default_factory=lambda: ["CN", "US", "JP", "AU", "EU", "MY", "ROW"],
        description="where developers propose new plants (Myanmar's conflict zones are left out)",
    )
    utilisation_trigger: float = Field(0.88, ge=0, le=1.5)
    margin_trigger: float = Field(1.25, ge=0)
    step: float = Field(0.10, ge=0, le=2, description="capacity added by one project, share of current")
    pipeline_limit: float = Field(
        0.15,
        gt=0,
        le=5,
        description="merchant developers (no public money) hold back "
        "while greenfield plants under construction for a market add more than this "
        "share of its use",
    )
    engineering_scale: float = Field(
        1.0,
        ge=0,
        le=10,
        description="multiplies the plants of a stage each country "
        "can build at once (configs/data/engineering_capacity.csv)",
    )
    lead_months: dict[Stage, int] = Field(default_factory=lambda: {"mining": 12, "refining": 12, "magnets": 9})


class Licensing(_Strict):
    validity_months: int = Field(6, ge=1, le=36)
    application_months: float = Field(1.0, gt=0, le=12, description="months of needs one application covers")
    resubmit_share: float = Field(
        0.8,
        ge=0,
        le=1,
        description="share of refused civil lots filed again "
        "(returned for more documents) rather than refused for good",
    )


class RegimeTerms(_Strict):
    approval_rate: float = Field(0.5, ge=0, le=1, description="share of applications approved at first")
    later_rate: float | None = Field(None, ge=0, le=1, description="share approved once the office has ramped up")
    ramp_months: int = Field(0, ge=0, le=60, description="months from approval_rate to later_rate")
    review_months: int = Field(2, ge=0, le=24)
    deny_defense: bool = Field(True, description="deny military end users in principle")
    covers: Literal["all", "heavy_bearing"] = Field(
        "all", description="magnets: every magnet, or only grades containing the controlled heavy rare earths"
    )

    def regime(self) -> dict:
        """The licence terms alone, as keywords for the licence office: every field of `RegimeTerms`, read
        from the class so a new term reaches the office without another list."""
        return {name: getattr(self, name) for name in RegimeTerms.model_fields}


class _ControlTarget(_Strict):
    products: list[Product] = Field(min_length=1)
    destinations: list[CountryOrAll] = Field(["*"], min_length=1)
    level: Level


class ExportControl(RegimeTerms, _ControlTarget):
    """What is controlled, to whom, and on what licence terms (fields in that order)."""


class StateConfig(_Strict):
    strategy: Strategy = "default"
    review_capacity: ReviewsPerMonth | None = Field(
        None, description="licence applications reviewed a month (leave out: no limit)"
    )
    stockpile_end_use: Literal["civil", "defense"] = "civil"
    project_support: float = Field(0.0, ge=0, le=0.9, description="share of domestic project capex granted or lent")
    support_budget_usd: Usd = Field(0.0, description="project support available a year, USD")
    mining_quota_t: Tonnes | None = Field(None, description="ore a year, t REO (leave out: no quota)")
    quota_growth: float = Field(0.0, ge=-0.5, le=1.0)
    stockpile: dict[Product, Tonnes] = Field(default_factory=dict, description="t REO held at the start")
    stockpile_target_days: float = Field(0.0, ge=0, le=720)
    release_trigger: float = Field(0.03, ge=0, le=1, description="unmet share of orders that opens the stockpile")
    export_controls: list[ExportControl] = Field(default_factory=list)


class FirmSpec(_Strict):
    name: str = Field(min_length=1)
    kind: Literal["miner", "refiner", "magnet_maker"]
    country: Country
    capacity_t_per_year: Tonnes
    output_t: Tonnes | None = None
    unit_cost_usd_per_kg: UsdPerKg


class _Event(_Strict):
    date: Month
    actor: CountryOrWorld = "world"
    description: str = ""
    id: str | None = Field(
        None,
        pattern=r"^[A-Za-z][A-Za-z0-9_-]*$",
        max_length=40,
        description="a name other events, --set and sweeps use for this event "
        "(events.ID.field); a letter first, unique in the scenario",
    )

    @field_validator("date")
    @classmethod
    def _month(cls, value: str) -> str:
        return _check_month(value)


class _StateEvent(_Event):
    """An act of a state (a control, a quota, a proposal, ...): unlike a shock or a note, it needs the
    country that acts; without one the field's default, "world", would reach the state's handler."""

    actor: Country = Field(description="the state that acts")
    if TYPE_CHECKING:
        kind: str  # each event class declares its own (a Literal); not a field of this base

    @model_validator(mode="after")
    def _not_aimed_at_itself(self):
        # A state's proposal, tariff or relations to itself, or a control or licence on its exports to
        # itself, means nothing; "*" in destinations already means every country but the actor.
        target = getattr(self, "target", None)
        if target is not None and target == self.actor:
            raise field_error(
                ("target",), f"is {target}, the actor itself (a {self.kind} event aims at another country)", target
            )
        destinations = getattr(self, "destinations", None) or []
        if self.actor in destinations:
            raise field_error(
                ("destinations",),
                f"includes {self.actor}, the actor itself ('*' means every country but the actor)",
                destinations,
            )
        return self


class ExportControlEvent(_StateEvent, ExportControl):
    kind: Literal["export_control"]
    duration_months: int | None = Field(None, ge=1, le=600)
    customs_hold_months: float = Field(
        0.0,
        ge=0,
        le=12,
        description="months from the control's start during which customs hold every shipment "
        "of the products its heading covers (all magnets, whatever their grade), before the legal scope (`covers`) "
        "decides which need a licence; a fraction holds that share of the last month's shipments (licence "
        "controls only: customs check what the licence covers)",
    )

    @model_validator(mode="after")
    def _hold_needs_a_licence(self):
        if self.customs_hold_months > 0 and self.level != "licence":
            raise field_error(
                ("customs_hold_months",),
                f"is {self.customs_hold_months:g}, but a customs hold "
                f"checks shipments for a licence and this control's level is {self.level}",
                self.customs_hold_months,
            )
        return self


class QuotaEvent(_StateEvent):
    kind: Literal["mining_quota"]
    tonnes_per_year: Tonnes


class CapacityShockEvent(_Event):
    kind: Literal["capacity_shock"]
    country: Country
    stage: Stage
    factor: float = Field(ge=0, le=10)
    duration_months: int | None = Field(None, ge=1, le=600)


class OreGradeEvent(_Event):
    """The mix of what a country's mines bring up changes: a crackdown on heavy-rich (ionic-clay) mines,
    a lost or new feed. Applies to ore mined from then on; ore already mined keeps its content."""

    kind: Literal["ore_grade"]
    country: Country
    heavy_factor: float = Field(1.0, ge=0, le=3, description="multiplies the Dy/Tb share of the ore mined there")
    light_factor: float = Field(1.0, ge=0, le=3, description="multiplies the NdPr share of the ore mined there")
    duration_months: int | None = Field(None, ge=1, le=600)


class HoardingEvent(_Event):
    """Traders and users stock up beyond their needs in one market, and sell the stock back when it ends
    (speculative funds bought up China's rare earths in the first half of 2011)."""

    kind: Literal["hoarding"]
    market: Literal["china", "world"]
    products: list[Product] = Field(default_factory=lambda: ["light_oxide", "heavy_oxide"], min_length=1)
    extra_cover: float = Field(ge=0, le=5, description="extra stock wanted, as a multiple of the normal cover")
    duration_months: int | None = Field(None, ge=1, le=600)


class DemandShockEvent(_Event):
    kind: Literal["demand_shock"]
    country: CountryOrAll = "*"
    sector: SectorOrAll = "*"
    factor: float = Field(ge=0, le=10)
    duration_months: int | None = Field(None, ge=1, le=600)


class StockpileReleaseEvent(_StateEvent):
    kind: Literal["stockpile_release"]
    product: Product
    tonnes: TonnesOrAll = Field(description='t REO, or "all": everything the state holds of the product')


class NoteEvent(_Event):
    kind: Literal["note"]


class ExportQuotaEvent(_StateEvent):
    kind: Literal["export_quota"]
    products: list[Product] = Field(min_length=1)
    tonnes_per_year: Tonnes | None = Field(None, description="leave out to lift the quota")


class GeneralLicenceEvent(_StateEvent):
    kind: Literal["general_licence"]
    products: list[Product] = Field(min_length=1)
    destinations: list[CountryOrAll] = Field(min_length=1)
    duration_months: int = Field(12, ge=1, le=600)


class ExtraterritorialEvent(_StateEvent, RegimeTerms):
    kind: Literal["extraterritorial"]
    products: list[Product] = Field(["magnet"], min_length=1)
    threshold: float = Field(0.001, gt=0, le=1, description="share of the actor's material that triggers the rule")
    lift: bool = Field(False, description="true lifts the rule")
    duration_months: int | None = Field(None, ge=1, le=600)


class TechnologyBanEvent(_StateEvent):
    kind: Literal["technology_ban"]
    stages: list[Stage] = Field(["refining", "magnets"], min_length=1)
    lead_factor: float = Field(1.5, ge=1, le=5, description="lead times of projects elsewhere, times this")
    cost_factor: float = Field(1.3, ge=1, le=5, description="capex of projects elsewhere, times this")
    lift: bool = False


class ProposalEvent(_StateEvent):
    kind: Literal["proposal"]
    target: Country
    name: str = Field(min_length=1)
    duration_months: int = Field(12, ge=1, le=600)
    cofinance_usd_per_year: Usd = 0.0
    cofinance_share: float = Field(0.0, ge=0, le=0.9)
    stockpile_days: float = Field(0.0, ge=0, le=720)
    tariff_points: float = Field(0.0, ge=-200, le=200)
    suspend_controls: bool = False
    suspend_to_rate: float = Field(0.6, ge=0, le=1)
    general_licence: bool = False
    preferential_supply: bool = False
    rapid_response: bool = False
    purchase_usd: Usd = 0.0
    agreed: bool = Field(
        False,
        description="the partner has already said yes (a classroom seat answered): "
        "signed as proposed, without its strategy's talks",
    )


class StockpileTargetEvent(_StateEvent):
    kind: Literal["stockpile_target"]
    days: float = Field(ge=0, le=720, description="days of domestic use the strategic stockpile aims to hold")


class PriceFloorEvent(_StateEvent):
    kind: Literal["price_floor"]
    product: Product
    usd_per_kg: UsdPerKg
    duration_months: int | None = Field(None, ge=1, le=600)


class RelationsEvent(_StateEvent):
    kind: Literal["relations"]
    target: Country
    change: float = Field(ge=-2, le=2, description="how the target's view of the actor moves (-1 to 1 scale)")


class TariffEvent(_StateEvent):
    kind: Literal["tariff"]
    target: Country
    change_points: float = Field(ge=-200, le=200, description="tariff change on the target's goods, points")


EventId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=40)]
# Kinds whose effect lasts and can be taken back: these can be named by suspend, resume and cancel.
MEASURE_KINDS = (
    "export_control",
    "export_quota",
    "general_licence",
    "extraterritorial",
    "technology_ban",
    "price_floor",
    "mining_quota",
    "capacity_shock",
    "demand_shock",
    "ore_grade",
    "hoarding",
)


_DONE = {"suspend": "suspended", "resume": "resumed", "cancel": "cancelled"}


class SuspendEvent(_Event):
    """Takes a named measure out of force: at once if it is in force, else from the day it was due."""

    kind: Literal["suspend"]
    measure: EventId = Field(
        description="the id given to a control, quota, licence, rule, ban, floor, shock or hoarding event"
    )
    duration_months: int | None = Field(
        None, ge=1, le=600, description="months until the measure is restored; leave out to suspend until a resume"
    )


class ResumeEvent(_Event):
    """Ends a suspension: the measure is back in force from this month (if it was due by then)."""

    kind: Literal["resume"]
    measure: EventId


class CancelEvent(_Event):
    """Revokes a named measure for good: undone if in force, never applied if still pending."""

    kind: Literal["cancel"]
    measure: EventId


class StrategyEvent(_StateEvent):
    kind: Literal["strategy"]
    strategy: Strategy


class ProjectSupportEvent(_StateEvent):
    kind: Literal["project_support"]
    share: float = Field(ge=0, le=0.9, description="share of domestic project capex granted or lent")
    budget_usd_per_year: Usd | None = Field(None, description="leave out to keep the current budget")


class DemandGrowthEvent(_Event):
    kind: Literal["demand_growth"]
    growth: float = Field(ge=-0.5, le=1.0, description="magnet demand growth per year from this month on")


Event = Annotated[
    ExportControlEvent
    | QuotaEvent
    | CapacityShockEvent
    | OreGradeEvent
    | HoardingEvent
    | DemandShockEvent
    | StockpileReleaseEvent
    | NoteEvent
    | ExportQuotaEvent
    | GeneralLicenceEvent
    | RelationsEvent
    | TariffEvent
    | ExtraterritorialEvent
    | TechnologyBanEvent
    | ProposalEvent
    | PriceFloorEvent
    | SuspendEvent
    | ResumeEvent
    | CancelEvent
    | StrategyEvent
    | ProjectSupportEvent
    | DemandGrowthEvent
    | StockpileTargetEvent,
    Field(discriminator="kind"),
]


class Diplomacy(_Strict):
    relations: dict[str, float] = Field(default_factory=dict, description='"CN-JP" = -0.1: both views of a pair')

    @field_validator("relations")
    @classmethod
    def _pairs(cls, value: dict[str, float]) -> dict[str, float]:
        for key, score in value.items():
            parts = key.split("-")
            if len(parts) != 2 or any(p not in COUNTRIES for p in parts) or parts[0] == parts[1]:
                raise ValueError(f"'{key}' is not a pair of two country ids like 'CN-JP'")
            if not -1 <= score <= 1:
                raise ValueError(f"'{key}' = {score} is outside -1..1")
        return value


OBJECTIVE_METRICS = (
    "shortage_share",
    "magnet_price_ratio",
    "export_value_busd",
    "refining_share",
    "magnet_capacity_growth",
    "refining_capacity_growth",
    "relations",
    "stockpile_days",
)
if TYPE_CHECKING:
    Metric = str  # a Literal of OBJECTIVE_METRICS at run time: a plain str to a static checker
else:
    Metric = Literal[OBJECTIVE_METRICS]


class Objective(_Strict):
    """One aim of a classroom role, scored 0 (at `worst` or beyond) to 1 (at `best` or beyond)."""

    metric: Metric
    worst: float
    best: float
    weight: float = Field(1.0, gt=0)
    description: str = ""

    @model_validator(mode="after")
    def _distinct(self) -> Objective:
        if self.worst == self.best:
            raise ValueError("worst and best must differ")
        return self


Seat = Literal["CN", "US", "JP", "EU", "AU"]


def _default_seats() -> list[Seat]:
    return ["CN", "US", "JP"]


class Classroom(_Strict):
    """Classroom play (`ree classroom`): the seats students take and how each role is scored. The world
    ignores this section."""

    seats: list[Seat] = Field(default_factory=_default_seats)
    months_per_round: int = Field(3, ge=1, le=24)
    round_seconds: int = Field(300, ge=10, le=7200, description="time for a round before the AI moves for late seats")
    objectives: dict[Country, list[Objective]] = Field(default_factory=dict)
    briefings: dict[Country, str] = Field(default_factory=dict, description="role text shown to the seat")


class Scenario(_Strict):
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    start: Month
    months: int = Field(gt=0, le=1200)
    seed: int = Field(ge=0)
    world: World
    demand: Demand = Field(default_factory=Demand)
    market: Market = Field(default_factory=Market)
    investment: Investment = Field(default_factory=Investment)
    licensing: Licensing = Field(default_factory=Licensing)
    states: dict[Country, StateConfig] = Field(default_factory=dict)
    diplomacy: Diplomacy = Field(default_factory=Diplomacy)
    firms: list[FirmSpec] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    classroom: Classroom = Field(default_factory=Classroom)

    @field_validator("start")
    @classmethod
    def _start(cls, value: str) -> str:
        return _check_month(value)

    @field_validator("states")
    @classmethod
    def _controls_not_on_itself(cls, states: dict) -> dict:
        # The events' own check (`_Event`) cannot see a state's controls in force at the start: their
        # actor is the state's key.
        for country, config in states.items():
            for number, control in enumerate(config.export_controls):
                if country in control.destinations:
                    raise field_error(
                        (country, "export_controls", number, "destinations"),
                        f"includes {country}, the state whose control it is ('*' means every country but {country})",
                        control.destinations,
                    )
        return states

    @field_validator("events")
    @classmethod
    def _unique_ids(cls, events: list) -> list:
        seen = set()
        for event in events:
            if event.id is not None and event.id in seen:
                raise ValueError(f"two events have the id {event.id!r}")
            seen.add(event.id)
        kinds = {event.id: event.kind for event in events if event.id is not None}
        for event in events:
            target = getattr(event, "measure", None)
            if target is None:
                continue
            if target not in kinds:
                raise ValueError(
                    f"the {event.kind} of {event.date} names {target!r}, but no event has that id "
                    f"(ids: {', '.join(sorted(kinds)) or 'none'})"
                )
            if kinds[target] not in MEASURE_KINDS:
                raise ValueError(
                    f"the {event.kind} of {event.date} names {target!r}, a {kinds[target]} event, "
                    f"which cannot be {_DONE[event.kind]} (measures: {', '.join(MEASURE_KINDS)})"
                )
        return events

    @model_validator(mode="after")
    def _events_in_order(self) -> Scenario:
        self.events = sorted(self.events, key=lambda e: parse_month(e.date))
        return self
