"""The ``bands`` of the collections whose templates list them (eometadatatool collection
templates: S2 L1C/L2A and mosaics, S3 OLCI, Sentinel-6 P4 and AMR-C, the Landsat mosaic)."""

from __future__ import annotations

from typing import Any

from ..catalogue_list import CollectionRow
from .layouts import S2_BANDS

__all__ = ["bands_of"]

#: OLCI bands: centre and FWHM (µm), as ``collection_s3_ol1_efr_ntc.json`` lists them.
_OLCI = (
    (0.4, 0.015, "Aerosol correction, improved water constituent retrieval"),
    (0.4125, 0.01, "Yellow substance and detrital pigments (turbidity)"),
    (0.4425, 0.01, "Chlorophyll absorption maximum, biogeochemistry, vegetation"),
    (0.49, 0.01, "Chlorophyll"),
    (0.51, 0.01, "Chlorophyll, sediment, turbidity, red tide"),
    (0.56, 0.01, "Chlorophyll reference (minimum)"),
    (0.62, 0.01, "Sediment loading"),
    (0.665, 0.01, "2nd Chlorophyll absorption maximum, sediment, yellow substance / vegetation"),
    (0.67375, 0.0075, "Improved fluorescence retrieval"),
    (0.68125, 0.0075, "Chlorophyll fluorescence peak, red edge"),
    (0.70875, 0.01, "Chlorophyll fluorescence baseline, red edge transition"),
    (0.75375, 0.0075, "O2 absorption / clouds, vegetation"),
    (0.76125, 0.0025, "O2 absorption / aerosol correction"),
    (0.764375, 0.00375, "Atmospheric correction"),
    (0.7675, 0.0025, "O2 absorption used for cloud top pressure, fluorescence over land"),
    (0.77875, 0.015, "Atmospheric / aerosol correction"),
    (0.865, 0.02, "Atmospheric / aerosol correction, clouds, pixel co-registration"),
    (
        0.885,
        0.01,
        "Water vapour absorption reference. Common reference band with SLSTR. "
        "Vegetation monitoring",
    ),
    (0.9, 0.01, "Water vapour absorption, vegetation monitoring (maximum REFLECTANCE)"),
    (0.94, 0.02, "Water vapour absorption, atmospheric / aerosol correction"),
    (1.02, 0.04, "Water vapour absorption, atmospheric / aerosol correction"),
)
_POSEIDON = [
    {
        "description": "Ionospheric correction and surface roughness estimation",
        "sar:frequency_band": "C",
        "sar:center_frequency": 5.41,
        "sar:bandwidth": 0.32,
    },
    {
        "description": "Primary altimetric measurements",
        "sar:frequency_band": "Ku",
        "sar:center_frequency": 13.575,
        "sar:bandwidth": 0.32,
    },
]
_AMR = [
    {
        "name": f"band{i}",
        "description": f"AMR-C Band {i} at {ghz} GHz with {mhz} MHz bandwidth",
        "eo:center_wavelength": centre,
        "eo:full_width_half_max": fwhm,
    }
    for i, ghz, mhz, centre, fwhm in (
        (1, 18.7, 200, 16031.682, 171.462),
        (2, 23.8, 400, 12596.322, 211.703),
        (3, 34.0, 700, 8817.425, 181.535),
    )
]
_LANDSAT = (
    ("Blue", 0.482, 0.06, "blue"),
    ("Green", 0.561, 0.057, "green"),
    ("Red", 0.655, 0.037, "red"),
    ("Near Infrared", 0.865, 0.028, "nir08"),
    ("Short-wave Infrared 1.6", 1.609, 0.085, "swir16"),
    ("Short-wave Infrared 2.2", 2.201, 0.187, "swir22"),
    ("Thermal", 12.005, 1.01, "lwir12"),
)


def _s2(names: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "gsd": S2_BANDS[n][4],
            "name": n,
            "eo:common_name": S2_BANDS[n][1],
            "description": S2_BANDS[n][0],
        }
        for n in names
    ]


def bands_of(row: CollectionRow) -> list[dict[str, Any]] | None:
    """The collection's ``bands``, None when its template lists none."""
    if row.id in ("sentinel-2-l1c", "sentinel-2-l2a"):
        return _s2([b for b in S2_BANDS if row.id.endswith("l1c") or b != "B10"])
    if row.id == "sentinel-2-global-mosaics":
        observations = {"name": "observations", "gsd": 10}
        observations["description"] = "Number of valid observations for each pixel"
        return [*_s2(["B02", "B03", "B04", "B08"]), observations]
    if row.id.startswith("sentinel-3-olci"):
        return [
            {
                "name": f"Oa{i:02d}",
                "description": text,
                "eo:center_wavelength": centre,
                "eo:full_width_half_max": fwhm,
            }
            for i, (centre, fwhm, text) in enumerate(_OLCI, start=1)
        ]
    if row.id.startswith("sentinel-6-"):
        return _AMR if "-amr-" in row.id else _POSEIDON
    if row.id.startswith("opengeohub-landsat"):
        return [
            {
                "name": f"B{i:02d}",
                "description": what,
                "eo:center_wavelength": centre,
                "eo:full_width_half_max": fwhm,
                "eo:common_name": common,
            }
            for i, (what, centre, fwhm, common) in enumerate(_LANDSAT, start=1)
        ]
    return None
