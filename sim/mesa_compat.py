"""Mesa 3.3.1 keeps every model ever built alive; this frees a model and its agents once nothing uses it.

Mesa 3.3.1 numbers agents per model with a class-level `Agent._ids = defaultdict(...)` keyed by the model
itself (mesa issue #3179). That dictionary holds every model strongly for the life of the process, and each
model holds its agents, calibration tables and recorded months: about 0.3-0.7 MB a run that a sweep worker
never got back (a 1,792-run Sobol sweep took each worker from 266 to 810 MB). Mesa fixed it upstream (PR
#3180) by numbering agents in `Model.register_agent` and dropping `Agent._ids`.

`free_models_when_dropped()` swaps that dictionary for one that holds its models weakly and hands out the
same counters (agents of a model are still numbered 1, 2, ...), so a model goes when its last user drops it,
whether a run ended or a test or the UI built it and let it go. On a Mesa that has the fix there is no
`Agent._ids` dictionary of models, and nothing is changed. `sim/model.py` imports this module, and importing
it makes the change (once per process, before any model of ours is built).

`ScenarioOfItsOwn` is the other difference ree meets between Mesa 3.3.1 and 3.5: who owns `model.scenario`.
"""

from __future__ import annotations

import functools
import itertools
import weakref
from collections import defaultdict

import mesa

COUNT_FROM_ONE = functools.partial(itertools.count, 1)  # Mesa's own counter for each model's agents


class ModelCounters(weakref.WeakKeyDictionary):
    """Mesa 3.3.1's `Agent._ids` with weak keys: a model's agent counter, created on first use, lives as long
    as the model does."""

    def __init__(self, make_counter=COUNT_FROM_ONE):
        super().__init__()
        self.make_counter = make_counter

    def __getitem__(self, model):
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = self[model] = self.make_counter()
            return counter


def free_models_when_dropped(agent_class: type[mesa.Agent] = mesa.Agent) -> bool:
    """Make `agent_class._ids` hold its models weakly (Mesa 3.3.1); True if it was changed, False where Mesa
    has no such dictionary (fixed upstream) or it is weak already. Counters of models built before keep
    counting."""
    ids = agent_class.__dict__.get("_ids")
    if not isinstance(ids, defaultdict):
        return False
    weak = ModelCounters(ids.default_factory)
    for model, counter in ids.items():
        weak[model] = counter
    agent_class._ids = weak
    ids.clear()  # the old dictionary may still be referenced somewhere: let go of its models too
    return True


try:  # Mesa 3.5+: a Model's parameters and seed travel in a Scenario
    from mesa.experimental.scenarios import Scenario as MesaScenario
except ImportError:  # Mesa 3.3.1 has none
    MesaScenario = None


class ScenarioOfItsOwn:
    """Put before `mesa.Model` in a model's bases: `model.scenario` stays the model's own scenario object.

    Mesa 3.5's `Model` has a `scenario` property of its own: `Model.__init__` sets a
    `mesa.experimental.scenarios.Scenario(rng=seed)` through it, and its setter links that back
    (`scenario.model = self`). ree reads `model.scenario` everywhere as its pydantic Scenario, which cannot
    also be a Mesa Scenario (both classes have `__slots__`: "instance lay-out conflict"). This property keeps
    ree's under `scenario` and Mesa's, linked as Mesa links it, under `mesa_scenario`. Mesa 3.3.1 sets none.
    """

    @property
    def scenario(self):
        return self._own_scenario

    @scenario.setter
    def scenario(self, value) -> None:
        if MesaScenario is not None and isinstance(value, MesaScenario):
            self.mesa_scenario = value
            value.model = self
        else:
            self._own_scenario = value


free_models_when_dropped()
