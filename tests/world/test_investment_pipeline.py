"""The investment pipeline: money, prices, engineering and ore decide which projects go ahead, and the
joint funds say what limited them (sim/projects.py, sim/project_finance.py, sim/project_limits.py)."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from sim import RareEarthModel
from sim.constants import C
from sim.project_limits import LIMIT_CODE, LIMIT_WORDS, REASONS, spare_ore
from sim.projects import Offer, Project
from sim.runs.outputs import outcomes, table

FUND_SIZES = (0.0, 2e9, 4e9, 8e9)


def finished(scenario: str, seed: int = 42, **overrides) -> RareEarthModel:
    model = RareEarthModel(scenario, seed=seed, **overrides)
    while not model.finished:
        model.step()
    return model


def outside_china(result: dict) -> float:
    return result["capacity_nonchina_refining_end_t"] + result["capacity_nonchina_magnets_end_t"]


@pytest.fixture(scope="module")
def framework_by_fund_size() -> dict[float, tuple[RareEarthModel, dict]]:
    runs = {}
    for usd in FUND_SIZES:
        model = finished("us_japan_framework", events__framework__cofinance_usd_per_year=usd)
        runs[usd] = (model, outcomes(model))
    return runs


def test_more_fund_money_builds_more_at_every_step(framework_by_fund_size):
    built = [outside_china(framework_by_fund_size[usd][1]) for usd in FUND_SIZES]
    assert all(b > a for a, b in zip(built, built[1:])), built
    assert built[-1] >= 1.10 * built[0], built  # the framework's money builds plants its share makes bankable
    assert framework_by_fund_size[FUND_SIZES[-1]][1]["cofinance_used_usd"] > 0


def test_every_fund_year_names_the_limit_that_held_it(framework_by_fund_size):
    for usd in FUND_SIZES[1:]:
        model, result = framework_by_fund_size[usd]
        years = table(model, "events").query("kind == 'fund_year'")
        assert len(years) == 5  # 2025..2029 reported; 2030 ends with the run
        for rationale in years["rationale"]:
            assert rationale.startswith("the fund ran out") or any(
                rationale.startswith(f"binding limit: {words}") for words in LIMIT_WORDS.values()
            ), rationale
        assert "the number of projects, not money" not in " ".join(years["rationale"])
        code = result["fund_binding_limit_code"]
        assert code in LIMIT_CODE.values()
        named = REASONS[int(code) - 1]
        assert result[f"fund_binding_limit_years_{named}"] == max(
            result[f"fund_binding_limit_years_{reason}"] for reason in REASONS
        )
        assert sum(result[f"fund_binding_limit_years_{reason}"] for reason in REASONS) == 6  # 2025..2030
    assert framework_by_fund_size[0.0][1]["fund_binding_limit_code"] == 0  # no fund, no limit to name


def test_a_small_fund_is_limited_by_money_a_large_one_never(framework_by_fund_size):
    small = finished("us_japan_framework", events__framework__cofinance_usd_per_year=5e7)
    assert outcomes(small)["fund_binding_limit_years_money"] >= 1
    years = table(small, "events").query("kind == 'fund_year'")["rationale"]
    assert years.str.startswith("the fund ran out").any() or years.str.startswith("binding limit: money").any()
    assert framework_by_fund_size[8e9][1]["fund_binding_limit_years_money"] == 0


def _appraise_alone(model: RareEarthModel, offer: Offer) -> tuple[bool, dict]:
    """Appraise one offer on a copy of the model; returns (started, the reasons counted for the funds)."""
    branch = copy.deepcopy(model)
    started = branch.projects._consider(branch.month, offer)
    return started, branch.projects.limits


def _china_priced(model: RareEarthModel) -> RareEarthModel:
    """The world market pays China's price (no premium outside China), as when China's exports flow."""
    branch = copy.deepcopy(model)
    china = branch.projects.price_avg[:, 0].copy()
    branch.projects.price_avg[:, 1] = china
    return branch


@pytest.fixture(scope="module")
def world_2025() -> RareEarthModel:
    model = RareEarthModel("baseline_2024", seed=42, months=24)
    for _ in range(21):
        model.step()
    return model


def us_refinery(projects) -> Offer:
    return projects._greenfield_offer(projects.model.month, C["US"], "refining", 0)


def test_western_separation_without_support_is_not_started_at_chinese_prices(world_2025):
    model = _china_priced(world_2025)
    assert model.states["US"].config.project_support == 0 and not model.diplomats.active(model.month)
    started, _ = _appraise_alone(model, us_refinery(model.projects))
    assert not started
    eu = model.projects.candidates[[c.name for c in model.projects.candidates].index("Solvay La Rochelle expansion")]
    started, _ = _appraise_alone(model, model.projects._candidate_offer(eu))
    assert not started  # Solvay's CEO: "no real market" at Chinese prices


def test_the_same_refinery_goes_ahead_when_prices_make_it_bankable(world_2025):
    """Not a refusal of every Western refinery: at three times today's oxide prices, in China too, it pays back."""
    model = copy.deepcopy(world_2025)
    model.projects.price_avg[1:3, :] *= 3.0  # light and heavy oxide, both markets
    started, _ = _appraise_alone(model, us_refinery(model.projects))
    assert started


def test_a_refinery_outside_china_takes_ore_that_others_then_lack(world_2025):
    model = copy.deepcopy(world_2025)
    before = spare_ore(model, model.projects, model.month)
    row = model.projects._largest_row(C["US"], "refining")
    model.projects.active.append(
        Project(
            "test", "test", C["US"], "refining", 5000.0, model.month, model.month + 36, (row,), np.random.default_rng(0)
        )
    )
    assert spare_ore(model, model.projects, model.month) == pytest.approx(before - 5000.0)


def test_without_engineering_teams_no_plant_is_started():
    model = finished("us_japan_framework", investment__engineering_scale=0.0, months=36)
    assert not [r for r in model.log.rows if r[2] == "project_started"]
    held = model.projects.limits["framework"]
    assert sum(per_year.get("engineering", 0) for per_year in held.values()) > 0  # bankable, but no team free


@pytest.mark.parametrize("seed", [42, 1, 2])
def test_us_magnet_capacity_at_end_2026_is_near_mp_and_evac(seed):
    """Reference V26: MP Independence (~1,000 t magnet/yr) and eVAC Sumter (2,000 t/yr targeted for 2026), at
    0.36 t REO per t of magnet, ~1,080 t REO/yr; the band is x0.5-x2."""
    model = RareEarthModel("busan_truce", seed=seed)
    while model.months_run < 36:  # to 2026-12
        model.step()
    capacity = table(model, "capacity").query("country == 'US' and stage == 'magnets' and date == '2026-12'")
    assert 540 <= float(capacity["tonnes_per_year"].iloc[0]) <= 2160


def test_a_fund_payment_names_its_project_and_the_money_left():
    model = finished("us_japan_framework", months=48)
    payments = table(model, "events").query("kind == 'fund_payment'")
    shares = payments[payments["detail"].str.contains(r"% of \$")]
    offtakes = payments[payments["detail"].str.contains("committed to an offtake")]
    sooner = payments[payments["detail"].str.contains("sooner")]
    assert len(shares) and len(offtakes) and len(sooner) and len(shares) + len(offtakes) + len(sooner) == len(payments)
    assert shares["detail"].str.match(r"\$[\d,]+M \(\d+% of \$[\d,]+M\) for .+; \$\d+\.\d\dB of this year's").all()
    assert all(re.search(r"30% of capex", r) for r in shares["rationale"])
    assert (
        offtakes["detail"]
        .str.match(r"\$[\d,]+M committed to an offtake for .+ \(\$[\d,]+M a year for 10 years\)")
        .all()
    )
    assert sooner["detail"].str.match(r"\$[\d,]+M to bring .+ online \d+ months? sooner").all()
    assert (sooner["date"].str[-2:] == "10").all()  # October: the year's money left before it lapses


def test_an_offtake_makes_a_plant_bankable_that_the_shares_alone_do_not(world_2025):
    """Western plants that do not pay back with the state's 20% and the fund's 30% at the prices lenders bank
    on go ahead under the framework with an offtake; without a fund none is guaranteed."""
    model = world_2025
    framework = finished("us_japan_framework", months=24)
    started = table(framework, "events").query("kind == 'project_started'")
    guaranteed = started[started["detail"].str.contains("(offtake) guarantees", regex=False)]
    assert len(guaranteed) > 0
    assert not model.diplomats.active(model.month)  # and without the framework none is guaranteed
    assert not table(model, "events")["detail"].str.contains("(offtake)", regex=False).any()


def test_money_left_in_october_brings_the_funds_own_plants_forward_and_dearer_each_month():
    model = finished("us_japan_framework", months=30, events__framework__cofinance_usd_per_year=8e9)
    sped = [p for p in model.projects.active if p.months_saved > 0]
    assert sped and all(p.funds == ("framework",) for p in sped)
    for project in sped:
        assert project.months_saved <= 0.33 * project.lead_months
    unfunded = [p for p in model.projects.active if not p.funds]
    assert all(p.months_saved == 0 for p in unfunded)  # the fund speeds up only what it co-finances
    paid = sum(model.diplomats.by_key("framework").paid.values())
    assert paid <= 8e9 * 2 + 1e-3  # 2025 and 2026's money, never more
