"""Item ``properties`` from a catalogue entry, per mission, as eometadatatool writes them (§4).

Values the OData catalogue carries (times, orbits, cloud cover, tile, platform, processing
baseline, ...) are copied from the entry's attributes, so an OData and a STAC search describe a
product alike; the rest (sun and view angles, snow cover, scene statistics) are drawn from a
generator seeded by the product id, so they are stable from one request to the next.
"""

from __future__ import annotations

from typing import Any

from ..catalogue import NEVER_EVICTED, Entry
from .collections import CollectionSpec
from .common import DESIGNATORS, NEVER_EXPIRES, SOFTWARE, entry_rng, when

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
    if spec.constellation:
        props["constellation"] = spec.constellation
    if spec.timeliness:
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


def _sentinel1(entry: Entry, spec: CollectionSpec, attrs: dict[str, Any]) -> dict[str, Any]:
    rng = entry_rng(entry, "s1")
    props: dict[str, Any] = {}
    _platform(props, "sentinel-1" + str(attrs.get("platformSerialIdentifier", "a")).lower())
    grd = "_GRD" in entry.product_type
    polarisations = str(attrs.get("polarisationChannels", "VV")).split("&")
    props.update(
        {
            "processing:facility": attrs.get("processingCenter"),
            "processing:version": attrs.get("processorVersion"),
            "sat:orbit_state": str(attrs.get("orbitDirection", "")).lower(),
            "sat:orbit_cycle": attrs.get("cycleNumber"),
            "sat:relative_orbit": attrs.get("relativeOrbitNumber"),
            "sat:absolute_orbit": attrs.get("orbitNumber"),
            "sar:frequency_band": "C",
            "sar:center_frequency": 5.405,
            "sar:observation_direction": "right",
            "sar:instrument_mode": attrs.get("operationalMode"),
            "sar:polarizations": polarisations,
            "view:incidence_angle": round(rng.uniform(30.0, 46.0), 6),
            "view:azimuth": round(rng.uniform(0.0, 360.0), 6),
            "eopf:datatake_id": str(attrs.get("datatakeID")),
            "eopf:instrument_configuration_id": 7,
            "product:timeliness_category": attrs.get("timeliness"),
        }
    )
    if grd:
        props["sar:pixel_spacing_range"] = 10.0
        props["sar:pixel_spacing_azimuth"] = 10.0
    else:
        props["sar:pixel_spacing_range"] = 2.3
        props["sar:pixel_spacing_azimuth"] = 14.1
    return props


def _sentinel3(entry: Entry, spec: CollectionSpec, attrs: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    _platform(props, "sentinel-3" + str(attrs.get("platformSerialIdentifier", "a")).lower())
    props.update(
        {
            "processing:facility": attrs.get("processingCenter"),
            "processing:version": attrs.get("processorVersion"),
            "sat:orbit_state": str(attrs.get("orbitDirection", "")).lower(),
            "sat:orbit_cycle": attrs.get("cycleNumber"),
            "sat:relative_orbit": attrs.get("relativeOrbitNumber"),
            "sat:absolute_orbit": attrs.get("orbitNumber"),
            "gsd": 300 if "olci" in spec.instruments else 1000,
        }
    )
    if attrs.get("cloudCover") is not None:
        props["eo:cloud_cover"] = attrs.get("cloudCover")
    return props


def _sentinel5p(entry: Entry, spec: CollectionSpec, attrs: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    _platform(props, "sentinel-5p")
    props.update(
        {
            "processing:version": attrs.get("processorVersion"),
            "processing:facility": "PDGS-OP",
            "sat:orbit_state": "ascending",  # TROPOMI measures on the day side, ascending
            "sat:absolute_orbit": attrs.get("orbitNumber"),
            "s5p:processing_baseline": attrs.get("processingBaseline"),
            "s5p:collection": attrs.get("baselineCollection"),
        }
    )
    return props


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
}
