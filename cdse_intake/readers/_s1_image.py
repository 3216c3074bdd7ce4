"""The image node of a Sentinel-1 product: the polarisations of one swath on ``(y, x)``.

Digital numbers or calibrated backscatter (``|DN|² / A²``, lazily per chunk), the 1-D
coordinates (``line``, ``pixel``, ``azimuth_time``, ``ground_range`` or ``slant_range_time``,
SLC ``burst``), lazy 2-D latitude/longitude from the geolocation grid, the grid itself on
``gcp_line`` x ``gcp_pixel`` (no CRS: see :mod:`._s1_geocoding`), the image attributes, and
the default chunks (full-width bands of whole TIFF strips: the measurement TIFFs are striped).
A metadata-only node (no measurement file) has the grid and the attributes, no image.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from ._s1_annotation import Annotation
from ._s1_geocoding import grid_coords
from ._s1_lazy import CalibratedArray, GridInterpolator, InterpolatedArray, lazy
from ._s1_parts import Part
from .raster import RasterInfo, open_raster, tile_chunks
from .source import ProductSource

__all__ = ["AUTO_CHUNK_BYTES", "image_dataset", "metadata_dataset"]

#: Long names of the calibrated variables, by ``calibration=`` value.
_CALIBRATION_NAMES = {
    "sigma0": "sigma nought backscatter coefficient",
    "beta0": "beta nought (radar brightness)",
    "gamma0": "gamma nought backscatter coefficient",
}
#: Target size of a default chunk of the float64 coordinates (image chunks are smaller).
AUTO_CHUNK_BYTES = 64 * 2**20


def image_dataset(
    source: ProductSource,
    parts: list[Part],
    lut_name: str | None,
    calibration: str | None,
    chunks: Any,
) -> xr.Dataset:
    """The polarisations of one swath on ``(y, x)`` with their coordinates."""
    import rioxarray  # noqa: F401  (registers .rio, as every raster reader does)

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
            assert parts[0].info is not None
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
    ds = ds.assign_coords({**coords, **grid_coords(first)})
    ds.attrs = _image_attrs(first, [p.files.polarisation for p in parts], calibration)
    return ds


def metadata_dataset(parts: list[Part]) -> xr.Dataset:
    """The node of a swath whose images have no measurement file: attributes and grid only."""
    first = parts[0].annotation
    ds = xr.Dataset(coords=grid_coords(first))
    ds.attrs = _image_attrs(first, [p.files.polarisation for p in parts], None)
    return ds


def _measurement(
    source: ProductSource,
    part: Part,
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
