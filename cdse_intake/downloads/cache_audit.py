"""The cache audited against the catalogue: is each cached product still what CDSE serves?

One verdict per product of the cache index, the local checks first (:mod:`..cache.audit`: the
file is there and still has the checksum recorded when it was downloaded), then the catalogue's
word (:mod:`..catalogue.standing`): ``current``; ``deleted`` (CDSE took it out, with a cause
and a date); ``obsolete`` (deleted, and a newer processing of it is listed: its name is given);
``unknown`` (in neither list: a product of another catalogue); ``tampered`` (the cached bytes no
longer match the recorded checksum); ``missing file``. Nothing in the cache is changed.

With ``verify_traces``, each file present is also judged against CDSE's signed traces of it
(:mod:`..catalogue.traces`): :attr:`AuditRecord.trace` is one of
:data:`~cdse_intake.catalogue.trace_verify.TRACE_VERDICTS` (``verified``, ``hash mismatch``,
``bad signature``, ...), which catches a file changed together with its index entry, and a
product the trace service says is obsolete or deleted.
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
    trace: str | None = None
    """The verdict against CDSE's signed traces (``verify_traces``; None: not asked, or no
    file): one of :data:`~cdse_intake.catalogue.trace_verify.TRACE_VERDICTS`."""
    trace_detail: str | None = None
    """That verdict in words."""

    @property
    def ok(self) -> bool:
        return self.verdict == "current" and self.trace in (None, "verified", "unanchored")

    @property
    def detail(self) -> str:
        """The verdict in words: ``deleted (Corrupted product, 2024-05-01)``, ...; then the
        trace's verdict when it was asked (``current | trace verified``)."""
        base = self._local_detail()
        if self.trace is None:
            return base
        if self.trace in ("verified", "unanchored"):
            return f"{base} | trace {self.trace}"
        return f"{base} | trace {self.trace} ({self.trace_detail})"

    def _local_detail(self) -> str:
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
    verify_traces: bool = False,
    trust_roots: Any = None,
) -> list[AuditRecord]:
    """The verdict of each product in the cache index (all, or ``ids``), in index order.

    ``cache``: a :class:`~cdse_intake.cache.ProductCache` or its folder (default
    ``settings.cache_dir``). ``hash_files=False`` only checks that the files are there (no
    re-hashing: fast, blind to tampering). The catalogue is asked a few dozen products a
    request (anonymous, as search is). An id the index does not hold is a
    :class:`~cdse_intake.errors.ConfigurationError` naming it.

    ``verify_traces``: also judge each file present against CDSE's signed traces (one request
    a product, a few at a time; the BLAKE3 just checked is reused, else the file is hashed);
    ``trust_roots`` anchors their signatures (see :func:`cdse_intake.verify_trace`; None: the
    chain is not checked).
    """
    context = resolve(endpoints=endpoints, settings=settings)  # a public entry point
    endpoints, settings = context.endpoints, context.settings
    if not isinstance(verify_traces, bool):
        raise ConfigurationError(
            f"verify_traces={verify_traces!r} is not usable; expected True or False"
        )
    if trust_roots not in (None, False) and not verify_traces:
        raise ConfigurationError(
            f"trust_roots={trust_roots!r} only applies with verify_traces=True (it anchors the "
            "signatures of CDSE's traces); pass verify_traces=True or leave trust_roots out"
        )
    roots = _roots(trust_roots) if verify_traces else None
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
    locals_ = {}
    for entry in entries:
        local = status(entry) if hash_files else ("missing" if is_missing(entry.path) else "ok")
        locals_[entry.id] = local
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
    if verify_traces:
        records = _with_traces(records, entries, locals_, hash_files, roots, endpoints, settings)
    return records


def _roots(trust_roots: Any) -> Any:
    from ..catalogue.traces import trust_roots_of

    return trust_roots_of(trust_roots)


def _with_traces(
    records: list[AuditRecord],
    entries: list[Any],
    local: dict[str, str],
    hashed: bool,
    roots: Any,
    endpoints: Endpoints,
    settings: Settings,
) -> list[AuditRecord]:
    """``records`` with the trace verdict of each file present."""
    from dataclasses import replace

    from fsspec.asyn import get_loop, sync

    from ..catalogue.traces import check_files, file_digest
    from ..net.http import new_session

    present = [e for e in entries if local[e.id] != "missing"]
    files = []
    for entry in present:
        # The checksum just verified is the file's BLAKE3: not hashed twice.
        trusted = hashed and local[entry.id] == "ok" and entry.algorithm == "BLAKE3"
        known = {"BLAKE3": entry.checksum} if trusted else {}
        files.append((entry.name, file_digest(entry.path, known)))

    async def ask() -> list[Any]:
        async with new_session(timeout=settings.timeout) as session:
            return await check_files(session, endpoints.trace, files, roots, settings.retries)

    checks = dict(zip((e.id for e in present), sync(get_loop(), ask), strict=True))
    return [
        replace(r, trace=checks[r.id].verdict, trace_detail=checks[r.id].detail)
        if r.id in checks
        else r
        for r in records
    ]


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
