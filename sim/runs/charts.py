"""Drawing helpers shared by the run report, the sweep report and the docs' charts: byte-reproducible inline
SVG, month axes, labelled event markers, stated units and scales, and "none" where there is nothing to draw."""
from __future__ import annotations

import html
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.transforms as mtransforms  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .palette import EVENT_MARKER  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

SVG_STYLE: dict[RcKeyType, Any] = {"svg.hashsalt": "ree", "svg.fonttype": "none", "font.size": 9}


def svg(fig) -> str:
    """A matplotlib figure as inline SVG markup (the figure is closed). Byte-reproducible: no creation
    date, and element ids hashed from a fixed salt instead of a random one. Text stays text (not glyph
    outlines), which keeps the page small and its words searchable."""
    buffer = io.StringIO()
    with plt.rc_context(SVG_STYLE):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def month_dates(labels) -> pd.DatetimeIndex:
    """"YYYY-MM" labels as dates (the first of each month), for plotting."""
    return pd.to_datetime(pd.Series(list(labels)) + "-01")


@dataclass(frozen=True)
class Marker:
    """A dated scenario event drawn on every time chart as a dashed line with its number on top."""
    date: str
    label: str  # the numbers of the events that month, e.g. "2,3"


MARKER_ROOM = 0.045  # share of the axis width a marker's label needs before the next one must step down


def mark_events(ax, markers: list[Marker]) -> None:
    """Dashed lines with their numbers on top; labels of events close in time step down inside the axes
    (three rows, then round again) so that no number hides another. Call after the data is drawn."""
    top = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
    left, right = ax.get_xlim()
    width = max(right - left, 1.0)
    level, last = 0, None
    for marker in markers:
        when = pd.Timestamp(marker.date + "-01")
        x = mdates.date2num(when)
        crowded = last is not None and (x - last) / width < MARKER_ROOM * (1 + len(marker.label) / 4)
        level = (level + 1) % 3 if crowded else 0
        last = x
        ax.axvline(when, color=EVENT_MARKER, lw=0.8, ls="--", zorder=0)
        ax.text(when, 1.0 - 0.085 * level, marker.label, transform=top, ha="center",
                va="bottom" if level == 0 else "top", fontsize=8, color="#222", zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "fc": "#ffffff", "ec": EVENT_MARKER, "lw": 0.6})
    ax.set_xlim(left, right)  # the marker lines must not widen the time axis


def time_axes(ax, unit: str, markers: list[Marker] | None = None, log: bool = False) -> None:
    """Month ticks, a y-axis that states its unit and scale, a linear axis from zero (so a small drift
    looks small), and the event markers."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(alpha=0.3)
    if log:  # a log scale has no zero: values of 0 or less are left out of the lines, and the label says so
        left_out = sum(int((np.asarray(line.get_ydata(), float) <= 0).sum()) for line in ax.get_lines())
        ax.set_yscale("log", nonpositive="mask")
        note = f" ({left_out} value{'s' * (left_out > 1)} of 0 or less left out)" if left_out else ""
        ax.set_ylabel(f"{unit}, log scale{note}", fontsize=8)
    else:
        ax.set_ylim(bottom=0)
        ax.set_ylabel(f"{unit}, linear from 0", fontsize=8)
    if markers:
        mark_events(ax, markers)


def figure_legend(fig, ncol: int = 6, title: str | None = None) -> None:
    """One legend for the whole figure, below the panels, so no legend box hides a line; each label once."""
    seen: dict[str, object] = {}
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(label, handle)
    if seen:
        fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncol=min(ncol, len(seen)),
                   fontsize=8, title=title, title_fontsize=8, frameon=False)


def capital(text: str) -> str:
    """First letter upper case, the rest untouched ("the US" -> "The US", not "The us")."""
    return text[:1].upper() + text[1:]


def none_box(title: str, message: str) -> str:
    """What a chart of nothing shows instead of an empty axis."""
    return (f"<div class='none'><b>{html.escape(title)}</b>: none. {html.escape(message)}</div>")


def figure(chart_svg: str, caption: str = "") -> str:
    """A chart and its caption (the marker key); a "none" box needs no key."""
    note = f"<figcaption>{caption}</figcaption>" if caption and chart_svg.startswith("<svg") else ""
    return f"<figure>{chart_svg}{note}</figure>"
