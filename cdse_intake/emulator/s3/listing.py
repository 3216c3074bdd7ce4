"""ListObjectsV2 and the legacy ListObjects (v1): pages of keys, built from the catalogue.

A page walks the products in key order (see :mod:`.store`) from the start key on. With a
delimiter, a product whose ``S3Path`` already holds the delimiter below the prefix becomes a
common prefix without being built, and the products under that prefix are skipped at once; any
other product is built to read its keys. Without a delimiter, products are built one after the
other until the page holds ``max-keys`` items: whether more follow is told by the next product's
existence, without building it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote_plus
from xml.sax.saxutils import escape

from .errors import XMLNS, S3Error, invalid_argument, xml_document
from .store import BUCKET, Index, S3Object, end_of, first_at

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["MAX_KEYS", "ListRequest", "Page", "list_page", "render"]

#: The most keys S3 returns in one page (more is capped to this).
MAX_KEYS = 1000
OWNER_ID = "cdse-emulator"


@dataclass(frozen=True)
class ListRequest:
    """The parameters of one ListObjects call; ``after``: the exclusive start key."""

    v2: bool
    prefix: str = ""
    delimiter: str = ""
    max_keys: int = MAX_KEYS
    encoding: str | None = None
    start_after: str = ""
    token: str | None = None
    marker: str = ""
    fetch_owner: bool = False

    @property
    def after(self) -> str:
        if self.v2:
            return _decode_token(self.token) if self.token is not None else self.start_after
        return self.marker

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> ListRequest:
        """From the query string (``list-type=2`` selects v2); raises :class:`S3Error`."""
        raw = query.get("max-keys", str(MAX_KEYS))
        if not raw.isdigit():
            raise invalid_argument("Provided max-keys not an integer or within integer range",
                                   "max-keys", raw)  # fmt: skip
        encoding = query.get("encoding-type")
        if encoding is not None and encoding != "url":
            raise invalid_argument("Invalid Encoding Method specified in Request",
                                   "encoding-type", encoding)  # fmt: skip
        request = cls(
            v2=query.get("list-type") == "2",
            prefix=query.get("prefix", ""),
            delimiter=query.get("delimiter", ""),
            max_keys=min(int(raw), MAX_KEYS),
            encoding=encoding,
            start_after=query.get("start-after", ""),
            token=query.get("continuation-token"),
            marker=query.get("marker", ""),
            fetch_owner=query.get("fetch-owner") == "true",
        )
        _ = request.after  # a bad continuation token fails now
        return request


@dataclass
class Page:
    """One page: objects and common prefixes (in key order together), and whether more follow."""

    contents: list[S3Object] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    last: str | None = None
    """The last key or common prefix of the page (where the next page starts)."""

    @property
    def count(self) -> int:
        return len(self.contents) + len(self.prefixes)


def list_page(index: Index, request: ListRequest) -> Page:
    """The page ``request`` asks for (building only the products whose keys it shows)."""
    snapshot = index.snapshot()
    keys, entries = snapshot.keys, snapshot.entries
    prefix, delimiter, after, limit = (
        request.prefix, request.delimiter, request.after, request.max_keys
    )  # fmt: skip
    page = Page()
    at = first_at(keys, max(after, prefix))
    while at < len(keys):
        sort_key, entry = keys[at], entries[at]
        below = sort_key.startswith(prefix)
        if not below and not prefix.startswith(sort_key):
            if sort_key > prefix:
                break  # past the prefix: no more keys
            at += 1
            continue
        if not entry.online:
            at += 1
            continue
        cut = sort_key.find(delimiter, len(prefix)) if delimiter and below else -1
        if cut >= 0:  # the whole product rolls up into one common prefix: no need to build it
            common = sort_key[: cut + len(delimiter)]
            if common != after:
                if page.count >= limit:
                    page.truncated = True
                    break
                page.prefixes.append(common)
                page.last = common
            at = end_of(keys, common, at)
            continue
        if page.count >= limit and below and sort_key > after:
            page.truncated = True  # this product's keys come next
            break
        if _add_objects(index, entry, request, page):
            break
        at += 1
    return page


def _add_objects(index: Index, entry: Entry, request: ListRequest, page: Page) -> bool:
    """Add one (built) product's keys to ``page``; True once the page is full and more follow."""
    prefix, delimiter, after = request.prefix, request.delimiter, request.after
    for obj in index.product_objects(entry):
        key = obj.key
        if key <= after or not key.startswith(prefix):
            continue
        cut = key.find(delimiter, len(prefix)) if delimiter else -1
        common = key[: cut + len(delimiter)] if cut >= 0 else None
        if common is not None and common in (after, page.last):
            continue
        if page.count >= request.max_keys:
            page.truncated = True
            return True
        if common is not None:
            page.prefixes.append(common)
        else:
            page.contents.append(obj)
        page.last = common or key
    return False


# -- the XML reply ---------------------------------------------------------------------------------
def render(index: Index, request: ListRequest, page: Page) -> bytes:
    """The ``ListBucketResult`` document of ``page`` (v1 or v2, as asked)."""

    def text(value: str) -> str:
        """A key-like value, URL-encoded if the client asked for ``encoding-type=url``."""
        return escape(quote_plus(value, safe="/") if request.encoding else value)

    out = [f'<ListBucketResult xmlns="{XMLNS}">', f"<Name>{BUCKET}</Name>"]
    out.append(f"<Prefix>{text(request.prefix)}</Prefix>")
    if request.v2:
        if request.token is not None:
            out.append(f"<ContinuationToken>{escape(request.token)}</ContinuationToken>")
        if request.start_after:
            out.append(f"<StartAfter>{text(request.start_after)}</StartAfter>")
        out.append(f"<KeyCount>{page.count}</KeyCount>")
    else:
        out.append(f"<Marker>{text(request.marker)}</Marker>")
    out.append(f"<MaxKeys>{request.max_keys}</MaxKeys>")
    if request.delimiter:
        out.append(f"<Delimiter>{text(request.delimiter)}</Delimiter>")
    if request.encoding:
        out.append(f"<EncodingType>{request.encoding}</EncodingType>")
    out.append(f"<IsTruncated>{'true' if page.truncated else 'false'}</IsTruncated>")
    if page.truncated and page.last is not None:
        if request.v2:
            out.append(f"<NextContinuationToken>{_token(page.last)}</NextContinuationToken>")
        else:
            out.append(f"<NextMarker>{text(page.last)}</NextMarker>")
    owner = not request.v2 or request.fetch_owner
    for obj in page.contents:
        out.append(
            f"<Contents><Key>{text(obj.key)}</Key>"
            f"<LastModified>{iso_time(obj.last_modified)}</LastModified>"
            f"<ETag>&quot;{index.etag(obj)}&quot;</ETag><Size>{obj.size}</Size>"
            + (f"<Owner><ID>{OWNER_ID}</ID><DisplayName>{OWNER_ID}</DisplayName></Owner>"
               if owner else "")
            + "<StorageClass>STANDARD</StorageClass></Contents>"
        )  # fmt: skip
    out += [f"<CommonPrefixes><Prefix>{text(p)}</Prefix></CommonPrefixes>" for p in page.prefixes]
    out.append("</ListBucketResult>")
    return xml_document("".join(out))


def iso_time(value: datetime) -> str:
    """S3's listing time format: ``2024-03-01T10:30:00.000Z``."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _token(last: str) -> str:
    """An opaque continuation token: where the next page starts."""
    return base64.urlsafe_b64encode(last.encode()).decode()


def _decode_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise S3Error(
            400,
            "InvalidArgument",
            "The continuation token provided is incorrect",
            ArgumentName="continuation-token",
            ArgumentValue=token,
        ) from None
