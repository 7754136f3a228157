"""Compare and fork: keep the world as it is now as a baseline branch (or rebuild the baseline from the
start with the same seed and no levers), pull levers on the explored branch, run both, and read the
difference in a table and in the overlaid charts (what-if solid, baseline dashed)."""
from __future__ import annotations

import html

import pandas as pd
import solara


def headline(view) -> dict[str, float]:
    """A few numbers a student compares first, each with its unit in the name."""
    f = view.frames
    prices, supply, flows = f["prices.csv"], f["supply.csv"], f["flows.csv"]
    last = prices[prices["date"] == prices["date"].max()]
    out = {f"world price of {p.replace('_', ' ')}, last month (USD/kg)":
           float(last[(last["product"] == p) & (last["market"] == "world")]["usd_per_kg"].sum())
           for p in ("heavy_oxide", "magnet")}
    short = supply.assign(short=supply["demand_t"] - supply["delivered_t"]).groupby("country")["short"].sum()
    for country in ("US", "JP", "EU"):
        out[f"{country} magnet shortage so far (t REO)"] = float(short.get(country, 0.0))
    exports = flows[(flows["exporter"] == "CN") & (flows["importer"] != "CN")]
    out["China's exports so far, all products (t REO)"] = float(exports["tonnes"].sum())
    return out


def difference_table(view, baseline) -> pd.DataFrame:
    what_if, base = headline(view), headline(baseline)
    rows = [{"measure": k, "what-if": what_if[k], "baseline": base[k], "difference": what_if[k] - base[k],
             "change (%)": 100 * (what_if[k] - base[k]) / base[k] if base[k] else float("nan")} for k in what_if]
    return pd.DataFrame(rows)


def _cell(value) -> str:
    if isinstance(value, str):
        return value
    return "–" if value != value else f"{value:,.1f}"  # NaN: no baseline to compare with


def table_html(table: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
                   for row in table.itertuples(index=False))
    return f'<table class="ree-diff"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


@solara.component
def ForkControls(store):
    def fork():
        store.session.fork()
        store.refresh(store.session.view())

    def from_start():
        store.session.baseline_from_start()
        store.refresh(store.session.view())

    def drop():
        store.session.drop_baseline()
        store.refresh(store.session.view())

    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Button("Fork here", on_click=fork, color="primary", disabled=store.playing.value)
        solara.Button("Baseline from the start", on_click=from_start,
                      disabled=store.playing.value)
        solara.Button("Drop the baseline", on_click=drop, disabled=store.baseline.value is None)
    solara.Text("Fork here keeps a copy of the world as it is now (levers already pulled included) as the "
                "baseline; levers you pull next change only the what-if. Baseline from the start reruns the "
                "scenario with the same seed and no levers to this month. Stepping runs both.",
                style={"font-size": "13px", "color": "#444"})


@solara.component
def DifferenceTable(view, baseline, fork_date: str):
    if baseline is None:
        return solara.Text("No baseline yet: fork here, or build one from the start.")
    if view.months_run == 0:
        return solara.Text("Run a month to compare.")
    solara.Text(f"What-if against the baseline (branched at {fork_date}), at {view.date}",
                style={"font-weight": "bold"})
    solara.HTML(tag="div", unsafe_innerHTML=table_html(difference_table(view, baseline)))
