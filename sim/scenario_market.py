"""The `[market]` section of a scenario: how prices form and how buyers and sellers behave."""

from __future__ import annotations

from pydantic import Field, field_validator

from .scenario_types import Product, _Strict


class Market(_Strict):
    home_preference: float = Field(1.5, ge=0, description="weight of home suppliers of oxides and magnets")
    price_pull: float = Field(4.0, ge=0, description="how strongly sellers steer to the dearer market")
    cover_elasticity: float = Field(1.5, ge=0, le=10, description="price response to stock cover vs wanted")
    unmet_response: float = Field(1.0, ge=0, le=10, description="price response to the share of orders unfilled")
    price_speed: float = Field(0.5, gt=0, le=1, description="share of the gap to the target price closed a month")
    normal_price_months: float = Field(60.0, ge=1, le=600, description="how slowly prices return to normal")
    arbitrage_months: float = Field(6.0, ge=1, le=120, description="how fast open trade aligns world and China")
    max_monthly_change: float = Field(
        0.25,
        gt=0,
        le=1,
        description="largest move of a price in one month, in log terms (0.25: x1.28 up or x0.78 down)",
    )
    expectation_months: float = Field(
        0.0,
        ge=0,
        le=120,
        description="months over which traders' expected price "
        "follows the market price while scarcity lasts (0: it does not)",
    )
    speculation: float = Field(
        0.0,
        ge=0,
        le=20,
        description="extra months of cover buyers want per unit of "
        "recent price rise (log change over about three months): stocking up ahead of rises",
    )
    diversification: float = Field(
        1.0,
        ge=0,
        le=10,
        description="how strongly importers steer purchases "
        "away from a supplier that cut them off (fades over about three years)",
    )
    cost_pass_through: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of a change in magnet makers' oxide "
        "costs carried into the price magnets are expected to fetch",
    )
    unregistered_response: float = Field(
        0.0,
        ge=0,
        le=5,
        description="how strongly unregistered ionic-clay "
        "mining in China answers a high Dy/Tb price: the Dy/Tb its ore carries "
        "rises by this times the log of China's heavy price over its start",
    )
    unregistered_months: float = Field(
        6.0,
        ge=1,
        le=60,
        description="months over which that mining follows the price (starting heap leaches takes months)",
    )
    term_contract_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of the sales of magnet makers outside "
        "China under term contracts whose price resets to cover oxide costs: "
        "qualified customers keep ordering, so a squeeze cuts output less",
    )
    cover_floor: float = Field(
        0.2,
        gt=0,
        le=1,
        description="stock cover (share of wanted) below which emptier shelves no longer raise the price",
    )
    precaution: float = Field(1.5, ge=0, le=10, description="extra months of cover wanted per unit of risk")
    risk_memory: float = Field(0.3, gt=0, le=1, description="weight of this month in the perceived risk")
    transit_months: int = Field(1, ge=0, le=6)
    target_cover_months: dict[Product, float] = Field(
        default_factory=lambda: {"ore": 2.0, "light_oxide": 3.0, "heavy_oxide": 4.0, "magnet": 2.0}
    )

    @field_validator("target_cover_months")
    @classmethod
    def _positive_cover(cls, value: dict[str, float]) -> dict[str, float]:
        for product, months in value.items():
            if not months > 0:
                raise ValueError(f"{product} cover must be > 0 months, got {months}")
        return value
