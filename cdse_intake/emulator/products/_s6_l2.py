"""Poseidon-4 Level-2 LR measurement files: ``…_LR_STD__…nc`` (standard) and ``…_LR_RED__…nc``
(reduced).

Groups as the real files have them (EUMETSAT's product description, seen in readers of real files
such as PO.DAAC's l2ss-py tests ``/data_01/wind_speed_alt``, ``/data_01/ku/range_ocean_mle3_rms``,
``/data_20/ku/range_ocean`` and RADS-style scripts reading ``data_01/ku/iono_cor_gim``,
``data_20/ku/latitude``, ``data_20/ku/model_dry_tropo_cor_measurement_altitude``)::

    /               global attributes
    data_01/        1 Hz: time, time_tai, latitude, longitude, altitude, surface flags, the
                    geophysical corrections (tropo, tides, dac, mss, geoid), radiometer values,
                    wind_speed_alt
    data_01/ku|c    1 Hz per band: range_ocean, swh_ocean, sig0_ocean, ssha, sea_state_bias,
                    iono_cor_alt (ku), quality flags
    data_20/ku|c    20 Hz per band (standard file only): time, latitude, longitude, altitude,
                    range_ocean, swh_ocean, sig0_ocean, ssha (ku) ...

Variable names, types and ``nodata`` of ``data_01`` as the standard measurement asset of a CDSE
Sentinel-6 item lists them (eometadatatool ``sentinel-6`` example); the selection is a subset
(the real file has ~300 variables). Scale factors are inferred (Jason-3 GDR conventions).

Values: ``ssha`` is the mesoscale anomaly of the synthetic ocean, and ``ssha = altitude -
range_ocean - corrections - mean_sea_surface_sol1`` holds (to the packing's 0.1 mm steps per term)
with the corrections model_dry_tropo_cor_zero_altitude, rad_wet_tropo_cor, iono_cor_alt,
sea_state_bias, ocean_tide_sol1, solid_earth_tide, pole_tide and dac. Over land and ice the ocean
retracker outputs are fill and their ``*_qual`` flags 1 (bad).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._netcdf import NcGroup, netcdf_bytes
from ._s6_nc import FLAG_MEANINGS, coords, flag, packed, times
from ._s6_track import OPEN_OCEAN, RECORDS, Ground, Track, surface_class

__all__ = ["l2_files", "ocean_1hz"]

I16, I32 = np.int16, np.int32
ALT_OFFSET = 1_300_000.0


def _corrections(track: Track, g: Ground) -> dict[str, np.ndarray]:
    """The geophysical corrections and reference surfaces at ``g`` (m)."""
    n = g.lat.size
    rng = np.random.default_rng(track.seed("l2-corrections"))
    phase = np.radians(g.lon) + 2 * np.pi * (g.time / 44714.0)  # M2-ish tide in space and time
    vapour = track.water_vapour(g)
    swh = track.wave_height(g)
    mss = track.mean_sea_surface(g)
    return {
        "model_dry_tropo_cor_zero_altitude": -2.31 - 0.02 * np.cos(np.radians(2 * g.lat)),
        "model_wet_tropo_cor_zero_altitude": -0.0064 * vapour * (0.97 + 0.06 * rng.random(n)),
        "rad_wet_tropo_cor": -0.0064 * vapour,
        "rad_water_vapor": vapour,
        "iono_cor_alt": -0.01
        - 0.05 * np.exp(-((g.lat / 25.0) ** 2))
        + 0.004 * rng.standard_normal(n),
        "iono_cor_gim": -0.01 - 0.05 * np.exp(-((g.lat / 25.0) ** 2)),
        "sea_state_bias": -0.045 * swh,
        "ocean_tide_sol1": 0.45 * np.sin(phase) * np.cos(np.radians(g.lat)),
        "ocean_tide_sol2": 0.44 * np.sin(phase + 0.05) * np.cos(np.radians(g.lat)),
        "load_tide_sol1": 0.02 * np.sin(phase + 1.0),
        "load_tide_sol2": 0.02 * np.sin(phase + 1.05),
        "solid_earth_tide": 0.18 * np.sin(phase * 0.5 + np.radians(g.lat)),
        "pole_tide": 0.004 * np.sin(np.radians(2 * g.lat)),
        "dac": 0.05 * np.sin(np.radians(3 * g.lon) + np.radians(g.lat)),
        "inv_bar_cor": 0.06 * np.sin(np.radians(3 * g.lon) + np.radians(g.lat)),
        "mean_sea_surface_sol1": mss,
        "mean_sea_surface_sol2": mss + 0.02 * np.sin(np.radians(5 * g.lat)),
        "geoid": mss - 0.6 * np.cos(np.radians(g.lat)),
        "swh": swh,
    }


#: Corrections subtracted from ``altitude - range_ocean`` to give the sea surface height.
SSH_CORRECTIONS = (
    "model_dry_tropo_cor_zero_altitude",
    "rad_wet_tropo_cor",
    "iono_cor_alt",
    "sea_state_bias",
    "ocean_tide_sol1",
    "solid_earth_tide",
    "pole_tide",
    "dac",
)


def ocean_1hz(track: Track, g: Ground) -> dict[str, np.ndarray]:
    """Every value of the 1 Hz records (NaN where the ocean retracker gives none)."""
    c = _corrections(track, g)
    sea = surface_class(g) == OPEN_OCEAN
    ssha = track.sea_level_anomaly(g)
    altitude = track.altitude(g)
    ssh = c["mean_sea_surface_sol1"] + ssha
    applied = sum(c[k] for k in SSH_CORRECTIONS)
    rng = np.random.default_rng(track.seed("l2-noise"))
    wind = track.wind_speed(g)
    out = dict(c)
    out.update(
        altitude=altitude,
        ssha=np.where(sea, ssha, np.nan),
        range_ocean=np.where(sea, altitude - ssh - applied, np.nan),
        range_ocean_rms=np.where(sea, 0.06 + 0.02 * c["swh"], np.nan),
        swh_ocean=np.where(sea, c["swh"], np.nan),
        sig0_ocean=np.where(
            sea, 15.5 - 2.2 * np.log1p(wind) + 0.1 * rng.standard_normal(g.lat.size), np.nan
        ),
        wind_speed_alt=np.where(sea, wind, np.nan),
        wind_speed_mod_u=wind * np.cos(np.radians(g.lat * 3)),
        wind_speed_mod_v=wind * np.sin(np.radians(g.lat * 3)),
        sea=sea,
    )
    return out


def _write_1hz(root: NcGroup, track: Track, g: Ground, v: dict[str, np.ndarray]) -> None:
    d = root.create_group("data_01")
    d.dimensions = {"time": g.time.size}
    times(d, g.time)
    coords(d, g.lon360, g.lat)
    t = ("time",)
    packed(d, "altitude", t, v["altitude"], I32, 1e-4, "1 Hz altitude of satellite", "m",
           offset=ALT_OFFSET, standard_name="height_above_reference_ellipsoid")  # fmt: skip
    flag(d, "surface_classification_flag", t, surface_class(g), "surface type classification",
         FLAG_MEANINGS["surface_classification_flag"])  # fmt: skip
    flag(d, "pass_direction_flag", t, np.full(g.time.size, int(track.ascending)),
         "flag indicating whether pass is ascending or descending",
         FLAG_MEANINGS["pass_direction_flag"])  # fmt: skip
    for name, what in (
        ("model_dry_tropo_cor_zero_altitude", "model dry tropospheric correction at zero altitude"),
        ("model_wet_tropo_cor_zero_altitude", "model wet tropospheric correction at zero altitude"),
        ("rad_wet_tropo_cor", "radiometer wet tropospheric correction"),
        ("ocean_tide_sol1", "geocentric ocean tide height solution 1 (GOT4.10)"),
        ("ocean_tide_sol2", "geocentric ocean tide height solution 2 (FES2014)"),
        ("load_tide_sol1", "load tide height for geocentric ocean tide solution 1 (GOT4.10)"),
        ("load_tide_sol2", "load tide height for geocentric ocean tide solution 2 (FES2014)"),
        ("solid_earth_tide", "solid earth tide height"),
        ("pole_tide", "sea surface height amplitude due to the pole tide"),
        ("inv_bar_cor", "inverse barometric height correction"),
        ("dac", "dynamic atmospheric correction"),
    ):
        packed(d, name, t, v[name], I16, 1e-4, what, "m")
    for name, what in (
        ("mean_sea_surface_sol1",
         "mean sea surface height solution 1 (CNES-CLS15) above the reference ellipsoid"),
        ("mean_sea_surface_sol2",
         "mean sea surface height solution 2 (DTU18) above reference ellipsoid"),
        ("geoid", "geoid height"),
    ):  # fmt: skip
        packed(d, name, t, v[name], I32, 1e-4, what, "m")
    packed(d, "rad_water_vapor", t, v["rad_water_vapor"], I16, 0.01,
           "radiometer water vapor content", "kg/m^2")  # fmt: skip
    packed(d, "wind_speed_alt", t, v["wind_speed_alt"], I16, 0.01, "altimeter wind speed", "m/s",
           standard_name="wind_speed")  # fmt: skip
    packed(d, "wind_speed_mod_u", t, v["wind_speed_mod_u"], I16, 0.01,
           "U component of the model wind vector at the altimeter time tag", "m/s")  # fmt: skip
    packed(d, "wind_speed_mod_v", t, v["wind_speed_mod_v"], I16, 0.01,
           "V component of the model wind vector at the altimeter time tag", "m/s")  # fmt: skip
    flag(d, "rain_flag", t, np.where(v["sea"], 0, 5), "altimeter rain flag", FLAG_MEANINGS["rain"])
    flag(d, "rad_sea_ice_flag", t, (np.abs(g.lat) > 63.0) & ~g.land, "radiometer sea ice flag",
         FLAG_MEANINGS["ice"])  # fmt: skip
    for band in ("ku", "c"):
        _write_1hz_band(d.create_group(band), band, v, g.time.size)


def _write_1hz_band(b: NcGroup, band: str, v: dict[str, np.ndarray], n: int) -> None:
    t = ("time",)
    shift = 0.0 if band == "ku" else 0.012  # C-band reads ~1 cm longer (inferred)
    bad = (~v["sea"]).astype(np.int8)
    packed(b, "range_ocean", t, v["range_ocean"] + shift, I32, 1e-4,
           "corrected ocean altimeter range", "m", offset=ALT_OFFSET)  # fmt: skip
    flag(b, "range_ocean_qual", t, bad, "quality flag for the ocean altimeter range",
         FLAG_MEANINGS["qual"])  # fmt: skip
    packed(b, "range_ocean_rms", t, v["range_ocean_rms"], I16, 1e-4,
           "standard deviation of the ocean altimeter range", "m")  # fmt: skip
    packed(b, "range_ocean_numval", t, np.where(v["sea"], 20, 0), np.int8, None,
           "number of valid points used to compute the ocean altimeter range")  # fmt: skip
    packed(b, "swh_ocean", t, v["swh_ocean"] * (1.0 if band == "ku" else 1.03), I16, 1e-3,
           "corrected ocean significant wave height", "m",
           standard_name="sea_surface_wave_significant_height")  # fmt: skip
    flag(b, "swh_ocean_qual", t, bad, "quality flag for the ocean significant wave height",
         FLAG_MEANINGS["qual"])  # fmt: skip
    sig0 = v["sig0_ocean"] + (0.0 if band == "ku" else 2.1)
    packed(b, "sig0_ocean", t, sig0, I16, 0.01, "corrected ocean backscatter coefficient", "dB",
           standard_name="surface_backwards_scattering_coefficient_of_radar_wave")  # fmt: skip
    flag(b, "sig0_ocean_qual", t, bad, "quality flag for the ocean backscatter coefficient",
         FLAG_MEANINGS["qual"])  # fmt: skip
    packed(b, "sea_state_bias", t, np.where(v["sea"], v["sea_state_bias"], np.nan), I16, 1e-4,
           "sea state bias correction", "m")  # fmt: skip
    if band != "ku":
        return
    packed(
        b, "iono_cor_alt", t, v["iono_cor_alt"], I16, 1e-4, "altimeter ionospheric correction", "m"
    )
    packed(
        b,
        "iono_cor_gim",
        t,
        v["iono_cor_gim"],
        I16,
        1e-4,
        "GIM-derived ionospheric correction",
        "m",
    )
    packed(b, "ssha", t, v["ssha"], I32, 1e-4, "sea surface height anomaly", "m",
           standard_name="sea_surface_height_above_sea_level",
           comment="= altitude - range_ocean - model_dry_tropo_cor_zero_altitude - "
           "rad_wet_tropo_cor - iono_cor_alt - sea_state_bias - ocean_tide_sol1 - "
           "solid_earth_tide - pole_tide - dac - mean_sea_surface_sol1")  # fmt: skip
    per = RECORDS["20hz_per_1hz"]
    packed(b, "index_first_20hz_measurement", t, np.arange(n) * per, I32, None,
           "Level 2 record counter of the first associated 20 Hz measurement")  # fmt: skip
    packed(b, "numtotal_20hz_measurement", t, np.full(n, per), np.int8, None,
           "total number of 20 Hz measurements in 1 Hz time interval")  # fmt: skip


def _write_20hz(root: NcGroup, track: Track, t01: np.ndarray) -> None:
    d = root.create_group("data_20")
    per = RECORDS["20hz_per_1hz"]
    for band in ("ku", "c"):
        b = d.create_group(band)
        t20 = track.times_20hz(t01) + (0.0 if band == "ku" else 0.5 / per * (t01[1] - t01[0]))
        g = track.at(t20)
        v = ocean_1hz(track, g)
        rng = np.random.default_rng(track.seed(f"l2-20hz-{band}"))
        noise = rng.standard_normal(t20.size)
        b.dimensions = {"time": t20.size}
        times(b, t20)
        coords(b, g.lon360, g.lat)
        t = ("time",)
        packed(b, "altitude", t, v["altitude"], I32, 1e-4, "20 Hz altitude of satellite", "m",
               offset=ALT_OFFSET)  # fmt: skip
        packed(b, "range_ocean", t, v["range_ocean"] + 0.08 * noise, I32, 1e-4,
               "corrected ocean altimeter range", "m", offset=ALT_OFFSET)  # fmt: skip
        flag(b, "range_ocean_qual", t, (~v["sea"]).astype(np.int8),
             "quality flag for the ocean altimeter range", FLAG_MEANINGS["qual"])  # fmt: skip
        packed(b, "swh_ocean", t, v["swh_ocean"] + 0.4 * noise, I16, 1e-3,
               "corrected ocean significant wave height", "m")  # fmt: skip
        packed(b, "sig0_ocean", t, v["sig0_ocean"] + 0.2 * noise, I16, 0.01,
               "corrected ocean backscatter coefficient", "dB")  # fmt: skip
        if band == "ku":
            packed(b, "ssha", t, v["ssha"] - 0.08 * noise, I32, 1e-4,
                   "sea surface height anomaly", "m")  # fmt: skip
            for name in ("load_tide_sol1", "load_tide_sol2"):
                packed(b, name, t, v[name], I16, 1e-4, name.replace("_", " "), "m")
            packed(b, "model_dry_tropo_cor_measurement_altitude", t,
                   v["model_dry_tropo_cor_zero_altitude"], I16, 1e-4,
                   "model dry tropospheric correction at measurement altitude", "m")  # fmt: skip
            packed(b, "model_wet_tropo_cor_measurement_altitude", t,
                   v["model_wet_tropo_cor_zero_altitude"], I16, 1e-4,
                   "model wet tropospheric correction at measurement altitude", "m")  # fmt: skip
        packed(b, "index_1hz_measurement", t, np.repeat(np.arange(t01.size), per), I32, None,
               "index of the associated 1 Hz measurement")  # fmt: skip


def l2_files(
    track: Track, attrs: dict[str, dict[str, Any]], names: dict[str, str]
) -> dict[str, bytes]:
    """The standard and reduced measurement files (``attrs`` and ``names`` by kind, ``std`` and
    ``red``: global attributes and file name)."""
    t01 = track.times(RECORDS["1hz"])
    g = track.at(t01)
    v = ocean_1hz(track, g)
    out = {}
    for kind in ("std", "red"):

        def write(root: NcGroup, kind: str = kind) -> None:
            for key, value in {**attrs[kind], "product_name": names[kind]}.items():
                root.attrs[key] = value
            _write_1hz(root, track, g, v)
            if kind == "std":
                _write_20hz(root, track, t01)

        out[names[kind]] = netcdf_bytes(write)
    return out
