"""SRAL altimetry products: Level 1 ``SR_1_SRA___`` (1B), ``SR_1_SRA_A_`` (1A) and Level 2
``SR_2_WAT___`` (marine), ``SR_2_LAN___`` (land) and the thematic land products
``SR_2_LAN_HY`` (hydrology), ``SR_2_LAN_LI`` (land ice), ``SR_2_LAN_SI`` (sea ice).

Files: Level 2 ``standard_measurement.nc``, ``enhanced_measurement.nc``,
``reduced_measurement.nc`` (real: the stactools-sentinel3 items list them with dimensions
``time_01``, ``time_20_ku``, ``time_20_c``, ``echo_sample_ind`` = 128); Level 1B
``measurement_l1b.nc``, Level 1A ``measurement_l1a.nc`` (names inferred) with the real
``time_l1b_echo_sar_ku`` / ``lat_l1b_echo_sar_ku`` / ``i2q2_meas_ku_l1b_echo_sar_ku`` naming.

Each rate is an along-track series: ``time_<rate>`` (seconds since 2000-01-01), ``lat_<rate>``,
``lon_<rate>`` (int32 micro-degrees), ``alt_<rate>``, ranges, significant wave height,
backscatter, sea surface height anomaly, land elevations, surface type. The ground track runs
along the middle of the footprint in the pass direction; it is sampled at 40 points at "1 Hz"
and 800 at "20 Hz", spread over the whole pass (the real rates would give ~3000 and ~60000).
Over the synthetic Earth's land (:func:`..scene.is_land`) the surface type is land and heights
are land elevations; over the sea the sea surface; altitudes, ranges and heights agree
(``range = altitude - surface height``). Packing and the thematic variables are inferred.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import scene
from ._netcdf import NcGroup
from ._s3more_common import Product, finish, nc_file, seeded, spec, stored
from ._sen3 import degrees

__all__ = ["ONE_HZ", "SAMPLES", "Track", "build_sral"]

ONE_HZ = 40
TWENTY_HZ = 20 * ONE_HZ
L1_SAMPLES = 200
SAMPLES = 128  # echo_sample_ind
_SURFACE = "open_ocean_or_semi-enclosed_seas enclosed_seas_or_lakes continental_ice land"
_EPOCH_2000 = 946_684_800.0


class Track:
    """``n`` samples along the ground track: time (s since 2000), lon, lat, land, heights."""

    def __init__(self, product: Product, n: int) -> None:
        rows = np.arange(n) + 0.5
        self.lon, self.lat = product.swath.lonlat(rows * (n - 1) / n, np.ones(n), n, 3)
        entry = product.entry
        duration = (entry.end - entry.start).total_seconds()
        self.time = product.when - _EPOCH_2000 + duration * rows / n
        self.land = scene.is_land(self.lon, self.lat)
        noise = seeded(entry.name, n).normal(0.0, 1.0, n)
        self.altitude = 814_000.0 + 12_000.0 * np.sin(np.radians(self.lat)) ** 2
        self.mss = 40.0 * np.sin(np.radians(3 * self.lon)) * np.cos(np.radians(self.lat))
        self.ssha = 0.12 * np.sin(np.radians(8 * self.lat)) + 0.02 * noise
        elevation = 350.0 + 250.0 * np.sin(np.radians(5 * self.lon + 3 * self.lat)) + 5 * noise
        self.height = np.where(self.land, elevation, self.mss + self.ssha)
        self.swh = np.where(self.land, np.nan, 1.5 + 1.5 * np.abs(np.sin(np.radians(self.lat))))
        self.sig0 = np.where(self.land, 22.0 + noise, 11.5 + 0.3 * noise)


def build_sral(product: Product) -> dict[str, bytes]:
    """The files of a SRAL Level-1 or Level-2 product."""
    kind = product.name["type"]
    attrs = product.attrs(
        mission_name=f"Sentinel 3{product.name['platform']}",
        altimeter_sensor_name="SRAL",
        product_type=kind,
        source=f"IPF-SR-{kind[3]} 06.17",
        xref_orbit_data="POE",
    )
    if kind.startswith("SR_1"):
        level = "1a" if kind == "SR_1_SRA_A_" else "1b"
        files = {f"measurement_l{level}.nc": _level1(product, attrs, level)}
    else:
        files = {
            f"{part}_measurement.nc": _level2(product, attrs, kind, part)
            for part in ("enhanced", "reduced", "standard")
        }
    sral = spec(
        'xmlns:sral="http://www.esa.int/safe/sentinel/sentinel-3/sral/1.0"',
        f"esa/safe/sentinel/sentinel-3/sral/level-{kind[3]}/1.0",
        f"SENTINEL-3 SRAL Level {kind[3]} {kind[5:]} Product",
        ("SRAL", "Synthetic Aperture Radar Altimeter"),
        kind[3],
        "Marine SRAL Processing and Archiving Centre",
    )
    return finish(product, sral, files, [f[:-3] for f in files])


def _position(g: NcGroup, rate: str, t: Track) -> None:
    dims = (f"time_{rate}",)
    stored(
        g,
        f"time_{rate}",
        dims,
        t.time,
        np.float64,
        standard_name="time",
        long_name="UTC time",
        units="seconds since 2000-01-01 00:00:00.0",
        calendar="gregorian",
    )
    degrees(g, f"lat_{rate}", dims, t.lat, 90, standard_name="latitude", units="degrees_north")
    degrees(g, f"lon_{rate}", dims, t.lon, 180, standard_name="longitude", units="degrees_east")
    _metres(g, f"alt_{rate}", dims, t.altitude, "Altitude of satellite", offset=7e5)


def _metres(
    g: NcGroup, name: str, dims: tuple[str, ...], values: Any, long_name: str, offset: float = 0.0
) -> None:
    """A length in metres stored as int32 at 0.1 mm, from ``offset`` (700 km for ranges)."""
    stored(
        g,
        name,
        dims,
        values,
        np.int32,
        scale=1e-4,
        offset=offset,
        fill=2147483647,
        units="m",
        long_name=long_name,
    )


def _short(
    g: NcGroup,
    name: str,
    dims: tuple[str, ...],
    values: Any,
    scale: float,
    units: str,
    long_name: str,
) -> None:
    """A quantity stored as int16 at ``scale``, missing values as the int16 fill."""
    stored(
        g, name, dims, values, np.int16, scale=scale, fill=32767, units=units, long_name=long_name
    )


def _level2(product: Product, attrs: dict[str, Any], kind: str, part: str) -> bytes:
    rates = ("01",) if part == "reduced" else ("01", "20_ku", "20_c")
    one_hz, twenty_hz = Track(product, ONE_HZ), Track(product, TWENTY_HZ)
    tracks = {r: one_hz if r == "01" else twenty_hz for r in rates}
    land_product = kind.startswith("SR_2_LAN")

    def body(g: NcGroup) -> None:
        for rate, t in tracks.items():
            dims = (f"time_{rate}",)
            _position(g, rate, t)
            band = "ku" if rate == "01" else rate[3:]
            suffix = f"01_{band}" if rate == "01" else rate
            sea = np.where(t.land, np.nan, t.altitude - t.height)
            _metres(g, f"range_ocean_{suffix}", dims, sea, "Ocean range", offset=7e5)
            _short(
                g,
                f"sig0_ocean_{suffix}",
                dims,
                t.sig0,
                0.01,
                "dB",
                "Backscatter coefficient, ocean retracking",
            )
            if band == "ku":
                _short(g, f"swh_ocean_{suffix}", dims, t.swh, 0.001, "m", "Significant wave height")
            if rate == "01":
                surface_type = np.where(t.land, 3, 0).astype(np.int8)
                stored(
                    g,
                    "surf_type_01",
                    dims,
                    surface_type,
                    np.int8,
                    fill=127,
                    flag_values=np.arange(4, dtype=np.int8),
                    flag_meanings=_SURFACE,
                    long_name="Altimeter surface type",
                )
                _short(
                    g,
                    "ssha_01_ku",
                    dims,
                    np.where(t.land, np.nan, t.ssha),
                    0.001,
                    "m",
                    "Sea surface height anomaly",
                )
                _metres(g, "mean_sea_surf_sol1_01", dims, t.mss, "Mean sea surface height")
                _short(
                    g,
                    "wind_speed_alt_01_ku",
                    dims,
                    np.where(t.land, np.nan, 7.0),
                    0.01,
                    "m/s",
                    "Altimeter wind speed",
                )
            if land_product and band == "ku":
                _metres(
                    g,
                    f"elevation_ocog_{suffix}",
                    dims,
                    np.where(t.land, t.height, np.nan),
                    "Surface elevation, OCOG retracking",
                )
                _metres(
                    g,
                    f"range_ocog_{suffix}",
                    dims,
                    t.altitude - t.height,
                    "Range, OCOG retracking",
                    offset=7e5,
                )
            if part == "enhanced" and rate != "01":
                stored(
                    g,
                    f"waveform_{rate}",
                    (*dims, "echo_sample_ind"),
                    _waveforms(t, product.entry.name),
                    np.uint16,
                    scale=1.0,
                    fill=65535,
                    long_name=f"Waveform, {band} band",
                )

    dims = {f"time_{r}": len(t.time) for r, t in tracks.items()}
    if part == "enhanced":
        dims["echo_sample_ind"] = SAMPLES
    return nc_file(dims, body, attrs, f"SRAL Level 2 {part} measurement")


def _waveforms(t: Track, name: str) -> np.ndarray:
    """Echo power per range gate: a leading edge at gate 43, trailing off (sea) or peaky
    (land)."""
    gates = np.arange(SAMPLES)
    edge = 1.0 / (1.0 + np.exp(-(gates - 43.0) / 2.0))
    decay = np.exp(-np.maximum(gates - 43.0, 0.0) / np.where(t.land, 5.0, 60.0)[:, None])
    noise = seeded(name, "waveform", len(t.time)).uniform(0.95, 1.05, (len(t.time), SAMPLES))
    return 30000.0 * edge * decay * noise


def _level1(product: Product, attrs: dict[str, Any], level: str) -> bytes:
    t = Track(product, L1_SAMPLES)
    key = f"l{level}_echo_sar_ku"
    dims = (f"time_{key}",)

    def body(g: NcGroup) -> None:
        _position(g, key, t)
        _metres(g, f"tracker_range_{key}", dims, t.altitude - t.height, "Tracker range", offset=7e5)
        echoes = _waveforms(t, product.entry.name)
        if level == "1b":
            stored(
                g,
                f"i2q2_meas_ku_{key}",
                (*dims, "echo_sample_ind"),
                echoes,
                np.float32,
                units="count",
                long_name="SAR power echo waveform",
            )
        else:
            amplitude = np.sqrt(echoes) / 2.0
            phase = seeded(product.entry.name, "phase").uniform(0, 2 * np.pi, echoes.shape)
            for part, values in (
                ("i", amplitude * np.cos(phase)),
                ("q", amplitude * np.sin(phase)),
            ):
                stored(
                    g,
                    f"{part}_meas_ku_{key}",
                    (*dims, "echo_sample_ind"),
                    values,
                    np.int8,
                    long_name=f"{part.upper()} samples of the echo",
                )

    size = {f"time_{key}": L1_SAMPLES, "echo_sample_ind": SAMPLES}
    return nc_file(size, body, attrs, f"SRAL Level {level.upper()} measurement")
