"""What a Sentinel-3 product's ``xfdumanifest.xml`` says, as records.

:class:`DataObject` is one file of the product (its path, type, size, MD5, content unit and
linked annotations), :class:`Band` a spectral band of the band descriptions,
:class:`Sentinel3Metadata` the product facts with the files and bands; filled by
:func:`._s3_manifest.parse_manifest`.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._times import iso_z

__all__ = ["Band", "DataObject", "Sentinel3Metadata"]

_NETCDF_MIME = ("application/x-netcdf", "application/netcdf", "application/x-netcdf4")


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
