"""HTTP ``Range`` for downloads: one byte range, as clients resume with (``reference/cdse-api.md``
§2.2: the zipper advertises ``accept-ranges: bytes``; cdse-dl resumes with ``bytes=<n>-``).
"""

from __future__ import annotations

import re

__all__ = ["Unsatisfiable", "parse_range"]

_SPEC = re.compile(r"bytes=(?P<first>\d*)-(?P<last>\d*)")


class Unsatisfiable(Exception):
    """The range starts past the end (416 ``Content-Range: bytes */<size>``)."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, stop)`` (stop exclusive) of a single range, or None for the whole body.

    Forms: ``bytes=a-b``, ``bytes=a-`` and the suffix ``bytes=-n``. A header the server cannot
    use (another unit, several ranges, ``b < a``) is ignored, as RFC 9110 §14.2 allows: the answer
    is then the whole body with 200.
    """
    if not header:
        return None
    match = _SPEC.fullmatch(header.strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match["first"], match["last"]
    if not first:
        if not last:
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - suffix), size
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise Unsatisfiable
    stop = size if not last else min(size, int(last) + 1)
    return start, stop
