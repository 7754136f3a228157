"""A room's views computed once per change and shared by every page and API call of the room.

A room with 30 pages open used to build each page's whole view (and its charts) once per page at every
change, a message included. Here each piece of a view is computed at most once per change of what it
depends on, by whoever asks first, and handed to everyone else as the same object:

- the world's pieces (charts, logs, scores, each seat's numbers) change only when the world moves (a
  round resolves, a rollback), keyed by the model itself and the months it has run;
- the game's pieces (the clock, a seat's round, an inbox, the teacher's tables) are recomputed after a
  change of the room and, when equal to what they were, the old object is kept.

So a page can tell whether a piece changed by identity (`is`), and redraw only the part that shows it:
a message redraws inboxes, not charts. Pieces are plain JSON-ready data and must not be mutated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class SharedViews:
    def __init__(self, room):
        self.room = room
        self._cache: dict[Any, tuple[Any, Any]] = {}

    def world_key(self) -> tuple:
        model, state = self.room.model, self.room.state
        return id(model), model.months_run, len(state.resolutions), state.rollbacks

    def _cached(self, name: Any, key: Any, compute: Callable[[], Any], keep_equal: bool = True) -> Any:
        with self.room.lock:
            hit = self._cache.get(name)
            if hit is not None and hit[0] == key:
                return hit[1]
            value = compute()
            if keep_equal and hit is not None and hit[1] == value:
                value = hit[1]
            self._cache[name] = (key, value)
            return value

    # ---------------------------------------------------------------------------------- the world
    def world(self) -> dict[str, Any]:
        from .scores import seat_score
        from .views import _series, world_log

        room = self.room
        return self._cached(
            "world",
            self.world_key(),
            lambda: {
                "charts": _series(room.model),
                "log": world_log(room.model, None, 40),
                "scores": [seat_score(room.model, room.scenario, seat) for seat in room.seats],
            },
            keep_equal=False,
        )

    def seat_world(self, seat: str) -> dict[str, Any]:
        from .scores import seat_score
        from .views import briefing, seat_status, world_log
        from .wording import objective_line

        room = self.room

        def compute():
            score = seat_score(room.model, room.scenario, seat)
            return {
                "status_now": seat_status(room.model, seat),
                "score": score,
                "score_lines": [objective_line(o) for o in score["objectives"]],
                "briefing": briefing(room, seat),
                "log": world_log(room.model, seat, 25),
            }

        return self._cached(("seat_world", seat), self.world_key(), compute, keep_equal=False)

    # ---------------------------------------------------------------------------------- the game
    def clock(self) -> dict[str, Any]:
        """Round, status and the round's deadline (server time): a page counts down from it by itself."""
        room = self.room
        s = room.state
        return self._cached(
            "clock",
            room.version,
            lambda: {
                "round": s.round,
                "total_rounds": room.total_rounds,
                "status": s.status,
                "deadline": s.deadline,
                "remaining": s.remaining,
                "month": room.month_label,
                "months_per_round": room.months_per_round,
                "paused_reason": s.paused_reason if s.status == "paused" else "",
                "ended_reason": s.ended_reason,
                "read_only": room.read_only,
                "joining_open": s.joining_open,
            },
        )

    def seat_round(self, seat: str) -> dict[str, Any]:
        """A seat's moves this round, its ready flag, proposals to answer and the last round's notice."""
        from .moves import describe
        from .views import move_words
        from .wording import proposal_words, round_notice

        room = self.room

        def compute():
            s = room.state
            own = [
                {
                    "id": m.id,
                    "move": m.move,
                    "text": describe(m.move),
                    "rationale": m.rationale,
                    "by": m.by,
                    "words": move_words(m),
                }
                for m in s.round_moves(s.round, seat)
            ]
            pending = [
                {
                    **p,
                    "words": proposal_words(p),
                    "answer": (a.answer if (a := s.answer_to(p["id"])) and a.round == s.round else None),
                }
                for p in s.pending_for(seat)
            ]
            notice = round_notice(s.resolutions[-1], seat) if s.resolutions else None
            return {
                "round": s.round,
                "status": s.status,
                "ready": seat in s.ready,
                "moves": own,
                "pending": pending,
                "notice": notice,
                "teammates": s.names(seat),
            }

        return self._cached(("seat_round", seat), room.version, compute)

    def inbox(self, seat: str | None) -> list[dict[str, Any]]:
        """The messages a seat may read (the last 50), or every message for the teacher (`None`, last 80)."""
        from .views import message_row

        room = self.room
        return self._cached(
            ("inbox", seat),
            room.version,
            lambda: [message_row(m) for m in room.state.visible_messages(seat)][-(80 if seat is None else 50) :],
        )

    def players(self) -> list[dict[str, Any]]:
        """Who is in the room: [{"id", "seat", "name"}] (a page checks its player is still one)."""
        room = self.room
        return self._cached("players", room.version, room.state.players)

    def seats(self) -> dict[str, Any]:
        """The teacher's table of seats and the players (with the ids they are removed by)."""
        from .views import seat_rows

        room = self.room
        return self._cached(
            "seats",
            room.version,
            lambda: {"rows": seat_rows(room), "players": room.state.players(), "joining_open": room.state.joining_open},
        )

    def resolutions(self) -> list[dict[str, Any]]:
        from .wording import applied_words

        room = self.room
        return self._cached(
            "resolutions",
            (self.world_key(), room.version),
            lambda: [
                {
                    "round": r.round,
                    "reason": r.reason,
                    "late": r.late,
                    "ai_seats": r.ai_seats,
                    "applied": [
                        f"{a['seat'] or 'teacher'} ({a['source']}): {applied_words(a)}: {a['rationale']}"
                        for a in r.applied
                    ],
                    "refused": [f"{a['seat']}: {a['event'].get('kind')}: {a['reason']}" for a in r.refused],
                }
                for r in room.state.resolutions
            ],
        )

    def injects(self) -> list[str]:
        room = self.room
        return self._cached(
            "injects", room.version, lambda: [i.rationale for i in room.state.injects if i.round == room.state.round]
        )

    def inject_catalogue(self) -> list[dict[str, Any]]:
        return self._cached("inject_catalogue", 0, self.room.inject_catalogue)
