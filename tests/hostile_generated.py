"""The binary and large members of the hostile-file corpus, written at test time.

Small text files of the corpus are committed in tests/fixtures/hostile/; these are built from
the committed `inbox_ok.csv` here because they are binary (UTF-16, NUL bytes, zips) or large
(a 10 MB field). Their expected outcomes are in tests/fixtures/hostile/expected.csv too.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from pathlib import Path

from tests.conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"
TEN_MB = 10 * 1024 * 1024
# The corpus test lowers the unpack limit to this, so an archive over it need not be gigabytes.
UNPACK_LIMIT_BYTES = 1024 * 1024
BOMB_BYTES = 128 * 1024 * 1024


def _base_csv(tag: str) -> bytes:
    """inbox_ok.csv with its ids made unique to `tag`, so no two corpus files share content."""
    return (HOSTILE / "inbox_ok.csv").read_bytes().replace(b"hx-", f"{tag}-".encode())


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    """128 MiB of zeros deflated to about 130 KB: an honest header, an absurd size."""
    buffer = io.BytesIO()
    block = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle,
        bundle.open("zeros.csv", "w", force_zip64=True) as sink,
    ):
        for _ in range(BOMB_BYTES // len(block)):
            sink.write(block)
    return buffer.getvalue()


def _too_large_zip() -> bytes:
    """Two honest members of 600 KiB each that barely compress: 1.2 MiB over the 1 MiB limit."""
    noise = b"".join(hashlib.sha256(str(i).encode()).hexdigest().encode() for i in range(9600))
    return _zip({"part1.csv": noise[: 600 * 1024], "part2.csv": noise[-600 * 1024 :]})


def _lying_zip_bomb() -> bytes:
    """A member whose headers claim 1 KB but whose deflated stream holds 16 MiB of zeros."""
    honest = _zip({"messages.csv": b"\0" * (16 * 1024 * 1024)})
    claimed = struct.pack("<I", 1024)
    real = struct.pack("<I", 16 * 1024 * 1024)
    local = honest.index(b"PK\x03\x04")
    central = honest.index(b"PK\x01\x02")
    # uncompressed size: offset 22 in the local header, 24 in the central directory entry.
    patched = bytearray(honest)
    assert patched[local + 22 : local + 26] == real and patched[central + 24 : central + 28] == real
    patched[local + 22 : local + 26] = claimed
    patched[central + 24 : central + 28] = claimed
    return bytes(patched)


def _encrypted_zip() -> bytes:
    """A zip whose member is flagged as encrypted (general-purpose bit 0), as ZipCrypto sets."""
    patched = bytearray(_zip({"messages.csv": _base_csv("enc")}))
    local = patched.index(b"PK\x03\x04")
    central = patched.index(b"PK\x01\x02")
    patched[local + 6] |= 0x01
    patched[central + 8] |= 0x01
    return bytes(patched)


def _mac_zip() -> bytes:
    """Finder's "Compress": the export plus __MACOSX/ resource forks and a .DS_Store."""
    return _zip(
        {
            "export/messages.csv": _base_csv("mac"),
            "__MACOSX/export/._messages.csv": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X",
            "export/.DS_Store": b"\x00\x00\x00\x01Bud1\x00\x00\x10\x00",
        }
    )


def generated_files() -> dict[str, bytes]:
    """Corpus file name -> content."""
    csv = _base_csv("gen")
    ten_mb_text = b"A" * TEN_MB
    return {
        "inbox_utf16le_bom.csv": b"\xff\xfe" + _base_csv("u16b").decode().encode("utf-16-le"),
        "inbox_utf16le_no_bom.csv": _base_csv("u16").decode().encode("utf-16-le"),
        "inbox_nul_bytes.csv": _base_csv("nul").replace(b"Where is", b"Where\0\0is"),
        "inbox_10mb_field.csv": csv.replace(b"Where is my order?", ten_mb_text),
        "yt_10mb_field.json": (HOSTILE / "yt_ok.json")
        .read_bytes()
        .replace(b"Ugok", b"Ug10")
        .replace(b"How do I pair the app with my bike?", ten_mb_text, 2),
        "zip_ok.zip": _zip({"inbox/messages.csv": _base_csv("zok")}),
        "zip_path_traversal.zip": _zip(
            {"ok.csv": _base_csv("zpt"), "../../outside.csv": _base_csv("zpt2")}
        ),
        "zip_absolute_path.zip": _zip({"/tmp/learnloop-absolute.csv": _base_csv("zab")}),
        "zip_bomb.zip": _zip_bomb(),
        "zip_too_large.zip": _too_large_zip(),
        "zip_bomb_lying_size.zip": _lying_zip_bomb(),
        "zip_in_zip.zip": _zip(
            {
                "outer.csv": _base_csv("zoz"),
                "inner.zip": _zip({"inner.csv": _base_csv("ziz")}),
            }
        ),
        "zip_truncated.zip": _zip({"messages.csv": _base_csv("ztr") * 50})[:300],
        "zip_empty.zip": _zip({}),
        "zip_encrypted.zip": _encrypted_zip(),
        "zip_from_a_mac.zip": _mac_zip(),
        "not_an_export.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64,
    }


def write_generated(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in generated_files().items():
        path = folder / name
        path.write_bytes(content)
        written.append(path)
    return written
