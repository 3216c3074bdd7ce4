"""Reading CDSE logins from a ``.netrc`` file, without ever echoing a password.

Which file: ``$NETRC`` when set, else ``~/.netrc`` (as curl, requests and aiohttp do). Which
entries: the CDSE hosts that existing tools use (the identity host, and the download, zipper and
catalogue hosts where wget/curl users keep them, e.g. cso_dataspace's
``machine zipper.dataspace.copernicus.eu``), plus the configured identity host so an emulator
on 127.0.0.1 works too. The ``default`` entry is ignored: it is meant for any host and sending it
to CDSE would be a surprise.
"""

from __future__ import annotations

import logging
import netrc
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError

__all__ = ["CDSE_NETRC_HOSTS", "NetrcEntry", "netrc_entries", "netrc_path"]

log = logging.getLogger(__name__)

#: Hosts whose ``.netrc`` entries hold CDSE credentials, in order of preference.
CDSE_NETRC_HOSTS = (
    "identity.dataspace.copernicus.eu",
    "download.dataspace.copernicus.eu",
    "zipper.dataspace.copernicus.eu",
    "catalogue.dataspace.copernicus.eu",
)


@dataclass(frozen=True, repr=False)
class NetrcEntry:
    """One ``machine`` line: its host, login and password."""

    host: str
    login: str
    password: str

    def __repr__(self) -> str:
        return f"NetrcEntry(host={self.host!r}, login={self.login!r})"

    def __reduce__(self) -> Any:
        raise TypeError("a .netrc entry holds a password and is never pickled")


def netrc_path() -> Path:
    """``$NETRC`` or ``~/.netrc``."""
    explicit = os.environ.get("NETRC")
    return Path(explicit).expanduser() if explicit else Path.home() / ".netrc"


def netrc_entries(hosts: tuple[str, ...], path: Path | None = None) -> list[NetrcEntry]:
    """Entries for ``hosts`` (in that order) with both a login and a password; [] without a file.

    A file that does not parse, or is not text, is a :class:`ConfigurationError` naming the file
    and line or offset, but not the parser's message, which quotes the offending token (maybe a
    password).
    """
    path = path or netrc_path()
    if not path.is_file():
        return []
    _warn_if_readable_by_others(path)
    bad_line: int | None = None
    bad_byte: int | None = None
    try:
        parsed = netrc.netrc(os.fspath(path))
    except netrc.NetrcParseError as err:
        # Raised outside this block so the parse error is not even kept as __context__: its
        # message quotes the offending token and its frames hold the file's passwords.
        bad_line = err.lineno
    except UnicodeDecodeError as err:  # a binary file; its .object is the file's bytes
        bad_byte = err.start
    except OSError as err:
        raise ConfigurationError(f"cannot read {path}: {err.strerror}") from err
    if bad_byte is not None:
        raise ConfigurationError(
            f"cannot read {path}: it is not UTF-8 text (a byte at offset {bad_byte} is not); "
            "expected lines 'machine <host> login <user> password <password>', or point NETRC "
            "at another file"
        )
    if bad_line is not None:
        raise ConfigurationError(
            f"cannot parse {path} at line {bad_line}; fix that line (expected 'machine <host> "
            "login <user> password <password>') or point NETRC at another file"
        )
    out = []
    for host in dict.fromkeys(hosts):  # de-duplicated, order kept
        found = parsed.hosts.get(host)
        if found is None:
            continue
        login, _account, password = found
        if login and password:
            out.append(NetrcEntry(host, login, password))
    return out


def _warn_if_readable_by_others(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s can be read by other users; restrict it with: chmod 600 %s", path, path)
