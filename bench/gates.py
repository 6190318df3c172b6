"""Benchmark: what the two Great Expectations gates cost a run, against a baseline commit.

Builds the bundled samples (`learnloop demo`'s data and config) once: a fresh home in a temp
dir, discover + ingest + `dbt build` as the pipeline's stages do them. Then, in fresh
subprocesses (variants alternating, so both see the same load on a shared machine), each
variant imports GX and runs the raw gate and the mart gate on a copy of that database, the
way one `learnloop run` does in one process (raw gate, later mart gate), then both again
(what a process pays once GX is warm: the test suite runs the gates a few hundred times).
The mart gate compares with a previous run, so it validates both of its checks.

A variant is the working tree ("this") or a git ref ("baseline", default `main`: its
`learnloop/` and `expectations/` extracted with `git archive` and put first on the path).
Both must return the same outcomes, every field of every expectation's (the run log keeps
them); the parent fails loudly otherwise.

Figures are CPU-seconds (user + sys of the subprocess, all its threads) and wall seconds,
medians of N repeats, printed as a Markdown table:

    .venv/bin/python bench/gates.py [--baseline-ref main] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("import", "raw", "marts", "raw_again", "marts_again")


def _clock() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, time.perf_counter()


def _timed(work: Callable[[], Any], into: dict[str, list[float]], phase: str) -> Any:
    cpu, wall = _clock()
    result = work()
    cpu_after, wall_after = _clock()
    into[phase] = [cpu_after - cpu, wall_after - wall]
    return result


def measure(database: Path, run_key: str) -> None:
    """One variant in this process: print its timings and outcomes as JSON."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import duckdb

    from learnloop.gates.checks import GateParameters
    from learnloop.gates.runner import run_gate

    with duckdb.connect(str(database), read_only=True) as con:
        (interactions,) = con.execute("SELECT count(*) FROM analytics.interactions").fetchone()
    now = datetime.now(UTC)
    params = GateParameters(
        run_key=run_key,
        now=now,
        current_week_start=(now - timedelta(days=now.weekday())).date(),
        future_tolerance_minutes=60,
        max_volume_drop=0.5,
        previous_interactions=interactions,
    )
    timings: dict[str, list[float]] = {}

    def import_gx() -> None:
        import great_expectations  # noqa: F401

    _timed(import_gx, timings, "import")
    outcomes = {}
    for phase in PHASES[1:]:
        gate = "raw_batch" if phase.startswith("raw") else "marts"
        found = _timed(lambda gate=gate: run_gate(gate, database, params), timings, phase)
        outcomes[gate] = [o.as_dict() for o in found]
    import learnloop

    report = {"timings": timings, "outcomes": outcomes, "code": learnloop.__file__}
    print(json.dumps(report, default=str))


def build(root: Path) -> tuple[Path, str]:
    """The samples ingested and built into a run database; (database, run key)."""
    from learnloop.build import start_run
    from learnloop.cli import DEMO_CONFIG
    from learnloop.config import load_config
    from learnloop.db import connect
    from learnloop.ingest.discover import discover
    from learnloop.ingest.loader import load_files
    from learnloop.paths import SAMPLE_DATA_DIR, Home
    from learnloop.transform import build_models

    home = Home(root / "home")
    home.ensure()
    home.config_file.write_text(DEMO_CONFIG, encoding="utf-8")
    config = load_config(home, environ={})
    for source in sorted(SAMPLE_DATA_DIR.rglob("*")):
        if source.is_file() and source.suffix in {".csv", ".json", ".jsonl", ".zip"}:
            shutil.copy2(source, home.landing / source.name)
    context = start_run(config)
    files = discover(home.landing, Path(context.run_dir) / "files", settle_seconds=0)
    with connect(context.database_path) as con:
        load_files(con, files, config, context.run_key)
    build_models(context.database_path, config, root / "dbt")
    os.environ.pop("LEARNLOOP_BUILD_DB", None)
    return context.database_path, context.run_key


def extract(ref: str, target: Path) -> Path:
    """`learnloop/` and `expectations/` of a git ref, as a directory to put on the path."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "learnloop", "expectations"],
        check=True,
        capture_output=True,
    ).stdout
    target.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def run_variant(path: Path | None, database: Path, run_key: str, work: Path) -> dict:
    copy = work / "gate.duckdb"
    shutil.copy2(database, copy)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if path is not None:
        env["PYTHONPATH"] = str(path)
    done = subprocess.run(
        [sys.executable, __file__, "--measure", str(copy), run_key],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-ref", default="main")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", nargs=2, metavar=("DATABASE", "RUN_KEY"))
    args = parser.parse_args()
    if args.measure:
        measure(Path(args.measure[0]), args.measure[1])
        return
    with tempfile.TemporaryDirectory(prefix="learnloop-gates-bench-") as tmp:
        root = Path(tmp)
        database, run_key = build(root / "build")
        variants = {"baseline": extract(args.baseline_ref, root / "baseline"), "this": None}
        results: dict[str, list[dict]] = {name: [] for name in variants}
        for repeat in range(args.repeat):
            order = list(variants) if repeat % 2 == 0 else list(reversed(variants))
            for name in order:
                work = root / f"{name}-{repeat}"
                work.mkdir()
                results[name].append(run_variant(variants[name], database, run_key, work))
    first = results["baseline"][0]["outcomes"]
    for name, runs in results.items():
        for run in runs:
            expected_code = variants[name] or ROOT
            if not Path(run["code"]).is_relative_to(expected_code):
                raise SystemExit(f"{name} ran the code in {run['code']}")
            for gate, outcomes in run["outcomes"].items():
                for i, (got, expected) in enumerate(zip(outcomes, first[gate], strict=True)):
                    if got != expected:
                        raise SystemExit(f"{name}: {gate} outcome {i} is {got}, not {expected}")
    print(f"Gates on the bundled samples, medians of {args.repeat} (CPU-s / wall s)\n")
    print(f"| phase | baseline ({args.baseline_ref}) | this | CPU ratio |")
    print("|---|---|---|---|")
    rows = [*PHASES, "run (raw + marts)"]
    for phase in rows:
        cells = []
        medians = {}
        for name, runs in results.items():
            parts = ("raw", "marts") if phase.startswith("run") else (phase,)
            cpu = statistics.median(sum(r["timings"][p][0] for p in parts) for r in runs)
            wall = statistics.median(sum(r["timings"][p][1] for p in parts) for r in runs)
            medians[name] = cpu
            cells.append(f"{cpu:.2f} / {wall:.2f}")
        ratio = medians["this"] / medians["baseline"] if medians["baseline"] else float("nan")
        print(f"| {phase} | {cells[0]} | {cells[1]} | {ratio:.2f} |")
    counts = {gate: len(outcomes) for gate, outcomes in first.items()}
    print(f"\nExpectations: {counts}; outcomes identical in every run of both variants.")


if __name__ == "__main__":
    main()
