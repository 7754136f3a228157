"""The Why panel's parts without a browser: what a session asks of each branch, the per-tab cache, the bar
chart's spec and the table (the panel itself runs in tests/ui/test_browser.py)."""

from __future__ import annotations

import pandas as pd

from sim.runs.why_branch import explain
from ui.components.compare import difference_rows, difference_table
from ui.components.tables import table_html
from ui.components.why_chart import COLUMNS, WHO, contributions, rows, table_rows
from ui.session import Answers, Session

LIFT = {
    "kind": "export_control",
    "actor": "CN",
    "products": ["heavy_oxide", "magnet"],
    "destinations": ["US"],
    "level": "none",
}


def forked_session() -> Session:
    session = Session()
    session.start("full_embargo", "1")
    session.step(4)
    session.apply_lever({"kind": "tariff", "actor": "US", "target": "CN", "change_points": 5}, "before the fork")
    session.fork()
    session.apply_lever(LIFT, "lift it")
    session.step(3)
    return session


def test_each_branch_asks_its_own_question():
    session = forked_session()
    whole, difference, baseline = (session.why_question(w) for w in ("model", "difference", "baseline"))
    events = len(session.model.scenario.events)
    assert (whole.first_varied, difference.first_varied) == (0, events + 1)  # the tariff came before the fork
    assert len(whole.scenario["events"]) == events + 2 and len(baseline.scenario["events"]) == events + 1
    assert len({whole.key, difference.key, baseline.key}) == 3
    session.baseline_from_start()
    assert session.why_question("difference").first_varied == events  # no lever in a baseline from the start
    session.drop_baseline()
    assert session.why_question("difference") is None and session.why_question("baseline") is None


def test_the_difference_names_only_the_lever_after_the_fork():
    session = forked_session()
    answer = explain(session.why_question("difference"), "shortage:US")
    assert [answer.names[c.id] for c in answer.attribution.contributions] == ["your lever 2: CN export control"]
    spec = contributions(answer, "US magnet shortage (t REO)")
    data = rows(answer)
    assert data["who"].tolist() == ["your lever"] and data["bar"].tolist() == [
        "your lever 2: CN export control (2024-05)"
    ]
    assert spec["layer"][0]["encoding"]["x"]["title"] == (
        "contribution to US magnet shortage (t REO), 2024-01 to 2024-07"
    )  # the unit once
    assert spec["layer"][0]["encoding"]["color"]["scale"]["range"] == list(WHO.values())


def test_the_table_lists_events_that_cannot_count_and_why():
    session = Session()
    session.start("full_embargo", "1")
    session.step(1)
    answer = explain(session.why_question("model"), "shortage:US")
    html = table_html(COLUMNS, table_rows(answer)).html
    assert "not counted: dated after the window" in html and "embargo" in html
    assert rows(answer).empty or set(rows(answer)["who"]) == {"scenario event"}


def test_answers_are_kept_per_question_and_the_oldest_go_first():
    answers = Answers(size=2)
    for key in ("a", "b", "c"):
        answers.put((key,), key)
    assert answers.get(("a",)) is None and answers.get(("c",)) == "c"
    answers.put(("b",), "b again")
    answers.put(("d",), "d")
    assert answers.get(("c",)) is None and answers.get(("b",)) == "b again"


def test_the_difference_table_groups_years_under_each_measure():
    session = forked_session()
    session.step(9)  # into 2025
    table = difference_table(session.view(), session.baseline_view())
    assert isinstance(table, pd.DataFrame) and list(table["period"][:3]) == ["so far", "2024", "2025"]
    page = table_html(list(table.columns), *difference_rows(table), classes="ree-diff").html
    assert page.count('class="ree-measure"') == table["measure"].nunique()
    assert page.count('class="ree-year"') == 2 * table["measure"].nunique()
