"""Sweep benchmark: N runs of a short scenario, a plain serial loop against `ree sweep` on 2 workers.

    python benchmarks/bench_sweep.py [--runs 200] [--months 24] [--rounds 5] [--json FILE]

Each round times the same runs twice, back to back: a serial loop of `run_scenario` in this process, then
the sweep engine behind `ree sweep` (`sim.sweep.run_sweep`) with an embedded cluster of 2 workers, its
start-up included. For reference a round also times the same runs on a bare `multiprocessing` pool of 2
forked processes: what this machine itself gives two processes, with no scheduler, storage or progress.
Rounds alternate the three so that a change in background load hits all; the verdict uses the median round.

- parallel efficiency = serial time / (2 x sweep time); target >= 85%
- per-run overhead    = (2 x (sweep time - cluster start-up) - serial time) / serial time, i.e. what the
  sweep adds to each run once the one-off start-up is paid; target < 5%
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.runner import run_scenario  # noqa: E402
from sim.sweep import client_for, load_sweep, run_sweep, runs  # noqa: E402

WORKERS = 2
SCENARIO = "full_embargo"


def sweep_file(folder: Path, runs_wanted: int, months: int) -> Path:
    spec = folder / "bench.toml"
    spec.write_text(f'[sweep]\nscenario = "{SCENARIO}"\nmonths = {months}\nreplicates = {runs_wanted // 4}\n'
                    f'seed = 1\nsampler = "grid"\n[parameters]\n"market.precaution" = [0.5, 1.0, 1.5, 2.0]\n',
                    encoding="utf-8")
    return spec


def one_run(job: tuple[float, int, int]) -> None:
    precaution, seed, months = job
    run_scenario({"scenario": SCENARIO, "months": months, "market.precaution": precaution}, seed=seed)


def jobs(spec: Path, months: int) -> list[tuple[float, int, int]]:
    return [(row["market.precaution"], int(row["seed"]), months) for row in runs(load_sweep(spec)).to_dict("records")]


def serial_loop(spec: Path, months: int) -> float:
    start = time.perf_counter()
    for job in jobs(spec, months):
        one_run(job)
    return time.perf_counter() - start


def bare_pool(spec: Path, months: int) -> float:
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        pool.map(one_run, jobs(spec, months), chunksize=1)
    return time.perf_counter() - start


def cluster_startup() -> float:
    start = time.perf_counter()
    client, cluster = client_for(None, WORKERS, SCENARIO)
    client.close()
    cluster.close()
    return time.perf_counter() - start


def timed_sweep(spec: Path, out: Path) -> tuple[float, int]:
    start = time.perf_counter()
    table = run_sweep(spec, out, workers=WORKERS)
    return time.perf_counter() - start, int((table.status == "ok").sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write every number to this file")
    args = parser.parse_args()
    rounds = []
    with tempfile.TemporaryDirectory() as tmp:
        spec = sweep_file(Path(tmp), args.runs, args.months)
        n = len(runs(load_sweep(spec)))
        run_scenario({"scenario": SCENARIO, "months": 2}, seed=0)  # imports and caches, as a worker has them
        for index in range(args.rounds):
            serial = serial_loop(spec, args.months)
            pool = bare_pool(spec, args.months)
            startup = cluster_startup()
            parallel, ok = timed_sweep(spec, Path(tmp) / f"out{index}")
            if ok != n:
                sys.exit(f"round {index + 1}: only {ok} of {n} runs succeeded")
            rounds.append({"serial_s": serial, "pool_s": pool, "sweep_s": parallel, "startup_s": startup,
                           "efficiency": serial / (WORKERS * parallel),
                           "overhead": (WORKERS * (parallel - startup) - serial) / serial,
                           "pool_efficiency": serial / (WORKERS * pool),
                           "over_pool": (parallel - startup) / pool - 1})
            print(f"round {index + 1}: serial {serial:6.2f} s, bare pool {pool:6.2f} s, sweep {parallel:6.2f} s "
                  f"(start-up {startup:.2f} s): efficiency {rounds[-1]['efficiency']:.1%} (bare pool "
                  f"{rounds[-1]['pool_efficiency']:.1%}), per-run overhead {rounds[-1]['overhead']:+.1%}",
                  file=sys.stderr, flush=True)
    middle = sorted(rounds, key=lambda r: r["efficiency"])[len(rounds) // 2]
    efficiency = middle["efficiency"]
    overhead = statistics.median(r["overhead"] for r in rounds)
    print(f"{n} runs of {SCENARIO}, {args.months} months, {WORKERS} workers; {os.cpu_count()} CPUs; "
          f"median of {args.rounds} alternating rounds")
    print(f"serial loop            {middle['serial_s']:8.2f} s   ({middle['serial_s'] / n * 1000:.0f} ms a run)")
    print(f"ree sweep, {WORKERS} workers    {middle['sweep_s']:8.2f} s   "
          f"(embedded cluster start-up {middle['startup_s']:.2f} s included)")
    print(f"parallel efficiency    {efficiency:8.1%}   target >= 85%: {'met' if efficiency >= 0.85 else 'NOT met'}")
    print(f"per-run overhead       {overhead:+8.1%}   target < 5%:   {'met' if overhead < 0.05 else 'NOT met'}")
    print(f"bare fork pool         {middle['pool_s']:8.2f} s   efficiency "
          f"{statistics.median(r['pool_efficiency'] for r in rounds):.1%}: the machine's own ceiling; the sweep "
          f"engine takes {statistics.median(r['over_pool'] for r in rounds):+.1%} more once started")
    if args.json:
        args.json.write_text(json.dumps({"runs": n, "months": args.months, "workers": WORKERS,
                                         "cpus": os.cpu_count(), "rounds": rounds,
                                         "efficiency": efficiency, "overhead": overhead}, indent=2),
                             encoding="utf-8")


if __name__ == "__main__":
    main()
