"""Find landed files, unpacking zip archives safely, and fingerprint each with SHA-256."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

# Unpacked size above which an archive is refused (a zip bomb would fill the disk).
MAX_UNPACKED_BYTES = 4 * 1024**3
ZIP_MAGIC = b"PK\x03\x04"
IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
# Finder's "Compress" adds AppleDouble resource forks (`__MACOSX/…/._name`): not exports.
IGNORED_ZIP_FOLDERS = {"__MACOSX"}
# What zipfile raises on archives it cannot read: corrupt, truncated, a method it lacks
# (NotImplementedError, e.g. Deflate64), a bad deflate stream (zlib.error).
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, zlib.error)


@dataclass(frozen=True)
class LandedFile:
    """One readable file: a landed file itself or a member of a landed zip."""

    name: str  # path relative to landing/; zip members as `archive.zip!member/path`
    path: Path  # where to read it (zip members: their extracted copy)
    origin: Path  # the file in landing/ that moves to archive/ or quarantine/
    checksum: str  # SHA-256 of the content
    error: str | None = None  # set when the file cannot even be opened (e.g. a broken zip)

    def as_dict(self) -> dict[str, str | None]:
        """JSON-able, for handing the list from the discover task to the ingest task."""
        return {
            "name": self.name,
            "path": str(self.path),
            "origin": str(self.origin),
            "checksum": self.checksum,
            "error": self.error,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LandedFile:
        return cls(
            data["name"], Path(data["path"]), Path(data["origin"]), data["checksum"], data["error"]
        )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def discover(landing: Path, extract_dir: Path) -> list[LandedFile]:
    """Every file under landing/, sorted by name; zip archives are unpacked into extract_dir."""
    found: list[LandedFile] = []
    for path in sorted(p for p in landing.rglob("*") if p.is_file()):
        if path.name in IGNORED_NAMES or path.name.startswith("."):
            continue
        name = path.relative_to(landing).as_posix()
        if _looks_like_zip(path) and not _is_workbook(path):
            found.extend(_unpack(path, name, extract_dir / name))
        else:
            found.append(LandedFile(name, path, path, sha256_of(path)))
    return found


def _looks_like_zip(path: Path) -> bool:
    """By the leading bytes too: a truncated download has no central directory, yet it is a
    zip and should be reported as a broken one rather than as an unknown format."""
    with path.open("rb") as handle:
        return handle.read(4) == ZIP_MAGIC or zipfile.is_zipfile(path)


def _is_workbook(path: Path) -> bool:
    """An Office Open XML workbook (.xlsx, .xlsm) is a zip too, but one file to a reader: its
    members are the workbook's XML parts. Recognised by that layout, not by the file name."""
    try:
        with zipfile.ZipFile(path) as bundle:
            names = set(bundle.namelist())
    except _ZIP_ERRORS:
        return False
    return "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names)


def _unpack(archive: Path, name: str, target: Path) -> list[LandedFile]:
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [m for m in bundle.infolist() if not m.is_dir() and not _ignored(m)]
            problem = _unsafe_member(members) or ("" if members else "the zip archive is empty")
            if problem:
                return [LandedFile(name, archive, archive, sha256_of(archive), problem)]
            files = []
            for member in members:
                destination = target / PurePosixPath(member.filename)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(member) as source, destination.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
                member_name = f"{name}!{member.filename}"
                files.append(LandedFile(member_name, destination, archive, sha256_of(destination)))
            return files
    except _ZIP_ERRORS as exc:
        return [
            LandedFile(name, archive, archive, sha256_of(archive), f"broken zip archive: {exc}")
        ]


def _ignored(member: zipfile.ZipInfo) -> bool:
    parts = PurePosixPath(member.filename).parts
    return bool(parts) and (parts[0] in IGNORED_ZIP_FOLDERS or parts[-1] in IGNORED_NAMES)


def _unsafe_member(members: list[zipfile.ZipInfo]) -> str | None:
    """Why the archive must not be unpacked, or None when it is safe."""
    for member in members:
        parts = PurePosixPath(member.filename).parts
        if member.filename.startswith(("/", "\\")) or ".." in parts or ":" in member.filename:
            return f"zip member {member.filename!r} would be written outside the extraction folder"
        if member.flag_bits & 0x1:  # zipfile would stop at it with a RuntimeError
            return (
                f"zip member {member.filename!r} is password-protected; "
                "export the archive again without a password"
            )
    # zipfile never yields more than a member's declared size, so this sum bounds the disk use.
    total = sum(member.file_size for member in members)
    if total > MAX_UNPACKED_BYTES:
        return (
            f"zip archive would unpack to {total} bytes, more than the limit {MAX_UNPACKED_BYTES}"
        )
    return None
