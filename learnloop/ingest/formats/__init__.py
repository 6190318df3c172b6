"""The export formats LearnLoop reads, registered in one place.

Adding a format means one reader module here, one staging model and one fixture folder.
"""

from __future__ import annotations

from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.formats.facebook_graph import FacebookGraphJson
from learnloop.ingest.formats.inbox_csv import InboxCsv
from learnloop.ingest.formats.instagram_api import InstagramApiJson
from learnloop.ingest.formats.youtube_api import YoutubeApiJson

# Order matters only where two detectors could both match: the more specific comes first.
# The JSON detectors exclude each other by their keys; inbox_csv is the most general.
FORMATS: tuple[ExportFormat, ...] = (
    YoutubeApiJson(),
    InstagramApiJson(),
    FacebookGraphJson(),
    InboxCsv(),
)

__all__ = ["FORMATS", "ExportFormat", "FileSample"]
