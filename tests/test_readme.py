"""The README's examples do what it says. Every ```python block runs as a script; every `ree`
command of its ```bash blocks runs (months shrunk to keep the suite quick); every ```toml block loads:
the scenario example with `ree validate`, the aggregate example inside a sweep file."""

import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(r"^( *)```(\w+)\n(.*?)^\1```", re.S | re.M)
SHORT_MONTHS = "6"
# commands the suite cannot run as written, and what covers them instead
NOT_RUN = {
    "python -m pytest": "the suite itself",
    "ree sweep ": "a 36-run sweep of 60 months: the shipped sweep files are loaded and their first run made in "
    "tests/runs/test_sweep.py, and small sweeps run there end to end",
    "ree sweep-report": "needs the sweep above; sweep reports are built in tests/runs/test_sweep.py",
    "dask ": "a cluster on other machines; tests/runs/test_sweep.py runs a real scheduler with two workers",
    "mkdir ": "prepares a worker node's Dask settings",
    "cp ": "copies Dask settings to a worker node",
}


def blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    found = [(indent, body) for indent, lang, body in FENCE.findall(text) if lang == language]
    return ["\n".join(line[len(indent) :] for line in body.splitlines()) for indent, body in found]


def commands() -> list[str]:
    """Each command of the bash blocks (a line's `&&` parts), without comments."""
    out = []
    for block in blocks("bash"):
        for line in block.splitlines():
            line = line.split(" #")[0].strip()
            out += [part.strip() for part in line.split("&&") if part.strip()]
    return out


def _ree(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_the_readme_has_the_examples_this_file_checks():
    assert len(blocks("python")) >= 2 and len(blocks("toml")) >= 2
    assert any("data_collection_period=1" in block for block in blocks("python"))
    ree = [c for c in commands() if c.startswith("ree ")]
    assert any(c.startswith("ree run") for c in ree) and any(c.startswith("ree sweep ") for c in ree)


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_python_examples_run(index, tmp_path):
    script = tmp_path / f"example_{index}.py"
    script.write_text(blocks("python")[index], encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("command", [c for c in commands() if c.startswith("ree ")])
def test_ree_commands_run(command, tmp_path):
    skipped = next((why for start, why in NOT_RUN.items() if command.startswith(start)), None)
    if skipped:
        pytest.skip(skipped)
    args = shlex.split(command)[1:]
    if args[0] == "ui" or args[:2] == ["classroom", "serve"]:
        _serves(args, tmp_path)
        return
    if args[0] == "run":
        if "--months" in args:
            args[args.index("--months") + 1] = SHORT_MONTHS
        else:
            args += ["--months", SHORT_MONTHS]
        args.append("--quiet")
    result = _ree(args, tmp_path)
    assert result.returncode == 0, result.stderr
    if args[0] == "run":
        out = (
            Path(args[args.index("--out") + 1])
            if "--out" in args
            else Path("runs") / (args[1] if len(args) > 1 and not args[1].startswith("-") else "baseline_2024")
        )
        assert (tmp_path / out / "report.html").is_file() and (tmp_path / out / "summary.json").is_file()


def _serves(args: list[str], cwd: Path) -> None:
    """A server command starts and answers on loopback (a free port, never another host), then stops."""
    for option in ("--port", "--host"):
        if option in args:
            del args[args.index(option) : args.index(option) + 2]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args += ["--port", str(port)] + (["--host", "127.0.0.1"] if args[0] == "classroom" else [])
    if "--db" in args:  # the README creates the room the line before
        assert _ree(["classroom", "new", "classroom_2025", "--db", args[args.index("--db") + 1]], cwd).returncode == 0
    server = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    assert page.status == 200
                    return
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.time() < deadline, f"ree {' '.join(args)} did not answer in 90 s"
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_other_commands_are_accounted_for():
    """A new command in the README must either run above or say here why it cannot."""
    for command in commands():
        if command.startswith("ree "):
            continue
        assert command.startswith(("python3 -m venv", ". .venv/bin/activate", "pip install")) or any(
            command.startswith(start) for start in NOT_RUN
        ), command


def test_toml_examples_load(tmp_path):
    scenario = [b for b in blocks("toml") if "extends" in b]
    aggregate = [b for b in blocks("toml") if "[aggregates." in b]
    assert scenario and aggregate
    for index, text in enumerate(scenario):
        path = tmp_path / f"scenario_{index}.toml"
        path.write_text(text, encoding="utf-8")
        result = _ree(["validate", str(path)], tmp_path)
        assert result.returncode == 0, result.stderr
    from sim.runs.sweep import load_sweep

    for index, text in enumerate(aggregate):
        path = tmp_path / f"sweep_{index}.toml"
        path.write_text(
            '[sweep]\nscenario = "oct2025_controls"\nmonths = 60\n[parameters]\n"world.scale" = [1]\n' + text,
            encoding="utf-8",
        )
        assert load_sweep(path).aggregates
