"""Checking a sweep's whole design before its first run, so that a bad file costs one line, not a sweep.

- every grid value and both ends of every range are validated against the scenario schema's bounds (a
  0.5-1.5 range for a 0-1 rate, a grid value of 1.5, `inf` or `nan`), and then every design point;
- an integer field (`world.scale`) in an LHS or Sobol design is refused unless its range says
  `integer = true` (samples rounded to whole numbers): a sampler draws fractions;
- a parameter is reported by the name the file gives it (`events.no57.later_rate`, not `events.8...`), and a
  name that is no field of the scenario gets the closest names that are;
- outcome names are checked against what a run reports, and aggregate and series names against theirs.
"""
from __future__ import annotations

import copy
import difflib
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .sweep_design import design
from .sweep_spec import META, Range, SweepFile, read_sweep, resolve_sweep
from ..dates import format_month, parse_month
from ..scenario import Scenario, ScenarioError, apply_override, load_raw, resolve_scenario, validate

MAX_POINTS_CHECKED = 4096  # every point of a design up to this size (about 0.3 ms each), a spread beyond


def load_sweep(path: str | Path) -> SweepFile:
    """Read a sweep file and check its whole design against the scenario; ScenarioError for the first problem."""
    spec = read_sweep(path)
    check_design(spec, resolve_sweep(path))
    return spec


def check_design(spec: SweepFile, path: Path) -> Scenario:
    """Raise ScenarioError (file, field, reason: one line) for the first problem; return the scenario of the
    first design point."""
    _check_aggregates(spec, path)
    _check_shapes(spec, path)
    try:
        scenario_path = resolve_scenario(spec.sweep.scenario)
    except ScenarioError as err:
        raise ScenarioError(path, "sweep.scenario", f"'{spec.sweep.scenario}': {err.reason}") from None
    raw = load_raw(scenario_path)
    base = _validated(raw, {}, spec.sweep.months, scenario_path, path, "sweep.months")
    for name, values in spec.parameters.items():
        _check_name(base, raw, name, path)
        ends = ([(f"min = {_g(values.min)}", values.min), (f"max = {_g(values.max)}", values.max)]
                if isinstance(values, Range) else [(f"value {_g(v)}", v) for v in values])
        for label, value in ends:
            _validated(raw, {name: value}, spec.sweep.months, scenario_path, path, f"parameters.{name}", label)
        if isinstance(values, Range) and not values.integer:
            _check_fractions(raw, name, values, spec, path)
    first = _check_points(spec, raw, scenario_path, path)
    from .runner import outcome_names
    _check_outcomes(spec, outcome_names(first), path)
    _check_series(spec, path)
    _check_windows(spec, path, first)
    return first


def _g(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else repr(value) if isinstance(value, str) else str(value)


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


def _check_shapes(spec: SweepFile, path: Path) -> None:
    sampler = spec.sweep.sampler
    for name, values in spec.parameters.items():
        where = f"parameters.{name}"
        if sampler == "grid" and not isinstance(values, list):
            raise ScenarioError(path, where, "a grid needs a list of values")
        if sampler != "grid" and not isinstance(values, Range):
            raise ScenarioError(path, where, f"{sampler} needs a range {{ min = ..., max = ... }}")
        if isinstance(values, list):
            if not values:
                raise ScenarioError(path, where, "empty list of values")
            bad = [v for v in values if isinstance(v, float) and not math.isfinite(v)]
            if bad:
                raise ScenarioError(path, where, f"value {bad[0]} is not a finite number")
            if len({repr(v) for v in values}) < len(values):
                raise ScenarioError(path, where, "a value is listed twice (it would be one design point twice)")
        if isinstance(values, Range):
            if not values.min < values.max:
                raise ScenarioError(path, where, "min must be below max")
            if values.integer and not (float(values.min).is_integer() and float(values.max).is_integer()):
                raise ScenarioError(path, where, "an integer range needs whole-number min and max")
    if sampler == "sobol":
        n = spec.sweep.samples
        if n & (n - 1):
            low = 1 << (n.bit_length() - 1)
            raise ScenarioError(path, "sweep.samples", f"Sobol sequences need a power of 2 (got {n}; try {low} or "
                                f"{2 * low})")
    elif spec.sweep.second_order:
        raise ScenarioError(path, "sweep.second_order", f"only a Sobol design has second-order indices (sampler is "
                            f"{sampler})")


def _validated(raw: dict, params: dict, months: int | None, scenario_path: Path, path: Path, field: str,
               label: str = "") -> Scenario:
    """The scenario with `params` (and the sweep's months) applied, or a ScenarioError that names the sweep
    file and `field` (the parameter as the file writes it)."""
    trial = copy.deepcopy(raw)
    name = field.removeprefix("parameters.")
    try:
        for dotted, value in params.items():
            apply_override(trial, dotted, value, source=str(path))
        if months is not None:
            apply_override(trial, "months", months, source=str(path))
        return validate(trial, scenario_path)
    except ScenarioError as err:
        at = ""
        if err.field not in (name, _index_form(raw, name)):
            at = f" (at {_id_form(raw, err.field)})"
        prefix = f"{label}: " if label else ""
        raise ScenarioError(path, field, f"{prefix}{err.reason}{at} (scenario {scenario_path.stem})") from None


def _index_form(raw: dict, name: str) -> str:
    """`events.no57.later_rate` -> `events.8.later_rate`: the location the schema's errors use."""
    parts = name.split(".")
    node: Any = raw  # the dicts and lists down the path, None past its end
    for i, part in enumerate(parts):
        if isinstance(node, list):
            ids = [item.get("id") if isinstance(item, dict) else None for item in node]
            if not part.isdigit() and part in ids:
                parts[i] = str(ids.index(part))
            node = node[int(parts[i])] if parts[i].isdigit() and int(parts[i]) < len(node) else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            break
    return ".".join(parts)


def _id_form(raw: dict, location: str) -> str:
    """`events.8.later_rate` -> `events.no57.later_rate` when that event has an id."""
    parts = location.split(".")
    events = raw.get("events")
    if not isinstance(events, list):
        events = []
    if len(parts) > 1 and parts[0] == "events" and parts[1].isdigit() and int(parts[1]) < len(events):
        event = events[int(parts[1])]
        if isinstance(event, dict) and event.get("id"):
            parts[1] = str(event["id"])
    return ".".join(parts)


def _check_name(base: Scenario, raw: dict, name: str, path: Path) -> None:
    """A parameter that names no field of the scenario: said with the closest names that are."""
    parts = name.split(".")
    events = raw.get("events", [])
    by_date = sorted(range(len(events)), key=lambda i: parse_month(events[i]["date"]))  # the schema's order
    node: Any = base
    for depth, part in enumerate(parts):
        where = ".".join(parts[:depth]) or "the scenario"
        if isinstance(node, BaseModel):
            fields = list(type(node).model_fields)
            if part not in fields:
                raise ScenarioError(path, f"parameters.{name}",
                                    f"'{part}' is not a field of {where}{_close(part, fields)}")
            node = getattr(node, part)
        elif isinstance(node, list):
            ids = [str(getattr(item, "id", None)) for item in node if getattr(item, "id", None)]
            if part.isdigit():
                index = int(part)
                if node is base.events and index < len(by_date):
                    index = by_date.index(index)
                node = node[index] if index < len(node) else None
            elif part in ids:
                node = next(item for item in node if getattr(item, "id", None) == part)
            else:
                known = _close(part, ids) or (f" (ids here: {', '.join(ids)})" if ids else " (no item here has an id)")
                raise ScenarioError(path, f"parameters.{name}", f"'{part}' is no item of {where}{known}")
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return  # a new key, an unset option or a plain value: validating the values decides


def _close(word: str, choices: list[str]) -> str:
    found = difflib.get_close_matches(word, choices, n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(found)}?)" if found else ""


def _check_fractions(raw: dict, name: str, values: Range, spec: SweepFile, path: Path) -> None:
    """A sampler draws fractions: refuse an integer field unless the range asks to round."""
    low, high = values.min, values.max
    probe = next((v for v in (low + 0.5, (low + high) / 2, low + (high - low) / 3)
                  if low < v < high and not float(v).is_integer()), None)
    if probe is None:
        return
    trial = copy.deepcopy(raw)
    try:
        apply_override(trial, name, probe, source=str(path))
        Scenario.model_validate(trial)
    except ScenarioError:
        return
    except ValidationError as err:
        if any(e["type"].startswith("int_") for e in err.errors()):
            raise ScenarioError(path, f"parameters.{name}", f"an integer field, and {spec.sweep.sampler} draws "
                                f"fractions: write {{ min = {low:g}, max = {high:g}, integer = true }} to round "
                                "each sample to a whole number, or use a grid") from None


def _check_points(spec: SweepFile, raw: dict, scenario_path: Path, path: Path) -> Scenario:
    """Every design point's scenario (a spread of them in a very large design) must validate: values that
    are each within bounds can still clash. Returns the first point's scenario."""
    points = design(spec)
    names = list(spec.parameters)
    step = max(1, math.ceil(len(points) / MAX_POINTS_CHECKED))
    first = None
    for row in points.iloc[::step].itertuples(index=False):
        values = dict(zip(names, row[1:]))
        values = {k: (v.item() if hasattr(v, "item") else v) for k, v in values.items()}
        label = "the design point " + ", ".join(f"{k} = {_g(v)}" for k, v in values.items())
        scenario = _validated(raw, values, spec.sweep.months, scenario_path, path, "parameters", label)
        first = first or scenario
    assert first is not None  # a design has a point at least (_check_shapes refuses an empty list)
    return first


def _check_outcomes(spec: SweepFile, names: list[str], path: Path) -> None:
    for name in spec.sweep.outcomes:
        if name not in names:
            raise ScenarioError(path, "sweep.outcomes", f"'{name}' is not an outcome of {spec.sweep.scenario}"
                                f"{_close(name, names) or ' (ree run writes them into summary.json)'}")
    for name in spec.aggregates:
        if name in names:
            raise ScenarioError(path, f"aggregates.{name}", "the name is already an outcome of summary.json")


def _check_series(spec: SweepFile, path: Path) -> None:
    from .why_outcomes import parse_outcome
    for text in spec.sweep.series:
        try:
            outcome = parse_outcome(text, "sweep.series")
        except ScenarioError as err:
            raise ScenarioError(path, "sweep.series", err.reason) from None
        if not outcome.windowed:
            raise ScenarioError(path, "sweep.series", f"'{text}' is a whole-run outcome, not a monthly series (use "
                                "shortage:US, shortage_share:US[:SECTOR], price:PRODUCT:MARKET, exports:COUNTRY:PRODUCT"
                                " or capacity:STAGE:REGION)")
    if len(set(spec.sweep.series)) < len(spec.sweep.series):
        raise ScenarioError(path, "sweep.series", "a series is named twice")


def _check_windows(spec: SweepFile, path: Path, scenario: Scenario) -> None:
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
