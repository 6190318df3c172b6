"""The real `learnloop` DAG on post and follower exports of five platforms landed together;
exact post and follower columns of kpi_weekly.

One run of the real CLI over X tweet activity and X analytics content (posts), the X account
overview (daily follows/unfollows), Meta Business Suite post exports (Facebook January, the
same January posts exported again later, Facebook February, Instagram January), Meta daily
insight CSVs (Facebook follows and unfollows, Instagram follower totals), a LinkedIn page
content workbook in English and one in German with the two follower workbooks, and YouTube
Studio's Table data and Totals, under ONE learnloop.toml. The expected numbers are worked by
hand from the fixtures, as the per-format tests (tests/test_format_*.py) read them.

The run is shared: these files and this learnloop.toml are the workspace `posts` of one
home whose other workspaces are the other one-run end-to-end modules'
(tests/end_to_end_workspaces.py). A workspace is a home of its own, so the warehouse
read here holds exactly these files, as a run of a home of their own published it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.conftest import FIXTURE_CONFIG, FIXTURES, query

pytestmark = pytest.mark.slow

# Every per-format test of these exports runs in Europe/Berlin (FIXTURE_CONFIG); YouTube's
# channel is named there. The X handle names the account of the overview's figures
# (test_format_x_account_overview); no other of these formats needs a brand entry.
CONFIG = FIXTURE_CONFIG + 'x = ["@NordlichtBikes"]\n'

# The Meta exports say no export time: a post's snapshot is its load, and one run loads the
# landed files in path order. The first January export sits in a folder that sorts before
# the re-export's, so the re-export (higher lifetime totals) is the later snapshot.
FB_JAN = "meta/2026-02-01/Jan-01-2026_Jan-31-2026_1203948576102938.csv"
FB_JAN_LATER = "meta/2026-02-20/Jan-01-2026_Jan-31-2026_1587462039485721.csv"

# fixture, landed as, detected format, raw rows (as the per-format tests count them).
FILES = [
    ("x_tweet_activity/tweet_activity_metrics_NordlichtBikes_20260101_20260201_en.csv",
     "x/tweet_activity_metrics_NordlichtBikes_20260101_20260201_en.csv", "x_tweet_activity", 3),
    ("x_analytics_content/account_analytics_content_2026-01-01_2026-01-31.csv",
     "x/account_analytics_content_2026-01-01_2026-01-31.csv", "x_analytics_content", 3),
    ("x_account_overview/account_overview_analytics.csv", "x/account_overview_analytics.csv",
     "x_account_overview", 11),
    ("meta_business_posts/Jan-01-2026_Jan-31-2026_1203948576102938.csv", FB_JAN,
     "meta_business_posts", 2),
    ("meta_business_posts/Jan-01-2026_Jan-31-2026_1448291736450091.csv",
     "meta/2026-02-01/Jan-01-2026_Jan-31-2026_1448291736450091.csv", "meta_business_posts", 2),
    ("meta_business_posts/Jan-01-2026_Jan-31-2026_1587462039485721.csv", FB_JAN_LATER,
     "meta_business_posts", 2),
    ("meta_business_posts/Feb-01-2026_Feb-28-2026_1372715008380738.csv",
     "meta/2026-03-01/Feb-01-2026_Feb-28-2026_1372715008380738.csv", "meta_business_posts", 1),
    ("meta_daily_insights/Follows.csv", "meta/insights/Follows.csv", "meta_daily_insights", 6),
    ("meta_daily_insights/Unfollows.csv", "meta/insights/Unfollows.csv",
     "meta_daily_insights", 2),
    ("meta_daily_insights/Instagram followers.csv", "meta/insights/Instagram followers.csv",
     "meta_daily_insights", 3),
    ("linkedin_page/nordlicht-bikes_content_1768150000000.xls",
     "linkedin/nordlicht-bikes_content_1768150000000.xls", "linkedin_page_content", 3),
    ("linkedin_page/nordlicht-bikes_inhalte_1768400000000.xlsx",
     "linkedin/nordlicht-bikes_inhalte_1768400000000.xlsx", "linkedin_page_content", 2),
    ("linkedin_page/nordlicht-bikes_followers_1768150000000.xlsx",
     "linkedin/nordlicht-bikes_followers_1768150000000.xlsx", "linkedin_page_followers", 7),
    ("linkedin_page/nordlicht-bikes_follower_1768400000000.xls",
     "linkedin/nordlicht-bikes_follower_1768400000000.xls", "linkedin_page_followers", 3),
    # The Total row of Table data is no video: 3 rows.
    ("youtube_studio/Table data.csv", "youtube/Table data.csv", "youtube_studio_table", 3),
    ("youtube_studio/Totals.csv", "youtube/Totals.csv", "youtube_studio_totals", 8),
]  # fmt: skip

# Berlin weeks (CET, UTC+1): a week starts at 23:00 UTC on the Sunday before. The first post
# is LinkedIn's of Mon 5 Jan (00:00 local); the last Facebook's of Tue 3 Feb: 5 weeks, each
# with a row for the 5 platforms with posts and for 'all'. Follower days outside the weeks
# (X on 3-4 Jan, Instagram's total of 4 Jan) make no week of their own.
W0105, W0112, W0119, W0126, W0202 = (
    date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19), date(2026, 1, 26), date(2026, 2, 2)
)  # fmt: skip
WEEKS = [W0105, W0112, W0119, W0126, W0202]
PLATFORMS = ["all", "facebook", "instagram", "linkedin", "x", "youtube"]
NO_POSTS = (0, None, None, None, None)

# Posts by week (UTC times of the fixtures; reactions, comments, shares, clicks, impressions):
# W0105  x   reply 2008932902955524111 Wed 7 Jan 16:05 (2, 1, 0, 0, 55) [tweet activity];
#            event 2009392167121846275 Thu 8 Jan 22:30 = 23:30 local (9, 0, 1, 0, 610)
#            [analytics content: shares = Reposts, comments = Replies].
#        fb  FB1 Tue 6 Jan 08:00 (61, 11, 7, 48, 1850) and FB2 Fri 9 Jan 16:30
#            (15, 3, 2, 4, 950): the re-export's totals, not the first export's
#            (40, 7, 5, 31, 1200) and (9, 2, 1, 0, NULL).
#        ig  IG1 Wed 7 Jan (130, 18, 12, NULL, 2400), IG2 Sat 10 Jan (310, 27, 44, NULL, 5100).
#        li  A1 5 Jan (40, 6, 3, 85, 1200), U2 8 Jan (120, 14, 9, 310, 5400),
#            S3 11 Jan (7, 0, 0, 22, 640) (dates = 00:00 local).
#        yt  Fjord 6 Jan (301, 41, 29, NULL, 40100), Winter 9 Jan (112, 18, 10, NULL, 21100).
# W0112  x   question 2010490827335273537 Sun 11 Jan 23:15Z = Mon 00:15 local
#            (12, 7, 1, 0, 880); promoted 2011340019180085939 Wed 14 Jan (organic + promoted:
#            71, 5, 8, 67, 7310); tip 2011117336135731729 Tue 13 Jan (17, 2, 3, 0, 950).
#        li  A4 13 Jan (33, 5, 2, 41, 900), A5 14 Jan (19, 3, 1, 12, 480).
#        yt  Short 13 Jan (7, 0, 0, NULL, 2200).
# W0119  x   launch 2013026112107574272 Sun 18 Jan 23:10Z = Mon 00:10 local
#            (88, 11, 19, 41, 4120).
# W0126  nothing.
# W0202  fb  FB3 Tue 3 Feb 06:45 (18, 4, 3, 57, 640).
# Every post here reports reactions, comments and shares, so each rate's denominator is the
# week's post count; clicks are unknown on Instagram and YouTube and count 0 in engagement.
# Engagement per post (r + c + s + clicks): reply 3, event 10, FB1 127, FB2 24, IG1 160,
# IG2 381, A1 134, U2 453, S3 29, Fjord 371, Winter 140, question 20, promoted 151, tip 22,
# A4 81, A5 35, Short 7, launch 159, FB3 82.
# (week, platform): posts, conversation_rate, amplification_rate, applause_rate,
#   engagement_rate.
POST_KPIS = {
    # x: comments 1 + 0, shares 0 + 1, reactions 2 + 9 over 2; (3 + 10) / (55 + 610).
    (W0105, "x"): (2, 0.5, 0.5, 5.5, 13 / 665),
    # facebook: comments 11 + 3 = 14, shares 7 + 2 = 9, reactions 61 + 15 = 76 over 2;
    # (127 + 24) / (1850 + 950).
    (W0105, "facebook"): (2, 7.0, 4.5, 38.0, 151 / 2800),
    # instagram: 18 + 27 = 45, 12 + 44 = 56, 130 + 310 = 440 over 2; (160 + 381) / 7500.
    (W0105, "instagram"): (2, 22.5, 28.0, 220.0, 541 / 7500),
    # linkedin: 6 + 14 + 0 = 20, 3 + 9 + 0 = 12, 40 + 120 + 7 = 167 over 3;
    # (134 + 453 + 29) / (1200 + 5400 + 640).
    (W0105, "linkedin"): (3, 20 / 3, 4.0, 167 / 3, 616 / 7240),
    # youtube: 41 + 18 = 59, 29 + 10 = 39, 301 + 112 = 413 over 2;
    # (371 + 140) / (40100 + 21100).
    (W0105, "youtube"): (2, 29.5, 19.5, 206.5, 511 / 61200),
    # all: 2 + 2 + 2 + 3 + 2 = 11 posts; comments 1 + 14 + 45 + 20 + 59 = 139, shares
    # 1 + 9 + 56 + 12 + 39 = 117, reactions 11 + 76 + 440 + 167 + 413 = 1107;
    # engagement (13 + 151 + 541 + 616 + 511) / (665 + 2800 + 7500 + 7240 + 61200)
    # = 1832 / 79405.
    (W0105, "all"): (11, 139 / 11, 117 / 11, 1107 / 11, 1832 / 79405),
    # x: comments 7 + 5 + 2 = 14, shares 1 + 8 + 3 = 12, reactions 12 + 71 + 17 = 100 over 3;
    # (20 + 151 + 22) / (880 + 7310 + 950) = 193 / 9140.
    (W0112, "x"): (3, 14 / 3, 4.0, 100 / 3, 193 / 9140),
    # linkedin: 5 + 3 = 8, 2 + 1 = 3, 33 + 19 = 52 over 2; (81 + 35) / (900 + 480).
    (W0112, "linkedin"): (2, 4.0, 1.5, 26.0, 116 / 1380),
    # youtube: 0, 0, 7 over 1; 7 / 2200.
    (W0112, "youtube"): (1, 0.0, 0.0, 7.0, 7 / 2200),
    # all: 6 posts; comments 14 + 8 + 0 = 22, shares 12 + 3 + 0 = 15, reactions
    # 100 + 52 + 7 = 159; (193 + 116 + 7) / (9140 + 1380 + 2200) = 316 / 12720.
    (W0112, "all"): (6, 22 / 6, 2.5, 26.5, 316 / 12720),
    # x and all: the launch alone; (88 + 11 + 19 + 41) / 4120.
    (W0119, "x"): (1, 11.0, 19.0, 88.0, 159 / 4120),
    (W0119, "all"): (1, 11.0, 19.0, 88.0, 159 / 4120),
    # facebook and all: FB3 alone; (18 + 4 + 3 + 57) / 640.
    (W0202, "facebook"): (1, 4.0, 3.0, 18.0, 82 / 640),
    (W0202, "all"): (1, 4.0, 3.0, 18.0, 82 / 640),
}

# followers_daily by platform (one account each: x 'nordlichtbikes', the others ''):
# x          net (new follows - unfollows) 5-11 Jan: 1, -1, 6, 0, 3, 2, -1 = 10; 12-13 Jan:
#            1 + 4 = 5; no totals.
# facebook   net 5 Jan 4, 6 Jan 11 - 2 = 9, 7 Jan 6, (8 Jan missing), 9 Jan 3 - 1 = 2,
#            10 Jan 0, 11 Jan 5: 26 in W0105; nothing later; no totals.
# instagram  totals 4 Jan 1200, 7 Jan 1210, 11 Jan 1226: followers_end 1226 from W0105 on;
#            delta W0105 1226 - 1200 (last total before the week) = 26, later weeks
#            1226 - 1226 = 0.
# linkedin   new followers 5-11 Jan 4 + 2 + 5 + 11 + 5 + 1 + 0 = 28; 12-14 Jan 3 + 4 + 1 = 8.
# youtube    net subscribers 5-11 Jan 3 + 9 - 1 + 2 + 4 + 0 - 2 = 15; 12 Jan 5.
# A platform without totals has followers_end NULL; without a figure in a week, delta NULL.
# (week, platform): followers_end, follower_delta.
FOLLOWER_KPIS = {
    (W0105, "x"): (None, 10),
    (W0105, "facebook"): (None, 26),
    (W0105, "instagram"): (1226, 26),
    (W0105, "linkedin"): (None, 28),
    (W0105, "youtube"): (None, 15),
    # all: the only total, 1226; delta 10 + 26 + 26 + 28 + 15 = 105.
    (W0105, "all"): (1226, 105),
    (W0112, "x"): (None, 5),
    (W0112, "instagram"): (1226, 0),
    (W0112, "linkedin"): (None, 8),
    (W0112, "youtube"): (None, 5),
    # all: 5 + 0 + 8 + 5 = 18 (Facebook has no figure this week).
    (W0112, "all"): (1226, 18),
    **{(week, platform): (1226, 0) for week in (W0119, W0126, W0202)
       for platform in ("instagram", "all")},
}  # fmt: skip

EXPECTED_KPIS = {
    (week, platform): POST_KPIS.get((week, platform), NO_POSTS)
    + FOLLOWER_KPIS.get((week, platform), (None, None))
    for week in WEEKS
    for platform in PLATFORMS
}

KPI_QUERY = """
    SELECT week_start, platform, posts, conversation_rate, amplification_rate, applause_rate,
           engagement_rate, followers_end, follower_delta
    FROM analytics.kpi_weekly ORDER BY week_start, platform
"""

PAGE = "104000000000001"

# This module's workspace of the shared run (tests/end_to_end_workspaces.py).
WORKSPACE = (CONFIG, {landed: FIXTURES / fixture for fixture, landed, _, _ in FILES})


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_post_and_follower_exports_of_five_platforms_publish_exact_kpis(end_to_end_workspaces):
    home = end_to_end_workspaces.published("posts")

    # 1. Every file loaded under its own format with its exact row count (16 files, 60 rows).
    assert query(
        home.published,
        "SELECT file_name, format, status, rows FROM analytics.load_log ORDER BY file_name",
    ) == sorted((landed, fmt, "loaded", rows) for _, landed, fmt, rows in FILES)

    # 2. The post and follower columns of the weekly table, every week x platform.
    published = {(row[0], row[1]): tuple(row[2:]) for row in query(home.published, KPI_QUERY)}
    assert len(published) == len(WEEKS) * len(PLATFORMS)
    assert published == EXPECTED_KPIS

    # 3. Posts: the Facebook January posts carry the re-export's totals (FB2's Views, blank
    # in the first export, now 950); the others as their only export reports them.
    rows = query(
        home.published,
        """SELECT platform, post_id, published_at, reactions, comments, shares, clicks,
                  impressions, source_file
           FROM analytics.posts WHERE list_contains(?, post_id)
           ORDER BY platform, published_at""",
        [
            [
                f"{PAGE}_200000000000011",
                f"{PAGE}_200000000000012",
                "18000000000000022",
                "urn:li:activity:7415000000000000004",
                "2010490827335273537",
                "2013026112107574272",
                "-Fj0rd2Pol4",
            ]
        ],
    )
    assert rows == [
        ("facebook", f"{PAGE}_200000000000011", utc(2026, 1, 6, 8, 0),
         61, 11, 7, 48, 1850, FB_JAN_LATER),
        ("facebook", f"{PAGE}_200000000000012", utc(2026, 1, 9, 16, 30),
         15, 3, 2, 4, 950, FB_JAN_LATER),
        ("instagram", "18000000000000022", utc(2026, 1, 10, 10, 30),
         310, 27, 44, None, 5100, "meta/2026-02-01/Jan-01-2026_Jan-31-2026_1448291736450091.csv"),
        # 13 Jan 00:00 in Berlin.
        ("linkedin", "urn:li:activity:7415000000000000004", utc(2026, 1, 12, 23, 0),
         33, 5, 2, 41, 900, "linkedin/nordlicht-bikes_inhalte_1768400000000.xlsx"),
        ("x", "2010490827335273537", utc(2026, 1, 11, 23, 15),
         12, 7, 1, 0, 880, "x/tweet_activity_metrics_NordlichtBikes_20260101_20260201_en.csv"),
        # Reposts (19) are shares, not Shares (5); replies 11, url clicks 41.
        ("x", "2013026112107574272", utc(2026, 1, 18, 23, 10),
         88, 11, 19, 41, 4120, "x/account_analytics_content_2026-01-01_2026-01-31.csv"),
        # 6 Jan 00:00 in Berlin; likes, comments added, shares, impressions (not views).
        ("youtube", "-Fj0rd2Pol4", utc(2026, 1, 5, 23, 0),
         301, 41, 29, None, 40100, "youtube/Table data.csv"),
    ]  # fmt: skip
    # One row per post: 6 tweets, 3 Facebook posts (two exported twice), 2 Instagram media,
    # 5 LinkedIn posts, 3 videos.
    assert query(
        home.published,
        "SELECT platform, count(*) FROM analytics.posts GROUP BY platform ORDER BY platform",
    ) == [("facebook", 3), ("instagram", 2), ("linkedin", 5), ("x", 6), ("youtube", 3)]
