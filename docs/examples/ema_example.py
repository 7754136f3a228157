"""Worked example: exploring the April 2025 licence shock with EMA workbench (2.5.x, Python 3.11).

    pip install "ema_workbench==2.5.*"
    python docs/examples/ema_example.py

`sim.run_scenario(params, seed)` runs one scenario with dotted-path parameters and returns the headline
outcomes of summary.json as a flat dict, which is all EMA workbench needs from a model function.
"""

from ema_workbench import Model, RealParameter, ScalarOutcome, perform_experiments

from sim import run_scenario


def ree_model(later_rate: float = 0.6, precaution: float = 1.5, stockpile_days: float = 42.0) -> dict:
    outcomes = run_scenario(
        {
            "scenario": "apr2025_licensing",
            "months": 36,
            "events.2.later_rate": later_rate,  # China's approval rate once its office has ramped up
            "market.precaution": precaution,  # how much buyers hoard when supply looks at risk
            "states.JP.stockpile_target_days": stockpile_days,
        },
        seed=1,
    )
    return {
        "shortage_US": outcomes["shortage_share_US"],
        "shortage_JP": outcomes["shortage_share_JP"],
        "magnet_price_peak": outcomes["price_peak_ratio_magnet_world"],
    }


if __name__ == "__main__":
    model = Model("ree", function=ree_model)
    model.uncertainties = [
        RealParameter("later_rate", 0.2, 0.9),
        RealParameter("precaution", 0.5, 3.0),
        RealParameter("stockpile_days", 0.0, 180.0),
    ]
    model.outcomes = [ScalarOutcome("shortage_US"), ScalarOutcome("shortage_JP"), ScalarOutcome("magnet_price_peak")]
    experiments, outcomes = perform_experiments(model, scenarios=20)
    table = experiments[["later_rate", "precaution", "stockpile_days"]].assign(**outcomes)
    print(table.describe().round(3))
    print(
        table.corr(numeric_only=True)
        .round(2)
        .loc[["later_rate", "precaution", "stockpile_days"], ["shortage_US", "shortage_JP", "magnet_price_peak"]]
    )
