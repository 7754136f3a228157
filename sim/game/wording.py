"""What the classroom says to people, in plain words: proposals and their terms, each objective's score
line, and the notice a seat gets when a round resolves (what was applied for it, and what the AI did for
a late seat). Plain data in, strings out, so the pages and the API say the same thing."""

from __future__ import annotations

from typing import Any

from ..agreements import Terms
from .injects import describe_event
from .moves import TERMS

# metric -> how its value reads ("3% of magnet demand unmet"), in the metric's own direction
VALUE_WORDS = {
    "shortage_share": lambda v: f"{v:.0%} of magnet demand unmet",
    "magnet_price_ratio": lambda v: f"magnet price x{v:.2f} its start",
    "export_value_busd": lambda v: f"${v:,.1f}B of exports",
    "refining_share": lambda v: f"{v:.0%} of world refining",
    "magnet_capacity_growth": lambda v: f"magnet capacity x{v:.2f} its start",
    "refining_capacity_growth": lambda v: f"refining capacity x{v:.2f} its start",
    "relations": lambda v: f"others' view of you {v:+.2f} (-1 to +1)",
    "stockpile_days": lambda v: f"{v:.0f} days of stockpile",
}


def value_words(metric: str, value: float) -> str:
    return VALUE_WORDS.get(metric, lambda v: f"{metric} {v:.3g}")(float(value))


def marks(points: float) -> str:
    if points >= 0.995:
        return "full marks"
    if points <= 0.005:
        return "no marks"
    return f"{points:.0%} of the marks"


def objective_line(row: dict[str, Any]) -> str:
    """'Keep manufacturers supplied with magnets: 3% of magnet demand unmet (full marks at 0%, none at 30%):
    90% of the marks' — the value in the metric's own words, so a full score never reads as 100% unmet."""
    metric = row["metric"]
    text = row.get("description") or metric
    return (
        f"{text[:1].upper()}{text[1:]}: {value_words(metric, row['value'])} "
        f"(full marks at {bound_words(metric, row['best'])}, none at {bound_words(metric, row['worst'])}): "
        f"{marks(row['points'])}" + (f", counts x{row['weight']:g}" if row.get("weight", 1) != 1 else "")
    )


def bound_words(metric: str, value: float) -> str:
    """A target in the metric's unit, without the words around it."""
    if metric in ("shortage_share", "refining_share"):
        return f"{value:.0%}"
    if metric == "export_value_busd":
        return f"${value:,.1f}B"
    if metric == "stockpile_days":
        return f"{value:.0f} days"
    if metric == "relations":
        return f"{value:+.1f}"
    return f"x{value:g}"


def terms_words(terms: dict[str, Any]) -> str:
    """A proposal's terms as a sentence: 'a joint fund of $1.50B a year paying 30% of project capex; ...'."""
    return Terms(**{k: terms[k] for k in TERMS if k in terms}).describe()


def proposal_words(proposal: dict[str, Any]) -> str:
    return (
        f"{proposal['proposer']} proposes '{proposal['name']}' for {proposal['duration_months']} months: "
        f"{terms_words(proposal['terms'])}"
    )


def applied_words(item: dict[str, Any]) -> str:
    """What an applied move did, as the lever API said when the round resolved (older rooms: its fields)."""
    event = item["event"]
    if event.get("kind") == "note":
        return event.get("description", "no change")
    if item.get("summary"):
        warnings = "; ".join(item.get("warnings") or [])
        return f"{event.get('actor', 'world')} {item['summary']}" + (f" (warning: {warnings})" if warnings else "")
    return describe_event(event)


def round_notice(resolution, seat: str) -> dict[str, Any]:
    """The notice at the top of a seat's page after a round resolves: why it ended, what was applied for
    the seat (its own moves, or the AI's when it was late or empty), and any move that was refused."""
    lines = []
    mine = [a for a in resolution.applied if a["seat"] == seat]
    if seat in resolution.late and any(a["source"] == "ai" for a in mine):
        lines.append("You were not ready when the round ended and had made no move, so the AI moved for you:")
    for item in mine:
        who = "AI" if item["source"] == "ai" else "you"
        why = _without_label(item["rationale"])
        lines.append(f"{who}: {_without_label(applied_words(item))}" + (f" (why: {why})" if who == "AI" else ""))
    for item in resolution.refused:
        if item["seat"] == seat:
            lines.append(f"refused when the round resolved: {describe_event(item['event'])}: {item['reason']}")
    if not mine:
        lines.append("No move of yours was applied this round.")
    return {
        "round": resolution.round,
        "title": f"Round {resolution.round} resolved ({resolution.reason}).",
        "lines": lines,
    }


def _without_label(text: str) -> str:
    """An AI move's words without the label the log gives it ("JP was not ready at the deadline ...; its
    AI strategy moved for it: ..."): the notice says that once, above."""
    return text.split("; its AI strategy moved for it: ")[-1].removeprefix("AI seat: ")
