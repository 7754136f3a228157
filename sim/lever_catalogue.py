"""The lever catalogue: every event kind a state or the world can set while a run is under way, with its
fields, read from the scenario schema (`sim.scenario_schema`). Kinds, fields, types, ranges, choices,
schema defaults and field help come from the pydantic models (their JSON schema); this module adds only
words for people (titles, labels, units), the forms' starting values, and who may use which lever. The
Explore page (`ui/components/lever_specs.py`, `levers.py`) and the classroom (`sim/game/moves.py`,
`ui/classroom/move_form.py`) build their forms from it, so a field added to an event model reaches both
without another table.

A field the schema has in a shape no form knows fails here, at import, naming the field."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, get_args

from pydantic_core import PydanticUndefined

from .lever_feedback import ACTS_ON
from .scenario_schema import MEASURE_KINDS, Event

# Fields a face fills in itself, never as a form field: the lever picked, the month the model runs next,
# the acting country (a seat, the country picked, or the world for a shock) and the "why" text.
CONTEXT = ("kind", "date", "actor", "description")
# `id` is a form field only where something can name it later: on measures (suspend, resume, cancel).
ID = "id"
# Fields the classroom leaves out of a seat's form, and why (the Explore page offers every field).
CLASSROOM_LEAVES_OUT = {
    "agreed": "the room sets it when the partner's seat accepts: a seat cannot sign for its partner",
    ID: "no classroom lever names a measure, so a name would serve nothing",
}
NOT_LEVERS = {"note": "a line in the event log, not a change of anything"}
NOT_THE_ACTOR = ("target", "destinations")  # the schema refuses the actor itself here (`_StateEvent`)
MEASURE = "measure"  # offered from the run's named measures (`named_measures`), not typed

# kind -> (title, help). The order is the Explore page's list; its first lever is the one a page opens on.
LEVER_WORDS = {
    "export_control": ("Export controls", "Licences or a ban on exports of chosen products to chosen destinations."),
    "export_quota": ("Export quota", "A ceiling on a year's exports of the chosen products."),
    "general_licence": ("General licences", "Civil end users in the destinations need no licence."),
    "extraterritorial": (
        "Extraterritorial rule",
        (
            "Goods made abroad with at least a threshold share of this "
            "country's material need its licence, as if exported from it."
        ),
    ),
    "technology_ban": (
        "Technology ban",
        ("No processing technology for other countries: new plants elsewhere take longer and cost more."),
    ),
    "mining_quota": ("Mining quota", "How much ore the country's mines may dig a year."),
    "stockpile_release": ("Stockpile release", "Sell part of the strategic stockpile to domestic firms."),
    "stockpile_target": ("Stockpile target", "How many days of domestic use the strategic stockpile aims to hold."),
    "price_floor": ("Price floor", "A minimum price guaranteed to the country's own producers of a product."),
    "tariff": ("Tariffs", "Raise (or cut) tariffs on a partner's goods; relations move with them."),
    "relations": ("Relations", "A gesture or a snub: how the partner views this country moves."),
    "project_support": ("Project support", "Grants or loans for new mines, refineries and magnet plants at home."),
    "proposal": (
        "Propose an agreement",
        (
            "The partner's strategy weighs the terms and accepts, counters or "
            "rejects; its answer shows below after the next month."
        ),
    ),
    "strategy": ("Strategy", "How the state decides on its own from now on."),
    "suspend": ("Suspend a measure", ""),  # help: the event model's docstring
    "resume": ("Resume a measure", ""),
    "cancel": ("Cancel a measure", ""),
    "demand_growth": ("Demand growth (world)", "Growth of magnet demand everywhere from now on."),
    # shocks: things that happen to the world rather than a state's choice, as a scenario's events have them
    "capacity_shock": (
        "Shock: capacity",
        (
            "A flood, strike or conflict scales a country's mines, refineries or "
            "magnet plants for a while (0.5 = half the capacity)."
        ),
    ),
    "demand_shock": (
        "Shock: demand",
        ("Magnet demand of a country's sector jumps or slumps for a while (0.8 = a fifth less)."),
    ),
    "ore_grade": (
        "Shock: ore mix",
        (
            "What a country's mines bring up changes, as when a crackdown closes "
            "heavy-rich ionic-clay mines (0.5 = half the Dy/Tb per tonne of ore)."
        ),
    ),
    "hoarding": (
        "Shock: speculative buying",
        (
            "Buyers in one market stock up beyond their needs, and sell it back "
            "when it ends (0.5 = half their normal cover again)."
        ),
    ),
}
# Who acts. A state's act needs its country (the schema's `_StateEvent`); the others are the world's,
# except that taking a measure back is the act of the state whose measure it is.
STATE_ACTS = ("suspend", "resume", "cancel")
# What a seat may do in a classroom (any seat: a release or a target needs a stockpile, which the room checks).
CLASSROOM = (
    "export_control",
    "export_quota",
    "general_licence",
    "mining_quota",
    "stockpile_release",
    "stockpile_target",
    "tariff",
    "project_support",
    "proposal",
)

# field -> (words, unit); (kind, field) where one kind says it otherwise
WORDS = {
    "products": ("products", ""),
    "destinations": ("to", "* = every other country"),
    "level": ("level", ""),
    "approval_rate": ("approval rate", "share approved"),
    "later_rate": ("later approval rate", "share approved"),
    "ramp_months": ("ramp", "months from the first rate to the later"),
    "review_months": ("review time", "months"),
    "deny_defense": ("deny military end users", ""),
    "covers": ("magnets covered", "heavy_bearing = Dy/Tb grades"),
    "customs_hold_months": ("customs hold at the start", "months"),
    "duration_months": ("lasts", "months"),
    "tonnes_per_year": ("quota", "t REO per year"),
    "product": ("product", ""),
    "tonnes": ("amount", "t REO"),
    "days": ("target", "days of domestic use"),
    "usd_per_kg": ("floor price", "USD/kg"),
    "target": ("partner", ""),
    "change_points": ("change", "percentage points"),
    "change": ("change of the partner's view", ""),
    "share": ("share of capex", ""),
    "budget_usd_per_year": ("budget", "USD per year"),
    "name": ("name", ""),
    "cofinance_usd_per_year": ("joint project fund", "USD per year"),
    "cofinance_share": ("fund's share of capex", ""),
    "stockpile_days": ("joint stockpile", "days of use"),
    "tariff_points": ("tariff change", "points"),
    "suspend_controls": ("ease export controls", ""),
    "suspend_to_rate": ("eased approval rate", ""),
    "general_licence": ("general licences", ""),
    "preferential_supply": ("preferential supply", ""),
    "rapid_response": ("rapid-response stockpile sharing", ""),
    "purchase_usd": ("purchase commitment", "USD"),
    "agreed": ("the partner has agreed already", ""),
    "strategy": ("strategy", ""),
    "threshold": ("threshold", "share of this country's material"),
    "lift": ("lift it", ""),
    "stages": ("stages", ""),
    "lead_factor": ("lead times elsewhere", "multiplier"),
    "cost_factor": ("capex elsewhere", "multiplier"),
    "measure": ("measure", ""),
    "growth": ("growth", "share per year; 0.087 = 8.7%"),
    "country": ("where", ""),
    "stage": ("stage", ""),
    "sector": ("sector", "* = all"),
    "heavy_factor": ("Dy/Tb per tonne of ore", "multiplier"),
    "light_factor": ("NdPr per tonne of ore", "multiplier"),
    "market": ("market", ""),
    "extra_cover": ("extra stock wanted", "multiple of the normal cover"),
    "id": ("name it", "for suspend, resume and cancel"),
    ("capacity_shock", "factor"): ("capacity multiplier", ""),
    ("demand_shock", "factor"): ("demand multiplier", ""),
    ("demand_shock", "country"): ("where", "* = everywhere"),
}
PERCENT = ("approval_rate", "later_rate", "suspend_to_rate", "share", "cofinance_share")  # a classroom shows %
# what leaving a field empty means, where the schema's default is None
EMPTY = {
    "duration_months": "for good",
    "later_rate": "stays at the approval rate",
    "id": "no name",
    ("export_control", "duration_months"): "until changed",
    ("suspend", "duration_months"): "until a resume",
    ("export_quota", "tonnes_per_year"): "lift it",
    "budget_usd_per_year": "keep",
}
# the forms' starting values where the schema gives none, or a better example
DEFAULTS: dict[str, dict[str, Any]] = {
    "export_control": {"products": ["heavy_oxide", "magnet"], "destinations": ["US"], "level": "licence"},
    "export_quota": {"products": ["light_oxide", "heavy_oxide"], "tonnes_per_year": 20000},
    "general_licence": {"products": ["heavy_oxide", "magnet"], "destinations": ["US"]},
    "mining_quota": {"tonnes_per_year": 270000},
    "stockpile_release": {"product": "heavy_oxide", "tonnes": 100},
    "stockpile_target": {"days": 60},
    "price_floor": {"product": "light_oxide", "usd_per_kg": 110},
    "tariff": {"target": "US", "change_points": 10},
    "relations": {"target": "US", "change": -0.2},
    "project_support": {"share": 0.3, "budget_usd_per_year": 500_000_000},
    "proposal": {
        "target": "US",
        "name": "supply pact",
        "duration_months": 24,
        "cofinance_usd_per_year": 1e9,
        "cofinance_share": 0.3,
    },
    "strategy": {"strategy": "default"},
    "demand_growth": {"growth": 0.087},
    "capacity_shock": {"country": "MY", "stage": "refining", "factor": 0.5, "duration_months": 3},
    "demand_shock": {"factor": 0.8, "duration_months": 6},
    "ore_grade": {"country": "CN", "heavy_factor": 0.5, "duration_months": 8},
    "hoarding": {"market": "china", "extra_cover": 0.5, "duration_months": 5},
}


@dataclass(frozen=True)
class LeverField:
    """One field of a lever: what the schema says of it, and the words a form shows."""

    kind: str
    name: str
    type: str  # number | integer | choice | choices | flag | text | measure
    words: str
    unit: str = ""
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    above: bool = False  # the minimum itself is refused (more than, not at least)
    required: bool = False  # the schema has no default: a form must give it
    empty: str = ""  # what leaving it empty means (the schema's default is None); "" = it cannot be left empty
    word: str | None = None  # a word the field takes instead of a number ("all")
    default: Any = None  # the form's starting value
    help: str = ""  # the schema's description
    percent: bool = False

    @property
    def range(self) -> str:
        """The schema's range in words: "0 to 1", "0 or more", "more than 0"."""
        low = None if self.minimum is None else _num(self.minimum)
        if self.maximum is not None:
            start = f"more than {low}, up to " if self.above else "up to " if low is None else f"{low} to "
            return start + _num(self.maximum)
        return "" if low is None else f"more than {low}" if self.above else f"{low} or more"

    def label(self, unit: str | None = None, scale: float = 1.0) -> str:
        """Words, then (unit, range, the word it also takes; empty = ...); `scale` shows the range in other units."""
        shown = self if scale == 1.0 else _scaled(self, scale)
        extra = [
            p
            for p in (
                self.unit if unit is None else unit,
                shown.range if self.type in ("number", "integer") else "",
                f"or {self.word}" if self.word else "",
            )
            if p
        ]
        text = ", ".join(extra) + (f"; empty = {self.empty}" if self.empty else "")
        return f"{self.words} ({text})" if text else self.words


@dataclass(frozen=True)
class Lever:
    kind: str
    title: str
    help: str
    actor: str  # "state" (a country acts) or "world" (nobody's decision)
    fields: tuple[LeverField, ...]

    def field(self, name: str) -> LeverField:
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(f"{self.kind} has no field {name!r} (fields: {', '.join(f.name for f in self.fields)})")

    @property
    def classroom_fields(self) -> tuple[LeverField, ...]:
        return tuple(f for f in self.fields if f.name not in CLASSROOM_LEAVES_OUT)


def _num(value: float) -> str:
    if abs(value) >= 1e7:
        return f"{value:.0e}".replace("e+", "e")
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def _scaled(field: LeverField, scale: float) -> LeverField:
    return replace(
        field,
        minimum=None if field.minimum is None else field.minimum / scale,
        maximum=None if field.maximum is None else field.maximum / scale,
    )


def event_models() -> dict[str, type]:
    """Every event kind of the scenario format and its pydantic model."""
    return {get_args(m.model_fields["kind"].annotation)[0]: m for m in get_args(get_args(Event)[0])}


def _shape(kind: str, name: str, prop: dict) -> dict:
    """What a form needs of one field of the JSON schema."""
    out: dict[str, Any] = {}
    base: dict = {}
    members = prop.get("anyOf", [prop])
    for member in members:
        if member.get("type") == "null":
            out["nullable"] = True
        elif "const" in member and len(members) > 1:
            out["word"] = member["const"]
        else:
            base = member
    kind_of = base.get("type")
    if name == MEASURE:
        out["type"] = "measure"
    elif kind_of == "array" and "enum" in base.get("items", {}):
        out.update(type="choices", choices=tuple(base["items"]["enum"]))
    elif "enum" in base:
        out.update(type="choice", choices=tuple(base["enum"]))
    elif kind_of in ("number", "integer", "boolean", "string"):
        out["type"] = {"boolean": "flag", "string": "text"}.get(kind_of, kind_of)
    else:
        raise TypeError(f"lever catalogue: {kind}.{name} has a schema no form knows: {prop}")
    if "exclusiveMinimum" in base:
        out.update(minimum=base["exclusiveMinimum"], above=True)
    elif "minimum" in base:
        out["minimum"] = base["minimum"]
    out["maximum"] = base.get("maximum", base.get("exclusiveMaximum"))
    return out


def _words(kind: str, name: str, table: dict, fallback):
    return table.get((kind, name), table.get(name, fallback))


def _lever(kind: str, model) -> Lever:
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    names = [n for n in model.model_fields if n not in CONTEXT and n != ID] + ([ID] if kind in MEASURE_KINDS else [])
    fields = []
    for name in names:
        prop, shape = schema["properties"][name], _shape(kind, name, schema["properties"][name])
        words, unit = _words(kind, name, WORDS, (name.replace("_", " "), ""))
        schema_default = model.model_fields[name].get_default(call_default_factory=True)
        default = DEFAULTS.get(kind, {}).get(name, None if schema_default is PydanticUndefined else schema_default)
        nullable = shape.pop("nullable", False)
        fields.append(
            LeverField(
                kind,
                name,
                words=words,
                unit=unit,
                required=name in required,
                empty=_words(kind, name, EMPTY, "left out") if nullable else "",
                default=default,
                help=" ".join(prop.get("description", "").split()),
                percent=name in PERCENT,
                **shape,
            )
        )
    title, help_text = LEVER_WORDS[kind]
    actor = (
        "world" if "world" in get_args(model.model_fields["actor"].annotation) and kind not in STATE_ACTS else "state"
    )
    return Lever(kind, title, help_text or " ".join((model.__doc__ or "").split()), actor, tuple(fields))


def _catalogue() -> tuple[Lever, ...]:
    models = event_models()
    missing = set(models) - set(LEVER_WORDS) - set(NOT_LEVERS)
    if missing:
        raise TypeError(f"lever catalogue: event kinds without a lever or a reason: {sorted(missing)}")
    return tuple(_lever(kind, models[kind]) for kind in LEVER_WORDS)


LEVERS = _catalogue()
LEVER_BY_KIND = {lever.kind: lever for lever in LEVERS}
WORLD_LEVERS = {lever.kind for lever in LEVERS if lever.actor == "world"}  # the actor is "world"


def choices_for(field: LeverField, actor: str) -> tuple:
    """The choices a form offers the actor: never the actor itself as a partner or destination."""
    return tuple(c for c in field.choices if c != actor) if field.name in NOT_THE_ACTOR else field.choices


def default_for(field: LeverField, actor: str):
    """A field's starting value for the actor; a partner or destination is never the actor itself."""
    other = "CN" if actor != "CN" else "US"
    if field.name == "target" and field.default == actor:
        return other
    if field.name == "destinations" and field.default and actor in field.default:
        return [other if country == actor else country for country in field.default]
    return field.default


# ---------------------------------------------------------------------------------------------- named measures
@dataclass(frozen=True)
class NamedMeasure:
    """A measure suspend, resume and cancel can name (an event with an id), as it stands in a run."""

    id: str
    kind: str
    date: str
    actor: str
    state: str  # in force | pending | suspended | cancelled | ended (`sim.levers.measures`)
    description: str = ""

    @property
    def label(self) -> str:
        text = f"{self.id}: {self.kind} of {self.date} by {self.actor}, {self.state}"
        about = " ".join(self.description.split())
        return f"{text} ({about[:60]}{'...' if len(about) > 60 else ''})" if about else text


def named_measures(model) -> tuple[NamedMeasure, ...]:
    """Every named measure of a run and its state at the month the model runs next."""
    from .levers import measures

    defined = model.schedule_events.measures.defined
    return tuple(
        NamedMeasure(i, defined[i].kind, defined[i].date, defined[i].actor, state, defined[i].description)
        for i, state in measures(model).items()
    )


def measure_choices(measures, kind: str, actor: str) -> tuple[NamedMeasure, ...]:
    """The measures a suspend, resume or cancel by `actor` can name: its own and the world's, in a state the
    kind acts on (a suspension: in force or pending; a resumption: suspended; a cancellation: any of them)."""
    return tuple(m for m in measures if m.state in ACTS_ON[kind] and m.actor in (actor, "world"))
