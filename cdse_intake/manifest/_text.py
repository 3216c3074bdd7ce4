r"""The text of a manifest: header values and cells that read back as written and never run.

Whatever a product or query holds (newlines, commas, quotes, NUL, lone surrogates, formulas),
:func:`~cdse_intake.manifest.read_manifest` gives back what
:func:`~cdse_intake.manifest.write_manifest` was given, every header field and every row is
one line, and no cell is a formula when the file is opened in a spreadsheet.

*Control characters* here: C0 and C1 controls and DEL, U+2028/U+2029 (``str.splitlines``
breaks lines on them), the bidi overrides U+202A-202E and U+2066-2069, and lone surrogates.

- **Header values** (``# backend:``, ``# endpoint:``, ``# created:`` ...) are written as they
  are, unless they hold a control character, start with ``"`` or have surrounding spaces: then
  they are a JSON string (``# backend: "odata\n"``). Queries and searches are JSON (ASCII).
- **Cells** follow OWASP's advice against CSV injection, made reversible. A cell is
  *protected* when its first non-blank character is ``=``, ``+``, ``-`` or ``@`` (or their
  full-width forms; OWASP's tab and carriage return are control characters), when it starts
  with an apostrophe, or when it holds a control character. A protected cell is written as
  ``'`` followed by the value with ``\`` doubled and each control character escaped as ``\n``,
  ``\r``, ``\t``, ``\xHH`` or ``\uHHHH``; spreadsheets show it as text. Reading drops the
  leading ``'`` of a cell that has one and undoes exactly those escapes (any other backslash
  stays as it is). Every other cell is the value itself. Examples: ``-x`` is written ``'-x``,
  ``'x`` is ``''x``, ``a<LF>b`` is ``'a\nb``, ``=1\2`` is ``'=1\\2``; ``C:\data`` is as is.
- Cells holding ``,``, ``"``, ``#`` or surrounding spaces are quoted (so
  ``pandas.read_csv(comment="#")`` reads them whole); a field has no size limit (footprints of
  any size); a UTF-8 BOM and CRLF line ends are read.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable

__all__ = ["cell", "csv_line", "header_value", "uncell", "unheader"]

# Characters no cell or header line carries as such: C0/C1 controls and DEL, the line and
# paragraph separators (str.splitlines breaks on them), bidi overrides, lone surrogates.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_ESCAPED = re.compile(f"{_CONTROL.pattern[:-1]}\\\\]")  # the same and the backslash
_UNESCAPE = re.compile(r"\\(\\|n|r|t|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})")
_FORMULA = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")  # OWASP's list and its full-width forms
_SHORT = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_LONG = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_QUOTED = re.compile(r'[,"#]|^\s|\s$')


def _escape(match: re.Match[str]) -> str:
    c = match.group()
    return _SHORT.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def cell(value: str) -> str:
    """A value as a CSV cell no spreadsheet runs (see the module's docstring), quoted if needed."""
    if value[:1] == "'" or value.lstrip()[:1] in _FORMULA or _CONTROL.search(value):
        value = "'" + _ESCAPED.sub(_escape, value)
    return '"' + value.replace('"', '""') + '"' if _QUOTED.search(value) else value


def csv_line(values: Iterable[str]) -> str:
    """One CSV line (``\\n``) of :func:`cell` s."""
    return ",".join(map(cell, values)) + "\n"


def uncell(text: str) -> str:
    """The value of a cell written by :func:`cell`."""
    if text[:1] != "'":
        return text
    return _UNESCAPE.sub(lambda m: _LONG.get(m[1]) or chr(int(m[1][1:], 16)), text[1:])


def header_value(value: str) -> str:
    """A header value on one line: as is, or a JSON string when it needs escaping."""
    if _CONTROL.search(value) or value[:1] == '"' or value != value.strip():
        return json.dumps(value)
    return value


def unheader(text: str) -> str:
    """The value of a header field written by :func:`header_value`."""
    if text[:1] == '"':
        with contextlib.suppress(ValueError, RecursionError):
            value = json.loads(text)
            if isinstance(value, str):
                return value
    return text
