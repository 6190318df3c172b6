"""The stages of one pipeline run; the Airflow DAG wires them, one task each.

discover -> erase -> ingest -> gate_raw -> dbt_build -> gate_marts -> publish, and a teardown
(`finish`) that records a run that did not publish and removes the run's folder. `report` is
the task of the DAG `learnloop_weekly_report`, which the published-warehouse Asset starts
after every publish.

Each stage takes what earlier stages returned and returns its own result: small JSON-able
values that Airflow hands on as XComs (the run's key, folder and database; the landed files;
ingest's counts; the gates' expectation results; the published file). The run log is written
from them: by `publish` for a run that publishes, by `finish` (from RunResults) for one that
does not, after rolling the run back (learnloop.build). The run's folder holds data only: the
copies of the landed files and dbt's work folder (and a forget run's copy of the database).

A stage that fails says why in one line: to the command line at once (progress), and to
`finish` as a failure record (`describe_failure`), which the DAG keeps as the task's
`failure` XCom.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from learnloop import build, progress, run_lock, run_log
from learnloop.classifier.summary import classifier_summary
from learnloop.config import Config, load_config
from learnloop.db import connect
from learnloop.errors import ConfigError, GateFailed, LearnLoopError, disk_full, one_line_reason
from learnloop.gates.checks import GateParameters
from learnloop.ingest.discover import LandedFile, scan_landing
from learnloop.ingest.keeping import NotArchived, archive_landed
from learnloop.ingest.loader import load_files
from learnloop.learning_summary import learning_issues
from learnloop.paths import Home
from learnloop.workspaces import SINGLE_HOME, workspace_names

log = logging.getLogger(__name__)

STOPPED_BEFORE_PUBLISHING = "the run stopped before publishing (see the Airflow task log)"
INTERRUPTED = "the run was interrupted before it finished (killed, or its teardown failed)"
REPORT = "report"  # the task of learnloop_weekly_report, after the learnloop DAG's stages
AGENCY = "agency"  # the task after every workspace's stages (learnloop.agency)
TASKS = tuple(t for t in progress.STAGES if t != REPORT)  # the learnloop DAG's, in run order

Run = dict[str, str]  # build.RunContext.as_dict(): how a run travels between tasks
Checks = list[dict[str, Any]]  # the gates' expectation results, as the run log keeps them


def _context(run: Run) -> build.RunContext:
    return build.RunContext(**run)


def _workspace(run: Run) -> str:
    return run.get("workspace", SINGLE_HOME)


def _config(run: Run) -> Config:
    """The configuration of the run's workspace (of LEARNLOOP_HOME without workspaces)."""
    return load_config(_home(_workspace(run)))


def _home(workspace: str) -> Home:
    return Home.from_environment().workspace(workspace)


@contextlib.contextmanager
def _stage(task: str, workspace: str = SINGLE_HOME) -> Iterator[None]:
    """Run a stage's body for a workspace; on failure report its one-line reason, then
    re-raise it (a full disk as DiskFull, so that the DAG does not retry what a retry cannot
    fix)."""
    with progress.in_workspace(workspace):
        try:
            yield
        except Exception as exc:
            failure = disk_full(exc) or exc
            progress.failed(progress.STAGES.get(task, task), one_line_reason(failure))
            if failure is exc:
                raise
            raise failure from exc


def plan_workspaces(*, forgetting: bool = False) -> list[str]:
    """The workspaces this DAG run processes, checked before any work: their names, or [""]
    for a home without workspaces. Refused while a command holds the home's run lock (a task
    started by a scheduler; under `learnloop run` this process holds it)."""
    home = Home.from_environment()
    run_lock.run_key_for(home)
    names = all_workspaces()
    if forgetting and names != [SINGLE_HOME]:
        raise ConfigError(
            f"{home.workspaces}: an erasure works on one workspace: run `learnloop forget "
            "--workspace NAME` (its member keys are salted per workspace)"
        )
    return names


def all_workspaces() -> list[str]:
    """The workspaces of LEARNLOOP_HOME, or [""] for a home without workspaces."""
    return list(workspace_names(Home.from_environment())) or [SINGLE_HOME]


def describe_failure(task: str, exc: BaseException) -> dict[str, Any]:
    """How a stage failed, for `finish`: its stage, the run's status, the one-line reason and
    the results of a gate that stopped it."""
    outcomes = getattr(exc, "outcomes", None) or []
    return {
        "stage": progress.STAGES.get(task, task),
        "status": "gate_failed" if isinstance(exc, GateFailed) else "failed",
        "message": one_line_reason(exc),
        "gate_results": _plain([o.as_dict() for o in outcomes]),
    }


def _plain(records: list[dict[str, Any]]) -> Checks:
    """JSON-able as the run log stores them (an example value may be a date or a Decimal)."""
    return json.loads(json.dumps(records, default=str))


@dataclass(frozen=True)
class RunResults:
    """What the stages of a run returned, as `finish` gathers them (None: the stage did not
    finish), and the first stage failure, if any."""

    loaded: dict[str, int] | None = None  # ingest
    raw_checks: Checks | None = None  # gate_raw
    checks: Checks | None = None  # gate_marts: both gates' results
    published: str | None = None  # publish
    failure: dict[str, Any] | None = None  # describe_failure of the first stage that failed

    def gate_results(self) -> Checks:
        if self.checks is not None:
            return self.checks
        stopped = self.failure["gate_results"] if self.failure else []
        return [*(self.raw_checks or []), *stopped]


def discover_files(
    config: Config | None = None, *, landing: bool = True, workspace: str = SINGLE_HOME
) -> dict[str, Any]:
    """Start a run in a workspace: registered in its build database (a forget run, which
    loads nothing when `landing` is False, gets a copy of its own) and the landed files.
    Returns {"run": Run, "landed": [...]}.

    Under `learnloop run` the run key is the one its lock announces (on every workspace); a
    task started by a scheduler makes its own, after checking that no command holds the
    workspace. A run that fails here is logged here: it has no run for `finish`."""
    with _stage("discover", workspace):
        config = config or load_config(_home(workspace))
        run_key = run_lock.run_key_for(config.home) or run_lock.new_run_key()
        _clean_up_after_interrupted_runs(config)
        try:
            return _start(config, run_key, landing, workspace)
        except Exception as exc:
            _log_failed_start(config, run_key, exc)
            raise


def _start(config: Config, run_key: str, landing: bool, workspace: str) -> dict[str, Any]:
    context = build.start_run(config, run_key, private_copy=not landing, workspace=workspace)
    if not landing:
        progress.step("discover", "nothing is loaded in a forget run; landing/ waits")
        return {"run": context.as_dict(), "landed": []}
    found = scan_landing(
        config.home.landing,
        Path(context.run_dir) / "files",
        settle_seconds=config.landing.settle_seconds,
    )
    waiting = (
        f"; {len(found.waiting)} still changing, left for the next run" if found.waiting else ""
    )
    progress.step("discover", f"{len(found.files)} files in {config.home.landing}{waiting}")
    return {"run": context.as_dict(), "landed": [f.as_dict() for f in found.files]}


def _log_failed_start(config: Config, run_key: str, exc: Exception) -> None:
    """A run whose discover failed has no run for `finish`: remove its folder (first: it may
    be what fills the disk), roll it back and give it its run log row here."""
    shutil.rmtree(config.home.run_dir(run_key), ignore_errors=True)
    reason = one_line_reason(exc)
    try:
        build.roll_back(config.home.build_database)
        run_log.record_unfinished(config.home.build_database, run_key, "discover", reason)
    except Exception as error:  # the command that started the run tries again (run_ending)
        log.warning("could not log the failed run %s: %s", run_key, one_line_reason(error))


def _clean_up_after_interrupted_runs(config: Config) -> None:
    """Roll back the runs that never reached their teardown, remove what they left, and log
    them."""
    from learnloop.publish import discard_unpublished_snapshots

    interrupted = {f.name for f in build.run_folders(config.home) if f.is_dir()}
    interrupted.update(build.roll_back(config.home.build_database))
    leftovers = build.discard_leftovers(config) + discard_unpublished_snapshots(config.home)
    if leftovers:
        names = ", ".join(p.name for p in leftovers)
        log.warning("removed what %d interrupted run step(s) left: %s", len(leftovers), names)
    for run_key in sorted(interrupted):
        try:
            run_log.record_unfinished(config.home.build_database, run_key, None, INTERRUPTED)
        except Exception as exc:  # the log is a record, not a reason to stop this run
            log.warning("could not log the interrupted run %s: %s", run_key, one_line_reason(exc))


def erase(run: Run, member_key: str, platform: str | None = None) -> dict[str, Any]:
    """A forget run's first step: the member out of the run's raw tables and the kept files."""
    from learnloop.forget import erase_member

    with _stage("erase", _workspace(run)):
        erasure = erase_member(_context(run), _config(run), member_key, platform)
        progress.step("erase", erasure.summary())
        return erasure.as_dict()


def ingest(run: Run, landed: list[dict[str, Any]]) -> dict[str, int]:
    with _stage("ingest", _workspace(run)):
        config = _config(run)
        context = _context(run)
        files = [LandedFile.from_dict(f) for f in landed]
        with connect(context.database_path) as con:
            summary = load_files(con, files, config, context.run_key).as_dict()
        progress.step(
            "ingest",
            f"{summary['loaded']} loaded, {summary['duplicate']} duplicate, "
            f"{summary['quarantined']} quarantined, {summary['rows']} rows",
        )
        return summary


def _gate_parameters(context: build.RunContext, config: Config) -> GateParameters:
    now = datetime.now(UTC)
    local_today = now.astimezone(ZoneInfo(config.timezone)).date()
    with connect(context.database_path) as con:
        previous = run_log.last_published_interactions(con)
    return GateParameters(
        run_key=context.run_key,
        now=now,
        current_week_start=local_today - timedelta(days=local_today.weekday()),
        future_tolerance_minutes=config.gates.future_tolerance_minutes,
        max_volume_drop=config.gates.max_volume_drop,
        previous_interactions=previous,
        earliest_allowed=datetime(config.gates.earliest_year, 1, 1, tzinfo=UTC),
    )


def _run_gate(gate: str, run: Run) -> Checks:
    from learnloop.gates.runner import run_gate

    context = _context(run)
    outcomes = run_gate(gate, context.database_path, _gate_parameters(context, _config(run)))
    progress.step(f"gate {gate}", f"{len(outcomes)} expectations passed")
    return _plain([o.as_dict() for o in outcomes])


def gate_raw(run: Run) -> Checks:
    """The raw gate on the rows this run loaded; its expectation results."""
    with _stage("gate_raw", _workspace(run)):
        return _run_gate("raw_batch", run)


def dbt_build(
    run: Run, *, full_refresh: bool = False, erased: dict[str, Any] | None = None
) -> None:
    """dbt over the run's database; in full when asked (`learnloop run --full-refresh`) and
    after an erasure: incremental models only add rows, the erased ones leave only then."""
    from learnloop.transform import build_models

    with _stage("dbt_build", _workspace(run)):
        config = _config(run)
        context = _context(run)
        build.models_touched(context, config.home)
        full_refresh = build_models(
            context.database_path,
            config,
            Path(context.run_dir) / "dbt",
            full_refresh=full_refresh or erased is not None,
        )
        mode = "full refresh" if full_refresh else "incremental"
        with connect(context.database_path) as con:
            issues = learning_issues(con)
            classifier = classifier_summary(con, full_refresh)
        details = "; ".join(part for part in (classifier, issues) if part)
        progress.step(
            "dbt build",
            f"models and data tests passed ({mode})" + (f"; {details}" if details else ""),
        )


def gate_marts(run: Run, raw_checks: Checks) -> Checks:
    """The mart gate on what dbt built; both gates' expectation results."""
    with _stage("gate_marts", _workspace(run)):
        return [*raw_checks, *_run_gate("marts", run)]


def publish(
    run: Run,
    landed: list[dict[str, Any]],
    loaded: dict[str, int],
    checks: Checks,
    erased: dict[str, Any] | None = None,
) -> str:
    """Log the run, publish, promote the run's database, then archive what it processed.

    Files that cannot be archived do not undo a publish: they stay in landing/, named in the
    run log (later runs meet them as duplicates and try again). After an erasure the run's
    database is rewritten first (DuckDB keeps deleted values in free blocks) and the older
    snapshots go: each holds the member, and a rollback must not bring them back."""
    from learnloop import forget
    from learnloop import publish as publishing

    with _stage("publish", _workspace(run)):
        config = _config(run)
        context = _context(run)
        with connect(context.database_path) as con:
            record = _run_record(context, con, "published", loaded, checks, published=True)
            run_log.write(con, record)
        if erased is not None:
            forget.compact(context.database_path)
        published = publishing.publish(context, config, afresh=erased is not None)
        build.promote(context, config)
        details = [str(published)]
        if erased is not None:
            removed = forget.remove_older_snapshots(config.home, published)
            details.append(f"older snapshots removed: {removed}")
        files = [LandedFile.from_dict(f) for f in landed]
        not_archived = archive_landed(files, config.home, context.run_key)
        if not_archived:
            problem = _not_archived_problem(not_archived)
            log.warning("run %s published, but %s", context.run_key, problem)
            with connect(config.home.build_database) as con:
                run_log.add_problem(con, context.run_key, None, problem)
            details.append(problem)
        progress.step("publish", "; ".join(details))
        return str(published)


def _not_archived_problem(not_archived: list[NotArchived]) -> str:
    count = len(not_archived)
    files = ", ".join(str(n) for n in not_archived)
    if count == 1:
        return f"1 landed file could not be archived and stays in landing/: {files}"
    return f"{count} landed files could not be archived and stay in landing/: {files}"


def report(workspace: str = SINGLE_HOME) -> str | None:
    """A workspace's weekly report from its published warehouse, and the optional mail of
    the last complete week ([delivery] in its config; once per week)."""
    from learnloop.report import write_report
    from learnloop.report.delivery import deliver_last_week

    with _stage(REPORT, workspace):
        config = load_config(_home(workspace))
        path = write_report(config)
        mailed = deliver_last_week(config)
        detail = str(path) if path else "no published data yet"
        progress.step(REPORT, detail + (f"; mailed {mailed}" if mailed else ""))
        return str(path) if path else None


def finish(run: Run | None, results: RunResults, workspace: str = SINGLE_HOME) -> dict[str, Any]:
    """Teardown: roll back a run that did not publish and log it (or log what failed after a
    publish) into the build database, and drop the run's folder. When that cannot be written
    (a full disk), the folder goes first and it is tried once more: its copies of the landed
    files may be what fills the disk, and must not stay behind in any case.

    Without a run discover failed, and logged the run itself. Returns the workspace's
    outcome (`outcome`), for the tasks that follow all workspaces."""
    result = outcome(workspace, results)
    if not run:
        return result
    context = _context(run)
    try:
        build_database = _config(run).home.build_database
        log_run = _teardown_log(context, results)

        def tear_down() -> None:
            if results.published is None:
                build.roll_back(build_database)  # what it loaded is not built on
            if log_run is not None:
                log_run(build_database)

        try:
            tear_down()
        except Exception as exc:
            reason = one_line_reason(exc)
            log.warning("run %s: %s; trying again without its folder", context.run_key, reason)
            build.discard(context)
            tear_down()
    finally:
        build.discard(context)
    return result


def outcome(workspace: str, results: RunResults) -> dict[str, Any]:
    """A workspace's part of the DAG run: {"workspace", "published" (the file, or None),
    "status" ("published", "gate_failed", "failed"), "stage", "message"}."""
    if results.published is not None:
        return {
            "workspace": workspace,
            "published": results.published,
            "status": "published",
            "stage": None,
            "message": None,
        }
    failure = results.failure or {}
    return {
        "workspace": workspace,
        "published": None,
        "status": failure.get("status", "failed"),
        "stage": failure.get("stage"),
        "message": failure.get("message", STOPPED_BEFORE_PUBLISHING),
    }


def agency(names: list[str]) -> str | None:
    """After every workspace's run: the agency view over their published warehouses (each
    workspace's last published file; one whose gate stopped it this time keeps its previous
    one). None in a home without workspaces."""
    from learnloop.agency import publish_agency

    if names == [SINGLE_HOME]:
        return None
    with _stage(AGENCY):
        config = load_config()  # the top-level home's: [publish], [performance]
        view = publish_agency(config, names)
        progress.step(AGENCY, view.summary())
        return str(view.path)


def summary(names: list[str], outcomes: list[dict[str, Any]]) -> list[str]:
    """The run's ending: the workspaces that published; GateFailed (when gates stopped all
    that did not) or LearnLoopError naming each workspace that did not, and why. A workspace
    without an outcome is one whose teardown did not finish."""
    known = {o["workspace"] for o in outcomes}
    lost = [{**outcome(n, RunResults()), "message": INTERRUPTED} for n in names if n not in known]
    outcomes = [*outcomes, *lost]
    stopped = [o for o in outcomes if not o["published"]]
    if not stopped:
        return [o["workspace"] for o in outcomes]
    error = GateFailed if all(o["status"] == "gate_failed" for o in stopped) else LearnLoopError
    raise error(describe_outcomes(outcomes))


def describe_outcomes(outcomes: list[dict[str, Any]]) -> str:
    """One line: which workspaces did not publish, where they stopped and why."""
    stopped = [o for o in outcomes if not o["published"]]
    reasons = "; ".join(
        f"{o['workspace'] or 'the run'} stopped in {o['stage'] or 'an unknown stage'}: "
        f"{o['message']}"
        for o in stopped
    )
    if outcomes == stopped and len(outcomes) == 1:
        return f"nothing was published: {reasons}"
    return f"{len(outcomes) - len(stopped)} of {len(outcomes)} workspaces published; {reasons}"


def _teardown_log(context: build.RunContext, results: RunResults) -> Callable[[Path], None] | None:
    """What finish writes into the run log, as a function of the build database (None:
    nothing, the run published: `publish` is the last stage and logged it)."""
    if results.published is not None:
        return None
    failure = results.failure
    status, message, stage = "failed", STOPPED_BEFORE_PUBLISHING, None
    if failure is not None:
        status, message, stage = failure["status"], failure["message"], failure["stage"]
    record = _run_record(
        context,
        None,
        status,
        results.loaded,
        results.gate_results(),
        published=False,
        message=message,
        failed_stage=stage,
    )

    def write(build_database: Path) -> None:
        with connect(build_database) as con:
            run_log.write(con, record)
        log.warning("run %s did not publish: %s", context.run_key, message)

    return write


def _run_record(
    context: build.RunContext,
    con: Any,
    status: str,
    loaded: dict[str, int] | None,
    checks: Checks,
    *,
    published: bool,
    message: str | None = None,
    failed_stage: str | None = None,
) -> run_log.RunRecord:
    finished = datetime.now(UTC)
    interactions = newest = freshness = None
    if con is not None:
        interactions, newest = con.execute(
            "SELECT count(*), max(created_at) FROM analytics.interactions"
        ).fetchone()
        if newest is not None:
            freshness = (finished - newest).total_seconds() / 3600
    return run_log.RunRecord(
        run_key=context.run_key,
        started_at=datetime.fromisoformat(context.started_at),
        finished_at=finished,
        status=status,
        published=published,
        files=loaded or {},
        interactions=interactions,
        newest_interaction_at=newest,
        freshness_hours=freshness,
        gate_results=checks,
        message=message,
        failed_stage=failed_stage,
    )
