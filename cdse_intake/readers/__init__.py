"""Products as lazy xarray objects: :func:`open_product` and one reader module per family.

Family readers: :mod:`.sentinel1`, :mod:`.sentinel2`, :mod:`.sentinel3`, :mod:`.sentinel5p`,
:mod:`.eopf` (Zarr), :mod:`.geotiff`; :mod:`.backend` is the xarray entry point
(``engine="cdse"``). They all read through a :class:`~.source.ProductSource`.
"""

from .api import open_product, resolve_source, select_group
from .families import FAMILIES, Family
from .source import ProductSource

__all__ = ["FAMILIES", "Family", "ProductSource", "open_product", "resolve_source", "select_group"]
