"""Chart specs for the web UI: units on the axes, the shared palette, the month's rows in the data."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from sim import RareEarthModel
from sim.runs import palette
from sim.runs.outputs import tables
from ui.components import charts, game_charts


@pytest.fixture(scope="module")
def frames():
    model = RareEarthModel("apr2025_licensing", seed=3, months=20)
    while not model.finished:
        model.step()
    return tables(model)


def walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def rows(spec: dict) -> pd.DataFrame:
    """The month's rows a spec carries (CSV text in its named dataset)."""
    return pd.read_csv(io.StringIO(spec["datasets"]["table"]))


def specs(frames) -> dict[str, dict]:
    return {
        "prices": charts.prices(frames["prices.csv"]),
        "shortage_share": charts.shortage_share(frames["supply.csv"]),
        "shortage_by_sector": charts.shortage_by_sector(frames["supply.csv"]),
        "flows": charts.trade_flows(frames["flows.csv"], "magnet"),
        "capacity": charts.capacity(frames["capacity.csv"]),
        "licences": charts.licences(frames["licences.csv"]),
    }


def test_every_quantitative_axis_names_its_unit(frames):
    for name, spec in specs(frames).items():
        if name == "flows":
            continue  # no axes: countries on both sides, the width legend carries the unit (tested below)
        titled = [
            enc
            for node in walk(spec)
            for channel, enc in node.get("encoding", {}).items()
            if channel in ("x", "y")
            and isinstance(enc, dict)
            and enc.get("type") == "quantitative"
            and enc.get("axis", {}) is not None
        ]
        assert titled, name
        for enc in titled:
            assert "(" in enc["title"] and ")" in enc["title"], (name, enc["title"])


def test_countries_get_the_shared_palette_everywhere(frames):
    scales = [
        enc["scale"]
        for spec in specs(frames).values()
        for node in walk(spec)
        for channel, enc in node.get("encoding", {}).items()
        if channel == "color" and isinstance(enc, dict) and enc.get("field") in ("country", "exporter", "label")
    ]
    assert len(scales) >= 4
    for scale in scales:
        assert dict(zip(scale["domain"], scale["range"])) == palette.COUNTRY


def test_series_with_many_lines_have_a_legend_toggle(frames):
    for name in ("shortage_share", "flows", "capacity", "licences", "shortage_by_sector"):
        params = [p for node in walk(specs(frames)[name]) for p in node.get("params", [])]
        assert any(p.get("bind") == "legend" for p in params), name


def test_a_month_swaps_only_the_rows_of_a_cached_spec(frames):
    first = charts.prices(frames["prices.csv"])
    shorter = charts.prices(frames["prices.csv"].iloc[:16])
    assert len(rows(first)) == len(frames["prices.csv"]) and len(rows(shorter)) == 16
    assert first["vconcat"] is shorter["vconcat"]  # the spec itself is built once
    assert rows(first)["month"].iloc[0] == frames["prices.csv"]["date"].iloc[0] + "-01"
    pd.testing.assert_series_equal(rows(first)["usd_per_kg"], frames["prices.csv"]["usd_per_kg"], rtol=1e-5)


def test_trade_flows_draw_exports_only_with_width_in_tonnes(frames):
    spec = charts.trade_flows(frames["flows.csv"], "magnet")
    drawn = rows(spec)
    flows = frames["flows.csv"]
    last = flows[
        (flows["date"] == flows["date"].max())
        & (flows["product"] == "magnet")
        & (flows["exporter"] != flows["importer"])
    ]
    assert (drawn["exporter"] != drawn["importer"]).all()
    assert drawn["tonnes"].sum() == pytest.approx(last[last["tonnes"] > 0.05]["tonnes"].sum(), rel=1e-5)
    widths = [
        enc for node in walk(spec) for channel, enc in node.get("encoding", {}).items() if channel == "strokeWidth"
    ]
    assert widths and widths[0]["field"] == "tonnes" and "t REO" in widths[0]["title"]


def test_branches_keep_the_colour_and_differ_by_line_style(frames):
    both = charts.stacked_branches(frames["prices.csv"], frames["prices.csv"])
    spec = charts.prices(both)
    dashes = [
        enc for node in walk(spec) for channel, enc in node.get("encoding", {}).items() if channel == "strokeDash"
    ]
    assert dashes and dashes[0]["field"] == "branch"
    assert set(rows(spec)["branch"]) == {"what-if", "baseline"}


def test_log_scales_get_no_zero_and_say_what_they_left_out(frames):
    logs = 0
    for name, spec in specs(frames).items():
        for node in walk(spec):
            for enc in node.get("encoding", {}).values():
                if isinstance(enc, dict) and (enc.get("scale") or {}).get("type") == "log":
                    logs += 1
                    assert "zero" not in enc["scale"], name  # a log scale drops it, with a console warning
                    assert (rows(spec)[enc["field"]] > 0).all(), name
    assert logs == 4  # the four price panels
    prices = frames["prices.csv"].copy()
    prices.loc[prices.index[:3], "usd_per_kg"] = 0.0
    spec = charts.prices(prices)
    assert len(rows(spec)) == len(prices) - 3 and (rows(spec)["usd_per_kg"] > 0).all()
    assert spec["title"] == "3 prices of 0 USD/kg or less left out: a log scale has no zero"
    assert "title" not in charts.prices(frames["prices.csv"])


SERIES = {
    "dates": ["2025-01", "2025-02"],
    "prices": {f"{p}_{m}": [100.0, 120.0] for p in ("heavy_oxide", "magnet") for m in ("china", "world")},
    "shortage": {c: [0.0, 0.25] for c in ("CN", "US", "JP", "AU", "EU", "MM", "MY", "ROW")},
}


def test_the_classroom_draws_the_shared_charts_at_a_phones_width():
    """The classroom's charts are the shared ones with a parameter: as wide as their column, the legend below,
    one product, and only the room's seats (in the palette's colours)."""
    price = game_charts.world_prices(SERIES, "heavy_oxide")
    assert price["width"] == charts.FILL and price["title"] == charts.PRODUCT_NAMES["heavy_oxide"]
    assert price["encoding"]["color"]["legend"]["orient"] == "bottom"
    assert set(rows(price)["product"]) == {"heavy_oxide"} and len(rows(price)) == 4
    seats = ("CN", "US", "JP")
    short = game_charts.world_shortages(SERIES, seats)
    colour = short["encoding"]["color"]["scale"]
    assert short["width"] == charts.FILL and colour["domain"] == list(seats)
    assert colour["range"] == [palette.COUNTRY[s] for s in seats]
    assert set(rows(short)["country"]) == set(seats) and rows(short)["short_pct"].max() == 25
    wide = charts.shortage_share(
        pd.DataFrame({"date": ["2025-01"], "country": ["US"], "demand_t": [2.0], "delivered_t": [1.0]})
    )
    assert wide["width"] == charts.WIDTH + 80 and "legend" not in wide["encoding"]["color"]  # Explore's, unchanged


def test_scores_and_the_ai_worlds_in_each_seats_colour():
    scores = game_charts.scores([{"seat": "US", "score": 40.0}, {"seat": "JP", "score": 55.5}])
    assert scores["encoding"]["color"]["scale"] == {
        "domain": ["US", "JP"],
        "range": [palette.COUNTRY["US"], palette.COUNTRY["JP"]],
    }
    assert list(rows(scores)["score"]) == [40.0, 55.5]
    spec = game_charts.ai_comparison(
        [
            {"seat": "CN", "class_score": 60.0, "ai_scores": [50.0, 70.0], "beat_share": 0.5},
            {"seat": "US", "class_score": 30.0, "ai_scores": [20.0], "beat_share": 1.0},
        ]
    )
    data = rows(spec)
    assert (data["world"] == "ai").sum() == 3 and list(data[data["world"] == "class"]["beat"]) == [
        "beat 50% of AI worlds",
        "beat 100% of AI worlds",
    ]
    assert spec["layer"][1]["encoding"]["color"]["scale"]["range"] == [palette.COUNTRY["CN"], palette.COUNTRY["US"]]
