"""Benchmark: one `dbt build` task versus a cosmos task per dbt node, on the bundled samples.

The issue asks whether LearnLoop should run dbt through astronomer-cosmos (an Airflow task per
model, each model's tests in a task after it) or as the one `dbt build` task it runs today
(`learnloop.transform.build_models`, dbt in process through dbtRunner). This script measures
both, in the same run and on the same data, each through a real Airflow `dag.test()`:

  single  a DAG with one task calling `build_models(database, config, work_dir)`;
  cosmos  a cosmos `DbtDag` over dbt_project/ (ExecutionMode.LOCAL, LoadMode.DBT_LS, the
          project's own profiles.yml, the same dbt vars, unit tests excluded as in
          `build_models`).

Each measurement starts from nothing: a fresh LEARNLOOP_HOME in a temp dir, the samples loaded
into a run database the way the pipeline's discover/ingest stages do, LEARNLOOP_BUILD_DB
pointing at it and a fresh Airflow metadata database (a copy of one migrated up front, so the
migration is paid once and never timed). Airflow reads its configuration when first imported,
so each variant runs in its own subprocess (this script with `--variant`) whose environment is
set before any Airflow import. The subprocess reports:

  - Airflow tasks: the number of tasks in the DAG;
  - parse (cold): the first DagBag load of the DAG file in a fresh process, imports included
    (for cosmos: cosmos, dbt and a `dbt ls` of the project, its cache empty);
  - parse (warm): a second DagBag load in the same process (cosmos' `dbt ls` cache now warm);
  - dag.test(): wall time of `dag.test()` alone;
  - peak RSS: the subprocess's peak resident set size, from the rusage of that one child
    (`os.wait4`; `getrusage(RUSAGE_CHILDREN)` holds the largest child ever waited for, so it
    cannot tell the variants or the repeats apart).

Both variants must leave the same `analytics.kpi_weekly`: the parent compares a SHA-256 of
`SELECT * ... ORDER BY ALL` over all runs and fails loudly on a mismatch. The medians of N
repeats (variants alternate which goes first), and the ratio cosmos/single, are printed as a
Markdown table and written to bench/results-dbt-task-granularity.md.

    make bench   # or: .venv/bin/python bench/dbt_task_granularity.py [--repeat N] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from string import Template
from typing import Literal, get_args

from learnloop.airflow_runner import airflow_environment, prepare_airflow
from learnloop.build import start_run
from learnloop.cli import DEMO_CONFIG
from learnloop.config import Config, load_config
from learnloop.db import connect
from learnloop.ingest.discover import discover
from learnloop.ingest.loader import load_files
from learnloop.paths import DBT_PROJECT_DIR, SAMPLE_DATA_DIR, Home

Variant = Literal["single", "cosmos"]
VARIANTS: tuple[Variant, ...] = get_args(Variant)

RESULTS_FILE = Path(__file__).resolve().parent / "results-dbt-task-granularity.md"
SAMPLE_SUFFIXES = {".csv", ".json", ".jsonl", ".zip"}
# A fixed member salt, so that both variants hash the same member keys.
BENCH_SALT = "learnloop-bench-dbt-task-granularity"
DAG_IDS: dict[Variant, str] = {"single": "bench_dbt_single_task", "cosmos": "bench_dbt_cosmos"}

SINGLE_DAG = Template('''\
"""Throwaway benchmark Airflow DAG: the whole dbt project as one `dbt build` task."""

from pathlib import Path

import pendulum
from airflow.sdk import dag, task


@dag(
    dag_id=$dag_id,
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"retries": 0},
)
def bench_single() -> None:
    @task
    def dbt_build() -> None:
        from learnloop.config import load_config
        from learnloop.transform import build_models

        build_models(Path($database), load_config(), Path($work_dir))

    dbt_build()


bench_single()
''')

COSMOS_DAG = Template('''\
"""Throwaway benchmark Airflow DAG: cosmos renders each dbt node of dbt_project/ as a task."""

from pathlib import Path

import pendulum
from cosmos import DbtDag, ExecutionConfig, ExecutionMode, LoadMode, ProfileConfig
from cosmos import ProjectConfig, RenderConfig

# A module-level name: the DagBag collects DAG objects from the module's globals.
bench_dbt_cosmos = DbtDag(
    dag_id=$dag_id,
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"retries": 0},
    project_config=ProjectConfig(
        dbt_project_path=Path($project_dir), dbt_vars=$dbt_vars, install_dbt_deps=False
    ),
    profile_config=ProfileConfig(
        profile_name="learnloop",
        target_name="build",
        profiles_yml_filepath=Path($profiles_yml),
    ),
    execution_config=ExecutionConfig(execution_mode=ExecutionMode.LOCAL),
    # dbt ls needs no warehouse connection, so it renders offline; unit tests run in the
    # test suite, not in the pipeline (see learnloop.transform.build_models).
    render_config=RenderConfig(load_method=LoadMode.DBT_LS, exclude=["resource_type:unit_test"]),
    operator_args={"install_deps": False},
)
''')


class BenchFailed(Exception):
    """A variant did not run to success; the message says where its log is."""


@dataclass(frozen=True)
class Measurement:
    variant: Variant
    tasks: int
    parse_cold_s: float
    parse_warm_s: float
    dag_test_s: float
    state: str
    peak_rss_mib: float = 0.0
    kpi_rows: int = 0
    kpi_checksum: str = ""


# --- parent: set up, run each variant in a subprocess, check and summarise ----------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="measurements per variant")
    parser.add_argument("--keep", action="store_true", help="keep the temp dirs for inspection")
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--dag-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.variant:
        return run_variant(args.variant, args.home, args.dag_file, args.out)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return benchmark(args.repeat, keep=args.keep)


def benchmark(repeat: int, *, keep: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="learnloop-bench-") as scratch:
        root = Path(scratch)
        template = migrated_airflow_home(root / "template")
        measurements: list[Measurement] = []
        for round_ in range(repeat):
            order = VARIANTS if round_ % 2 == 0 else VARIANTS[::-1]
            for variant in order:
                workspace = Path(tempfile.mkdtemp(prefix=f"{variant}-", dir=root))
                try:
                    result = measure(variant, workspace, template)
                except BenchFailed as exc:
                    print(f"FAILED {exc} in {kept_copy(workspace)}", file=sys.stderr)
                    return 1
                measurements.append(result)
                print(
                    f"round {round_ + 1}/{repeat} {variant:>6}: dag.test() {result.dag_test_s:.2f} s, "
                    f"{result.tasks} tasks, parse {result.parse_cold_s:.2f} s, "
                    f"peak RSS {result.peak_rss_mib:.0f} MiB, kpi_weekly {result.kpi_checksum[:12]}",
                    file=sys.stderr,
                )
                if keep:
                    print(f"  kept in {kept_copy(workspace)}", file=sys.stderr)
        checksums = {m.kpi_checksum for m in measurements}
        report = markdown_report(measurements, repeat)
    print(report)
    RESULTS_FILE.write_text(report, encoding="utf-8")
    print(f"\nwritten to {RESULTS_FILE}", file=sys.stderr)
    if len(checksums) != 1:
        print(
            "\n!!! MISMATCH: the variants left different analytics.kpi_weekly tables: "
            + ", ".join(f"{m.variant}={m.kpi_checksum[:12]}" for m in measurements),
            file=sys.stderr,
        )
        return 1
    return 0


def kept_copy(workspace: Path) -> Path:
    """A copy of a measurement's folder that outlives the scratch directory."""
    kept = Path(tempfile.mkdtemp(prefix=f"learnloop-bench-{workspace.name}-"))
    shutil.copytree(workspace, kept, dirs_exist_ok=True)
    return kept


def migrated_airflow_home(template: Path) -> Path:
    """Migrate an Airflow metadata database once; each measurement starts from a copy."""
    config = load_config(Home(template), bench_environ(template))
    with restored_environ():  # prepare_airflow sets Airflow's variables in this process
        prepare_airflow(config)
    return config.home.airflow_home


def measure(variant: Variant, workspace: Path, airflow_template: Path) -> Measurement:
    environ = bench_environ(workspace / "home")
    config = demo_config(Home(workspace / "home"), environ)
    database = load_samples(config)
    shutil.copytree(airflow_template, config.home.airflow_home, dirs_exist_ok=True)

    dags_dir = workspace / "dags"
    dags_dir.mkdir()
    dag_file = dags_dir / f"{DAG_IDS[variant]}.py"
    dag_file.write_text(dag_source(variant, database, config, workspace), encoding="utf-8")
    out = workspace / "measurement.json"
    env = {
        **environ,
        **airflow_environment(config),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_dir),
        "AIRFLOW__COSMOS__CACHE_DIR": str(workspace / "cosmos-cache"),
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "SCARF_NO_ANALYTICS": "true",
        "LEARNLOOP_BUILD_DB": str(database),
        # As in an activated venv: cosmos runs dbt in process (dbtRunner) but looks for the
        # `dbt` executable on PATH first.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), environ.get("PATH", "")]),
    }
    command = [sys.executable, str(Path(__file__).resolve()), "--variant", variant]
    command += ["--home", str(config.home.root), "--dag-file", str(dag_file), "--out", str(out)]
    process = subprocess.Popen(command, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    log = f"home/logs/bench-{variant}.log"
    if process.returncode != 0 or not out.exists():
        raise BenchFailed(f"{variant}: the subprocess exited {process.returncode}, see {log}")
    result = Measurement(**json.loads(out.read_text(encoding="utf-8")))
    if result.state != "success":
        raise BenchFailed(f"{variant}: dag.test() ended {result.state!r}, see {log}")
    rows, checksum = kpi_weekly_checksum(database)
    peak_rss_mib = usage.ru_maxrss / 1024  # Linux reports KiB
    return replace(result, peak_rss_mib=peak_rss_mib, kpi_rows=rows, kpi_checksum=checksum)


def bench_environ(home: Path) -> dict[str, str]:
    return {**os.environ, "LEARNLOOP_HOME": str(home), "LEARNLOOP_PRIVACY_SALT": BENCH_SALT}


@contextlib.contextmanager
def restored_environ() -> Iterator[None]:
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def demo_config(home: Home, environ: dict[str, str]) -> Config:
    """The settings `learnloop demo` writes for the samples (time zone, brand accounts)."""
    home.root.mkdir(parents=True, exist_ok=True)
    home.config_file.write_text(DEMO_CONFIG, encoding="utf-8")
    return load_config(home, environ)


def load_samples(config: Config) -> Path:
    """Land the samples as `learnloop demo` does; load them as discover and ingest do."""
    target = config.home.landing / "sample_data"
    for source in sorted(SAMPLE_DATA_DIR.rglob("*")):
        if source.is_file() and source.suffix in SAMPLE_SUFFIXES:
            destination = target / source.relative_to(SAMPLE_DATA_DIR)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    context = start_run(config)
    files = discover(config.home.landing, Path(context.run_dir) / "files", settle_seconds=0)
    with connect(context.database_path) as con:
        summary = load_files(con, files, config, context.run_key)
    if summary.statuses["loaded"] == 0 or summary.statuses["quarantined"]:
        raise BenchFailed(f"the samples did not load cleanly: {summary.as_dict()}")
    return context.database_path


def dag_source(variant: Variant, database: Path, config: Config, workspace: Path) -> str:
    from learnloop.transform import dbt_vars

    if variant == "single":
        return SINGLE_DAG.substitute(
            dag_id=repr(DAG_IDS[variant]),
            database=repr(str(database)),
            work_dir=repr(str(workspace / "dbt")),
        )
    return COSMOS_DAG.substitute(
        dag_id=repr(DAG_IDS[variant]),
        project_dir=repr(str(DBT_PROJECT_DIR)),
        profiles_yml=repr(str(DBT_PROJECT_DIR / "profiles.yml")),
        dbt_vars=repr(dbt_vars(config)),
    )


def kpi_weekly_checksum(database: Path) -> tuple[int, str]:
    with connect(database, read_only=True) as con:
        rows = con.execute("SELECT * FROM analytics.kpi_weekly ORDER BY ALL").fetchall()
    return len(rows), hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()


# --- the report ----------------------------------------------------------------------------------

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Airflow tasks", "tasks", "{:.0f}"),
    ("DAG parse, cold (s)", "parse_cold_s", "{:.3f}"),
    ("DAG parse, warm (s)", "parse_warm_s", "{:.3f}"),
    ("`dag.test()` wall (s)", "dag_test_s", "{:.2f}"),
    ("Peak RSS (MiB)", "peak_rss_mib", "{:.0f}"),
)


def markdown_report(measurements: list[Measurement], repeat: int) -> str:
    medians = {
        variant: {
            field: statistics.median(
                float(getattr(m, field)) for m in measurements if m.variant == variant
            )
            for _, field, _ in COLUMNS
        }
        for variant in VARIANTS
    }
    checksums = {m.variant: m.kpi_checksum for m in measurements}
    identical = len({m.kpi_checksum for m in measurements}) == 1
    lines = [
        "# dbt task granularity: one `dbt build` task vs cosmos (a task per node)",
        "",
        f"Bundled samples, median of {repeat} `dag.test()` runs per variant, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; produced by `bench/dbt_task_granularity.py`.",
        "",
        "| Variant | " + " | ".join(title for title, _, _ in COLUMNS) + " |",
        "|---" * (len(COLUMNS) + 1) + "|",
    ]
    for variant in VARIANTS:
        cells = [fmt.format(medians[variant][field]) for _, field, fmt in COLUMNS]
        lines.append(f"| {variant} | " + " | ".join(cells) + " |")
    ratios = [
        f"{medians['cosmos'][field] / medians['single'][field]:.1f}x"
        if medians["single"][field]
        else "n/a"
        for _, field, _ in COLUMNS
    ]
    lines.append("| **cosmos / single** | " + " | ".join(ratios) + " |")
    lines += [
        "",
        "`analytics.kpi_weekly` (SHA-256 of `SELECT * ... ORDER BY ALL`): "
        + (
            f"identical in every run ({measurements[0].kpi_rows} rows, "
            f"`{checksums['single'][:16]}`)."
            if identical
            else "**MISMATCH**: "
            + ", ".join(f"{m.variant} `{m.kpi_checksum[:16]}`" for m in measurements)
        ),
        "",
        "Every run:",
        "",
        "| Variant | " + " | ".join(title for title, _, _ in COLUMNS) + " |",
        "|---" * (len(COLUMNS) + 1) + "|",
    ]
    for m in measurements:
        cells = [fmt.format(float(getattr(m, field))) for _, field, fmt in COLUMNS]
        lines.append(f"| {m.variant} | " + " | ".join(cells) + " |")
    lines += ["", environment_note(), ""]
    return "\n".join(lines)


def environment_note() -> str:
    packages = ("apache-airflow", "astronomer-cosmos", "dbt-core", "dbt-duckdb", "duckdb")
    versions = ", ".join(f"{name} {version(name)}" for name in packages)
    return (
        f"Python {platform.python_version()}, {versions}; {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs. Cold parse = first DagBag load in a fresh "
        "process with Airflow already imported (so: the DAG file's own imports and, for cosmos, "
        "an uncached `dbt ls`); warm = a second load (cosmos reads its `dbt ls` cache). "
        "`dag.test()` re-parses the DAG folder, then runs the tasks one after another in its "
        "own process; dbt uses the profile's 2 threads only inside one task. Peak RSS is that "
        "of the variant's subprocess (Airflow, dbt and DuckDB all loaded in both)."
    )


# --- child: one variant, in a process whose Airflow environment is set before the import -------


def run_variant(variant: Variant, home: Path, dag_file: Path, out: Path) -> int:
    config = load_config(Home(home))
    prepare_airflow(config)  # migrated already: only sets Airflow's environment
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(dag_file.parent)
    config.home.logs.mkdir(parents=True, exist_ok=True)
    log_file = config.home.logs / f"bench-{variant}.log"
    with log_file.open("w", encoding="utf-8") as sink, redirected(sink):
        from airflow.dag_processing.dagbag import DagBag

        started = time.perf_counter()
        bag = DagBag(dag_folder=str(dag_file))
        parse_cold = time.perf_counter() - started
        started = time.perf_counter()
        DagBag(dag_folder=str(dag_file))
        parse_warm = time.perf_counter() - started
        if bag.import_errors:
            print(f"import errors: {bag.import_errors}", file=sink)
            return 1
        dag = bag.get_dag(DAG_IDS[variant])
        if dag is None:
            print(f"no DAG {DAG_IDS[variant]!r} in {dag_file}", file=sink)
            return 1
        started = time.perf_counter()
        dag_run = dag.test()
        dag_test = time.perf_counter() - started
    measurement = Measurement(
        variant=variant,
        tasks=len(dag.task_ids),
        parse_cold_s=parse_cold,
        parse_warm_s=parse_warm,
        dag_test_s=dag_test,
        state=str(dag_run.state),
    )
    out.write_text(json.dumps(asdict(measurement)), encoding="utf-8")
    return 0


@contextlib.contextmanager
def redirected(sink: object) -> Iterator[None]:
    """Airflow, cosmos and dbt write to stdout/stderr; keep that in the variant's log file."""
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):  # type: ignore[type-var]
        yield


if __name__ == "__main__":
    sys.exit(main())
