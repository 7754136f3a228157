"""The package layout's rules (see `sim/__init__.py`): one-way imports, no circles, short modules."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sim", "agents", "ui")
MAX_LINES = 450
# Parts of `sim` the world must not reach (the world is every other module of `sim`, and `agents`).
OUTSIDE_THE_WORLD = ("sim.runs", "sim.game", "sim.cli", "sim.outputs", "ui")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of ours that `name` imports, at module level or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known]
            # `from . import market` imports the submodule; the package counts only for names it defines
            targets = submodules + ([base] if len(submodules) < len(node.names) else [])
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    found = modules()
    g = nx.DiGraph()
    g.add_nodes_from(found)
    for name, path in found.items():
        g.add_edges_from((name, target) for target in imports_of(name, path, set(found)))
    return g


def in_part(module: str, part: str) -> bool:
    return module == part or module.startswith(part + ".")


def test_no_import_circles(graph):
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import circles: {cycles}"


def test_the_world_imports_no_runs_game_cli_or_ui(graph):
    world = [m for m in graph if (in_part(m, "sim") or in_part(m, "agents")) and m != "sim"
             and not any(in_part(m, part) for part in OUTSIDE_THE_WORLD)]
    assert "sim.model" in world and "agents.firms" in world
    leaks = [(m, t) for m in world for t in graph.successors(m) if any(in_part(t, p) for p in OUTSIDE_THE_WORLD)]
    assert not leaks, f"world modules importing the run machinery, the game, the CLI or the UI: {leaks}"


def test_nothing_imports_the_ui(graph):
    leaks = [(m, t) for m, t in graph.edges if in_part(t, "ui") and not in_part(m, "ui")]
    assert not leaks


def test_modules_are_short():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_the_checker_sees_a_circle(tmp_path):
    """The import parser resolves relative imports (otherwise the circle test could never fail)."""
    a = tmp_path / "a.py"
    a.write_text("from .b import thing\nfrom . import c\n")
    assert imports_of("pkg.a", a, {"pkg.b", "pkg.c", "pkg.a"}) == {"pkg.b", "pkg.c"}


def test_old_outputs_path_still_works():
    import sim.outputs
    import sim.runs.outputs
    assert sim.outputs.tables is sim.runs.outputs.tables
