"""Checksums of files: CDSE's BLAKE3 and MD5, or the size alone, through one hasher interface."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from ..errors import CDSEError

__all__ = ["ALGORITHMS", "hash_file", "new_hasher", "normalise_algorithm"]

ALGORITHMS = ("BLAKE3", "MD5", "size")
"""How a file can be verified: CDSE's checksum algorithms, or its size (+ zip check) alone."""

_CHUNK = 1 << 20


def normalise_algorithm(name: str) -> str:
    for known in ALGORITHMS:
        if str(name).lower() == known.lower():
            return known
    raise CDSEError(f"unknown checksum algorithm {name!r}; expected one of {list(ALGORITHMS)}")


class _SizeOnly:
    """A hasher for the "size" algorithm: counts bytes; the digest is the size."""

    def __init__(self) -> None:
        self.size = 0

    def update(self, data: bytes | bytearray | memoryview) -> None:
        self.size += len(data)

    def hexdigest(self) -> str:
        return str(self.size)


def new_hasher(algorithm: str) -> Any:
    """A fresh hasher (``update``/``hexdigest``) for ``"BLAKE3"``, ``"MD5"`` or ``"size"``."""
    algorithm = normalise_algorithm(algorithm)
    if algorithm == "BLAKE3":
        import blake3

        return blake3.blake3()
    if algorithm == "MD5":
        return hashlib.md5(usedforsecurity=False)
    return _SizeOnly()


def hash_file(path: str | os.PathLike[str], algorithm: str) -> str:
    """The lowercase hex digest of a file (its size as text for ``"size"``)."""
    hasher = new_hasher(algorithm)
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()
