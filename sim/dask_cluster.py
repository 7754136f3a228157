"""The Dask cluster a sweep runs on: an existing one named by address, or an embedded one tuned for
long pure-Python tasks (settings measured with benchmarks/bench_sweep.py)."""
from __future__ import annotations

import os
import sys


def client_for(scheduler: str | None, workers: int | None, scenario: str = "baseline_2024"):
    """A Dask client: an existing cluster at `scheduler` (or DASK_SCHEDULER_ADDRESS), else an embedded
    local cluster of processes sized to the machine, started warm for `scenario`."""
    from distributed import Client, LocalCluster
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address:
        return Client(address, timeout="20s"), None
    import dask
    dask.config.set(embedded_worker_config())
    _warm_up(scenario)  # forked workers inherit the loaded modules and calibration tables
    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=50)
    return Client(cluster), cluster


def worker_slots(client) -> int:
    """How many runs the cluster can work on at once (at least 1, so a cluster still gathering its
    workers gets work queued)."""
    return max(1, sum(client.nthreads().values()))


def embedded_worker_config() -> dict:
    """Dask settings for the embedded cluster; a setting the user gives in the environment
    (DASK_DISTRIBUTED__...) wins."""
    settings = {
        # the statistical profiler samples every running task's stack: with a pure-Python model it
        # tripled the run time on a busy worker
        "distributed.worker.profile.enabled": False,
        # the nanny's MALLOC_TRIM_THRESHOLD_=65536 stops glibc adapting its mmap threshold, so every
        # month's arrays are mapped and unmapped afresh: a run took ~25% longer
        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
        # forked workers start in 0.4 s with everything imported; spawned ones took 1.1 s to start and
        # 0.7 s more on their first run (fork is only relied on where it is the platform's default)
        "distributed.worker.multiprocessing-method": "fork" if sys.platform == "linux" else "spawn",
        # the event loops' housekeeping (a tick every 20 ms, memory and system polls every 0.1-0.5 s)
        # takes the GIL from the running model; tasks last seconds, so coarser housekeeping loses nothing
        "distributed.admin.tick.interval": "1s",
        "distributed.admin.system-monitor.interval": "5s",
        "distributed.worker.memory.monitor-interval": "5s",
    }
    return {key: value for key, value in settings.items()
            if "DASK_" + key.upper().replace(".", "__").replace("-", "_") not in os.environ}


def _warm_up(scenario: str) -> None:
    from .runner import run_scenario
    try:
        run_scenario({"scenario": scenario, "months": 1}, seed=0)
    except Exception:  # a broken scenario is reported by the runs themselves, one row each
        pass
