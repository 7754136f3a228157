"""Bad input through the real command line: exit status 2 and one line `FILE: FIELD: REASON` on stderr.

Every file in tests/bad_scenarios/ breaks exactly one thing (most extend baseline_2024, a few stand alone).
Each is run through `ree validate`; a representative subset also through `ree run`, which must stop before
writing anything. The CLI runs in a subprocess so argparse, exit codes and stderr are the ones users see.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BAD_DIR = Path(__file__).parents[1] / "bad_scenarios"

# file -> (the FIELD part of the error line, a word of the REASON part). The reason word shows the file
# fails for the one thing it breaks, not for some accident of the harness.
# Event indices count the parents' events first: baseline_2024 carries one (its 2023 technology ban).
EXPECTED: dict[str, tuple[str, str]] = {
    "toml_syntax_error.toml": ("toml", "syntax error"),
    "top_level_array.toml": ("toml", "syntax error"),
    "duplicate_key.toml": ("toml", "syntax error"),
    "non_utf8.toml": ("toml", "UTF-8"),
    "empty.toml": ("name", "missing"),
    "unknown_top_level_field.toml": ("colour", "unknown field"),
    "unknown_nested_field.toml": ("world.scal", "unknown field"),
    "unknown_field_with_line_break.toml": ("col\\nour", "unknown field"),
    "months_wrong_type.toml": ("months", "integer"),
    "months_fractional.toml": ("months", "integer"),
    "months_negative.toml": ("months", "greater than 0"),
    "months_zero.toml": ("months", "greater than 0"),
    "seed_negative.toml": ("seed", "greater than or equal to 0"),
    "world_scale_zero.toml": ("world.scale", "greater than or equal to 1"),
    "world_not_a_table.toml": ("world", "dictionary"),
    "states_not_a_table.toml": ("states", "dictionary"),
    "negative_firm_capacity.toml": ("firms.0.capacity_t_per_year", "greater than or equal to 0"),
    "unknown_country_in_firm.toml": ("firms.0.country", "'ATL'"),
    "unknown_country_in_states.toml": ("states.UK", "'UK'"),
    "unknown_country_in_event_actor.toml": ("events.1.actor", "'XX'"),
    "unknown_country_in_event_destination.toml": ("events.1.destinations.1", "'Narnia'"),
    "unknown_product_in_event.toml": ("events.1.products.0", "'gallium'"),
    "unknown_product_in_stockpile_release.toml": ("events.1.product", "'uranium'"),
    "start_month_13.toml": ("start", "month 13"),
    "start_in_words.toml": ("start", "YYYY-MM"),
    "start_multiline.toml": ("start", "YYYY-MM"),
    "event_date_month_13.toml": ("events.1.date", "month 13"),
    "extends_cycle_a.toml": ("extends", "cycle"),
    "extends_cycle_b.toml": ("extends", "cycle"),
    "extends_self.toml": ("extends", "cycle"),
    "extends_missing_file.toml": ("extends", "not found"),
    "extends_not_a_string.toml": ("extends", "string"),
    "unknown_event_kind.toml": ("events.1.kind", "'invasion'"),
    "event_missing_kind.toml": ("events.1.kind", "missing"),
    "approval_rate_above_one.toml": ("events.1.approval_rate", "less than or equal to 1"),
    "invalid_level.toml": ("events.1.level", "'embargo'"),
    "negative_stockpile.toml": ("states.JP.stockpile.light_oxide", "greater than or equal to 0"),
    "negative_mining_quota.toml": ("states.CN.mining_quota_t", "greater than or equal to 0"),
    "standalone_missing_description.toml": ("description", "missing"),
    "standalone_missing_start.toml": ("start", "missing"),
    "standalone_missing_world.toml": ("world", "missing"),
    # A list that must name something, left empty (the run used to die on some of these with exit 1).
    "export_control_no_products.toml": ("events.1.products", "at least 1 item"),
    "export_control_no_destinations.toml": ("events.1.destinations", "at least 1 item"),
    "technology_ban_no_stages.toml": ("events.1.stages", "at least 1 item"),
    "export_quota_no_products.toml": ("events.1.products", "at least 1 item"),
    "general_licence_no_products.toml": ("events.1.products", "at least 1 item"),
    "hoarding_no_products.toml": ("events.1.products", "at least 1 item"),
    "extraterritorial_no_products.toml": ("events.1.products", "at least 1 item"),
    "state_export_control_no_products.toml": ("states.CN.export_controls.0.products", "at least 1 item"),
    # `inf` and `nan`, which TOML reads as numbers.
    "mining_quota_inf.toml": ("states.CN.mining_quota_t", "finite number"),
    "stockpile_nan.toml": ("states.JP.stockpile.heavy_oxide", "finite number"),
    "market_price_pull_inf.toml": ("market.price_pull", "finite number"),
    "market_cover_months_inf.toml": ("market.target_cover_months.heavy_oxide", "finite number"),
    "capacity_shock_factor_nan.toml": ("events.1.factor", "finite number"),
    "proposal_cofinance_inf.toml": ("events.1.cofinance_usd_per_year", "finite number"),
    # Quantities beyond the bounds in sim/scenario_types.py (MAX_TONNES, MAX_USD, ...).
    "stockpile_release_1e308.toml": ("events.1.tonnes", "world mine output"),
    "stockpile_release_word.toml": ("events.1.tonnes", "or 'all'"),
    "mining_quota_1e12.toml": ("states.CN.mining_quota_t", "world mine output"),
    "export_quota_beyond_world_output.toml": ("events.1.tonnes_per_year", "world mine output"),
    "stockpile_beyond_world_output.toml": ("states.JP.stockpile.light_oxide", "world mine output"),
    "firm_capacity_beyond_world_output.toml": ("firms.0.capacity_t_per_year", "world mine output"),
    "support_budget_beyond_bound.toml": ("states.US.support_budget_usd", "world GDP"),
    "proposal_purchase_beyond_bound.toml": ("events.1.purchase_usd", "world GDP"),
    "price_floor_beyond_bound.toml": ("events.1.usd_per_kg", "USD/kg"),
    "review_capacity_beyond_bound.toml": ("states.CN.review_capacity", "applications a month"),
    # A state aiming an agreement, a trade measure or a control at itself.
    "proposal_to_itself.toml": ("events.1.target", "the actor itself"),
    "relations_with_itself.toml": ("events.1.target", "the actor itself"),
    "tariff_on_itself.toml": ("events.1.target", "the actor itself"),
    "export_control_to_itself.toml": ("events.1.destinations", "the actor itself"),
    "general_licence_to_itself.toml": ("events.1.destinations", "the actor itself"),
    "state_export_control_to_itself.toml": ("states.CN.export_controls.0.destinations", "the state whose control"),
    # A state's act with no state to act (the run used to die on it with exit 1).
    "export_control_without_actor.toml": ("events.1.actor", "missing"),
    "tariff_by_the_world.toml": ("events.1.actor", "'world'"),
}

# `run` loads a scenario through another path (load_scenario, with --set) than `validate`; one file per
# family of failure is enough to show it stops with the same one line and writes nothing.
RUN_SUBSET = [
    "toml_syntax_error.toml",
    "non_utf8.toml",
    "unknown_nested_field.toml",
    "months_zero.toml",
    "world_scale_zero.toml",
    "extends_cycle_a.toml",
    "unknown_country_in_event_actor.toml",
    "negative_firm_capacity.toml",
    "standalone_missing_description.toml",
    "export_control_no_products.toml",
    "export_control_no_destinations.toml",
    "mining_quota_inf.toml",
    "stockpile_release_1e308.toml",
    "proposal_to_itself.toml",
    "state_export_control_to_itself.toml",
    "export_control_without_actor.toml",
]

BAD_FILES = sorted(p.name for p in BAD_DIR.glob("*.toml"))


def ree(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    # REE_DEBUG would turn internal errors into tracebacks; the test must see what users see.
    env = {k: v for k, v in os.environ.items() if k != "REE_DEBUG"}
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def the_one_line(result: subprocess.CompletedProcess) -> str:
    """Check exit status 2 and a single-line stderr without a traceback; return that line."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"expected one non-empty line, got {result.stderr!r}"
    return lines[0]


def check_bad_file_line(line: str, file_name: str) -> None:
    field, reason_word = EXPECTED[file_name]
    assert file_name in line, line
    # FILE: FIELD: REASON. Our paths contain no ": ", so the split is exact.
    _, got_field, reason = line.split(": ", 2)
    assert got_field == field, line
    assert reason_word in reason, line


def assert_nothing_written(out: Path) -> None:
    assert not out.exists() or not any(out.rglob("*")), sorted(out.rglob("*"))


def test_every_bad_file_has_an_expectation():
    # A file added without an entry would otherwise fail with a bare KeyError; a stale entry hides a gap.
    assert set(BAD_FILES) == set(EXPECTED)
    assert len(BAD_FILES) >= 24
    assert set(RUN_SUBSET) <= set(EXPECTED)


def test_a_good_file_beside_the_bad_ones_validates(tmp_path):
    # Control: the mechanism every bad file relies on (`extends = "baseline_2024"` from outside the library)
    # works, so each bad file fails for the one thing it breaks.
    good = tmp_path / "good.toml"
    good.write_text('extends = "baseline_2024"\nmonths = 12\n', encoding="utf-8")
    result = ree("validate", good, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("file_name", BAD_FILES)
def test_validate_rejects_bad_file_in_one_line(file_name, tmp_path):
    line = the_one_line(ree("validate", BAD_DIR / file_name, cwd=tmp_path))
    check_bad_file_line(line, file_name)


@pytest.mark.parametrize("file_name", RUN_SUBSET)
def test_run_rejects_bad_file_before_writing(file_name, tmp_path):
    out = tmp_path / "o"
    line = the_one_line(ree("run", BAD_DIR / file_name, "--out", out, "--quiet", cwd=tmp_path))
    check_bad_file_line(line, file_name)
    assert_nothing_written(out)
    assert not (tmp_path / "runs").exists()  # nor into the default output folder


@pytest.mark.parametrize("args, must_mention", [
    (["--set", "world.scale=0"], "world.scale"),
    (["--set", "nosuch.field=1"], "nosuch"),
    (["--set", "months"], "dotted.path=value"),
    (["--seed", "abc"], "--seed"),
    (["--seed", "-5"], "seed"),
    (["--months", "-3"], "months"),
    (["no_such_scenario"], "no_such_scenario"),
])
def test_run_rejects_bad_command_line(args, must_mention, tmp_path):
    out = tmp_path / "o"
    line = the_one_line(ree("run", *args, "--out", out, "--quiet", cwd=tmp_path))
    assert must_mention in line, line
    assert_nothing_written(out)


def test_run_rejects_out_that_is_a_file(tmp_path):
    # Found before the run starts; the file is left as it was.
    out = tmp_path / "o"
    out.write_text("keep me", encoding="utf-8")
    line = the_one_line(ree("run", "--out", out, "--quiet", cwd=tmp_path))
    assert "--out" in line and str(out) in line, line
    assert out.read_text(encoding="utf-8") == "keep me"
