"""The classroom's game logic: rooms, seats, rounds, moves and their replay.

It has no screen: the UI's classroom pages and `ree classroom` call it. A room is a scenario, a seed and
the ordered list of what happened in it; its world is rebuilt by replaying that list through the model's
lever API. It may import the world (`sim`, `agents`) and `sim.runs`; the world never imports it.

- `store`: the SQLite file, append-only; `history`: the game state as a fold of its events;
- `room`: a room's actions (players' and the teacher's), checked and stored; `resolve`: what a round
  applies; `rooms`: every room of a file, and the clock that ends rounds at their deadline;
- `moves`: the lever catalogue and the one-line refusals; `bots`: the AI at a seat; `botplay`: bots that
  join and play through the room's API (`ree classroom demo`, load tests);
- `scores`: role objectives and metrics; `views`: what each visitor may see; `shared`: those views
  computed once per change and shared by every page; `wording`: what the pages say, in plain words;
  `export`: CSV and JSON; `debrief`: AI-only worlds and the comparison, kept once computed; `injects`:
  events a teacher can fire;
- `server`: the JSON API and the Solara pages in one process; `api`: the API's endpoints and their
  checks; `bodies`: one strict model per request body; `guard`: security headers and the websocket's
  origin; `ratelimit`: token buckets; `dblock`: one server per database file; `commands`: `ree classroom ...`.
"""
