"""Run safety (issue 12, defects 13-17 and 19): bounded configuration, one run at a time,
honest endings, a full disk, the report's links and text.

Every fixture is made here: configuration files, a process that holds the run lock, a small
tmpfs that fills up (mounted as root; skipped otherwise), an immutable landed file
(`chattr +i` as root, a read-only folder otherwise), a published warehouse with hostile
rows. Two real `learnloop run`s through the Airflow DAG, in the slow tier.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from learnloop import pipeline, run_lock
from learnloop.config import load_config
from learnloop.errors import ConfigError, GateFailed
from learnloop.ingest.landing import SPARE_BYTES
from learnloop.paths import PROJECT_ROOT, Home
from learnloop.report import parse_iso_week, write_report
from tests import published_build
from tests.conftest import FIXTURE_CONFIG, FIXTURES, query, run_cli, start_cli
from tests.report_pages import publish_contract_warehouse

CORES = len(os.sched_getaffinity(0))
THIS_YEAR = datetime.now(UTC).year
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


# --- configuration: every number has a range (defect 14) ----------------------------------


def _memory_top() -> str:
    """This machine's memory in GB (10^9 bytes), rounded down to 0.1 GB, as the message says."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for cgroup in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        with contextlib.suppress(OSError, ValueError):
            total = min(total, int(Path(cgroup).read_text().strip()))
            break
    return f"{total // 10**8 / 10:g}GB"


def _whole(low: int, high: int) -> str:
    return f"expected a whole number from {low} to {high}"


THREADS = (
    f"expected 0 (one per CPU core) or a whole number from 1 to {4 * CORES} (4 x {CORES} CPU cores)"
)
MEMORY = (
    f"expected a size from 64MB to {_memory_top()} (this machine's memory) "
    "or a share from 1% to 100%"
)

# (section, key, TOML value, the value as the message repeats it, what was expected)
OUT_OF_RANGE = [
    ("publish", "keep_snapshots", "0", "0", _whole(1, 1000)),
    ("publish", "keep_snapshots", "1001", "1001", _whole(1, 1000)),
    ("publish", "keep_snapshots", "1e30", "1e+30", _whole(1, 1000)),  # a float, however whole
    ("publish", "keep_snapshots", "7.0", "7.0", _whole(1, 1000)),
    ("gates", "future_tolerance_minutes", "-1", "-1", _whole(0, 1440)),
    ("gates", "future_tolerance_minutes", "1441", "1441", _whole(0, 1440)),
    ("gates", "future_tolerance_minutes", "1000000000000000", "1000000000000000", _whole(0, 1440)),
    ("gates", "earliest_year", "1969", "1969", _whole(1970, THIS_YEAR)),
    ("gates", "earliest_year", str(THIS_YEAR + 1), str(THIS_YEAR + 1), _whole(1970, THIS_YEAR)),
    ("gates", "earliest_year", "99999", "99999", _whole(1970, THIS_YEAR)),
    ("gates", "max_volume_drop", "-0.1", "-0.1", "expected a share between 0 and 1"),
    ("gates", "max_volume_drop", "1.01", "1.01", "expected a share between 0 and 1"),
    ("landing", "settle_seconds", "-1", "-1", _whole(0, 3600)),
    ("landing", "settle_seconds", "3601", "3601", _whole(0, 3600)),
    ("landing", "settle_seconds", "true", "True", _whole(0, 3600)),
    ("performance", "threads", "-1", "-1", THREADS),
    ("performance", "threads", str(4 * CORES + 1), str(4 * CORES + 1), THREADS),
    ("performance", "threads", "100000000", "100000000", THREADS),
    ("performance", "memory_limit", '"0KB"', "'0KB'", MEMORY),
    ("performance", "memory_limit", '"63MB"', "'63MB'", MEMORY),
    ("performance", "memory_limit", '"999TB"', "'999TB'", MEMORY),
    ("performance", "memory_limit", '"0%"', "'0%'", MEMORY),
    ("performance", "memory_limit", '"100.5%"', "'100.5%'", MEMORY),
    ("classifier", "embedding_budget", "-1", "-1", _whole(0, 1_000_000)),
    ("classifier", "embedding_budget", "1000001", "1000001", _whole(0, 1_000_000)),
    ("classifier", "threads", "0", "0", f"{_whole(1, CORES)} (CPU cores)"),
    ("classifier", "threads", str(CORES + 1), str(CORES + 1), f"{_whole(1, CORES)} (CPU cores)"),
]


@pytest.mark.parametrize(
    ("section", "key", "toml", "shown", "expected"),
    OUT_OF_RANGE,
    ids=[f"{s}.{k}={v}" for s, k, v, _, _ in OUT_OF_RANGE],
)
def test_an_out_of_range_number_is_one_line_naming_the_key_and_its_range(
    home: Home, section: str, key: str, toml: str, shown: str, expected: str
):
    home.config_file.write_text(f"[{section}]\n{key} = {toml}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(home, environ={})
    assert str(raised.value) == f"{section}.{key}: {expected}, got {shown}"


@pytest.mark.parametrize(
    ("section", "key", "toml", "shown", "expected"),
    [case for case in OUT_OF_RANGE if case[2][0] != '"' and case[1] != "max_volume_drop"],
)
def test_the_same_range_holds_for_an_environment_variable(
    home: Home, section: str, key: str, toml: str, shown: str, expected: str
):
    variable = f"LEARNLOOP_{section}_{key}".upper()
    with pytest.raises(ConfigError) as raised:
        load_config(home, environ={variable: toml})
    # From the environment every value is text, so the message quotes it.
    assert str(raised.value) == f"{section}.{key} (from {variable}): {expected}, got {toml!r}"


def test_the_bounds_themselves_are_accepted(home: Home):
    home.config_file.write_text(
        FIXTURE_CONFIG
        + "[publish]\nkeep_snapshots = 1000\n"
        + f"[gates]\nfuture_tolerance_minutes = 1440\nearliest_year = {THIS_YEAR}\n"
        + "max_volume_drop = 1\n"
        + "[landing]\nsettle_seconds = 3600\n"
        + f'[performance]\nthreads = {4 * CORES}\nmemory_limit = "64MB"\n',
        encoding="utf-8",
    )
    config = load_config(home, environ={"LEARNLOOP_LANDING_SETTLE_SECONDS": "0"})
    assert (config.publish.keep_snapshots, config.gates.earliest_year) == (1000, THIS_YEAR)
    assert (config.gates.future_tolerance_minutes, config.gates.max_volume_drop) == (1440, 1.0)
    assert config.landing.settle_seconds == 0  # the environment wins over the file
    assert (config.performance.threads, config.performance.memory_limit) == (4 * CORES, "64MB")
    memory = load_config(home, environ={"LEARNLOOP_PERFORMANCE_MEMORY_LIMIT": "100%"})
    assert memory.performance.memory_limit == "100%"
    assert (
        load_config(home, environ={"LEARNLOOP_PERFORMANCE_THREADS": "0"}).performance.threads == 0
    )


def test_settle_seconds_defaults_to_five_and_is_documented(fresh_home: Home):
    config = load_config(fresh_home, environ={})
    assert config.landing.settle_seconds == 5
    text = fresh_home.config_file.read_text(encoding="utf-8")
    assert (
        "settle_seconds = 5                  # seconds a landed file must stay unchanged "
        "before it is loaded [0..3600]"
    ) in text


def test_every_range_is_in_the_default_file_and_the_readme(fresh_home: Home):
    load_config(fresh_home, environ={})
    written = fresh_home.config_file.read_text(encoding="utf-8")
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for documented in (
        "[0..3600]",
        "[1..1000]",
        "[0..1]",
        "[0..1440]",
        "[1970..this year]",
        "[1%..100%]",
        "[64MB..this machine's memory]",
        "[0, or 1..4 x CPU cores]",
        "[0..1000000]",
        "[1..CPU cores]",
    ):
        assert documented in written, documented
        assert documented in readme, documented


def test_a_byte_order_mark_is_named(home: Home):
    home.config_file.write_bytes(b"\xef\xbb\xbf" + FIXTURE_CONFIG.encode("utf-8"))
    with pytest.raises(ConfigError) as raised:
        load_config(home, environ={})
    assert str(raised.value) == (
        f"{home.config_file}: starts with a UTF-8 byte order mark (BOM), which TOML does not "
        "allow; save the file as UTF-8 without BOM"
    )


def test_out_of_range_config_stops_the_command_before_any_work(home: Home):
    home.config_file.write_text(
        FIXTURE_CONFIG + "[performance]\nthreads = 100000000\n", encoding="utf-8"
    )
    before = sorted(p.relative_to(home.root) for p in home.root.rglob("*"))
    result = run_cli(home, "run", seed_home=False)
    assert result.returncode == 2
    assert result.stderr == f"learnloop run: performance.threads: {THREADS}, got 100000000\n"
    assert result.stdout == ""
    # No Airflow database, no lock, no run folder, no log: nothing started.
    assert sorted(p.relative_to(home.root) for p in home.root.rglob("*")) == before


@pytest.fixture
def fresh_home(tmp_path: Path) -> Home:
    return Home(tmp_path / "fresh")


# --- one run at a time (defect 15) ---------------------------------------------------------

HOLDER = """
import json, sys
from pathlib import Path
from learnloop.paths import Home
from learnloop.run_lock import hold

with hold(Home(Path(sys.argv[1])), sys.argv[2]) as holder:
    print(json.dumps(holder.__dict__), flush=True)
    sys.stdin.read()  # holds the lock until the test closes stdin (or kills it)
"""


@contextlib.contextmanager
def lock_held_by_another_process(home: Home, command: str) -> Iterator[dict]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home.root), command],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        yield {**json.loads(holder.stdout.readline()), "process": holder}
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(timeout=30)


def _in_progress(home: Home, holder: dict) -> str:
    return (
        f"another run is in progress on {home.root} "
        f"(`learnloop {holder['command']}`, run key {holder['run_key']}, pid {holder['pid']}, "
        f"started {holder['started_at']}); try again when it has finished"
    )


def _refusal(home: Home, command: str, holder: dict) -> str:
    return f"learnloop {command}: {_in_progress(home, holder)}\n"


def test_a_second_command_stops_at_once_naming_the_run_in_progress(home: Home):
    (home.landing / "inbox.csv").write_bytes(
        (FIXTURES / "inbox_csv" / "sprout_inbox_2026-01.csv").read_bytes()
    )
    load_config(home, environ={})  # the member salt exists before, as after any first command
    before = {p: p.read_bytes() for p in home.root.rglob("*") if p.is_file()}
    with lock_held_by_another_process(home, "run") as holder:
        assert holder["pid"] == holder["process"].pid
        for command in (["run"], ["demo"], ["rollback"], ["forget", "--member", "anna"]):
            result = run_cli(home, *command, seed_home=False)
            assert (result.returncode, result.stdout) == (75, ""), command
            assert result.stderr == _refusal(home, command[0], holder)
        # Nothing was touched: no sample data copied by demo, no Airflow database, no log.
        after = {p: p.read_bytes() for p in home.root.rglob("*") if p.is_file()}
        assert {p: c for p, c in after.items() if p != home.lock_file} == before

        # A DAG run started by a scheduler (the stage in this process) stops as well.
        with published_build.learnloop_home(home), pytest.raises(run_lock.RunInProgress) as raised:
            pipeline.discover_files()
        assert str(raised.value) == _in_progress(home, holder)
        assert not (home.build / "runs").exists()

        # The kernel releases the lock with the process, however it ends: no stale lock.
        holder["process"].send_signal(signal.SIGKILL)
        holder["process"].wait(timeout=30)
        after_kill = run_cli(home, "rollback")
        assert after_kill.returncode == 1
        assert after_kill.stderr == (
            f"learnloop rollback: {home.snapshots}: no earlier snapshot to roll back to (0 kept)\n"
        )


def test_a_run_whose_discover_fails_logs_itself_without_a_teardown(home: Home):
    # As under a scheduler: the stage alone, no teardown (it gets no run) and no command to
    # log it afterwards. The run's folder cannot be made: a file is where runs/ belongs.
    (home.build / "runs").write_text("not a folder", encoding="utf-8")
    with published_build.learnloop_home(home), pytest.raises(NotADirectoryError):
        pipeline.discover_files()
    ((run_key, status, published, stage, message),) = query(
        home.build_database,
        "SELECT run_key, status, published, failed_stage, message FROM ops.run_log",
    )
    assert (status, published, stage) == ("failed", False, "discover")
    assert message == (
        f"unexpected NotADirectoryError: [Errno 20] Not a directory: '{home.run_dir(run_key)}'"
    )


# --- a full disk (defect 16) ---------------------------------------------------------------


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted on `folder`: a disk that really fills up."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int) -> None:
    """Fill `folder`'s file system until only `leave` bytes are free."""
    stats = os.statvfs(folder)
    remaining = stats.f_bavail * stats.f_frsize - leave
    with (folder / "ballast").open("wb") as ballast:
        while remaining > 0:
            remaining -= ballast.write(b"\0" * min(remaining, 1 << 24))


def test_a_full_disk_is_one_line_also_when_the_crash_log_cannot_be_written(home: Home):
    home.published.parent.mkdir(parents=True, exist_ok=True)
    home.published.write_bytes(b"not a DuckDB file " * 100)  # an unexpected crash in `report`
    with small_disk(home.logs, "64k"):
        fill(home.logs, 0)
        result = run_cli(home, "report")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("learnloop report: unexpected IOException: ")
    assert lines[0].endswith(" (the crash log could not be written)")
    assert "Traceback" not in result.stderr


def _tiny_database(path: Path, rows: int) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(
            f"CREATE TABLE t AS SELECT range AS n, md5(range::VARCHAR) AS h FROM range({rows})"
        )
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_rollback_on_a_full_disk_is_one_line_and_leaves_no_half_copy(home: Home):
    with small_disk(home.warehouse, "8m"):
        home.ensure()
        older = _tiny_database(home.snapshots / "learnloop-20260101T000000000000Z.duckdb", 40_000)
        newer = _tiny_database(home.snapshots / "learnloop-20260102T000000000000Z.duckdb", 10)
        os.link(newer, home.published)
        published = _digest(home.published)
        fill(home.warehouse, older.stat().st_size // 2)

        result = run_cli(home, "rollback")

        assert result.returncode == 1
        assert result.stderr == (
            "learnloop rollback: disk full: No space left on device "
            f"(writing {home.build / ('rollback-' + older.name)})\n"
        )
        assert _digest(home.published) == published  # still the newer snapshot
        assert sorted(p.name for p in home.build.iterdir()) == []  # the half copy is gone
        assert sorted(p.name for p in home.snapshots.iterdir()) == [older.name, newer.name]


def test_a_teardown_that_cannot_log_removes_the_run_folder_first_then_logs(
    home: Home, caplog: pytest.LogCaptureFixture
):
    with small_disk(home.warehouse, "96m"):
        home.ensure()
        shutil.copy2(FIXTURES / "inbox_csv" / "sprout_inbox_2026-01.csv", home.landing / "a.csv")
        with published_build.learnloop_home(home):
            earlier = published_build.Stages.start()  # a run that stops at once: the build
            earlier.finish()  # database now exists, holding its run log row
            stages = published_build.Stages.start()
            stages.ingest()  # the build database and the run's folder grow
            fill(home.warehouse, 0)
            stages.finish()
        context = stages.run

        # The first write failed on the full disk; without the run's folder there was room.
        wal = home.build_database.with_name("learnloop_build.duckdb.wal")
        assert [r.getMessage() for r in caplog.records if "trying again" in r.getMessage()] == [
            f"run {context['run_key']}: disk full: TransactionContext Error: Failed to commit: "
            f'Could not write file "{wal}": No space left on device; trying again without its '
            "folder"
        ]
        assert not Path(context["run_dir"]).exists()
        assert query(
            home.build_database, "SELECT run_key, status, message FROM ops.run_log ORDER BY 1"
        ) == [
            (earlier.run["run_key"], "failed", pipeline.STOPPED_BEFORE_PUBLISHING),
            (context["run_key"], "failed", pipeline.STOPPED_BEFORE_PUBLISHING),
        ]


# --- the report (defect 19) ---------------------------------------------------------------

# Hostile rows added to the docs/kpis.md-shaped warehouse of tests/test_report.py (week 2026-W10).
HOSTILE_ROWS = """
INSERT INTO analytics.kpi_weekly (week_start, platform, inbound_messages, conversations)
VALUES ('2026-03-02', '<script>alert(1)</script>|x', 1, 1);
INSERT INTO analytics.interactions (
    platform, interaction_id, thread_id, direction, member_key, created_at, text, is_private,
    language, signal_category, signal_source, source_format, source_file
) VALUES
    ('mastodon', 'https://evil.example/@x/1', 'https://evil.example/@x/1', 'inbound',
     'gggg000000000007', '2026-03-05 11:00:00+00',
     'Refund me \u202egnp.exe\u202c or else, read my file now', false, 'en', 'complaint', 'rule',
     'mastodon_outbox', 'outbox.json'),
    ('mastodon', 'https://social.example/@anna/111', 'https://social.example/@anna/111',
     'inbound', 'hhhh000000000008', '2026-03-05 12:00:00+00', 'Where is the map?', false, 'en',
     'question', 'rule', 'mastodon_outbox', 'outbox.json');
INSERT INTO analytics.signals
    SELECT platform, interaction_id, thread_id, post_id, member_key, created_at, DATE '2026-03-02',
           text, is_private, language, signal_category, signal_source, source_file
    FROM analytics.interactions WHERE platform = 'mastodon';
INSERT INTO analytics.conversations VALUES
    ('mastodon', 'https://evil.example/@x/1', '2026-03-05 11:00:00+00', '2026-03-02', NULL, NULL,
     false, 1, 1, 0, false, true),
    ('mastodon', 'https://social.example/@anna/111', '2026-03-05 12:00:00+00', '2026-03-02', NULL,
     NULL, false, 1, 1, 0, false, true);
-- Evidence pasted as a URL on another host, and one on X's host through a user-info trick.
INSERT INTO analytics.insight_evidence VALUES
    ('INS-1', 'jira', 'https://evil.example/watch?v=vidWinter01&lc=UgyDark2', 'youtube',
     'UgyDark2', true, '2026-03-03 10:00:00+00'),
    ('INS-1', 'jira', 'https://www.instagram.com@evil.example/p/CODE1/c/ig-c-3/', 'instagram',
     'ig-c-3', true, '2026-03-04 10:00:00+00');
"""


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = Home(tmp_path_factory.mktemp("hostile-report") / "home")
    home.ensure()
    home.config_file.write_text(
        FIXTURE_CONFIG.replace("[brand]\n", '[brand]\nmastodon = ["nordlicht@social.example"]\n'),
        encoding="utf-8",
    )
    # The report marts are built after the hostile rows, as a run builds them from its marts.
    publish_contract_warehouse(home, HOSTILE_ROWS)
    page = write_report(load_config(home, environ={}), parse_iso_week("2026-W10"))
    assert page is not None
    return page.parent


def test_report_strips_bidi_controls_from_every_text(hostile_report: Path):
    for name in ("index.html", "quotes.csv", "unanswered.csv", "summary.md"):
        text = (hostile_report / name).read_text(encoding="utf-8")
        assert [c for c in text if c in BIDI] == [], name
    page = (hostile_report / "index.html").read_text(encoding="utf-8")
    # The quote reads as it was written, the override gone: "gnp.exe", not "exe.png".
    assert "<div>Refund me gnp.exe or else, read my file now</div>" in page
    quotes = (hostile_report / "quotes.csv").read_text(encoding="utf-8")
    assert "Refund me gnp.exe or else, read my file now" in quotes


def test_report_links_only_to_the_platforms_own_hosts(hostile_report: Path):
    page = (hostile_report / "index.html").read_text(encoding="utf-8")
    links = sorted(set(re.findall(r'<a href="([^"]*)"', page)))
    assert links == [
        "https://social.example/@anna/111",  # on the brand's Mastodon instance
        "https://www.instagram.com/p/CODE1/c/ig-c-3/",  # the pasted URL on Instagram's host
        # Rebuilt from ids: the topic "app" (UgyCrash1); the unanswered thread and INS-1's
        # evidence UgyDark2, whose pasted URL on evil.example is dropped.
        "https://www.youtube.com/watch?v=vidWinter01&amp;lc=UgyCrash1",
        "https://www.youtube.com/watch?v=vidWinter01&amp;lc=UgyDark2",
    ]
    # The thread on another instance is named, not linked.
    assert "<td>mastodon</td><td>https://evil.example/@x/1" in page
    unanswered = (hostile_report / "unanswered.csv").read_text(encoding="utf-8").splitlines()
    assert [line for line in unanswered if "mastodon" in line] == [  # times in UTC, as stored
        "mastodon,https://evil.example/@x/1,2026-03-05 11:00:00+00,1,",
        "mastodon,https://social.example/@anna/111,2026-03-05 12:00:00+00,1,"
        "https://social.example/@anna/111",
    ]


def test_summary_md_shows_a_hostile_platform_name_as_text(hostile_report: Path):
    summary = (hostile_report / "summary.md").read_text(encoding="utf-8")
    assert "<script" not in summary
    row = [line for line in summary.splitlines() if "script" in line]
    assert row == ["| &lt;script&gt;alert(1)&lt;/script&gt;\\|x | 1 | - | 1 | - | - | - | - |"]


# --- real runs through the DAG (defects 13, 15, 16, 17) -------------------------------------


def _copy_home(source: Home, target: Path) -> Home:
    shutil.copytree(source.root, target, symlinks=True, dirs_exist_ok=True)
    return Home(target)


@contextlib.contextmanager
def unmovable(path: Path) -> Iterator[str]:
    """Make a landed file impossible to move; yields the reason the OS gives."""
    if os.geteuid() == 0:  # root moves anything but an immutable file
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield os.strerror(errno.EPERM)
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        path.parent.chmod(0o555)
        try:
            yield os.strerror(errno.EACCES)
        finally:
            path.parent.chmod(0o755)


@pytest.mark.slow
def test_a_publish_is_reported_as_published_when_a_file_cannot_be_archived(
    published_home: Home, tmp_path: Path
):
    home = _copy_home(published_home, tmp_path / "home")
    landed = home.landing / "stuck" / "sprout_inbox_2026-01.csv"
    landed.parent.mkdir()
    shutil.copy2(FIXTURES / "inbox_csv" / "sprout_inbox_2026-01.csv", landed)
    with unmovable(landed) as reason:
        first = start_cli(home, "run")  # left running while a second command starts
        assert first.stdout is not None
        started = first.stdout.readline()
        run_key = started.split()[2]
        assert started == f"LearnLoop run {run_key} on {home.root}\n"

        # A second run while the first works: refused at once, naming the first one.
        second = run_cli(home, "run")
        holder = json.loads(home.lock_file.read_text(encoding="utf-8"))
        assert (second.returncode, second.stdout) == (75, "")
        assert second.stderr == _refusal(home, "run", holder)
        assert holder["run_key"] == run_key

        stdout, stderr = first.communicate(timeout=900)
        problem = (
            "1 landed file could not be archived and stays in landing/: "
            f"stuck/sprout_inbox_2026-01.csv ({reason})"
        )
        # Published, and said so: exit 0, the file named, no "previous warehouse stays".
        assert first.returncode == 0, stderr
        assert stderr == (
            f"learnloop run: published {home.published}, but {problem} "
            f"(run {run_key}; log: {home.run_logs / (run_key + '.log')})\n"
        )
        assert f"[6/7] publish         {home.published}; {problem}\n" in stdout
        assert query(
            home.published,
            "SELECT status, rows FROM analytics.load_log WHERE run_key = ?",
            [run_key],
        ) == [("loaded", 3)]
        assert query(
            home.build_database,
            "SELECT status, published, message, failed_stage FROM ops.run_log WHERE run_key = ?",
            [run_key],
        ) == [("published", True, problem, None)]
        assert landed.exists()
        assert list(home.archive.rglob("sprout_inbox_2026-01.csv")) == []
        assert not (home.archive / run_key).exists()  # no empty folder made for it either
        # Each run keeps its own log; the last-run link names it.
        assert sorted(p.name for p in home.run_logs.iterdir()) == [f"{run_key}.log"]
        assert home.last_run_log.resolve() == home.run_logs / f"{run_key}.log"

        # Every later run meets it as a duplicate, names it again, adds no archive copy.
        later = published_build.publishing_run(home)
        assert query(
            home.build_database,
            "SELECT status, message FROM ops.run_log WHERE run_key = ?",
            [later["run_key"]],
        ) == [("published", problem)]
        assert landed.exists()
        assert list(home.archive.rglob("sprout_inbox_2026-01.csv")) == []


@pytest.mark.slow
def test_a_report_that_fails_after_a_publish_ends_as_published_but_report_failed(
    published_home: Home, tmp_path: Path
):
    home = _copy_home(published_home, tmp_path / "home")
    shutil.rmtree(home.reports, ignore_errors=True)
    home.reports.write_text("not a folder", encoding="utf-8")  # where the report must go

    result = run_cli(home, "run")

    run_key = result.stdout.split()[2]
    log_file = home.run_logs / f"{run_key}.log"
    # The learnloop DAG published (nothing new landed: the same data again); the report DAG
    # the Asset update starts failed, and the command says both, exit 1.
    assert f"[6/7] publish         {home.published}\n" in result.stdout
    assert "] report " not in result.stdout
    # The end-to-end fixtures' latest week with messages is 2026-W04.
    reason = f"unexpected NotADirectoryError: [Errno 20] Not a directory: '{home.reports}/2026-W04'"
    assert result.returncode == 1
    assert result.stderr == (
        f"learnloop run: published {home.published}, but report failed: {reason} "
        f"(run {run_key}; log: {log_file})\n"
    )
    # The run log records the pipeline run, which published; the report is a reader of the
    # published file, and its failure is the report DAG's (Airflow shows it).
    assert query(
        home.build_database,
        "SELECT status, published, message, failed_stage FROM ops.run_log WHERE run_key = ?",
        [run_key],
    ) == [("published", True, None, None)]
    # One log for the command: both DAG runs, the report's traceback included.
    log = log_file.read_text(encoding="utf-8")
    assert "DagRun Finished: dag_id=learnloop, " in log
    assert re.search(r"DagRun Finished: dag_id=learnloop_weekly_report, .* state=failed", log)
    assert log.index("dag_id=learnloop, ") < log.index("dag_id=learnloop_weekly_report, ")


def _gate_failed_run(home: Home) -> str:
    """A run the raw gate stops (a negative like count), by the stages; its run key."""
    bad = json.loads(
        (FIXTURES / "end_to_end" / "commentThreads_winter_video.json").read_text(encoding="utf-8")
    )
    bad["items"][1]["snippet"]["topLevelComment"]["snippet"]["likeCount"] = -5
    (home.landing / "commentThreads_bad.json").write_text(json.dumps(bad), encoding="utf-8")
    with published_build.learnloop_home(home):
        stages = published_build.Stages.start()
        try:
            stages.ingest()
            with pytest.raises(GateFailed):
                stages.call("gate_raw", lambda: pipeline.gate_raw(stages.run))
        finally:
            stages.finish()
    return stages.run["run_key"]


@pytest.mark.slow
def test_a_full_disk_in_discover_ends_with_this_runs_one_line_and_leaves_no_copy(
    published_home: Home, tmp_path: Path
):
    home = Home(tmp_path / "home")
    with small_disk(home.warehouse, "256m"):
        _copy_home(published_home, home.root)
        gate_failed = _gate_failed_run(home)
        assert query(
            home.build_database,
            "SELECT status FROM ops.run_log WHERE run_key = ?",
            [gate_failed],
        ) == [("gate_failed",)]
        published = _digest(home.published)
        # Room for a run log row, not for copying the landed file into the run's folder
        # (discover keeps SPARE_BYTES free besides the copy).
        fill(home.warehouse, 4 * 2**20)

        result = run_cli(home, "run")

        run_key = result.stdout.split()[2]
        ((reason,),) = query(
            home.build_database, "SELECT message FROM ops.run_log WHERE run_key = ?", [run_key]
        )
        size = (home.landing / "commentThreads_bad.json").stat().st_size
        assert re.fullmatch(
            rf"disk full: \d+ bytes free, {size} for the copy and {SPARE_BYTES} to spare", reason
        ), reason
        # This run's outcome, not the earlier run's gate message and exit code 3.
        assert result.returncode == 1
        assert result.stderr == (
            f"learnloop run: run {run_key} stopped in discover: {reason}; nothing was "
            "published, the previous published warehouse stays "
            f"(run {run_key}; log: {home.run_logs / (run_key + '.log')})\n"
        )
        assert _digest(home.published) == published
        # The failed run is in the run log, and its half copy is not on the disk.
        assert query(
            home.build_database,
            "SELECT status, published, message, failed_stage FROM ops.run_log WHERE run_key = ?",
            [run_key],
        ) == [("failed", False, reason, "discover")]
        assert list((home.build / "runs").iterdir()) == []
        assert (home.landing / "commentThreads_bad.json").exists()
