"""``GET /api/@get-download-file-urls``: direct links to a dataset's files (the "auxiliary API").

Real (clms.downloadtool ``auxiliary_api/get.py``; the docs' examples): ``dataset_uid`` and
``download_information_id`` are required (400 ``{"message": ..., "status": "error"}``: "Required
parameters are missing: ... is mandatory", "Dataset does not exist", "Dataset collection does
not exist"); a LEGACY collection needs ``date_from`` and ``date_to`` (``YYYY-MM-DD``; 400
``{"msg": ...}`` messages below) and lists one file per date (``c_gls_SCE500_201703010000_...``);
LANDCOVER lists the epoch's tiles; an EEA collection has no such files: 200 ``{"msg": "There is
no content between the selected dates, expand the date range to get links.", "status":
"error"}`` (as for an empty date range). Needs a logged-in user (401).

Emulated: the links point at the emulator's file server (``/webResources/catalogTree/<UID>/
<YYYYMMDD|epoch>/<file>``); each file holds the dataset over the demo window
(:func:`.results.demo_bbox`), netCDF for LEGACY, GeoTIFF otherwise; WEKEO collections answer as
LEGACY ones [unverified]; at most :data:`MAX_URLS` links.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from aiohttp import web

from .datasets import Dataset, dataset
from .plone import downloadtool_error, plone_json
from .results import demo_bbox, render
from .writers import file_name

__all__ = ["MAX_URLS", "answer", "file_bytes"]

MAX_URLS = 400
NO_CONTENT = "There is no content between the selected dates, expand the date range to get links."


def _format(ds: Dataset) -> str:
    return "Netcdf" if ds.infos[0].full_source == "LEGACY" else "Geotiff"


def answer(query: Mapping[str, str], files_root: str) -> web.Response:
    """The endpoint's answer for ``query``."""
    uid = query.get("dataset_uid")
    if uid is None:
        return downloadtool_error(
            400, "Required parameters are missing: dataset_uid is mandatory", "message"
        )
    ds = dataset(uid)
    if ds is None:
        return downloadtool_error(400, "Dataset does not exist", "message")
    info_id = query.get("download_information_id")
    if info_id is None:
        message = "Required parameters are missing: download_information_id is mandatory"
        return downloadtool_error(400, message, "message")
    info = ds.info(info_id)
    if info is None:
        return downloadtool_error(400, "Dataset collection does not exist", "message")
    urls: list[str] = []
    base = f"{files_root}/webResources/catalogTree/{ds.uid}"
    if info.full_source != "EEA" and ds.timeseries:
        first, last = query.get("date_from", ""), query.get("date_to", "")
        if not first or not last:
            return downloadtool_error(
                400, "Error, both date_from and date_to parameters are required"
            )
        parsed = []
        for name, text in (("date_to", last), ("date_from", first)):
            try:
                parsed.append(datetime.strptime(text, "%Y-%m-%d").date())
            except ValueError:
                return downloadtool_error(
                    400, f"Error, {name} parameter must be a date in YYYY-MM-DD format"
                )
        if last < first:
            return downloadtool_error(
                400, "Error, date_from parameter must be smaller than date_to"
            )
        for when in ds.dates(parsed[1], parsed[0])[:MAX_URLS]:
            urls.append(f"{base}/{when:%Y%m%d}/{file_name(ds, when, _format(ds))}")
    elif info.full_source != "EEA":
        urls.append(f"{base}/{ds.epoch}/{file_name(ds, None, _format(ds))}")
    if not urls:
        return plone_json({"msg": NO_CONTENT, "status": "error"})
    return plone_json(urls)


def file_bytes(uid: str, tag: str, name: str) -> bytes | None:
    """The file a link of :func:`answer` names (None: no such file)."""
    ds = dataset(uid)
    if ds is None:
        return None
    when: date | None = None
    if ds.timeseries:
        try:
            when = datetime.strptime(tag, "%Y%m%d").date()
        except ValueError:
            return None
        if when not in ds.dates(when, when):
            return None
    elif tag != str(ds.epoch):
        return None
    if name != file_name(ds, when, _format(ds)):
        return None
    return render(ds, _format(ds), demo_bbox(ds), "EPSG:4326", when)
