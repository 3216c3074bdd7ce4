"""The OData attributes of each collection and their value types (``Attributes(<COLL>)``).

From cdse-api.md §1.7/§10, which tabulates CDSETool's ``_attributes.py`` (the SENTINEL-1 list is
the recorded ``attributes.json``). Records also carry ``beginningDateTime`` and
``endingDateTime`` (DateTimeOffset) in every collection. Collections CDSETool does not list
(GLOBAL-MOSAICS, COP-DEM, CCM, CLMS, SMOS, TERRAAQUA, S2GLC, CEMS, CAMS) get the common
descriptive set :data:`GENERIC` (inferred: names of the lists above, types as there).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ATTRIBUTES", "GENERIC", "attribute_types", "typed"]


_TYPES = ("Integer", "Double", "DateTimeOffset", "Boolean")


def _parse(text: str) -> dict[str, str]:
    """``name:Type, name, ...`` (String when no type is given) -> {name: ValueType}; names may
    hold a colon themselves (``proj:epsg:Integer``)."""
    out = {}
    for item in (part.strip() for part in text.split(",")):
        head, _, tail = item.rpartition(":")
        out[head if tail in _TYPES else item] = tail if tail in _TYPES else "String"
    return out


_LANDSAT = (
    "authority, card4lSpecification, card4lSpecificationVersion, cloudCover:Double, "
    "cloudCoverLand:Double, collectionCategory, collectionNumber, geometricRmse:Double, "
    "geometricXBias:Double, geometricXStddev:Double, geometricYBias:Double, "
    "geometricYStddev:Double, instrumentShortName, numberOfBands:Integer, offNadir:Double, "
    "operationalMode, orbitNumber:Integer, pathNumber:Integer, platformShortName, "
    "processingLevel, productType, proj:epsg:Integer, projShape, projTransform, "
    "rowNumber:Integer, sceneId, spatialResolution:Integer, sunAzimuthAngle:Double, "
    "sunElevationAngle:Double, view:sun_azimuth:Double, view:sun_elevation:Double, wrsPath, "
    "wrsRow, wrsType"
)
_TEXT = {
    "SENTINEL-1": (
        "completionTimeFromAscendingNode:Double, coordinates, cycleNumber:Integer, "
        "datatakeID:Integer, instrumentConfigurationID:Integer, instrumentShortName, "
        "operationalMode, orbitDirection, orbitNumber:Integer, origin, platformSerialIdentifier, "
        "platformShortName, polarisationChannels, processingBaseline, processingCenter, "
        "processingDate:DateTimeOffset, processingLevel, processorName, processorVersion, "
        "productClass, productComposition, productConsolidation, "
        "productGeneration:DateTimeOffset, productType, relativeOrbitNumber:Integer, "
        "segmentStartTime:DateTimeOffset, sliceNumber:Integer, sliceProductFlag:Boolean, "
        "startTimeFromAscendingNode:Double, swathIdentifier, timeliness, totalSlices:Integer"
    ),
    "SENTINEL-1-RTC": (
        "authority, instrumentShortName, operationalMode, orbitDirection, orbitNumber:Integer, "
        "platformSerialIdentifier, platformShortName, polarisationChannels, processingLevel, "
        "productType, relativeOrbitNumber:Integer, spatialResolution:Integer"
    ),
    "SENTINEL-2": (
        "cloudCover:Double, coordinates, datastripId, granuleIdentifier, "
        "illuminationZenithAngle:Double, instrumentShortName, lastOrbitNumber:Integer, "
        "operationalMode, orbitNumber:Integer, origin, platformSerialIdentifier, "
        "platformShortName, processingBaseline, processingCenter, processingDate:DateTimeOffset, "
        "processingLevel, processorVersion, productGroupId, productType, qualityInfo:Integer, "
        "qualityStatus, relativeOrbitNumber:Integer, sourceProduct, sourceProductOriginDate, "
        "tileId"
    ),
    "SENTINEL-3": (
        "baselineCollection, brightCover:Double, closedSeaCover:Integer, cloudCover:Double, "
        "coastalCover:Double, continentalIceCover:Integer, coordinates, cycleNumber:Integer, "
        "freshInlandWaterCover:Double, instrumentShortName, landCover:Double, "
        "lastOrbitDirection, lastOrbitNumber:Integer, lastRelativeOrbitNumber:Integer, "
        "openOceanCover:Integer, operationalMode, orbitDirection, orbitNumber:Integer, "
        "platformSerialIdentifier, platformShortName, processingBaseline, processingCenter, "
        "processingDate:DateTimeOffset, processingLevel, processorName, processorVersion, "
        "productType, relativeOrbitNumber:Integer, salineWaterCover:Double, "
        "snowOrIceCover:Double, tidalRegionCover:Double, timeliness"
    ),
    "SENTINEL-5P": (
        "acquisitionType, baselineCollection, coordinates, doi, identifier, "
        "instrumentShortName, orbitNumber:Integer, parentIdentifier, platformSerialIdentifier, "
        "platformShortName, processingBaseline, processingCenter, "
        "processingDate:DateTimeOffset, processingLevel, processingMode, processorName, "
        "processorVersion, productClass, productType, qualityStatus"
    ),
    "SENTINEL-6": (
        "authority, instrumentShortName, operationalMode, orbitNumber:Integer, origin, "
        "platformSerialIdentifier, platformShortName, processingBaseline, processingCenter, "
        "processingDate:DateTimeOffset, processingLevel, processorVersion, productType, "
        "relativeOrbitNumber:Integer, source, spatialResolution:Integer, timeliness"
    ),
    "ENVISAT": (
        "authority, cycleNumber:Integer, instrumentShortName, orbitNumber:Integer, "
        "phaseNumber:Integer, platformShortName, processingLevel, productType, "
        "spatialResolution:Integer"
    ),
    "LANDSAT-5": _LANDSAT + ", collectionName",
    "LANDSAT-7": _LANDSAT + ", collectionName",
    "LANDSAT-8": _LANDSAT + ", USGScollection",
    "LANDSAT-9": _LANDSAT + ", USGScollection",
}

#: Collection -> {attribute name: ValueType}.
ATTRIBUTES: dict[str, dict[str, str]] = {name: _parse(text) for name, text in _TEXT.items()}

#: The descriptive attributes of collections CDSETool does not tabulate (inferred).
GENERIC: dict[str, str] = {
    "productType": "String",
    "platformShortName": "String",
    "instrumentShortName": "String",
    "processingLevel": "String",
    "processingCenter": "String",
    "processorVersion": "String",
    "processingDate": "DateTimeOffset",
    "spatialResolution": "Integer",
    "cloudCover": "Double",
    "orbitNumber": "Integer",
    "tileId": "String",
}
_TIMES = {"beginningDateTime": "DateTimeOffset", "endingDateTime": "DateTimeOffset"}


def attribute_types(collection: str) -> dict[str, str]:
    """Every attribute a record of ``collection`` may carry, with its ValueType."""
    return {**ATTRIBUTES.get(collection, GENERIC), **_TIMES}


def typed(collection: str, values: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """``(name, ValueType, value)`` triples of ``values`` (None values left out), typed as
    the collection's table says; a name the table lacks is an error, caught when generating."""
    table = attribute_types(collection)
    out = []
    for name, value in values.items():
        if value is None:
            continue
        if name not in table:
            raise KeyError(f"{collection} records carry no attribute {name!r}")
        out.append((name, table[name], value))
    return out
