"""What is in landing/, seen without following a single link, and frozen copies of it.

`walk` lists every entry below landing/ with `lstat`: a symbolic link (to a file or a
folder, dangling or not) is reported as a link and never opened, listed or followed; so is
a file with other hard links (the same bytes may be a file elsewhere); named pipes, sockets
and devices are reported as what they are and never opened (opening a pipe would block the
run); a folder that cannot be listed is reported, not silently skipped.

`snapshot` copies one regular file into the run folder while hashing it, in one pass. The
readers load that copy, so the rows loaded, the checksum in the manifest and the bytes
archived are the same bytes even when someone keeps writing to the landed file. A file whose
size, times or inode change while it is copied waits for the next run.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

BLOCK_BYTES = 1024 * 1024
# Finder, Explorer and desktop metadata: never exports, never loaded.
SYSTEM_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}
LINK_REASON = (
    "is a symbolic link; LearnLoop never follows links out of landing/ "
    "(land a copy of the file itself)"
)


@dataclass(frozen=True)
class Identity:
    """Who a landed file is and how it looked when it was read; any write changes it."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, status: os.stat_result) -> Identity:
        return cls(
            status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns
        )

    def same_inode(self, status: os.stat_result) -> bool:
        return (self.device, self.inode) == (status.st_dev, status.st_ino)


@dataclass(frozen=True)
class Entry:
    """One entry below landing/: a regular file to read, or something refused unread."""

    path: Path
    parts: tuple[str, ...]  # its path components below landing/, as the file system has them
    status: os.stat_result  # lstat: of the link itself, never of what it points to
    refusal: str | None = None  # why it goes to quarantine unread

    @property
    def identity(self) -> Identity:
        return Identity.of(self.status)


def walk(landing: Path) -> list[Entry]:
    """Every entry below `landing`, sorted by path. Folders are descended into, unless they
    are links, hidden, or cannot be listed: those are entries themselves."""
    found: list[Entry] = []
    pending: list[tuple[Path, tuple[str, ...]]] = [(landing, ())]
    while pending:
        folder, parts = pending.pop()
        try:
            with os.scandir(folder) as listing:
                children = list(listing)
        except OSError as exc:
            if not parts:
                raise  # landing/ itself: not a file's problem
            reason = (
                f"is a folder that cannot be listed ({exc.strerror}); let the pipeline's "
                "user read it and land its files again"
            )
            found.append(Entry(folder, parts, os.lstat(folder), reason))
            continue
        for child in children:
            path, child_parts = Path(child.path), (*parts, child.name)
            try:
                status = os.lstat(path)
            except OSError:
                continue  # removed while we looked: nothing to do
            refusal = refusal_of(child.name, status)
            if stat.S_ISDIR(status.st_mode) and refusal is None:
                pending.append((path, child_parts))
            else:
                found.append(Entry(path, child_parts, status, refusal))
    return sorted(found, key=lambda entry: entry.parts)


def refusal_of(name: str, status: os.stat_result) -> str | None:
    """Why an entry is quarantined without being read, or None for a file (or folder) to read."""
    mode = status.st_mode
    if stat.S_ISLNK(mode):
        return LINK_REASON
    if name in SYSTEM_FILES:
        return "is operating-system metadata, not an export"
    if name.startswith("."):
        what = "folder" if stat.S_ISDIR(mode) else "file"
        return (
            f"is a hidden {what} (its name starts with '.'): temporary and system files are "
            "not loaded; rename it without the dot to load it"
        )
    if stat.S_ISREG(mode) and status.st_nlink > 1:
        return (
            f"has {status.st_nlink - 1} other hard link(s): its bytes may be a file's outside "
            "landing/, so it is not read (land a copy instead of a link)"
        )
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return None
    return f"is {_KINDS.get(stat.S_IFMT(mode), 'not a regular file')}, not a file"


def changed_recently(status: os.stat_result, now: float, settle_seconds: int) -> bool:
    """True when the entry was written within `settle_seconds`. A modification time in the
    future (a copy from a machine whose clock is ahead) says nothing: the inode's change
    time, which the kernel sets, is used instead."""
    last = status.st_mtime if status.st_mtime <= now + 1 else status.st_ctime
    return now - last < settle_seconds


class Unstable(Exception):
    """The file changed while it was read: it waits for the next run."""


class Refused(Exception):
    """The file is refused without being copied; the message says why."""


# Disk errors that are the machine's problem, never the file's: they stop the run.
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
# Room to leave on the disk besides the copy (DuckDB, logs and the published file need it).
SPARE_BYTES = 64 * 1024 * 1024


def _has_holes(descriptor: int, size: int) -> bool:
    """A sparse file: its holes read as zeros (`truncate -s 100G`), which would be copied as
    written zeros. No export has holes."""
    try:
        return size > 0 and os.lseek(descriptor, 0, os.SEEK_HOLE) < size
    except OSError:  # the file system cannot tell
        return False
    finally:
        os.lseek(descriptor, 0, os.SEEK_SET)


@dataclass(frozen=True)
class Snapshot:
    copy: Path
    checksum: str
    first_nul: int | None  # offset of the first NUL byte, None when there is none
    identity: Identity


def copy_hashed(source: BinaryIO, target: Path) -> tuple[str, int, int | None]:
    """Copy `source` to `target` in one pass: SHA-256, bytes copied, first NUL offset."""
    digest = hashlib.sha256()
    copied, first_nul = 0, None
    with target.open("xb") as sink:
        for block in iter(lambda: source.read(BLOCK_BYTES), b""):
            digest.update(block)
            if first_nul is None and (found := block.find(b"\0")) >= 0:
                first_nul = copied + found
            sink.write(block)
            copied += len(block)
    return digest.hexdigest(), copied, first_nul


def snapshot(entry: Entry, target: Path) -> Snapshot:
    """Copy the landed file to `target`; raises Unstable when it changed meanwhile and
    OSError (e.g. PermissionError) when it cannot be read."""
    # O_NOFOLLOW: if the file was swapped for a link after lstat, opening fails (ELOOP);
    # O_NONBLOCK: if it was swapped for a pipe, opening does not wait for a writer.
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(entry.path, flags)
    with os.fdopen(descriptor, "rb", buffering=0) as source:
        before = os.fstat(descriptor)
        if not stat.S_ISREG(before.st_mode) or Identity.of(before) != entry.identity:
            raise Unstable
        if _has_holes(descriptor, before.st_size):
            raise Refused("is a sparse file (its holes read as NUL bytes): not an export")
        free = shutil.disk_usage(target.parent).free
        if before.st_size + SPARE_BYTES > free:
            needed = f"{before.st_size} for the copy and {SPARE_BYTES} to spare"
            raise OSError(errno.ENOSPC, f"{free} bytes free, {needed}")
        try:
            checksum, copied, first_nul = copy_hashed(source, target)  # type: ignore[arg-type]
        except OSError:
            target.unlink(missing_ok=True)
            raise
        after = os.fstat(descriptor)
    if copied != before.st_size or Identity.of(after) != Identity.of(before):
        target.unlink(missing_ok=True)
        raise Unstable
    return Snapshot(target, checksum, first_nul, Identity.of(before))
