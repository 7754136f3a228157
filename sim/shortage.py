"""The share of demand left unmet, computed one way everywhere: tonnes short (never below 0) over tonnes
demanded, and 0 where nothing was demanded (no demand is no shortage). The recorder, the reports, the web
UI, the classroom and validation all read shortages through these two functions."""

from __future__ import annotations

import numpy as np
import pandas as pd


def unmet_share(demand, delivered) -> np.ndarray:
    """Element-wise share of `demand` that `delivered` left unmet (arrays or scalars)."""
    demand = np.asarray(demand, dtype=float)
    short = np.maximum(demand - np.asarray(delivered, dtype=float), 0.0)
    return np.divide(short, demand, out=np.zeros(np.broadcast(demand, short).shape), where=demand > 0)


def unmet_frame(supply: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """supply.csv's `demand_t` and `delivered_t` summed by `keys`, with `short_t` (tonnes unmet) and `short`
    (the share unmet, as `unmet_share`)."""
    grouped = supply.groupby(keys, as_index=False)[["demand_t", "delivered_t"]].sum()
    grouped["short_t"] = (grouped["demand_t"] - grouped["delivered_t"]).clip(lower=0.0)
    grouped["short"] = unmet_share(grouped["demand_t"].to_numpy(), grouped["delivered_t"].to_numpy())
    return grouped
