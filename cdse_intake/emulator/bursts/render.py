"""A burst as the real ``/Bursts`` entity (key order of ``odata_bursts_entity.json``) and the
plain properties a ``$filter`` can name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np

from .records import Burst

__all__ = ["COLUMNS", "KINDS", "entity", "time_text"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def time_text(value: datetime) -> str:
    """6-digit microseconds and ``Z``, as CDSE writes times since 2024-09-02 (§1.2)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _us(value: datetime) -> int:
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _number(value: float) -> str:
    return repr(round(value, 6))


def entity(burst: Burst) -> dict[str, Any]:
    """The burst's JSON object, keys in the recorded order (without ``@odata.context``)."""
    ring = burst.footprint
    wkt = "POLYGON ((" + ", ".join(f"{_number(x)} {_number(y)}" for x, y in ring) + "))"
    parent = burst.parent
    return {
        "@odata.mediaContentType": "application/octet-stream",
        "Id": burst.id,
        "Name": burst.name,
        "ContentType": "application/octet-stream",
        "S3Path": burst.s3_path,
        "ContentDate": {"Start": time_text(burst.start), "End": time_text(burst.end)},
        "Footprint": f"geography'SRID=4326;{wkt}'",
        "GeoFootprint": {"type": "Polygon", "coordinates": [[[x, y] for x, y in ring]]},
        "ParentProductId": parent.id,
        "ParentProductName": parent.name,
        "ByteOffset": burst.byte_offset,
        "BurstId": burst.burst_id,
        "AbsoluteBurstId": burst.absolute_burst_id,
        "AzimuthTime": time_text(burst.azimuth_time),
        "AzimuthAnxTime": round(burst.azimuth_anx_time, 9),
        "ParentProductType": parent.product_type,
        "SwathIdentifier": burst.swath,
        "RelativeOrbitNumber": burst.relative_orbit,
        "OrbitDirection": burst.direction,
        "PlatformSerialIdentifier": burst.platform,
        "PolarisationChannels": burst.polarisation,
        "OperationalMode": burst.mode,
        "DatatakeID": burst.datatake,
        # One burst: as many lines as a burst has (1508 = 1508 in the sample).
        "Lines": burst.lines,
        "LinesPerBurst": burst.lines,
        "SamplesPerBurst": burst.samples,
        "BeginningDateTime": time_text(burst.start),
        "EndingDateTime": time_text(burst.end),
    }


Getter = Callable[[Burst], Any]
#: Filterable plain property -> (value of a burst, numpy dtype, kind: string/integer/double/
#: datetime (epoch microseconds)).
COLUMNS: dict[str, tuple[Getter, Any]] = {}
KINDS: dict[str, str] = {}


def _add(kind: str, dtype: Any, **getters: Getter) -> None:
    for name, getter in getters.items():
        prop = name.replace("__", "/")
        COLUMNS[prop] = (getter, dtype)
        KINDS[prop] = kind


_add(
    "string",
    object,
    Id=lambda b: b.id,
    Name=lambda b: b.name,
    S3Path=lambda b: b.s3_path,
    ParentProductId=lambda b: b.parent.id,
    ParentProductName=lambda b: b.parent.name,
    ParentProductType=lambda b: b.parent.product_type,
    SwathIdentifier=lambda b: b.swath,
    OrbitDirection=lambda b: b.direction,
    PlatformSerialIdentifier=lambda b: b.platform,
    PolarisationChannels=lambda b: b.polarisation,
    OperationalMode=lambda b: b.mode,
)
_add(
    "integer",
    np.int64,
    ByteOffset=lambda b: b.byte_offset,
    BurstId=lambda b: b.burst_id,
    AbsoluteBurstId=lambda b: b.absolute_burst_id,
    RelativeOrbitNumber=lambda b: b.relative_orbit,
    DatatakeID=lambda b: b.datatake,
    Lines=lambda b: b.lines,
    LinesPerBurst=lambda b: b.lines,
    SamplesPerBurst=lambda b: b.samples,
)
_add("double", np.float64, AzimuthAnxTime=lambda b: b.azimuth_anx_time)
_add(
    "datetime",
    np.int64,
    ContentDate__Start=lambda b: _us(b.start),
    ContentDate__End=lambda b: _us(b.end),
    BeginningDateTime=lambda b: _us(b.start),
    EndingDateTime=lambda b: _us(b.end),
    AzimuthTime=lambda b: _us(b.azimuth_time),
)
