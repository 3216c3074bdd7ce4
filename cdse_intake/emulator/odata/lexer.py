"""Tokens of a ``$filter`` expression (cdse-api.md §1.5).

Literal forms CDSE accepts: ``'strings'`` with ``''`` for a quote, numbers, unquoted datetimes
(``2022-05-03T00:00:00.000Z``, with an offset, without a zone, or a bare date), GUIDs,
``true``/``false``/``null`` and ``geography'SRID=4326;POLYGON((...))'``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .errors import FilterError

__all__ = ["Token", "TokenKind", "tokenize"]

TokenKind = Literal["string", "number", "datetime", "guid", "geography", "ident", "punct", "end"]


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    """The source text (for strings and geography: the unescaped content)."""
    pos: int
    """1-based position of the token's first character."""


_SPACE = re.compile(r"\s+")
_GUID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w.:-])"
)
# A datetime-looking run; validated later (literals.parse_datetime) for a precise message.
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[\w:.+\-]*")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_IDENT = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_WORD_CHAR = re.compile(r"[\w.]")
_PUNCT = "(),/:="


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``end`` token; FilterError on bad input."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        m = _SPACE.match(text, i)
        if m:
            i = m.end()
            continue
        ch = text[i]
        if ch == "'":
            value, i_next = _read_quoted(text, i)
            tokens.append(Token("string", value, i + 1))
            i = i_next
            continue
        if text[i : i + 10].lower() == "geography'":
            value, i_next = _read_quoted(text, i + 9)
            tokens.append(Token("geography", value, i + 1))
            i = i_next
            continue
        m = _GUID.match(text, i)
        if m:
            tokens.append(Token("guid", m.group(), i + 1))
            i = m.end()
            continue
        m = _DATETIME.match(text, i)
        if m:
            tokens.append(Token("datetime", m.group(), i + 1))
            i = m.end()
            continue
        m = _NUMBER.match(text, i)
        if m:
            if m.end() < n and _WORD_CHAR.match(text, m.end()):
                raise FilterError(f"malformed number {text[i : m.end() + 1]!r}", i + 1, text)
            tokens.append(Token("number", m.group(), i + 1))
            i = m.end()
            continue
        m = _IDENT.match(text, i)
        if m:
            tokens.append(Token("ident", m.group(), i + 1))
            i = m.end()
            continue
        if ch in _PUNCT:
            tokens.append(Token("punct", ch, i + 1))
            i += 1
            continue
        raise FilterError(f"unexpected character {ch!r}", i + 1, text)
    tokens.append(Token("end", "", n + 1))
    return tokens


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """Read ``'...'`` from ``start`` (the opening quote); ``''`` is an escaped quote."""
    parts: list[str] = []
    i = start + 1
    n = len(text)
    while i < n:
        j = text.find("'", i)
        if j < 0:
            break
        parts.append(text[i:j])
        if j + 1 < n and text[j + 1] == "'":
            parts.append("'")
            i = j + 2
            continue
        return "".join(parts), j + 1
    raise FilterError(
        "unterminated string literal (a quote inside a string is written '')", start + 1, text
    )
