"""Landing is an attack surface (issue 12): each defect of the landing half, reproduced with a
fixture made here, and the fixed behaviour asserted with exact values.

1 `!` in a name wrote anywhere · 2 links were followed · 3 names were DuckDB globs · 4 a
growing file lost rows · 5 a zip bomb filled quarantine · 6 NUL bytes after 64 KB loaded ·
7 an .xlsx aborted the process · 8 a nameless zip member crashed discover · 9 long names
broke quarantine · 10 an unreadable file stopped the batch · 11 duplicate zip members loaded
twice · 12 a platform `all` failed a dbt test · 18 misleading reasons · 19 dotfiles and
unlistable folders stayed without a word. The whole hostile corpus runs through one real
`learnloop run` at the end (tests/test_hostile_files.py checks it file by file, fast).

Most tests call discover and ingest directly, as the DAG's tasks do, on a home under
tmp_path; a folder `elsewhere/` next to the home plays everything outside it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pytest

from learnloop.build import promote, start_run
from learnloop.config import Config
from learnloop.db import connect
from learnloop.errors import LearnLoopError
from learnloop.ingest import archives
from learnloop.ingest import landing as landing_module
from learnloop.ingest.discover import discover, scan_landing
from learnloop.ingest.keeping import archive_landed
from learnloop.ingest.landing import LINK_REASON, Unstable, snapshot, walk
from learnloop.ingest.loader import load_files
from learnloop.ingest.names import REASON_SUFFIX
from learnloop.inspection import inspect_file
from learnloop.paths import Home
from tests import hostile_generated, published_build
from tests.conftest import FIXTURE_CONFIG, query, run_cli
from tests.harness import configure, ingest, land, make_home, manifest, sha256

INBOX_TABLE = "raw.inbox_csv__messages"
INBOX_TITLE = "Social inbox / listening CSV"
HEADER = (
    "Conversation ID,Message ID,Created at,Direction,Author,Network,Message,Parent Post Id,Url\n"
)
SECRET = "db_password=hunter2-do-not-publish"


def inbox(tag: str, rows: int = 3, network: str = "YouTube") -> bytes:
    """An inbox export whose messages are `<tag>-1` .. `<tag>-<rows>`."""
    body = "".join(
        f"{tag}-c,{tag}-{n},2026-01-07 10:{n % 60:02d}:00,Inbound,member_{n},{network},"
        f"Question {n}?,,\n"
        for n in range(1, rows + 1)
    )
    return (HEADER + body).encode()


def ids(context, name: str) -> list[str]:
    """The message ids loaded from one landed file, in file order."""
    rows = query(
        context.database_path,
        f"SELECT message_id FROM {INBOX_TABLE} WHERE _source_file = ? ORDER BY _source_row",
        [name],
    )
    return [message_id for (message_id,) in rows]


def all_ids(context) -> set[str]:
    return {m for (m,) in query(context.database_path, f"SELECT message_id FROM {INBOX_TABLE}")}


def messages(context) -> dict[str, str | None]:
    rows = query(
        context.database_path,
        "SELECT file_name, message FROM ops.load_manifest WHERE run_key = ?",
        [context.run_key],
    )
    return dict(rows)


def reason_of(config: Config, context, *kept: str) -> str:
    """The one line of a reason file in quarantine/<run>/ (asserting it is one line)."""
    path = config.home.quarantine.joinpath(context.run_key, *kept[:-1], kept[-1] + REASON_SUFFIX)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and text.count("\n") == 1, text
    return text[:-1]


def tree(folder: Path) -> dict[str, bytes]:
    """Every entry below `folder`: a file's bytes, a link's target, b"<dir>" for a folder."""
    entries = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            entries[str(path.relative_to(folder))] = str(path.readlink()).encode()
        elif path.is_file():
            entries[str(path.relative_to(folder))] = path.read_bytes()
        else:
            entries[str(path.relative_to(folder))] = b"<dir>"
    return entries


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A folder outside the home, with an export, a private file and a folder in it."""
    folder = tmp_path / "elsewhere"
    (folder / "folder").mkdir(parents=True)
    (folder / "export.csv").write_bytes(inbox("outside"))
    (folder / "private.txt").write_text(SECRET + "\n", encoding="utf-8")
    (folder / "folder" / "in.csv").write_bytes(inbox("outdir"))
    (folder / "x").mkdir()
    (folder / "x" / "victim.txt").write_text("keep me\n", encoding="utf-8")
    return folder


# --- 1: `!` in a name -----------------------------------------------------------------------


def test_a_bang_in_a_landed_name_is_a_character_not_a_folder(config: Config, elsewhere: Path):
    before = tree(elsewhere)
    # The attack: `!` once became `/`, and `Path / "/abs"` dropped the base folder.
    name = str(elsewhere / "x" / "victim.txt").replace("/", "!")
    land(config, b"not an export\n", name)
    land(config, inbox("good"), "good.csv")
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 1, "rows": 3}
    kept = config.home.quarantine / context.run_key / name
    assert kept.read_bytes() == b"not an export\n"
    assert reason_of(config, context, name) == (
        f"{name}: matches no known export format (it starts with 'not an export')"
    )
    assert tree(elsewhere) == before  # victim.txt as it was, no reason file beside it


def test_a_bang_in_a_zip_member_name_stays_inside_quarantine(
    config: Config, tmp_path: Path, elsewhere: Path
):
    before = tree(tmp_path / "elsewhere")
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("..!..!x.txt", b"not an export\n")
        archive.writestr("ok.csv", inbox("member"))
    land(config, bundle.getvalue(), "export.zip")
    context, _ = ingest(config)

    assert manifest(context) == [
        ("export.zip!..!..!x.txt", "export.zip", sha256(b"not an export\n"), None,
         "quarantined", None),
        ("export.zip!ok.csv", "export.zip", sha256(inbox("member")), "inbox_csv", "loaded", 3),
    ]  # fmt: skip
    copy = config.home.quarantine / context.run_key / "export.zip" / "..!..!x.txt"
    assert copy.read_bytes() == b"not an export\n"
    assert not (config.home.root.parent / "x.txt").exists()
    assert tree(tmp_path / "elsewhere") == before


# --- 2: links ---------------------------------------------------------------------------------


def test_links_are_quarantined_as_links_and_their_targets_never_read(
    config: Config, elsewhere: Path, caplog: pytest.LogCaptureFixture
):
    before = tree(elsewhere)
    landing_dir = config.home.landing
    (landing_dir / "export.csv").symlink_to(elsewhere / "export.csv")
    (landing_dir / "notes.csv").symlink_to(elsewhere / "private.txt")
    (landing_dir / "linked").symlink_to(elsewhere / "folder", target_is_directory=True)
    (landing_dir / "gone.csv").symlink_to(elsewhere / "missing.csv")
    (landing_dir / "loop.csv").symlink_to(landing_dir / "loop.csv")
    land(config, inbox("good"), "good.csv")
    (landing_dir / "again.csv").symlink_to(landing_dir / "good.csv")  # inside landing, too
    # A hard link is the outside file itself under a second name (the same inode).
    (landing_dir / "hard.csv").hardlink_to(elsewhere / "private.txt")
    caplog.set_level(logging.INFO)
    context, summary = ingest(config)

    links = ["again.csv", "export.csv", "gone.csv", "linked", "loop.csv", "notes.csv"]
    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 7, "rows": 3}
    assert messages(context) == {
        **{name: f"{name}: {LINK_REASON}" for name in links},
        "hard.csv": "hard.csv: has 1 other hard link(s): its bytes may be a file's outside "
        "landing/, so it is not read (land a copy instead of a link)",
        "good.csv": None,
    }
    for name in links:  # moved as links, pointing where they pointed
        kept = config.home.quarantine / context.run_key / name
        assert kept.is_symlink() and not (landing_dir / name).is_symlink(), name
        assert reason_of(config, context, name) == f"{name}: {LINK_REASON}"
    assert (config.home.quarantine / context.run_key / "notes.csv").readlink() == (
        elsewhere / "private.txt"
    )
    # Only the good file's rows; nothing of the link targets; the secret nowhere.
    assert all_ids(context) == {"good-1", "good-2", "good-3"}
    assert SECRET not in caplog.text and str(elsewhere) not in caplog.text
    # The hard link moved as it was (the outside file's own inode, never a copy of it) ...
    hard = config.home.quarantine / context.run_key / "hard.csv"
    assert hard.samefile(elsewhere / "private.txt")
    # ... and no other file in the home holds the secret: it was never read.
    for path in config.home.root.rglob("*"):
        if path.is_file() and not path.is_symlink() and path != hard:
            assert SECRET.encode() not in path.read_bytes(), path
    assert tree(elsewhere) == before


def test_a_link_inside_a_zip_is_neither_followed_nor_named(config: Config, elsewhere: Path):
    target = str(elsewhere / "private.txt")
    land(config, hostile_generated.link_zip({"link.csv": target}, {"ok.csv": inbox("ok")}), "l.zip")
    context, _ = ingest(config)

    assert manifest(context) == [
        ("l.zip!link.csv", "l.zip", "", None, "quarantined", None),
        ("l.zip!ok.csv", "l.zip", sha256(inbox("ok")), "inbox_csv", "loaded", 3),
    ]
    reason = reason_of(config, context, "l.zip", "link.csv")
    assert (
        reason == "l.zip!link.csv: is a symbolic link inside the archive; links are never followed"
    )
    # Only the reason: the member's content (the path it points to) is not copied.
    assert sorted(
        p.name for p in (config.home.quarantine / context.run_key / "l.zip").iterdir()
    ) == ["link.csv.reason.txt"]
    assert target.encode() not in b"".join(
        p.read_bytes() for p in config.home.quarantine.rglob("*") if p.is_file()
    )


# --- 3: names are not patterns -----------------------------------------------------------------


def test_duckdb_reads_such_names_as_patterns(tmp_path: Path):
    """The reason a run reads its own copies: DuckDB 2.0 globs `*`, `?` and `[...]` in any
    part of a path, with no escape, and reads `{a,b}` literally."""
    (tmp_path / "a.csv").write_bytes(b"n\n1\n")
    (tmp_path / "[ab].csv").write_bytes(b"n\n2\n")
    (tmp_path / "{a,b}.csv").write_bytes(b"n\n3\n")
    (tmp_path / "*.csv").write_bytes(b"n\n4\n")

    def read(name: str) -> list[int]:
        with duckdb.connect() as con:
            rows = con.execute("SELECT n FROM read_csv(?)", [str(tmp_path / name)]).fetchall()
        return sorted(n for (n,) in rows)

    # `[ab].csv` reads a.csv; `*.csv` and `?.csv` read every one-letter name or every file.
    assert read("[ab].csv") == [1]
    assert read("*.csv") == [1, 2, 3, 4]
    assert read("?.csv") == [1, 4]
    assert read("{a,b}.csv") == [3]


def test_names_with_glob_characters_load_exactly_their_own_rows(config: Config, elsewhere: Path):
    names = {"*.csv": "star", "?.csv": "qm", "[ab].csv": "brk", "a.csv": "a", "{a,b}.csv": "brc",
             "**.csv": "dstar", "*/in.csv": "dir", "b.csv": "b"}  # fmt: skip
    for name, tag in names.items():
        land(config, inbox(tag), name)
    (config.home.landing / "evil").symlink_to(elsewhere / "folder", target_is_directory=True)
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 8, "duplicate": 0, "quarantined": 1, "rows": 24}
    for name, tag in names.items():
        assert ids(context, name) == [f"{tag}-1", f"{tag}-2", f"{tag}-3"], name
    # Lineage: one manifest row per file, with the checksum of its own bytes.
    assert {(row[0], row[2]) for row in manifest(context) if row[4] == "loaded"} == {
        (name, sha256(inbox(tag))) for name, tag in names.items()
    }
    assert not {i for i in all_ids(context) if i.startswith(("outside", "outdir"))}


def test_two_files_that_show_the_same_name_keep_apart_in_lineage(config: Config):
    # A real newline and a backslash-n both show as `a\\nb.csv`; a landed file may be called
    # like a zip member. Same ids in both: one lineage name would make them duplicates.
    land(config, inbox("same"), "a\nb.csv")
    land(config, inbox("same").replace(b"Question", b"Frage"), "a\\nb.csv")
    land(config, hostile_generated.raw_zip([("m.csv", inbox("m"), 0)]), "x.zip")
    land(config, inbox("m").replace(b"Question", b"Frage"), "x.zip!m.csv")
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 4, "duplicate": 0, "quarantined": 0, "rows": 12}
    assert sorted(row[0] for row in manifest(context)) == [
        "a\\nb.csv",
        "a\\nb.csv~2",
        "x.zip!m.csv",
        "x.zip!m.csv~2",
    ]


def test_an_archive_with_too_many_members_is_refused_whole(
    config: Config, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(archives, "MAX_MEMBERS", 3)  # 50,000 in earnest
    land(config, hostile_generated.raw_zip([(f"{n}.csv", b"", 0) for n in range(4)]), "many.zip")
    context, _ = ingest(config)
    assert messages(context) == {
        "many.zip": "many.zip: the zip archive holds 4 files, more than the limit 3"
    }


def test_a_home_whose_path_is_a_pattern_stops_with_one_line(tmp_path: Path):
    home = make_home(tmp_path / "home[1]")
    (home.landing / "a.csv").write_bytes(inbox("a"))
    with pytest.raises(LearnLoopError, match=r"holds one of \* \? \[, which DuckDB's readers"):
        discover(home.landing, home.root / "work", settle_seconds=0)


# --- 4: a file still being written ---------------------------------------------------------------


def test_a_file_written_within_the_settle_time_waits(tmp_path: Path):
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "fresh.csv").write_bytes(inbox("fresh"))
    written = (folder / "fresh.csv").stat().st_mtime

    early = scan_landing(folder, tmp_path / "w1", settle_seconds=5, now=written + 4)
    later = scan_landing(folder, tmp_path / "w2", settle_seconds=5, now=written + 5)
    assert (early.waiting, early.files) == (["fresh.csv"], [])
    assert [f.name for f in later.files] == ["fresh.csv"] and later.waiting == []
    # A modification time in the future (a clock ahead) does not make it wait forever: the
    # inode's change time, set by this machine's kernel, counts instead.
    os.utime(folder / "fresh.csv", (written + 86400, written + 86400))
    changed = (folder / "fresh.csv").stat().st_ctime
    future = scan_landing(folder, tmp_path / "w3", settle_seconds=5, now=changed + 5)
    assert [f.name for f in future.files] == ["fresh.csv"]


def test_a_file_that_changes_while_it_is_copied_waits(tmp_path: Path):
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "growing.csv").write_bytes(inbox("grow", 42))
    (entry,) = walk(folder)
    with (folder / "growing.csv").open("ab") as sink:  # the exporter writes on
        sink.write(b"grow-c,grow-43,2026-01-07 10:43:00,Inbound,m,YouTube,late?,,\n")
    with pytest.raises(Unstable):
        snapshot(entry, tmp_path / "copy.csv")
    assert not (tmp_path / "copy.csv").exists()


def test_rows_appended_after_the_copy_load_in_the_next_run_and_none_is_lost(config: Config):
    first, grown = inbox("grow", 42), inbox("grow", 108)
    land(config, first, "growing.csv")
    context = start_run(config)
    files = discover(config.home.landing, Path(context.run_dir) / "files", settle_seconds=0)
    with connect(context.database_path) as con:
        load_files(con, files, config, context.run_key)
    # The exporter appends 66 rows after the run copied the file, before publish archives it.
    (config.home.landing / "growing.csv").write_bytes(grown)
    assert archive_landed(files, config.home, context.run_key) == []

    archived = config.home.archive / context.run_key / "growing.csv"
    assert archived.read_bytes() == first  # what was loaded is what is archived
    assert manifest(context) == [
        ("growing.csv", "growing.csv", sha256(first), "inbox_csv", "loaded", 42)
    ]
    assert (config.home.landing / "growing.csv").read_bytes() == grown  # waits for next run
    second, _ = ingest(config)
    assert ids(second, "growing.csv") == [f"grow-{n}" for n in range(1, 109)]  # all 108


# --- 5: zip bombs ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gigabyte_of_zeros() -> bytes:
    """The issue's bomb: 1 GiB of zeros, deflated fast (level 1) into about 4.5 MB."""
    buffer = io.BytesIO()
    block = b"\0" * (4 * 1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as bundle,
        bundle.open("zeros.csv", "w", force_zip64=True) as sink,
    ):
        for _ in range(256):
            sink.write(block)
    return buffer.getvalue()


def test_a_zip_bomb_is_quarantined_once_as_the_archive_never_expanded(
    config: Config, gigabyte_of_zeros: bytes
):
    land(config, gigabyte_of_zeros, "bomb.zip")
    land(config, inbox("good"), "good.csv")
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 1, "rows": 3}
    with zipfile.ZipFile(io.BytesIO(gigabyte_of_zeros)) as bundle:
        compressed = bundle.getinfo("zeros.csv").compress_size
    assert reason_of(config, context, "bomb.zip") == (
        f"bomb.zip: zip member 'zeros.csv' would expand from {compressed} to 1073741824 bytes, "
        "more than 100 times: a zip bomb, not unpacked"
    )
    assert (config.home.quarantine / context.run_key / "bomb.zip").read_bytes() == gigabyte_of_zeros
    promote(context, config)  # as publish does: the next run starts from this one
    # No expansion anywhere: the home holds the 1 MB archive, the good file and small files.
    largest = max(p.stat().st_size for p in config.home.root.rglob("*") if p.is_file())
    assert largest < 8 * 1024 * 1024
    # Quarantined once: it left landing/, so later runs do not see it again.
    later, summary = ingest(config)
    assert manifest(later) == [
        ("good.csv", "good.csv", sha256(inbox("good")), None, "duplicate", 0)
    ]
    assert sorted(p.name for p in config.home.quarantine.iterdir()) == [context.run_key]


def test_a_sparse_file_is_refused_without_being_copied(config: Config):
    with (config.home.landing / "huge.csv").open("wb") as sink:
        sink.truncate(100 * 1024**3)  # 100 GiB of holes, no block on disk
    context, _ = ingest(config)
    assert messages(context) == {
        "huge.csv": "huge.csv: is a sparse file (its holes read as NUL bytes): not an export"
    }
    assert (config.home.quarantine / context.run_key / "huge.csv").stat().st_blocks == 0


def test_no_room_for_the_copy_stops_discover_with_one_line_and_keeps_the_file(
    config: Config, monkeypatch: pytest.MonkeyPatch
):
    land(config, inbox("big"), "big.csv")
    full = shutil.disk_usage(config.home.root)._replace(free=1024)
    monkeypatch.setattr(landing_module.shutil, "disk_usage", lambda path: full)
    with pytest.raises(LearnLoopError) as stopped:
        discover(config.home.landing, config.home.root / "work", settle_seconds=0)
    # 303 bytes: a 90-byte header and three 71-byte rows.
    assert str(stopped.value) == (
        "no room to copy big.csv into the run folder (1024 bytes free, 303 for the copy and "
        "67108864 to spare); "
        "free disk space and run again: the file stays in landing/"
    )
    assert (config.home.landing / "big.csv").read_bytes() == inbox("big")


# --- 6: NUL bytes ------------------------------------------------------------------------------


def test_nul_bytes_far_beyond_the_first_64_kb_quarantine_the_file(config: Config):
    content = inbox("nul", 2000).replace(b"Question 1900?", b"Question\0 1900?")
    first_nul = content.index(b"\0")
    assert first_nul > 64 * 1024
    land(config, content, "late_nul.csv")
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 1, "rows": 0}
    assert reason_of(config, context, "late_nul.csv") == (
        f"late_nul.csv: looks like {INBOX_TITLE}, but the file holds NUL bytes (binary, not "
        f"text), the first at byte {first_nul}"
    )
    assert all_ids(context) == set()


# --- 7: workbooks that make the Excel reader abort -------------------------------------------------


def test_workbooks_that_make_the_excel_reader_abort_are_quarantined_with_one_line(
    config: Config,
):
    land(config, hostile_generated.xlsx({"A1": "insight_id", "XFD1048576": "x"}), "abort.xlsx")
    land(config, hostile_generated.xlsx({"XFD1048576": "x"}), "far.xlsx")
    land(config, inbox("good"), "good.csv")
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 2, "rows": 3}
    assert reason_of(config, context, "abort.xlsx") == (
        "abort.xlsx: matches no known export format: an Excel workbook, but the Excel reader "
        "gave up (it would need more than 1024 MiB of memory, or crashed): a sheet's used "
        "range is far too large or the workbook is damaged"
    )
    assert reason_of(config, context, "far.xlsx") == (
        "far.xlsx: matches no known export format: an Excel workbook, but sheet 'Sheet1' "
        "spans 1048576 rows x 16384 columns from A1, more than 5000000 cells; delete the "
        "stray cells far below or right of the data"
    )


# --- 8, 11: nameless and duplicate zip members ------------------------------------------------------


def test_a_zip_member_without_a_name_is_skipped_with_a_reason(config: Config):
    bundle = hostile_generated.raw_zip([("", inbox("nameless"), 0), ("ok.csv", inbox("ok"), 0)])
    land(config, bundle, "export.zip")
    context, _ = ingest(config)

    assert manifest(context) == [
        ("export.zip!(a member without a name)", "export.zip", "", None, "quarantined", None),
        ("export.zip!ok.csv", "export.zip", sha256(inbox("ok")), "inbox_csv", "loaded", 3),
    ]
    assert reason_of(config, context, "export.zip", "_") == (
        "export.zip!(a member without a name): the member has no name; it is skipped and "
        "stays in the archive"
    )
    assert (config.home.landing / "export.zip").exists()  # archived whole after publish


def test_a_zip_with_two_members_of_one_name_is_quarantined_whole_once(config: Config):
    bundle = hostile_generated.raw_zip(
        [("inbox/messages.csv", inbox("first"), 0), ("inbox/messages.csv", inbox("second"), 0)]
    )
    land(config, bundle, "twice.zip")
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 1, "rows": 0}
    assert reason_of(config, context, "twice.zip") == (
        "twice.zip: zip member 'inbox/messages.csv' is in the archive more than once; which "
        "copy is the export cannot be told, so nothing is unpacked"
    )
    assert (config.home.quarantine / context.run_key / "twice.zip").read_bytes() == bundle
    assert not (config.home.landing / "twice.zip").exists() and all_ids(context) == set()


# --- 9: long names ------------------------------------------------------------------------------


def test_long_names_get_reason_files_with_legal_names(config: Config):
    longest = "y" * 251 + ".csv"  # 255 bytes: the longest a file system allows
    member = "m" * 300 + ".csv"
    deep = "d/" * 60 + "deep.csv"
    land(config, b"not an export\n", longest)
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr(member, b"not an export\n")
        archive.writestr(deep, b"not an export either\n")
    land(config, bundle.getvalue(), "long.zip")
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 3, "rows": 0}
    run = config.home.quarantine / context.run_key
    kept = {p.relative_to(run).as_posix() for p in run.rglob("*") if p.is_file()}
    for path in kept:
        assert all(len(part.encode()) <= 255 for part in Path(path).parts), path
    assert len(kept) == 6  # three copies, three reasons
    # 244 bytes, so that `.reason.txt` fits: 229 of the name, `~`, 10 of its hash, `.csv`.
    short = "y" * 229 + "~" + hashlib.sha256(longest.encode()).hexdigest()[:10] + ".csv"
    assert (run / short).read_bytes() == b"not an export\n"
    assert reason_of(config, context, short) == (
        f"{longest}: matches no known export format (it starts with 'not an export')"
    )
    # The deep member's copy is flattened under a hashed name: PATH_MAX is never reached.
    assert len([p for p in kept if p.startswith("long.zip/") and "deep.csv" in p]) == 2


# --- 10, 19: unreadable files and folders, dotfiles -------------------------------------------------

# The child drops to `nobody` itself, after Python and the modules it needs are loaded: the
# interpreter lives under /root here, which `nobody` may not even enter.
UNREADABLE_CHILD = """
import encodings.utf_8_sig, encodings.utf_16, json, os, sys
from pathlib import Path
from learnloop.config import load_config
from learnloop.paths import Home
from tests import harness
from tests.conftest import query
# The configuration loads its TOML reader lazily: read it before the interpreter's folder
# becomes unreachable.
config = load_config(Home(Path(sys.argv[1])), environ={})
if os.geteuid() == 0:
    os.setgroups([])
    os.setgid(int(sys.argv[2]))
    os.setuid(int(sys.argv[2]))
context, summary = harness.ingest(config)
rows = query(context.database_path, "SELECT file_name, status, message FROM ops.load_manifest")
print(json.dumps({"summary": summary.as_dict(), "manifest": rows, "run": context.run_key}))
"""
NOBODY = 65534


def _run_unprivileged(home: Home, locked: list[Path]) -> dict:
    """Discover and ingest as a user who is not root (root reads everything): this user,
    or, under root, `nobody`, who owns the home but not the `locked` entries."""
    if os.geteuid() == 0:
        for path in [home.root, *home.root.rglob("*")]:
            if path not in locked:
                os.lchown(path, NOBODY, NOBODY)
    done = subprocess.run(
        [sys.executable, "-c", UNREADABLE_CHILD, str(home.root), str(NOBODY)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HOME": str(home.root)},
        cwd=Path(__file__).parent.parent,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_an_unreadable_file_is_quarantined_and_the_rest_of_the_batch_loads():
    try:
        pwd.getpwuid(NOBODY)
    except KeyError:
        if os.geteuid() == 0:
            pytest.skip("running as root and there is no user 'nobody' to drop to")
    # A home every user can reach (pytest's own temporary folders are root's alone).
    root = Path(tempfile.mkdtemp(prefix="learnloop-unreadable-"))
    try:
        root.chmod(0o755)
        config = configure(make_home(root / "home"), FIXTURE_CONFIG)
        land(config, inbox("good"), "good.csv")
        locked_file = land(config, inbox("locked"), "locked.csv")
        locked_folder = config.home.landing / "locked_folder"
        land(config, inbox("folder"), "locked_folder/in.csv")
        locked_file.chmod(0o000)
        locked_folder.chmod(0o000)
        result = _run_unprivileged(config.home, [locked_file, locked_folder])
        stays = sorted(p.name for p in config.home.landing.iterdir())
        quarantined = config.home.quarantine / result["run"] / "locked.csv"
        moved = quarantined.exists() and not locked_file.exists()
    finally:
        for path in [root, *root.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(root)

    assert result["summary"] == {"loaded": 1, "duplicate": 0, "quarantined": 2, "rows": 3}
    assert sorted(result["manifest"]) == [
        ["good.csv", "loaded", None],
        ["locked.csv", "quarantined", "locked.csv: cannot be read (Permission denied)"],
        [
            "locked_folder",
            "quarantined",
            "locked_folder: is a folder that cannot be listed (Permission denied); let the "
            "pipeline's user read it and land its files again",
        ],
    ]
    # The file went to quarantine; the folder cannot be moved by a user who may not write
    # it (its `..` would change): it stays, and every run says so in one line.
    assert moved and stays == ["good.csv", "locked_folder"]


def test_dotfiles_pipes_and_sockets_are_quarantined_with_one_line_each(config: Config):
    land(config, inbox("dot"), ".partial.csv")
    land(config, b"\x00\x01", "Thumbs.db")
    os.mkfifo(config.home.landing / "pipe.csv")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(config.home.landing / "socket.csv"))
    server.close()
    context, _ = ingest(config)

    assert messages(context) == {
        ".partial.csv": ".partial.csv: is a hidden file (its name starts with '.'): temporary "
        "and system files are not loaded; rename it without the dot to load it",
        "Thumbs.db": "Thumbs.db: is operating-system metadata, not an export",
        "pipe.csv": "pipe.csv: is a named pipe, not a file",
        "socket.csv": "socket.csv: is a socket, not a file",
    }
    assert sorted(p.name for p in config.home.landing.iterdir()) == []


# --- 12: reserved platform names ----------------------------------------------------------------


def test_a_platform_named_all_is_refused_naming_the_file(config: Config):
    content = inbox("plat", 4).replace(b"member_3,YouTube", b"member_3, ALL ")
    land(config, content, "network_all.csv")
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 0, "duplicate": 0, "quarantined": 1, "rows": 0}
    assert reason_of(config, context, "network_all.csv") == (
        f"network_all.csv: looks like {INBOX_TITLE}, but data row 3 names the platform 'all', "
        "which is reserved for the row over all platforms in kpi_weekly; name the platform "
        "(e.g. 'youtube')"
    )
    assert all_ids(context) == set()


# --- 18: reasons that say what the file is --------------------------------------------------------


def test_reasons_name_what_the_file_really_is(config: Config):
    text = inbox("enc").decode()
    land(config, b"\0" * 4096, "zeros.csv")
    land(config, b"\xfe\xff" + text.encode("utf-16-be"), "be_bom.csv")
    land(config, text.encode("utf-16-be"), "be.csv")
    land(config, hostile_generated.xlsx({"A1": "x"}, broken_sheet=True), "broken.xlsx")
    long_line = inbox("long").replace(b"Question 2?", b"Q" * 2_500_000)
    land(config, long_line, "long_line.csv")
    context, _ = ingest(config)

    found = messages(context)
    assert found["zeros.csv"] == (
        "zeros.csv: matches no known export format: the file holds only NUL bytes (zeros), no text"
    )
    utf16 = "matches no known export format: the file is UTF-16 text; save it as UTF-8"
    assert (found["be_bom.csv"], found["be.csv"]) == (f"be_bom.csv: {utf16}", f"be.csv: {utf16}")
    assert found["broken.xlsx"].startswith(
        "broken.xlsx: matches no known export format: an Excel workbook, but the workbook "
        "cannot be read ("
    )
    # The long cell is on file line 3 (header, message 1, message 2); DuckDB says line 1.
    # Its size: 59 bytes up to the text, 2,500,000 Qs, ",," and the newline = 2,500,062.
    assert found["long_line.csv"] == (
        f"long_line.csv: looks like {INBOX_TITLE}, but line 3: Maximum line size of 2000000 "
        "bytes exceeded. Actual Size:2500062 bytes."
    )


# --- inspect treats a named file as a landed one -------------------------------------------------


def test_inspect_follows_no_link_opens_no_pipe_and_survives_a_workbook_bomb(
    config: Config, elsewhere: Path, tmp_path: Path
):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "notes.csv").symlink_to(elsewhere / "private.txt")
    os.mkfifo(drop / "pipe.csv")
    (drop / "bomb.xlsx").write_bytes(hostile_generated.xlsx({"A1": "x", "XFD1048576": "y"}))
    (drop / "l.zip").write_bytes(
        hostile_generated.link_zip({"link.csv": str(elsewhere / "private.txt")}, {})
    )
    lines = [
        line
        for name in ("notes.csv", "pipe.csv", "bomb.xlsx", "l.zip", "missing.csv")
        for line in inspect_file(drop / name, config)
    ]
    assert lines == [
        (f"{drop}/notes.csv: cannot be read: {LINK_REASON}", False),
        (f"{drop}/pipe.csv: cannot be read: is a named pipe, not a file", False),
        (
            f"{drop}/bomb.xlsx: matches no known export format: an Excel workbook, but the Excel "
            "reader gave up (it would need more than 1024 MiB of memory, or crashed): a "
            "sheet's used range is far too large or the workbook is damaged",
            False,
        ),
        (
            f"{drop}/l.zip!link.csv: cannot be read: is a symbolic link inside the archive; "
            "links are never followed",
            False,
        ),
        (f"{drop}/missing.csv: no such file", False),
    ]
    # Its scratch copies were inside the home and are gone again.
    assert [p.name for p in config.home.build.iterdir()] == []


# --- one real run over issue 12's kinds ------------------------------------------------------------


@pytest.mark.slow
def test_one_run_over_every_kind_publishes_and_quarantines_each_pill_once(tmp_path: Path):
    """One `learnloop run` (the real DAG) over the hostile corpus's issue-12 kinds: odd names,
    links, a pipe, bombs, broken workbooks, tricky zips, NUL bytes, a platform 'all'."""
    expected = {
        row["file"]: row
        for row in csv.DictReader((hostile_generated.HOSTILE / "expected.csv").open())
    }
    home = published_build.make_home(tmp_path / "home")
    for name, content in hostile_generated.landing_attack_files().items():
        land_bytes(home.landing / name, content)
    outside = tmp_path / "outside"
    hostile_generated.write_special(home.landing, outside)
    outside_before = tree(outside)

    result = run_cli(home, "run")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    # Nothing stuck: every entry left landing/ (archived or quarantined); folders may stay.
    assert [p for p in home.landing.rglob("*") if not p.is_dir() or p.is_symlink()] == []
    assert tree(outside) == outside_before and not hostile_generated.BANG_VICTIM.exists()
    with duckdb.connect(str(home.published), read_only=True) as con:
        load_log = dict(con.execute("SELECT file_name, status FROM analytics.load_log").fetchall())
    assert len(load_log) == 41  # every entry of the set, once: 15 load, 26 are refused
    for name, status in load_log.items():
        assert status == {"repaired": "loaded"}.get(
            expected[name]["outcome"], expected[name]["outcome"]
        ), name
    (run,) = list(home.quarantine.iterdir())
    reason_lines = [p.read_text(encoding="utf-8") for p in run.rglob("*.reason.txt")]
    assert len(reason_lines) == sum(1 for s in load_log.values() if s == "quarantined") == 26
    assert all(line.count("\n") == 1 and line.endswith("\n") for line in reason_lines)
    for path in home.root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert hostile_generated.SECRET.strip() not in path.read_bytes(), path

    # A later run publishes: the poison pills are in quarantine, out of its way.
    land_bytes(home.landing / "next.csv", inbox("next"))
    context = published_build.publishing_run(home)
    with duckdb.connect(str(home.published), read_only=True) as con:
        latest = con.execute(
            "SELECT file_name, status FROM analytics.load_log WHERE run_key = ?",
            [context["run_key"]],
        ).fetchall()
    assert latest == [("next.csv", "loaded")]
    assert len(list(home.quarantine.iterdir())) == 1  # nothing quarantined a second time


def land_bytes(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
