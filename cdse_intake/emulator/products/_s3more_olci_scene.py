"""The image an OLCI product of :mod:`.sentinel3_more` sees (:mod:`._s3more_olci`): its size and
what the synthetic Earth shows at its pixels (:mod:`._s3_pixels`).
"""

from __future__ import annotations

import numpy as np

from ..scene.climate import sun_position
from . import _s3_pixels
from ._s3more_common import Product
from .sentinel3 import BANDS, PATH, TRANSMITTANCE, WAVELENGTHS

__all__ = [
    "CENTRES",
    "COLUMNS",
    "IMAGE",
    "ROWS",
    "TIE",
    "TIE_COLUMNS",
    "TIE_STEP",
    "WATER_BANDS",
    "Scene",
]

ROWS, COLUMNS, TIE_STEP = 48, 65, 16
TIE_COLUMNS = (COLUMNS - 1) // TIE_STEP + 1
WATER_BANDS = tuple(f"Oa{i:02d}" for i in (*range(1, 13), 16, 17, 18, 21))
"""The bands of the water products' reflectances."""
IMAGE = ("rows", "columns")
TIE = ("tie_rows", "tie_columns")
CENTRES = np.array([w for w, _ in WAVELENGTHS])


class Scene:
    """What one product sees: positions, land, clouds, surface and top-of-atmosphere
    reflectance at the 21 band centres ``(band, row, column)``, sun zenith."""

    def __init__(self, product: Product) -> None:
        self.lon, self.lat = _s3_pixels.lonlat(product.swath, ROWS, COLUMNS)
        view = _s3_pixels.look(product, ROWS, COLUMNS)
        self.land = _s3_pixels.land(product.swath, ROWS, COLUMNS)
        self.cloud = _s3_pixels.clouds(view)
        self.ground = _s3_pixels.at_wavelengths(_s3_pixels.surface(view), CENTRES)
        seen = _s3_pixels.at_wavelengths(_s3_pixels.observed(view), CENTRES)
        self.toa = PATH[:, None, None] + TRANSMITTANCE[:, None, None] * seen
        self.sza, self.saa = sun_position(self.lon, self.lat, product.when)
        # bright "water" is sea ice: no water-leaving reflectance there
        self.ice = ~self.land & (self.ground[BANDS.index("Oa04")] > 0.2)
        self.water = ~self.land & ~self.cloud & ~self.ice
        self.clear_land = self.land & ~self.cloud
