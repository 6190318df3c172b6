"""How `learnloop run` ends: this run's outcome in one line and an exit code.

Read from this run's own row of the run log (by its run key, never "the newest row", which
may be an earlier run's), from what its stages reported while it ran and from the state of
its DAG runs (the report DAG's after a publish). A run that could not write its own row (a
crash before its teardown, a full disk) is rolled back and logged here, and its folder
removed: a failed run must show in run_log and leave nothing behind.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from learnloop import build, progress, run_log
from learnloop.airflow_runner import DagRunResult
from learnloop.errors import one_line_reason
from learnloop.paths import Home
from learnloop.workspaces import SINGLE_HOME

EXIT_FAILED = 1
EXIT_GATE_FAILED = 3
AGENCY_TASK = "agency"
# Tasks of the whole run, not of one workspace: `summary` fails whenever a workspace did not
# publish, which each workspace's own ending already says; the agency view is said apart.
RUN_WIDE_TASKS = ("workspaces", AGENCY_TASK, "summary")


@dataclass(frozen=True)
class Ending:
    exit_code: int
    line: str | None  # for stderr; None when the progress lines said everything


def end_of_run(
    home: Home, run_key: str, result: DagRunResult, failures: list[tuple[str, str]]
) -> Ending:
    """`failures`: (stage, one-line reason) as the stages reported them, first failure first."""
    row = _row(home, run_key)
    first_stage, first_reason = failures[0] if failures else (None, None)
    stage = (row.failed_stage if row else None) or first_stage or _first_failed_task(result)
    where = f"run {run_key}; log: {result.log_file}"

    if row is not None and row.published:
        problems = [row.message] if row.message else []  # e.g. files it could not archive
        if not result.succeeded:  # after the publish: the report DAG (or the teardown) failed
            problems.append(f"{stage} failed: {first_reason or 'see the log'}")
        if not problems:
            return Ending(0, None)
        code = 0 if result.succeeded else EXIT_FAILED
        return Ending(code, f"published {home.published}, but {'; '.join(problems)} ({where})")

    reason = (row.message if row else None) or first_reason
    reason = reason or f"the DAG run ended {result.state} without saying why"
    unlogged = "" if row is not None else _log_unfinished_run(home, run_key, stage, reason)
    code = EXIT_GATE_FAILED if row is not None and row.status == "gate_failed" else EXIT_FAILED
    return Ending(
        code,
        f"run {run_key} stopped in {stage or 'an unknown stage'}: {reason}; nothing was "
        f"published, the previous published warehouse stays{unlogged} ({where})",
    )


def _row(home: Home, run_key: str) -> run_log.Outcome | None:
    try:
        return run_log.outcome(home.build_database, run_key)
    except Exception:  # an unreadable build database: the run is then logged as unfinished
        return None


def _first_failed_task(result: DagRunResult) -> str | None:
    if not result.failed_tasks:
        return None
    task = result.failed_tasks[0]
    return progress.STAGES.get(task, task)


def _log_unfinished_run(home: Home, run_key: str, stage: str | None, reason: str) -> str:
    """Remove the run's folder (first: it may be what fills the disk), roll the run back, then
    give it its row in the run log; the text to add to the ending when that failed too."""
    shutil.rmtree(home.run_dir(run_key), ignore_errors=True)
    try:
        build.roll_back(home.build_database)
        run_log.record_unfinished(home.build_database, run_key, stage, reason)
    except Exception as exc:
        return f"; it could not be written to the run log either ({one_line_reason(exc)})"
    return ""


def end_of_workspaces(
    home: Home,
    names: tuple[str, ...],
    run_key: str,
    result: DagRunResult,
    failures: dict[str, list[tuple[str, str]]],
) -> Ending:
    """The ending of a run over workspaces: each workspace's own ending (from its run log
    row, its failures and its tasks), one line each for those that did not end cleanly,
    then one line for the run. Exit 0 when every workspace published, 3 when gates stopped
    the ones that did not, 1 when anything else failed (a stage, a report, the agency view)."""
    endings = {
        name: end_of_run(
            home.workspace(name),
            run_key,
            result.of_workspace(index, ignored=RUN_WIDE_TASKS),
            failures.get(name, []),
        )
        for index, name in enumerate(names)
    }
    lines = [f"[{name}] {ending.line}" for name, ending in endings.items() if ending.line]
    codes = {ending.exit_code for ending in endings.values()}
    if AGENCY_TASK in result.failed_tasks:
        reasons = failures.get(SINGLE_HOME, [])  # the agency step is no workspace's
        lines.append(
            f"the agency view was not published: {reasons[0][1] if reasons else 'see the log'}"
        )
        codes.add(EXIT_FAILED)
    stopped = [name for name in names if not _published(home.workspace(name), run_key)]
    if lines:
        who = f"; not published: {', '.join(stopped)}" if stopped else ""
        lines.append(
            f"{len(names) - len(stopped)} of {len(names)} workspaces published{who} "
            f"(run {run_key}; log: {result.log_file})"
        )
    code = EXIT_FAILED if EXIT_FAILED in codes else max(codes)
    return Ending(code, "\n".join(lines) if lines else None)


def _published(home: Home, run_key: str) -> bool:
    row = _row(home, run_key)
    return row is not None and row.published
