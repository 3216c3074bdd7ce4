"""CDSE's Subscriptions service (``/odata/v1/Subscriptions``, DOC-Subscriptions): the calls.

Every endpoint needs the bearer token. A subscription carries an OData ``$filter``
(``FilterParam``: the same grammar as a search) and is PULL (notifications queued, read with
``Read?$top=`` -- 1 by default, 20 at most -- and removed with ``Ack?$ackid=``, an AckId
acknowledging every notification before it too) or PUSH (POSTed to ``NotificationEndpoint``
with the endpoint's own credentials, retried three times). A user has at most 1 running and 10
running-or-paused subscriptions. Not documented: the status and wording of the limit errors,
so any refusal whose message speaks of a maximum or limit of subscriptions becomes
:class:`SubscriptionLimitError` naming the documented limit. Redirects are not followed: no
Subscriptions answer is documented to redirect, and following one could carry the token away.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..auth import TokenProvider
from ..config import Endpoints
from ..errors import CDSEError, QueryError
from ..net.http import error_from_response, read_bounded, read_error_body, with_retries
from ..net.transport import Transport

__all__ = [
    "MAX_RUNNING",
    "MAX_TOTAL",
    "READ_MAX",
    "Notification",
    "SubscriptionInfo",
    "SubscriptionLimitError",
    "SubscriptionService",
]

MAX_RUNNING = 1
MAX_TOTAL = 10
READ_MAX = 20
#: Answers of this service are small (a list of at most 10 subscriptions, or 20 notifications
#: with their product records): more is refused.
MAX_BYTES = 16 * 2**20
_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_LIMIT = re.compile(r"\b(maximum|limit)\b", re.IGNORECASE)


class SubscriptionLimitError(CDSEError, RuntimeError):
    """CDSE refused a subscription: the user's limit of running (1) or total (10) is reached."""


@dataclass(frozen=True)
class SubscriptionInfo:
    """One subscription as CDSE describes it (the endpoint's credentials are never returned)."""

    id: str
    filter: str
    status: str
    endpoint: str | None = None
    submitted: str | None = None
    last_notification: str | None = None
    events: tuple[str, ...] = ("created",)

    @property
    def mode(self) -> str:
        """``push`` when notifications go to an endpoint, else ``pull``."""
        return "push" if self.endpoint else "pull"

    @classmethod
    def from_json(cls, body: Any) -> SubscriptionInfo:
        if not isinstance(body, Mapping) or not isinstance(body.get("Id"), str):
            raise CDSEError(f"not a subscription record: {str(body)[:200]!r}")
        return cls(
            id=body["Id"],
            filter=str(body.get("FilterParam") or ""),
            status=str(body.get("Status") or ""),
            endpoint=body.get("NotificationEndpoint") or None,
            submitted=body.get("SubmissionDate"),
            last_notification=body.get("LastNotificationDate"),
            events=tuple(body.get("SubscriptionEvent") or ("created",)),
        )


@dataclass(frozen=True)
class Notification:
    """A notification read from a PULL subscription's queue."""

    product_id: str
    product_name: str | None
    ack_id: str
    date: str | None = None
    record: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)


def check_id(value: Any) -> str:
    """A subscription id (a UUID), else QueryError before any request."""
    if not isinstance(value, str) or not _ID.match(value):
        raise QueryError(f"subscription id {value!r}: expected a UUID such as "
                         "'991c4730-cf6f-432a-9f6c-47be0230ff45'")  # fmt: skip
    return value.lower()


class SubscriptionService:
    """The calls, over one aiohttp session, with one account's token."""

    def __init__(
        self, session: Any, endpoints: Endpoints, tokens: TokenProvider, retries: int = 3
    ) -> None:
        self.transport = Transport(session, endpoints, tokens)
        self.root = f"{endpoints.catalogue}/Subscriptions"
        self.retries = retries

    async def _call(
        self, method: str, path: str = "", *, body: Any = None, params: Any = None
    ) -> Any:
        url = self.root + path
        retried = method in ("GET", "DELETE")  # idempotent: retried on 429/5xx and resets

        async def once() -> Any:
            return await self._once(method, url, body, params)

        if not retried:
            return await once()
        return await with_retries(once, retries=self.retries, what=f"{method} {url}")

    async def _once(self, method: str, url: str, body: Any, params: Any) -> Any:
        transport = self.transport
        refreshed = False
        while True:
            auth = {}
            if transport.tokens is not None and transport.may_receive_token(url):
                auth = await transport.tokens.headers_async()
            resp = await transport.session.request(
                method, url, json=body, params=params, headers=auth, allow_redirects=False
            )
            try:
                if resp.status == 401 and auth and not refreshed and transport.tokens:
                    transport.tokens.invalidate(auth["Authorization"].removeprefix("Bearer "))
                    refreshed = True
                    continue
                if resp.status >= 300:
                    error = error_from_response(
                        resp.status, await read_error_body(resp), url, resp.headers
                    )
                    if resp.status < 500 and _LIMIT.search(str(error)):
                        raise _limit_error(error) from error
                    raise error
                if resp.status == 204:
                    return None
                from ..net.http import decode_body

                return decode_body(await read_bounded(resp, MAX_BYTES))
            finally:
                resp.release()

    async def create(self, body: Mapping[str, Any]) -> SubscriptionInfo:
        return SubscriptionInfo.from_json(await self._call("POST", body=dict(body)))

    async def list(self) -> list[SubscriptionInfo]:
        found = await self._call("GET", "/Info")
        if not isinstance(found, list):
            raise CDSEError(f"the subscriptions list is not a list: {str(found)[:200]!r}")
        return [SubscriptionInfo.from_json(item) for item in found]

    async def get(self, sub_id: str) -> SubscriptionInfo:
        return SubscriptionInfo.from_json(await self._call("GET", f"({check_id(sub_id)})"))

    async def update(self, sub_id: str, changes: Mapping[str, Any]) -> SubscriptionInfo | None:
        found = await self._call("PATCH", f"({check_id(sub_id)})", body=dict(changes))
        return None if found is None else SubscriptionInfo.from_json(found)

    async def delete(self, sub_id: str) -> None:
        await self._call("DELETE", f"({check_id(sub_id)})")

    async def read(self, sub_id: str, top: int = READ_MAX) -> list[Notification]:
        found = await self._call("GET", f"({check_id(sub_id)})/Read", params={"$top": str(top)})
        if not isinstance(found, list):
            raise CDSEError(f"a subscription's Read answer is not a list: {str(found)[:200]!r}")
        out = []
        for item in found[:READ_MAX]:  # never more than asked, whatever the server sends
            if not isinstance(item, Mapping) or not isinstance(item.get("ProductId"), str):
                raise CDSEError(f"not a notification: {str(item)[:200]!r}")
            if not isinstance(item.get("AckId"), str):
                raise CDSEError(f"a notification without AckId: {str(item)[:200]!r}")
            value = item.get("value")
            out.append(
                Notification(
                    item["ProductId"],
                    item.get("ProductName"),
                    item["AckId"],
                    item.get("NotificationDate"),
                    value if isinstance(value, Mapping) else None,
                )
            )
        return out

    async def ack(self, sub_id: str, ack_id: str) -> Any:
        path = f"({check_id(sub_id)})/Ack?$ackid={quote(ack_id, safe='')}"
        return await self._call("POST", path)


def _limit_error(error: CDSEError) -> SubscriptionLimitError:
    return SubscriptionLimitError(
        f"CDSE refused the subscription: a user may have {MAX_RUNNING} running and {MAX_TOTAL} "
        f"subscriptions in all (running and paused); pause or delete one first "
        f"('cdse-intake subscriptions list'). The service said: {error}",
        status=getattr(error, "status", None),
        url=getattr(error, "url", None),
    )
