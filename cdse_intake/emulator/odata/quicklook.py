"""Quicklook images for ``GET /Assets(<id>)/$value``: small, real, deterministic PNGs.

CDSE serves JPEG quicklooks; a PNG is just as real an image for a client that saves or displays
it, and it can be written with the standard library alone.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

import numpy as np

__all__ = ["quicklook_png"]

SIZE = 64


def quicklook_png(seed: str, size: int = SIZE) -> bytes:
    """An RGB PNG of ``size`` x ``size`` pixels whose colours derive from ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    base = np.frombuffer(digest[:3], np.uint8).astype(np.int32)
    y, x = np.mgrid[0:size, 0:size]
    pattern = ((x * digest[3] + y * digest[4]) // size) % 64
    rgb = (base[None, None, :] + pattern[..., None] * np.array([1, 2, 3])) % 256
    rows = np.concatenate(
        [np.zeros((size, 1), np.uint8), rgb.astype(np.uint8).reshape(size, size * 3)], axis=1
    )  # filter byte 0 ("None") before each scanline
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
