"""The S3 request handler: authentication, the read operations, and a refusal for anything else.

Served operations (path-style ``/<bucket>/<key>``, ``reference/cdse-api.md`` §6): GetObject and
HeadObject (``Range``, conditional headers, ``response-*`` overrides), GetObjectAttributes,
ListObjectsV2 and ListObjects, HeadBucket, GetBucketLocation and ListBuckets. Every request must
be signed with the account's keys (an anonymous one gets 403 AccessDenied); the keys are
read-only, so any other method or sub-resource gets 403 AccessDenied too.

Looking a key up may build its product (up to a second or two): lookups, listings and MD5s run
on the server's worker threads, not on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import parse_qsl, unquote

from aiohttp import web

from ..download.ranges import Unsatisfiable, parse_range
from ..download.stream import BodyPlan, send_body
from ..http import REQUEST_ID, USER
from . import sigv4
from .errors import (
    XMLNS,
    S3Error,
    access_denied,
    error_response,
    new_request_id,
    no_such_bucket,
    no_such_key,
    xml_document,
)
from .listing import ListRequest, iso_time, list_page, render
from .store import BUCKET, REGION, Index, S3Object

if TYPE_CHECKING:
    from ..state import EmulatorState

__all__ = ["S3Service"]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Sub-resources of a GET that the read-only keys may not read (ACLs, policies, tags ...).
_DENIED = frozenset((
    "acl", "policy", "policyStatus", "tagging", "cors", "lifecycle", "website", "logging",
    "notification", "replication", "encryption", "uploads", "uploadId", "versions", "versioning",
    "object-lock", "ownershipControls", "publicAccessBlock", "accelerate", "requestPayment",
    "analytics", "inventory", "metrics", "intelligent-tiering", "torrent", "retention",
    "legal-hold", "restore", "select",
))  # fmt: skip
_OVERRIDES = ("content-type", "content-language", "expires", "cache-control", "content-disposition",
              "content-encoding")  # fmt: skip
_HEX64 = re.compile(r"[0-9a-f]{64}")
_CREATED = datetime(2023, 1, 1, tzinfo=UTC)


class S3Service:
    """Answers S3 requests from an :class:`~.store.Index` with the given keys."""

    def __init__(
        self,
        index: Index,
        keys: Mapping[str, str],
        executor: Executor | None,
        state: EmulatorState | None = None,
    ) -> None:
        self.index = index
        self.keys = keys
        self.executor = executor
        self.state = state

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Every request: authenticate, then dispatch by path and method."""
        rid = request[REQUEST_ID] = new_request_id()
        raw_path = request.raw_path.partition("?")[0]
        try:
            user = await self._authenticate(request)
            request[USER] = user
            if request.method not in ("GET", "HEAD"):
                raise access_denied()  # read-only keys (§6)
            response = await self._dispatch(request, unquote(raw_path))
        except S3Error as err:
            response = error_response(
                err, request_id=rid, resource=unquote(raw_path), head=request.method == "HEAD"
            )
        except Exception:
            log.exception("S3 emulator error on %s %s", request.method, raw_path)
            err = S3Error(
                500, "InternalError", "We encountered an internal error. Please try again."
            )
            response = error_response(err, request_id=rid, resource=unquote(raw_path))
        if not response.prepared:
            response.headers.setdefault("x-amz-request-id", rid)
        return response

    # -- authentication --------------------------------------------------------------------------
    async def _authenticate(self, request: web.Request) -> str:
        headers: dict[str, list[str]] = {}
        for name, value in request.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        declared = headers.get("x-amz-content-sha256", [None])[0]
        body_sha256 = sigv4.EMPTY_SHA256
        # Without the header the signature covers the body's hash (a write's body is not read:
        # it is refused anyway).
        if request.body_exists and declared is None and (request.content_length or 0) <= 1 << 20:
            body_sha256 = hashlib.sha256(await request.read()).hexdigest()
        path, _, query = request.raw_path.partition("?")
        signed = sigv4.Request(request.method, path, query, headers, body_sha256)
        user = sigv4.authenticate(signed, self._secret_for)
        if user is None:
            raise access_denied()  # CDSE's store has no anonymous access (§6)
        bodyless = not request.body_exists
        if bodyless and declared and _HEX64.fullmatch(declared) and declared != body_sha256:
            raise S3Error(
                400,
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
                ClientComputedContentSHA256=declared,
                S3ComputedContentSHA256=body_sha256,
            )
        return user

    def _secret_for(self, access_key: str) -> str | None:
        """The account's own keys, or a temporary key of the keys manager once installed."""
        secret = self.keys.get(access_key)
        store = self.state.temporary_keys if self.state is not None else None
        if secret is None and store is not None:
            secret = store.secret_for(access_key)
        return secret

    # -- dispatch --------------------------------------------------------------------------------
    async def _dispatch(self, request: web.Request, path: str) -> web.StreamResponse:
        bucket, _, key = path.lstrip("/").partition("/")
        raw_query = request.raw_path.partition("?")[2]
        query = dict(parse_qsl(raw_query, keep_blank_values=True))
        head = request.method == "HEAD"
        if _DENIED & query.keys():
            raise access_denied()
        if not bucket:
            if head:
                raise access_denied()
            return _xml(_list_buckets(request.get(USER, "")))
        if bucket != BUCKET:
            raise no_such_bucket(bucket)
        if key:
            if "attributes" in query and not head:
                return await self._attributes(request, key)
            return await self._object(request, key, query)
        if head:
            return web.Response(headers={"x-amz-bucket-region": REGION})
        if "location" in query:
            return _xml(f'<LocationConstraint xmlns="{XMLNS}">{REGION}</LocationConstraint>')
        listing = ListRequest.parse(query)
        body = await self._run(lambda: render(self.index, listing, list_page(self.index, listing)))
        return web.Response(body=body, content_type="application/xml")

    async def _run(self, work: Callable[[], T]) -> T:
        """``work()`` on a worker thread (it may build products)."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, work)

    async def _find(self, key: str) -> tuple[S3Object, str]:
        """The object at ``key`` and its MD5, or NoSuchKey."""

        def work() -> tuple[S3Object, str] | None:
            obj = self.index.find(key)
            return (obj, self.index.etag(obj)) if obj is not None else None

        found = await self._run(work)
        if found is None:
            raise no_such_key(key)
        return found

    # -- objects ---------------------------------------------------------------------------------
    async def _object(
        self, request: web.Request, key: str, query: Mapping[str, str]
    ) -> web.StreamResponse:
        obj, md5 = await self._find(key)
        etag = f'"{md5}"'
        modified = obj.last_modified.astimezone(UTC).replace(microsecond=0)
        headers = {
            "ETag": etag,
            "Last-Modified": format_datetime(modified, usegmt=True),
            "Accept-Ranges": "bytes",
        }
        if (status := _precondition(request, etag, modified)) == 304:
            return web.Response(status=304, headers=headers)
        if status == 412:
            err = S3Error(412, "PreconditionFailed",
                          "At least one of the pre-conditions you specified did not hold",
                          Condition="If-Match" if "If-Match" in request.headers
                          else "If-Unmodified-Since")  # fmt: skip
            raise err
        size = obj.size
        requested = request.headers.get("Range")
        try:
            span = parse_range(requested, size)
        except Unsatisfiable:
            err = S3Error(416, "InvalidRange", "The requested range is not satisfiable",
                          RangeRequested=requested or "", ActualObjectSize=size)  # fmt: skip
            err.headers["Content-Range"] = f"bytes */{size}"
            raise err from None
        start, stop = span if span is not None else (0, size)
        response = web.StreamResponse(status=200 if span is None else 206, headers=headers)
        if span is not None:
            response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
        response.content_type = "binary/octet-stream"  # what S3 stores without a declared type
        for name in _OVERRIDES:
            if (value := query.get(f"response-{name}")) is not None:
                response.headers[name] = value
        response.content_length = stop - start
        response.headers["x-amz-request-id"] = request[REQUEST_ID]
        await response.prepare(request)
        if request.method == "GET":
            rate = self.state.throttle if self.state is not None else None
            try:
                await send_body(request, response, obj.data[start:stop], BodyPlan(rate=rate))
            except ConnectionResetError:
                return response  # the client went away
        await response.write_eof()
        return response

    async def _attributes(self, request: web.Request, key: str) -> web.Response:
        obj, md5 = await self._find(key)
        wanted = {a.strip() for a in request.headers.get("x-amz-object-attributes", "").split(",")}
        parts = [f'<GetObjectAttributesResponse xmlns="{XMLNS}">']
        if "ETag" in wanted:
            parts.append(f"<ETag>{md5}</ETag>")
        if "StorageClass" in wanted:
            parts.append("<StorageClass>STANDARD</StorageClass>")
        if "ObjectSize" in wanted:
            parts.append(f"<ObjectSize>{obj.size}</ObjectSize>")
        parts.append("</GetObjectAttributesResponse>")
        modified = format_datetime(obj.last_modified.astimezone(UTC), usegmt=True)
        return _xml("".join(parts), {"Last-Modified": modified})


def _xml(body: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=xml_document(body), content_type="application/xml", headers=headers)


def _list_buckets(owner: str) -> str:
    return (
        f'<ListAllMyBucketsResult xmlns="{XMLNS}"><Owner><ID>{owner}</ID>'
        f"<DisplayName>{owner}</DisplayName></Owner><Buckets><Bucket><Name>{BUCKET}</Name>"
        f"<CreationDate>{iso_time(_CREATED)}</CreationDate></Bucket></Buckets>"
        "</ListAllMyBucketsResult>"
    )


def _precondition(request: web.Request, etag: str, modified: datetime) -> int | None:
    """304 or 412 if a conditional header says so (S3's precedence between them), else None."""
    headers = request.headers

    def since(name: str) -> datetime | None:
        try:
            return parsedate_to_datetime(headers[name]) if name in headers else None
        except (TypeError, ValueError):
            return None  # an unreadable date is ignored, as HTTP says

    def matches(name: str) -> bool:
        tags = {t.strip() for t in headers[name].split(",")}
        return "*" in tags or etag in tags or etag.strip('"') in tags

    if "If-Match" in headers:
        if not matches("If-Match"):
            return 412
    elif (unmodified := since("If-Unmodified-Since")) is not None and modified > unmodified:
        return 412
    if "If-None-Match" in headers:
        if matches("If-None-Match"):
            return 304
    elif (changed := since("If-Modified-Since")) is not None and modified <= changed:
        return 304
    return None
