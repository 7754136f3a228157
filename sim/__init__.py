"""The rare-earth world and the machinery around it.

Where things live, and what each part may import:

- the world, at the top of `sim/`: the Mesa model (`model`: construction and the month's eight phases)
  and the mechanisms its phases call, each in the module its name gives: `scenario`/`scenario_schema`
  (files and their schema), `calibration`, `world` (the firms' arrays), `market` and `prices`, `supply`
  (quotas, margins, normal supply), `demand` (growth, substitution), `risk`, `stockpiles`, `licensing`
  and `licence_flow`, `diplomacy` and `agreements`, `contracts`, `investment` and `projects`, `events`,
  `measures` (suspend, resume and cancel of named measures), `caps` (clamps that report when they bind),
  `recorder`. The world imports `agents/` (who decide) and nothing below.
- `sim.runs`: one run's files and report, sweeps on Dask, validation. It imports the world.
- `sim.game`: the classroom's game logic (rooms, seats, rounds), UI-free. It imports the world.
- `sim.cli`: the `ree` command line, the one entry point that reaches every part.
- `ui/` (outside `sim/`) renders and collects input; it may import all of `sim`, and nothing in `sim` imports it but
  the command line (`sim.cli` starts the web app and hands the classroom's pages to the classroom server).

`tests/test_layout.py` holds these rules: no import circles, no world module importing `runs`, `game`,
`cli` or `ui`, no module over 370 statements (logical lines).
"""

from .scenario import Scenario, ScenarioError, load_scenario
from .version import __version__


def __getattr__(name):
    # The model pulls in Mesa; import it only when asked so `ree validate` stays quick.
    if name == "RareEarthModel":
        from .model import RareEarthModel

        return RareEarthModel
    if name == "run_scenario":
        from .runs.runner import run_scenario

        return run_scenario
    raise AttributeError(name)


__all__ = ["RareEarthModel", "Scenario", "ScenarioError", "load_scenario", "run_scenario", "__version__"]
