"""A classroom room: a scenario, a seed and the ordered events of its SQLite store, with the world they
replay to. Every action checks who asks (seat token or teacher token) and whether it is for the current
round, appends one event, folds it into the game state and, for a round's resolution, moves the world on.

Rounds: round r is open while the world stands at month (r-1) x N; its moves are applied through the
lever API at that month when the round resolves, then the world runs N months. A round resolves when
every seat with players is ready, at its deadline, or when the teacher advances it; seats nobody took,
and seats not ready at the deadline that made no move, are played by their AI (`sim.game.bots`), and the
log says so. A proposal to a seat with players waits for that seat's answer in the next round; a proposal
to an AI seat, or one left unanswered, is answered by that state's strategy.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..dates import format_month
from ..lever_feedback import assess
from ..levers import measures
from ..scenario import Scenario, ScenarioError, load_scenario, validate_event
from . import moves as moves_mod
from . import scores
from .history import GameState, Resolution
from .moves import GameError, check_plain, check_text, to_event
from .ratelimit import Buckets
from .shared import SharedViews
from .store import RoomRow, Store, StoredEvent

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: read aloud and typed on phones without mix-ups
CODE_LENGTH = 5
MAX_PLAYERS = 300  # a whole year group; a flood of joins stops here (the server also limits joins per address)


@dataclass(frozen=True)
class SubmittedMove:
    id: int
    summary: str  # what the move will do, without its seat ("bans exports of magnet to US ...")
    warnings: tuple[str, ...] = ()


def new_token() -> str:
    """128 random bits from the OS (`secrets`), URL-safe."""
    return secrets.token_urlsafe(16)


class Room:
    def __init__(self, store: Store, row: RoomRow, clock: Callable[[], float] = time.time):
        self.store, self.code, self.seed, self.clock = store, row.code, row.seed, clock
        self._teacher_token = row.teacher_token
        self.scenario = Scenario.model_validate(row.scenario)
        self.settings = self.scenario.classroom
        self.seats = list(self.settings.seats)
        self.months_per_round = self.settings.months_per_round
        self.lock = threading.RLock()
        self.version = 0
        self.read_only = ""  # why the room could not be replayed; it then refuses every change
        self._listeners: list[Callable[[], None]] = []
        self.views = SharedViews(self)
        self.message_limit = Buckets(capacity=12, per_second=0.5, clock=time.monotonic)  # per player
        self.state = GameState()
        try:
            for event in store.events(self.code):
                self.state.apply(event)
            self._rebuild_world()
        except Exception as err:  # a room that cannot be replayed opens read-only, saying why (never a 500 loop)
            logging.getLogger(__name__).exception("room %s could not be replayed", self.code)
            self.read_only = f"it could not be replayed ({type(err).__name__}: {' '.join(str(err).split())[:300]})"
            if not hasattr(self, "model"):
                self._rebuild_world_empty()

    # ------------------------------------------------------------------------------------ creating
    @classmethod
    def create(
        cls,
        store: Store,
        scenario: str | Path,
        seed: int | None = None,
        seats: list[str] | None = None,
        months_per_round: int | None = None,
        round_seconds: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> tuple[Room, str]:
        """A new room; returns it and its teacher token. Bad settings raise ScenarioError (one line)."""
        overrides = {
            "classroom.seats": seats,
            "classroom.months_per_round": months_per_round,
            "classroom.round_seconds": round_seconds,
            "seed": seed,
        }
        loaded = load_scenario(scenario, overrides={k: v for k, v in overrides.items() if v is not None})
        if len(set(loaded.classroom.seats)) != len(loaded.classroom.seats):
            raise ScenarioError("classroom", "seats", "a seat is listed twice")
        taken = set(store.room_codes())
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
        while code in taken:
            code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
        teacher = new_token()
        store.add_room(code, loaded.model_dump(mode="json", exclude_none=True), loaded.seed, teacher, clock())
        row = store.room(code)
        assert row is not None  # added just above
        return cls(store, row, clock), teacher

    # ------------------------------------------------------------------------------------ the world
    @property
    def total_rounds(self) -> int:
        return -(-self.scenario.months // self.months_per_round)

    @property
    def month_label(self) -> str:
        return format_month(self.model.start_month + self.model.months_run)

    def _rebuild_world(self) -> None:
        self._rebuild_world_empty()
        for resolution in self.state.resolutions:
            self._run_round(resolution)

    def _rebuild_world_empty(self) -> None:
        from ..model import RareEarthModel

        self.model = RareEarthModel(scenario=self.scenario, seed=self.seed)
        self.round_metrics: dict[int, dict[str, dict[str, float]]] = {}

    def _run_round(self, resolution: Resolution) -> None:
        for item in resolution.applied:
            change = {k: v for k, v in item["event"].items() if k != "date"}
            self.model.apply_lever(change, item["rationale"])
        for _ in range(self.months_per_round):
            if not self.model.finished:
                self.model.step()
        self.round_metrics[resolution.round] = {s: scores.metrics(self.model, s) for s in self.seats}

    # ------------------------------------------------------------------------------------ who asks
    def member(self, token: str) -> tuple[str, str]:
        given = str(token).encode("utf-8", "replace")
        for known, member in self.state.members.items():
            if hmac.compare_digest(known.encode(), given):
                return member
        if any(hmac.compare_digest(known.encode(), given) for known in self.state.removed):
            raise GameError("the teacher removed you from this room: ask the teacher before joining again", 403)
        raise GameError("unknown seat token: join the room again with its code", 403)

    def check_teacher(self, token: str) -> None:
        if not hmac.compare_digest(self._teacher_token.encode(), str(token).encode("utf-8", "replace")):
            raise GameError("this needs the room's teacher token", 403)

    def console_key(self) -> str:
        """The teacher console's cookie: derived from the teacher token (so it survives a restart) but not
        the token itself, which never has to travel again once the console is open."""
        return hmac.new(self._teacher_token.encode(), f"ree-console:{self.code}".encode(), "sha256").hexdigest()

    def teacher_token_for(self, console_key: str) -> str:
        """The teacher token if `console_key` is this room's console cookie, else ""."""
        ok = hmac.compare_digest(self.console_key().encode(), str(console_key).encode("utf-8", "replace"))
        return self._teacher_token if ok else ""

    def add_listener(self, listener: Callable[[], None]) -> None:
        """`listener()` runs after every change of the room, under its lock: it must only take note (the
        pages' feed sets an event and reads the room's views later, once per change)."""
        self._listeners.append(listener)

    def _check_writable(self) -> None:
        if self.read_only:
            raise GameError(
                f"this room is read-only: {self.read_only}; export it (Export on the console) and start a new room", 409
            )

    def _append(self, kind: str, seat: str, payload: dict[str, Any], round_: int | None = None) -> StoredEvent:
        self._check_writable()
        event = self.store.append(
            self.code, kind, self.state.round if round_ is None else round_, seat, payload, self.clock()
        )
        self.state.apply(event)
        self.version += 1
        for listener in self._listeners:
            listener()
        return event

    def _check_open(self, round_: Any, what: str, allow_paused: bool = False) -> None:
        if self.state.status == "ended":
            raise GameError(f"the game is over: no more {what}s", 409)
        if self.state.status == "paused" and not allow_paused:
            raise GameError(f"the game is paused: your {what} waits until the teacher resumes it", 409)
        if round_ != self.state.round:
            raise GameError(
                f"this {what} was for round {round_}, but the room is at round {self.state.round}: "
                f"reload to see the current round",
                409,
            )

    # ------------------------------------------------------------------------------------ players
    def join(self, seat: str, name: str) -> dict[str, str]:
        seat, name = str(seat).strip().upper(), " ".join(str(name).split())
        with self.lock:
            if seat not in self.seats:
                raise GameError(
                    f"seat: {check_text(seat, 'seat', 40) or '(none)'} is not a seat in this room "
                    f"(seats: {', '.join(self.seats)})"
                )
            if not 1 <= len(name) <= 40:
                raise GameError("name: give a name of 1 to 40 characters")
            check_text(name, "name", 40)
            if self.state.status == "ended":
                raise GameError("the game is over: the room takes no new players", 409)
            if not self.state.joining_open:
                raise GameError("the teacher has closed joining: ask the teacher to open it", 409)
            if len(self.state.members) >= MAX_PLAYERS:
                raise GameError(f"the room is full ({MAX_PLAYERS} players)", 409)
            token = new_token()
            self._append("join", seat, {"token": token, "name": name})
            return {"token": token, "seat": seat, "name": name, "room": self.code}

    def submit_move(self, token: str, round_: int, move: dict[str, Any], rationale: str = "") -> SubmittedMove:
        """Store a seat's move for this round; returns its id and what it will do, with warnings when it
        will do little or nothing as the world stands (other moves of the round are not counted)."""
        with self.lock:
            seat, name = self.member(token)
            self._check_open(round_, "move")
            if seat in self.state.ready:
                raise GameError("you said you are ready: press 'not ready' before changing your moves", 409)
            told, event = self._assess(seat, move)
            why = _text(rationale, "rationale", allow_empty=True) or f"{seat}'s move"
            stored = self._append(
                "move", seat, {"move": move, "event": event, "rationale": why, "by": name, "summary": told.summary}
            )
            return SubmittedMove(stored.seq, told.summary, told.warnings)

    def preview_move(self, token: str, move: dict[str, Any]) -> SubmittedMove:
        """What a move would do as the world stands, without storing it (the move form's live preview);
        a move the room would refuse raises GameError with the same line."""
        with self.lock:
            seat, _ = self.member(token)
            told, _ = self._assess(seat, move)
            return SubmittedMove(0, told.summary, told.warnings)

    def _assess(self, seat: str, move: Any):
        event = to_event(seat, move, self.month_label)
        if event["kind"] in moves_mod.STOCKPILE_LEVERS and self.model.states[seat].stockpile_row is None:
            raise GameError(f"move.lever: {seat} holds no strategic stockpile in this scenario")
        return assess(self.model, validate_event(event, "move"), measures(self.model)), event

    def withdraw(self, token: str, round_: int, move_id: int) -> None:
        with self.lock:
            seat, name = self.member(token)
            self._check_open(round_, "change")
            if not any(m.id == move_id for m in self.state.round_moves(self.state.round, seat)):
                raise GameError(f"move #{move_id} is not one of {seat}'s moves this round")
            self._append("withdraw", seat, {"move_id": int(move_id), "by": name})

    def answer(self, token: str, round_: int, proposal_id: int, answer: str, terms: dict | None = None) -> None:
        with self.lock:
            seat, name = self.member(token)
            self._check_open(round_, "answer")
            waiting = {p["id"]: p for p in self.state.pending_for(seat)}
            if proposal_id not in waiting:
                raise GameError(f"no proposal #{proposal_id} waits for {seat}'s answer this round", 409)
            if answer not in ("accept", "counter", "reject"):
                raise GameError("answer: accept, counter or reject")
            terms = dict(terms or {})
            check_plain(terms, "terms")
            if answer == "counter":
                proposal = waiting[proposal_id]
                unknown = sorted(set(terms) - set(moves_mod.TERMS))
                if unknown or not terms:
                    raise GameError(
                        f"terms.{unknown[0] if unknown else ''}: a counter-offer changes the terms "
                        f"({', '.join(moves_mod.TERMS)})"
                    )
                to_event(
                    seat,
                    {
                        "lever": "proposal",
                        "target": proposal["proposer"],
                        "name": proposal["name"],
                        "duration_months": proposal["duration_months"],
                        **{**proposal["terms"], **terms},
                    },
                    self.month_label,
                )
                terms = {**proposal["terms"], **terms}
            self._append("answer", seat, {"proposal_id": proposal_id, "answer": answer, "terms": terms, "by": name})

    def message(self, token: str, round_: int, to: str, text: str) -> int:
        with self.lock:
            seat, name = self.member(token)
            self._check_open(round_, "message", allow_paused=True)
            to = check_text(str(to).strip().upper(), "to", 8) or "*"
            if to != "*" and (to not in self.seats or to == seat):
                raise GameError(
                    f"to: send to another seat ({', '.join(s for s in self.seats if s != seat)}) or to everyone (*)"
                )
            text = _text(text, "text")
            wait = self.message_limit.take(token)
            if wait:
                raise GameError(f"too many messages: wait {wait:.0f} s", 429, retry_after=wait)
            return self._append("message", seat, {"to": to, "text": text, "by": name}).seq

    def set_ready(self, token: str, round_: int, ready: bool = True) -> None:
        with self.lock:
            seat, name = self.member(token)
            self._check_open(round_, "ready signal")
            self._append("ready", seat, {"ready": bool(ready), "by": name})
            humans = self.state.seats_with_players()
            if self.state.status == "running" and humans and humans <= self.state.ready:
                self._resolve("every seat with players was ready")

    # ------------------------------------------------------------------------------------ the teacher
    def start(self, token: str) -> None:
        with self.lock:
            self.check_teacher(token)
            if self.state.status != "lobby":
                raise GameError(f"the game has started already (it is {self.state.status})", 409)
            self._append("start", "", {"deadline": self.clock() + self.settings.round_seconds})

    def pause(self, token: str) -> None:
        with self.lock:
            self.check_teacher(token)
            if self.state.status != "running":
                raise GameError(f"only a running game can be paused (it is {self.state.status})", 409)
            deadline = self.state.deadline
            assert deadline is not None  # every event that makes a round run sets its deadline (history.py)
            self._append("pause", "", {"remaining": max(deadline - self.clock(), 0.0)})

    def resume(self, token: str) -> None:
        with self.lock:
            self.check_teacher(token)
            if self.state.status != "paused":
                raise GameError(f"only a paused game can be resumed (it is {self.state.status})", 409)
            self._append("resume", "", {"deadline": self.clock() + max(self.state.remaining or 0.0, 15.0)})

    def advance(self, token: str) -> None:
        with self.lock:
            self.check_teacher(token)
            if self.state.status == "ended":
                raise GameError("the game is over", 409)
            if self.state.status == "lobby":
                self._append("start", "", {"deadline": self.clock() + self.settings.round_seconds})
            self._resolve("the teacher closed the round")

    def rollback(self, token: str) -> None:
        with self.lock:
            self.check_teacher(token)
            if not self.state.resolutions:
                raise GameError("nothing to roll back: no round has been resolved yet", 409)
            seconds = self.settings.round_seconds
            self._append(
                "rollback",
                "",
                {"deadline": self.clock() + seconds, "remaining": float(seconds)},
                round_=self.state.round - 1,
            )
            self._rebuild_world()

    def inject(self, token: str, event: dict[str, Any], rationale: str = "") -> int:
        """An event of the scenario format (from `inject_catalogue()` or custom), applied with this round's moves."""
        with self.lock:
            self.check_teacher(token)
            self._check_open(self.state.round, "inject", allow_paused=True)
            if not isinstance(event, dict):
                raise GameError("inject: expected an event (an object with a 'kind' and its fields)")
            check_plain(event, "inject")
            raw = {"actor": "world", **{k: v for k, v in dict(event).items() if k != "date"}, "date": self.month_label}
            try:
                validate_event(raw, "inject")
            except ScenarioError as err:
                raise GameError(f"inject.{err.field.removeprefix('events.0.')}: {err.reason}") from None
            why = _text(rationale, "rationale", allow_empty=True) or raw.get("description") or "inject by the teacher"
            return self._append("inject", "", {"event": raw, "rationale": f"teacher's inject: {why}"}).seq

    def inject_catalogue(self) -> list[dict[str, Any]]:
        from .injects import catalogue

        return catalogue(self.scenario)

    def broadcast(self, token: str, text: str) -> int:
        with self.lock:
            self.check_teacher(token)
            return self._append("message", "", {"to": "*", "text": _text(text, "text"), "by": "teacher"}).seq

    def remove_player(self, token: str, player: int) -> None:
        """Take a player out of the room (their seat token stops working); their moves stay."""
        with self.lock:
            self.check_teacher(token)
            if self.state.member_ids.get(player) not in self.state.members:
                raise GameError(f"player: no player #{player} in this room", 404)
            self._append("remove", self.state.members[self.state.member_ids[player]][0], {"player": player})

    def set_joining(self, token: str, open_: bool) -> None:
        with self.lock:
            self.check_teacher(token)
            self._append("joining", "", {"open": bool(open_)})

    def end(self, token: str) -> None:
        with self.lock:
            self.check_teacher(token)
            if self.state.status == "ended":
                raise GameError("the game is over already", 409)
            self._append("end", "", {"reason": "the teacher ended the game"})

    def tick(self) -> bool:
        """Resolve the round if its deadline has passed; True if it did. A round that cannot be resolved
        pauses the room with the reason, rather than failing again every tick."""
        with self.lock:
            deadline = self.state.deadline
            if self.read_only or self.state.status != "running" or deadline is None or self.clock() < deadline:
                return False
            try:
                self._resolve("the round's time ran out")
            except GameError as err:
                self._append("pause", "", {"remaining": 60.0, "reason": str(err)})
                return False
            return True

    @property
    def seconds_left(self) -> float | None:
        if self.state.status == "paused":
            return self.state.remaining
        if self.state.status != "running" or self.state.deadline is None:
            return None
        return max(self.state.deadline - self.clock(), 0.0)

    # ------------------------------------------------------------------------------------ resolving
    def _resolve(self, reason: str) -> None:
        """Plan the round, run it on a copy of the world, and only then store it: a move that fails is
        refused (and said so), never committed, so a restart cannot replay into a broken room."""
        from .resolve import plan_round, trial_round

        self._check_writable()
        if self.model.finished:
            raise GameError("the scenario's last month has been played", 409)
        applied, late, ai_seats, pending = plan_round(self)
        world, kept, refused = trial_round(self.model, applied, self.months_per_round)
        deadline = self.clock() + self.settings.round_seconds
        self._append(
            "resolve",
            "",
            {
                "applied": kept,
                "late": late,
                "ai_seats": ai_seats,
                "pending": pending,
                "reason": reason,
                "deadline": deadline,
                "refused": refused,
            },
        )
        self.model = world
        resolution = self.state.resolutions[-1]
        self.round_metrics[resolution.round] = {s: scores.metrics(self.model, s) for s in self.seats}
        if self.model.finished:
            self._append("end", "", {"reason": "the scenario's last month has been played"})


def _text(value: Any, field: str, allow_empty: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if not text and not allow_empty:
        raise GameError(f"{field}: write something")
    return check_text(text, field)
