"""Error answers of the STAC API.

CDSE's STAC is most likely stac-fastapi(-pgstac) (cdse-api.md §4, unconfirmed), whose error body
is ``{"code": "<ExceptionName>", "description": "..."}``: ``NotFoundError`` (404) for an unknown
collection or item, ``RequestValidationError`` / ``InvalidQueryParameter`` (400) for bad
parameters. The exact texts of the real service are unverified; ours name the bad value and what
is expected. The WAF's rate limit answer is verified (§2.4, FORUM-WAF).
"""

from __future__ import annotations

__all__ = ["WAF_BODY", "StacError", "bad_request", "not_found"]


class StacError(Exception):
    """An error answer: HTTP status, stac-fastapi error code and a description."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description

    def body(self) -> dict[str, str]:
        return {"code": self.code, "description": self.description}


def bad_request(description: str, code: str = "RequestValidationError") -> StacError:
    return StacError(400, code, description)


def not_found(description: str) -> StacError:
    return StacError(404, "NotFoundError", description)


#: The WAF's rate limit body, verbatim (§2.4, FORUM-WAF).
WAF_BODY = {"error": "WAF", "message": "Rate limit exceeded", "status": 429}
