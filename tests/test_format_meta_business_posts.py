"""meta_business_posts: Meta Business Suite post exports -> exact raw rows, then the marts.

Fixtures (written by the project in the shape Meta writes, docs/formats.md §2), all UTF-8 with BOM,
header cells with spaces quoted, `Date` = `Lifetime`, captions with quotes, emoji and
newlines inside quoted cells:
- `Jan-01-2026_Jan-31-2026_1203948576102938.csv`: Facebook, January, 32 columns (no negative
  feedback columns); one video's Views left blank, as Meta does.
- `Feb-01-2026_Feb-28-2026_1372715008380738.csv`: Facebook, February, 34 columns (both
  `Negative feedback from users: Hide all` and `... Hide`).
- `Jan-01-2026_Jan-31-2026_1587462039485721.csv`: the same January posts exported again weeks
  later with higher lifetime totals, 33 columns (only `Hide all`).
- `Jan-01-2026_Jan-31-2026_1448291736450091.csv`: Instagram, January.
- `posts_by_day.csv`: a Facebook export whose `Date` holds a day, not `Lifetime`.

In every Facebook file `"Reactions, Comments and Shares"` is one quoted header cell, the sum
of the `Reactions`, `Comments` and `Shares` columns after it; the fixtures make the sum differ
from reactions so that taking the wrong column would show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from learnloop.config import Config
from learnloop.paths import Home
from tests.conftest import FIXTURE_CONFIG, FIXTURES, query
from tests.format_build import Landing, SharedBuilds
from tests.harness import (
    by_name,
    configure,
    expected_lineage,
    ingest,
    inspect_output,
    land,
    lineage,
    manifest,
    quarantine_reason,
    sha256,
    source_rows,
    utc,
)

FOLDER = FIXTURES / "meta_business_posts"
FB_JAN = FOLDER / "Jan-01-2026_Jan-31-2026_1203948576102938.csv"
FB_FEB = FOLDER / "Feb-01-2026_Feb-28-2026_1372715008380738.csv"
FB_JAN_LATER = FOLDER / "Jan-01-2026_Jan-31-2026_1587462039485721.csv"
IG_JAN = FOLDER / "Jan-01-2026_Jan-31-2026_1448291736450091.csv"
BY_DAY = FOLDER / "posts_by_day.csv"

TABLE = "raw.meta_business_posts__posts"
TITLE = "Meta Business Suite post export CSV"
COLUMNS = (
    "platform, post_id, account_id, account_username, account_name, title, description, "
    "publish_time_raw, published_at, permalink, post_type, date_label, views, reach, "
    "reactions, comments, shares, clicks, saves, follows"
)

PAGE, IG_ACCOUNT = "104000000000001", "17841400000000001"
FB1, FB2, FB3 = "200000000000011", "200000000000012", "200000000000013"
IG1, IG2 = "18000000000000021", "18000000000000022"
FB1_TITLE = 'Fjord 2 ist zurück! 🚲 \nWelche Größe fährst du: "M" oder "L"?'
FB2_TITLE = "Winterservice in 60 Sekunden"
FB2_DESCRIPTION = "So machen wir dein Rad schneefest.\nTermin: nordlicht.example/service"
FB3_TITLE = "Neue Touren-Karte für 2026"
IG1_TEXT = "Schöne Grüße aus dem Harz 🚵\u200d♀️\n#nordlicht #gravel"
IG2_TEXT = "Bremsen entlüften in 30 Sekunden"
FB1_LINK = f"https://www.facebook.com/{PAGE}/posts/pfbid0FjordZurueck"
FB2_LINK = f"https://www.facebook.com/{PAGE}/videos/300000000000012"
FB3_LINK = f"https://www.facebook.com/{PAGE}/posts/pfbid0TourenKarte"
IG1_LINK = "https://www.instagram.com/p/DNordHarz01/"
IG2_LINK = "https://www.instagram.com/reel/DNordBrake02/"


def facebook(post: str, metrics: tuple) -> tuple:
    """A Facebook raw row; metrics = views, reach, reactions, comments, shares, clicks."""
    title, description, publish, published_at, link, post_type = {
        # Publish time is Berlin local time (CET, UTC+1 in January and February).
        FB1: (FB1_TITLE, None, "01/06/2026 09:00", utc(2026, 1, 6, 8, 0), FB1_LINK, "Photos"),
        FB2: (
            FB2_TITLE,
            FB2_DESCRIPTION,
            "01/09/2026 17:30",
            utc(2026, 1, 9, 16, 30),
            FB2_LINK,
            "Videos",
        ),
        FB3: (FB3_TITLE, None, "02/03/2026 07:45", utc(2026, 2, 3, 6, 45), FB3_LINK, "Links"),
    }[post]
    return (
        "facebook",
        post,
        PAGE,
        None,
        "Nordlicht Bikes",
        title,
        description,
        publish,
        published_at,
        link,
        post_type,
        "Lifetime",
        *metrics,
        None,  # saves: Instagram only
        None,  # follows: Instagram only
    )


def instagram(post: str, metrics: tuple) -> tuple:
    """An Instagram raw row; metrics = views, reach, likes, comments, shares, saves, follows."""
    text, publish, published_at, link, post_type = {
        IG1: (IG1_TEXT, "01/07/2026 19:00", utc(2026, 1, 7, 18, 0), IG1_LINK, "IG carousel"),
        IG2: (IG2_TEXT, "01/10/2026 11:30", utc(2026, 1, 10, 10, 30), IG2_LINK, "IG reel"),
    }[post]
    views, reach, likes, comments, shares, saves, follows = metrics
    return (
        "instagram",
        post,
        IG_ACCOUNT,
        "nordlicht.bikes",
        "Nordlicht Bikes",
        None,  # Instagram exports have no Title
        text,
        publish,
        published_at,
        link,
        post_type,
        "Lifetime",
        views,
        reach,
        likes,
        comments,
        shares,
        None,  # clicks: Facebook only
        saves,
        follows,
    )


# Reactions, not the sum column: FB1 in January has sum 52 = 40 + 7 + 5, reactions 40.
FB_JAN_ROWS = [
    facebook(FB1, (1200, 800, 40, 7, 5, 31)),
    facebook(FB2, (None, 300, 9, 2, 1, 0)),  # Views blank in the file
]
FB_FEB_ROWS = [facebook(FB3, (640, 420, 18, 4, 3, 57))]
FB_JAN_LATER_ROWS = [
    facebook(FB1, (1850, 1190, 61, 11, 7, 48)),
    facebook(FB2, (950, 610, 15, 3, 2, 4)),
]
IG_JAN_ROWS = [
    instagram(IG1, (2400, 1500, 130, 18, 12, 25, 3)),
    instagram(IG2, (5100, 3900, 310, 27, 44, 61, 9)),
]
GOOD = {
    "facebook, 32 columns": (FB_JAN, FB_JAN_ROWS),
    "facebook, 34 columns": (FB_FEB, FB_FEB_ROWS),
    "facebook re-export, 33 columns": (FB_JAN_LATER, FB_JAN_LATER_ROWS),
    "instagram": (IG_JAN, IG_JAN_ROWS),
}


def raw_rows(database: Path, file_name: str) -> list[tuple]:
    return source_rows(database, TABLE, COLUMNS, file_name)


# --- raw rows -----------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "expected"), GOOD.values(), ids=GOOD.keys())
def test_loads_exact_raw_rows_with_lineage(config: Config, source: Path, expected: list):
    land(config, source, source.name)
    context, summary = ingest(config)

    assert raw_rows(context.database_path, source.name) == expected
    assert lineage(context, TABLE, source.name) == expected_lineage(
        context, source.name, source, len(expected)
    )
    assert manifest(context) == [
        (source.name, source.name, sha256(source), "meta_business_posts", "loaded", len(expected))
    ]
    assert summary.as_dict() == {
        "loaded": 1,
        "duplicate": 0,
        "quarantined": 0,
        "rows": len(expected),
    }


def test_the_sum_column_is_one_header_cell_and_not_taken_for_reactions():
    header = FB_JAN.read_text(encoding="utf-8-sig").splitlines()[0]
    assert ',"Reactions, Comments and Shares",Reactions,Comments,Shares,' in header
    # FB1's row: sum 52, then reactions 40, comments 7, shares 5; raw reactions is 40.
    assert ",Lifetime,1200,800,52,40,7,5,31," in FB_JAN.read_text(encoding="utf-8-sig")
    assert FB_JAN_ROWS[0][14] == 40


def test_publish_time_follows_the_configured_time_zone_of_the_format(home: Home):
    config = configure(
        home, FIXTURE_CONFIG + '\n[timezones]\nmeta_business_posts = "America/New_York"\n'
    )
    land(config, IG_JAN, IG_JAN.name)
    context, _ = ingest(config)

    # New York is UTC-5 in January: 19:00 -> 00:00 the next day, 11:30 -> 16:30.
    assert query(
        context.database_path, f"SELECT published_at FROM {TABLE} ORDER BY _source_row"
    ) == [(utc(2026, 1, 8, 0, 0),), (utc(2026, 1, 10, 16, 30),)]


def test_values_that_are_not_lifetime_totals_are_quarantined_with_a_reason(config: Config):
    land(config, BY_DAY, "drop/posts_by_day.csv")
    land(config, FB_JAN, FB_JAN.name)
    context, summary = ingest(config)

    assert summary.as_dict() == {"loaded": 1, "duplicate": 0, "quarantined": 1, "rows": 2}
    assert quarantine_reason(config, context, "drop/posts_by_day.csv") == (
        f"drop/posts_by_day.csv: looks like {TITLE}, but a Date cell holds 01/06/2026, "
        "not Lifetime: export lifetime post values"
    )
    assert raw_rows(context.database_path, "drop/posts_by_day.csv") == []


def test_inspect_names_the_format_and_counts_rows(home: Home):
    output = inspect_output(home, FB_FEB, IG_JAN)
    assert output.splitlines() == [
        f"{FB_FEB}: meta_business_posts ({TITLE}), 1 row",
        f"{IG_JAN}: meta_business_posts ({TITLE}), 2 rows",
    ]


# --- the marts, one dbt build for the module ----------------------------------------------


@dataclass(frozen=True)
class Built:
    database: Path


# What this module puts into the shared builds of the format tests (tests/format_build.py).
# Its weekly KPIs read every week with posts, over all platforms: alone.
SHARED_BUILD = Landing(
    by_name(FB_JAN, FB_FEB, IG_JAN),
    later={f"later/{FB_JAN_LATER.name}": FB_JAN_LATER},
    world="meta_business_posts",
)


@pytest.fixture(scope="module")
def built(format_builds: SharedBuilds) -> Built:
    return Built(format_builds.of(__name__).database)


@pytest.mark.slow
def test_the_second_run_loads_only_the_re_export(format_builds: SharedBuilds):
    """Run 1's three files land again with the re-export (they were not archived): they are
    duplicates, the re-export loads its 2 rows."""
    second_run = format_builds.of(__name__).summaries[1]
    assert second_run.as_dict() == {"loaded": 1, "duplicate": 3, "quarantined": 0, "rows": 2}


@pytest.mark.slow
def test_an_export_holds_posts_only(built: Built):
    assert query(
        built.database,
        "SELECT count(*) FROM analytics.interactions WHERE source_format = 'meta_business_posts'",
    ) == [(0,)]


@pytest.mark.slow
def test_posts_carry_the_latest_export_of_each_post(built: Built):
    rows = query(
        built.database,
        """
        SELECT platform, post_id, account, published_at, week_start, permalink, text,
            reactions, comments, shares, clicks, impressions, source_format, source_file
        FROM analytics.posts WHERE source_format = 'meta_business_posts'
        ORDER BY platform, post_id
        """,
    )
    fmt = "meta_business_posts"
    later = f"later/{FB_JAN_LATER.name}"
    assert rows == [
        # The re-export (run 2) replaces January's first export: 61 reactions, not 40.
        # Facebook ids in the Graph form PAGEID_POSTID; text = Title when Description is empty.
        (
            "facebook",
            f"{PAGE}_{FB1}",
            PAGE,
            utc(2026, 1, 6, 8, 0),
            date(2026, 1, 5),
            FB1_LINK,
            FB1_TITLE,
            61,
            11,
            7,
            48,
            1850,
            fmt,
            later,
        ),
        # A video: its message is the Description, the Title is the video's title.
        (
            "facebook",
            f"{PAGE}_{FB2}",
            PAGE,
            utc(2026, 1, 9, 16, 30),
            date(2026, 1, 5),
            FB2_LINK,
            FB2_DESCRIPTION,
            15,
            3,
            2,
            4,
            950,
            fmt,
            later,
        ),
        (
            "facebook",
            f"{PAGE}_{FB3}",
            PAGE,
            utc(2026, 2, 3, 6, 45),
            date(2026, 2, 2),
            FB3_LINK,
            FB3_TITLE,
            18,
            4,
            3,
            57,
            640,
            fmt,
            FB_FEB.name,
        ),
        # Instagram: reactions = Likes, impressions = Views, no clicks.
        (
            "instagram",
            IG1,
            IG_ACCOUNT,
            utc(2026, 1, 7, 18, 0),
            date(2026, 1, 5),
            IG1_LINK,
            IG1_TEXT,
            130,
            18,
            12,
            None,
            2400,
            fmt,
            IG_JAN.name,
        ),
        (
            "instagram",
            IG2,
            IG_ACCOUNT,
            utc(2026, 1, 10, 10, 30),
            date(2026, 1, 5),
            IG2_LINK,
            IG2_TEXT,
            310,
            27,
            44,
            None,
            5100,
            fmt,
            IG_JAN.name,
        ),
    ]


@pytest.mark.slow
def test_weekly_post_kpis(built: Built):
    rows = query(
        built.database,
        """
        SELECT week_start, platform, posts, conversation_rate, amplification_rate,
            applause_rate, engagement_rate
        FROM analytics.kpi_weekly
        WHERE posts > 0 ORDER BY week_start, platform
        """,
    )
    assert rows == [
        # all: comments (11 + 3 + 18 + 27) / 4 = 14.75; shares (7 + 2 + 12 + 44) / 4 = 16.25;
        # reactions (61 + 15 + 130 + 310) / 4 = 129; engagement (61+11+7+48 + 15+3+2+4 +
        # 130+18+12 + 310+27+44) / (1850 + 950 + 2400 + 5100) = 692 / 10300.
        (date(2026, 1, 5), "all", 4, 14.75, 16.25, 129.0, 692 / 10300),
        # facebook: 14 / 2 = 7, 9 / 2 = 4.5, 76 / 2 = 38; (127 + 24) / 2800.
        (date(2026, 1, 5), "facebook", 2, 7.0, 4.5, 38.0, 151 / 2800),
        # instagram: 45 / 2 = 22.5, 56 / 2 = 28, 440 / 2 = 220; (160 + 381) / 7500.
        (date(2026, 1, 5), "instagram", 2, 22.5, 28.0, 220.0, 541 / 7500),
        # February: one post; (18 + 4 + 3 + 57) / 640 = 82 / 640.
        (date(2026, 2, 2), "all", 1, 4.0, 3.0, 18.0, 82 / 640),
        (date(2026, 2, 2), "facebook", 1, 4.0, 3.0, 18.0, 82 / 640),
    ]
