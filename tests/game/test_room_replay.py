"""A classroom room's world replays from the scenario file its export carries (`sim.levers.replay_toml`)."""

from __future__ import annotations

from sim import RareEarthModel, levers
from sim.game.botplay import SeatBot
from sim.runs.outputs import tables


def test_a_room_played_by_bots_replays_from_its_scenario_file(rooms, tmp_path):
    room, teacher = rooms.create("classroom_2025", seed=3)
    bots = [SeatBot(room, seat) for seat in room.seats]
    room.start(teacher)
    for _ in range(4):
        for bot in bots:
            bot.play_round()
    assert len(room.state.resolutions) == 4 and room.model.levers, "the bots moved"
    path = tmp_path / "room.toml"
    path.write_text(levers.replay_toml(room.model))
    replay = RareEarthModel(path)
    for _ in range(room.model.months_run):
        replay.step()
    expected = tables(room.model)
    for name, frame in tables(replay).items():
        assert frame.equals(expected[name]), name
