"""The "Why" section of `report.html`: each event's contribution to one outcome (`ree run --why O`), as a
bar chart and a table; without `--why` it says which command would add it."""
from __future__ import annotations

import html

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import palette  # noqa: E402
from .charts import svg  # noqa: E402

SHOWN = 12  # the largest contributions; the rest are in the table


def _chart(result) -> str:
    rows = [c for c in result.contributions if not c.note][:SHOWN][::-1]
    fig, ax = plt.subplots(figsize=(11, 0.45 * len(rows) + 1.2), layout="constrained")
    colours = [palette.SERIES[1] if c.value > 0 else palette.SERIES[0] for c in rows]  # raises / lowers it
    ax.barh([f"{c.id} ({c.date})" for c in rows], [c.value for c in rows], color=colours,
            xerr=[c.stderr for c in rows] if any(c.stderr for c in rows) else None)
    ax.axvline(0, color="#333", lw=0.8)
    ax.set_xlabel(f"contribution to {result.outcome} ({result.unit or 'as in summary.json'}), "
                  f"{result.window[0]} to {result.window[1]}")
    ax.spines[["top", "right"]].set_visible(False)
    return svg(fig)


def why_section(result, scenario_name: str) -> str:
    if result is None:
        return (f"<p class='note'>Which events explain an outcome? <code>ree run {html.escape(scenario_name)} --why "
                "shortage:US</code> adds a chart of each event's contribution here (any outcome of "
                "<code>ree why --help</code>).</p>")
    rows = "".join(
        f"<tr><td>{html.escape(c.id)}</td><td style='white-space:nowrap'>{c.date}</td><td class='num'>{c.value:,.4g}"
        + (f" ± {c.stderr:.2g}" if c.stderr else "") + f"</td><td class='num'>{c.alone:,.4g}</td>"
        f"<td class='num'>{c.last:,.4g}</td><td>{html.escape(c.note or c.label)}</td></tr>"
        for c in result.contributions)
    unit = f" {html.escape(result.unit)}" if result.unit else ""
    return (f"<p>{html.escape(result.outcome)} from {result.window[0]} to {result.window[1]}: "
            f"<b>{result.scenario_value:,.4g}</b>{unit} with every event, <b>{result.counterfactual_value:,.4g}</b>"
            f"{unit} with none. Each event's Shapley value is its average effect over the orders in which the events could "
            f"have come; they add up to the difference. <i>Alone</i> is its effect with no other event, "
            f"<i>last</i> its effect added to all the others ({html.escape(result.method)}, {result.runs} runs of "
            f"the same scenario and seed).</p><figure>{_chart(result)}</figure>"
            "<div class='logwrap'><table><thead><tr><th>event</th><th>date</th><th>Shapley</th><th>alone</th>"
            f"<th>last</th><th>what</th></tr></thead><tbody>{rows}</tbody></table></div>")
