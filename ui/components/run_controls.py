"""The run's controls: scenario (with its description), seed, start/reset, play/pause, step, speed, run to
a month (past the run's end too: the run is carried on), and the calendar month shown large enough for a
classroom screen."""

from __future__ import annotations

import functools
import threading
import time

import solara

from sim.scenario import list_library


@functools.lru_cache(maxsize=1)
def library() -> dict[str, str]:
    """Scenario names and descriptions (read once per server: files, not models)."""
    return dict(list_library())


@solara.component
def ScenarioPicker(store):
    solara.Select(label="scenario", values=list(library()), value=store.scenario.value, on_value=store.pick_scenario)
    solara.Text(
        library().get(store.scenario.value, ""),
        classes=["ree-description"],
        style={"font-size": "13px", "line-height": "1.35", "display": "block", "margin": "4px 0 8px"},
    )
    with solara.Row():
        solara.InputText(label="seed (a whole number)", value=store.seed_text, continuous_update=True)
        solara.Button("Start / reset", on_click=lambda: store.attempt(store.start), color="primary")


@solara.component
def MonthBanner(view):
    if view is None:
        return solara.Text("No run yet")
    text = (
        f"{view.date} · month {view.months_run} of {view.months}"
        if view.months_run
        else f"starts {view.start} · no month run yet"
    )
    done = " · the run is over" if view.finished else f" · ends {view.end}"
    solara.Text(text + done, classes=["ree-month"], style={"font-size": "22px", "font-weight": "bold"})
    past = f" · carried on past the scenario's end ({view.planned_end})" if view.planned_end else ""
    solara.Text(f"{view.scenario}, seed {view.seed}{past}", classes=["ree-run-name"], style={"color": "#555"})


@solara.component
def Player(store):
    """Steps the run in a background thread while `playing` is on, at `speed` months a second."""

    def loop(cancel: threading.Event):
        while store.playing.value and not cancel.is_set():
            began = time.perf_counter()
            view = store.session.step(1)
            store.refresh(view)
            if view.finished:
                store.playing.set(False)
                return
            cancel.wait(max(0.0, 1.0 / store.speed.value - (time.perf_counter() - began)))

    solara.use_thread(loop, dependencies=[store.playing.value], intrusive_cancel=False)


@solara.component
def PlayControls(store):
    view = store.view.value
    over = view is None or view.finished
    run_to = solara.use_reactive("")
    Player(store)
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Button(
            "Pause" if store.playing.value else "Play",
            disabled=over and not store.playing.value,
            on_click=lambda: store.playing.set(not store.playing.value),
        )
        for months in (1, 12):
            solara.Button(
                f"Step {months}",
                disabled=over or store.playing.value,
                on_click=lambda m=months: store.attempt(lambda: store.refresh(store.session.step(m))),
            )
    solara.SliderFloat(label="speed (months a second)", value=store.speed, min=0.5, max=10, step=0.5)
    with solara.Row():
        solara.InputText(label="run to month (YYYY-MM)", value=run_to, continuous_update=True)
        solara.Button(
            "Run to",
            disabled=view is None or store.playing.value,
            on_click=lambda: store.attempt(lambda: store.refresh(store.session.run_to(run_to.value))),
        )
    if view is not None and view.finished:
        solara.Text(
            "The scenario ends here. Run to a later month to carry it on: no new scheduled event, while the "
            "measures in force and demand's growth go on.",
            classes=["ree-run-note"],
            style={"font-size": "13px", "color": "#444"},
        )
    if store.run_error.value:
        solara.Error(store.run_error.value, dense=True, classes=["ree-run-error"])
