"""Safe `--resume`. The folder records the design's fingerprint; another design is refused with one
line and nothing changes; `--retry-failed` runs failed runs again; Ctrl-C says what was kept and how to go on."""
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.runs.sweep import run_sweep
from sim.scenario import ScenarioError

HERE = Path(__file__).parents[1] / "sweeps"


def _ree(*args, **kw):
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)], capture_output=True, text=True, **kw)


def _snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_interrupted_then_resumed_with_an_edited_file_is_refused_and_the_original_finishes(tmp_path):
    sweep_file = tmp_path / "slow_grid.toml"
    sweep_file.write_text((HERE / "slow_grid.toml").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim.cli", "sweep", str(sweep_file), "--out", str(out), "--workers", "2", "--quiet"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(1200):
        if len(list((out / "parts").glob("part-*.parquet"))) >= 1 or proc.poll() is not None:
            break
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the sweep and its workers at once
    _, stderr = proc.communicate(timeout=120)
    kept = pd.concat([pd.read_parquet(p) for p in (out / "parts").glob("part-*.parquet")])
    assert 0 < len(kept) < 60 and kept["run_id"].is_unique
    assert proc.returncode == 130 and stderr.strip() == (
        f"ree: interrupted: {len(kept)} of 60 runs kept in {out}; resume with: ree sweep {sweep_file} --out {out} "
        "--resume"), stderr
    original = sweep_file.read_text(encoding="utf-8")
    sweep_file.write_text(original.replace("[0.5, 1.0, 1.5, 2.0, 2.5, 3.0]", "[0.5, 1.0, 1.5]"), encoding="utf-8")
    before = _snapshot(out)
    refused = _ree("sweep", sweep_file, "--out", out, "--workers", "2", "--resume", "--quiet", timeout=300)
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert refused.returncode == 2 and len(lines) == 1, refused.stderr
    assert lines[0] == (f"{out}: --resume: not the design this folder was made with: parameters.market.precaution was "
                        "[0.5, 1.0, 1.5, 2.0, 2.5, 3.0], is now [0.5, 1.0, 1.5]; nothing was changed (resume with "
                        f"{out / 'sweep.toml'}, or use another --out)")
    assert _snapshot(out) == before  # not a byte, not a timestamp
    sweep_file.write_text(original, encoding="utf-8")
    result = _ree("sweep", sweep_file, "--out", out, "--workers", "2", "--resume", "--quiet", timeout=600)
    assert result.returncode == 0, result.stderr
    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == 60 and table["run_id"].nunique() == 60 and (table["status"] == "ok").all()


@pytest.fixture
def small(tmp_path):
    sweep_file = tmp_path / "small.toml"
    sweep_file.write_text('[sweep]\nscenario = "full_embargo"\nmonths = 3\nreplicates = 2\nseed = 4\n'
                          'outcomes = ["shortage_share_US"]\n[parameters]\n"market.precaution" = [0.5, 2.0]\n',
                          encoding="utf-8")
    out = tmp_path / "out"
    return sweep_file, out, run_sweep(sweep_file, out, workers=1)


def test_retry_failed_runs_only_the_failed_runs_again(small):
    sweep_file, out, first = small
    broken = first.loc[[2]].assign(status="error", error="RuntimeError: lost worker", shortage_share_US=float("nan"))
    broken.to_parquet(out / "parts" / "part-000900.parquet", index=False)  # newer than the run's own part
    resumed = run_sweep(sweep_file, out, workers=1, resume=True)  # a plain resume keeps the failure
    assert list(resumed["status"]) == ["ok", "ok", "error", "ok"]
    retried = run_sweep(sweep_file, out, workers=1, retry_failed=True)
    assert (retried["status"] == "ok").all() and len(retried) == 4
    assert retried.loc[2, "shortage_share_US"] == first.loc[2, "shortage_share_US"]  # same seed, same result
    same = [0, 1, 3]  # the others were not run again
    assert list(retried.loc[same, "seconds"]) == list(first.loc[same, "seconds"])


def test_a_folder_is_refused_when_the_scenario_it_ran_was_edited(tmp_path):
    scenario = tmp_path / "mine.toml"
    scenario.write_text('extends = "full_embargo"\nname = "mine"\n', encoding="utf-8")
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(f'[sweep]\nscenario = "{scenario}"\nmonths = 2\n[parameters]\n"market.precaution" = [1.0]\n',
                          encoding="utf-8")
    run_sweep(sweep_file, tmp_path / "out", workers=1)
    scenario.write_text('extends = "full_embargo"\nname = "mine"\n[market]\nprecaution = 2.0\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="the scenario's content changed"):
        run_sweep(sweep_file, tmp_path / "out", workers=1, resume=True)


def test_results_carry_their_metadata_and_units(small):
    from sim.runs.sweep_store import read_metadata
    import pyarrow.parquet as pq
    _, out, _ = small
    meta = read_metadata(out / "results.parquet")
    assert meta["scenario"] == "full_embargo" and meta["months"] == 3 and meta["start"] == "2024-01"
    assert meta["seed_policy"].startswith("one seed per run") and meta["version"] and len(meta["fingerprint"]) == 64
    assert meta["units"] == {"shortage_share_US": "share of demand (0-1)"}
    field = pq.read_schema(out / "results.parquet").field("shortage_share_US")
    assert field.metadata == {b"unit": b"share of demand (0-1)"}
