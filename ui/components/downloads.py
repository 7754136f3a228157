"""Download a run: the files `ree run` writes and `scenario.toml`, which replays it (levers included)."""
from __future__ import annotations

import solara

from sim.runs.bundle import zip_filename


@solara.component
def DownloadRun(store, which: str = "model"):
    view = store.view.value if which == "model" else store.baseline.value
    if view is None or view.months_run == 0:
        return solara.Text("Download: run a month first.", style={"color": "#555"})
    label = "Download this run (zip)" if which == "model" else "Download the baseline (zip)"
    solara.FileDownload(data=lambda: store.session.download(which), label=label,
                        filename=zip_filename(view.scenario, view.seed, view.date), mime_type="application/zip")
