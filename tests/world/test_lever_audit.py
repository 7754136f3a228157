"""The lever audit: every lever of the lever API, moved in a scenario where it should matter, must move
the outcome it is for in the expected direction (docs/model.md, "What each lever does", holds the table;
`python tests/world/test_lever_audit.py` prints the measured numbers for it).

Each case runs the same scenario and seed twice, with the lever at a low and a high setting, for a few
years at most (a run of 84 months takes well under a second).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest

from sim import RareEarthModel
from sim.constants import C, P
from sim.recorder import HOLDERS
from sim.runs.outputs import outcomes
from sim.scenario import apply_override, load_raw, resolve_scenario, validate

MAGNET_HEAVY = ["heavy_oxide", "magnet"]


def run(base: str, months: int, events: list[dict], sets: dict, seed: int = 42) -> RareEarthModel:
    raw = load_raw(resolve_scenario(base))
    raw["months"] = months
    raw["events"] = raw.get("events", []) + events
    for path, value in sets.items():
        apply_override(raw, path, value)
    model = RareEarthModel(validate(raw, "lever audit"), seed=seed)
    while not model.finished:
        model.step()
    return model


def outcome(name: str) -> Callable[[RareEarthModel], float]:
    return lambda model: outcomes(model)[name]


def approval_rate_to(importer: str) -> Callable[[RareEarthModel], float]:
    def measure(model):
        lic = model.recorder.licence[: model.recorder.written]
        approved, denied = lic[:, 1, :, :, C[importer]].sum(), lic[:, 2, :, :, C[importer]].sum()
        return float(approved / (approved + denied))

    return measure


def exports_to(importer: str, product: str) -> Callable[[RareEarthModel], float]:
    def measure(model):
        rec = model.recorder
        return float(rec.flow[: rec.written, P[product], C["CN"], C[importer]].sum())

    return measure


def nonchina_capacity(*stages: int) -> Callable[[RareEarthModel], float]:
    def measure(model):
        cap = model.recorder.capacity[model.recorder.written - 1]
        return float(sum(cap[:, s].sum() - cap[C["CN"], s] for s in stages))

    return measure


def capacity_in(country: str, stage: int) -> Callable[[RareEarthModel], float]:
    return lambda model: float(model.recorder.capacity[model.recorder.written - 1, C[country], stage])


def state_stock(country: str, product: str) -> Callable[[RareEarthModel], float]:
    holder = HOLDERS.index("state")
    return lambda model: float(model.recorder.stock[model.recorder.written - 1, C[country], holder, P[product]])


def price_peak(product: str, market: str = "world") -> Callable[[RareEarthModel], float]:
    return outcome(f"price_peak_ratio_{product}_{market}")


def cn_control(level: str, rate: float = 0.5, review: int = 2, to=("US",), products=MAGNET_HEAVY, **extra) -> dict:
    event = {
        "date": "2024-03",
        "kind": "export_control",
        "actor": "CN",
        "products": list(products),
        "destinations": list(to),
        "level": level,
        **extra,
    }
    if level == "licence":
        event.update(approval_rate=rate, review_months=review)
    return event


@dataclass
class Lever:
    name: str
    base: str
    months: int
    measure: Callable[[RareEarthModel], float]
    what: str  # the outcome, in words, for the table
    sign: int  # +1: the outcome rises from `low` to `high`; -1: it falls
    low_events: list = field(default_factory=list)
    high_events: list = field(default_factory=list)
    low_sets: dict = field(default_factory=dict)
    high_sets: dict = field(default_factory=dict)
    setting: str = ""  # low -> high, in words


STRATEGY_CN = "states.CN.strategy"
LEVERS = [
    # Controls on every destination: one aimed at a single importer leaks through third countries'
    # makers unless an extraterritorial rule is in force (README, "Limits").
    Lever(
        "export control level",
        "baseline_2024",
        18,
        outcome("shortage_share_total"),
        "world magnet shortage",
        +1,
        [cn_control("licence", rate=0.6, to=["*"])],
        [cn_control("ban", to=["*"])],
        setting="licence (60%) -> ban, CN to all",
    ),
    Lever(
        "approval rate",
        "baseline_2024",
        18,
        outcome("shortage_share_total"),
        "world magnet shortage",
        -1,
        [cn_control("licence", rate=0.2, to=["*"])],
        [cn_control("licence", rate=0.9, to=["*"])],
        setting="20% -> 90%, CN to all",
    ),
    Lever(
        "review time",
        "baseline_2024",
        18,
        outcome("shortage_share_total"),
        "world magnet shortage",
        +1,
        [cn_control("licence", review=1, to=["*"])],
        [cn_control("licence", review=6, to=["*"])],
        setting="1 -> 6 months, CN to all",
    ),
    Lever(
        "export quota",
        "baseline_2024",
        18,
        outcome("china_exports_t"),
        "China's exports (t)",
        -1,
        [
            {
                "date": "2024-02",
                "kind": "export_quota",
                "actor": "CN",
                "products": ["ore", "light_oxide", "heavy_oxide"],
                "tonnes_per_year": 5000,
            }
        ],
        [
            {
                "date": "2024-02",
                "kind": "export_quota",
                "actor": "CN",
                "products": ["ore", "light_oxide", "heavy_oxide"],
                "tonnes_per_year": 1000,
            }
        ],
        setting="5,000 -> 1,000 t/yr of ore and oxides",
    ),
    # licences to every destination: on the US alone, Japanese and European makers fill the gap and the US
    # is hardly short (0.2%) even without a general licence
    Lever(
        "general licence",
        "baseline_2024",
        18,
        outcome("shortage_share_US"),
        "US magnet shortage",
        -1,
        [cn_control("licence", rate=0.3, to=["*"])],
        [
            cn_control("licence", rate=0.3, to=["*"]),
            {
                "date": "2024-03",
                "kind": "general_licence",
                "actor": "CN",
                "products": MAGNET_HEAVY,
                "destinations": ["US"],
                "duration_months": 24,
            },
        ],
        setting="none -> for US civil users, CN licences (30%) to all",
    ),
    Lever(
        "extraterritorial rule",
        "apr2025_licensing",
        30,
        outcome("shortage_share_US"),
        "US magnet shortage",
        +1,
        [],
        [{"date": "2025-06", "kind": "extraterritorial", "actor": "CN", "approval_rate": 0.3}],
        setting="none -> CN rule on magnets made abroad",
    ),
    Lever(
        "technology ban",
        "us_japan_framework",
        84,
        nonchina_capacity(1, 2),
        "refining + magnet capacity outside China, 2030 (t/yr)",
        -1,
        [],
        [],
        {"events.catalogue_2023.lead_factor": 1.0, "events.catalogue_2023.cost_factor": 1.0},
        {"events.catalogue_2023.lead_factor": 3.0, "events.catalogue_2023.cost_factor": 2.5},
        setting="lead x1, capex x1 -> lead x3, capex x2.5",
    ),
    Lever(
        "mining quota",
        "baseline_2024",
        24,
        outcome("china_share_mining_last_year"),
        "China's share of mining",
        -1,
        [{"date": "2024-02", "kind": "mining_quota", "actor": "CN", "tonnes_per_year": 290000}],
        [{"date": "2024-02", "kind": "mining_quota", "actor": "CN", "tonnes_per_year": 180000}],
        setting="290,000 -> 180,000 t/yr",
    ),
    Lever(
        "ore grade",
        "baseline_2024",
        24,
        price_peak("heavy_oxide", "china"),
        "China's Dy/Tb oxide price peak",
        +1,
        [],
        [{"date": "2024-02", "kind": "ore_grade", "actor": "CN", "country": "CN", "heavy_factor": 0.4}],
        setting="none -> China's ore carries 60% less Dy/Tb (a crackdown on ionic-clay mines)",
    ),
    Lever(
        "hoarding",
        "baseline_2024",
        24,
        price_peak("heavy_oxide", "china"),
        "China's Dy/Tb oxide price peak",
        +1,
        [],
        [
            {
                "date": "2024-03",
                "kind": "hoarding",
                "actor": "CN",
                "market": "china",
                "products": ["heavy_oxide"],
                "extra_cover": 1.0,
                "duration_months": 6,
            }
        ],
        setting="none -> buyers in China want twice their normal Dy/Tb cover for 6 months",
    ),
    Lever(
        "stockpile release",
        "full_embargo",
        12,
        outcome("shortage_t_JP"),
        "Japan's magnet shortage (t)",
        -1,
        [],
        [
            {"date": "2024-04", "kind": "stockpile_release", "actor": "JP", "product": "light_oxide", "tonnes": 460},
            {"date": "2024-04", "kind": "stockpile_release", "actor": "JP", "product": "heavy_oxide", "tonnes": 17},
        ],
        {"states.JP.strategy": "passive"},
        {"states.JP.strategy": "passive"},
        setting="none -> JP releases its stock (2024-04)",
    ),
    Lever(
        "stockpile target",
        "baseline_2024",
        24,
        state_stock("US", "magnet"),
        "US state magnet stock (t)",
        +1,
        low_sets={"states.US.stockpile_target_days": 30},
        high_sets={"states.US.stockpile_target_days": 180},
        setting="30 -> 180 days",
    ),
    Lever(
        "tariff",
        "apr2025_licensing",
        30,
        approval_rate_to("US"),
        "CN licence approvals for US",
        -1,
        [],
        [{"date": "2025-01", "kind": "tariff", "actor": "US", "target": "CN", "change_points": 100}],
        setting="none -> US +100 points on CN goods",
    ),
    # with the framework's co-finance (30%) and the MP floor: most plants outside China need about half their
    # capex from public money at the prices lenders bank on (docs/model.md 7.15)
    Lever(
        "project support",
        "us_japan_framework",
        84,
        nonchina_capacity(0, 1, 2),
        "capacity outside China, all stages, 2030 (t/yr)",
        +1,
        low_sets={"states.US.project_support": 0.0, "states.JP.project_support": 0.0},
        high_sets={
            "states.US.project_support": 0.5,
            "states.JP.project_support": 0.5,
            "states.US.support_budget_usd": 3e9,
            "states.JP.support_budget_usd": 3e9,
        },
        setting="0 -> 50% of capex (US, JP)",
    ),
    # at the framework's 30% share the fund's money stops mattering at a few hundred million dollars a year
    # (what is left needs more than 30% + the state's 20%); at 60% money binds up to about $1B a year
    Lever(
        "co-finance size",
        "us_japan_framework",
        84,
        nonchina_capacity(1, 2),
        "refining + magnet capacity outside China, 2030 (t/yr)",
        +1,
        low_sets={"events.framework.cofinance_usd_per_year": 5e7, "events.framework.cofinance_share": 0.6},
        high_sets={"events.framework.cofinance_usd_per_year": 2e9, "events.framework.cofinance_share": 0.6},
        setting="$0.05B -> $2B a year, at a 60% share",
    ),
    Lever(
        "co-finance share",
        "us_japan_framework",
        84,
        nonchina_capacity(1, 2),
        "refining + magnet capacity outside China, 2030 (t/yr)",
        +1,
        low_sets={"events.framework.cofinance_share": 0.0},
        high_sets={"events.framework.cofinance_share": 0.6},
        setting="0 -> 60%",
    ),
    Lever(
        "price floor",
        "apr2025_licensing",
        84,
        capacity_in("US", 1),
        "US refining capacity, 2030 (t/yr)",
        +1,
        [],
        [{"date": "2024-03", "kind": "price_floor", "actor": "US", "product": "light_oxide", "usd_per_kg": 150}],
        setting="none -> $150/kg NdPr floor",
    ),
    Lever(
        "precaution",
        "apr2025_licensing",
        30,
        price_peak("magnet"),
        "peak world magnet price",
        +1,
        low_sets={"market.precaution": 0.0},
        high_sets={"market.precaution": 5.0},
        setting="0 -> 5",
    ),
    Lever(
        "strategy: hawkish vs conciliatory",
        "apr2025_licensing",
        30,
        approval_rate_to("US"),
        "CN licence approvals for US",
        -1,
        low_sets={STRATEGY_CN: "conciliatory"},
        high_sets={STRATEGY_CN: "hawkish"},
        setting="CN conciliatory -> hawkish",
    ),
    Lever(
        "strategy: default vs passive",
        "full_embargo",
        18,
        outcome("shortage_t_JP"),
        "Japan's magnet shortage (t)",
        +1,
        low_sets={"states.JP.strategy": "default"},
        high_sets={"states.JP.strategy": "passive"},
        setting="JP default (opens its stockpile) -> passive",
    ),
    # the US buys what China's licences withhold from makers elsewhere (a control on one importer leaks), so
    # the lever shows in China's exports to it; its shortage (0 -> 0.03%) came from a stockpile that opened
    # and closed every other month, which the stockpile's hysteresis removed
    Lever(
        "strategy: tit_for_tat vs default",
        "baseline_2024",
        18,
        exports_to("US", "magnet"),
        "China's magnet exports to the US (t)",
        -1,
        [{"date": "2024-03", "kind": "tariff", "actor": "US", "target": "CN", "change_points": 60}],
        [{"date": "2024-03", "kind": "tariff", "actor": "US", "target": "CN", "change_points": 60}],
        {STRATEGY_CN: "default"},
        {STRATEGY_CN: "tit_for_tat"},
        setting="CN default -> tit_for_tat, after a US tariff",
    ),
]


def measure(lever: Lever) -> tuple[float, float]:
    low = lever.measure(run(lever.base, lever.months, lever.low_events, lever.low_sets))
    high = lever.measure(run(lever.base, lever.months, lever.high_events, lever.high_sets))
    return low, high


@pytest.mark.parametrize("lever", LEVERS, ids=[lever.name for lever in LEVERS])
def test_lever_moves_its_outcome(lever: Lever):
    low, high = measure(lever)
    assert np.isfinite([low, high]).all()
    change = high - low
    assert np.sign(change) == lever.sign and abs(change) > 1e-6 * max(abs(low), 1.0), (
        f"{lever.name} ({lever.setting}): {lever.what} went {low:.6g} -> {high:.6g}"
    )


if __name__ == "__main__":
    print("| lever | scenario, months | setting | outcome | low -> high |")
    print("|---|---|---|---|---|")
    for lever in LEVERS:
        low, high = measure(lever)
        print(
            f"| {lever.name} | {lever.base}, {lever.months} | {lever.setting} | {lever.what} "
            f"{'rises' if lever.sign > 0 else 'falls'} | {low:,.4g} -> {high:,.4g} |"
        )
