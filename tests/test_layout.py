"""The package layout's rules (see `sim/__init__.py`): one-way imports, no circles, short modules."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sim", "agents", "ui")
# Statements (logical lines), not physical lines: ruff format spreads a call over one line per argument where the
# arguments do not fit, so the physical count says more about the formatter than about the module's size. 370
# statements is what 450 packed lines held.
MAX_STATEMENTS = 370
# Parts of `sim` the world must not reach (the world is every other module of `sim`, and `agents`).
OUTSIDE_THE_WORLD = ("sim.runs", "sim.game", "sim.cli", "sim.outputs", "ui")
# The command line puts the parts together: `ree ui` runs `ui.app`, `ree classroom serve` hands the classroom's
# pages (`ui.classroom.mount`) to the server. It is the one module outside `ui` that may name `ui`, and only these.
UI_ENTRIES = {"sim.cli": {"ui.app", "ui.classroom.mount"}}
DOTTED = re.compile(r"\bui(?:\.\w+)+")


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
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known]
            # `from . import market` imports the submodule; the package counts only for names it defines
            targets = submodules + ([base] if len(submodules) < len(node.names) else [])
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def ui_named(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of `ui` that `name` imports, or names in a string ("ui.classroom.app", "ui.app:routes")."""
    found = {t for t in imports_of(name, path, known) if in_part(t, "ui")}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for dotted in DOTTED.findall(node.value):
                parts = dotted.split(".")
                found.update(next(([m] for n in range(len(parts), 1, -1) if (m := ".".join(parts[:n])) in known), []))
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
    world = [
        m
        for m in graph
        if (in_part(m, "sim") or in_part(m, "agents"))
        and m != "sim"
        and not any(in_part(m, part) for part in OUTSIDE_THE_WORLD)
    ]
    assert "sim.model" in world and "agents.firms" in world
    leaks = [(m, t) for m in world for t in graph.successors(m) if any(in_part(t, p) for p in OUTSIDE_THE_WORLD)]
    assert not leaks, f"world modules importing the run machinery, the game, the CLI or the UI: {leaks}"


def test_nothing_imports_the_ui(graph):
    leaks = [
        (m, t) for m, t in graph.edges if in_part(t, "ui") and not in_part(m, "ui") and t not in UI_ENTRIES.get(m, ())
    ]
    assert not leaks


def test_sim_never_names_the_ui():
    """No module of `sim` (or `agents`) imports `ui` or names one of its modules in a string, as a server
    mounting "ui.classroom.app" by name once did (a tie the import graph cannot see); the command line's
    entry points aside (`UI_ENTRIES`)."""
    found = modules()
    leaks = {
        name: named
        for name, path in found.items()
        if not in_part(name, "ui") and (named := ui_named(name, path, set(found)) - UI_ENTRIES.get(name, set()))
    }
    assert not leaks, f"modules outside ui naming ui modules: {leaks}"


def statements(path: Path) -> int:
    """Logical lines: what the tokenizer ends with NEWLINE (a statement spread over lines counts once)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    return sum(1 for token in tokens if token.type == tokenize.NEWLINE)


def test_modules_are_short():
    long = {name: n for name, path in modules().items() if (n := statements(path)) > MAX_STATEMENTS}
    assert not long, f"modules over {MAX_STATEMENTS} statements: {long}"


def test_a_statement_spread_over_lines_counts_once(tmp_path):
    packed, spread = tmp_path / "packed.py", tmp_path / "spread.py"
    packed.write_text("x = f(1, 2, 3)\ny = 2\n")
    spread.write_text("x = f(\n    1,\n    2,\n    3,\n)\n# a comment\n\ny = 2\n")
    assert statements(packed) == statements(spread) == 2


def test_the_checker_sees_a_circle(tmp_path):
    """The import parser resolves relative imports (otherwise the circle test could never fail)."""
    a = tmp_path / "a.py"
    a.write_text("from .b import thing\nfrom . import c\n")
    assert imports_of("pkg.a", a, {"pkg.b", "pkg.c", "pkg.a"}) == {"pkg.b", "pkg.c"}


def test_the_checker_sees_the_ui_named_in_a_string(tmp_path):
    server = tmp_path / "server.py"
    server.write_text(
        '"""Mounts `ui.classroom.app`."""\nAPP = "ui.classroom.app:routes"\nfrom ui.components import tables\n'
    )
    known = {"ui", "ui.classroom", "ui.classroom.app", "ui.components", "ui.components.tables"}
    assert ui_named("sim.game.server", server, known) == {"ui.classroom.app", "ui.components.tables"}


def test_old_outputs_path_still_works():
    import sim.outputs
    import sim.runs.outputs

    assert sim.outputs.tables is sim.runs.outputs.tables
