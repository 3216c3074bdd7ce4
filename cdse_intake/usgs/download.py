"""Landsat bundles from USGS: download options, a download request, polling, verified files.

The M2M flow (see :mod:`.api`): ``download-options`` lists each scene's products (the
Collection 2 *Product Bundle*, a ``.tar`` of the scene's GeoTIFFs and metadata files, with its
``filesize``); ``download-request`` with ``{"downloads": [{"entityId", "productId"}],
"label"}`` answers ``availableDownloads`` (a URL now) and ``preparingDownloads`` (not yet);
``download-retrieve`` with the label lists ``available`` (with ``url``) and ``requested`` ones,
and is polled every ``poll_interval`` seconds until every scene has its URL or ``wait`` seconds
have passed (a scene still preparing then fails with a reason; a later run asks again). The
polls are bounded by the deadline, whatever the server answers.

A URL is fetched like a CDSE product (:func:`~cdse_intake.downloads.https.fetch_url`): into
``<name>.tar.part`` with its sidecar, resumed with ``Range`` after a cut, within the account's
connection budget (its own, named ``usgs:<username>``), ``settings.retries`` and the rate and
deadline limits; no CDSE token is ever sent (USGS's download URLs are signed links).

Verified: USGS publishes no checksum through the M2M API, so the size (``filesize`` of the
download option, against Content-Length/Content-Range and the bytes received) and the tar
itself: every member's header and data present (read to the end), regular files and folders
only, every name a plain relative path. Not verified: the bytes' content beyond that. Only a
verified file gets its final name ``<folder>/<name>.tar``; a failed one leaves at most the
``.part`` to resume, a file that fails the tar check is removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..config import Endpoints, Settings
from ..errors import AuthenticationError, CDSEError, ChecksumMismatch, CredentialsMissing
from ..product import Product
from .api import M2M
from .bundle import check_bundle, target_of

__all__ = ["download_async"]


def _outcome(product: Product, status: str, **kw: Any) -> Any:
    from ..downloads.report import Outcome

    error = kw.pop("error", None)
    if error is not None:
        kw["reason"] = str(error)
        kw["error"] = type(error).__name__
    return Outcome(product.id, product.name, status, algorithm="size", **kw)  # type: ignore[arg-type]


async def _options(m2m: M2M, products: Sequence[Product]) -> dict[str, tuple[str, int | None]]:
    """entityId -> (bundle product id, its size) from ``download-options``, per dataset."""
    found: dict[str, tuple[str, int | None]] = {}
    datasets = sorted({p.attributes["usgsDataset"] for p in products})
    for dataset in datasets:
        ids = [p.attributes["entityId"] for p in products if p.attributes["usgsDataset"] == dataset]
        answer = await m2m.call("download-options", {"datasetName": dataset, "entityIds": ids})
        for option in answer if isinstance(answer, list) else []:
            if not isinstance(option, dict) or not option.get("available"):
                continue
            if "bundle" not in str(option.get("productName", "")).lower():
                continue
            size = option.get("filesize")
            size = (
                size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else None
            )
            found.setdefault(str(option.get("entityId")), (str(option.get("id")), size))
    return found


async def download_async(
    products: Sequence[Product],
    folder: Path,
    endpoints: Endpoints,
    settings: Settings,
    credentials: Any,
    *,
    poll_interval: float = 10.0,
    wait: float = 3600.0,
) -> Any:
    """Download every USGS product into ``folder``; a DownloadReport, in the given order."""
    from ..auth.usgs import usgs_credentials
    from ..downloads.report import DownloadReport
    from ..net.http import new_session

    folder.mkdir(parents=True, exist_ok=True)
    done: dict[str, Any] = {}
    todo: list[Product] = []
    for product in products:
        try:
            target = target_of(product, folder)
        except ValueError as err:
            done[product.id] = _outcome(product, "failed", error=err)
            continue
        if target.is_file():
            with contextlib.suppress(ChecksumMismatch, CDSEError):
                await asyncio.to_thread(check_bundle, target)
                done[product.id] = _outcome(product, "skipped", path=target)
                continue
        todo.append(product)
    missing = refused = False
    if todo:
        try:
            account = usgs_credentials(credentials, endpoints.usgs)
            async with (
                new_session(
                    timeout=settings.timeout, limit=settings.max_connections + 2
                ) as session,
                M2M(session, endpoints.usgs, account, settings.retries) as m2m,
            ):
                done.update(
                    await _flow(m2m, todo, folder, endpoints, settings, poll_interval, wait)
                )
        except (CredentialsMissing, AuthenticationError) as err:
            missing = isinstance(err, CredentialsMissing)
            refused = not missing
            for product in todo:
                done.setdefault(product.id, _outcome(product, "failed", error=err))
        except CDSEError as err:
            for product in todo:
                done.setdefault(product.id, _outcome(product, "failed", error=err))
    outcomes = [done[p.id] for p in products]
    return DownloadReport(outcomes, credentials_missing=missing, authentication_failed=refused)


async def _flow(
    m2m: M2M,
    products: Sequence[Product],
    folder: Path,
    endpoints: Endpoints,
    settings: Settings,
    poll_interval: float,
    wait: float,
) -> dict[str, Any]:
    from ..downloads.accounts import Account
    from ..downloads.budget import make_budget
    from ..net.transport import Transport

    out: dict[str, Any] = {}
    options = await _options(m2m, products)
    wanted: dict[str, Product] = {}
    for product in products:
        if product.attributes["entityId"] in options:
            wanted[product.attributes["entityId"]] = product
        else:
            reason = CDSEError("USGS offers no available product bundle for this scene")
            out[product.id] = _outcome(product, "failed", error=reason)
    if not wanted:
        return out
    label = f"cdse-intake-{secrets.token_hex(6)}"
    request = {
        "downloads": [{"entityId": e, "productId": options[e][0]} for e in wanted],
        "label": label,
    }
    answer = await m2m.call("download-request", request)
    for row in (answer.get("failed") if isinstance(answer, dict) else None) or []:
        product = wanted.pop(str(row.get("entityId")), None) if isinstance(row, dict) else None
        if product is not None:
            why = CDSEError(f"USGS refused the download request: {str(row.get('reason'))[:200]}")
            out[product.id] = _outcome(product, "failed", error=why)
    limit = settings.max_connections
    name = f"usgs:{m2m.credentials.username}"
    budget = make_budget(None, name, limit, origin=endpoints.usgs)
    account = Account(name, budget, limit)
    account.transport = Transport(m2m.session, endpoints, None)
    tasks: dict[str, asyncio.Task[Any]] = {}
    try:
        await _poll(
            m2m, label, wanted, options, tasks, folder, account, settings, poll_interval, wait
        )
    except BaseException:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        raise
    for entity, product in wanted.items():
        if entity not in tasks:
            reason = CDSEError(
                f"USGS was still preparing the download after {wait:g} s (label {label}); "
                "run again later"
            )
            out[product.id] = _outcome(product, "failed", error=reason)
    for entity, task in tasks.items():
        out[wanted[entity].id] = await task
    return out


async def _poll(
    m2m: M2M,
    label: str,
    wanted: dict[str, Product],
    options: dict[str, tuple[str, int | None]],
    tasks: dict[str, asyncio.Task[Any]],
    folder: Path,
    account: Any,
    settings: Settings,
    poll_interval: float,
    wait: float,
) -> None:
    """``download-retrieve`` until every scene has its URL or ``wait`` seconds passed; each URL
    starts its download at once (``tasks``)."""
    deadline = time.monotonic() + wait
    while True:
        answer = await m2m.call("download-retrieve", {"label": label})
        rows = answer.get("available") if isinstance(answer, dict) else None
        for row in rows if isinstance(rows, list) else []:
            entity = row.get("entityId") if isinstance(row, dict) else None
            url = row.get("url") if isinstance(row, dict) else None
            if entity in wanted and entity not in tasks and isinstance(url, str) and url:
                size = options[entity][1]
                tasks[entity] = asyncio.create_task(
                    _fetch(wanted[entity], url, size, folder, account, settings)
                )
        if len(tasks) == len(wanted) or time.monotonic() + poll_interval > deadline:
            return
        await asyncio.sleep(poll_interval)


async def _fetch(
    product: Product, url: str, size: int | None, folder: Path, account: Any, settings: Settings
) -> Any:
    from ..downloads.https import fetch_url
    from ..downloads.partfile import Expected, PartFile
    from ..downloads.process import file_executor
    from ..downloads.retry import Limits, Stats

    started = time.monotonic()
    target = target_of(product, folder)
    part = PartFile(target, Expected(product.id, size, "size", str(size or "")), file_executor())
    stats = Stats()
    try:
        await part.open()
        await fetch_url(url, account, part, stats, _NoBar(), settings.retries, Limits.of(settings))
        try:
            await asyncio.to_thread(check_bundle, part.part)
        except CDSEError:
            part.discard()
            raise
        await part.commit()
    except (CDSEError, OSError, ValueError) as err:
        return _outcome(product, "failed", error=err, bytes=stats.bytes, retries=stats.retries)
    finally:
        with contextlib.suppress(Exception):
            part.close()
    seconds = time.monotonic() - started
    return _outcome(
        product,
        "verified",
        path=target,
        bytes=stats.bytes,
        seconds=seconds,
        mb_s=stats.bytes / 1e6 / seconds if seconds > 0 else 0.0,
        retries=stats.retries,
    )


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def reset(self, total: int | None = None) -> None:
        pass
