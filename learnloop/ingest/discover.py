"""Find landed files, copy each into the run folder while hashing it, unpack zip archives.

Everything below landing/ becomes a LandedFile: a file the readers load from the run's own
copy (a landed file, or a member of a landed zip), or an entry refused unread (a link, a
pipe, a hidden file, a file the pipeline may not read) that goes to quarantine with its
reason. A file written to within `settle_seconds`, or while it was being copied, is not
listed: it waits in landing/ for the next run.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote_from_bytes, unquote_to_bytes

from learnloop.errors import LearnLoopError
from learnloop.ingest import archives
from learnloop.ingest.landing import (
    DISK_FULL,
    Entry,
    Identity,
    Refused,
    Unstable,
    changed_recently,
    snapshot,
    walk,
)
from learnloop.ingest.names import KeptPaths, copy_suffix, display, safe_relative

log = logging.getLogger(__name__)
# What DuckDB's file readers expand as a pattern in any part of a path (DuckDB 2.0: `*`, `?`
# and `[...]`; `{a,b}` is read literally). The run's copies are named without them.
GLOB_CHARACTERS = "*?["


@dataclass(frozen=True)
class LandedFile:
    """One landed file, or one member of a landed zip, as a run handles it."""

    name: str  # shown name: path below landing/, zip members as `archive.zip!member/path`
    path: Path | None  # the run's copy the readers load; None when refused unread
    origin: Path  # the entry in landing/ that leaves it for archive/ or quarantine/
    kept_as: str  # its path below archive/<run>/ or quarantine/<run>/ (safe, bounded)
    checksum: str  # SHA-256 of the content; "" when it was never read
    error: str | None = None  # why it cannot be loaded before any reader sees it
    member: str | None = None  # zip members: path of a quarantined copy below `kept_as`
    snapshot: Path | None = None  # the hashed copy of `origin` (a zip's copy for members)
    identity: Identity | None = None  # `origin` as it was when it was read
    first_nul: int | None = None  # offset of the first NUL byte in the content

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, for handing the list from the discover task to the ingest task."""
        data = asdict(self)
        for key in ("path", "origin", "snapshot"):
            data[key] = None if data[key] is None else _path_to_json(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LandedFile:
        paths = {k: _path_from_json(data[k]) for k in ("path", "origin", "snapshot")}
        identity = Identity(**data["identity"]) if data["identity"] else None
        return cls(**{**data, **paths, "identity": identity})


# A landed name need not be UTF-8 (a Latin-1 "café.csv" from an old system): Python keeps its
# bytes as surrogates, which JSON (Airflow's XCom) cannot carry. Such a path travels as its
# percent-encoded bytes; the paths are absolute, so the prefix cannot be a real path's start.
_BYTES_PATH = "bytes:"


def _path_to_json(path: Path) -> str:
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _BYTES_PATH + quote_from_bytes(os.fsencode(path))
    return text


def _path_from_json(text: str | None) -> Path | None:
    if text is None:
        return None
    if text.startswith(_BYTES_PATH):
        return Path(os.fsdecode(unquote_to_bytes(text.removeprefix(_BYTES_PATH))))
    return Path(text)


@dataclass
class Discovery:
    files: list[LandedFile] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # shown names of files still changing


def discover(landing: Path, work_dir: Path, *, settle_seconds: int) -> list[LandedFile]:
    """Every file under landing/ that has settled, copied into `work_dir`."""
    return scan_landing(landing, work_dir, settle_seconds=settle_seconds).files


def scan_landing(
    landing: Path, work_dir: Path, *, settle_seconds: int, now: float | None = None
) -> Discovery:
    now = time.time() if now is None else now
    work_dir.mkdir(parents=True, exist_ok=True)
    found, kept, names = Discovery(), KeptPaths(), set()
    for number, entry in enumerate(walk(landing), start=1):
        name = display("/".join(entry.parts))
        if changed_recently(entry.status, now, settle_seconds):
            found.waiting.append(name)
            log.info("waiting for %s: changed less than %d s ago", name, settle_seconds)
            continue
        landed = read_entry(entry, name, work_dir, f"{number:06d}", kept)
        if landed is None:
            found.waiting.append(name)
            log.info("waiting for %s: it changed while it was read", name)
            continue
        found.files.extend(_unique_names(landed, names))
    return found


def _unique_names(files: list[LandedFile], used: set[str]) -> list[LandedFile]:
    """Two entries can show the same name (`a\\nb` and a real newline; a landed file called
    `x.zip!m.csv` beside the member m.csv of x.zip): lineage must tell them apart, or the raw
    gate would take one file's rows for duplicates of the other's."""
    unique = []
    for landed in files:
        name, number = landed.name, 1
        while name in used:
            number += 1
            name = f"{landed.name}~{number}"
        used.add(name)
        unique.append(landed if name == landed.name else _with(landed, name=name))
    return unique


def read_entry(
    entry: Entry, name: str, work_dir: Path, stem: str, kept: KeptPaths
) -> list[LandedFile] | None:
    """The entry as LandedFiles (one, or a zip's members); None when it changed meanwhile."""
    if set(str(work_dir)) & set(GLOB_CHARACTERS):
        raise LearnLoopError(
            f"{display(str(work_dir))}: the home folder's path holds one of "
            f"{' '.join(GLOB_CHARACTERS)}, which DuckDB's readers take as a file pattern; "
            "choose a LEARNLOOP_HOME without them"
        )
    kept_as = kept.claim(safe_relative(entry.parts))
    refused = LandedFile(name, None, entry.path, str(kept_as), "", identity=entry.identity)
    try:
        return _read(entry, name, work_dir, stem, kept, kept_as, refused)
    except LearnLoopError:
        raise
    except Exception as exc:  # one hostile file must never stop discover
        log.warning("unexpected %s while reading %s", type(exc).__name__, name, exc_info=True)
        return [_with(refused, error=f"could not be read (unexpected {type(exc).__name__})")]


def _read(
    entry: Entry,
    name: str,
    work_dir: Path,
    stem: str,
    kept: KeptPaths,
    kept_as: PurePosixPath,
    refused: LandedFile,
) -> list[LandedFile] | None:
    if entry.refusal:  # ingest logs it as quarantined (a warning) with this reason
        log.info("%s %s", name, entry.refusal)
        return [_with(refused, error=entry.refusal)]
    try:
        copy = snapshot(entry, work_dir / (stem + copy_suffix(entry.parts[-1])))
    except Unstable:
        return None
    except Refused as refusal:
        log.info("%s %s", name, refusal)
        return [_with(refused, error=str(refusal))]
    except FileNotFoundError:
        log.info("%s was removed from landing/ while the run looked at it", name)
        return []
    except OSError as exc:
        if exc.errno in DISK_FULL:
            raise _disk_full(name, exc) from None
        reason = f"cannot be read ({exc.strerror or type(exc).__name__})"
        log.info("%s %s", name, reason)
        return [_with(refused, error=reason)]
    landed = _with(
        refused,
        path=copy.copy,
        checksum=copy.checksum,
        snapshot=copy.copy,
        identity=copy.identity,
        first_nul=copy.first_nul,
    )
    with copy.copy.open("rb") as handle:
        head = handle.read(4)
    if not archives.looks_like_zip(head, copy.copy) or archives.is_workbook(copy.copy):
        return [landed]
    return _members(landed, work_dir, stem, kept_as, kept)


def _disk_full(name: str, exc: OSError) -> LearnLoopError:
    return LearnLoopError(
        f"no room to copy {name} into the run folder ({exc.strerror}); free disk space "
        "and run again: the file stays in landing/"
    )


def _members(
    archive: LandedFile, work_dir: Path, stem: str, kept_as: PurePosixPath, kept: KeptPaths
) -> list[LandedFile]:
    try:
        members, problem = archives.unpack(archive.snapshot, work_dir, stem)  # type: ignore[arg-type]
    except OSError as exc:  # archives.unpack lets only a full disk through
        raise _disk_full(archive.name, exc) from None
    if problem:
        return [_with(archive, error=problem)]
    files = []
    for member in members:
        below = kept.claim(kept_as / safe_relative(member.parts), below=kept_as)
        files.append(
            _with(
                archive,
                name=f"{archive.name}!{member.label}",
                path=member.path,
                checksum=member.checksum,
                error=member.error,
                member=str(below.relative_to(kept_as)),
                first_nul=member.first_nul,
            )
        )
        if member.error:
            log.info("%s!%s %s", archive.name, member.label, member.error)
    return files


def _with(landed: LandedFile, **changes: Any) -> LandedFile:
    return replace(landed, **changes)
