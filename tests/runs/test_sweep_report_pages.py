"""`ree sweep-report` shows every outcome and every parameter, says which outcomes never change, clips
bands to the outcome's range, keeps monthly series, and refuses a sweep with no successful run in one line."""
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.runs.sweep import run_sweep
from sim.runs.sweep_report import write_report

GRID3 = ('[sweep]\nscenario = "full_embargo"\nmonths = 6\nreplicates = 2\nseed = 8\nsampler = "grid"\noutcomes = []\n'
         'series = ["shortage_share:US", "price:magnet:world"]\n[parameters]\n"market.precaution" = [0.5, 3.0]\n'
         '"demand.substitution_speed" = [0.05, 0.2]\n"market.cover_elasticity" = [1.0, 2.0]\n')


@pytest.fixture(scope="module")
def grid3(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grid3")
    (folder / "grid3.toml").write_text(GRID3, encoding="utf-8")
    table = run_sweep(folder / "grid3.toml", folder / "out", workers=2)
    return folder / "out", table, write_report(folder / "out").read_text(encoding="utf-8")


def test_a_three_parameter_grid_shows_every_parameter(grid3):
    out, table, page = grid3
    assert (table["status"] == "ok").all() and len(table) == 16
    start = page.index("<h3 id='price-peak-magnet-world'>")
    figure = page[start:page.index("<h3", start + 1)]
    # x axis, one line per value of the second parameter, one panel per value of the third
    assert "market.precaution" in figure and "demand.substitution_speed" in figure
    assert "market.cover_elasticity = 1" in figure and "market.cover_elasticity = 2" in figure
    assert "spread over replicates" in figure  # a box per design point: there are replicates


def test_outcomes_empty_reports_every_outcome(grid3):
    out, table, page = grid3
    outcomes = [c for c in table.columns if c not in
                {"run_id", "point_id", "replicate", "seed", "status", "error", "seconds", "market.precaution",
                 "demand.substitution_speed", "market.cover_elasticity"}]
    assert len(outcomes) > 40
    sentence = re.search(r"<p>(\d+) of (\d+) outcomes are the same in every run and are not charted: (.*?)</p>", page)
    assert sentence and int(sentence.group(2)) == len(outcomes)
    for name in outcomes:  # charted under its own heading, or named in the sentence of constant ones
        assert f"<h3 id='{name.replace('_', '-').lower()}'>" in page or name in sentence.group(3), name
    assert f"{len(outcomes) - int(sentence.group(1))} outcomes charted" in page
    assert "<div class=scroll><table>" in page  # the wide table scrolls inside the page


def test_bands_are_clipped_to_the_outcomes_range():
    from sim.runs.sweep_charts import _band
    from sim.runs.sweep_outcomes import describe
    unit, low, high, group = describe("shortage_share_US")
    assert (low, high, group) == (0.0, 1.0, "Shortages")
    lower, upper = _band(pd.Series([0.01, 0.9]), pd.Series([0.05, 0.3]), (low, high))
    assert list(lower) == [0.0, pytest.approx(0.6)] and list(upper) == [pytest.approx(0.06), 1.0]


def test_monthly_series_are_kept_long(grid3):
    out, table, _ = grid3
    series = pd.read_parquet(out / "series.parquet")
    assert list(series.columns) == ["run_id", "series", "date", "value"]
    assert len(series) == len(table) * 2 * 6 and set(series["series"]) == {"shortage_share:US", "price:magnet:world"}
    price = series[(series["run_id"] == 0) & (series["series"] == "price:magnet:world")]["value"]
    peak = table.loc[0, "price_peak_magnet_world"]
    assert price.max() == pytest.approx(peak, rel=1e-6)  # the monthly prices peak where the outcome says


def test_a_sweep_whose_runs_all_failed_gets_one_line(grid3, tmp_path):
    out, table, _ = grid3
    failed = table[["run_id", "point_id", "replicate", "seed", "market.precaution", "demand.substitution_speed",
                    "market.cover_elasticity"]].assign(status="error", error="ValueError: boom", seconds=0.1)
    failed.to_parquet(tmp_path / "results.parquet", index=False)
    (tmp_path / "sweep.toml").write_text(GRID3, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "sim.cli", "sweep-report", str(tmp_path)], capture_output=True,
                            text=True)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "no run succeeded (16 of 16 failed; the first: ValueError: boom)" in lines[0]
    assert not (tmp_path / "report.html").exists()


def test_binned_means_of_a_sampled_design():
    from sim.runs.sweep_charts import binned_means
    x = pd.Series(np.linspace(0, 1, 200))
    bins = binned_means(x, 2 * x)
    assert len(bins) == 10 and bins["n"].eq(20).all()
    assert np.allclose(bins["mean"], 2 * bins["x"]) and (bins["band"] > 0).all()
    few = binned_means(pd.Series([1, 2, 3, 4] * 10), pd.Series(np.arange(40.0)))  # an integer parameter
    assert list(few["x"]) == [1, 2, 3, 4]
