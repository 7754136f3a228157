"""States: one agent per country, with a pluggable strategy that takes the monthly decisions.

In this version a strategy manages the mining quota and the strategic stockpile; export controls come
from the scenario's dated events (issue B hands them to the strategies). A classroom player replaces the
strategy's decisions with submitted moves.
"""
from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from sim.constants import COUNTRIES, N_PRODUCTS, ORE, PRODUCTS

QUOTA_PRICE_RESPONSE = 0.5  # top-up of a quota batch per unit rise of the domestic ore price index
QUOTA_SHORTAGE_TRIGGER = 0.02  # ... or when domestic refiners could not get this share of their ore
QUOTA_MAX_TOP_UP = 0.15


@dataclass
class Decision:
    kind: str
    target: str
    detail: str
    rationale: str


class PassiveStrategy:
    """Takes no decisions: controls and stocks change only through scenario events."""

    name = "passive"

    def decide(self, state: "StateAgent", model) -> list[Decision]:
        return []


class DefaultStrategy:
    """Grows the mining quota each January and keeps the stockpile: fill it in calm times, open it when
    domestic buyers go short."""

    name = "default"

    def decide(self, state: "StateAgent", model) -> list[Decision]:
        decisions: list[Decision] = []
        state.ore_shortage += 0.2 * (model.domestic_unmet_share(state.country_id)[0] - state.ore_shortage)
        if state.quota_t is not None and model.month_of_year in (0, 6) and model.months_run > 0:
            decisions.append(self._new_quota(state, model))
        if state.stockpile_row is not None:
            decisions.extend(self._manage_stockpile(state, model))
        return decisions

    def _new_quota(self, state: "StateAgent", model) -> Decision:
        """Quotas come in two batches a year; a batch tops up when domestic refiners went short."""
        growth = state.config.quota_growth / 2.0
        batch = "first" if model.month_of_year == 0 else "second"
        why = f"{batch} batch: the quota grows {state.config.quota_growth:.1%} a year with domestic demand"
        price_ratio = model.price_index(state.country_id, ORE)
        top_up = min(max(state.ore_shortage if state.ore_shortage > QUOTA_SHORTAGE_TRIGGER else 0.0,
                         QUOTA_PRICE_RESPONSE * (price_ratio - 1.0)), QUOTA_MAX_TOP_UP)
        if top_up > 0:
            growth += top_up
            why = (f"{batch} batch: domestic refiners went short of {state.ore_shortage:.0%} of their ore orders "
                   f"and ore costs {price_ratio:.2f}x its start, so the quota is topped up by {top_up:.1%}")
        old = state.quota_t
        state.quota_t = old * (1.0 + growth)
        return Decision("mining_quota", state.country, f"{old:,.0f} -> {state.quota_t:,.0f} t/yr", why)

    def _manage_stockpile(self, state: "StateAgent", model) -> list[Decision]:
        book, row = model.book, state.stockpile_row
        decisions = []
        short = model.domestic_unmet_share(state.country_id)
        use = model.domestic_use(state.country_id)
        for p in range(N_PRODUCTS):
            if not state.holds[p]:
                book.order[row, p] = 0.0
                continue
            was_open = state.releasing[p]
            state.releasing[p] = short[p] > state.config.release_trigger and book.stock[row, p] > 1e-9
            if state.releasing[p] and not was_open:
                decisions.append(Decision(
                    "stockpile_release", PRODUCTS[p], f"{book.stock[row, p]:,.0f} t available",
                    f"domestic buyers could not get {short[p]:.0%} of their {PRODUCTS[p]} orders last month"))
            if was_open and not state.releasing[p]:
                decisions.append(Decision("stockpile_close", PRODUCTS[p], f"{book.stock[row, p]:,.0f} t left",
                                          "domestic supply is back to normal"))
            target = state.config.stockpile_target_days / 30.0 * use[p]
            calm = short[p] < 0.01 and book.risk[row, p] < 0.05
            book.order[row, p] = max(target - book.stock[row, p], 0.0) / 12.0 if calm else 0.0
        return decisions


STRATEGIES = {"default": DefaultStrategy, "passive": PassiveStrategy}


class StateAgent(mesa.Agent):
    """A country's government."""

    def __init__(self, model, country: str, config):
        super().__init__(model)
        self.country = country
        self.country_id = COUNTRIES.index(country)
        self.config = config
        self.strategy = STRATEGIES[config.strategy]()
        self.quota_t: float | None = config.mining_quota_t
        self.stockpile_row: int | None = None
        self.holds = np.zeros(N_PRODUCTS, dtype=bool)
        self.releasing = np.zeros(N_PRODUCTS, dtype=bool)
        self.ore_shortage = 0.0  # smoothed share of domestic ore orders left unfilled

    def decide(self) -> list[Decision]:
        return self.strategy.decide(self, self.model)
