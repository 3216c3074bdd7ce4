"""Where a Sentinel-2 tile is, and the check that every image agrees.

``MTD_TL.xml`` gives the tile's UTM CRS (EPSG:326xx/327xx) and, per resolution, the grid size
and the upper-left corner and pixel size; the JPEG 2000 files carry the same georeferencing in
GML boxes. :func:`georeferenced` checks that both agree (a mismatch would shift every pixel) and
falls back to the MTD when an image has none. Without ``MTD_TL.xml`` (a partial product),
:func:`from_images` takes the grid of each resolution from its first image, and every other image
is checked against it the same way.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import UnsupportedProduct
from .raster import RasterInfo
from .source import ProductSource

if TYPE_CHECKING:
    from ._s2_bands import Image
    from ._s2_metadata import Sentinel2Metadata

__all__ = ["TileGeocoding", "from_images", "georeferenced"]


@dataclass(frozen=True)
class TileGeocoding:
    """Where the tile is, from ``MTD_TL.xml``."""

    epsg: int
    name: str | None
    sizes: dict[int, tuple[int, int]]
    """Resolution -> ``(rows, cols)``."""
    origins: dict[int, tuple[float, float, float, float]]
    """Resolution -> ``(ULX, ULY, XDIM, YDIM)``: the upper-left corner and pixel size."""
    origin: str = "MTD_TL.xml"
    """Where the grid comes from, for messages."""

    def transform(self, resolution: int) -> Any:
        """The affine geotransform of the grid at ``resolution``."""
        from affine import Affine

        ulx, uly, xdim, ydim = self.origins[resolution]
        return Affine(xdim, 0.0, ulx, 0.0, ydim, uly)


def from_images(infos: dict[int, RasterInfo], where: str) -> TileGeocoding:
    """The tile's grid from one image per resolution (when ``MTD_TL.xml`` is absent)."""
    epsgs = {}
    for res, info in infos.items():
        epsg = info.crs.to_epsg() if info.crs is not None else None
        if epsg is None or info.transform.is_identity:
            raise UnsupportedProduct(
                f"{where}: the {res} m images carry no georeferencing (CRS {info.crs}) and "
                "MTD_TL.xml, which would give it, is absent"
            )
        epsgs[res] = epsg
    if len(set(epsgs.values())) > 1:
        raise UnsupportedProduct(f"{where}: the images are in different CRSs: {epsgs}")
    t = {res: info.transform for res, info in infos.items()}
    return TileGeocoding(
        epsg=next(iter(epsgs.values())),
        name=None,
        sizes={res: (info.height, info.width) for res, info in infos.items()},
        origins={res: (t[res].c, t[res].f, t[res].a, t[res].e) for res in infos},
        origin="the first image at this resolution",
    )


def georeferenced(
    info: RasterInfo, image: Image, md: Sentinel2Metadata, source: ProductSource
) -> RasterInfo:
    """``info`` checked against MTD_TL.xml (or georeferenced from it when the file is not)."""
    from rasterio.crs import CRS

    geo = md.geocoding
    assert geo is not None, "the grid is derived from the images first"
    where = f"{source.location}: {image.path}"
    size = geo.sizes.get(image.resolution)
    if size is not None and (info.height, info.width) != size:
        raise UnsupportedProduct(
            f"{where} is {info.height} x {info.width} pixels but {geo.origin} gives "
            f"{size[0]} x {size[1]} at {image.resolution} m"
        )
    if image.resolution not in geo.origins:
        if info.crs is None:
            raise UnsupportedProduct(
                f"{where} has no georeferencing and {geo.origin} none at {image.resolution} m"
            )
        return info
    expected = geo.transform(image.resolution)
    if info.crs is None or info.transform.is_identity:
        return dataclasses.replace(info, crs=CRS.from_epsg(geo.epsg), transform=expected)
    epsg = info.crs.to_epsg()
    if epsg != geo.epsg:
        raise UnsupportedProduct(
            f"{where} is in EPSG:{epsg} but {geo.origin} gives EPSG:{geo.epsg}"
        )
    if not info.transform.almost_equals(expected, precision=1e-6):
        raise UnsupportedProduct(
            f"{where} is georeferenced at origin ({info.transform.c}, {info.transform.f}) with "
            f"{info.transform.a} m pixels, but {geo.origin} gives ({expected.c}, {expected.f}) "
            f"with {expected.a} m at {image.resolution} m"
        )
    return info
