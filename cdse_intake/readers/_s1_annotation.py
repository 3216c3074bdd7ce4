"""Sentinel-1 product annotation XML (one per image), parsed safely.

The raster description (size, projection, first/last line times, spacing, radar parameters,
TOPS bursts) and the geolocation grid of one image, read through :mod:`.xml` (no DTDs, no
entities) into plain frozen records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import UnsupportedProduct
from . import xml

__all__ = ["Annotation", "GeolocationGrid", "parse_annotation"]


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
