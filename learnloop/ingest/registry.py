"""Recognise a file's format by its content."""

from __future__ import annotations

from learnloop.config import Config
from learnloop.ingest.excel import ZIP_MAGIC, describe_workbook, looks_like_workbook
from learnloop.ingest.formats import FORMATS, ExportFormat, FileSample


def claiming_formats(sample: FileSample, config: Config) -> list[ExportFormat]:
    """Every format whose detector claims the file: one for every file of a known format
    (detectors exclude each other, tests/test_format_detection.py), none for others."""
    return [export_format for export_format in FORMATS if export_format.detect(sample, config)]


def detect_format(sample: FileSample, config: Config) -> ExportFormat | None:
    """The file's format; None when no detector, or more than one, claims it."""
    claims = claiming_formats(sample, config)
    return claims[0] if len(claims) == 1 else None


def format_by_name(name: str) -> ExportFormat:
    for export_format in FORMATS:
        if export_format.name == name:
            return export_format
    raise KeyError(name)


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# How much of a leading line a reason may quote: enough to recognise a file, too little to
# carry a secret of any length.
QUOTED_CHARS = 40


def recognise(
    sample: FileSample, config: Config, first_nul: int | None, *, member: bool
) -> tuple[ExportFormat | None, str | None]:
    """The file's format (None: unknown) and what is wrong with it before a reader runs, as
    the end of its one-line reason (None: nothing yet)."""
    claims = claiming_formats(sample, config)
    export_format = claims[0] if len(claims) == 1 else None
    binary = binary_problem(sample, first_nul)
    if binary and export_format is not None and export_format.reads_utf16:
        binary = None if sample.head.startswith(UTF16_BOMS) else binary
    if binary:
        return (
            export_format,
            binary if export_format else f"matches no known export format: {binary}",
        )
    if len(claims) > 1:
        # Never seen in a real export; quarantined rather than read by whichever came first.
        names = " and ".join(claim.name for claim in claims)
        return None, f"matches more than one export format ({names}), so none reads it"
    if export_format is None:
        return None, describe_unknown(sample, member=member)
    return export_format, None


def _utf16_order(head: bytes) -> str | None:
    """'little-endian' or 'big-endian' when the bytes look like UTF-16 text, else None."""
    if head.startswith(b"\xff\xfe"):
        return "little-endian"
    if head.startswith(b"\xfe\xff"):
        return "big-endian"
    sample = head[: min(len(head), 512) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd >= 0.9 and zeros_even <= 0.1:
        return "little-endian"
    if zeros_even >= 0.9 and zeros_odd <= 0.1:
        return "big-endian"
    return None


def binary_problem(sample: FileSample, first_nul: int | None) -> str | None:
    """Why a file with NUL bytes (anywhere: `first_nul` comes from a scan of the whole file)
    is not text a reader may load. Workbooks and zips hold NUL bytes by nature."""
    head = sample.head
    if first_nul is None or looks_like_workbook(head):
        return None
    if _utf16_order(head):
        return "the file is UTF-16 text; save it as UTF-8"
    if not head.strip(b"\0"):
        return "the file holds only NUL bytes (zeros), no text"
    return f"the file holds NUL bytes (binary, not text), the first at byte {first_nul}"


def describe_unknown(sample: FileSample, *, member: bool) -> str:
    """A one-line hint about what an unrecognised file is or starts with."""
    head = sample.head
    if not head:
        return "the file is empty"
    if not head.strip():
        return "the file holds only blank lines"
    if looks_like_workbook(head):
        if member and head.startswith(ZIP_MAGIC):
            # Landed zips are unpacked; one inside them is not (its size was never bounded).
            return (
                "matches no known export format: a zip archive inside a zip archive is not "
                "unpacked; land the inner archive itself"
            )
        return f"matches no known export format: {describe_workbook(sample.path)}"
    if _utf16_order(head):
        return "matches no known export format: the file is UTF-16 text; save it as UTF-8"
    first_line = sample.text.splitlines()[0] if sample.text.strip() else ""
    shown = "".join(c for c in first_line if c.isprintable())[:QUOTED_CHARS]
    return f"matches no known export format (it starts with {shown!r})"
