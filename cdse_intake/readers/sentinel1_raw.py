"""Sentinel-1 Level-0 products (``IW_RAW__0S``, ``EW_RAW__0S``, ``WV_RAW__0S``, ``S<n>_RAW__0S``):
metadata only, by design.

A Level-0 SAFE holds ``manifest.safe`` and, per polarisation, the instrument's space packets as
downlinked (``s1a-iw-raw-s-vv-<start>-<stop>-<orbit>-<datatake>.dat``) with their annotation
(``-annot.dat``: times and sizes per packet) and index (``-index.dat``: byte offsets of blocks).
The packets are compressed radar echoes (FDBAQ), not an image: before any pixel exists they must
be decoded, range and azimuth compressed (focused) and geolocated, which is what the Level-1
processor does. So this reader gives no data variables, and that is not a partial product (no
``PartialProductWarning``): it returns an empty Dataset whose attributes are the manifest's
(mission, mode, polarisations, swaths, start and stop times, absolute and relative orbit, pass,
datatake, timeliness, footprint) and the product's files per polarisation. Open the Level-1
GRD or SLC of the same datatake for pixels, or decode the ``.dat`` files with a Level-0 decoder.
"""

from __future__ import annotations

import re
from typing import Any

import xarray as xr

from ..errors import UnsupportedProduct
from ._s1_safe import parse_manifest
from .options import check_chunks
from .source import ProductSource

__all__ = ["open"]

#: ``s1a-iw-raw-s-vv-<start>-<stop>-<orbit>-<datatake>.dat`` (``-annot.dat``, ``-index.dat``).
_FILE = re.compile(
    r"(?:^|/)s1[a-d]-[a-z0-9]+-raw-s-(?P<pol>[a-z]{2})-.*?(?P<kind>-annot|-index)?\.dat$"
)


def open(source: ProductSource, *, chunks: Any = "auto") -> xr.Dataset:
    """The Level-0 product of ``source`` as a Dataset without data variables (see the module
    doc: Level-0 packets are no image); ``chunks`` is accepted for uniformity (no arrays)."""
    check_chunks(chunks, {}, what="a Level-0 product's (no) arrays")
    if source.single_file or not source.exists("manifest.safe"):
        raise UnsupportedProduct(
            f"{source.location} is not a Sentinel-1 Level-0 SAFE: it has no manifest.safe"
        )
    meta = parse_manifest(source.read_bytes("manifest.safe"), name=source.name)
    attrs = meta.attrs()
    attrs["product_type"] = "RAW"
    attrs["processing_level"] = "LEVEL0"
    files: dict[str, dict[str, str]] = {}
    for rel in sorted(source.find("s1?-*-raw-*.dat")):
        m = _FILE.search(rel)
        if m is not None:
            role = (m.group("kind") or "-measurement")[1:]
            files.setdefault(m.group("pol").upper(), {})[role] = rel
    if not files:
        raise UnsupportedProduct(f"{source.location}: no Level-0 packet files (s1?-*-raw-*.dat)")
    for pol, roles in files.items():
        for role, rel in sorted(roles.items()):
            attrs[f"{role}_file_{pol.lower()}"] = rel
    attrs["data_note"] = (
        "by design: Level-0 space packets are compressed radar echoes, not an image (focusing "
        "makes the Level-1); the manifest's attributes only"
    )
    return xr.Dataset(attrs=attrs)
