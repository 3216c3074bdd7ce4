"""AMR-C Level-2 measurement file: brightness temperatures and the wet tropospheric correction.

Variables, types and ``nodata`` as the AMR measurement asset of a CDSE ``S6A_MW_2__AMR____…SEN6``
item lists them (eometadatatool ``sentinel-6`` example): ``time``/``time_tai``, ``latitude``,
``longitude`` (int32 micro-degrees, 0..360 east), ``rad_tb_187|238|340`` (equalized brightness
temperatures, int32, K), ``rad_water_vapor``, ``rad_cloud_liquid_water``, ``rad_wet_tropo_cor``,
``rad_surface_type_flag``, ``rad_rain_flag``, ``rad_sea_ice_flag``, ``rad_distance_to_land``,
``rad_land_frac_187``, the ``*_qual`` flags. The group (``data_01``, as the altimetry files) and
scale factors are inferred.

Values: over the ocean, cold 18.7/34.0 GHz sky-reflecting sea (~150-190 K) warmed by water vapour
(strongest at 23.8 GHz) and cloud; over land hot, emissive ground (~270-290 K); the wet
tropospheric correction is -6.4 mm per kg/m² of water vapour over the ocean, fill over land.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._netcdf import NcGroup, netcdf_bytes
from ._s6_nc import FLAG_MEANINGS, coords, flag, packed, times
from ._s6_track import RECORDS, Ground, Track

__all__ = ["amr_file", "brightness"]

CHANNELS = {"187": 18.7, "238": 23.8, "340": 34.0}


def brightness(track: Track, g: Ground) -> dict[str, np.ndarray]:
    """Brightness temperatures (K) per channel, water vapour and liquid water at ``g``."""
    vapour = track.water_vapour(g)
    rng = np.random.default_rng(track.seed("amr"))
    liquid = np.clip(0.02 + 0.15 * rng.gamma(1.2, 0.5, g.lat.size) * (vapour / 50.0), 0, 1.5)
    wind = track.wind_speed(g)
    land = g.land_fraction
    sea_tb = {
        "187": 130.0 + 0.9 * vapour + 45.0 * liquid + 0.8 * wind,
        "238": 135.0 + 1.6 * vapour + 55.0 * liquid + 0.7 * wind,
        "340": 150.0 + 0.8 * vapour + 90.0 * liquid + 1.0 * wind,
    }
    land_tb = 255.0 + 30.0 * np.cos(np.radians(g.lat))
    out = {k: (1 - land) * v + land * land_tb for k, v in sea_tb.items()}
    out["vapour"], out["liquid"] = vapour, liquid
    return out


def amr_file(track: Track, attrs: dict[str, Any], name: str) -> bytes:
    """The AMR-C measurement file."""
    g = track.at(track.times(RECORDS["amr"]))
    v = brightness(track, g)
    sea = ~g.land
    ice = sea & (np.abs(g.lat) > 63.0)
    surface = np.where(g.land, 2, np.where(g.land_fraction > 0.02, 1, 0))

    def write(root: NcGroup) -> None:
        for key, value in {**attrs, "product_name": name}.items():
            root.attrs[key] = value
        d = root.create_group("data_01")
        d.dimensions = {"time": g.time.size}
        times(d, g.time)
        coords(d, g.lon360, g.lat)
        t = ("time",)
        flag(d, "rad_surface_type_flag", t, surface, "radiometer surface type",
             FLAG_MEANINGS["rad_surface_type_flag"])  # fmt: skip
        flag(d, "rad_rain_flag", t, np.zeros(g.time.size), "radiometer rain flag", "no_rain rain")
        flag(d, "rad_sea_ice_flag", t, ice, "radiometer sea ice flag", FLAG_MEANINGS["ice"])
        for ch, ghz in CHANNELS.items():
            flag(d, f"rad_tb_{ch}_qual", t, np.zeros(g.time.size),
                 f"quality flag for {ghz} GHz equalized brightness temperature",
                 FLAG_MEANINGS["qual"])  # fmt: skip
        for ch, ghz in CHANNELS.items():
            packed(d, f"rad_tb_{ch}", t, v[ch], np.int32, 1e-3,
                   f"radiometer equalized brightness temperature at {ghz} GHz", "K",
                   standard_name="brightness_temperature")  # fmt: skip
        packed(d, "rad_water_vapor", t, np.where(sea, v["vapour"], np.nan), np.int16, 0.01,
               "radiometer water vapor content", "kg/m^2",
               standard_name="atmosphere_mass_content_of_water_vapor")  # fmt: skip
        packed(d, "rad_cloud_liquid_water", t, np.where(sea, v["liquid"], np.nan), np.int16,
               0.001, "radiometer liquid water content", "kg/m^2")  # fmt: skip
        packed(d, "rad_wet_tropo_cor", t, np.where(sea, -0.0064 * v["vapour"], np.nan),
               np.int16, 1e-4, "radiometer wet tropospheric correction", "m")  # fmt: skip
        flag(d, "rad_wet_tropo_cor_qual", t, (~sea).astype(np.int8),
             "quality flag for radiometer wet troposphere correction",
             FLAG_MEANINGS["qual"])  # fmt: skip
        distance = np.where(g.land, 0.0, 25_000.0 + 500_000.0 * (1 - g.land_fraction) ** 8)
        packed(d, "rad_distance_to_land", t, distance, np.int32, 1.0,
               "radiometer main beam radial distance to land", "m")  # fmt: skip
        packed(d, "rad_land_frac_187", t, g.land_fraction, np.int16, 1e-4,
               "land fraction within main beam of 18.7 GHz channel")  # fmt: skip

    return netcdf_bytes(write)
