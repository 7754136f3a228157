"""The debrief: scores per seat with each objective's points, "your world vs AI-only worlds" (computed
in the background with a progress bar), the game's charts and the causal event log with the agents' and
players' rationales."""
from __future__ import annotations

from html import escape

import solara

from sim.game.moves import GameError

from . import charts
from .common import find_room, seat_badge, table
from .live import use_poll


def _jobs():
    from sim.game.server import current_jobs
    return current_jobs()


@solara.component
def DebriefPage(code: str, token: str):
    room, problem = find_room(code)
    seat_filter, set_seat_filter = solara.use_state("all")
    with_firms, set_with_firms = solara.use_state(False)
    # the job's progress (and its end) re-renders the page
    use_poll(lambda: (room.version, _progress(room, token)) if room is not None else 0, 0.5)
    if room is None:
        solara.Error(problem)
        return
    try:
        from sim.game.server import may_read_debrief
        may_read_debrief(room, token)
    except GameError as err:
        solara.Error(str(err))
        return
    job = _jobs().status(room)
    with solara.Column(classes=["ree-page"]):
        solara.HTML(tag="h2", unsafe_innerHTML=f"Debrief: room {room.code}, {escape(room.scenario.name)}")
        if job["state"] == "running":
            solara.Text(f"Running {job['total']} AI-only worlds of the same scenario to compare with: "
                        f"{job['done']} of {job['total']} done")
            solara.ProgressLinear(value=100 * job["done"] / max(job["total"], 1))
            return
        if job["state"] == "failed":
            solara.Error(f"The AI-only worlds could not be run: {job['error']}")
            return
        solara.Text(f"{job['rounds_played']} rounds, {job['months_played']} months played. "
                    f"Compared with {job['ai_runs']} worlds where the AI played every seat ({job['seconds']} s).")
        charts.Chart(charts.ai_comparison(job["comparison"]))
        rows = []
        for s in job["scores"]:
            parts = "<br>".join(f"{escape(o['description'] or o['metric'])}: {o['value']:.3g} → {o['points']:.0%}"
                                for o in s["objectives"])
            beat = next(c for c in job["comparison"] if c["seat"] == s["seat"])
            rows.append([seat_badge(s["seat"]), f"<b>{s['score']:.0f}</b>", parts,
                         f"{beat['ai_median']:.0f}", f"{beat['beat_share']:.0%}"])
        solara.HTML(tag="div", unsafe_innerHTML=table(["seat", "score", "objectives", "AI median", "beat AI worlds"],
                                                      rows, raw=True))
        with solara.ColumnsResponsive(12, large=6):
            charts.Chart(charts.prices(job["charts"], "magnet"))
            charts.Chart(charts.prices(job["charts"], "heavy_oxide"))
        charts.Chart(charts.shortages(job["charts"], room.seats))
        solara.HTML(tag="h3", unsafe_innerHTML="What happened, and why")
        with solara.Row(style={"align-items": "center"}):
            solara.ToggleButtonsSingle(value=seat_filter, values=["all", *room.seats], on_value=set_seat_filter)
            solara.Checkbox(label="include firms' events (projects, contracts)", value=with_firms,
                            on_value=set_with_firms)
        log = [r for r in job["log"] if (with_firms or _is_policy(r)) and (
               seat_filter == "all" or seat_filter in (r["actor"], r["target"]) or seat_filter in r["actor"].split("+"))]
        solara.HTML(tag="div", unsafe_innerHTML=table(["month", "who", "what", "to", "detail", "why"],
                    [[r["date"], r["actor"], r["kind"], r["target"], r["detail"], r["rationale"]] for r in log]))


def _is_policy(row) -> bool:
    """A government's act (or the world's shock), not a firm's project or contract."""
    from sim.constants import COUNTRIES
    return all(part in COUNTRIES or part == "world" for part in row["actor"].split("+"))


def _progress(room, token):
    try:
        from sim.game.server import may_read_debrief
        may_read_debrief(room, token)
    except GameError:
        return None
    job = _jobs().status(room)
    return job["state"], job.get("done")
