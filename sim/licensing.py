"""Export controls and licences: who may ship what where, and the licence queue.

A control is set per (exporter, product, importer): none, licence or ban. Under `licence`, importing firms
apply for the tonnes they expect to need; each application waits `review_months` and is approved with the
control's approval rate (drawn from the model's generator) or denied. Approved tonnes form a quota for the
country pair that shipments use up; unused tonnes lapse after the licence's validity.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .constants import N_COUNTRIES, N_PRODUCTS

NONE, LICENCE, BAN = 0, 1, 2
LEVELS = {"none": NONE, "licence": LICENCE, "ban": BAN}


@dataclass
class Decision:
    """One month's decisions on one (exporter, product, importer)."""
    exporter: int
    product: int
    importer: int
    approved: int
    denied: int
    approved_t: float
    denied_t: float


@dataclass
class LicenceOffice:
    validity_months: int
    level: np.ndarray = field(default_factory=lambda: np.zeros((N_COUNTRIES, N_PRODUCTS, N_COUNTRIES), np.int8))
    approval_rate: np.ndarray = field(default_factory=lambda: np.ones((N_COUNTRIES, N_PRODUCTS, N_COUNTRIES)))
    review_months: np.ndarray = field(default_factory=lambda: np.zeros((N_COUNTRIES, N_PRODUCTS, N_COUNTRIES), int))

    def __post_init__(self):
        # the queue: parallel lists, one entry per application
        self._q_firm: list[int] = []
        self._q_key: list[tuple[int, int, int]] = []
        self._q_tonnes: list[float] = []
        self._q_due: list[int] = []
        # approved quota batches per key: list of [tonnes_left, expiry_month]
        self._quota: dict[tuple[int, int, int], list[list[float]]] = {}
        self.applied = np.zeros((N_COUNTRIES, N_PRODUCTS, N_COUNTRIES))
        self.approved = np.zeros_like(self.applied)
        self.denied = np.zeros_like(self.applied)

    # ------------------------------------------------------------------------------------- controls
    def set_control(self, exporter: int, products: list[int], importers: list[int], level: int,
                    approval_rate: float, review_months: int) -> None:
        for p in products:
            for m in importers:
                if m == exporter:
                    continue
                self.level[exporter, p, m] = level
                self.approval_rate[exporter, p, m] = approval_rate
                self.review_months[exporter, p, m] = review_months
                if level != LICENCE:
                    self._drop(exporter, p, m)

    def _drop(self, e: int, p: int, m: int) -> None:
        key = (e, p, m)
        self._quota.pop(key, None)
        keep = [i for i, k in enumerate(self._q_key) if k != key]
        if len(keep) != len(self._q_key):
            for name in ("_q_firm", "_q_key", "_q_tonnes", "_q_due"):
                values = getattr(self, name)
                setattr(self, name, [values[i] for i in keep])

    def controlled(self, product: int) -> bool:
        return bool(self.level[:, product, :].any())

    # ------------------------------------------------------------------------------------- queue
    def pending(self, firm_rows: np.ndarray | None = None) -> np.ndarray:
        """Pending tonnes by (exporter, product, importer)."""
        out = np.zeros((N_COUNTRIES, N_PRODUCTS, N_COUNTRIES))
        for key, tonnes in zip(self._q_key, self._q_tonnes):
            out[key] += tonnes
        return out

    def pending_by_firm(self, n_rows: int) -> np.ndarray:
        """Pending tonnes by (firm row, product), over all exporters."""
        out = np.zeros((n_rows, N_PRODUCTS))
        for firm, key, tonnes in zip(self._q_firm, self._q_key, self._q_tonnes):
            out[firm, key[1]] += tonnes
        return out

    def apply(self, firms: np.ndarray, exporter: int, product: int, importer: int, tonnes: np.ndarray,
              month: int) -> None:
        due = month + int(self.review_months[exporter, product, importer])
        for firm, t in zip(firms.tolist(), tonnes.tolist()):
            if t > 1e-9:
                self._q_firm.append(firm)
                self._q_key.append((exporter, product, importer))
                self._q_tonnes.append(t)
                self._q_due.append(due)
                self.applied[exporter, product, importer] += t

    def decide(self, month: int, rng: np.random.Generator) -> list[Decision]:
        """Decide every application whose review ends this month; approved tonnes become quota."""
        due = [i for i, d in enumerate(self._q_due) if d <= month]
        if not due:
            return []
        draws = rng.random(len(due))
        tally: dict[tuple[int, int, int], list[float]] = {}
        for i, draw in zip(due, draws):
            key, tonnes = self._q_key[i], self._q_tonnes[i]
            ok = draw < self.approval_rate[key]
            row = tally.setdefault(key, [0, 0, 0.0, 0.0])
            if ok:
                row[0] += 1
                row[2] += tonnes
                self._quota.setdefault(key, []).append([tonnes, month + self.validity_months])
                self.approved[key] += tonnes
            else:
                row[1] += 1
                row[3] += tonnes
                self.denied[key] += tonnes
        keep = sorted(set(range(len(self._q_due))) - set(due))
        for name in ("_q_firm", "_q_key", "_q_tonnes", "_q_due"):
            values = getattr(self, name)
            setattr(self, name, [values[i] for i in keep])
        return [Decision(k[0], k[1], k[2], int(v[0]), int(v[1]), v[2], v[3]) for k, v in sorted(tally.items())]

    # ------------------------------------------------------------------------------------- shipping
    def caps(self, product: int, month: int) -> np.ndarray:
        """Exporter x importer tonnes that may ship this month: inf (free), quota (licence) or 0 (ban)."""
        level = self.level[:, product, :]
        cap = np.where(level == NONE, np.inf, 0.0)
        for (e, p, m), batches in self._quota.items():
            if p == product and level[e, m] == LICENCE:
                batches[:] = [b for b in batches if b[1] >= month and b[0] > 1e-9]
                cap[e, m] = sum(b[0] for b in batches)
        return cap

    def use(self, product: int, flows: np.ndarray) -> None:
        """Ships under licence draw down the oldest batches first."""
        for (e, p, m), batches in self._quota.items():
            if p != product:
                continue
            need = flows[e, m]
            for batch in batches:
                if need <= 0:
                    break
                take = min(batch[0], need)
                batch[0] -= take
                need -= take

    def reset_month(self) -> None:
        self.applied[:] = 0.0
        self.approved[:] = 0.0
        self.denied[:] = 0.0
