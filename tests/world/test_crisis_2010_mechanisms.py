"""What drives the 2011 peak in `crisis_2010`, one mechanism at a time: each, switched off, moves the
path in the direction its history says, so none of them is a knob that merely happens to fit.

- China's 2010 campaign against unregistered ionic-clay mining (`ore_grade` event) makes the peak: without it
  the ex-China heavy price tops out at ~5x in January 2011, as before the second pass of that recalibration.
- Unregistered mining that answers a high Dy/Tb price ends it: without it the price climbs on into late 2011.
- Japanese makers' term contracts keep them buying: without them they make less in 2011 and the peak is lower.
- Speculative buying inside China in the first half of 2011 lifts China's own prices.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import RareEarthModel
from sim.constants import MAGNET_MAKER, C
from sim.supply import UNREGISTERED_CAP
from tests.conftest import cached_run


def heavy_world(run) -> tuple[np.ndarray, float]:
    world = run.price("heavy_oxide", "world")
    return world, world[: run.month_index("2010-01")].mean()


def without(field: str, value) -> tuple:
    return ((field, value),)


def test_the_crackdown_is_dated_as_the_campaign_and_lifted():
    rows = cached_run("crisis_2010").model.log.rows
    start = [r for r in rows if r[2] == "ore_grade" and r[3] == "CN"]
    end = [r for r in rows if r[2] == "ore_grade_ends" and r[3] == "CN"]
    assert [r[0] for r in start] == ["2010-05"] and [r[0] for r in end] == ["2011-01"]


def test_without_the_crackdown_the_peak_is_early_and_low():
    run = cached_run("crisis_2010", None, without("events__ionic_clay_crackdown__heavy_factor", 1.0))
    world, base = heavy_world(run)
    assert int(world.argmax()) < run.month_index("2011-04") and world.max() < 10 * base


def test_unregistered_mining_answers_the_price_and_ends_the_boom():
    with_answer = cached_run("crisis_2010")
    no_answer = cached_run("crisis_2010", None, without("market__unregistered_response", 0.0))
    peak_with, peak_without = (int(heavy_world(r)[0].argmax()) for r in (with_answer, no_answer))
    assert peak_with < peak_without  # the boom ends sooner when high prices draw the miners back
    assert heavy_world(with_answer)[0].max() < heavy_world(no_answer)[0].max()


def test_term_contracts_keep_japanese_makers_buying_through_2011():
    def japan_magnets(run):
        made = run.rec.output[: run.rec.written, 2, C["JP"]]
        return made[run.month_index("2011-01") : run.month_index("2012-01")].sum()

    contracted = cached_run("crisis_2010")
    spot_only = cached_run("crisis_2010", None, without("market__term_contract_share", 0.0))
    assert japan_magnets(contracted) > 1.05 * japan_magnets(spot_only)
    # their Dy/Tb orders are what keeps the ex-China price climbing into the summer
    assert heavy_world(contracted)[0].max() > 1.2 * heavy_world(spot_only)[0].max()


def test_contracts_hold_the_margin_but_moving_to_china_weighs_the_spot_margin():
    model = RareEarthModel("crisis_2010")
    while model.date < "2011-02":
        model.step()
    makers = model.rows[MAGNET_MAKER]
    japan = makers[model.book.country[makers] == C["JP"]]
    china = makers[model.book.country[makers] == C["CN"]]
    spot, held = model.margin_index(japan, contracts=False), model.margin_index(japan)
    assert (spot < 1).all() and (held > spot).all()  # squeezed, and the contracts soften it
    assert np.allclose(model.margin_index(china), model.margin_index(china, contracts=False))


def test_unregistered_dy_tb_is_capped():
    model = RareEarthModel("crisis_2010")
    model.unregistered_pull = 50.0
    cn = C["CN"]
    assert model.mined_grade()[cn, 1] == pytest.approx(UNREGISTERED_CAP * model.registered_grade[cn, 1])
    assert model.mined_grade()[cn, 0] == model.ore_grade[cn, 0]


def test_both_mechanisms_are_off_unless_a_scenario_asks():
    model = RareEarthModel("apr2025_licensing")
    assert model.scenario.market.unregistered_response == 0 and model.scenario.market.term_contract_share == 0
    model.unregistered_pull = 1.0
    assert model.mined_grade() is model.ore_grade


def test_speculative_buying_in_china_lifts_chinas_prices_and_eases_japans_dependence():
    """Speculators bought up China's rare earths from February 2011 (Xinhua, 30 Mar 2011): without them
    China's own heavy price rises less by March and Japan leans more on China in 2012."""
    from sim.runs.validation import crisis_metrics

    with_buying = cached_run("crisis_2010")
    without_buying = cached_run("crisis_2010", None, without("events__speculative_buying_2011__extra_cover", 0.0))

    def china_heavy_rise(run):
        china = run.price("heavy_oxide", "china")
        return china[run.month_index("2011-03")] / china[run.month_index("2010-12")]

    assert china_heavy_rise(with_buying) > china_heavy_rise(without_buying)
    share = [crisis_metrics(r.model)["japan_china_share_2012"] for r in (with_buying, without_buying)]
    assert share[0] < share[1]
