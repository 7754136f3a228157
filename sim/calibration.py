"""Calibration tables from `configs/data/*.csv`, read with pandas and checked row by row.

Each table keeps its source columns; the model only reads the numbers. A bad row raises
`ScenarioError(file, "row N column", reason)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .constants import COUNTRIES, FIRM_KINDS, N_COUNTRIES, N_PRODUCTS, PRODUCTS, SECTORS, STAGES, C, P, S
from .dates import parse_month
from .scenario import ScenarioError, data_library

SOURCE_COLUMNS = ("source_title", "source_year", "source_url", "note")

REQUIRED = {
    "firms.csv": ("name", "kind", "country", "capacity_t_per_year", "output_t", "unit_cost_usd_per_kg"),
    "projects.csv": ("name", "firm", "country", "stage", "tonnes_per_year", "online", "unit_cost_usd_per_kg"),
    "mine_output.csv": ("country", "year", "tonnes_reo"),
    "ore_grades.csv": ("country", "light_fraction", "heavy_fraction"),
    "demand.csv": ("country", "sector", "share_of_world"),
    "parameters.csv": ("key", "value"),
    "trade_links.csv": ("product", "exporter", "importer", "weight"),
}


REQUIRED_PARAMETERS = (
    "magnet_reo_demand_t",
    "magnet_demand_reference_year",
    "magnet_demand_growth",
    "heavy_share_of_magnet_reo",
    "price_ore",
    "price_light_oxide",
    "price_heavy_oxide",
    "price_magnet",
    "china_price_ratio",
    "substitution_speed",
)


@dataclass(frozen=True)
class Calibration:
    firms: pd.DataFrame
    projects: pd.DataFrame
    mine_output: pd.DataFrame
    ore_grades: pd.DataFrame  # indexed by country, columns light_fraction, heavy_fraction
    demand_shares: np.ndarray  # (country, sector) share of world magnet demand
    parameters: dict[str, float]
    trade_weights: np.ndarray  # (product, exporter, importer); NaN where the file says nothing

    def param(self, key: str) -> float:
        return self.parameters[key]


def _fail(path: Path, row: int | None, column: str, reason: str):
    where = f"row {row} {column}" if row is not None else column
    raise ScenarioError(path, where, reason)


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        _fail(path, None, "file", "missing calibration table")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        _fail(path, None, "csv", f"unreadable: {str(err).splitlines()[0]}")
    return checked_table(path, table, REQUIRED[name])


def checked_table(path: Path, table: pd.DataFrame, required: tuple[str, ...]) -> pd.DataFrame:
    """`table` read from `path`, once its required columns are there and every row names its source."""
    for column in required + SOURCE_COLUMNS[:1]:
        if column not in table.columns:
            _fail(path, None, column, "column is missing")
    for i, row in table.iterrows():
        if not (row["source_title"].strip() or row.get("note", "").strip()):
            _fail(path, i + 2, "source_title", "every calibration row needs its source")
    table.attrs["path"] = path
    return table


def _numbers(table: pd.DataFrame, column: str, minimum: float = 0.0) -> None:
    path = table.attrs["path"]
    values = []
    for i, text in enumerate(table[column]):
        try:
            value = float(text)
        except ValueError:
            _fail(path, i + 2, column, f"'{text}' is not a number")
        if not np.isfinite(value) or value < minimum:
            _fail(path, i + 2, column, f"{value} is below {minimum}" if np.isfinite(value) else "not finite")
        values.append(value)
    table[column] = values


def _members(table: pd.DataFrame, column: str, allowed: tuple[str, ...], wildcard: bool = False) -> None:
    path = table.attrs["path"]
    ok = set(allowed) | ({"*"} if wildcard else set())
    for i, text in enumerate(table[column]):
        if text not in ok:
            _fail(path, i + 2, column, f"unknown {column} '{text}' (expected one of {', '.join(sorted(ok))})")


def resolve_data_folder(folder: str) -> Path:
    """'' is the shipped configs/data; a name such as `data_2009` is a folder shipped beside it; anything
    else is a path."""
    if not folder:
        return data_library()
    shipped = data_library().parent / folder
    return shipped if shipped.is_dir() and not Path(folder).is_dir() else Path(folder)


@lru_cache(maxsize=8)
def load_calibration(folder: str = "") -> Calibration:
    root = resolve_data_folder(folder)
    firms = _read(root, "firms.csv")
    _members(firms, "kind", FIRM_KINDS[:3])
    _members(firms, "country", COUNTRIES)
    for column in ("capacity_t_per_year", "output_t"):
        _numbers(firms, column)
    _numbers(firms, "unit_cost_usd_per_kg", minimum=1e-9)

    projects = _read(root, "projects.csv")
    _members(projects, "country", COUNTRIES)
    _members(projects, "stage", STAGES)
    _numbers(projects, "tonnes_per_year")
    _numbers(projects, "unit_cost_usd_per_kg", minimum=1e-9)

    mine_output = _read(root, "mine_output.csv")
    _members(mine_output, "country", COUNTRIES)
    _numbers(mine_output, "tonnes_reo")
    mine_output["year"] = mine_output["year"].astype(int)

    grades = _read(root, "ore_grades.csv")
    _members(grades, "country", COUNTRIES)
    _numbers(grades, "light_fraction")
    _numbers(grades, "heavy_fraction")
    grades = grades.set_index("country")
    for country in COUNTRIES:
        if country not in grades.index:
            _fail(root / "ore_grades.csv", None, "country", f"no row for {country}")
        if grades.loc[country, "light_fraction"] + grades.loc[country, "heavy_fraction"] > 1:
            _fail(root / "ore_grades.csv", None, country, "light + heavy fractions exceed 1")

    demand = _read(root, "demand.csv")
    _members(demand, "country", COUNTRIES)
    _members(demand, "sector", SECTORS)
    _numbers(demand, "share_of_world")
    shares = np.zeros((N_COUNTRIES, len(SECTORS)))
    for row in demand.itertuples():
        shares[C[row.country], S[row.sector]] += row.share_of_world
    if abs(shares.sum() - 1) > 1e-6:
        _fail(root / "demand.csv", None, "share_of_world", f"shares add up to {shares.sum():.4f}, not 1")

    params = _read(root, "parameters.csv")
    _numbers(params, "value", minimum=-np.inf)
    parameters = dict(zip(params["key"], params["value"]))
    for key in REQUIRED_PARAMETERS:
        if key not in parameters:
            _fail(root / "parameters.csv", None, key, "required parameter is missing")

    links = _read(root, "trade_links.csv")
    _members(links, "product", PRODUCTS)
    _members(links, "exporter", COUNTRIES, wildcard=True)
    _members(links, "importer", COUNTRIES, wildcard=True)
    _numbers(links, "weight")
    weights = np.full((N_PRODUCTS, N_COUNTRIES, N_COUNTRIES), np.nan)
    for row in links.itertuples():  # later rows override earlier ones
        exporters = range(N_COUNTRIES) if row.exporter == "*" else [C[row.exporter]]
        importers = range(N_COUNTRIES) if row.importer == "*" else [C[row.importer]]
        exact = row.exporter != "*" and row.importer != "*"
        for e in exporters:
            for m in importers:
                if e != m or exact:  # wildcards never touch domestic trade
                    weights[P[row.product], e, m] = row.weight
    return Calibration(firms, projects, mine_output, grades, shares, parameters, weights)


def firm_table(cal: Calibration, extra_firms, start_month: int) -> tuple[list[dict], list[tuple]]:
    """The firms a run starts with (calibration, the scenario's extra firms, the owners of projects, and a
    dormant developer per country for each processing stage), and the projects still to come online as
    (month, firm, tonnes_per_year, name)."""
    table = cal.firms[["name", "kind", "country", "capacity_t_per_year", "output_t", "unit_cost_usd_per_kg"]].to_dict(
        "records"
    )
    for extra in extra_firms:
        row = extra.model_dump()
        row["output_t"] = row["output_t"] if row["output_t"] is not None else 0.0
        table.append(row)
    stage_kind = {"mining": "miner", "refining": "refiner", "magnets": "magnet_maker"}
    known = {r["name"] for r in table}
    scheduled = []
    for project in cal.projects.to_dict("records"):
        if project["firm"] not in known:
            table.append(
                {
                    "name": project["firm"],
                    "kind": stage_kind[project["stage"]],
                    "country": project["country"],
                    "capacity_t_per_year": 0.0,
                    "output_t": 0.0,
                    "unit_cost_usd_per_kg": project["unit_cost_usd_per_kg"],
                }
            )
            known.add(project["firm"])
        online = parse_month(project["online"])
        if online <= start_month:
            next(r for r in table if r["name"] == project["firm"])["capacity_t_per_year"] += project["tonnes_per_year"]
        else:
            scheduled.append((online, project["firm"], project["tonnes_per_year"], project["name"]))

    present = {(r["kind"], r["country"]) for r in table}
    for country in COUNTRIES:
        for kind, cost in (("refiner", 12.0), ("magnet_maker", 100.0)):
            if (kind, country) not in present:  # someone to develop a first plant there
                table.append(
                    {
                        "name": f"{country} {kind.replace('_', ' ')} developers",
                        "kind": kind,
                        "country": country,
                        "capacity_t_per_year": 0.0,
                        "output_t": 0.0,
                        "unit_cost_usd_per_kg": cost,
                    }
                )
    return table, scheduled


def trade_weights(cal: Calibration, home_preference: float) -> np.ndarray:
    """Trade-link weights, product x exporter x importer, with the domestic links the data leave open
    filled in: ore goes wherever there is a refinery for it; finished goods favour home suppliers."""
    weights = np.where(np.isnan(cal.trade_weights), 0.0, cal.trade_weights)
    home = np.isnan(np.diagonal(cal.trade_weights, axis1=1, axis2=2))
    for p in range(N_PRODUCTS):
        diagonal = np.diagonal(weights[p]).copy()
        diagonal[home[p]] = 1.0 if p == P["ore"] else home_preference
        np.fill_diagonal(weights[p], diagonal)
    return weights
