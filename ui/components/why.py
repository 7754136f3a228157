"""The "Why?" panel: which events, and which of the levers you pulled, explain an outcome of the run so
far (`sim.runs.why_branch`, Shapley values from counterfactual runs of the same scenario and seed). On the
compare page it also explains the difference between the what-if and its baseline by the levers pulled
after the fork.

The counterfactual runs take from a fraction of a second to a minute, so they run in a background thread
(`solara.use_thread`, as the play loop does); the page stays live and shows their progress. A change of the
branch, outcome or window cancels the runs under way. Answers are kept per tab by (branch, outcome, window)
in the session (`ui.session.Answers`), so a branch that has not changed is never explained twice."""

from __future__ import annotations

import time

import solara
from solara.util import CancelledError

from sim import ScenarioError
from sim.runs.why_branch import common_outcomes, explain

from .figures import Chart
from .tables import Table
from .why_chart import COLUMNS, contributions, number, table_rows

MODES = {"difference": "the difference: your levers since the fork", "model": "the what-if", "baseline": "the baseline"}
SMALL = {"font-size": "13px", "color": "#444"}


def answer_for(store, q, request, progress: solara.Reactive, cancel):
    """The thread's work: the cached answer, or a new one (a line of text for bad input)."""
    if request is None:
        return None
    kept = store.session.answers.get(request)
    if kept is not None:
        return kept
    last = [0.0]

    def tick(done: int, total: int) -> None:
        if cancel.is_set():
            raise CancelledError()  # the branch or the question changed: stop the runs
        if done == total or time.perf_counter() - last[0] > 0.1:
            last[0] = time.perf_counter()
            progress.set((done, total))

    progress.set((0, 0))
    try:
        answer = explain(q, *request[1:], progress=tick)
    except ScenarioError as err:
        return f"{err.field}: {err.reason}"
    store.session.answers.put(request, answer)
    return answer


@solara.component
def WhyProgress(progress: solara.Reactive):
    done, total = progress.value
    solara.ProgressLinear(value=100 * done / total if total else True)
    solara.Text(
        f"Running the world without each event: {done} of {total or '...'} counterfactual runs",
        classes=["ree-why-progress"],
        style=SMALL,
    )


@solara.component
def WhyAnswer(answer, outcome_words: str, fork_date: str = ""):
    result = answer.attribution
    unit = f" {result.unit}" if result.unit else ""
    gap = result.scenario_value - result.counterfactual_value
    if answer.difference:
        text = (
            f"{outcome_words}, {result.window[0]} to {result.window[1]}: {number(result.scenario_value)}{unit} "
            f"in the what-if, {number(result.counterfactual_value)}{unit} in the baseline. The levers you "
            f"pulled after the fork ({fork_date}) make the difference of {number(gap)}{unit}; each bar is "
            "one lever's share of it."
        )
    else:
        text = (
            f"{outcome_words}, {result.window[0]} to {result.window[1]}: {number(result.scenario_value)}{unit} "
            f"with every event and lever, {number(result.counterfactual_value)}{unit} with none of them. Each "
            f"bar is one event's share of the difference of {number(gap)}{unit}."
        )
    solara.Text(text, classes=["ree-why-summary"], style={"font-size": "14px"})
    solara.Text(
        f"Shapley value: the event's effect averaged over the orders in which the events could have "
        f"come (they add up to the difference); alone: with no other event; last: added to all the "
        f"others ({result.method}, {result.runs} runs of the same scenario and seed, {result.seconds:.1f} s).",
        style=SMALL,
    )
    moved = any(abs(c.value) > 1e-9 for c in answer.counted)  # bars of 0 only draw an empty frame
    spec = solara.use_memo(lambda: contributions(answer, outcome_words) if moved else None, [answer, outcome_words])
    if spec is not None:
        Chart(spec)
    else:
        solara.Text(
            "Every contribution is 0: no event or lever moved it on balance (alone and last below).",
            classes=["ree-why-none"],
            style={"font-weight": "bold"},
        )
    Table(COLUMNS, table_rows(answer), classes="ree-diff ree-why-table", style={"font-size": "13px"})


@solara.component
def WhyInputs(store, words: dict[str, str]):
    by_words = {v: k for k, v in words.items()}
    solara.Select(
        label="outcome to explain",
        values=list(by_words),
        value=words.get(store.why_outcome.value, ""),
        on_value=lambda w: store.why_outcome.set(by_words[w]),
    )
    with solara.Row():
        solara.InputText(label="from (YYYY-MM; empty = the start)", value=store.why_from, continuous_update=False)
        solara.InputText(label="to (YYYY-MM; empty = the last month run)", value=store.why_to, continuous_update=False)


@solara.component
def WhyPanel(store, modes=("model",)):
    """`modes`: what may be explained (`model`, `baseline`, `difference`), the first by default."""
    view, playing = store.view.value, store.playing.value
    mode = solara.use_reactive(modes[0])
    progress = solara.use_reactive((0, 0))
    words = solara.use_memo(common_outcomes, [])
    if len(modes) > 1:
        solara.ToggleButtonsSingle(
            value=MODES[mode.value],
            values=[MODES[m] for m in modes],
            on_value=lambda w: mode.set(next(m for m in modes if MODES[m] == w)),
        )
    WhyInputs(store, words)
    solara.Text("Or click a country's line in the shortage chart to explain its shortage.", style=SMALL)
    ready = view is not None and view.months_run > 0 and not playing
    q = store.session.why_question(mode.value) if ready else None
    request = None if q is None else (q.key, store.why_outcome.value, store.why_from.value, store.why_to.value)
    result = solara.use_thread(
        lambda cancel: answer_for(store, q, request, progress, cancel), dependencies=[request], intrusive_cancel=False
    )
    # no `return` of an element below: it would drop the inputs drawn above
    if view is None or view.months_run == 0:
        solara.Text("Why?: run a month first.", style=SMALL)
    elif playing:
        solara.Text("Pause the run to explain it: each explanation reruns the world many times.", style=SMALL)
    elif q is None:
        solara.Text("No baseline yet: fork here, or build one from the start.", style=SMALL)
    elif result.state == solara.ResultState.FINISHED and isinstance(result.value, str):
        field, _, reason = result.value.partition(": ")
        if field == "why":  # nothing to explain yet: no error of the user's
            solara.Info(reason, dense=True, classes=["ree-why-note"])
        else:
            solara.Error(result.value, dense=True, classes=["ree-why-error"])
    elif result.state == solara.ResultState.FINISHED and result.value is not None:
        WhyAnswer(result.value, words.get(store.why_outcome.value, store.why_outcome.value), store.fork_date.value)
    elif result.state == solara.ResultState.ERROR:
        solara.Error(f"could not explain this: {result.error}", dense=True, classes=["ree-why-error"])
    else:
        WhyProgress(progress)
