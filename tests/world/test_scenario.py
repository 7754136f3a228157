"""Scenario files: extends, overrides, library, and the model's keyword parameters."""

import pytest

from sim import RareEarthModel, ScenarioError, load_scenario
from sim.constants import MINER
from sim.scenario import list_library, parse_override


def test_library_lists_the_shipped_scenarios():
    names = dict(list_library())
    assert {"baseline_2024", "full_embargo"} <= set(names)
    assert all(not text.startswith("(invalid") for text in names.values())


def test_extends_keeps_parent_values_and_appends_events():
    parent = load_scenario("baseline_2024")
    child = load_scenario("full_embargo")
    assert child.start == parent.start and child.world.scale == parent.world.scale
    assert child.states["JP"].stockpile == parent.states["JP"].stockpile
    assert len(child.events) == len(parent.events) + 1


def test_set_overrides_with_toml_values():
    scenario = load_scenario(
        "baseline_2024", sets=["world.scale=3", "states.CN.quota_growth=0.1", "description=plain text is a string"]
    )
    assert scenario.world.scale == 3
    assert scenario.states["CN"].quota_growth == 0.1
    assert scenario.description == "plain text is a string"


@pytest.mark.parametrize("text", ["world.scale", "=3", "world..scale=3"])
def test_malformed_set_is_rejected(text):
    with pytest.raises(ScenarioError):
        parse_override(text)


def test_unknown_override_names_the_field():
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline_2024", sets=["world.scal=3"])
    assert "world.scal" in str(err.value) and "unknown field" in str(err.value)


def test_model_keyword_overrides_use_double_underscores():
    model = RareEarthModel(world__scale=2, months=3)
    base = RareEarthModel(months=3)
    assert len(model.rows[MINER]) == 2 * len(base.rows[MINER])
    assert model.months == 3


def test_seed_defaults_to_the_scenario_and_can_be_given():
    assert RareEarthModel(months=1).seed_value == load_scenario("baseline_2024").seed
    assert RareEarthModel(months=1, seed="7").seed_value == 7


def test_events_are_sorted_by_date():
    scenario = load_scenario(
        "baseline_2024",
        sets=[
            'events=[{date="2025-01", kind="note", description="b"}, {date="2024-05", kind="note", description="a"}]'
        ],
    )
    assert [e.date for e in scenario.events] == ["2024-05", "2025-01"]
