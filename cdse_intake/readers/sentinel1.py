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
range, ~9 bursts of ~1500 lines stacked along azimuth); wave mode (WV) SLC has one small
vignette per imagette (``s1a-wv1-slc-vv-...-001``, odd numbers WV1, even WV2, no bursts), each
its own node ``/WV1_001``, ``/WV2_002``... (``imagettes=`` picks some).

How it maps to xarray (:func:`open` returns a :class:`xarray.DataTree`):

- The image node (the root for GRD; ``/IW1``, ``/IW2``, ``/IW3`` for SLC) holds one variable per
  polarisation (``VV``, ``VH``...) on dims ``(y, x)`` = (azimuth line, range pixel) with
  coordinates ``line(y)`` and ``pixel(x)`` (image indices, what the LUTs and GCPs use),
  ``azimuth_time(y)`` (zero-Doppler time of each line), ``ground_range(x)`` (GRD, metres) or
  ``slant_range_time(x)`` (SLC, seconds), SLC ``burst(y)``, and lazy 2-D ``latitude``/
  ``longitude`` bilinearly interpolated from the annotation's geolocation grid (for SLC along
  azimuth *time*, since bursts overlap). ``time`` is the acquisition start.
  ``ds.swap_dims(y="azimuth_time", x="ground_range")`` gives xarray-sentinel's layout.
- Radar geometry, honestly: the image axes are lines and pixels, not map coordinates, so the
  image node has no ``spatial_ref``, no CRS, no transform (``ds.rio.crs`` is None and
  ``ds.rio.bounds()`` raises). The annotation's geolocation grid (the TIFFs' GCPs) is kept on
  its own dims ``gcp_line`` x ``gcp_pixel``: coordinates ``gcp_latitude``, ``gcp_longitude``,
  ``gcp_height``, ``gcp_incidence_angle``, ``gcp_elevation_angle``, ``gcp_azimuth_time``,
  ``gcp_slant_range_time``. To geocode, :func:`ground_control_points` gives rasterio GCPs and
  :func:`with_gcps` the image variables with the GCPs written the rioxarray way
  (EPSG:4326 points)::

      from cdse_intake.readers.sentinel1 import with_gcps
      tree = cdse_intake.open_product(path, calibration="sigma0")
      utm = with_gcps(tree).VV.rio.reproject("EPSG:32631", resolution=20)  # SLC: tree["IW1"]

  or, without rioxarray, interpolate ``gcp_latitude``/``gcp_longitude`` (or use the lazy
  per-pixel ``latitude``/``longitude``).
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
- Partial products (the shared way, :mod:`._partial`): images whose annotation or measurement
  is missing are left out, and one :class:`~cdse_intake.errors.PartialProductWarning` names
  every missing file of the images asked (``polarisations=`` leaves the others out silently;
  asking for an image whose files are missing is an error). A product without any measurement
  file opens as metadata only: the manifest's attributes, each swath's geolocation grid and
  metadata groups from the annotations present, no image variables. Broken members (an empty
  or non-TIFF measurement, a truncated one, an empty or non-XML annotation) are refused with
  :class:`~cdse_intake.errors.UnsupportedProduct` naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from ._s1_geocoding import GCP_CRS as GCP_CRS
from ._s1_geocoding import ground_control_points, with_gcps
from ._s1_image import AUTO_CHUNK_BYTES as AUTO_CHUNK_BYTES
from ._s1_image import image_dataset, metadata_dataset
from ._s1_lazy import CalibratedArray as CalibratedArray
from ._s1_lazy import GridInterpolator as GridInterpolator
from ._s1_lazy import InterpolatedArray as InterpolatedArray
from ._s1_lazy import lazy as lazy
from ._s1_members import checked_xml
from ._s1_parts import Part, read_parts, select_images, select_imagettes
from ._s1_safe import ImageFiles, Sentinel1Metadata, parse_manifest
from .options import check_chunks
from .source import ProductSource

__all__ = [
    "CALIBRATIONS",
    "ImageFiles",
    "Sentinel1Metadata",
    "ground_control_points",
    "open",
    "parse_manifest",
    "read_metadata",
    "with_gcps",
]

#: ``calibration=`` values -> the calibration LUT (calibration XML element) they divide by.
CALIBRATIONS = {"sigma0": "sigmaNought", "beta0": "betaNought", "gamma0": "gamma"}


def read_metadata(source: ProductSource) -> Sentinel1Metadata:
    """Parse ``manifest.safe`` of a Sentinel-1 SAFE product (no pixel data read)."""
    rel = source.find_one("manifest.safe", "SAFE manifest (manifest.safe)")
    data = checked_xml(source, rel, source.read_bytes(rel))
    return parse_manifest(data, f"{source.location}: {rel}", name=source.name)


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    calibration: str | None = None,
    polarisations: str | Sequence[str] | None = None,
    imagettes: int | str | Sequence[int | str] | None = None,
    variables: str | Sequence[str] | None = None,
) -> xr.DataTree:
    """Open a Sentinel-1 GRD or SLC SAFE product lazily as a DataTree (see the module doc).

    ``chunks``: ``"auto"`` (full-width bands of whole TIFF strips), a dict over ``y``/``x``
    (``line``/``pixel`` also accepted), or None (lazy, no dask). ``calibration``: None (digital
    numbers) or ``"sigma0"``, ``"beta0"``, ``"gamma0"`` (float32 linear backscatter).
    ``polarisations``: e.g. ``"VV"`` or ``["VV", "VH"]``; default all in the product.
    ``variables``: the project-wide name of the same choice (the image variables are the
    polarisations), accepted instead of ``polarisations``. ``imagettes`` (wave mode only): image
    numbers such as ``1``, ``"003"`` or ``[1, 2]``; default all.
    """
    lut_name = _check_calibration(calibration)
    if variables is not None:
        if polarisations is not None:
            raise ValueError(
                f"polarisations={polarisations!r} and variables={variables!r}: give one "
                "(variables= is another name for polarisations=)"
            )
        polarisations = variables
    wanted = _check_polarisations(polarisations)
    chunks = _check_chunks(chunks)
    if source.single_file:
        raise UnsupportedProduct(f"{source.location}: a Sentinel-1 SAFE product is a folder")
    md = read_metadata(source)
    if md.product_type not in ("GRD", "SLC"):
        raise UnsupportedProduct(
            f"{source.location}: product type {md.product_type!r}; only GRD and SLC open"
        )
    if imagettes is not None and md.mode != "WV":
        raise ValueError(f"imagettes={imagettes!r}: only wave-mode (WV) products have imagettes")
    selection = select_images(md, wanted, lut_name, source)
    images = selection.images
    if md.mode == "WV":
        images = select_imagettes(images, imagettes, source)
    parts = read_parts(source, images, lut_name is not None and not selection.metadata_only)

    swaths: dict[str, list[Part]] = {}
    for part in parts:
        # wave mode: one node per imagette (WV1_001, WV2_002...), its swath alternating
        key = part.files.swath
        if md.mode == "WV":
            key = f"{part.files.swath}_{part.files.number}"
        swaths.setdefault(key, []).append(part)
    time = np.datetime64(md.start.replace(tzinfo=None), "ns")
    nodes: dict[str, xr.Dataset] = {}
    root = xr.Dataset(attrs=md.attrs(), coords={"time": time})
    for swath, members in swaths.items():
        node = "" if md.product_type == "GRD" else swath
        if selection.metadata_only:
            image = metadata_dataset(members)
        else:
            image = image_dataset(source, members, lut_name, calibration, chunks)
        image = image.assign_coords(time=time)
        if md.mode == "WV":
            image.attrs["image_number"] = members[0].files.number
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


#: Chunk dimensions of the images: ``line``/``pixel`` are ``y``/``x``.
_CHUNK_DIMS = {"line": "y", "pixel": "x", "y": "y", "x": "x"}


def _check_chunks(chunks: Any) -> Any:
    return check_chunks(chunks, _CHUNK_DIMS, what="Sentinel-1 images")
