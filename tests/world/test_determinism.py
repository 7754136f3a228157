"""Same scenario and seed give byte-identical outputs, in one process and across processes."""

import subprocess
import sys
from pathlib import Path

import numpy as np

from sim import RareEarthModel
from sim.runs.outputs import tables

LICENCE_SCENARIO = Path(__file__).parents[1] / "scenarios" / "licence_heavy_to_jp.toml"
FILES = [
    "prices.csv",
    "flows.csv",
    "supply.csv",
    "licences.csv",
    "capacity.csv",
    "stocks.csv",
    "events.csv",
    "summary.json",
    "report.html",
]


def _run_cli(scenario: str, out: Path, seed: int) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.cli",
            "run",
            scenario,
            "--out",
            str(out),
            "--seed",
            str(seed),
            "--months",
            "18",
            "--quiet",
        ],
        check=True,
        capture_output=True,
    )


def test_byte_identical_across_processes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _run_cli(str(LICENCE_SCENARIO), a, 7)
    _run_cli(str(LICENCE_SCENARIO), b, 7)
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    checker = Path(__file__).resolve().parents[3] / "shared" / "tools" / "check_run_outputs.py"
    if checker.exists():
        result = subprocess.run([sys.executable, str(checker), str(a), str(b)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def _licence_table(seed: int):
    model = RareEarthModel(scenario=str(LICENCE_SCENARIO), seed=seed, months=18)
    while not model.finished:
        model.step()
    return tables(model)


def test_same_seed_same_tables_in_process():
    first, second = _licence_table(3), _licence_table(3)
    for name in first:
        assert first[name].equals(second[name]), name


def test_different_seeds_draw_different_licence_decisions():
    """Licence approvals are random draws from the model's generator, so the seed must matter."""
    decided = [(_licence_table(seed)["licences.csv"][["approved_t", "denied_t"]].to_numpy()) for seed in (1, 2, 3)]
    assert any(not np.array_equal(decided[0], other) for other in decided[1:])
