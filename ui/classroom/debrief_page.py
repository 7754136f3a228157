"""The debrief: scores per seat with each objective in words, what each player's moves did to each seat
(`sim.game.move_effects`; the reader's seat first), "your world vs AI-only worlds", the game's charts and
the causal event log with the agents' and players' rationales.

It is computed once per state of the game and kept (`sim.game.debrief.DebriefJobs`): when the game is
over, or mid-game when the teacher asks for it. The page polls the job's progress only while it runs,
and is never redrawn by what happens in the room (a message, a ready).
Players open it with their seat's link once the game is over (`/debrief/CODE/TOKEN`); the teacher with
the console's cookie (`/debrief/CODE`)."""

from __future__ import annotations

import solara

from sim.constants import COUNTRIES
from sim.game.api import may_read_debrief
from sim.game.moves import GameError
from sim.game.wording import objective_line

from ..components import game_charts
from ..components.figures import Chart
from ..components.markup import Html, Lines, country_badge, element, lines
from ..components.tables import table_html
from .common import WorldCharts, find_room
from .live import use_poll
from .mount import served


def _jobs():
    return served().jobs


def _progress(room):
    job = _jobs().status(room)
    return job["state"], job.get("done")


@solara.component
def DebriefPage(code: str, token: str = ""):
    started, set_started = solara.use_state(0)
    room, problem = find_room(code)
    if room is None:
        solara.Error(problem)
        return
    from .teacher import console_token

    is_teacher = not token
    reader = token or console_token(room)
    try:
        may_read_debrief(room, reader)
    except GameError as err:
        solara.Error(str(err))
        return

    def start():
        _jobs().status(room, start=True)
        set_started(started + 1)

    with solara.Column(classes=["ree-page"], gap="10px"):
        Html(f"Debrief: room {room.code}, {room.scenario.name}", tag="h2")
        seat = "" if is_teacher else room.state.members.get(token, ("", ""))[0]  # checked above
        Body(room, start if is_teacher else None, seat).key(f"body-{started}")  # a new body polls the new job


@solara.component
def Body(room, start, seat: str = ""):
    use_poll(lambda: _progress(room), 0.5, until=lambda progress: progress[0] in ("done", "failed", "not_started"))
    job = _jobs().status(room)
    if job["state"] == "not_started":
        solara.Info("The debrief opens when the game is over.")
        if start is not None:
            solara.Button("Run the debrief now (the game can go on)", color="primary", on_click=start)
        return
    if job["state"] == "running":
        solara.Text(
            f"Running the worlds the debrief compares with (the game without some players' moves, then "
            f"{_jobs().runs} AI-only worlds): {job['done']} of {job['total']} done"
        )
        solara.ProgressLinear(value=100 * job["done"] / max(job["total"], 1))
        return
    if job["state"] == "failed":
        solara.Error(f"The AI-only worlds could not be run: {job['error']}")
        return
    Result(room, job, seat)


@solara.component
def Result(room, job: dict, seat: str = ""):
    seat_filter, set_seat_filter = solara.use_state("all")
    with_firms, set_with_firms = solara.use_state(False)
    solara.Text(
        f"{job['rounds_played']} rounds, {job['months_played']} months played. "
        f"Compared with {job['ai_runs']} worlds where the AI played every seat ({job['seconds']} s)."
    )
    Chart(game_charts.ai_comparison(job["comparison"]))
    for s in job["scores"]:
        beat = next(c for c in job["comparison"] if c["seat"] == s["seat"])
        with solara.Card(margin=0):
            Html(
                [
                    country_badge(s["seat"]),
                    " ",
                    element("b", f"{s['score']:.0f} / 100"),
                    f" · beat {beat['beat_share']:.0%} of AI worlds (their median {beat['ai_median']:.0f})",
                    lines([objective_line(o) for o in s["objectives"]]),
                ]
            )
    if "moves_did" in job:  # debriefs kept from before this section have none
        MovesDid(job["moves_did"], seat)
    WorldCharts(job["charts"], tuple(room.seats), ("magnet", "heavy_oxide"))
    Html("What happened, and why", tag="h3")
    with solara.Row(classes=["ree-buttons"]):
        solara.Select("Whose events", value=seat_filter, values=["all", *room.seats], on_value=set_seat_filter)
        solara.Checkbox(label="include firms' events (projects, contracts)", value=with_firms, on_value=set_with_firms)
    log = [
        r
        for r in job["log"]
        if (with_firms or _is_policy(r))
        and (seat_filter == "all" or seat_filter in (r["actor"], r["target"]) or seat_filter in r["actor"].split("+"))
    ]
    Lines(
        [
            [
                element("b", f"{r['date']} · {r['actor']}"),
                f" {r['kind']}",
                f" → {r['target']}" if r["target"] else "",
                f": {r['detail']}",
                [element("br"), element("i", f"why: {r['rationale']}")] if r["rationale"] else "",
            ]
            for r in log
        ]
    )


@solara.component
def MovesDid(did: dict, seat: str = ""):
    """Each seat's score split among who moved, the reader's seat first: the summary, the lines in words
    and a table whose parts add up to the difference."""
    Html("What the moves did", tag="h3")
    if "error" in did:
        solara.Error(f"What the moves did could not be worked out: {did['error']}")
        return
    if not did["seats"]:
        solara.Info("No month has been played yet: no move has done anything.")
        return
    Html(
        f"Each seat's score split among who moved: each seat (all its moves, its students' or its AI's), "
        f"the teacher's injects and the scenario's events. Points are the score out of 100; tonnes are the "
        f"seat's magnet demand left unmet over the {did['months']} months played. The parts add up to the "
        f"game as played minus the same months with no move, inject or scenario event (the moves as "
        f"played: in a world without some of them nobody plans again). Shapley values from {did['runs']} "
        f"replays ({did['method']}, {did['seconds']} s)."
    )
    names = {p["key"]: p["name"] for p in did["players"]}
    for row in sorted(did["seats"], key=lambda r: r["seat"] != seat):
        parts = [
            [f"{names[p][:1].upper()}{names[p][1:]}", f"{row['points'][p]:+.2f}", f"{row['tonnes'][p]:+,.0f}"]
            for p in names
        ]
        parts.append(
            [
                "All together",
                f"{row['score'] - row['score_without']:+.2f}",
                f"{row['unmet_t'] - row['unmet_t_without']:+,.0f}",
            ]
        )
        with solara.Card(margin=0, classes=["ree-moves-did"]):  # one block: a card is one widget to send
            Html(
                [
                    country_badge(row["seat"]),
                    f" {row['summary']}",
                    lines(row["lines"]),
                    table_html(["Whose moves", "Points", "Magnets unmet (t)"], parts),
                ]
            )
    Html(
        element(
            "details",
            element("summary", "The moves counted for each player"),
            [[element("b", p["name"]), lines(p["moves"] or ["none"])] for p in did["players"]],
        )
    )


def _is_policy(row) -> bool:
    """A government's act (or the world's shock), not a firm's project or contract."""
    return all(part in COUNTRIES or part == "world" for part in row["actor"].split("+"))
