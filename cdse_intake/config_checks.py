"""Checks of configuration keys and values, and the TOML config file read into checked tables.

Every problem is a :class:`~cdse_intake.errors.ConfigurationError` naming the key, the value and
what is expected; an unknown key also names the closest known one. A typo must never fall back
silently to a default: for an endpoint that default is the real CDSE.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigurationError

__all__ = [
    "ENDPOINT_KEYS",
    "SETTING_KEYS",
    "check_keys",
    "file_path",
    "folder",
    "number",
    "read_config_file",
    "suggestion",
    "url",
    "whole_number",
]

ENDPOINT_KEYS = ("identity", "catalogue", "download", "stac", "s3", "clms")
SETTING_KEYS = (
    "cache_dir",
    "max_connections",
    "retries",
    "timeout",
    "refresh_margin",
    "query_cache_age",
    "min_rate",
    "transfer_deadline",
    "clms_service_key",
    "clms_poll_interval",
)
#: The config file's tables and their keys.
TABLES = {"endpoints": ENDPOINT_KEYS, "settings": SETTING_KEYS}

#: Largest config file read (a real one is a few hundred bytes).
MAX_CONFIG_BYTES = 1 << 20
_INTEGER = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: str.isdigit() takes '٣' and '²'


def suggestion(name: str, known: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``known``, else ``""``."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    if not close and name.lower() != name:
        close = difflib.get_close_matches(name.lower(), list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_keys(given: Iterable[Any], known: Iterable[str], what: str) -> None:
    """Every key of ``given`` is one of ``known``, else an error naming it and the closest."""
    known = tuple(known)
    for key in given:
        if key not in known:
            hint = suggestion(key, known) if isinstance(key, str) else ""
            raise ConfigurationError(
                f"unknown {what} {key!r}{hint}; expected one of {', '.join(known)}"
            )


def url(name: str, value: Any) -> str:
    """An endpoint: an http(s) URL with a host (and a valid port), without its trailing ``/``."""
    expected = "expected an http(s) URL such as 'https://host/path'"
    if not isinstance(value, str) or any(ord(c) < 32 or c == "\x7f" for c in value):
        raise ConfigurationError(f"endpoint {name}={value!r} is not an http(s) URL; {expected}")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as err:
        raise ConfigurationError(
            f"endpoint {name}={value!r} is malformed ({err}); {expected}"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"endpoint {name}={value!r} is not an http(s) URL; {expected}")
    return value.rstrip("/")


def whole_number(name: str, value: Any, minimum: int, maximum: int) -> int:
    """An integer setting (a TOML integer, or its digits as text from the environment)."""
    text = value.strip() if isinstance(value, str) else value
    ok = (isinstance(text, int) and not isinstance(text, bool)) or (
        isinstance(text, str) and _INTEGER.fullmatch(text) is not None and len(text) < 20
    )
    if not ok or not minimum <= int(text) <= maximum:
        raise ConfigurationError(
            f"setting {name}={value!r} must be a whole number from {minimum} to {maximum}"
        )
    return int(text)


def number(name: str, value: Any, *, positive: bool, unit: str) -> float:
    """A finite number of ``unit`` (> 0 when ``positive``, else >= 0); never a boolean."""
    parsed: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        parsed = float(value) if math.isfinite(value) else None
    elif isinstance(value, str):
        try:
            parsed = float(value.strip())
        except ValueError:
            parsed = None
    if parsed is None or not math.isfinite(parsed) or parsed < 0 or (positive and parsed == 0):
        bound = "> 0" if positive else ">= 0 (0: none)"
        raise ConfigurationError(
            f"setting {name}={value!r} must be a finite number of {unit} {bound}"
        )
    return parsed


def folder(name: str, value: Any) -> Path:
    """A folder path: text or a path, not empty, without NUL; ``~`` expanded."""
    if not isinstance(value, str | os.PathLike) or isinstance(value, bytes):
        raise ConfigurationError(f"setting {name}={value!r} must be a folder path (text)")
    text = os.fspath(value)
    if not isinstance(text, str) or not text.strip() or "\0" in text:
        raise ConfigurationError(f"setting {name}={value!r} must be a non-empty folder path")
    try:
        return Path(text).expanduser()
    except RuntimeError as err:  # "~someone" without a home folder
        raise ConfigurationError(f"setting {name}={value!r}: {err}") from err


def file_path(name: str, value: Any) -> Path:
    """A file path (text or a path, not empty, without NUL; ``~`` expanded). Whether the file
    exists and what it holds is checked by its reader, when it is needed."""
    if not isinstance(value, str | os.PathLike) or isinstance(value, bytes):
        raise ConfigurationError(f"setting {name}={value!r} must be a file path (text)")
    text = os.fspath(value)
    if not isinstance(text, str) or not text.strip() or "\0" in text:
        raise ConfigurationError(f"setting {name}={value!r} must be a non-empty file path")
    try:
        return Path(text).expanduser()
    except RuntimeError as err:  # "~someone" without a home folder
        raise ConfigurationError(f"setting {name}={value!r}: {err}") from err


def read_config_file(path: Path) -> dict[str, dict[str, Any]]:
    """The tables of the TOML file at ``path`` ({} when there is none), keys checked.

    Unknown tables, unknown keys and a file that is not UTF-8 TOML are errors naming the file.
    """
    try:
        if not path.exists():
            return {}
        if not path.is_file():
            raise ConfigurationError(
                f"config file {path} is not a file (a folder or a device); expected a TOML file"
            )
        with path.open("rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as err:
        raise ConfigurationError(f"cannot read config file {path}: {err}") from err
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigurationError(
            f"config file {path} is larger than {MAX_CONFIG_BYTES} bytes; expected a small TOML "
            "file"
        )
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise ConfigurationError(
            f"config file {path} is not UTF-8 text (byte {err.object[err.start]:#04x} at offset "
            f"{err.start}); expected a TOML file"
        ) from None
    except (tomllib.TOMLDecodeError, RecursionError) as err:
        raise ConfigurationError(f"cannot read config file {path}: {err}") from err
    for table, value in data.items():
        if table in TABLES and not isinstance(value, dict):
            raise ConfigurationError(f"config file {path}: [{table}] must be a table")
        if table not in TABLES:
            inside = [t for t, keys in TABLES.items() if table in keys]
            hint = f" (put it under [{inside[0]}])" if inside else suggestion(table, TABLES)
            raise ConfigurationError(
                f"config file {path}: unknown table or key {table!r}{hint}; expected the tables "
                f"{', '.join(f'[{t}]' for t in TABLES)}"
            )
        try:
            check_keys(value, TABLES[table], f"key in [{table}]")
        except ConfigurationError as err:
            raise ConfigurationError(f"config file {path}: {err}") from None
    return data


def checked_mapping(value: Mapping[Any, Any], known: Iterable[str], what: str) -> dict[str, Any]:
    """``value`` as keyword arguments, its keys checked against ``known``."""
    check_keys(value, known, what)
    return dict(value)
