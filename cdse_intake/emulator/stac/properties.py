"""Item ``properties`` from a catalogue entry, per mission, as eometadatatool writes them (§4).

Per template (EOMETA): S2 (``stac_s2l2a.py``), S1 GRD (``stac_s1_grd.py`` and its sample), S1 SLC
(``stac_s1_slc.py``: beam ids, ANX time, resolutions, the IPF in ``processing:software``, no
item-level view or pixel spacing), S3 OLCI/SLSTR/SYN (``stac_s3_*.py``: ``proj:code`` null,
``statistics`` of surface classes, no ``processing:facility``), S5P (``stac_s5p.py``: ``gsd`` by
product, ``proj:code`` EPSG:4326, no timeliness for RPRO; ``proj:shape`` and ``cube:*`` come from
the file, :mod:`.cube`). CLMS has no template; the other collections: :mod:`.layout_generic`.

Values the OData catalogue carries (times, orbits, cloud cover, tile, platform, processing
baseline, ...) are copied from the entry's attributes, so an OData and a STAC search describe a
product alike; the rest (sun and view angles, snow cover, scene statistics) are drawn from a
generator seeded by the product id, so they are stable from one request to the next.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..catalogue import NEVER_EVICTED, Entry
from .collections import CollectionSpec
from .common import DESIGNATORS, NEVER_EXPIRES, SOFTWARE, entry_rng, when
from .layout_generic import generic_properties
from .layout_single import S5P_SUBTYPES

__all__ = ["item_properties"]

_SCL = (
    "nodata",
    "saturated_defective",
    "dark_area",
    "cloud_shadow",
    "vegetation",
    "not_vegetated",
    "water",
    "unclassified",
    "medium_proba_clouds",
    "high_proba_clouds",
    "thin_cirrus",
)


def item_properties(entry: Entry, spec: CollectionSpec, shared: dict[str, Any]) -> dict[str, Any]:
    """The properties of ``entry`` in collection ``spec``; ``shared`` holds the auth and
    storage schemes (same objects for every item)."""
    attrs = {name: value for name, _, value in entry.attributes}
    props = _common(entry, spec, shared, attrs)
    props.update(_FAMILY[spec.family](entry, spec, attrs))
    return props


def _common(
    entry: Entry, spec: CollectionSpec, shared: dict[str, Any], attrs: dict[str, Any]
) -> dict[str, Any]:
    expires = NEVER_EXPIRES if entry.eviction == NEVER_EVICTED else entry.eviction
    origin, start = when(entry.origin), when(entry.start)
    props: dict[str, Any] = {
        "created": origin,
        "updated": when(entry.modification),
        "published": when(entry.publication),
        "expires": expires,
        "eopf:origin_datetime": origin,
        **shared,
        "datetime": start,
        "start_datetime": start,
        "end_datetime": start if entry.end == entry.start else when(entry.end),
        "instruments": list(spec.instruments),
        "processing:level": spec.processing_level,
        "processing:software": SOFTWARE,
        "product:type": entry.product_type,
    }
    if spec.processing_level is None:  # DEMs and mosaics: the templates give no level
        del props["processing:level"]
    if spec.constellation:
        props["constellation"] = spec.constellation
    if spec.timeliness:  # none for S5P RPRO: neither field then (``get_timeliness``)
        props["product:timeliness"] = spec.timeliness
        if spec.timeliness_category:
            props["product:timeliness_category"] = spec.timeliness_category
    processed = attrs.get("processingDate")
    if processed:
        props["processing:datetime"] = processed
    return props


def _platform(props: dict[str, Any], platform: str) -> None:
    props["platform"] = platform
    if platform in DESIGNATORS:
        props["sat:platform_international_designator"] = DESIGNATORS[platform]


def _sentinel2(entry: Entry, spec: CollectionSpec, attrs: dict[str, Any]) -> dict[str, Any]:
    rng = entry_rng(entry, "s2")
    props: dict[str, Any] = {}
    _platform(props, "sentinel-2" + str(attrs.get("platformSerialIdentifier", "a")).lower())
    zenith = float(attrs.get("illuminationZenithAngle", 40.0))
    cloud = attrs.get("cloudCover")
    props.update(
        {
            "gsd": 10,
            "eo:cloud_cover": cloud,
            "sat:orbit_state": "descending",  # Sentinel-2 images on the descending pass
            "sat:relative_orbit": attrs.get("relativeOrbitNumber"),
            "sat:absolute_orbit": attrs.get("orbitNumber"),
            "grid:code": f"MGRS-{attrs.get('tileId')}",
            "view:sun_azimuth": round(rng.uniform(120.0, 200.0), 6),
            "view:sun_elevation": round(90.0 - zenith, 6),
            "view:azimuth": round(rng.uniform(0.0, 360.0), 6),
            "view:incidence_angle": round(rng.uniform(1.0, 11.0), 6),
            "eopf:datastrip_id": attrs.get("datastripId"),
            "eopf:datatake_id": attrs.get("productGroupId"),
            "eopf:instrument_mode": attrs.get("operationalMode"),
            "processing:version": attrs.get("processingBaseline"),
            "processing:facility": attrs.get("processingCenter", "ESA"),
        }
    )
    if spec.processing_level == "L2":
        props["eo:snow_cover"] = round(rng.betavariate(0.3, 4.0) * 100, 6)
        props["statistics"] = _scene_statistics(rng, cloud)
    return props


def _scene_statistics(rng: Any, cloud: float | None) -> dict[str, float]:
    """Scene classification percentages (L2A ``statistics``) consistent with the cloud cover."""
    cloudy = float(cloud or 0.0)
    clear = 100.0 - cloudy
    weights = [rng.random() for _ in range(8)]
    total = sum(weights)
    parts = [clear * w / total for w in weights]
    split = [rng.random() for _ in range(3)]
    cloud_parts = [cloudy * w / sum(split) for w in split]
    values = [*parts, *cloud_parts]
    return {name: round(v, 6) for name, v in zip(_SCL, values, strict=True)}


#: Sentinel-1 ``timeliness`` -> ``product:timeliness`` (the S1 templates' mapping).
_S1_TIMELINESS = {"Fast-24h": "PT24H", "NRT-10m": "PT10M", "NRT-3h": "PT3H"}
#: Sentinel-1 mode -> (beam ids, range and azimuth resolution in m) (``stac_s1_slc.py``).
_S1_MODES = {
    "IW": (["iw1", "iw2", "iw3"], 5, 20),
    "EW": (["ew1", "ew2", "ew3", "ew4", "ew5"], 20, 40),
    "SM": ([], 5, 5),
}


def _baseline(version: Any) -> str | None:
    """``format_baseline``: IPF ``003.71`` -> ``03.71``."""
    if version is None:
        return None
    text = str(version)
    return text[1:] if len(text) == 6 and text[0] == "0" and text[3] == "." else text


def _sentinel1(entry: Entry, spec: CollectionSpec, attrs: dict[str, Any]) -> dict[str, Any]:
    rng = entry_rng(entry, "s1")
    props: dict[str, Any] = {}
    _platform(props, "sentinel-1" + str(attrs.get("platformSerialIdentifier", "a")).lower())
    mode = str(attrs.get("operationalMode", "IW"))
    timeliness = attrs.get("timeliness")
    props.update(
        {
            "processing:facility": attrs.get("processingCenter"),
            "processing:version": _baseline(attrs.get("processorVersion")),
            "sat:orbit_state": str(attrs.get("orbitDirection", "")).lower(),
            "sat:orbit_cycle": attrs.get("cycleNumber"),
            "sat:relative_orbit": attrs.get("relativeOrbitNumber"),
            "sat:absolute_orbit": attrs.get("orbitNumber"),
            "sar:frequency_band": "C",
            "sar:center_frequency": 5.405,
            "sar:instrument_mode": mode,
            "sar:polarizations": str(attrs.get("polarisationChannels", "VV")).split("&"),
            "eopf:datatake_id": str(attrs.get("datatakeID")),
            "eopf:instrument_configuration_id": 7,
            "product:timeliness": _S1_TIMELINESS.get(str(timeliness), "PT24H"),
            "product:timeliness_category": timeliness,
        }
    )
    if "_GRD" in entry.product_type:
        spacing = 40.0 if "_GRDM" in entry.product_type else 10.0  # EW medium resolution
        props |= {
            "sar:observation_direction": "right",
            "sar:pixel_spacing_range": spacing,
            "sar:pixel_spacing_azimuth": spacing,
            "view:incidence_angle": round(rng.uniform(30.0, 46.0), 6),
            "view:azimuth": round(rng.uniform(0.0, 360.0), 6),
        }
        return props
    beams, res_range, res_azimuth = _S1_MODES.get(mode, ([], 5, 5))
    if mode == "SM":  # the stripmap beam is in the name: S1A_S3_SLC__... -> s3
        beams = [entry.name[4:6].lower()]
    props["processing:software"] = {
        str(attrs.get("processorName", "Sentinel-1 IPF")): attrs.get("processorVersion"),
        **SOFTWARE,
    }
    props |= {"sar:beam_ids": beams, "sar:resolution_range": res_range}
    props["sar:resolution_azimuth"] = res_azimuth
    from_anx = attrs.get("startTimeFromAscendingNode")
    if from_anx is not None:
        props["sat:anx_datetime"] = when(entry.start - timedelta(milliseconds=float(from_anx)))
    return props


#: Sentinel-3 ``statistics`` keys by instrument (OLCI L1; SLSTR and SYNERGY L2 add ``land``).
_S3_OLCI_STATS = ("bright", "invalid", "cosmetic", "duplicated", "saturated", "dubious_samples")


def _sentinel3(entry: Entry, spec: CollectionSpec, attrs: dict[str, Any]) -> dict[str, Any]:
    rng = entry_rng(entry, "s3")
    props: dict[str, Any] = {}
    _platform(props, "sentinel-3" + str(attrs.get("platformSerialIdentifier", "a")).lower())
    product_type = entry.product_type
    if spec.gsd:  # the collection's (SRAL 1640 m, SLSTR AOD 9.5 km, ...)
        gsd = spec.gsd
    elif product_type.startswith("OL_"):
        gsd = 300 if product_type.endswith("FR___") else 1200
    else:
        gsd = 1000 if product_type.startswith("SL_") else 300
    props.update(
        {
            "gsd": gsd,
            "proj:code": None,
            "processing:version": attrs.get("processorVersion"),
            "sat:orbit_state": str(attrs.get("orbitDirection", "")).lower(),
            "sat:orbit_cycle": attrs.get("cycleNumber"),
            "sat:relative_orbit": attrs.get("relativeOrbitNumber"),
            "sat:absolute_orbit": attrs.get("orbitNumber"),
        }
    )
    land = float(attrs.get("landCover") or 0.0)
    coastal, inland, tidal = (round(rng.uniform(0.0, 3.0), 6) for _ in range(3))
    stats = {
        "saline_water": round(max(0.0, 100.0 - land - coastal - inland - tidal), 6),
        "coastal": coastal,
        "fresh_inland_water": inland,
        "tidal_region": tidal,
    }
    if product_type.startswith("OL_"):
        stats |= {name: round(rng.uniform(0.0, 5.0), 6) for name in _S3_OLCI_STATS}
    else:
        stats["land"] = land
        if attrs.get("cloudCover") is not None:
            props["eo:cloud_cover"] = round(float(attrs["cloudCover"]), 2)
    props["statistics"] = stats
    return props


def _sentinel5p(entry: Entry, spec: CollectionSpec, attrs: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    _platform(props, "sentinel-5p")
    _, _, gsd = S5P_SUBTYPES.get(entry.product_type, ("", "", 3500))
    version = attrs.get("processorVersion")
    props.update(
        {
            "gsd": gsd,
            "proj:code": "EPSG:4326",
            "processing:facility": "PDGS-OP",
            "processing:version": _s5p_version(version) if version else None,
            "sat:absolute_orbit": attrs.get("orbitNumber"),
        }
    )
    return props


def _s5p_version(version: Any) -> str:
    """The netCDF's processor version from OData's: ``02.06.00`` -> ``2.6.0``."""
    parts = str(version).split(".")
    return ".".join(str(int(p)) if p.isdigit() else p for p in parts)


def _clms(entry: Entry, spec: CollectionSpec, attrs: dict[str, Any]) -> dict[str, Any]:
    return {
        "platform": "sentinel-3",
        "gsd": 300,
        "processing:version": "V2.0.1",
        "processing:facility": "VITO",
    }


_FAMILY = {
    "s1": _sentinel1,
    "s2": _sentinel2,
    "s3": _sentinel3,
    "s5p": _sentinel5p,
    "clms": _clms,
    "generic": generic_properties,
}
