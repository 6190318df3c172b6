"""`learnloop synth`: reproducible exports that the real readers load, in the promised amounts."""

from __future__ import annotations

import hashlib
from pathlib import Path

from learnloop.paths import Home
from learnloop.synth import SynthSpec, synthesize
from tests.conftest import query, run_cli
from tests.harness import configure, ingest, land, make_home

DIALOGUE_FORMATS = {"inbox_csv", "youtube_api", "instagram_api"}


def _digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_same_arguments_write_byte_identical_files(tmp_path: Path):
    first = synthesize(SynthSpec(2000, 2, tmp_path / "a"))
    second = synthesize(SynthSpec(2000, 2, tmp_path / "b"))
    other_seed = synthesize(SynthSpec(2000, 2, tmp_path / "c", seed=9))

    assert first == second
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    assert _digests(tmp_path / "a") != _digests(tmp_path / "c")
    # Exactly the asked-for number of interactions, whatever the thread sizes drawn.
    assert first.interactions == other_seed.interactions == 2000
    assert sum(first.interactions_by_format.values()) == 2000


def test_synthetic_days_load_through_the_real_readers(tmp_path: Path):
    summary = synthesize(SynthSpec(2000, 2, tmp_path / "synth"))
    config = configure(make_home(tmp_path / "home"), 'timezone = "Europe/Berlin"\n')
    days = sorted((tmp_path / "synth" / "days").iterdir())
    for day in days:
        for export in day.iterdir():
            land(config, export, f"{day.name}/{export.name}")

    context, ingested = ingest(config)

    counts = ingested.as_dict()
    assert (counts["loaded"], counts["quarantined"]) == (summary.files - 2, 0)
    formats = dict(
        query(
            context.database_path,
            "SELECT format, count(*) FROM ops.load_manifest GROUP BY format",
        )
    )
    assert set(formats) == DIALOGUE_FORMATS | {"x_tweet_activity"}
    # Every message is loaded once as a distinct interaction; YouTube and Instagram threads
    # are re-exported on each day they grew, so their raw tables hold more rows than that.
    distinct = {
        "inbox_csv": "SELECT count(DISTINCT message_id) FROM raw.inbox_csv__messages",
        "youtube_api": "SELECT count(DISTINCT comment_id) FROM raw.youtube_api__comments",
        "instagram_api": "SELECT count(DISTINCT item_id) FROM raw.instagram_api__items "
        "WHERE record_type IN ('comment', 'reply')",
    }
    loaded = {name: query(context.database_path, sql)[0][0] for name, sql in distinct.items()}
    assert loaded == summary.interactions_by_format
    assert sum(loaded.values()) == 2000


def test_synth_command_line(tmp_path: Path, home: Home):
    result = run_cli(
        home, "synth", "--interactions", "300", "--weeks", "1", "--out", str(tmp_path / "o")
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("300 interactions in ")
    assert (
        (tmp_path / "o" / "learning" / "insight_register.csv")
        .read_text()
        .startswith(
            "insight_id,title,logged_at,category,evidence,status,action_ref,actioned_at,"
            "shipped_at,closed_loop_at,owner,notes\n"
        )
    )
    bad = run_cli(
        home, "synth", "--interactions", "10", "--weeks", "1", "--out", "o", "--start", "someday"
    )
    assert bad.returncode == 1
    assert bad.stderr == "learnloop synth: --start: 'someday' is not a date like 2025-01-06\n"
