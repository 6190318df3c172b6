"""The export formats LearnLoop reads, registered in one place.

Adding a format means one reader module here, one staging model and one fixture folder.
"""

from __future__ import annotations

from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.formats.inbox_csv import InboxCsv
from learnloop.ingest.formats.linkedin_messages import LinkedinMessages
from learnloop.ingest.formats.meta_dyi_messages import MetaDyiMessages
from learnloop.ingest.formats.x_archive_dms import XArchiveDms
from learnloop.ingest.formats.youtube_api import YoutubeApiJson

# Order matters only where two detectors could both match: the more specific comes first.
# LinkedIn's messages.csv names enough inbox synonyms (FROM, DATE, CONTENT) for InboxCsv.
FORMATS: tuple[ExportFormat, ...] = (
    YoutubeApiJson(),
    MetaDyiMessages(),
    XArchiveDms(),
    LinkedinMessages(),
    InboxCsv(),
)

__all__ = ["FORMATS", "ExportFormat", "FileSample"]
