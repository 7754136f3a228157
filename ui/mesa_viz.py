"""The model in Mesa's own SolaraViz, for notebook users (the web app is `ree ui`).

In a Jupyter notebook:

    from ui.mesa_viz import solara_viz
    solara_viz("apr2025_licensing", seed=42)     # the last expression of a cell renders it

What SolaraViz asks of a model, and how `VizModel` meets it on Mesa 3.3.1 and 3.5:
- SolaraViz checks `model_params` against the model's `__init__`; Mesa 3.3.1 accepts a catch-all keyword only
  if it is literally named `**kwargs` (`RareEarthModel(..., **overrides)` fails with "Missing required model
  parameter: overrides").
- Mesa 3.5's `model.scenario` is a Mesa `Scenario`, and Reset rebuilds the model with `scenario=` one. ree's
  `model.scenario` is its own pydantic scenario, which cannot be both. So `VizModel` is a plain Mesa model
  that runs one `RareEarthModel` (its `world`) a month a step: its parameter is `scenario_name`, and the
  `scenario` Mesa passes stays Mesa's.
- A SolaraViz built at module level of a served app is shared by every browser tab until someone presses
  Reset: build it per notebook (as here) and use `ree ui` for a served app (one run per tab).
- Its Altair plot components log vega-embed console errors (`reading 'usermeta'`) though they draw, so
  the plots here use the matplotlib backend.
- It has no levers, no fork and no download: those are in `ree ui`.
"""

from __future__ import annotations

from functools import partial

import mesa

from sim.model import RareEarthModel
from sim.scenario import list_library

MEASURES = {
    "magnet_world_usd_per_kg": "world magnet price (USD/kg REO)",
    "heavy_world_usd_per_kg": "world Dy/Tb oxide price (USD/kg REO)",
    "shortage_share": "magnet demand left unmet (share)",
}


class VizModel(mesa.Model):
    """A Mesa model for SolaraViz that runs one `RareEarthModel` (`world`) a month a step and reports its
    measures; `**kwargs` are the world's overrides (`world__scale=2`) and, from Mesa 3.5's Reset, `scenario`."""

    def __init__(self, scenario_name: str = "baseline_2024", seed: int | str | None = None, **kwargs):
        seed = None if seed in (None, "") else int(seed)  # SolaraViz's InputText gives a string
        mesa_scenario = kwargs.pop("scenario", None)
        # the world draws from its own generators (seeded by `seed`); this wrapper draws nothing, so a Scenario
        # Mesa hands over keeps its own rng (Mesa 3.5 refuses two)
        super().__init__(**({"rng": seed} if mesa_scenario is None else {"scenario": mesa_scenario}))
        self.world = RareEarthModel(scenario_name, seed=seed, **kwargs)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(world_measure, name) for name in MEASURES}
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        self.world.step()
        self.running = not self.world.finished
        self.datacollector.collect(self)


def world_measure(name: str, viz: VizModel) -> float:
    """The world model's own reporter `name` (bound with `partial`, not a lambda: it pickles)."""
    return viz.world.datacollector.model_reporters[name](viz.world)


def model_params(scenario: str = "baseline_2024", seed: int = 42) -> dict:
    return {
        "scenario_name": {
            "type": "Select",
            "value": scenario,
            "values": [name for name, _ in list_library()],
            "label": "scenario",
        },
        "seed": {"type": "InputText", "value": str(seed), "label": "seed"},
        "world__scale": {
            "type": "SliderInt",
            "value": 1,
            "min": 1,
            "max": 10,
            "step": 1,
            "label": "firm agents per calibrated firm",
        },
    }


def solara_viz(scenario: str = "baseline_2024", seed: int = 42):
    """A SolaraViz page of one new model (built here, per call: never shared at module level)."""
    from mesa.visualization import SolaraViz, make_plot_component

    components = [make_plot_component(measure, backend="matplotlib") for measure in MEASURES]
    return SolaraViz(
        VizModel(scenario, seed=seed),
        components=components,
        model_params=model_params(scenario, seed),
        name="ree: the rare-earth supply chain",
    )
