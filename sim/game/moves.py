"""What a seat may do in a round: the state levers of the lever API, checked before they are stored.

A move is `{"lever": KIND, ...fields}`, the fields of that scenario event kind without `date` and
`actor` (the seat is the actor); which levers a seat has, and their fields, come from the lever catalogue
(`sim.lever_catalogue`: `CLASSROOM`, `CLASSROOM_LEAVES_OUT`). `to_event` turns a move into the event the
lever API applies at the round's first month and checks it with the scenario schema itself, so a move that
would fail at resolution is refused when it is submitted, with one line naming the field and the reason.
"""

from __future__ import annotations

import math
from typing import Any

from ..lever_catalogue import CLASSROOM, LEVER_BY_KIND
from ..scenario import ScenarioError, validate_event


class GameError(Exception):
    """Input the game refuses (a stale round, a bad move, a wrong token): one line for the player.
    `retry_after` (seconds) goes with a 429, when a rate limit refused it."""

    def __init__(self, message: str, status: int = 400, retry_after: float | None = None):
        self.status, self.retry_after = status, retry_after
        super().__init__(" ".join(message.split()))


MAX_TEXT = 500  # characters of any text a player or the teacher types (a message, a name, a reason)
MAX_FIELDS = 24  # keys in a move, a counter-offer's terms or an inject
MAX_LIST = 12  # items in a list field (products, destinations)


def check_text(text: str, field: str, limit: int = MAX_TEXT) -> str:
    r"""`text` if it is at most `limit` characters of valid UTF-8 (JSON lets through lone surrogates such as
    "\ud800", which no file, CSV or page can hold); else GameError naming the field."""
    if len(text) > limit:
        raise GameError(f"{field}: at most {limit} characters (got {len(text):,})")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise GameError(f"{field}: not valid text (it holds a lone surrogate such as \\ud800)") from None
    return text


def check_plain(value: Any, field: str, depth: int = 0) -> None:
    """A move's, terms' or inject's fields: text, finite numbers, booleans, short lists of them; nothing
    nested deeper, no text too long or invalid, no infinity or NaN (Python's json reads `Infinity`)."""
    if isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, float) and not math.isfinite(value):
        raise GameError(f"{field}: give a finite number (got {value})")
    elif isinstance(value, list):
        if depth > 1 or len(value) > MAX_LIST:
            raise GameError(f"{field}: a short list of names or numbers is expected")
        for i, item in enumerate(value):
            check_plain(item, f"{field}.{i}", depth + 1)
    elif isinstance(value, dict):
        if depth or len(value) > MAX_FIELDS:
            raise GameError(f"{field}: too many fields, or fields nested too deep")
        for key, item in value.items():
            check_text(str(key), field, 60)
            check_plain(item, f"{field}.{key}", depth + 1)
    elif value is not None and not isinstance(value, (bool, int, float)):
        raise GameError(f"{field}: expected text, a number or true/false")


def _example(kind: str) -> dict[str, Any]:
    """A lever's starting values in the move form (a release's product and amount: `views.briefing`)."""
    return {f.name: f.default for f in LEVER_BY_KIND[kind].classroom_fields if f.default is not None}


# lever -> (label for people, the fields a player sets, an example move), from the lever catalogue
LEVERS: dict[str, tuple[str, tuple[str, ...], dict[str, Any]]] = {
    kind: (LEVER_BY_KIND[kind].title, tuple(f.name for f in LEVER_BY_KIND[kind].classroom_fields), _example(kind))
    for kind in CLASSROOM
}
STOCKPILE_LEVERS = ("stockpile_release", "stockpile_target")
# what an agreement promises (a counter-offer changes these): a proposal's fields after whom, what and how long
TERMS = tuple(name for name in LEVERS["proposal"][1] if name not in ("target", "name", "duration_months"))


def to_event(seat: str, move: dict[str, Any], month: str) -> dict[str, Any]:
    """The scenario event a move stands for, validated; raises GameError naming the field."""
    if not isinstance(move, dict):
        raise GameError("move: expected an object with a 'lever' and its fields")
    check_plain(move, "move")
    move = dict(move)
    lever = move.pop("lever", None)
    if lever not in LEVERS:
        raise GameError(f"move.lever: unknown lever {lever!r} (levers: {', '.join(LEVERS)})")
    actor = move.pop("actor", seat)
    if actor != seat:
        raise GameError(f"move.actor: you play {seat}; a move for {actor} must come from {actor}'s seat", 403)
    allowed = LEVERS[lever][1]
    unknown = sorted(set(move) - set(allowed) - {"description"})
    if unknown:
        raise GameError(f"move.{unknown[0]}: not a field of {lever} (fields: {', '.join(allowed)})")
    if lever in ("tariff", "proposal") and move.get("target") == seat:
        raise GameError(f"move.target: {seat} cannot aim a {lever} at itself")
    event = {"kind": lever, "actor": seat, "date": month, **move}
    try:
        validate_event(event, "move")
    except ScenarioError as err:
        raise GameError(f"move.{err.field.removeprefix('events.0.')}: {err.reason.split(' [the event')[0]}") from None
    return event


def describe(move: dict[str, Any]) -> str:
    """A move in a few words, for logs and inboxes."""
    lever = move.get("lever", "?")
    fields = ", ".join(f"{k}={_short(v)}" for k, v in move.items() if k not in ("lever", "description"))
    return f"{LEVERS.get(lever, (lever,))[0]}: {fields}" if fields else str(lever)


def _short(value: Any) -> str:
    if isinstance(value, list):
        return "+".join(map(str, value))
    if isinstance(value, float) and value >= 1e6:
        return f"{value:.3g}"
    return str(value)
