"""A player's seat, on a phone or a laptop: the round and its countdown, the move form and ready button,
the inbox (messages and proposals to answer), the country's own numbers, the world's charts and the role's
briefing. It shows only what `sim.game.views.player_view` gives this token."""
from __future__ import annotations

from html import escape

import solara

from sim.game.views import player_view

from . import charts
from .common import Feedback, act, seat_badge, table, use_view
from .live import Countdown
from .move_form import MoveForm


@solara.component
def PlayerPage(code: str, token: str):
    router = solara.use_router()
    feedback, set_feedback = solara.use_state(None)
    room, view = use_view(code, lambda r: player_view(r, token))
    if view is None:
        if room is not None:
            solara.Button("Join the room", on_click=lambda: router.push(f"/join/{room.code}"))
        return
    seat, round_ = view["seat"], view["round"]
    with solara.Column(classes=["ree-page"]):
        team = ", ".join(escape(n) for n in view["teammates"])
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"<h2 style='margin:4px 0'>{seat_badge(seat)} You play {escape(seat)}</h2>"
            f"<div>{escape(view['name'])} · team: {team} · room {room.code}</div>"
            f"<div><b>Round {round_} of {view['total_rounds']}</b> · {view['month']} · "
            f"{view['months_per_round']} months a round · game {view['status']}</div>"))
        Countdown(room)
        # one container whatever the game's state, so the form below keeps what a student is typing when
        # the teacher starts the game or a round ends
        Notices(view, lambda: router.push(f"/debrief/{code}/{token}"))
        with solara.Card("Your moves this round", margin=0):
            Moves(room, token, view, set_feedback)
            if view["status"] in ("lobby", "running"):
                MoveForm(room, token, seat, round_, view["briefing"]["levers"], disabled=view["ready"]).key("form")
            label = "Not ready (change moves)" if view["ready"] else "Ready: end my round"
            solara.Button(label, color="success" if not view["ready"] else None,
                          on_click=lambda: act(set_feedback, lambda: room.set_ready(token, round_, not view["ready"])),
                          disabled=view["status"] not in ("lobby", "running"))
            Feedback(feedback)
        Inbox(room, token, view)
        with solara.Card("Your country now", margin=0):
            Status(view["status_now"])
        with solara.Card("The world", margin=0):
            charts.Chart(charts.prices(view["charts"], "magnet"))
            charts.Chart(charts.shortages(view["charts"], view["seats"]))
        Briefing(view["briefing"], open_first=view["status"] == "lobby")
        with solara.Details("Recent events for your country"):
            solara.HTML(tag="div", unsafe_innerHTML=table(["month", "who", "what", "why"],
                        [[r["date"], r["actor"], f"{r['kind']}: {r['detail']}", r["rationale"]]
                         for r in reversed(view["log"])]))


@solara.component
def Notices(view, open_debrief):
    with solara.Column(gap="4px"):
        if view["status"] == "lobby":
            solara.Info("The teacher has not started the game yet: read your briefing and plan your first moves.",
                        dense=True)
        if view["status"] == "ended":
            solara.Success(f"The game is over ({view['ended_reason']}).", dense=True)
            solara.Button("Open the debrief", on_click=open_debrief, color="primary")
        if view["round"] > 1:
            Scoreline(view["score"])


@solara.component
def Scoreline(score):
    parts = ", ".join(f"{o['description'] or o['metric']} {o['points']:.0%}" for o in score["objectives"])
    solara.Text(f"Score so far: {score['score']:.0f} / 100 ({parts}; the targets are for the whole game)")


@solara.component
def Moves(room, token, view, set_feedback):
    if not view["moves"]:
        solara.Text("No move yet this round. Moves take effect at the round's first month, when the round ends.")
    for move in view["moves"]:
        with solara.Row():
            solara.Text(f"#{move['id']} {move['text']} ({move['by']}: {move['rationale']})")
            if view["status"] in ("lobby", "running") and not view["ready"]:
                solara.Button("withdraw", text=True, on_click=lambda m=move: act(
                    set_feedback, lambda: room.withdraw(token, view["round"], m["id"]), "move withdrawn"))


@solara.component
def Inbox(room, token, view):
    to, set_to = solara.use_state("*")
    text, set_text = solara.use_state("")
    feedback, set_feedback = solara.use_state(None)
    with solara.Card(f"Inbox ({len(view['inbox'])})", margin=0):
        for p in view["pending"]:
            terms = ", ".join(f"{k}={v}" for k, v in p["terms"].items())
            solara.Info(f"{p['proposer']} proposes '{p['name']}' for {p['duration_months']} months: {terms}. "
                        f"Your answer: {p['answer'] or 'none yet (the AI answers for you at the deadline)'}")
            with solara.Row():
                for answer in ("accept", "reject"):
                    solara.Button(answer, on_click=lambda a=answer, p=p: act(
                        set_feedback, lambda: room.answer(token, view["round"], p["id"], a), f"you {a}ed"))
                solara.Button("counter: halve the fund", on_click=lambda p=p: act(set_feedback, lambda: room.answer(
                    token, view["round"], p["id"], "counter",
                    {"cofinance_usd_per_year": p["terms"].get("cofinance_usd_per_year", 0) / 2,
                     "cofinance_share": p["terms"].get("cofinance_share", 0)}), "counter-offer sent"))
        rows = [[f"r{m['round']}", seat_badge(m["from"]) if m["from"] != "teacher" else "<b>teacher</b>",
                 "everyone" if m["to"] == "*" else escape(m["to"]), escape(m["by"]), escape(m["text"])]
                for m in reversed(view["inbox"])]
        if rows:
            solara.HTML(tag="div", unsafe_innerHTML=table(["", "from", "to", "by", "message"], rows, raw=True))
        others = ["*"] + [s for s in view["seats"] if s != view["seat"]]
        solara.Select("To (* = public communiqué)", value=to, values=others, on_value=set_to)
        solara.InputText("Message", value=text, on_value=set_text, continuous_update=True)

        def send():
            if act(set_feedback, lambda: room.message(token, view["round"], to, text), "sent") is not None:
                set_text("")
        solara.Button("Send", on_click=send, disabled=view["status"] == "ended")
        Feedback(feedback)


@solara.component
def Status(now):
    if not now["stocks"]:
        solara.Text("Your stocks, licences and shortages appear after the first round.")
        return
    rows = [[p, f"{v['firms_t']:,.0f}", f"{v['state_t']:,.0f}", f"{now['unmet_share_last_month'][p]:.0%}"]
            for p, v in now["stocks"].items()]
    solara.HTML(tag="div", unsafe_innerHTML=table(["product", "firms' stock, t", "state stockpile, t",
                                                   "firms' orders not filled last month"], rows))
    lic = now["licences_last_month"]
    if lic:
        solara.Text(f"Licences your firms asked for last month: {lic['applied_t']:,.0f} t applied, "
                    f"{lic['approved_t']:,.0f} t approved, {lic['denied_t']:,.0f} t denied, "
                    f"{lic['pending_t']:,.0f} t waiting")
    faced = sorted({f"{c['level']} from {c['from']} on {c['product']}" for c in now["controls_faced"]})
    solara.Text("Controls on your imports: " + ("; ".join(faced) if faced else "none"))
    made = sorted({f"{c['level']} to {c['to']} on {c['product']}" for c in now["controls_set"]})
    solara.Text("Your export controls: " + ("; ".join(made[:12]) + (" ..." if len(made) > 12 else "") if made else "none"))
    parts = [f"project support {now['project_support']:.0%}"]
    if now["has_stockpile"]:
        parts.insert(0, f"stockpile target {now['stockpile_target_days']:g} days")
    if now["mining_quota_t"]:
        parts.append(f"mining quota {now['mining_quota_t']:,.0f} t/yr")
    solara.Text("Policies: " + " · ".join(parts))


@solara.component
def Briefing(briefing, open_first: bool):
    with solara.Details("Your briefing: role, objectives, levers", expand=open_first):
        solara.Text(briefing["role"])
        rows = [[o["description"] or o["metric"], o["metric"], f"{o['worst']:g}", f"{o['best']:g}", f"{o['weight']:g}"]
                for o in briefing["objectives"]]
        solara.HTML(tag="div", unsafe_innerHTML="<p>How you are scored (0 points at 'worst', full points at "
                    "'best', weighted):</p>" + table(["objective", "measure", "worst", "best", "weight"], rows))
        solara.Text("Levers: " + ", ".join(v["label"] for v in briefing["levers"].values()))
        solara.Text(briefing["scenario"])
