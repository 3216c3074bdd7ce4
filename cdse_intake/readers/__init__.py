"""Products as lazy xarray objects: :func:`open_product` and one reader module per family.

Family readers: :mod:`.sentinel1`, :mod:`.sentinel2`, :mod:`.sentinel3`, :mod:`.sentinel5p`,
:mod:`.eopf` (Zarr), :mod:`.geotiff`; :mod:`.backend` is the xarray entry point
(``engine="cdse"``). They all read through a :class:`~.source.ProductSource`.
:func:`open_clms_result` opens the zip of a CLMS data request (imported on first use).
"""

from typing import Any

from .api import open_product, resolve_source, select_group
from .families import FAMILIES, Family
from .source import ProductSource

__all__ = [
    "FAMILIES",
    "Family",
    "ProductSource",
    "open_clms_result",
    "open_product",
    "resolve_source",
    "select_group",
]


def __getattr__(name: str) -> Any:
    # PEP 562: xarray and the GeoTIFF reader load only when a CLMS result is opened
    if name == "open_clms_result":
        from .clms_results import open_clms_result

        return open_clms_result
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
