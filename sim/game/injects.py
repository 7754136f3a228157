"""Events a teacher can inject: a few classic shocks of the rare-earth story, then the scenario's own
shocks and policies (undated), each an event of the scenario format."""

from __future__ import annotations

from typing import Any

STANDARD = [
    (
        "Typhoon floods Lynas's plant in Malaysia: refining there halves for 3 months",
        {
            "kind": "capacity_shock",
            "actor": "MY",
            "country": "MY",
            "stage": "refining",
            "factor": 0.5,
            "duration_months": 3,
        },
    ),
    (
        "Fighting closes Myanmar's heavy rare-earth mines for 6 months",
        {
            "kind": "capacity_shock",
            "actor": "MM",
            "country": "MM",
            "stage": "mining",
            "factor": 0.2,
            "duration_months": 6,
        },
    ),
    (
        "An electric-car boom: EV makers everywhere want 25% more magnets for a year",
        {"kind": "demand_shock", "country": "*", "sector": "ev", "factor": 1.25, "duration_months": 12},
    ),
    (
        "A trawler collides with a coast-guard ship: China's view of Japan falls sharply",
        {"kind": "relations", "actor": "JP", "target": "CN", "change": -0.5},
    ),
    (
        "Environmental crackdown: China's mines run at 70% for 6 months",
        {
            "kind": "capacity_shock",
            "actor": "CN",
            "country": "CN",
            "stage": "mining",
            "factor": 0.7,
            "duration_months": 6,
        },
    ),
]
# shocks first: they make the better surprise in class
ORDER = ("capacity_shock", "demand_shock", "relations", "export_control", "export_quota")


def catalogue(scenario) -> list[dict[str, Any]]:
    out = [{"label": label, "event": event} for label, event in STANDARD]
    events = sorted(
        (e for e in scenario.events if e.kind != "note"),
        key=lambda e: ORDER.index(e.kind) if e.kind in ORDER else len(ORDER),
    )
    for event in events:
        data = event.model_dump(mode="json", exclude_none=True, exclude={"date", "id"})
        out.append(
            {"label": f"From the scenario: {event.kind} by {event.actor}: {event.description[:70]}", "event": data}
        )
    return out


def describe_event(event: dict[str, Any]) -> str:
    """An applied event in a few words: its kind, actor and the fields that say what it does."""
    fields = ", ".join(
        f"{k}={'+'.join(map(str, v)) if isinstance(v, list) else v}"
        for k, v in event.items()
        if k not in ("kind", "actor", "date", "description")
    )
    return f"{event['kind']} by {event.get('actor', 'world')}" + (f" ({fields})" if fields else "")
