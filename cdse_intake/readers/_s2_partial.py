"""What the Sentinel-2 reader does with a partial product: absent images and metadata files.

- Absent images: the product opens with the images present and one
  :class:`PartialProductWarning` names the absent files; when none is present, it opens as
  metadata only (attributes, and the ``x``/``y`` grid when the geocoding is known). Images left
  out by ``bands=`` or ``resolution=`` are not reported. A band asked for by ``bands=`` whose
  file is absent is an :class:`UnsupportedProduct` error naming it and the bands present: the
  caller named it, so a result without it would break their code later and less clearly.
- Absent metadata files (``MTD_MSIL*.xml``, ``MTD_TL.xml``): one warning says which, and where
  the reader took what they would have given (:mod:`._s2_manifest`, the images' grid).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import xarray as xr

from ..errors import PartialProductWarning, UnsupportedProduct
from ._s2_bands import AUXILIARY, BANDS, Image
from ._s2_geocoding import TileGeocoding
from ._s2_metadata import Sentinel2Metadata
from .raster import axis_attrs
from .source import ProductSource

__all__ = ["METADATA_ONLY", "empty_grid", "present_images", "warn_absent_metadata"]

#: The ``kind`` of :func:`._partial.warn_missing` when no image is present.
METADATA_ONLY = "band files (all of them: opened as metadata only)"

_ORDER = {name: k for k, name in enumerate((*BANDS, *AUXILIARY))}


def present_images(
    source: ProductSource, selected: Sequence[Image], available: Sequence[Image], asked: bool
) -> tuple[list[Image], list[str]]:
    """The ``selected`` images whose files exist, and the names of the absent files (for
    :func:`warn_missing`); refuses absent ones when ``asked`` (``bands=`` named them).
    ``available``: the images the user could ask for."""
    absent = [i for i in selected if i.path is None]
    if absent and asked:
        have = sorted({i.name for i in available if i.path}, key=lambda n: (_ORDER.get(n, 99), n))
        image = absent[0]
        raise UnsupportedProduct(
            f"{source.location}: band {image.name} was asked for but its file is absent "
            f"({_file(image)} at {image.resolution} m); the bands present are "
            + (", ".join(have) if have else "none")
        )
    return [i for i in selected if i.path is not None], [_file(i) for i in absent]


def warn_absent_metadata(location: str, md: Sentinel2Metadata, grid_from_images: bool) -> None:
    """One :class:`PartialProductWarning` naming the metadata files ``md`` was read without."""
    if not md.absent:
        return
    parts = []
    if any(a.upper().startswith("MTD_MSIL") for a in md.absent):
        tile = [] if len(md.absent) > 1 else [f"{md.granule}/MTD_TL.xml"]
        parts.append(
            f"opened from {' and '.join(['manifest.safe', *tile])} (no band wavelengths, solar "
            "irradiances, cloud cover or quality indicators)"
        )
    if any(a.endswith("MTD_TL.xml") for a in md.absent):
        kind = "GeoTIFF" if (md.image_format or "").upper().startswith("GEOTIFF") else "JPEG 2000"
        parts.append(
            f"the grid (CRS, origin, pixel size) is read from the {kind} files themselves"
            if grid_from_images
            else "the grid is unknown (no image file either): no x/y coordinates"
        )
        parts.append("the sensing time is the product start time")
    if md.radiometry_note:
        parts.append(md.radiometry_note)
    verb = "is" if len(md.absent) == 1 else "are"
    warnings.warn(
        f"{location}: {' and '.join(md.absent)} {verb} absent: " + "; ".join(parts),
        PartialProductWarning,
        stacklevel=3,
    )


def empty_grid(geocoding: TileGeocoding | None, resolution: int) -> xr.Dataset:
    """A Dataset without variables: the ``x``/``y`` grid at ``resolution`` when known."""
    ds = xr.Dataset(attrs={"resolution": resolution})
    if (
        geocoding is None
        or resolution not in geocoding.origins
        or resolution not in geocoding.sizes
    ):
        return ds
    import rioxarray  # noqa: F401  (registers the .rio accessor)
    from rasterio.crs import CRS

    rows, cols = geocoding.sizes[resolution]
    t = geocoding.transform(resolution)
    crs = CRS.from_epsg(geocoding.epsg)
    ds = ds.assign_coords(
        x=t.c + t.a * (np.arange(cols) + 0.5), y=t.f + t.e * (np.arange(rows) + 0.5)
    )
    ds = ds.rio.write_crs(crs).rio.write_transform(t)
    ds.x.attrs.update(axis_attrs("x", crs))
    ds.y.attrs.update(axis_attrs("y", crs))
    return ds


def _file(image: Image) -> str:
    return (image.path or image.expected).rsplit("/", 1)[-1]
