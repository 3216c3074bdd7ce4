"""Sentinel-3 OLCI, SLSTR, SYNERGY and SRAL products (``.SEN3``) as lazy xarray DataTrees.

A SEN3 product is a folder of netCDF-4 files, one or a few variables each, listed by
``xfdumanifest.xml``: every ``dataObject`` names a file (``byteStream/fileLocation@href``, with
its ``mimeType``, size and MD5), every ``contentUnit`` says whether it is a "Measurement" or an
"Annotation Data Unit" and (``dmdID``) which annotations go with it; the ``metadataSection``
holds the product facts (platform, product type, acquisition period, orbit, footprint
``gml:posList`` as *lat lon* pairs, baseline collection, processor, band wavelengths).

The files of one product lie on several grids, and variables only make sense on theirs:

- OLCI (``OL_1_EFR/ERR``, ``OL_2_*``): the image grid ``(rows, columns)`` of ``OaNN_radiance``
  (or ``_reflectance``), ``qualityFlags``, ``geo_coordinates`` (``latitude``, ``longitude``,
  ``altitude``), ``time_coordinates`` (``time_stamp`` per row) and the level-2 products; the
  tie-point grid ``(tie_rows, tie_columns)`` of ``tie_geo_coordinates``, ``tie_geometries``,
  ``tie_meteo`` (every 64th column in EFR, ``ac_subsampling_factor``); ``removed_pixels``.
- SLSTR (``SL_1_RBT``, ``SL_2_LST``, ...): every grid has dimensions ``rows``/``columns`` but
  different sizes, so the grid is the file-name suffix: stripe ``a``/``b`` (500 m), ``i``
  (1 km), ``f`` (fire), ``t`` (16 km tie points) and view ``n`` (nadir), ``o`` (oblique), ``x``
  (both): ``LST_in``, ``geodetic_in`` (``latitude_in``, ``longitude_in``), ``met_tx``,
  ``geometry_tn``... Files without a suffix (``LST_ancillary_ds``) join the grid whose
  dimension sizes they share.
- SYNERGY (``SY_2_*``): ``Syn_*_reflectance``, ``flags``, ``time`` on the ``geolocation`` grid
  (``lat``, ``lon``); each ``tiepoints_*`` file is its own list of tie points; the
  ``removed_pixels`` files a group of their own. The VEGETATION products (``SY_2_V10``,
  ``VG1``, ``VGP``) lie on a regular grid indexed by 1-D ``lat``/``lon``: ``measurements``
  (``B0``... ``NDVI``, ``SM``) and ``ancillary`` (angles, aerosol, ozone, water vapour).
- SLSTR Level 2 single-file products: WST's GHRSST file is the grid ``L2P``; AOD's
  ``NRT_AOD``/``NTC_AOD`` a grid of its own.
- SRAL (``SR_1_*``, ``SR_2_*``): along-track series, one per file and rate:
  ``standard_measurement/01`` (1 Hz), ``standard_measurement/20_ku`` (20 Hz Ku band),
  ``measurement_l1b/l1b_echo_sar_ku``..., each with the dimension ``time`` and the coordinates
  ``time``, ``lat`` and ``lon`` (:mod:`._s3_altimetry`).

:func:`open` returns an :class:`xarray.DataTree`: the root holds the product attributes, each
child one grid (``measurements``, ``tie_points``, ``removed_pixels`` for OLCI; ``in``, ``tx``,
``tn``... for SLSTR), its files merged into one Dataset with latitude/longitude (and altitude or
elevation) as 2-D coordinates and the per-row time stamps as a ``time`` coordinate; ``grid=...``
returns one of them as a Dataset. Files are opened with :func:`.netcdf.open_netcdf` (zips,
folders and ``cdse://`` alike; dask chunks on the files' HDF5 chunking; the result pickles).

Partial products open with what is present, with one :class:`PartialProductWarning` naming what
is absent (:mod:`._s3_partial`): absent netCDF files are left out (an absent geolocation file
leaves its grid on its pixel axes, without latitude/longitude); without ``xfdumanifest.xml`` the
product is described from its netCDF files (:mod:`._s3_nomanifest`); without any netCDF file it
opens as metadata only. Empty, foreign or truncated files are refused naming the file
(:mod:`._s3_members`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import xarray as xr

from ..errors import UnsupportedProduct
from ._closing import closing
from ._partial import warn_missing
from ._s3_altimetry import split_rates
from ._s3_coordinates import merge, tie_point_times
from ._s3_files import locate, open_file
from ._s3_grids import bad_grid, grid_order, place, planned_grid
from ._s3_manifest import MANIFEST, manifest_path, parse_manifest, read_metadata
from ._s3_metadata import Band, DataObject, Sentinel3Metadata
from ._s3_nomanifest import NOTE, metadata_from_files
from ._s3_partial import report
from ._s3_select import band_variables, check_names, select
from .source import ProductSource

__all__ = ["Band", "DataObject", "Sentinel3Metadata", "open", "parse_manifest", "read_metadata"]

#: OLCI band of a variable name: ``Oa08_radiance``, ``SDR_Oa08``, ``Oa08_reflectance_err``.
_OLCI_BAND = re.compile(r"(?:^|_)(Oa\d\d)(?:_|$)")


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    grid: str | None = None,
    variables: str | Iterable[str] | None = None,
    bands: str | Iterable[str] | None = None,
) -> xr.DataTree | xr.Dataset:
    """Open a Sentinel-3 SEN3 product lazily.

    Returns a DataTree whose root holds the product attributes (from the manifest) and whose
    children are the product's grids (see the module docstring), or with ``grid="..."`` that
    grid's Dataset (product attributes included). ``variables``: keep only these variables
    (names as in the files, e.g. ``["Oa08_radiance", "Oa17_radiance"]``); ``bands``: keep every
    variable of these bands (``["Oa08"]``: ``Oa08_radiance``; ``S1N`` for SYNERGY, ``S3`` for
    SLSTR); both may be given; coordinates stay.

    Values are decoded as the files' CF attributes say (xarray's decoding): OLCI radiances are
    stored as uint16 counts with ``scale_factor``/``add_offset``, so they read as float32
    ``counts * scale_factor + add_offset`` with the ``_FillValue`` count (65535) as NaN; the raw
    counts and factors stay in each variable's ``encoding``. Latitudes/longitudes (int32 times
    1e-6) decode to degrees, ``time_stamp`` (microseconds since 2000-01-01) to ``time``. Flag
    variables (``quality_flags``, ``WQSF``...) stay unsigned integers, their ``_FillValue`` an
    attribute, so that bit tests work. A variable found in two files of a grid is read from the
    first (in manifest order).

    Absent files: one :class:`~cdse_intake.errors.PartialProductWarning` names them (with a
    subset asked, only the geolocation/time files of the grids kept); a variable or band asked
    for whose file is absent is an :class:`~cdse_intake.errors.UnsupportedProduct`.
    """
    wanted = check_names(variables, "variables", "['Oa08_radiance']")
    asked_bands = check_names(bands, "bands", "['Oa08', 'Oa17']")
    if grid is not None and not isinstance(grid, str):
        raise ValueError(f"grid={grid!r}: expected a grid name (str) or None")
    if source.single_file:
        raise UnsupportedProduct(
            f"{source.location} is a single file; a Sentinel-3 SEN3 product is a folder "
            f"(or zip) holding {MANIFEST} and netCDF files"
        )
    parts: list[xr.Dataset] = []  # every Dataset opened: closing the result closes their files
    has_manifest = manifest_path(source) is not None
    meta = read_metadata(source) if has_manifest else metadata_from_files(source, chunks, parts)
    kind = meta.product_type[:2]
    series, grid = grid, _file_grid(kind, grid)  # SRAL: "<file>/<rate>" lies in "<file>"
    objects = [o for o in meta.data_objects if o.is_netcdf]
    if not objects:
        raise UnsupportedProduct(f"{source.location}: {MANIFEST} lists no netCDF file to open")
    planned: dict[str, list[DataObject]] = {}
    unplaced: list[DataObject] = []
    for obj in objects:
        name = planned_grid(kind, obj)
        if name is None:
            unplaced.append(obj)
        else:
            planned.setdefault(name, []).append(obj)
    if grid is not None and not unplaced and grid not in planned:
        known = grid_order({n: [(o, None) for o in objs] for n, objs in planned.items()})
        raise ValueError(bad_grid(grid, known, meta.name))
    needed = [o for o in objects if grid is None or unplaced or o in planned.get(grid, [])]
    rels, missing = locate(source, needed)
    absent = [o for o in needed if o.href in missing]

    opened = {
        o.href: open_file(source, rels[o.href], chunks, parts) for o in needed if o.href in rels
    }
    groups: dict[str, list[tuple[DataObject, xr.Dataset]]] = {
        name: [(o, opened[o.href]) for o in objs if o.href in opened]
        for name, objs in planned.items()
    }
    groups = {name: found for name, found in groups.items() if found}  # no file: no grid
    for obj in unplaced:
        if obj.href in opened:
            place(groups, obj, opened[obj.href])
    order = grid_order(groups)
    if grid is not None and grid not in groups and not _absent_grid(grid, planned, absent):
        raise ValueError(bad_grid(grid, order, meta.name))

    names = order if grid is None else [n for n in (grid,) if n in groups]
    datasets = {name: merge(name, groups[name], source) for name in names}
    if kind == "SR":
        datasets = {k: v for n, ds in datasets.items() for k, v in split_rates(n, ds).items()}
        if series is not None and series not in datasets and datasets:
            raise ValueError(bad_grid(series, list(datasets), meta.name))
        grid = series
    tie_point_times(datasets, planned, source, rels, chunks, parts)
    for ds in datasets.values():
        _describe_bands(ds, meta)
    if asked_bands:
        wanted += band_variables(datasets, asked_bands, meta.name, source.location, absent)
    if wanted:
        wanted = list(dict.fromkeys(wanted))
        datasets = select(datasets, wanted, meta.name, grid, source.location, absent)

    if has_manifest:
        where = [(o, planned_grid(kind, o)) for o in absent]
        report(source.location, where, datasets, bool(wanted), metadata_only=not opened)
    else:
        warn_missing(source.location, [MANIFEST], f"files ({NOTE})")
    root_attrs = meta.attrs()
    if grid is not None:
        ds = datasets.get(grid, xr.Dataset())
        ds.attrs = {**root_attrs, **ds.attrs}
        return closing(ds, parts)
    tree = xr.DataTree.from_dict({"/": xr.Dataset(attrs=root_attrs), **datasets})
    return closing(tree, parts)


def _absent_grid(grid: str, planned: dict[str, list[DataObject]], absent: list[DataObject]) -> bool:
    """Whether ``grid`` is a grid of the product all of whose files are absent."""
    return grid in planned or any(o.stem == grid for o in absent)


def _file_grid(kind: str, grid: str | None) -> str | None:
    """The grid of the files holding ``grid``: a SRAL series ``<file>/<rate>`` lies in
    ``<file>``."""
    if kind == "SR" and grid is not None:
        return grid.split("/", 1)[0]
    return grid


def _describe_bands(ds: xr.Dataset, meta: Sentinel3Metadata) -> None:
    """Add the manifest's central wavelength and bandwidth (nm) to band variables."""
    for name, var in ds.data_vars.items():
        match = _OLCI_BAND.search(str(name))
        band = meta.band(match.group(1)) if match else None
        if band is None:
            continue
        if band.central_wavelength is not None:
            var.attrs.setdefault("central_wavelength_nm", band.central_wavelength)
        if band.bandwidth is not None:
            var.attrs.setdefault("bandwidth_nm", band.bandwidth)
