"""Single-object products from CDSE's ``eodata`` bucket (``reference/cdse-api.md`` §1.8, §6).

``via="s3"`` fetches a product stored as ONE object (``.nc``, ``.EOF``, ``.tif``, the AUX
``.SAFE.zip``) from ``s3://eodata/<S3Path minus /eodata/>`` with the account's S3 keys: the object
is exactly what ``$value`` delivers, so CDSE's checksum verifies it, and a ``.part`` resumes with a
ranged GET. Folder products (``.SAFE``, ``.SEN3``, ``.zarr``: a prefix of many objects on S3) are
fetched over HTTPS instead: CDSE publishes checksums only for the zip ``$value`` makes of them,
and a zip assembled locally from the objects could never be checked against those.

The client is aiobotocore, the engine of s3fs, used directly so that the downloader's own retry
policy (not botocore's) applies. It shares the account's connection budget with HTTPS: CDSE's
limit of 4 concurrent connections covers both (§6).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import (
    AuthenticationError,
    CDSEError,
    DownloadError,
    ProductNotFound,
    RateLimited,
    ServiceError,
)
from ..net.aws import thread_session
from ..product import Product, is_single_file_name
from .accounts import Account
from .partfile import CHUNK, PartFile
from .retry import (
    Limits,
    Restart,
    Stats,
    Truncated,
    check_declared,
    check_more,
    rate_guard,
    transfer_verified,
)

__all__ = ["BUCKET", "S3Source", "is_single_object", "s3_key"]

BUCKET = "eodata"
REGION = "default"  # §6: CDSE's region name
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


def is_single_object(product: Product) -> bool:
    """Whether CDSE stores the product as one S3 object (not a folder prefix)."""
    return is_single_file_name(product.name)


def s3_key(product: Product) -> str:
    """The object key: ``S3Path`` without ``/eodata/`` (§1.8)."""
    path = product.s3_path or ""
    if not path.startswith(f"/{BUCKET}/") or ".." in path.split("/"):
        raise DownloadError(
            f"{product.name}: S3Path {product.s3_path!r} is not a key of the {BUCKET} bucket; "
            f"expected '/{BUCKET}/...'"
        )
    return path[len(BUCKET) + 2 :]


def _error(err: Any, key: str) -> CDSEError:
    """A botocore ClientError as the matching CDSEError."""
    info = getattr(err, "response", {}) or {}
    code = str(info.get("Error", {}).get("Code", ""))
    status = info.get("ResponseMetadata", {}).get("HTTPStatusCode")
    message = f"S3 {code or status} for s3://{BUCKET}/{key}"
    kwargs = {"status": status, "code": code or None, "url": f"s3://{BUCKET}/{key}"}
    if code in ("NoSuchKey", "404", "NotFound"):
        return ProductNotFound(message, **kwargs)
    if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
        return AuthenticationError(f"{message}: check the S3 keys", **kwargs)
    if code in ("InvalidRange", "416"):
        return Restart(message, **kwargs)
    if code == "SlowDown" or status == 429:
        return RateLimited(message, **kwargs)
    return ServiceError(message, **kwargs)


class S3Source:
    """The ``eodata`` bucket with one pair of S3 keys; an async context manager."""

    def __init__(self, endpoint: str, keys: Any, timeout: float = 60.0, tokens: Any = None) -> None:
        self.endpoint = endpoint
        self.keys = keys
        self.timeout = timeout
        self.tokens = tokens  # keys is None: temporary keys made with this account's token
        self._creator: Any = None
        self.client: Any = None

    @property
    def account(self) -> str:
        """The budget's account name when no CDSE username is known."""
        return f"s3:{self.keys.access_key}"

    @classmethod
    def resolve(cls, endpoint: str, timeout: float, tokens: Any = None) -> S3Source:
        """Keys from the environment; else, with a CDSE login (``tokens``), temporary keys made
        through the S3 keys manager when the run starts (AuthenticationError when neither)."""
        from ..auth import S3Keys
        from ..errors import CredentialsMissing

        try:
            return cls(endpoint, S3Keys.resolve(), timeout)
        except CredentialsMissing:
            if tokens is None:
                raise
            return cls(endpoint, None, timeout, tokens)

    async def __aenter__(self) -> S3Source:
        from aiobotocore.config import AioConfig

        if self.keys is None:  # the user never copies keys: the process's temporary ones
            from ..auth.temporary_keys import process_s3_keys_async

            self.keys = await process_s3_keys_async(self.tokens)

        config = AioConfig(
            connect_timeout=self.timeout,
            read_timeout=self.timeout,
            retries={"max_attempts": 1},  # the downloader retries, with its own policy
            s3={"addressing_style": "path"},  # §6: path-style
        )
        self._creator = thread_session().create_client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.keys.access_key,
            aws_secret_access_key=self.keys.secret_key,
            config=config,
        )
        self.client = await self._creator.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self._creator is not None:
            await self._creator.__aexit__(None, None, None)
            self._creator = self.client = None

    async def fetch(
        self,
        product: Product,
        account: Account,
        part: PartFile,
        stats: Stats,
        bar: Any,
        retries: int,
        limits: Limits | None = None,
    ) -> str:
        """Download the rest of the object into ``part`` and verify it; returns the digest.

        ``limits`` (default: :class:`~.retry.Limits` with this source's timeout as the rate
        window) bound the time the product may take and the rate it must keep.
        """
        key = s3_key(product)
        chosen = limits or Limits(window=self.timeout or Limits.window)
        return await transfer_verified(
            lambda: self._transfer(key, part, stats, bar, chosen),
            account,
            part,
            stats,
            bar,
            retries,
            chosen,
        )

    async def _first_get(self, request: dict[str, Any], key: str) -> Any:
        """``GetObject``; while temporary keys are fresh, a refusal of the key is S3 still
        installing it (CDSE: "wait ~5 s", §6): retried with growing pauses, not a blind sleep."""
        import asyncio

        import botocore.exceptions

        pause = 0.05
        while True:
            try:
                return await self.client.get_object(**request)
            except botocore.exceptions.ClientError as err:
                mapped = _error(err, key)
                fresh = getattr(self.keys, "fresh", None)
                if not (isinstance(mapped, AuthenticationError) and fresh and fresh()):
                    raise mapped from err
            await asyncio.sleep(pause)
            pause = min(pause * 2, 1.0)

    async def _transfer(
        self, key: str, part: PartFile, stats: Stats, bar: Any, limits: Limits
    ) -> None:
        import botocore.exceptions

        offset = part.length
        request = {"Bucket": BUCKET, "Key": key}
        if offset:
            request["Range"] = f"bytes={offset}-"
        try:
            answer = await self._first_get(request, key)
        except botocore.exceptions.BotoCoreError as err:  # connection, timeout
            raise ServiceError(f"S3 request for s3://{BUCKET}/{key} failed: {err}") from err
        body = answer["Body"]
        size = part.expected.size
        guard = rate_guard(limits, part)
        try:
            match = _CONTENT_RANGE.fullmatch(str(answer.get("ContentRange", "")).strip())
            if match is not None:  # a range: its total (the length is only the range's)
                declared = int(match[3]) if match[3] != "*" else None
            else:
                declared = answer.get("ContentLength")
            check_declared(part, declared, "ContentLength or ContentRange")
            if offset:
                if match is None:
                    await part.restart()  # the whole object came back: start over from it
                    bar.reset(total=size)
                elif int(match[1]) != offset:
                    raise Restart(f"asked for bytes from {offset}, S3 sent from {match[1]}")
            while data := await body.read(CHUNK):
                check_more(part, len(data))  # never write past the expected size
                await part.write(data)
                stats.bytes += len(data)
                bar.update(len(data))
                guard.update(part.length)
        except botocore.exceptions.BotoCoreError as err:
            raise ServiceError(f"S3 read of s3://{BUCKET}/{key} failed: {err}") from err
        finally:
            body.close()
            await part.drain()
        if size is not None and part.length < size:
            raise Truncated(f"the object ended at byte {part.length} of {size}")
