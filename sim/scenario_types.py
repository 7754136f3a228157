"""Types the scenario schema's sections share: the names a field may take and the strict base model."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


def _check_month(value: str) -> str:
    parse_month(value)
    return value


Month = Annotated[str, Field(description="YYYY-MM")]
