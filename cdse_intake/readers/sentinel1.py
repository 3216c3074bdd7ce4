"""Sentinel-1 SAR Level-1 GRD and SLC products (SAFE) as lazy xarray DataTrees.

A SAFE product is a folder (zipped by CDSE with ``<Name>.SAFE/`` on top)::

    manifest.safe                                   mission, mode, orbit, pass, times, file list
    annotation/s1a-iw-grd-vv-<start>-<stop>-<orbit>-<datatake>-001.xml       image annotation
    annotation/calibration/calibration-s1a-iw-grd-vv-...-001.xml             calibration LUTs
    annotation/calibration/noise-s1a-iw-grd-vv-...-001.xml                   noise LUTs
    annotation/rfi/rfi-s1a-...xml                                            RFI (IPF >= 3.40)
    measurement/s1a-iw-grd-vv-...-001.tiff                                   the image (GeoTIFF)

GRD has one image per polarisation (swath ``IW``/``EW``, uint16 detected amplitude, ground
range); IW SLC has one per swath and polarisation (``s1a-iw1-slc-vv-...``, complex int16, slant
range, ~9 bursts of ~1500 lines stacked along azimuth).

How it maps to xarray (:func:`open` returns a :class:`xarray.DataTree`):

- The image node (the root for GRD; ``/IW1``, ``/IW2``, ``/IW3`` for SLC) holds one variable per
  polarisation (``VV``, ``VH``...) on dims ``(y, x)`` = (azimuth line, range pixel) with
  coordinates ``line(y)`` and ``pixel(x)`` (image indices, what the LUTs and GCPs use),
  ``azimuth_time(y)`` (zero-Doppler time of each line), ``ground_range(x)`` (GRD, metres) or
  ``slant_range_time(x)`` (SLC, seconds), SLC ``burst(y)``, and lazy 2-D ``latitude``/
  ``longitude`` bilinearly interpolated from the annotation's geolocation grid (for SLC along
  azimuth *time*, since bursts overlap). ``time`` is the acquisition start.
  ``ds.swap_dims(y="azimuth_time", x="ground_range")`` gives xarray-sentinel's layout.
- ``spatial_ref`` carries EPSG:4326 and the geolocation grid as GCPs, rioxarray-style (GDAL's
  GCPs of the TIFF), so the image geocodes with rioxarray once the 1-D coordinates, which
  rioxarray cannot carry over, are dropped:
  ``ds.VV.drop_vars(["line", "pixel", "azimuth_time", "ground_range", "latitude",
  "longitude"]).rio.reproject("EPSG:32631")``.
- Why ``y``/``x`` and not ``line``/``pixel`` as dims: every group below the image node inherits
  its dimensions, and the metadata groups use ``line``/``pixel``/``azimuth_time`` for their own,
  smaller grids.
- ``<image node>/<kind>/<POL>``: the per-polarisation metadata in xarray-sentinel's layout (its
  group names, variables, dims): ``calibration``, ``noise_range``, ``noise_azimuth``, ``gcp``,
  ``orbit``, ``attitude``, ``dc_estimate``, ``azimuth_fm_rate`` and (GRD)
  ``coordinate_conversion``; ``xarray_sentinel.calibrate_intensity`` works on them.
- ``calibration="sigma0"|"beta0"|"gamma0"``: the variables are float32 backscatter in linear
  units, ``|DN|² / A²`` with the LUT ``A`` (sigmaNought, betaNought, gamma) bilinearly
  interpolated at every pixel (held constant beyond the LUT grid), computed lazily per chunk;
  None gives the raw DN (uint16 GRD, complex64 SLC). Thermal noise is not removed (the noise
  LUTs are in ``noise_range``/``noise_azimuth``).

Format facts that matter:

- Measurement TIFFs carry no geotransform, only GCPs (EPSG:4326, ``row=line``, ``col=pixel``,
  the annotation's geolocation grid). They are striped (full-width strips of a few lines), so
  the default chunks are full-width bands of lines (~64 MB of float64 coordinates).
- GRD azimuth times are regular (first to last line); SLC lines restart at each burst's
  ``azimuthTime`` with the annotation's ``azimuthTimeInterval``.
- The XML is parsed here, through :mod:`.xml` (no DTD, no entities), not by xarray-sentinel:
  its xmlschema decoding costs ~1 s per image (and 3 s of schema loading), it parses product
  files with the standard library, and it cannot read measurement TIFFs through ``zip://``.
  Rasters go through :func:`~.raster.open_raster` (GDAL ``/vsizip/`` locally, range reads
  remotely).
- Newer products (IPF >= 3.40) add ``annotation/rfi/`` files; very old ones (IPF < 2.90) name
  the range noise LUT ``noiseLut`` and the FM rate polynomial ``c0 c1 c2``: both are read.
- Files the manifest lists but the product lacks (a partial download, trimmed samples) are
  skipped with a warning; asking for them explicitly is an error.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

from ..errors import UnsupportedProduct
from . import xml
from ._s1_metadata import (
    annotation_groups,
    calibration_groups,
    calibration_vectors,
    noise_groups,
)
from ._s1_safe import (
    Annotation,
    ImageFiles,
    Sentinel1Metadata,
    parse_annotation,
    parse_manifest,
)
from .raster import RasterInfo, open_raster, raster_info, tile_chunks
from .source import ProductSource

__all__ = [
    "CALIBRATIONS",
    "ImageFiles",
    "Sentinel1Metadata",
    "open",
    "parse_manifest",
    "read_metadata",
]

#: ``calibration=`` values -> the calibration LUT (calibration XML element) they divide by.
CALIBRATIONS = {"sigma0": "sigmaNought", "beta0": "betaNought", "gamma0": "gamma"}
_CALIBRATION_NAMES = {
    "sigma0": "sigma nought backscatter coefficient",
    "beta0": "beta nought (radar brightness)",
    "gamma0": "gamma nought backscatter coefficient",
}
#: Target size of a default chunk of the float64 coordinates (image chunks are smaller).
AUTO_CHUNK_BYTES = 64 * 2**20


def read_metadata(source: ProductSource) -> Sentinel1Metadata:
    """Parse ``manifest.safe`` of a Sentinel-1 SAFE product (no pixel data read)."""
    rel = source.find_one("manifest.safe", "SAFE manifest (manifest.safe)")
    return parse_manifest(source.read_bytes(rel), f"{source.location}: {rel}", name=source.name)


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    calibration: str | None = None,
    polarisations: str | Sequence[str] | None = None,
) -> xr.DataTree:
    """Open a Sentinel-1 GRD or SLC SAFE product lazily as a DataTree (see the module doc).

    ``chunks``: ``"auto"`` (full-width bands of whole TIFF strips), a dict over ``y``/``x``
    (``line``/``pixel`` also accepted), or None (lazy, no dask). ``calibration``: None (digital
    numbers) or ``"sigma0"``, ``"beta0"``, ``"gamma0"`` (float32 linear backscatter).
    ``polarisations``: e.g. ``"VV"`` or ``["VV", "VH"]``; default all in the product.
    """
    lut_name = _check_calibration(calibration)
    wanted = _check_polarisations(polarisations)
    chunks = _check_chunks(chunks)
    if source.single_file:
        raise UnsupportedProduct(f"{source.location}: a Sentinel-1 SAFE product is a folder")
    md = read_metadata(source)
    if md.mode == "WV":
        raise UnsupportedProduct(
            f"{source.location}: Wave mode (WV) vignettes are not supported; GRD and SLC of "
            "IW, EW and SM products are"
        )
    if md.product_type not in ("GRD", "SLC"):
        raise UnsupportedProduct(
            f"{source.location}: product type {md.product_type!r}; only GRD and SLC open"
        )
    images = _select(md, wanted, lut_name, source)
    parts = _read_parts(source, images, lut_name is not None)

    swaths: dict[str, list[_Part]] = {}
    for part in parts:
        swaths.setdefault(part.files.swath, []).append(part)
    time = np.datetime64(md.start.replace(tzinfo=None), "ns")
    nodes: dict[str, xr.Dataset] = {}
    root = xr.Dataset(attrs=md.attrs(), coords={"time": time})
    for swath, members in swaths.items():
        node = "" if md.product_type == "GRD" else swath
        image = _image_dataset(source, members, lut_name, calibration, chunks)
        image = image.assign_coords(time=time)
        if node:
            nodes[node] = image
        else:
            image.attrs = {**root.attrs, **image.attrs}
            root = image
        for part in members:
            for kind, ds in part.groups.items():
                nodes[f"{node}/{kind}/{part.files.polarisation}".lstrip("/")] = ds
    return xr.DataTree.from_dict({"/": root, **nodes})


# -- options ----------------------------------------------------------------------------------


def _check_calibration(calibration: Any) -> str | None:
    if calibration is None:
        return None
    if not isinstance(calibration, str) or calibration.lower() not in CALIBRATIONS:
        raise ValueError(
            f"calibration={calibration!r} is not a Sentinel-1 calibration; expected one of "
            + ", ".join(repr(c) for c in CALIBRATIONS)
            + " (linear backscatter), or None for the digital numbers"
        )
    return CALIBRATIONS[calibration.lower()]


def _check_polarisations(polarisations: Any) -> list[str] | None:
    if polarisations is None:
        return None
    if isinstance(polarisations, str):
        polarisations = [p for p in re.split(r"[,\s+]+", polarisations) if p]
    if (
        not isinstance(polarisations, Sequence)
        or not polarisations
        or not all(isinstance(p, str) for p in polarisations)
    ):
        raise ValueError(
            f"polarisations={polarisations!r} must be a polarisation such as 'VV' or a list "
            "such as ['VV', 'VH']"
        )
    out = [p.strip().upper() for p in polarisations]
    bad = [p for p in out if p not in ("VV", "VH", "HH", "HV")]
    if bad:
        raise ValueError(
            f"polarisations: {', '.join(map(repr, bad))} is not a Sentinel-1 polarisation; "
            "expected VV, VH, HH or HV"
        )
    return list(dict.fromkeys(out))


def _check_chunks(chunks: Any) -> Any:
    if not isinstance(chunks, dict):
        return chunks
    if not chunks:  # xarray's "the backend's preferred chunks"
        return "auto"
    aliases = {"line": "y", "pixel": "x", "y": "y", "x": "x"}
    unknown = sorted(str(k) for k in chunks if k not in aliases)
    if unknown:
        raise ValueError(
            f"chunks={chunks!r}: Sentinel-1 images have no dimension "
            f"{', '.join(map(repr, unknown))}; expected y (lines) and x (pixels)"
        )
    return {aliases[k]: v for k, v in chunks.items()}


# -- files ------------------------------------------------------------------------------------


def _select(
    md: Sentinel1Metadata, wanted: list[str] | None, lut_name: str | None, source: ProductSource
) -> list[ImageFiles]:
    """The images to open with their paths as the product spells them; missing files skipped
    (with a warning) unless asked for."""
    available = list(dict.fromkeys([*md.polarisations, *(i.polarisation for i in md.images)]))
    if wanted is not None:
        absent = [p for p in wanted if p not in available]
        if absent:
            raise ValueError(
                f"polarisations: {', '.join(map(repr, absent))} is not in "
                f"{md.name or source.name}; it has {', '.join(available) or 'none'}"
            )
    actual = {f.lower(): f for f in source.files()}
    order = {p: k for k, p in enumerate(available)}
    chosen: list[ImageFiles] = []
    skipped: list[str] = []
    for image in sorted(md.images, key=lambda i: (i.swath, order[i.polarisation], i.number)):
        if wanted is not None and image.polarisation not in wanted:
            continue
        paths = {
            role: actual.get(rel.lower()) if rel else None
            for role, rel in (
                ("annotation", image.annotation),
                ("calibration", image.calibration),
                ("noise", image.noise),
                ("rfi", image.rfi),
                ("measurement", image.measurement),
            )
        }
        lacking = [
            getattr(image, role) or f"the {role} file of {image.swath}/{image.polarisation}"
            for role in ("annotation", "measurement")
            if paths[role] is None
        ]
        if lacking:
            skipped.extend(lacking)
            continue
        if lut_name is not None and paths["calibration"] is None:
            raise UnsupportedProduct(
                f"{source.location}: calibration needs "
                f"{image.calibration or 'the calibration annotation'} of "
                f"{image.swath}/{image.polarisation}, which the product lacks"
            )
        chosen.append(replace(image, **paths))
    if not chosen or (wanted and {i.polarisation for i in chosen} != set(wanted)):
        what = ", ".join(skipped[:4]) + (
            f" and {len(skipped) - 4} more" if len(skipped) > 4 else ""
        )
        raise UnsupportedProduct(
            f"{source.location}: the product lacks the files of the images to open: "
            f"{what or 'its manifest lists no image'}"
        )
    if skipped:
        warnings.warn(
            f"{source.location}: skipping images whose files are missing: "
            + ", ".join(skipped[:6])
            + (f" and {len(skipped) - 6} more" if len(skipped) > 6 else ""),
            UserWarning,
            stacklevel=3,
        )
    return chosen


@dataclass(frozen=True)
class _Part:
    """One image with what its files say."""

    files: ImageFiles
    annotation: Annotation
    info: RasterInfo
    luts: dict[str, GridInterpolator] | None
    """The calibration LUTs by name (sigmaNought...), when calibrating."""
    groups: dict[str, xr.Dataset]


def _read_parts(source: ProductSource, images: list[ImageFiles], calibrate: bool) -> list[_Part]:
    """Annotation, calibration and noise XML and the TIFF headers of the images (remote ones in
    parallel: each costs a round trip or two)."""
    xml_paths = [p for i in images for p in (i.annotation, i.calibration, i.noise) if p is not None]
    tiffs = [i.measurement for i in images if i.measurement is not None]
    if source.origin == "remote":
        with ThreadPoolExecutor(max_workers=min(8, len(xml_paths) + len(tiffs))) as pool:
            data = dict(zip(xml_paths, pool.map(source.read_bytes, xml_paths), strict=True))
            infos = dict(zip(tiffs, pool.map(lambda p: raster_info(source, p), tiffs), strict=True))
    else:
        data = {p: source.read_bytes(p) for p in xml_paths}
        infos = {p: raster_info(source, p) for p in tiffs}
    return [_part(source, image, data, infos, calibrate) for image in images]


def _part(
    source: ProductSource,
    image: ImageFiles,
    data: dict[str, bytes],
    infos: dict[str, RasterInfo],
    calibrate: bool,
) -> _Part:
    assert image.annotation is not None
    assert image.measurement is not None
    where = f"{source.location}: {image.annotation}"
    annotation, root = parse_annotation(data[image.annotation], where)
    info = _checked_info(infos[image.measurement], annotation, image, source)
    groups, failed = annotation_groups(root, annotation.grid, annotation.projection)
    luts = None
    if image.calibration is not None:
        where = f"{source.location}: {image.calibration}"
        calibration_root = xml.parse(data[image.calibration], where)
        more, also_failed = calibration_groups(calibration_root)
        groups.update(more)
        failed += also_failed
        if calibrate:
            lines, pixels, values = calibration_vectors(calibration_root, where)
            luts = {
                name: GridInterpolator(lines, pixels, lut, clamp=True)
                for name, lut in values.items()
            }
    if image.noise is not None:
        more, also_failed = noise_groups(
            xml.parse(data[image.noise], f"{source.location}: {image.noise}")
        )
        groups.update(more)
        failed += also_failed
    if failed:
        warnings.warn(
            f"{source.location}: {image.swath}/{image.polarisation}: metadata groups left out: "
            + "; ".join(failed),
            UserWarning,
            stacklevel=5,
        )
    return _Part(image, annotation, info, luts, groups)


def _checked_info(
    info: RasterInfo, annotation: Annotation, image: ImageFiles, source: ProductSource
) -> RasterInfo:
    if (info.height, info.width) != (annotation.lines, annotation.samples):
        raise UnsupportedProduct(
            f"{source.location}: {image.measurement} is {info.height} x {info.width} pixels but "
            f"its annotation says {annotation.lines} lines x {annotation.samples} samples"
        )
    if info.dtype == "complex_int16":  # SLC: GDAL CInt16, which rasterio reads as complex64
        info = replace(info, dtype="complex64")
    return info


# -- the image --------------------------------------------------------------------------------


def _image_dataset(
    source: ProductSource,
    parts: list[_Part],
    lut_name: str | None,
    calibration: str | None,
    chunks: Any,
) -> xr.Dataset:
    """The polarisations of one swath on ``(y, x)`` with their coordinates."""
    first = parts[0].annotation
    for part in parts[1:]:
        a = part.annotation
        if (a.lines, a.samples) != (first.lines, first.samples):
            raise UnsupportedProduct(
                f"{source.location}: the {part.files.polarisation} image of {part.files.swath} "
                f"is {a.lines} x {a.samples} but {parts[0].files.polarisation} is "
                f"{first.lines} x {first.samples}"
            )
    azimuth_time = first.azimuth_time()
    variables: dict[str, xr.Variable] = {}
    for part in parts:
        variables[part.files.polarisation] = _measurement(
            source, part, lut_name, calibration, np.arange(first.lines)
        )
    latitude, longitude = _geolocation(first, azimuth_time)
    ds = xr.Dataset(variables, coords={"latitude": latitude, "longitude": longitude})
    if chunks is not None:
        if chunks == "auto":
            chunks = _auto_chunks(parts[0].info)
        ds = ds.chunk(chunks)
    range_name, range_values, range_attrs = first.range_coordinate()
    coords: dict[str, Any] = {
        "line": ("y", np.arange(first.lines), {"long_name": "image line"}),
        "pixel": ("x", np.arange(first.samples), {"long_name": "image pixel (range sample)"}),
        "azimuth_time": ("y", azimuth_time, {"long_name": "zero-Doppler azimuth time"}),
        range_name: ("x", range_values, range_attrs),
    }
    if first.burst_times:
        coords["burst"] = ("y", np.arange(first.lines) // first.lines_per_burst)
    ds = ds.assign_coords(coords)
    ds = _write_gcps(ds, first)
    ds.attrs = _image_attrs(first, [p.files.polarisation for p in parts], calibration)
    return ds


def _measurement(
    source: ProductSource,
    part: _Part,
    lut_name: str | None,
    calibration: str | None,
    lines: np.ndarray,
) -> xr.Variable:
    rel = part.files.measurement
    assert rel is not None
    pol = part.files.polarisation
    raw = open_raster(source, rel, chunks=None, info=part.info).variable[0]
    attrs: dict[str, Any] = {"polarisation": pol, "swath": part.files.swath}
    if lut_name is None or calibration is None:
        attrs.update(long_name=f"digital number ({pol})", units="1")
        dn = raw.copy(deep=False)
        dn.attrs = {**raw.attrs, **attrs}
        return dn
    assert part.luts is not None
    lut = InterpolatedArray(part.luts[lut_name], lines, part.annotation.samples)
    attrs.update(
        long_name=f"{_CALIBRATION_NAMES[calibration.lower()]} ({pol})",
        units="1",
        calibration=calibration.lower(),
        comment=f"|DN|^2 / {lut_name}^2, linear units; thermal noise not removed",
    )
    if calibration.lower() == "sigma0":
        attrs["standard_name"] = "surface_backwards_scattering_coefficient_of_radar_wave"
    return xr.Variable(("y", "x"), lazy(CalibratedArray(raw, lut)), attrs)


def _geolocation(annotation: Annotation, azimuth_time: np.ndarray) -> tuple[xr.Variable, ...]:
    """Lazy latitude and longitude of every pixel from the geolocation grid."""
    grid = annotation.grid
    rows, row_coordinate = grid.lines, np.arange(annotation.lines, dtype=np.float64)
    if annotation.burst_times and np.all(np.diff(grid.azimuth_seconds) > 0):
        # TOPS bursts overlap in time: a line's place follows its time, not its number
        rows = grid.azimuth_seconds
        row_coordinate = (azimuth_time - annotation.first_line_time) / np.timedelta64(1, "s")
    lon = grid.longitude
    reference = lon[0, 0]
    unwrapped = reference + (lon - reference + 180.0) % 360.0 - 180.0
    comment = "bilinear interpolation of the annotation's geolocation grid"
    lat_array = InterpolatedArray(
        GridInterpolator(rows, grid.pixels, grid.latitude), row_coordinate, annotation.samples
    )
    lon_array = InterpolatedArray(
        GridInterpolator(rows, grid.pixels, unwrapped),
        row_coordinate,
        annotation.samples,
        wrap=True,
    )
    latitude = xr.Variable(
        ("y", "x"),
        lazy(lat_array),
        {"standard_name": "latitude", "units": "degrees_north", "comment": comment},
    )
    longitude = xr.Variable(
        ("y", "x"),
        lazy(lon_array),
        {"standard_name": "longitude", "units": "degrees_east", "comment": comment},
    )
    return latitude, longitude


def _write_gcps(ds: xr.Dataset, annotation: Annotation) -> xr.Dataset:
    """``spatial_ref`` with EPSG:4326 and the geolocation grid as GCPs (rioxarray's way)."""
    import rioxarray  # noqa: F401  (registers .rio)
    from rasterio.control import GroundControlPoint
    from rasterio.crs import CRS

    grid = annotation.grid
    gcps = [
        GroundControlPoint(
            row=float(line),
            col=float(pixel),
            x=float(grid.longitude[i, j]),
            y=float(grid.latitude[i, j]),
            z=float(grid.height[i, j]),
            id=str(i * grid.pixels.size + j + 1),
        )
        for i, line in enumerate(grid.lines)
        for j, pixel in enumerate(grid.pixels)
    ]
    return ds.rio.write_gcps(gcps, CRS.from_epsg(4326))


def _image_attrs(
    annotation: Annotation, polarisations: list[str], calibration: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "swath": annotation.swath,
        "image_polarisations": polarisations,
        "projection": annotation.projection,
        "number_of_lines": annotation.lines,
        "number_of_samples": annotation.samples,
        "range_pixel_spacing": annotation.range_pixel_spacing,
        "azimuth_pixel_spacing": annotation.azimuth_pixel_spacing,
        "azimuth_time_interval": annotation.azimuth_time_interval,
        "range_sampling_rate": annotation.range_sampling_rate,
        "radar_frequency": annotation.radar_frequency,
        "image_slant_range_time": annotation.slant_range_time,
        "incidence_angle_mid_swath": annotation.incidence_angle_mid_swath,
        "calibration": calibration.lower() if calibration else "none",
    }
    if annotation.burst_times:
        out["number_of_bursts"] = len(annotation.burst_times)
        out["lines_per_burst"] = annotation.lines_per_burst
    return {k: v for k, v in out.items() if v is not None}


def _auto_chunks(info: RasterInfo) -> dict[str, int]:
    """Full-width bands of whole strips (~64 MB of float64) for striped TIFFs; whole tiles
    otherwise."""
    block_y, block_x = info.block
    if block_x < info.width:
        chunks = tile_chunks(info)
        return {"y": chunks["y"], "x": chunks["x"]}
    rows = max(block_y, AUTO_CHUNK_BYTES // (8 * info.width) // block_y * block_y)
    return {"y": min(info.height, rows), "x": info.width}


# -- lazy per-pixel arrays ---------------------------------------------------------------------
#
# Latitude, longitude and the calibration LUTs are given on sparse grids. Bilinear interpolation
# on a rectilinear grid is separable, so a window's values are ``W_rows @ grid @ W_cols.T`` with
# small weight matrices: exact for the bilinear model and computed only for the windows read.
# These are xarray backend arrays (picklable), so they work with and without dask.


@dataclass(frozen=True, eq=False)
class GridInterpolator:
    """Bilinear interpolation of ``values`` given at ``rows`` x ``cols`` (both increasing)."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    clamp: bool = False
    """Hold the edge values beyond the grid (LUTs) instead of extrapolating (geometry)."""

    def __call__(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Values at every ``(row, col)`` of the outer product: shape ``(len(rows), len(cols))``."""
        left = _weights(self.rows, np.asarray(rows, np.float64), self.clamp)
        right = _weights(self.cols, np.asarray(cols, np.float64), self.clamp)
        return left @ self.values @ right.T


def _weights(grid: np.ndarray, x: np.ndarray, clamp: bool) -> np.ndarray:
    """Linear-interpolation weights of ``x`` on ``grid``: a ``(len(x), len(grid))`` matrix."""
    out = np.zeros((x.size, grid.size))
    if grid.size == 1:
        out[:, 0] = 1.0
        return out
    i = np.clip(np.searchsorted(grid, x, side="right") - 1, 0, grid.size - 2)
    w = (x - grid[i]) / (grid[i + 1] - grid[i])
    if clamp:
        w = np.clip(w, 0.0, 1.0)
    rows = np.arange(x.size)
    out[rows, i] = 1.0 - w
    out[rows, i + 1] += w
    return out


class _WindowArray(BackendArray):
    """A 2-D backend array computed window by window (outer indexing)."""

    shape: tuple[int, int]

    def __getitem__(self, key: Any) -> Any:
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.OUTER, self._read
        )

    def _read(self, key: tuple[Any, ...]) -> np.ndarray:
        rows = np.arange(self.shape[0])[key[0]]
        cols = np.arange(self.shape[1])[key[1]]
        out = self._window(key, np.atleast_1d(rows), np.atleast_1d(cols))
        return out.reshape(np.shape(rows) + np.shape(cols))

    def _window(self, key: tuple[Any, ...], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class InterpolatedArray(_WindowArray):
    """A grid interpolated at every image pixel: ``interp(row_coordinate[line], pixel)``.

    ``row_coordinate`` maps image lines to the grid's row axis (the line number itself, or the
    azimuth time in seconds for TOPS SLC bursts, whose lines overlap in time); ``wrap`` brings
    longitudes interpolated across the antimeridian back into [-180, 180).
    """

    def __init__(
        self,
        interp: GridInterpolator,
        row_coordinate: np.ndarray,
        width: int,
        *,
        wrap: bool = False,
        dtype: Any = np.float64,
    ) -> None:
        self.interp = interp
        self.row_coordinate = np.asarray(row_coordinate, np.float64)
        self.shape = (self.row_coordinate.size, int(width))
        self.dtype = np.dtype(dtype)
        self.wrap = wrap

    def _window(self, key: tuple[Any, ...], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        values = self.interp(self.row_coordinate[rows], cols)
        if self.wrap:
            values = (values + 180.0) % 360.0 - 180.0
        return values.astype(self.dtype, copy=False)


class CalibratedArray(_WindowArray):
    """Calibrated intensity ``|DN|² / LUT²`` (float32, linear units) of a lazy raw image."""

    def __init__(self, raw: Any, lut: InterpolatedArray) -> None:
        self.raw = raw
        """The lazy ``(y, x)`` :class:`xarray.Variable` of the measurement's digital numbers."""
        self.lut = lut
        self.shape = tuple(raw.shape)  # type: ignore[assignment]
        self.dtype = np.dtype(np.float32)

    def _window(self, key: tuple[Any, ...], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        # integer keys as 1-element arrays: the window stays 2-D like ``rows x cols``
        key2d = tuple(k if isinstance(k, slice) else np.atleast_1d(k) for k in key)
        dn = np.asarray(self.raw[key2d])
        lut = self.lut._window(key, rows, cols)
        power = np.square(np.abs(dn), dtype=np.float64)
        return (power / np.square(lut)).astype(np.float32)


def lazy(array: BackendArray) -> Any:
    """``array`` as xarray's lazily indexed data (indexing composes; reads happen on demand)."""
    return indexing.LazilyIndexedArray(array)
