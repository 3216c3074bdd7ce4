"""Checks of ``@datarequest_post``: each requested dataset becomes a :class:`Cut`, or a message.

Real (clms.downloadtool ``datarequest_post/post.py`` and ``validation.py``): the checks run per
dataset in this order, the first failure answering 400 ``{"msg": ..., "status": "error"}`` with
these exact messages (two keep the real code's double space); ``TemporalFilter`` dates are
milliseconds since the epoch, echoed as ``%Y-%m-%d %H:%M:%S``; the echo of each dataset (the
task's ``Datasets``) has ``DatasetID, DatasetTitle``, the area (``NUTSID``/``NUTSName`` or
``BoundingBox``), ``TemporalFilter``, ``OutputGCS``, ``DatasetFormat, OutputFormat,
DatasetPath`` (urlsafe base64 of ``full_path``), ``DatasetSource, WekeoChoices, Metadata``;
at most 5 datasets per request.

Assumed [unverified]: dates converted in UTC (the service uses its local time: the recorded
``10:00:00`` is 09:00 UTC); the ``BoundingBox`` area limit (1.6e12) measured in Web Mercator on
the truncated coordinates (the real code projects to EPSG:3587); a body without ``Datasets``
answers 400 (the real code fails with a 500).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from . import nuts
from .datasets import Dataset, PackagedFile, dataset
from .families import WATER_BODIES_NO_NETCDF

__all__ = ["CONVERSIONS", "MAX_AREA", "MAX_ITEMS", "Cut", "RequestError", "validate"]

MAX_AREA = 1_600_000_000_000
MAX_ITEMS = 5
_FORMATS = ("GDB", "GML", "GPKG", "Geojson", "Geotiff", "Netcdf", "Shapefile", "WFS")
_VECTOR_TO = {"GDB", "GML", "GPKG", "Geojson", "Shapefile"}
#: ``@format_conversion_table``: source format -> output format -> allowed (as recorded).
CONVERSIONS: dict[str, dict[str, bool]] = {
    src: {dst: (src in ("GDB", "GPKG", "Geojson", "Shapefile", "WFS") and dst in _VECTOR_TO)
          or (src == dst) or (src == "Netcdf" and dst == "Geotiff") for dst in _FORMATS}
    for src in _FORMATS
}  # fmt: skip
CONVERSIONS["GML"] = {dst: dst == "GML" for dst in _FORMATS}
CONVERSIONS["WFS"]["WFS"] = True
CONVERSIONS["GDB"]["GML"] = CONVERSIONS["GPKG"]["GML"] = True
CONVERSIONS["Geojson"]["GML"] = CONVERSIONS["Shapefile"]["GML"] = CONVERSIONS["WFS"]["GML"] = True

MISSING_TEMPORAL = (
    "You are requesting to download a time series enabled dataset and you are required to "
    "request the download of an specific date range. Please check the download documentation "
    "to get more information"
)
FULL_NOT_EEA = (
    "You are requesting to download the full dataset but this dataset is not an EEA dataset and "
    "thus you need to query an specific endpoint to request its download. Please check the API "
    "documentation to get more information about this specific endpoint."
)
FULL_EEA = (
    "To download the full dataset, please download it through the corresponding pre-packaged "
    "data collection"
)
MUST_HAVE_AREA = (
    "You have to select a specific area of interest. In case you want to download the full "
    "dataset, please use the Auxiliary API."
)
TOO_MANY = (
    "The download queue can only process 5 items at a time. Please try again with fewer items."
)
DUPLICATED = (
    "You have requested to download the same thing at least twice. Please check your download "
    "cart and remove any duplicates."
)


class RequestError(ValueError):
    """A refused request; the message is the real service's."""


@dataclass(frozen=True)
class Cut:
    """One validated dataset of a request: what to cut, and its echo in the task."""

    dataset: Dataset
    echo: dict[str, Any]
    output_format: str = "Geotiff"
    crs: str = "EPSG:4326"
    bbox: tuple[float, float, float, float] | None = None
    start: date | None = None
    end: date | None = None
    file: PackagedFile | None = None


def validate(body: Any) -> list[Cut]:
    """The request's cuts; :class:`RequestError` with the service's message otherwise."""
    items = body.get("Datasets") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise RequestError("Error, Datasets is not defined")
    cuts, special = [], []
    for index, item in enumerate(items):
        cut = _one(item if isinstance(item, dict) else {})
        if cut.output_format == "Netcdf" and cut.dataset.uid in WATER_BODIES_NO_NETCDF:
            special.append(cut.dataset.uid)
        if index == len(items) - 1 and special:
            raise RequestError(
                "Please choose the Geotiff format as the NetCDF format is not allowed for "
                f"the dataset(s) {', '.join(special)}"
            )
        cuts.append(cut)
    if sum(c.file is None for c in cuts) > MAX_ITEMS:
        raise RequestError(TOO_MANY)
    return cuts


def _one(item: dict[str, Any]) -> Cut:
    if not item.get("DatasetID"):
        raise RequestError("Error, DatasetID is not defined")
    ds = dataset(str(item["DatasetID"]))
    if ds is None:
        raise RequestError("Error, the DatasetID is not valid")
    echo: dict[str, Any] = {"DatasetID": ds.uid, "DatasetTitle": ds.title}
    if "FileID" in item:
        packaged = next((f for f in ds.files if f.id == item["FileID"]), None)
        if packaged is None:
            raise RequestError("Error, the FileID is not valid")
        echo.update(FileID=packaged.id, DatasetPath="", FilePath=_b64(packaged.path),
                    DatasetSource=packaged.source)  # fmt: skip
        return Cut(ds, echo, packaged.format, bbox=None, file=packaged)
    area = _area(item, echo)
    start, end = _dates(item, ds, echo)
    crs = item.get("OutputGCS")
    if crs is None:
        raise RequestError("The OutputGCS parameter is mandatory.")
    if crs not in ds.projections:
        raise RequestError("Error, defined GCS not in the list")
    echo["OutputGCS"] = crs
    if "DatasetDownloadInformationID" not in item:
        raise RequestError("Error, DatasetDownloadInformationID is not defined.")
    info = ds.info(str(item["DatasetDownloadInformationID"]))
    if info is None or not info.full_format:
        raise RequestError("Error, this dataset is not downloadable")
    output = item.get("OutputFormat")
    if output not in CONVERSIONS:
        raise RequestError("Error, the specified output format is not valid")
    if not CONVERSIONS[info.full_format].get(output):
        raise RequestError("Error, specified formats are not compatible")
    if info.layers and "Layer" in item:
        if item["Layer"] not in info.layers:
            raise RequestError("Error, the requested band/layer is not valid")
        echo["Layer"] = item["Layer"]
    if ds.timeseries and "TemporalFilter" not in item:
        raise RequestError(MISSING_TEMPORAL)
    if ds.max_days and start and end and (end - start).days > ds.max_days:
        raise RequestError(
            "You are requesting to download a time series enabled dataset and the requested "
            f"date range is bigger than the allowed range of {ds.max_days} days. Please check "
            "the download documentation to get more information"
        )
    if "NUTS" not in item and "BoundingBox" not in item:
        if "TemporalFilter" not in item:
            raise RequestError(FULL_EEA if info.full_source == "EEA" else FULL_NOT_EEA)
        if info.full_source != "EEA":
            raise RequestError(MUST_HAVE_AREA)
    echo.update(DatasetFormat=info.full_format, OutputFormat=output,
                DatasetPath=_b64(info.full_path), DatasetSource=info.full_source,
                WekeoChoices=info.wekeo_choices or "", Metadata=list(ds.metadata))  # fmt: skip
    return Cut(ds, echo, output, crs, area, start and start.date(), end and end.date())


def _area(item: dict[str, Any], echo: dict[str, Any]) -> tuple[float, float, float, float] | None:
    area = None
    if "NUTS" in item:
        code = item["NUTS"]
        if not nuts.valid(code):
            raise RequestError("NUTS country error")
        echo.update(NUTSID=code, NUTSName=nuts.name(code))
        area = nuts.bbox(code)
    if "BoundingBox" in item:
        if "NUTS" in item:
            raise RequestError("Error, NUTS is also defined")
        box = item["BoundingBox"]
        if (
            not isinstance(box, list)
            or len(box) != 4
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in box)
        ):
            raise RequestError("Error, BoundingBox is not valid")
        if _mercator_area(box) > MAX_AREA:
            raise RequestError(
                f"Error, the requested BoundingBox is too big. The limit is {MAX_AREA}."
            )
        echo["BoundingBox"] = box
        x1, y1, x2, y2 = (float(v) for v in box)  # either corner first: the docs' example isn't
        area = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    return area


def _mercator_area(box: list[float]) -> float:
    def xy(lon: float, lat: float) -> tuple[float, float]:
        lat = max(-85.0, min(85.0, lat))
        r = 6_378_137.0
        return r * math.radians(lon), r * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    (ax, ay), (bx, by) = xy(int(box[0]), int(box[1])), xy(int(box[2]), int(box[3]))
    return abs((ax - bx) * (ay - by))


def _dates(item: dict[str, Any], ds: Dataset, echo: dict[str, Any]) -> tuple[datetime | None, ...]:
    if "TemporalFilter" not in item:
        return None, None
    temporal = item["TemporalFilter"]
    if not ds.max_days:
        raise RequestError(
            "Error, temporal restriction is not allowed in not time-series enabled datasets"
        )
    if not isinstance(temporal, dict):
        raise RequestError("Error, date format is not correct")
    if len(temporal) > 2:
        raise RequestError("Error, TemporalFilter has too many fields")
    if "StartDate" not in temporal or "EndDate" not in temporal:
        raise RequestError("Error, TemporalFilter does  not have StartDate or EndDate")
    try:
        start, end = (_from_ms(temporal[k]) for k in ("StartDate", "EndDate"))
    except (TypeError, ValueError, OverflowError, OSError):
        raise RequestError("Error, date format is not correct") from None
    if start > end:
        raise RequestError("Error, difference between StartDate  and EndDate is not coherent")
    fmt = "%Y-%m-%d %H:%M:%S"
    echo["TemporalFilter"] = {"EndDate": end.strftime(fmt), "StartDate": start.strftime(fmt)}
    return start, end


def _from_ms(value: Any) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(value)
    return datetime.fromtimestamp(value / 1000, UTC).replace(tzinfo=None)


def _b64(path: str) -> str:
    return base64.urlsafe_b64encode(path.encode()).decode()
