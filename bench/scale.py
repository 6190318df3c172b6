"""Benchmark at scale: synthetic history -> full run -> one new day -> full rebuild -> BI queries.

For each scale (default 1M and 10M interactions over 52 weeks), in the same run:

  1. `learnloop synth` writes the exports, one file set per day (reused when the same
     arguments already produced them: synth is seeded and byte-reproducible);
  2. bare load: DuckDB `read_csv` / `read_json` of the history's files into tables, one
     statement per format, in a subprocess: the physical baseline of ingest;
  3. full run: `learnloop run` over the history (all days but the last), a fresh home;
  4. daily run: the last day lands, `learnloop run` again (incremental dbt models, the
     published file copied and changed);
  5. full rebuild: `learnloop run --full-refresh` with nothing new landed (every model and
     the published file written afresh); with `--daily-rounds N`, steps 4 and 5 run N times,
     each round on a copy of the home as the full run left it, and the daily run's share of
     the rebuild is the median of the rounds (the machine's speed drifts within minutes);
  6. BI latency: the weekly dashboard query, a 12-week trend and a conversation drill-down on
     the published file through one read-only connection, 50 times each: p50 and p95;
  7. the build database's design, measured on the same home: copying it (what every run
     paid before issue 14) and rolling back one day's run (what a failed run costs now,
     before the next build; a run whose dbt build had started also rebuilds the models,
     which costs a full rebuild).

Every run uses LearnLoop's default configuration ([performance] included). The classifier
runs with its default embedding budget: synth writes ~130 distinct texts, which the full run
embeds (a few seconds) and later runs find in the cache, so the figures are the pipeline's;
a real day's new texts add about 1/20 s each per thread, up to [classifier] embedding_budget
(bench/results-classifier.md).

Every command runs in its own process; its wall time and the peak RSS of each process in its
tree are sampled with psutil every 50 ms. Task times come from Airflow's own task instance
records (start/end in the home's metadata database), so the gate share and the Airflow
overhead (wall time outside any task: interpreter and Airflow start-up, scheduling) are
measured, not estimated. bench/results.md gets the tables; the machine is shared, so the
ratios (measured in the same run) say more than the absolute times.

    make bench   # or: python bench/scale.py [--scales 1000000,10000000] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import psutil

from learnloop.dag_ids import MAIN_DAG_ID, REPORT_DAG_ID

RESULTS = Path(__file__).parent / "results.md"
SAMPLE_SECONDS = 0.05
BI_REPEATS = 50
WEEKS = 52
TASKS = ("discover", "ingest", "gate_raw", "dbt_build", "gate_marts", "publish", "report", "finish")
GATE_TASKS = ("gate_raw", "gate_marts")
LEARNLOOP_RUN = [sys.executable, "-m", "learnloop.cli", "run"]
CONFIG = """\
timezone = "Europe/Berlin"

[brand]
youtube = ["UCnordlichtBikesDemo0001"]
instagram = ["nordlicht.bikes"]
"""
BI_QUERIES = {
    "weekly dashboard (last week, every platform)": """
        SELECT * FROM analytics.kpi_weekly
        WHERE week_start = (SELECT max(week_start) FROM analytics.kpi_weekly)
        ORDER BY platform
    """,
    "12-week trend (platform all)": """
        SELECT week_start, conversations, response_rate, median_first_response_minutes,
               two_way_rate
        FROM analytics.kpi_weekly
        WHERE platform = 'all'
          AND week_start > (SELECT max(week_start) FROM analytics.kpi_weekly) - INTERVAL 84 DAY
        ORDER BY week_start
    """,
    "drill-down: last week's conversations by platform": """
        SELECT platform, count(*) AS conversations, avg(first_response_minutes) AS mean_minutes
        FROM analytics.conversations
        WHERE week_start = (SELECT max(week_start) FROM analytics.conversations)
        GROUP BY platform ORDER BY platform
    """,
}


@dataclass
class Measured:
    wall: float
    peak_rss: dict[str, int]  # process label -> peak RSS in bytes
    tasks: dict[str, float] = field(default_factory=dict)  # Airflow task -> seconds
    output: str = ""
    build_bytes: int = 0  # the build database after the run
    published_bytes: int = 0  # the published file after the run

    @property
    def peak_total(self) -> int:
        return max(self.peak_rss.values(), default=0)


def measure(command: list[str], env: dict[str, str]) -> Measured:
    """Run `command`, sampling the RSS of its whole process tree until it ends."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peaks: dict[str, int] = {}
    root = psutil.Process(process.pid)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout or []), daemon=True)
    reader.start()
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for member in tree:
            try:
                label = f"{member.pid} {Path(member.cmdline()[0]).name}"
                peaks[label] = max(peaks.get(label, 0), member.memory_info().rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied, IndexError):
                pass
        time.sleep(SAMPLE_SECONDS)
    process.wait()
    reader.join()
    wall = time.perf_counter() - started
    text = "".join(output)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{text}")
    return Measured(wall, peaks, output=text)


def task_seconds(home: Path) -> dict[str, float]:
    """Durations of the tasks of the home's latest `learnloop` DAG run, from Airflow, and of
    the `report` task of the report DAG's run that followed it (`learnloop run` runs the
    `learnloop_weekly_report` DAG after a publish)."""
    durations = "(julianday(end_date) - julianday(start_date)) * 86400"
    with sqlite3.connect(home / "airflow" / "airflow.db") as db:
        tasks = {}
        for dag_id in (MAIN_DAG_ID, REPORT_DAG_ID):
            latest = db.execute(
                "SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", [dag_id]
            ).fetchone()
            if latest is None:
                continue
            tasks.update(
                db.execute(
                    f"SELECT task_id, {durations} FROM task_instance "
                    "WHERE dag_id = ? AND run_id = ?",
                    [dag_id, latest[0]],
                ).fetchall()
            )
    return {task: seconds for task, seconds in tasks.items() if seconds is not None}


def synthesize(count: int, out: Path, env: dict[str, str]) -> tuple[float | None, dict]:
    marker = out / "synth.json"
    wanted = {"interactions": count, "weeks": WEEKS, "seed": 8}
    if marker.exists() and json.loads(marker.read_text())["args"] == wanted:
        return None, json.loads(marker.read_text())
    learnloop = [sys.executable, "-m", "learnloop.cli"]
    command = [*learnloop, "synth", "--interactions", str(count), "--weeks", str(WEEKS)]
    measured = measure([*command, "--out", str(out)], env)
    info = {"args": wanted, "summary": measured.output.strip(), "seconds": measured.wall}
    marker.write_text(json.dumps(info))
    return measured.wall, info


def land(days: list[Path], landing: Path) -> int:
    """Copy the days' files into landing/<day>/ (landing refuses hard links)."""
    count = 0
    for day in days:
        target = landing / day.name
        target.mkdir(parents=True, exist_ok=True)
        for export in sorted(day.iterdir()):
            shutil.copyfile(export, target / export.name)
            count += 1
    return count


BARE_LOAD = """
import json, sys, time, duckdb
database, listing = sys.argv[1], sys.argv[2:]
by_kind = {}
for path in listing:
    name = path.rsplit("/", 1)[-1]
    kind = name.split("_")[0]
    by_kind.setdefault(kind, []).append(path)
readers = {
    "sprout": "read_csv({files}, all_varchar = true, union_by_name = true)",
    "tweet": "read_csv({files}, all_varchar = true, union_by_name = true)",
    "youtube": "read_json({files}, format = 'newline_delimited')",
    "instagram": "read_json({files}, format = 'auto')",
}
con = duckdb.connect(database)
con.execute("SET enable_progress_bar = false")
rows, seconds = 0, {}
for kind, files in sorted(by_kind.items()):
    started = time.perf_counter()
    quoted = "[" + ", ".join("'" + f + "'" for f in files) + "]"
    con.execute(f"CREATE TABLE {kind} AS SELECT * FROM " + readers[kind].format(files=quoted))
    rows += con.execute(f"SELECT count(*) FROM {kind}").fetchone()[0]
    seconds[kind] = round(time.perf_counter() - started, 2)
con.close()
print(rows, json.dumps(seconds))
"""


def bare_load(
    days: list[Path], database: Path, env: dict[str, str], *, union_by_name: bool = True
) -> Measured:
    """The bare read; without `union_by_name` the CSVs are read with the first file's
    columns (DuckDB then sniffs one file, not each: a stricter baseline)."""
    files = [str(f) for day in days for f in sorted(day.iterdir())]
    database.unlink(missing_ok=True)
    code = BARE_LOAD if union_by_name else BARE_LOAD.replace(", union_by_name = true", "")
    return measure([sys.executable, "-c", code, str(database), *files], env)


def bi_latency(published: Path) -> dict[str, tuple[float, float]]:
    """p50 and p95 in milliseconds of each BI query, over one read-only connection."""
    latencies: dict[str, tuple[float, float]] = {}
    with duckdb.connect(str(published), read_only=True) as con:
        for name, sql in BI_QUERIES.items():
            con.execute(sql).fetchall()  # the first run warms the buffer cache, as in BI
            times = []
            for _ in range(BI_REPEATS):
                started = time.perf_counter()
                con.execute(sql).fetchall()
                times.append((time.perf_counter() - started) * 1000)
            quantiles = statistics.quantiles(times, n=20, method="inclusive")
            latencies[name] = (statistics.median(times), quantiles[18])
    return latencies


@dataclass
class ScaleResult:
    label: str
    interactions: int
    synth_seconds: float | None
    history_files: int
    history_bytes: int
    bare: Measured | None  # None: --full-run-only
    full: Measured
    daily: Measured | None  # of the median round (--daily-rounds)
    rebuild: Measured | None
    bi: dict[str, tuple[float, float]]
    interactions_published: int
    copy_seconds: float | None = None  # copying the build database
    rollback_seconds: float | None = None  # rolling back the daily run
    # Every round's (daily run, full rebuild) wall seconds, in the order they ran.
    rounds: list[tuple[float, float]] = field(default_factory=list)


def fresh_home(home: Path) -> Path:
    """An empty LEARNLOOP_HOME with the benchmark's learnloop.toml."""
    if home.exists():
        subprocess.run(["rm", "-rf", str(home)], check=True)
    home.mkdir(parents=True)
    (home / "learnloop.toml").write_text(CONFIG, encoding="utf-8")
    return home


def run_pipeline(command: list[str], env: dict[str, str], home: Path) -> Measured:
    measured = measure(command, env)
    measured.tasks = task_seconds(home)
    measured.build_bytes = (home / "warehouse" / "build" / "learnloop_build.duckdb").stat().st_size
    measured.published_bytes = (home / "warehouse" / "learnloop.duckdb").stat().st_size
    return measured


ROLLBACK = """
import sys, time
from pathlib import Path
import duckdb
from learnloop.build import roll_back, UNFINISHED_TABLE
database = Path(sys.argv[1])
with duckdb.connect(str(database)) as con:
    (run_key,) = con.execute(
        "SELECT run_key FROM ops.run_log WHERE published ORDER BY finished_at DESC LIMIT 1 OFFSET 1"
    ).fetchone()
    con.execute(f"INSERT INTO {UNFINISHED_TABLE} VALUES (?, now(), false)", [run_key])
started = time.perf_counter()
roll_back(database)
print(time.perf_counter() - started)
"""


def design_costs(home: Path, work: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds to copy the build database, and to roll back the daily run on a copy of it."""
    build = home / "warehouse" / "build" / "learnloop_build.duckdb"
    copy = work / "build-copy.duckdb"
    started = time.perf_counter()
    shutil.copy2(build, copy)
    copy_seconds = time.perf_counter() - started
    rolled = measure([sys.executable, "-c", ROLLBACK, str(copy)], env)
    copy.unlink()
    return copy_seconds, float(rolled.output.strip().splitlines()[-1])


def daily_and_rebuild(
    home: Path, new_day: list[Path], env: dict[str, str], rounds: int
) -> tuple[Measured, Measured, list[tuple[float, float]]]:
    """The daily run and the full rebuild, `rounds` times, each round from the home as the
    full run left it (a copy with its hard links, at the same path: Airflow's metadata names
    it); the round whose daily share of the rebuild is the median, and every round's walls."""
    before = home.with_name(home.name + "-before-daily")
    if rounds > 1:
        subprocess.run(["rm", "-rf", str(before)], check=True)
        subprocess.run(["cp", "-a", str(home), str(before)], check=True)
    pairs = []
    for number in range(1, rounds + 1):
        if number > 1:
            subprocess.run(["rm", "-rf", str(home)], check=True)
            subprocess.run(["cp", "-a", str(before), str(home)], check=True)
        land(new_day, home / "landing")
        print(f"  round {number}: daily run", flush=True)
        daily = run_pipeline(LEARNLOOP_RUN, env, home)
        print(f"  round {number}: full rebuild", flush=True)
        rebuild = run_pipeline([*LEARNLOOP_RUN, "--full-refresh"], env, home)
        pairs.append((daily, rebuild))
    if rounds > 1:
        subprocess.run(["rm", "-rf", str(before)], check=True)
    by_share = sorted(pairs, key=lambda pair: pair[0].wall / pair[1].wall)
    daily, rebuild = by_share[(len(by_share) - 1) // 2]
    return daily, rebuild, [(d.wall, r.wall) for d, r in pairs]


def run_scale(
    count: int, work: Path, env: dict[str, str], full_only: bool, daily_rounds: int = 1
) -> ScaleResult:
    label = f"{count // 1_000_000}M" if count >= 1_000_000 else f"{count // 1000}k"
    synth_dir = work / f"synth-{label.lower()}"
    print(f"[{label}] synth", flush=True)
    synth_seconds, _ = synthesize(count, synth_dir, env)
    days = sorted(p for p in (synth_dir / "days").iterdir() if p.is_dir())
    history, new_day = days[:-1], days[-1:]
    history_bytes = sum(f.stat().st_size for d in history for f in d.iterdir())

    bare = None
    if not full_only:
        print(f"[{label}] bare DuckDB load", flush=True)
        bare = bare_load(history, work / f"bare-{label}.duckdb", env)
        (work / f"bare-{label}.duckdb").unlink(missing_ok=True)

    home = fresh_home(work / f"home-{label}")
    run_env = {**env, "LEARNLOOP_HOME": str(home)}

    history_files = land(history, home / "landing")
    print(f"[{label}] full run over {history_files} files", flush=True)
    full = run_pipeline(LEARNLOOP_RUN, run_env, home)

    daily = rebuild = None
    copy_seconds = rollback_seconds = None
    rounds: list[tuple[float, float]] = []
    if not full_only:
        print(f"[{label}] daily run and full rebuild, {daily_rounds} round(s)", flush=True)
        daily, rebuild, rounds = daily_and_rebuild(home, new_day, run_env, daily_rounds)

        print(f"[{label}] copy and rollback of the build database", flush=True)
        copy_seconds, rollback_seconds = design_costs(home, work, run_env)

    published = home / "warehouse" / "learnloop.duckdb"
    print(f"[{label}] BI latency", flush=True)
    bi = bi_latency(published)
    with duckdb.connect(str(published), read_only=True) as con:
        published_rows = con.execute("SELECT count(*) FROM analytics.interactions").fetchone()[0]
    return ScaleResult(
        label=label,
        interactions=count,
        synth_seconds=synth_seconds,
        history_files=history_files,
        history_bytes=history_bytes,
        bare=bare,
        full=full,
        daily=daily,
        rebuild=rebuild,
        bi=bi,
        interactions_published=published_rows,
        copy_seconds=copy_seconds,
        rollback_seconds=rollback_seconds,
        rounds=rounds,
    )


INGEST_TASK = Path(__file__).parent / "ingest_task.py"


@dataclass
class IngestRound:
    bare: Measured
    bare_seconds: dict[str, float]  # format kind -> seconds of its bare read
    strict: Measured  # the bare read without union_by_name
    ingest: Measured
    timings: dict  # bench/ingest_task.py's JSON: ingest, discover, parts, summary


def run_ingest_only(
    count: int, work: Path, env: dict[str, str], rounds: int, memory_limit: str | None
) -> tuple[ScaleResult, list[IngestRound]]:
    """Bare read and ingest task of the same history files, alternating, `rounds` times."""
    label = f"{count // 1_000_000}M" if count >= 1_000_000 else f"{count // 1000}k"
    synth_dir = work / f"synth-{label.lower()}"
    print(f"[{label}] synth", flush=True)
    synthesize(count, synth_dir, env)
    history = sorted(p for p in (synth_dir / "days").iterdir() if p.is_dir())[:-1]
    measured = []
    run_env = dict(env)
    if memory_limit:
        run_env["LEARNLOOP_PERFORMANCE_MEMORY_LIMIT"] = memory_limit
    for number in range(1, rounds + 1):
        print(f"[{label}] round {number}: bare DuckDB load", flush=True)
        bare = bare_load(history, work / f"bare-{label}.duckdb", env)
        print(f"[{label}] round {number}: bare DuckDB load without union_by_name", flush=True)
        strict = bare_load(history, work / f"bare-{label}.duckdb", env, union_by_name=False)
        (work / f"bare-{label}.duckdb").unlink(missing_ok=True)
        home = fresh_home(work / f"ingest-home-{label}")
        land(history, home / "landing")
        print(f"[{label}] round {number}: ingest task", flush=True)
        ingest = measure(
            [sys.executable, str(INGEST_TASK), "--by-part"],
            {**run_env, "LEARNLOOP_HOME": str(home)},
        )
        timings = json.loads(ingest.output.strip().splitlines()[-1])
        bare_seconds = _kind_seconds(bare)
        measured.append(IngestRound(bare, bare_seconds, strict, ingest, timings))
        print(
            f"[{label}] round {number}: bare {bare.wall:.1f} s, ingest {timings['ingest']:.1f} s"
            f" = {timings['ingest'] / bare.wall:.2f}x; {os.getloadavg()[0]:.1f} load",
            flush=True,
        )
    files = sum(1 for d in history for _ in d.iterdir())
    size = sum(f.stat().st_size for d in history for f in d.iterdir())
    return ScaleResult(
        label, count, None, files, size, None, measured[0].ingest, None, None, {}, 0
    ), measured


def _kind_seconds(bare: Measured) -> dict[str, float]:
    """The bare read's seconds per file kind (its last output line: rows, then JSON)."""
    return json.loads(bare.output.strip().splitlines()[-1].split(" ", 1)[1])


def _by_kind(r: IngestRound) -> str:
    strict = _kind_seconds(r.strict)
    return ", ".join(
        f"{kind} {seconds} ({strict[kind]})" for kind, seconds in r.bare_seconds.items()
    )


def ingest_report(
    result: ScaleResult,
    rounds: list[IngestRound],
    load_at_start: tuple[float, float, float],
    memory_limit: str | None,
) -> str:
    load = os.getloadavg()
    from learnloop.config import Config

    limit = memory_limit or Config.model_fields["performance"].default.memory_limit
    lines = [
        f"## Ingest only, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC (`bench/scale.py --ingest-only`)",
        "",
        f"{result.label}: {result.history_files} history files, {_mib(result.history_bytes)}. "
        f"`[performance] memory_limit = {limit!r}`, threads one per core "
        f"({psutil.cpu_count()}). The bare read and the ingest task (`bench/ingest_task.py`: "
        "open the build database and `load_files`, after discover) alternate; load average "
        f"{load_at_start[0]:.1f} (1 min) at the start, {load[0]:.1f} at the end.",
        "",
        "| round | bare read | ingest task | ratio | bare read without union_by_name | ratio "
        "to it | bare peak RSS | ingest peak RSS | ingest by part |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for number, r in enumerate(rounds, start=1):
        ingest = r.timings["ingest"]
        parts = ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in sorted(r.timings["parts"].items())
        )
        lines.append(
            f"| {number} | {r.bare.wall:.1f} s | {ingest:.1f} s | {ingest / r.bare.wall:.2f}x | "
            f"{r.strict.wall:.1f} s | {ingest / r.strict.wall:.2f}x | "
            f"{_mib(r.bare.peak_total)} | {_mib(r.ingest.peak_total)} | {parts} |"
        )
    lines += [
        "",
        "Bare read by file kind (seconds, per round; without union_by_name in brackets): "
        + "; ".join(_by_kind(r) for r in rounds)
        + ".",
    ]
    return "\n".join(lines) + "\n"


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "-"


# Issue 14's goals: scale label -> goal -> target (None: measured, no target at this scale).
GOALS = {
    "1M": {"ingest": 1.3, "daily": 0.25, "rss": 2**30, "full": None, "bi": None},
    "10M": {"ingest": None, "daily": 0.10, "rss": 2 * 2**30, "full": 300.0, "bi": 50.0},
}


def _goal_rows(r: ScaleResult) -> list[str]:
    goals = GOALS.get(r.label, dict.fromkeys(("ingest", "daily", "rss", "full", "bi")))
    runs = [m for m in (r.full, r.daily, r.rebuild) if m is not None]
    rows = []

    def row(name: str, target: str, measured: str, met: bool | None) -> None:
        verdict = "-" if met is None else ("yes" if met else "**no**")
        rows.append(f"| {r.label} | {name} | {target} | {measured} | {verdict} |")

    if r.bare is not None:
        ingest = r.full.tasks.get("ingest", float("nan"))
        ratio = ingest / r.bare.wall
        goal = goals["ingest"]
        row(
            "ingest task / bare DuckDB read of the same files",
            f"≤ {goal}x" if goal else "-",
            f"{ratio:.2f}x ({ingest:.1f} s / {r.bare.wall:.1f} s)",
            None if goal is None else ratio <= goal,
        )
    if r.daily is not None and r.rebuild is not None:
        share = r.daily.wall / r.rebuild.wall
        goal = goals["daily"]
        measured = f"{share:.1%} ({r.daily.wall:.1f} s / {r.rebuild.wall:.1f} s)"
        if len(r.rounds) > 1:
            each = ", ".join(f"{d / b:.1%}" for d, b in r.rounds)
            measured += f", the median of {len(r.rounds)} rounds: {each}"
        row(
            "daily run / full rebuild (wall)",
            f"≤ {goal:.0%}" if goal else "-",
            measured,
            None if goal is None else share <= goal,
        )
    peak = max(m.peak_total for m in runs)
    goal = goals["rss"]
    row(
        "peak RSS of any process, default configuration",
        f"≤ {goal / 2**30:.0f} GiB" if goal else "-",
        _mib(peak),
        None if goal is None else peak <= goal,
    )
    goal = goals["full"]
    row(
        "full run over the history (wall)",
        f"≤ {goal / 60:.0f} min" if goal else "-",
        f"{r.full.wall:.1f} s",
        None if goal is None else r.full.wall <= goal,
    )
    worst = max(p95 for _, p95 in r.bi.values())
    goal = goals["bi"]
    row(
        "BI p95, slowest of the three queries",
        f"< {goal:.0f} ms" if goal else "-",
        f"{worst:.1f} ms",
        None if goal is None else worst < goal,
    )
    return rows


def report(results: list[ScaleResult], load_at_start: tuple[float, float, float]) -> str:
    load = os.getloadavg()
    from learnloop.config import Config

    defaults = Config.model_fields["performance"].default
    lines = [
        "# Scale benchmark (`bench/scale.py`, `make bench`)",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()}: "
        f"{psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}. LearnLoop's default "
        f"configuration: `[performance] memory_limit = {defaults.memory_limit!r}`, `threads = "
        f"{defaults.threads}` (one per core). The machine is shared with other engineers' "
        f"test runs: load average {load_at_start[0]:.1f} (1 min) / {load_at_start[2]:.1f} "
        f"(15 min) at the start, {load[0]:.1f} / {load[2]:.1f} at the end. Absolute times are "
        "on a loaded machine; ratios are measured in the same run.",
        f"Data: `learnloop synth --interactions N --weeks {WEEKS}` (seed 8); the history is "
        "every day but the last, the daily run adds the last day's file set.",
        "",
        "## Goals",
        "",
        "| scale | figure | target | measured | met |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines += _goal_rows(r)
    lines += [
        "",
        "## Ingest against the physical baseline",
        "",
        "| scale | files | bytes | bare DuckDB `read_csv`/`read_json` into tables | "
        "LearnLoop ingest task | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        ingest = r.full.tasks.get("ingest", float("nan"))
        if r.bare is None:
            lines.append(
                f"| {r.label} | {r.history_files} | {_mib(r.history_bytes)} | "
                f"not run (--full-run-only) | {ingest:.1f} s | - |"
            )
            continue
        lines.append(
            f"| {r.label} | {r.history_files} | {_mib(r.history_bytes)} | {r.bare.wall:.1f} s "
            f"(peak RSS {_mib(r.bare.peak_total)}) | {ingest:.1f} s | "
            f"{ingest / r.bare.wall:.2f}x |"
        )
    lines += [
        "",
        "## Full run, daily run, full rebuild",
        "",
        "Wall time of `learnloop run` (one process: the DAG runs in process with "
        "`dag.test()`), its peak RSS, Airflow's task durations, and the sizes of the build "
        "database and the published file after the run.",
        "",
        "| scale | run | wall | peak RSS | " + " | ".join(TASKS) + " | gates share | "
        "Airflow overhead share | build DB | published file |",
        "|---|---|---|---|" + "---|" * len(TASKS) + "---|---|---|---|",
    ]
    for r in results:
        for name, m in (
            ("full run (history)", r.full),
            ("daily run (+1 day)", r.daily),
            ("full rebuild (--full-refresh)", r.rebuild),
        ):
            if m is None:
                continue
            tasks = " | ".join(f"{m.tasks.get(t, 0):.1f} s" for t in TASKS)
            gates = sum(m.tasks.get(t, 0) for t in GATE_TASKS)
            overhead = m.wall - sum(m.tasks.values())
            lines.append(
                f"| {r.label} | {name} | {m.wall:.1f} s | {_mib(m.peak_total)} | {tasks} | "
                f"{_share(gates, m.wall)} | {_share(overhead, m.wall)} | "
                f"{_mib(m.build_bytes)} | {_mib(m.published_bytes)} |"
            )
    lines += [
        "",
        "| scale | daily / full rebuild, wall | daily / full rebuild, dbt task | "
        "daily / full rebuild, publish task | daily / full run, wall | interactions published |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        if r.daily is None or r.rebuild is None:
            continue
        daily, rebuild = r.daily.tasks, r.rebuild.tasks
        lines.append(
            f"| {r.label} | {_share(r.daily.wall, r.rebuild.wall)} | "
            f"{_share(daily.get('dbt_build', 0), rebuild.get('dbt_build', 0))} | "
            f"{_share(daily.get('publish', 0), rebuild.get('publish', 0))} | "
            f"{_share(r.daily.wall, r.full.wall)} | {r.interactions_published:,} |"
        )
    lines += [
        "",
        "## The build database: in place, rolled back by run key",
        "",
        "| scale | build DB | copying it (what every run paid before) | rolling back one "
        "day's run (what a failed run costs now; plus a full rebuild when its dbt build had "
        "started) |",
        "|---|---|---|---|",
    ]
    for r in results:
        if r.copy_seconds is None or r.rollback_seconds is None or r.rebuild is None:
            continue
        lines.append(
            f"| {r.label} | {_mib(r.rebuild.build_bytes)} | {r.copy_seconds:.1f} s | "
            f"{r.rollback_seconds:.2f} s |"
        )
    lines += [
        "",
        "## BI latency on the published file",
        "",
        f"One read-only connection, each query {BI_REPEATS} times after one warm-up run.",
        "",
        "| scale | query | p50 | p95 |",
        "|---|---|---|---|",
    ]
    for r in results:
        for name, (p50, p95) in r.bi.items():
            lines.append(f"| {r.label} | {name} | {p50:.1f} ms | {p95:.1f} ms |")
    lines += ["", "## Synthetic data", ""]
    for r in results:
        made = "reused (same arguments)" if r.synth_seconds is None else f"{r.synth_seconds:.0f} s"
        lines.append(
            f"- {r.label}: {r.history_files} history files, {_mib(r.history_bytes)}; synth {made}."
        )
    lines += ["", "Peak RSS per process (label: pid and program):", ""]
    for r in results:
        for name, m in (
            ("bare", r.bare),
            ("full", r.full),
            ("daily", r.daily),
            ("rebuild", r.rebuild),
        ):
            if m is None:
                continue
            peaks = ", ".join(f"{label} {_mib(rss)}" for label, rss in sorted(m.peak_rss.items()))
            lines.append(f"- {r.label} {name}: {peaks}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1000000,10000000", help="interaction counts")
    parser.add_argument("--work", type=Path, default=Path("/tmp/learnloop-bench"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--full-run-only",
        action="store_true",
        help="only the full run and the BI queries (no baseline, daily run or rebuild)",
    )
    parser.add_argument(
        "--ingest-only",
        action="store_true",
        help="only the bare read and the ingest task, alternating (--rounds), printed, not "
        "written to --out",
    )
    parser.add_argument("--rounds", type=int, default=2, help="with --ingest-only")
    parser.add_argument(
        "--daily-rounds",
        type=int,
        default=1,
        help="daily run and full rebuild this many times, each from the full run's home; the "
        "median round is reported",
    )
    parser.add_argument(
        "--memory-limit", help="with --ingest-only: [performance] memory_limit of the ingest"
    )
    args = parser.parse_args()
    if args.daily_rounds < 1:
        parser.error("--daily-rounds must be at least 1")
    args.work.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEARNLOOP_", "AIRFLOW"))}
    env["LEARNLOOP_LANDING_SETTLE_SECONDS"] = "0"  # the exports are copied whole before a run
    load_at_start = os.getloadavg()
    if args.ingest_only:
        for count in (int(c) for c in args.scales.split(",")):
            result, rounds = run_ingest_only(count, args.work, env, args.rounds, args.memory_limit)
            print(ingest_report(result, rounds, load_at_start, args.memory_limit), flush=True)
        return
    results = []
    for count in (int(c) for c in args.scales.split(",")):
        results.append(run_scale(count, args.work, env, args.full_run_only, args.daily_rounds))
        # keep what is measured
        args.out.write_text(report(results, load_at_start), encoding="utf-8")
    print(report(results, load_at_start))


if __name__ == "__main__":
    main()
