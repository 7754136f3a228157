"""The JSON API's request bodies: one pydantic model per endpoint, strict (a `ready` of "false" is not a
bool, an id is an int, not 1.0 or "3"), closed (an unknown field is an error), bounded (every number and
text has limits), and read by `parse` from at most `MAX_BODY` bytes of JSON with only finite numbers and
valid UTF-8 text. Anything else is a GameError: one line naming the field and the reason.

What a move or an inject means is checked by the room (`sim.game.moves.to_event`, the scenario schema);
here only its shape: a flat object of text, numbers, booleans and short lists.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from .moves import MAX_TEXT, GameError, check_plain, check_text

MAX_BODY = 32 * 1024  # bytes: a move is a few hundred; nothing a classroom sends comes near
MAX_ID = 2**53  # ids are SQLite row numbers; JSON numbers past this are not exact in browsers


def _checked(check, value, *args):
    """A GameError of the room's checks as the ValueError pydantic reports under the field's name."""
    try:
        check(value, *args)
    except GameError as err:
        raise ValueError(str(err).split(": ", 1)[-1]) from None
    return value


def _text(limit: int) -> AfterValidator:
    """The room's check of a text of at most `limit` characters (beside `Field(max_length=limit)`)."""
    return AfterValidator(lambda v: _checked(check_text, v, "text", limit))


def _fields(value: dict[str, Any]) -> dict[str, Any]:
    try:
        check_plain(value, "")
    except GameError as err:  # ".products.0: ..." : parse() puts the body's field in front
        raise ValueError(str(err)) from None
    return value


Round = Annotated[int, Field(ge=1, le=10_000)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Fields = Annotated[dict[str, Any], Field(max_length=24), AfterValidator(_fields)]
ShortText = Annotated[str, Field(max_length=8), _text(8)]  # a seat (or "*": every seat)
NameText = Annotated[str, Field(max_length=80), _text(80)]
Text = Annotated[str, Field(max_length=MAX_TEXT), _text(MAX_TEXT)]
TokenText = Annotated[str, Field(max_length=64), _text(64)]


class Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


class Empty(Body):
    """The teacher's start, pause, resume, advance, rollback, end and debrief: nothing to send."""


class Join(Body):
    seat: ShortText
    name: NameText


class MoveBody(Body):
    round: Round
    move: Fields
    rationale: Text = ""


class Withdraw(Body):
    round: Round
    move_id: Id


class AnswerBody(Body):
    round: Round
    proposal_id: Id
    answer: Literal["accept", "counter", "reject"]
    terms: Fields | None = None


class MessageBody(Body):
    round: Round
    to: ShortText = "*"
    text: Text


class Ready(Body):
    round: Round
    ready: bool = True


class Inject(Body):
    event: Fields
    rationale: Text = ""


class Broadcast(Body):
    text: Text


class RemovePlayer(Body):
    player: Id


class Joining(Body):
    open: bool


class TeacherLogin(Body):
    token: TokenText


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise GameError(f"the request body is not JSON this API takes: {text[:20]} is not a finite number")
    return value


def _no_constant(name: str):
    raise GameError(f"the request body is not JSON this API takes: {name} is not a number JSON allows")


def parse(raw: bytes, model: type[Body]) -> Body:
    """The body as `model`, or GameError with one line (status 400, 413 for a body over MAX_BODY)."""
    if len(raw) > MAX_BODY:
        raise GameError(f"the request body is too large ({len(raw):,} bytes; at most {MAX_BODY:,})", 413)
    try:
        data = json.loads(raw or b"{}", parse_float=_finite, parse_constant=_no_constant)
    except (ValueError, RecursionError) as err:
        raise GameError(f"the request body is not JSON ({str(err).splitlines()[0][:120]})") from None
    if not isinstance(data, dict):
        raise GameError("the request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        got = first.get("input")
        shown = f" (got {json.dumps(got)[:40]})" if isinstance(got, (str, int, float, bool)) else ""
        message = first["msg"].split("[")[0].strip().removeprefix("Value error, ")
        if "unicode" in message:  # pydantic's words for a lone surrogate
            message = "not valid text (it holds a lone surrogate such as \\ud800)"
        if first["type"] == "value_error":
            shown = ""
            if message.startswith((".", ": ")):  # a move's own field, under the body's field
                field, message = f"{field}{message.split(': ', 1)[0]}", message.split(": ", 1)[1]
        raise GameError(f"{field}: {message}{shown}") from None
