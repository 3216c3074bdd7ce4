"""Quicklook images for ``GET /Assets(<id>)/$value``: small, real, deterministic PNGs.

A product with a footprint shows the synthetic Earth (:mod:`..scene`) over it on its sensing
date, with the record's cloud cover: land, water, the season and clouds, as the real quick-looks
do. CDSE serves JPEG quicklooks; a PNG is just as real an image for a client that saves or
displays it, and it can be written with the standard library alone.
"""

from __future__ import annotations

import functools
import hashlib
import struct
import zlib
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["entry_quicklook_png", "quicklook_png"]

SIZE = 64
#: Pixels across a quick-look of the synthetic Earth (CDSE's Sentinel-2 ones are 343).
SCENE_SIZE = 256


def entry_quicklook_png(entry: Entry) -> bytes:
    """The quick-look of ``entry``: its footprint's synthetic Earth, else a pattern."""
    ring = _outer_ring(entry.footprint)
    if ring is None:
        return quicklook_png(entry.quicklook_id or entry.id)
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    cover = float(entry.attribute("cloudCover", 0.0) or 0.0) / 100.0
    return _scene_png(
        (min(lons), max(lons)), (min(lats), max(lats)), entry.start.isoformat(), cover
    )


def _outer_ring(footprint: dict | None) -> list | None:
    if not footprint:
        return None
    if footprint.get("type") == "Polygon":
        return footprint["coordinates"][0]
    return None  # split at the antimeridian: the pattern


@functools.lru_cache(maxsize=256)
def _scene_png(
    lon_range: tuple[float, float], lat_range: tuple[float, float], when: str, cover: float
) -> bytes:
    from ..scene import render_quicklook

    rgb = render_quicklook(lon_range, lat_range, when, min(max(cover, 0.0), 1.0), size=SCENE_SIZE)
    return _png(rgb)


def quicklook_png(seed: str, size: int = SIZE) -> bytes:
    """An RGB PNG of ``size`` x ``size`` pixels whose colours derive from ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    base = np.frombuffer(digest[:3], np.uint8).astype(np.int32)
    y, x = np.mgrid[0:size, 0:size]
    pattern = ((x * digest[3] + y * digest[4]) // size) % 64
    rgb = (base[None, None, :] + pattern[..., None] * np.array([1, 2, 3])) % 256
    return _png(rgb.astype(np.uint8))


def _png(rgb: np.ndarray) -> bytes:
    """An 8-bit RGB PNG of a ``(rows, cols, 3)`` uint8 array."""
    height, width = rgb.shape[:2]
    rows = np.concatenate(
        [np.zeros((height, 1), np.uint8), rgb.reshape(height, width * 3)], axis=1
    )  # filter byte 0 ("None") before each scanline
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
