"""Export controls, licences and export quotas: the licensing offices' machinery.

A control is set per (exporter, product, importer): none, licence or ban. Under `licence`, importing firms
file applications (firm, product, tonnes, destination, end use); each waits at least `review_months` in
the exporter's queue, which reviews a limited number a month, and is then decided by the exporting
state's strategy (`agents/state.py`), which gives its reason. Approved tonnes belong to the applicant and
lapse after the licence's validity. General licences let civil end users of a partner import without
applying; an export quota caps an exporter's total exports of some products per calendar year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .constants import N_COUNTRIES, N_PRODUCTS

NONE, LICENCE, BAN = 0, 1, 2
LEVELS = {"none": NONE, "licence": LICENCE, "ban": BAN}
INF = float("inf")
# A firm's needs arrive as shipments, each licensed on its own: about one lot per LOT_TONNES (REO) of the
# product, at most MAX_LOTS an application (a small buyer files one lot, a big one spreads its risk).
LOT_TONNES = (50.0, 5.0, 0.5, 5.0)  # ore, light oxide, heavy oxide, magnets
MAX_LOTS = 8
COVERS = ("all", "heavy_bearing")  # a control on magnets reaches all of them, or only grades with Dy/Tb


@dataclass
class Application:
    firm: int
    exporter: int
    product: int
    importer: int
    tonnes: float
    defense: bool
    due: int
    authority: int  # the state whose office decides: the exporter's, or another's under an extraterritorial rule
    share: float = 1.0  # the lot's share of its application (review capacity counts applications)


@dataclass
class Verdict:
    """A decided application, with the office's reason in plain words."""

    application: Application
    approved: bool
    reason: str


@dataclass
class GeneralLicence:
    exporter: int
    importers: frozenset[int]
    products: frozenset[int]
    until: int  # last month in force
    label: str
    source: str = ""  # the key of the measure or agreement that granted it


@dataclass
class ExportQuota:
    products: frozenset[int]
    tonnes_per_year: float
    left: float
    year: int


@dataclass
class Regime:
    """Terms of a licence regime on one (exporter, product, importer)."""

    approval_rate: float
    later_rate: float
    ramp_months: int
    started: int
    deny_defense: bool
    covers: str = "all"

    @classmethod
    def from_terms(
        cls,
        started: int,
        approval_rate: float = 1.0,
        later_rate: float | None = None,
        ramp_months: int = 0,
        deny_defense: bool = True,
        covers: str = "all",
    ) -> Regime:
        return cls(
            approval_rate,
            approval_rate if later_rate is None else later_rate,
            ramp_months,
            started,
            deny_defense,
            covers,
        )

    def rate(self, month: int) -> float:
        if self.ramp_months <= 0:
            return self.later_rate
        progress = min(max((month - self.started) / self.ramp_months, 0.0), 1.0)
        return self.approval_rate + progress * (self.later_rate - self.approval_rate)


@dataclass(frozen=True)
class ExtraterritorialRule:
    """Exports of `products` made outside the authority with at least `threshold` of its material need its
    licence, on these terms."""

    products: frozenset[int]
    threshold: float
    terms: tuple  # Regime's approval_rate, later_rate, ramp_months, deny_defense, covers, as (name, value)
    review_months: int

    @property
    def terms_dict(self) -> dict:
        return dict(self.terms)


@dataclass(frozen=True)
class Coverage:
    """A pair an extraterritorial rule has put under the authority's licence."""

    authority: int
    regime: Regime
    review_months: int


@dataclass
class LicenceOffice:
    validity_months: int
    firm_country: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # country of each firm row
    level: np.ndarray = field(default_factory=lambda: np.zeros((N_COUNTRIES, N_PRODUCTS, N_COUNTRIES), np.int8))
    review_months: np.ndarray = field(default_factory=lambda: np.zeros((N_COUNTRIES, N_PRODUCTS, N_COUNTRIES), int))

    def __post_init__(self):
        self.regimes: dict[tuple[int, int, int], Regime] = {}
        self.authority: dict[tuple[int, int, int], int] = {}  # pairs another state's rule puts under licence
        # the countries' own regimes as their measures compose them (see `publish`)
        self.own_level, self.own_review, self.own_regimes = self.level.copy(), self.review_months.copy(), {}
        self.extraterritorial: dict[int, ExtraterritorialRule] = {}  # authority -> its rule in force
        self.covered: dict[tuple[int, int, int], Coverage] = {}  # pairs a rule reaches while their own level is none
        self.holds: dict[tuple[int, int, int], float] = {}  # pairs whose shipments customs hold, until this month
        self.review_capacity: dict[int, float] = {}  # exporter -> applications a month (absent: no limit)
        self.resubmit_share = 0.0  # share of refused civil lots returned for more papers and filed again
        self._returned = 0.0  # running count that spreads resubmissions evenly over refusals
        # per product, this month's buyer x exporter tonnes no licence reaches (set by `holdings`, read by `use`)
        self.free: dict[int, np.ndarray] = {}
        self.queue: list[Application] = []
        self.quota: dict[tuple[int, int, int], list[list[float]]] = {}  # (firm, exporter, product) -> batches
        self.general: list[GeneralLicence] = []
        self.export_quotas: dict[int, ExportQuota] = {}
        self.applied = np.zeros((N_COUNTRIES, N_PRODUCTS, N_COUNTRIES))
        self.approved = np.zeros_like(self.applied)
        self.denied = np.zeros_like(self.applied)
        self.approval_rate = np.ones((N_COUNTRIES, N_PRODUCTS, N_COUNTRIES))  # current, for read-outs

    # ------------------------------------------------------------------------------------- controls
    # The office does not set controls itself: `sim.trade_measures` composes each pair's regime from the
    # measures in force and publishes it here, with the pairs an extraterritorial rule reaches laid under it.
    def publish(self, month: int, own: tuple[np.ndarray, np.ndarray, dict] | None = None) -> None:
        """Make the composed regimes current: `own` (level, review months, regimes) as the countries' own
        measures set them (None: unchanged), then pairs left free that an extraterritorial rule covers.
        Applications and unused licences lapse on pairs that leave the licence regime."""
        if own is not None:
            self.own_level, self.own_review, self.own_regimes = own
        level, review, regimes = self.own_level.copy(), self.own_review.copy(), dict(self.own_regimes)
        authority = {}
        for key, cover in self.covered.items():
            if level[key] == NONE:
                level[key], review[key], regimes[key], authority[key] = (
                    LICENCE,
                    cover.review_months,
                    cover.regime,
                    cover.authority,
                )
        left = (self.level == LICENCE) & (level != LICENCE)
        self.level[:], self.review_months[:] = level, review
        self.regimes, self.authority = regimes, authority
        if left.any():
            self._drop({(int(e), int(p), int(i)) for e, p, i in zip(*np.nonzero(left))})
        self.refresh_rates(month)

    def regime(self, exporter: int, product: int, importer: int) -> Regime | None:
        return self.regimes.get((exporter, product, importer))

    def refresh_rates(self, month: int) -> None:
        self.approval_rate[:] = 1.0
        for key, regime in self.regimes.items():
            self.approval_rate[key] = regime.rate(month)
        self.approval_rate[self.level == BAN] = 0.0

    def _drop(self, pairs: set[tuple[int, int, int]]) -> None:
        """Pending applications and unused licences for these (exporter, product, importer) lapse; other
        importers keep theirs."""
        self.queue = [a for a in self.queue if (a.exporter, a.product, a.importer) not in pairs]
        for firm_key in [k for k in self.quota if (k[1], k[2], int(self.firm_country[k[0]])) in pairs]:
            del self.quota[firm_key]

    def general_licence(self, exporter: int, product: int, importer: int, month: int) -> GeneralLicence | None:
        for licence in self.general:
            if (
                licence.exporter == exporter
                and importer in licence.importers
                and product in licence.products
                and month <= licence.until
            ):
                return licence
        return None

    def export_allowance(self, exporter: int, product: int, month: int) -> float:
        """Tonnes the exporter may still ship abroad this month under its quota, paced over the year."""
        quota = self.export_quotas.get(exporter)
        if quota is None or product not in quota.products:
            return INF
        if month // 12 != quota.year:
            quota.year, quota.left = month // 12, quota.tonnes_per_year
        months_left = 12 - month % 12
        return max(quota.left, 0.0) / months_left

    def use_export_quota(self, exporter: int, product: int, tonnes: float) -> None:
        quota = self.export_quotas.get(exporter)
        if quota is not None and product in quota.products:
            quota.left -= tonnes

    # ------------------------------------------------------------------------------------- queue
    def pending(self) -> np.ndarray:
        """Pending tonnes by (exporter, product, importer)."""
        out = np.zeros((N_COUNTRIES, N_PRODUCTS, N_COUNTRIES))
        for a in self.queue:
            out[a.exporter, a.product, a.importer] += a.tonnes
        return out

    def backlog_months(self, scale: int = 1) -> dict[int, float]:
        """Per authority with a review capacity, the months of capacity its queue already fills."""
        queued: dict[int, float] = {}
        for a in self.queue:
            queued[a.authority] = queued.get(a.authority, 0.0) + a.share
        return {
            authority: queued.get(authority, 0.0) / (capacity * scale)
            for authority, capacity in self.review_capacity.items()
        }

    def apply(
        self,
        firms: np.ndarray,
        exporter: int,
        product: int,
        importer: int,
        tonnes: np.ndarray,
        defense: np.ndarray,
        month: int,
        backlog: float = 0.0,
    ) -> None:
        """File applications, split into lots by tonnage. The lots of an application are decided evenly
        over the regime's review time, each later by the office's backlog: a busy office delays every file
        evenly instead of deciding some importers' files and leaving others for later."""
        review = int(self.review_months[exporter, product, importer])
        authority = self.authority.get((exporter, product, importer), exporter)
        for firm, t, d in zip(firms.tolist(), tonnes.tolist(), defense.tolist()):
            if t <= 1e-9:
                continue
            lots = int(min(max(np.ceil(t / LOT_TONNES[product]), 1), MAX_LOTS))
            for i in range(lots):
                # `review_months` is the longest review (45 working days in 2025); lots are decided
                # evenly up to it, later by the backlog
                due = month + max(int(np.ceil(review * (i + 1) / lots + backlog - 1e-9)), min(review, 1))
                self.queue.append(
                    Application(firm, exporter, product, importer, t / lots, bool(d), due, authority, 1.0 / lots)
                )
            self.applied[exporter, product, importer] += t

    # ------------------------------------------------------------------------------------- extraterritorial
    def set_extraterritorial_rules(self, rules: dict[int, ExtraterritorialRule], month: int) -> None:
        """The rule in force for each authority; pairs covered under a rule that changed are freed at once and
        found again from trade (`apply_extraterritorial`)."""
        changed = {a for a in set(rules) | set(self.extraterritorial) if rules.get(a) != self.extraterritorial.get(a)}
        self.extraterritorial = rules
        kept = {k: c for k, c in self.covered.items() if c.authority not in changed}
        if len(kept) < len(self.covered):
            self.covered = kept
            self.publish(month)

    def apply_extraterritorial(self, content: np.ndarray, month: int) -> None:
        """Re-derive the pairs each rule covers from `content[authority, exporter]`: the share of the
        exporter's inputs that came from the authority's country. A pair is taken under a rule while the
        exporter's own controls leave it free."""
        covered = {}
        for authority, rule in self.extraterritorial.items():
            for e in range(N_COUNTRIES):
                if e == authority or content[authority, e] < rule.threshold:
                    continue
                for p in rule.products:
                    for m in range(N_COUNTRIES):
                        key = (e, p, m)
                        if m in (e, authority):
                            continue
                        held = self.covered.get(key)
                        if held is not None and held.authority == authority:
                            covered[key] = held
                        elif self.own_level[key] == NONE and key not in covered:
                            covered[key] = Coverage(
                                authority, Regime(**rule.terms_dict, started=month), rule.review_months
                            )
        if covered != self.covered:
            self.covered = covered
            self.publish(month)

    def review(self, month: int, decide: Callable[[Application], tuple[bool, str]]) -> list[Verdict]:
        """Decide the lots whose review time is over. Some refused civil lots (see `_resubmitted`) are sent
        back for more papers and decided again the next month (a delay); the rest are refused for good."""
        verdicts, waiting = [], []
        for app in self.queue:
            if app.due > month:
                waiting.append(app)
                continue
            approved, reason = decide(app)
            key = (app.exporter, app.product, app.importer)
            if approved:
                self.quota.setdefault((app.firm, app.exporter, app.product), []).append(
                    [app.tonnes, month + self.validity_months]
                )
                self.approved[key] += app.tonnes
            else:
                self.denied[key] += app.tonnes
                regime = self.regimes.get(key)
                if (
                    regime is not None
                    and not (app.defense and regime.deny_defense)
                    and self._resubmitted(regime.rate(month))
                ):
                    waiting.append(
                        Application(
                            app.firm,
                            app.exporter,
                            app.product,
                            app.importer,
                            app.tonnes,
                            app.defense,
                            month + 1,
                            app.authority,
                            app.share,
                        )
                    )
                    reason += "; returned for more documents and filed again"
            verdicts.append(Verdict(app, approved, reason))
        self.queue = waiting
        return verdicts

    def _resubmitted(self, rate: float) -> bool:
        """Whether a refusal goes back for more papers: `resubmit_share` x the regime's current approval
        rate, square-rooted, of refusals do (a strict office refuses more for good), spread evenly with no
        random draw."""
        self._returned += self.resubmit_share * rate**0.5
        if self._returned >= 1.0 - 1e-9:
            self._returned -= 1.0
            return True
        return False

    # ------------------------------------------------------------------------------------- shipping
    def holdings(
        self,
        product: int,
        buyers: np.ndarray,
        buyer_country: np.ndarray,
        orders: np.ndarray,
        defense: np.ndarray,
        month: int,
        unreached: np.ndarray | None = None,
        documented: np.ndarray | None = None,
    ) -> np.ndarray:
        """Tonnes each buyer may import from each exporter this month on licence: valid approved quota,
        or its whole order where a general licence covers it (civil end users only). Where a control
        reaches only heavy-bearing grades, the `unreached` share of each buyer's order (grades without
        Dy/Tb) needs no licence. A licence names the end use its file documented: where `documented` is
        given (each buyer's use this month and its normal stock, without precautionary extra), no more than
        that ships on approved or general licences in a month; the rest stays valid for later months."""
        held = np.zeros((len(buyers), N_COUNTRIES))
        free = np.zeros_like(held)
        index = {int(row): i for i, row in enumerate(buyers.tolist())}
        for (firm, e, p), batches in self.quota.items():
            if p != product or firm not in index:
                continue
            batches[:] = [b for b in batches if b[1] >= month and b[0] > 1e-9]
            held[index[firm], e] += sum(b[0] for b in batches)
        if documented is not None:
            held = np.minimum(held, documented[:, None])
        for e in range(N_COUNTRIES):
            for m in range(N_COUNTRIES):
                if self.level[e, product, m] != LICENCE:
                    continue
                if self.general_licence(e, product, m, month):
                    # customer-specific too (Dec 2025): a civil user's documented needs, else its whole order
                    civil = (buyer_country == m) & ~defense
                    covered = orders if documented is None else np.minimum(orders, documented)
                    held[civil, e] = np.maximum(held[civil, e], covered[civil])
                elif unreached is not None and self.regimes[(e, product, m)].covers == "heavy_bearing":
                    mine = buyer_country == m
                    free[mine, e] = unreached[mine] * orders[mine]
        self.free[product] = free
        return held + free

    def caps(self, product: int, held: np.ndarray | None, month: int | None = None) -> np.ndarray:
        """Exporter x importer tonnes that may cross this month: inf (free), the licences `held` (exporter x
        importer tonnes, None when no pair needs a licence), or 0 (ban); licensed pairs under a customs hold
        pass only the share of shipments customs have stopped holding, licensed or not."""
        level = self.level[:, product, :]
        cap = np.where(level == NONE, INF, 0.0)
        if held is not None:
            cap = np.where(level == LICENCE, held, cap)
        if month is not None and self.holds:
            cap = np.where(level == LICENCE, cap * (1.0 - self.held_share(product, month)), cap)
        return cap

    def held_share(self, product: int, month: int) -> np.ndarray:
        """Exporter x importer share of this month's shipments of `product` that customs hold: all of them
        while a new control's hold lasts, the fraction left in its last month."""
        share = np.zeros((N_COUNTRIES, N_COUNTRIES))
        for (e, p, m), until in self.holds.items():
            if p == product:
                share[e, m] = min(max(until - month, 0.0), 1.0)
        return share

    def use(self, product: int, buyers: np.ndarray, shipped: np.ndarray) -> None:
        """Shipments under licence (buyer x exporter tonnes) draw down each buyer's oldest batches first,
        after the grades no licence reaches."""
        free = self.free.get(product)
        if free is not None and free.shape == shipped.shape:
            shipped = np.maximum(shipped - free, 0.0)
        for i, e in zip(*np.nonzero(shipped > 1e-12)):
            batches = self.quota.get((int(buyers[i]), int(e), product))
            need = shipped[i, e]
            for batch in batches or []:
                if need <= 0:
                    break
                take = min(batch[0], need)
                batch[0] -= take
                need -= take

    def reset_month(self, month: int) -> None:
        self.applied[:] = 0.0
        self.approved[:] = 0.0
        self.denied[:] = 0.0
        self.refresh_rates(month)
