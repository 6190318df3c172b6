"""A minimal PNG decoder for test assertions on screenshots (8-bit RGB/RGBA, no interlace).

Pillow is not a dependency; numpy is (pinned through Airflow). Rows filtered with None, Sub
or Up decode vectorised; Average and Paeth rows need the pixel to their left and are
decoded per byte, which is fine for a screenshot in a test.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {2: 3, 6: 4}  # colour type -> samples per pixel


def read_png(path: Path) -> np.ndarray:
    """The image as an array of shape (height, width, channels), dtype uint8."""
    data = path.read_bytes()
    assert data[:8] == SIGNATURE, f"{path} is not a PNG"
    position, compressed, header = 8, b"", None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed += body
        position += 12 + length
    assert header is not None, f"{path} has no IHDR chunk"
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in CHANNELS and interlace == 0, f"unsupported PNG {header}"
    bpp = CHANNELS[colour]
    raw = np.frombuffer(zlib.decompress(compressed), dtype=np.uint8).reshape(height, -1)
    filters, rows = raw[:, 0], raw[:, 1:].astype(np.int32)
    out = np.zeros((height, width * bpp), dtype=np.int32)
    previous = np.zeros(width * bpp, dtype=np.int32)
    for y in range(height):
        row = rows[y]
        kind = filters[y]
        if kind == 0:
            current = row
        elif kind == 1:
            current = _unfilter_sub(row, bpp)
        elif kind == 2:
            current = (row + previous) % 256
        else:
            current = _unfilter_sequential(row.tolist(), previous.tolist(), bpp, int(kind))
        out[y] = current
        previous = out[y]
    return out.astype(np.uint8).reshape(height, width, bpp)


def _unfilter_sub(row: np.ndarray, bpp: int) -> np.ndarray:
    # Each byte adds the reconstructed byte bpp to its left: a running sum per channel.
    channels = row.reshape(-1, bpp)
    return (np.cumsum(channels, axis=0) % 256).reshape(-1)


def _unfilter_sequential(row: list[int], above: list[int], bpp: int, kind: int) -> np.ndarray:
    current = [0] * len(row)
    for i, value in enumerate(row):
        left = current[i - bpp] if i >= bpp else 0
        up = above[i]
        if kind == 3:
            predicted = (left + up) // 2
        else:  # Paeth
            upper_left = above[i - bpp] if i >= bpp else 0
            estimate = left + up - upper_left
            pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - upper_left)
            predicted = left if pa <= pb and pa <= pc else (up if pb <= pc else upper_left)
        current[i] = (value + predicted) % 256
    return np.array(current, dtype=np.int32)
