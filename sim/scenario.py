"""Scenario files: TOML with `extends`, dotted `--set` overrides, validated with pydantic.

Every problem a user can cause is raised as `ScenarioError(file, field, reason)`, whose text is the one
line the CLI prints: `FILE: FIELD: REASON`.
"""
from __future__ import annotations

import copy
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .constants import COUNTRIES, PRODUCTS, SECTORS, STAGES
from .dates import parse_month

Country = Literal[COUNTRIES]  # type: ignore[valid-type]
Product = Literal[PRODUCTS]  # type: ignore[valid-type]
Sector = Literal[SECTORS]  # type: ignore[valid-type]
Stage = Literal[STAGES]  # type: ignore[valid-type]
Level = Literal["none", "licence", "ban"]
# One Literal each (not `Country | Literal["*"]`): a union of Literals reports one error per member, under a
# location like `actor.literal['CN',...]`, and its message leaves out the extra allowed value.
CountryOrAll = Literal[COUNTRIES + ("*",)]  # type: ignore[valid-type]
CountryOrWorld = Literal[COUNTRIES + ("world",)]  # type: ignore[valid-type]
SectorOrAll = Literal[SECTORS + ("*",)]  # type: ignore[valid-type]


class ScenarioError(Exception):
    """A problem with user input, located by file and field."""

    def __init__(self, file: str | Path, field: str, reason: str):
        # The CLI promises one line; a value or key read from a file may contain line breaks.
        self.file, self.field, self.reason = (_one_line(str(text)) for text in (file, field, reason))
        super().__init__(f"{self.file}: {self.field}: {self.reason}")


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def scenario_library() -> Path:
    return Path(str(resources.files("configs") / "scenarios"))


def data_library() -> Path:
    return Path(str(resources.files("configs") / "data"))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


def _check_month(value: str) -> str:
    parse_month(value)
    return value


Month = Annotated[str, Field(description="YYYY-MM")]


class World(_Strict):
    scale: int = Field(1, ge=1, le=1000, description="firm agents per calibrated firm")
    data: str = Field("", description="calibration CSVs: empty = configs/data, a name = a folder shipped "
                                      "beside it (e.g. data_2009), else a path")


class Demand(_Strict):
    growth: float | None = Field(None, ge=-0.5, le=1.0, description="per year; default from parameters.csv")
    substitution_speed: float | None = Field(None, ge=0, le=1, description="share of demand per year")
    substitution_elasticity: float = Field(0.35, ge=0, le=3)
    rebound_cap: float = Field(1.05, ge=1, le=2, description="how far cheap magnets can lift demand")


class Market(_Strict):
    home_preference: float = Field(1.5, ge=0, description="weight of home suppliers of oxides and magnets")
    price_pull: float = Field(4.0, ge=0, description="how strongly sellers steer to the dearer market")
    cover_elasticity: float = Field(1.5, ge=0, le=10, description="price response to stock cover vs wanted")
    unmet_response: float = Field(1.0, ge=0, le=10, description="price response to the share of orders unfilled")
    price_speed: float = Field(0.5, gt=0, le=1, description="share of the gap to the target price closed a month")
    normal_price_months: float = Field(60.0, ge=1, le=600, description="how slowly prices return to normal")
    arbitrage_months: float = Field(6.0, ge=1, le=120, description="how fast open trade aligns world and China")
    max_monthly_change: float = Field(0.25, gt=0, le=1)
    precaution: float = Field(1.5, ge=0, le=10, description="extra months of cover wanted per unit of risk")
    risk_memory: float = Field(0.3, gt=0, le=1, description="weight of this month in the perceived risk")
    transit_months: int = Field(1, ge=0, le=6)
    target_cover_months: dict[Product, float] = Field(
        default_factory=lambda: {"ore": 2.0, "light_oxide": 3.0, "heavy_oxide": 4.0, "magnet": 2.0}
    )

    @field_validator("target_cover_months")
    @classmethod
    def _positive_cover(cls, value: dict[str, float]) -> dict[str, float]:
        for product, months in value.items():
            if not months > 0:
                raise ValueError(f"{product} cover must be > 0 months, got {months}")
        return value


class Investment(_Strict):
    greenfield_countries: list[Country] = Field(
        default_factory=lambda: ["CN", "US", "JP", "AU", "EU", "MY", "ROW"],
        description="where developers propose new plants (Myanmar's conflict zones are left out)")
    utilisation_trigger: float = Field(0.88, ge=0, le=1.5)
    margin_trigger: float = Field(1.25, ge=0)
    step: float = Field(0.10, ge=0, le=2, description="capacity added by one project, share of current")
    lead_months: dict[Stage, int] = Field(
        default_factory=lambda: {"mining": 12, "refining": 12, "magnets": 9}
    )


class Licensing(_Strict):
    validity_months: int = Field(6, ge=1, le=36)
    application_months: float = Field(1.0, gt=0, le=12, description="months of needs one application covers")


class RegimeTerms(_Strict):
    approval_rate: float = Field(0.5, ge=0, le=1, description="share of applications approved at first")
    later_rate: float | None = Field(None, ge=0, le=1, description="share approved once the office has ramped up")
    ramp_months: int = Field(0, ge=0, le=60, description="months from approval_rate to later_rate")
    review_months: int = Field(2, ge=0, le=24)
    deny_defense: bool = Field(True, description="deny military end users in principle")

    def regime(self) -> dict:
        return {"approval_rate": self.approval_rate, "later_rate": self.later_rate, "ramp_months": self.ramp_months,
                "review_months": self.review_months, "deny_defense": self.deny_defense}


class _ControlTarget(_Strict):
    products: list[Product]
    destinations: list[CountryOrAll] = ["*"]
    level: Level


class ExportControl(RegimeTerms, _ControlTarget):
    """What is controlled, to whom, and on what licence terms (fields in that order)."""


class StateConfig(_Strict):
    strategy: Literal["default", "passive", "hawkish", "conciliatory", "tit_for_tat"] = "default"
    review_capacity: float | None = Field(None, gt=0, description="licence applications reviewed a month")
    stockpile_end_use: Literal["civil", "defense"] = "civil"
    project_support: float = Field(0.0, ge=0, le=0.9, description="share of domestic project capex granted or lent")
    support_budget_usd: float = Field(0.0, ge=0, description="project support available a year, USD")
    mining_quota_t: float | None = Field(None, ge=0)
    quota_growth: float = Field(0.0, ge=-0.5, le=1.0)
    stockpile: dict[Product, float] = Field(default_factory=dict)
    stockpile_target_days: float = Field(0.0, ge=0, le=720)
    release_trigger: float = Field(0.03, ge=0, le=1, description="unmet share of orders that opens the stockpile")
    export_controls: list[ExportControl] = Field(default_factory=list)

    @field_validator("stockpile")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        for product, tonnes in value.items():
            if tonnes < 0:
                raise ValueError(f"{product} stockpile must be >= 0 t, got {tonnes}")
        return value


class FirmSpec(_Strict):
    name: str = Field(min_length=1)
    kind: Literal["miner", "refiner", "magnet_maker"]
    country: Country
    capacity_t_per_year: float = Field(ge=0)
    output_t: float | None = Field(None, ge=0)
    unit_cost_usd_per_kg: float = Field(gt=0)


class _Event(_Strict):
    date: Month
    actor: CountryOrWorld = "world"
    description: str = ""

    @field_validator("date")
    @classmethod
    def _month(cls, value: str) -> str:
        return _check_month(value)


class ExportControlEvent(_Event, ExportControl):
    kind: Literal["export_control"]
    duration_months: int | None = Field(None, ge=1, le=600)


class QuotaEvent(_Event):
    kind: Literal["mining_quota"]
    tonnes_per_year: float = Field(ge=0)


class CapacityShockEvent(_Event):
    kind: Literal["capacity_shock"]
    country: Country
    stage: Stage
    factor: float = Field(ge=0, le=10)
    duration_months: int | None = Field(None, ge=1, le=600)


class DemandShockEvent(_Event):
    kind: Literal["demand_shock"]
    country: CountryOrAll = "*"
    sector: SectorOrAll = "*"
    factor: float = Field(ge=0, le=10)
    duration_months: int | None = Field(None, ge=1, le=600)


class StockpileReleaseEvent(_Event):
    kind: Literal["stockpile_release"]
    product: Product
    tonnes: float = Field(ge=0)


class NoteEvent(_Event):
    kind: Literal["note"]


class ExportQuotaEvent(_Event):
    kind: Literal["export_quota"]
    products: list[Product]
    tonnes_per_year: float | None = Field(None, ge=0, description="leave out to lift the quota")


class GeneralLicenceEvent(_Event):
    kind: Literal["general_licence"]
    products: list[Product]
    destinations: list[CountryOrAll]
    duration_months: int = Field(12, ge=1, le=600)


class ExtraterritorialEvent(_Event, RegimeTerms):
    kind: Literal["extraterritorial"]
    products: list[Product] = ["magnet"]
    threshold: float = Field(0.001, gt=0, le=1, description="share of the actor's material that triggers the rule")
    lift: bool = Field(False, description="true lifts the rule")
    duration_months: int | None = Field(None, ge=1, le=600)


class TechnologyBanEvent(_Event):
    kind: Literal["technology_ban"]
    stages: list[Stage] = ["refining", "magnets"]
    lead_factor: float = Field(1.5, ge=1, le=5, description="lead times of projects elsewhere, times this")
    cost_factor: float = Field(1.3, ge=1, le=5, description="capex of projects elsewhere, times this")
    lift: bool = False


class ProposalEvent(_Event):
    kind: Literal["proposal"]
    target: Country
    name: str = Field(min_length=1)
    duration_months: int = Field(12, ge=1, le=600)
    cofinance_usd_per_year: float = Field(0.0, ge=0)
    cofinance_share: float = Field(0.0, ge=0, le=0.9)
    stockpile_days: float = Field(0.0, ge=0, le=720)
    tariff_points: float = Field(0.0, ge=-200, le=200)
    suspend_controls: bool = False
    suspend_to_rate: float = Field(0.6, ge=0, le=1)
    general_licence: bool = False
    preferential_supply: bool = False
    rapid_response: bool = False
    purchase_usd: float = Field(0.0, ge=0)


class PriceFloorEvent(_Event):
    kind: Literal["price_floor"]
    product: Product
    usd_per_kg: float = Field(gt=0)
    duration_months: int | None = Field(None, ge=1, le=600)


class RelationsEvent(_Event):
    kind: Literal["relations"]
    target: Country
    change: float = Field(ge=-2, le=2, description="how the target's view of the actor moves (-1 to 1 scale)")


class TariffEvent(_Event):
    kind: Literal["tariff"]
    target: Country
    change_points: float = Field(ge=-200, le=200, description="tariff change on the target's goods, points")


Event = Annotated[
    Union[ExportControlEvent, QuotaEvent, CapacityShockEvent, DemandShockEvent, StockpileReleaseEvent, NoteEvent,
          ExportQuotaEvent, GeneralLicenceEvent, RelationsEvent, TariffEvent, ExtraterritorialEvent,
          TechnologyBanEvent, ProposalEvent, PriceFloorEvent],
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

    @field_validator("start")
    @classmethod
    def _start(cls, value: str) -> str:
        return _check_month(value)

    @model_validator(mode="after")
    def _events_in_order(self) -> "Scenario":
        self.events = sorted(self.events, key=lambda e: parse_month(e.date))
        return self


# ----------------------------------------------------------------------------------------------- loading

def find_in_library(name_or_path: str | Path, library: Path, relative_to: Path | None = None) -> Path | None:
    """A file as given (relative to `relative_to` first), else `library/NAME.toml`; None if neither exists."""
    text = str(name_or_path)
    candidates = []
    if relative_to is not None:
        candidates.append(relative_to / text)
    candidates.append(Path(text))
    stem = text[:-5] if text.endswith(".toml") else text
    candidates.append(library / f"{stem}.toml")
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def resolve_scenario(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """A path as given (relative to `relative_to` first), else a library name with or without `.toml`."""
    found = find_in_library(name_or_path, scenario_library(), relative_to)
    if found is None:
        raise ScenarioError(str(name_or_path), "scenario", "no such file and no library scenario of that name "
                            "(try `ree scenarios`)")
    return found.resolve()


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(path, "toml", f"syntax error: {err}") from None
    except UnicodeDecodeError:
        raise ScenarioError(path, "toml", "not UTF-8 text") from None
    except OSError as err:
        raise ScenarioError(path, "file", err.strerror or str(err)) from None


_APPENDED_LISTS = ("events", "firms")


def merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; `events` and `firms` lists append; any other value replaces."""
    out = copy.deepcopy(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        elif key in _APPENDED_LISTS and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + copy.deepcopy(value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_raw(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's table with its `extends` chain resolved (parents first)."""
    if path in _chain:
        cycle = " -> ".join(p.name for p in _chain + (path,))
        raise ScenarioError(_chain[-1], "extends", f"cycle: {cycle}")
    raw = read_toml(path)
    parent_ref = raw.pop("extends", None)
    if parent_ref is None:
        return raw
    if not isinstance(parent_ref, str):
        raise ScenarioError(path, "extends", "must be a file name or library scenario name (a string)")
    try:
        parent_path = resolve_scenario(parent_ref, relative_to=path.parent)
    except ScenarioError:
        raise ScenarioError(path, "extends", f"'{parent_ref}' not found") from None
    return merge(load_raw(parent_path, _chain + (path,)), raw)


def parse_override(text: str) -> tuple[str, Any]:
    """`"world.scale=10"` -> ("world.scale", 10); the value is read as TOML, else kept as a string."""
    if "=" not in text:
        raise ScenarioError("--set", text, "expected dotted.path=value")
    path, value_text = text.split("=", 1)
    path = path.strip()
    if not path or any(not part for part in path.split(".")):
        raise ScenarioError("--set", text, "expected dotted.path=value")
    try:
        value = tomllib.loads(f"v = {value_text}")["v"]
    except tomllib.TOMLDecodeError:
        value = value_text
    return path, value


def apply_override(raw: dict[str, Any], path: str, value: Any, source: str = "--set") -> None:
    node: Any = raw
    parts = path.split(".")
    for depth, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            node = _list_item(node, part, ".".join(parts[: depth + 1]), source)
            continue
        if part not in node or node[part] is None:
            node[part] = {}
        node = node[part]
        if not isinstance(node, (dict, list)):
            raise ScenarioError(source, path, f"'{'.'.join(parts[:depth + 1])}' is a value, not a table")
    last = parts[-1]
    if isinstance(node, list):
        index = int(_list_index(node, last, path, source))
        node[index] = value
    else:
        node[last] = value


def _list_index(items: list, part: str, path: str, source: str) -> int:
    if not part.isdigit() or int(part) >= len(items):
        raise ScenarioError(source, path, f"'{part}' is not an index of a list of {len(items)}")
    return int(part)


def _list_item(items: list, part: str, path: str, source: str) -> Any:
    return items[_list_index(items, part, path, source)]


def _format_location(loc: tuple[Any, ...]) -> str:
    # pydantic puts the discriminator value into the location of a tagged union member, and `[key]` after a
    # bad dict key (`states.UK.[key]`); drop both.
    parts = [str(p) for p in loc if not (isinstance(p, str) and (p in _EVENT_KINDS or p == "[key]"))]
    return ".".join(parts) or "scenario"


_EVENT_KINDS = {get_args(member.model_fields["kind"].annotation)[0] for member in get_args(get_args(Event)[0])}


def _event_hint(raw: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """Events are numbered after the parents' ones; say which event is meant."""
    if len(loc) < 2 or loc[0] != "events" or not isinstance(loc[1], int):
        return ""
    events = raw.get("events")
    if not isinstance(events, list) or loc[1] >= len(events) or not isinstance(events[loc[1]], dict):
        return ""
    event = events[loc[1]]
    return f" [the event dated {event.get('date', '?')}, kind {event.get('kind', '?')}]"


def validate(raw: dict[str, Any], source: str | Path) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        reason, location = first["msg"], _format_location(first["loc"])
        if first["type"] == "extra_forbidden":
            reason = "unknown field"
        elif first["type"] == "missing":
            reason = "required field is missing"
        elif first["type"] in ("union_tag_invalid", "union_tag_not_found"):
            # Only events form a tagged union: their `kind` is the field at fault, not the whole event.
            location = f"{location}.kind"
            kinds = ", ".join(sorted(_EVENT_KINDS))
            reason = (f"unknown event kind {first['ctx']['tag']!r} (expected one of {kinds})"
                      if first["type"] == "union_tag_invalid" else f"required field is missing (one of {kinds})")
        elif first["type"] == "value_error":
            # Our validators' messages already quote the bad value.
            reason = reason.removeprefix("Value error, ")
        elif "input" in first:
            reason = f"{reason} (got {first['input']!r})"
        extra = f" (+{err.error_count() - 1} more)" if err.error_count() > 1 else ""
        extra += _event_hint(raw, first["loc"])
        raise ScenarioError(source, location, reason + extra) from None


def load_scenario(name_or_path: str | Path = "baseline_2024", overrides: dict[str, Any] | None = None,
                  sets: list[str] | None = None, source: str = "override") -> Scenario:
    """Load, merge `extends`, apply `--set` strings and dotted `overrides` (named `source` in errors),
    validate."""
    path = resolve_scenario(name_or_path)
    raw = load_raw(path)
    for text in sets or []:
        dotted, value = parse_override(text)
        apply_override(raw, dotted, value)
    for dotted, value in (overrides or {}).items():
        apply_override(raw, dotted, value, source=source)
    return validate(raw, path)


def list_library() -> list[tuple[str, str]]:
    """(name, description) of every scenario shipped with the package."""
    out = []
    for path in sorted(scenario_library().glob("*.toml")):
        try:
            scenario = validate(load_raw(path), path)
            out.append((path.stem, " ".join(scenario.description.split())))
        except ScenarioError as err:
            out.append((path.stem, f"(invalid: {err})"))
    return out
