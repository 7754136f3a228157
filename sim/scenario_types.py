"""Types the scenario schema's sections share: the names a field may take, the bounds on quantities and
the strict base model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, TypeAdapter, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from .constants import COUNTRIES, PRODUCTS, SECTORS, STAGES
from .dates import parse_month

if TYPE_CHECKING:
    # A Literal built from a tuple of names exists only at run time (pydantic checks values against it):
    # to a static type checker these names are plain strings.
    Country = str
    Product = str
    Sector = str
    Stage = str
    CountryOrAll = str
    CountryOrWorld = str
    SectorOrAll = str
else:
    Country = Literal[COUNTRIES]
    Product = Literal[PRODUCTS]
    Sector = Literal[SECTORS]
    Stage = Literal[STAGES]
    # One Literal each (not `Country | Literal["*"]`): a union of Literals reports one error per member, under
    # a location like `actor.literal['CN',...]`, and its message leaves out the extra allowed value.
    CountryOrAll = Literal[COUNTRIES + ("*",)]
    CountryOrWorld = Literal[COUNTRIES + ("world",)]
    SectorOrAll = Literal[SECTORS + ("*",)]
Level = Literal["none", "licence", "ban"]
Strategy = Literal["default", "passive", "hawkish", "conciliatory", "tit_for_tat"]  # agents.state.STRATEGIES

# Bounds on what a scenario may state. A number beyond one describes no world the model can stand for: a
# typo, or a stand-in for "no limit" or "everything", which a scenario says by leaving the field out or,
# for a stockpile release, with the word "all".
MAX_TONNES = 2_000_000.0
"""t REO, for every tonnage (quotas, capacities, stocks, releases): about five years of 2024 world mine
output (~390,000 t REO, USGS Mineral Commodity Summaries 2025). Growing 8.7% a year (the baseline's magnet
demand), a year's output reaches it only in the 2040s, so quotas and capacities of long scenarios fit."""
MAX_USD = 1e13
"""USD, for budgets, funds and purchases: about a tenth of world GDP (~$110 trillion in 2024); the largest
sums in the shipped scenarios are a few billion a year."""
MAX_USD_PER_KG = 100_000.0
"""USD/kg, for prices and costs: terbium oxide, the dearest material the model tracks, peaked at a few
thousand USD/kg in 2011."""
MAX_REVIEWS_PER_MONTH = 1_000_000.0
"""Licence applications a licence office reviews a month (per copy of each firm): far more than the
model's firms ever file. For no limit, leave `review_capacity` out."""
RELEASE_ALL = "all"
"""A stockpile release's `tonnes` that hands over everything the state holds of the product."""


class _Strict(BaseModel):
    # allow_inf_nan=False: TOML reads `inf` and `nan` as numbers, and no quantity of a scenario means either
    # (this reaches dict values and optional fields too).
    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)


class _AtMost(AfterValidator):
    """An AfterValidator whose bound shows in the JSON schema as `maximum` (the forms built from the schema,
    `sim.lever_catalogue`, read their ranges there)."""

    limit: float

    def __get_pydantic_json_schema__(self, schema, handler):
        return {**handler(schema), "maximum": self.limit}


def at_most(limit: float, unit: str, why: str) -> AfterValidator:
    """An upper bound whose error says what the bound stands for (pydantic's `le` gives only the number)."""

    def check(value: float) -> float:
        if value > limit:
            raise PydanticCustomError("less_than_equal", f"Input should be at most {limit:,.0f} {unit}, {why}")
        return value

    bound = _AtMost(check)
    object.__setattr__(bound, "limit", limit)  # AfterValidator is a frozen dataclass
    return bound


# allow_inf_nan here too: a TypeAdapter of these types (below) has no model config to take it from.
Tonnes = Annotated[
    float, Field(ge=0, allow_inf_nan=False), at_most(MAX_TONNES, "t REO", "about five years of world mine output")
]
Usd = Annotated[float, Field(ge=0, allow_inf_nan=False), at_most(MAX_USD, "USD", "about a tenth of world GDP")]
UsdPerKg = Annotated[
    float,
    Field(gt=0, allow_inf_nan=False),
    at_most(MAX_USD_PER_KG, "USD/kg", "many times the dearest rare earth's peak price"),
]
ReviewsPerMonth = Annotated[
    float,
    Field(gt=0, allow_inf_nan=False),
    at_most(
        MAX_REVIEWS_PER_MONTH,
        "applications a month",
        "more than the model's firms ever file (leave review_capacity out for no limit)",
    ),
]

_TONNES = TypeAdapter(Tonnes)


def _tonnes_or_all(value: Any) -> float | str:
    # A plain validator, not `Tonnes | Literal["all"]`: pydantic would report a bad number once per member
    # of the union, under a location like `tonnes.constrained-float`.
    if value == RELEASE_ALL:
        return value
    try:
        return _TONNES.validate_python(value)
    except ValidationError as err:
        error = err.errors()[0]
        if error["type"] in ("float_parsing", "float_type"):
            raise PydanticCustomError("float_type", f"Input should be a number of tonnes or '{RELEASE_ALL}'") from None
        if error["type"] == "less_than_equal":
            raise PydanticCustomError(
                "less_than_equal", f"{error['msg']} (to release everything held, write '{RELEASE_ALL}')"
            ) from None
        raise


TonnesOrAll = Annotated[
    float | Literal["all"], PlainValidator(_tonnes_or_all, json_schema_input_type=Tonnes | Literal["all"])
]


def field_error(loc: tuple, message: str, value: Any) -> ValidationError:
    """An error a model validator raises about one of its fields: pydantic puts the model's own location
    before `loc`, so the error line names the field (a ValueError would name only the model)."""
    return ValidationError.from_exception_data(
        "scenario", [InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=value)]
    )


def _check_month(value: str) -> str:
    parse_month(value)
    return value


Month = Annotated[str, Field(description="YYYY-MM")]
