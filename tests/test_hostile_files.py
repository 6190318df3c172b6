"""The hostile-file corpus: every broken or malicious file ends loaded (with a documented
repair), a duplicate, stopped by the raw gate, or quarantined with one line; never a
traceback, never a half-loaded file, and the rest of the run goes on.

One ingest over the whole corpus (tests/fixtures/hostile/ plus the binary and large files,
odd names, links and a pipe that tests/hostile_generated.py makes), one raw gate over that
batch; then one assertion per file against tests/fixtures/hostile/expected.csv, whose `file`
is the name as lineage shows it (escaped where the real name has a newline or other bytes).
"""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from learnloop.errors import GateFailed
from learnloop.gates.runner import run_gate
from learnloop.ingest import archives
from learnloop.ingest.formats import FORMATS
from learnloop.ingest.names import safe_component
from learnloop.pipeline import _gate_parameters
from tests import harness, hostile_generated
from tests.conftest import query

EXPECTED = list(csv.DictReader((hostile_generated.HOSTILE / "expected.csv").open(encoding="utf-8")))
RAW_ROWS_OF_FILE = " UNION ALL ".join(
    f"SELECT _source_file FROM raw.{f.raw_table}" for f in FORMATS
)


@dataclass(frozen=True)
class CorpusRun:
    config: object
    context: object
    manifest: dict[str, tuple]  # file_name -> (format, status, rows, message)
    gate_message: str
    landed: list[str]
    outside: Path  # a folder outside the home that links point into
    outside_before: dict[str, bytes]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    root = tmp_path_factory.mktemp("hostile")
    config = harness.configure(harness.make_home(root / "home"), harness.FIXTURE_CONFIG)
    for source in sorted(hostile_generated.HOSTILE.iterdir()):
        if source.name != "expected.csv":
            shutil.copyfile(source, config.home.landing / source.name)
    hostile_generated.write_generated(config.home.landing)
    outside = root / "outside"
    hostile_generated.write_special(config.home.landing, outside)
    outside_before = tree(outside)
    landed = sorted(p.name for p in config.home.landing.iterdir())
    with pytest.MonkeyPatch.context() as patch:
        # The real limit is 4 GiB; an archive above 1 MiB shows the same check without gigabytes.
        patch.setattr(archives, "MAX_UNPACKED_BYTES", hostile_generated.UNPACK_LIMIT_BYTES)
        context, _ = harness.ingest(config)
    rows = query(
        context.database_path,
        "SELECT file_name, format, status, rows, message FROM ops.load_manifest",
    )
    with pytest.raises(GateFailed) as gate:
        run_gate("raw_batch", context.database_path, _gate_parameters(context, config))
    return CorpusRun(
        config,
        context,
        {r[0]: r[1:] for r in rows},
        str(gate.value),
        landed,
        outside,
        outside_before,
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Every entry below `folder`: a file's bytes, a link's target, b"<dir>" for a folder."""
    entries = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            entries[str(path)] = str(path.readlink()).encode()
        else:
            entries[str(path)] = path.read_bytes() if path.is_file() else b"<dir>"
    return entries


def reasons(corpus: CorpusRun) -> dict[str, list[Path]]:
    """Every reason file of the run by its text."""
    found: dict[str, list[Path]] = {}
    for path in (corpus.config.home.quarantine / corpus.context.run_key).rglob("*.reason.txt"):
        found.setdefault(path.read_text(encoding="utf-8"), []).append(path)
    return found


def test_the_corpus_has_at_least_60_files_and_each_has_one_expectation(corpus: CorpusRun):
    names = [row["file"] for row in EXPECTED]
    assert len(names) == len(set(names)) >= 60
    # Every file the run saw is in expected.csv, and the other way round.
    assert sorted(corpus.manifest) == sorted(names)


def test_every_landed_file_is_still_in_landing_or_in_quarantine(corpus: CorpusRun):
    home = corpus.config.home
    quarantined = {p.name for p in (home.quarantine / corpus.context.run_key).iterdir()}
    for name in corpus.landed:
        kept = safe_component(name)  # a quarantined file's name, bounded and escaped
        assert os.path.lexists(home.landing / name) or kept in quarantined, name


@pytest.mark.parametrize("case", EXPECTED, ids=[row["file"] for row in EXPECTED])
def test_file_ends_as_expected(corpus: CorpusRun, case: dict[str, str]):
    name, outcome, expect = case["file"], case["outcome"], case["expect"]
    export_format, status, rows, message = corpus.manifest[name]
    loaded_rows = query(
        corpus.context.database_path,
        f"SELECT count(*) FROM ({RAW_ROWS_OF_FILE}) WHERE _source_file = ?",
        [name],
    )[0][0]
    if outcome in ("loaded", "repaired"):
        assert (export_format, status, rows, loaded_rows) == (
            case["pretends_to_be"],
            "loaded",
            int(expect),
            int(expect),
        )
    elif outcome == "duplicate":
        assert (status, rows, loaded_rows) == ("duplicate", 0, 0)
    elif outcome == "gate-failed":
        # It parses, so it loads; the raw gate then names the violation (and its value).
        assert (status, loaded_rows) == ("loaded", rows)
        for part in expect.split("|"):
            assert part in corpus.gate_message, (part, corpus.gate_message)
    else:
        assert outcome == "quarantined"
        # Exactly one reason file holds the manifest's message, as one line.
        assert (status, loaded_rows, len(reasons(corpus).get(f"{message}\n", []))) == (
            "quarantined",
            0,
            1,
        )
        reason = message
        assert reason.startswith(f"{name}: ") and expect in reason, reason
        if export_format is not None:  # recognised, then refused: the format is named
            title = next(f.title for f in FORMATS if f.name == export_format)
            assert f"looks like {title}, but " in reason
        assert len(reason) < 400 and "Traceback" not in reason


def test_repairs_keep_the_values(corpus: CorpusRun):
    database = corpus.context.database_path
    # Mixed zones: 09:00Z; 10:20+01:00 = 09:20Z; 09:40 UTC; naive 10:50 Berlin (CET, +1) = 09:50Z.
    assert query(
        database,
        """SELECT message_id, strftime(created_at AT TIME ZONE 'UTC', '%H:%M')
           FROM raw.inbox_csv__messages
           WHERE _source_file = 'inbox_mixed_timezones.csv' ORDER BY message_id""",
    ) == [
        ("tz-msg-1", "09:00"),
        ("tz-msg-2", "09:20"),
        ("tz-msg-3", "09:40"),
        ("tz-msg-4", "09:50"),
    ]
    # Formula-like cells are data; only spreadsheet outputs escape them.
    assert query(
        database,
        """SELECT author, text FROM raw.inbox_csv__messages
           WHERE _source_file = 'inbox_formula_injection.csv' ORDER BY message_id""",
    ) == [
        ("=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example","click")'),
        ("Nordlicht Support", "+49 30 1234567 call us"),
        ("@tilo_trails", "-2+3 is what the app shows"),
        ("tilo_trails", "@SUM(1+1)"),
    ]
    # Duplicate key: the first likeCount (4) wins; an overflowing one is unknown, not wrong.
    assert query(
        database,
        """SELECT _source_file, like_count FROM raw.youtube_api__comments
           WHERE comment_id LIKE 'Ug%1aaaaaaaaaaaaaaaaaa4AaABAg'
             AND _source_file IN ('yt_duplicate_keys.json', 'yt_overflowing_count.json')
           ORDER BY 1""",
    ) == [("yt_duplicate_keys.json", 4), ("yt_overflowing_count.json", None)]
    # The 10 MB comment arrived whole: 10 * 1024 * 1024 characters.
    assert query(
        database,
        "SELECT max(length(text)) FROM raw.youtube_api__comments "
        "WHERE _source_file = 'yt_10mb_field.json'",
    ) == [(10 * 1024 * 1024,)]


def test_nothing_was_written_outside_the_run_folder(corpus: CorpusRun):
    # zip_path_traversal.zip and zip_absolute_path.zip must not have unpacked anything.
    root = corpus.config.home.root
    assert not (root.parent / "outside.csv").exists()
    assert not (root / "warehouse" / "build" / "runs" / "outside.csv").exists()
    assert not Path("/tmp/learnloop-absolute.csv").exists()
    # `!` in a landed name and `..!..!` in a member name are characters, not separators.
    assert not hostile_generated.BANG_VICTIM.parent.exists()
    assert not (root.parent / "x.txt").exists()
    # What the links point to is exactly as it was (and nothing was added next to it).
    assert tree(corpus.outside) == corpus.outside_before


def test_no_link_was_followed_and_no_name_was_read_as_a_pattern(corpus: CorpusRun):
    database = corpus.context.database_path
    # Each corpus file has ids of its own prefix (`gstar-msg-1`, ...): a file whose rows
    # came from more than one file (a glob, a linked file or folder) has several prefixes.
    mixed = query(
        database,
        """SELECT _source_file, list(DISTINCT split_part(message_id, '-', 1))
           FROM raw.inbox_csv__messages WHERE message_id LIKE '%-%' GROUP BY 1
           HAVING count(DISTINCT split_part(message_id, '-', 1)) > 1""",
    )
    assert mixed == []
    outside_ids = query(
        database,
        "SELECT count(*) FROM raw.inbox_csv__messages "
        "WHERE message_id LIKE 'outside-%' OR message_id LIKE 'outdir-%'",
    )
    assert outside_ids == [(0,)]


def test_no_secret_reached_a_reason_or_the_database(corpus: CorpusRun):
    secret = hostile_generated.SECRET.strip()
    messages = " ".join(str(row[3]) for row in corpus.manifest.values())
    assert secret.decode() not in messages and "/etc/passwd" not in messages
    home = corpus.config.home.root
    for path in home.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert secret not in path.read_bytes(), path


def test_quarantine_holds_the_original_archive_of_a_bomb_never_its_expansion(corpus: CorpusRun):
    quarantined = corpus.config.home.quarantine / corpus.context.run_key
    bomb = quarantined / "zip_bomb.zip"
    assert bomb.read_bytes() == hostile_generated.generated_files()["zip_bomb.zip"]
    largest = max(p.stat().st_size for p in quarantined.rglob("*") if p.is_file())
    # Nothing larger than what landed: the largest is inbox_10mb_field.csv, as it arrived.
    assert largest == len(hostile_generated.generated_files()["inbox_10mb_field.csv"])
