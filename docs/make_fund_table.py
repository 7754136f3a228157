#!/usr/bin/env python
"""Regenerate docs/model.md's table of what the US-Japan joint fund builds at each size (section 7.15).

    python docs/make_fund_table.py            # print the table and rewrite it in docs/model.md
    python docs/make_fund_table.py --print    # print only

`us_japan_framework` (seed 42) at $0-8B a year, at the fund's share as shipped (30%) and at 60% (the share
the record's public lenders took): refining + magnet capacity outside China at the end of 2030, the money
the fund paid over 2025-2030 and the limit most of its years ran into (`fund_binding_limit_code`, the limits
`fund_year` rows name)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from sim import RareEarthModel
from sim.project_limits import REASONS
from sim.runs.outputs import outcomes

SIZES_USD = (0.0, 0.25e9, 0.5e9, 1e9, 2e9, 4e9, 8e9)
MUST_SHOW = (0.0, 2e9, 4e9, 8e9)  # the sizes the fund's question asks about, in bold
SHARES = (None, 0.6)  # None: as shipped
DOC = Path(__file__).resolve().parent / "model.md"
START, END = "<!-- fund-table:start -->", "<!-- fund-table:end -->"
NAMES = {
    "money": "money",
    "engineering": "engineering",
    "feed": "ore",
    "lead_time": "lead time",
    "market": "market",
    "bankability": "share",
}  # "share": nothing more pays back even with the fund's share


def run(usd: float, share: float | None, seed: int = 42) -> dict:
    overrides = {"events__framework__cofinance_usd_per_year": usd}
    if share is not None:
        overrides["events__framework__cofinance_share"] = share
    model = RareEarthModel("us_japan_framework", seed=seed, **overrides)
    while not model.finished:
        model.step()
    return outcomes(model)


def row(usd: float, result: dict) -> str:
    capacity = result["capacity_nonchina_refining_end_t"] + result["capacity_nonchina_magnets_end_t"]
    code = int(result["fund_binding_limit_code"])
    years = ", ".join(
        f"{NAMES[r]} {int(result[f'fund_binding_limit_years_{r}'])}"
        for r in REASONS
        if result[f"fund_binding_limit_years_{r}"]
    )
    limit = f"{NAMES[REASONS[code - 1]]} ({years})" if code else "no fund"
    size = f"**${usd / 1e9:g}B**" if usd in MUST_SHOW else f"${usd / 1e9:g}B"
    return (
        f"| {size} | {capacity:,.0f} | ${result['cofinance_used_usd'] / 1e9:,.2f}B of "
        f"${result['cofinance_available_usd'] / 1e9:,.0f}B | {limit} |"
    )


def table(share: float | None) -> str:
    title = "at the framework's 30% share (as shipped)" if share is None else f"at a {share:.0%} share"
    lines = [
        f"| fund a year, {title} | refining + magnets outside China, end 2030 (t/yr) | fund paid, "
        "2025-2030 | binding limit (fund-years it named) |",
        "|---|---|---|---|",
    ]
    lines += [row(usd, run(usd, share)) for usd in SIZES_USD]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="print the table without rewriting docs/model.md")
    text = "\n\n".join(table(share) for share in SHARES)
    print(text)
    if not parser.parse_args().print:
        doc = DOC.read_text()
        new = re.sub(re.escape(START) + ".*?" + re.escape(END), f"{START}\n{text}\n{END}", doc, flags=re.S)
        if new == doc and START not in doc:
            raise SystemExit(f"{DOC}: no {START} ... {END} markers to rewrite")
        DOC.write_text(new)


if __name__ == "__main__":
    main()
