"""Curated labels CSV (docs/formats.md §3): exact raw rows, rows with an invalid category kept
but rejected with a reason, and detection by header.

The fixture is what a spreadsheet saves: CRLF line ends, the interaction as a URL (with a
tracking parameter) or as an id, categories in any case.
"""

from __future__ import annotations

from pathlib import Path

from learnloop.config import Config
from tests.conftest import FIXTURE_CONFIG, FIXTURES
from tests.harness import configure, ingest, land, make_home, manifest, sha256, source_rows

LABELS = FIXTURES / "curated_labels" / "labels_2026-01.csv"
TABLE = "raw.curated_labels__labels"
COLUMNS = "row_id, platform_raw, interaction_ref, signal_category, rejection_reason"
VALID = "problem, complaint, idea, question, praise, none"


def _config(tmp_path: Path) -> Config:
    return configure(make_home(tmp_path / "home"), FIXTURE_CONFIG)


def test_labels_load_with_rejected_rows_and_reasons(tmp_path: Path):
    config = _config(tmp_path)
    land(config, LABELS, "labels_2026-01.csv")
    context, _summary = ingest(config)
    assert manifest(context) == [
        ("labels_2026-01.csv", "labels_2026-01.csv", sha256(LABELS), "curated_labels",
         "loaded", 4),
    ]  # fmt: skip
    url = "https://www.youtube.com/watch?v=vid00000001&lc=UgyThread1AAAAAAAAAAAA4AaABAg&si=Zx9"
    assert source_rows(context.database_path, TABLE, COLUMNS, "labels_2026-01.csv") == [
        ("1", "youtube", url, "problem", None),
        # The category is lower-cased: `Idea` is the idea category.
        ("2", "YouTube", "UgyThread2BBBBBBBBBBBB4AaABAg", "idea", None),
        ("3", "x", "https://x.com/radlerin_mia/status/1877000000000000001", "bug",
         f"signal_category bug is not one of {VALID}"),
        ("4", "youtube", None, "praise", "interaction is empty"),
    ]  # fmt: skip
