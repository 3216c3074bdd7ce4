"""The public USGS functions: search and download; each resolves its configuration once."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..config import resolve
from ..downloads.runner import run_sync
from ..errors import QueryError
from ..product import Product
from ..query import Query
from .api import M2M
from .download import download_async
from .search import PAGE_SIZE, is_usgs, search_async

__all__ = ["download", "search"]


def search(
    query: Query | None = None,
    *,
    dataset: str | None = None,
    path: Any = None,
    row: Any = None,
    credentials: Any = None,
    endpoints: Any = None,
    settings: Any = None,
    page_size: int = PAGE_SIZE,
    **fields: Any,
) -> list[Product]:
    """Landsat scenes through USGS's M2M API, every page of them, as Products sorted as the
    query asks: ``query`` or ``fields`` (:class:`~cdse_intake.query.Query` fields:
    ``collection``, ``product_type``, ``bbox``/``geometry``, ``start``, ``end``, ``cloud``,
    ``attributes={"wrsPath": 198}``, ``limit``, ``sort``...); ``path``/``row`` the WRS-2 path
    and row; ``dataset`` a USGS dataset name instead of the collection. ``credentials``: the
    USGS account (else ``USGS_USERNAME``/``USGS_TOKEN`` or ``.netrc``)."""
    from ..auth.usgs import usgs_credentials
    from ..net.http import new_session

    if query is not None and fields:
        raise QueryError(f"give either query= or query fields, not both (got {sorted(fields)})")
    if query is None:
        try:
            query = Query(**fields)
        except TypeError as err:
            raise QueryError(f"USGS search: {err}") from None
    if type(page_size) is not int or not 1 <= page_size <= 50_000:
        raise QueryError(f"page_size={page_size!r} is invalid; expected a whole number 1-50000")
    context = resolve(endpoints=endpoints, settings=settings, credentials=credentials)
    account = usgs_credentials(context.credentials, context.endpoints.usgs)
    chosen = query

    async def run() -> list[Product]:
        async with (
            new_session(timeout=context.settings.timeout, limit=2) as session,
            M2M(session, context.endpoints.usgs, account, context.settings.retries) as m2m,
        ):
            return await search_async(
                m2m, chosen, dataset=dataset, path=path, row=row, page_size=page_size
            )

    return run_sync(run)


def download(
    products: Product | Iterable[Product],
    dest: str | os.PathLike[str] | None = None,
    *,
    credentials: Any = None,
    endpoints: Any = None,
    settings: Any = None,
    poll_interval: float = 10.0,
    wait: float = 3600.0,
) -> Any:
    """Download USGS products (from :func:`search`) as their bundles ``<dest>/<name>.tar``
    (default ``<cache>/usgs``), verified and resumable; a
    :class:`~cdse_intake.downloads.report.DownloadReport`, one outcome per product. USGS
    prepares some downloads first: its status is asked every ``poll_interval`` seconds, at most
    ``wait`` seconds in all."""
    items = [products] if isinstance(products, Product) else list(products)
    bad = [p for p in items if not is_usgs(p)]
    if bad:
        raise QueryError(
            f"{bad[0]!r} is not a USGS product; expected products of cdse_intake.usgs.search "
            "(or search(backend='usgs')); download CDSE's with cdse_intake.download"
        )
    for name, value in (("poll_interval", poll_interval), ("wait", wait)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise QueryError(f"{name}={value!r} is invalid; expected seconds > 0")
    context = resolve(endpoints=endpoints, settings=settings, credentials=credentials)
    folder = Path(dest).expanduser() if dest is not None else context.settings.cache_dir / "usgs"
    return run_sync(
        lambda: download_async(
            items,
            folder,
            context.endpoints,
            context.settings,
            context.credentials,
            poll_interval=float(poll_interval),
            wait=float(wait),
        )
    )
