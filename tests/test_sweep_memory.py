"""Issue O: a model and its agents are freed when dropped (Mesa 3.3.1's `Agent._ids`, mesa #3179), so a sweep
worker's memory stays flat over thousands of runs."""
import functools
import gc
import itertools
import weakref
from collections import defaultdict

import mesa

from sim.mesa_compat import ModelCounters, free_models_when_dropped
from sim.model import RareEarthModel
from sim.scenario import load_scenario


CHECK_IN_A_FRESH_PROCESS = """
import sys
sys.path.insert(0, {root!r})
from tests.test_sweep_memory import two_hundred_models_built_and_dropped_are_gone
two_hundred_models_built_and_dropped_are_gone()
"""


def test_two_hundred_models_built_and_dropped_are_gone():
    # in a process of its own: in the full suite other tests' caches and fixtures may hold models of their own
    import subprocess
    import sys
    from pathlib import Path
    root = str(Path(__file__).resolve().parents[1])
    done = subprocess.run([sys.executable, "-c", CHECK_IN_A_FRESH_PROCESS.format(root=root)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def two_hundred_models_built_and_dropped_are_gone():
    scenario = load_scenario("full_embargo", overrides={"months": 1})
    models, agents = [], []
    for seed in range(200):
        model = RareEarthModel(scenario, seed=seed)
        model.step()
        models.append(weakref.ref(model))
        agents.append(weakref.ref(next(iter(model.agents))))
        del model
    gc.collect()
    assert sum(ref() is not None for ref in models) == 0
    assert sum(ref() is not None for ref in agents) == 0
    assert isinstance(mesa.Agent.__dict__["_ids"], ModelCounters) and len(mesa.Agent._ids) == 0


class _Walker(mesa.Agent):
    pass


class _Toy(mesa.Model):
    def __init__(self, agent_class, n=5):
        super().__init__(seed=1)
        self.made = [agent_class(self) for _ in range(n)]


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
