"""The xarray backend: ``xr.open_dataset(product, engine="cdse")`` and ``xr.open_datatree``.

A thin adapter over :func:`~cdse_intake.readers.open_product`: the product may be a local zip,
folder or file, a product name or id, a ``cdse://`` URL or a :class:`~cdse_intake.Product`.
xarray applies ``chunks`` itself, so the reader opens without dask here. Products that open as a
DataTree need ``group=`` with ``open_dataset`` (the error lists the groups); ``open_datatree``
returns the whole tree. Reader options pass through as keywords (``resolution=10``, ...).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from xarray.backends import BackendEntrypoint

from . import _closing
from .families import NAMES

__all__ = ["CDSEBackendEntrypoint"]

#: Families whose names xarray may hand to ``guess_can_open``: CDSE product names (as zips or
#: folders), not arbitrary ``.nc``/``.tif``/``.zarr`` files or tiles, which belong to the generic
#: backends (netCDF, rasterio, zarr).
_CLAIMED = ("sentinel-1", "sentinel-2", "sentinel-3", "sentinel-5p", "sentinel-6", "landsat")


class CDSEBackendEntrypoint(BackendEntrypoint):
    """Open CDSE products (Sentinel-1/2/3/5P, EOPF Zarr, CLMS GeoTIFF) with cdse_intake."""

    description = (
        "CDSE products with cdse_intake: Sentinel-1/2 SAFE, Sentinel-3 SEN3, Sentinel-5P netCDF, "
        "EOPF Zarr and GeoTIFF, from zips without extracting, from the cache or from CDSE"
    )
    url = "https://dataspace.copernicus.eu"
    open_dataset_parameters = ("filename_or_obj", "drop_variables", "group")

    def open_dataset(  # type: ignore[override]
        self,
        filename_or_obj: Any,
        *,
        drop_variables: str | Iterable[str] | None = None,
        group: str | None = None,
        **options: Any,
    ) -> Any:
        import xarray as xr

        from .api import open_product

        result = open_product(filename_or_obj, chunks=None, **options)
        if isinstance(result, xr.DataTree):
            if group is None:
                groups = ", ".join(n.path for n in result.subtree if n.has_data)
                raise ValueError(
                    f"{result.attrs.get('cdse_product', filename_or_obj)!s} opens as a tree of "
                    f"groups; pass group= one of: {groups} (or use xr.open_datatree)"
                )
            from .api import select_group

            result = select_group(result, group)
        elif group is not None:
            from .api import select_group

            select_group(result, group)  # raises: a single Dataset has no groups
        return _drop(result, drop_variables)

    def open_datatree(  # type: ignore[override]
        self,
        filename_or_obj: Any,
        *,
        drop_variables: str | Iterable[str] | None = None,
        **options: Any,
    ) -> Any:
        import xarray as xr

        from .api import open_product

        result = open_product(filename_or_obj, chunks=None, **options)
        if isinstance(result, xr.Dataset):
            result = xr.DataTree(_drop(result, drop_variables))
        elif drop_variables is not None:
            dropped = result.map_over_datasets(lambda ds: _drop(ds, drop_variables))
            result = _closing.closing(dropped, [result])  # the new tree would not close files
        return result

    def guess_can_open(self, filename_or_obj: Any) -> bool:
        from ..product import Product

        if isinstance(filename_or_obj, Product):
            return True
        if not isinstance(filename_or_obj, (str, os.PathLike)):
            return False
        text = os.fspath(filename_or_obj)
        if text.startswith("cdse://"):
            return True
        name = os.path.basename(text.rstrip("/\\"))
        return any(NAMES[key].match(name) for key in _CLAIMED)


def _drop(ds: Any, names: str | Iterable[str] | None) -> Any:
    if names is None:
        return ds
    names = [names] if isinstance(names, str) else list(names)
    return _closing.closing(ds.drop_vars(names, errors="ignore"), [ds])  # drop_vars drops it
