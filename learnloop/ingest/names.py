"""Names of landed files and zip members are data: shown escaped, kept under bounded names.

A landed name can hold anything a file system allows (newlines, bytes that are not UTF-8,
right-to-left overrides, `!`, 250 characters) and a zip member name anything at all (`..`,
`/abs`, `\\`, nothing). Such a name is never joined into a path as it is: lineage and reasons
show `display(name)`, and archive/ and quarantine/ keep files under `safe_relative(parts)`,
whose components are escaped, never `.` or `..`, and short enough that `<name>.reason.txt`
fits the 255-byte limit of a file name.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from pathlib import PurePosixPath

REASON_SUFFIX = ".reason.txt"
# Longest kept component in UTF-8 bytes, so that `<component>.reason.txt` is a legal name.
MAX_COMPONENT_BYTES = 255 - len(REASON_SUFFIX)
# A kept path longer or deeper than this is flattened into one component (PATH_MAX is 4096,
# and the home folder's own path comes in front).
MAX_RELATIVE_BYTES = 1024
MAX_DEPTH = 32
_HASH_CHARS = 10
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Control characters, format characters (bidi overrides, zero-width marks), separators that
# end a line, and lone surrogates (bytes that were not UTF-8): never shown raw.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def display(name: str) -> str:
    """The name as one printable line: bytes that were not UTF-8 as `\\xNN`, control and
    format characters as escapes. Ordinary names come back unchanged."""
    shown = []
    for char in name:
        if unicodedata.category(char) not in _HIDDEN_CATEGORIES:
            shown.append(char)
        elif char in _ESCAPES:
            shown.append(_ESCAPES[char])
        elif 0xDC80 <= ord(char) <= 0xDCFF:  # os.fsdecode's stand-in for a non-UTF-8 byte
            shown.append(f"\\x{ord(char) - 0xDC00:02x}")
        elif ord(char) <= 0xFF:
            shown.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            shown.append(f"\\u{ord(char):04x}")
        else:
            shown.append(f"\\U{ord(char):08x}")
    return "".join(shown)


def shortened(name: str, limit: int) -> str:
    """`display(name)`, cut to `limit` characters with a hash of the whole name, so that two
    long names stay apart: for zip member names (which have no length limit) and quotes."""
    shown = display(name)
    if len(shown) <= limit:
        return shown
    return f"{shown[: max(limit - _HASH_CHARS - 2, 1)]}…~{_digest(name)}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_CHARS]


def _bounded(component: str, original: str) -> str:
    """`component` cut to MAX_COMPONENT_BYTES, keeping a short extension and a hash of the
    original, so that two long names that differ only at the end stay apart."""
    if len(component.encode()) <= MAX_COMPONENT_BYTES:
        return component
    stem, dot, extension = component.rpartition(".")
    suffix = f".{extension}" if dot and stem and len(extension.encode()) <= 16 else ""
    tail = f"~{_digest(original)}{suffix}"
    room = MAX_COMPONENT_BYTES - len(tail.encode())
    head = component.encode()[:room].decode("utf-8", "ignore")
    return head + tail


def safe_component(name: str) -> str:
    """One path component to keep a file under: printable, not `.`/`..`/empty, bounded."""
    shown = display(name).replace("/", "\\x2f")
    if shown in ("", ".", ".."):
        shown = f"_{shown}"
    return _bounded(shown, name)


def safe_relative(parts: Sequence[str]) -> PurePosixPath:
    """A relative path of safe components for `parts` (a landed path's components, or a zip
    member's); flattened into one component when it would be too long or too deep."""
    components = [safe_component(part) for part in parts] or ["_"]
    relative = PurePosixPath(*components)
    if len(components) > MAX_DEPTH or len(str(relative).encode()) > MAX_RELATIVE_BYTES:
        joined = "/".join(parts)
        relative = PurePosixPath(_bounded(f"{_digest(joined)}~{components[-1]}", joined))
    return relative


def member_parts(name: str) -> list[str]:
    """A zip member name's components: `\\` counts as a separator (Windows tools write it),
    empty and `.` components are dropped."""
    return [part for part in name.replace("\\", "/").split("/") if part not in ("", ".")]


def with_counter(relative: PurePosixPath, number: int) -> PurePosixPath:
    """`dir/name~2.csv`: a second file whose safe path collided with another's."""
    stem, dot, extension = relative.name.rpartition(".")
    name = f"{stem}~{number}.{extension}" if dot and stem else f"{relative.name}~{number}"
    return relative.with_name(_bounded(name, f"{relative}~{number}"))


class KeptPaths:
    """Hands out the relative paths under which one run keeps files in archive/<run>/ and
    quarantine/<run>/: never twice, never a file where another needs a folder, never a
    path ending in `.reason.txt` that another file's reason needs."""

    def __init__(self) -> None:
        self._files: set[PurePosixPath] = set()
        self._folders: set[PurePosixPath] = set()

    def _taken(self, path: PurePosixPath, below: PurePosixPath | None) -> bool:
        reason = path.with_name(path.name + REASON_SUFFIX)
        if {path, reason} & (self._files | self._folders):
            return True
        # A member kept below its own archive's name is fine: the archive itself is kept in
        # archive/, its members in quarantine/, never both in one place.
        parents = [p for p in path.parents if below is None or p not in (below, *below.parents)]
        return any(parent in self._files for parent in parents)

    def claim(self, wanted: PurePosixPath, below: PurePosixPath | None = None) -> PurePosixPath:
        """`wanted`, or the first free `wanted~N`; `below` is the archive a member belongs to."""
        path, number = wanted, 1
        while self._taken(path, below):
            number += 1
            # A file in the way of a parent folder cannot be fixed by renaming the last
            # component: after a few tries the file goes to the top, under a hashed name.
            base = (
                wanted if number < 10 else PurePosixPath(f"~{_digest(str(wanted))}~{wanted.name}")
            )
            path = with_counter(base, number)
        self._files.add(path)
        self._files.add(path.with_name(path.name + REASON_SUFFIX))
        self._folders.update(p for p in path.parents if p != PurePosixPath("."))
        return path


def copy_suffix(name: str) -> str:
    """The extension a working copy keeps (`.csv`, `.xlsx`): ASCII letters and digits only,
    so the copy's path holds no character that DuckDB would read as a glob pattern."""
    _, dot, extension = name.rpartition(".")
    if dot and extension.isascii() and extension.isalnum() and len(extension) <= 8:
        return f".{extension.lower()}"
    return ""
