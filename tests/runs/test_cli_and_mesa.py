"""The command line end to end, and Mesa's own tools driving the model."""
import json
import subprocess
import sys
from pathlib import Path

import mesa

from sim import RareEarthModel, run_scenario


def _ree(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_run_writes_every_output_file(tmp_path):
    result = _ree("run", "--months", "6", "--out", str(tmp_path / "o"))
    assert result.returncode == 0, result.stderr
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert {"prices.csv", "flows.csv", "supply.csv", "licences.csv", "capacity.csv", "stocks.csv", "events.csv",
            "summary.json", "report.html"} <= names
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["months"] == 6 and summary["end"] == "2024-06" and summary["scenario"] == "baseline_2024"
    assert "China's share of refining" in result.stdout  # the closing summary table


def test_quiet_prints_nothing(tmp_path):
    result = _ree("run", "--months", "2", "--out", str(tmp_path / "o"), "--quiet")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


def test_default_output_folder_is_under_runs(tmp_path):
    result = _ree("run", "full_embargo", "--months", "2", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "runs" / "full_embargo" / "report.html").exists()


def test_scenarios_and_validate(tmp_path):
    listing = _ree("scenarios")
    assert listing.returncode == 0 and "baseline_2024" in listing.stdout and "full_embargo" in listing.stdout
    library = Path(__file__).resolve().parents[2] / "configs" / "scenarios"
    checked = _ree("validate", *map(str, sorted(library.glob("*.toml"))))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.count("ok ") == len(list(library.glob("*.toml")))


def test_run_scenario_returns_flat_numbers():
    outcomes = run_scenario({"scenario": "full_embargo", "months": 8, "world.scale": 2}, seed=1)
    assert all(isinstance(v, float) for v in outcomes.values())
    assert outcomes["price_peak_ratio_magnet_world"] > 1.5


def test_mesa_batch_run_drives_the_model():
    results = mesa.batch_run(RareEarthModel, parameters={"seed": [1, 2], "months": [4]}, iterations=1,
                             max_steps=4, number_processes=1, data_collection_period=1, display_progress=False)
    assert len(results) == 2 * 5  # the initial state plus 4 months, for each seed
    assert all(r["magnet_world_usd_per_kg"] > 0 for r in results)


def test_model_is_a_mesa_model_with_agents_of_each_role():
    model = RareEarthModel(months=1)
    kinds = {type(a).__name__ for a in model.agents}
    assert {"StateAgent", "Miner", "Refiner", "MagnetMaker", "Manufacturer"} <= kinds
    assert len(model.agents_by_type[mesa.Agent] if mesa.Agent in model.agents_by_type else model.agents) > 50
