"""The whole design is checked before the first run; run counts, seeds and the design's fingerprint."""
import subprocess
import sys

import numpy as np
import pytest

from sim.runs.sweep import dry_run, load_sweep, read_sweep, runs
from sim.runs.sweep_design import design, first_difference, fingerprint_content, run_count_text

LICENSING = '[sweep]\nscenario = "oct2025_controls"\nmonths = 24\n'
EMBARGO = '[sweep]\nscenario = "full_embargo"\nmonths = 6\n'


def _ree(*args):
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)], capture_output=True, text=True)


# Each must stop with one line naming the file, the field as the file writes it and the reason, before any run.
BAD = {
    "range_beyond_bounds": (LICENSING + 'sampler = "lhs"\nsamples = 8\n[parameters]\n'
                            '"events.no57.later_rate" = { min = 0.5, max = 1.5 }',
                            "parameters.events.no57.later_rate: max = 1.5: Input should be less than or equal to 1"),
    "range_min_below_bounds": (EMBARGO + 'sampler = "lhs"\n[parameters]\n"market.precaution" = { min = -1, max = 1 }',
                               "parameters.market.precaution: min = -1:"),
    "grid_value_beyond_bounds": (LICENSING + '[parameters]\n"events.no57.later_rate" = [0.3, 0.9, 1.5]',
                                 "parameters.events.no57.later_rate: value 1.5: Input should be less than or equal to 1"),
    "integer_field_in_lhs": (EMBARGO + 'sampler = "lhs"\n[parameters]\n"world.scale" = { min = 1, max = 4 }',
                             "parameters.world.scale: an integer field, and lhs draws fractions: write "
                             "{ min = 1, max = 4, integer = true }"),
    "integer_field_in_sobol": (EMBARGO + 'sampler = "sobol"\nsamples = 4\n[parameters]\n'
                               '"world.scale" = { min = 1, max = 4 }\n"market.precaution" = { min = 0.5, max = 2 }',
                               "parameters.world.scale: an integer field, and sobol draws fractions"),
    "integer_range_with_fractions": (EMBARGO + 'sampler = "lhs"\n[parameters]\n'
                                     '"world.scale" = { min = 1.5, max = 4, integer = true }',
                                     "parameters.world.scale: an integer range needs whole-number min and max"),
    "unknown_outcome": (EMBARGO + 'outcomes = ["shortage_share_USA"]\n[parameters]\n"market.precaution" = [1.0]',
                        "sweep.outcomes: 'shortage_share_USA' is not an outcome of full_embargo (did you mean "
                        "shortage_share_US"),
    "field_of_an_event_by_id": (LICENSING + '[parameters]\n"events.no57.later_rat" = [0.3]',
                                "parameters.events.no57.later_rat: 'later_rat' is not a field of events.no57 (did you "
                                "mean later_rate?)"),
    "event_id": (LICENSING + '[parameters]\n"events.no75.later_rate" = [0.3]',
                 "parameters.events.no75.later_rate: 'no75' is no item of events (did you mean no57?)"),
    "infinite_range": (EMBARGO + 'sampler = "lhs"\n[parameters]\n"market.precaution" = { min = 0.5, max = inf }',
                       "parameters.market.precaution.max"),
    "nan_grid_value": (EMBARGO + '[parameters]\n"market.precaution" = [1.0, nan]',
                       "parameters.market.precaution: value nan is not a finite number"),
    "sobol_not_a_power_of_two": (EMBARGO + 'sampler = "sobol"\nsamples = 100\n[parameters]\n'
                                 '"market.precaution" = { min = 0.5, max = 2 }',
                                 "sweep.samples: Sobol sequences need a power of 2 (got 100; try 64 or 128)"),
    "second_order_without_sobol": (EMBARGO + 'sampler = "lhs"\nsecond_order = true\n[parameters]\n'
                                   '"market.precaution" = { min = 0.5, max = 2 }', "sweep.second_order"),
    "aggregate_named_as_an_outcome": (EMBARGO + '[parameters]\n"market.precaution" = [1.0]\n'
                                      '[aggregates.china_exports_t]\ntable = "flows"\nvalue = "tonnes"',
                                      "aggregates.china_exports_t: the name is already an outcome"),
    "series_whole_run": (EMBARGO + 'series = ["china_exports_t"]\n[parameters]\n"market.precaution" = [1.0]',
                         "sweep.series: 'china_exports_t' is a whole-run outcome, not a monthly series"),
    "series_typo": (EMBARGO + 'series = ["shortage_share:USA"]\n[parameters]\n"market.precaution" = [1.0]',
                    "sweep.series: 'shortage_share:USA': 'USA' is not a country"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_design_stops_before_any_run_with_one_line(name, tmp_path):
    text, expected = BAD[name]
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    result = _ree("sweep", path, "--out", tmp_path / "out", "--quiet")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{path}: ") and expected in lines[0], lines[0]
    assert not (tmp_path / "out").exists()


def test_a_sampled_integer_field_rounds_to_every_whole_number_equally(tmp_path):
    path = tmp_path / "lhs.toml"
    path.write_text(EMBARGO + 'sampler = "lhs"\nsamples = 400\n[parameters]\n'
                    '"world.scale" = { min = 1, max = 4, integer = true }\n"market.precaution" = { min = 0.5, max = 2 }',
                    encoding="utf-8")
    points = design(load_sweep(path))
    assert points["world.scale"].dtype == np.int64
    counts = points["world.scale"].value_counts().sort_index()
    assert list(counts.index) == [1, 2, 3, 4] and counts.min() == counts.max() == 100  # LHS strata: exactly even


@pytest.mark.parametrize("sampler, extra, points", [
    ("grid", "", 6), ("lhs", "samples = 10\n", 10), ("sobol", "samples = 8\n", 8 * (2 + 2)),
    ("sobol", "samples = 8\nsecond_order = true\n", 8 * (2 * 2 + 2))])
def test_each_sampler_makes_the_runs_the_readme_says(sampler, extra, points, tmp_path):
    values = ('"market.precaution" = [0.5, 1.0, 2.0]\n"demand.substitution_speed" = [0.05, 0.1]' if sampler == "grid"
              else '"market.precaution" = { min = 0.5, max = 2 }\n"demand.substitution_speed" = { min = 0.05, max = 0.2 }')
    path = tmp_path / "s.toml"
    path.write_text(EMBARGO + f'replicates = 3\nsampler = "{sampler}"\n{extra}[parameters]\n{values}', encoding="utf-8")
    spec = load_sweep(path)
    assert len(design(spec)) == points and len(runs(spec)) == 3 * points
    assert run_count_text(spec, points).endswith(f"= {3 * points:,} runs")


def test_common_random_numbers_share_each_replicates_seed_across_points(tmp_path):
    path = tmp_path / "crn.toml"
    base = EMBARGO + 'replicates = 3\nseed = 9\n[parameters]\n"market.precaution" = [0.5, 1.0, 2.0]\n'
    path.write_text(base.replace("seed = 9", "seed = 9\ncommon_random_numbers = true"), encoding="utf-8")
    table = runs(load_sweep(path))
    by_replicate = table.groupby("replicate")["seed"].nunique()
    assert (by_replicate == 1).all() and table.groupby("point_id")["seed"].nunique().eq(3).all()
    children = np.random.SeedSequence(9).spawn(3)
    assert list(table["seed"][:3]) == [int(c.generate_state(1)[0]) for c in children]
    path.write_text(base, encoding="utf-8")  # the default: every run its own seed
    assert runs(load_sweep(path))["seed"].nunique() == 9


def test_dry_run_prints_the_count_and_the_design_and_runs_nothing(tmp_path):
    result = _ree("sweep", "levers_sobol", "--dry-run", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "64 Sobol samples x (4 + 2) = 384 points x 2 replicates = 768 runs of apr2025_licensing" in result.stdout
    assert "common random numbers" in result.stdout and "events.no18.later_rate" in result.stdout
    assert not (tmp_path / "out").exists()
    assert "768 runs" in dry_run("levers_sobol")


def test_the_fingerprint_follows_the_design_and_says_what_changed(tmp_path):
    path = tmp_path / "g.toml"
    path.write_text(EMBARGO + '[parameters]\n"market.precaution" = [0.5, 1.0]', encoding="utf-8")
    raw = {"name": "x", "months": 6}
    before = fingerprint_content(read_sweep(path), raw)
    assert first_difference(before, fingerprint_content(read_sweep(path), raw)) is None
    path.write_text(EMBARGO + '[parameters]\n"market.precaution" = [0.5]', encoding="utf-8")
    after = fingerprint_content(read_sweep(path), raw)
    assert first_difference(before, after) == "parameters.market.precaution was [0.5, 1.0], is now [0.5]"
    edited = fingerprint_content(read_sweep(path), {**raw, "months": 7})
    assert "scenario's content changed" in first_difference(after, edited)
