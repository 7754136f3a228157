"""Sweeps on an embedded or a real Dask cluster, incremental results, resume, failures, bad files."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from configs import CONFIG_DIR
from sim.runs.sweep import load_sweep, runs, run_sweep

HERE = Path(__file__).parents[1] / "sweeps"
IDENTITY = ["run_id", "point_id", "replicate", "seed", "status", "error"]


def _ree(*args, cwd=None, **kw):
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, **kw)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    out = tmp_path_factory.mktemp("embedded")
    return run_sweep(HERE / "small_grid.toml", out, workers=2)


def test_grid_sweep_on_the_embedded_cluster(embedded):
    assert len(embedded) == 8 and (embedded["status"] == "ok").all()
    assert list(embedded["run_id"]) == list(range(8))
    assert {"world.scale", "market.precaution", "shortage_share_US", "seconds"} <= set(embedded.columns)
    # aggregates of the tables are kept beside the headline outcomes
    assert {"us_unmet_share", "magnet_world_price_last"} <= set(embedded.columns)
    assert embedded["us_unmet_share"].to_numpy() == pytest.approx(embedded["shortage_share_US"].to_numpy(), rel=1e-6)
    assert (embedded["magnet_world_price_last"] > 0).all()
    design = runs(load_sweep(HERE / "small_grid.toml"))
    assert list(embedded["seed"]) == list(design["seed"])  # seeds come from the design, not the worker
    # precaution raises the magnet price peak under the embargo
    by = embedded.groupby("market.precaution")["price_peak_ratio_magnet_world"].mean()
    assert by[1.5] > by[0.5]


def test_embedded_workers_run_with_the_shipped_settings():
    import dask

    from sim.runs.dask_cluster import client_for
    client, cluster = client_for(None, 1, "full_embargo")
    try:
        assert set(client.run(os.getenv, "MALLOC_TRIM_THRESHOLD_").values()) == {None}
        assert set(client.run(dask.config.get, "distributed.worker.profile.enabled").values()) == {False}
        assert set(client.run(dask.config.get, "distributed.admin.tick.interval").values()) == {"1s"}
    finally:
        client.close()
        cluster.close()


def test_seeds_are_spawned_from_the_root_seed():
    design = runs(load_sweep(HERE / "small_grid.toml"))
    children = np.random.SeedSequence(3).spawn(len(design))
    assert list(design["seed"]) == [int(c.generate_state(1)[0]) for c in children]
    assert design["seed"].nunique() == len(design)


def test_a_real_scheduler_with_two_workers_gives_identical_results(embedded, tmp_path):
    scheduler_file = tmp_path / "scheduler.json"
    env = dict(os.environ, DASK_CONFIG=str(CONFIG_DIR / "dask"))  # the README's worker settings
    procs = [subprocess.Popen(["dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(scheduler_file)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env)]
    try:
        for _ in range(100):
            if scheduler_file.exists() and scheduler_file.stat().st_size > 0:
                break
            time.sleep(0.2)
        import json
        address = json.loads(scheduler_file.read_text())["address"]
        procs.append(subprocess.Popen(["dask", "worker", address, "--nworkers", "2", "--nthreads", "1",
                                       "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      env=env))
        result = _ree("sweep", HERE / "small_grid.toml", "--out", tmp_path / "out", "--scheduler", address,
                      "--quiet", timeout=300)
        assert result.returncode == 0, result.stderr
        cluster = pd.read_parquet(tmp_path / "out" / "results.parquet")
        from distributed import Client
        with Client(address, timeout="20s") as client:  # the shipped settings reached the workers
            import dask
            assert set(client.run(os.getenv, "MALLOC_TRIM_THRESHOLD_").values()) == {None}
            assert set(client.run(dask.config.get, "distributed.worker.profile.enabled").values()) == {False}
    finally:
        for proc in procs[::-1]:
            proc.terminate()
            proc.wait(timeout=30)
    pd.testing.assert_frame_equal(cluster.drop(columns="seconds"), embedded.drop(columns="seconds"))


def test_sigkill_midway_then_resume_gives_every_run_once(tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim.cli", "sweep", str(HERE / "slow_grid.toml"), "--out", str(out),
           "--workers", "2", "--quiet"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if len(list((out / "parts").glob("part-*.parquet"))) >= 1 or proc.poll() is not None:
                break
            time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, without warning
        proc.wait()
    done_before = len(pd.concat([pd.read_parquet(p) for p in (out / "parts").glob("part-*.parquet")]))
    assert 0 < done_before < 60
    result = _ree("sweep", HERE / "slow_grid.toml", "--out", out, "--workers", "2", "--resume", "--quiet",
                  timeout=600)
    assert result.returncode == 0, result.stderr
    table = pd.read_parquet(out / "results.parquet")
    assert sorted(table["run_id"]) == list(range(60))
    assert (table["status"] == "ok").all()


def test_a_bad_value_is_refused_before_any_run_and_a_failing_run_is_recorded(tmp_path):
    """world.scale = 0 used to fail run by run; now the file is refused before the first run. A run
    that fails anyway (here: handed a bad value behind the checks' back) is recorded with its error."""
    from sim.runs.sweep import run_one
    result = _ree("sweep", HERE / "with_failure.toml", "--out", tmp_path / "out", "--quiet")
    assert result.returncode == 2 and "parameters.world.scale: value 0:" in result.stderr
    assert not (tmp_path / "out").exists()
    row = {"run_id": 1, "point_id": 1, "replicate": 0, "seed": 5, "world.scale": 0}
    failed = run_one(row, "baseline_2024", 3, ["price_end_magnet_world"])
    assert failed["status"] == "error" and "world.scale" in failed["error"] and "\n" not in failed["error"]
    assert "price_end_magnet_world" not in failed


_AGG = '[sweep]\nscenario = "baseline_2024"\n[parameters]\n"world.scale" = [1]\n[aggregates.x]\n'
BROKEN = {
    "syntax.toml": ("[sweep\nscenario = 'x'", "toml"),
    "unknown_field.toml": ('[sweep]\nscenario = "baseline_2024"\ncolour = 1\n[parameters]\n"world.scale" = [1]', "sweep.colour"),
    "bad_sampler.toml": ('[sweep]\nscenario = "baseline_2024"\nsampler = "random"\n[parameters]\n"world.scale" = [1]', "sweep.sampler"),
    "no_parameters.toml": ('[sweep]\nscenario = "baseline_2024"\n[parameters]\n', "parameters"),
    "grid_needs_list.toml": ('[sweep]\nscenario = "baseline_2024"\n[parameters]\n"world.scale" = { min = 1, max = 3 }', "parameters.world.scale"),
    "range_for_sobol.toml": ('[sweep]\nscenario = "baseline_2024"\nsampler = "sobol"\n[parameters]\n"demand.growth" = [0.1]', "parameters.demand.growth"),
    "bad_path.toml": ('[sweep]\nscenario = "baseline_2024"\n[parameters]\n"world.scal" = [1]', "world.scal"),
    "bad_value.toml": ('[sweep]\nscenario = "baseline_2024"\n[parameters]\n"world.scale" = [0]', "world.scale"),
    "unknown_scenario.toml": ('[sweep]\nscenario = "atlantis"\n[parameters]\n"world.scale" = [1]', "scenario"),
    "aggregate_table.toml": (_AGG + 'table = "mines"\nvalue = "tonnes"', "aggregates.x.table"),
    "aggregate_label.toml": (_AGG + 'table = "supply"\nvalue = "demand_t"\nwhere = { country = "USA" }', "aggregates.x.where.country"),
    "aggregate_expression.toml": (_AGG + 'table = "supply"\nvalue = "demand_x"', "aggregates.x.value"),
    "aggregate_month.toml": (_AGG + 'table = "supply"\nvalue = "demand_t"\nfrom = "2026-13"', "aggregates.x.from"),
    # a window the runs never reach is refused at load instead of giving 0.0 for every run
    "aggregate_window_after_run.toml": ('[sweep]\nscenario = "full_embargo"\nmonths = 6\n[parameters]\n"world.scale" = [1]\n'
                                        '[aggregates.x]\ntable = "supply"\nvalue = "demand_t"\nfrom = "2027-01"',
                                        "aggregates.x.from: '2027-01' is outside the run's months, 2024-01 to 2024-06"),
    "aggregate_window_before_run.toml": (_AGG + 'table = "supply"\nvalue = "demand_t"\nto = "2023-06"', "aggregates.x.to"),
    "aggregate_window_past_shortest_run.toml": ('[sweep]\nscenario = "full_embargo"\n[parameters]\n"months" = [6, 12]\n'
                                                '[aggregates.x]\ntable = "supply"\nvalue = "demand_t"\nto = "2024-09"',
                                                "aggregates.x.to: '2024-09' is outside the run's months, 2024-01 to 2024-06"),
    "negative_replicates.toml": ('[sweep]\nscenario = "baseline_2024"\nreplicates = -1\n[parameters]\n"world.scale" = [1]', "sweep.replicates"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_sweep_files_exit_2_with_one_line(name, tmp_path):
    text, field = BROKEN[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = _ree("sweep", path, "--out", tmp_path / "out", "--quiet")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and field in lines[0]
    assert not (tmp_path / "out").exists()


def test_sweep_report_for_a_grid(tmp_path):
    """values in the heatmap cells, the spread over replicates, and NaN outcomes counted; one
    figure per outcome (heatmap, lines per value of the second parameter, a box per point)."""
    from scipy import stats
    from sim.runs.sweep_report import fmt, write_report
    spec = tmp_path / "grid.toml"
    spec.write_text((HERE / "small_grid.toml").read_text(encoding="utf-8")
                    + '\n[aggregates.licensed_to_china]\ntable = "licences"\nvalue = "approved_t"\n'
                      'where = { importer = "CN" }\n', encoding="utf-8")  # no licence regime: NaN in every run
    out = tmp_path / "grid"
    run_sweep(spec, out, workers=1)
    page = write_report(out).read_text()
    charted = page[page.index("<h2 id='aggregates"):page.index("<h2 id='mean")]
    assert charted.count("<svg") == charted.count("<h3 ")  # one figure per charted outcome
    summary = pd.read_csv(out / "summary_by_point.csv")
    assert len(summary) == 4 and {"shortage_share_US_mean", "shortage_share_US_band"} <= set(summary.columns)
    results = pd.read_parquet(out / "results.parquet")
    # the band is the 95% confidence interval of the mean over the replicates
    first = results[results["point_id"] == 0]["shortage_share_US"]
    half = stats.t.ppf(0.975, len(first) - 1) * first.std(ddof=1) / np.sqrt(len(first))
    assert summary.loc[summary["point_id"] == 0, "shortage_share_US_band"].iloc[0] == pytest.approx(half, rel=1e-9)
    start = page.index("<h3 id='price-peak-ratio-magnet-world'>")
    figure = page[start:page.index("<h3", start + 1)]
    for mean in summary["price_peak_ratio_magnet_world_mean"]:
        assert f">{fmt(mean)}<" in figure  # each heatmap cell says its value
    assert "spread over replicates" in figure and "market.precaution" in figure and "world.scale" in figure
    table = page[page.index("Mean ± 95% band per design point"):]
    assert table.count(" ± ") >= 4 * 3 and "n=2" in table
    # an aggregate with nothing to aggregate is NaN, not 0, and the report counts it
    assert results["licensed_to_china"].isna().all()
    assert "<td>licensed_to_china</td><td class=num>8 of 8</td>" in page
    assert "No run has a value for: licensed_to_china" in page


def test_sweep_report_for_a_sobol_design(tmp_path):
    from sim.runs.sweep_report import write_report
    spec = tmp_path / "sobol.toml"
    spec.write_text('[sweep]\nscenario = "full_embargo"\nmonths = 8\nseed = 4\nsampler = "sobol"\nsamples = 4\n'
                    'outcomes = ["price_peak_ratio_magnet_world"]\n[parameters]\n'
                    '"market.precaution" = { min = 0.5, max = 3.0 }\n"market.cover_elasticity" = { min = 1.0, max = 2.0 }\n',
                    encoding="utf-8")
    run_sweep(spec, tmp_path / "out", workers=2)
    page = write_report(tmp_path / "out").read_text()
    assert "Sobol sensitivity indices" in page
    indices = pd.read_csv(tmp_path / "out" / "sobol_indices.csv")
    assert set(indices["parameter"]) == {"market.precaution", "market.cover_elasticity"}
    total = indices.set_index("parameter")["ST"]
    assert total["market.precaution"] > 0  # precaution moves the magnet price peak under an embargo
    # SALib's confidence intervals, in the CSV and on the page
    assert {"S1", "S1_conf", "ST", "ST_conf", "noise_share"} <= set(indices.columns)
    assert (indices[["S1_conf", "ST_conf"]] > 0).all().all() and indices["noise_share"].isna().all()  # 1 replicate
    assert " ± " in page[page.index("Sobol sensitivity indices"):]


def test_report_without_results_is_a_clear_error(tmp_path):
    result = _ree("sweep-report", tmp_path)
    assert result.returncode == 2 and "results.parquet" in result.stderr and "Traceback" not in result.stderr


def test_chunks_cover_every_run_once_grow_with_short_runs_and_shrink_at_the_end():
    from sim.runs.sweep import ChunkFeeder
    rows = [{"run_id": i} for i in range(200)]
    feeder = ChunkFeeder(rows, slots=2, target_seconds=1.0)
    chunks = []
    while (chunk := feeder.next()) is not None:
        chunks.append(chunk)
        feeder.record([{"seconds": 0.1}] * len(chunk))  # runs of 0.1 s: about 10 to a chunk
    sizes = [len(c) for c in chunks]
    assert [r["run_id"] for c in chunks for r in c] == list(range(200))
    assert sizes[0] == 1 and max(sizes) == 10 and sizes[-4:] == [1, 1, 1, 1]
    slow = ChunkFeeder(rows, slots=2, target_seconds=1.0)
    slow.record([{"seconds": 30.0}])  # long runs go one at a time
    assert len(slow.next()) == 1


@pytest.mark.parametrize("name", ["licence_cofinance.toml", "levers_sobol.toml", "licensing_lhs.toml"])
def test_the_shipped_example_sweeps_load_and_their_first_run_succeeds(name):
    from sim.runs.sweep import run_one
    spec = load_sweep(CONFIG_DIR / "sweeps" / name)
    assert load_sweep(name.removesuffix(".toml")) == spec  # a shipped sweep is found by its name
    first = runs(spec).to_dict("records")[0]
    result = run_one(first, spec.sweep.scenario, spec.sweep.months, spec.sweep.outcomes, spec.aggregates,
                     spec.sweep.series)
    assert result["status"] == "ok", result["error"]
    assert set(spec.sweep.outcomes) | set(spec.aggregates) <= set(result)


def test_workers_are_forked_only_from_a_process_without_other_threads():
    import threading

    from sim.runs.dask_cluster import embedded_worker_config
    busy = threading.Event()
    other = threading.Thread(target=busy.wait)
    other.start()
    try:  # a lock another thread holds at the fork would stay held in the worker for ever
        assert embedded_worker_config()["distributed"]["worker"]["multiprocessing-method"] == "spawn"
    finally:
        busy.set()
        other.join()
    alone = subprocess.run([sys.executable, "-c", "from sim.runs.dask_cluster import embedded_worker_config as c; "
                            "print(c()['distributed']['worker']['multiprocessing-method'])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert alone == ("fork" if sys.platform == "linux" else "spawn")
