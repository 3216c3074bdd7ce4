"""How a Landsat Collection 2 raster's digital numbers become physical values, from its MTL.

- Level-1 reflective bands: top-of-atmosphere reflectance
  ``(REFLECTANCE_MULT * DN + REFLECTANCE_ADD) / sin(SUN_ELEVATION)`` (USGS's formula, with the
  scene-centre sun elevation); thermal bands: brightness temperature (K)
  ``K2 / ln(K1 / (RADIANCE_MULT * DN + RADIANCE_ADD) + 1)``.
- Level-2 ``SR_B*``: ``REFLECTANCE_MULT * DN + REFLECTANCE_ADD`` (2.75e-05, -0.2);
  ``ST_B*``: ``TEMPERATURE_MULT * DN + TEMPERATURE_ADD`` (0.00341802, 149.0, in K).
- ST intermediate bands, atmospheric opacity and angle bands: USGS's fixed scale factors.
- QA bands stay as they are (bit fields).

The fill value (the file's nodata: 0, or -9999 for INT16 ST bands) becomes NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from xarray.backends import BackendArray
from xarray.core import indexing

from ._landsat_mtl import group, number

__all__ = ["Scaled", "Scaling", "scaling_of"]

#: Fixed scale factors and units of the Level-2 ST intermediate bands and other rasters.
FIXED = {
    "ST_TRAD": (0.001, "W m-2 sr-1 um-1", "thermal radiance"),
    "ST_URAD": (0.001, "W m-2 sr-1 um-1", "upwelled radiance"),
    "ST_DRAD": (0.001, "W m-2 sr-1 um-1", "downwelled radiance"),
    "ST_ATRAN": (0.0001, "1", "atmospheric transmittance"),
    "ST_EMIS": (0.0001, "1", "emissivity"),
    "ST_EMSD": (0.0001, "1", "emissivity standard deviation"),
    "ST_CDIST": (0.01, "km", "distance to cloud"),
    "ST_QA": (0.01, "K", "surface temperature uncertainty"),
    "SR_ATMOS_OPACITY": (0.001, "1", "atmospheric opacity"),
    "SAA": (0.01, "degree", "solar azimuth angle"),
    "SZA": (0.01, "degree", "solar zenith angle"),
    "VAA": (0.01, "degree", "sensor azimuth angle"),
    "VZA": (0.01, "degree", "sensor zenith angle"),
}


@dataclass(frozen=True)
class Scaling:
    """``value = (mult * DN + add) / divisor``, then, when ``k1`` is set, ``k2 / ln(k1 / value
    + 1)`` (brightness temperature)."""

    mult: float
    add: float
    units: str
    long_name: str
    divisor: float = 1.0
    k1: float | None = None
    k2: float | None = None

    @property
    def linear(self) -> bool:
        return self.k1 is None and self.divisor == 1.0

    def apply(self, dn: np.ndarray) -> np.ndarray:
        value = (dn.astype(np.float64) * self.mult + self.add) / self.divisor
        if self.k1 is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                value = self.k2 / np.log(self.k1 / value + 1.0)
        return value


def scaling_of(suffix: str, label: str, level: str, mtl: dict[str, Any]) -> Scaling | None:
    """The scaling of the raster ``suffix`` (``B4``, ``SR_B4``, ``ST_B10``…; ``label`` its MTL
    band label, ``4`` or ``6_VCID_1``); None for rasters kept as they are (QA)."""
    if suffix in FIXED:
        mult, units, what = FIXED[suffix]
        return Scaling(mult, 0.0, units, what)
    if level.startswith("L2"):
        if suffix.startswith("SR_B"):
            g = group(mtl, "LEVEL2_SURFACE_REFLECTANCE_PARAMETERS")
            return _linear(g, "REFLECTANCE", label, "1", "surface reflectance")
        if suffix.startswith("ST_B"):
            g = group(mtl, "LEVEL2_SURFACE_TEMPERATURE_PARAMETERS")
            return _linear(g, "TEMPERATURE", suffix, "K", "surface temperature")
        return None
    if not suffix.startswith("B"):
        return None
    rescaling = group(mtl, "LEVEL1_RADIOMETRIC_RESCALING")
    thermal = group(mtl, "LEVEL1_THERMAL_CONSTANTS")
    k1, k2 = (
        number(thermal.get(f"K1_CONSTANT_BAND_{label}")),
        number(thermal.get(f"K2_CONSTANT_BAND_{label}")),
    )
    if k1 is not None and k2 is not None:
        radiance = _linear(rescaling, "RADIANCE", label, "K", "brightness temperature")
        if radiance is None:
            return None
        return Scaling(radiance.mult, radiance.add, "K", radiance.long_name, k1=k1, k2=k2)
    reflectance = _linear(rescaling, "REFLECTANCE", label, "1", "top of atmosphere reflectance")
    elevation = number(group(mtl, "IMAGE_ATTRIBUTES").get("SUN_ELEVATION"))
    if reflectance is None or elevation is None or elevation <= 0:
        return reflectance
    return Scaling(
        reflectance.mult,
        reflectance.add,
        "1",
        reflectance.long_name,
        divisor=math.sin(math.radians(elevation)),
    )


def _linear(g: dict[str, str], what: str, label: str, units: str, name: str) -> Scaling | None:
    mult, add = (
        number(g.get(f"{what}_MULT_BAND_{label}")),
        number(g.get(f"{what}_ADD_BAND_{label}")),
    )
    if mult is None or add is None:
        return None
    return Scaling(mult, add, units, name)


class Scaled(BackendArray):
    """A raw DN variable scaled on read (NaN at the fill value). Lazy without dask, picklable."""

    def __init__(self, raw: Any, scaling: Scaling, fill: float | None) -> None:
        self.raw = raw
        self.shape = raw.shape
        self.dtype = np.dtype(np.float32)
        self.scaling = scaling
        self.fill = fill

    def __getitem__(self, key: Any) -> Any:
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.OUTER, self._read
        )

    def _read(self, key: tuple[Any, ...]) -> np.ndarray:
        dn = np.asarray(self.raw[key].values)
        values = self.scaling.apply(dn)
        if self.fill is not None and not math.isnan(self.fill):
            values = np.where(dn == self.fill, np.nan, values)
        return values.astype(np.float32)
