"""The classroom's pages: join, the player's view, the teacher's console and the debrief.

They render and collect input only: every rule is in `sim.game`, reached through the rooms of the server
they are mounted on (`mount.mount`, which `ree classroom serve` hands to `sim.game.server`; the pages read
what it was given through `mount.served()`). Charts, tables, badges and product names are the shared
components of `ui.components`, which the explore and compare pages use too.
"""
