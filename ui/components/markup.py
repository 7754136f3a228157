"""The one place the web UI writes HTML: text is escaped on its way in, markup passes only as `Raw`.

A block is made of parts: a `str` (or a number) is text and is escaped (`html.escape`); a `Raw` passes as it
is; a list or tuple is its parts in order; None is nothing. `Raw` comes from `element` (a tag around escaped
parts, its attributes quoted and escaped), `country_badge`, or a constant the code itself writes (the QR
code's SVG, which segno draws from the join link). `Html` shows a block, `Lines` a bulleted list and
`tables.Table` a table: nothing else in `ui/` hands HTML to the browser (`solara.HTML`'s `unsafe_innerHTML`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import solara

from sim.runs.palette import COUNTRY

NAME = re.compile(r"[a-z][a-z0-9-]*")  # a tag or attribute name: written in the code, never taken from data
VOID = ("br", "hr", "wbr")  # elements with no content and no end tag


@dataclass(frozen=True)
class Raw:
    """Markup that passes unescaped: only HTML whose every variable part was escaped where it was made
    (`element`, `fragment`), or a constant of the code. Not a `str`, so it never slips into text by accident."""

    html: str


Part = str | int | float | Raw | Sequence["Part"] | None


def fragment(parts: Part) -> str:
    """The HTML of `parts`: text escaped, `Raw` as it is, sequences in order."""
    if parts is None:
        return ""
    if isinstance(parts, Raw):
        return parts.html
    if isinstance(parts, (list, tuple)):
        return "".join(fragment(p) for p in parts)
    return escape(str(parts))


def element(tag: str, *parts: Part, classes: str = "", **attributes: str | bool) -> Raw:
    """`<tag class="classes" name="value">parts</tag>`: the parts escaped as text, attribute values escaped
    and quoted (`True` writes the name alone, `download`; `False` leaves it out); `data_x` writes `data-x`."""
    assert NAME.fullmatch(tag), tag
    pairs = ([("class", classes)] if classes else []) + [(k.replace("_", "-"), v) for k, v in attributes.items()]
    written = []
    for name, value in pairs:
        assert NAME.fullmatch(name), name
        if value is True:
            written.append(f" {name}")
        elif value is not False:
            written.append(f' {name}="{escape(str(value), quote=True)}"')
    if tag in VOID:
        assert not parts, tag
        return Raw(f"<{tag}{''.join(written)}>")
    return Raw(f"<{tag}{''.join(written)}>{fragment(parts)}</{tag}>")


def country_badge(code: str) -> Raw:
    """A country's code on its colour (`sim.runs.palette.COUNTRY`), as the charts draw it."""
    return element("span", code, classes="ree-seat", style=f"background:{COUNTRY.get(code, '#666')}")


def lines(items: Sequence[Part], classes: str = "ree-lines") -> Raw:
    """A bulleted list, one item a line (each item a block of parts)."""
    return element("ul", [element("li", item) for item in items], classes=classes)


@solara.component
def Html(parts: Part, tag: str = "div", classes: list[str] | None = None, style: dict | None = None):
    """A block of parts in one element: the only `unsafe_innerHTML` of the UI, fed by `fragment` alone."""
    assert NAME.fullmatch(tag), tag
    return solara.HTML(tag=tag, unsafe_innerHTML=fragment(parts), classes=classes or [], style=style)


@solara.component
def Lines(items: Sequence[Part], classes: str = "ree-lines"):
    Html(lines(items, classes))
