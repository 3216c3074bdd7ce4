"""Sentinel-1 SAFE files as STAC assets: GRD as ``sentinel-1-grd-cog``, SLC as
``sentinel-1-slc`` describe them (EOMETA templates, the GRD sample, the IW SLC example).

GRD: ``vv``/``vh`` measurement, ``schema-{product,calibration,noise}-vv`` annotation assets.
SLC: per beam and polarisation ``iw1-vv`` and ``schema-…-iw1-vv``, with the beam as a second
role. Measurements are typed as COGs (``profile=cloud-optimized``), as on CDSE.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ..catalogue import Entry
from .common import attr
from .jsonb import jsonb_order

__all__ = ["S1_POLS", "classify_s1", "manifest_s1", "s1_files"]

COG = "image/tiff; application=geotiff; profile=cloud-optimized"

#: ``stac_bands.S1_Pols`` (the generator's texts, HV title included).
S1_POLS = {
    "VV": (
        "VV: Vertical transmit, vertical receive",
        "Amplitude of vertically polarized signal received vertically.",
    ),
    "VH": (
        "VH: Vertical transmit, horizontal receive",
        "Amplitude of vertically polarized signal received horizontally.",
    ),
    "HH": (
        "HH: Horizontal transmit, horizontal receive",
        "Amplitude of horizontally polarized signal received horizontally.",
    ),
    "HV": (
        "HV: Horizontal transmit, horizontal receive",
        "Amplitude of horizontally polarized signal received vertically.",
    ),
}
_PRODUCT_TEXT = (
    "Main source of band's metadata, including: state of the platform during acquisition, "
    "image properties, Doppler information, geographic location, etc."
)
_CALIBRATION_TEXT = (
    "Calibration metadata including calibration details and lookup tables for beta nought, "
    "sigma nought, gamma, and digital numbers used in absolute product calibration."
)
#: SLC sub-swaths and stripmap beams: mid-swath incidence angle (degrees), range and azimuth
#: pixel spacing (m). IW's from the IW SLC example; EW's and SM's approximate (ESA's product
#: specification: EW ~5.9 x 20 m, SM ~2.2-3.6 x 4.1 m).
_IW_BEAMS = {
    "iw1": (33.7, 2.329562, 13.97),
    "iw2": (39.1, 2.329562, 13.99),
    "iw3": (43.9, 2.329562, 14.0),
    "ew1": (22.8, 5.99, 19.95),
    "ew2": (29.2, 5.99, 19.95),
    "ew3": (35.0, 5.99, 19.95),
    "ew4": (40.0, 5.99, 19.95),
    "ew5": (44.6, 5.99, 19.95),
    "s1": (20.3, 3.6, 4.1),
    "s2": (23.9, 3.1, 4.1),
    "s3": (29.5, 2.7, 4.1),
    "s4": (34.7, 2.5, 4.1),
    "s5": (38.7, 2.3, 4.1),
    "s6": (42.4, 2.2, 4.1),
}
#: Sub-swaths of an SLC by the name's mode field (a stripmap beam is its own one swath).
_SLC_SWATHS = {"iw": 3, "ew": 5}
_S1_FILE = re.compile(
    r"^(?:(?P<dir>measurement|annotation|annotation/calibration)/)"
    r"(?P<prefix>calibration-|noise-)?"
    r"s1[a-d]-(?P<swath>[a-z]+\d?)-(?P<kind>grd|slc)-(?P<pol>hh|hv|vh|vv)-[^/]*\.(?P<ext>tiff|xml)$"
)


def s1_files(entry: Entry) -> list[str]:
    """The SAFE files of a metadata-only S1 product, as the real ones are named."""
    # S1A_IW_GRDH_1SDV_<start>_<end>_<orbit>_<datatake>_<crc>.SAFE
    parts = entry.stem.split("_")
    mission, mode, start, end, orbit, datatake = (
        parts[0].lower(),
        parts[1].lower(),
        parts[-5].lower(),
        parts[-4].lower(),
        parts[-3],
        parts[-2].lower(),
    )
    pols = [p.lower() for p in str(attr(entry, "polarisationChannels", "VV")).split("&")]
    slc = "_SLC_" in entry.product_type
    count = _SLC_SWATHS.get(mode, 0) if slc else 0
    swaths = [f"{mode}{i}" for i in range(1, count + 1)] if count else [mode]
    files = ["manifest.safe"]
    kind = "slc" if slc else "grd"
    for pol_index, pol in enumerate(pols):
        for swath_index, swath in enumerate(swaths):
            # Image numbers as in real SAFE names: one per (polarisation, swath), from 001.
            number = pol_index * len(swaths) + swath_index + 1
            base = f"{mission}-{swath}-{kind}-{pol}-{start}-{end}-{orbit}-{datatake}-{number:03d}"
            files += [
                f"measurement/{base}.tiff",
                f"annotation/{base}.xml",
                f"annotation/calibration/calibration-{base}.xml",
                f"annotation/calibration/noise-{base}.xml",
            ]
    return files


@functools.lru_cache(maxsize=4)
def manifest_s1(slc: bool) -> dict[str, Any]:
    """``safe_manifest``: the SLC template adds a description, the GRD one does not."""
    fields: dict[str, Any] = {"type": "application/xml", "title": "manifest.safe"}
    fields["roles"] = ["metadata"]
    if slc:
        fields["description"] = "General product metadata in XML format."
    return jsonb_order(fields)


def classify_s1(rel: str, ascending: bool) -> tuple[str, dict[str, Any]] | None:
    """Asset key and static fields of a measurement or annotation file; None for others."""
    match = _S1_FILE.match(rel)
    if not match:
        return None
    pol = match.group("pol")
    slc = match.group("kind") == "slc"
    beam = match.group("swath") if slc else ""
    which = f"{beam}-{pol}" if slc else pol
    if match.group("ext") == "tiff":
        return which, _measurement(pol.upper(), beam, ascending)
    kind = (match.group("prefix") or "product-").rstrip("-")
    return f"schema-{kind}-{which}", _annotation(kind, pol.upper(), beam)


@functools.lru_cache(maxsize=64)
def _measurement(pol: str, beam: str, ascending: bool) -> dict[str, Any]:
    title, description = S1_POLS[pol]
    fields: dict[str, Any] = {
        "type": COG,
        "title": title,
        "roles": ["data", beam] if beam else ["data"],
        "description": description,
        "data_type": "cint16" if beam else "uint16",
        "proj:code": None,
        "sar:polarizations": [pol],
    }
    if beam:  # SLC: per sub-swath geometry (the GRD template keeps it on the item)
        incidence, range_spacing, azimuth_spacing = _IW_BEAMS.get(beam, (35.0, 2.3, 14.0))
        fields |= {
            "sar:looks_range": 1,
            "sar:looks_azimuth": 1,
            "sar:pixel_spacing_range": range_spacing,
            "sar:pixel_spacing_azimuth": azimuth_spacing,
            "view:incidence_angle": incidence,
            "view:azimuth": 347.7 if ascending else 192.3,
        }
    else:
        fields["nodata"] = 0
    return jsonb_order(fields)


@functools.lru_cache(maxsize=64)
def _annotation(kind: str, pol: str, beam: str) -> dict[str, Any]:
    if kind == "product":
        # GRD: ``S1_Assets`` title ("VV product Schema"); SLC: "VV Product Schema".
        title, text = f"{pol} {'Product' if beam else 'product'} Schema", _PRODUCT_TEXT
    elif kind == "calibration":
        title, text = f"{pol} calibration Schema", _CALIBRATION_TEXT
    else:  # the SLC template's text has no final full stop
        title = f"{pol} noise Schema"
        text = "Estimated thermal noise look-up tables" + ("" if beam else ".")
    fields: dict[str, Any] = {
        "type": "application/xml",
        "title": title,
        "roles": ["metadata", beam] if beam else ["metadata"],
        "description": text,
    }
    if not beam:
        fields["sar:polarizations"] = [pol]
    return jsonb_order(fields)
