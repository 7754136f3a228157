"""Clamps on prices, shares and quantities. Each is a named scenario parameter, and a run that hits one
says so: a `cap_hit` row in events.csv the first time it binds for a product and market (or a stage and
market), and a count in summary.json's outcomes (`cap_hits_NAME`: how many times it bound, over months and places).
"""

from __future__ import annotations

# name -> (scenario field, what binding means)
CAPS = {
    "cover_floor": (
        "market.cover_floor",
        "stocks fell below this share of what holders want: emptier shelves no longer raise the price, "
        "so it tops out near cover_floor^-cover_elasticity x exp(unmet_response) times the expected price",
    ),
    "max_monthly_change": (
        "market.max_monthly_change",
        "the price wanted to move further this month (in log terms) than the limit allows",
    ),
    "rebound_cap": ("demand.rebound_cap", "cheap magnets would lift demand further than this"),
    "heavy_thrift_floor": (
        "demand.heavy_thrift_floor",
        "magnet makers would cut Dy/Tb per magnet below this share of the 2024 content",
    ),
    "pipeline_limit": (
        "investment.pipeline_limit",
        "developers held back a project: plants under construction for this market already add "
        "this share of what it uses",
    ),
}


def cap_value(scenario, name: str) -> float:
    section, field = CAPS[name][0].split(".")
    return getattr(getattr(scenario, section), field)


class CapLog:
    def __init__(self, model):
        self.model = model
        self.hits = dict.fromkeys(CAPS, 0)
        self._reported: set[tuple[str, str]] = set()

    def hit(self, name: str, where: str) -> None:
        """`name` bound this month for `where` (e.g. "magnet world")."""
        self.hits[name] += 1
        if (name, where) in self._reported:
            return
        self._reported.add((name, where))
        field, meaning = CAPS[name]
        self.model.log.add(
            self.model.month,
            "world",
            "cap_hit",
            where,
            f"{field} = {cap_value(self.model.scenario, name):g} binds for {where} (first time in this "
            f"run; summary outcome cap_hits_{name} counts each time)",
            meaning,
        )
