"""Downloads spread over a dask cluster, within one cluster-wide connection budget.

Each product is one task on some worker; there :func:`~cdse_intake.downloads.download` runs
with ``progress=False`` and, inside a worker, its budget is a ``distributed.Semaphore``
(:func:`cdse_intake.budget.make_budget`) shared by the whole cluster, so the account never has
more than ``max_connections`` downloads open however many workers there are. Each worker logs in
once per account (:mod:`cdse_intake.auth.shared`), with credentials from its own environment or
``.netrc``: no secret travels in the task graph. The caller records each outcome in the manifest
as it arrives, so the manifest is current even if the client is interrupted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..config import Endpoints, Settings, resolve
from ..product import Product
from .plan import collect
from .report import DownloadReport, Outcome
from .runner import run_sync

__all__ = ["download_on_cluster"]


def _download_one(
    product: Product,
    dest: str | None,
    via: str,
    endpoints: Endpoints | None,
    settings: Settings | None,
    max_connections: int | None,
) -> Outcome:
    """Runs on a worker: one product, the worker's shared login and the cluster's budget."""
    from . import download

    report = download(
        [product],
        dest,
        progress=False,
        via=via,
        endpoints=endpoints,
        settings=settings,
        max_connections=max_connections,
    )
    return report.outcomes[0]


def download_on_cluster(
    client: Any,
    items: Any,
    dest: str | os.PathLike[str] | None = None,
    *,
    via: str = "https",
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
    manifest: str | os.PathLike[str] | None = None,
    max_connections: int | None = None,
) -> DownloadReport:
    """Download ``items`` on the workers of ``client`` (a ``distributed.Client``).

    Takes the same ``items`` as :func:`~cdse_intake.downloads.download` (a manifest path is
    updated after every product). ``dest`` must be a folder every worker can write to (a shared
    file system); the default is each worker's own product cache.
    """
    from distributed import as_completed

    request = collect(items, manifest)
    found: dict[str, Product] = {}
    if request.keys:  # product ids and names: looked up here, once, not on every worker
        from .keys import lookup_products

        context = resolve(endpoints=endpoints, settings=settings)
        found = run_sync(lambda: lookup_products(request.keys, context.endpoints, context.settings))
    plan = request.plan(found)
    target = None if dest is None else str(Path(dest).expanduser().absolute())
    futures = client.map(
        _download_one,
        plan.products,
        dest=target,
        via=via,
        endpoints=endpoints,
        settings=settings,
        max_connections=max_connections,
        pure=False,
    )
    outcomes: dict[str, Outcome] = {}
    try:
        for future in as_completed(futures):
            outcome: Outcome = future.result()
            outcomes[outcome.id] = outcome
            path = str(outcome.path) if outcome.ok and outcome.path else ""
            for recorder in plan.recorders:
                recorder.update(outcome.id, outcome.status, path, outcome.reason)
                recorder.flush()
    finally:
        for future in futures:
            future.cancel()
        for recorder in plan.recorders:
            recorder.flush()
    return DownloadReport([outcomes[p.id] for p in plan.products if p.id in outcomes])
