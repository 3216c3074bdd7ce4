"""CAMS global products (GLOBAL forecasts, GFAS fires) as an xarray Dataset.

The files are netCDF as ECMWF disseminates CAMS (``grib_to_netcdf``, CF-1.6): fields named by
their GRIB short names (``aod550``, ``gtco3``, ``tcno2``, ``tcco``; ``frpfire``, ``co2fire``
…) on ``(time, latitude, longitude)``, int16 packed with ``scale_factor``/``add_offset`` and
``_FillValue``, ``time`` in hours since 1900. xarray's CF decoding gives physical values (float)
and datetimes (``scale=False``: the stored int16 with their packing attributes); the grid is as
the file has it (longitudes 0..360 east, latitudes north to south). Read lazily through
:func:`.netcdf.open_netcdf`, from any source (zip, remote). An empty, foreign or truncated file
is refused naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import UnsupportedProduct
from ._subset import names, select
from .families import NAMES
from .netcdf import checked_chunks, checked_manager, open_netcdf
from .options import check_bool
from .source import ProductSource

__all__ = ["NAME", "open"]

#: ``z_cams_c_ecmf_<YYYYMMDDhhmmss>_prod_<fc|an>_<level type>_<parameter>.nc``
NAME = NAMES["cams"]


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    variables: str | Sequence[str] | None = None,
    scale: bool = True,
) -> Any:
    """The CAMS netCDF of ``source`` as a lazy Dataset with decoded values.

    ``variables``: only these fields (``["aod550"]``); ``scale=False``: the stored packed
    integers, with their ``scale_factor``/``add_offset``/``_FillValue`` attributes.
    """
    wanted = names(variables, "['aod550']")
    scale = check_bool("scale", scale)
    rel = "" if source.single_file else source.find_one("*.nc", "CAMS netCDF file")
    manager = checked_manager(source, rel, "a CAMS netCDF file")
    chunks = checked_chunks(chunks, source, rel, manager, ["/"], "the CAMS fields")
    ds = open_netcdf(source, rel, chunks=chunks, mask_and_scale=scale)
    missing = {"latitude", "longitude", "time"} - set(ds.coords)
    if missing or not ds.data_vars:
        ds.close()
        raise UnsupportedProduct(
            f"{source.location} is not a CAMS grid file: it lacks "
            + (", ".join(sorted(missing)) or "data variables")
        )
    ds = select(ds, wanted, f"the CAMS file {rel or source.name}")
    match = NAME.match(rel.rsplit("/", 1)[-1] or source.name)
    if match is not None:
        ds.attrs["cams_stream"] = {"fc": "forecast", "an": "analysis"}[match["kind"]]
    return ds
