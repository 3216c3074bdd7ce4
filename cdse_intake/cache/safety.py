"""Nothing from the server is trusted as a path.

CDSE product names, collection names and zip member paths come from the network. Before any of
them becomes part of a local path it passes through here: :func:`safe_filename` for one path
component (a product's file name, a collection folder), :func:`check_member` for a path inside a
zip, :func:`check_zip` for a whole downloaded archive (every member safe, no symlinks, CRCs ok),
and :func:`ensure_within` as the last guard before writing or deleting under a root.

Refusals raise :class:`~cdse_intake.errors.UnsafePathError` naming the value and what is
expected; nothing is ever "sanitised" into a different name, so two hostile names can never
collide on one local file.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
import zipfile
from pathlib import Path

from ..errors import DownloadError, UnsafePathError

__all__ = ["MAX_NAME_BYTES", "check_member", "check_zip", "ensure_within", "safe_filename"]

MAX_NAME_BYTES = 255
"""The longest file name (one component, in UTF-8 bytes) ext4, XFS and APFS accept."""

_DRIVE = re.compile(r"^[A-Za-z]:")


def _bad_character(text: str) -> str | None:
    """The first control, NUL or unencodable character of ``text`` (as a repr), or None."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs"):  # C0/C1 controls, NUL, DEL; lone surrogates
            return repr(char)
        if char in ("\u2028", "\u2029"):  # line/paragraph separators split log lines like \n
            return repr(char)
    return None


def safe_filename(name: str) -> str:
    """Return ``name`` unchanged when it is safe as ONE file name; raise UnsafePathError if not.

    Refused: non-strings, ``""``, ``"."``, ``".."``, any ``/`` or ``\\`` (a path, not a name),
    NUL and other control characters, lone surrogates, and names longer than 255 UTF-8 bytes.
    Unicode letters, spaces, a leading ``-`` or ``.`` and Windows device names (``con``) are
    accepted: they are harmless on the POSIX systems this library writes to.
    """
    if not isinstance(name, str):
        raise UnsafePathError(f"unsafe file name {name!r}: expected a string")
    if name in ("", ".", ".."):
        raise UnsafePathError(f"unsafe file name {name!r}: expected a non-empty name, not . or ..")
    for sep in ("/", "\\"):
        if sep in name:
            raise UnsafePathError(
                f"unsafe file name {name!r}: contains {sep!r}; expected one path component"
            )
    bad = _bad_character(name)
    if bad:
        raise UnsafePathError(
            f"unsafe file name {name!r}: contains the control character {bad}; "
            "expected printable characters only"
        )
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        raise UnsafePathError(
            f"unsafe file name {name!r}: {size} bytes in UTF-8; expected at most {MAX_NAME_BYTES}"
        )
    return name


def check_member(member: str) -> None:
    """Raise UnsafePathError unless the zip member path stays inside the folder it is unpacked in.

    Refused: empty names, absolute paths (``/x``), drive letters (``C:x``), any backslash (a
    separator for Windows tools, so ``..\\x`` would escape there), ``..`` or ``.`` components,
    empty components (``a//b``), control characters, and components over 255 bytes. A trailing
    ``/`` (a directory entry) is allowed.
    """
    if not isinstance(member, str) or not member:
        raise UnsafePathError(f"unsafe zip member {member!r}: expected a relative path")
    if member.startswith("/"):
        raise UnsafePathError(f"unsafe zip member {member!r}: absolute path; expected relative")
    if _DRIVE.match(member):
        raise UnsafePathError(f"unsafe zip member {member!r}: drive letter; expected relative")
    if "\\" in member:
        raise UnsafePathError(
            f"unsafe zip member {member!r}: contains a backslash; expected '/' separators only"
        )
    bad = _bad_character(member)
    if bad:
        raise UnsafePathError(
            f"unsafe zip member {member!r}: contains the control character {bad}; "
            "expected printable characters only"
        )
    parts = member[:-1].split("/") if member.endswith("/") else member.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise UnsafePathError(
                f"unsafe zip member {member!r}: has a {part or 'empty'!r} component; "
                "expected a plain relative path"
            )
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            raise UnsafePathError(
                f"unsafe zip member {member!r}: a component exceeds {MAX_NAME_BYTES} bytes"
            )


def _member_kind(info: zipfile.ZipInfo) -> str | None:
    """'symlink' / 'special' when the member's Unix mode says so, None for files and folders."""
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == 0 or kind in (stat.S_IFREG, stat.S_IFDIR):
        return None
    return "symlink" if kind == stat.S_IFLNK else "special"


def check_zip(path: str | os.PathLike[str]) -> None:
    """Check a downloaded archive before it is trusted: readable, every member safe, CRCs ok.

    Raises UnsafePathError for a member that would escape its folder or is a symlink/device, and
    DownloadError for an archive that is not a zip, is truncated or has a member whose CRC fails.
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            for info in infos:
                check_member(info.filename)
                kind = _member_kind(info)
                if kind:
                    raise UnsafePathError(
                        f"unsafe zip member {info.filename!r} in {path}: a {kind} "
                        "(mode {:o}); expected regular files and folders only".format(
                            info.external_attr >> 16
                        )
                    )
            bad = archive.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as err:
        if isinstance(err, UnsafePathError):
            raise
        raise DownloadError(f"archive {path} is not a readable zip: {err}") from err
    except OSError as err:
        raise DownloadError(f"archive {path} cannot be read: {err}") from err
    if bad is not None:
        raise DownloadError(f"archive {path} is corrupt: member {bad!r} fails its CRC check")


def ensure_within(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """``path`` when it lies inside ``root`` once symlinks are resolved; else UnsafePathError.

    The last component of ``path`` is not resolved (a symlink there is the entry itself, which
    is inside ``root`` when its folder is), so deleting or replacing it never touches its target.
    """
    real_root = Path(os.path.realpath(root))
    path = Path(path)
    real_parent = Path(os.path.realpath(path.parent))
    candidate = real_parent / path.name
    if path.name in ("", ".", "..") or not candidate.is_relative_to(real_root):
        raise UnsafePathError(f"path {str(path)!r} is outside {str(real_root)!r}; refused")
    return path
