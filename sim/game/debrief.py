"""The debrief: scores per seat, what each player's moves did to them (`sim.game.move_effects`), and "your
world vs AI-only worlds": the class's outcome placed in the distribution of N runs of the same scenario over
the same months in which the AI plays every seat (the same bots that fill empty seats, round by round), with
seeds spawned from the room's seed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..dates import format_month
from .bots import ai_moves
from .move_effects import move_effects
from .moves import to_event
from .scores import metrics, objectives, score, seat_score

DEFAULT_RUNS = 20


def ai_world(scenario, seed: int, months: int, months_per_round: int, seats: list[str]):
    """One world of `months` months with the AI in every seat; returns the finished model."""
    from threadpoolctl import threadpool_limits

    from ..model import RareEarthModel

    with threadpool_limits(limits=1, user_api="blas"):
        model = RareEarthModel(scenario=scenario.model_copy(update={"months": months}), seed=seed)
        while not model.finished:
            month = format_month(model.start_month + model.months_run)
            for seat in seats:
                for move, why in ai_moves(model, seat, [s for s in seats if s != seat]):
                    event = to_event(seat, move, month)
                    model.apply_lever({k: v for k, v in event.items() if k != "date"}, f"AI seat: {why}")
            for _ in range(months_per_round):
                if not model.finished:
                    model.step()
    return model


def ai_worlds(room, runs: int = DEFAULT_RUNS, progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """Scores and metrics per seat in `runs` AI-only worlds as long as the class's game so far."""
    months = max(room.model.months_run, 1)
    seeds = np.random.SeedSequence(room.seed).generate_state(runs)
    out = []
    for i, seed in enumerate(seeds):
        model = ai_world(room.scenario, int(seed), months, room.months_per_round, room.seats)
        out.append(
            {
                "seed": int(seed),
                "seats": {
                    s: {"score": score(objectives(room.scenario, s), metrics(model, s))[0], **metrics(model, s)}
                    for s in room.seats
                },
            }
        )
        if progress is not None:
            progress(i + 1, runs)
    return out


def compare(room, worlds: list[dict]) -> list[dict[str, Any]]:
    """Per seat: the class's score, the AI worlds' scores and the share of them the class beat."""
    rows = []
    for seat in room.seats:
        mine = seat_score(room.model, room.scenario, seat)["score"]
        theirs = sorted(w["seats"][seat]["score"] for w in worlds)
        beaten = sum(t < mine for t in theirs) + 0.5 * sum(t == mine for t in theirs)
        rows.append(
            {
                "seat": seat,
                "class_score": mine,
                "ai_scores": theirs,
                "ai_median": float(np.median(theirs)) if theirs else None,
                "beat_share": beaten / len(theirs) if theirs else None,
            }
        )
    return rows


def debrief(room, runs: int = DEFAULT_RUNS, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Everything the debrief page shows. `progress(done, total)` counts the runs of both parts: the worlds
    without some players' moves first (their number is known once the players are), then the AI worlds."""
    started = time.perf_counter()
    report = progress or (lambda done, total: None)
    first = [0]  # runs of the first part, known once it starts

    def part_one(done: int, total: int) -> None:
        first[0] = total
        report(done, total + runs)

    try:
        moves_did = move_effects(room, part_one)
    except Exception as err:  # shown in its section; the rest of the debrief stands
        moves_did = {"error": f"{type(err).__name__}: {err}"}
    worlds = ai_worlds(room, runs, lambda done, _: report(first[0] + done, first[0] + runs))
    from .views import _series, world_log

    return {
        "room": room.code,
        "scenario": room.scenario.name,
        "rounds_played": len(room.state.resolutions),
        "months_played": room.model.months_run,
        "scores": [seat_score(room.model, room.scenario, s) for s in room.seats],
        "moves_did": moves_did,
        "comparison": compare(room, worlds),
        "ai_runs": len(worlds),
        "charts": _series(room.model),
        "log": world_log(room.model, None, 400),
        "seconds": round(time.perf_counter() - started, 2),
    }


class DebriefJobs:
    """Debriefs computed once in a background thread and kept in the room's store, one per state of the
    game (rounds resolved, rollbacks, months): a message or a ready changes nothing, so the 20 AI worlds
    and the worlds without some players' moves are never run again for the same game. A debrief starts
    when the game is over (the first reader starts it) or when the teacher asks for one mid-game (`start`);
    until then it is `not_started`."""

    def __init__(self, runs: int = DEFAULT_RUNS):
        self.runs = runs
        self._jobs: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def game_key(room) -> str:
        return f"{len(room.state.resolutions)}.{room.state.rollbacks}.{room.model.months_run}"

    def status(self, room, start: bool = False) -> dict[str, Any]:
        """The debrief of the game as it stands: done (with the result), running (with progress), failed,
        or not_started; `start` (the teacher's action), or a game that is over, starts it."""
        with room.lock:
            key = self.game_key(room)
            ended = room.state.status == "ended"
        with self._lock:
            job = self._jobs.get((room.code, key))
            if job is None:
                stored = room.store.debrief(room.code, key)
                if stored is not None:
                    job = self._jobs[(room.code, key)] = {"state": "done", "result": stored}
                elif start or ended:
                    job = {"state": "running", "done": 0, "total": self.runs, "result": None}
                    self._jobs[(room.code, key)] = job
                    threading.Thread(target=self._run, args=(room, key, job), daemon=True, name="debrief").start()
                else:
                    return {"state": "not_started", "done": 0, "total": self.runs, "error": None}
            if job["state"] == "done":
                return {"state": "done", **job["result"]}
            return {
                "state": job["state"],
                "done": job.get("done", 0),
                "total": job.get("total", self.runs),
                "error": job.get("error"),
            }

    def _run(self, room, key: str, job: dict[str, Any]) -> None:
        def progress(done: int, total: int) -> None:
            job["done"], job["total"] = done, total

        try:
            with room.lock:  # a snapshot: the world must not move while the AI worlds are sized to it
                snapshot = _Snapshot(room)
            result = debrief(snapshot, self.runs, progress)
            room.store.save_debrief(room.code, key, result)
            job["result"], job["state"] = result, "done"
        except Exception as err:  # shown on the page; the game goes on
            job["state"], job["error"] = "failed", f"{type(err).__name__}: {err}"


class _Snapshot:
    """What the debrief reads from a room, copied under its lock."""

    def __init__(self, room):
        import copy

        self.code, self.seed, self.scenario, self.seats = room.code, room.seed, room.scenario, list(room.seats)
        self.months_per_round = room.months_per_round
        self.model = copy.deepcopy(room.model)
        self.state = copy.deepcopy(room.state)
