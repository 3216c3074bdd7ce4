"""Writes of gathered chunks: one ``pwritev`` at a known offset, no joined copy.

The downloader receives a product in chunks of whatever size the socket gives; joining them
before a write copies every byte once more (measurable: ~0.4 s of a 336 MB batch on a 2-core
machine). ``pwritev`` hands the kernel the chunks themselves, at an explicit offset, so the
file position (used by the resume read and by ``truncate``) never matters.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

__all__ = ["pwrite_all"]


def pwrite_all(fd: int, chunks: Sequence[bytes], offset: int) -> int:
    """Write ``chunks`` in order at ``offset`` of ``fd`` (``pwritev``, short writes resumed);
    the offset after them. The file position is not used, nor moved."""
    views = [memoryview(c).cast("B") for c in chunks if len(c)]
    first = 0
    while first < len(views):
        written = os.pwritev(fd, views[first : first + _IOV_MAX], offset)
        if written <= 0:
            raise OSError(f"could not write at byte {offset}: the write wrote nothing")
        offset += written
        while written:
            size = len(views[first])
            if written >= size:
                written -= size
                first += 1
            else:
                views[first] = views[first][written:]
                written = 0
    return offset


def _iov_max() -> int:
    """Buffers one ``pwritev`` may take (POSIX's IOV_MAX; 1024 on Linux)."""
    try:
        found = os.sysconf("SC_IOV_MAX")
    except (AttributeError, ValueError, OSError):
        found = -1
    return min(found, 1024) if found > 0 else 16


_IOV_MAX = _iov_max()
