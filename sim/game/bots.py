"""AI players for classroom seats: they read the world a seat sees and choose moves through the same
lever catalogue students use. The room calls them for seats nobody took and for seats that were not ready
at the deadline; `ree classroom demo` and the load test let them play every seat over the real API.

The rules are a plain reading of each government's interests, with the reason written down:
- a state that refines most of the world's rare earths (China) answers hostility with licences on heavy
  rare earths and magnets, and eases them for partners it gets on with again;
- an importing state draws on its stockpile when its buyers go short, raises its stockpile target and
  backs domestic projects while it depends on one supplier;
- any state answers a proposal with its strategy's own valuation (accept, counter or reject).
"""

from __future__ import annotations

from typing import Any

from ..agreements import Terms
from ..constants import COUNTRIES, PRODUCTS
from ..licensing import LICENCE
from .moves import TERMS

LEVERAGE = ["heavy_oxide", "magnet"]
SHORT_TRIGGER = 0.05  # unmet share of orders that opens the stockpile
EXPOSED = 0.3  # supply exposure above which an importer invests in security


def ai_moves(model, seat: str, partners: list[str]) -> list[tuple[dict[str, Any], str]]:
    """Moves for `seat` this round, each with its rationale."""
    state = model.states[seat]
    if state.exports_leverage(model):
        return _supplier_moves(model, seat, partners)
    return _importer_moves(model, seat)


def _supplier_moves(model, seat: str, partners: list[str]) -> list[tuple[dict[str, Any], str]]:
    me = COUNTRIES.index(seat)
    strict = model.states[seat].strategy.name == "hawkish"
    moves = []
    for partner in partners:
        other = COUNTRIES.index(partner)
        view = float(model.relations.score[me, other])
        levels = model.office.level[me, :, other]
        if view < -0.3 and not levels.any():
            rate = 0.3 if strict else 0.5
            moves.append(
                (
                    {
                        "lever": "export_control",
                        "products": LEVERAGE,
                        "destinations": [partner],
                        "level": "licence",
                        "approval_rate": rate,
                        "review_months": 2,
                    },
                    f"relations with {partner} are hostile ({view:+.2f}): its supply becomes leverage",
                )
            )
        elif view > 0.1 and (levels == LICENCE).any() and levels.max() == LICENCE:
            products = [PRODUCTS[p] for p in range(len(PRODUCTS)) if levels[p] == LICENCE]
            moves.append(
                (
                    {
                        "lever": "export_control",
                        "products": products,
                        "destinations": [partner],
                        "level": "licence",
                        "approval_rate": 0.8,
                        "review_months": 1,
                    },
                    f"relations with {partner} are good again ({view:+.2f}): licences are approved faster",
                )
            )
    return moves


def _importer_moves(model, seat: str) -> list[tuple[dict[str, Any], str]]:
    me = COUNTRIES.index(seat)
    state = model.states[seat]
    short = model.domestic_unmet_share(me)
    exposure = model.supply_exposure(me)
    moves = []
    if state.stockpile_row is not None:
        stock = model.book.stock[state.stockpile_row]
        held = [p for p in range(len(PRODUCTS)) if stock[p] > 1.0]
        worst = max(held, key=lambda p: short[p], default=None)
        if worst is not None and short[worst] > SHORT_TRIGGER:
            moves.append(
                (
                    {
                        "lever": "stockpile_release",
                        "product": PRODUCTS[worst],
                        "tonnes": round(float(stock[worst]) / 2, 1),
                    },
                    f"buyers went short of {short[worst]:.0%} of their {PRODUCTS[worst]} orders: "
                    f"half the stockpile goes to them",
                )
            )
        elif exposure > EXPOSED and state.config.stockpile_target_days < 90:
            days = state.config.stockpile_target_days + 30
            moves.append(
                (
                    {"lever": "stockpile_target", "days": days},
                    f"supply depends on few sources (exposure {exposure:.0%}): stockpile target {days:g} days",
                )
            )
    if exposure > EXPOSED and state.config.project_support < 0.3:
        moves.append(
            (
                {"lever": "project_support", "share": 0.3, "budget_usd_per_year": 2e9},
                f"supply depends on few sources (exposure {exposure:.0%}): grants for 30% of domestic "
                f"mines, refineries and magnet plants",
            )
        )
    return moves


def ai_answer(model, seat: str, proposal: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Accept / counter / reject for a pending proposal, by the seat's strategy; a counter's terms."""
    terms = Terms(**{k: proposal["terms"][k] for k in TERMS if k in proposal["terms"]})
    answer, counter, _why = model.states[seat].answer(terms, COUNTRIES.index(proposal["proposer"]))
    if answer == "counter" and counter is not None:
        return "counter", {k: getattr(counter, k) for k in TERMS}
    return answer, {}
