"""A model and its agents are freed when dropped (Mesa 3.3.1's `Agent._ids`, mesa #3179), so a sweep
worker's memory stays flat over thousands of runs."""
import functools
import gc
import itertools
import weakref
from collections import defaultdict

import mesa
import pytest

from sim.mesa_compat import ModelCounters, free_models_when_dropped
from sim.model import RareEarthModel
from sim.scenario import load_scenario

MESA_3_3 = "_ids" in mesa.Agent.__dict__  # Mesa 3.3.1's dictionary of models; 3.5 has the upstream fix


def test_two_hundred_models_built_and_dropped_are_gone():
    scenario = load_scenario("full_embargo", overrides={"months": 1})
    models, agents = [], []
    held_before = len(mesa.Agent.__dict__.get("_ids", ()))  # models other tests still hold (cached runs)
    for seed in range(200):
        model = RareEarthModel(scenario, seed=seed)
        model.step()
        models.append(weakref.ref(model))
        agents.append(weakref.ref(next(iter(model.agents))))
        del model
    gc.collect()
    assert sum(ref() is not None for ref in models) == 0
    assert sum(ref() is not None for ref in agents) == 0
    if MESA_3_3:  # Mesa 3.5 numbers agents in the model (the upstream fix): no dictionary to swap
        assert isinstance(mesa.Agent.__dict__["_ids"], ModelCounters) and len(mesa.Agent._ids) <= held_before


class _Walker(mesa.Agent):
    pass


class _Toy(mesa.Model):
    def __init__(self, agent_class, n=5):
        super().__init__(rng=1)
        self.made = [agent_class(self) for _ in range(n)]


@pytest.mark.skipif(not MESA_3_3, reason="Mesa 3.5's Agent numbers agents through the model, not Agent._ids")
def test_mesa_3_3_1s_dictionary_keeps_models_alive_and_the_fix_frees_them():
    """The weakref check can fail: with Mesa 3.3.1's own dictionary the models stay."""
    class Leaky(_Walker):
        _ids = defaultdict(functools.partial(itertools.count, 1))  # as mesa.Agent has it in 3.3.1

    kept = [weakref.ref(_Toy(Leaky)) for _ in range(3)]
    gc.collect()
    assert all(ref() is not None for ref in kept)
    assert free_models_when_dropped(Leaky) is True
    gc.collect()
    assert all(ref() is None for ref in kept)
    model = _Toy(Leaky, n=4)  # agents are still numbered 1, 2, ... per model
    assert [a.unique_id for a in model.made] == [1, 2, 3, 4]
    assert free_models_when_dropped(Leaky) is False  # once is enough


def test_a_mesa_with_the_upstream_fix_is_left_alone():
    class Fixed:  # Mesa after PR #3180: no Agent._ids; unique ids come from Model.register_agent
        pass

    assert free_models_when_dropped(Fixed) is False
    assert "_ids" not in Fixed.__dict__
