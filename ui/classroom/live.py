"""Keeping open pages up to date at a cost per room, not per page.

Each room has one `Feed`: a thread that sleeps until the room changes (the room calls its listener), then
asks each subscribed component for its piece of the room's shared views (`sim.game.shared`: computed once
per change, the same object while unchanged) and pushes only pieces that changed, by identity, into that
component's tab. So a message redraws the inboxes, not the charts, and nothing is redrawn between changes;
the countdown runs in the browser (`widgets.CountdownWidget`). A tab whose websocket is gone gets no
pushes (it is drawn afresh if it comes back) and Solara closes it after `mount.CULL_SECONDS`.
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


@dataclass
class Watch:
    """One `use_poll` hook: what it reads, what its page shows, and when it stops."""

    context: Any
    read: Callable[[], Any]
    set_value: Callable[[Any], None]
    last: Any
    interval: float
    until: Callable[[Any], bool] | None
    due: float = 0.0
    stopped: bool = False


class Poller:
    """One thread for every `use_poll` hook of the process (not one per hook): each hook is looked at on its
    own interval, and dropped when its page closes, its `until` holds or its component goes away."""

    _lock = threading.Lock()
    _watches: list[Watch] = []
    _wake = threading.Event()
    _thread: threading.Thread | None = None

    @classmethod
    def watch(cls, watch: Watch) -> Callable[[], None]:
        with cls._lock:
            cls._watches.append(watch)
            if cls._thread is None or not cls._thread.is_alive():
                cls._thread = threading.Thread(target=cls._loop, daemon=True, name="classroom-poll")
                cls._thread.start()
        cls._wake.set()

        def stop() -> None:
            watch.stopped = True

        return stop

    @classmethod
    def _loop(cls) -> None:
        while True:
            with cls._lock:
                cls._watches[:] = [w for w in cls._watches if not (w.stopped or w.context.closed_event.is_set())]
                watches = list(cls._watches)
            now = time.monotonic()
            for watch in watches:
                if watch.due <= now:
                    watch.due = now + watch.interval
                    cls._look(watch)
            soonest = min((w.due for w in watches), default=now + 1.0)
            cls._wake.wait(max(soonest - time.monotonic(), 0.005))
            cls._wake.clear()

    @staticmethod
    def _look(watch: Watch) -> None:
        try:
            now = watch.read()
        except Exception:  # the room or the tab is gone
            watch.stopped = True
            return
        if now != watch.last:
            watch.last = now
            try:
                with watch.context:
                    watch.set_value(now)
            except Exception:  # the tab has closed
                watch.stopped = True
                return
        if watch.until is not None and watch.until(now):
            watch.stopped = True


def use_poll(read, interval: float = 0.7, until: Callable[[Any], bool] | None = None):
    """Re-render the calling component whenever `read()` returns something new, polling until `until(value)`
    holds (the debrief's progress bar, while its AI worlds run); returns the last value. All hooks share one
    thread (`Poller`)."""
    value, set_value = solara.use_state(read())

    def start():
        if until is not None and until(value):
            return None
        # compare with what the page shows, not with a fresh read: a change landing between the render and
        # the first look (a debrief finishing in a second) would otherwise never be drawn
        watch = Watch(
            kernel_context.get_current_context(),
            read,
            set_value,
            value,
            interval,
            until,
            due=time.monotonic() + interval,
        )
        return Poller.watch(watch)

    solara.use_effect(start, [])
    return value


@solara.component
def Countdown(room):
    """The round's clock, counted down in the browser from what was left when the deadline last changed."""
    clock = use_piece(room, room.views.clock)
    status, deadline, remaining = clock["status"], clock["deadline"], clock["remaining"]
    left = solara.use_memo(
        lambda: 1000 * (max(deadline - room.clock(), 0.0) if status == "running" and deadline else (remaining or 0.0)),
        [status, deadline, remaining],
    )
    CountdownWidget.element(
        left_ms=left, stamp=f"{status}:{deadline}:{remaining}", running=status == "running", paused=status == "paused"
    )
