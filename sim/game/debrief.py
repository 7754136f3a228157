"""The debrief: scores per seat, and "your world vs AI-only worlds": the class's outcome placed in the
distribution of N runs of the same scenario over the same months in which the AI plays every seat (the
same bots that fill empty seats, round by round), with seeds spawned from the room's seed."""
from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from ..dates import format_month
from .bots import ai_moves
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
        out.append({"seed": int(seed), "seats": {s: {"score": score(objectives(room.scenario, s), metrics(model, s))[0],
                                                     **metrics(model, s)} for s in room.seats}})
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
        rows.append({"seat": seat, "class_score": mine, "ai_scores": theirs,
                     "ai_median": float(np.median(theirs)) if theirs else None,
                     "beat_share": beaten / len(theirs) if theirs else None})
    return rows


def debrief(room, runs: int = DEFAULT_RUNS, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    worlds = ai_worlds(room, runs, progress)
    from .views import _series, world_log
    return {"room": room.code, "scenario": room.scenario.name, "rounds_played": len(room.state.resolutions),
            "months_played": room.model.months_run,
            "scores": [seat_score(room.model, room.scenario, s) for s in room.seats],
            "comparison": compare(room, worlds), "ai_runs": len(worlds),
            "charts": _series(room.model), "log": world_log(room.model, None, 400),
            "seconds": round(time.perf_counter() - started, 2)}
