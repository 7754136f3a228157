"""`ree why SCENARIO --outcome O`: each event's contribution to an outcome (`sim.runs.attribution`)."""
from __future__ import annotations

import argparse
import json
import sys

EXAMPLES = """examples:
  ree why full_embargo --outcome shortage:US
  ree why apr2025_licensing --outcome shortage:US --from 2025-04 --to 2025-09
  ree why busan_truce --outcome price:heavy_oxide:world --json
  ree why us_japan_framework --outcome capacity:refining+magnets:ex-CN --set events.framework.cofinance_usd_per_year=4e9

outcomes: shortage:US[:SECTOR] (tonnes unmet), shortage_share:US[:SECTOR], price:PRODUCT:MARKET (mean),
peak:PRODUCT:MARKET (max), exports:COUNTRY:PRODUCT (tonnes abroad), capacity:STAGE[+STAGE]:REGION (t/yr at
the window's end; REGION a country, ex-CN or world), or any summary.json outcome name."""


def add_parser(sub) -> None:
    why = sub.add_parser("why", help="which events explain an outcome (Shapley values over the scenario's events)",
                         epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    why.add_argument("scenario", help="library name or path to a .toml file")
    why.add_argument("--outcome", required=True, help="what to explain, e.g. shortage:US (see below)")
    why.add_argument("--from", dest="first", metavar="YYYY-MM", help="first month of the window (default: the start)")
    why.add_argument("--to", dest="last", metavar="YYYY-MM", help="last month of the window (default: the end)")
    why.add_argument("--set", dest="sets", action="append", default=[], metavar="PATH=VALUE",
                     help="override any scenario value, as with ree run (repeatable)")
    why.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    why.add_argument("--json", action="store_true", help="print the result as JSON")
    why.add_argument("--quiet", action="store_true", help="no progress bar")


def _table(result) -> str:
    unit = f" {result.unit}" if result.unit else ""
    lines = [f"{result.outcome} over {result.window[0]} to {result.window[1]}: {result.scenario_value:,.4g}{unit} with "
             f"every event, {result.counterfactual_value:,.4g}{unit} with none ({result.method}, {result.runs} runs, "
             f"{result.seconds:.1f} s)", ""]
    width = max([len(c.id) for c in result.contributions] + [5])
    lines.append(f"{'event':<{width}}  {'date':<7}  {'Shapley':>11}  {'alone':>11}  {'last':>11}  what")
    for c in result.contributions:
        value = f"{c.value:,.4g}" + (f" ±{c.stderr:.2g}" if c.stderr else "")
        what = c.label if not c.note else f"({c.note}) {c.label}"
        lines.append(f"{c.id:<{width}}  {c.date:<7}  {value:>11}  {c.alone:>11,.4g}  {c.last:>11,.4g}  {what[:70]}")
    return "\n".join(lines)


def run(args) -> int:
    from ..scenario import load_scenario
    from .attribution import attribute
    from .why_outcomes import parse_outcome, window
    outcome = parse_outcome(args.outcome)
    sets = list(args.sets) + ([f"seed={args.seed}"] if args.seed is not None else [])
    scenario = load_scenario(args.scenario, sets=sets)
    first, last = window(scenario, args.first, args.last)
    bar = None
    if not (args.quiet or args.json) and sys.stderr.isatty():
        from tqdm import tqdm
        bar = tqdm(desc="counterfactual runs", unit="run", leave=False)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.update(done - bar.n)

    result = attribute(scenario, outcome, first, last, progress=progress)
    if bar is not None:
        bar.close()
    print(json.dumps(result.as_json(), indent=2) if args.json else _table(result))
    return 0
