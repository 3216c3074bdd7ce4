"""Products checked against CDSE's Traceability Service (``trace.dataspace.copernicus.eu``).

The service keeps, per product file, signed traces of its life (created, copied, deleted, made
obsolete; :mod:`.trace_records` says what is documented of them). :func:`verify_trace` judges a
local file against them (:mod:`.trace_verify`: the hash, BLAKE3 for CDSE; the signature; the
certificate chain when trust roots are given); :func:`check_files` does it for many files, a few
at a time, for :func:`cdse_intake.audit_cache`.

The service is public: no token is sent (the endpoint is left out of the token's origins).
Every answer is bounded (:data:`MAX_TRACE_BYTES`, at most :data:`~.trace_records.MAX_TRACES`
traces), and one request is made per product (two attempts' worth of retries at most as
configured): a hostile server cannot make the client loop or read without end. A server that
cannot be asked, or answers something that is not traces, gives the verdict ``unavailable``
with the reason, never a half-judged file.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..cache.checksums import hash_file
from ..config import Endpoints, Settings, resolve
from ..errors import CDSEError, ConfigurationError, ProductNotFound, QueryError
from ..net.http import get_json, with_retries
from ..product import is_single_file_name
from .trace_records import Trace, parse_traces
from .trace_verify import TRACE_FAILURES, TRACE_VERDICTS, TraceCheck, judge, load_trust_roots

__all__ = [
    "MAX_TRACE_BYTES",
    "TRACE_FAILURES",
    "TRACE_VERDICTS",
    "TraceCheck",
    "check_files",
    "fetch_traces",
    "file_digest",
    "trace_name",
    "trust_roots_of",
    "verify_trace",
]

#: Largest answer read for one product's traces (50 traces listing ~100 files each fit).
MAX_TRACE_BYTES = 8 << 20
#: Products asked at the same time.
CONCURRENCY = 8
_BAD_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")


def trace_name(name: Any) -> str:
    """The name CDSE traces the product ``name`` (its OData ``Name``) under: the zip CDSE
    delivers, ``<Name>.zip``, for a folder product (``.SAFE``, ``.SEN3``, ...); the name itself
    for a single-file one (``.nc``, ...). Inferred from the STAC ``version-history`` links."""
    if (
        not isinstance(name, str)
        or not name.strip()
        or len(name) > 255
        or _BAD_NAME.search(name)
        or name in (".", "..")
    ):
        raise QueryError(
            f"name={name!r} is not a CDSE product name; expected the product's name as the "
            "catalogue lists it, such as 'S2A_MSIL2A_20240101T101031_N0510_R022_T32TQM_"
            "20240101T120000.SAFE' (no '/', no control characters, at most 255 characters)"
        )
    return name if is_single_file_name(name) else f"{name}.zip"


def file_digest(path: Path, known: dict[str, str] | None = None) -> Callable[[str], str]:
    """``digest(algorithm)``: the file's hex digest (computed once per algorithm; ``known``
    gives ones already computed, e.g. the cache's BLAKE3)."""
    import hashlib

    cache = {k.upper(): v.lower() for k, v in (known or {}).items()}

    def digest(algorithm: str) -> str:
        algorithm = algorithm.upper()
        if algorithm not in cache:
            if algorithm == "BLAKE3":
                cache[algorithm] = hash_file(path, "BLAKE3")
            else:
                hasher = hashlib.sha256() if algorithm == "SHA256" else hashlib.sha3_256()
                with open(path, "rb") as fh:
                    while chunk := fh.read(1 << 20):
                        hasher.update(chunk)
                cache[algorithm] = hasher.hexdigest()
        return cache[algorithm]

    return digest


async def fetch_traces(session: Any, trace_url: str, name: str, retries: int) -> list[Trace]:
    """The traces of the file ``name`` (``[]`` when the service has none: ``[]`` or 404)."""
    url = f"{trace_url}/v1/traces/name/{quote(name, safe='')}"
    try:
        body = await with_retries(
            lambda: get_json(session, url, headers={"Accept": "application/json"},
                             max_bytes=MAX_TRACE_BYTES),
            retries=retries,
            what=f"the traces of {name}",
        )  # fmt: skip
    except ProductNotFound:
        return []
    return parse_traces(body, name)


async def check_one(
    session: Any,
    trace_url: str,
    name: str,
    digest: Callable[[str], str],
    roots: Sequence[Any] | None,
    retries: int,
) -> TraceCheck:
    """The verdict of one file (``name``: the product's CDSE name) against its traces."""
    try:
        asked = trace_name(name)
    except QueryError as err:  # a name no product has (from a hand-edited index)
        return TraceCheck(str(name), "unavailable", f"not asked: {err}")
    try:
        traces = await fetch_traces(session, trace_url, asked, retries)
    except CDSEError as err:
        return TraceCheck(asked, "unavailable", f"the trace service could not be asked: {err}")
    try:
        return await asyncio.to_thread(judge, asked, traces, digest, roots)
    except OSError as err:  # the file went away or cannot be read meanwhile
        return TraceCheck(asked, "unavailable", f"the file could not be read: {err}")


async def check_files(
    session: Any,
    trace_url: str,
    files: Sequence[tuple[str, Callable[[str], str]]],
    roots: Sequence[Any] | None,
    retries: int,
) -> list[TraceCheck]:
    """:func:`check_one` for each ``(name, digest)``, :data:`CONCURRENCY` at a time, in order."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(name: str, digest: Callable[[str], str]) -> TraceCheck:
        async with gate:
            return await check_one(session, trace_url, name, digest, roots, retries)

    return list(await asyncio.gather(*(one(n, d) for n, d in files)))


def trust_roots_of(trust_roots: Any = None) -> tuple[Any, ...] | None:
    """The certificates anchoring trace signatures (see :func:`.trace_verify.load_trust_roots`),
    or None (None or False given: the chain is not checked)."""
    if trust_roots is None or trust_roots is False:
        return None
    return load_trust_roots(trust_roots)


def _run(fetch: Any) -> Any:
    from fsspec.asyn import get_loop, sync

    return sync(get_loop(), fetch)


def verify_trace(
    path: str | os.PathLike[str],
    name: str | None = None,
    *,
    trust_roots: Any = None,
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
) -> TraceCheck:
    """Judge the product file at ``path`` against CDSE's signed traces of it.

    ``name``: the product's CDSE name (default: the name the cache index holds for ``path``).
    ``trust_roots``: CA certificates (PEM path, text or bytes, or certificates) the signing
    certificate must be issued by (the emulator's: the file its ``env()`` names
    ``CDSE_TRACE_ROOTS``); None: the chain is not checked, at best ``unanchored``. Returns
    a :class:`TraceCheck` (``verdict`` one of :data:`TRACE_VERDICTS`). A path that is not a
    file, or a name that is not a product name, is an error naming it, before any request.
    """
    context = resolve(endpoints=endpoints, settings=settings)  # a public entry point
    endpoints, settings = context.endpoints, context.settings
    try:
        file = Path(path).expanduser()
        is_file = file.is_file()
    except (TypeError, ValueError, OSError):
        is_file = False
    if not is_file:
        raise ConfigurationError(
            f"path={path!r} is not a file; expected a product file downloaded from CDSE"
        )
    known: dict[str, str] = {}
    if name is None:
        name, known = _from_index(file, settings)
    trace_name(name)  # a bad name fails here, before any request
    roots = trust_roots_of(trust_roots)

    async def check() -> TraceCheck:
        from ..net.http import new_session

        async with new_session(timeout=settings.timeout) as session:
            digest = file_digest(file, known)
            return await check_one(session, endpoints.trace, name, digest, roots, settings.retries)

    return _run(check)


def _from_index(file: Path, settings: Settings) -> tuple[str, dict[str, str]]:
    from ..cache import ProductCache

    cache = ProductCache(settings.cache_dir)
    resolved = file.resolve()
    for entry in cache.entries():
        if Path(entry.path).resolve() == resolved:
            return entry.name, {}
    raise ConfigurationError(
        f"name=None and {str(file)!r} is not in the cache index of {cache.root}; pass name= "
        "(the product's CDSE name, such as 'S2A_MSIL2A_..._20240101T120000.SAFE')"
    )
