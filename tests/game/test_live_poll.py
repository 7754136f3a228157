"""The classroom pages' polling hook draws every change, including one that lands between a page's first
render and the start of its polling thread (a debrief's AI worlds can finish in about a second)."""

from __future__ import annotations

import itertools
import time

import pytest
import solara
from solara.server import kernel, kernel_context

from ui.classroom.live import use_poll


@pytest.fixture
def tab():
    """A browser tab's kernel context, as the Solara server gives each page."""
    context = kernel_context.VirtualKernelContext(id="poll-test", kernel=kernel.Kernel(), session_id="poll")
    with context:
        yield context
    context.close()


def shown_after(read, seconds: float = 5.0) -> list:
    """The values a component using `use_poll(read)` rendered until `read` settled or time ran out."""
    shown = []

    @solara.component
    def Page():
        value = use_poll(read, 0.02)
        shown.append(value)
        solara.Text(str(value))

    _, rc = solara.render(Page(), handle_error=False)
    deadline = time.monotonic() + seconds
    while shown[-1] != "after" and time.monotonic() < deadline:
        time.sleep(0.02)
    rc.close()
    return shown


def test_a_change_before_the_polling_thread_starts_is_drawn(tab):
    calls = itertools.count()
    shown = shown_after(lambda: "before" if next(calls) == 0 else "after")
    assert shown[0] == "before" and shown[-1] == "after"


def test_a_change_after_some_polls_is_drawn(tab):
    calls = itertools.count()
    shown = shown_after(lambda: "before" if next(calls) < 10 else "after")
    assert shown[0] == "before" and shown[-1] == "after"


def test_an_unchanged_value_draws_once(tab):
    shown = []

    @solara.component
    def Page():
        shown.append(use_poll(lambda: "same", 0.02))

    _, rc = solara.render(Page(), handle_error=False)
    time.sleep(0.3)
    rc.close()
    assert shown == ["same"]


def test_many_hooks_share_one_polling_thread(tab):
    import threading

    seen = {name: [] for name in "abcdef"}

    @solara.component
    def Page():
        for values in seen.values():
            values.append(use_poll(lambda: "same", 0.02))

    _, rc = solara.render(Page(), handle_error=False)
    time.sleep(0.2)
    pollers = [t for t in threading.enumerate() if t.name == "classroom-poll"]
    rc.close()
    assert len(pollers) == 1  # six hooks, one thread (it was one thread per hook)
    assert all(values == ["same"] for values in seen.values())
