"""The share of demand left unmet, computed one way everywhere: tonnes short (never below 0) over tonnes
demanded, and 0 where nothing was demanded (no demand is no shortage). The recorder, the reports, the web
UI, the classroom and validation all read shortages through these functions."""

from __future__ import annotations

import numpy as np
import pandas as pd


def unmet_share(demand, delivered) -> np.ndarray:
    """Element-wise share of `demand` that `delivered` left unmet (arrays or scalars)."""
    demand = np.asarray(demand, dtype=float)
    short = np.maximum(demand - np.asarray(delivered, dtype=float), 0.0)
    return np.divide(short, demand, out=np.zeros(np.broadcast(demand, short).shape), where=demand > 0)


def unmet_share_of_totals(demand: float, delivered: float) -> float:
    """`unmet_share` of two plain numbers, in Python floats: the datacollector asks for one every month, and
    numpy's cost per call is most of what the array version spends on a scalar. The same IEEE operations
    (a difference, a clip at 0, a quotient), so the same number."""
    short = max(demand - delivered, 0.0)
    return short / demand if demand > 0 else 0.0


def unmet_frame(supply: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """supply.csv's `demand_t` and `delivered_t` summed by `keys`, with `short_t` (tonnes unmet) and `short`
    (the share unmet, as `unmet_share`)."""
    grouped = supply.groupby(keys, as_index=False)[["demand_t", "delivered_t"]].sum()
    grouped["short_t"] = (grouped["demand_t"] - grouped["delivered_t"]).clip(lower=0.0)
    grouped["short"] = unmet_share(grouped["demand_t"].to_numpy(), grouped["delivered_t"].to_numpy())
    return grouped
