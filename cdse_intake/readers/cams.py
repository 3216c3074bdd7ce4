"""CAMS global products (GLOBAL forecasts, GFAS fires) as an xarray Dataset.

The files are netCDF as ECMWF disseminates CAMS (``grib_to_netcdf``, CF-1.6): fields named by
their GRIB short names (``aod550``, ``gtco3``, ``tcno2``, ``tcco``; ``frpfire``, ``co2fire``
…) on ``(time, latitude, longitude)``, int16 packed with ``scale_factor``/``add_offset`` and
``_FillValue``, ``time`` in hours since 1900. xarray's CF decoding gives physical values (float)
and datetimes; the grid is as the file has it (longitudes 0..360 east, latitudes north to
south). Read lazily through :func:`.netcdf.open_netcdf`, from any source (zip, remote).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import UnsupportedProduct
from .netcdf import open_netcdf
from .source import ProductSource

__all__ = ["NAME", "open"]

#: ``z_cams_c_ecmf_<YYYYMMDDhhmmss>_prod_<fc|an>_<level type>_<parameter>.nc``
NAME = re.compile(r"^z_cams_c_ecmf_(?P<time>\d{14})_prod_(?P<kind>fc|an)_(?P<level>[a-z]+)_")


def open(source: ProductSource, *, chunks: Any = "auto") -> Any:
    """The CAMS netCDF of ``source`` as a lazy Dataset with decoded values."""
    rel = "" if source.single_file else source.find_one("*.nc", "CAMS netCDF file")
    ds = open_netcdf(source, rel, chunks=chunks)
    missing = {"latitude", "longitude", "time"} - set(ds.coords)
    if missing or not ds.data_vars:
        ds.close()
        raise UnsupportedProduct(
            f"{source.location} is not a CAMS grid file: it lacks "
            + (", ".join(sorted(missing)) or "data variables")
        )
    match = NAME.match(rel.rsplit("/", 1)[-1] or source.name)
    if match is not None:
        ds.attrs["cams_stream"] = {"fc": "forecast", "an": "analysis"}[match["kind"]]
    return ds
