"""The cache audited against the catalogue: is each cached product still what CDSE serves?

One verdict per product of the cache index, the local checks first (:mod:`..cache.audit`: the
file is there and still has the checksum recorded when it was downloaded), then the catalogue's
word (:mod:`..catalogue.standing`): ``current``; ``deleted`` (CDSE took it out, with a cause
and a date); ``obsolete`` (deleted, and a newer processing of it is listed: its name is given);
``unknown`` (in neither list: a product of another catalogue); ``tampered`` (the cached bytes no
longer match the recorded checksum); ``missing file``. Nothing in the cache is changed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..cache import ProductCache
from ..cache.audit import is_missing, status
from ..config import Endpoints, Settings, resolve
from ..errors import ConfigurationError
from ..product import DeletedProduct

__all__ = ["VERDICTS", "AuditRecord", "audit_cache"]

VERDICTS = ("current", "deleted", "obsolete", "unknown", "tampered", "missing file")
"""Every verdict; all but ``current`` need attention."""
_LOCAL = {"missing": "missing file", "corrupt": "tampered"}


@dataclass(frozen=True)
class AuditRecord:
    """One cached product's verdict, with what the catalogue said of it."""

    id: str
    name: str
    path: Path
    verdict: str
    """One of :data:`VERDICTS`."""
    catalogue: str | None = None
    """What the catalogue says (``current``, ``deleted``, ``obsolete``, ``unknown``), also when
    a local problem decides the verdict; None when it was not asked."""
    deletion_cause: str | None = None
    deletion_date: datetime | None = None
    replaced_by: str | None = None
    """The name of the newer processing (``obsolete``)."""
    replaced_by_id: str | None = None
    algorithm: str | None = None
    """The checksum algorithm recorded at download (``BLAKE3``, ``MD5`` or ``size``)."""

    @property
    def ok(self) -> bool:
        return self.verdict == "current"

    @property
    def detail(self) -> str:
        """The verdict in words: ``deleted (Corrupted product, 2024-05-01)``, ..."""
        when = self.deletion_date.strftime("%Y-%m-%d") if self.deletion_date else "?"
        if self.verdict == "deleted":
            return f"deleted ({self.deletion_cause}, {when})"
        if self.verdict == "obsolete":
            return f"obsolete: replaced by {self.replaced_by}"
        if self.verdict == "tampered":
            return f"tampered: the file no longer matches its {self.algorithm} checksum"
        if self.verdict == "unknown":
            return "unknown to the catalogue (neither listed nor deleted)"
        return self.verdict

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly values, with ``detail``."""
        out = asdict(self)
        out["path"] = str(self.path)
        out["deletion_date"] = self.deletion_date.isoformat() if self.deletion_date else None
        out["detail"] = self.detail
        return out


def audit_cache(
    cache: ProductCache | str | os.PathLike[str] | None = None,
    *,
    ids: Iterable[str] | None = None,
    hash_files: bool = True,
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
) -> list[AuditRecord]:
    """The verdict of each product in the cache index (all, or ``ids``), in index order.

    ``cache``: a :class:`~cdse_intake.cache.ProductCache` or its folder (default
    ``settings.cache_dir``). ``hash_files=False`` only checks that the files are there (no
    re-hashing: fast, blind to tampering). The catalogue is asked a few dozen products a
    request (anonymous, as search is). An id the index does not hold is a
    :class:`~cdse_intake.errors.ConfigurationError` naming it.
    """
    context = resolve(endpoints=endpoints, settings=settings)  # a public entry point
    endpoints, settings = context.endpoints, context.settings
    if not isinstance(cache, ProductCache):
        cache = ProductCache(Path(cache) if cache is not None else settings.cache_dir)
    entries = cache.entries()
    if ids is not None:
        wanted = [str(i) for i in ids]
        known = {e.id for e in entries}
        unknown = [i for i in wanted if i not in known]
        if unknown:
            raise ConfigurationError(
                f"not in the cache index of {cache.root}: {', '.join(map(repr, unknown))}; "
                "expected product ids as 'cdse-intake cache ls' lists them"
            )
        entries = [e for e in entries if e.id in set(wanted)]
    if not entries:
        return []
    standing = _standings([(e.id, e.name) for e in entries], endpoints, settings)
    records = []
    for entry in entries:
        local = status(entry) if hash_files else ("missing" if is_missing(entry.path) else "ok")
        said = standing[entry.id]
        deleted: DeletedProduct | None = said.deleted
        newer = said.replaced_by
        records.append(
            AuditRecord(
                id=entry.id,
                name=entry.name,
                path=entry.path,
                verdict=_LOCAL.get(local, said.state),
                catalogue=said.state,
                deletion_cause=deleted.deletion_cause if deleted else None,
                deletion_date=deleted.deletion_date if deleted else None,
                replaced_by=newer.name if newer else None,
                replaced_by_id=newer.id if newer else None,
                algorithm=entry.algorithm,
            )
        )
    return records


def _standings(
    products: list[tuple[str, str]], endpoints: Endpoints, settings: Settings
) -> dict[str, Any]:
    from fsspec.asyn import get_loop, sync

    from ..catalogue.standing import standings
    from ..net.http import new_session

    async def ask() -> dict[str, Any]:
        async with new_session(timeout=settings.timeout) as session:
            return await standings(session, endpoints.catalogue, products, settings.retries)

    return sync(get_loop(), ask)
