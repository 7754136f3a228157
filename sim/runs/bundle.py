"""One run as a zip: the files `ree run` writes plus `scenario.toml`, the scenario that replays the run with
every lever change made along the way (what the web UI's Download button hands out)."""
from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from ..levers import replay_toml
from .outputs import write_outputs

REPLAY_NAME = "scenario.toml"


def run_zip(model) -> bytes:
    """The run's output files and its replay scenario, zipped in memory (files at the top level)."""
    with tempfile.TemporaryDirectory(prefix="ree-zip-") as tmp:
        folder = Path(tmp)
        write_outputs(model, folder)
        (folder / REPLAY_NAME).write_text(replay_toml(model), encoding="utf-8")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, arcname=path.name)
    return buffer.getvalue()


def zip_filename(scenario: str, seed: int, date: str) -> str:
    return f"{scenario}_seed{seed}_{date}.zip"
