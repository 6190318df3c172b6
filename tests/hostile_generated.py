"""The binary and large members of the hostile-file corpus, written at test time.

Small text files of the corpus are committed in tests/fixtures/hostile/; these are built from
the committed `inbox_ok.csv` here because they are binary (UTF-16, NUL bytes, zips) or large
(a 10 MB field). Their expected outcomes are in tests/fixtures/hostile/expected.csv too.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import stat
import struct
import zipfile
import zlib
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


def raw_zip(members: list[tuple[str, bytes, int]]) -> bytes:
    """A stored (uncompressed) zip written byte by byte, for what zipfile refuses to write: a
    member without a name. Each member is (name, content, Unix mode, 0 for none)."""
    local, central = bytearray(), bytearray()
    for name, data, mode in members:
        encoded, crc, offset = name.encode(), zlib.crc32(data), len(local)
        sizes = struct.pack("<III", crc, len(data), len(data))
        local += struct.pack("<IHHHHH", 0x04034B50, 20, 0, 0, 0, 0) + sizes
        local += struct.pack("<HH", len(encoded), 0) + encoded + data
        central += struct.pack("<IHHHHHH", 0x02014B50, 0x031E, 20, 0, 0, 0, 0) + sizes
        central += struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, mode << 16, offset)
        central += encoded
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0
    )
    return bytes(local + central + end)


def _not_utf8_member_name() -> bytes:
    """A member name flagged as UTF-8 (bit 11) whose bytes are not: zipfile raises
    UnicodeDecodeError when it opens the archive."""
    honest = raw_zip([("bad__.csv", _base_csv("nu8"), 0)])
    patched = bytearray(honest.replace(b"bad__.csv", b"bad\xff\xfe.csv"))
    for header in (b"PK\x03\x04", b"PK\x01\x02"):
        flags = patched.index(header) + (6 if header == b"PK\x03\x04" else 8)
        patched[flags + 1] |= 0x08  # general purpose bit 11 (0x800): the high byte's bit 3
    return bytes(patched)


def link_zip(links: dict[str, str], files: dict[str, bytes]) -> bytes:
    """A zip as `zip -y` writes symbolic links: a member whose mode says link, whose content
    is the path it points to."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, target in links.items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3  # Unix
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            bundle.writestr(info, target)
        for name, data in files.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def xlsx(cells: dict[str, str], *, broken_sheet: bool = False) -> bytes:
    """A minimal .xlsx with one sheet holding `cells` (e.g. {"A1": "x"}) as inline strings;
    `broken_sheet` cuts the sheet's XML in half (a damaged download of a workbook)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    rows: dict[int, list[str]] = {}
    for ref, value in cells.items():
        row = int("".join(c for c in ref if c.isdigit()))
        rows.setdefault(row, []).append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    data = "".join(f'<row r="{n}">{"".join(c)}</row>' for n, c in sorted(rows.items()))
    sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData>{data}</sheetData></worksheet>'
    )
    return _zip(
        {
            "[Content_Types].xml": (
                f'<?xml version="1.0"?><Types xmlns="{package}/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                "</Types>"
            ).encode(),
            "_rels/.rels": (
                f'<?xml version="1.0"?><Relationships xmlns="{package}/relationships">'
                f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ).encode(),
            "xl/workbook.xml": (
                f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
                '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                f'<?xml version="1.0"?><Relationships xmlns="{package}/relationships">'
                f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                "</Relationships>"
            ).encode(),
            "xl/worksheets/sheet1.xml": sheet.encode()[: len(sheet) // 2 if broken_sheet else None],
        }
    )


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


@functools.cache
def generated_files() -> dict[str, bytes]:
    """Corpus file name -> content (built once per test session: a 128 MiB bomb takes time)."""
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
        **landing_attack_files(),
    }


NOT_AN_EXPORT = b"not an export\n"
# Where a landed name with `!` once made quarantine write (issue 12): must stay absent.
BANG_VICTIM = Path("/tmp/learnloop-victim/victim.txt")
LONG_OK = "x" * 251 + ".csv"  # 255 bytes, the longest name a file system allows
LONG_BAD = "y" * 251 + ".csv"


def long_inbox(tag: str, rows: int) -> bytes:
    """An inbox export of `rows` messages `<tag>-1`, `<tag>-2`, … in one conversation."""
    header = (HOSTILE / "inbox_ok.csv").read_bytes().splitlines(keepends=True)[0]
    body = "".join(
        f"{tag}-c,{tag}-{n},2026-01-07 10:{n % 60:02d}:00,Inbound,member_{n},YouTube,"
        f"Question number {n} about the Fjord frame?,,\n"
        for n in range(1, rows + 1)
    )
    return header + body.encode()


# A NUL byte in row 1500 of 1600, far beyond the first 64 KB that format detection reads.
NUL_AFTER_64KB = long_inbox("n64", 1600).replace(
    b"Question number 1500 ", b"Question\0number 1500 "
)


def landing_attack_files() -> dict[str, bytes]:
    """Issue 12's kinds that are plain files: names that are paths or patterns elsewhere,
    overlong names, bytes that once got a wrong reason, archives with every trick."""
    return {
        "!tmp!learnloop-victim!victim.txt": NOT_AN_EXPORT,
        "zip_bang_member.zip": _zip({"..!..!x.txt": NOT_AN_EXPORT, "ok.csv": _base_csv("zbm")}),
        "*.csv": _base_csv("gstar"),
        "?.csv": _base_csv("gqm"),
        "[ab].csv": _base_csv("gbrk"),
        "a.csv": _base_csv("ga"),
        "{a,b}.csv": _base_csv("gbrc"),
        "**.csv": _base_csv("gdstar"),
        "*/in.csv": _base_csv("gdir"),
        "...": _base_csv("dots"),
        "newline\nname.csv": _base_csv("nl"),
        os.fsdecode(b"latin1_caf\xe9.csv"): _base_csv("l1"),
        "rtl_\u202egnp.csv": _base_csv("rtl"),
        LONG_OK: _base_csv("lok"),
        LONG_BAD: NOT_AN_EXPORT,
        "zip_long_members.zip": _zip(
            {"m" * 300 + ".csv": NOT_AN_EXPORT, "d/" * 60 + "deep.csv": _base_csv("zdeep")}
        ),
        "inbox_nul_after_64kb.csv": NUL_AFTER_64KB,
        "zeros.csv": b"\0" * 4096,
        "inbox_utf16be_bom.csv": b"\xfe\xff" + _base_csv("be16b").decode().encode("utf-16-be"),
        "inbox_utf16be_no_bom.csv": _base_csv("be16").decode().encode("utf-16-be"),
        "inbox_long_line_3.csv": _base_csv("ll3").replace(b"Yes - ships", b"Y" * 3_000_000),
        "broken_workbook.xlsx": xlsx({"A1": "insight_id"}, broken_sheet=True),
        "excel_far_cell.xlsx": xlsx({"XFD1048576": "x"}),
        "excel_alloc_bomb.xlsx": xlsx({"A1": "insight_id", "XFD1048576": "x"}),
        "zip_duplicate_members.zip": raw_zip(
            [("messages.csv", _base_csv("dup1"), 0), ("messages.csv", _base_csv("dup2"), 0)]
        ),
        "zip_nameless_member.zip": raw_zip(
            [("", _base_csv("nn1"), 0), ("ok.csv", _base_csv("nn2"), 0)]
        ),
        "zip_link_member.zip": link_zip({"link.csv": "/etc/passwd"}, {"ok.csv": _base_csv("zlm")}),
        "inbox_platform_all.csv": _base_csv("pall").replace(
            b"Nordlicht Support,Instagram", b"Nordlicht Support,All"
        ),
        "zip_name_not_utf8.zip": _not_utf8_member_name(),
        ".hidden_export.csv": _base_csv("hid"),
        "Thumbs.db": b"\xd0\xcf\x11\xe0 thumbnails",
    }


SECRET = b"db_password=hunter2-d0-not-publish\n"


def write_special(folder: Path, outside: Path) -> None:
    """Issue 12's kinds that are not files: links (to a file, a secret, a folder, nowhere,
    themselves) and a named pipe. `outside` plays a folder outside the home."""
    (outside / "folder").mkdir(parents=True, exist_ok=True)
    (outside / "export.csv").write_bytes(_base_csv("outside"))
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "folder" / "in.csv").write_bytes(_base_csv("outdir"))
    (folder / "link_to_outside.csv").symlink_to(outside / "export.csv")
    (folder / "link_to_secret.txt").symlink_to(outside / "secret.txt")
    (folder / "linked_folder").symlink_to(outside / "folder", target_is_directory=True)
    (folder / "dangling_link.csv").symlink_to(outside / "missing.csv")
    (folder / "link_loop.csv").symlink_to(folder / "link_loop.csv")
    os.mkfifo(folder / "pipe.csv")


def write_generated(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in generated_files().items():
        path = folder / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written
