"""Sweep benchmark: N runs of a short scenario, a plain serial loop against `ree sweep` on 2 workers.

    python benchmarks/bench_sweep.py [--runs 200] [--months 24] [--rounds 5] [--json FILE]

Each round times the same runs twice, back to back: a serial loop of `run_scenario` in this process, then
the sweep engine behind `ree sweep` (`sim.runs.sweep.run_sweep`) with an embedded cluster of 2 workers, its
start-up included. For reference a round also times the same runs on a bare `multiprocessing` pool of 2
forked processes: what this machine itself gives two processes, with no scheduler, storage or progress.
Rounds alternate the three so that a change in background load hits all.

- parallel efficiency = serial time / (2 x sweep time), start-up included; target >= 85%
- per-run overhead    = the workers' time outside runs (scheduling, transfers, storage, the last chunks'
  imbalance) per unit of time inside runs, start-up excluded; target < 5%. Both parts come from the same
  sweep, so the machine's drift between measurements does not enter it.
Totals over the rounds give the verdict; each round's numbers go to stderr.

Memory, after the rounds: the resident memory of each worker of the same embedded cluster over
`--memory-runs` runs (half on each worker, measured after every tenth of them), and of this process over a
plain loop of as many `run_scenario` calls, after the 100th and the last run. Target: the last within 40 MB of
the 100th (Mesa 3.3.1 kept every model alive, ~0.3-0.7 MB a run, until `sim/mesa_compat.py`).

    python benchmarks/bench_sweep.py --memory-only --memory-runs 1000 --memory-months 12
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.runs.runner import run_scenario  # noqa: E402
from sim.runs.sweep import client_for, load_sweep, run_chunk, run_sweep, runs  # noqa: E402

WORKERS = 2
SCENARIO = "full_embargo"


def sweep_file(folder: Path, runs_wanted: int, months: int) -> Path:
    spec = folder / "bench.toml"
    spec.write_text(
        f'[sweep]\nscenario = "{SCENARIO}"\nmonths = {months}\nreplicates = {runs_wanted // 4}\n'
        f'seed = 1\nsampler = "grid"\n[parameters]\n"market.precaution" = [0.5, 1.0, 1.5, 2.0]\n',
        encoding="utf-8",
    )
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


def timed_sweep(spec: Path, out: Path) -> dict:
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    table = run_sweep(spec, out, workers=WORKERS)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "sweep_s": wall,
        "ok": int((table.status == "ok").sum()),
        "in_runs_s": float(table.seconds.sum()),
        "parent_cpu_s": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
    }


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def process_memory(runs_wanted: int, months: int) -> dict:
    """This process's resident memory over a plain loop of `run_scenario` (after the 1st, 100th and last)."""
    seen = {}
    for index in range(runs_wanted):
        run_scenario({"scenario": SCENARIO, "months": months}, seed=index)
        if index + 1 in (1, 100, runs_wanted):
            gc.collect()
            seen[index + 1] = _rss_mb()
    return seen


def worker_memory(spec: Path, months: int, steps: int = 10) -> list[dict]:
    """Each worker's resident memory over the sweep's runs, half on each worker of an embedded cluster of
    2 (the one `ree sweep` starts), measured after every `steps`-th share of them."""
    rows = runs(load_sweep(spec)).to_dict("records")
    client, cluster = client_for(None, WORKERS, SCENARIO)
    try:
        workers = sorted(client.scheduler_info()["workers"])
        settings = dict(scenario=SCENARIO, months=months, outcomes=[], aggregates={})
        size = max(1, len(rows) // (steps * len(workers)))
        done, samples = 0, []
        while done < len(rows):
            futures = []
            for worker in workers:
                chunk = rows[done : done + size]
                done += len(chunk)
                if chunk:
                    futures.append(client.submit(run_chunk, chunk, workers=[worker], pure=False, **settings))
            client.gather(futures)
            samples.append(
                {
                    "runs": done,
                    **{
                        f"worker{i + 1}_mb": mb / 2**20
                        for i, mb in enumerate(client.run(_worker_rss, workers=workers).values())
                    },
                }
            )
    finally:
        client.close()
        cluster.close()
    return samples


def _worker_rss() -> int:
    import psutil

    gc.collect()
    return psutil.Process().memory_info().rss


def memory_report(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        spec = sweep_file(Path(tmp), args.memory_runs, args.memory_months)
        samples = worker_memory(spec, args.memory_months)
    first, last = samples[0], samples[-1]
    for sample in samples:
        print(
            f"workers after {sample['runs']:5d} runs: "
            + ", ".join(f"{v:6.1f} MB" for k, v in sample.items() if k != "runs"),
            file=sys.stderr,
            flush=True,
        )
    growth = max(last[k] - first[k] for k in first if k != "runs")
    print(
        f"worker memory          {', '.join(f'{first[k]:.0f} -> {last[k]:.0f} MB' for k in first if k != 'runs')}"
        f" over runs {first['runs']}-{last['runs']} ({SCENARIO}, {args.memory_months} months, half on each):"
        f" {growth:+.1f} MB at most"
    )
    loop = process_memory(args.memory_runs, args.memory_months)
    verdict = "met" if loop[args.memory_runs] - loop[min(100, args.memory_runs)] <= 40 else "NOT met"
    print(
        f"one process, run_scenario x {args.memory_runs}: {loop[1]:.0f} MB after the 1st run, "
        f"{loop[min(100, args.memory_runs)]:.0f} MB after the 100th, {loop[args.memory_runs]:.0f} MB after the last "
        f"({loop[args.memory_runs] - loop[min(100, args.memory_runs)]:+.1f} MB; target <= +40 MB: {verdict})"
    )
    return {"workers": samples, "process": loop}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory-runs", type=int, default=400, help="runs for the memory measurements")
    parser.add_argument("--memory-months", type=int, default=12)
    parser.add_argument("--memory-only", action="store_true", help="skip the timed rounds")
    parser.add_argument("--json", type=Path, help="also write every number to this file")
    args = parser.parse_args()
    if args.memory_only:
        run_scenario({"scenario": SCENARIO, "months": 2}, seed=0)
        memory = memory_report(args)
        if args.json:
            args.json.write_text(json.dumps({"memory": memory}, indent=2), encoding="utf-8")
        return
    rounds = []
    with tempfile.TemporaryDirectory() as tmp:
        spec = sweep_file(Path(tmp), args.runs, args.months)
        n = len(runs(load_sweep(spec)))
        run_scenario({"scenario": SCENARIO, "months": 2}, seed=0)  # imports and caches, as a worker has them
        cluster_startup()  # imports Dask, so that round 1's start-up is timed like the others'
        for index in range(args.rounds):
            row = {
                "serial_s": serial_loop(spec, args.months),
                "pool_s": bare_pool(spec, args.months),
                "startup_s": cluster_startup(),
                **timed_sweep(spec, Path(tmp) / f"out{index}"),
            }
            if row["ok"] != n:
                sys.exit(f"round {index + 1}: only {row['ok']} of {n} runs succeeded")
            row.update(
                efficiency=row["serial_s"] / (WORKERS * row["sweep_s"]),
                pool_efficiency=row["serial_s"] / (WORKERS * row["pool_s"]),
                overhead=outside_runs(row["sweep_s"] - row["startup_s"], row["in_runs_s"]),
            )
            rounds.append(row)
            print(
                f"round {index + 1}: serial {row['serial_s']:6.2f} s, bare pool {row['pool_s']:6.2f} s, "
                f"sweep {row['sweep_s']:6.2f} s (start-up {row['startup_s']:.2f} s): efficiency "
                f"{row['efficiency']:.1%} (bare pool {row['pool_efficiency']:.1%}), per-run overhead "
                f"{row['overhead']:+.1%}",
                file=sys.stderr,
                flush=True,
            )
    total = {key: sum(r[key] for r in rounds) for key in rounds[0] if key.endswith("_s")}
    efficiency = total["serial_s"] / (WORKERS * total["sweep_s"])
    overhead = outside_runs(total["sweep_s"] - total["startup_s"], total["in_runs_s"])
    slowdown = total["in_runs_s"] / total["serial_s"] - 1
    print(
        f"{n} runs of {SCENARIO}, {args.months} months, {WORKERS} workers, {os.cpu_count()} CPUs; "
        f"{args.rounds} alternating rounds, pooled"
    )
    print(
        f"serial loop            {total['serial_s'] / args.rounds:8.2f} s a round  "
        f"({total['serial_s'] / args.rounds / n * 1000:.0f} ms a run)"
    )
    print(
        f"ree sweep, {WORKERS} workers    {total['sweep_s'] / args.rounds:8.2f} s a round  "
        f"(cluster start-up {total['startup_s'] / args.rounds:.2f} s included; the sweep process used "
        f"{total['parent_cpu_s'] / args.rounds:.2f} CPU-s)"
    )
    print(
        f"parallel efficiency    {efficiency:8.1%}   target >= 85%: {'met' if efficiency >= 0.85 else 'NOT met'}"
        f"   (median round {statistics.median(r['efficiency'] for r in rounds):.1%}, "
        f"range {min(r['efficiency'] for r in rounds):.0%}-{max(r['efficiency'] for r in rounds):.0%})"
    )
    print(
        f"per-run overhead       {overhead:+8.1%}   target < 5%:   {'met' if overhead < 0.05 else 'NOT met'}"
        f"   (workers' time outside runs, per unit of time in runs)"
    )
    print(
        f"runs on busy workers   {slowdown:+8.1%}   slower than in the serial loop; a bare fork pool reaches "
        f"{total['serial_s'] / (WORKERS * total['pool_s']):.1%} efficiency: the machine's own ceiling"
    )
    memory = memory_report(args)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "runs": n,
                    "months": args.months,
                    "workers": WORKERS,
                    "cpus": os.cpu_count(),
                    "rounds": rounds,
                    "efficiency": efficiency,
                    "overhead": overhead,
                    "run_slowdown": slowdown,
                    "memory": memory,
                },
                indent=2,
            ),
            encoding="utf-8",
        )


def outside_runs(busy_wall_s: float, in_runs_s: float) -> float:
    """Share of the workers' time, once started, not spent inside a run (scheduling, transfers, storage,
    the last chunks' imbalance), per unit of time spent in runs. Both numbers come from the same sweep,
    so a change in the machine's speed between measurements does not enter it."""
    return (WORKERS * busy_wall_s - in_runs_s) / in_runs_s


if __name__ == "__main__":
    main()
