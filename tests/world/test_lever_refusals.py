"""The meaningless refused through the lever API and classroom moves too, not only in scenario files:
empty lists, `inf`/`nan`, quantities beyond the schema's bounds, a state aiming a measure at itself, a
state's act with no state.
(The same refusals from `ree validate` and `ree run` are in tests/runs/test_bad_input.py.)"""

from __future__ import annotations

import pytest

from sim import RareEarthModel, ScenarioError
from sim.game.moves import GameError, to_event


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"kind": "export_control", "actor": "CN", "products": [], "level": "ban"}, "products", "at least 1 item"),
        ({"kind": "technology_ban", "actor": "CN", "stages": []}, "stages", "at least 1 item"),
        ({"kind": "mining_quota", "actor": "CN", "tonnes_per_year": float("inf")}, "tonnes_per_year", "finite number"),
        (
            {"kind": "capacity_shock", "country": "MY", "stage": "refining", "factor": float("nan")},
            "factor",
            "finite number",
        ),
        (
            {"kind": "stockpile_release", "actor": "JP", "product": "light_oxide", "tonnes": 1e308},
            "tonnes",
            "world mine output",
        ),
        (
            {"kind": "project_support", "actor": "US", "share": 0.3, "budget_usd_per_year": 1e20},
            "budget_usd_per_year",
            "world GDP",
        ),
        ({"kind": "proposal", "actor": "US", "target": "US", "name": "self pact"}, "target", "the actor itself"),
        ({"kind": "mining_quota", "tonnes_per_year": 100000}, "actor", "missing"),
        (
            {
                "kind": "export_control",
                "actor": "CN",
                "products": ["magnet"],
                "destinations": ["US", "CN"],
                "level": "ban",
            },
            "destinations",
            "the actor itself",
        ),
    ],
)
def test_a_meaningless_lever_is_refused_with_one_line_and_nothing_changes(change, field, words):
    model = RareEarthModel("baseline_2024", seed=3, months=6)
    before = len(model.schedule_events.events)
    with pytest.raises(ScenarioError) as err:
        model.apply_lever(change)
    assert err.value.field == field and words in err.value.reason, str(err.value)
    assert "\n" not in str(err.value)
    assert len(model.schedule_events.events) == before and model.levers == []


def test_a_classroom_move_is_refused_by_the_same_rules():
    with pytest.raises(GameError, match=r"^move\.products: List should have at least 1 item"):
        to_event("CN", {"lever": "export_control", "products": [], "destinations": ["US"], "level": "ban"}, "2025-01")
    with pytest.raises(GameError, match=r"^move\.destinations: includes CN, the actor itself"):
        to_event("CN", {"lever": "general_licence", "products": ["magnet"], "destinations": ["CN"]}, "2025-01")
    release = to_event("JP", {"lever": "stockpile_release", "product": "light_oxide", "tonnes": "all"}, "2025-01")
    assert release["tonnes"] == "all"
