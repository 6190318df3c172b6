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


ZIP_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def describe_unknown(sample: FileSample) -> str:
    """A one-line hint about what an unrecognised file is or starts with."""
    head = sample.head
    if not head:
        return "the file is empty"
    if not head.strip():
        return "the file holds only blank lines"
    if head.startswith(ZIP_MAGIC):
        # Landed zips are unpacked; one inside them is not (its size was never bounded).
        return (
            "matches no known export format: a zip archive inside a zip archive is not "
            "unpacked; land the inner archive itself"
        )
    if head.startswith(UTF16_BOMS) or head[1:200:2].count(0) > 50:
        return "matches no known export format: the file is UTF-16 text; save it as UTF-8"
    if b"\x00" in head:
        return "matches no known export format: the file holds NUL bytes (binary, not text)"
    first_line = sample.text.splitlines()[0] if sample.text.strip() else ""
    shown = first_line[:80].encode("ascii", "backslashreplace").decode()
    return f"matches no known export format (it starts with {shown!r})"
