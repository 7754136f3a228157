"""What each lever asks for: the event kind of the scenario format it makes, and its fields with the unit
and range a student sees. Data only; the scenario schema (via `model.apply_lever`) does the checking."""
from __future__ import annotations

from dataclasses import dataclass

from sim.constants import COUNTRIES, PRODUCTS, SECTORS, STAGES

DESTINATIONS = ["*", *COUNTRIES]
STRATEGIES = ["default", "passive", "hawkish", "conciliatory", "tit_for_tat"]


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # with the unit and the range
    kind: str = "number"  # number | integer | choice | choices | flag | text
    default: object = ""
    choices: tuple = ()
    optional: bool = False  # left empty, the field is left out of the event


@dataclass(frozen=True)
class Lever:
    kind: str
    title: str
    help: str
    fields: tuple[Field, ...]


def _products(default=("heavy_oxide", "magnet")):
    return Field("products", "products", "choices", list(default), tuple(PRODUCTS))


def _destinations(default=("US",)):
    return Field("destinations", "to (* = everyone)", "choices", list(default), tuple(DESTINATIONS))


def _target(default="US"):
    return Field("target", "partner", "choice", default, tuple(COUNTRIES))


def _where(default="CN"):
    return Field("country", "where", "choice", default, tuple(COUNTRIES))


def _lasts(default="6"):
    return Field("duration_months", "lasts (months, 1 to 600; empty = for good)", "integer", default, optional=True)


LEVERS = (
    Lever("export_control", "Export controls", "Licences or a ban on exports of chosen products to chosen "
          "destinations.", (_products(), _destinations(),
                            Field("level", "level", "choice", "licence", ("none", "licence", "ban")),
                            Field("approval_rate", "approval rate (share approved, 0 to 1)", default="0.5"),
                            Field("review_months", "review time (months, 0 to 24)", "integer", "2"),
                            Field("duration_months", "lasts (months, 1 to 600; empty = until changed)", "integer",
                                  "", optional=True))),
    Lever("export_quota", "Export quota", "A ceiling on a year's exports of the chosen products.",
          (_products(("light_oxide", "heavy_oxide")),
           Field("tonnes_per_year", "quota (t REO per year, 0 or more; empty = lift it)", default="20000",
                 optional=True))),
    Lever("general_licence", "General licences", "Civil end users in the destinations need no licence.",
          (_products(), _destinations(), Field("duration_months", "lasts (months, 1 to 600)", "integer", "12"))),
    Lever("mining_quota", "Mining quota", "How much ore the country's mines may dig a year.",
          (Field("tonnes_per_year", "quota (t REO per year, 0 or more)", default="270000"),)),
    Lever("stockpile_release", "Stockpile release", "Sell part of the strategic stockpile to domestic firms.",
          (Field("product", "product", "choice", "heavy_oxide", tuple(PRODUCTS)),
           Field("tonnes", "amount (t REO, 0 or more)", default="100"))),
    Lever("tariff", "Tariffs", "Raise (or cut) tariffs on a partner's goods; relations move with them.",
          (_target(), Field("change_points", "change (percentage points, -200 to 200)", default="10"))),
    Lever("project_support", "Project support", "Grants or loans for new mines, refineries and magnet plants "
          "at home.", (Field("share", "share of capex (0 to 0.9)", default="0.3"),
                       Field("budget_usd_per_year", "budget (USD per year, 0 or more; empty = keep)",
                             default="500000000", optional=True))),
    Lever("proposal", "Propose an agreement", "The partner's strategy weighs the terms and accepts, counters "
          "or rejects; its answer shows below after the next month.",
          (_target(), Field("name", "name", "text", "supply pact"),
           Field("duration_months", "lasts (months, 1 to 600)", "integer", "24"),
           Field("cofinance_usd_per_year", "joint project fund (USD per year, 0 or more)", default="0"),
           Field("cofinance_share", "fund's share of capex (0 to 0.9)", default="0"),
           Field("stockpile_days", "joint stockpile (days of use, 0 to 720)", default="0"),
           Field("tariff_points", "tariff change (points, -200 to 200)", default="0"),
           Field("suspend_controls", "ease export controls", "flag", False),
           Field("suspend_to_rate", "eased approval rate (0 to 1)", default="0.6"),
           Field("general_licence", "general licences", "flag", False),
           Field("preferential_supply", "preferential supply", "flag", False),
           Field("rapid_response", "rapid-response stockpile sharing", "flag", False),
           Field("purchase_usd", "purchase commitment (USD, 0 or more)", default="0"))),
    Lever("strategy", "Strategy", "How the state decides on its own from now on.",
          (Field("strategy", "strategy", "choice", "default", tuple(STRATEGIES)),)),
    Lever("demand_growth", "Demand growth (world)", "Growth of magnet demand everywhere from now on.",
          (Field("growth", "growth (share per year, -0.5 to 1; 0.087 = 8.7%)", default="0.087"),)),
    # shocks: things that happen to the world rather than a state's choice, as a scenario's events have them
    Lever("capacity_shock", "Shock: capacity", "A flood, strike or conflict scales a country's mines, "
          "refineries or magnet plants for a while (0.5 = half the capacity).",
          (_where("MY"), Field("stage", "stage", "choice", "refining", tuple(STAGES)),
           Field("factor", "capacity multiplier (0 to 10)", default="0.5"), _lasts("3"))),
    Lever("demand_shock", "Shock: demand", "Magnet demand of a country's sector jumps or slumps for a "
          "while (0.8 = a fifth less).",
          (Field("country", "where (* = everywhere)", "choice", "*", ("*", *COUNTRIES)),
           Field("sector", "sector (* = all)", "choice", "*", ("*", *SECTORS)),
           Field("factor", "demand multiplier (0 to 10)", default="0.8"), _lasts("6"))),
    Lever("ore_grade", "Shock: ore mix", "What a country's mines bring up changes, as when a "
          "crackdown closes heavy-rich ionic-clay mines (0.5 = half the Dy/Tb per tonne of ore).",
          (_where("CN"), Field("heavy_factor", "Dy/Tb per tonne of ore (multiplier, 0 to 3)", default="0.5"),
           Field("light_factor", "NdPr per tonne of ore (multiplier, 0 to 3)", default="1"), _lasts("8"))),
    Lever("hoarding", "Shock: speculative buying", "Buyers in one market stock up beyond their needs, "
          "and sell it back when it ends (0.5 = half their normal cover again).",
          (Field("market", "market", "choice", "china", ("china", "world")),
           _products(("light_oxide", "heavy_oxide")),
           Field("extra_cover", "extra stock wanted (multiple of the normal cover, 0 to 5)", default="0.5"),
           _lasts("5"))),
)
LEVER_BY_KIND = {lever.kind: lever for lever in LEVERS}
WORLD_LEVERS = {"demand_growth", "capacity_shock", "demand_shock", "ore_grade", "hoarding"}  # the actor is "world"
