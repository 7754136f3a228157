"""Classroom timings: how long a round's resolution and the debrief take at the default scale, against
a baseline measured in the same run (the world alone, stepped the same months).

    python benchmarks/bench_classroom.py [--rooms 3] [--runs 20]

- resolution: `room.advance()` on classroom_2025 (3 seats, every seat's moves by the bots, 3 months a
  round): planning the round, storing it in SQLite, applying the levers, running the months, scoring.
  Baseline: the same model stepped 3 months with no game around it. Target: < 1 s.
- debrief: 20 AI-only worlds of the same 24 months, scored per seat. Baseline: 20 plain runs of the
  scenario over the same months (`sim.runs.runner.run_model`). Target: < 10 s.
"""
from __future__ import annotations

import argparse
import statistics
import time

from sim.game.botplay import SeatBot
from sim.game.debrief import debrief
from sim.game.rooms import Rooms
from sim.model import RareEarthModel
from sim.runs.runner import run_model


def resolution_times(rooms: int) -> tuple[list[float], list[float]]:
    game, plain = [], []
    for _ in range(rooms):
        registry = Rooms(":memory:")
        room, teacher = registry.create("classroom_2025")
        bots = [SeatBot(room, seat) for seat in room.seats]
        room.start(teacher)
        while room.state.status != "ended":
            for bot in bots[:-1]:
                bot.play_round()  # the last seat stays unready: advance() resolves, the AI moves for it
            started = time.perf_counter()
            room.advance(teacher)
            game.append(time.perf_counter() - started)
        model = RareEarthModel(scenario=room.scenario, seed=room.seed)
        while not model.finished:
            started = time.perf_counter()
            for _ in range(room.months_per_round):
                model.step()
            plain.append(time.perf_counter() - started)
        last = room
    return game, plain, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rooms", type=int, default=3)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    game, plain, room = resolution_times(args.rooms)
    print(f"round resolution ({len(game)} rounds): median {statistics.median(game) * 1000:.0f} ms, "
          f"max {max(game) * 1000:.0f} ms (target < 1000 ms); the world alone {statistics.median(plain) * 1000:.0f} ms "
          f"-> ratio {statistics.median(game) / statistics.median(plain):.2f}")
    started = time.perf_counter()
    result = debrief(room, runs=args.runs)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    for seed in range(args.runs):
        run_model(room.scenario.model_copy(update={"months": room.model.months_run}), seed=seed)
    baseline = time.perf_counter() - started
    print(f"debrief ({result['ai_runs']} AI-only worlds x {result['months_played']} months): {seconds:.2f} s "
          f"(target < 10 s); {args.runs} plain runs {baseline:.2f} s -> ratio {seconds / baseline:.2f}")


if __name__ == "__main__":
    main()
