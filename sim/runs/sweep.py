"""Batch parameter sweeps: a design of points x replicates, run on Dask, results written as they arrive.

A sweep file (`configs/sweeps/*.toml`, see DESIGN.md) names a base scenario, the months, replicates per
point, a root seed, a sampler (grid, lhs or sobol via SALib), the parameters (dotted scenario paths) and
the outcomes to keep. Every run gets a seed from `numpy.random.SeedSequence(root).spawn`, indexed by its
run id, so its result does not depend on which worker ran it or in which order.

Runs go to the workers in chunks sized to about two seconds of work (`ChunkFeeder`); results are appended
as Parquet parts under `DIR/parts/` while the sweep runs and gathered into `DIR/results.parquet` at the
end (`sweep_store`); an interrupted sweep keeps every finished run, and `--resume` runs only what is
missing.
"""
from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .aggregates import Aggregate
from .dask_cluster import client_for, worker_slots
from ..dates import format_month, parse_month
from ..scenario import ScenarioError, find_in_library, read_toml
from .sweep_store import PartWriter, done_ids, gather

META = ["run_id", "point_id", "replicate", "seed", "status", "error", "seconds"]
IDENTITY = META[:4]


class Range(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: float
    max: float


class SweepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: str = Field(min_length=1)
    months: int | None = Field(None, gt=0, le=1200)
    replicates: int = Field(1, ge=1, le=10000)
    seed: int = Field(0, ge=0)
    sampler: Literal["grid", "lhs", "sobol"] = "grid"
    samples: int = Field(16, ge=1, le=1_000_000)
    outcomes: list[str] = Field(default_factory=list)

    @field_validator("outcomes")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not name or not name.replace("_", "").isalnum():
                raise ValueError(f"'{name}' is not an outcome name")
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


def load_sweep(path: str | Path) -> SweepFile:
    path = resolve_sweep(path)
    if not path.is_file():
        raise ScenarioError(path, "file", "no such sweep file")
    raw = read_toml(path)
    try:
        spec = SweepFile.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"] if p not in ("list[any]", "Range")) or "sweep"
        reason = "unknown field" if first["type"] == "extra_forbidden" else first["msg"].removeprefix("Value error, ")
        raise ScenarioError(path, where, reason) from None
    _check_design(spec, path)
    return spec


def _check_aggregates(spec: SweepFile, path: Path) -> None:
    for name, aggregate in spec.aggregates.items():
        if not name.isidentifier():
            raise ScenarioError(path, f"aggregates.{name}", "a name must be letters, digits and _")
        if name in spec.parameters or name in META:
            raise ScenarioError(path, f"aggregates.{name}", "the name is already a results column")
        try:
            aggregate.check()
        except ValueError as err:
            field, _, reason = str(err).partition(": ")
            raise ScenarioError(path, f"aggregates.{name}.{field}", reason) from None


def _check_design(spec: SweepFile, path: Path) -> None:
    from .runner import check_params
    _check_aggregates(spec, path)
    sampler = spec.sweep.sampler
    for name, values in spec.parameters.items():
        if sampler == "grid" and not isinstance(values, list):
            raise ScenarioError(path, f"parameters.{name}", "a grid needs a list of values")
        if sampler != "grid" and not isinstance(values, Range):
            raise ScenarioError(path, f"parameters.{name}", f"{sampler} needs a range {{ min = ..., max = ... }}")
        if isinstance(values, list) and not values:
            raise ScenarioError(path, f"parameters.{name}", "empty list of values")
        if isinstance(values, Range) and not values.min < values.max:
            raise ScenarioError(path, f"parameters.{name}", "min must be below max")
    # every parameter must be a valid scenario path with valid values: check one point per parameter
    first = {name: (values[0] if isinstance(values, list) else values.min) for name, values in spec.parameters.items()}
    try:
        scenario = check_params(spec.sweep.scenario, first, spec.sweep.months)
    except ScenarioError as err:
        raise ScenarioError(path, f"parameters ({err.field})", err.reason) from None
    _check_windows(spec, path, scenario)


def _check_windows(spec: SweepFile, path: Path, scenario) -> None:
    """Every aggregate's from/to must lie inside the months the runs cover (the shortest run's, when
    `months` itself is swept)."""
    months = spec.sweep.months or scenario.months  # run_one lets sweep.months win over a swept `months`
    swept = spec.parameters.get("months")
    if swept is not None and spec.sweep.months is None:
        months = int(min(swept) if isinstance(swept, list) else swept.min)
    start = parse_month(scenario.start)
    first, last = format_month(start), format_month(start + months - 1)
    for name, aggregate in spec.aggregates.items():
        try:
            aggregate.check_window(first, last)
        except ValueError as err:
            field, _, reason = str(err).partition(": ")
            raise ScenarioError(path, f"aggregates.{name}.{field}",
                                f"{reason} ({spec.sweep.scenario}, {months} months)") from None


def design(spec: SweepFile) -> pd.DataFrame:
    """One row per design point: point_id and a column per parameter (dotted path)."""
    names = list(spec.parameters)
    sampler = spec.sweep.sampler
    if sampler == "grid":
        rows = list(itertools.product(*(spec.parameters[n] for n in names)))
    else:
        problem = salib_problem(spec)
        if sampler == "lhs":
            from SALib.sample import latin
            rows = latin.sample(problem, spec.sweep.samples, seed=spec.sweep.seed)
        else:
            from SALib.sample import sobol
            rows = sobol.sample(problem, spec.sweep.samples, calc_second_order=False, seed=spec.sweep.seed)
    table = pd.DataFrame(list(rows), columns=names)
    table.insert(0, "point_id", np.arange(len(table)))
    return table


def salib_problem(spec: SweepFile) -> dict:
    """SALib's description of a sampled design: the parameters and their ranges."""
    names = list(spec.parameters)
    return {"num_vars": len(names), "names": names,
            "bounds": [[spec.parameters[n].min, spec.parameters[n].max] for n in names]}


def runs(spec: SweepFile) -> pd.DataFrame:
    """Every run: the design points times the replicates, each with its own spawned seed."""
    points = design(spec)
    replicates = spec.sweep.replicates
    table = points.loc[points.index.repeat(replicates)].reset_index(drop=True)
    table.insert(1, "replicate", np.tile(np.arange(replicates), len(points)))
    table.insert(0, "run_id", np.arange(len(table)))
    children = np.random.SeedSequence(spec.sweep.seed).spawn(len(table))
    table.insert(3, "seed", [int(child.generate_state(1)[0]) for child in children])
    return table


def run_one(row: dict, scenario: str, months: int | None, outcomes: list[str],
            aggregates: dict[str, Aggregate] | None = None) -> dict:
    """Run one design point (on a worker); never raises: a failure is recorded with its error."""
    from .runner import run_scenario
    params = {k: _plain(v) for k, v in row.items() if k not in IDENTITY}
    start = time.perf_counter()
    result = {k: row[k] for k in IDENTITY}
    result.update(params)
    try:
        call = dict(params, scenario=scenario)
        if months is not None:
            call["months"] = months
        out = run_scenario(call, seed=int(row["seed"]), aggregates=aggregates)
        if outcomes:
            missing = [o for o in outcomes if o not in out]
            if missing:
                raise KeyError(f"unknown outcome(s) {missing}")
            out = {o: out[o] for o in [*outcomes, *(aggregates or {})]}
        result.update(out)
        result.update(status="ok", error="")
    except Exception as err:  # recorded, not raised: one bad point must not stop a sweep
        result.update(status="error", error=f"{type(err).__name__}: {err}")
    result["seconds"] = time.perf_counter() - start
    return result


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


# ------------------------------------------------------------------------------------------ running
class ChunkFeeder:
    """Hands the runs out in chunks of about `target_seconds` of work each, so that the scheduler's and
    the result transfer's cost per task is paid once per chunk, not once per run. Chunks shrink as the
    end nears (never more than a share of what is left per worker), so no worker sits idle while another
    finishes a long last chunk. The first chunks are single runs: they measure how long a run takes."""

    def __init__(self, rows: list[dict], slots: int, target_seconds: float = 2.0):
        self.rows, self.slots, self.target_seconds = rows, slots, target_seconds
        self.position, self.runs_timed, self.seconds_timed = 0, 0, 0.0

    def record(self, results: list[dict]) -> None:
        self.runs_timed += len(results)
        self.seconds_timed += sum(r["seconds"] for r in results)

    def next(self) -> list[dict] | None:
        left = len(self.rows) - self.position
        if left == 0:
            return None
        wanted = 1
        if self.runs_timed:
            wanted = max(1, int(self.target_seconds * self.runs_timed / max(self.seconds_timed, 1e-9)))
        size = max(1, min(wanted, left // (2 * self.slots)))
        chunk = self.rows[self.position:self.position + size]
        self.position += size
        return chunk


def run_chunk(rows: list[dict], **settings) -> list[dict]:
    return [run_one(row, **settings) for row in rows]


def run_sweep(path: str | Path, out_dir: str | Path, workers: int | None = None, scheduler: str | None = None,
              resume: bool = False, progress: bool = False, flush_seconds: float = 2.0) -> pd.DataFrame:
    """Run every run of the sweep file not yet in `out_dir` and return the gathered results table."""
    source = resolve_sweep(path)
    spec = load_sweep(source)
    out_dir = Path(out_dir)
    if out_dir.exists() and (out_dir / "parts").exists() and not resume:
        raise ScenarioError(out_dir, "--out", "holds an earlier sweep; use --resume to finish it or another folder")
    table = runs(spec)
    out_dir.mkdir(parents=True, exist_ok=True)
    table.to_csv(out_dir / "design.csv", index=False)
    (out_dir / "sweep.toml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    done = done_ids(out_dir)
    todo = table[~table["run_id"].isin(done)].to_dict("records")
    if todo:
        client, cluster = client_for(scheduler, workers, spec.sweep.scenario)
        try:
            with _bar(len(table), len(done), progress) as bar:
                _run_on(client, todo, spec, PartWriter(out_dir, flush_seconds), bar)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    return gather(out_dir, IDENTITY + list(spec.parameters) + META[4:])


def _run_on(client, todo: list[dict], spec: SweepFile, writer: PartWriter, bar) -> None:
    """Keep two chunks per worker in flight (one running, one queued behind it), record each as it
    returns, and hand out the next."""
    from distributed import as_completed
    settings = dict(scenario=spec.sweep.scenario, months=spec.sweep.months, outcomes=spec.sweep.outcomes,
                    aggregates=spec.aggregates)
    feeder = ChunkFeeder(todo, worker_slots(client))
    first = [chunk for chunk in (feeder.next() for _ in range(2 * feeder.slots)) if chunk]
    in_flight = as_completed([client.submit(run_chunk, chunk, pure=False, **settings) for chunk in first])
    try:
        for future in in_flight:
            results = future.result()
            writer.add(results)
            feeder.record(results)
            bar.update(len(results))
            chunk = feeder.next()
            if chunk:
                in_flight.add(client.submit(run_chunk, chunk, pure=False, **settings))
    finally:
        writer.flush()  # whatever finished is kept, even when the sweep is stopped (Ctrl-C)


def _bar(total: int, done: int, show: bool):
    from tqdm import tqdm

    class SweepBar(tqdm):
        monitor_interval = 0  # no monitor thread left behind: the next sweep's workers can still be forked
    return SweepBar(total=total, initial=done, desc="sweep", unit="run", disable=not show)
