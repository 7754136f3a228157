"""Static checks of a scenario's timeline for `ree validate`: a lift or a suspension that names nothing in
force (or due) at its date is almost always a mistake of dates. Nothing here runs the model."""

from __future__ import annotations

from .dates import format_month, parse_month


def _lifts(event) -> tuple[str, str] | None:
    """The (kind, actor) of measure an event lifts outright, if it is a lift."""
    if event.kind in ("extraterritorial", "technology_ban") and event.lift:
        return event.kind, event.actor
    if event.kind == "export_quota" and event.tonnes_per_year is None:
        return event.kind, event.actor
    return None


def _imposes(event) -> tuple[str, str] | None:
    if event.kind in ("extraterritorial", "technology_ban", "export_quota") and _lifts(event) is None:
        return event.kind, event.actor
    return None


def _window(event, start: int) -> tuple[int, int | None]:
    begin = max(parse_month(event.date), start)
    duration = getattr(event, "duration_months", None)
    return begin, (None if duration is None else parse_month(event.date) + duration)


def _ends_after(event, start: int, when: int) -> bool:
    """Whether `event` is still in force after month `when` (no end, or an end later than it)."""
    end = _window(event, start)[1]
    return end is None or end > when


def scenario_warnings(scenario, numbers: list[int] | None = None) -> list[str]:
    """One line per lift, suspension or resumption that names nothing in force or due at its date.
    `numbers`: each event's number as `--set events.N` names it (default: its place in date order)."""
    start = parse_month(scenario.start)
    events = scenario.events
    number = {id(e): i for e, i in zip(events, numbers or range(len(events)))}
    out = []
    for event in events:
        when = parse_month(event.date)
        where = f"events.{number[id(event)]}" + (f" ({event.id})" if event.id else "")
        lifted = _lifts(event)
        if lifted is not None:
            earlier = [
                e
                for e in events
                if _imposes(e) == lifted
                and parse_month(e.date) <= when
                and e is not event
                and _ends_after(e, start, when)
            ]
            later = [e for e in events if _imposes(e) == lifted and parse_month(e.date) > when]
            if not earlier:
                hint = (
                    f"; the {later[0].kind} of {later[0].date} comes after it and stays in force: suspend or "
                    f"cancel it by id"
                    if later
                    else ""
                )
                out.append(f"{where}: the {event.date} lift of {event.actor}'s {event.kind} finds none in force" + hint)
        target = getattr(event, "measure", None)
        if target is None:
            continue
        measure = next(e for e in events if e.id == target)
        begin, end = _window(measure, start)
        if event.kind == "resume":
            suspensions = [
                e for e in events if e.kind == "suspend" and e.measure == target and parse_month(e.date) <= when
            ]
            if not suspensions:
                out.append(f"{where}: resumes {target!r} on {event.date}, but nothing suspended it before")
        elif any(
            e.kind == "cancel" and e.measure == target and parse_month(e.date) <= when and e is not event
            for e in events
        ):
            out.append(f"{where}: {event.kind}s {target!r} on {event.date}, but it was cancelled before")
        elif end is not None and end <= when:
            out.append(
                f"{where}: {event.kind}s {target!r} on {event.date}, but that measure ended in "
                f"{format_month(end)} ({measure.duration_months} months from {measure.date})"
            )
    return out
