"""The public burst functions: search, coverage, extraction and opening.

Each resolves its configuration once (argument > environment > config file > the real CDSE)
and calls one core step of this package.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..config import resolve
from ..downloads.runner import run_sync
from ..errors import QueryError
from .extract import Extracted, extract_async
from .query import BurstQuery
from .record import Burst
from .search import PAGE_SIZE, Coverage, coverage_of, search_async

__all__ = ["burst_coverage", "extract_bursts", "open_burst", "search_bursts"]


def search_bursts(
    query: BurstQuery | None = None,
    *,
    endpoints: Any = None,
    settings: Any = None,
    page_size: int = PAGE_SIZE,
    **criteria: Any,
) -> list[Burst]:
    """Sentinel-1 SLC bursts matching ``query`` or the keyword ``criteria`` of
    :meth:`BurstQuery.of` (``area``/``bbox``/``geometry``, ``start``, ``end``, ``swath``,
    ``polarisation``, ``burst_id``, ``relative_orbit``, ``orbit_direction``, ``parent``, ...),
    every page of them, in sensing-time order."""
    if query is not None and criteria:
        raise QueryError(f"give a BurstQuery or criteria, not both: {sorted(criteria)}")
    query = query if query is not None else BurstQuery.of(**criteria)
    context = resolve(endpoints=endpoints, settings=settings)
    return run_sync(
        lambda: search_async(query, context.endpoints, context.settings, page_size=page_size)
    )


def burst_coverage(
    area: Any, *, endpoints: Any = None, settings: Any = None, **criteria: Any
) -> list[Coverage]:
    """Which burst ids (with relative orbit, direction and swath) image ``area``, from the
    bursts the catalogue lists there (narrow it with ``start``/``end``, ``swath``, ...)."""
    bursts = search_bursts(area=area, endpoints=endpoints, settings=settings, **criteria)
    return coverage_of(bursts)


def extract_bursts(
    bursts: Burst | Iterable[Burst],
    dest: str | os.PathLike[str] | None = None,
    *,
    credentials: Any = None,
    endpoints: Any = None,
    settings: Any = None,
    max_connections: int | None = None,
) -> list[Extracted]:
    """Have CDSE extract each burst and keep its zip in ``<cache>/bursts/`` (or ``dest``),
    verified and resumable; one :class:`Extracted` per burst (``.path``, ``.status``)."""
    items = [bursts] if isinstance(bursts, Burst) else list(bursts)
    bad = [b for b in items if not isinstance(b, Burst)]
    if bad:
        raise QueryError(f"extract_bursts takes Burst records (from search_bursts), got {bad[0]!r}")
    context = resolve(endpoints=endpoints, settings=settings, credentials=credentials)
    folder = Path(dest).expanduser() if dest is not None else context.settings.cache_dir / "bursts"
    return run_sync(
        lambda: extract_async(
            items,
            folder,
            context.endpoints,
            context.settings,
            context.credentials,
            max_connections,
        )
    )


def open_burst(burst: Extracted | str | os.PathLike[str], **options: Any) -> Any:
    """An extracted burst as a lazy :class:`xarray.DataTree` (the Sentinel-1 reader: one
    sub-swath node, one polarisation, one burst); ``options`` as for ``open_product``."""
    from ..readers.api import open_product

    if isinstance(burst, Extracted):
        if burst.path is None:
            raise QueryError(f"burst {burst.burst.name} was not extracted: {burst.error}")
        burst = burst.path
    return open_product(Path(burst), family="sentinel-1", **options)
