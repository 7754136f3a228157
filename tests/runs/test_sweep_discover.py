"""`ree sweep-discover` finds the parameter box where an outcome crosses a threshold (PRIM, EMA workbench)."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

SWEEP = ('[sweep]\nscenario = "apr2025_licensing"\nmonths = 24\nsampler = "lhs"\nsamples = 400\n[parameters]\n'
         '"events.no18.later_rate" = { min = 0.1, max = 0.9 }\n"market.precaution" = { min = 0.5, max = 3.0 }\n'
         '"demand.substitution_speed" = { min = 0.05, max = 0.2 }\n')


def _ree(*args):
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)], capture_output=True, text=True)


@pytest.fixture
def folder(tmp_path):
    """A sweep folder whose outcome is high exactly where the later rate is low and precaution high."""
    rng = np.random.default_rng(1)
    n = 400
    table = pd.DataFrame({"run_id": range(n), "point_id": range(n), "replicate": 0, "seed": range(n),
                          "events.no18.later_rate": rng.uniform(0.1, 0.9, n),
                          "market.precaution": rng.uniform(0.5, 3.0, n),
                          "demand.substitution_speed": rng.uniform(0.05, 0.2, n), "status": "ok", "error": "",
                          "seconds": 0.1})
    inside = (table["events.no18.later_rate"] < 0.3) & (table["market.precaution"] > 1.5)
    table["us_shortage_share_2025"] = np.where(inside, 0.06, 0.01) + rng.normal(0, 0.002, n)
    table.to_parquet(tmp_path / "results.parquet", index=False)
    (tmp_path / "sweep.toml").write_text(SWEEP, encoding="utf-8")
    return tmp_path


def test_discovery_finds_the_box_and_draws_the_trade_off(folder):
    result = _ree("sweep-discover", folder, "--outcome", "us_shortage_share_2025", "--above", "0.03",
                  "--density", "0.95")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "us_shortage_share_2025 > 0.03 in" in out and "box 1: coverage" in out
    boxes = pd.read_csv(folder / "discovery_boxes.csv")
    first = boxes[boxes["box"] == 1].set_index("parameter")
    assert set(first.index) == {"events.no18.later_rate", "market.precaution"}  # the idle parameter is left free
    assert first.loc["events.no18.later_rate", "upper"] == pytest.approx(0.3, abs=0.03)
    assert first.loc["market.precaution", "lower"] == pytest.approx(1.5, abs=0.1)
    assert first["coverage"].iloc[0] >= 0.9 and first["density"].iloc[0] >= 0.95
    page = (folder / "discovery.html").read_text(encoding="utf-8")
    assert "the peeling trade-off" in page and page.count("<svg") >= 2
    assert len(pd.read_csv(folder / "discovery_trajectory.csv")) > 5


@pytest.mark.parametrize("args, expected", [
    (["--outcome", "us_shortage_2025", "--above", "0.03"], "--outcome: 'us_shortage_2025' is not an outcome of this "
                                                           "sweep (did you mean us_shortage_share_2025?)"),
    (["--outcome", "us_shortage_share_2025", "--above", "0.5"], "--above: no run has us_shortage_share_2025 above 0.5"),
    (["--outcome", "us_shortage_share_2025", "--below", "0.5"], "--below: every run has us_shortage_share_2025 below"),
    (["--outcome", "us_shortage_share_2025", "--above", "0.03", "--density", "1.5"], "--density: 1.5 is not a share"),
])
def test_bad_questions_get_one_line(folder, args, expected):
    result = _ree("sweep-discover", folder, *args)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1 and expected in lines[0], result.stderr


def test_without_ema_workbench_the_message_says_what_to_install(folder, monkeypatch):
    from sim.runs import discover
    from sim.scenario import ScenarioError
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis", None)
    with pytest.raises(ScenarioError, match=r'pip install "ree\[discover\]"'):
        discover.discover(folder, "us_shortage_share_2025", above=0.03)
