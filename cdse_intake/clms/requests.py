"""A CLMS data request (``@datarequest_post``): loose inputs checked and made canonical once.

What can be checked without the service is checked here (the area, the time range, the NUTS
code's shape); the output format and the projection are checked against what CLMS lists
(``@format_conversion_table``, ``@projections``) by :func:`checked_format` and
:func:`checked_crs` before anything is posted. :meth:`CLMSRequest.key` names the request in the
job store: the same request, for the same service key, is the same job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import CLMSQueryError

__all__ = [
    "TIME_FORMAT",
    "CLMSRequest",
    "checked_crs",
    "checked_format",
    "epoch_ms",
    "parse_bbox",
    "parse_time",
]

#: How CLMS echoes TemporalFilter dates in its task records; requests send milliseconds since
#: the epoch (the download docs and clms.downloadtool's validation: text is refused).
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_NUTS = re.compile(r"[A-Z]{2}[A-Z0-9]{0,3}")


def parse_bbox(value: Any) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` in degrees (EPSG:4326), checked."""
    expected = "expected (west, south, east, north) in degrees, west < east, south < north"
    if isinstance(value, str) or not isinstance(value, Sequence) or len(value) != 4:
        raise CLMSQueryError(f"bbox={value!r} is not 4 numbers; {expected}")
    try:
        west, south, east, north = (float(v) for v in value)
    except (TypeError, ValueError):
        raise CLMSQueryError(
            f"bbox={value!r} holds a value that is not a number; {expected}"
        ) from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise CLMSQueryError(f"bbox={value!r} is not finite; {expected}")
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise CLMSQueryError(f"bbox={value!r} is not a valid box; {expected}")
    return west, south, east, north


def _when(name: str, value: Any, end: bool) -> dt.datetime:
    """A naive UTC datetime from a datetime, a date (the day's end for ``end``) or ISO text."""
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, dt.date):
        when = dt.datetime.combine(value, dt.time.max if end else dt.time.min)
    elif isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise CLMSQueryError(
                f"{name}={value!r} is not a date; expected 'YYYY-MM-DD' or an ISO date-time"
            ) from None
        if len(value.strip()) == 10 and end:
            when = dt.datetime.combine(when.date(), dt.time.max)
    else:
        raise CLMSQueryError(f"{name}={value!r} is not a date; expected a date, datetime or text")
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when.replace(microsecond=0)


def epoch_ms(when: dt.datetime) -> int:
    """Milliseconds since the epoch of a naive UTC datetime."""
    return int(when.replace(tzinfo=dt.UTC).timestamp()) * 1000


def parse_time(value: Any) -> tuple[dt.datetime, dt.datetime] | None:
    if value is None:
        return None
    if isinstance(value, str) and "/" in value:
        value = value.split("/", 1)
    if isinstance(value, str) or not isinstance(value, Sequence) or len(value) != 2:
        raise CLMSQueryError(f"time={value!r} is not a range; expected (start, end) or 'start/end'")
    start, end = _when("time start", value[0], False), _when("time end", value[1], True)
    if start > end:
        raise CLMSQueryError(f"time={value!r} starts after it ends; expected start <= end")
    return start, end


@dataclass(frozen=True)
class CLMSRequest:
    """One dataset to cut: exactly one of ``bbox`` (west, south, east, north; degrees) or
    ``nuts`` (a NUTS 0-3 code), an output format and projection, optionally a time range and a
    layer. Build it with :func:`cdse_intake.clms.request`, which checks the format and the
    projection against CLMS; the constructor checks the rest."""

    dataset_uid: str
    download_information: str
    output_format: str
    crs: str = "EPSG:4326"
    bbox: tuple[float, float, float, float] | None = None
    nuts: str | None = None
    time: tuple[dt.datetime, dt.datetime] | None = None
    layer: str | None = None
    title: str = field(default="", compare=False)
    """The dataset's title (for display; not part of the request)."""

    def __post_init__(self) -> None:
        for name in ("dataset_uid", "download_information", "output_format", "crs"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise CLMSQueryError(f"{name}={value!r} must be non-empty text")
        if (self.bbox is None) == (self.nuts is None):
            raise CLMSQueryError(
                f"give exactly one of bbox= (west, south, east, north) or nuts= (a NUTS code); "
                f"got bbox={self.bbox!r}, nuts={self.nuts!r}"
            )
        if self.bbox is not None:
            object.__setattr__(self, "bbox", parse_bbox(self.bbox))
        if self.nuts is not None:
            code = self.nuts.strip().upper() if isinstance(self.nuts, str) else self.nuts
            if not isinstance(code, str) or not _NUTS.fullmatch(code):
                raise CLMSQueryError(
                    f"nuts={self.nuts!r} is not a NUTS code; expected a country code and up to "
                    "3 more letters or digits, such as 'IT', 'ITC1', 'ITC11'"
                )
            object.__setattr__(self, "nuts", code)
        object.__setattr__(self, "time", parse_time(self.time))
        if self.layer is not None and not isinstance(self.layer, str):
            raise CLMSQueryError(f"layer={self.layer!r} must be text")

    def payload(self) -> dict[str, Any]:
        """The entry of ``Datasets`` in the ``@datarequest_post`` body."""
        entry: dict[str, Any] = {
            "DatasetID": self.dataset_uid,
            "DatasetDownloadInformationID": self.download_information,
            "OutputFormat": self.output_format,
            "OutputGCS": self.crs,
        }
        if self.bbox is not None:
            west, south, east, north = self.bbox
            # The order of CLMS's own recorded requests: x1, y1 (north-west), x2, y2 (south-east).
            entry["BoundingBox"] = [west, north, east, south]
        else:
            entry["NUTS"] = self.nuts
        if self.time is not None:
            entry["TemporalFilter"] = {
                "StartDate": epoch_ms(self.time[0]),
                "EndDate": epoch_ms(self.time[1]),
            }
        if self.layer:
            entry["Layer"] = self.layer
        return entry

    def body(self) -> dict[str, Any]:
        """The ``@datarequest_post`` JSON body."""
        return {"Datasets": [self.payload()]}

    def key(self, client_id: str) -> str:
        """The job store's name for this request made with the service key ``client_id``."""
        canonical = json.dumps(
            {"request": self.payload(), "client_id": client_id},
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def describe(self) -> str:
        """One line for messages."""
        where = f"bbox={list(self.bbox)}" if self.bbox else f"nuts={self.nuts}"
        when = (
            f", {self.time[0]:%Y-%m-%d}..{self.time[1]:%Y-%m-%d}" if self.time is not None else ""
        )
        name = self.title or self.dataset_uid
        return f"{name!r} as {self.output_format} in {self.crs}, {where}{when}"


def checked_format(value: str, source: str | None, table: Mapping[str, Mapping[str, bool]]) -> str:
    """``value`` spelt as CLMS spells it, when ``@format_conversion_table`` allows converting
    ``source`` to it; else CLMSQueryError naming the formats allowed."""
    if not isinstance(value, str):
        raise CLMSQueryError(f"output_format={value!r} must be text such as 'Geotiff'")
    row = None
    if source is not None:
        row = next((v for k, v in table.items() if k.casefold() == source.casefold()), None)
    if row is not None:
        allowed = [k for k, ok in row.items() if ok]
    else:
        allowed = sorted(table) if table else ([source] if source else [])
    for name in allowed:
        if name.casefold() == value.strip().casefold():
            return name
    raise CLMSQueryError(
        f"output_format={value!r} is not available for this dataset (source format "
        f"{source or 'unknown'}); expected one of {', '.join(allowed) or 'none'}"
    )


def checked_crs(value: str, allowed: Sequence[str]) -> str:
    """``value`` (``'EPSG:4326'``, ``4326``, ``'epsg:4326'``) when CLMS lists it for the
    dataset (``@projections``); else CLMSQueryError naming the ones listed."""
    text = f"EPSG:{value}" if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str):
        raise CLMSQueryError(f"crs={value!r} must be text such as 'EPSG:4326'")
    text = text.strip().upper()
    if text.isdigit():
        text = f"EPSG:{text}"
    if not allowed or text in allowed:
        return text
    raise CLMSQueryError(
        f"crs={value!r} is not offered for this dataset; expected one of {', '.join(allowed)}"
    )
