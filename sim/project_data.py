"""What the investment pipeline reads from the calibration folder: named candidate projects
(`candidate_projects.csv`) and how many plants of a stage each country can build at once
(`engineering_capacity.csv`). Both files are optional: a folder without them (configs/data_2009) has no
candidates, and every country builds one greenfield plant of a stage at a time, as the model did before."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .calibration import _members, _numbers, checked_table, resolve_data_folder
from .constants import COUNTRIES, STAGES
from .dates import parse_month

CANDIDATES = "candidate_projects.csv"
ENGINEERING = "engineering_capacity.csv"
FEEDS = ("ore", "own_mine", "oxide", "none")  # what a plant needs to run (own_mine: it brings its own ore)
DEFAULT_PROJECTS_AT_ONCE = 1


@dataclass(frozen=True)
class Candidate:
    """A named project its developer could commit to from `earliest` (a month number) if it is financed."""

    index: int
    name: str
    firm: str
    country: int
    stage: str
    tonnes_per_year: float  # t REO/yr (refining: of feed)
    capex_usd: float
    earliest: int
    lead_months: int
    ramp_months: int
    unit_cost: float  # USD/kg, the cost the developer expects to run at
    feed: str


def _read_optional(folder, name: str, required: tuple[str, ...]) -> pd.DataFrame | None:
    path = folder / name
    if not path.is_file():
        return None
    return checked_table(path, pd.read_csv(path, dtype=str, keep_default_na=False), required)


@lru_cache(maxsize=8)
def load_candidates(folder: str = "") -> tuple[Candidate, ...]:
    table = _read_optional(
        resolve_data_folder(folder),
        CANDIDATES,
        (
            "name",
            "firm",
            "country",
            "stage",
            "tonnes_per_year",
            "capex_usd",
            "earliest_start",
            "lead_months",
            "ramp_months",
            "unit_cost_usd_per_kg",
            "feed",
        ),
    )
    if table is None:
        return ()
    _members(table, "country", COUNTRIES)
    _members(table, "stage", STAGES)
    _members(table, "feed", FEEDS)
    for column in ("tonnes_per_year", "capex_usd", "lead_months", "ramp_months"):
        _numbers(table, column)
    _numbers(table, "unit_cost_usd_per_kg", minimum=1e-9)
    return tuple(
        Candidate(
            i,
            r["name"],
            r["firm"],
            COUNTRIES.index(r["country"]),
            r["stage"],
            float(r["tonnes_per_year"]),
            float(r["capex_usd"]),
            parse_month(r["earliest_start"]),
            int(r["lead_months"]),
            max(int(r["ramp_months"]), 1),
            float(r["unit_cost_usd_per_kg"]),
            r["feed"],
        )
        for i, r in enumerate(table.to_dict("records"))
    )


@lru_cache(maxsize=8)
def load_engineering(folder: str = "") -> np.ndarray:
    """Projects of each stage each country can have under construction at once, country x stage."""
    at_once = np.full((len(COUNTRIES), len(STAGES)), DEFAULT_PROJECTS_AT_ONCE, dtype=float)
    table = _read_optional(resolve_data_folder(folder), ENGINEERING, ("country", "stage", "projects_at_once"))
    if table is not None:
        _members(table, "country", COUNTRIES)
        _members(table, "stage", STAGES)
        _numbers(table, "projects_at_once")
        for row in table.itertuples():
            at_once[COUNTRIES.index(row.country), STAGES.index(row.stage)] = row.projects_at_once
    at_once.setflags(write=False)
    return at_once
