"""Whether a file already on disk is the product it should be, and placing a verified copy.

Neither follows a symlink: a link at a final path is never the verified product (whatever the
bytes of its target), and a copy is created exclusively, not through a link planted at its name.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from ..cache import new_hasher
from ..cache.safety import check_zip
from ..errors import CDSEError
from .partfile import CHUNK, Expected, create_new, open_regular

__all__ = ["file_matches", "place_copy"]


def file_matches(path: Path, expected: Expected) -> bool:
    """Whether ``path`` is a regular file (not a symlink) with the product's size and checksum."""
    try:
        with os.fdopen(open_regular(path), "rb") as fh:
            if expected.size is not None and os.fstat(fh.fileno()).st_size != expected.size:
                return False
            if expected.algorithm == "size":
                if expected.size is None:
                    return False  # nothing to compare with: fetch it again
                if path.suffix.lower() == ".zip":
                    check_zip(path)  # just opened without following: a regular file
                return True
            hasher = new_hasher(expected.algorithm)
            while block := fh.read(CHUNK):
                hasher.update(block)
            return hasher.hexdigest().lower() == expected.checksum
    except (OSError, CDSEError):
        return False


def place_copy(source: Path, target: Path) -> None:
    """Put a verified file at ``target`` too: a hard link when possible, else a copy.

    ``source`` must be a regular file (OSError for a symlink); the temporary name is created
    exclusively, never through a symlink.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with os.fdopen(open_regular(source), "rb") as src:
        size = os.fstat(src.fileno()).st_size
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        try:
            os.link(source, tmp, follow_symlinks=False)
        except OSError:
            with os.fdopen(create_new(tmp, os.O_WRONLY), "wb") as out:
                shutil.copyfileobj(src, out, CHUNK)
    if os.lstat(tmp).st_size != size:
        tmp.unlink(missing_ok=True)
        raise OSError(f"copying {source} to {target} was incomplete")
    os.replace(tmp, target)
