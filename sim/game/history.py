"""A room's state as a fold of its stored events: who sits where, the current round, the moves, messages
and proposals, and the resolved rounds. The same `apply` serves a live room and its replay after a
restart, so both always agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .store import StoredEvent


@dataclass
class Move:
    id: int
    round: int
    seat: str
    move: dict[str, Any]
    event: dict[str, Any]
    rationale: str
    by: str
    withdrawn: bool = False
    summary: str = ""  # what it will do, in the lever API's words when it was submitted


@dataclass
class Message:
    id: int
    round: int
    sender: str  # a seat, or "teacher"
    to: str  # a seat, or "*" for everyone
    text: str
    by: str


@dataclass
class Answer:
    id: int
    round: int
    seat: str
    proposal_id: int
    answer: str  # accept | counter | reject
    terms: dict[str, Any]
    by: str


@dataclass
class Resolution:
    round: int
    applied: list[dict[str, Any]]  # {"event", "rationale", "seat", "source"} in the order applied
    late: list[str]
    ai_seats: list[str]
    pending: list[dict[str, Any]]  # proposals waiting for a human seat's answer next round
    reason: str
    at: float
    refused: list[dict[str, Any]] = field(default_factory=list)  # {"seat", "source", "event", "reason"}


@dataclass
class GameState:
    round: int = 1
    status: str = "lobby"  # lobby | running | paused | ended
    deadline: float | None = None
    remaining: float | None = None  # seconds left when paused
    members: dict[str, tuple[str, str]] = field(default_factory=dict)  # token -> (seat, name)
    member_ids: dict[int, str] = field(default_factory=dict)  # a player's id (its join's seq) -> token
    removed: set[str] = field(default_factory=set)  # tokens of players the teacher removed
    joining_open: bool = True
    moves: list[Move] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    injects: list[Move] = field(default_factory=list)
    ready: set[str] = field(default_factory=set)
    resolutions: list[Resolution] = field(default_factory=list)
    ended_reason: str = ""
    paused_reason: str = ""  # why the room paused itself (a round that could not be resolved); "" for the teacher
    rollbacks: int = 0

    # ------------------------------------------------------------------ reading
    def seats_with_players(self) -> set[str]:
        return {seat for seat, _ in self.members.values()}

    def names(self, seat: str) -> list[str]:
        return sorted({name for s, name in self.members.values() if s == seat})

    def round_moves(self, round_: int, seat: str | None = None) -> list[Move]:
        return [m for m in self.moves if m.round == round_ and not m.withdrawn and (seat is None or m.seat == seat)]

    def pending_for(self, seat: str, round_: int | None = None) -> list[dict[str, Any]]:
        """Proposals this seat may answer in the round (made in the round before, to it)."""
        round_ = self.round if round_ is None else round_
        if round_ < 2 or len(self.resolutions) < round_ - 1:
            return []
        return [p for p in self.resolutions[round_ - 2].pending if p["target"] == seat]

    def answer_to(self, proposal_id: int) -> Answer | None:
        found = [a for a in self.answers if a.proposal_id == proposal_id]
        return found[-1] if found else None

    def visible_messages(self, seat: str | None) -> list[Message]:
        """`seat=None` is the teacher, who reads everything (as SIMCON did in ICONS)."""
        return [m for m in self.messages if seat is None or m.to in ("*", seat) or m.sender == seat]

    # ------------------------------------------------------------------ folding
    def apply(self, ev: StoredEvent) -> None:
        getattr(self, f"_on_{ev.kind}")(ev)

    def _on_join(self, ev: StoredEvent) -> None:
        self.members[ev.payload["token"]] = (ev.seat, ev.payload["name"])
        self.member_ids[ev.seq] = ev.payload["token"]

    def _on_remove(self, ev: StoredEvent) -> None:
        token = self.member_ids.get(ev.payload["player"], "")
        seat, _ = self.members.pop(token, ("", ""))
        self.removed.add(token)
        if seat not in self.seats_with_players():
            self.ready.discard(seat)

    def _on_joining(self, ev: StoredEvent) -> None:
        self.joining_open = bool(ev.payload["open"])

    def players(self) -> list[dict[str, Any]]:
        """Every player in the room, with the id the teacher removes them by (never their token)."""
        return [
            {"id": i, "seat": self.members[t][0], "name": self.members[t][1]}
            for i, t in self.member_ids.items()
            if t in self.members
        ]

    def _on_move(self, ev: StoredEvent) -> None:
        p = ev.payload
        self.moves.append(
            Move(
                ev.seq, ev.round, ev.seat, p["move"], p["event"], p["rationale"], p["by"], summary=p.get("summary", "")
            )
        )

    def _on_withdraw(self, ev: StoredEvent) -> None:
        for move in self.moves:
            if move.id == ev.payload["move_id"]:
                move.withdrawn = True

    def _on_answer(self, ev: StoredEvent) -> None:
        p = ev.payload
        self.answers.append(
            Answer(ev.seq, ev.round, ev.seat, p["proposal_id"], p["answer"], p.get("terms", {}), p["by"])
        )

    def _on_message(self, ev: StoredEvent) -> None:
        p = ev.payload
        self.messages.append(Message(ev.seq, ev.round, ev.seat or "teacher", p["to"], p["text"], p["by"]))

    def _on_ready(self, ev: StoredEvent) -> None:
        (self.ready.add if ev.payload["ready"] else self.ready.discard)(ev.seat)

    def _on_start(self, ev: StoredEvent) -> None:
        self.status, self.deadline = "running", ev.payload["deadline"]

    def _on_pause(self, ev: StoredEvent) -> None:
        self.status, self.remaining, self.deadline = "paused", ev.payload["remaining"], None
        self.paused_reason = ev.payload.get("reason", "")

    def _on_resume(self, ev: StoredEvent) -> None:
        self.status, self.deadline, self.remaining = "running", ev.payload["deadline"], None

    def _on_inject(self, ev: StoredEvent) -> None:
        p = ev.payload
        self.injects.append(Move(ev.seq, ev.round, "", {}, p["event"], p["rationale"], "teacher"))

    def _on_resolve(self, ev: StoredEvent) -> None:
        p = ev.payload
        self.resolutions.append(
            Resolution(
                ev.round, p["applied"], p["late"], p["ai_seats"], p["pending"], p["reason"], ev.at, p.get("refused", [])
            )
        )
        self.round = ev.round + 1
        self.ready = set()
        self.deadline = p["deadline"] if self.status == "running" else None

    def _on_rollback(self, ev: StoredEvent) -> None:
        """Back to round `ev.round`: its resolution is undone; what was said and moved in it stays open."""
        to = ev.round
        self.resolutions = self.resolutions[: to - 1]
        self.moves = [m for m in self.moves if m.round <= to]
        self.answers = [a for a in self.answers if a.round <= to]
        self.injects = [i for i in self.injects if i.round <= to]
        self.round, self.ready = to, set()
        self.rollbacks += 1
        if self.status == "ended":
            self.status = "paused"
            self.remaining = ev.payload["remaining"]
        if self.status == "running":
            self.deadline = ev.payload["deadline"]
        elif self.status == "paused":
            self.remaining = ev.payload["remaining"]

    def _on_end(self, ev: StoredEvent) -> None:
        self.status, self.deadline, self.ended_reason = "ended", None, ev.payload["reason"]
