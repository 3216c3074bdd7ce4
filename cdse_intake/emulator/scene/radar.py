"""C-band radar backscatter (Sentinel-1) of the synthetic Earth.

Per land-cover class a typical VV sigma0 at 35° incidence and a slope with incidence: the sea
dark, about -23 dB and -26.5 to -19.5 dB with 3-12 m/s of wind (CMOD-like), forest a stable
-7.5 dB, cropland rising from -12 dB (bare, winter) to -8.5 dB as the crop grows, grassland
-11 dB, sand -15 dB, built-up bright (double bounce, around +1 dB, up to +6 dB), snow -12 dB.
Cross-polarisation (VH, HV) is 6-9 dB lower, more so over bare ground and water; HH is within
a few dB of VV. The sea's wind field, like the clouds, is seeded by the hour of the acquisition.
Optional speckle is a deterministic function of position and time: the mean of ``looks``
exponential draws per ~10 m cell.
"""

from __future__ import annotations

import numpy as np

from .climate import When, epoch_seconds
from .landmask import chunked
from .noise import cell_hash, fbm, seed_of
from .surface import URBAN, WATER, land_cover

__all__ = ["POLARISATIONS", "sigma0_db"]

POLARISATIONS = ("VV", "VH", "HH", "HV")
#: Per class (water, forest, cropland, grassland, bare, urban, snow): VV dB at 35° for green
#: fraction 0 and 1, cross-pol drop (dB) at green fraction 0 and 1, slope (dB per degree).
_VV0 = np.array([-23.0, -8.0, -12.0, -12.0, -16.0, 1.0, -12.0], np.float32)
_VV1 = np.array([-23.0, -7.5, -8.5, -10.0, -13.0, 1.0, -12.0], np.float32)
_DROP0 = np.array([9.0, 6.0, 8.0, 8.0, 9.0, 6.5, 8.0], np.float32)
_DROP1 = np.array([9.0, 5.5, 6.0, 7.0, 9.0, 6.5, 8.0], np.float32)
_SLOPE = np.array([-0.3, -0.05, -0.12, -0.12, -0.15, -0.1, -0.12], np.float32)


@chunked
def _backscatter(lon: np.ndarray, lat: np.ndarray, when: When, cross: bool, hh: bool):
    """(sigma0 in dB at 35°, slope per degree) for one polarisation, at flat points."""
    cls, f, shade = land_cover(lon, lat, when)
    vv = _VV0[cls] + f * (_VV1[cls] - _VV0[cls]) + 12.0 * shade
    urban = cls == URBAN
    vv[urban] += 8.0 * (cell_hash(lon[urban], lat[urban], 360 / 2**18, seed_of("blocks")) - 0.5)
    sea = np.flatnonzero(cls == WATER)
    if sea.size:
        hour = int(epoch_seconds(when) // 3600)
        n = fbm(lon[sea], lat[sea], seed_of("wind", hour), 360 / 1024, 6)
        wind = 3.0 + 9.0 * np.clip(2.0 * n - 0.5, 0.0, 1.0)  # m/s
        vv[sea] += 12.0 * np.log10(wind / 6.0)  # sigma0 grows with wind speed^1.2
    sigma = vv
    if cross:
        sigma = vv - (_DROP0[cls] + f * (_DROP1[cls] - _DROP0[cls]))
    elif hh:  # the sea's polarisation ratio; land is close to VV
        sigma = vv - np.where(cls == WATER, 3.0, 0.5)
    return np.stack([sigma, _SLOPE[cls]]).astype(np.float32)


def sigma0_db(
    lon: np.ndarray,
    lat: np.ndarray,
    when: When,
    polarisation: str = "VV",
    incidence_deg: float | np.ndarray = 35.0,
    looks: int = 0,
) -> np.ndarray:
    """Radar backscatter sigma0 in dB (float32).

    ``incidence_deg`` broadcasts against the points; ``looks`` > 0 adds speckle with that
    many looks (IW GRD has about 4.4), the same for the same place and time.
    """
    pol = polarisation.upper()
    if pol not in POLARISATIONS:
        raise ValueError(f"polarisation must be one of {POLARISATIONS}, not {polarisation!r}")
    lon, lat = np.broadcast_arrays(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
    sigma, slope = _backscatter(lon, lat, when, pol in ("VH", "HV"), pol == "HH")
    sigma = sigma + slope * (np.asarray(incidence_deg, np.float32) - np.float32(35.0))
    if looks > 0:
        seed = seed_of("speckle", pol, round(epoch_seconds(when)))
        power = np.zeros(sigma.shape, np.float32)
        for k in range(looks):
            u = cell_hash(lon, lat, 360 / 2**22, seed + k)
            power -= np.log1p(-u).astype(np.float32)  # exponential, mean 1
        sigma = sigma + np.float32(10.0) * np.log10(power / np.float32(looks))
    return np.clip(sigma, -40.0, 15.0).astype(np.float32)
