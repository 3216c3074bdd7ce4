"""Burst extraction: ``POST <catalogue>/Bursts(<id>)/$value``, resumable, into the cache.

CDSE cuts a burst out of its parent SLC when asked (cdse-api.md §1.1): the request is a POST
with the bearer token to the catalogue host, which may redirect to the download host; the
redirect is followed by hand with the token re-attached to CDSE's own origins only
(:class:`~cdse_intake.net.transport.Transport`, with the same method, as phidown does). The zip
goes through the downloader's machinery (:func:`~cdse_intake.downloads.https.fetch_url`): a
``.part`` resumed with ``Range: bytes=<n>-`` where the service answers 206 (a 200 restarts it),
the account's connection budget, retries, then verification. CDSE publishes no size or checksum
for a burst, so the zip is verified by its own CRCs and layout (every member inside its folder)
before the rename.

Where: ``<cache>/bursts/<burst name>.zip`` (or ``dest``); a zip already there that passes the
same check is not fetched again.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..config import Endpoints, Settings
from ..errors import CDSEError, UnsafePathError
from .record import Burst

__all__ = ["Extracted", "extract_async", "target_of"]

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


@dataclass(frozen=True)
class Extracted:
    """What became of one burst: ``verified`` (fetched now), ``present`` (already there) or
    ``failed`` (``error`` says why; a ``.part`` is kept for the next run)."""

    burst: Burst
    status: str
    path: Path | None = None
    error: BaseException | None = None
    bytes: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def target_of(burst: Burst, folder: Path) -> Path:
    """``<folder>/<burst name>.zip``; UnsafePathError for a name that is no plain file name."""
    if not _SAFE_NAME.match(burst.name):
        raise UnsafePathError(f"burst name {burst.name!r} cannot be a file name")
    return folder / f"{burst.name}.zip"


def _valid_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.testzip() is None and bool(zf.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


async def extract_async(
    bursts: Iterable[Burst],
    folder: Path,
    endpoints: Endpoints,
    settings: Settings,
    credentials: Any = None,
    max_connections: int | None = None,
) -> list[Extracted]:
    """Extract each burst into ``folder``; one :class:`Extracted` per burst, in order."""
    from ..auth.shared import token_providers
    from ..downloads.accounts import Account
    from ..downloads.budget import make_budget
    from ..net.http import new_session
    from ..net.transport import Transport

    items = list(bursts)
    folder.mkdir(parents=True, exist_ok=True)
    limit = max_connections or settings.max_connections
    provider = token_providers(credentials, endpoints, settings)[0]
    budget = make_budget(None, provider.username, limit, origin=endpoints.download)
    account = Account(provider.username, budget, limit, tokens=provider)
    async with new_session(timeout=settings.timeout, limit=limit + 2) as session:
        account.transport = Transport(session, endpoints, provider)
        gate = asyncio.Semaphore(limit)

        async def one(burst: Burst) -> Extracted:
            async with gate:
                return await _one(burst, folder, account, endpoints, settings)

        return list(await asyncio.gather(*(one(b) for b in items)))


async def _one(
    burst: Burst, folder: Path, account: Any, endpoints: Endpoints, settings: Settings
) -> Extracted:
    from ..downloads.https import fetch_url
    from ..downloads.partfile import Expected, PartFile
    from ..downloads.process import file_executor
    from ..downloads.retry import Limits, Stats

    started = time.monotonic()
    try:
        target = target_of(burst, folder)
    except UnsafePathError as err:
        return Extracted(burst, "failed", error=err)
    loop = asyncio.get_running_loop()
    if target.is_file() and await loop.run_in_executor(None, _valid_zip, target):
        return Extracted(burst, "present", target)
    part = PartFile(target, Expected(burst.id, None, "size", ""), file_executor())
    stats = Stats()
    url = f"{endpoints.catalogue}/Bursts({quote(burst.id, safe='-')})/$value"
    try:
        await part.open()
        await fetch_url(
            url, account, part, stats, _NoBar(), settings.retries, Limits.of(settings), "POST"
        )
        await part.commit()
    except (CDSEError, OSError) as err:
        return Extracted(burst, "failed", error=err, bytes=stats.bytes)
    finally:
        with contextlib.suppress(Exception):
            part.close()
    return Extracted(
        burst, "verified", target, bytes=stats.bytes, seconds=time.monotonic() - started
    )


class _NoBar:
    """Progress is the caller's business: the CLI prints one line per burst."""

    def update(self, n: int = 1) -> None:
        pass

    def reset(self, total: int | None = None) -> None:
        pass
