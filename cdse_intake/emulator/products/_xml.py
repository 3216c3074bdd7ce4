"""Small helpers for writing the products' XML (SAFE manifests, product and tile metadata).

The XML is written as text, shaped line by line after the real files in
``reference/samples/products``: the real documents mix namespace prefixes and element orders that a
tree serialiser would not reproduce.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

__all__ = ["attrs", "el", "esc", "iso", "join", "md5", "sci", "sha3"]


def esc(value: object) -> str:
    """Text content, escaped."""
    return escape(str(value))


def attrs(values: dict[str, object]) -> str:
    """`` name="value"`` pairs in the given order (empty string when there are none)."""
    return "".join(f" {name}={quoteattr(str(value))}" for name, value in values.items())


def el(tag: str, text: object = None, /, **attributes: object) -> str:
    """One element on one line: ``<tag a="1">text</tag>``, or ``<tag a="1"/>`` without text."""
    head = f"<{tag}{attrs(attributes)}"
    return f"{head}/>" if text is None else f"{head}>{esc(text)}</{tag}>"


def join(lines: Iterable[str], indent: int = 0) -> str:
    """Lines joined with newlines, each indented by ``indent`` spaces."""
    pad = " " * indent
    return "\n".join(pad + line for line in lines)


def iso(value: datetime, digits: int = 6, zulu: bool = True) -> str:
    """``2021-09-08T04:27:01.024Z`` (``digits`` fractional digits; 0 for none)."""
    v = value.astimezone(UTC)
    text = f"{v:%Y-%m-%dT%H:%M:%S}"
    if digits:
        text += f".{v.microsecond:06d}"[: digits + 1]
    return text + ("Z" if zulu else "")


def sci(value: float, digits: int = 6) -> str:
    """Numbers as the Sentinel-1 annotations write them: ``1.000000e+01``."""
    return f"{value:.{digits}e}"


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def sha3(data: bytes) -> str:
    """SHA3-256 in upper case, as CDSE's Sentinel-2 manifests carry it (2024 recordings)."""
    return hashlib.sha3_256(data).hexdigest().upper()
