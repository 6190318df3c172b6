"""Mastodon API statuses JSON (docs/formats.md §1): exact raw rows, then interactions and posts.

The fixtures are a timeline array (pretty-printed, as saved through jq: a brand post, a
remote reply, the brand's answer, a direct message from a local account whose acct has no
host, a reply whose parent is not in the file, a boost of the brand post) and a compact
context response, which leaves out the status it was asked for. HTML content with mention
markup, <br />, paragraphs and entities; `.000Z` timestamps. The brand is configured as
user@host in another case.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from learnloop.build import RunContext
from learnloop.config import Config
from learnloop.ingest.html import decode_entities_sql, html_to_text_sql
from learnloop.paths import Home
from tests.conftest import FIXTURE_CONFIG, FIXTURES, dm_pseudonym, query, restore_dm_ids
from tests.format_build import Landing, SharedBuilds
from tests.harness import (
    LINEAGE,
    by_name,
    configure,
    expected_lineage,
    ingest,
    inspect_output,
    land,
    manifest,
    quarantine_reason,
    sha256,
    source_rows,
    threads_of,
    utc,
)

MASTODON = FIXTURES / "mastodon_api"
STATUSES = MASTODON / "statuses_nordlicht_mentions.json"
CONTEXT = MASTODON / "context_113810000000000011.json"
TRUNCATED = MASTODON / "statuses_truncated.json"
TABLE = "raw.mastodon_api__statuses"
TITLE = "Mastodon API statuses JSON"
MASTODON_CONFIG = FIXTURE_CONFIG + 'mastodon = ["Nordlicht@velo.social"]\n'

BRAND = "nordlicht@velo.social"
BRAND_ACCOUNT = "109876543210000001"


def tl(n: int) -> str:
    """A status of the timeline fixture."""
    return f"1138000000000000{n:02d}"


def ctx(n: int) -> str:
    """A status of the context fixture's thread."""
    return f"1138100000000000{n:02d}"


def url(handle: str, status_id: str) -> str:
    user, host = handle.split("@")
    return f"https://{host}/@{user}/{status_id}"


RAW_COLUMNS = (
    "status_id, context_part, created_at_raw, created_at, in_reply_to_id, "
    "in_reply_to_account_id, reblog_of_id, visibility, language, url, text, account_id, "
    "account_acct, author_handle, replies_count, reblogs_count, favourites_count"
)
POST_TEXT = (
    "Winter service week: 20 % off & a free battery check!\n"
    "Book at https://nordlicht.example/service\n\nOffer ends Sunday."
)
KIES, MIA = "kiesweg@fediverse.example", "radlerin_mia@norden.example"
# In file order (newest first). Tags gone, <br /> a line break, </p><p> a blank line.
STATUSES_ROWS = [
    (tl(6), None, "2026-01-05T13:30:00.000Z", utc(2026, 1, 5, 13, 30), None, None,
     tl(1), "public", None, None, "", "109900000000000013", KIES, KIES, 0, 0, 0),
    (tl(5), None, "2026-01-05T13:00:00.000Z", utc(2026, 1, 5, 13, 0),
     "113799999999999999", "109900000000000014", None, "public", "en", url(KIES, tl(5)),
     "@radlerin_mia same here, the Fjord 2 is sold out everywhere", "109900000000000013",
     KIES, KIES, 0, 0, 0),
    # A local account: acct "kai", the host comes from its profile URL.
    (tl(4), None, "2026-01-05T12:30:00.000Z", utc(2026, 1, 5, 12, 30), None, None,
     None, "direct", "en", url("kai@velo.social", tl(4)),
     "@nordlicht my order #4711 hasn't arrived yet, can you check?", "109900000000000012",
     "kai", "kai@velo.social", 0, 0, 0),
    (tl(3), None, "2026-01-05T10:40:00.000Z", utc(2026, 1, 5, 10, 40),
     tl(2), "109900000000000011", None, "public", "en", url(BRAND, tl(3)),
     "@bergfee Yes, battery checks are included. It's free <3", BRAND_ACCOUNT, "nordlicht",
     BRAND, 0, 0, 2),
    (tl(2), None, "2026-01-05T10:15:00.000Z", utc(2026, 1, 5, 10, 15),
     tl(1), BRAND_ACCOUNT, None, "public", "en",
     url("bergfee@radweg.example", tl(2)),
     '@nordlicht Does that include "e-bike" batteries? 🎉',
     "109900000000000011", "bergfee@radweg.example", "bergfee@radweg.example", 1, 0, 1),
    (tl(1), None, "2026-01-05T09:00:00.000Z", utc(2026, 1, 5, 9, 0), None, None,
     None, "public", "en", url(BRAND, tl(1)), POST_TEXT, BRAND_ACCOUNT, "nordlicht", BRAND,
     2, 3, 11),
]  # fmt: skip
# Ancestors first, then descendants; the status asked about (…011) is not in the response.
CONTEXT_ROWS = [
    (ctx(10), "ancestors", "2026-01-07T14:00:00.000Z", utc(2026, 1, 7, 14, 0),
     None, None, None, "public", "de", url(BRAND, ctx(10)),
     "Neue Farben für das Fjord 2: Polarnacht & Moltebeere.", BRAND_ACCOUNT, "nordlicht",
     BRAND, 1, 5, 30),
    (ctx(12), "descendants", "2026-01-07T15:10:00.000Z", utc(2026, 1, 7, 15, 10),
     ctx(11), "109900000000000013", None, "public", "de",
     url(MIA, ctx(12)), "@kiesweg @nordlicht Und in Größe M?", "109900000000000014", MIA,
     MIA, 1, 0, 0),
    (ctx(13), "descendants", "2026-01-07T15:45:00.000Z", utc(2026, 1, 7, 15, 45),
     ctx(12), "109900000000000014", None, "public", "de",
     url(BRAND, ctx(13)), "@radlerin_mia Ja, ab Februar in allen Größen.", BRAND_ACCOUNT,
     "nordlicht", BRAND, 0, 0, 0),
]  # fmt: skip


def mastodon_config(home: Home) -> Config:
    return configure(home, MASTODON_CONFIG)


def raw_rows(context: RunContext, file_name: str) -> list[tuple]:
    return source_rows(context.database_path, TABLE, RAW_COLUMNS, file_name)


def lineage(context: RunContext, file_name: str) -> list[tuple]:
    return source_rows(context.database_path, TABLE, LINEAGE, file_name)


# --- HTML to text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>a<br>b<br/>c<BR />d</p>", "a\nb\nc\nd"),
        ('<p>one</p>\n<p class="x">two</p>', "one\n\ntwo"),
        ("&lt;b&gt;bold&lt;/b&gt; stays text", "<b>bold</b> stays text"),
        ("&amp;lt; decodes once", "&lt; decodes once"),
        ("&quot;q&quot; &#39;s&#39; &apos;a&apos; x&nbsp;y", "\"q\" 's' 'a' x\u00a0y"),
        ("&#233;t&#xE9; &#X1F6B2;", "été 🚲"),
        ("&bogus; a&b &#xD800; &#0; &", "&bogus; a&b &#xD800; &#0; &"),
        ("  <p> padded </p> ", "padded"),
        ("", ""),
        (None, None),
    ],
)
def test_html_to_text(html: str | None, text: str | None):
    with duckdb.connect() as con:
        assert con.execute(f"SELECT {html_to_text_sql('?')}", [html]).fetchone() == (text,)


def test_decoding_entities_leaves_tags_alone():
    with duckdb.connect() as con:
        result = con.execute(f"SELECT {decode_entities_sql('?')}", ["<i>x</i> &gt; y"]).fetchone()
    assert result == ("<i>x</i> > y",)


# --- raw rows -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [(STATUSES, STATUSES_ROWS), (CONTEXT, CONTEXT_ROWS)],
    ids=["array of statuses", "context response"],
)
def test_mastodon_api_loads_exact_rows_with_lineage(home: Home, source: Path, expected: list):
    config = mastodon_config(home)
    land(config, source, source.name)
    context, summary = ingest(config)

    assert raw_rows(context, source.name) == expected
    assert lineage(context, source.name) == expected_lineage(
        context, source.name, source, len(expected)
    )
    assert manifest(context) == [
        (source.name, source.name, sha256(source), "mastodon_api", "loaded", len(expected))
    ]
    assert summary.rows == len(expected)


def test_mastodon_api_keeps_the_html_next_to_the_text(config: Config):
    land(config, CONTEXT, CONTEXT.name)
    context, _ = ingest(config)
    assert query(
        context.database_path,
        f"SELECT content_html FROM {TABLE} WHERE status_id = ?",
        [ctx(10)],
    ) == [("<p>Neue Farben für das Fjord 2: Polarnacht &amp; Moltebeere.</p>",)]


def test_mastodon_api_json_lines_of_overlapping_contexts_load_each_status_once(config: Config):
    """Two context responses of one thread repeat statuses; the raw gate wants one row per
    status and file, in the position of its first appearance."""
    compact = CONTEXT.read_text(encoding="utf-8").strip()
    lines = (compact + "\n" + compact + "\n").encode()
    land(config, lines, "contexts.jsonl")
    context, _ = ingest(config)

    assert raw_rows(context, "contexts.jsonl") == CONTEXT_ROWS
    assert lineage(context, "contexts.jsonl") == expected_lineage(
        context, "contexts.jsonl", lines, 3
    )


def test_truncated_mastodon_file_is_quarantined_with_a_reason(config: Config):
    land(config, TRUNCATED, "drop/statuses.json")
    land(config, CONTEXT, "good/context.json")
    context, summary = ingest(config)

    assert manifest(context) == [
        ("drop/statuses.json", "drop/statuses.json", sha256(TRUNCATED), "mastodon_api",
         "quarantined", None),
        ("good/context.json", "good/context.json", sha256(CONTEXT), "mastodon_api", "loaded", 3),
    ]  # fmt: skip
    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 1, "rows": 3}
    assert quarantine_reason(config, context, "drop/statuses.json").startswith(
        f'drop/statuses.json: looks like {TITLE}, but Malformed JSON in file "drop/statuses.json"'
    )


def test_inspect_names_the_mastodon_format_and_row_count(home: Home):
    output = inspect_output(home, STATUSES, CONTEXT)
    assert output.splitlines() == [
        f"{STATUSES}: mastodon_api ({TITLE}), 6 rows",
        f"{CONTEXT}: mastodon_api ({TITLE}), 3 rows",
    ]


# --- through dbt --------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    database: Path


# What this module puts into the shared builds of the format tests (tests/format_build.py).
SHARED_BUILD = Landing(by_name(STATUSES, CONTEXT), brand={"mastodon": ("Nordlicht@velo.social",)})


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Built:
    return Built(format_builds.of(__name__).database)


@pytest.mark.slow
def dm_pseudonym_of(built: Built, status_id: str) -> str:
    (salt,) = query(built.database, "SELECT salt FROM ops.privacy_salt")[0]
    return dm_pseudonym(salt, "mastodon", status_id)


def test_mastodon_api_interactions(built: Built):
    published = query(
        built.database,
        "SELECT platform, interaction_id, thread_id, parent_id, post_id, direction, created_at, "
        "is_private, text FROM analytics.interactions WHERE source_format = 'mastodon_api' "
        "ORDER BY created_at",
    )
    # The direct message's ids are published as salted pseudonyms; mapped back to compare.
    assert [row[1] for row in published if row[7]] == [dm_pseudonym_of(built, tl(4))]
    rows = restore_dm_ids(built.database, published, {1, 2})
    # The brand posts …001 and …010 are posts; the boost …006 is neither. …002 sits under
    # post …001 (its parent is the post) and starts its thread; the direct message …004 is
    # private, its text withheld; …005 and …012 reply to statuses not loaded, so each is a
    # root, and …012's chain breaks at …011, so its post is unknown.
    assert rows == [
        ("mastodon", tl(2), tl(2), tl(1), tl(1),
         "inbound", utc(2026, 1, 5, 10, 15), False,
         '@nordlicht Does that include "e-bike" batteries? 🎉'),
        ("mastodon", tl(3), tl(2), tl(2), tl(1),
         "outbound", utc(2026, 1, 5, 10, 40), False,
         "@bergfee Yes, battery checks are included. It's free <3"),
        ("mastodon", tl(4), tl(4), None, None, "inbound",
         utc(2026, 1, 5, 12, 30), True, None),
        ("mastodon", tl(5), tl(5), "113799999999999999", None, "inbound",
         utc(2026, 1, 5, 13, 0), False,
         "@radlerin_mia same here, the Fjord 2 is sold out everywhere"),
        ("mastodon", ctx(12), ctx(12), ctx(11), None,
         "inbound", utc(2026, 1, 7, 15, 10), False, "@kiesweg @nordlicht Und in Größe M?"),
        ("mastodon", ctx(13), ctx(12), ctx(12), None,
         "outbound", utc(2026, 1, 7, 15, 45), False,
         "@radlerin_mia Ja, ab Februar in allen Größen."),
    ]  # fmt: skip


@pytest.mark.slow
def test_mastodon_api_conversations(built: Built):
    rows = restore_dm_ids(
        built.database,
        query(
            built.database,
            "SELECT thread_id, started_at, first_response_minutes, answered, turns, two_way "
            f"FROM analytics.conversations WHERE {threads_of('mastodon_api')} ORDER BY started_at",
        ),
        {0},
        platform="mastodon",
    )
    # …002: 10:15 -> brand 10:40 = 25 min. …012: 15:10 -> 15:45 = 35 min. Nobody came back.
    assert rows == [
        (tl(2), utc(2026, 1, 5, 10, 15), 25.0, True, 2, False),
        (tl(4), utc(2026, 1, 5, 12, 30), None, False, 1, False),
        (tl(5), utc(2026, 1, 5, 13, 0), None, False, 1, False),
        (ctx(12), utc(2026, 1, 7, 15, 10), 35.0, True, 2, False),
    ]


@pytest.mark.slow
def test_mastodon_api_posts(built: Built):
    rows = query(
        built.database,
        "SELECT platform, post_id, account, published_at, permalink, text, reactions, comments, "
        "shares, clicks, impressions, source_format, source_file FROM analytics.posts "
        "WHERE source_format = 'mastodon_api' ORDER BY published_at",
    )
    # reactions = favourites, comments = replies, shares = reblogs (boosts).
    assert rows == [
        ("mastodon", tl(1), BRAND, utc(2026, 1, 5, 9, 0), url(BRAND, tl(1)),
         POST_TEXT, 11, 2, 3, None, None, "mastodon_api", STATUSES.name),
        ("mastodon", ctx(10), BRAND, utc(2026, 1, 7, 14, 0),
         url(BRAND, ctx(10)), "Neue Farben für das Fjord 2: Polarnacht & Moltebeere.",
         30, 1, 5, None, None, "mastodon_api", CONTEXT.name),
    ]  # fmt: skip
    # No export time in an API response: the snapshot is the load.
    assert query(
        built.database,
        "SELECT bool_and(posts.snapshot_at = raw._loaded_at) FROM analytics.posts AS posts "
        f"JOIN {TABLE} AS raw ON raw.status_id = posts.post_id",
    ) == [(True,)]
