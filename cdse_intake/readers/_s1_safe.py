"""Sentinel-1 SAFE metadata: ``manifest.safe``, parsed safely.

Everything here reads XML through :mod:`.xml` (no DTDs, no entities) and returns plain frozen
records: the product facts and the files of each image (swath, polarisation) as the manifest
lists them. The per-image annotation XML is read by :mod:`._s1_annotation`; :mod:`.sentinel1`
turns them into xarray objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import UnsupportedProduct
from . import xml
from ._times import iso_z, parse_utc

__all__ = [
    "ImageFiles",
    "Sentinel1Metadata",
    "parse_manifest",
]

#: ``repID`` of the manifest's data objects -> the role of the file in an image.
ROLES = {
    "s1Level1ProductSchema": "annotation",
    "s1Level1CalibrationSchema": "calibration",
    "s1Level1NoiseSchema": "noise",
    "s1Level1RfiSchema": "rfi",
    "s1Level1MeasurementSchema": "measurement",
}

#: ``[prefix-]s1a-iw1-slc-vv-<start>-<stop>-<orbit>-<datatake>-<image number>.<ext>``
_IMAGE_FILE = re.compile(
    r"(?:^|-)s1[a-d]-(?P<swath>[a-z0-9]+)-(?P<type>[a-z]+)-(?P<pol>[a-z]{2})-.*-(?P<n>\d{3})\.",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ImageFiles:
    """The files of one image (one swath, one polarisation), as the manifest lists them."""

    swath: str
    """``IW`` (GRD), ``IW1``..``IW3`` (IW SLC), ``EW``, ``S1``..``S6``..."""
    polarisation: str
    """``VV``, ``VH``, ``HH`` or ``HV``."""
    number: str
    """The image number (``001``): the file name's last field."""
    annotation: str | None = None
    calibration: str | None = None
    noise: str | None = None
    rfi: str | None = None
    measurement: str | None = None


@dataclass(frozen=True)
class Sentinel1Metadata:
    """What ``manifest.safe`` says about a Sentinel-1 Level-1 product, without pixel data."""

    name: str
    mission: str
    """``S1A``, ``S1B``, ``S1C``..."""
    mode: str
    """Acquisition mode: ``IW``, ``EW``, ``SM`` (``S1``..``S6`` swaths) or ``WV``."""
    product_type: str
    """``GRD`` or ``SLC``."""
    product_class: str | None
    polarisations: tuple[str, ...]
    swaths: tuple[str, ...]
    absolute_orbit: int
    relative_orbit: int | None
    cycle: int | None
    pass_direction: str
    """``ASCENDING`` or ``DESCENDING``."""
    ascending_node_time: datetime | None
    start: datetime
    stop: datetime
    datatake_id: int | None
    timeliness: str | None
    """``NRT-3h``, ``Fast-24h``..."""
    slice_number: int | None
    total_slices: int | None
    ipf_version: str | None
    """Version of the Sentinel-1 Instrument Processing Facility that made the product."""
    footprint: tuple[tuple[float, float], ...]
    """``(lon, lat)`` corners of the product footprint."""
    images: tuple[ImageFiles, ...] = field(default=())

    @property
    def platform(self) -> str:
        """``sentinel-1a``, as STAC names platforms."""
        return f"sentinel-1{self.mission[-1].lower()}"

    @property
    def resolution_class(self) -> str | None:
        """``F``, ``H`` or ``M`` for GRD products (from the name ``..._GRDH_...``)."""
        m = re.search(r"_GRD([FHM])_", self.name)
        return m.group(1) if m else None

    def footprint_wkt(self) -> str | None:
        if not self.footprint:
            return None
        ring = [*self.footprint, self.footprint[0]]
        return "POLYGON((" + ", ".join(f"{lon} {lat}" for lon, lat in ring) + "))"

    def attrs(self) -> dict[str, Any]:
        """Product attributes for the root of the DataTree (netCDF-friendly values)."""
        out: dict[str, Any] = {
            "title": self.name or None,
            "product_name": self.name or None,
            "mission": self.mission,
            "platform": self.platform,
            "instrument": "C-SAR",
            "instrument_mode": self.mode,
            "product_type": self.product_type,
            "product_class": self.product_class,
            "resolution_class": self.resolution_class,
            "polarisations": list(self.polarisations),
            "swaths": list(self.swaths),
            "absolute_orbit": self.absolute_orbit,
            "relative_orbit": self.relative_orbit,
            "cycle": self.cycle,
            "pass_direction": self.pass_direction,
            "ascending_node_time": iso_z(self.ascending_node_time),
            "start_time": iso_z(self.start),
            "stop_time": iso_z(self.stop),
            "datatake_id": self.datatake_id,
            "timeliness": self.timeliness,
            "slice_number": self.slice_number,
            "total_slices": self.total_slices,
            "ipf_version": self.ipf_version,
            "geospatial_bounds": self.footprint_wkt(),
            "geospatial_bounds_crs": "EPSG:4326" if self.footprint else None,
        }
        return {k: v for k, v in out.items() if v is not None}


def parse_manifest(data: bytes, where: str = "manifest.safe", name: str = "") -> Sentinel1Metadata:
    """Parse a Sentinel-1 ``manifest.safe`` (namespace-blind, so every IPF version reads)."""
    root = xml.parse(data, where)
    family = xml.text(root, "//platform/familyName")
    number = xml.text(root, "//platform/number")
    if family != "SENTINEL-1" or not number:
        raise UnsupportedProduct(
            f"{where}: not a Sentinel-1 manifest (platform {family!r} {number!r})"
        )
    orbits = {e.get("type"): e.text for e in xml.iter_local(root, "orbitNumber")}
    relative = {e.get("type"): e.text for e in xml.iter_local(root, "relativeOrbitNumber")}
    start = parse_utc(xml.text(root, "//acquisitionPeriod/startTime"))
    stop = parse_utc(xml.text(root, "//acquisitionPeriod/stopTime"))
    orbit = _int(orbits.get("start"))
    if start is None or stop is None or orbit is None:
        raise UnsupportedProduct(f"{where}: no acquisition period or orbit number")
    software = next(iter(xml.iter_local(root, "software")), None)
    product_type = xml.text(root, "//standAloneProductInformation/productType") or ""
    mode = xml.text(root, "//instrumentMode/mode") or ""
    return Sentinel1Metadata(
        name=name,
        mission=f"S1{number}",
        mode=mode,
        product_type=product_type,
        product_class=xml.text(root, "//standAloneProductInformation/productClass"),
        polarisations=tuple(
            (e.text or "").strip().upper()
            for e in xml.iter_local(root, "transmitterReceiverPolarisation")
        ),
        swaths=tuple(
            (e.text or "").strip().upper() for e in xml.findall(root, "//instrumentMode/swath")
        ),
        absolute_orbit=orbit,
        relative_orbit=_int(relative.get("start")),
        cycle=_int(xml.text(root, "//orbitReference/cycleNumber")),
        pass_direction=(xml.text(root, "//orbitProperties/pass") or "").upper(),
        ascending_node_time=parse_utc(xml.text(root, "//orbitProperties/ascendingNodeTime")),
        start=start,
        stop=stop,
        datatake_id=_int(xml.text(root, "//standAloneProductInformation/missionDataTakeID")),
        timeliness=xml.text(root, "//standAloneProductInformation/productTimelinessCategory"),
        slice_number=_int(xml.text(root, "//standAloneProductInformation/sliceNumber")),
        total_slices=_int(xml.text(root, "//standAloneProductInformation/totalSlices")),
        ipf_version=software.get("version") if software is not None else None,
        footprint=_footprint(xml.text(root, "//footPrint/coordinates")),
        images=_images(root),
    )


def _images(root: Any) -> tuple[ImageFiles, ...]:
    """The manifest's data objects grouped by image: ``(swath, polarisation, number)``."""
    found: dict[tuple[str, str, str], dict[str, str]] = {}
    for obj in xml.findall(root, "dataObjectSection/dataObject"):
        role = ROLES.get(obj.get("repID", ""))
        location = xml.find(obj, "byteStream/fileLocation")
        if role is None or location is None:
            continue
        href = location.get("href", "").strip()
        href = href[2:] if href.startswith("./") else href.lstrip("/")
        m = _IMAGE_FILE.search(href.rsplit("/", 1)[-1])
        if not m:
            continue
        key = (m.group("swath").upper(), m.group("pol").upper(), m.group("n"))
        found.setdefault(key, {})[role] = href
    return tuple(
        ImageFiles(swath=s, polarisation=p, number=n, **files)
        for (s, p, n), files in sorted(found.items())
    )


def _footprint(text: str | None) -> tuple[tuple[float, float], ...]:
    """``"lat,lon lat,lon ..."`` (GML order) -> ``((lon, lat), ...)``."""
    if not text:
        return ()
    out = []
    for token in text.split():
        lat, _, lon = token.partition(",")
        try:
            out.append((float(lon), float(lat)))
        except ValueError:
            return ()
    return tuple(out)


def _int(text: str | None) -> int | None:
    try:
        return int(text.strip()) if text else None
    except ValueError:
        return None
