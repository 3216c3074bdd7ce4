"""``cdse_intake.download``: CDSE's downloader, with USGS products sent to USGS.

Products found through USGS (``search(backend="usgs")``, :mod:`cdse_intake.usgs`) are
downloaded from USGS (:func:`cdse_intake.usgs.download`); everything else goes to
:func:`cdse_intake.downloads.download` exactly as given. One report comes back, the outcomes in
the order of the products. This wrapper lives in the public face so that neither downloader
knows the other.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["download"]

#: The keywords both downloaders take; the others are CDSE's only.
_SHARED = ("endpoints", "settings")


def _listed(items: Any) -> list[Any] | None:
    """``items`` as a list when it may hold USGS products, else None (passed on as is)."""
    from .product import Product
    from .results import SearchResults

    if isinstance(items, Product):
        return [items]
    if isinstance(items, SearchResults):
        return list(items) if items.backend == "usgs" else None
    if isinstance(items, (list, tuple)):
        return list(items)
    return None


def download(
    items: Any,
    dest: str | os.PathLike[str] | None = None,
    *,
    usgs_credentials: Any = None,
    poll_interval: float = 10.0,
    wait: float = 3600.0,
    **options: Any,
) -> Any:
    """Download products, verified and resumable: CDSE's from CDSE (every option of
    :func:`cdse_intake.downloads.download`: ``progress``, ``via``, ``credentials``,
    ``manifest``...), USGS's from USGS (:func:`cdse_intake.usgs.download`, with
    ``usgs_credentials``, or ``credentials`` when every product is USGS's; ``poll_interval``
    and ``wait`` bound the wait for USGS to prepare them). One
    :class:`~cdse_intake.downloads.report.DownloadReport` in the order of the products."""
    from .downloads import download as cdse_download

    listed = _listed(items)
    if listed is None:
        return cdse_download(items, dest, **options)
    from .usgs import download as usgs_download
    from .usgs import is_usgs

    theirs = [p for p in listed if is_usgs(p)]
    if not theirs:
        return cdse_download(items, dest, **options)
    ours = [p for p in listed if not is_usgs(p)]
    account = usgs_credentials if ours else usgs_credentials or options.get("credentials")
    shared = {k: options[k] for k in _SHARED if k in options}
    report = usgs_download(
        theirs, dest, credentials=account, poll_interval=poll_interval, wait=wait, **shared
    )
    if not ours:
        return report
    other = cdse_download(ours, dest, **options)
    return _merged(listed, report, other)


def _merged(listed: list[Any], *reports: Any) -> Any:
    from .downloads.report import DownloadReport

    by_id = {o.id: o for r in reports for o in r.outcomes}
    named = {o.name: o for r in reports for o in r.outcomes}
    outcomes = []
    for item in listed:
        found = by_id.get(getattr(item, "id", None)) or named.get(getattr(item, "name", item))
        if found is not None and found not in outcomes:
            outcomes.append(found)
    outcomes += [o for r in reports for o in r.outcomes if o not in outcomes]
    return DownloadReport(
        outcomes,
        credentials_missing=any(r.credentials_missing for r in reports),
        authentication_failed=any(r.authentication_failed for r in reports),
    )
