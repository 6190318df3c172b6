"""The stages of one pipeline run; the Airflow DAG wires them, one task each.

discover -> ingest -> gate_raw -> dbt_build -> gate_marts -> publish -> report, and a
teardown (`finish`) that records a run that did not publish and cleans the run's folder.
Stages pass a small JSON-able dict (the RunContext) and keep the rest in the run's folder.
A stage that fails says why in one line: to the command line at once (progress), and to
`finish` through the run's folder, which writes it into the run log.
"""

from __future__ import annotations

import contextlib
import json
import logging
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
from learnloop.errors import GateFailed, disk_full, one_line_reason
from learnloop.gates.checks import GateParameters
from learnloop.ingest.discover import LandedFile, scan_landing
from learnloop.ingest.keeping import NotArchived, archive_landed
from learnloop.ingest.loader import load_files
from learnloop.learning_summary import learning_issues

log = logging.getLogger(__name__)

LANDED_FILE = "landed.json"
INGEST_FILE = "ingest.json"
GATES_FILE = "gates.json"
FAILURE_FILE = "failure.json"
PUBLISHED_MARKER = "published"
STOPPED_BEFORE_PUBLISHING = "the run stopped before publishing (see the Airflow task log)"


def _context(data: dict[str, str]) -> build.RunContext:
    return build.RunContext(**data)


@dataclass
class _Stage:
    name: str
    run_dir: Path | None = None  # where `finish` finds the failure, once the run has a folder


@contextlib.contextmanager
def _stage(task: str, run_dir: str | None = None) -> Iterator[_Stage]:
    """Run a stage's body; on failure report and keep its one-line reason, then re-raise it
    (a full disk as DiskFull, so that the DAG does not retry what a retry cannot fix)."""
    stage = _Stage(progress.STAGES[task], Path(run_dir) if run_dir else None)
    try:
        yield stage
    except Exception as exc:
        failure = disk_full(exc) or exc
        reason = one_line_reason(failure)
        progress.failed(stage.name, reason)
        if stage.run_dir is not None:
            status = "gate_failed" if isinstance(failure, GateFailed) else "failed"
            _keep_failure(stage.run_dir, {"status": status, "stage": stage.name, "message": reason})
        if failure is exc:
            raise
        raise failure from exc


def _keep_failure(run_dir: Path, failure: dict[str, str]) -> None:
    """Best effort: the folder may be gone (a copy that did not fit) or the disk full."""
    with contextlib.suppress(OSError):
        if run_dir.is_dir():
            (run_dir / FAILURE_FILE).write_text(json.dumps(failure), encoding="utf-8")


def kept_failure(run_dir: Path) -> dict[str, str] | None:
    try:
        return json.loads((run_dir / FAILURE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def discover_files(config: Config | None = None) -> dict[str, str]:
    """Start a run: its own copy of the build database, and the list of landed files.

    Under `learnloop run` the run key is the one its lock announces; a task started by a
    scheduler makes its own, after checking that no command holds the home."""
    with _stage("discover") as stage:
        config = config or load_config()
        run_key = run_lock.run_key_for(config.home) or run_lock.new_run_key()
        stage.run_dir = config.home.run_dir(run_key)
        _clean_up_after_interrupted_runs(config)
        context = build.start_run(config, run_key)
        found = scan_landing(
            config.home.landing,
            Path(context.run_dir) / "files",
            settle_seconds=config.landing.settle_seconds,
        )
        listing = [f.as_dict() for f in found.files]
        (Path(context.run_dir) / LANDED_FILE).write_text(json.dumps(listing), encoding="utf-8")
        waiting = (
            f"; {len(found.waiting)} still changing, left for the next run" if found.waiting else ""
        )
        progress.step("discover", f"{len(found.files)} files in {config.home.landing}{waiting}")
        return context.as_dict()


def _clean_up_after_interrupted_runs(config: Config) -> None:
    """Remove what runs that never reached their teardown left, and log those runs."""
    from learnloop.publish import discard_unpublished_snapshots

    interrupted = {
        folder.name: kept_failure(folder)
        for folder in build.run_folders(config.home)
        if folder.is_dir()
    }
    leftovers = build.discard_leftovers(config) + discard_unpublished_snapshots(config.home)
    if leftovers:
        names = ", ".join(p.name for p in leftovers)
        log.warning("removed what %d interrupted run step(s) left: %s", len(leftovers), names)
    for run_key, failure in sorted(interrupted.items()):
        stage, reason = (failure["stage"], failure["message"]) if failure else (None, None)
        try:
            run_log.record_unfinished(
                config.home.build_database,
                run_key,
                stage,
                reason
                or "the run was interrupted before it finished (killed, or its teardown failed)",
            )
        except Exception as exc:  # the log is a record, not a reason to stop this run
            log.warning("could not log the interrupted run %s: %s", run_key, one_line_reason(exc))


def ingest(context_data: dict[str, str]) -> dict[str, int]:
    with _stage("ingest", context_data["run_dir"]):
        config = load_config()
        context = _context(context_data)
        listing = json.loads((Path(context.run_dir) / LANDED_FILE).read_text(encoding="utf-8"))
        files = [LandedFile.from_dict(f) for f in listing]
        with connect(context.database_path) as con:
            summary = load_files(con, files, config, context.run_key).as_dict()
        (Path(context.run_dir) / INGEST_FILE).write_text(json.dumps(summary), encoding="utf-8")
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


def _run_gate(gate: str, context_data: dict[str, str]) -> dict[str, int]:
    from learnloop.gates.runner import run_gate

    config = load_config()
    context = _context(context_data)
    gates_file = Path(context.run_dir) / GATES_FILE
    earlier = json.loads(gates_file.read_text(encoding="utf-8")) if gates_file.exists() else []

    def keep(outcomes: list[Any]) -> None:
        records = earlier + [o.as_dict() for o in outcomes]
        gates_file.write_text(json.dumps(records, default=str), encoding="utf-8")

    try:
        outcomes = run_gate(gate, context.database_path, _gate_parameters(context, config))
    except GateFailed as exc:
        keep(getattr(exc, "outcomes", []))
        raise
    keep(outcomes)
    progress.step(f"gate {gate}", f"{len(outcomes)} expectations passed")
    return {"expectations": len(outcomes)}


def gate_raw(context_data: dict[str, str]) -> dict[str, int]:
    with _stage("gate_raw", context_data["run_dir"]):
        return _run_gate("raw_batch", context_data)


def dbt_build(context_data: dict[str, str]) -> None:
    from learnloop.transform import build_models

    with _stage("dbt_build", context_data["run_dir"]):
        config = load_config()
        context = _context(context_data)
        full_refresh = build_models(context.database_path, config, Path(context.run_dir) / "dbt")
        mode = "full refresh" if full_refresh else "incremental"
        with connect(context.database_path) as con:
            issues = learning_issues(con)
            classifier = classifier_summary(con, full_refresh)
        details = "; ".join(part for part in (classifier, issues) if part)
        progress.step(
            "dbt build",
            f"models and data tests passed ({mode})" + (f"; {details}" if details else ""),
        )


def gate_marts(context_data: dict[str, str]) -> dict[str, int]:
    with _stage("gate_marts", context_data["run_dir"]):
        return _run_gate("marts", context_data)


def publish(context_data: dict[str, str]) -> str:
    """Publish, promote the run's database, then archive what it processed. Files that
    cannot be archived do not undo a publish: they stay in landing/, named in the run log
    (later runs meet them as duplicates and try again)."""
    from learnloop import publish as publishing

    with _stage("publish", context_data["run_dir"]):
        config = load_config()
        context = _context(context_data)
        with connect(context.database_path) as con:
            run_log.write(con, _run_record(context, con, "published", published=True))
        published = publishing.publish(context, config)
        build.promote(context, config)
        (Path(context.run_dir) / PUBLISHED_MARKER).touch()
        not_archived = _archive_processed_files(context, config)
        detail = str(published)
        if not_archived:
            problem = _not_archived_problem(not_archived)
            log.warning("run %s published, but %s", context.run_key, problem)
            with connect(config.home.build_database) as con:
                run_log.add_problem(con, context.run_key, None, problem)
            detail += f"; {problem}"
        progress.step("publish", detail)
        return str(published)


def _not_archived_problem(not_archived: list[NotArchived]) -> str:
    count = len(not_archived)
    files = ", ".join(str(n) for n in not_archived)
    if count == 1:
        return f"1 landed file could not be archived and stays in landing/: {files}"
    return f"{count} landed files could not be archived and stay in landing/: {files}"


def report(context_data: dict[str, str] | None = None) -> str | None:
    from learnloop.report import write_report

    with _stage("report", context_data["run_dir"] if context_data else None):
        config = load_config()
        path = write_report(config)
        progress.step("report", str(path) if path else "no published data yet")
        return str(path) if path else None


def deliver_report() -> str | None:
    """The weekly DAG's optional mail of the last complete week ([delivery] in the config)."""
    from learnloop.report.delivery import deliver_last_week

    page = deliver_last_week(load_config())
    return str(page) if page else None


def finish(context_data: dict[str, str] | None) -> None:
    """Teardown: log a run that did not publish (or whose report failed after publishing)
    into the build database, and drop the run's folder. When the log cannot be written (a
    full disk), the folder goes first and the log is tried once more: the run's copy of the
    build database is likely what fills the disk, and must not stay behind in any case.

    Without a context discover failed: the command that started the run, or the next run,
    logs it (run_ending, _clean_up_after_interrupted_runs)."""
    if not context_data:
        return
    context = _context(context_data)
    try:
        config = load_config()
        log_run = _teardown_log(context)  # reads the run's folder, so before it goes
        if log_run is None:
            return
        try:
            log_run(config.home.build_database)
        except Exception as exc:
            reason = one_line_reason(exc)
            log.warning("run %s: %s; trying again without its folder", context.run_key, reason)
            build.discard(context)
            log_run(config.home.build_database)
    finally:
        build.discard(context)


def _teardown_log(context: build.RunContext) -> Callable[[Path], None] | None:
    """What finish writes into the run log, as a function of the build database."""
    run_dir = Path(context.run_dir)
    failure = kept_failure(run_dir)
    if (run_dir / PUBLISHED_MARKER).exists():
        if failure is None:
            return None  # published, and nothing failed after that
        problem = f"{failure['stage']} failed: {failure['message']}"

        def add_problem(build_database: Path) -> None:
            with connect(build_database) as con:
                run_log.add_problem(con, context.run_key, failure["stage"], problem)

        return add_problem
    status, message, stage = "failed", STOPPED_BEFORE_PUBLISHING, None
    if failure is not None:
        status, message, stage = failure["status"], failure["message"], failure["stage"]
    record = _run_record(
        context, None, status, published=False, message=message, failed_stage=stage
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
    *,
    published: bool,
    message: str | None = None,
    failed_stage: str | None = None,
) -> run_log.RunRecord:
    run_dir = Path(context.run_dir)
    ingest_file, gates_file = run_dir / INGEST_FILE, run_dir / GATES_FILE
    files = json.loads(ingest_file.read_text(encoding="utf-8")) if ingest_file.exists() else {}
    gates = json.loads(gates_file.read_text(encoding="utf-8")) if gates_file.exists() else []
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
        files=files,
        interactions=interactions,
        newest_interaction_at=newest,
        freshness_hours=freshness,
        gate_results=gates,
        message=message,
        failed_stage=failed_stage,
    )


def _archive_processed_files(context: build.RunContext, config: Config) -> list[NotArchived]:
    """Processed files leave landing/ for archive/<run>/, kept as they were read; returns
    those that could not.

    Quarantined files already left; a zip stays whole in the archive even when one of its
    members was quarantined (that member's copy is in quarantine/)."""
    listing = json.loads((Path(context.run_dir) / LANDED_FILE).read_text(encoding="utf-8"))
    return archive_landed([LandedFile.from_dict(f) for f in listing], config.home, context.run_key)
