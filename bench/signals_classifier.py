"""Benchmark: the signal classifier (int_interactions__signals) on ~1M synthetic messages.

The messages are generated in DuckDB SQL from the shipped training examples' sentences: each
message is one example text, some with a second one appended, so the token mix and the share
of each category look like the labelled data. They are inserted as inbox-tool messages into a fresh
build database; then the real dbt models run (`dbt build` of the seeds and the models up to
int_interactions__signals). The wall time of each model comes from dbt's run_results.json.

    .venv/bin/python bench/signals_classifier.py [--messages 1000000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import duckdb

from learnloop.build import start_run
from learnloop.classifier.examples import EXAMPLES_CSV
from learnloop.config import load_config
from learnloop.evaluate_classifier import CLASSIFIER_BUILD
from learnloop.paths import Home
from learnloop.transform import run_dbt

GENERATE_SQL = """
    INSERT INTO raw.inbox_csv__messages BY NAME
    WITH sentences AS (
        SELECT list(text ORDER BY id) AS texts, count(*) AS n
        FROM read_csv(?, header = true, all_varchar = true)
    )
    SELECT 'c' || i AS conversation_id, 'm' || i AS message_id, '' AS created_at_raw,
        TIMESTAMPTZ '2026-01-05 00:00:00+00' + to_minutes(i % 100000) AS created_at,
        'Customer' AS direction_raw, 'member' || (i % 50000) AS author,
        (['IG', 'Facebook', 'X', 'YouTube'])[1 + i % 4] AS platform_raw,
        texts[1 + (i * 7919) % n]
            || CASE WHEN i % 3 = 0 THEN ' ' || texts[1 + (i * 104729) % n] ELSE '' END AS text,
        'bench.csv' AS _source_file, i AS _source_row,
        TIMESTAMPTZ '2026-03-01 00:00:00+00' AS _loaded_at
    FROM range(?) AS r(i), sentences
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="learnloop-bench-signals-") as tmp:
        home = Home(Path(tmp) / "home")
        home.ensure()
        config = load_config(home, environ={"LEARNLOOP_HOME": str(home.root)})
        context = start_run(config)
        with duckdb.connect(str(context.database_path)) as con:
            con.execute(GENERATE_SQL, [str(EXAMPLES_CSV), args.messages])
        work_dir = Path(tmp) / "dbt"
        started = time.perf_counter()
        run_dbt(
            CLASSIFIER_BUILD,
            context.database_path,
            config,
            work_dir,
        )
        total = time.perf_counter() - started
        results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
        for result in results:
            print(f"{result['unique_id'].split('.')[-1]:40} {result['execution_time']:8.1f} s")
        print(f"{'dbt build (seeds and models, in total)':40} {total:8.1f} s")
        with duckdb.connect(str(context.database_path), read_only=True) as con:
            for row in con.execute(
                "SELECT signal_category, count(*) FROM intermediate.int_interactions__signals "
                "GROUP BY ALL ORDER BY 2 DESC"
            ).fetchall():
                print(*row)


if __name__ == "__main__":
    main()
