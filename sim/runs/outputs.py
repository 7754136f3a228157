"""Run outputs: the tables and `summary.json` of DESIGN.md, written byte-for-byte reproducibly."""
from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..version import __version__
from ..constants import CN, COUNTRIES, MARKETS, PRODUCTS, STAGES
from ..dates import format_month
from ..project_limits import fund_limit_outcomes

FLOAT_FORMAT = "%.9g"
_UMASK = os.umask(0)
os.umask(_UMASK)
EVENT_COLUMNS = ["date", "actor", "kind", "target", "detail", "rationale"]


TABLE_MAKERS = {
    "prices": lambda model: model.recorder.prices(),
    "flows": lambda model: model.recorder.flows(),
    "supply": lambda model: model.recorder.supply(),
    "licences": lambda model: model.recorder.licences(),
    "capacity": lambda model: model.recorder.capacities(),
    "stocks": lambda model: model.recorder.stocks(
        {s.country for s in model.states.values() if s.stockpile_row is not None}),
    "events": lambda model: pd.DataFrame(model.log.rows, columns=EVENT_COLUMNS),
}


def table(model, name: str) -> pd.DataFrame:
    """One output table by name (`prices`, ..., `events`), as written to `<name>.csv`."""
    return TABLE_MAKERS[name](model)


def tables(model) -> dict[str, pd.DataFrame]:
    return {f"{name}.csv": make(model) for name, make in TABLE_MAKERS.items()}


def _share(values: np.ndarray) -> float:
    total = values.sum()
    return float(values[CN] / total) if total > 0 else 0.0


def outcomes(model) -> dict[str, float]:
    """Headline numbers of a run, flat and named so that sweeps can keep any of them."""
    rec = model.recorder
    n = rec.written
    out: dict[str, float] = {}
    start = model.start_prices
    for p, product in enumerate(PRODUCTS):
        for k, market in enumerate(MARKETS):
            series = rec.price[:n, p, k]
            out[f"price_peak_{product}_{market}"] = float(series.max())
            out[f"price_end_{product}_{market}"] = float(series[-1])
            out[f"price_peak_ratio_{product}_{market}"] = float(series.max() / start[p, k])
    demand = rec.demand[:n].sum(axis=2)
    delivered = rec.delivered[:n].sum(axis=2)
    short = demand - delivered
    for c, country in enumerate(COUNTRIES):
        if demand[:, c].sum() <= 0:
            continue
        out[f"shortage_t_{country}"] = float(short[:, c].sum())
        out[f"shortage_share_{country}"] = float(short[:, c].sum() / demand[:, c].sum())
        monthly = np.divide(short[:, c], demand[:, c], out=np.zeros(n), where=demand[:, c] > 0)
        out[f"shortage_peak_month_share_{country}"] = float(monthly.max())
    out["shortage_t_total"] = float(short.sum())
    out["shortage_share_total"] = float(short.sum() / demand.sum()) if demand.sum() > 0 else 0.0
    first, last = slice(0, min(12, n)), slice(max(n - 12, 0), n)
    for s, stage in enumerate(STAGES):
        out[f"china_share_{stage}_first_year"] = _share(rec.output[first, s].sum(axis=0))
        out[f"china_share_{stage}_last_year"] = _share(rec.output[last, s].sum(axis=0))
        capacity = rec.capacity[:n, :, s]
        non_china = capacity.sum(axis=1) - capacity[:, CN]
        out[f"capacity_nonchina_{stage}_start_t"] = float(non_china[0])
        out[f"capacity_nonchina_{stage}_end_t"] = float(non_china[-1])
    flows = rec.flow[:n]
    out["china_exports_t"] = float(flows[:, :, CN, :].sum() - flows[:, :, CN, CN].sum())
    lic = rec.licence[:n]
    applied, approved, denied = (float(lic[:, i].sum()) for i in range(3))
    out["licence_applied_t"] = applied
    out["licence_approved_t"] = approved
    out["licence_denied_t"] = denied
    out["licence_approval_rate"] = approved / (approved + denied) if approved + denied > 0 else 1.0
    paid, available = model.diplomats.fund_use(model.start_month + n - 1)
    out["cofinance_used_usd"] = paid
    out["cofinance_available_usd"] = available
    out.update(fund_limit_outcomes(model, model.start_month + n - 1))  # what kept the funds from building more
    for name, count in model.caps.hits.items():
        out[f"cap_hits_{name}"] = float(count)
    out["mass_balance_max_rel_error"] = float(model.max_balance_error)
    return {k: clean_outcome(v) for k, v in out.items()}


def clean_outcome(value: float) -> float:
    """An outcome as stored: finite, rounded to 9 significant digits like the CSV tables."""
    if not math.isfinite(value):
        raise ValueError(f"non-finite outcome {value}")
    return float(f"{value:.9g}")


def summary(model) -> dict:
    sc = model.scenario
    return {
        "scenario": sc.name,
        "seed": model.seed_value,
        "months": model.recorder.written,
        "start": sc.start,
        "end": format_month(model.start_month + model.recorder.written - 1),
        "version": __version__,
        "scale": sc.world.scale,
        "outcomes": outcomes(model),
    }


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.chmod(tmp, 0o666 & ~_UMASK)
    os.replace(tmp, path)


OUTPUT_FILES = (*(f"{name}.csv" for name in TABLE_MAKERS), "summary.json", "report.html")  # in writing order


def write_outputs(model, out_dir: Path, why=None, progress=None) -> dict:
    """Write every table, `summary.json` and `report.html` (with `why`, an attribution, in its Why section)
    into `out_dir`; returns the summary. `progress(name)` is called before each file is written."""
    tell = progress or (lambda name: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = tables(model)
    for name, frame in frames.items():
        tell(name)
        _write_atomic(out_dir / name, frame.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n"))
    tell("summary.json")
    result = summary(model)
    _write_atomic(out_dir / "summary.json", json.dumps(result, indent=2, sort_keys=True) + "\n")
    from .report import render_report
    tell("report.html")
    _write_atomic(out_dir / "report.html", render_report(model, frames, result, why))
    return result
