"""A USGS Collection 2 bundle on disk: its file name, and the check a download must pass."""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

from ..errors import ChecksumMismatch
from ..product import Product

__all__ = ["check_bundle", "target_of"]

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
_BLOCK = 1 << 20


def target_of(product: Product, folder: Path) -> Path:
    """``<folder>/<name>.tar``; ValueError for a name that is no plain file name."""
    if not _SAFE_NAME.match(product.name):
        raise ValueError(f"product name {product.name!r} cannot be a file name")
    return folder / f"{product.name}.tar"


def check_bundle(path: Path) -> int:
    """Read the whole tar at ``path``; its member count. ChecksumMismatch when it is not a
    complete, safe tar of regular files (UnsafePathError for a member leaving its folder)."""
    from ..cache.safety import check_member

    count = 0
    try:
        with tarfile.open(path, mode="r:") as tar:
            for member in tar:
                check_member(member.name)
                if not (member.isfile() or member.isdir()):
                    raise ChecksumMismatch(f"{path.name}: member {member.name!r} is no file")
                if member.isfile():
                    source = tar.extractfile(member)
                    left = member.size
                    while left > 0 and source is not None:
                        piece = source.read(min(_BLOCK, left))
                        if not piece:
                            raise ChecksumMismatch(f"{path.name}: {member.name!r} is cut short")
                        left -= len(piece)
                count += 1
    except (tarfile.TarError, EOFError, OSError) as err:
        raise ChecksumMismatch(f"{path.name}: not a complete tar: {err}") from err
    if not count:
        raise ChecksumMismatch(f"{path.name}: an empty tar")
    return count
