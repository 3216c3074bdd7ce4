"""Times in product metadata, read one way for every family.

SAFE, SEN3, MTD, EOPF and S5P files write UTC times as ISO 8601 with ``Z``, with an offset, or
naive (meaning UTC); SEN3 manifests also use the compact ``20211021T091357`` and S5P granule
attributes an ``UTC=`` prefix.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["iso_z", "parse_utc"]


def parse_utc(text: Any) -> datetime | None:
    """``text`` as an aware UTC datetime; None when absent or not a time."""
    if not isinstance(text, str):
        return None
    text = text.strip().removeprefix("UTC=")
    if not text:
        return None
    for parse in (datetime.fromisoformat, lambda v: datetime.strptime(v, "%Y%m%dT%H%M%S")):
        try:
            value = parse(text)
        except ValueError:
            continue
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return None


def iso_z(value: datetime | None) -> str | None:
    """``value`` as ``2021-05-10T00:29:55.000000Z`` (attributes of opened datasets)."""
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
