"""The stages of one pipeline run; the Airflow DAG wires them, one task each.

discover -> ingest -> gate_raw -> dbt_build -> gate_marts -> publish -> report, and a
teardown (`finish`) that records a run that did not publish and cleans the run's folder.
Stages pass a small JSON-able dict (the RunContext) and keep the rest in the run's folder.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from learnloop import build, progress, run_log
from learnloop.config import Config, load_config
from learnloop.db import connect
from learnloop.errors import GateFailed, LearnLoopError
from learnloop.gates.checks import GateParameters
from learnloop.ingest.discover import LandedFile, scan_landing
from learnloop.ingest.keeping import archive_landed
from learnloop.ingest.loader import load_files
from learnloop.learning_summary import learning_issues

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

LANDED_FILE = "landed.json"
INGEST_FILE = "ingest.json"
GATES_FILE = "gates.json"
FAILURE_FILE = "failure.txt"
PUBLISHED_MARKER = "published"


def _context(data: dict[str, str]) -> build.RunContext:
    return build.RunContext(**data)


def _records_failure(stage: Callable[P, R]) -> Callable[P, R]:
    """Keep a stage's one-line error in the run folder, for the run log and the CLI."""

    @wraps(stage)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return stage(*args, **kwargs)
        except LearnLoopError as exc:
            run_dir = Path(_context(args[0]).run_dir) if args else None  # type: ignore[arg-type]
            if run_dir is not None:
                status = "gate_failed" if isinstance(exc, GateFailed) else "failed"
                (run_dir / FAILURE_FILE).write_text(f"{status}\n{exc}\n", encoding="utf-8")
            raise

    return wrapper


def discover_files(config: Config | None = None) -> dict[str, str]:
    """Start a run: its own copy of the build database, and the list of landed files."""
    config = config or load_config()
    _clean_up_after_killed_runs(config)
    context = build.start_run(config)
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


def _clean_up_after_killed_runs(config: Config) -> None:
    from learnloop.publish import discard_unpublished_snapshots

    leftovers = build.discard_leftovers(config) + discard_unpublished_snapshots(config.home)
    if leftovers:
        names = ", ".join(p.name for p in leftovers)
        log.warning("removed what %d interrupted run step(s) left: %s", len(leftovers), names)


@_records_failure
def ingest(context_data: dict[str, str]) -> dict[str, int]:
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


@_records_failure
def gate_raw(context_data: dict[str, str]) -> dict[str, int]:
    return _run_gate("raw_batch", context_data)


@_records_failure
def dbt_build(context_data: dict[str, str]) -> None:
    from learnloop.transform import build_models

    config = load_config()
    context = _context(context_data)
    full_refresh = build_models(context.database_path, config, Path(context.run_dir) / "dbt")
    mode = "full refresh" if full_refresh else "incremental"
    with connect(context.database_path) as con:
        issues = learning_issues(con)
    progress.step(
        "dbt build", f"models and data tests passed ({mode})" + (f"; {issues}" if issues else "")
    )


@_records_failure
def gate_marts(context_data: dict[str, str]) -> dict[str, int]:
    return _run_gate("marts", context_data)


@_records_failure
def publish(context_data: dict[str, str]) -> str:
    from learnloop import publish as publishing

    config = load_config()
    context = _context(context_data)
    with connect(context.database_path) as con:
        run_log.write(con, _run_record(context, con, "published", published=True))
    published = publishing.publish(context, config)
    build.promote(context, config)
    (Path(context.run_dir) / PUBLISHED_MARKER).touch()
    _archive_processed_files(context, config)
    progress.step("publish", str(published))
    return str(published)


def report(context_data: dict[str, str] | None = None) -> str | None:
    from learnloop.report import write_report

    config = load_config()
    path = write_report(config)
    progress.step("report", str(path) if path else "no published data yet")
    return str(path) if path else None


def deliver_report() -> str | None:
    """The weekly DAG's optional mail of the last complete week ([delivery] in the config)."""
    from learnloop.report.delivery import deliver_last_week

    page = deliver_last_week(load_config())
    return str(page) if page else None


def finish(context_data: dict[str, str]) -> None:
    """Teardown: a run that did not publish is logged into the build database and dropped."""
    config = load_config()
    context = _context(context_data)
    run_dir = Path(context.run_dir)
    if not (run_dir / PUBLISHED_MARKER).exists():
        failure = run_dir / FAILURE_FILE
        status, message = "failed", "the run stopped before publishing (see the Airflow task log)"
        if failure.exists():
            status, message = failure.read_text(encoding="utf-8").split("\n", 1)
        with connect(config.home.build_database) as con:
            run_log.write(
                con, _run_record(context, None, status, published=False, message=message.strip())
            )
        log.warning("run %s did not publish: %s", context.run_key, message.strip())
    build.discard(context)


def _run_record(
    context: build.RunContext,
    con: Any,
    status: str,
    *,
    published: bool,
    message: str | None = None,
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
    )


def _archive_processed_files(context: build.RunContext, config: Config) -> None:
    """Processed files leave landing/ for archive/<run>/, kept as they were read.

    Quarantined files already left; a zip stays whole in the archive even when one of its
    members was quarantined (that member's copy is in quarantine/)."""
    listing = json.loads((Path(context.run_dir) / LANDED_FILE).read_text(encoding="utf-8"))
    archive_landed([LandedFile.from_dict(f) for f in listing], config.home, context.run_key)
