"""Sentinel-1 metadata groups in xarray-sentinel's layout, from the SAFE annotation XML.

The same group names, variables, dimensions and CF attributes as
``xarray_sentinel.open_sentinel1_dataset(..., group="IW/VV/<kind>")`` gives, so its helpers
(``calibrate_intensity``...) work on them; parsed through :mod:`.xml` with plain element look-ups
(xarray-sentinel decodes with xmlschema, ~1 s per image).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UnsupportedProduct
from . import xml
from ._s1_annotation import GeolocationGrid

__all__ = ["annotation_groups", "calibration_groups", "calibration_vectors", "noise_groups"]


def annotation_groups(root: Any, grid: GeolocationGrid, projection: str) -> GroupsAndFailures:
    """``gcp``, ``orbit``, ``attitude``, ``dc_estimate``, ``azimuth_fm_rate`` and (ground
    range) ``coordinate_conversion`` datasets of a product annotation."""
    builders: list[tuple[str, Any]] = [
        ("gcp", lambda: _gcp(grid)),
        ("orbit", lambda: _orbit(root)),
        ("attitude", lambda: _attitude(root)),
        ("dc_estimate", lambda: _dc_estimate(root)),
        ("azimuth_fm_rate", lambda: _azimuth_fm_rate(root)),
    ]
    if projection == "Ground Range":
        builders.append(("coordinate_conversion", lambda: _coordinate_conversion(root)))
    return _build(builders)


def calibration_groups(root: Any) -> GroupsAndFailures:
    """The ``calibration`` dataset (LUTs on their ``line x pixel`` grid) of a calibration XML."""
    return _build([("calibration", lambda: _calibration(root))])


def noise_groups(root: Any) -> GroupsAndFailures:
    """``noise_range`` and ``noise_azimuth`` datasets of a noise XML."""
    return _build(
        [
            ("noise_range", lambda: _noise_range(root)),
            ("noise_azimuth", lambda: _noise_azimuth(root)),
        ]
    )


def calibration_vectors(
    root: Any, where: str
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """``(lines, pixels, {LUT name: values})`` of a calibration XML, lines increasing."""
    vectors = xml.findall(root, "calibrationVectorList/calibrationVector")
    if not vectors:
        raise UnsupportedProduct(f"{where}: no calibration vectors")
    try:
        lines = np.array([_number(v, "line") for v in vectors])
        pixels = _regular([_vector(v, "pixel") for v in vectors], "calibration")
        luts = {
            name: np.array([_vector(v, name) for v in vectors])
            for name in ("sigmaNought", "betaNought", "gamma", "dn")
        }
    except ValueError as err:
        raise UnsupportedProduct(f"{where}: {err}") from err
    if any(lut.shape != (lines.size, pixels.size) for lut in luts.values()):
        raise UnsupportedProduct(f"{where}: calibration LUTs do not match their pixels")
    order = np.argsort(lines, kind="stable")
    return lines[order], pixels, {k: v[order] for k, v in luts.items()}


GroupsAndFailures = tuple[dict[str, Any], list[str]]

#: CF attributes of the metadata variables (xarray-sentinel's conventions).
_ATTRS = {
    "line": ("1", "product line number"),
    "pixel": ("1", "product pixel number"),
    "slant_range_time": ("s", "slant range time / two-way delay"),
    "axis": ("1", "coordinate index"),
    "degree": ("1", "polynomial degree"),
    "latitude": ("degrees_north", "geodetic latitude"),
    "longitude": ("degrees_east", "geodetic longitude"),
    "height": ("m", "height above sea level"),
    "incidenceAngle": ("°", "incidence angle"),
    "elevationAngle": ("°", "elevation angle"),
    "q0": ("1", "Q0 attitude quaternion"),
    "q1": ("1", "Q1 attitude quaternion"),
    "q2": ("1", "Q2 attitude quaternion"),
    "q3": ("1", "Q3 attitude quaternion"),
    "roll": ("°", "platform roll"),
    "pitch": ("°", "platform pitch"),
    "yaw": ("°", "platform yaw"),
    "wx": ("° s-1", "X component of angular velocity vector"),
    "wy": ("° s-1", "Y component of angular velocity vector"),
    "wz": ("° s-1", "Z component of angular velocity vector"),
    "position": ("m", "ECEF position"),
    "velocity": ("m s-1", "ECEF velocity"),
    "sigmaNought": ("m m-1", "sigma nought calibration LUT"),
    "betaNought": ("m m-1", "beta nought calibration LUT"),
    "gamma": ("m m-1", "gamma calibration LUT"),
    "dn": ("1", "original digital number calibration LUT"),
    "noiseRangeLut": ("1", "range thermal noise correction LUT"),
    "noiseAzimuthLut": ("1", "azimuth thermal noise correction LUT"),
    "gr0": ("m", "ground range origin for slant range calculation"),
    "sr0": ("m", "slant range origin for ground range calculation"),
    "srgrCoefficients": ("1", "polynomial to convert from slant range to ground range"),
    "grsrCoefficients": ("1", "polynomial to convert from ground range to slant range"),
    "t0": ("s", "two-way slant range time origin"),
    "data_dc_polynomial": ("1", "Doppler centroid estimated from data"),
    "geometry_dc_polynomial": ("1", "Doppler centroid estimated from geometry"),
    "data_dc_rms_error": ("1", "RMS error of the Doppler centroid estimate"),
    "data_dc_rms_error_above_threshold": ("1", "RMS error above the acceptable threshold"),
    "azimuth_fm_rate_polynomial": ("1", "azimuth FM rate polynomial"),
}
_TITLES = {
    "orbit": "Orbit state vectors used by the IPF during processing",
    "attitude": "Attitude data used by the IPF during processing",
    "gcp": "Geolocation grid",
    "calibration": "Calibration look-up tables (beta nought, sigma nought, gamma, DN)",
    "noise_range": "Range thermal noise look-up table",
    "noise_azimuth": "Azimuth thermal noise look-up table",
    "dc_estimate": "Doppler centroid estimates",
    "azimuth_fm_rate": "Azimuth FM rate",
    "coordinate_conversion": "Slant range / ground range conversion polynomials",
}


def _build(builders: list[tuple[str, Any]]) -> GroupsAndFailures:
    groups: dict[str, Any] = {}
    failed: list[str] = []
    for kind, build in builders:
        try:
            ds = build()
        except (ValueError, TypeError, IndexError) as err:  # UnsupportedProduct is a ValueError
            failed.append(f"{kind} ({err})")
            continue
        if ds is None:
            continue
        for name, var in ds.variables.items():
            if name in _ATTRS:
                units, long_name = _ATTRS[str(name)]
                var.attrs.update(units=units, long_name=long_name)
            elif name == "azimuth_time":
                var.attrs.update(long_name="zero-Doppler azimuth time", standard_name="time")
        ds.attrs["title"] = _TITLES[kind]
        groups[kind] = ds
    return groups, failed


def _gcp(grid: GeolocationGrid) -> Any:
    import xarray as xr

    dims = ("azimuth_time", "slant_range_time")
    return xr.Dataset(
        {
            "latitude": (dims, grid.latitude),
            "longitude": (dims, grid.longitude),
            "height": (dims, grid.height),
            "incidenceAngle": (dims, grid.incidence_angle),
            "elevationAngle": (dims, grid.elevation_angle),
        },
        coords={
            "azimuth_time": grid.azimuth_time,
            "slant_range_time": grid.slant_range_time,
            "line": ("azimuth_time", grid.lines),
            "pixel": ("slant_range_time", grid.pixels),
        },
    )


def _orbit(root: Any) -> Any:
    import xarray as xr

    orbits = xml.findall(root, "generalAnnotation/orbitList/orbit")
    if not orbits:
        return None
    frames = {xml.text(o, "frame") for o in orbits}
    return xr.Dataset(
        {
            name: (
                ("axis", "azimuth_time"),
                [[_number(o, f"{name}/{a}") for o in orbits] for a in "xyz"],
            )
            for name in ("position", "velocity")
        },
        coords={"azimuth_time": _times(orbits, "time"), "axis": [0, 1, 2]},
        attrs={"reference_system": frames.pop()} if len(frames) == 1 and None not in frames else {},
    )


def _attitude(root: Any) -> Any:
    import xarray as xr

    records = xml.findall(root, "generalAnnotation/attitudeList/attitude")
    if not records:
        return None
    names = ("q0", "q1", "q2", "q3", "wx", "wy", "wz", "pitch", "roll", "yaw")
    return xr.Dataset(
        {n: ("azimuth_time", [_number(r, n) for r in records]) for n in names},
        coords={"azimuth_time": _times(records, "time")},
    )


def _dc_estimate(root: Any) -> Any:
    import xarray as xr

    records = xml.findall(root, "dopplerCentroid/dcEstimateList/dcEstimate")
    if not records:
        return None
    data = np.array([_vector(r, "dataDcPolynomial") for r in records])
    return xr.Dataset(
        {
            "t0": ("azimuth_time", [_number(r, "t0") for r in records]),
            "data_dc_polynomial": (("azimuth_time", "degree"), data),
            "geometry_dc_polynomial": (
                ("azimuth_time", "degree"),
                np.array([_vector(r, "geometryDcPolynomial") for r in records]),
            ),
            "data_dc_rms_error": ("azimuth_time", [_number(r, "dataDcRmsError") for r in records]),
            "data_dc_rms_error_above_threshold": (
                "azimuth_time",
                [xml.text(r, "dataDcRmsErrorAboveThreshold") == "true" for r in records],
            ),
        },
        coords={"azimuth_time": _times(records, "azimuthTime"), "degree": np.arange(data.shape[1])},
    )


def _azimuth_fm_rate(root: Any) -> Any:
    import xarray as xr

    records = xml.findall(root, "generalAnnotation/azimuthFmRateList/azimuthFmRate")
    if not records:
        return None
    # IPF < 2.80 wrote the polynomial as c0, c1, c2 elements
    polynomial = np.array(
        [
            _vector(r, "azimuthFmRatePolynomial")
            if xml.find(r, "azimuthFmRatePolynomial") is not None
            else [_number(r, c) for c in ("c0", "c1", "c2")]
            for r in records
        ]
    )
    return xr.Dataset(
        {
            "t0": ("azimuth_time", [_number(r, "t0") for r in records]),
            "azimuth_fm_rate_polynomial": (("azimuth_time", "degree"), polynomial),
        },
        coords={
            "azimuth_time": _times(records, "azimuthTime"),
            "degree": np.arange(polynomial.shape[1]),
        },
    )


def _coordinate_conversion(root: Any) -> Any:
    import xarray as xr

    records = xml.findall(
        root, "coordinateConversion/coordinateConversionList/coordinateConversion"
    )
    if not records:
        return None
    srgr = np.array([_vector(r, "srgrCoefficients") for r in records])
    grsr = np.array([_vector(r, "grsrCoefficients") for r in records])
    return xr.Dataset(
        {
            "gr0": ("azimuth_time", [_number(r, "gr0") for r in records]),
            "sr0": ("azimuth_time", [_number(r, "sr0") for r in records]),
            "slant_range_time": ("azimuth_time", [_number(r, "slantRangeTime") for r in records]),
            "srgrCoefficients": (("azimuth_time", "degree"), srgr),
            "grsrCoefficients": (("azimuth_time", "degree"), grsr),
        },
        coords={"azimuth_time": _times(records, "azimuthTime"), "degree": np.arange(srgr.shape[1])},
    )


def _calibration(root: Any) -> Any:
    import xarray as xr

    vectors = xml.findall(root, "calibrationVectorList/calibrationVector")
    if not vectors:
        return None
    lines = [int(_number(v, "line")) for v in vectors]
    pixels = _regular([_vector(v, "pixel") for v in vectors], "calibration")
    data_vars: dict[str, Any] = {"azimuth_time": ("line", _times(vectors, "azimuthTime"))}
    for name in ("sigmaNought", "betaNought", "gamma", "dn"):
        data_vars[name] = (
            ("line", "pixel"),
            np.array([_vector(v, name) for v in vectors], np.float32),
        )
    constant = _float(xml.text(root, "calibrationInformation/absoluteCalibrationConstant"))
    return xr.Dataset(
        data_vars,
        coords={"line": lines, "pixel": pixels.astype(np.int64)},
        attrs={"absoluteCalibrationConstant": constant} if constant is not None else {},
    )


def _noise_range(root: Any) -> Any:
    import xarray as xr

    vectors = xml.findall(root, "noiseRangeVectorList/noiseRangeVector")
    lut = "noiseRangeLut"
    if not vectors:  # IPF < 2.90: one range LUT called noiseLut
        vectors, lut = xml.findall(root, "noiseVectorList/noiseVector"), "noiseLut"
    if not vectors:
        return None
    pixels = _regular([_vector(v, "pixel") for v in vectors], "noise")
    return xr.Dataset(
        {
            "azimuth_time": ("line", _times(vectors, "azimuthTime")),
            "noiseRangeLut": (
                ("line", "pixel"),
                np.array([_vector(v, lut) for v in vectors], np.float32),
            ),
        },
        coords={
            "line": [int(_number(v, "line")) for v in vectors],
            "pixel": pixels.astype(np.int64),
        },
    )


def _noise_azimuth(root: Any) -> Any:
    """The first azimuth noise vector, as xarray-sentinel gives it (GRD IW has one per
    sub-swath, on different lines; its extent is in the attributes)."""
    import xarray as xr

    vectors = xml.findall(root, "noiseAzimuthVectorList/noiseAzimuthVector")
    if not vectors:
        return None
    first = vectors[0]
    attrs = {
        key: xml.text(first, key)
        for key in (
            "swath",
            "firstAzimuthLine",
            "lastAzimuthLine",
            "firstRangeSample",
            "lastRangeSample",
        )
    }
    return xr.Dataset(
        {"noiseAzimuthLut": ("line", _vector(first, "noiseAzimuthLut").astype(np.float32))},
        coords={"line": _vector(first, "line").astype(np.int64)},
        attrs={k: (int(v) if k != "swath" else v) for k, v in attrs.items() if v is not None},
    )


def _regular(pixels: list[np.ndarray], what: str) -> np.ndarray:
    if any(p.shape != pixels[0].shape or not np.array_equal(p, pixels[0]) for p in pixels):
        raise ValueError(f"the {what} vectors are not on the same pixels")
    return pixels[0]


def _number(element: Any, path: str) -> float:
    value = _float(xml.text(element, path))
    if value is None:
        raise ValueError(f"{path} is missing or not a number")
    return value


def _vector(element: Any, path: str) -> np.ndarray:
    text = xml.text(element, path)
    if text is None:
        raise ValueError(f"{path} is missing")
    return np.array(text.split(), dtype=np.float64)


def _times(elements: list[Any], path: str) -> np.ndarray:
    out = []
    for e in elements:
        text = xml.text(e, path)
        if not text:
            raise ValueError(f"{path} is missing")
        out.append(np.datetime64(text.removesuffix("Z"), "ns"))
    return np.array(out, "datetime64[ns]")


def _float(text: str | None) -> float | None:
    try:
        return float(text.strip()) if text else None
    except ValueError:
        return None
