"""Workspaces without a DAG run: names, what a home with workspaces refuses before any work,
and the agency view's write-audit-publish over published warehouses.

The runs of workspaces (in process, and on Celery workers) are in tests/test_celery_executor.py.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from learnloop.agency import publish_agency
from learnloop.cli import main
from learnloop.config import load_config
from learnloop.errors import ConfigError, PublishError
from learnloop.paths import Home
from learnloop.workspaces import check_name, workspace_names


@pytest.mark.parametrize(
    "name", ["a", "nordlicht", "brand-1", "emea_de", "0", "x" * 63, "allgaeu", "console"]
)
def test_safe_names_pass(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        ".hidden",
        "a.b",
        "..",
        "Nordlicht",  # two folders on a case-insensitive disk could be one
        "two words",
        "café",
        "x" * 64,
        "-leading",
        "_leading",
        "all",  # kpi_weekly's platform of the totals
        "con",
        "lpt1",
    ],
)
def test_unsafe_names_stop_with_one_line_naming_the_folder(name: str) -> None:
    with pytest.raises(ConfigError) as raised:
        check_name(name)
    assert str(raised.value).startswith(f"workspaces/{name}: not a safe workspace name: ")
    assert "\n" not in str(raised.value)


def test_a_home_without_workspaces_is_its_own_single_workspace(tmp_path: Path) -> None:
    assert workspace_names(Home(tmp_path)) == ()


def test_workspaces_are_the_folders_sorted_and_files_are_left_alone(tmp_path: Path) -> None:
    home = Home(tmp_path)
    for name in ("velo", "kiosk", "nordlicht"):
        home.workspace(name).root.mkdir(parents=True)
    (home.workspaces / "README.md").write_text("our brands", encoding="utf-8")
    assert workspace_names(home) == ("kiosk", "nordlicht", "velo")


def test_an_empty_workspaces_folder_stops(tmp_path: Path) -> None:
    home = Home(tmp_path)
    home.workspaces.mkdir()
    with pytest.raises(ConfigError, match=r"workspaces: holds no workspace folder; add one"):
        workspace_names(home)


def test_exports_left_in_the_top_level_landing_stop(tmp_path: Path) -> None:
    home = Home(tmp_path)
    home.workspace("kiosk").root.mkdir(parents=True)
    (home.landing / "inbox").mkdir(parents=True)
    (home.landing / "inbox" / "export.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        workspace_names(home)
    assert str(raised.value) == (
        f"{home.landing}: a home with workspaces reads each workspace's own landing/; "
        "move these files into workspaces/<name>/landing/"
    )


def test_run_stops_before_any_work_on_an_unsafe_workspace_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = Home(tmp_path / "home")
    home.workspace("kiosk").root.mkdir(parents=True)
    home.workspace("Brand X").root.mkdir(parents=True)
    monkeypatch.setenv("LEARNLOOP_HOME", str(home.root))
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "learnloop run: workspaces/Brand X: not a safe workspace name: a workspace name is "
        "1-63 lowercase ASCII letters, digits, '-' or '_', starting with a letter or digit, "
        "and not a reserved name (all, con, prn, aux, nul, com1-9, lpt1-9)\n"
    )
    # Nothing was started: no Airflow metadata, no lock, no folders in any workspace.
    assert sorted(p.name for p in home.root.iterdir()) == ["learnloop.toml", "workspaces"]
    assert [p.name for p in home.workspace("kiosk").root.iterdir()] == []


def test_the_top_of_a_home_with_workspaces_holds_no_data(tmp_path: Path) -> None:
    home = Home(tmp_path)
    home.workspace("kiosk").root.mkdir(parents=True)
    config = load_config(home, environ={})
    assert config.privacy.salt == ""  # each workspace has its own
    assert not home.landing.exists() and not home.salt_file.exists()
    workspace = load_config(home.workspace("kiosk"), environ={})
    assert len(workspace.privacy.salt) == 64 and home.workspace("kiosk").landing.is_dir()


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (
            ["report"],
            2,
            "{workspaces}: this home has workspaces (kiosk, velo); name one with --workspace NAME",
        ),
        (["rollback", "--workspace", "nope"], 2, "--workspace nope: no such workspace in "),
        (
            ["report", "--workspace", "kiosk"],
            1,
            "nothing published yet in {workspaces}/kiosk/warehouse/learnloop.duckdb",
        ),
        (["forget", "--member", "anna", "--workspace", "Kiosk"], 2, "workspaces/Kiosk: not a"),
    ],
)
def test_commands_on_one_workspace_name_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    line: str,
) -> None:
    home = Home(tmp_path / "home")
    for name in ("kiosk", "velo"):
        home.workspace(name).root.mkdir(parents=True)
    monkeypatch.setenv("LEARNLOOP_HOME", str(home.root))
    assert main(args) == code
    err = capsys.readouterr().err
    assert err.startswith(f"learnloop {args[0]}: " + line.format(workspaces=home.workspaces))
    assert err.count("\n") == 1


# --- the agency view --------------------------------------------------------------------
# Published warehouses of the shape `publish` writes, cut down to what the view reads.


def _published(home: Home, run_key: str, kpi_rows: int, extra_column: str = "") -> None:
    home.warehouse.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(home.published)) as con:
        con.execute("CREATE SCHEMA analytics")
        extra = f", 'x' AS {extra_column}" if extra_column else ""
        con.execute(
            f"""CREATE TABLE analytics.kpi_weekly AS
                SELECT DATE '2026-10-05' + (7 * i)::INTEGER AS week_start, 'all' AS platform,
                       i::INTEGER AS inbound_messages{extra}
                FROM range({kpi_rows}) t(i)"""
        )
        con.execute(
            """CREATE TABLE analytics.signals AS
               SELECT DATE '2026-10-05' AS week_start, 'youtube' AS platform,
                      c AS signal_category, 'm' || i AS member_key, 'text' AS text
               FROM range(5) t(i), (VALUES ('question'), ('praise')) s(c)"""
        )
        con.execute(
            """CREATE TABLE analytics.insights AS
               SELECT 'idea' AS category, 'planned' AS status, 'Owner' AS owner"""
        )
        con.execute(
            f"""CREATE TABLE analytics.publish_info AS
                SELECT '{run_key}' AS run_key, TIMESTAMPTZ '2026-12-06 10:00:00+00' AS
                published_at, TIMESTAMPTZ '2026-11-01 22:00:00+00' AS newest_interaction_at"""
        )


def _agency_config(tmp_path: Path):
    home = Home(tmp_path / "home")
    for name in ("kiosk", "velo"):
        home.workspace(name).root.mkdir(parents=True)
    return home, load_config(home, environ={})


def test_agency_view_copies_kpis_and_counts_with_the_workspace(tmp_path: Path) -> None:
    home, config = _agency_config(tmp_path)
    _published(home.workspace("kiosk"), "20261206T100000000000Z", kpi_rows=3)
    view = publish_agency(config, ["kiosk", "velo"])  # velo never published
    assert (view.workspaces, view.missing) == (("kiosk",), ("velo",))
    with duckdb.connect(str(home.agency), read_only=True) as con:
        kpis = con.execute("SELECT * FROM analytics.kpi_weekly ORDER BY week_start").fetchall()
        signals = con.execute(
            "SELECT workspace, signal_category, signals FROM analytics.signals_weekly ORDER BY 2"
        ).fetchall()
        columns = con.execute(
            "SELECT DISTINCT column_name FROM duckdb_columns() WHERE table_name = 'signals_weekly'"
        ).fetchall()
    from datetime import date

    assert kpis == [("kiosk", date(2026, 10, 5 + 7 * i), "all", i) for i in range(3)]
    # 5 members x 2 categories in one week and platform: 5 of each, no member or text.
    assert signals == [("kiosk", "praise", 5), ("kiosk", "question", 5)]
    assert sorted(c for (c,) in columns) == [
        "platform",
        "signal_category",
        "signals",
        "week_start",
        "workspace",
    ]


def test_agency_view_is_replaced_atomically_under_an_open_reader(tmp_path: Path) -> None:
    home, config = _agency_config(tmp_path)
    _published(home.workspace("kiosk"), "20261206T100000000000Z", kpi_rows=2)
    publish_agency(config, ["kiosk", "velo"])
    reader = duckdb.connect(str(home.agency), read_only=True)
    try:
        _published(home.workspace("velo"), "20261206T110000000000Z", kpi_rows=4)
        publish_agency(config, ["kiosk", "velo"])
        # The reader keeps the file it opened, whole: only kiosk's 2 rows.
        assert reader.execute("SELECT count(*) FROM analytics.kpi_weekly").fetchall() == [(2,)]
    finally:
        reader.close()
    count = "SELECT workspace, count(*) FROM analytics.kpi_weekly GROUP BY 1 ORDER BY 1"
    with duckdb.connect(str(home.agency), read_only=True) as con:
        assert con.execute(count).fetchall() == [("kiosk", 2), ("velo", 4)]
    assert len(list(home.snapshots.glob("agency-*.duckdb"))) == 2


def test_agency_view_refuses_a_column_that_could_name_a_member(tmp_path: Path) -> None:
    home, config = _agency_config(tmp_path)
    _published(home.workspace("kiosk"), "20261206T100000000000Z", kpi_rows=2)
    publish_agency(config, ["kiosk", "velo"])
    before = home.agency.read_bytes()
    # A changed kpi_weekly model that carries a member key must not reach the agency view.
    _published(home.workspace("velo"), "20261206T110000000000Z", 1, extra_column="top_member")
    with pytest.raises(PublishError) as raised:
        publish_agency(config, ["kiosk", "velo"])
    assert str(raised.value) == (
        "agency view: column(s) that could name a member: ['kpi_weekly.top_member']"
    )
    assert home.agency.read_bytes() == before  # the published view stays
    assert sorted(p.name for p in home.warehouse.iterdir()) == ["agency.duckdb", "snapshots"]
    assert len(list(home.snapshots.glob("agency-*.duckdb"))) == 1


def test_a_run_holds_every_workspace_under_one_run_key(tmp_path: Path) -> None:
    from learnloop.run_lock import RunInProgress, hold, hold_workspaces, run_key_for

    home = Home(tmp_path / "home")
    for name in ("kiosk", "velo"):
        home.workspace(name).root.mkdir(parents=True)
    with hold_workspaces(home, ("kiosk", "velo"), "run") as holder:
        # Each workspace's discover takes the run's key; a command on one workspace waits.
        assert run_key_for(home.workspace("velo")) == holder.run_key
        with pytest.raises(RunInProgress) as raised, hold(home.workspace("kiosk"), "forget"):
            pass
        assert f"(`learnloop run`, run key {holder.run_key}, pid " in str(raised.value)
    with hold(home.workspace("kiosk"), "forget"):  # free again once the run ended
        assert run_key_for(home.workspace("velo")) is None
