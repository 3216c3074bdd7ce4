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

__all__ = ["crs_name", "most_common_crs", "target_geobox"]

#: Pixels per time step beyond which a grid made from the products' own extents (no bbox=) is
#: refused: global products (CLMS at 300 m: 6e9 pixels) need an area.
UNBOUNDED_LIMIT = 2**29


def crs_name(crs: Any) -> str:
    """``EPSG:32631`` when the CRS has a code, else its WKT."""
    return f"EPSG:{crs.epsg}" if crs.epsg is not None else crs.to_wkt()


def _anchor(boxes: Sequence[Any], crs: Any, resolution: float) -> Any:
    """Where pixel edges fall: on the products' own pixels when the cube has their CRS and pixel
    size (CLMS grids are centred on multiples of 1/336 degree, not edged), else on multiples of
    the pixel size (odc-geo's default)."""
    from odc.geo import xy_

    for b in boxes:
        if b.crs == crs and abs(abs(b.resolution.x) - resolution) < 1e-9 * resolution:
            t = b.transform
            fx, fy = (t.c / abs(t.a)) % 1.0, (t.f / abs(t.e)) % 1.0
            fx, fy = (0.0 if min(f, 1 - f) < 1e-6 else f for f in (fx, fy))
            return xy_(fx, fy)
    return "default"


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
    geobox = GeoBox.from_bbox(
        area.boundingbox, crs, resolution=resolution, anchor=_anchor(boxes, crs, resolution)
    )
    pixels = geobox.shape.x * geobox.shape.y
    if request.bbox is None and pixels > UNBOUNDED_LIMIT:
        raise ValueError(
            f"the products together cover {geobox.shape.y} x {geobox.shape.x} pixels at "
            f"{resolution:g} {'degrees' if crs.geographic else 'm'}: give bbox= (west, south, "
            "east, north) for the area you need, or a coarser resolution="
        )
    if pixels > 2**34:
        raise ValueError(
            f"the cube's grid would be {geobox.shape.y} x {geobox.shape.x} pixels: give a smaller "
            "bbox= or a coarser resolution="
        )
    return geobox
