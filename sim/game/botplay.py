"""Bots at the seats: each joins a seat like a student, reads its view, submits the AI's moves, answers
proposals and says it is ready, through the same room API the web pages and the JSON API call.
`ree classroom demo` plays a whole game this way so a teacher can try a scenario before class."""

from __future__ import annotations

from pathlib import Path

from .bots import ai_answer, ai_moves
from .rooms import Rooms

OPENING_PROPOSAL = {
    "lever": "proposal",
    "name": "Magnet security pact",
    "duration_months": 24,
    "cofinance_usd_per_year": 1e9,
    "cofinance_share": 0.3,
    "stockpile_days": 30,
}


class SeatBot:
    """One bot playing one seat of a room in process."""

    def __init__(self, room, seat: str):
        self.room, self.seat = room, seat
        self.token = room.join(seat, f"bot {seat}")["token"]

    def play_round(self) -> None:
        room, round_ = self.room, self.room.state.round
        with room.lock:
            if room.state.round != round_ or room.state.status not in ("lobby", "running"):
                return
            partners = [s for s in room.seats if s != self.seat]
            for move, why in ai_moves(room.model, self.seat, partners):
                room.submit_move(self.token, round_, move, why)
            if round_ == 1 and self.seat == "JP" and "US" in room.seats:
                room.submit_move(
                    self.token,
                    round_,
                    {**OPENING_PROPOSAL, "target": "US"},
                    "allies share the cost of supply outside China",
                )
            for proposal in room.state.pending_for(self.seat):
                answer, terms = ai_answer(room.model, self.seat, proposal)
                room.answer(self.token, round_, proposal["id"], answer, terms)
            room.message(self.token, round_, "*", f"{self.seat} has made its moves for round {round_}.")
            room.set_ready(self.token, round_)


def play_demo(db: str | Path, scenario: str, rounds: int, seed: int | None = None, progress: bool = False) -> dict:
    rooms = Rooms(db)
    room, teacher = rooms.create(scenario, seed=seed)
    bots = [SeatBot(room, seat) for seat in room.seats]
    room.start(teacher)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=min(rounds, room.total_rounds), desc=f"room {room.code}", unit="round", leave=False)
    while room.state.status != "ended" and len(room.state.resolutions) < rounds:
        before = len(room.state.resolutions)
        for bot in bots:
            bot.play_round()
        if len(room.state.resolutions) == before:  # cannot happen with every seat ready; never loop forever
            room.advance(teacher)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    if room.state.status != "ended":
        room.end(teacher)
    from .scores import seat_score

    details = [seat_score(room.model, room.scenario, seat) for seat in room.seats]
    rooms.close()
    return {
        "room": room.code,
        "scenario": room.scenario.name,
        "rounds": len(room.state.resolutions),
        "months": room.model.months_run,
        "scores": {d["seat"]: d["score"] for d in details},
        "objectives": {d["seat"]: d["objectives"] for d in details},
    }
