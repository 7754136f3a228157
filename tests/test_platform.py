"""Platforms: pyproject.toml gives ranges and constraints/ the exact versions CI installs per Python; the model
behaves the same on Mesa 3.3.1 (Python 3.11) and Mesa 3.5 (Python 3.12+): `model.scenario` is ree's Scenario
and a seed gives the random streams it always gave. (.ci/run also runs full_embargo and the default scenario
on 3.11 and 3.13 and compares the files byte for byte.)"""

from __future__ import annotations

import copy
import pickle
import random
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from sim import RareEarthModel
from sim.mesa_compat import MesaScenario
from sim.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [req for reqs in project.get("optional-dependencies", {}).values() for req in reqs]
    return [Requirement(req) for req in project["dependencies"] + extras]


def test_pyproject_gives_ranges_not_pins():
    pinned = [str(req) for req in requirements() if any(s.operator in ("==", "===") for s in req.specifier)]
    assert not pinned, f"give a compatible range; exact versions belong in constraints/ (README): {pinned}"


@pytest.mark.parametrize("python", ["3.11", "3.12", "3.13"])
def test_each_constraints_file_pins_every_requirement_inside_its_range(python):
    pins = {}
    for line in (ROOT / "constraints" / f"py{python}.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    for req in requirements():
        if req.marker is not None and not req.marker.evaluate({"python_version": python, "extra": ""}):
            continue
        name = canonicalize_name(req.name)
        assert name in pins, f"constraints/py{python}.txt lacks {req.name}: run constraints/refresh.sh"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"constraints/py{python}.txt has {req.name}=={pins[name]}, outside {req}: run constraints/refresh.sh"
        )


def test_model_scenario_is_rees_and_mesas_own_is_kept_beside_it():
    model = RareEarthModel("baseline_2024", seed=5, months=1)
    assert isinstance(model.scenario, Scenario) and model.scenario.months == 1
    if MesaScenario is None:  # Mesa 3.3.1 has no Scenario of its own
        assert not hasattr(model, "mesa_scenario")
    else:  # Mesa 3.5 set its own through the `scenario` property, with the seed, linked to the model
        assert isinstance(model.mesa_scenario, MesaScenario)
        assert model.mesa_scenario.model is model and model.mesa_scenario.rng == 5
    model.step()
    for twin in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):  # forks (ree why, the UI)
        assert twin.scenario == model.scenario and isinstance(twin.scenario, Scenario)
        assert MesaScenario is None or twin.mesa_scenario.model is twin


def test_a_seed_gives_the_streams_it_always_gave_and_no_deprecation_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # Mesa 3.5 deprecates `seed=`
        model = RareEarthModel("baseline_2024", seed=5, months=1)
    # numpy's stream as it started (Mesa keeps the initial state in `_rng`, 3.3.1 and 3.5 alike) and stdlib's,
    # which the model's construction does not draw from
    assert model._rng == np.random.default_rng(5).bit_generator.state
    assert model.random.getstate() == random.Random(5).getstate()
