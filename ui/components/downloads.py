"""Download a run: the files `ree run` writes and `scenario.toml`, which replays it (levers included). On
the compare page each branch has its own zip, named by branch (`ree_whatif_...`, `ree_baseline_...`). The
zip is written in Solara's download thread (a couple of seconds, mostly report.html's charts) while a bar
shows which file is being written."""

from __future__ import annotations

import solara

from sim.runs.bundle import zip_filename

LABELS = {
    None: "Download this run (zip)",
    "whatif": "Download the what-if (zip)",
    "baseline": "Download the baseline (zip)",
}


@solara.component
def ZipProgress(progress: solara.Reactive):
    if progress.value is None:
        return
    done, total, name = progress.value
    solara.ProgressLinear(value=100 * done / total)
    solara.Text(
        f"writing {name} ({done + 1} of {total})",
        classes=["ree-zip-progress"],
        style={"font-size": "12px", "color": "#555"},
    )


@solara.component
def DownloadRun(store, which: str = "model", branch: str | None = None):
    """`which`: the session's `model` or `baseline`; `branch` (`whatif`, `baseline`) names the file."""
    view = store.view.value if which == "model" else store.baseline.value
    progress = solara.use_reactive(None)

    def make_writer():
        def write() -> bytes:
            try:
                return store.session.download(which, lambda done, total, name: progress.set((done, total, name)))
            finally:
                progress.set(None)

        return write

    # one writer for good (it reads the session when clicked): a new function each render would reset the download
    write = solara.use_memo(make_writer, [which])
    if view is None or view.months_run == 0:
        return solara.Text("Download: run a month first.", style={"color": "#555"})
    solara.FileDownload(
        data=write,
        label=LABELS[branch],
        filename=zip_filename(view.scenario, view.seed, view.date, branch),
        mime_type="application/zip",
    )
    ZipProgress(progress)
