"""Keeping open pages up to date at a cost per room, not per page.

Each room has one `Feed`: a thread that sleeps until the room changes (the room calls its listener), then
asks each subscribed component for its piece of the room's shared views (`sim.game.shared`: computed once
per change, the same object while unchanged) and pushes only pieces that changed, by identity, into that
component's tab. So a message redraws the inboxes, not the charts, and nothing is redrawn between changes;
the countdown runs in the browser (`widgets.CountdownWidget`). A tab whose websocket is gone gets no
pushes (it is drawn afresh if it comes back) and Solara closes it after `sim.game.server.CULL_SECONDS`.
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import solara
from solara.server import kernel_context

from .widgets import CountdownWidget

COALESCE_SECONDS = 0.05  # a resolution appends two or three events: draw them once
RECHECK_SECONDS = 5.0  # also look every few seconds, for tabs that missed a push while disconnected
log = logging.getLogger(__name__)


@dataclass
class Subscriber:
    context: Any
    read: Callable[[], Any]
    set_value: Callable[[Any], None]
    last: Any


def _connected(context) -> bool:
    return any(status == kernel_context.PageStatus.CONNECTED for status in context.page_status.values())


class Feed:
    _feeds: dict[int, Feed] = {}
    _lock = threading.Lock()

    @classmethod
    def of(cls, room) -> Feed:
        with cls._lock:
            feed = cls._feeds.get(id(room))
            if feed is None or feed.room is not room:
                feed = cls._feeds[id(room)] = Feed(room)
            return feed

    def __init__(self, room):
        self.room = room
        self.changed = threading.Event()
        self._subscribers: dict[int, Subscriber] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()
        room.add_listener(self.changed.set)
        threading.Thread(target=self._loop, daemon=True, name=f"classroom-feed-{room.code}").start()

    def subscribe(self, context, read, set_value, last) -> int:
        with self._lock:
            key = next(self._ids)
            self._subscribers[key] = Subscriber(context, read, set_value, last)
        self.changed.set()  # a change may have landed between the first drawing and now
        return key

    def unsubscribe(self, key: int) -> None:
        with self._lock:
            self._subscribers.pop(key, None)

    def __len__(self) -> int:
        return len(self._subscribers)

    def _loop(self) -> None:
        while True:
            self.changed.wait(RECHECK_SECONDS)
            time.sleep(COALESCE_SECONDS)
            self.changed.clear()
            with self._lock:
                subscribers = list(self._subscribers.items())
            for key, sub in subscribers:
                try:
                    self._push(key, sub)
                except Exception:  # one tab's failure must not stop the others' updates
                    log.exception("classroom feed")
                    self.unsubscribe(key)

    def _push(self, key: int, sub: Subscriber) -> None:
        if sub.context.closed_event.is_set():
            self.unsubscribe(key)
            return
        if not _connected(sub.context):
            return
        value = sub.read()
        if value is sub.last:
            return
        sub.last = value
        with sub.context:
            sub.set_value(value)


def use_piece(room, read: Callable[[], Any]):
    """The current value of `read()` (a piece of the room's shared views), redrawn when it changes."""
    value, set_value = solara.use_state(read())

    def subscribe():
        feed = Feed.of(room)
        key = feed.subscribe(kernel_context.get_current_context(), read, set_value, value)
        return lambda: feed.unsubscribe(key)
    solara.use_effect(subscribe, [])
    return value


def use_poll(read, interval: float = 0.7, until: Callable[[Any], bool] | None = None):
    """Re-render the calling component whenever `read()` returns something new, polling until `until(value)`
    holds (the debrief's progress bar, while its AI worlds run); returns the last value."""
    value, set_value = solara.use_state(read())

    def start():
        if until is not None and until(value):
            return None
        context = kernel_context.get_current_context()
        stop = threading.Event()

        def loop():
            # compare with what the page shows, not with a fresh read: a change landing between the render
            # and this thread's start (a debrief finishing in a second) would otherwise never be drawn
            last = value
            while not stop.wait(interval) and not context.closed_event.is_set():
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
                if until is not None and until(now):
                    return
        threading.Thread(target=loop, daemon=True, name="classroom-poll").start()
        return stop.set

    solara.use_effect(start, [])
    return value


@solara.component
def Countdown(room):
    """The round's clock, counted down in the browser from what was left when the deadline last changed."""
    clock = use_piece(room, room.views.clock)
    status, deadline, remaining = clock["status"], clock["deadline"], clock["remaining"]
    left = solara.use_memo(lambda: 1000 * (max(deadline - room.clock(), 0.0) if status == "running" and deadline
                                           else (remaining or 0.0)), [status, deadline, remaining])
    CountdownWidget.element(left_ms=left, stamp=f"{status}:{deadline}:{remaining}", running=status == "running",
                            paused=status == "paused")
