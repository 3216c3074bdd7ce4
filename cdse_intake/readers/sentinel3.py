"""Sentinel-3 OLCI, SLSTR and SYNERGY products (``.SEN3``) as lazy xarray DataTrees.

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
  ``removed_pixels`` files a group of their own.

:func:`open` returns an :class:`xarray.DataTree`: the root holds the product attributes, each
child one grid (``measurements``, ``tie_points``, ``removed_pixels`` for OLCI; ``in``, ``tx``,
``tn``... for SLSTR), its files merged into one Dataset with latitude/longitude (and altitude or
elevation) as 2-D coordinates and the per-row time stamps as a ``time`` coordinate; ``grid=...``
returns one of them as a Dataset. Files are opened with :func:`.netcdf.open_netcdf` (zips,
folders and ``cdse://`` alike; dask chunks on the files' HDF5 chunking; the result pickles).
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from . import xml
from ._closing import closing
from ._times import iso_z, parse_utc
from .netcdf import open_netcdf
from .source import ProductSource

__all__ = ["Band", "DataObject", "Sentinel3Metadata", "open", "parse_manifest", "read_metadata"]

MANIFEST = "xfdumanifest.xml"
#: SLSTR grid codes: stripe (a, b: 500 m; i: 1 km; f: fire; t: tie points) + view (n, o, x).
_SLSTR_GRID = re.compile(r"_([abcfit][nox])$")
#: Variables that locate pixels, whatever the instrument names them (``latitude_in`` ...).
_COORD_NAME = re.compile(r"^(lat|lon|latitude|longitude|altitude|elevation)(_[a-z]{1,2})?$")
_TIME_NAME = re.compile(r"^time(_stamp)?(_[a-z]{1,2})?$")
#: OLCI band of a variable name: ``Oa08_radiance``, ``SDR_Oa08``, ``Oa08_reflectance_err``.
_OLCI_BAND = re.compile(r"(?:^|_)(Oa\d\d)(?:_|$)")
_NETCDF_MIME = ("application/x-netcdf", "application/netcdf", "application/x-netcdf4")


# -- metadata -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataObject:
    """One file of the product, as the manifest lists it."""

    id: str
    """The ``dataObject`` ID (``Oa01_radianceData``, ``SLSTR_GEODETIC_IN_Data``)."""
    href: str
    """The file's path relative to the product folder (``./`` removed)."""
    mime_type: str
    size: int | None
    md5: str | None
    unit_type: str | None
    """``"Measurement Data Unit"`` or ``"Annotation Data Unit"`` (from its ``contentUnit``)."""
    text: str | None
    """The manifest's description of the file (``textInfo``)."""
    annotations: tuple[str, ...] = ()
    """The files of the annotations its content unit links to (``dmdID``), e.g. the
    geo- and time-coordinates of a radiance."""

    @property
    def is_netcdf(self) -> bool:
        return self.mime_type in _NETCDF_MIME or self.href.lower().endswith(".nc")

    @property
    def stem(self) -> str:
        return posixpath.splitext(posixpath.basename(self.href))[0]


@dataclass(frozen=True)
class Band:
    """A spectral band of the manifest's band descriptions (wavelengths in nm)."""

    name: str
    central_wavelength: float | None
    bandwidth: float | None
    olci_channels: str | None = None
    """For SYNERGY bands (``SYN01``): the OLCI channel(s) they come from (``Oa01``)."""


@dataclass(frozen=True)
class Sentinel3Metadata:
    """What ``xfdumanifest.xml`` says about a Sentinel-3 product (no pixel is read)."""

    name: str
    product_type: str
    """``OL_1_EFR___``, ``SL_2_LST___``, ``SY_2_SYN___`` ..."""
    platform: str | None
    """``Sentinel-3A`` ..."""
    instrument: str | None
    """``OLCI``, ``SLSTR``, ``SYNERGY`` (the instrument's abbreviation)."""
    start: datetime | None
    stop: datetime | None
    creation_time: datetime | None
    timeliness: str | None
    """``NR`` (near real time), ``ST`` (short time critical), ``NT`` (non time critical)."""
    baseline: str | None
    """The baseline collection (``002``)."""
    orbit: int | None
    relative_orbit: int | None
    cycle: int | None
    orbit_direction: str | None
    """``ascending`` or ``descending`` (``groundTrackDirection`` at the start)."""
    processor: str | None
    """Processing software and version (``PUG 03.39``)."""
    footprint: tuple[tuple[float, float], ...]
    """The footprint ring as (lon, lat) pairs (the manifest lists lat lon)."""
    data_objects: tuple[DataObject, ...]
    bands: tuple[Band, ...] = ()
    image_sizes: dict[str, tuple[int, int]] = field(default_factory=dict, hash=False)
    """(rows, columns) per view: ``image`` (OLCI), ``nadir`` and ``oblique`` (SLSTR)."""

    @property
    def footprint_wkt(self) -> str | None:
        """The footprint as a WKT polygon (lon lat, as the manifest gives it: not split at the
        antimeridian)."""
        if len(self.footprint) < 3:
            return None
        ring = list(self.footprint)
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        return "POLYGON ((" + ", ".join(f"{lon:g} {lat:g}" for lon, lat in ring) + "))"

    def attrs(self) -> dict[str, Any]:
        """The product facts as netCDF-compatible attributes (absent facts left out)."""
        values = {
            "product_name": self.name,
            "product_type": self.product_type,
            "platform": self.platform,
            "instrument": self.instrument,
            "start_time": iso_z(self.start),
            "stop_time": iso_z(self.stop),
            "creation_time": iso_z(self.creation_time),
            "timeliness": self.timeliness,
            "baseline_collection": self.baseline,
            "absolute_orbit_number": self.orbit,
            "relative_orbit_number": self.relative_orbit,
            "cycle_number": self.cycle,
            "orbit_direction": self.orbit_direction,
            "processor": self.processor,
            "footprint": self.footprint_wkt,
        }
        return {k: v for k, v in values.items() if v is not None}

    def band(self, name: str) -> Band | None:
        """The band called ``name`` (``Oa08``), also through SYNERGY's OLCI channels."""
        for band in self.bands:
            if band.name == name or band.olci_channels == name:
                return band
        return None


def read_metadata(source: ProductSource) -> Sentinel3Metadata:
    """Parse the product's ``xfdumanifest.xml``."""
    rel = _manifest_path(source)
    meta = parse_manifest(source.read_bytes(rel), f"{source.location}: {rel}")
    folder = posixpath.dirname(rel)
    if not folder:
        return meta
    # the manifest's hrefs are relative to its own folder
    objects = tuple(
        replace(
            o,
            href=posixpath.join(folder, o.href),
            annotations=tuple(posixpath.join(folder, a) for a in o.annotations),
        )
        for o in meta.data_objects
    )
    return replace(meta, data_objects=objects)


def parse_manifest(data: bytes, where: str = MANIFEST) -> Sentinel3Metadata:
    """A :class:`Sentinel3Metadata` from the bytes of an ``xfdumanifest.xml``."""
    root = xml.parse(data, where)
    if xml.local(root.tag) != "XFDU":
        raise UnsupportedProduct(f"{where} is not an XFDU manifest (root {xml.local(root.tag)!r})")
    general = xml.find(root, "//generalProductInformation")
    name = _text(general, "productName") or ""
    product_type = _text(general, "productType") or _type_from_name(name)
    if not product_type:
        raise UnsupportedProduct(f"{where}: no productType, not a Sentinel-3 manifest")
    platform = xml.find(root, "//platform")
    orbit = xml.find(root, "//orbitReference")
    orbit_start = _first(orbit, "orbitNumber")
    software = xml.find(root, "//processing/facility/software")
    pos_list = xml.text(root, "//footPrint/posList") or ""
    return Sentinel3Metadata(
        name=name,
        product_type=product_type,
        platform=_platform(platform),
        instrument=_instrument(platform),
        start=parse_utc(xml.text(root, "//acquisitionPeriod/startTime")),
        stop=parse_utc(xml.text(root, "//acquisitionPeriod/stopTime")),
        creation_time=parse_utc(_text(general, "creationTime")),
        timeliness=_text(general, "timeliness"),
        baseline=_text(general, "baselineCollection"),
        orbit=_int(orbit_start.text if orbit_start is not None else None),
        relative_orbit=_int(_text(orbit, "relativeOrbitNumber")),
        cycle=_int(_text(orbit, "cycleNumber")),
        orbit_direction=(
            orbit_start.get("groundTrackDirection") if orbit_start is not None else None
        ),
        processor=(
            " ".join(filter(None, (software.get("name"), software.get("version"))))
            if software is not None
            else None
        ),
        footprint=_footprint(pos_list, where),
        data_objects=_data_objects(root, where),
        bands=_bands(root),
        image_sizes=_image_sizes(root),
    )


# -- opening --------------------------------------------------------------------------------------


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    grid: str | None = None,
    variables: str | Iterable[str] | None = None,
) -> xr.DataTree | xr.Dataset:
    """Open a Sentinel-3 SEN3 product lazily.

    Returns a DataTree whose root holds the product attributes (from the manifest) and whose
    children are the product's grids (see the module docstring), or with ``grid="..."`` that
    grid's Dataset (product attributes included). ``variables``: keep only these variables
    (names as in the files, e.g. ``["Oa08_radiance", "Oa17_radiance"]``); coordinates stay.

    Values are decoded as the files' CF attributes say (xarray's decoding): OLCI radiances are
    stored as uint16 counts with ``scale_factor``/``add_offset``, so they read as float32
    ``counts * scale_factor + add_offset`` with the ``_FillValue`` count (65535) as NaN; the raw
    counts and factors stay in each variable's ``encoding``. Latitudes/longitudes (int32 times
    1e-6) decode to degrees, ``time_stamp`` (microseconds since 2000-01-01) to ``time``. Flag
    variables (``quality_flags``, ``WQSF``...) stay unsigned integers, their ``_FillValue`` an
    attribute, so that bit tests work. A variable found in two files of a grid is read from the
    first (in manifest order).
    """
    wanted = _check_variables(variables)
    if grid is not None and not isinstance(grid, str):
        raise ValueError(f"grid={grid!r}: expected a grid name (str) or None")
    if source.single_file:
        raise UnsupportedProduct(
            f"{source.location} is a single file; a Sentinel-3 SEN3 product is a folder "
            f"(or zip) holding {MANIFEST} and netCDF files"
        )
    meta = read_metadata(source)
    kind = meta.product_type[:2]
    objects = [o for o in meta.data_objects if o.is_netcdf]
    if not objects:
        raise UnsupportedProduct(f"{source.location}: {MANIFEST} lists no netCDF file to open")
    planned: dict[str, list[DataObject]] = {}
    unplaced: list[DataObject] = []
    for obj in objects:
        name = _planned_grid(kind, obj)
        if name is None:
            unplaced.append(obj)
        else:
            planned.setdefault(name, []).append(obj)
    if grid is not None and not unplaced and grid not in planned:
        known = _grid_order({n: [(o, None) for o in objs] for n, objs in planned.items()})
        raise ValueError(_bad_grid(grid, known, meta.name))
    needed = [o for o in objects if grid is None or unplaced or o in planned.get(grid, [])]
    rels = _locate(source, needed)

    parts: list[xr.Dataset] = []  # every Dataset opened: closing the result closes their files
    opened = {o.href: _open_file(source, rels[o.href], chunks, parts) for o in needed}
    groups: dict[str, list[tuple[DataObject, xr.Dataset]]] = {
        name: [(o, opened[o.href]) for o in objs if o.href in opened]
        for name, objs in planned.items()
    }
    for obj in unplaced:
        _place(groups, obj, opened[obj.href])
    order = _grid_order(groups)
    if grid is not None and grid not in groups:
        raise ValueError(_bad_grid(grid, order, meta.name))

    names = [grid] if grid is not None else order
    datasets = {name: _merge(name, groups[name], source) for name in names}
    _tie_point_times(datasets, planned, source, rels, chunks, parts)
    for ds in datasets.values():
        _describe_bands(ds, meta)
    if wanted:
        datasets = _select(datasets, wanted, meta.name, grid)

    root_attrs = meta.attrs()
    if grid is not None:
        ds = datasets[grid]
        ds.attrs = {**root_attrs, **ds.attrs}
        return closing(ds, parts)
    tree = xr.DataTree.from_dict({"/": xr.Dataset(attrs=root_attrs), **datasets})
    return closing(tree, parts)


def _open_file(source: ProductSource, rel: str, chunks: Any, parts: list[xr.Dataset]) -> xr.Dataset:
    """One netCDF file, CF-decoded except its flag variables: bit masks stay integers (with
    ``_FillValue`` among their attributes) so that ``flags & mask`` works. The Datasets opened
    are appended to ``parts``."""
    ds = open_netcdf(source, rel, chunks=chunks)
    parts.append(ds)
    flags = [
        name
        for name, var in ds.data_vars.items()
        if {"flag_masks", "flag_values", "flag_meanings"} & set(var.attrs)
        and np.issubdtype(var.encoding.get("dtype", var.dtype), np.integer)
        and var.dtype != var.encoding.get("dtype", var.dtype)
    ]
    if not flags:
        return ds
    ds = open_netcdf(source, rel, chunks=chunks, mask_and_scale={n: False for n in flags})
    parts.append(ds)
    return ds


def _planned_grid(kind: str, obj: DataObject) -> str | None:
    """The grid of a file from its name, or None when only its dimensions can tell."""
    stem = obj.stem
    low = stem.lower()
    if kind == "OL":
        if low.startswith("tie_"):
            return "tie_points"
        if low.startswith("removed_pixels"):
            return "removed_pixels"
        return "measurements"
    if kind == "SY":
        if low.startswith("tiepoints_"):
            return stem
        if "removed_pixel" in low or low.endswith("_rem"):
            return "removed_pixels"
        return "measurements"
    if kind == "SL":
        match = _SLSTR_GRID.search(stem)
        return match.group(1) if match else None
    return None


def _place(
    groups: dict[str, list[tuple[DataObject, xr.Dataset]]], obj: DataObject, ds: xr.Dataset
) -> None:
    """Put a file the names do not place with the grid whose dimension sizes it shares,
    measurement grids first; else in a group of its own named after the file."""
    sizes = dict(ds.sizes)
    if sizes:
        for name in _grid_order(groups):
            grid_sizes: dict[Any, int] = {}
            for _, other in groups[name]:
                grid_sizes.update(other.sizes)
            shared = set(sizes) & set(grid_sizes)
            if (
                shared
                and all(sizes[d] == grid_sizes[d] for d in shared)
                and (len(shared) >= 2 or set(sizes) <= set(grid_sizes))
            ):
                groups[name].append((obj, ds))
                return
    groups.setdefault(obj.stem, []).append((obj, ds))


def _grid_order(groups: dict[str, list[tuple[DataObject, Any]]]) -> list[str]:
    """Grids holding measurements first, then the others, each in manifest order."""

    def has_measurements(name: str) -> bool:
        return any(o.unit_type == "Measurement Data Unit" for o, _ in groups[name])

    names = list(groups)
    return sorted(names, key=lambda n: (not has_measurements(n), names.index(n)))


def _locate(source: ProductSource, objects: list[DataObject]) -> dict[str, str]:
    """The path in the product of each object's file; UnsupportedProduct naming the absent."""
    found: dict[str, str] = {}
    missing = []
    for obj in objects:
        if source.exists(obj.href):
            found[obj.href] = obj.href
            continue
        # products from other processors differ in case only
        same = [f for f in source.files() if f.lower() == obj.href.lower()]
        if same:
            found[obj.href] = same[0]
        else:
            missing.append(obj.href)
    if missing:
        raise UnsupportedProduct(
            f"{source.location}: {MANIFEST} lists files the product does not hold: "
            + ", ".join(missing)
        )
    return found


def _merge(name: str, parts: list[tuple[DataObject, xr.Dataset]], source: ProductSource) -> Any:
    """The files of one grid as one Dataset, with its coordinates."""
    datasets = [ds for _, ds in parts]
    try:
        # compat="override": a variable found in two files is taken from the first (no read)
        merged = xr.merge(datasets, compat="override", join="exact", combine_attrs="override")
    except ValueError as err:
        files = ", ".join(o.href for o, _ in parts)
        raise UnsupportedProduct(
            f"{source.location}: the files of grid {name!r} ({files}) do not share one grid: {err}"
        ) from err
    merged.attrs = _common_attrs([ds.attrs for ds in datasets])
    return _coordinates(merged)


def _coordinates(ds: xr.Dataset) -> xr.Dataset:
    """Latitude/longitude/altitude as coordinates (as the CF ``coordinates`` attributes of the
    measurements say, or by name), and the per-row time stamps as ``time``."""
    names: set[str] = set()
    for var in ds.variables.values():
        names.update(str(var.encoding.get("coordinates", "")).split())
        names.update(str(var.attrs.get("coordinates", "")).split())
    for name, var in ds.data_vars.items():
        if var.attrs.get("standard_name") in ("latitude", "longitude") or _COORD_NAME.match(
            str(name)
        ):
            names.add(str(name))
    stamps = [
        str(n)
        for n, v in ds.variables.items()
        if _TIME_NAME.match(str(n)) and v.ndim == 1 and np.issubdtype(v.dtype, np.datetime64)
    ]
    names.update(stamps)
    ds = ds.set_coords(sorted(n for n in names if n in ds.data_vars))
    if len(stamps) == 1 and stamps[0] != "time" and "time" not in ds.variables:
        ds = ds.rename({stamps[0]: "time"})
    for var in ds.variables.values():
        # the files' lists name variables now renamed; xarray writes the right one itself
        var.encoding.pop("coordinates", None)
        var.attrs.pop("coordinates", None)
    return ds


def _tie_point_times(
    datasets: dict[str, xr.Dataset],
    planned: dict[str, list[DataObject]],
    source: ProductSource,
    rels: dict[str, str],
    chunks: Any,
    parts: list[xr.Dataset],
) -> None:
    """OLCI tie points lie on every ``al_subsampling_factor``-th image row: give them the
    image's row times (from ``time_coordinates``, opened for ``grid="tie_points"`` too)."""
    tie = datasets.get("tie_points")
    if tie is None or "time" in tie.variables or "tie_rows" not in tie.dims:
        return
    if "measurements" in datasets:
        times = datasets["measurements"].get("time")
    else:
        found = [o for o in planned.get("measurements", []) if o.stem == "time_coordinates"]
        if not found:
            return
        rels.update(_locate(source, found))
        part = _coordinates(_open_file(source, rels[found[0].href], chunks, parts))
        times = part.get("time")
    if times is None or times.dims != ("rows",):
        return
    step = _int(np.asarray(tie.attrs.get("al_subsampling_factor", 1)).ravel()[0]) or 1
    if math.ceil(times.sizes["rows"] / step) != tie.sizes["tie_rows"]:
        return
    picked = times.variable[::step]
    datasets["tie_points"] = tie.assign_coords(
        time=xr.Variable(("tie_rows",), picked.data, picked.attrs, picked.encoding)
    )


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


def _select(
    datasets: dict[str, xr.Dataset], wanted: list[str], product: str, grid: str | None
) -> dict[str, xr.Dataset]:
    available = {str(n) for ds in datasets.values() for n in ds.variables}
    unknown = [n for n in wanted if n not in available]
    if unknown:
        data = sorted({str(n) for ds in datasets.values() for n in ds.data_vars})
        where = f"grid {grid!r} of {product}" if grid else product
        raise ValueError(
            f"variables={unknown!r}: not in {where}; available: "
            + (", ".join(data) if data else "none (the files hold no variables)")
        )
    out = {}
    for name, ds in datasets.items():
        if not any(n in ds.variables for n in wanted) and grid is None:
            continue
        drop = [n for n in ds.data_vars if n not in wanted]
        out[name] = ds.drop_vars(drop)
    return out


def _check_variables(variables: Any) -> list[str]:
    if variables is None:
        return []
    if isinstance(variables, str):
        return [variables]
    try:
        names = list(variables)
    except TypeError:
        names = None
    if names is None or not all(isinstance(n, str) for n in names) or not names:
        raise ValueError(
            f"variables={variables!r}: expected a variable name or a non-empty list of names "
            "(e.g. ['Oa08_radiance'])"
        )
    return names


def _bad_grid(grid: str, names: list[str], product: str) -> str:
    return (
        f"grid={grid!r} is not a grid of {product}; expected one of "
        + ", ".join(repr(n) for n in names)
        + " (or None for the whole DataTree)"
    )


def _common_attrs(dicts: list[dict[Any, Any]]) -> dict[Any, Any]:
    """The attributes every file of a grid has with the same value (``title`` differs)."""
    if not dicts:
        return {}
    first, rest = dicts[0], dicts[1:]
    return {k: v for k, v in first.items() if all(k in d and _same(d[k], v) for d in rest)}


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except (TypeError, ValueError):
        return False


# -- manifest parsing helpers ---------------------------------------------------------------------


def _manifest_path(source: ProductSource) -> str:
    if source.exists(MANIFEST):
        return MANIFEST
    found = sorted(source.find(f"*{MANIFEST}"), key=lambda p: (p.count("/"), p))
    if not found:
        raise UnsupportedProduct(
            f"{source.location} holds no {MANIFEST}: not a Sentinel-3 SEN3 product"
        )
    return found[0]


def _data_objects(root: Any, where: str) -> tuple[DataObject, ...]:
    units: dict[str, tuple[str | None, list[str]]] = {}
    for unit in xml.iter_local(root, "contentUnit"):
        pointer = xml.find(unit, "dataObjectPointer")
        if pointer is not None and pointer.get("dataObjectID"):
            dmd = (unit.get("dmdID") or "").split()
            units[pointer.get("dataObjectID")] = (unit.get("unitType"), dmd)
    metadata_pointers = {}
    for obj in xml.iter_local(root, "metadataObject"):
        pointer = xml.find(obj, "dataObjectPointer")
        if pointer is not None and obj.get("ID"):
            metadata_pointers[obj.get("ID")] = pointer.get("dataObjectID")

    hrefs: dict[str, str] = {}
    entries = []
    for obj in xml.iter_local(root, "dataObject"):
        ident = obj.get("ID") or ""
        stream = xml.find(obj, "byteStream")
        location = xml.find(stream, "fileLocation") if stream is not None else None
        href = location.get("href") if location is not None else None
        if not href:
            raise UnsupportedProduct(f"{where}: dataObject {ident!r} has no fileLocation href")
        href = _clean_href(href, where)
        hrefs[ident] = href
        checksum = xml.find(stream, "checksum")
        entries.append(
            (
                ident,
                href,
                stream.get("mimeType") or "",
                _int(stream.get("size")),
                checksum.text.strip() if checksum is not None and checksum.text else None,
                location.get("textInfo"),
            )
        )
    objects = []
    for ident, href, mime, size, md5, text in entries:
        unit_type, dmd = units.get(ident, (None, []))
        annotations = []
        for ref in dmd:
            target = metadata_pointers.get(ref, ref)
            if target in hrefs and hrefs[target] not in annotations:
                annotations.append(hrefs[target])
        objects.append(
            DataObject(ident, href, mime, size, md5, unit_type, text, tuple(annotations))
        )
    return tuple(objects)


def _clean_href(href: str, where: str) -> str:
    path = posixpath.normpath(href.replace("\\", "/"))
    if path.startswith(("/", "../")) or path == ".." or "://" in href:
        raise UnsupportedProduct(f"{where}: file location {href!r} is outside the product")
    return path


def _bands(root: Any) -> tuple[Band, ...]:
    bands: dict[str, Band] = {}
    for element in xml.iter_local(root, "band"):
        name = element.get("name")
        if not name or name in bands:
            continue
        bands[name] = Band(
            name,
            _float(xml.text(element, "centralWavelength")),
            _float(xml.text(element, "bandwidth")),
            _channel(xml.text(element, "olciChannels")),
        )
    return tuple(bands.values())


def _image_sizes(root: Any) -> dict[str, tuple[int, int]]:
    sizes = {}
    for element in root.iter():
        tag = xml.local(element.tag)
        if not tag.lower().endswith("imagesize"):
            continue
        rows, columns = _int(xml.text(element, "rows")), _int(xml.text(element, "columns"))
        if rows is not None and columns is not None:
            view = tag[: -len("ImageSize")].lower() or "image"
            sizes[view] = (rows, columns)
    return sizes


def _footprint(pos_list: str, where: str) -> tuple[tuple[float, float], ...]:
    try:
        values = [float(v) for v in pos_list.split()]
    except ValueError as err:
        raise UnsupportedProduct(f"{where}: footprint posList is not numbers: {err}") from err
    # gml:posList in EPSG:4326 order: latitude then longitude
    return tuple(zip(values[1::2], values[0::2], strict=False))


def _platform(platform: Any) -> str | None:
    if platform is None:
        return None
    family = _text(platform, "familyName")
    number = _text(platform, "number")
    if family and number:
        return f"{family}{number}"
    return family


def _instrument(platform: Any) -> str | None:
    family = xml.find(platform, "instrument/familyName") if platform is not None else None
    if family is None:
        return None
    return family.get("abbreviation") or (family.text or "").strip() or None


def _type_from_name(name: str) -> str | None:
    match = re.match(r"^S3[A-D]_(\w{2}_\w_\w{6})", name)
    return match.group(1) if match else None


def _channel(value: str | None) -> str | None:
    return value if value and value != "-" else None


def _first(element: Any, name: str) -> Any:
    if element is None:
        return None
    found = xml.findall(element, name)
    starts = [e for e in found if e.get("type") == "start"]
    return (starts or found or [None])[0]


def _text(element: Any, path: str) -> str | None:
    return xml.text(element, path) if element is not None else None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
