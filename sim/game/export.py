"""A room's export: every move, message, applied event and metric, as CSV tables and one JSON file.

Tables (oTree's habit of a wide and a long table):
- `moves.csv`: one row per move a player submitted (withdrawn ones flagged);
- `applied.csv`: what each round's resolution applied, in order: injects, players' moves, AI moves
  (with the reason the AI moved), answers to proposals;
- `messages.csv`: private messages, communiqués and the teacher's broadcasts;
- `seat_rounds.csv` (long): one row per seat and round, with the seat's metrics and score then;
- `seats.csv` (wide): one row per seat, columns `r{round}.{metric}`, the final score and its players;
- the world's own tables (`prices.csv`, `supply.csv`, ..., `events.csv` with the agents' rationales).
No token is exported.
"""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd

from ..runs.outputs import FLOAT_FORMAT, tables
from .scores import objectives, score


def frames(room) -> dict[str, pd.DataFrame]:
    s = room.state
    moves = pd.DataFrame(
        [
            {
                "id": m.id,
                "round": m.round,
                "seat": m.seat,
                "by": m.by,
                "lever": m.move.get("lever"),
                "fields": json.dumps({k: v for k, v in m.move.items() if k != "lever"}, sort_keys=True),
                "rationale": m.rationale,
                "withdrawn": m.withdrawn,
            }
            for m in s.moves
        ],
        columns=["id", "round", "seat", "by", "lever", "fields", "rationale", "withdrawn"],
    )
    applied = pd.DataFrame(
        [
            {
                "round": r.round,
                "order": i,
                "seat": a["seat"],
                "source": a["source"],
                "kind": a["event"]["kind"],
                "event": json.dumps(a["event"], sort_keys=True),
                "rationale": a["rationale"],
            }
            for r in s.resolutions
            for i, a in enumerate(r.applied)
        ],
        columns=["round", "order", "seat", "source", "kind", "event", "rationale"],
    )
    messages = pd.DataFrame(
        [{"id": m.id, "round": m.round, "from": m.sender, "to": m.to, "by": m.by, "text": m.text} for m in s.messages],
        columns=["id", "round", "from", "to", "by", "text"],
    )
    long_rows = []
    for round_, by_seat in sorted(room.round_metrics.items()):
        for seat, values in by_seat.items():
            long_rows.append(
                {
                    "round": round_,
                    "seat": seat,
                    **values,
                    "score": score(objectives(room.scenario, seat), values)[0],
                    "moves": len(s.round_moves(round_, seat)),
                    "ai_moved": any(
                        a["seat"] == seat and a["source"] == "ai" for a in s.resolutions[round_ - 1].applied
                    ),
                }
            )
    long = pd.DataFrame(long_rows)
    wide_rows = []
    for seat in room.seats:
        row = {"seat": seat, "players": "; ".join(s.names(seat))}
        part = long[long["seat"] == seat] if len(long) else long
        for _, r in part.iterrows():
            for column in part.columns:
                if column not in ("round", "seat"):
                    row[f"r{int(r['round'])}.{column}"] = r[column]
        row["final_score"] = part["score"].iloc[-1] if len(part) else None
        wide_rows.append(row)
    out = {
        "moves.csv": moves,
        "applied.csv": applied,
        "messages.csv": messages,
        "seat_rounds.csv": long,
        "seats.csv": pd.DataFrame(wide_rows),
    }
    out.update(tables(room.model))
    return out


def to_json(room) -> str:
    data = {
        "room": room.code,
        "scenario": room.scenario.name,
        "seed": room.seed,
        "seats": room.seats,
        "months_per_round": room.months_per_round,
        "status": room.state.status,
        "round": room.state.round,
        "tables": {
            name.removesuffix(".csv"): json.loads(frame.to_json(orient="records"))
            for name, frame in frames(room).items()
        },
    }
    return json.dumps(data, indent=1, sort_keys=True)


def zip_bytes(room) -> bytes:
    buffer = io.BytesIO()
    with room.lock, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in frames(room).items():
            archive.writestr(name, frame.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n"))
        archive.writestr("room.json", to_json(room))
    return buffer.getvalue()


def write(room, folder) -> list[str]:
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with room.lock:
        written = []
        for name, frame in frames(room).items():
            (folder / name).write_text(frame.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n"))
            written.append(name)
        (folder / "room.json").write_text(to_json(room))
    return written + ["room.json"]
