"""The model in Mesa 3.3.1's SolaraViz (notebooks): its parameter check passes and the page renders."""
from __future__ import annotations

import pytest

from ui.mesa_viz import MEASURES, VizModel, model_params, solara_viz


def test_solaraviz_accepts_the_viz_model_and_not_the_plain_one():
    from mesa.visualization.solara_viz import _check_model_params
    from sim import RareEarthModel
    _check_model_params(VizModel.__init__, model_params())
    with pytest.raises(ValueError, match="overrides"):
        _check_model_params(RareEarthModel.__init__, model_params())


def test_the_viz_model_takes_the_params_as_solaraviz_passes_them():
    model = VizModel(scenario="apr2025_licensing", seed="7", world__scale=2)  # InputText gives a string
    assert model.seed_value == 7 and model.scenario.world.scale == 2
    model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert set(MEASURES) <= set(frame.columns) and len(frame) == 2


def test_the_solaraviz_page_renders():
    import ipyvuetify as v
    import solara
    box, rc = solara.render(solara_viz("apr2025_licensing", seed=3), handle_error=False)
    rc.find(v.Tab, children=["Page 0"]).assert_single()  # the plots' page (the controls sit in a portal)
    rc.close()
