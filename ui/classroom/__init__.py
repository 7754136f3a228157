"""The classroom's pages: join, the player's view, the teacher's console and the debrief.

They render and collect input only: every rule is in `sim.game`, reached through the rooms of the running
server (`sim.game.server.current_rooms()`). Solara loads `ui.classroom.app` by name. The chart helpers in
`charts.py` are deliberately small so they can give way to the shared chart components later.
"""
