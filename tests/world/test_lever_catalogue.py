"""One lever catalogue: every event kind a state or the world can set is a lever, every schema field
of every lever has a widget in both faces (the Explore page and the classroom's move form), drawn on a real
render of each face, with the schema's ranges and choices; a field a face lacks fails here, by name."""

from __future__ import annotations

from typing import get_args

import ipyvuetify as v
import pytest
import solara

from sim.game import moves
from sim.game.moves import GameError, to_event
from sim.lever_catalogue import (
    CLASSROOM,
    CLASSROOM_LEAVES_OUT,
    CONTEXT,
    ID,
    LEVER_BY_KIND,
    LEVERS,
    NOT_LEVERS,
    LeverField,
    _shape,
    event_models,
    measure_choices,
    named_measures,
)
from sim.scenario_schema import MEASURE_KINDS
from sim.scenario_types import Strategy
from ui.classroom import move_form
from ui.components.lever_specs import widget_of
from ui.components.levers import LEVER_BY_TITLE, LeverPanel, current_measures
from ui.state import ExploreStore

TODAY = (
    "export_control",
    "export_quota",
    "general_licence",
    "mining_quota",
    "stockpile_release",
    "tariff",
    "project_support",
    "proposal",
    "strategy",
    "demand_growth",
    "capacity_shock",
    "demand_shock",
    "ore_grade",
    "hoarding",
)
NEW = (
    "suspend",
    "resume",
    "cancel",
    "extraterritorial",
    "technology_ban",
    "stockpile_target",
    "price_floor",
    "relations",
)
KINDS = sorted(LEVER_BY_KIND)


def schema_fields(kind: str) -> list[str]:
    """What a form must offer of a kind: every field of its pydantic model but those the face fills in
    itself, and `id` only on a measure (the only thing a later lever can name)."""
    model = event_models()[kind]
    return [n for n in model.model_fields if n not in CONTEXT and (n != ID or kind in MEASURE_KINDS)]


def schema_range(kind: str, name: str) -> tuple:
    """(low, high) of a field, read from the model's JSON schema here rather than from the catalogue."""
    prop = event_models()[kind].model_json_schema()["properties"][name]
    base = next((m for m in prop.get("anyOf", [prop]) if m.get("type") in ("number", "integer")), {})
    return base.get("minimum", base.get("exclusiveMinimum")), base.get("maximum")


def labels(rc) -> set[str]:
    return {w.label for cls in (v.Select, v.TextField, v.Checkbox) for w in rc.find(cls).widgets}


# ------------------------------------------------------------------------------------------- the catalogue
def test_every_event_kind_is_a_lever_or_says_why_not():
    assert set(event_models()) == set(LEVER_BY_KIND) | set(NOT_LEVERS)
    assert not set(LEVER_BY_KIND) & set(NOT_LEVERS)


@pytest.mark.parametrize("kind", KINDS)
def test_a_levers_fields_are_its_schema_fields(kind):
    assert [f.name for f in LEVER_BY_KIND[kind].fields if f.name != ID] == [n for n in schema_fields(kind) if n != ID]
    assert (ID in [f.name for f in LEVER_BY_KIND[kind].fields]) == (kind in MEASURE_KINDS)


def test_the_explore_list_offers_the_new_kinds_beside_todays():
    offered = {lever.kind for lever in LEVER_BY_TITLE.values()}
    assert set(NEW) <= offered and set(TODAY) <= offered and len(offered) == len(TODAY) + len(NEW)


def test_strategy_names_are_the_schemas_and_every_one_has_an_agent():
    from agents.state import STRATEGIES

    assert LEVER_BY_KIND["strategy"].field("strategy").choices == get_args(Strategy) == tuple(STRATEGIES)


def test_a_schema_shape_no_form_knows_fails_at_once_naming_the_field():
    with pytest.raises(TypeError, match=r"export_control\.weights"):
        _shape("export_control", "weights", {"type": "object", "additionalProperties": {"type": "number"}})
    odd = LeverField("export_control", "weights", "table", "weights")
    with pytest.raises(TypeError, match=r"export_control\.weights"):
        move_form.widget_of(odd, "US")


# ------------------------------------------------------------------------------------------- the Explore page
@pytest.fixture(scope="module")
def explore():
    store = ExploreStore()
    store.start()  # baseline_2024: China's technology ban of 2023 (catalogue_2023) is in force
    return store


def drawn_on_explore(store, title: str) -> set[str]:
    _, rc = solara.render(LeverPanel(store), handle_error=False)
    rc.find(v.Select, label="lever").widget.v_model = title
    shown = labels(rc)
    rc.close()
    return shown


@pytest.mark.parametrize("kind", KINDS)
def test_every_schema_field_has_a_widget_on_the_explore_page(kind, explore):
    lever = LEVER_BY_KIND[kind]
    shown = drawn_on_explore(explore, lever.title)
    measures = current_measures(explore.session)
    missing = [n for n in schema_fields(kind) if widget_of(lever.field(n), "CN", measures).label not in shown]
    assert not missing, f"{kind}: no widget on the Explore page for {missing}"


@pytest.mark.parametrize("kind", KINDS)
def test_explore_widgets_have_the_schemas_ranges_and_choices(kind):
    model = event_models()[kind].model_json_schema()["properties"]
    for field in LEVER_BY_KIND[kind].fields:
        widget = widget_of(field, "US")
        if field.type in ("number", "integer"):
            assert (widget.low, widget.high) == schema_range(kind, field.name), field.name
            assert field.range in widget.label, field.name
        elif field.type in ("choice", "choices"):
            prop = next(m for m in model[field.name].get("anyOf", [model[field.name]]))
            enum = prop.get("enum") or prop["items"]["enum"]
            assert set(widget.values) == set(enum) - ({"US"} if field.name in ("target", "destinations") else set())


def test_suspend_resume_and_cancel_offer_the_runs_measures_by_id_and_name(explore):
    measures = current_measures(explore.session)
    suspend = widget_of(LEVER_BY_KIND["suspend"].field("measure"), "CN", measures)
    assert "catalogue_2023" in suspend.names
    named = "catalogue_2023: technology_ban of 2023-12 by CN, in force ("
    assert any(label.startswith(named) for label in suspend.values)
    assert not widget_of(LEVER_BY_KIND["resume"].field("measure"), "CN", measures).names  # nothing suspended
    assert not widget_of(LEVER_BY_KIND["cancel"].field("measure"), "JP", measures).names  # not JP's to cancel


def test_a_suspension_from_the_form_makes_the_measure_resumable():
    from sim import RareEarthModel
    from ui.components.lever_specs import build_change

    model = RareEarthModel("baseline_2024", seed=1)
    model.apply_lever(build_change(LEVER_BY_KIND["suspend"], "CN", {}, named_measures(model)), "a truce")
    model.step()
    assert [m.id for m in measure_choices(named_measures(model), "resume", "CN")] == ["catalogue_2023"]


# ------------------------------------------------------------------------------------------- the classroom
class NoRoom:
    def preview_move(self, token, move):
        raise GameError("no room in this test")


def briefing_for(kind: str) -> dict:
    """A seat's briefing offering one lever, as `views.briefing` builds it from `moves.LEVERS` (a kind the
    classroom does not offer is shown as it would be if the catalogue offered it)."""
    label, fields, example = moves.LEVERS.get(kind) or (
        LEVER_BY_KIND[kind].title,
        tuple(f.name for f in LEVER_BY_KIND[kind].classroom_fields),
        moves._example(kind),
    )
    return {"levers": {kind: {"label": label, "fields": list(fields), "example": example}}, "stockpile": {}}


def classroom_gaps(kind: str) -> list[str]:
    """Schema fields of `kind` with no widget in a rendered move form (those the catalogue leaves out, with a
    reason, aside)."""
    _, rc = solara.render(move_form.MoveForm(NoRoom(), "token", "US", 1, briefing_for(kind), False), handle_error=False)
    shown = labels(rc)
    rc.close()
    return [
        n
        for n in schema_fields(kind)
        if n not in CLASSROOM_LEAVES_OUT and move_form.widget_of(LEVER_BY_KIND[kind].field(n), "US")[1] not in shown
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_every_schema_field_has_a_widget_in_the_classroom(kind):
    assert not classroom_gaps(kind), f"{kind}: no widget in the move form for {classroom_gaps(kind)}"


def test_a_field_missing_from_the_classroom_form_fails_here_by_name(monkeypatch):
    label, fields, example = moves.LEVERS["export_control"]
    monkeypatch.setitem(moves.LEVERS, "export_control", (label, tuple(f for f in fields if f != "covers"), example))
    assert classroom_gaps("export_control") == ["covers"]


@pytest.mark.parametrize("kind", KINDS)
def test_classroom_widgets_have_the_schemas_ranges(kind):
    for field in LEVER_BY_KIND[kind].classroom_fields:
        widget, _, options = move_form.widget_of(field, "US")
        scale = move_form.BILLION if move_form.billions(field) else 1
        if widget in ("int", "float"):
            assert tuple(None if x is None else x * scale for x in options) == schema_range(kind, field.name)
        elif widget == "share":
            steps = [s for s in move_form._share_options(field, *options) if s.endswith("%")]
            low, high = schema_range(kind, field.name)
            assert (steps[0], steps[-1]) == (f"{low * 100:.0f}%", f"{high * 100:.0f}%"), field.name


def test_the_classroom_offers_its_levers_with_the_catalogues_fields():
    assert tuple(moves.LEVERS) == CLASSROOM
    for kind in CLASSROOM:
        assert moves.LEVERS[kind][1] == tuple(f.name for f in LEVER_BY_KIND[kind].classroom_fields)


def test_a_seat_sets_the_new_export_control_fields_but_never_signs_for_its_partner():
    event = to_event(
        "CN",
        {
            "lever": "export_control",
            "products": ["magnet"],
            "destinations": ["US"],
            "level": "licence",
            "covers": "heavy_bearing",
            "later_rate": 0.8,
            "ramp_months": 6,
            "deny_defense": False,
            "customs_hold_months": 1.5,
        },
        "2025-04",
    )
    assert event["covers"] == "heavy_bearing" and event["customs_hold_months"] == 1.5
    with pytest.raises(GameError, match="move.agreed: not a field of proposal"):
        to_event("US", {"lever": "proposal", "target": "JP", "name": "Pact", "agreed": True}, "2025-04")


@pytest.mark.parametrize("kind", CLASSROOM)
def test_the_classroom_forms_defaults_make_a_valid_move(kind):
    values = move_form.defaults(kind, "US", briefing_for(kind)["levers"])
    to_event("US", move_form.to_move(kind, values), "2025-01")


def test_every_lever_has_a_title_and_help():
    assert all(lever.title and lever.help for lever in LEVERS)
