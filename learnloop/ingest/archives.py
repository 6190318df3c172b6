"""Zip archives in landing/: checked as a whole before anything is unpacked, then unpacked
member by member into files the run names itself.

A member's name is data: it becomes the member's lineage name (`archive.zip!member`) and,
escaped, the name of its quarantined copy, never the path it is unpacked to. Members are
unpacked to numbered files in the run folder, so `..`, `/abs`, `!`, glob characters and
overlong names cannot reach anything.

The whole archive is refused (and kept in quarantine as it arrived, never its expansion)
when it cannot be unpacked safely: unreadable, encrypted, a member that climbs out of the
archive (`..`, an absolute path), two members with the same name (which one is the export?),
or more bytes unpacked than MAX_UNPACKED_BYTES or a member that expands more than
MAX_EXPANSION times (a zip bomb). A single member is refused by name, with its siblings
loading, when it is a link, a device or pipe, or has no name at all.
"""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from learnloop.ingest.landing import DISK_FULL, copy_hashed
from learnloop.ingest.names import copy_suffix, member_parts, shortened

ZIP_MAGIC = b"PK\x03\x04"
_DRIVE = re.compile(r"^[A-Za-z]:")
# Unpacked size above which an archive is refused (a zip bomb would fill the disk).
MAX_UNPACKED_BYTES = 4 * 1024**3
# Real exports deflate 3 to 10 times (CSV, JSON); zeros deflate about 1000 times. Members
# below MIN_BOMB_BYTES may expand more: they cannot fill a disk.
MAX_EXPANSION = 100
MIN_BOMB_BYTES = 1024 * 1024
# Files per archive: a download-your-information archive holds thousands (with its photos);
# a million empty members would fill the run folder and quarantine with inodes.
MAX_MEMBERS = 50_000
# Finder's "Compress" adds AppleDouble resource forks (`__MACOSX/…/._name`): not exports.
IGNORED_FOLDERS = {"__MACOSX"}
IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
# A member's shown name (its lineage name after `archive.zip!`) is cut beyond this.
MAX_LABEL_CHARS = 255
# What zipfile raises on archives it cannot read: corrupt, truncated, a method it lacks
# (NotImplementedError, e.g. Deflate64), a bad deflate stream (zlib.error).
ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, zlib.error)


@dataclass(frozen=True)
class Member:
    """One member of a landed archive: unpacked into `path`, or refused with `error`."""

    name: str  # as the archive writes it
    parts: list[str]  # its components, for the name of a quarantined copy
    path: Path | None = None
    checksum: str = ""
    first_nul: int | None = None
    error: str | None = None

    @property
    def label(self) -> str:
        return shortened(self.name, MAX_LABEL_CHARS) if self.parts else "(a member without a name)"


def looks_like_zip(head: bytes, path: Path) -> bool:
    """By the leading bytes too: a truncated download has no central directory, yet it is a
    zip and should be reported as a broken one rather than as an unknown format."""
    return head.startswith(ZIP_MAGIC) or zipfile.is_zipfile(path)


def is_workbook(path: Path) -> bool:
    """An Office Open XML workbook (.xlsx, .xlsm) is a zip too, but one file to a reader: its
    members are the workbook's XML parts. Recognised by that layout, not by the file name."""
    try:
        with zipfile.ZipFile(path) as bundle:
            names = set(bundle.namelist())
    except Exception:  # anything zipfile can raise on a hostile archive: not a workbook
        return False
    return "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names)


def _quoted(name: str) -> str:
    return f"'{shortened(name, 80)}'"


def _ignored(parts: list[str]) -> bool:
    return bool(parts) and (parts[0] in IGNORED_FOLDERS or parts[-1] in IGNORED_NAMES)


def _climbs_out(name: str) -> bool:
    """`..`, `/abs`, `\\abs` or `C:`: the member would land outside any folder unpacked
    by its name (LearnLoop never does, but an archive that tries is hostile)."""
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name)) or ".." in member_parts(name)


def _file_type(member: zipfile.ZipInfo) -> int:
    """The Unix file type a member was stored with (0 when the archive does not say)."""
    return stat.S_IFMT(member.external_attr >> 16)


def _archive_problem(members: list[zipfile.ZipInfo]) -> str | None:
    """Why the archive must not be unpacked at all, or None when it may be."""
    if len(members) > MAX_MEMBERS:
        return f"the zip archive holds {len(members)} files, more than the limit {MAX_MEMBERS}"
    for member in members:
        shown = _quoted(member.filename)
        if _climbs_out(member.filename):
            return f"zip member {shown} would be written outside the extraction folder"
        if member.flag_bits & 0x1:  # zipfile would stop at it with a RuntimeError
            return (
                f"zip member {shown} is password-protected; "
                "export the archive again without a password"
            )
    named = Counter("/".join(member_parts(m.filename)) for m in members if member_parts(m.filename))
    twice = sorted(name for name, count in named.items() if count > 1)
    if twice:
        return (
            f"zip member {_quoted(twice[0])} is in the archive more than once; which copy "
            "is the export cannot be told, so nothing is unpacked"
        )
    return expansion_problem(members)


def expansion_problem(members: list[zipfile.ZipInfo]) -> str | None:
    """Why unpacking the members would fill the disk (a zip bomb), or None."""
    for member in members:
        if member.file_size >= MIN_BOMB_BYTES and member.file_size > MAX_EXPANSION * max(
            member.compress_size, 1
        ):
            return (
                f"zip member {_quoted(member.filename)} would expand from "
                f"{member.compress_size} to {member.file_size} bytes, more than "
                f"{MAX_EXPANSION} times: a zip bomb, not unpacked"
            )
    # zipfile never yields more than a member's declared size, so this sum bounds the disk use.
    total = sum(member.file_size for member in members)
    if total > MAX_UNPACKED_BYTES:
        return (
            f"zip archive would unpack to {total} bytes, more than the limit {MAX_UNPACKED_BYTES}"
        )
    return None


def _member_problem(member: zipfile.ZipInfo, parts: list[str]) -> str | None:
    """Why this one member is not unpacked (its siblings are), or None."""
    if not parts:
        return "the member has no name; it is skipped and stays in the archive"
    kind = _file_type(member)
    if kind == stat.S_IFLNK:
        return "is a symbolic link inside the archive; links are never followed"
    if kind not in (0, stat.S_IFREG):
        return "is not a regular file inside the archive (a device, pipe or socket)"
    return None


def unpack(archive: Path, target_dir: Path, prefix: str) -> tuple[list[Member], str | None]:
    """The archive's members, unpacked into `target_dir` as `<prefix>-<n>`, or no members and
    why the archive as a whole cannot be unpacked."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            # Not ZipInfo.is_dir(): it fails with IndexError on a member without a name.
            infos = [m for m in bundle.infolist() if not m.filename.endswith(("/", "\\"))]
            infos = [m for m in infos if not _ignored(member_parts(m.filename))]
            problem = _archive_problem(infos) or ("" if infos else "the zip archive is empty")
            if problem:
                return [], problem
            return [
                _unpack_one(bundle, m, target_dir, f"{prefix}-{n}") for n, m in enumerate(infos, 1)
            ], None
    except Exception as exc:  # zipfile raises many kinds on hostile archives
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            raise  # the machine's problem, not the archive's
        detail = " ".join(str(exc).split())[:200]
        if not isinstance(exc, ZIP_ERRORS):
            detail = f"{type(exc).__name__}: {detail}"  # e.g. a name flagged UTF-8 that is not
        return [], f"broken zip archive: {detail}"


def _unpack_one(
    bundle: zipfile.ZipFile, info: zipfile.ZipInfo, target_dir: Path, stem: str
) -> Member:
    parts = member_parts(info.filename)
    problem = _member_problem(info, parts)
    if problem:
        return Member(info.filename, parts, error=problem)
    target = target_dir / (stem + copy_suffix(parts[-1]))
    with bundle.open(info) as source:
        checksum, _, first_nul = copy_hashed(source, target)  # type: ignore[arg-type]
    return Member(info.filename, parts, target, checksum, first_nul)
