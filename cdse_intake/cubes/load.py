"""``load()``: the products of a search as one lazy (time, y, x) cube.

Each family has its module here (``sentinel2``, ``sentinel1``, ``landsat``, ``swaths``,
``rasters``) with a ``load(items, request)`` that puts every product on the cube's grid as a
:class:`~.mosaic.Layer` and stacks them (:func:`~.mosaic.stack`); this module resolves the
arguments and the products, and picks the module.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Literal

from ..config import Endpoints, Settings, resolve
from .request import CubeRequest
from .sources import items_of, one_family

__all__ = ["FAMILIES", "load"]

#: Reader family -> the cube module that loads it.
FAMILIES = {
    "sentinel-2": "sentinel2",
    "sentinel-1": "sentinel1",
    "sentinel-5p": "swaths",
    "sentinel-3": "swaths",
    "gridded": "rasters",
    "geotiff": "rasters",
    "eopf-zarr": "eopf",
    "landsat": "landsat",
}


def load(
    source: Any,
    *,
    variables: Any = None,
    bands: Any = None,
    crs: Any = None,
    resolution: Any = None,
    bbox: Any = None,
    geobox: Any = None,
    groupby: str | None = "solar_day",
    mask: Any = None,
    chunks: Any = None,
    resampling: str = "nearest",
    remote: bool | None = None,
    via: Literal["https", "s3"] = "https",
    credentials: Any = None,
    endpoints: Endpoints | Mapping[str, str] | None = None,
    settings: Settings | Mapping[str, Any] | None = None,
    progress: bool = False,
    **options: Any,
) -> Any:
    """Many products as one lazy, dask-backed :class:`xarray.Dataset` on one grid.

    ``source``: search results, Products, product names/ids or local paths, of one family
    (Sentinel-2 L1C/L2A, Sentinel-1 GRD, Landsat Collection 2 L1/L2, Sentinel-5P L2, Sentinel-3
    OLCI, CLMS rasters).
    ``variables`` (or ``bands``): what to load (``["B04", "B08", "SCL"]``; default the family's
    measurements). The grid: ``geobox`` (an odc-geo GeoBox), or ``crs`` (default the products'
    own, e.g. the tiles' UTM zone; swaths: EPSG:4326), ``resolution`` (in the CRS's units;
    default native) and ``bbox`` ``(west, south, east, north)`` in degrees (default: all the
    products cover). ``groupby``: ``"solar_day"`` (products of one local day mosaicked into one
    time step), ``"day"`` (UTC day) or None (a step per product). ``mask``: Sentinel-2 scene
    classes to drop (``"cloud"``, ``"clear"``, or classes); Landsat ``QA_PIXEL`` bits to drop
    (``"cloud"``, or bit names/numbers). ``resampling``: GDAL's method for measurements (classes
    and QA bands always ``nearest``). ``chunks``: dask chunks of the result
    (``{"time": 1, "y": 1024, "x": 1024}``). ``remote``: None/True read from the cache, else by
    range from CDSE (only what the grid needs); False downloads missing products first.
    Other keywords are the family's (``calibration="sigma0"`` for Sentinel-1, ``min_qa=0.75``
    for Sentinel-5P). Nothing is read but headers until the cube is computed.
    """
    if variables is not None and bands is not None:
        raise ValueError("give variables= or bands= (the same thing), not both")
    context = resolve(endpoints=endpoints, settings=settings, credentials=credentials, via=via)
    request = CubeRequest.make(
        context,
        variables=variables if variables is not None else bands,
        crs=crs,
        resolution=resolution,
        bbox=bbox,
        geobox=geobox,
        groupby=groupby,
        mask=mask,
        chunks=chunks,
        resampling=resampling,
        remote=remote,
        progress=progress,
        options=options,
    )
    items = items_of(source, request)
    module = importlib.import_module(f"{__package__}.{one_family(items, FAMILIES)}")
    accepted = getattr(module, "OPTIONS", ())
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise TypeError(
            f"load() has no option {', '.join(map(repr, unknown))} for {items[0].family.title}; "
            + (f"its options: {', '.join(accepted)}" if accepted else "it takes none")
        )
    cube = module.load(items, request)
    if request.chunks:
        cube = cube.chunk(_chunks(request.chunks, cube))
    return cube


def _chunks(chunks: Mapping[str, int], cube: Any) -> dict[str, int]:
    """``chunks`` on the cube's dims: ``y``/``x`` mean ``latitude``/``longitude`` on a grid in
    degrees; a dim the cube lacks is a clear error."""
    ydim, xdim = cube.odc.spatial_dims
    named = {"y": ydim, "x": xdim}
    out = {named.get(k, k): v for k, v in chunks.items()}
    unknown = sorted(set(out) - set(cube.dims))
    if unknown:
        raise ValueError(
            f"chunks={dict(chunks)!r}: the cube has no dimension {', '.join(map(repr, unknown))};"
            f" its dimensions are {', '.join(map(str, cube.dims))}"
        )
    return out
