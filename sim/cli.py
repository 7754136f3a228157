"""The `ree` command line. Bad input ends in one line on stderr and exit status 2; a bug in exit status 1."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .dates import parse_month
from .game.moves import GameError
from .measure_checks import scenario_warnings
from .scenario import ScenarioError, list_library, load_raw, resolve_scenario, validate

EXAMPLES = {
    "run": """examples:
  ree run                                   # baseline_2024, outputs in runs/baseline_2024
  ree run full_embargo --out runs/embargo
  ree run baseline_2024 --months 120 --seed 7 --set world.scale=10 --set demand.growth=0.05
  ree run my_scenario.toml --quiet""",
    "validate": """examples:
  ree validate configs/scenarios/*.toml
  ree validate my_scenario.toml""",
    "scenarios": """examples:
  ree scenarios""",
    "sweep": """examples:
  ree sweep licence_cofinance --out sweeps/licence        # a shipped example, by name
  ree sweep configs/sweeps/levers_sobol.toml --workers 8
  ree sweep my_sweep.toml --scheduler tcp://10.0.0.5:8786 --out sweeps/big
  ree sweep my_sweep.toml --out sweeps/big --resume       # after an interruption
  ree sweep my_sweep.toml --out sweeps/big --retry-failed # run the failed runs again
  ree sweep levers_sobol --dry-run                        # how many runs, and the design; runs nothing""",
    "sweep-report": """examples:
  ree sweep-report sweeps/licence_cofinance      # writes report.html, results.csv, summary_by_point.csv""",
    "sweep-discover": """examples:
  ree sweep-discover sweeps/lhs --outcome shortage_share_US --above 0.03   # where do US shortages exceed 3%?
  ree sweep-discover sweeps/lhs --outcome china_exports_t --below 20000 --density 0.9""",
    "ui": """examples:
  ree ui                                  # then open http://127.0.0.1:8765 (works with no internet)
  ree ui --port 8800""",
    "validation": """examples:
  ree validation                          # writes docs/validation.md and its plots in docs/img/
  ree validation --out /tmp/v.md --seeds 7 8""",
}


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line (and exit status 2)."""

    def error(self, message: str):  # noqa: D102
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ree",
        description="An agent-based game of the rare-earth supply chain.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="""examples:
  ree scenarios                       # the scenario library
  ree run full_embargo                # run one; outputs in runs/full_embargo/
  ree validate my_scenario.toml       # check a scenario file

Run `ree COMMAND --help` for a command's options and more examples.""",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser(
        "run",
        help="run a scenario and write its outputs",
        epilog=EXAMPLES["run"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "scenario",
        nargs="?",
        default="baseline_2024",
        help="library name (see `ree scenarios`) or path to a .toml file (default: baseline_2024)",
    )
    run.add_argument("--out", type=Path, help="output folder (default: runs/SCENARIO)")
    run.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    run.add_argument("--months", type=int, help="number of months to run (default: the scenario's)")
    run.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override any scenario value, e.g. --set world.scale=10 (repeatable)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar and no summary table")
    run.add_argument(
        "--why",
        metavar="OUTCOME",
        help="add a Why section to report.html: each event's contribution "
        "to OUTCOME over the run (see `ree why --help`)",
    )

    validate_cmd = sub.add_parser(
        "validate",
        help="check scenario files without running them",
        epilog=EXAMPLES["validate"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate_cmd.add_argument("files", nargs="+", help="scenario files (or library names)")

    sub.add_parser(
        "scenarios",
        help="list the scenario library with descriptions",
        epilog=EXAMPLES["scenarios"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

    sweep = sub.add_parser(
        "sweep",
        help="run a batch of runs over a parameter design (Dask)",
        epilog=EXAMPLES["sweep"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sweep.add_argument("file", type=Path, help="sweep file, or the name of a shipped one (configs/sweeps/)")
    sweep.add_argument("--out", type=Path, help="results folder (default: sweeps/NAME)")
    sweep.add_argument("--workers", type=int, help="worker processes of the embedded cluster (default: CPUs)")
    sweep.add_argument(
        "--scheduler",
        help="address of an existing Dask scheduler, e.g. tcp://host:8786 "
        "(default: $DASK_SCHEDULER_ADDRESS, else an embedded cluster)",
    )
    sweep.add_argument(
        "--resume",
        action="store_true",
        help="finish an interrupted sweep in --out (the same design only: another is refused)",
    )
    sweep.add_argument("--retry-failed", action="store_true", help="like --resume, and run the failed runs again")
    sweep.add_argument(
        "--dry-run", action="store_true", help="check the file, print the number of runs and the design, run nothing"
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")

    report = sub.add_parser(
        "sweep-report",
        help="charts and tables for a finished sweep",
        epilog=EXAMPLES["sweep-report"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("folder", type=Path, help="the sweep's --out folder")
    discover = sub.add_parser(
        "sweep-discover",
        help="scenario discovery (PRIM): which parameter ranges lead to an outcome above or below a threshold",
        epilog=EXAMPLES["sweep-discover"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    discover.add_argument("folder", type=Path, help="the sweep's --out folder")
    discover.add_argument("--outcome", required=True, help="a results column (an outcome or aggregate)")
    side = discover.add_mutually_exclusive_group(required=True)
    side.add_argument("--above", type=float, metavar="X", help="runs of interest: outcome > X")
    side.add_argument("--below", type=float, metavar="X", help="runs of interest: outcome < X")
    discover.add_argument(
        "--density", type=float, default=0.8, help="least share of runs of interest inside a box (default: %(default)s)"
    )
    discover.add_argument("--boxes", type=int, default=2, help="most boxes to find (default: %(default)s)")

    check = sub.add_parser(
        "validation",
        help="compare crisis_2010 (V1-V8) and the 2025-26 episode with history",
        epilog=EXAMPLES["validation"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "--out", type=Path, default=Path("docs/validation.md"), help="report file (default: %(default)s)"
    )
    check.add_argument(
        "--seeds",
        type=int,
        nargs="*",
        default=[1, 2, 3, 4, 5],
        help="seeds besides the scenario's own (default: 1 2 3 4 5)",
    )
    ui = sub.add_parser(
        "ui",
        help="start the web UI on this computer (127.0.0.1)",
        epilog=EXAMPLES["ui"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ui.add_argument("--port", type=int, default=8765, help="port to listen on (default: %(default)s; 0 = any free)")
    from .game.commands import add_parser as add_classroom

    add_classroom(sub)
    from .runs.why_cli import add_parser as add_why

    add_why(sub)
    return parser


def _progress(total: int, quiet: bool, label: str):
    """A tqdm bar on a terminal; nothing in a pipe or with --quiet."""
    if quiet or not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="month", leave=False)
    return bar.update, bar.close


def cmd_run(args) -> int:
    from .runs.runner import run_to_folder
    from .scenario import load_scenario

    sets = list(args.sets)
    if args.months is not None:
        sets.append(f"months={args.months}")
    if args.seed is not None:  # validated like the scenario's own seed (a negative one is bad input, not a bug)
        sets.append(f"seed={args.seed}")
    scenario = load_scenario(args.scenario, sets=sets)
    out = args.out or Path("runs") / scenario.name
    if out.exists() and not out.is_dir():  # found before the run, not after minutes of work
        raise ScenarioError("--out", str(out), "exists and is not a folder")
    outcome = None
    if args.why is not None:
        from .runs.why_outcomes import parse_outcome

        outcome = parse_outcome(args.why, "--why")  # a bad name stops before the run
    update, close = _progress(scenario.months, args.quiet, scenario.name)
    started = time.perf_counter()
    try:
        summary = run_to_folder(scenario, out, progress=update, why=outcome)  # the seed is in the scenario now
    finally:
        close()
    if not args.quiet:
        _print_summary(summary, out, time.perf_counter() - started)
    return 0


def _print_summary(summary: dict, out: Path, seconds: float) -> None:
    from .runs.report import headline_rows

    rows = headline_rows(summary["outcomes"])
    width = max(len(label) for label, _ in rows)
    print(f"{summary['scenario']}: {summary['start']} to {summary['end']}, seed {summary['seed']}, {seconds:.1f} s")
    for label, value in rows:
        print(f"  {label:<{width}}  {value:>12}")
    print(f"outputs: {out}/ (open {out / 'report.html'})")


def cmd_validate(args) -> int:
    worst = 0
    for name in args.files:
        try:
            path = resolve_scenario(name)
            raw = load_raw(path)
            scenario = validate(raw, path)
        except ScenarioError as err:
            print(err, file=sys.stderr)
            worst = 2
            continue
        print(f"ok {path}: {scenario.name}, {scenario.start} + {scenario.months} months, {len(scenario.events)} events")
        numbers = set_numbers(raw)
        for number, event in zip(numbers, scenario.events):
            print("  " + event_line(number, event))
        for warning in scenario_warnings(scenario, numbers):  # advice, not an error: the exit status stays
            print(f"warning: {path}: {warning}", file=sys.stderr)
    return worst


def set_numbers(raw: dict) -> list[int]:
    """For each event in date order, its number for `--set events.N` (its place in the file, parents'
    events first)."""
    events = raw.get("events", [])
    return sorted(range(len(events)), key=lambda i: parse_month(events[i]["date"]))


def event_line(number: int, event) -> str:
    """`events.N`, the name `--set` takes, with the event's id, date, kind, actor and description."""
    name = f"events.{number}" + (f" ({event.id})" if event.id else "")
    what = getattr(event, "measure", None)
    text = " ".join(event.description.split())
    if len(text) > 70:
        text = text[:69] + "…"
    return f"{name:<32} {event.date}  {event.kind:<16} {event.actor:<5} " + (f"{what}: " if what else "") + text


def cmd_scenarios(args) -> int:
    import shutil
    import textwrap

    entries = list_library()
    width = max(len(name) for name, _ in entries)
    columns = max(shutil.get_terminal_size((100, 20)).columns, 60)
    for name, description in entries:
        lines = textwrap.wrap(description, width=columns - width - 2) or [""]
        print(f"{name:<{width}}  {lines[0]}")
        for line in lines[1:]:
            print(" " * (width + 2) + line)
    return 0


def cmd_validation(args) -> int:
    from .runs.validation import check
    from .runs.validation_2025 import failures, write_report

    runs, episode = write_report(args.out, args.seeds)
    for seed, metrics in runs:
        failed = [band.key for band, _, ok in check(metrics) if not ok]
        print(f"crisis_2010 seed {seed}: {'all bands hold' if not failed else 'outside: ' + ', '.join(failed)}")
    for seed, failed in failures(episode).items():
        print(f"2025-26 seed {seed}: {'all bands hold' if not failed else 'outside: ' + ', '.join(failed)}")
    print(f"report: {args.out}")
    return 0


def cmd_sweep(args) -> int:
    from .runs.sweep import SweepInterrupted, dry_run, run_sweep

    if args.dry_run:
        print(dry_run(args.file))
        return 0
    out = args.out or Path("sweeps") / args.file.stem
    try:
        table = run_sweep(
            args.file,
            out,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            retry_failed=args.retry_failed,
            progress=not args.quiet and sys.stderr.isatty(),
        )
    except SweepInterrupted as stop:
        import shlex

        again = ["ree", "sweep", str(args.file), "--out", str(out), "--resume"]
        again += ["--scheduler", args.scheduler] if args.scheduler else []
        print(
            f"ree: interrupted: {stop.kept} of {stop.total} runs kept in {out}; resume with: {shlex.join(again)}",
            file=sys.stderr,
        )
        return 130
    if not args.quiet:
        failed = int((table["status"] != "ok").sum()) if len(table) else 0
        print(f"{len(table)} runs ({failed} failed): {out / 'results.parquet'}")
    return 0


def cmd_sweep_report(args) -> int:
    from .runs.sweep_report import write_report

    print(f"report: {write_report(args.folder)}")
    return 0


def cmd_sweep_discover(args) -> int:
    from .runs.discover import discover

    print(discover(args.folder, args.outcome, args.above, args.below, args.density, args.boxes))
    return 0


def cmd_ui(args) -> int:
    if not 0 <= args.port <= 65535:
        raise ScenarioError("ree ui", "--port", f"{args.port} is not a port number (0-65535)")
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: a port in TIME_WAIT is free
        try:
            probe.bind(("127.0.0.1", args.port))
        except OSError:
            raise ScenarioError(
                "ree ui",
                "--port",
                f"{args.port} is in use (another ree ui?); choose another with --port N, or --port 0 for any free port",
            ) from None
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    import warnings

    # Solara warns on every page load served to 127.0.0.1 over http that it falls back to samesite=lax
    # cookies, which is what a local server wants: keep the log for real problems.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)
    from solara.__main__ import cli  # the app module (ui.app) links the offline chart assets as it loads

    cli.main(
        [
            "run",
            "ui.app",
            "--host",
            "127.0.0.1",
            "--port",
            str(args.port),
            "--production",
            "--no-open",
            "--no-check-version",
        ],
        prog_name="ree ui",
        standalone_mode=False,
    )
    return 0


def cmd_classroom(args) -> int:
    from .game.commands import run

    if args.classroom_command != "serve":
        return run(args)
    # the command line puts the server and its pages together: sim.game names nothing of ui
    from ui.classroom.mount import mount

    return run(args, pages=mount)


def cmd_why(args) -> int:
    from .runs.why_cli import run

    return run(args)


COMMANDS = {
    "classroom": cmd_classroom,
    "why": cmd_why,
    "sweep-report": cmd_sweep_report,
    "sweep-discover": cmd_sweep_discover,
    "run": cmd_run,
    "validate": cmd_validate,
    "scenarios": cmd_scenarios,
    "validation": cmd_validation,
    "sweep": cmd_sweep,
    "ui": cmd_ui,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ScenarioError as err:
        print(err, file=sys.stderr)
        return 2
    except GameError as err:
        print(f"ree: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ree: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug, not the user's input: say so in one line, traceback on request
        if os.environ.get("REE_DEBUG"):
            raise
        print(f"ree: internal error: {type(err).__name__}: {err} (set REE_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
