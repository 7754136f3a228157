"""A player's seat, phone first: who and where (round, month, countdown), notices at the top (the lobby,
a pause, what the last round did and what the AI did for a late seat, the end), the briefing, the score,
the moves and the ready button, proposals to answer, the inbox, the country's own numbers, the world's
charts and recent events.

Each part draws one piece of the room's shared views (`sim.game.shared`) and is redrawn only when that
piece changes (`live.use_piece`): a message redraws the inbox, not the charts. It shows only what this
token's seat may see."""

from __future__ import annotations

import solara

from sim.game.moves import GameError

from ..components.charts import PRODUCT_NAMES
from ..components.markup import Html, Lines, country_badge, element, lines
from ..components.tables import Table
from .common import Feedback, WorldCharts, act, find_room
from .inbox import Inbox, Proposals
from .live import Countdown, use_piece
from .move_form import MoveForm


@solara.component
def PlayerPage(code: str, token: str):
    router = solara.use_router()
    room, problem = find_room(code)
    if room is None:
        solara.Error(problem)
        return
    try:
        seat, name = room.member(token)
    except GameError as err:
        with solara.Column(classes=["ree-page"]):
            solara.Error(str(err))
            solara.Button("Join the room", on_click=lambda: router.push(f"/join/{room.code}"), color="primary")
        return
    with solara.Column(classes=["ree-page"], gap="10px"):
        Header(room, seat, name)
        Countdown(room)
        Notices(room, seat, token, lambda: router.push(f"/debrief/{code}/{token}"))
        Briefing(room, seat)
        Scoreline(room, seat)
        Moves(room, token, seat)
        Proposals(room, token, seat)
        Inbox(room, token, seat)
        CountryNow(room, seat)
        World(room)
        RecentEvents(room, seat)


@solara.component
def Header(room, seat: str, name: str):
    clock = use_piece(room, room.views.clock)
    players = use_piece(room, room.views.players)
    team = ", ".join(p["name"] for p in players if p["seat"] == seat)
    Html(
        [
            element("h2", country_badge(seat), f" You play {seat}", style="margin:4px 0"),
            element("div", f"{name} · team: {team} · room {room.code}"),
            element(
                "div",
                element("b", f"Round {clock['round']} of {clock['total_rounds']}"),
                f" · {clock['month']} · {clock['months_per_round']} months a round · game {clock['status']}",
            ),
        ]
    )


@solara.component
def Notices(room, seat: str, token: str, open_debrief):
    """What a player must not miss, at the top: the game's state and what the last round did for them."""
    clock = use_piece(room, room.views.clock)
    mine = use_piece(room, lambda: room.views.seat_round(seat))
    use_piece(room, room.views.players)  # a removal shows at once
    try:
        room.member(token)
    except GameError as err:
        solara.Error(str(err))
    status = clock["status"]
    if clock["read_only"]:
        solara.Error(f"This room is read-only: {clock['read_only']}.")
    if status == "lobby":
        solara.Info(
            "The teacher has not started the game yet: read your briefing below and plan your first moves.", dense=True
        )
    elif status == "paused":
        why = clock["paused_reason"] or "the teacher paused the game"
        solara.Warning(f"Paused: {why}. The clock has stopped; moves wait, but you can still send messages.")
    elif status == "ended":
        solara.Success(f"The game is over ({clock['ended_reason']}).", dense=True)
        solara.Button("Open the debrief", on_click=open_debrief, color="primary")
    notice = mine["notice"]
    if notice is not None:
        late = any(line.startswith("You were not ready") for line in notice["lines"])
        with solara.Card(
            margin=0, classes=["ree-notice"], style={"border-left": "5px solid " + ("#CC3311" if late else "#0077BB")}
        ):
            Html([element("b", notice["title"]), lines(notice["lines"])])


@solara.component
def Briefing(room, seat: str):
    """The role, how it is scored (in words that read the right way round) and the levers: first."""
    clock = use_piece(room, room.views.clock)
    mine = use_piece(room, lambda: room.views.seat_world(seat))
    briefing = mine["briefing"]
    with solara.Details("Your briefing: role, objectives, levers", expand=clock["round"] <= 1):
        Html(
            [
                element("p", briefing["role"]),
                element("p", "How you are scored over the whole game:", style="margin:6px 0 2px"),
            ]
        )
        rows = [
            [o["description"] or o["metric"], _target(o, "best"), _target(o, "worst"), f"x{o['weight']:g}"]
            for o in briefing["objectives"]
        ]
        Table(["objective", "full marks at", "no marks at", "counts"], rows)
        Html(
            [
                element("p", f"Your levers: {', '.join(v['label'] for v in briefing['levers'].values())}."),
                element("p", briefing["scenario"]),
            ]
        )


def _target(objective: dict, end: str) -> str:
    from sim.game.wording import bound_words

    return bound_words(objective["metric"], objective[end])


@solara.component
def Scoreline(room, seat: str):
    clock = use_piece(room, room.views.clock)
    mine = use_piece(room, lambda: room.views.seat_world(seat))
    if clock["round"] <= 1 and clock["status"] != "ended":
        return
    Html(
        [
            element("b", f"Score so far: {mine['score']['score']:.0f} / 100"),
            " (targets are for the whole game)",
            lines(mine["score_lines"]),
        ]
    )


@solara.component
def Moves(room, token: str, seat: str):
    clock = use_piece(room, room.views.clock)
    mine = use_piece(room, lambda: room.views.seat_round(seat))
    world = use_piece(room, lambda: room.views.seat_world(seat))
    feedback, set_feedback = solara.use_state(None)
    round_, status, ready = clock["round"], clock["status"], mine["ready"]
    with solara.Card("Your moves this round", margin=0):
        if not mine["moves"]:
            solara.Text("No move yet this round. Moves take effect at the round's first month, when the round ends.")
        for move in mine["moves"]:
            with solara.Row(classes=["ree-buttons"]):
                solara.Text(f"#{move['id']} {move['words']} ({move['by']}: {move['rationale']})")
                if status in ("lobby", "running") and not ready:
                    solara.Button(
                        "withdraw",
                        text=True,
                        on_click=lambda m=move: act(
                            set_feedback, lambda: room.withdraw(token, round_, m["id"]), "move withdrawn", round_
                        ),
                    )
        if status in ("lobby", "running", "paused"):
            MoveForm(room, token, seat, round_, world["briefing"], disabled=ready or status == "paused").key("form")
        label = "Not ready (change moves)" if ready else "Ready: end my round"
        with solara.Row(classes=["ree-buttons"]):
            solara.Button(
                label,
                color="success" if not ready else None,
                disabled=status not in ("lobby", "running"),
                on_click=lambda: act(set_feedback, lambda: room.set_ready(token, round_, not ready), round_=round_),
            )
        Feedback(feedback, round_)


@solara.component
def CountryNow(room, seat: str):
    now = use_piece(room, lambda: room.views.seat_world(seat))["status_now"]
    with solara.Card("Your country now", margin=0):
        if not now["stocks"]:
            solara.Text("Your stocks, licences and shortages appear after the first round.")
            return
        rows = [
            [
                PRODUCT_NAMES[p],
                f"{v['firms_t']:,.0f}",
                f"{v['state_t']:,.0f}",
                f"{now['unmet_share_last_month'][p]:.0%}",
            ]
            for p, v in now["stocks"].items()
        ]
        Table(["product", "firms' stock, t", "state stockpile, t", "orders not filled last month"], rows)
        lic = now["licences_last_month"]
        facts = []
        if lic:
            facts.append(
                f"Licences your firms asked for last month: {lic['applied_t']:,.0f} t applied, "
                f"{lic['approved_t']:,.0f} t approved, {lic['denied_t']:,.0f} t denied, "
                f"{lic['pending_t']:,.0f} t waiting"
            )
        faced = sorted({f"{c['level']} from {c['from']} on {c['product']}" for c in now["controls_faced"]})
        facts.append("Controls on your imports: " + ("; ".join(faced) if faced else "none"))
        made = sorted({f"{c['level']} to {c['to']} on {c['product']}" for c in now["controls_set"]})
        facts.append(
            "Your export controls: " + ("; ".join(made[:12]) + (" ..." if len(made) > 12 else "") if made else "none")
        )
        parts = [f"project support {now['project_support']:.0%}"]
        if now["has_stockpile"]:
            parts.insert(0, f"stockpile target {now['stockpile_target_days']:g} days")
        if now["mining_quota_t"]:
            parts.append(f"mining quota {now['mining_quota_t']:,.0f} t/yr")
        facts.append("Policies: " + " · ".join(parts))
        Lines(facts)


@solara.component
def World(room):
    world = use_piece(room, room.views.world)
    with solara.Card("The world", margin=0):
        WorldCharts(world["charts"], tuple(room.seats))


@solara.component
def RecentEvents(room, seat: str):
    log = use_piece(room, lambda: room.views.seat_world(seat))["log"]
    with solara.Details("Recent events for your country"):
        Table(
            ["month", "who", "what", "why"],
            [[r["date"], r["actor"], f"{r['kind']}: {r['detail']}", r["rationale"]] for r in reversed(log)],
        )
