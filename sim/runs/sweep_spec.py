"""A sweep file's schema (`configs/sweeps/*.toml`, see DESIGN.md) and its loading.

`read_sweep` reads and validates the file; `sweep_check.load_sweep` also checks the whole design against the
scenario before any run starts: a typo costs one line, not a thousand failed runs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .aggregates import Aggregate
from ..scenario import ScenarioError, find_in_library, read_toml

META = ["run_id", "point_id", "replicate", "seed", "status", "error", "seconds"]
IDENTITY = META[:4]


class Range(BaseModel):
    """A sampled parameter's range. `integer = true` rounds each sample to a whole number (for integer
    fields such as `world.scale`); the range is then widened by half a unit on each side so that every whole
    number from min to max is drawn equally often."""
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    min: float
    max: float
    integer: bool = False


class SweepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: str = Field(min_length=1)
    months: int | None = Field(None, gt=0, le=1200)
    replicates: int = Field(1, ge=1, le=10000)
    seed: int = Field(0, ge=0)
    sampler: Literal["grid", "lhs", "sobol"] = "grid"
    samples: int = Field(16, ge=1, le=1_000_000)
    second_order: bool = False  # Sobol: also sample for second-order indices (N x (2D + 2) points)
    common_random_numbers: bool = False  # replicate r of every design point runs with the same seed
    outcomes: list[str] = Field(default_factory=list)
    series: list[str] = Field(default_factory=list)  # monthly series kept per run (series.parquet)

    @field_validator("outcomes")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not name or not name.replace("_", "").isalnum():
                raise ValueError(f"'{name}' is not an outcome name")
        if len(set(value)) < len(value):
            raise ValueError("an outcome is named twice")
        return value


class SweepFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sweep: SweepSpec
    parameters: dict[str, list[Any] | Range] = Field(min_length=1)
    aggregates: dict[str, Aggregate] = Field(default_factory=dict)


def resolve_sweep(path: str | Path) -> Path:
    """A sweep file's path: as given, or the shipped example of that name (`licence_cofinance`)."""
    from configs import CONFIG_DIR
    return find_in_library(path, CONFIG_DIR / "sweeps") or Path(path)


def parse_sweep(raw: dict, path: Path) -> SweepFile:
    """The sweep file's table as a `SweepFile`; ScenarioError naming the first bad field."""
    try:
        return SweepFile.model_validate(raw)
    except ValidationError as err:
        errors = err.errors()
        # a parameter is a list or a range: report the error of the form the file wrote, not the other's
        def written_form(error) -> bool:
            loc = error["loc"]
            if len(loc) < 3 or loc[0] != "parameters":
                return True
            as_range = isinstance((raw.get("parameters") or {}).get(loc[1]), dict)
            return (loc[2] == "Range") == as_range
        errors = [e for e in errors if written_form(e)] or errors
        first = errors[0]
        where = ".".join(str(p) for p in first["loc"] if p not in ("list[any]", "Range")) or "sweep"
        reason = "unknown field" if first["type"] == "extra_forbidden" else first["msg"].removeprefix("Value error, ")
        raise ScenarioError(path, where, reason) from None


def read_sweep(path: str | Path) -> SweepFile:
    """Read and validate a sweep file's own fields, without checking its design against the scenario (that
    is `sweep_check.load_sweep`): for a finished sweep's report, whose scenario may have moved on."""
    path = resolve_sweep(path)
    if not path.is_file():
        raise ScenarioError(path, "file", "no such sweep file")
    return parse_sweep(read_toml(path), path)
