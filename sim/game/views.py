"""What each person in a room may see, as plain data (JSON-ready) for the API and the pages: a player's
view holds no other player's token and no other seat's private messages; the teacher's holds every
seat's status. Chart data comes from the world's recorder arrays."""

from __future__ import annotations

from typing import Any

from ..constants import COUNTRIES, HEAVY, MAGNET, PRODUCTS
from ..licensing import LEVELS
from ..shortage import unmet_share
from .moves import LEVERS, STOCKPILE_LEVERS, describe
from .scores import objectives

LEVEL_NAMES = {v: k for k, v in LEVELS.items()}
ROLE = {
    "CN": "China mines most of the world's rare earths and refines about nine tenths of them. Its licences "
    "decide who gets heavy rare earths and magnets.",
    "US": "The United States uses magnets in cars, wind turbines and weapons but makes few of them. It holds a "
    "small defence stockpile and can fund new mines, refineries and magnet plants.",
    "JP": "Japan makes its own magnets but buys most of its rare-earth oxides from China; since 2010 it keeps "
    "a national stockpile and invests abroad.",
    "EU": "The European Union's car and wind industries need magnets; it refines and makes very few.",
    "AU": "Australia mines rare earths and runs the largest refinery outside China (Lynas).",
}


def _series(model) -> dict[str, Any]:
    rec, n = model.recorder, model.recorder.written
    demand, delivered = rec.demand[:n].sum(axis=2), rec.delivered[:n].sum(axis=2)
    short = unmet_share(demand, delivered)
    return {
        "dates": rec.dates[:n],
        "prices": {
            f"{PRODUCTS[p]}_{m}": [round(float(v), 3) for v in rec.price[:n, p, k]]
            for p in (HEAVY, MAGNET)
            for k, m in enumerate(("china", "world"))
        },
        "shortage": {c: [round(float(v), 4) for v in short[:, i]] for i, c in enumerate(COUNTRIES)},
    }


def seat_status(model, seat: str) -> dict[str, Any]:
    """Own stocks, licences (as exporter and importer), shortages and policies now."""
    c, office = COUNTRIES.index(seat), model.office
    rec, n = model.recorder, model.recorder.written
    stocks = {}
    if n:
        stocks = {
            PRODUCTS[p]: {
                "firms_t": round(float(rec.stock[n - 1, c, 0, p]), 1),
                "state_t": round(float(rec.stock[n - 1, c, 1, p]), 1),
            }
            for p in range(len(PRODUCTS))
        }
    controls = [
        {"product": PRODUCTS[p], "to": COUNTRIES[m], "level": LEVEL_NAMES[int(office.level[c, p, m])]}
        for p in range(len(PRODUCTS))
        for m in range(len(COUNTRIES))
        if office.level[c, p, m]
    ]
    facing = [
        {"product": PRODUCTS[p], "from": COUNTRIES[x], "level": LEVEL_NAMES[int(office.level[x, p, c])]}
        for x in range(len(COUNTRIES))
        for p in range(len(PRODUCTS))
        if office.level[x, p, c]
    ]
    licences = {}
    if n:
        applied, approved, denied, pending = (rec.licence[n - 1, i, :, :, c] for i in range(4))
        licences = {
            "applied_t": round(float(applied.sum()), 1),
            "approved_t": round(float(approved.sum()), 1),
            "denied_t": round(float(denied.sum()), 1),
            "pending_t": round(float(pending.sum()), 1),
        }
    unmet = model.domestic_unmet_share(c)
    state = model.states[seat]
    return {
        "stocks": stocks,
        "controls_set": controls,
        "controls_faced": facing,
        "licences_last_month": licences,
        "unmet_share_last_month": {PRODUCTS[p]: round(float(unmet[p]), 4) for p in range(len(PRODUCTS))},
        "mining_quota_t": state.quota_t,
        "stockpile_target_days": state.config.stockpile_target_days,
        "project_support": state.config.project_support,
        "has_stockpile": state.stockpile_row is not None,
    }


def briefing(room, seat: str) -> dict[str, Any]:
    text = room.scenario.classroom.briefings.get(seat) or ROLE.get(seat, "")
    holds = room.model.states[seat].stockpile_row is not None
    order = list(LEVERS) if not holds else [*STOCKPILE_LEVERS, *(k for k in LEVERS if k not in STOCKPILE_LEVERS)]
    levers = {
        k: {"label": LEVERS[k][0], "fields": list(LEVERS[k][1]), "example": LEVERS[k][2]}
        for k in order
        if k not in STOCKPILE_LEVERS or holds
    }
    stockpile: dict[str, float] = {}  # tonnes the state holds now, by product: what a release can offer
    if holds:  # suggest releasing what the country's firms are shortest of, else use most, of what is held
        c = COUNTRIES.index(seat)
        state, use, short = room.model.states[seat], room.model.domestic_use(c), room.model.domestic_unmet_share(c)
        stock = room.model.book.stock[state.stockpile_row]
        stockpile = {PRODUCTS[p]: round(float(stock[p]), 1) for p in range(len(PRODUCTS)) if stock[p] >= 0.5}
        held = [p for p in range(len(PRODUCTS)) if PRODUCTS[p] in stockpile]
        best = max(held, key=lambda p: (round(float(short[p]), 2), use[p]), default=None)
        if best is None:  # nothing to release: the form offers only what the seat holds
            levers.pop("stockpile_release")
        else:
            levers["stockpile_release"] = {
                **levers["stockpile_release"],
                "example": {"product": PRODUCTS[best], "tonnes": min(50.0, stockpile[PRODUCTS[best]])},
            }
    return {
        "seat": seat,
        "role": text,
        "scenario": room.scenario.description,
        "objectives": [o.model_dump() for o in objectives(room.scenario, seat)],
        "levers": levers,
        "stockpile": stockpile,
    }


def message_row(m) -> dict[str, Any]:
    return {"id": m.id, "round": m.round, "from": m.sender, "to": m.to, "text": m.text, "by": m.by}


def _common(room) -> dict[str, Any]:
    s = room.state
    return {
        "room": room.code,
        "round": s.round,
        "total_rounds": room.total_rounds,
        "status": s.status,
        "seconds_left": room.seconds_left,
        "month": room.month_label,
        "version": room.version,
        "months_per_round": room.months_per_round,
        "seats": room.seats,
        "scenario": room.scenario.name,
        "ended_reason": s.ended_reason,
        "paused_reason": s.paused_reason if s.status == "paused" else "",
        "read_only": room.read_only,
        "joining_open": s.joining_open,
    }


def world_log(model, seat: str | None = None, last: int = 40) -> list[dict[str, str]]:
    rows = [dict(zip(("date", "actor", "kind", "target", "detail", "rationale"), r)) for r in model.log.rows]
    rows = [r for r in rows if not r["kind"].startswith("licence_")]  # per-application lines drown the rest
    if seat is not None:
        rows = [r for r in rows if seat in (r["actor"], r["target"]) or seat in r["actor"].split("+")]
    return rows[-last:]


def player_view(room, token: str) -> dict[str, Any]:
    """A player's whole view (the API's /me), put together from the room's shared pieces."""
    with room.lock:
        seat, name = room.member(token)
        views = room.views
        seat_world, seat_round = views.seat_world(seat), views.seat_round(seat)
        return {
            **_common(room),
            "seat": seat,
            "name": name,
            "teammates": seat_round["teammates"],
            "briefing": seat_world["briefing"],
            "ready": seat_round["ready"],
            "moves": seat_round["moves"],
            "pending": seat_round["pending"],
            "notice": seat_round["notice"],
            "inbox": views.inbox(seat),
            "status_now": seat_world["status_now"],
            "charts": views.world()["charts"],
            "score": seat_world["score"],
            "score_lines": seat_world["score_lines"],
            "log": seat_world["log"],
        }


def seat_rows(room) -> list[dict[str, Any]]:
    s = room.state
    rows = []
    for seat in room.seats:
        moves = s.round_moves(s.round, seat)
        last = [m for m in s.moves if m.seat == seat and not m.withdrawn]
        rows.append(
            {
                "seat": seat,
                "players": s.names(seat),
                "ai": not s.names(seat),
                "ready": seat in s.ready,
                "moves_this_round": len(moves),
                "last_move": move_words(last[-1]) if last else "",
            }
        )
    return rows


def move_words(move) -> str:
    """A stored move as the lever API described it when submitted (older rooms: its fields)."""
    return f"{LEVERS[move.move['lever']][0]}: {move.summary}" if move.summary else describe(move.move)


def teacher_view(room) -> dict[str, Any]:
    with room.lock:
        views = room.views
        world, seats = views.world(), views.seats()
        return {
            **_common(room),
            "seat_status": seats["rows"],
            "players": seats["players"],
            "messages": views.inbox(None),
            "resolutions": views.resolutions(),
            "charts": world["charts"],
            "inject_catalogue": views.inject_catalogue(),
            "scores": world["scores"],
            "injects_this_round": views.injects(),
            "log": world["log"],
            "rollbacks": room.state.rollbacks,
        }
