"""Batch parameter sweeps: a design of points x replicates, run on Dask, results written as they arrive.

A sweep file (`configs/sweeps/*.toml`, see DESIGN.md and `sweep_spec`) names a base scenario, the months,
replicates per point, a root seed, a sampler (grid, lhs or sobol via SALib), the parameters (dotted scenario
paths) and the outcomes to keep. The whole design is checked before the first run (`sweep_check`); the runs
and their seeds come from `sweep_design`, so a run's result does not depend on which worker ran it.

Runs go to the workers in chunks sized to about two seconds of work (`ChunkFeeder`); results are appended
as Parquet parts under `DIR/parts/` while the sweep runs and gathered into `DIR/results.parquet` at the
end (`sweep_store`). The folder records the design's fingerprint: `--resume` runs only what is missing, and
only for the same design; `--retry-failed` runs the failed runs again.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from .aggregates import Aggregate
from .dask_cluster import client_for, worker_slots
from ..scenario import ScenarioError, load_raw, resolve_scenario
from .sweep_design import (design, first_difference, fingerprint, fingerprint_content, run_count_text, runs,
                           salib_problem, seed_policy)
from .sweep_check import load_sweep
from .sweep_spec import IDENTITY, META, Range, SweepFile, SweepSpec, parse_sweep, read_sweep, resolve_sweep
from .sweep_store import PartWriter, finished_ids, gather, read_design_record, write_design_record

__all__ = ["META", "IDENTITY", "Range", "SweepFile", "SweepSpec", "ChunkFeeder", "SweepInterrupted", "client_for",
           "design", "dry_run", "load_sweep", "read_sweep", "resolve_sweep", "run_one", "run_sweep", "runs",
           "salib_problem"]


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep: what was kept, and how to go on."""

    def __init__(self, kept: int, total: int):
        super().__init__(f"{kept} of {total} runs kept")
        self.kept, self.total = kept, total


def run_one(row: dict, scenario: str, months: int | None, outcomes: list[str],
            aggregates: dict[str, Aggregate] | None = None, series: list[str] | None = None) -> dict:
    """Run one design point (on a worker); never raises: a failure is recorded with its error. The run's
    monthly series, if asked for, ride along under `_series` (the part writer files them apart)."""
    from .runner import run_with_series
    params = {k: _plain(v) for k, v in row.items() if k not in IDENTITY}
    start = time.perf_counter()
    result = {k: row[k] for k in IDENTITY}
    result.update(params)
    try:
        call = dict(params, scenario=scenario)
        if months is not None:
            call["months"] = months
        out, monthly = run_with_series(call, seed=int(row["seed"]), aggregates=aggregates, series=series)
        if outcomes:
            missing = [o for o in outcomes if o not in out]
            if missing:
                raise KeyError(f"unknown outcome(s) {missing}")
            out = {o: out[o] for o in [*outcomes, *(aggregates or {})]}
        result.update(out)
        result.update(status="ok", error="")
        if monthly:
            result["_series"] = monthly
    except Exception as err:  # recorded, not raised: one bad point must not stop a sweep
        result.update(status="error", error=" ".join(f"{type(err).__name__}: {err}".split()))
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


def _fingerprint(spec: SweepFile) -> tuple[str, dict]:
    content = fingerprint_content(spec, load_raw(resolve_scenario(spec.sweep.scenario)))
    return fingerprint(content), content


def _refuse_other_design(out_dir: Path, spec: SweepFile, content: dict) -> bool:
    """Refuse (ScenarioError, nothing written) to resume a folder made by another design; True if the
    folder has no record yet (a fresh folder, or one written before fingerprints were kept)."""
    record = read_design_record(out_dir)
    if record is None:
        stored = out_dir / "sweep.toml"
        if stored.is_file():  # an older folder: its copy of the sweep file is the record
            from ..scenario import read_toml
            older = parse_sweep(read_toml(stored), stored)
            if older != spec:
                raise ScenarioError(out_dir, "--resume", "the sweep file differs from the one this folder was "
                                    f"made with ({stored}); nothing was changed: resume with that file or use "
                                    "another --out")
        return True
    change = first_difference(record["design"], content)
    if change:
        raise ScenarioError(out_dir, "--resume", f"not the design this folder was made with: {change}; nothing "
                            f"was changed (resume with {out_dir / 'sweep.toml'}, or use another --out)")
    return False


def run_sweep(path: str | Path, out_dir: str | Path, workers: int | None = None, scheduler: str | None = None,
              resume: bool = False, progress: bool = False, flush_seconds: float = 2.0,
              retry_failed: bool = False) -> pd.DataFrame:
    """Run every run of the sweep file not yet in `out_dir` (with `retry_failed`, also those that failed) and
    return the gathered results table. Everything is checked before the folder is touched."""
    source = resolve_sweep(path)
    spec = load_sweep(source)
    out_dir = Path(out_dir)
    resume = resume or retry_failed
    digest, content = _fingerprint(spec)
    started = (out_dir / "parts").exists() or read_design_record(out_dir) is not None
    if started and not resume:
        raise ScenarioError(out_dir, "--out", "holds an earlier sweep; use --resume to finish it or another folder")
    fresh = _refuse_other_design(out_dir, spec, content) if started else True
    table = runs(spec)
    out_dir.mkdir(parents=True, exist_ok=True)
    if fresh:
        table.to_csv(out_dir / "design.csv", index=False)
        write_design_record(out_dir, digest, content, source.read_text(encoding="utf-8"))
    done = finished_ids(out_dir, retry_failed)
    todo = table[~table["run_id"].isin(done)].to_dict("records")
    if todo:
        client, cluster = client_for(scheduler, workers, spec.sweep.scenario)
        try:
            with _bar(len(table), len(done), progress) as bar:
                _run_on(client, todo, spec, PartWriter(out_dir, flush_seconds), bar)
        except KeyboardInterrupt:
            raise SweepInterrupted(len(finished_ids(out_dir)), len(table)) from None
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    return gather(out_dir, IDENTITY + list(spec.parameters) + META[4:], results_metadata(spec, digest),
                  spec.aggregates)


def results_metadata(spec: SweepFile, digest: str) -> dict:
    """What results.parquet says about itself (its schema's `ree` key)."""
    from ..version import __version__
    from .runner import check_params
    from .why_outcomes import parse_outcome
    scenario = check_params(spec.sweep.scenario, {}, spec.sweep.months)
    return {"scenario": spec.sweep.scenario, "scenario_name": scenario.name, "start": scenario.start,
            "months": spec.sweep.months or scenario.months, "months_swept": "months" in spec.parameters,
            "sampler": spec.sweep.sampler, "replicates": spec.sweep.replicates, "seed": spec.sweep.seed,
            "seed_policy": seed_policy(spec), "version": __version__, "fingerprint": digest,
            "parameters": {n: (v.model_dump() if isinstance(v, Range) else list(v))
                           for n, v in spec.parameters.items()},
            "series": {name: parse_outcome(name, "sweep.series").unit for name in spec.sweep.series}}


def dry_run(path: str | Path) -> str:
    """What `ree sweep --dry-run` prints: the number of runs, how it comes about, and the design."""
    source = resolve_sweep(path)
    spec = load_sweep(source)
    points = design(spec)
    sweep = spec.sweep
    months = f"{sweep.months} months" if sweep.months else "the scenario's months"
    lines = [f"{source}: {run_count_text(spec, len(points))} of {sweep.scenario} ({months}); nothing was run.",
             f"seeds: {seed_policy(spec)}",
             f"outcomes: {', '.join(sweep.outcomes) if sweep.outcomes else 'all of summary.json'}"
             + (f"; aggregates: {', '.join(spec.aggregates)}" if spec.aggregates else "")
             + (f"; monthly series: {', '.join(sweep.series)}" if sweep.series else ""),
             "parameters:"]
    for name, values in spec.parameters.items():
        shown = (f"{values.min:g} to {values.max:g}" + (", whole numbers" if values.integer else "")
                 if isinstance(values, Range) else ", ".join(f"{v:g}" if isinstance(v, float) else str(v)
                                                             for v in values))
        lines.append(f"  {name}: {shown}")
    with pd.option_context("display.max_rows", 20, "display.width", 120, "display.max_columns", 12):
        lines += ["design points:", points.to_string(max_rows=20, index=False)]
    return "\n".join(lines)


def _run_on(client, todo: list[dict], spec: SweepFile, writer: PartWriter, bar) -> None:
    """Keep two chunks per worker in flight (one running, one queued behind it), record each as it
    returns, and hand out the next."""
    from distributed import as_completed
    settings = dict(scenario=spec.sweep.scenario, months=spec.sweep.months, outcomes=spec.sweep.outcomes,
                    aggregates=spec.aggregates, series=spec.sweep.series)
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
