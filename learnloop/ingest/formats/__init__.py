"""The export formats LearnLoop reads, registered in one place.

Adding a format means one reader module here, one staging folder and one fixture folder.
"""

from __future__ import annotations

from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.formats.curated_labels import CuratedLabels
from learnloop.ingest.formats.facebook_graph import FacebookGraphJson
from learnloop.ingest.formats.inbox_csv import InboxCsv
from learnloop.ingest.formats.instagram_api import InstagramApiJson
from learnloop.ingest.formats.linkedin_messages import LinkedinMessages
from learnloop.ingest.formats.linkedin_page import LinkedinPageContent, LinkedinPageFollowers
from learnloop.ingest.formats.mastodon_api import MastodonApiJson
from learnloop.ingest.formats.mastodon_outbox import MastodonOutbox
from learnloop.ingest.formats.meta_business_posts import MetaBusinessPosts
from learnloop.ingest.formats.meta_daily_insights import MetaDailyInsights
from learnloop.ingest.formats.meta_dyi_messages import MetaDyiMessages
from learnloop.ingest.formats.meta_dyi_posts import MetaDyiPosts
from learnloop.ingest.formats.x_account_overview import XAccountOverview
from learnloop.ingest.formats.x_analytics_content import XAnalyticsContent
from learnloop.ingest.formats.x_api import XApiJson
from learnloop.ingest.formats.x_archive_dms import XArchiveDms
from learnloop.ingest.formats.x_archive_tweets import XArchiveTweets
from learnloop.ingest.formats.x_tweet_activity import XTweetActivity
from learnloop.ingest.formats.youtube_api import YoutubeApiJson
from learnloop.ingest.formats.youtube_studio import (
    YoutubeStudioChart,
    YoutubeStudioTable,
    YoutubeStudioTotals,
)

# Order matters only where two detectors could both match: the more specific comes first.
# The JSON detectors exclude each other by their keys. LinkedIn's messages.csv names enough
# inbox synonyms (FROM, DATE, CONTENT) for InboxCsv, the most general, which comes last;
# Meta's post export names `Date` and `Description`, so it comes before InboxCsv too. Meta's
# DYI posts are an array with numeric `timestamp`s, which no other JSON detector takes.
# The X analytics CSVs are recognised by their metric headers; the account overview also
# excludes a `Post id` header, so it never takes the content export.
FORMATS: tuple[ExportFormat, ...] = (
    YoutubeApiJson(),
    MetaDyiMessages(),
    MetaDyiPosts(),
    XArchiveDms(),
    XArchiveTweets(),
    InstagramApiJson(),
    FacebookGraphJson(),
    XApiJson(),
    MastodonApiJson(),
    MastodonOutbox(),
    LinkedinMessages(),
    MetaBusinessPosts(),
    MetaDailyInsights(),
    LinkedinPageContent(),
    LinkedinPageFollowers(),
    YoutubeStudioTable(),
    YoutubeStudioChart(),
    YoutubeStudioTotals(),
    XTweetActivity(),
    XAnalyticsContent(),
    XAccountOverview(),
    CuratedLabels(),
    InboxCsv(),
)

__all__ = ["FORMATS", "ExportFormat", "FileSample"]
