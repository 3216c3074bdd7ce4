"""A finished CLMS task's result: the zip fetched once, resumably, verified, unpacked safely.

The result link (``DownloadURL``) is public: it is fetched without any Authorization header.
The bytes go to ``<name>.zip.part`` (:class:`~cdse_intake.downloads.partfile.PartFile`: its
sidecar, resume by ``Range``, no symlink followed), are checked against ``FileSize`` and the
zip's own CRCs (``testzip``), and only then renamed to ``<name>.zip``. The members are unpacked
into a temporary folder beside it (names checked: nothing outside the folder, no symlink or
device, bounded in count and size), moved into place, and the list of files is written last
(``.clms-result.json``): its presence means the result is complete, so a second call returns
the files without a request. A link that answers 404, 410 or 403 has expired (CLMS keeps
results 72 hours): :class:`~cdse_intake.errors.CLMSResultExpired`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from ..cache.safety import check_member
from ..downloads.partfile import Expected, PartFile, fsync_dir
from ..errors import (
    ChecksumMismatch,
    CLMSResultExpired,
    DownloadError,
    ServiceError,
    UnsafePathError,
)
from ..net.http import MAX_ERROR_BYTES, read_bounded, with_retries
from ._http import CLMSSession, clms_error

__all__ = ["MARKER", "fetch_result", "kept_result"]

MARKER = ".clms-result.json"
#: Most members and bytes unpacked from one result (a zip bomb is refused, not unpacked).
MAX_MEMBERS = 100_000
MAX_UNPACKED = 1 << 40
#: Most times the uncompressed size may exceed the zip's (a real raster zip is under 20x).
MAX_RATIO = 1000
CHUNK = 1 << 20


def kept_result(folder: Path) -> list[Path] | None:
    """The files of a complete result in ``folder`` (None: not complete, or a file is gone)."""
    try:
        listing = json.loads((folder / MARKER).read_text("utf-8"))
        files = [folder / name for name in listing["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return files if all(p.is_file() for p in files) else None


def _zip_name(url: str, task_id: str) -> str:
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    try:
        check_member(name)
    except UnsafePathError:
        name = ""
    if not name or name.startswith(".") or "/" in name:
        name = f"{task_id}.zip"
    return name if name.lower().endswith(".zip") else f"{name}.zip"


async def fetch_result(
    session: CLMSSession, task_id: str, url: str, size: int | None, folder: Path
) -> list[Path]:
    """The files of task ``task_id``'s result at ``url`` (``size``: its ``FileSize``), into
    ``folder``: the zip first (resumed, verified), then its members."""
    kept = kept_result(folder)
    if kept is not None:
        return kept
    final = folder / _zip_name(url, task_id)
    if not final.is_file():
        expected = Expected(str(task_id), size, "size", "" if size is None else str(size))
        part = PartFile(final, expected)

        async def attempt() -> None:
            await _transfer(session, url, part, task_id)

        try:
            await part.open()
            await with_retries(
                attempt, retries=session.context.settings.retries, what=f"CLMS result {task_id}"
            )
            await part.verify()
            await part.commit()
        except Exception as err:
            if isinstance(err, CLMSResultExpired | UnsafePathError | ChecksumMismatch):
                part.discard()  # nothing worth resuming
            else:
                part.close()  # kept, with its sidecar, for the next call
            raise
    return unpack(final, folder)


async def _transfer(session: CLMSSession, url: str, part: PartFile, task_id: str) -> None:
    """One GET of the result from ``part.length`` on (``Range``), appended to ``part``."""
    headers = {"Range": f"bytes={part.length}-"} if part.length else {}
    # A public link: no Authorization header, whatever host it is on.
    async with session.session.get(url, headers=headers, allow_redirects=True) as resp:
        if resp.status in (403, 404, 410):
            raise CLMSResultExpired(
                f"the result of CLMS task {task_id} is no longer served (HTTP {resp.status}): "
                "CLMS keeps results for 72 hours. Request it again: cdse_intake.clms.request("
                "..., resubmit=True)",
                status=resp.status,
                task_id=str(task_id),
                url=url.split("?")[0],
            )
        if resp.status == 416 and part.length:
            await part.restart()
            raise DownloadError(f"CLMS result {task_id}: range refused; restarting")
        if resp.status >= 400:
            raw = await read_bounded(resp, MAX_ERROR_BYTES, truncate=True)
            raise clms_error(resp.status, raw.decode("utf-8", "replace"), url, resp.headers)
        if part.length and resp.status != 206:
            await part.restart()  # the server sent it all again
        limit = part.expected.size
        async for chunk in resp.content.iter_chunked(CHUNK):
            if limit is not None and part.length + len(chunk) > limit:
                raise DownloadError(
                    f"CLMS result {task_id} is longer than its FileSize {limit}: refused"
                )
            await part.write(chunk)
        await part.drain()
        if limit is not None and part.length < limit:
            raise ServiceError(  # retried: resumes where it stopped
                f"CLMS result {task_id} stopped at {part.length} of {limit} bytes"
            )


def unpack(archive: Path, folder: Path) -> list[Path]:
    """Unpack ``archive`` into ``folder`` safely; the list of files (written last)."""
    staging = folder / f".unpacking-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        names = _extract(archive, staging)
        for top in sorted({n.split("/", 1)[0] for n in names}):
            target = folder / top
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif target.exists() or target.is_symlink():
                target.unlink()
            os.replace(staging / top, target)
        fsync_dir(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    files = [archive.name, *names]
    tmp = folder / f"{MARKER}.tmp"
    tmp.write_text(json.dumps({"files": files, "zip": archive.name}, indent=1), "utf-8")
    os.replace(tmp, folder / MARKER)
    return [folder / n for n in files]


def _extract(archive: Path, staging: Path) -> list[str]:
    """Every regular member of ``archive`` written under ``staging``; their names."""
    import stat

    names: list[str] = []
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UnsafePathError(f"{archive.name} has {len(infos)} members; at most {MAX_MEMBERS}")
        total = sum(i.file_size for i in infos)
        bound = min(MAX_UNPACKED, max(archive.stat().st_size, 1 << 20) * MAX_RATIO)
        if total > bound:
            raise UnsafePathError(
                f"{archive.name} would unpack to {total} bytes, more than the {bound} accepted"
            )
        for info in infos:
            check_member(info.filename)
            kind = stat.S_IFMT(info.external_attr >> 16)
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise UnsafePathError(
                    f"unsafe member {info.filename!r} in {archive.name}: not a regular file"
                )
            if info.is_dir():
                continue
            target = staging.joinpath(*info.filename.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            with zf.open(info) as src, _new_file(target) as out:
                while block := src.read(CHUNK):
                    written += len(block)
                    if written > info.file_size:
                        raise UnsafePathError(f"{info.filename!r} is longer than it declares")
                    out.write(block)
            names.append(info.filename)
    return names


def _new_file(path: Path) -> Any:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    return os.fdopen(os.open(path, flags, 0o644), "wb")


def forget_result(folder: Path) -> None:
    """Remove a result folder (a task cancelled or resubmitted)."""
    with contextlib.suppress(OSError):
        shutil.rmtree(folder)
