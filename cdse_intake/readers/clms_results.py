"""The result of a CLMS data request (land.copernicus.eu) as one lazy Dataset.

A CLMS data request (an area, a CRS, GeoTIFF or netCDF, maybe a time range) is answered with a
zip of one raster per dataset and date, beside metadata (XML, PDF, ...).
:func:`open_clms_result` opens such a zip in place, its extracted folder, or a list of files,
reading each raster with the project's readers: GeoTIFFs with :func:`.geotiff.open` (GDAL,
``/vsizip/`` for zips), netCDF-4 with :func:`.gridded.open` (h5netcdf), so scaling and flags
follow the CLMS convention of those readers (details in :mod:`._clms_files`).

- Values: ``scale=True`` (default) gives physical values (``DN * scale_factor + add_offset``,
  e.g. NDVI ``DN * 0.004 - 0.08``) with nodata and flagged DNs (``flag_values``, e.g. 254 sea,
  255 missing) as NaN, and a ``<var>_flags`` variable with the raw DNs and the file's
  ``flag_values``/``flag_meanings`` (named by the data's ``ancillary_variables``). Categorical
  layers (``flag_values`` without scale/offset: land cover classes) keep their codes, nodata
  as NaN, the legend in their ``flag_*`` attributes. ``scale=False`` gives the raw DNs with
  their CF attributes (``_FillValue``, ``scale_factor``, ``add_offset``, ``flag_*``).
- Names: a GeoTIFF's variable is named after its file (``NDVI`` for ``c_gls_NDVI300_…``, see
  :mod:`._clms_names`); a netCDF file keeps its variables' names, except GDAL's ``Band1``…
- Time: a ``time`` coordinate from the file name (``YYYYMMDDHHMM``, ``YYYYMMDD``, an epoch year
  ``_2018_``), else from the file's tags/attributes (``time_coverage_start``, ``DATE``, ...,
  ``TIFFTAG_DATETIME`` last), else the netCDF's own ``time`` variable; a file with none has no
  ``time`` dimension and is not stacked.
- Several files: those on one grid (CRS, transform, shape) form one Dataset, a layer's dates
  stacked along ``time`` (sorted), layers side by side (:mod:`._clms_stack`). Files on
  different grids are never resampled: by default they are an error naming each grid's files;
  ``group_by_grid=True`` returns a dict of Datasets keyed by the grid's label
  (``"EPSG:3035 400x300+4300000+2900000"``: CRS, width x height, west and north edges), always
  a dict.
- Attributes: ``source_files`` (the rasters), ``ignored_files`` (the other members, when any),
  ``grid`` (its label) and ``cdse_source`` (where the result is).

Not registered in :func:`~cdse_intake.open_product`'s detection: a result zip carries no product
name to recognise (``<FME task id>.zip``), and its members look like the products of the
gridded and GeoTIFF families.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, overload

import xarray as xr

from ..errors import UnsupportedProduct
from ._clms_files import NETCDF, TIFF, open_file
from ._clms_stack import group, stack
from ._closing import closing
from ._partial import listed
from .options import check_bool, check_chunks
from .source import ProductSource, from_local

__all__ = ["open_clms_result"]

PathLike = str | os.PathLike[str]


@overload
def open_clms_result(
    source: PathLike | Sequence[PathLike],
    *,
    chunks: Any = ...,
    scale: bool = ...,
    group_by_grid: Literal[False] = ...,
) -> xr.Dataset: ...
@overload
def open_clms_result(
    source: PathLike | Sequence[PathLike],
    *,
    chunks: Any = ...,
    scale: bool = ...,
    group_by_grid: Literal[True],
) -> dict[str, xr.Dataset]: ...
def open_clms_result(
    source: PathLike | Sequence[PathLike],
    *,
    chunks: Any = "auto",
    scale: bool = True,
    group_by_grid: bool = False,
) -> xr.Dataset | dict[str, xr.Dataset]:
    """The rasters of a CLMS data-request result as a lazy Dataset (see the module docstring).

    ``source``: the result zip (read in place), its extracted folder, or a list of files (or
    zips/folders). ``chunks``: ``"auto"`` (the files' own tiles), a dict of dimension sizes
    (``time``, ``y``, ``x``...), an int, or None (no dask; files stacked in time then become
    one dask chunk each). ``scale``: physical values (default) or raw DNs.
    ``group_by_grid``: a dict ``{grid label: Dataset}`` instead of an error when the files lie
    on several grids. Raises :class:`~cdse_intake.errors.UnsupportedProduct` (a ``ValueError``)
    for a result without raster, a damaged raster, or (by default) several grids.
    """
    scale = check_bool("scale", scale)
    group_by_grid = check_bool("group_by_grid", group_by_grid)
    chunks = check_chunks(chunks)
    rasters, ignored, location = _members(source)
    if not rasters:
        found = f"only {listed(ignored)}" if ignored else "no files"
        raise UnsupportedProduct(f"{location}: no GeoTIFF or netCDF file in the result; {found}")
    opened = [open_file(view, chunks, scale) for view in rasters]
    groups = group(opened)
    if len(groups) > 1 and not group_by_grid:
        described = "; ".join(
            f"{grid.label}: {listed([f.name for f in members], 4)}" for grid, members in groups
        )
        raise UnsupportedProduct(
            f"{location}: the files lie on {len(groups)} different grids and are not resampled "
            f"({described}); pass group_by_grid=True for one Dataset per grid"
        )
    stacked = [(grid, members, stack(members, location)) for grid, members in groups]
    if isinstance(chunks, Mapping):  # a dimension of any grid's Dataset is accepted
        dims = {str(d): str(d) for _, _, ds in stacked for d in ds.dims}
        chunks = check_chunks(chunks, dims, what="the arrays of the result")
    results: dict[str, xr.Dataset] = {}
    for grid, members, ds in stacked:
        if isinstance(chunks, Mapping):
            ds = ds.chunk({k: v for k, v in chunks.items() if k in ds.dims})
        ds.attrs["source_files"] = [f.name for f in members]
        if ignored:
            ds.attrs["ignored_files"] = list(ignored)
        ds.attrs["grid"] = grid.label
        ds.attrs["cdse_source"] = location
        key = grid.label
        while key in results:  # grids apart by less than the label shows
            key += "'"
        results[key] = closing(ds, [f.ds for f in members])
    return results if group_by_grid else next(iter(results.values()))


def _members(source: Any) -> tuple[list[ProductSource], list[str], str]:
    """``(one source per raster file, ignored member names, location for messages)``."""
    if isinstance(source, (str, os.PathLike)):
        items, location = [source], os.fspath(source)
    elif isinstance(source, Sequence) and source:
        items = list(source)
        location = os.fspath(items[0]) if len(items) == 1 else f"{len(items)} files"
    else:
        raise TypeError(
            f"cannot open {source!r} as a CLMS result; expected the path of its zip or folder, "
            "or a non-empty list of file paths"
        )
    rasters: list[ProductSource] = []
    ignored: list[str] = []
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"cannot open {item!r} as a file of a CLMS result; expected a path")
        container = from_local(item)
        for rel in container.files():
            name = (rel or container.name).rsplit("/", 1)[-1]
            hidden = name.startswith(".") or "__MACOSX/" in rel
            if hidden or not name.lower().endswith(TIFF + NETCDF):
                ignored.append(rel or container.name)
            else:
                rasters.append(_view(container, rel))
    return rasters, ignored, location


def _view(container: ProductSource, rel: str) -> ProductSource:
    """A source holding only the file ``rel`` of ``container`` (``""``: the container is the
    file), which the single-raster readers open as their product's one file."""
    if rel:
        return dataclasses.replace(container, name=rel.rsplit("/", 1)[-1], _files=[rel])
    path = Path(container.root)  # a lone file: as the one file of its folder
    folder = str(path.parent)
    return ProductSource(path.name, container.fs, folder, "directory", folder, _files=[path.name])
