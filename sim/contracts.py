"""Long-term offtake contracts between firms, bargained over price, delivered before the spot market.

Each quarter, buyers who feel their supply is at risk look for an offtake covering part of their use
from a supplier in a country that ships to them freely and that their state is on good terms with. The
two bargain over the price by alternating offers between their reservation prices (the buyer's: the
world price plus what it fears; the seller's: what the spot market pays it, less a discount for a sure
sale), each conceding a little every round and walking away after MAX_ROUNDS. A contract delivers each
month before the spot market, as far as the seller has stock and trade is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import market
from .constants import COUNTRIES, N_COUNTRIES, ORE, PRODUCTS
from .licensing import LICENCE, NONE

MAX_ROUNDS = 6
CONCESSION = 0.25  # share of the gap to its own reservation price a side gives up each round
SURE_SALE_DISCOUNT = 0.9  # a seller accepts 10% under spot for a guaranteed buyer
RISK_TRIGGER = 0.25
SHARE_OF_USE = 0.3
DURATION_MONTHS = 36
MIN_RELATIONS = 0.3
COMMITTABLE_SHARE = 0.8  # of a seller's normal monthly supply it may sell forward; the rest stays for spot buyers
MIN_CONTRACT_SHARE = 0.1  # an offtake smaller than this share of what the buyer wanted is not worth signing


@dataclass
class Contract:
    seller: int
    buyer: int
    product: int
    tonnes_per_month: float
    price: float
    start: int
    end: int


def bargain(
    buyer_reservation: float, seller_reservation: float, buyer_offer: float, seller_offer: float
) -> tuple[float | None, int]:
    """Alternating offers: each round the seller lowers its ask and the buyer raises its bid by a share of
    the way to their own reservation prices; they deal at the midpoint once the bid meets the ask, and
    walk away after MAX_ROUNDS. No deal is possible when the buyer's limit is below the seller's."""
    ask = max(seller_offer, seller_reservation)
    bid = min(buyer_offer, buyer_reservation)
    for round_ in range(1, MAX_ROUNDS + 1):
        if bid >= ask:
            return (bid + ask) / 2.0, round_
        ask -= CONCESSION * (ask - seller_reservation)
        bid += CONCESSION * (buyer_reservation - bid)
    return None, MAX_ROUNDS


class ContractBook:
    def __init__(self, model):
        self.model = model
        self.contracts: list[Contract] = []

    def active(self, product: int, month: int) -> list[Contract]:
        return [c for c in self.contracts if c.product == product and c.start <= month <= c.end]

    # ------------------------------------------------------------------------------------ delivery
    def deliver(self, product: int, flows: np.ndarray) -> None:
        """Deliver this month's contracted tonnes before the spot market, adding them to `flows` (exporter x
        importer: the month's, where most months no contract adds anything)."""
        model, book = self.model, self.model.book
        live = self.active(product, model.month)
        if not live:
            return
        sellers = np.array([c.seller for c in live])
        buyers = np.array([c.buyer for c in live])
        due = np.array([c.tonnes_per_month for c in live])
        allowed = np.array([self._allowed(c) for c in live])
        due = np.minimum(due * allowed, book.order[buyers, product])
        committed = np.bincount(sellers, due, minlength=book.n)[sellers]
        scale = np.divide(book.stock[sellers, product], committed, out=np.zeros(len(live)), where=committed > 0)
        sent = due * np.minimum(scale, 1.0)
        for c, tonnes in zip(live, sent):
            if tonnes <= 1e-12:
                continue
            self._ship(c, tonnes)
            flows[book.country[c.seller], book.country[c.buyer]] += tonnes

    def _allowed(self, c: Contract) -> bool:
        book, office = self.model.book, self.model.office
        e, m = int(book.country[c.seller]), int(book.country[c.buyer])
        level = office.level[e, c.product, m]
        if e == m or level == NONE:
            return True
        # a general licence opens a licensed route to civil buyers; it never lifts a ban
        return (
            level == LICENCE
            and bool(office.general_licence(e, c.product, m, self.model.month))
            and not self.model.defense_row[c.buyer]
        )

    def _ship(self, c: Contract, tonnes: float) -> None:
        book = self.model.book
        p = c.product
        domestic = book.country[c.seller] == book.country[c.buyer]
        if p == ORE:
            content = book.ore_content[c.seller] * (tonnes / max(book.stock[c.seller, ORE], 1e-12))
            book.ore_content[c.seller] -= content
        book.stock[c.seller, p] -= tonnes
        rows = np.array([c.buyer])
        amount = np.array([tonnes])
        zero = np.zeros(1)
        if p == ORE:
            dom_content = content[None, :] if domestic else np.zeros((1, 2))
            imp_content = np.zeros((1, 2)) if domestic else content[None, :]
            book.receive(rows, p, amount if domestic else zero, zero if domestic else amount, dom_content, imp_content)
        else:
            book.receive(rows, p, amount if domestic else zero, zero if domestic else amount)
        book.order[c.buyer, p] -= tonnes
        book.cash[c.seller] += tonnes * c.price * 1000.0
        book.cash[c.buyer] -= tonnes * c.price * 1000.0
        book.sales_avg[c.seller, p] += 0.3 * tonnes  # contracted sales count towards what the seller plans for

    # ------------------------------------------------------------------------------------ new contracts
    def negotiate(self) -> None:
        """Quarterly: buyers at risk seek offtakes from suppliers they can rely on."""
        model, book = self.model, self.model.book
        if model.month % 3 != 0 or not (book.risk > RISK_TRIGGER).any():
            return  # (most quarters of a calm run no firm fears for any input: none seeks an offtake)
        for product in range(len(PRODUCTS)):
            buyers = model.buyers[product]
            at_risk = buyers[(book.risk[buyers, product] > RISK_TRIGGER) & (book.use_avg[buyers, product] > 0)]
            have = {c.buyer for c in self.active(product, model.month)}
            seeking = [buyer for buyer in at_risk.tolist() if buyer not in have]
            if not seeking:
                continue
            # signing contracts changes neither supply nor who can be relied on: work both out once
            sellers = model.sellers[product]
            normal = model.normal_supply(sellers, product)
            reliable_to: dict[int, np.ndarray] = {}  # buyer country -> sellers it can rely on
            for buyer in seeking:
                m = int(book.country[buyer])
                if m not in reliable_to:
                    by_exporter = np.array([self._reliable(e, product, m) for e in range(N_COUNTRIES)])
                    reliable_to[m] = by_exporter[book.country[sellers]] & (normal > 0)
                self._seek(buyer, product, sellers, normal, reliable_to[m])

    def _seek(self, buyer: int, product: int, sellers: np.ndarray, normal: np.ndarray, ok: np.ndarray) -> None:
        model, book = self.model, self.model.book
        m = int(book.country[buyer])
        if not ok.any():
            return
        # a supplier's room: what it normally supplies, within COMMITTABLE_SHARE, less what it has
        # contracted already (no firm promises more than it makes)
        committed = np.zeros(book.n)
        for c in self.active(product, model.month):
            committed[c.seller] += c.tonnes_per_month
        room = COMMITTABLE_SHARE * normal[ok] - committed[sellers[ok]]
        wanted = SHARE_OF_USE * book.use_avg[buyer, product]
        open_ = room >= MIN_CONTRACT_SHARE * wanted
        if not open_.any():
            model.log.add(
                model.month,
                model.firm_names[buyer].split(" #")[0],
                "contract_failed",
                COUNTRIES[m],
                f"{PRODUCTS[product]} offtake",
                "every supplier it can rely on has committed what it makes",
            )
            return
        # the largest supplier with room; among copies of it (world.scale), the one with the most room
        best = int(np.lexsort((-room, -np.where(open_, normal[ok], -1.0)))[0])
        seller = int(sellers[ok][best])
        tonnes = min(wanted, float(room[best]))
        e = int(book.country[seller])
        k_buyer, k_seller = market.MARKET_OF[m], market.MARKET_OF[e]
        spot = model.prices[product, k_buyer]
        buyer_reservation = spot * (1.0 + book.risk[buyer, product])
        seller_reservation = SURE_SALE_DISCOUNT * model.prices[product, k_seller]
        price, rounds = bargain(
            buyer_reservation,
            seller_reservation,
            buyer_offer=0.9 * spot,
            seller_offer=1.2 * model.prices[product, k_seller],
        )
        who = f"{model.firm_names[seller].split(' #')[0]} -> {model.firm_names[buyer].split(' #')[0]}"
        if price is None:
            model.log.add(
                model.month,
                who,
                "contract_failed",
                COUNTRIES[m],
                f"{PRODUCTS[product]} offtake",
                f"no price both accept within {MAX_ROUNDS} rounds (buyer up to {buyer_reservation:,.1f}, "
                f"seller from {seller_reservation:,.1f} USD/kg)",
            )
            return
        self.contracts.append(
            Contract(seller, buyer, product, tonnes, price, model.month, model.month + DURATION_MONTHS - 1)
        )
        model.log.add(
            model.month,
            who,
            "contract_signed",
            COUNTRIES[m],
            f"{PRODUCTS[product]}: {tonnes:,.1f} t a month for {DURATION_MONTHS} months at {price:,.1f} USD/kg",
            f"the buyer fears for its supply (risk {book.risk[buyer, product]:.0%}); agreed after {rounds} "
            f"round{'s' if rounds > 1 else ''} between {seller_reservation:,.1f} and {buyer_reservation:,.1f} USD/kg",
        )

    def _reliable(self, e: int, product: int, m: int) -> bool:
        model = self.model
        if e == m:
            return True
        return (
            model.office.level[e, product, m] == NONE
            and model.relations.score[m, e] >= MIN_RELATIONS
            and model.trade_weight[product, e, m] > 0
        )
