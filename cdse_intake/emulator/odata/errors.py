"""The two error families of the catalogue: the app's 400s and FastAPI/pydantic's 422s.

CDSE's OData service is a FastAPI app (cdse-api.md §1.4): option values that fail type or range
validation answer 422 ``{"detail": [{"type", "loc", "msg", "input", "ctx"}]}``; everything the app
itself rejects (bad ``$filter``, ``$orderby``, ``$expand``, ``$select``) answers 400
``{"detail": {"message", "request_id"}}``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FilterError", "ODataError", "ValidationFailure"]


class ODataError(Exception):
    """An error the OData app answers itself: ``{"detail": {"message": ...}}``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class FilterError(ODataError):
    """A ``$filter`` that does not parse or does not make sense; points at the culprit.

    ``position`` is 1-based, counted in characters of the decoded ``$filter`` value.
    """

    def __init__(self, problem: str, position: int | None = None, text: str | None = None):
        where = ""
        if position is not None:
            where = f" at position {position}"
            if text is not None and position <= len(text):
                where += f" (near {_excerpt(text, position)!r})"
        super().__init__(f"Invalid filter{where}: {problem}.")
        self.problem = problem
        self.position = position


def _excerpt(text: str, position: int, width: int = 24) -> str:
    start = max(0, position - 1)
    piece = text[start : start + width]
    return piece + ("..." if start + width < len(text) else "")


class ValidationFailure(Exception):
    """A pydantic-style 422: one item per invalid query or path parameter."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(item["msg"] for item in items))
        self.items = items

    @staticmethod
    def item(
        kind: str, loc: list[str], msg: str, value: Any, ctx: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """One error as FastAPI lists it (``ctx`` only for errors that carry one)."""
        out: dict[str, Any] = {"type": kind, "loc": loc, "msg": msg, "input": value}
        if ctx is not None:
            out["ctx"] = ctx
        return out

    def body(self) -> dict[str, Any]:
        return {"detail": self.items}
