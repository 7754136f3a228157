"""A sweep's design: its points (grid, or SALib's Latin hypercube and Sobol samples), its runs and their seeds,
and the fingerprint that ties an output folder to the design that filled it.

How many runs each sampler makes (replicates R per design point, D parameters):
- grid: the product of the value lists' lengths x R;
- lhs: `samples` x R;
- sobol: `samples` x (D + 2) x R (Saltelli's scheme: two base matrices and one mixed matrix per parameter),
  or `samples` x (2D + 2) x R with `second_order = true`. 256 samples of 5 parameters are 1,792 points.

Seeds come from `numpy.random.SeedSequence(seed).spawn`: one per run by run id, or with
`common_random_numbers = true` one per replicate, shared by every design point (replicate r of each point
sees the same random draws, so a difference between points is the parameters', not the dice's).
"""
from __future__ import annotations

import hashlib
import itertools
import json

import numpy as np
import pandas as pd

from .sweep_spec import Range, SweepFile
from ..version import __version__


def salib_problem(spec: SweepFile) -> dict:
    """SALib's description of a sampled design: the parameters and their ranges (an integer range is widened
    by half a unit each side, so rounding draws each whole number equally often)."""
    names = list(spec.parameters)
    bounds = []
    for name in names:
        values = spec.parameters[name]
        assert isinstance(values, Range)  # a sampler's parameters are ranges (sweep_check.load_sweep)
        pad = 0.5 if values.integer else 0.0
        bounds.append([values.min - pad, values.max + pad])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def design(spec: SweepFile) -> pd.DataFrame:
    """One row per design point: point_id and a column per parameter (dotted path)."""
    names = list(spec.parameters)
    sweep = spec.sweep
    if sweep.sampler == "grid":
        rows = list(itertools.product(*(spec.parameters[n] for n in names)))
    else:
        problem = salib_problem(spec)
        if sweep.sampler == "lhs":
            from SALib.sample import latin
            rows = latin.sample(problem, sweep.samples, seed=sweep.seed)
        else:
            from SALib.sample import sobol
            rows = sobol.sample(problem, sweep.samples, calc_second_order=sweep.second_order, seed=sweep.seed)
    table = pd.DataFrame(list(rows), columns=names)
    for name in names:
        values = spec.parameters[name]
        if isinstance(values, Range) and values.integer:
            low, high = int(round(values.min)), int(round(values.max))
            table[name] = table[name].round().clip(low, high).astype("int64")
    table.insert(0, "point_id", np.arange(len(table)))
    return table


def runs(spec: SweepFile) -> pd.DataFrame:
    """Every run: the design points times the replicates, each with its seed."""
    points = design(spec)
    replicates = spec.sweep.replicates
    table = points.loc[points.index.repeat(replicates)].reset_index(drop=True)
    table.insert(1, "replicate", np.tile(np.arange(replicates), len(points)))
    table.insert(0, "run_id", np.arange(len(table)))
    table.insert(3, "seed", run_seeds(spec.sweep.seed, len(table), replicates, spec.sweep.common_random_numbers))
    return table


def run_seeds(root: int, n_runs: int, replicates: int, common: bool) -> list[int]:
    """Each run's seed: spawned per run id, or (common random numbers) per replicate and shared by the points."""
    count = replicates if common else n_runs
    seeds = [int(child.generate_state(1)[0]) for child in np.random.SeedSequence(root).spawn(count)]
    return [seeds[i % replicates] for i in range(n_runs)] if common else seeds


def run_count_text(spec: SweepFile, n_points: int) -> str:
    """How the number of runs comes about, e.g. "64 samples x (4 parameters + 2) = 384 points x 3 replicates"."""
    sweep, d = spec.sweep, len(spec.parameters)
    if sweep.sampler == "grid":
        grid = [v for v in spec.parameters.values() if isinstance(v, list)]
        assert len(grid) == d  # a grid's parameters are lists of values (sweep_check.load_sweep)
        how = " x ".join(str(len(v)) for v in grid) + f" grid values = {n_points} points"
    elif sweep.sampler == "lhs":
        how = f"{n_points} Latin hypercube samples"
    else:
        terms = f"2 x {d} + 2" if sweep.second_order else f"{d} + 2"
        how = f"{sweep.samples} Sobol samples x ({terms}) = {n_points} points"
    total = n_points * sweep.replicates
    return f"{how} x {sweep.replicates} replicate{'s' if sweep.replicates > 1 else ''} = {total:,} runs"


def seed_policy(spec: SweepFile) -> str:
    if spec.sweep.common_random_numbers:
        return (f"common random numbers: replicate r of every point uses seed r of SeedSequence({spec.sweep.seed})"
                ".spawn(replicates)")
    return f"one seed per run: SeedSequence({spec.sweep.seed}).spawn(runs)[run_id]"


# ------------------------------------------------------------------------------------------- fingerprint
def fingerprint_content(spec: SweepFile, resolved_scenario: dict) -> dict:
    """Everything that decides what a sweep's runs compute: the design, the seeds, the scenario as resolved
    (its `extends` chain merged, so an edited parent counts), the outcomes, aggregates and series, and ree's
    version. Two sweeps with the same content write the same results."""
    return {
        "version": __version__,
        "scenario": spec.sweep.scenario,
        "scenario_content": _digest(resolved_scenario),
        "months": spec.sweep.months,
        "sampler": spec.sweep.sampler,
        "samples": spec.sweep.samples if spec.sweep.sampler != "grid" else None,
        "second_order": spec.sweep.second_order,
        "replicates": spec.sweep.replicates,
        "seed": spec.sweep.seed,
        "common_random_numbers": spec.sweep.common_random_numbers,
        "parameter_order": list(spec.parameters),  # the order decides the grid's point ids
        "parameters": {name: (values.model_dump() if isinstance(values, Range) else list(values))
                       for name, values in spec.parameters.items()},
        "outcomes": list(spec.sweep.outcomes),
        "aggregates": {name: a.model_dump(by_alias=True) for name, a in spec.aggregates.items()},
        "series": list(spec.sweep.series),
    }


def _digest(content) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(content: dict) -> str:
    return _digest(content)


def first_difference(recorded: dict, current: dict, prefix: str = "") -> str | None:
    """The first field where two fingerprint contents differ, said in words; None if they agree."""
    for key in sorted(set(recorded) | set(current), key=lambda k: (k not in recorded, str(k))):
        before, after = recorded.get(key, "(absent)"), current.get(key, "(absent)")
        where = f"{prefix}{key}"
        if isinstance(before, dict) and isinstance(after, dict):
            found = first_difference(before, after, where + ".")
            if found:
                return found
        elif before != after:
            if key == "scenario_content":
                return f"the scenario's content changed ({current.get('scenario')}: a file it reads was edited)"
            return f"{where} was {_short(before)}, is now {_short(after)}"
    return None


def _short(value) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
