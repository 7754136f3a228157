"""Sweep benchmark: N runs of a short scenario, a plain serial loop against `ree sweep` on 2 workers.

    python benchmarks/bench_sweep.py [--runs 200] [--months 24]

Reports the parallel efficiency (serial time / (workers x sweep time)) and the overhead per run
((workers x sweep time - serial time) / serial time), both measured in the same process and run, with the
embedded cluster's start-up included in the sweep time. Targets: efficiency >= 85%, overhead < 5%.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.runner import run_scenario  # noqa: E402
from sim.sweep import client_for, load_sweep, run_sweep, runs  # noqa: E402

WORKERS = 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "bench.toml"
        spec.write_text(f'[sweep]\nscenario = "full_embargo"\nmonths = {args.months}\nreplicates = {args.runs // 4}\n'
                        f'seed = 1\nsampler = "grid"\n[parameters]\n"market.precaution" = [0.5, 1.0, 1.5, 2.0]\n',
                        encoding="utf-8")
        table = runs(load_sweep(spec))
        run_scenario({"scenario": "full_embargo", "months": 2}, seed=0)  # warm imports and caches
        start = time.perf_counter()
        for row in table.itertuples():
            run_scenario({"scenario": "full_embargo", "months": args.months,
                          "market.precaution": row._5}, seed=int(row.seed))
        serial = time.perf_counter() - start
        start = time.perf_counter()
        client, cluster = client_for(None, WORKERS)  # what starting the embedded cluster alone costs
        client.close()
        cluster.close()
        startup = time.perf_counter() - start
        start = time.perf_counter()
        result = run_sweep(spec, Path(tmp) / "out", workers=WORKERS)
        parallel = time.perf_counter() - start
    n = len(table)
    efficiency = serial / (WORKERS * parallel)
    overhead = (WORKERS * parallel - serial) / serial
    print(f"{n} runs of full_embargo, {args.months} months; machine: {os.cpu_count()} CPUs")
    print(f"serial loop            {serial:8.2f} s   ({serial / n * 1000:.0f} ms a run)")
    print(f"ree sweep, {WORKERS} workers    {parallel:8.2f} s   (cluster start-up included; {int((result.status == 'ok').sum())} ok; "
          f"{result.seconds.mean() * 1000:.0f} ms a run on a worker)")
    print(f"parallel efficiency    {efficiency:8.1%}   target >= 85%: {'met' if efficiency >= 0.85 else 'NOT met'}")
    print(f"overhead per run       {overhead:8.1%}   target < 5%: {'met' if overhead < 0.05 else 'NOT met'}")
    running = parallel - startup
    print(f"without the cluster's start-up ({startup:.1f} s): efficiency {serial / (WORKERS * running):.1%}, "
          f"overhead {(WORKERS * running - serial) / serial:.1%}")


if __name__ == "__main__":
    main()
