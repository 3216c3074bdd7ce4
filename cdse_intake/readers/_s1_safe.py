"""Sentinel-1 SAFE metadata: ``manifest.safe`` and the per-image annotation XML, parsed safely.

Everything here reads XML through :mod:`.xml` (no DTDs, no entities) and returns plain frozen
records; :mod:`.sentinel1` turns them into xarray objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from ..errors import UnsupportedProduct
from . import xml
from ._times import iso_z, parse_utc

__all__ = [
    "Annotation",
    "GeolocationGrid",
    "ImageFiles",
    "Sentinel1Metadata",
    "parse_annotation",
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


@dataclass(frozen=True)
class GeolocationGrid:
    """The annotation's geolocation grid: a complete ``lines x pixels`` grid of points."""

    lines: np.ndarray
    pixels: np.ndarray
    azimuth_time: np.ndarray
    """Azimuth time of each grid line (its first point's)."""
    azimuth_seconds: np.ndarray
    """Mean azimuth time of each grid line, in seconds after the image's first line."""
    slant_range_time: np.ndarray
    """Slant range time of each grid column (on the first grid line)."""
    latitude: np.ndarray
    longitude: np.ndarray
    height: np.ndarray
    incidence_angle: np.ndarray
    elevation_angle: np.ndarray


@dataclass(frozen=True)
class Annotation:
    """What the product annotation of one image says about its raster."""

    swath: str
    polarisation: str
    lines: int
    samples: int
    projection: str
    """``Ground Range`` (GRD) or ``Slant Range`` (SLC)."""
    first_line_time: np.datetime64
    last_line_time: np.datetime64
    azimuth_time_interval: float
    slant_range_time: float
    """Two-way slant range time of the first pixel, seconds."""
    range_sampling_rate: float
    range_pixel_spacing: float
    azimuth_pixel_spacing: float
    radar_frequency: float
    incidence_angle_mid_swath: float | None
    lines_per_burst: int
    burst_times: tuple[np.datetime64, ...]
    """First-line azimuth time of each burst (TOPS SLC); empty for GRD."""
    grid: GeolocationGrid

    def azimuth_time(self) -> np.ndarray:
        """Zero-Doppler azimuth time of every line (``datetime64[ns]``); SLC bursts restart."""
        if self.burst_times:
            step = np.timedelta64(round(self.azimuth_time_interval * 1e9), "ns")
            offsets = np.arange(self.lines_per_burst) * step
            times = np.concatenate([t + offsets for t in self.burst_times])
            if times.size != self.lines:
                raise UnsupportedProduct(
                    f"{self.swath}/{self.polarisation}: {len(self.burst_times)} bursts of "
                    f"{self.lines_per_burst} lines do not make the {self.lines} image lines"
                )
            return times
        span = (self.last_line_time - self.first_line_time).astype("timedelta64[ns]")
        fractions = np.linspace(0.0, 1.0, self.lines) if self.lines > 1 else np.zeros(1)
        return self.first_line_time + (fractions * span.astype(np.int64)).astype("timedelta64[ns]")

    def range_coordinate(self) -> tuple[str, np.ndarray, dict[str, str]]:
        """``ground_range`` (m, GRD) or ``slant_range_time`` (s, SLC) of every pixel."""
        pixel = np.arange(self.samples, dtype=np.float64)
        if self.projection == "Slant Range":
            values = self.slant_range_time + pixel / self.range_sampling_rate
            return "slant_range_time", values, {"units": "s", "long_name": "slant range time"}
        return (
            "ground_range",
            pixel * self.range_pixel_spacing,
            {
                "units": "m",
                "long_name": "ground range from the first pixel",
            },
        )


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


def parse_annotation(data: bytes, where: str) -> tuple[Annotation, Any]:
    """The raster description and geolocation grid of a product annotation, and its XML root."""
    root = xml.parse(data, where)
    header = xml.find(root, "adsHeader")
    info = xml.find(root, "imageAnnotation/imageInformation")
    product = xml.find(root, "generalAnnotation/productInformation")
    if header is None or info is None or product is None:
        raise UnsupportedProduct(f"{where}: not a Sentinel-1 product annotation")
    first = _datetime64(xml.text(info, "productFirstLineUtcTime"), where)
    bursts = xml.findall(root, "swathTiming/burstList/burst")
    annotation = Annotation(
        swath=(xml.text(header, "swath") or "").upper(),
        polarisation=(xml.text(header, "polarisation") or "").upper(),
        lines=_required_int(info, "numberOfLines", where),
        samples=_required_int(info, "numberOfSamples", where),
        projection=xml.text(product, "projection") or "Ground Range",
        first_line_time=first,
        last_line_time=_datetime64(xml.text(info, "productLastLineUtcTime"), where),
        azimuth_time_interval=_required_float(info, "azimuthTimeInterval", where),
        slant_range_time=_required_float(info, "slantRangeTime", where),
        range_sampling_rate=_required_float(product, "rangeSamplingRate", where),
        range_pixel_spacing=_required_float(info, "rangePixelSpacing", where),
        azimuth_pixel_spacing=_required_float(info, "azimuthPixelSpacing", where),
        radar_frequency=_required_float(product, "radarFrequency", where),
        incidence_angle_mid_swath=_float(xml.text(info, "incidenceAngleMidSwath")),
        lines_per_burst=_int(xml.text(root, "swathTiming/linesPerBurst")) or 0,
        burst_times=tuple(_datetime64(xml.text(b, "azimuthTime"), where) for b in bursts),
        grid=_grid(root, first, where),
    )
    return annotation, root


def _grid(root: Any, first_line: np.datetime64, where: str) -> GeolocationGrid:
    points = xml.findall(root, "geolocationGrid/geolocationGridPointList/geolocationGridPoint")
    if not points:
        raise UnsupportedProduct(f"{where}: the annotation has no geolocation grid")
    rows = []
    times = []
    for p in points:
        values = [xml.text(p, k) for k in _GRID_FIELDS]
        if any(v is None for v in values):
            raise UnsupportedProduct(f"{where}: incomplete geolocationGridPoint")
        rows.append([float(v) for v in values])  # type: ignore[arg-type]
        times.append(_datetime64(xml.text(p, "azimuthTime"), where))
    table = np.array(rows)
    when = np.array(times, "datetime64[ns]")
    lines, first_of_line, line_index = np.unique(
        table[:, 0], return_index=True, return_inverse=True
    )
    pixels, pixel_index = np.unique(table[:, 1], return_inverse=True)
    shape = (lines.size, pixels.size)
    if table.shape[0] != lines.size * pixels.size:
        raise UnsupportedProduct(
            f"{where}: the geolocation grid is not a complete line x pixel grid "
            f"({table.shape[0]} points on {lines.size} lines and {pixels.size} pixels)"
        )
    grids = {}
    for column, key in enumerate(_GRID_FIELDS[2:], start=2):
        values = np.full(shape, np.nan)
        values[line_index, pixel_index] = table[:, column]
        grids[key] = values
    seconds = np.full(shape, np.nan)
    seconds[line_index, pixel_index] = (when - first_line) / np.timedelta64(1, "ns") / 1e9
    return GeolocationGrid(
        lines=lines.astype(np.int64),
        pixels=pixels.astype(np.int64),
        azimuth_time=when[first_of_line],
        azimuth_seconds=seconds.mean(axis=1),
        slant_range_time=grids["slantRangeTime"][0],
        latitude=grids["latitude"],
        longitude=grids["longitude"],
        height=grids["height"],
        incidence_angle=grids["incidenceAngle"],
        elevation_angle=grids["elevationAngle"],
    )


_GRID_FIELDS = (
    "line",
    "pixel",
    "latitude",
    "longitude",
    "height",
    "slantRangeTime",
    "incidenceAngle",
    "elevationAngle",
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


def _datetime64(text: str | None, where: str) -> np.datetime64:
    if not text:
        raise UnsupportedProduct(f"{where}: a time is missing")
    try:
        return np.datetime64(text.strip().removesuffix("Z"), "ns")
    except ValueError as err:
        raise UnsupportedProduct(f"{where}: {text!r} is not a time") from err


def _int(text: str | None) -> int | None:
    try:
        return int(text.strip()) if text else None
    except ValueError:
        return None


def _float(text: str | None) -> float | None:
    try:
        return float(text.strip()) if text else None
    except ValueError:
        return None


def _required_float(element: Any, path: str, where: str) -> float:
    value = _float(xml.text(element, path))
    if value is None:
        raise UnsupportedProduct(f"{where}: {path} is missing from the annotation")
    return value


def _required_int(element: Any, path: str, where: str) -> int:
    value = _int(xml.text(element, path))
    if value is None:
        raise UnsupportedProduct(f"{where}: {path} is missing from the annotation")
    return value
