"""The model in Mesa's own SolaraViz, for notebook users (the web app is `ree ui`).

In a Jupyter notebook:

    from ui.mesa_viz import solara_viz
    solara_viz("apr2025_licensing", seed=42)     # the last expression of a cell renders it

Mesa 3.3.1's limits, and what this module does about them:
- SolaraViz checks `model_params` against the model's `__init__` and accepts a catch-all keyword only if it
  is literally named `**kwargs`; `RareEarthModel(..., **overrides)` fails that check ("Missing required model
  parameter: overrides"). `VizModel` is a thin subclass whose signature says `**kwargs`, nothing else.
- A SolaraViz built at module level of a served app is shared by every browser tab until someone presses
  Reset: build it per notebook (as here) and use `ree ui` for a served app (one run per tab).
- Its Altair plot components log vega-embed console errors (`reading 'usermeta'`) though they draw, so
  the plots here use the matplotlib backend.
- It has no levers, no fork and no download: those are in `ree ui`.
"""
from __future__ import annotations

from sim.model import RareEarthModel
from sim.scenario import list_library

MEASURES = {
    "magnet_world_usd_per_kg": "world magnet price (USD/kg REO)",
    "heavy_world_usd_per_kg": "world Dy/Tb oxide price (USD/kg REO)",
    "shortage_share": "magnet demand left unmet (share)",
}


class VizModel(RareEarthModel):
    """`RareEarthModel` with the `**kwargs` signature Mesa 3.3.1's SolaraViz insists on."""

    def __init__(self, scenario: str = "baseline_2024", seed: int | None = None, **kwargs):
        super().__init__(scenario, seed=seed, **kwargs)


def model_params(scenario: str = "baseline_2024", seed: int = 42) -> dict:
    return {
        "scenario": {"type": "Select", "value": scenario, "values": [name for name, _ in list_library()],
                     "label": "scenario"},
        "seed": {"type": "InputText", "value": str(seed), "label": "seed"},
        "world__scale": {"type": "SliderInt", "value": 1, "min": 1, "max": 10, "step": 1,
                         "label": "firm agents per calibrated firm"},
    }


def solara_viz(scenario: str = "baseline_2024", seed: int = 42):
    """A SolaraViz page of one new model (built here, per call: never shared at module level)."""
    from mesa.visualization import SolaraViz, make_plot_component
    components = [make_plot_component(measure, backend="matplotlib") for measure in MEASURES]
    return SolaraViz(VizModel(scenario, seed=seed), components=components, model_params=model_params(scenario, seed),
                     name="ree: the rare-earth supply chain")
