"""The client's HTTP plumbing: CDSE error shapes mapped, retries honouring Retry-After."""

from __future__ import annotations

import asyncio

import pytest

from cdse_intake.errors import (
    AuthenticationError,
    ProductNotFound,
    QueryError,
    RateLimited,
    ServiceError,
)
from cdse_intake.net.http import error_from_response, retry_after_seconds, with_retries


@pytest.mark.parametrize(
    ("status", "body", "cls", "code", "text"),
    [
        (400, {"detail": {"message": "Invalid field in select: x", "request_id": "r1"}},
         QueryError, None, "Invalid field in select: x"),
        (422, {"detail": [{"type": "less_than_equal", "loc": ["query", "$top"],
                           "msg": "Input should be less than or equal to 1000"}]},
         QueryError, "less_than_equal", "query.$top: Input should be less than or equal to 1000"),
        (401, {"code": "DAT-ZIP-604", "message": "Token not found"},
         AuthenticationError, "DAT-ZIP-604", "Token not found"),
        (401, {"error": "invalid_grant", "error_description": "Invalid user credentials"},
         AuthenticationError, "invalid_grant", "Invalid user credentials"),
        (404, {"code": "NotFoundError", "description": "Collection x not found"},
         ProductNotFound, "NotFoundError", "Collection x not found"),
        (429, {"error": "WAF", "message": "Rate limit exceeded", "status": 429},
         RateLimited, "WAF", "Rate limit exceeded"),
        (503, "upstream connect error", ServiceError, None, "upstream connect error"),
    ],
)  # fmt: skip
def test_every_cdse_error_shape(status, body, cls, code, text):
    err = error_from_response(status, body, "http://h/x?secret=1", {"Retry-After": "3"})
    assert type(err) is cls
    assert (err.status, err.code) == (status, code)
    assert text in str(err)
    assert "secret" not in str(err)  # query strings (which may carry tokens) are not repeated
    if cls is RateLimited:
        assert err.retry_after == 3


def test_retry_after_forms():
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None


def test_retries_honour_retry_after_then_give_up():
    delays: list[float] = []
    calls = 0

    async def fake_sleep(seconds: float) -> None:
        delays.append(seconds)

    async def attempt():
        nonlocal calls
        calls += 1
        raise RateLimited("slow down", status=429, retry_after=4)

    with pytest.raises(RateLimited):
        asyncio.run(with_retries(attempt, retries=3, what="t", sleep=fake_sleep))
    assert calls == 4
    assert delays == [4, 4, 4]


def test_final_errors_are_not_retried():
    calls = 0

    async def attempt():
        nonlocal calls
        calls += 1
        raise QueryError("bad", status=400)

    with pytest.raises(QueryError):
        asyncio.run(with_retries(attempt, retries=5, what="t"))
    assert calls == 1
