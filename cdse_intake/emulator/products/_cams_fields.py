"""The CAMS fields the CAMS writer stores, from the synthetic Earth (:mod:`..scene`).

GLOBAL (the atmospheric composition forecast): total aerosol optical depth at 550 nm
(``aod550``: a maritime background, dust over the dry lands, pollution where the scene's NO2
is high, smoke where its CO has fires), total column ozone (``gtco3``: ~260 DU in the tropics to
~400 DU at high latitudes, more in the local spring), NO2 (``tcno2``: the scene's tropospheric
column plus a stratospheric background) and CO (``tcco``: the scene's column), all converted to
kg m-2 as CAMS gives them. GFAS (the fire assimilation system): wildfire radiative power
(``frpfire``, W m-2) in patches inside the scene's biomass-burning regions and seasons, and the
emissions GFAS derives from it (dry matter burnt ~1 kg per MJ, then emission factors: CO2 1.6,
CO 0.1, PM2.5 0.009 kg per kg; inferred round values).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

__all__ = ["DU", "gfas_fields", "global_fields"]

DU = 2.1415e-5  # kg m-2 of ozone per Dobson unit
_NO2_KG, _CO_KG = 0.046005, 0.028010  # kg per mol


def global_fields(lon: np.ndarray, lat: np.ndarray, when: datetime) -> dict[str, np.ndarray]:
    """The GLOBAL fields on ``(lat, lon)`` (broadcast) at ``when``, float64, kg m-2 or 1."""
    from ..scene import co_column, is_land, no2_column
    from ..scene.climate import climate, day_of_year

    lon, lat = np.broadcast_arrays(lon, lat)
    no2 = no2_column(lon, lat, when).astype(np.float64)
    co = co_column(lon, lat, when).astype(np.float64)
    dry = climate(lon, lat)[2]
    land = is_land(lon, lat)
    background_co = 0.030 + 0.006 * np.tanh(lat / 20.0)
    smoke = np.clip(co - background_co - 0.004, 0, None) * 25.0
    aod = 0.06 + np.where(land, 0.35 * np.clip(dry, 0, 1.5) ** 2, 0.02) + no2 * 3000.0 + smoke
    doy = day_of_year(when)
    spring = np.cos(2 * np.pi * (doy - 75.0) / 365.2425) * np.sign(lat)
    ozone_du = 265.0 + 120.0 * np.sin(np.radians(lat)) ** 2 + 35.0 * spring * np.abs(lat) / 90
    return {
        "aod550": aod,
        "gtco3": ozone_du * DU,
        "tcno2": (no2 + 3.0e-5) * _NO2_KG,
        "tcco": co * _CO_KG,
    }


def gfas_fields(lon: np.ndarray, lat: np.ndarray, when: datetime) -> dict[str, np.ndarray]:
    """The GFAS fields on ``(lat, lon)`` (broadcast) on ``when``'s day: W m-2, kg m-2 s-1."""
    from ..scene import is_land
    from ..scene.atmosphere import FIRES
    from ..scene.climate import day_of_year
    from ..scene.noise import fbm, seed_of

    lon, lat = np.broadcast_arrays(lon, lat)
    doy = day_of_year(when)
    intensity = np.zeros(lon.shape)
    for flon, flat, wlon, wlat, peak, days, _ in FIRES:
        dt = (doy - peak + 182.6) % 365.2425 - 182.6
        dlon = (lon - flon + 180.0) % 360.0 - 180.0
        intensity += np.exp(-((dt / days) ** 2) - (dlon / wlon) ** 2 - ((lat - flat) / wlat) ** 2)
    patches = fbm(lon, lat, seed_of("gfas", int(when.timestamp() // 86400)), 360 / 256, 3)
    frp = np.where(is_land(lon, lat), np.clip(intensity * patches - 0.15, 0, None) * 2.0, 0.0)
    burnt = frp * 1e-6  # kg of dry matter per m2 and s (1 kg per MJ)
    return {
        "frpfire": frp,
        "co2fire": burnt * 1.6,
        "cofire": burnt * 0.1,
        "pm2p5fire": burnt * 0.009,
    }
