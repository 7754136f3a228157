"""The Dask cluster a sweep runs on: an existing one named by address, or an embedded one tuned for
long pure-Python tasks (settings measured with benchmarks/bench_sweep.py)."""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading


def client_for(scheduler: str | None, workers: int | None, scenario: str = "baseline_2024"):
    """A Dask client: an existing cluster at `scheduler` (or DASK_SCHEDULER_ADDRESS), else an embedded
    local cluster of processes sized to the machine, started warm for `scenario`."""
    from distributed import Client, LocalCluster
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address:
        return Client(address, timeout="20s"), None
    import dask
    settings = embedded_worker_config()
    dask.config.update(dask.config.config, settings, priority="new")
    if settings["distributed"]["worker"]["multiprocessing-method"] == "fork":
        _warm_up(scenario)  # forked workers inherit the loaded modules and calibration tables
    with _workers_ignore_ctrl_c():
        # The scheduler's HTTP server starts even without a dashboard, on 8787 unless told otherwise, and
        # warns on stderr when another cluster holds that port: a free port on loopback keeps it quiet.
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
                               silence_logs=50)
    return Client(cluster), cluster


@contextlib.contextmanager
def _workers_ignore_ctrl_c():
    """Ctrl-C reaches every process of the terminal's group: the workers would each die with a
    traceback while the sweep process saves what finished and closes them. Workers started while SIGINT
    is ignored inherit that, and neither Python nor asyncio installs its own handler over it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def worker_slots(client) -> int:
    """How many runs the cluster can work on at once (at least 1, so a cluster still gathering its
    workers gets work queued)."""
    return max(1, sum(client.nthreads().values()))


def embedded_worker_config() -> dict:
    """Dask settings for the embedded cluster: `configs/dask/ree.yaml` (what cluster workers should use
    too), and how workers start. Forked workers start in 0.3 s with everything imported; spawned ones took
    1.1 s to start and 0.7 s more on their first run. But a fork copies every lock as it is at that
    instant, so a lock another thread holds (a log stream being written, as under pytest or in a
    notebook) stays held in the worker for ever and it hangs. So: fork only where it is the platform's
    default and this process runs no other thread but Dask's (`ree sweep`, scripts); spawn otherwise."""
    import yaml

    from configs import CONFIG_DIR
    settings = yaml.safe_load((CONFIG_DIR / "dask" / "ree.yaml").read_text(encoding="utf-8"))
    # Dask's own idle thread pools (`Dask-Offload`) outlive a cluster and are known to be fork-safe
    alone = all(t is threading.current_thread() or t.name.startswith("Dask-") for t in threading.enumerate())
    settings["distributed"]["worker"]["multiprocessing-method"] = "fork" if sys.platform == "linux" and alone else "spawn"
    return settings


def _warm_up(scenario: str) -> None:
    from .runner import run_scenario
    try:
        run_scenario({"scenario": scenario, "months": 1}, seed=0)
    except Exception:  # a broken scenario is reported by the runs themselves, one row each
        pass
