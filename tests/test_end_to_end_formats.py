"""The real `learnloop` DAG on seven dialogue formats landed together; exact dialogue KPIs.

One run of the real CLI over Instagram Graph API media/comments, X API v2 tweets, Mastodon
statuses, Facebook Graph page posts (with their companion files of the per-format tests),
a Facebook "Download your information" message thread, an X archive `direct-messages.js`
and a LinkedIn `messages.csv`, under ONE learnloop.toml that names the brand on every
platform. The expected numbers are worked by hand from the fixtures and from the
interactions and conversations the per-format tests (tests/test_format_*.py) assert.

The run is shared: these files and this learnloop.toml are the workspace `formats` of one
home whose other workspaces are the other one-run end-to-end modules'
(tests/end_to_end_workspaces.py). A workspace is a home of its own, so the warehouse
read here holds exactly these files, as a run of a home of their own published it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import FIXTURE_CONFIG, FIXTURES, query

pytestmark = pytest.mark.slow

# Each format module's brand entries, combined (FIXTURE_CONFIG ends in its [brand] section,
# which names the YouTube channel; no YouTube file is landed). No two entries collide:
# - instagram: instagram_api's handle; meta_dyi_messages' display name (only its Instagram
#   thread needs it, not landed here; it matches no Instagram API username).
# - facebook: meta_dyi_messages' display name; facebook_graph needs none (the page id in the
#   post ids marks the page), and the page's comments are authored "Nordlicht Bikes" anyway.
# - x: x_api's handle (its tweets carry brand id 1500000000000000001) AND x_archive_dms' id
#   1580000000000000001 (the archive carries ids only). Neither matches a community account.
# - mastodon, linkedin: as in their modules.
CONFIG = FIXTURE_CONFIG + (
    'instagram = ["@Nordlicht.Bikes", "nordlicht bikes"]\n'
    'facebook = ["Nordlicht Bikes"]\n'
    'x = ["@nordlichtbikes", "1580000000000000001"]\n'
    'mastodon = ["Nordlicht@velo.social"]\n'
    'linkedin = ["svea-lindqvist-nordlicht"]\n'
)

# fixture, landed as, detected format, raw rows (as the per-format tests count them).
FILES = [
    ("instagram_api/ig_media_2026-01.json", "instagram/ig_media_2026-01.json",
     "instagram_api", 5),
    ("instagram_api/ig_media_pages.json", "instagram/ig_media_pages.json", "instagram_api", 5),
    ("instagram_api/ig_comments_17900000000000002.json",
     "instagram/ig_comments_17900000000000002.json", "instagram_api", 3),
    ("x_api/search_recent_nordlicht.json", "x/search_recent_nordlicht.json", "x_api", 7),
    ("x_api/conversation_1878000000000000200.jsonl", "x/conversation_1878000000000000200.jsonl",
     "x_api", 3),
    ("x_archive_dms/direct-messages.js", "twitter-archive/data/direct-messages.js",
     "x_archive_dms", 4),
    ("mastodon_api/statuses_nordlicht_mentions.json",
     "mastodon/statuses_nordlicht_mentions.json", "mastodon_api", 6),
    ("mastodon_api/context_113810000000000011.json", "mastodon/context_113810000000000011.json",
     "mastodon_api", 3),
    ("facebook_graph/fb_page_posts_2026-01.json", "facebook/fb_page_posts_2026-01.json",
     "facebook_graph", 6),
    ("facebook_graph/fb_comment_replies_page2.json", "facebook/fb_comment_replies_page2.json",
     "facebook_graph", 1),
    # A loose DYI file whose path names no Instagram: a Facebook thread.
    ("meta_dyi_messages/facebook_message_1.json", "meta-dyi/facebook/message_1.json",
     "meta_dyi_messages", 4),
    # The draft in line 1 is not a message: 6 rows.
    ("linkedin_messages/messages.csv", "linkedin/messages.csv", "linkedin_messages", 6),
]  # fmt: skip

# Week boundaries: Europe/Berlin is UTC+1 in January and UTC+2 (CEST) in July/August.
# The first data of all is Mon 2026-01-05 (the X and Mastodon posts at 09:00Z, nothing
# earlier); the last is LinkedIn's Mon 2026-08-03 09:15:42Z. 2026-01-05 + 30 weeks =
# 2026-08-03: 31 weeks, each with a row for the 5 platforms in the data and for 'all'.
W0105, W0112, W0119 = date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)
W0727, W0803 = date(2026, 7, 27), date(2026, 8, 3)
WEEKS = [W0105 + timedelta(weeks=n) for n in range(31)]
PLATFORMS = ["all", "facebook", "instagram", "linkedin", "mastodon", "x"]
ZERO = (0, 0, 0, 0, None, None, None, None, None)

# (week_start, platform): inbound, outbound, conversations, answered, response_rate,
#   median_first_response_minutes, p90_first_response_minutes, two_way_rate, avg_turns.
# quantile_cont(q) over n sorted values: v[floor(h)] + (h - floor(h)) * (v[ceil(h)] -
# v[floor(h)]) with h = q * (n - 1). All UTC times below are the fixtures'.
ACTIVE = {
    # instagram, week 01-05. Inbound: C11 (Mon 10:20), C13 (12:00), C31 (Fri 08:00), C33
    # (Fri 21:15Z = 22:15 local) = 4; outbound: C12 (11:05), C32 (08:30) = 2.
    # Conversations: C11 answered 10:20 -> 11:05 = 45 min (2 turns), C13 unanswered (1),
    # C31 08:00 -> 08:30 = 30 min (2), C33 unanswered (1); nobody came back: two-way 0/4.
    # Minutes [30, 45]: median 37.5, p90 30 + 0.9 * 15 = 43.5; turns 6 / 4 = 1.5.
    (W0105, "instagram"): (4, 2, 4, 2, 0.5, 37.5, 43.5, 0.0, 1.5),
    # instagram, week 01-12: the brand's own top-level comment C41 (Mon 09:01) is outbound
    # but brand-only (no conversation); C51 at Sun 18 Jan 19:00Z (20:00 local) is inbound and
    # starts a conversation answered Mon 19 Jan 08:00Z: 13 h = 780 min, 2 turns.
    (W0112, "instagram"): (1, 1, 1, 1, 1.0, 780.0, 780.0, 0.0, 2.0),
    # instagram, week 01-19: only the answer C52 (Mon 08:00Z = 09:00 local).
    (W0119, "instagram"): (0, 1, 0, 0, None, None, None, None, None),
    # x, week 01-05. x_api inbound 101, 104, 105, 106 (Mon), 210, 202 (Wed) and the DM
    # 1745…002 (Mon 10:00) = 7; outbound 103, 201 and the DMs 1745…003 (Mon 10:20) and
    # 1746…005 (Sun 11 Jan 22:30Z = 23:30 local, still week 01-05) = 4. The post 100 and the
    # retweet 107 are no interactions.
    # Conversations started: 101 (25 min, 3 turns, bergfee back at 11:00: two-way), 105 and
    # 106 (unanswered, 1 turn each), 210 (30 min, 3 turns, Mia back: two-way), DM thread
    # ASKED (10:00 -> 10:20 = 20 min, 2 turns). 3 of 5 answered; minutes [20, 25, 30]:
    # median 25, p90 h = 1.8: 25 + 0.8 * 5 = 29; two-way 2/5; turns (3+1+1+3+2) / 5 = 2.
    (W0105, "x"): (7, 4, 5, 3, 0.6, 25.0, 29.0, 0.4, 2.0),
    # x, week 01-12: the winner's DM (Mon 12 Jan 07:05Z) starts the WON thread; the brand's
    # message came before it, so unanswered; 2 turns.
    (W0112, "x"): (1, 0, 1, 0, 0.0, None, None, 0.0, 2.0),
    # mastodon, week 01-05 (all on Mon 5 / Wed 7 Jan). Inbound …002, the DM …004, …005, …012
    # = 4; outbound …003, …013 = 2 (the posts …001, …010 and the boost …006 are none).
    # Conversations: …002 25 min (2 turns), …004 and …005 unanswered (1 each), …012 35 min
    # (2); no one came back. Minutes [25, 35]: median 30, p90 25 + 0.9 * 10 = 34;
    # turns 6 / 4 = 1.5.
    (W0105, "mastodon"): (4, 2, 4, 2, 0.5, 30.0, 34.0, 0.0, 1.5),
    # facebook, week 01-05 (Tue 6 / Fri 9 Jan). Graph: inbound C1, C3, C4 (the reply of the
    # second file, joining C1's thread); outbound the page's C2 and its own comment C5 (brand
    # only). DYI thread: the brand at 08:00 and 09:00 out, Jörg's photo and text at 08:45 in.
    # Inbound 3 + 2 = 5, outbound 2 + 2 = 4.
    # Conversations: C1 45 min, 3 turns, Lena back at 12:10: two-way; C3 unanswered (1);
    # the DYI thread starts 08:45, answered 09:00 = 15 min, 4 turns, not two-way.
    # Minutes [15, 45]: median 30, p90 15 + 0.9 * 30 = 42; two-way 1/3; turns 8 / 3.
    (W0105, "facebook"): (5, 4, 3, 2, 2 / 3, 30.0, 42.0, 1 / 3, 8 / 3),
    # linkedin, week 07-27 (CEST): Marie Thu 30 Jul 14:50Z and 16:20Z in, Svea 15:05Z (SENT)
    # out, Svea Sat 1 Aug 02:00Z (04:00 local) out. SIZES: 15 min, 3 turns, two-way; OFFER
    # starts only with Tobias's messages, next week.
    (W0727, "linkedin"): (2, 2, 1, 1, 1.0, 15.0, 15.0, 1.0, 3.0),
    # linkedin, week 08-03: Tobias's two messages Mon 3 Aug 09:15:42Z; OFFER (3 turns incl.
    # Svea's opener) is unanswered (the draft of line 1 is no message).
    (W0803, "linkedin"): (2, 0, 1, 0, 0.0, None, None, 0.0, 3.0),
    # all, week 01-05: inbound 4 + 7 + 4 + 5 = 20, outbound 2 + 4 + 2 + 4 = 12;
    # conversations 4 + 5 + 4 + 3 = 16, answered 2 + 3 + 2 + 2 = 9: 9/16 = 0.5625.
    # The union of the minutes, sorted: [15, 20, 25, 25, 30, 30, 35, 45, 45] (n = 9):
    # median v[4] = 30; p90 h = 7.2: v[7] + 0.2 * (v[8] - v[7]) = 45 + 0 = 45.
    # two-way 0 + 2 + 0 + 1 = 3 of 16 = 0.1875; turns 6 + 10 + 6 + 8 = 30 / 16 = 1.875.
    (W0105, "all"): (20, 12, 16, 9, 0.5625, 30.0, 45.0, 0.1875, 1.875),
    # all, week 01-12: instagram C51 (780 min) and the X DM thread WON (unanswered).
    (W0112, "all"): (2, 1, 2, 1, 0.5, 780.0, 780.0, 0.0, 2.0),
    (W0119, "all"): (0, 1, 0, 0, None, None, None, None, None),
    (W0727, "all"): (2, 2, 1, 1, 1.0, 15.0, 15.0, 1.0, 3.0),
    (W0803, "all"): (2, 0, 1, 0, 0.0, None, None, 0.0, 3.0),
}
# Every other week x platform (the 25 weeks from 01-26 to 07-20 included) has a zero row.
EXPECTED_KPIS = {(week, platform): ZERO for week in WEEKS for platform in PLATFORMS} | ACTIVE

KPI_QUERY = """
    SELECT week_start, platform, inbound_messages, outbound_messages, conversations,
           answered_conversations, response_rate, median_first_response_minutes,
           p90_first_response_minutes, two_way_rate, avg_turns
    FROM analytics.kpi_weekly ORDER BY week_start, platform
"""

# This module's workspace of the shared run (tests/end_to_end_workspaces.py).
WORKSPACE = (CONFIG, {landed: FIXTURES / fixture for fixture, landed, _, _ in FILES})


def _shown(landed: str, fmt: str) -> str:
    """load_log shows only the bare file name for direct-message archives (their paths can
    name people); other files keep their path under landing/."""
    private = {"meta_dyi_messages", "x_archive_dms", "linkedin_messages"}
    return landed.rsplit("/", 1)[-1] if fmt in private else landed


def test_seven_dialogue_formats_in_one_run_publish_exact_kpis(end_to_end_workspaces):
    home = end_to_end_workspaces.published("formats")

    # 1. Every file loaded under its own format with its exact row count (12 files, 53 rows).
    assert query(
        home.published,
        "SELECT file_name, format, status, rows FROM analytics.load_log ORDER BY file_name",
    ) == sorted((_shown(landed, fmt), fmt, "loaded", rows) for _, landed, fmt, rows in FILES)

    # 2. The weekly dialogue KPIs, every week x platform from the first to the last week.
    published = {(row[0], row[1]): tuple(row[2:]) for row in query(home.published, KPI_QUERY)}
    assert len(published) == 31 * 6
    assert published == EXPECTED_KPIS

    # 3. Brand posts per platform: Instagram media M1-M4; Facebook page posts P1, P2; the
    # brand's own non-reply tweet 100 (its replies 103 and 201 are interactions, post 200 is
    # not in the data, 107 is someone's retweet); Mastodon statuses …001 and …010. DMs and
    # LinkedIn messages are no posts.
    assert query(
        home.published,
        "SELECT platform, count(*) FROM analytics.posts GROUP BY platform ORDER BY platform",
    ) == [("facebook", 2), ("instagram", 4), ("mastodon", 2), ("x", 1)]
