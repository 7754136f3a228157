"""The one table (and block) of HTML both faces use: every cell is text, markup only as `Raw`."""

from __future__ import annotations

import solara
import solara.widgets

from ui.components.markup import Html, Raw, country_badge, element, fragment, lines
from ui.components.tables import Span, Table, table_html

SCRIPT = "<script>alert('x')</script>"


def test_a_script_in_a_cell_shows_as_text():
    html = table_html(["who", "what"], [["US", SCRIPT], [SCRIPT, 3]]).html
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") == 2
    assert "<td>3</td>" in html


def test_headers_row_classes_and_spans():
    html = table_html(
        ["a & b", "c"],
        [["x", "1"], [Span("not counted", 2)]],
        row_classes=["ree-measure", "ree-year"],
        classes="ree-diff",
    ).html
    assert html.startswith('<table class="ree-diff"><thead><tr><th>a &amp; b</th><th>c</th></tr></thead><tbody>')
    assert '<tr class="ree-measure"><td>x</td><td>1</td></tr>' in html
    assert '<tr class="ree-year"><td colspan="2">not counted</td></tr>' in html


def test_markup_passes_only_as_raw():
    badge = country_badge("US")
    cell = [badge, " ", SCRIPT]  # a cell of parts: the badge is markup, the text is escaped
    html = table_html([], [[cell, Raw("<i>AI plays</i>")]]).html
    assert "<thead>" not in html and '<span class="ree-seat" style="background:#0072B2">US</span>' in html
    assert "<i>AI plays</i>" in html and "&lt;script&gt;" in html
    assert (
        fragment(element("a", "<b>", href='/x?a=1&b="2"', download=True))
        == '<a href="/x?a=1&amp;b=&quot;2&quot;" download>&lt;b&gt;</a>'
    )
    assert fragment([element("br"), None, 1.5]) == "<br>1.5"
    assert lines(["a<b", ["c", Raw("<b>d</b>")]]).html == '<ul class="ree-lines"><li>a&lt;b</li><li>c<b>d</b></li></ul>'


def test_the_components_show_escaped_text():
    _, rc = solara.render(Table(["what"], [[SCRIPT]]), handle_error=False)
    shown = rc.find(solara.widgets.HTML).widget.unsafe_innerHTML
    rc.close()
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    _, rc = solara.render(Html(["hello ", SCRIPT], tag="h2"), handle_error=False)
    widget = rc.find(solara.widgets.HTML).widget
    assert widget.tag == "h2" and widget.unsafe_innerHTML == "hello &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    rc.close()
