"""Member files of a Sentinel-2 SAFE product, checked before a parser or GDAL sees them.

An empty, foreign or truncated file is refused with :class:`UnsupportedProduct` naming it (not
GDAL's "not recognized as being in a supported file format"): XML through :func:`read_xml`,
images through :func:`image_info`, which reads the first 16 bytes through the source before
handing the file to rasterio. A JPEG 2000 file cut short keeps a valid header, and GDAL then
decodes the missing tiles as zeros with no more than a logged error: :func:`check_image` also
walks the file's top-level boxes (8-byte headers; a few small reads, for a remote product in the
same range requests as the header) and refuses a box that runs past the end of the file or a
codestream without its end marker.
"""

from __future__ import annotations

import struct
from typing import Any

from ..errors import UnsupportedProduct
from . import xml
from ._partial import check_member
from ._remote_files import borrow
from .raster import RasterInfo, raster_info
from .source import ProductSource

__all__ = ["check_image", "image_info", "read_xml"]


def read_xml(source: ProductSource, rel: str) -> Any:
    """The root element of the XML member ``rel``; refused if empty, foreign or broken."""
    data = source.read_bytes(rel)
    check_member(source.location, rel, data[:16], len(data))
    return xml.parse(data, f"{source.location}: {rel}")


def check_image(source: ProductSource, rel: str) -> None:
    """Refuse the image ``rel`` if it is empty, does not start as a JPEG 2000/TIFF file, or is
    a JPEG 2000 file cut short."""
    # remote: the file the raster reads will use (small read-aheads, the header kept)
    remote = source.origin == "remote"
    with borrow(source.fs, source.path(rel)) if remote else source.open(rel) as f:
        head = f.read(16)
        # fewer than 16 bytes read: that is the whole file (no size request needed)
        check_member(source.location, rel, head, len(head) if len(head) < 16 else None)
        if head.startswith(_JP2_SIGNATURE) and (problem := _jp2_truncation(f)):
            raise UnsupportedProduct(f"{source.location}: {rel} is truncated or damaged: {problem}")


_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
_END_OF_CODESTREAM = b"\xff\xd9"


def _jp2_truncation(f: Any) -> str | None:
    """What is wrong with the box structure of the JPEG 2000 file ``f``, or None."""
    size = f.seek(0, 2)
    pos = 0
    while pos + 8 <= size:
        f.seek(pos)
        length, kind = struct.unpack(">I4s", f.read(8))
        name = kind.decode("latin-1")
        if length == 1:  # 64-bit length follows
            (length,) = struct.unpack(">Q", f.read(8))
        elif length == 0:  # the last box, up to the end of the file
            length = size - pos
        if length < 8:
            return f"its {name!r} box at byte {pos} has the impossible length {length}"
        if pos + length > size:
            return (
                f"its {name!r} box at byte {pos} is {length} bytes long but the file ends "
                f"{size - pos} bytes after its start ({size} bytes in all)"
            )
        if kind == b"jp2c":
            f.seek(pos + length - 2)
            if f.read(2) != _END_OF_CODESTREAM:
                return f"its codestream (byte {pos} to {pos + length}) lacks its end marker"
        pos += length
    return None


def image_info(source: ProductSource, rel: str) -> RasterInfo:
    """The header of the image ``rel``, checked first; a file GDAL cannot read is named."""
    from rasterio.errors import RasterioError

    check_image(source, rel)
    try:
        return raster_info(source, rel)
    except RasterioError as err:
        raise UnsupportedProduct(
            f"{source.location}: {rel} cannot be read as an image (damaged or truncated?): {err}"
        ) from err
