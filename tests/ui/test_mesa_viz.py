"""The model in Mesa's SolaraViz (notebooks): its parameter check passes and the page renders."""

from __future__ import annotations

import pytest

from sim.mesa_compat import MesaScenario
from ui.mesa_viz import MEASURES, VizModel, model_params, solara_viz


def test_solaraviz_accepts_the_viz_model_and_not_the_plain_one():
    from mesa.visualization.solara_viz import _check_model_params

    from sim import RareEarthModel

    _check_model_params(VizModel.__init__, model_params())
    if MesaScenario is None:  # Mesa 3.3.1 takes a catch-all keyword only if it is named **kwargs; 3.5 takes any
        with pytest.raises(ValueError, match="overrides"):
            _check_model_params(RareEarthModel.__init__, model_params())


@pytest.mark.skipif(MesaScenario is None, reason="Mesa 3.3.1's SolaraViz knows no Scenario")
def test_mesa_3_5_solaraviz_checks_the_built_model_and_resets_it():
    from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params

    params = model_params("apr2025_licensing", seed=3)
    model = VizModel("apr2025_licensing", seed=3)
    _check_model_params(model, params)  # SolaraViz runs this on every new model
    kwargs = _build_model_init_kwargs(
        model,
        {name: p["value"] for name, p in params.items()},
        add_scenario_when_empty=True,
        require_model_accepts_scenario=True,
    )
    assert isinstance(kwargs["scenario"], MesaScenario)  # Reset hands Mesa's own Scenario over
    rebuilt = type(model)(**kwargs)  # what Reset builds
    assert rebuilt.world.scenario.name == "apr2025_licensing" and rebuilt.scenario is kwargs["scenario"]


def test_the_viz_model_takes_the_params_as_solaraviz_passes_them():
    model = VizModel(scenario_name="apr2025_licensing", seed="7", world__scale=2)  # InputText gives a string
    assert model.world.seed_value == 7 and model.world.scenario.world.scale == 2
    model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert set(MEASURES) <= set(frame.columns) and len(frame) == 2


def test_the_solaraviz_page_renders():
    import ipyvuetify as v
    import solara

    box, rc = solara.render(solara_viz("apr2025_licensing", seed=3), handle_error=False)
    rc.find(v.Tab, children=["Page 0"]).assert_single()  # the plots' page (the controls sit in a portal)
    rc.close()
