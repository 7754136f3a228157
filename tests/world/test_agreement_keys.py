"""Agreements are keyed by id, never by name: two may share a name, and each fund payment names its payer."""

from __future__ import annotations

from sim import RareEarthModel

PACT = {
    "kind": "proposal",
    "actor": "US",
    "target": "JP",
    "name": "supply pact",
    "duration_months": 48,
    "cofinance_share": 0.3,
    "agreed": True,
}


def test_two_agreements_named_alike_run_to_the_end_and_each_payment_names_its_fund():
    model = RareEarthModel("us_japan_framework")
    for _ in range(20):
        model.step()
    model.apply_lever({**PACT, "cofinance_usd_per_year": 0.0}, "an empty fund first")
    model.apply_lever({**PACT, "cofinance_usd_per_year": 3e9}, "then one with money")
    while not model.finished:
        model.step()
    rows = model.log.rows
    signed = [r for r in rows if r[2] == "agreement_signed" and r[4].startswith("supply pact:")]
    assert len(signed) == 2 and signed[0][3] != signed[1][3]
    empty, funded = signed[0][3], signed[1][3]
    paid_by = {r[3] for r in rows if r[2] == "fund_payment"}
    assert funded in paid_by and empty not in paid_by
    by_key = {a.key: a for a in model.diplomats.agreements}
    assert sum(by_key[funded].paid.values()) > 0 and sum(by_key[empty].paid.values()) == 0


def test_an_agreement_from_a_named_proposal_is_keyed_by_its_id():
    model = RareEarthModel("us_japan_framework", months=30)
    while not model.finished:
        model.step()
    assert [a.key for a in model.diplomats.agreements] == ["framework"]
    assert any(r[2] == "fund_year" and r[3] == "framework" for r in model.log.rows)
