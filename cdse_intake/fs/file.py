"""The file object of ``cdse://`` paths: read-only, blocks fetched with Range requests.

fsspec's buffered file with one fetcher, :meth:`CDSEFileSystem._cat_file` on the filesystem's
loop, so every read gets the filesystem's retries, token refresh and connection limit, and the
caching layers (``blockcache::`` swaps in its own cache over :meth:`_fetch_range`) work unchanged.
It pickles (dask, xarray) as a reference to the filesystem and path, without secrets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fsspec.asyn import sync
from fsspec.spec import AbstractBufferedFile

if TYPE_CHECKING:
    from .filesystem import CDSEFileSystem

__all__ = ["CDSEFile"]


class CDSEFile(AbstractBufferedFile):
    """A file inside a CDSE product (or a whole product as delivered), opened for reading."""

    fs: CDSEFileSystem

    def _fetch_range(self, start: int, end: int) -> bytes:
        return sync(self.fs.loop, self.fs._cat_file, self.path, start=start, end=end)

    def _upload_chunk(self, final: bool = False) -> Any:  # pragma: no cover - never writable
        raise NotImplementedError("cdse:// files are read-only")
