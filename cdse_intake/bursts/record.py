"""The :class:`Burst` record: one entity of CDSE's ``/Bursts`` (cdse-api.md §1.9)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import ServiceError

__all__ = ["Burst"]


def _time(text: Any, key: str) -> datetime:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError as err:
        raise ServiceError(f"the Bursts answer has an unreadable {key}: {text!r}") from err


@dataclass(frozen=True)
class Burst:
    """One Sentinel-1 SLC burst as the catalogue lists it."""

    id: str
    name: str
    burst_id: int
    """ESA's relative burst id: the same place on every pass of the relative orbit."""
    absolute_burst_id: int
    swath: str
    polarisation: str
    relative_orbit: int
    orbit_direction: str
    platform: str
    mode: str
    parent_id: str
    parent_name: str
    parent_type: str
    start: datetime
    end: datetime
    azimuth_time: datetime
    lines: int
    samples: int
    byte_offset: int
    s3_path: str
    footprint: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    """GeoJSON geometry (lon/lat)."""

    @classmethod
    def from_odata(cls, record: dict[str, Any]) -> Burst:
        """A record of ``/Bursts``; ServiceError when it lacks what a burst has."""
        try:
            return cls(
                id=str(record["Id"]),
                name=str(record["Name"]),
                burst_id=int(record["BurstId"]),
                absolute_burst_id=int(record["AbsoluteBurstId"]),
                swath=str(record["SwathIdentifier"]),
                polarisation=str(record["PolarisationChannels"]),
                relative_orbit=int(record["RelativeOrbitNumber"]),
                orbit_direction=str(record["OrbitDirection"]),
                platform=str(record["PlatformSerialIdentifier"]),
                mode=str(record["OperationalMode"]),
                parent_id=str(record["ParentProductId"]),
                parent_name=str(record["ParentProductName"]),
                parent_type=str(record["ParentProductType"]),
                start=_time(record["ContentDate"]["Start"], "ContentDate/Start"),
                end=_time(record["ContentDate"]["End"], "ContentDate/End"),
                azimuth_time=_time(record["AzimuthTime"], "AzimuthTime"),
                lines=int(record["LinesPerBurst"]),
                samples=int(record["SamplesPerBurst"]),
                byte_offset=int(record["ByteOffset"]),
                s3_path=str(record["S3Path"]),
                footprint=record.get("GeoFootprint"),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ServiceError(
                f"the Bursts answer has a record without {err}: {str(record)[:200]}"
            ) from err

    @property
    def geometry(self) -> Any:
        """The footprint as a shapely geometry (None without one)."""
        import shapely.geometry

        return None if self.footprint is None else shapely.geometry.shape(self.footprint)
