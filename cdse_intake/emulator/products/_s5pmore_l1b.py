"""Sentinel-5P L1B radiance files (``L1B_RA_BD1`` .. ``L1B_RA_BD8``): one spectral band each.

Layout of the TROPOMI L1B products (L1B Product User Manual, S5P-KNMI-L01B-0009-SD; inferred
where no sample was at hand)::

    /                                   global attributes (:mod:`._s5pmore_meta`)
    BAND<n>_RADIANCE/STANDARD_MODE/     dims scanline, ground_pixel, spectral_channel, time (1),
                                        corner (4), each with its coordinate variable
        OBSERVATIONS/   delta_time, time_utc, ground_pixel_quality, radiance (time, scanline,
                        ground_pixel, spectral_channel; mol.m-2.nm-1.sr-1.s-1), radiance_noise,
                        spectral_channel_quality, quality_level
        GEODATA/        latitude, longitude (+ _bounds over corner), solar and viewing angles,
                        satellite position
        INSTRUMENT/     nominal_wavelength (time, ground_pixel, spectral_channel; nm)
    METADATA/           GRANULE_DESCRIPTION (ProcessLevel 1b), QA_STATISTICS, ISO/EOP/ESA

Band spectral ranges are the instrument's (UV 1-2, UVIS 3-4, NIR 5-6, SWIR 7-8). Small:
:data:`SCANLINES` scanlines, a sixteenth of the band's real ground pixels (77, 448/450 or 215)
and :data:`CHANNELS` of its ~500 spectral channels, evenly spread over the band.

Radiance: the sun's photon irradiance (a 5778 K black body at 1 AU) times cos(solar zenith)/π
times the scene's reflectance: clouds (:func:`..scene.cloud_field`, ramped as the L2 cloud
fraction) bright and grey, land brighter than sea and much brighter in the near infrared,
Rayleigh scattering in the UV, ozone absorption below 320 nm, methane lines in the SWIR. Fill
where the sun is below the horizon.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import scene
from ._netcdf import NcGroup, netcdf_bytes, variable
from ._s5p_grid import EPOCH_2010, FILL_FLOAT
from ._s5p_pixels import CLOUD_RAMP
from ._s5pmore_geo import Grid, grid
from ._s5pmore_meta import Identity, global_attributes, metadata

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["BANDS", "CHANNELS", "SCANLINES", "build_l1b", "expected_radiance", "l1b_grid"]

SCANLINES = 48
CHANNELS = 32
#: Band -> (first and last wavelength in nm, real ground pixels).
BANDS: dict[int, tuple[float, float, int]] = {
    1: (270.0, 300.0, 77),
    2: (300.0, 320.0, 448),
    3: (320.0, 405.0, 450),
    4: (405.0, 500.0, 450),
    5: (675.0, 725.0, 450),
    6: (725.0, 775.0, 450),
    7: (2305.0, 2345.0, 215),
    8: (2345.0, 2385.0, 215),
}
_H, _C, _K, _NA = 6.62607015e-34, 2.99792458e8, 1.380649e-23, 6.02214076e23
_SUN_SOLID = (6.957e8 / 1.496e11) ** 2  # (R_sun / AU)^2


def band_of(entry: Entry) -> int:
    """The band number of an ``L1B_RA_BD<n>`` entry."""
    kind = entry.product_type
    if not kind.startswith("L1B_RA_BD") or not kind[-1].isdigit() or int(kind[-1]) not in BANDS:
        raise ValueError(f"{entry.name}: not an L1B radiance product type: {kind!r}")
    return int(kind[-1])


def pixels_of(band: int) -> int:
    return max(4, BANDS[band][2] // 16)


def wavelengths(band: int) -> np.ndarray:
    first, last, _ = BANDS[band]
    return np.linspace(first, last, CHANNELS, dtype=np.float32)


def l1b_grid(entry: Entry) -> Grid:
    """The pixel grid of ``entry``'s file."""
    return grid(entry, SCANLINES, pixels_of(band_of(entry)))


def _irradiance(nm: np.ndarray) -> np.ndarray:
    """Solar photon irradiance at 1 AU, mol m-2 nm-1 s-1."""
    metres = nm.astype(np.float64) * 1e-9
    planck = 2 * _H * _C**2 / metres**5 / np.expm1(_H * _C / (metres * _K * 5778.0))
    watts = np.pi * planck * _SUN_SOLID * 1e-9  # W m-2 nm-1
    return watts / (_H * _C / metres) / _NA


def _reflectance(nm: np.ndarray, cloud: np.ndarray, land: np.ndarray) -> np.ndarray:
    """Top-of-atmosphere reflectance ``(scanline, ground_pixel, channel)``."""
    near_ir = np.clip((nm - 690.0) / 40.0, 0.0, 1.0)
    surface = 0.04 + land[..., None] * (0.06 + 0.25 * near_ir - 0.1 * (nm > 2000))
    rayleigh = 0.12 * (320.0 / nm) ** 4
    ozone = np.exp(-np.clip(320.0 - nm, 0.0, None) / 12.0)
    lines = 1.0 - 0.25 * (nm > 2000) * np.sin(nm * 1.3) ** 8
    clear = (surface + rayleigh) * ozone * lines
    cloudy = 0.75 * ozone * lines * (1.0 - 0.2 * (nm > 2000))
    c = cloud[..., None]
    return c * cloudy + (1.0 - c) * clear


def expected_radiance(entry: Entry) -> np.ndarray:
    """``radiance`` of ``entry``'s file, ``(scanline, ground_pixel, spectral_channel)``, NaN
    (the file's fill) where the sun is below the horizon."""
    band = band_of(entry)
    g = l1b_grid(entry)
    clear, overcast = CLOUD_RAMP
    field = scene.cloud_field(g.lon.astype(np.float64), g.lat.astype(np.float64), entry.start)
    cloud = np.clip((field - clear) / (overcast - clear), 0.0, 1.0)
    land = scene.land_fraction(g.lon.astype(np.float64), g.lat.astype(np.float64))
    nm = wavelengths(band).astype(np.float64)
    mu = np.cos(np.radians(g.solar_zenith.astype(np.float64)))[..., None]
    radiance = _irradiance(nm) * np.clip(mu, 0.0, None) / np.pi * _reflectance(nm, cloud, land)
    return np.where(mu > 0.0, radiance, np.nan).astype(np.float32)


def build_l1b(entry: Entry) -> bytes:
    """The netCDF bytes of an L1B radiance product."""
    band = band_of(entry)
    who = Identity(entry, f"TROPOMI/S5P L1B radiance product band {band}", "KNMI", "1b")
    g = l1b_grid(entry)
    radiance = expected_radiance(entry)

    def write(nc: NcGroup) -> None:
        attrs = global_attributes(
            who,
            f"Calibrated and geolocated Earth radiance of TROPOMI band {band}",
            "Sentinel-5 precursor/TROPOMI Level 1 Product User Manual; S5P-KNMI-L01B-0009-SD",
        )
        for key, value in attrs.items():
            nc.attrs[key] = value
        mode = nc.create_group(f"BAND{band}_RADIANCE").create_group("STANDARD_MODE")
        _standard_mode(mode, who, g, band, radiance)
        failed = int(np.isnan(radiance[..., 0]).sum())
        metadata(
            nc.create_group("METADATA"),
            who,
            "TROPNLL2DP",
            {"input.band": str(band), "output.spectral_channels": str(CHANNELS)},
            {
                "number_of_groundpixels": np.array([radiance[..., 0].size], np.int32),
                "number_of_night_groundpixels": np.array([failed], np.int32),
            },
        )

    return netcdf_bytes(write)


def _standard_mode(mode: NcGroup, who: Identity, g: Grid, band: int, radiance: np.ndarray) -> None:
    scanlines, pixels = g.lat.shape
    mode.dimensions = {
        "scanline": scanlines,
        "ground_pixel": pixels,
        "spectral_channel": CHANNELS,
        "time": 1,
        "corner": 4,
    }
    for dim, long_name in (
        ("scanline", "along-track dimension index"),
        ("ground_pixel", "across-track dimension index"),
        ("spectral_channel", "spectral dimension index"),
        ("corner", "pixel corner index"),
    ):
        size = mode.dimensions[dim]
        variable(mode, dim, (dim,), np.arange(size), np.int32, units="1", long_name=long_name,
                 compress=False)  # fmt: skip
    variable(
        mode, "time", ("time",), [int((who.day - EPOCH_2010).total_seconds())], np.int32,
        units="seconds since 2010-01-01 00:00:00", standard_name="time",
        long_name="reference time for the measurements", axis="T",
    )  # fmt: skip
    dims3 = ("time", "scanline", "ground_pixel")
    spectral = (*dims3, "spectral_channel")
    obs = mode.create_group("OBSERVATIONS")
    _times(obs, who, g)
    variable(obs, "ground_pixel_quality", dims3, np.zeros((1, scanlines, pixels), np.uint8),
             np.uint8, long_name="ground pixel quality flag")  # fmt: skip
    variable(
        obs,
        "radiance",
        spectral,
        np.where(np.isnan(radiance), FILL_FLOAT, radiance)[None],
        np.float32,
        fill=FILL_FLOAT,
        units="mol.m-2.nm-1.sr-1.s-1",
        long_name="spectral photon radiance",
        coordinates=f"/BAND{band}_RADIANCE/STANDARD_MODE/GEODATA/longitude "
        f"/BAND{band}_RADIANCE/STANDARD_MODE/GEODATA/latitude",
        ancillary_variables="radiance_noise spectral_channel_quality quality_level",
    )
    noise = np.where(np.isnan(radiance), -127, 30).astype(np.int8)[None]
    variable(obs, "radiance_noise", spectral, noise, np.int8, fill=np.int8(-127), units="dB",
             long_name="noise of the spectral photon radiance")  # fmt: skip
    for name, long_name in (
        ("spectral_channel_quality", "spectral channel quality flag"),
        ("quality_level", "quality level of the radiance"),
    ):
        data = np.full(radiance.shape, 100 if name == "quality_level" else 0, np.uint8)[None]
        variable(obs, name, spectral, data, np.uint8, long_name=long_name)
    _geodata(mode.create_group("GEODATA"), g)
    instrument = mode.create_group("INSTRUMENT")
    nominal = np.broadcast_to(wavelengths(band), (1, pixels, CHANNELS))
    variable(instrument, "nominal_wavelength", ("time", "ground_pixel", "spectral_channel"),
             nominal, np.float32, fill=FILL_FLOAT, units="nm",
             long_name="nominal wavelength of each spectral channel")  # fmt: skip


def _times(obs: NcGroup, who: Identity, g: Grid) -> None:
    import h5py

    variable(
        obs, "delta_time", ("time", "scanline"), g.delta_ms[None], np.int32,
        units=f"milliseconds since {who.day:%Y-%m-%d} 00:00:00",
        long_name="offset of start time of measurement relative to time_reference",
    )  # fmt: skip
    variable(obs, "time_utc", ("time", "scanline"), np.array([g.stamps], dtype=object),
             h5py.string_dtype(), compress=False,
             long_name="Time of observation as ISO 8601 date-time string")  # fmt: skip


def _geodata(geo: NcGroup, g: Grid) -> None:
    dims3 = ("time", "scanline", "ground_pixel")
    for name, data, units in (
        ("latitude", g.lat, "degrees_north"),
        ("longitude", g.lon, "degrees_east"),
    ):
        variable(geo, name, dims3, data[None], np.float32, fill=FILL_FLOAT, units=units,
                 standard_name=name, long_name=f"pixel center {name}",
                 bounds=f"{name}_bounds")  # fmt: skip
    for name, data in (("latitude_bounds", g.lat_bounds), ("longitude_bounds", g.lon_bounds)):
        variable(geo, name, (*dims3, "corner"), data[None], np.float32, fill=FILL_FLOAT)
    viewing = np.abs(np.linspace(-60.0, 60.0, g.lat.shape[1], dtype=np.float32))
    for name, data in (
        ("solar_zenith_angle", g.solar_zenith),
        ("solar_azimuth_angle", g.solar_azimuth),
        ("viewing_zenith_angle", np.broadcast_to(viewing, g.lat.shape)),
        ("viewing_azimuth_angle", np.full(g.lat.shape, 100.0, np.float32)),
    ):
        variable(geo, name, dims3, data[None], np.float32, fill=FILL_FLOAT, units="degree",
                 standard_name=name, coordinates="longitude latitude")  # fmt: skip
    middle = g.lat.shape[1] // 2
    for name, data, units in (
        ("satellite_latitude", g.lat[:, middle], "degrees_north"),
        ("satellite_longitude", g.lon[:, middle], "degrees_east"),
        ("satellite_altitude", np.full(g.lat.shape[0], 8.3e5, np.float32), "m"),
    ):
        variable(geo, name, ("time", "scanline"), data[None], np.float32, units=units,
                 long_name=name.replace("_", " "))  # fmt: skip
