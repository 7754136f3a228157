"""Keeping a tab up to date: each tab polls its room's version counter (cheap: an int) from a thread that
enters the tab's kernel context to set its state, so a change made in one tab reaches the others within
about a second; the countdown ticks on its own so the rest of the page is not redrawn every second."""
from __future__ import annotations

import threading

import solara
from solara.server import kernel_context


def use_poll(read, interval: float = 0.7):
    """Re-render the calling component whenever `read()` returns something new; returns the last value."""
    value, set_value = solara.use_state(read())

    def start():
        context = kernel_context.get_current_context()
        stop = threading.Event()

        def loop():
            # compare with what the page shows, not with a fresh read: a change landing between the render
            # and this thread's start (a debrief finishing in a second) would otherwise never be drawn
            last = value
            while not stop.wait(interval):
                try:
                    now = read()
                except Exception:  # the room or the tab is gone
                    return
                if now != last:
                    last = now
                    try:
                        with context:
                            set_value(now)
                    except Exception:  # the tab has closed
                        return
        threading.Thread(target=loop, daemon=True, name="classroom-poll").start()
        return stop.set

    solara.use_effect(start, [])
    return value


@solara.component
def Countdown(room):
    seconds = use_poll(lambda: None if room.seconds_left is None else int(room.seconds_left), 0.5)
    status = room.state.status
    if status == "paused":
        solara.Warning(f"Paused by the teacher ({int(seconds or 0)} s left in the round)", dense=True)
    elif seconds is not None:
        minutes, rest = divmod(int(seconds), 60)
        style = "color:#CC3311;font-weight:bold" if seconds < 30 else "font-weight:bold"
        solara.HTML(tag="div", unsafe_innerHTML=f"<span style='{style}'>Time left in this round: {minutes}:{rest:02d}</span>")
