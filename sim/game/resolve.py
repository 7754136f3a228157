"""What a round's resolution applies, in order: the teacher's injects, each seat's moves (or its AI's),
then the answers to last round's proposals. The list is stored with the resolution, so a replay applies
exactly the same events whatever the bots would choose today."""

from __future__ import annotations

from typing import Any

from . import bots
from .moves import to_event


def plan_round(room) -> tuple[list[dict[str, Any]], list[str], list[str], list[dict[str, Any]]]:
    state, month, r = room.state, room.month_label, room.state.round
    humans = state.seats_with_players()
    ai_seats = [s for s in room.seats if s not in humans]
    late = [s for s in room.seats if s in humans and s not in state.ready]
    applied: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []

    def add(event: dict[str, Any], rationale: str, seat: str, source: str) -> None:
        applied.append({"event": {**event, "date": month}, "rationale": rationale, "seat": seat, "source": source})

    for inject in state.injects:
        if inject.round == r:
            add(inject.event, inject.rationale, "", "inject")
    for seat in room.seats:
        own = state.round_moves(r, seat)
        acted = own or any(a.round == r and a.seat == seat for a in state.answers)
        if seat in ai_seats or (seat in late and not acted):
            label = (
                "AI seat"
                if seat in ai_seats
                else f"{seat} was not ready at the deadline and had made no move; its AI strategy moved for it"
            )
            partners = [s for s in room.seats if s != seat]
            chosen = bots.ai_moves(room.model, seat, partners)
            if not chosen:
                add(
                    {"kind": "note", "actor": seat, "description": f"{label}: no change of policy"},
                    f"{label}: nothing called for a change",
                    seat,
                    "ai",
                )
            for move, why in chosen:
                add(to_event(seat, move, month), f"{label}: {why}", seat, "ai")
        for move in own:
            target = move.event.get("target")
            if move.event["kind"] == "proposal" and target in humans:
                pending.append(_pending(move.id, seat, move.event))
                add(
                    {
                        "kind": "note",
                        "actor": seat,
                        "description": f"{seat} proposes '{move.event['name']}' to {target}, who answers next round",
                    },
                    move.rationale,
                    seat,
                    "player",
                )
                continue
            add(move.event, move.rationale, seat, "player")
    for proposal in state.resolutions[r - 2].pending if r >= 2 else []:
        _settle(proposal, state, humans, add, pending)
    return applied, late, ai_seats, pending


def _pending(proposal_id: int, proposer: str, event: dict[str, Any]) -> dict[str, Any]:
    from .moves import TERMS

    return {
        "id": proposal_id,
        "proposer": proposer,
        "target": event["target"],
        "name": event["name"],
        "duration_months": event.get("duration_months", 12),
        "terms": {k: event[k] for k in TERMS if k in event},
    }


def _settle(proposal: dict[str, Any], state, humans: set[str], add, pending: list[dict[str, Any]]) -> None:
    """Last round's proposal to a seat with players: its answer takes effect, or the seat's strategy answers."""
    proposer, target, name = proposal["proposer"], proposal["target"], proposal["name"]
    event = {
        "kind": "proposal",
        "actor": proposer,
        "target": target,
        "name": name,
        "duration_months": proposal["duration_months"],
        **proposal["terms"],
    }
    answer = state.answer_to(proposal["id"])
    if answer is None or answer.round != state.round:
        add(event, f"{target} did not answer {proposer}'s proposal '{name}'; its AI strategy answered", target, "ai")
    elif answer.answer == "accept":
        add(
            {**event, "agreed": True},
            f"{target} ({answer.by}) accepted {proposer}'s proposal '{name}'",
            target,
            "player",
        )
    elif answer.answer == "reject":
        add(
            {"kind": "note", "actor": target, "description": f"{target} rejected {proposer}'s proposal '{name}'"},
            f"{target} ({answer.by}) rejected the proposal",
            target,
            "player",
        )
    else:
        counter = {**event, "actor": target, "target": proposer, "name": f"{name} (counter)", **answer.terms}
        if proposer in humans:
            pending.append(_pending(answer.id, target, counter))
            add(
                {"kind": "note", "actor": target, "description": f"{target} counters {proposer}'s proposal '{name}'"},
                f"{target} ({answer.by}) made a counter-offer, answered next round",
                target,
                "player",
            )
        else:
            add(counter, f"{target} countered; {proposer}'s AI strategy answers", target, "player")


def trial_round(model, applied: list[dict[str, Any]], months: int):
    """The world after a round, computed on a copy (`copy.deepcopy` of a model is an exact branch), so
    nothing is stored and the room's world is untouched until it has worked. An item the lever API
    refuses is left out and returned with the reason; each kept item carries what it did (`summary`,
    `warnings`). Returns (world, kept, refused); a world that fails to step raises GameError."""
    import copy

    from ..scenario import ScenarioError
    from .moves import GameError

    def attempt(items):
        world, done, failed = copy.deepcopy(model), [], None
        for item in items:
            change = {k: v for k, v in item["event"].items() if k != "date"}
            try:
                result = world.apply_lever(change, item["rationale"])
            except (ScenarioError, ValueError, KeyError, TypeError, IndexError) as err:
                failed = (item, str(err))
                break
            done.append({**item, "summary": result.summary, "warnings": list(result.warnings)})
        return world, done, failed

    refused, items = [], list(applied)
    world, kept, failed = attempt(items)
    while failed is not None:  # a refused lever may have half-changed the copy: start again without it
        item, reason = failed
        refused.append(
            {"seat": item["seat"], "source": item["source"], "event": item["event"], "reason": " ".join(reason.split())}
        )
        items = [i for i in items if i is not item]
        world, kept, failed = attempt(items)
    try:
        for _ in range(months):
            if not world.finished:
                world.step()
    except Exception as err:  # a bug in the world: refuse the round rather than store a broken one
        raise GameError(
            f"the round could not be resolved ({type(err).__name__}: {err}); nothing was "
            f"stored: the teacher can roll back a round or end the game",
            409,
        ) from err
    return world, kept, refused
