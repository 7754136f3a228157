"""`ree classroom ...`: create a room, serve a file's rooms, play a demo game with bots, export a room.
Called by `sim.cli`; bad input raises ScenarioError or GameError, which the CLI prints as one line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .moves import GameError
from .store import default_db

if TYPE_CHECKING:
    from .server import Mount

EXAMPLES = """examples:
  ree classroom new classroom_2025 --db class.sqlite            # prints the room code, teacher token, links
                                                                # (the teacher link keeps its key after '#')
  ree classroom new oct2025_controls --seats CN,US,JP,EU --months-per-round 3 --round-seconds 300
  ree classroom serve --db class.sqlite --port 8765             # http://127.0.0.1:8765/
  ree classroom serve --db class.sqlite --host 0.0.0.0          # reachable from the school network
  ree classroom demo --db /tmp/demo.sqlite --rounds 3           # bots play every seat; final scores as JSON
  ree classroom export --db class.sqlite --room ABCDE --out class_export/"""


def add_parser(sub) -> None:
    room = sub.add_parser(
        "classroom",
        help="classroom play: rooms, seats, rounds (see `ree classroom --help`)",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmds = room.add_subparsers(dest="classroom_command", required=True)
    db_help = f"the rooms' SQLite file (default: $REE_CLASSROOM_DB or {default_db()})"

    new = cmds.add_parser("new", help="create a room and print its code, teacher token and links (JSON)")
    new.add_argument("scenario", help="library name or .toml path (classroom_2025 is written for classes)")
    new.add_argument("--db", type=Path, default=None, help=db_help)
    new.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    new.add_argument("--seats", help="comma-separated seats among CN,US,JP,EU,AU (default: the scenario's)")
    new.add_argument("--months-per-round", type=int, help="months a round covers (default: the scenario's, else 3)")
    new.add_argument("--round-seconds", type=int, help="time for a round before the AI moves for late seats")
    new.add_argument(
        "--url",
        default="http://127.0.0.1:8765",
        help="address students will reach the server at, for the links (default: %(default)s)",
    )

    serve = cmds.add_parser("serve", help="serve every room of the file (web pages + JSON API); one server per file")
    serve.add_argument("--db", type=Path, default=None, help=db_help)
    serve.add_argument("--port", type=int, default=8765, help="port (default: %(default)s; 0 picks a free one)")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s; 0.0.0.0 for the school network)",
    )

    demo = cmds.add_parser("demo", help="play a whole game with bots in every seat and print the final scores")
    demo.add_argument("--db", type=Path, default=None, help=db_help)
    demo.add_argument("--rounds", type=int, default=3, help="rounds to play (default: %(default)s)")
    demo.add_argument("--scenario", default="classroom_2025", help="scenario (default: %(default)s)")
    demo.add_argument("--seed", type=int, help="random seed (default: the scenario's)")

    export = cmds.add_parser("export", help="write a room's moves, messages, events and metrics (CSV + JSON)")
    export.add_argument("--db", type=Path, default=None, help=db_help)
    export.add_argument("--room", required=True, help="room code")
    export.add_argument("--out", type=Path, required=True, help="folder to write into")


def run(args, pages: Mount | None = None) -> int:
    """`pages`: the web pages `serve` shows beside the API; the command line hands it the classroom's."""
    db = args.db or default_db()
    if args.classroom_command == "serve":
        return _serve(args, db, pages)
    return {"new": _new, "demo": _demo, "export": _export}[args.classroom_command](args, db)


def _seats(text: str | None) -> list[str] | None:
    return None if text is None else [s.strip().upper() for s in text.split(",") if s.strip()]


def _new(args, db: Path) -> int:
    from .rooms import Rooms

    rooms = Rooms(db)
    room, teacher = rooms.create(
        args.scenario,
        seed=args.seed,
        seats=_seats(args.seats),
        months_per_round=args.months_per_round,
        round_seconds=args.round_seconds,
    )
    from .server import teacher_link

    url = args.url.rstrip("/")
    # the teacher link carries the token after '#': browsers never send that part, so no server or proxy logs it
    print(
        json.dumps(
            {
                "room": room.code,
                "teacher_token": teacher,
                "join_link": f"{url}/join/{room.code}",
                "teacher_link": teacher_link(url, room),
                "seats": room.seats,
                "scenario": room.scenario.name,
                "rounds": room.total_rounds,
                "months_per_round": room.months_per_round,
                "db": str(db),
            },
            indent=2,
        )
    )
    return 0


def _serve(args, db: Path, pages: Mount | None = None) -> int:
    if not 0 <= args.port <= 65535:
        raise GameError(f"--port: {args.port} is not a port (0-65535)")
    if not Path(db).is_file():
        raise GameError(f"--db: {db} does not exist (create a room first: ree classroom new SCENARIO --db {db})")
    from .server import serve

    serve(db, host=args.host, port=args.port, pages=pages)
    return 0


def _demo(args, db: Path) -> int:
    from .botplay import play_demo

    if args.rounds < 1:
        raise GameError(f"--rounds: play at least one round (got {args.rounds})")
    result = play_demo(db, args.scenario, args.rounds, seed=args.seed, progress=sys.stderr.isatty())
    print(json.dumps(result, indent=2))
    return 0


def _export(args, db: Path) -> int:
    from . import export
    from .rooms import Rooms

    if not Path(db).is_file():
        raise GameError(f"--db: {db} does not exist")
    room = Rooms(db).get(args.room)
    written = export.write(room, args.out)
    print(f"{len(written)} files in {args.out}/: {', '.join(written)}")
    return 0
