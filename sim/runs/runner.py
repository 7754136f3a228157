"""Running a scenario to the end: for the CLI (with a progress bar and output folder) and for scripts."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..scenario import Scenario, load_scenario


def run_model(scenario: Scenario, seed: int | None = None, progress: Callable[[int], None] | None = None):
    """Build the model and step it through every month; returns the finished model.

    BLAS runs single-threaded meanwhile: the model's matrices are at most firms x countries, so extra
    BLAS threads only add hand-offs (a run took ~4% longer with two), and in a sweep every worker's BLAS
    threads would compete for the same cores (forked workers keep the parent's thread count)."""
    from threadpoolctl import threadpool_limits

    from ..model import RareEarthModel
    with threadpool_limits(limits=1, user_api="blas"):
        model = RareEarthModel(scenario=scenario, seed=seed)
        while not model.finished:
            model.step()
            if progress is not None:
                progress(1)
    return model


def run_to_folder(scenario: Scenario, out_dir: Path, seed: int | None = None,
                  progress: Callable[[int], None] | None = None, why=None) -> dict:
    """Run and write every output file of DESIGN.md into `out_dir`; returns the summary. `why`, an outcome
    (`sim.runs.why_outcomes`), adds its attribution over the whole run to report.html."""
    from .outputs import write_outputs
    model = run_model(scenario, seed=seed, progress=progress)
    explained = None
    if why is not None:
        from .attribution import attribute
        explained = attribute(scenario, why, 0, scenario.months - 1, seed=seed)
    return write_outputs(model, Path(out_dir), why=explained)


def run_scenario(params: dict[str, Any], seed: int, aggregates: dict | None = None) -> dict[str, float]:
    """Run one scenario and return the headline outcomes of `summary.json` as a flat dict of numbers.

    `params` holds dotted scenario paths (as with `--set`), plus optionally `scenario` (library name or
    path; default `baseline_2024`) and `months`. `aggregates` adds aggregates of the output tables, by
    name (see `sim.aggregates`). For notebooks, sweeps and EMA workbench.
    """
    return run_with_series(params, seed, aggregates)[0]


def run_with_series(params: dict[str, Any], seed: int, aggregates: dict | None = None,
                    series: list[str] | None = None) -> tuple[dict[str, float], list[dict]]:
    """`run_scenario`'s outcomes, and the monthly values of each named series (`ree why`'s outcome names,
    such as `shortage_share:US`) as long rows: series, date, value. The model is dropped on return."""
    from .outputs import outcomes
    params = dict(params)
    name = params.pop("scenario", "baseline_2024")
    model = run_model(check_params(name, params), seed=int(seed))
    result = outcomes(model)
    if aggregates:
        from .aggregates import compute_all
        result.update(compute_all(model, aggregates))
    rows = monthly_series(model, series) if series else []
    return result, rows


def monthly_series(model, names: list[str]) -> list[dict]:
    from ..dates import format_month
    from .why_outcomes import parse_outcome
    months = model.recorder.written
    rows = []
    for text in names:
        outcome = parse_outcome(text, "sweep.series")
        for month in range(months):
            rows.append({"series": text, "date": format_month(model.start_month + month),
                         "value": float(outcome.value(model, month, month))})
    return rows


def outcome_names(scenario: Scenario) -> list[str]:
    """The names of the outcomes a run of `scenario` reports (from a one-month run: ~0.1 s)."""
    from .outputs import outcomes
    model = run_model(scenario.model_copy(update={"months": 1}), seed=0)
    return list(outcomes(model))


def check_params(scenario: str | Path, params: dict[str, Any], months: int | None = None) -> Scenario:
    """The scenario with dotted-path `params` (and `months`) applied and validated, without running it."""
    overrides = params if months is None else {**params, "months": months}
    return load_scenario(scenario, overrides=overrides, source="params")
