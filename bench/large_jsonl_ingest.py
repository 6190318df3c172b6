"""Benchmark: ingest of one large JSON Lines export, against a bare DuckDB load of the same file.

What it shows: LearnLoop's reader streams a large export (default about 1 GB of YouTube
commentThreads JSON Lines) into its raw table with bounded memory, at a cost close to
DuckDB's own `read_json_objects` into a table. Both run in the same invocation, each in a
fresh subprocess, so the ratio is measured under the same machine load:

  baseline   CREATE TABLE t AS SELECT * FROM read_json_objects(file)  (DuckDB alone)
  learnloop  discover (one pass that copies the file into the run folder, hashes it with
             SHA-256 and scans it for NUL bytes) + format detection + the reader's SQL +
             INSERT with lineage, in one transaction, as the pipeline's stages run it

Reported per variant: wall time, peak RSS of the subprocess (its own getrusage), rows; then the
ratio learnloop / baseline. Results go to stdout and bench/results-large-jsonl.md.

    make bench   # or: .venv/bin/python bench/large_jsonl_ingest.py [--megabytes 1024]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

RESULTS = Path(__file__).with_name("results-large-jsonl.md")
CHANNEL = "UCnordlichtBikesDemo0001"


def _comment(comment_id: str, author: str, when: datetime, likes: int, parent: str | None) -> dict:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = "Wann kommt das Firmware-Update für den Akku? " * 3
    snippet = {
        "channelId": CHANNEL,
        "videoId": "dQw4w9WgXc1",
        "textDisplay": text,
        "textOriginal": text,
        "authorDisplayName": f"@{author}",
        "authorChannelId": {"value": author},
        "likeCount": likes,
        "publishedAt": stamp,
        "updatedAt": stamp,
    }
    if parent:
        snippet["parentId"] = parent
    return {"kind": "youtube#comment", "id": comment_id, "snippet": snippet}


def write_export(path: Path, megabytes: int) -> int:
    """YouTube commentThreads as JSON Lines, one thread (with two replies) per line."""
    start = datetime(2026, 1, 5, tzinfo=UTC)
    target = megabytes * 1024 * 1024
    threads = 0
    with path.open("w", encoding="utf-8") as sink:
        while sink.tell() < target:
            when = start + timedelta(seconds=threads * 7)
            thread_id = f"Ugz{threads:020d}4AaABAg"
            fan, likes, half_hour = (
                f"UCfan{threads % 5000:019d}",
                threads % 17,
                timedelta(minutes=30),
            )

            thread = {
                "kind": "youtube#commentThread",
                "id": thread_id,
                "snippet": {
                    "channelId": CHANNEL,
                    "videoId": "dQw4w9WgXc1",
                    "topLevelComment": _comment(thread_id, fan, when, likes, None),
                    "totalReplyCount": 2,
                },
                "replies": {
                    "comments": [
                        _comment(f"{thread_id}.r1", CHANNEL, when + half_hour, 0, thread_id),
                        _comment(f"{thread_id}.r2", fan, when + 3 * half_hour, 0, thread_id),
                    ]
                },
            }
            sink.write(json.dumps(thread) + "\n")
            threads += 1
    return threads


def run_variant(variant: str, export: Path, home: Path) -> dict:
    """Run one variant in a fresh process, which reports its own peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, __file__, "--variant", variant, str(export), str(home)],
        stdout=subprocess.PIPE,
        text=True,
    )
    output, _ = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"{variant} failed with exit code {process.returncode}")
    result = json.loads(output.strip().splitlines()[-1])
    result["wall_seconds"] = wall
    result["peak_rss_mib"] = result.pop("peak_rss_kib") / 1024
    return result


def variant_main(variant: str, export: Path, home: Path) -> None:
    import resource

    import duckdb

    if variant == "baseline":
        with duckdb.connect(str(home / "baseline.duckdb")) as con:
            con.execute(
                "CREATE TABLE t AS SELECT * FROM read_json_objects(?, format = 'auto', "
                "maximum_object_size = 1073741824)",
                [str(export)],
            )
            rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    else:
        from learnloop.build import start_run
        from learnloop.config import load_config
        from learnloop.db import connect
        from learnloop.ingest.discover import discover
        from learnloop.ingest.loader import load_files
        from learnloop.paths import Home

        learnloop_home = Home(home / "learnloop")
        config = load_config(learnloop_home, environ={})  # landed by main(), before timing
        context = start_run(config)
        files = discover(config.home.landing, Path(context.run_dir) / "files", settle_seconds=0)
        with connect(context.database_path) as con:
            rows = load_files(con, files, config, context.run_key).rows
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"variant": variant, "rows": rows, "peak_rss_kib": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=1024, help="size of the export")
    parser.add_argument("--variant", nargs=3, metavar=("NAME", "EXPORT", "HOME"))
    args = parser.parse_args()
    if args.variant:
        variant_main(args.variant[0], Path(args.variant[1]), Path(args.variant[2]))
        return

    with tempfile.TemporaryDirectory(prefix="learnloop-bench-") as scratch:
        folder = Path(scratch)
        export = folder / "commentThreads_large.jsonl"
        threads = write_export(export, args.megabytes)
        size_mib = export.stat().st_size / 1024 / 1024
        results = []
        for variant in ("baseline", "learnloop"):
            home = folder / variant
            home.mkdir()
            if variant == "learnloop":
                # A copy, not a hard link: landing refuses files with other hard links.
                (home / "learnloop" / "landing").mkdir(parents=True)
                shutil.copyfile(export, home / "learnloop" / "landing" / export.name)
            results.append(run_variant(variant, export, home))
    baseline, learnloop = results
    table = [
        f"# Large JSON Lines ingest ({size_mib:.0f} MiB, {threads} threads)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/large_jsonl_ingest.py`.",
        "",
        "| variant | rows | wall (s) | peak RSS (MiB) |",
        "|---|---|---|---|",
        *(
            f"| {r['variant']} | {r['rows']} | {r['wall_seconds']:.1f} | {r['peak_rss_mib']:.0f} |"
            for r in results
        ),
        f"| **learnloop / baseline** | | "
        f"{learnloop['wall_seconds'] / baseline['wall_seconds']:.2f}x | "
        f"{learnloop['peak_rss_mib'] / baseline['peak_rss_mib']:.2f}x |",
        "",
        "baseline rows are JSON documents (threads); learnloop rows are comments and replies.",
    ]
    text = "\n".join(table) + "\n"
    print(text)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
