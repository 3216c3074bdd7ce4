"""The catalogue's vocabulary as the live service gives it, asked when the shipped one is not
enough (a query it refuses), at most once a day.

STAC ``/collections`` and OData ``/Attributes`` (:func:`cdse_intake.vocabulary.from_service`),
remembered in this process and in ``<cache_dir>/vocabulary/<endpoint digest>.json``, completed by
the shipped snapshot (:func:`cdse_intake.vocabulary.builtin`) with what no API lists. When the
service cannot be asked (offline, refused, a broken answer) the snapshot answers alone: logged,
never an error, and asked again after :data:`RETRY_AFTER` seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

from ..vocabulary import Vocabulary, builtin, from_service

__all__ = ["MAX_AGE", "current", "fetch", "known"]

log = logging.getLogger(__name__)

#: How long an answer of the live service is believed (seconds).
MAX_AGE = 86_400.0
#: How long the snapshot stands in for a service that could not be asked (seconds).
RETRY_AFTER = 300.0

_memo: dict[str, tuple[float, Vocabulary]] = {}
"""Endpoint digest -> (time it expires, vocabulary)."""
_memo_lock = threading.Lock()


def _key(stac_url: str, odata_url: str) -> str:
    return hashlib.sha256(f"{stac_url}\n{odata_url}".encode()).hexdigest()[:16]


def _remembered(key: str, cache_dir: Path | None) -> Vocabulary | None:
    """The answer kept in this process, else in ``cache_dir`` (then kept in this process)."""
    with _memo_lock:
        memo = _memo.get(key)
        if memo is not None and time.time() < memo[0]:
            return memo[1]
    kept = _load(cache_dir, key)
    if kept is not None:
        with _memo_lock:
            _memo[key] = (time.time() + MAX_AGE, kept)
    return kept


def known(stac_url: str, odata_url: str, cache_dir: Path | None) -> Vocabulary:
    """What is known without asking: the service's answer kept in this process or in
    ``cache_dir`` (younger than :data:`MAX_AGE`), else the shipped snapshot."""
    return _remembered(_key(stac_url, odata_url), cache_dir) or builtin()


def current(
    stac_url: str, odata_url: str, cache_dir: Path | None, timeout: float = 30.0
) -> Vocabulary:
    """The vocabulary of the service at these roots: asked at most once a day (in this process
    and in ``cache_dir``), completed by the snapshot; the snapshot alone when it cannot be
    asked (logged, never an error: the check then uses what was shipped)."""
    key = _key(stac_url, odata_url)
    found = _remembered(key, cache_dir)
    if found is not None:
        return found
    expires = time.time() + MAX_AGE
    try:
        live = fetch(stac_url, odata_url, timeout)
    except Exception as err:  # offline, refused, broken: the shipped snapshot answers
        log.info("the catalogue's vocabulary could not be read (%s); using the snapshot", err)
        found, expires = builtin(), time.time() + RETRY_AFTER
    else:
        _save(cache_dir, key, live)
        found = live.merged(builtin())
    with _memo_lock:
        _memo[key] = (expires, found)
    return found


def fetch(stac_url: str, odata_url: str, timeout: float = 30.0) -> Vocabulary:
    """Ask the service: STAC ``/collections`` and OData ``/Attributes``."""
    from fsspec.asyn import get_loop, sync

    async def both() -> tuple[Any, Any]:
        from ..net.http import get_json, new_session

        async with new_session(timeout=timeout) as session:
            stac = await get_json(session, stac_url.rstrip("/") + "/collections")
            odata = await get_json(session, odata_url.rstrip("/") + "/Attributes")
            return stac, odata

    stac, odata = sync(get_loop(), both, timeout=timeout * 3)
    return from_service(stac, odata, source=stac_url)


def _load(cache_dir: Path | None, key: str) -> Vocabulary | None:
    if cache_dir is None:
        return None
    path = cache_dir / "vocabulary" / f"{key}.json"
    try:
        if time.time() - path.stat().st_mtime > MAX_AGE:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return Vocabulary.from_dict(data, data.get("source", "cache")).merged(builtin())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _save(cache_dir: Path | None, key: str, vocabulary: Vocabulary) -> None:
    if cache_dir is None:
        return
    folder = cache_dir / "vocabulary"
    temporary = folder / f".{key}.json.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = {**vocabulary.to_dict(), "source": vocabulary.source}
        temporary.write_text(json.dumps(data), encoding="utf-8")
        temporary.replace(folder / f"{key}.json")
    except OSError as err:  # a read-only cache: asked again next process
        log.info("cannot keep the catalogue's vocabulary in %s: %s", folder, err)
