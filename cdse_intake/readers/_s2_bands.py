"""Sentinel-2 bands and the image files of a SAFE product.

The 13 MSI bands (their MTD order, native resolutions and common names), the non-spectral
images of Level-2A products, and where each image the MTD lists lies in the product. L1C ships
each band once, at its native resolution; L2A ships the bands per ``R10m``/``R20m``/``R60m``
folder (resampled to the coarser grids too) with the resolution in the file name.
``IMAGE_FILE`` entries name the images without extension: ``.jp2`` in ESA/CDSE products,
``.tif`` in some re-processed archives (``imageFormat="GeoTIFF"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .source import ProductSource

__all__ = [
    "AUXILIARY",
    "BANDS",
    "COMMON_NAMES",
    "NATIVE",
    "RESOLUTIONS",
    "SCL_CLASSES",
    "BandInfo",
    "Image",
    "band_name",
    "find_images",
]

#: The 13 MSI bands in MTD order (``bandId`` 0..12).
BANDS = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12")
#: Grids of the product, in metres; DataTree group ``r10m`` etc.
RESOLUTIONS = (10, 20, 60)
#: Non-spectral images of Level-2A products, after the bands in each group.
AUXILIARY = ("SCL", "AOT", "WVP", "TCI")

#: Common names of the bands (STAC ``eo`` extension).
COMMON_NAMES = {
    "B01": "coastal", "B02": "blue", "B03": "green", "B04": "red", "B05": "rededge071",
    "B06": "rededge075", "B07": "rededge078", "B08": "nir", "B8A": "nir08", "B09": "nir09",
    "B10": "cirrus", "B11": "swir16", "B12": "swir22",
}  # fmt: skip
#: Used when a product's MTD lacks its Scene_Classification_List (the classes of the L2A PSD).
SCL_CLASSES = ("NODATA", "SATURATED_DEFECTIVE", "DARK_FEATURE_SHADOW", "CLOUD_SHADOW",
               "VEGETATION", "NOT_VEGETATED", "WATER", "UNCLASSIFIED", "CLOUD_MEDIUM_PROBA",
               "CLOUD_HIGH_PROBA", "THIN_CIRRUS", "SNOW_ICE")  # fmt: skip

_IMAGE_NAME = re.compile(r"_(B\d[\dA]|TCI|SCL|AOT|WVP)(?:_(\d+)m)?$", re.IGNORECASE)
_IMAGE_EXTENSIONS = (".jp2", ".tif", ".tiff")

#: Native resolution of each band, in metres (when the MTD does not give it).
NATIVE = {
    "B01": 60, "B02": 10, "B03": 10, "B04": 10, "B05": 20, "B06": 20, "B07": 20,
    "B08": 10, "B8A": 20, "B09": 60, "B10": 60, "B11": 20, "B12": 20,
}  # fmt: skip


@dataclass(frozen=True)
class BandInfo:
    """One spectral band as the product metadata describes it."""

    name: str
    """``B01`` .. ``B12``, ``B8A``."""
    band_id: int
    """Index used by the MTD lists (``bandId``/``band_id``)."""
    resolution: int
    """Native resolution in metres."""
    wavelength_min: float | None
    wavelength_max: float | None
    wavelength_central: float | None
    """Nanometres."""
    solar_irradiance: float | None
    """W/m²/µm."""
    offset: float
    """``RADIO_ADD_OFFSET``/``BOA_ADD_OFFSET`` in DN (0 before baseline 04.00)."""
    physical_gain: float | None = None


@dataclass(frozen=True)
class Image:
    """An image file the MTD lists: a band, SCL, AOT, WVP or TCI at one resolution."""

    name: str
    resolution: int
    listed: str
    """The ``IMAGE_FILE`` entry (relative path without extension)."""
    path: str | None
    """The file in the product, or None when it is missing."""
    expected: str
    """The path the file should have (for messages when it is missing)."""


def find_images(
    source: ProductSource,
    listed: list[str],
    image_format: str | None,
    bands: dict[str, BandInfo],
    granule: str,
) -> tuple[Image, ...]:
    """The listed images, located in the product (any of the usual extensions, any case)."""
    if not listed:  # no IMAGE_FILE list: take what the granule holds
        listed = [
            f.rsplit(".", 1)[0]
            for f in source.find(f"{granule}/IMG_DATA/*")
            if f.lower().endswith(_IMAGE_EXTENSIONS)
        ]
    by_lower = {f.lower(): f for f in source.files()}
    suffix = ".tif" if (image_format or "").upper().startswith("GEOTIFF") else ".jp2"
    out = []
    for entry in listed:
        match = _IMAGE_NAME.search(entry)
        if match is None:
            continue
        name = band_name(match.group(1)) or match.group(1).upper()
        if match.group(2):
            resolution = int(match.group(2))
        elif name in bands:
            resolution = bands[name].resolution
        elif name in NATIVE:
            resolution = NATIVE[name]
        else:  # the L1C TCI
            resolution = 10
        path = next(
            (by_lower[k] for ext in _IMAGE_EXTENSIONS if (k := (entry + ext).lower()) in by_lower),
            None,
        )
        out.append(Image(name, resolution, entry, path, entry + suffix))
    return tuple(out)


def band_name(text: str | None) -> str | None:
    """``B1``/``b01``/``B8A`` -> ``B01``/``B8A``; None if not a band name."""
    if not text:
        return None
    m = re.fullmatch(r"B0?(\d{1,2}|8A)", text.strip().upper())
    if m is None:
        return None
    n = m.group(1)
    return f"B{n}" if n == "8A" else f"B{int(n):02d}"
