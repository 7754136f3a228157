#!/usr/bin/env python
"""Core speed benchmark of the rare-earth model against Mesa's own BoltzmannWealth example.

Run by hand (not a pytest test):

    python benchmarks/bench_core.py            # full mode, a few minutes
    python benchmarks/bench_core.py --quick    # fewer repeats, for CI smoke use
    python benchmarks/bench_core.py --json out.json

It measures, in one process and one run:

1. the default scenario (baseline_2024) for 120 months: construction, the 120 steps, and the total
   (median and min of several repeats), against the target total < 1 s; and one month (the steps' time
   / 120, in ms), against the target <= 1 ms a month;
2. the baseline at world.scale 1, 10, 100 (and at the scale whose firm count is closest to 10,000):
   firm agents (FirmBook rows of kind 0..3) and firm-months per second (firms x months / step time);
3. Mesa's BoltzmannWealth example with n equal to each firm count, on a ceil(sqrt(n)) square grid
   (the example's default density, 100 agents on 10 x 10), stepped as many steps as our model runs months
   (120): agent-steps per second;
4. the ratio of the two rates at each agent count, against the target >= 1.0x at ~10,000 firms.

Both models run exactly as shipped: nothing (data collection, recorders, garbage collection) is turned off.
See benchmarks/README.md for how to read the numbers.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

MONTHS = 120  # months our model runs, and steps BoltzmannWealth runs
SCENARIO = "baseline_2024"
SEED = 42
TARGET_BASELINE_TOTAL_S = 1.0
TARGET_MONTH_MS = 1.0  # one month of the default scenario at default scale
TARGET_RATIO = 1.0
TARGET_AGENTS = 10_000
NEAR_TARGET = 0.10  # a scale counts as "~10,000 firms" within +-10 %

# repeats: (full, quick)
REPEATS_BASELINE = (5, 2)
# per scale; BoltzmannWealth at the same agent count runs as many repeats, interleaved with ours
# (ours, Boltzmann, ours, Boltzmann, ...) so that a change in background load hits both sides alike
REPEATS_BY_SCALE = {1: (5, 2), 10: (5, 1), 100: (3, 1)}
REPEATS_LARGE = (3, 1)  # any other scale (the ~10,000-firm one)


# ============================================================================================ helpers
def _repeats(pair: tuple[int, int], quick: bool) -> int:
    return pair[1] if quick else pair[0]


def _git_describe() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return f"{head}{' (uncommitted changes)' if dirty else ''}" if head else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine_info() -> dict:
    import mesa
    import numpy as np

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "cpu_count": os.cpu_count(),
        "cpu_usable": usable,
        "machine": platform.machine(),
        "processor": platform.processor() or _cpu_model(),
        "platform": platform.platform(),
        "git": _git_describe(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def summarise(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": list(values)}


# ============================================================================================ our model
def run_ours_once(scale: int, months: int = MONTHS) -> dict:
    """Build and run the model once; returns the three wall times and the agent counts."""
    from sim import RareEarthModel

    gc.collect()  # start each repeat from a clean heap; the collector stays on during the run
    t0 = time.perf_counter()
    model = RareEarthModel(scenario=SCENARIO, seed=SEED, months=months, world__scale=scale)
    t1 = time.perf_counter()
    steps = 0
    while not model.finished:
        model.step()
        steps += 1
    t2 = time.perf_counter()
    if steps != months:
        raise RuntimeError(f"expected {months} steps, ran {steps}")
    firms = int((model.book.kind <= 3).sum())
    from agents.firms import FIRM_CLASSES

    mesa_firms = sum(len(model.agents_by_type.get(cls, ())) for cls in FIRM_CLASSES)
    if mesa_firms != firms:
        raise RuntimeError(f"{firms} firm rows but {mesa_firms} Mesa firm agents")
    return {
        "build_s": t1 - t0,
        "steps_s": t2 - t1,
        "total_s": t2 - t0,
        "firms": firms,
        "book_rows": int(model.book.n),
        "mesa_agents": len(model.agents),
        "steps": steps,
    }


def bench_ours(scale: int, repeats: int, runs: list[dict] | None = None) -> dict:
    runs = runs if runs is not None else [run_ours_once(scale) for _ in range(repeats)]
    firms = runs[0]["firms"]
    steps = summarise([r["steps_s"] for r in runs])
    out = {
        "scale": scale,
        "firms": firms,
        "book_rows": runs[0]["book_rows"],
        "mesa_agents": runs[0]["mesa_agents"],
        "months": MONTHS,
        "repeats": repeats,
        "build_s": summarise([r["build_s"] for r in runs]),
        "steps_s": steps,
        "month_ms": summarise([r["steps_s"] / MONTHS * 1000.0 for r in runs]),
        "total_s": summarise([r["total_s"] for r in runs]),
        # rate from the median step time (and the best one)
        "firm_months_per_s": firms * MONTHS / steps["median"],
        "firm_months_per_s_best": firms * MONTHS / steps["min"],
    }
    return out


# ============================================================================================ Boltzmann
def run_boltzmann_once(n: int, steps: int = MONTHS) -> dict:
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannWealth

    side = max(1, math.ceil(math.sqrt(n)))
    gc.collect()
    t0 = time.perf_counter()
    model = BoltzmannWealth(n=n, width=side, height=side, seed=SEED)
    t1 = time.perf_counter()
    for _ in range(steps):
        model.step()
    t2 = time.perf_counter()
    return {"build_s": t1 - t0, "steps_s": t2 - t1, "side": side, "agents": len(model.agents)}


def bench_boltzmann(n: int, repeats: int, runs: list[dict] | None = None) -> dict:
    runs = runs if runs is not None else [run_boltzmann_once(n) for _ in range(repeats)]
    steps = summarise([r["steps_s"] for r in runs])
    return {
        "n": n,
        "grid": f"{runs[0]['side']}x{runs[0]['side']}",
        "steps": MONTHS,
        "repeats": repeats,
        "build_s": summarise([r["build_s"] for r in runs]),
        "steps_s": steps,
        "agent_steps_per_s": n * MONTHS / steps["median"],
        "agent_steps_per_s_best": n * MONTHS / steps["min"],
    }


# ============================================================================================ output
def _ms(s: float) -> str:
    return f"{s * 1000:,.0f} ms"


def _rate(x: float) -> str:
    if x >= 1e6:
        return f"{x / 1e6:,.2f}M/s"
    if x >= 1e3:
        return f"{x / 1e3:,.1f}k/s"
    return f"{x:,.0f}/s"


def _table(headers: list[str], rows: list[list[str]], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(headers) - 1)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def fmt(cells):
        return "  ".join(c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(cells, widths, align))

    return "\n".join([fmt(headers), "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)])


def report(result: dict) -> str:
    m, cfg = result["machine"], result["config"]
    lines = []
    lines.append("=" * 100)
    lines.append(f"ree core benchmark  ({cfg['mode']} mode; {MONTHS} months / steps; seed {SEED})")
    lines.append(
        f"python {m['python']} ({m['implementation']})  numpy {m['numpy']}  mesa {m['mesa']}  "
        f"cpus {m['cpu_count']} (usable {m['cpu_usable']})  {m['machine']}"
    )
    lines.append(f"cpu: {m['processor']}   git: {m['git']}")
    lines.append("=" * 100)

    b = result["baseline"]
    lines.append("")
    lines.append(
        f"1. Default scenario ({SCENARIO}, world.scale 1, {b['firms']} firm agents), "
        f"{MONTHS} months, {b['repeats']} repeats"
    )
    met = b["total_s"]["median"] < TARGET_BASELINE_TOTAL_S
    month_met = b["month_ms"]["min"] <= TARGET_MONTH_MS
    rows = [
        ["construction", _ms(b["build_s"]["median"]), _ms(b["build_s"]["min"]), ""],
        [f"{MONTHS} steps", _ms(b["steps_s"]["median"]), _ms(b["steps_s"]["min"]), ""],
        [
            "total",
            _ms(b["total_s"]["median"]),
            _ms(b["total_s"]["min"]),
            f"target < {TARGET_BASELINE_TOTAL_S:g} s: {'met' if met else 'NOT met'}",
        ],
        [
            "one month",
            f"{b['month_ms']['median']:.3f} ms",
            f"{b['month_ms']['min']:.3f} ms",
            f"target <= {TARGET_MONTH_MS:g} ms: {'met' if month_met else 'NOT met'} (min)",
        ],
    ]
    lines.append(_table(["phase", "median", "min", "target"], rows, "lrrl"))

    lines.append("")
    lines.append(f"2. Our model by world.scale ({MONTHS} months each; rate = firms x months / median step time)")
    rows = []
    for s in result["scales"]:
        rows.append(
            [
                str(s["scale"]),
                f"{s['firms']:,}",
                str(s["repeats"]),
                _ms(s["build_s"]["median"]),
                _ms(s["steps_s"]["median"]),
                _ms(s["steps_s"]["min"]),
                _rate(s["firm_months_per_s"]),
                _rate(s["firm_months_per_s_best"]),
            ]
        )
    lines.append(_table(["scale", "firms", "reps", "build med", "steps med", "steps min", "firm-months", "best"], rows))

    lines.append("")
    lines.append(
        f"3. Mesa BoltzmannWealth example, n = firm count, square grid ceil(sqrt(n)), {MONTHS} steps "
        f"(rate = n x steps / median step time)"
    )
    rows = []
    for bw in result["boltzmann"]:
        rows.append(
            [
                f"{bw['n']:,}",
                bw["grid"],
                str(bw["repeats"]),
                _ms(bw["build_s"]["median"]),
                _ms(bw["steps_s"]["median"]),
                _ms(bw["steps_s"]["min"]),
                _rate(bw["agent_steps_per_s"]),
                _rate(bw["agent_steps_per_s_best"]),
            ]
        )
    lines.append(_table(["n", "grid", "reps", "build med", "steps med", "steps min", "agent-steps", "best"], rows))

    lines.append("")
    lines.append("4. Ratio: our firm-months/s / BoltzmannWealth agent-steps/s at the same agent count (median rates)")
    rows = []
    for r in result["ratios"]:
        target = ""
        if r["is_target_row"]:
            target = f">= {TARGET_RATIO:.1f}x at ~{TARGET_AGENTS:,} firms: {'met' if r['target_met'] else 'NOT met'}"
        rows.append(
            [str(r["scale"]), f"{r['agents']:,}", _rate(r["ours"]), _rate(r["boltzmann"]), f"{r['ratio']:.2f}x", target]
        )
    lines.append(_table(["scale", "agents", "ours", "Boltzmann", "ratio", "target"], rows, "lrrrrl"))

    lines.append("")
    verdict = result["targets"]
    lines.append(
        f"targets: baseline total < {TARGET_BASELINE_TOTAL_S:g} s: "
        f"{'met' if verdict['baseline_total_met'] else 'NOT met'} "
        f"({b['total_s']['median']:.3f} s median);  "
        f"month <= {TARGET_MONTH_MS:g} ms: "
        f"{'met' if verdict['month_met'] else 'NOT met'} ({b['month_ms']['min']:.3f} ms min);  "
        f"ratio >= {TARGET_RATIO:.1f}x at ~{TARGET_AGENTS:,} firms: "
        f"{'met' if verdict['ratio_met'] else 'NOT met'} "
        f"({verdict['ratio_at_target']:.2f}x at {verdict['target_agents']:,} firms, "
        f"scale {verdict['target_scale']})"
    )
    lines.append(f"wall time of this benchmark: {result['wall_s']:.1f} s")
    return "\n".join(lines)


# ============================================================================================ main
def warm_up() -> None:
    """Imports, scenario/calibration caches, numpy's first calls, Mesa's example module."""
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannWealth  # noqa: F401

    run_ours_once(1, months=12)
    run_ours_once(10, months=3)
    run_boltzmann_once(100, steps=10)
    run_boltzmann_once(1000, steps=3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (CI smoke run)")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers as JSON to PATH")
    args = parser.parse_args(argv)
    quick = args.quick
    start = time.perf_counter()

    # make `sim` and `agents` importable when run from a checkout without an install
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    say("warming up ...")
    warm_up()

    say(f"1/3 baseline, {MONTHS} months ...")
    baseline = bench_ours(1, _repeats(REPEATS_BASELINE, quick))

    # scales: 1, 10, 100, and the one whose firm count is closest to 10,000 (unless 100 already is)
    firms_at_1 = baseline["firms"]
    scales = [1, 10, 100]
    target_scale = max(1, round(TARGET_AGENTS / firms_at_1))
    if abs(100 * firms_at_1 - TARGET_AGENTS) / TARGET_AGENTS <= NEAR_TARGET:
        target_scale = 100
    elif target_scale not in scales:
        scales.append(target_scale)
    scales.sort()

    results, boltz = [], []
    for s in scales:
        reps = _repeats(REPEATS_BY_SCALE.get(s, REPEATS_LARGE), quick)
        say(f"2-3/3 scale {s}: our model and BoltzmannWealth, {reps} interleaved repeats ...")
        ours_runs, boltz_runs = [], []
        for _ in range(reps):
            ours_runs.append(run_ours_once(s))
            boltz_runs.append(run_boltzmann_once(ours_runs[0]["firms"]))
        results.append(bench_ours(s, reps, ours_runs))
        boltz.append(bench_boltzmann(ours_runs[0]["firms"], reps, boltz_runs))

    ratios = []
    for r, bw in zip(results, boltz):
        ratio = r["firm_months_per_s"] / bw["agent_steps_per_s"]
        is_target = r["scale"] == target_scale
        ratios.append(
            {
                "scale": r["scale"],
                "agents": r["firms"],
                "ours": r["firm_months_per_s"],
                "boltzmann": bw["agent_steps_per_s"],
                "ratio": ratio,
                "ratio_best": r["firm_months_per_s_best"] / bw["agent_steps_per_s_best"],
                "is_target_row": is_target,
                "target_met": (ratio >= TARGET_RATIO) if is_target else None,
            }
        )
    target_row = next(r for r in ratios if r["is_target_row"])

    result = {
        "machine": machine_info(),
        "config": {
            "mode": "quick" if quick else "full",
            "scenario": SCENARIO,
            "months": MONTHS,
            "boltzmann_steps": MONTHS,
            "seed": SEED,
            "timer": "time.perf_counter",
            "rate_basis": "median step time (excluding construction)",
        },
        "baseline": baseline,
        "scales": results,
        "boltzmann": boltz,
        "ratios": ratios,
        "targets": {
            "baseline_total_s": TARGET_BASELINE_TOTAL_S,
            "baseline_total_met": baseline["total_s"]["median"] < TARGET_BASELINE_TOTAL_S,
            "month_ms": TARGET_MONTH_MS,
            "month_met": baseline["month_ms"]["min"] <= TARGET_MONTH_MS,
            "ratio": TARGET_RATIO,
            "target_scale": target_scale,
            "target_agents": target_row["agents"],
            "ratio_at_target": target_row["ratio"],
            "ratio_met": target_row["target_met"],
        },
    }
    result["wall_s"] = time.perf_counter() - start
    print(report(result))
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2) + "\n")
        say(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
