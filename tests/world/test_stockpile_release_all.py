"""A stockpile release of `tonnes = "all"` hands over everything the state holds of the product: the word
for what a huge number would otherwise stand in for."""

from __future__ import annotations

from sim import load_scenario
from sim.constants import P
from sim.levers import replay_toml
from sim.stockpiles import release_to_domestic
from tests.conftest import model_with_events

RELEASE_ALL_LIGHT = {
    "date": "2024-03",
    "kind": "stockpile_release",
    "actor": "JP",
    "product": "light_oxide",
    "tonnes": "all",
}


def test_release_all_empties_the_state_stock_of_that_product_only():
    model = model_with_events([RELEASE_ALL_LIGHT], months=3)
    japan = model.states["JP"]
    model.step()
    model.step()
    held = model.book.stock[japan.stockpile_row].copy()
    assert held[P["light_oxide"]] > 0 and held[P["heavy_oxide"]] > 0
    model.step()  # 2024-03: the release
    stock = model.book.stock[japan.stockpile_row]
    assert stock[P["light_oxide"]] == 0
    assert stock[P["heavy_oxide"]] == held[P["heavy_oxide"]]
    logged = [row for row in model.log.rows if row[2] == "stockpile_release"]
    assert len(logged) == 1 and f"{held[P['light_oxide']]:,.0f} t" in logged[0][4]  # events.csv says how much


def test_release_to_domestic_takes_all_or_none_for_the_whole_stock():
    for whole in ("all", None):
        model = model_with_events([], months=1)
        japan = model.states["JP"]
        model.step()  # firms have used light oxide, so the release has users to go to
        held = float(model.book.stock[japan.stockpile_row, P["light_oxide"]])
        assert held > 0
        assert release_to_domestic(model, japan, P["light_oxide"], whole) == held
        assert model.book.stock[japan.stockpile_row, P["light_oxide"]] == 0


def test_a_release_all_lever_replays_as_the_word(tmp_path):
    model = model_with_events([], months=3)
    model.step()
    model.apply_lever({key: value for key, value in RELEASE_ALL_LIGHT.items() if key != "date"}, "empty it")
    path = tmp_path / "replay.toml"
    path.write_text(replay_toml(model), encoding="utf-8")
    assert 'tonnes = "all"' in path.read_text(encoding="utf-8")
    assert [e.tonnes for e in load_scenario(path).events if e.kind == "stockpile_release"] == ["all"]
