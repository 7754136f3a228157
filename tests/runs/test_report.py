"""report.html a teacher can explain from, and event texts that read right for every value."""
import re
from pathlib import Path

import pandas as pd
import pytest

from sim.runs import palette
from sim.runs.outputs import write_outputs

from tests.conftest import cached_run

MAX_REPORT_BYTES = 1_000_000


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """The default scenario and the April 2025 licences, written as `ree run` writes them."""
    out = {}
    for scenario in ("baseline_2024", "apr2025_licensing"):
        folder = tmp_path_factory.mktemp(scenario)
        write_outputs(cached_run(scenario).model, folder)
        out[scenario] = folder
    return out


def _page(folders, scenario) -> str:
    return (folders[scenario] / "report.html").read_text(encoding="utf-8")


def _summary(page: str) -> str:
    return page[page.index('id="what-happened"'):page.index('id="headlines"')]


def test_the_default_report_is_small_and_self_contained(folders):
    path = folders["baseline_2024"] / "report.html"
    assert path.stat().st_size < MAX_REPORT_BYTES
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing fetched from a network


def test_calm_baseline_says_none_and_n_a_instead_of_empty_charts_and_100_percent(folders):
    page = _page(folders, "baseline_2024")
    assert "n/a: no licence was decided" in page
    assert "Licence approval rate (by tonnes decided)</td><td class='num'>100%" not in page
    # no shortage anywhere: a "none" box instead of an axis running from -0.04% to 0.04%
    assert "<b>Shortages by country</b>: none" in page and "<b>Shortages by sector</b>: none" in page
    assert "went short of magnets: every order was filled" in _summary(page)
    # a technology ban in force before the start is listed, unnumbered, and draws no marker
    assert "in force from the start</b>, CN: no CN technology" in page
    assert "Dashed lines:" not in page


def test_licensing_report_tells_what_happened_in_date_order_linked_to_the_charts(folders):
    page = _page(folders, "apr2025_licensing")
    summary = _summary(page)
    # the scenario's own events, numbered in date order: Myanmar's disruption, then the April licences
    numbered = re.findall(r"<span class='badge'>(\d+)</span> <b>(\d{4}-\d{2})</b>, (\w+)", summary)
    assert [n for n, _, _ in numbered] == [str(i) for i in range(1, len(numbered) + 1)]
    assert [d for _, d, _ in numbered] == sorted(d for _, d, _ in numbered)
    when_who = [(d, a) for _, d, a in numbered]
    assert ("2024-11", "MM") in when_who and ("2025-04", "CN") in when_who
    # the worst shortage is named by country, sector and month; each point links to its chart
    assert re.search(r"The worst single shortage: \w+ manufacturers in [\w ]+ could not get \d+% of the magnets "
                     r"they needed in \d{4}-\d{2}", summary)
    assert "the world price peaked at" in summary and "Licences.</b>" in summary and "Agreements.</b>" in summary
    for anchor in re.findall(r"href='#([\w-]+)'", summary):
        assert f'id="{anchor}"' in page, anchor


def test_every_time_chart_carries_the_numbered_markers_and_states_its_scale(folders):
    page = _page(folders, "apr2025_licensing")
    charts = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(charts) == 6  # prices, shortages by country and by sector, exports, capacity, stocks: all in time
    for chart in charts:
        assert ">2,3,4<" in chart  # the April licences, MP's halt and the tariff row share a month and a marker
        assert "linear from 0" in chart and "log scale" not in chart
    assert page.count("Dashed lines: <b>1</b> 2024-11 MM capacity shock") == len(charts)


def test_shortages_by_sector_and_palette_colours(folders):
    page = _page(folders, "apr2025_licensing")
    sector_section = page[page.index('id="shortages-sector"'):page.index('id="flows"')]
    assert "defence" in sector_section and palette.SECTOR["defense"].lower() in sector_section.lower()
    for colour in (palette.COUNTRY["US"], palette.COUNTRY["JP"], palette.MARKET["world"], palette.PRODUCT["magnet"]):
        assert colour.lower() in page.lower(), colour
    for old in ("#d62728", "#1f77b4", "#9467bd"):  # matplotlib's default cycle, which the report used to use
        assert old not in page.lower()


def test_event_log_has_its_filters_and_every_row(folders):
    page = _page(folders, "apr2025_licensing")
    events = pd.read_csv(folders["apr2025_licensing"] / "events.csv")
    log = page[page.index("<table id='log'>"):]
    assert log.count("<tr>") == len(events) + 1
    for element in ("f-actor", "f-kind", "f-text"):
        assert f"id='{element}'" in page
    assert "<option>licence_denied</option>" in page and "<option>CN</option>" in page


@pytest.mark.parametrize("scenario", ["baseline_2024", "apr2025_licensing", "full_embargo", "crisis_2010"])
def test_event_texts_read_right_for_every_value(scenario):
    rows = cached_run(scenario).model.log.rows
    for date, actor, kind, target, detail, rationale in rows:
        text = f"{detail} {rationale}"
        assert not re.search(r"(short of|could not get) 0%|safer \(exposure 0%\)| to \*", text), (date, kind, text)
        if kind == "technology_ban":
            assert target == "*", "a technology ban binds projects outside the actor, not the actor"
        if kind in ("stockpile_release", "stockpile_close"):
            assert target == actor, "a stockpile opens to the state's own buyers"


def test_quota_top_up_names_only_the_reasons_that_acted():
    rows = cached_run("baseline_2024").model.log.rows
    top_ups = [r[5] for r in rows if r[2] == "mining_quota" and "topped up" in r[5]]
    assert top_ups and all("went short" not in why for why in top_ups)  # the calm baseline has no ore shortage
    assert all("ore costs" in why for why in top_ups)


def test_a_lever_pulled_mid_run_is_a_numbered_event_with_its_marker(tmp_path):
    from sim import RareEarthModel
    model = RareEarthModel("baseline_2024", months=8)
    for _ in range(3):
        model.step()
    model.apply_lever({"kind": "export_control", "actor": "CN", "products": ["magnet"], "destinations": ["US"],
                       "level": "ban"}, rationale="a student's move")
    while not model.finished:
        model.step()
    write_outputs(model, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert ("<span class='badge'>1</span> <b>2024-04</b>, CN: ban on magnet to US."
            " <span class='why'>a student&#x27;s move</span>") in _summary(page)
    assert "Dashed lines: <b>1</b> 2024-04 CN export control &rarr; US" in page


def test_a_log_axis_leaves_out_zeros_and_says_so():
    import matplotlib.pyplot as plt

    from sim.runs.charts import month_dates, time_axes
    dates = month_dates(pd.Series(["2024-01", "2024-02", "2024-03"]))
    fig, (with_zero, without) = plt.subplots(1, 2)
    with_zero.plot(dates, [0.0, 10.0, 100.0])
    without.plot(dates, [1.0, 10.0, 100.0])
    time_axes(with_zero, "USD/kg", log=True)
    time_axes(without, "USD/kg", log=True)
    assert with_zero.get_ylabel() == "USD/kg, log scale (1 value of 0 or less left out)"
    assert without.get_ylabel() == "USD/kg, log scale" and with_zero.get_yscale() == "log"
    plt.close(fig)
