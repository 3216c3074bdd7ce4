"""The cube's grid: an odc-geo :class:`~odc.geo.geobox.GeoBox` from what was asked and what the
products hold.

``geobox=`` is taken as given. Otherwise the CRS is ``crs=`` or the family's choice (for tiles in
UTM, the zone most products are in), the pixel size ``resolution=`` or the family's native one,
and the extent ``bbox=`` (degrees) or the union of the products' own extents. The grid is snapped
to whole multiples of the pixel size (odc-geo's default anchor), which keeps a Sentinel-2 tile's
10, 20 and 60 m pixels where they are: they are pasted, not resampled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from .request import CubeRequest

__all__ = ["most_common_crs", "target_geobox"]


def most_common_crs(boxes: Sequence[Any]) -> Any:
    """The CRS most of ``boxes`` (GeoBoxes) are in; ties go to the first seen."""
    counts = Counter(str(b.crs) for b in boxes)
    best = max(counts.values())
    return next(b.crs for b in boxes if counts[str(b.crs)] == best)


def target_geobox(
    request: CubeRequest, boxes: Sequence[Any], *, native_resolution: float, default_crs: Any
) -> Any:
    """The GeoBox of the cube (see the module docstring); ``boxes``: the products' own grids."""
    from odc.geo.geobox import GeoBox
    from odc.geo.geom import box, unary_union

    if request.geobox is not None:
        return request.geobox
    crs = request.crs if request.crs is not None else default_crs
    resolution = request.resolution
    if resolution is None:
        if crs.geographic and native_resolution > 1:
            raise ValueError(
                f"crs={str(crs)!r} is in degrees: give resolution= in degrees too (the products' "
                f"own pixels are {native_resolution:g} m; 0.0001 degrees is about 10 m)"
            )
        resolution = native_resolution
    if request.bbox is not None:
        area = box(*request.bbox, "EPSG:4326").to_crs(crs)
    else:
        if not boxes:
            raise ValueError("no product has a grid, and no bbox= was given")
        area = unary_union([b.extent.to_crs(crs) for b in boxes])
    geobox = GeoBox.from_bbox(area.boundingbox, crs, resolution=resolution)
    if geobox.shape.x * geobox.shape.y > 2**34:
        raise ValueError(
            f"the cube's grid would be {geobox.shape.y} x {geobox.shape.x} pixels: give a smaller "
            "bbox= or a coarser resolution="
        )
    return geobox
