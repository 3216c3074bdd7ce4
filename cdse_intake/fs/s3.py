"""The S3 side of ``cdse://``: CDSE's ``eodata`` bucket through s3fs (cdse-api.md §6).

Bucket ``eodata``, region ``default``, path-style addressing, keys from the S3 keys manager
(:class:`~cdse_intake.auth.S3Keys`). A product's objects sit under its ``S3Path`` without the
leading ``/`` (``eodata/Sentinel-2/…/<Name>.SAFE/…``); folder products are prefixes, single-file
products one object. The zip that ``$value`` delivers does not exist in S3.

Reads are bounded as over HTTPS (:func:`cdse_intake.net.transport.read_bounded`): s3fs reads a
whole ``GetObject`` body, so a server that ignores ``Range`` or sends without end would fill the
memory (``cat_file``) or the disk (``get_file``). Here a read takes at most the bytes it asked
for (the range, or the object's size from the listing) and one connection: more is a final
:class:`~cdse_intake.errors.ServiceError`.
"""

from __future__ import annotations

import asyncio
import functools
import os
import weakref
from typing import Any

from ..auth import S3Keys
from ..errors import ProductNotFound, ServiceError
from ..net.aws import thread_session
from ..product import Product

__all__ = ["new_s3fs", "s3_key"]

#: CDSE's S3 region name (§6); botocore needs one, and CDSE answers to "default".
REGION = "default"


def s3_key(product: Product, inner: tuple[str, ...] = ()) -> str:
    """The s3fs path (``bucket/key``) of ``product`` or of a file inside it."""
    if not product.s3_path:
        raise ProductNotFound(
            f"{product.name} has no S3Path in the catalogue, so it cannot be read through S3; "
            "use via='https'"
        )
    return "/".join((product.s3_path.strip("/"), *inner))


def new_s3fs(keys: S3Keys, endpoint_url: str, owner: Any) -> Any:
    """An asynchronous s3fs filesystem for CDSE, private to ``owner`` and closed with it.

    Call it on the event loop that will use it: its client is closed on that loop.
    """
    fs = _bounded_class()(
        **keys.storage_options(),
        endpoint_url=endpoint_url,
        client_kwargs={"region_name": REGION},
        config_kwargs={"s3": {"addressing_style": "path"}},
        asynchronous=True,
        session=thread_session(),  # its service models loaded once per thread, not per fs
        skip_instance_cache=True,  # it holds the secret: never shared through fsspec's cache
        max_concurrency=1,  # one connection per budget slot (s3fs splits big reads in 10)
    )
    weakref.finalize(owner, _close, fs, asyncio.get_running_loop())
    return fs


async def installed(fs: Any, keys: S3Keys) -> Any:
    """``fs`` once S3 knows its keys: fresh temporary keys (CDSE: "wait ~5 s", §6) are probed
    with ``HeadBucket``, retried with growing pauses while S3 refuses them; others at once."""
    fresh = getattr(keys, "fresh", None)
    pause = 0.05
    while fresh is not None:
        try:
            await fs._call_s3("head_bucket", Bucket=_BUCKET)
            return fs
        except PermissionError:
            if not fresh():
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 1.0)
    return fs


_BUCKET = "eodata"


def _close(fs: Any, loop: asyncio.AbstractEventLoop) -> None:
    # an asynchronous s3fs has no loop of its own to close its client on: use the one it ran on
    creator = getattr(fs, "_s3creator", None)
    if creator is not None:
        type(fs).close_session(loop, creator)


#: Bytes read from a body at a time.
_PIECE = 1 << 20


async def _read_body(resp: dict[str, Any], limit: int, what: str, out: Any = None) -> bytes:
    """The ``GetObject`` body of ``resp``, refused once it passes ``limit`` bytes; short is an
    error too. With ``out`` (a file and a callback), the bytes go there instead."""
    status = resp.get("ResponseMetadata", {}).get("HTTPStatusCode")
    body = resp["Body"]
    try:
        declared = resp.get("ContentLength")
        if declared is not None and declared > limit:
            raise ServiceError(
                f"{what}: the server announced {declared} bytes, more than the {limit} bytes "
                "expected",
                status=status,
            )
        parts: list[bytes] = []
        held = 0
        while piece := await body.read(min(_PIECE, limit - held + 1)):
            held += len(piece)
            if held > limit:
                raise ServiceError(
                    f"{what}: the server sent more than the {limit} bytes expected", status=status
                )
            if out is None:
                parts.append(piece)
            else:
                out[0].write(piece)
                out[1].relative_update(len(piece))
        if held < limit:
            raise ServiceError(f"{what}: short read, {held} of {limit} bytes")
        return b"".join(parts)
    finally:
        body.close()  # the rest is never read: the connection goes


@functools.cache
def _bounded_class() -> type:
    """s3fs's filesystem with reads bounded by what they expect (s3fs is imported here: heavy)."""
    import s3fs
    from fsspec.callbacks import DEFAULT_CALLBACK
    from s3fs.core import _error_wrapper  # s3fs's retries of a request and its read

    class BoundedS3FileSystem(s3fs.S3FileSystem):
        """Reads take at most the range asked for, or the object's size from its listing."""

        async def _get_object(self, path: str, version_id: Any, range_: str | None) -> Any:
            bucket, key, vers = self.split_path(path)
            kw: dict[str, Any] = {"Range": range_} if range_ else {}
            if version_id or vers:
                kw["VersionId"] = version_id or vers
            return await self._call_s3("get_object", Bucket=bucket, Key=key, **kw)

        async def _cat_file(
            self,
            path: str,
            version_id: Any = None,
            start: int | None = None,
            end: int | None = None,
            **kwargs: Any,
        ) -> bytes:
            if start is None or end is None or start < 0 or end < 0:
                size = (await self._info(path, version_id=version_id))["size"]
                start = 0 if start is None else (max(0, size + start) if start < 0 else start)
                end = size if end is None else (max(0, size + end) if end < 0 else end)
            if start >= end:
                return b""

            async def attempt() -> bytes:
                resp = await self._get_object(path, version_id, f"bytes={start}-{end - 1}")
                return await _read_body(resp, end - start, path)

            return await _error_wrapper(attempt, retries=self.retries)

        async def _get_file(
            self,
            rpath: str,
            lpath: str,
            callback: Any = DEFAULT_CALLBACK,
            version_id: Any = None,
            **kwargs: Any,
        ) -> None:
            if os.path.isdir(lpath):
                return
            size = (await self._info(rpath, version_id=version_id))["size"]
            callback.set_size(size)

            async def attempt() -> None:
                resp = await self._get_object(rpath, version_id, None)
                with open(lpath, "wb") as out:  # a retry starts the file again
                    await _read_body(resp, size, rpath, (out, callback))

            await _error_wrapper(attempt, retries=self.retries)

    return BoundedS3FileSystem
