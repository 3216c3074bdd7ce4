"""The public CLMS functions: each resolves its configuration once, then calls the core.

Configuration: ``endpoints`` (``Endpoints.clms``, env ``CDSE_CLMS_URL``), ``settings``
(``cache_dir``, ``clms_poll_interval``...) and the service key: ``service_key=`` (a path, or a
mapping for tests) > ``CDSE_CLMS_SERVICE_KEY`` > ``[settings] clms_service_key`` of the config
file. Searching needs no key; requests do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
import threading
import time as _time
from collections.abc import Mapping
from typing import Any

from ..auth.service_key import ServiceKey
from ..config import Context, resolve
from ..downloads.runner import run_sync
from ..errors import (
    CLMSKeyMissing,
    CLMSQueryError,
    CLMSResultExpired,
    CLMSTaskFailed,
)
from ._http import CLMSSession
from .cdse_copy import CDSECopy, cdse_copy_of
from .datasets import CLMSDataset, CLMSDatasets
from .job import CLMSJob, tokens_for
from .requests import CLMSRequest, checked_crs, checked_format, parse_bbox, parse_time
from .results import forget_result
from .search import find_dataset, search_datasets
from .store import JobStore, results_dir
from .tasks import (
    conversion_table,
    file_urls,
    pending_task_of,
    post_request,
    projections,
)

__all__ = [
    "cdse_copy", "dataset", "file_urls_of", "job", "jobs", "projections_of", "request", "search",
]  # fmt: skip

log = logging.getLogger("cdse_intake.clms")

#: Seconds the list of every dataset is reused for lookups by name in this process.
CATALOGUE_AGE = 600.0
_CATALOGUE: dict[str, tuple[float, list[CLMSDataset]]] = {}
_CATALOGUE_LOCK = threading.Lock()
#: How CLMS refuses a request that repeats one of the user's queued or in-progress tasks.
DUPLICATE = "same thing at least twice"
_UID = re.compile(r"[0-9a-f]{32}")
KeyLike = ServiceKey | str | os.PathLike[str] | Mapping[str, Any]


def _context(endpoints: Any, settings: Any) -> Context:
    return resolve(endpoints=endpoints, settings=settings)


def _service_key(value: KeyLike | None, context: Context) -> ServiceKey:
    if value is None:
        value = context.settings.clms_service_key or None
    if value is None:
        raise CLMSKeyMissing(
            "a CLMS data request needs a service key: pass service_key= (the path of the JSON "
            "file), set CDSE_CLMS_SERVICE_KEY, or clms_service_key under [settings] in the config "
            "file; create one on land.copernicus.eu (profile, API tokens)"
        )
    return ServiceKey.coerce(value)


def search(
    text: str | None = None,
    *,
    limit: int | None = None,
    endpoints: Any = None,
    settings: Any = None,
) -> CLMSDatasets:
    """CLMS datasets whose text matches ``text`` (every dataset without it); anonymous."""
    context = _context(endpoints, settings)

    async def main() -> list[CLMSDataset]:
        async with CLMSSession(context) as session:
            return await search_datasets(session, text, limit=limit)

    return CLMSDatasets(run_sync(main), text)


def _catalogue(context: Context) -> list[CLMSDataset]:
    root = context.endpoints.clms
    with _CATALOGUE_LOCK:
        kept = _CATALOGUE.get(root)
    if kept is not None and _time.monotonic() - kept[0] < CATALOGUE_AGE:
        return kept[1]
    found = list(search(endpoints=context.endpoints, settings=context.settings))
    with _CATALOGUE_LOCK:
        _CATALOGUE[root] = (_time.monotonic(), found)
    return found


def dataset(name: str | CLMSDataset, *, endpoints: Any = None, settings: Any = None) -> CLMSDataset:
    """The dataset ``name`` names: its UID, exact title, or the product slug of its address
    (``"global-dynamic-land-cover"`` when that product has one dataset)."""
    return _find(name, _context(endpoints, settings))


def _find(name: str | CLMSDataset, context: Context) -> CLMSDataset:
    if isinstance(name, CLMSDataset):
        return name
    if isinstance(name, str) and _UID.fullmatch(name):

        async def by_uid() -> list[CLMSDataset]:
            async with CLMSSession(context) as session:
                return await search_datasets(session, uid=name)

        exact = [d for d in run_sync(by_uid) if d.uid == name]
        if exact:
            return exact[0]
    return find_dataset(_catalogue(context), name)


def projections_of(
    dataset: str | CLMSDataset,
    *,
    service_key: KeyLike | None = None,
    endpoints: Any = None,
    settings: Any = None,
) -> list[str]:
    """The output projections CLMS offers for a dataset (``@projections``)."""
    context = _context(endpoints, settings)
    found = _find(dataset, context)
    key = _maybe_key(service_key, context)

    async def main() -> list[str]:
        tokens = tokens_for(key, context) if key is not None else None
        async with CLMSSession(context, tokens) as session:
            return await projections(session, found.uid)

    return run_sync(main)


def _maybe_key(value: KeyLike | None, context: Context) -> ServiceKey | None:
    if value is None and not context.settings.clms_service_key:
        return None
    return _service_key(value, context)


def request(
    dataset: str | CLMSDataset,
    *,
    bbox: Any = None,
    nuts: str | None = None,
    output_format: str = "Geotiff",
    crs: str | int = "EPSG:4326",
    time: Any = None,
    layer: str | None = None,
    download_information: str | None = None,
    resubmit: bool = False,
    service_key: KeyLike | None = None,
    endpoints: Any = None,
    settings: Any = None,
) -> CLMSJob:
    """Request a cut of a CLMS dataset; the job (posted once, kept in the cache).

    Exactly one of ``bbox`` (west, south, east, north; degrees) or ``nuts`` (a NUTS code);
    ``output_format`` and ``crs`` are checked against what CLMS offers for the dataset;
    ``time`` is ``(start, end)`` for time series. The same request made again (this process, a
    later one, after a crash) returns the same job without posting; one whose task failed,
    was lost or whose result expired raises, until ``resubmit=True`` posts it anew.
    """
    context = _context(endpoints, settings)
    key = _service_key(service_key, context)
    # area, time and layer checked before any request; dataset, format and CRS filled below
    draft = CLMSRequest(
        "-", "-", str(output_format), str(crs), bbox=bbox, nuts=nuts, time=time, layer=layer
    )
    found = _find(dataset, context)
    info = found.download_info(download_information)
    tokens = tokens_for(key, context)

    async def main() -> CLMSJob:
        async with CLMSSession(context, tokens) as session:
            table = await conversion_table(session)
            fmt = checked_format(output_format, info.full_format or found.formats, table)
            gcs = checked_crs(crs, await projections(session, found.uid))
            if layer is not None and info.layers and layer not in info.layers:
                raise CLMSQueryError(
                    f"layer={layer!r} is not one of {found.title!r}'s: {', '.join(info.layers)}"
                )
            req = dataclasses.replace(
                draft,
                dataset_uid=found.uid,
                download_information=info.id,
                output_format=fmt,
                crs=gcs,
                title=found.title,
            )
            return await _submit(session, context, key, req, resubmit)

    job = run_sync(main)
    copy = cdse_copy_of(found)
    if copy is not None:
        log.info(
            "CDSE also holds %r (%s): cdse_intake.clms.cdse_copy() gives its search",
            found.title,
            copy.stac_collection,
        )
    return job


def _record_of(req: CLMSRequest, task_id: str, key: ServiceKey, context: Context) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "client_id": key.client_id,
        "service_key": str(key.path) if key.path is not None else None,
        "api": context.endpoints.clms,
        "posted_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "state": "posted",
        "request": {
            "dataset_uid": req.dataset_uid,
            "download_information": req.download_information,
            "output_format": req.output_format,
            "crs": req.crs,
            "bbox": list(req.bbox) if req.bbox else None,
            "nuts": req.nuts,
            "time": [t.isoformat() for t in req.time] if req.time else None,
            "layer": req.layer,
            "title": req.title,
        },
    }


def request_from_record(record: Mapping[str, Any]) -> CLMSRequest:
    """The request a job store record holds."""
    fields = dict(record["request"])
    return CLMSRequest(**fields)


async def _submit(
    session: CLMSSession, context: Context, key: ServiceKey, req: CLMSRequest, resubmit: bool
) -> CLMSJob:
    store = JobStore(context.settings.cache_dir)
    name = req.key(key.client_id)
    async with store.locked_async(name):
        record = store.read(name)
        if record is not None and not resubmit:
            _refuse_ended(record)
            log.info("CLMS request %s: task %s picked up again", req.describe(), record["task_id"])
            return CLMSJob(str(record["task_id"]), req, name, context, key)
        if record is not None:
            store.remove(name)
            forget_result(results_dir(context.settings.cache_dir, str(record["task_id"])))
        try:
            task_id = await post_request(session, req)
        except CLMSQueryError as err:
            # CLMS refuses a request it is already working on for this user (a job store lost,
            # another machine): that task is this request's.
            found = await pending_task_of(session, req) if DUPLICATE in err.message else None
            if found is None:
                raise
            log.info("CLMS already works on %s: task %s adopted", req.describe(), found)
            task_id = found
        store.write(name, _record_of(req, task_id, key, context))
        log.info("CLMS request %s posted: task %s", req.describe(), task_id)
        return CLMSJob(task_id, req, name, context, key)


def _refuse_ended(record: Mapping[str, Any]) -> None:
    state, task_id = record.get("state"), str(record.get("task_id"))
    hint = "; pass resubmit=True to post the request again"
    if state == "expired":
        raise CLMSResultExpired(
            f"the result of CLMS task {task_id} expired before it was downloaded{hint}",
            task_id=task_id,
        )
    if state in ("failed", "lost"):
        what = record.get("task_status") or "lost"
        raise CLMSTaskFailed(
            f"CLMS task {task_id} of this request ended as {what}{hint}",
            task_id=task_id,
            task_status=record.get("task_status"),
        )


def jobs(
    *, service_key: KeyLike | None = None, endpoints: Any = None, settings: Any = None
) -> list[CLMSJob]:
    """The kept jobs of the service key (posted, not cancelled), oldest first."""
    context = _context(endpoints, settings)
    key = _service_key(service_key, context)
    found = []
    for record in JobStore(context.settings.cache_dir).records():
        if record.get("client_id") != key.client_id:
            continue
        try:
            req = request_from_record(record)
        except (KeyError, TypeError, ValueError):
            continue
        found.append(CLMSJob(str(record["task_id"]), req, record["key"], context, key))
    return found


def job(
    task_id: str | int,
    *,
    service_key: KeyLike | None = None,
    endpoints: Any = None,
    settings: Any = None,
) -> CLMSJob:
    """The kept job of CLMS task ``task_id`` (posted from this cache with this service key)."""
    wanted = str(task_id).strip()
    kept = jobs(service_key=service_key, endpoints=endpoints, settings=settings)
    for found in kept:
        if found.task_id == wanted:
            return found
    known = ", ".join(j.task_id for j in kept) or "none"
    raise CLMSQueryError(
        f"task {wanted!r} is not a job kept in this cache for this service key (kept: {known}); "
        "jobs() lists them"
    )


def cdse_copy(
    dataset: str | CLMSDataset,
    time: Any = None,
    bbox: Any = None,
    *,
    endpoints: Any = None,
    settings: Any = None,
) -> CDSECopy | None:
    """Where CDSE holds this CLMS dataset (None: nowhere), with the search for ``time`` and
    ``bbox``: ``cdse_intake.search(**copy.search_kwargs())`` finds its products."""
    found = _find(dataset, _context(endpoints, settings))
    area = parse_bbox(bbox) if bbox is not None else None
    return cdse_copy_of(found, bbox=area, time=parse_time(time))


def file_urls_of(
    dataset: str | CLMSDataset,
    *,
    download_information: str | None = None,
    time: Any = None,
    service_key: KeyLike | None = None,
    endpoints: Any = None,
    settings: Any = None,
) -> list[str]:
    """Direct links of a dataset's prepackaged files (``@get-download-file-urls``)."""
    context = _context(endpoints, settings)
    key = _service_key(service_key, context)
    found = _find(dataset, context)
    info = found.download_info(download_information)
    when = parse_time(time)

    async def main() -> list[str]:
        async with CLMSSession(context, tokens_for(key, context)) as session:
            return await file_urls(
                session,
                found.uid,
                info.id,
                when[0].strftime("%Y-%m-%d") if when else None,
                when[1].strftime("%Y-%m-%d") if when else None,
            )

    return run_sync(main)
