"""Benchmark: the learned classifier's cost, uncached and cached, all ratios from one run.

Each phase runs the real dbt models in a process of its own (peak RSS per phase):
1. `uncached`: N distinct texts (the shipped examples' texts) loaded as inbox messages into a
   fresh build database, then `dbt build` up to int_interactions__signals: the embedding model
   embeds every text (messages/s uncached, on [classifier] threads = 1).
2. `rebuild`: the same database with `--full-refresh`: nothing is embedded again (the cache is
   counted before and after), every message is classified from the cache.
3. `rules` and `cached` at scale: M synthetic messages (pairs of example texts); first with an
   empty cache and a budget of 0 (the rules alone: the baseline), then with a vector in
   ops.embedding_cache for every text (random int8 vectors: the SQL cost does not depend on
   their values), so int_interactions__signals classifies all M with the model in SQL.
4. The cache's size per million texts: 1M random vectors in a fresh database file.

    OMP_NUM_THREADS=1 .venv/bin/python bench/classifier_embeddings.py [--texts 1000]
        [--messages 1000000] [--out bench/results-classifier.md]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from signals_classifier import GENERATE_SQL  # M messages: example texts, a third of them pairs

from learnloop.config import Config, load_config

BENCH = Path(__file__).resolve()
PROJECT = BENCH.parent.parent
SELECT_SIGNALS = ["build", "--select", "+int_interactions__signals", "--resource-type", "model"]
SEED_AND_SIGNALS = [*SELECT_SIGNALS, "--resource-type", "seed"]

# N distinct texts of the shipped examples, one inbox message each.
LOAD_EXAMPLES_SQL = """
    INSERT INTO raw.inbox_csv__messages BY NAME
    SELECT 'c' || row_number() OVER () AS conversation_id, id AS message_id,
        '' AS created_at_raw, TIMESTAMPTZ '2026-01-05 10:00:00+00' AS created_at,
        'Customer' AS direction_raw, 'member-' || id AS author, 'X' AS platform_raw, text,
        'bench.csv' AS _source_file, row_number() OVER () AS _source_row,
        TIMESTAMPTZ '2026-01-05 11:00:00+00' AS _loaded_at
    FROM (
        SELECT DISTINCT ON (text) id, text
        FROM read_csv(?, header = true, all_varchar = true)
        ORDER BY text, id
    )
    ORDER BY message_id
    LIMIT ?
"""

RANDOM_VECTORS_SQL = """
    INSERT INTO ops.embedding_cache
    SELECT text_key, ?, list_transform(range(384), lambda d: (random() * 254 - 127)::TINYINT)::TINYINT[384],
        0.0078, now()
    FROM ({keys})
"""


# --- phases, each in its own process -------------------------------------------------------


def _config(home_dir: Path, budget: int) -> Config:
    from learnloop.paths import Home

    home = Home(home_dir)
    home.ensure()
    home.config_file.write_text(f"[classifier]\nembedding_budget = {budget}\nthreads = 1\n")
    return load_config(home, environ={"LEARNLOOP_HOME": str(home.root)})


def _dbt(config: Config, database: Path, work_dir: Path, arguments: list[str]) -> dict:
    """Run dbt; the wall time and each model's execution time."""
    from learnloop.build import write_settings
    from learnloop.db import connect
    from learnloop.transform import run_dbt

    with connect(database) as con:
        write_settings(con, config)  # the budget of this phase
    started = time.perf_counter()
    run_dbt(arguments, database, config, work_dir)
    wall = time.perf_counter() - started
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    models = {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results}
    return {"wall": wall, "models": models}


def _count(database: Path, sql: str) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return int(con.execute(sql).fetchone()[0])


def phase_uncached(work: Path, texts: int) -> dict:
    from learnloop.build import start_run
    from learnloop.classifier.examples import EXAMPLES_CSV

    config = _config(work / "home", budget=texts)
    context = start_run(config)
    database = context.database_path
    with duckdb.connect(str(database)) as con:
        con.execute(LOAD_EXAMPLES_SQL, [str(EXAMPLES_CSV), texts])
    (work / "database").write_text(str(database))
    result = _dbt(config, database, work / "dbt-uncached", [*SEED_AND_SIGNALS, "--full-refresh"])
    result["embedded"] = _count(
        database, "SELECT count(*) FROM intermediate.int_signal_embeddings__batch"
    )
    result["messages"] = _count(
        database, "SELECT count(*) FROM intermediate.int_interactions__texts"
    )
    return result


def phase_rebuild(work: Path, texts: int) -> dict:
    config = _config(work / "home", budget=texts)
    database = Path((work / "database").read_text())
    cached = "SELECT count(*) FROM ops.embedding_cache"
    before = _count(database, cached)
    result = _dbt(config, database, work / "dbt-rebuild", [*SEED_AND_SIGNALS, "--full-refresh"])
    result["cache_before"], result["cache_after"] = before, _count(database, cached)
    result["embedded"] = _count(
        database, "SELECT count(*) FROM intermediate.int_signal_embeddings__batch"
    )
    result["by_model"] = _count(
        database,
        "SELECT count(*) FROM intermediate.int_interactions__signals WHERE model_category IS NOT NULL",
    )
    return result


def phase_scale(work: Path, messages: int, cached: bool) -> dict:
    from learnloop.build import start_run
    from learnloop.classifier.embedding import MODEL_ID
    from learnloop.classifier.examples import EXAMPLES_CSV

    config = _config(work / "scale-home", budget=0)
    if not cached:
        context = start_run(config)
        database = context.database_path
        with duckdb.connect(str(database)) as con:
            con.execute(GENERATE_SQL, [str(EXAMPLES_CSV), messages])
        (work / "scale-database").write_text(str(database))
        arguments = [*SEED_AND_SIGNALS, "--full-refresh"]
    else:
        database = Path((work / "scale-database").read_text())
        keys = "SELECT DISTINCT text_key FROM intermediate.int_interactions__texts WHERE text_key IS NOT NULL"
        with duckdb.connect(str(database)) as con:
            con.execute(RANDOM_VECTORS_SQL.format(keys=keys), [MODEL_ID])
        arguments = [*SELECT_SIGNALS, "--full-refresh"]
    result = _dbt(config, database, work / f"dbt-scale-{cached}", arguments)
    result["messages"] = _count(
        database, "SELECT count(*) FROM intermediate.int_interactions__signals"
    )
    result["by_model"] = _count(
        database,
        "SELECT count(*) FROM intermediate.int_interactions__signals WHERE model_category IS NOT NULL",
    )
    result["texts"] = _count(database, "SELECT count(*) FROM ops.embedding_cache")
    return result


def phase_cache_size(work: Path, texts: int) -> dict:
    from learnloop.classifier.cache import create_cache
    from learnloop.classifier.embedding import MODEL_ID

    database = work / "cache-size.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE SCHEMA ops")
        create_cache(con)
        con.execute("CHECKPOINT")
    empty = database.stat().st_size
    with duckdb.connect(str(database)) as con:
        keys = f"SELECT md5(i::VARCHAR) AS text_key FROM range({texts}) AS r(i)"
        con.execute(RANDOM_VECTORS_SQL.format(keys=keys), [MODEL_ID])
        con.execute("CHECKPOINT")
    return {"texts": texts, "bytes": database.stat().st_size - empty}


PHASES = {
    "uncached": lambda a: phase_uncached(a.work, a.texts),
    "rebuild": lambda a: phase_rebuild(a.work, a.texts),
    "rules": lambda a: phase_scale(a.work, a.messages, cached=False),
    "cached": lambda a: phase_scale(a.work, a.messages, cached=True),
    "cache_size": lambda a: phase_cache_size(a.work, 1_000_000),
}


# --- the orchestration ----------------------------------------------------------------------


def _run_phase(name: str, args: argparse.Namespace) -> dict:
    """The phase in a child process; its result and its peak RSS (MiB)."""
    command = [sys.executable, str(BENCH), "--phase", name, "--work", str(args.work)]
    command += ["--texts", str(args.texts), "--messages", str(args.messages)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(PROJECT)}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True)
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"phase {name} failed")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mib"] = usage.ru_maxrss / 1024
    print(f"{name}: {json.dumps(result)}", flush=True)
    return result


def _load_average() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def report(results: dict, args: argparse.Namespace, load: str, measured: str) -> str:
    uncached, rebuild = results["uncached"], results["rebuild"]
    rules, cached, size = results["rules"], results["cached"], results["cache_size"]
    embed_seconds = uncached["models"]["int_signal_embeddings__batch"]
    uncached_rate = uncached["embedded"] / embed_seconds
    rules_rate = rules["messages"] / rules["models"]["int_interactions__signals"]
    cached_rate = cached["messages"] / cached["models"]["int_interactions__signals"]
    rebuild_rate = uncached["messages"] / rebuild["models"]["int_interactions__signals"]
    per_million = size["bytes"] / size["texts"] * 1_000_000 / 2**20
    model_over_rules = (
        cached["models"]["int_interactions__signals"] / rules["models"]["int_interactions__signals"]
    )
    return f"""# The learned classifier: embedding, caching, classifying in SQL

Measured {measured} by `bench/classifier_embeddings.py --texts {args.texts} --messages {args.messages}`
(`make bench`) on the 2-core build machine shared with other engineers' test runs (load
average {load} at the start). Every phase ran the real dbt models in a process of its own
(peak RSS per process); the embedding model on 1 thread (`[classifier] threads = 1`).

| phase | messages | time | messages/s | peak RSS |
|---|---:|---:|---:|---:|
| uncached: embed {uncached["embedded"]:,} new texts (`int_signal_embeddings__batch`) | {uncached["embedded"]:,} | {embed_seconds:.1f} s | {uncached_rate:.1f} | {uncached["peak_rss_mib"]:.0f} MiB |
| rebuild (`--full-refresh`), all cached: classify (`int_interactions__signals`) | {uncached["messages"]:,} | {rebuild["models"]["int_interactions__signals"]:.2f} s | {rebuild_rate:,.0f} | {rebuild["peak_rss_mib"]:.0f} MiB |
| rules only, nothing cached (baseline, `int_interactions__signals`) | {rules["messages"]:,} | {rules["models"]["int_interactions__signals"]:.1f} s | {rules_rate:,.0f} | {rules["peak_rss_mib"]:.0f} MiB |
| rules + model, every text cached (`int_interactions__signals`) | {cached["messages"]:,} | {cached["models"]["int_interactions__signals"]:.1f} s | {cached_rate:,.0f} | {cached["peak_rss_mib"]:.0f} MiB |

- Cached against uncached, per message: {cached_rate / uncached_rate:,.0f} times faster
  ({cached_rate:,.0f} against {uncached_rate:.1f} messages/s).
- The model in SQL against the rules alone on the same {rules["messages"]:,} messages:
  {model_over_rules:.2f} times the time of `int_interactions__signals`
  ({cached["by_model"]:,} messages classified by the model, {cached["texts"]:,} distinct texts
  in the cache).
- The rebuild re-embedded nothing: the cache held {rebuild["cache_before"]:,} texts before
  and {rebuild["cache_after"]:,} after, `int_signal_embeddings__batch` listed
  {rebuild["embedded"]} texts, and the model classified {rebuild["by_model"]:,} of
  {uncached["messages"]:,} messages (the others have no text the model reads).
- The cache's size: {per_million:,.0f} MiB per million texts (1,000,000 random int8 vectors
  with their keys in a DuckDB file; embeddings compress about as badly as random bytes).
- A first import at this speed: the default budget of 5,000 texts per run takes about
  {5000 / uncached_rate / 60:.0f} minutes; a history of 1,000,000 texts is embedded over
  {1_000_000 / 5000:,.0f} daily runs (newest first), the rules classify what waits.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=BENCH.parent / "results-classifier.md")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args)))
        return
    load = _load_average()
    measured = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    with tempfile.TemporaryDirectory(prefix="learnloop-bench-classifier-") as work:
        args.work = Path(work)
        results = {name: _run_phase(name, args) for name in PHASES}
    args.out.write_text(report(results, args, load, measured), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
