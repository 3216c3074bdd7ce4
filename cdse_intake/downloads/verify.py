"""Whether a file already on disk is the product it should be, and placing a verified copy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..cache import hash_file
from ..cache.safety import check_zip
from ..errors import CDSEError
from .partfile import Expected

__all__ = ["file_matches", "place_copy"]


def file_matches(path: Path, expected: Expected) -> bool:
    try:
        if expected.size is not None and path.stat().st_size != expected.size:
            return False
        if expected.algorithm == "size":
            if expected.size is None:
                return False  # nothing to compare with: fetch it again
            if path.suffix.lower() == ".zip":
                check_zip(path)
            return True
        return hash_file(path, expected.algorithm) == expected.checksum
    except (OSError, CDSEError):
        return False


def place_copy(source: Path, target: Path) -> None:
    """Put a verified file at ``target`` too: a hard link when possible, else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
    if tmp.stat().st_size != source.stat().st_size:
        tmp.unlink(missing_ok=True)
        raise OSError(f"copying {source} to {target} was incomplete")
    os.replace(tmp, target)
