"""The `learnloop` command line: run, demo, inspect, report, rollback, forget.

`run`, `demo` and `forget` run the `learnloop` Airflow DAG in process (and, after a publish,
`learnloop_weekly_report`, as its Asset would under a scheduler); their options reach the
first as the DAG run's params. Errors are one line and an exit code, never a traceback: 1
for bad input, a failed run or a full disk, 2 for bad configuration or usage, 3 when a
quality gate stopped the publish, 75 when another run holds the home (run, demo, forget and
rollback take its lock).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from learnloop import __version__, progress, run_lock
from learnloop.config import PLATFORMS, Config, load_config
from learnloop.dag_ids import FULL_REFRESH_PARAM
from learnloop.errors import ConfigError, LearnLoopError, disk_full, one_line_reason
from learnloop.paths import Home
from learnloop.process_exit import exit_without_teardown
from learnloop.workspaces import SINGLE_HOME, check_name, label, workspace_names

DEMO_CONFIG = """\
# Written by `learnloop demo` for the bundled samples (sample_data/).
timezone = "Europe/Berlin"

[brand]
youtube = ["UCx9LearnLoopDemoChan01A"]
instagram = ["nordlichtbikes"]

[privacy]
publish_handles = false
publish_private_text = false
"""
# The stages a command's progress lines count: only a forget run erases.
RUN_STAGES = tuple(name for task, name in progress.STAGES.items() if task != "erase")
FORGET_STAGES = tuple(progress.STAGES.values())


def entry_point() -> NoReturn:
    """`learnloop` and `python -m learnloop.cli`: `main()`, then an exit without the
    interpreter's teardown (learnloop/process_exit.py)."""
    exit_without_teardown(main())


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.handler(args) or 0)
    except LearnLoopError as exc:
        print(f"learnloop {args.command}: {one_line_reason(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"learnloop {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the promise: no tracebacks for users; the details go to a file
        full = disk_full(exc)
        if full is not None:  # not a bug: no crash log (there may be no room for one)
            print(f"learnloop {args.command}: {full}", file=sys.stderr)
            return full.exit_code
        crash_log = _write_crash_log()
        where = f"details in {crash_log}" if crash_log else "the crash log could not be written"
        print(f"learnloop {args.command}: {one_line_reason(exc)} ({where})", file=sys.stderr)
        return 1


@dataclass(frozen=True)
class _Command:
    """One subcommand: what `learnloop --help` and `learnloop NAME --help` say, the function
    that runs it, and its options as (flags, add_argument keywords)."""

    name: str
    help: str
    description: str
    handler: Callable[[argparse.Namespace], int]
    arguments: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = ()


def _arg(*flags: str, **options: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    return flags, options


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="learnloop",
        description=(
            "What did we learn from our community last week, and how did that knowledge flow "
            "into our work? LearnLoop loads social exports from LEARNLOOP_HOME/landing into "
            "DuckDB, builds the KPIs with dbt, gates them with Great Expectations and "
            "publishes LEARNLOOP_HOME/warehouse/learnloop.duckdb for BI tools."
        ),
        epilog="LEARNLOOP_HOME defaults to ./.learnloop; settings live in its learnloop.toml.",
    )
    parser.add_argument("--version", action="version", version=f"learnloop {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:  # the table at the end of this module
        subparser = subparsers.add_parser(
            command.name, help=command.help, description=command.description
        )
        for flags, options in command.arguments:
            subparser.add_argument(*flags, **options)
        subparser.set_defaults(handler=command.handler)
    return parser


def _run(args: argparse.Namespace) -> int:
    config = load_config()
    names = workspace_names(config.home)  # checked before any work
    with run_lock.hold_workspaces(config.home, names, "run") as holder:
        conf = {FULL_REFRESH_PARAM: args.full_refresh}
        return _run_pipeline(config, holder.run_key, args.command, conf, workspaces=names)[0]


def _run_pipeline(
    config: Config,
    run_key: str,
    command: str,
    conf: Mapping[str, Any],
    stages: tuple[str, ...] = RUN_STAGES,
    workspaces: tuple[str, ...] = (),
) -> tuple[int, Mapping[str, Any]]:
    """One run of the DAG with `conf` as its params (and of the report DAG after a publish);
    the exit code and what their tasks returned."""
    from learnloop.airflow_runner import run_pipeline
    from learnloop.run_ending import RUN_WIDE_TASKS, end_of_run, end_of_workspaces

    failures: dict[str, list[tuple[str, str]]] = {}

    def show(stage: str, detail: str) -> None:
        number = f"[{stages.index(stage) + 1}/{len(stages)}]" if stage in stages else ""
        line = f"  {label(progress.workspace())}{number:>5} {stage:<15} {detail}"
        print(line, file=sys.__stdout__, flush=True)

    def failed(stage: str, reason: str) -> None:
        failures.setdefault(progress.workspace(), []).append((stage, reason))

    progress.set_sink(show, failed)
    print(f"LearnLoop run {run_key} on {config.home.root}", flush=True)
    if workspaces:
        print(f"  workspaces: {', '.join(workspaces)}", flush=True)
    try:
        result = run_pipeline(config, run_key, conf)
    finally:
        progress.set_sink(None)
    if workspaces:
        ending = end_of_workspaces(config.home, workspaces, run_key, result, failures)
    else:
        alone = result.of_workspace(0, ignored=RUN_WIDE_TASKS)
        ending = end_of_run(config.home, run_key, alone, failures.get(SINGLE_HOME, []))
    if ending.line:
        for line in ending.line.splitlines():
            print(f"learnloop {command}: {line}", file=sys.stderr)
    return ending.exit_code, result.returns


def _demo(args: argparse.Namespace) -> int:
    from learnloop.paths import SAMPLE_DATA_DIR
    from learnloop.report import iso_week_label, latest_week, summary_table

    home = Home.from_environment()
    if home.workspaces.exists():
        raise ConfigError(
            f"{home.workspaces}: the demo runs on a home without workspaces; "
            "point LEARNLOOP_HOME at a new folder"
        )
    home.root.mkdir(parents=True, exist_ok=True)
    with run_lock.hold(home, "demo") as holder:
        if not home.config_file.exists():
            home.config_file.write_text(DEMO_CONFIG, encoding="utf-8")
        config = load_config(home)
        target = config.home.landing / "sample_data"
        for source in sorted(SAMPLE_DATA_DIR.rglob("*")):
            if source.is_file() and source.suffix in {".csv", ".json", ".jsonl", ".zip"}:
                destination = target / source.relative_to(SAMPLE_DATA_DIR)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination)
        code, _ = _run_pipeline(config, holder.run_key, args.command, {FULL_REFRESH_PARAM: False})
    if code != 0:
        return code
    published = config.home.published
    week = latest_week(published)
    print(f"\nPublished warehouse: {published}")
    if week is not None:
        print(f"\nWeek {iso_week_label(week)} (from {week}), how well we listened:\n")
        print(summary_table(published, week))
    print(f"\nOpen it read-only: duckdb -readonly {published}")
    if week is not None:
        report = config.home.reports / iso_week_label(week) / "index.html"
        print(f"Weekly learning report (open in a browser): {report}")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from learnloop.inspection import inspect_file

    config = _config_of(args)
    unreadable = 0
    for path in args.files:
        for line, ok in inspect_file(path, config):
            print(line)
            unreadable += 0 if ok else 1
    return 1 if unreadable else 0


def _report(args: argparse.Namespace) -> int:
    from learnloop.report import parse_iso_week, write_report

    config = _config_of(args)
    week = parse_iso_week(args.week) if args.week else None
    written = write_report(config, week)
    if written is None:
        print(
            f"learnloop report: nothing published yet in {config.home.published}", file=sys.stderr
        )
        return 1
    print(f"Wrote {written}")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from learnloop.publish import rollback

    config = _config_of(args)
    with run_lock.hold(config.home, "rollback"):
        restored = rollback(config)
    print(f"Re-published {restored.name} as {config.home.published}")
    return 0


def _forget(args: argparse.Namespace) -> int:
    from learnloop import forget
    from learnloop.publish import snapshots

    config = _config_of(args)
    if args.print_conf:  # no work here: the scheduler's run does it, under its own rules
        print(json.dumps(forget.erasure_request(config, args.member, args.platform)))
        return 0
    with run_lock.hold(config.home, "forget") as holder:
        conf = forget.erasure_request(config, args.member, args.platform)
        before = set(snapshots(config.home.snapshots))
        code, returns = _run_pipeline(
            config, holder.run_key, args.command, conf, stages=FORGET_STAGES
        )
    if code != 0:
        return code
    removed = len(before - set(snapshots(config.home.snapshots)))
    print("Erased the member:")
    # The one workspace's values (map index 0) of the mapped tasks.
    erased, published = returns["erase"][0], returns["publish"][0]
    for line in forget.report_lines(erased, removed, published):
        print(f"  {line}")
    return 0


def _config_of(args: argparse.Namespace) -> Config:
    """The configuration the command works on: of `--workspace NAME` (which a home with
    workspaces needs), else of LEARNLOOP_HOME. A workspace is a home of its own: a command
    on it runs as on a home without workspaces, under the workspace's run lock."""
    home = Home.from_environment()
    names = workspace_names(home)
    name = getattr(args, "workspace", None)
    if name is None:
        if names:
            raise ConfigError(
                f"{home.workspaces}: this home has workspaces ({', '.join(names)}); "
                "name one with --workspace NAME"
            )
        return load_config(home)
    if name not in names:
        check_name(name)
        known = ", ".join(names) or "none"
        raise ConfigError(f"--workspace {name}: no such workspace in {home.workspaces} ({known})")
    return load_config(home.workspace(name))


WORKSPACE_OPTION = _arg(
    "--workspace",
    metavar="NAME",
    help="in a home with workspaces: the workspace (LEARNLOOP_HOME/workspaces/NAME/) to work on",
)


def _write_crash_log() -> Path | None:
    """The traceback for a bug report; None when it cannot be written (a full disk must not
    turn one line into a chain of tracebacks)."""
    try:
        folder = Home.from_environment().logs
        folder.mkdir(parents=True, exist_ok=True)
        crash_log = folder / "crash.log"
        crash_log.write_text(traceback.format_exc(), encoding="utf-8")
    except Exception:
        return None
    return crash_log


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _synth(args: argparse.Namespace) -> int:
    from datetime import date

    from learnloop.synth import SynthSpec, synthesize
    from learnloop.synth.generate import DEFAULT_START

    try:
        start = date.fromisoformat(args.start) if args.start else DEFAULT_START
    except ValueError as exc:
        raise LearnLoopError(f"--start: {args.start!r} is not a date like 2025-01-06") from exc
    spec = SynthSpec(args.interactions, args.weeks, args.out, start=start, seed=args.seed)
    summary = synthesize(spec)
    by_format = ", ".join(f"{k} {v}" for k, v in summary.interactions_by_format.items())
    print(
        f"{summary.interactions} interactions in {summary.threads} threads ({by_format}), "
        f"{summary.files} files in {args.out}"
    )
    return 0


# The subcommands, in the order `learnloop --help` lists them.
COMMANDS: tuple[_Command, ...] = (
    _Command(
        "run",
        help="one pipeline run over landing/, through the Airflow DAG in process",
        description=(
            "Run the `learnloop` Airflow DAG once, in process: discover -> ingest -> raw gate "
            "-> dbt build -> mart gate -> publish; after a publish, the DAG its Asset "
            "triggers, learnloop_weekly_report (report). Exit 0 when published, 3 when a "
            "quality gate stopped the publish (the previous published warehouse stays), 1 when "
            "another stage failed (or the report failed after publishing), 75 when another run "
            "holds LEARNLOOP_HOME. The last line names the run, the stage and the file. Airflow's "
            "log of each run is in logs/runs/<run key>.log. In a home with workspaces "
            "(LEARNLOOP_HOME/workspaces/<name>/) it runs every workspace, publishes the agency "
            "view warehouse/agency.duckdb, and names each workspace that did not publish; "
            "exit 0 when all published, 3 when gates stopped the others, 1 when anything "
            "else failed."
        ),
        handler=_run,
        arguments=(
            _arg(
                "--full-refresh",
                action="store_true",
                help=(
                    "rebuild every incremental dbt model from all loaded data instead of adding "
                    "what this run loaded (the DAG param full_refresh; the same as [performance] "
                    "full_refresh = true for one run; done by itself after an upgrade or a "
                    "change of brand accounts or privacy settings)"
                ),
            ),
        ),
    ),
    _Command(
        "demo",
        help="run the pipeline on the bundled sample exports (what `make demo` runs)",
        description=(
            "Copy sample_data/ into landing/ (writing a demo learnloop.toml if there is none), "
            "run the pipeline and print where the published warehouse and report are."
        ),
        handler=_demo,
    ),
    _Command(
        "inspect",
        help="say which format each file is and how many rows it yields; loads nothing",
        description="Recognise each file's export format by content and count its rows.",
        handler=_inspect,
        arguments=(_arg("files", nargs="+", type=Path, metavar="FILE"), WORKSPACE_OPTION),
    ),
    _Command(
        "report",
        help="write the weekly learning report from the published warehouse",
        description=(
            "Write the weekly learning report for a week (default: the latest with messages) "
            "into LEARNLOOP_HOME/reports/<YYYY-Www>/: index.html (one self-contained page: "
            "what we learned, what we did with it, how well we listened, reach; each number "
            "with its change against the previous week and a 12-week chart), the data behind "
            "it as CSV (kpi_weekly.csv, unanswered.csv, quotes.csv) and summary.md. Language: "
            "[report] language in learnloop.toml (en, de) or LEARNLOOP_REPORT_LANGUAGE."
        ),
        handler=_report,
        arguments=(
            _arg("--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W44"),
            WORKSPACE_OPTION,
        ),
    ),
    _Command(
        "rollback",
        help="re-publish the previous snapshot of the published warehouse",
        description=(
            "Replace warehouse/learnloop.duckdb atomically with the snapshot published before "
            "it. The next `learnloop run` publishes from the build warehouse again."
        ),
        handler=_rollback,
        arguments=(WORKSPACE_OPTION,),
    ),
    _Command(
        "forget",
        help="erase a community member everywhere under LEARNLOOP_HOME (an erasure request)",
        description=(
            "A run of the `learnloop` Airflow DAG that erases instead of loading: delete the "
            "raw rows the member wrote (matched case-insensitively on their id, handle or "
            "name; a leading @ is ignored), replace mentions of them in other rows with "
            "[erased] and rewrite archived and quarantined files without them; then rebuild in "
            "full, gate, republish and remove the older snapshots, as a run does. Prints what "
            "it removed. Exit codes as for `run` (3: a gate stopped the republish; run it "
            "again once fixed). The DAG run's conf holds the member's salted key, never the "
            "handle. Stops at once (exit 75) while another run holds LEARNLOOP_HOME."
        ),
        handler=_forget,
        arguments=(
            WORKSPACE_OPTION,
            _arg(
                "--member",
                required=True,
                metavar="HANDLE_OR_ID",
                help="the member's handle or id",
            ),
            _arg("--platform", metavar="P", help=f"only on this platform ({', '.join(PLATFORMS)})"),
            _arg(
                "--print-conf",
                action="store_true",
                help=(
                    "print the DAG run's conf for this erasure and stop, to trigger it where a "
                    "scheduler runs the DAG: airflow dags trigger learnloop --conf "
                    '"$(learnloop forget --member M --print-conf)"'
                ),
            ),
        ),
    ),
    _Command(
        "synth",
        help="write synthetic exports in the real formats (for benchmarks and scale tests)",
        description=(
            "Write N synthetic interactions over W weeks as the exports people drop into "
            "landing/: inbox CSV, YouTube and Instagram API JSON, X tweet activity CSV, one "
            "file set per day in OUT/days/<YYYY-MM-DD>/, plus an insight register and GitHub "
            "issues in OUT/learning/. Threads of 1-8 messages, German and English, weekday and "
            "daytime peaks, brand replies after minutes to a day, a fifth unanswered; later "
            "days re-export earlier threads with their late replies. Seeded: the same "
            "arguments write byte-identical files. An earlier synth output in OUT is replaced."
        ),
        handler=_synth,
        arguments=(
            _arg("--interactions", type=_positive_int, required=True, metavar="N"),
            _arg("--weeks", type=_positive_int, required=True, metavar="W"),
            _arg("--out", type=Path, required=True, metavar="DIR"),
            _arg(
                "--start",
                metavar="YYYY-MM-DD",
                default=None,
                help="Monday of the first week (default 2025-01-06, fixed for reproducibility)",
            ),
            _arg("--seed", type=int, default=8, help="another seed, other data (default 8)"),
        ),
    ),
)


if __name__ == "__main__":
    entry_point()
