"""`report.html`: one self-contained page (charts inlined as SVG, a small inline script, no network) that a
reader opens first. It starts with what happened, in words generated from the run, numbered to match the
markers on every time chart; then headlines, the charts and the event log, filterable by actor and kind.
The same scenario and seed give the same bytes."""
from __future__ import annotations

import html

import pandas as pd

from .charts import figure, month_dates, svg  # noqa: F401  (month_dates, svg: still importable from here)
from .report_charts import (capacity_chart, flow_chart, price_chart, shortage_country_chart,
                            shortage_sector_chart, stock_chart)
from .report_why import why_section
from .report_story import marker_key, markers, scenario_rows, shortage_shares, story

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222;
line-height:1.45;padding:0 1rem}h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd}
h3{margin:1.2rem 0 .4rem;font-size:1.05rem}.lead{color:#444}table{border-collapse:collapse;font-size:.9rem}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}svg{max-width:100%;height:auto}
.note,figcaption{color:#555;font-size:.85rem}figure{margin:0 0 1rem}
.summary{background:#f7f7f4;border:1px solid #e2e2dc;border-radius:6px;padding:.4rem 1.2rem 1rem}
ol.events{list-style:none;padding-left:0}ol.events li{margin:.35rem 0}ul.story li{margin:.45rem 0}
.badge{display:inline-block;min-width:1.4em;text-align:center;border:1px solid #666;border-radius:.7em;
font-size:.8rem;padding:0 .3em;background:#fff}.badge.pre{border-style:dashed;color:#555}
.why{display:block;color:#555;font-size:.85rem;margin-left:2.2em}a.see{font-size:.85rem;white-space:nowrap}
.none{border:1px dashed #bbb;border-radius:6px;padding:.8rem 1rem;color:#444;background:#fafafa;margin:.5rem 0}
.filters{display:flex;gap:1rem;flex-wrap:wrap;align-items:center;margin:.5rem 0}
#log td:first-child{white-space:nowrap}.logwrap{max-height:85vh;overflow:auto;border:1px solid #ddd}
#log th{position:sticky;top:0}#log{width:100%}.filters select{max-width:20rem}ul.story ul{margin:.2rem 0}
"""
FILTER_SCRIPT = """
(function(){
  var actor=document.getElementById('f-actor'),kind=document.getElementById('f-kind'),
      text=document.getElementById('f-text'),count=document.getElementById('f-count'),
      rows=document.querySelectorAll('#log tbody tr');
  function apply(){
    var want=text.value.toLowerCase(),shown=0;
    rows.forEach(function(row){
      var ok=(!actor.value||row.cells[1].textContent===actor.value)&&
             (!kind.value||row.cells[2].textContent===kind.value)&&
             (!want||row.textContent.toLowerCase().indexOf(want)>=0);
      row.hidden=!ok;if(ok){shown++;}
    });
    count.textContent=shown+' of '+rows.length+' rows shown';
  }
  [actor,kind,text].forEach(function(el){el.addEventListener('input',apply);});
  document.querySelectorAll('a[data-kind]').forEach(function(a){
    a.addEventListener('click',function(){actor.value='';text.value='';kind.value=a.dataset.kind;apply();});
  });
  apply();
})();
"""
LOG_COLUMNS = ["date", "actor", "kind", "target", "detail", "rationale"]  # events.csv's, in its order
HEADLINES = [
    ("price_peak_ratio_heavy_oxide_world", "Peak world heavy-oxide price / start", "{:.2f}x"),
    ("price_peak_ratio_magnet_world", "Peak world magnet price / start", "{:.2f}x"),
    ("price_peak_ratio_light_oxide_world", "Peak world NdPr price / start", "{:.2f}x"),
    ("shortage_share_US", "US magnet demand unmet over the run", "{:.1%}"),
    ("shortage_share_JP", "Japan's magnet demand unmet over the run", "{:.1%}"),
    ("shortage_share_total", "World magnet demand unmet over the run", "{:.1%}"),
    ("china_share_mining_first_year", "China's share of mining, first year", "{:.1%}"),
    ("china_share_refining_first_year", "China's share of refining, first year", "{:.1%}"),
    ("china_share_magnets_first_year", "China's share of magnet making, first year", "{:.1%}"),
    ("capacity_nonchina_refining_end_t", "Refining capacity outside China at the end", "{:,.0f} t/yr"),
    ("licence_approval_rate", "Licence approval rate (by tonnes decided)", "{:.0%}"),
]
# headlines that mean nothing in some runs: the reason shown instead of a number
NOT_APPLICABLE = {
    "licence_approval_rate": (lambda o: o.get("licence_approved_t", 0) + o.get("licence_denied_t", 0) <= 0,
                              "n/a: no licence was decided"),
}


def headline_rows(outcomes: dict) -> list[tuple[str, str]]:
    rows = []
    for key, label, fmt in HEADLINES:
        if key not in outcomes:
            continue
        moot, reason = NOT_APPLICABLE.get(key, (lambda o: False, ""))
        rows.append((label, reason if moot(outcomes) else fmt.format(outcomes[key])))
    return rows


def shortage_by_country(supply: pd.DataFrame) -> pd.DataFrame:
    """supply.csv summed by month and country, with `short`: the share of demand left unmet."""
    return shortage_shares(supply, ["country"])


def _options(values, label: str, element: str) -> str:
    choices = "".join(f"<option>{html.escape(v)}</option>" for v in sorted(set(values)))
    return (f"<label>{label} <select id='{element}'><option value=''>all</option>{choices}</select></label>")


def event_log(events: pd.DataFrame) -> str:
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in events[LOG_COLUMNS].itertuples(index=False))
    return (f"<div class='filters'>{_options(events['actor'], 'actor', 'f-actor')}"
            f"{_options(events['kind'], 'kind', 'f-kind')}"
            "<label>text <input id='f-text' type='search' placeholder='e.g. magnet'></label>"
            "<span id='f-count' class='note'></span></div>"
            "<div class='logwrap'><table id='log'><thead><tr><th>date</th><th>actor</th><th>kind</th><th>target</th>"
            f"<th>detail</th><th>why</th></tr></thead><tbody>{rows}</tbody></table></div>"
            f"<script>{FILTER_SCRIPT}</script>")


def render_report(model, frames: dict[str, pd.DataFrame], summary: dict, why=None) -> str:
    """The page; `why` is an attribution (`sim.runs.attribution`) for its "Why" section, if one was asked for."""
    sc = model.scenario
    events = frames["events.csv"]
    scenario_events = scenario_rows(model, events)
    marks = markers(scenario_events)
    key = marker_key(scenario_events)
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td class='num'>{html.escape(v)}</td></tr>"
                   for k, v in headline_rows(summary["outcomes"]))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ree: {html.escape(sc.name)}</title><style>{CSS}</style></head><body>
<h1>{html.escape(sc.name)}</h1>
<p class="lead">{html.escape(sc.description)}</p>
<p class="note">{summary['start']} to {summary['end']} ({summary['months']} months), seed {summary['seed']},
world.scale {sc.world.scale}, ree {summary['version']}. All quantities are tonnes of rare-earth oxide (REO);
magnet prices are per kg of REO inside the magnet.</p>
<section class="summary" id="what-happened"><h2>What happened</h2>{story(frames, scenario_events)}</section>
<h2 id="headlines">Headlines</h2><table>{rows}</table>
<h2 id="why">Why</h2>{why_section(why, sc.name)}
<h2 id="prices">Prices</h2>{figure(price_chart(frames['prices.csv'], marks), key)}
<h2 id="shortages">Shortages by country</h2>{figure(shortage_country_chart(frames['supply.csv'], marks), key)}
<h2 id="shortages-sector">Shortages by sector</h2>{figure(shortage_sector_chart(frames['supply.csv'], marks), key)}
<h2 id="flows">China's exports</h2>{figure(flow_chart(frames['flows.csv'], marks), key)}
<h2 id="capacity">Capacity outside China</h2>{figure(capacity_chart(frames['capacity.csv'], marks), key)}
<h2 id="stocks">Stocks in the US and Japan</h2>{figure(stock_chart(frames['stocks.csv'], marks), key)}
<h2 id="events">Events and decisions ({len(events)})</h2>{event_log(events)}
<p class="note">Tables behind these charts: prices.csv, flows.csv, supply.csv, licences.csv, capacity.csv,
stocks.csv, events.csv and summary.json in the same folder.</p>
</body></html>
"""
