"""Recognise a file's format by its content."""

from __future__ import annotations

from learnloop.config import Config
from learnloop.ingest.formats import FORMATS, ExportFormat, FileSample


def detect_format(sample: FileSample, config: Config) -> ExportFormat | None:
    for export_format in FORMATS:
        if export_format.detect(sample, config):
            return export_format
    return None


def format_by_name(name: str) -> ExportFormat:
    for export_format in FORMATS:
        if export_format.name == name:
            return export_format
    raise KeyError(name)


def describe_unknown(sample: FileSample) -> str:
    """A one-line hint about what an unrecognised file starts with."""
    if not sample.head:
        return "the file is empty"
    first_line = sample.text.splitlines()[0] if sample.text.strip() else ""
    shown = first_line[:80].encode("ascii", "backslashreplace").decode()
    return f"matches no known export format (it starts with {shown!r})"
