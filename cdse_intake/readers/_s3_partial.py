"""What the Sentinel-3 reader does with a partial product: absent netCDF files and manifest.

- Absent files: the product opens with the files present and one
  :class:`PartialProductWarning` names the absent ones (:func:`report`). When ``variables=`` or
  ``bands=`` asks for a subset, only the absent files that would have given the variables kept
  their coordinates (geolocation and time files on their grids) are reported; a variable asked
  for whose file is absent is an :class:`UnsupportedProduct` naming it (:func:`refuse`).
- An absent geolocation file (``geo_coordinates.nc``, ``geodetic_in.nc``, ``geolocation.nc``,
  ``tie_geo_coordinates.nc``): its grid opens on its pixel axes, without latitude/longitude,
  and the warning says so.
- No file present at all: metadata only (the manifest's attributes and footprint).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import xarray as xr

from ..errors import UnsupportedProduct
from ._partial import listed, warn_missing
from ._s3_metadata import DataObject

__all__ = ["METADATA_ONLY", "holders", "refuse", "report"]

#: The ``kind`` of :func:`._partial.warn_missing` when no netCDF file is present.
METADATA_ONLY = "netCDF files (all of them: opened as metadata only)"

#: Files holding a grid's latitude/longitude, and its time stamps.
_GEO = re.compile(r"^(tie_)?geo", re.IGNORECASE)
_TIME = re.compile(r"^time", re.IGNORECASE)


def report(
    location: str,
    absent: Sequence[tuple[DataObject, str | None]],
    datasets: dict[str, xr.Dataset],
    subset: bool,
    metadata_only: bool = False,
) -> None:
    """One :class:`PartialProductWarning` naming the ``absent`` files (each with the grid it
    would lie on); with a ``subset`` asked, only the coordinate files of the grids kept."""
    if subset:
        absent = [
            (o, g)
            for o, g in absent
            if g in datasets and (_GEO.match(o.stem) or _TIME.match(o.stem))
        ]
    if not absent:
        return
    if metadata_only:
        warn_missing(location, [o.href for o, _ in absent], METADATA_ONLY)
        return
    notes = []
    for obj, grid in absent:
        ds = datasets.get(grid) if grid is not None else None
        if ds is not None and _GEO.match(obj.stem) and not _located(ds):
            dims = ", ".join(str(d) for d in _pixel_axes(ds))
            notes.append(
                f"{obj.href} is absent: grid {grid!r} has no latitude/longitude, only its pixel "
                "axes" + (f" ({dims})" if dims else "")
            )
    kind = "files" + (f" ({'; '.join(notes)})" if notes else "")
    warn_missing(location, [o.href for o, _ in absent], kind)


def refuse(
    location: str,
    unknown: Sequence[str],
    absent: Sequence[DataObject],
    present: Sequence[str],
    what: str = "variable",
) -> None:
    """UnsupportedProduct for variables (or bands) asked for that are not in the files present
    while some files are absent: they may be in those."""
    if not unknown or not absent:
        return
    name = unknown[0]
    files = holders(name, absent)
    where = (
        f"its file is absent ({', '.join(files)})"
        if files
        else f"it is in none of the files present, and {len(absent)} files are absent "
        f"({listed([o.href for o in absent])})"
    )
    raise UnsupportedProduct(
        f"{location}: {what} {name} was asked for but {where}; the {what}s present are "
        + (listed(list(present), 12) if present else "none")
    )


def _located(ds: xr.Dataset) -> bool:
    """Whether the grid has a latitude coordinate (``latitude``, ``lat``, ``latitude_in``...)."""
    return any(str(n).startswith("lat") for n in ds.coords)


def _pixel_axes(ds: xr.Dataset) -> tuple[object, ...]:
    """The dimensions of the grid's first image (2-D or more) variable, else of the grid."""
    for var in ds.data_vars.values():
        if var.ndim >= 2:
            return var.dims
    return tuple(ds.dims)


def holders(name: str, absent: Sequence[DataObject]) -> list[str]:
    """The absent files whose name holds ``name`` (``Oa05`` in ``Syn_Oa05_reflectance.nc``)."""
    token = re.compile(rf"(?:^|_){re.escape(name)}(?:_|$)", re.IGNORECASE)
    return [o.href for o in absent if token.search(o.stem)]
