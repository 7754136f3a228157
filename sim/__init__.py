"""The rare-earth world: scenarios, markets, licensing, the Mesa model, outputs and runners."""
from .scenario import Scenario, ScenarioError, load_scenario

__version__ = "0.1.0"


def __getattr__(name):
    # The model pulls in Mesa; import it only when asked so `ree validate` stays quick.
    if name == "RareEarthModel":
        from .model import RareEarthModel
        return RareEarthModel
    if name == "run_scenario":
        from .runner import run_scenario
        return run_scenario
    raise AttributeError(name)


__all__ = ["RareEarthModel", "Scenario", "ScenarioError", "load_scenario", "run_scenario", "__version__"]
