"""Sentinel-1 member files checked before a format library sees them.

A measurement TIFF that is empty, does not start as a TIFF, cannot be opened, or ends before
its last strip, and an annotation XML that is empty or not XML, are refused with
:class:`UnsupportedProduct` naming the file, instead of GDAL's or the XML parser's own words
("not recognized as being in a supported file format").
"""

from __future__ import annotations

from ..errors import UnsupportedProduct
from ._partial import check_member
from .raster import RasterInfo, raster_info
from .source import ProductSource

__all__ = ["checked_raster_info", "checked_xml"]

#: Bytes read to recognise a member's format.
HEAD = 16


def checked_raster_info(source: ProductSource, rel: str) -> RasterInfo:
    """The header of the measurement TIFF ``rel``, once its first bytes, its size (when known
    without a request) and the end of its last strip show it whole."""
    import rasterio.errors

    size = _size(source, rel)
    with source.open(rel) as f:
        head = f.read(HEAD)
    check_member(source.location, rel, head, size)
    try:
        info = raster_info(source, rel)
    except rasterio.errors.RasterioError as err:
        raise UnsupportedProduct(
            f"{source.location}: {rel} cannot be read as a TIFF (GDAL: {err}): "
            "damaged or truncated; expected a Sentinel-1 measurement GeoTIFF"
        ) from err
    if size is not None:
        _check_last_strip(source, rel, size)
    return info


def checked_xml(source: ProductSource, rel: str, data: bytes) -> bytes:
    """``data``, the content of the XML member ``rel``, unless it is empty or not XML."""
    check_member(source.location, rel, data[:HEAD], len(data))
    return data


def _size(source: ProductSource, rel: str) -> int | None:
    """The member's size in bytes when the source knows it without a request (local files and
    zips); None for remote products."""
    if source.origin == "remote":
        return None
    return int(source.fs.size(source.path(rel)))


def _check_last_strip(source: ProductSource, rel: str, size: int) -> None:
    """Refuse a TIFF whose last strip (or tile) ends after the file does: a truncated file
    whose header survived (GDAL would only fail when that strip is read)."""
    import rasterio

    path, kwargs = source.raster(rel)
    with rasterio.open(path, **kwargs) as ds:
        block_y, block_x = ds.block_shapes[0]
        row = (ds.height + block_y - 1) // block_y - 1
        col = (ds.width + block_x - 1) // block_x - 1
        offset = ds.get_tag_item(f"BLOCK_OFFSET_{col}_{row}", "TIFF", bidx=1)
        length = ds.get_tag_item(f"BLOCK_SIZE_{col}_{row}", "TIFF", bidx=1)
    if offset is None or length is None:
        return
    end = int(offset) + int(length)
    if end > size:
        raise UnsupportedProduct(
            f"{source.location}: {rel} is truncated: it has {size} bytes but its last strip "
            f"ends at byte {end}; expected the whole measurement GeoTIFF"
        )
