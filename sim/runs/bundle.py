"""One run as a zip: the files `ree run` writes plus `scenario.toml`, the scenario that replays the run with
every lever change made along the way (what the web UI's Download button hands out)."""
from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

from ..levers import replay_toml
from .outputs import OUTPUT_FILES, write_outputs

REPLAY_NAME = "scenario.toml"
STEPS = (*OUTPUT_FILES, REPLAY_NAME, "zip")  # what `run_zip` reports, in order


def run_zip(model, progress: Callable[[int, int, str], None] | None = None) -> bytes:
    """The run's output files and its replay scenario, zipped in memory (files at the top level).
    `progress(done, total, name)` is called before each step: each file written, then the zipping."""
    done = [0]

    def step(name: str) -> None:
        if progress is not None:
            progress(done[0], len(STEPS), name)
        done[0] += 1

    with tempfile.TemporaryDirectory(prefix="ree-zip-") as tmp:
        folder = Path(tmp)
        write_outputs(model, folder, progress=step)
        step(REPLAY_NAME)
        (folder / REPLAY_NAME).write_text(replay_toml(model), encoding="utf-8")
        step("zip")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, arcname=path.name)
    if progress is not None:
        progress(len(STEPS), len(STEPS), "done")
    return buffer.getvalue()


def zip_filename(scenario: str, seed: int, date: str, branch: str | None = None) -> str:
    """`SCENARIO_seedN_YYYY-MM.zip` for a run; `ree_BRANCH_SCENARIO_YYYY-MM.zip` for one branch of a comparison
    (`whatif`, `baseline`)."""
    return f"ree_{branch}_{scenario}_{date}.zip" if branch else f"{scenario}_seed{seed}_{date}.zip"
