"""Raster files (JPEG 2000, GeoTIFF) written in memory with rasterio/GDAL."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["raster_bytes"]


def raster_bytes(
    data: np.ndarray,
    *,
    driver: str,
    crs: str | None = None,
    transform: Any = None,
    gcps: Sequence[Any] | None = None,
    nodata: float | None = None,
    scales: Sequence[float] | None = None,
    offsets: Sequence[float] | None = None,
    tags: dict[str, str] | None = None,
    band_tags: dict[str, str] | None = None,
    overviews: Sequence[int] = (),
    **creation: Any,
) -> bytes:
    """Encode ``data`` (``(rows, cols)`` or ``(bands, rows, cols)``) and return the file's bytes.

    ``gcps`` (with ``crs``) georeference a swath image without a geotransform, as Sentinel-1
    measurement TIFFs are; ``creation`` passes GDAL creation options (``QUALITY``, ``TILED``...).
    """
    from rasterio.errors import NotGeoreferencedWarning
    from rasterio.io import MemoryFile

    array = data[None] if data.ndim == 2 else data
    count, height, width = array.shape
    profile: dict[str, Any] = {
        "driver": driver,
        "width": width,
        "height": height,
        "count": count,
        "dtype": array.dtype.name,
        **creation,
    }
    if nodata is not None:
        profile["nodata"] = nodata
    if gcps is None:
        profile.update(crs=crs, transform=transform)
    # The extension matters: without it GDAL's JP2OpenJPEG driver leaves out the GeoJP2/GMLJP2
    # boxes that carry the CRS and the geotransform.
    suffix = {"JP2OpenJPEG": ".jp2", "GTiff": ".tif"}.get(driver, "")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile(filename=f"image{suffix}") as memfile:
            with memfile.open(**profile) as dst:
                dst.write(array)
                if gcps is not None:
                    from rasterio.crs import CRS

                    dst.gcps = (list(gcps), CRS.from_user_input(crs))
                if scales is not None:
                    dst.scales = tuple(scales)
                if offsets is not None:
                    dst.offsets = tuple(offsets)
                if tags:
                    dst.update_tags(**tags)
                if band_tags:
                    for band in range(1, count + 1):
                        dst.update_tags(band, **band_tags)
                if overviews:
                    from rasterio.enums import Resampling

                    dst.build_overviews(list(overviews), Resampling.nearest)
            return memfile.read()
