"""What a Sentinel-2 SAFE product's metadata says, as one record (:class:`Sentinel2Metadata`).

Filled by :func:`._s2_mtd.read_metadata` from ``MTD_MSIL1C.xml``/``MTD_MSIL2A.xml`` and
``MTD_TL.xml`` (or, when the product MTD is absent, from ``manifest.safe``:
:mod:`._s2_manifest`); :meth:`Sentinel2Metadata.attrs` gives the product attributes of the
DataTree root.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._s2_bands import BANDS, BandInfo, Image
from ._s2_geocoding import TileGeocoding
from ._times import iso_z

__all__ = ["Sentinel2Metadata"]


@dataclass(frozen=True)
class Sentinel2Metadata:
    """What ``MTD_MSIL1C.xml``/``MTD_MSIL2A.xml`` and ``MTD_TL.xml`` say, without pixel data."""

    level: str
    """``L1C`` or ``L2A``."""
    product_uri: str | None
    product_type: str | None
    processing_level: str | None
    processing_baseline: str | None
    spacecraft: str | None
    product_start_time: datetime | None
    product_stop_time: datetime | None
    generation_time: datetime | None
    sensing_time: datetime | None
    """The tile's sensing time (``MTD_TL.xml``); the product start time when absent."""
    datatake_id: str | None
    relative_orbit: int | None
    absolute_orbit: int | None
    orbit_direction: str | None
    tile: str | None
    """MGRS tile, e.g. ``31UNE``."""
    granule: str
    """The granule folder, e.g. ``GRANULE/L2A_T31UNE_A030028_20230103T102531``."""
    granule_id: str | None
    datastrip_id: str | None
    image_format: str | None
    cloud_cover: float | None
    quantification: float
    """``QUANTIFICATION_VALUE`` (L1C) or ``BOA_QUANTIFICATION_VALUE`` (L2A)."""
    aot_quantification: float | None
    wvp_quantification: float | None
    offsets: dict[str, float] | None
    """Per-band radiometric offsets in DN as the MTD gives them; None before baseline 04.00."""
    bands: dict[str, BandInfo]
    images: tuple[Image, ...]
    geocoding: TileGeocoding | None
    """None when ``MTD_TL.xml`` is absent (the reader then takes the grid from the images)."""
    reflectance_conversion_u: float | None = None
    nodata_value: int = 0
    saturated_value: int = 65535
    scene_classes: dict[int, str] = field(default_factory=dict)
    mean_sun_zenith: float | None = None
    mean_sun_azimuth: float | None = None
    footprint: str | None = None
    """WKT polygon (lon lat) of the product footprint."""
    quality: dict[str, float] = field(default_factory=dict)
    """Numeric ``Image_Content_QI`` indicators (L2A: class percentages, mean AOT...)."""
    absent: tuple[str, ...] = ()
    """Metadata files the product lacks (``MTD_MSIL2A.xml``, ``GRANULE/<g>/MTD_TL.xml``)."""
    radiometry_note: str | None = None
    """How the radiometry was assumed when the product MTD is absent."""

    @property
    def offset_name(self) -> str:
        """The MTD element holding the offsets for this level."""
        return "RADIO_ADD_OFFSET" if self.level == "L1C" else "BOA_ADD_OFFSET"

    def missing(self) -> list[str]:
        """Expected paths of listed images that are not in the product."""
        return [i.expected for i in self.images if i.path is None]

    def attrs(self) -> dict[str, Any]:
        """Product attributes for the DataTree root (netCDF-friendly: str, numbers, lists)."""
        names = [b for b in BANDS if b in self.bands]
        out: dict[str, Any] = {
            "Conventions": "CF-1.8",
            "title": self.product_uri,
            "product_name": self.product_uri,
            "product_type": self.product_type,
            "processing_level": self.processing_level,
            "processing_baseline": self.processing_baseline,
            "spacecraft": self.spacecraft,
            "platform": self.spacecraft.lower() if self.spacecraft else None,
            "instrument": "MSI",
            "product_start_time": iso_z(self.product_start_time),
            "product_stop_time": iso_z(self.product_stop_time),
            "sensing_time": iso_z(self.sensing_time),
            "generation_time": iso_z(self.generation_time),
            "datatake_id": self.datatake_id,
            "relative_orbit": self.relative_orbit,
            "absolute_orbit": self.absolute_orbit,
            "orbit_direction": self.orbit_direction,
            "tile_id": self.tile,
            "granule_id": self.granule_id,
            "datastrip_id": self.datastrip_id,
            "crs": f"EPSG:{self.geocoding.epsg}" if self.geocoding else None,
            "cloud_cover": self.cloud_cover,
            "quantification_value": self.quantification,
            "aot_quantification_value": self.aot_quantification,
            "wvp_quantification_value": self.wvp_quantification,
            "band_names": names,
            "radiometric_offsets": [self.bands[b].offset for b in names],
            "solar_irradiance": [_nan(self.bands[b].solar_irradiance) for b in names],
            "wavelength_central": [_nan(self.bands[b].wavelength_central) for b in names],
            "reflectance_conversion_u": self.reflectance_conversion_u,
            "nodata_value": self.nodata_value,
            "saturated_value": self.saturated_value,
            "mean_sun_zenith_angle": self.mean_sun_zenith,
            "mean_sun_azimuth_angle": self.mean_sun_azimuth,
            "geospatial_bounds": self.footprint,
            "geospatial_bounds_crs": "EPSG:4326" if self.footprint else None,
        }
        if self.offsets is not None:
            out[self.offset_name.lower()] = [self.offsets.get(b, 0.0) for b in names]
        gains = [self.bands[b].physical_gain for b in names]
        if any(g is not None for g in gains):
            out["physical_gains"] = [_nan(g) for g in gains]
        for key, value in self.quality.items():
            out.setdefault(key.lower(), value)
        return {k: v for k, v in out.items() if v is not None}


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value
