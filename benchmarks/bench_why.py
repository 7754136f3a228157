#!/usr/bin/env python
"""Attribution speed: `ree why` on the two questions of docs/model.md 7.20, process start included, against one plain
`ree run` of the same scenario measured in the same session (the ratio is what attribution costs in runs).

    python benchmarks/bench_why.py            # 3 repeats each
    python benchmarks/bench_why.py --repeats 1
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

CASES = [
    ("full_embargo", ["--outcome", "shortage:US"]),
    ("apr2025_licensing", ["--outcome", "shortage:US", "--from", "2025-04", "--to", "2025-09"]),
]


def wall(args: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim.cli", *args], check=True, capture_output=True)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    print(f"{'scenario':<20} {'question':<44} {'why (s)':>8} {'one run (s)':>12} {'ratio':>6}")
    for scenario, question in CASES:
        whys, runs = [], []
        for _ in range(repeats):  # interleaved, so background load hits both
            whys.append(wall(["why", scenario, *question, "--json"]))
            with tempfile.TemporaryDirectory() as out:
                runs.append(wall(["run", scenario, "--out", out, "--quiet"]))
        why, run = statistics.median(whys), statistics.median(runs)
        print(f"{scenario:<20} {' '.join(question):<44} {why:>8.2f} {run:>12.2f} {why / run:>6.2f}")
    print("target: each `ree why` <= 20 s wall on 2 cores, process start included")


if __name__ == "__main__":
    main()
