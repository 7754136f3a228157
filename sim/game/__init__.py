"""The classroom's game logic: rooms, seats, rounds, moves and their replay (issue E).

It has no screen: the UI's classroom pages and `ree classroom` call it. A room is a scenario, a seed and
the ordered list of what happened in it; its world is rebuilt by replaying that list through the model's
lever API. It may import the world (`sim`, `agents`) and `sim.runs`; the world never imports it.
"""
