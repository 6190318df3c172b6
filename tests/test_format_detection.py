"""Detectors exclude each other: every fixture export is claimed by exactly one format.

That is what lets the registry keep no order (learnloop/ingest/formats/__init__.py): a file
is read by the one format that claims it, and a file two detectors claimed would be
quarantined (never seen). Every fixture under tests/fixtures/ and every sample export runs
through every detector; the files that are no export at all are named below.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from learnloop.config import Config
from learnloop.ingest import registry
from learnloop.ingest.formats import FORMATS, FileSample
from learnloop.ingest.formats.inbox_csv.reader import InboxCsv
from learnloop.paths import SAMPLE_DATA_DIR
from tests.conftest import FIXTURES

# Files that are deliberately no export of any format (hostile inputs, the report's SQL, the
# classifier's evaluation set, a tool that only `[inbox.columns]` makes readable, ...).
NOT_EXPORTS = {
    "hostile/expected.csv",
    "hostile/inbox_empty.csv",
    "hostile/inbox_missing_id_and_date.csv",
    "hostile/inbox_pipe_delimiter.csv",
    "hostile/inbox_whitespace_only.csv",
    "hostile/yt_empty_array.json",
    "hostile/yt_html_error_page.json",
    "hostile/yt_json_null.json",
    "inbox_csv/empty.csv",
    "inbox_csv/screenshot_not_an_export.png",
    "inbox_csv/ticketdesk_export.csv",
    "report/contract_warehouse.sql",
    "signals/eval_set.csv",
    "sample_data/README.md",
}
# The package of each format (`youtube_studio` holds youtube_studio_table, _chart, _totals).
PACKAGES = {f.__module__.split(".")[-2] for f in FORMATS}


def _files() -> dict[str, Path]:
    fixtures = {str(p.relative_to(FIXTURES)): p for p in FIXTURES.rglob("*") if p.is_file()}
    samples = {
        f"sample_data/{p.relative_to(SAMPLE_DATA_DIR)}": p
        for p in SAMPLE_DATA_DIR.rglob("*")
        if p.is_file()
    }
    return dict(sorted({**fixtures, **samples}.items()))


FILES = _files()


def claims(path: Path, config: Config, scratch: Path) -> list[str]:
    # A copy, as a run reads one: the workbook detectors write the sheets beside the file.
    copy = scratch / path.name
    shutil.copyfile(path, copy)
    sample = FileSample.of(copy, path.name)
    return [f.name for f in FORMATS if f.detect(sample, config)]


@pytest.mark.parametrize("name", FILES, ids=FILES)
def test_every_export_is_claimed_by_exactly_one_format(name: str, config: Config, tmp_path: Path):
    claimed = claims(FILES[name], config, tmp_path)
    if name in NOT_EXPORTS:
        assert claimed == []
        return
    assert len(claimed) == 1, claimed
    # A fixture folder named for a format package holds that package's exports.
    folder = name.split("/")[0]
    if folder in PACKAGES:
        assert claimed[0].startswith(folder), (folder, claimed)


def test_every_registered_format_has_a_fixture_it_claims(config: Config, tmp_path: Path):
    claimed = {name for path in FILES.values() for name in claims(path, config, tmp_path)}
    assert sorted(f.name for f in FORMATS if f.name not in claimed) == []


def test_a_file_two_detectors_claim_is_quarantined_naming_both(
    config: Config, monkeypatch: pytest.MonkeyPatch
):
    """Should two detectors ever overlap, the file is not read by whichever came first."""

    class InboxTwin(InboxCsv):
        name = "inbox_twin"

    monkeypatch.setattr(registry, "FORMATS", (*FORMATS, InboxTwin()))
    path = FIXTURES / "inbox_csv" / "sprout_inbox_2026-01.csv"
    assert registry.recognise(FileSample.of(path), config, None, member=False) == (
        None,
        "matches more than one export format (inbox_csv and inbox_twin), so none reads it",
    )
