"""Raster files of a product (JPEG 2000, GeoTIFF) as lazy, picklable DataArrays.

GDAL reads local zips natively (``/vsizip/``) and remote files through the ``cdse://``
filesystem by range (rasterio's ``opener``), so a window transfers only the tiles it needs; for
a remote JPEG 2000 those tiles are fetched first, in merged ranges, from the file's tile-part
index (:mod:`._jp2_window`). Dask chunks default to multiples of the file's own tiles (the
1024-px JP2 tiles of Sentinel-2, TIFF blocks). The result has ``x``/``y`` pixel-centre
coordinates and the CRS and transform in a ``spatial_ref`` coordinate (CF grid mapping, what
rioxarray reads and writes).

Not rioxarray's ``open_rasterio``: its file manager closes datasets from whichever thread drops
the last reference, and rasterio's Python-opener files must be closed in the context that opened
them (rasterio keeps their exit stacks in a ContextVar), so remote reads raised at garbage
collection. Here a read through an opener opens, reads and closes in one call, and local files
keep one open dataset per thread, all closed by an ``atexit`` hook (no GDAL dataset is left for
interpreter finalisation to free in whatever order it tears modules down).

Damaged files: :func:`checked_raster_info` refuses a member that is empty, foreign or (a local
TIFF) ends before its last block, naming it, before GDAL reads it. A file damaged mid-file (the
header reads, a block does not decode) fails when that block is computed: GDAL's error becomes an
:class:`~cdse_intake.errors.UnsupportedProduct` naming the file for a local product, and a
:class:`RasterReadError` (an ``OSError``: a retry may succeed) for a remote one.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import functools
import logging
import threading
import weakref
from dataclasses import dataclass
from typing import Any

from xarray.backends import BackendArray

from ..errors import CDSEError, UnsupportedProduct
from ._jp2_index import Jp2IndexError
from ._jp2_window import is_jp2, window_overlay
from ._partial import check_member
from ._remote_files import REMOTE_BLOCK as REMOTE_BLOCK
from ._remote_files import borrow
from .source import ProductSource

__all__ = [
    "RasterInfo",
    "RasterReadError",
    "axis_attrs",
    "checked_raster_info",
    "open_raster",
    "raster_info",
    "tile_chunks",
]


log = logging.getLogger("cdse_intake.readers")


class RasterReadError(CDSEError, OSError):
    """Pixels of a remote raster could not be read (network or damaged file): named, and still
    an ``OSError`` so that callers retry it as they would the network error."""


_REMOTE_LOCK = threading.Lock()

#: Open datasets of local files kept per thread (least recently used closed first).
LOCAL_DATASETS = 64

_local = threading.local()
#: Every thread's cache of open local datasets, by id (weakly: a thread's goes when it ends).
_CACHES: dict[int, weakref.ref[collections.OrderedDict[str, Any]]] = {}
_hooked = [False]


def _close_local_datasets() -> None:
    """The ``atexit`` hook: close the local datasets every thread keeps open, while Python is
    alive (a later read would reopen them)."""
    for ref in list(_CACHES.copy().values()):
        cache = ref()
        while cache:
            try:
                _, ds = cache.popitem(last=False)
            except KeyError:  # emptied meanwhile
                break
            with contextlib.suppress(Exception):
                ds.close()


@dataclass(frozen=True)
class RasterInfo:
    """What a raster file is, from its header alone."""

    width: int
    height: int
    count: int
    dtype: str
    crs: Any
    transform: Any
    block: tuple[int, int]
    nodata: float | None
    scales: tuple[float, ...]
    offsets: tuple[float, ...]
    descriptions: tuple[str | None, ...]
    tags: dict[str, str]
    band_tags: tuple[dict[str, str], ...] = ()
    """Each band's own metadata (GDAL's default domain: ``long_name``, ``flag_values``...)."""


def raster_info(source: ProductSource, rel: str = "") -> RasterInfo:
    """The header of the raster ``rel``: size, dtype, CRS, transform, tiling (no pixels read)."""
    with _opened(source, rel) as ds:
        return RasterInfo(
            width=ds.width,
            height=ds.height,
            count=ds.count,
            dtype=ds.dtypes[0],
            crs=ds.crs,
            transform=ds.transform,
            block=tuple(ds.block_shapes[0]),
            nodata=ds.nodata,
            scales=tuple(ds.scales),
            offsets=tuple(ds.offsets),
            descriptions=tuple(ds.descriptions),
            tags=dict(ds.tags()),
            band_tags=tuple(dict(ds.tags(i)) for i in range(1, ds.count + 1)),
        )


def checked_raster_info(source: ProductSource, rel: str = "", what: str = "raster") -> RasterInfo:
    """:func:`raster_info` of a member checked first: an empty, foreign (not the format of its
    extension) or, for a local TIFF, truncated file is refused with :class:`UnsupportedProduct`
    naming it, and so is a header GDAL cannot read (``what`` names the format expected)."""
    from rasterio.errors import RasterioError

    where = rel or source.name
    size = None if source.origin == "remote" else int(source.fs.size(source.path(rel)))
    remote = source.origin == "remote"  # the file the reads will use, its header kept
    with borrow(source.fs, source.path(rel)) if remote else source.open(rel) as f:
        head = f.read(16)
    check_member(source.location, where, head, size)
    try:
        info = raster_info(source, rel)
    except RasterioError as err:
        raise UnsupportedProduct(
            f"{source.location}: {where} is not a readable {what} (damaged or truncated?): "
            f"{_reason(err)}"
        ) from err
    if size is not None and head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        end = _last_block_end(source, rel)
        if end is not None and end > size:
            raise UnsupportedProduct(
                f"{source.location}: {where} is truncated: it has {size} bytes but its last "
                f"block ends at byte {end}"
            )
    return info


def _last_block_end(source: ProductSource, rel: str) -> int | None:
    """Where the TIFF's data ends by its tags: the furthest end of the last block of each band
    at full resolution and at each overview (GDAL writes overviews after the image, COGs
    before it, so the file's last bytes are one of those)."""
    with _opened(source, rel) as ds:
        block_y, block_x = ds.block_shapes[0]
        levels = [(None, ds.height, ds.width)] + [
            (i, -(-ds.height // f), -(-ds.width // f)) for i, f in enumerate(ds.overviews(1))
        ]
        ends = []
        for ovr, height, width in levels:
            row = -(-height // block_y) - 1
            col = -(-width // block_x) - 1
            for band in range(1, ds.count + 1):
                tags = [
                    ds.get_tag_item(f"BLOCK_{kind}_{col}_{row}", "TIFF", bidx=band, ovr=ovr)
                    for kind in ("OFFSET", "SIZE")
                ]
                if None not in tags:
                    ends.append(int(tags[0]) + int(tags[1]))
    return max(ends) if ends else None


def _reason(err: BaseException) -> str:
    """GDAL's words: rasterio's "Read failed. See previous exception" keeps them in the cause."""
    causes = [str(err)]
    cause = err.__cause__ or err.__context__
    while cause is not None and len(causes) < 4:
        causes.append(str(cause))
        cause = cause.__cause__ or cause.__context__
    return "; ".join(c for c in causes if c)


def open_raster(
    source: ProductSource,
    rel: str = "",
    *,
    chunks: Any = "auto",
    name: str | None = None,
    info: RasterInfo | None = None,
) -> Any:
    """The raster ``rel`` as a lazy ``(band, y, x)`` DataArray with coordinates and CRS.

    ``chunks``: ``"auto"`` (whole tiles, ~32 MB), dask chunks, or None (lazy, no dask). Pixel
    values are the file's raw values; ``_FillValue``, ``scale_factor`` and ``add_offset``
    attributes say how to decode them when the file defines them.
    """
    import numpy as np
    import xarray as xr
    from xarray.core import indexing

    info = info or raster_info(source, rel)
    array = indexing.LazilyIndexedArray(_RasterArray(source, rel, info))
    attrs: dict[str, Any] = {}
    if info.nodata is not None:
        attrs["_FillValue"] = np.array(info.nodata).astype(info.dtype).item()
    if any(s != 1 for s in info.scales):
        attrs["scale_factor"] = info.scales[0]
    if any(o != 0 for o in info.offsets):
        attrs["add_offset"] = info.offsets[0]
    t = info.transform
    x = t.c + t.a * (np.arange(info.width) + 0.5)
    y = t.f + t.e * (np.arange(info.height) + 0.5)
    da = xr.DataArray(
        xr.Variable(("band", "y", "x"), array, attrs),
        coords={"band": np.arange(1, info.count + 1), "y": y, "x": x},
        name=name,
    )
    if info.crs is not None:
        import rioxarray  # noqa: F401  (registers the .rio accessor)

        da = da.rio.write_crs(info.crs).rio.write_transform(info.transform)
        da.x.attrs.update(axis_attrs("x", info.crs))
        da.y.attrs.update(axis_attrs("y", info.crs))
    if chunks is not None:
        if chunks == "auto":
            # remote: one tile per chunk, so a small window transfers only the tiles it needs
            chunks = tile_chunks(info, target=1 if source.origin == "remote" else 32 * 2**20)
        da = da.chunk(chunks, name_prefix=f"{name or 'raster'}-")
    return da


def tile_chunks(info: RasterInfo, target: int = 32 * 2**20) -> dict[str, int]:
    """Chunks made of whole tiles of the file, grown (doubling) up to ``target`` bytes."""
    import numpy as np

    block_y, block_x = info.block
    itemsize = np.dtype(info.dtype).itemsize
    ny = nx = 1
    # double the tile count along each axis not yet covered (strips grow only in y)
    while True:
        grow_y, grow_x = ny * block_y < info.height, nx * block_x < info.width
        if not (grow_y or grow_x):
            break
        next_y, next_x = (ny * 2 if grow_y else ny), (nx * 2 if grow_x else nx)
        size = min(info.height, next_y * block_y) * min(info.width, next_x * block_x)
        if size * itemsize > target:
            break
        ny, nx = next_y, next_x
    return {"band": 1, "y": min(info.height, ny * block_y), "x": min(info.width, nx * block_x)}


class _RasterArray(BackendArray):
    """xarray's lazy backend array over one raster file, picklable (source + path)."""

    def __init__(self, source: ProductSource, rel: str, info: RasterInfo) -> None:
        import numpy as np

        self.source = source
        self.rel = rel
        self.shape = (info.count, info.height, info.width)
        self.dtype = np.dtype(info.dtype)

    def __getitem__(self, key: Any) -> Any:
        from xarray.core import indexing

        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.OUTER, self._read
        )

    def _read(self, key: tuple[Any, ...]) -> Any:
        import numpy as np
        from rasterio.windows import Window

        count, height, width = self.shape
        bands = np.arange(1, count + 1)[key[0]]
        rows = np.arange(height)[key[1]]
        cols = np.arange(width)[key[2]]
        if 0 in (np.size(bands), np.size(rows), np.size(cols)):
            return np.empty(
                tuple(np.size(k) for k in (bands, rows, cols) if np.ndim(k)), self.dtype
            )
        r0, c0 = int(np.min(rows)), int(np.min(cols))
        window = Window(c0, r0, int(np.max(cols)) + 1 - c0, int(np.max(rows)) + 1 - r0)
        from rasterio.errors import RasterioError

        try:
            span = ((r0, r0 + window.height), (c0, c0 + window.width))
            with _opened(self.source, self.rel, span) as ds:
                data = ds.read(np.atleast_1d(bands).tolist(), window=window)
        except RasterioError as err:
            where = f"{self.source.location}: {self.rel or self.source.name}"
            if self.source.origin == "remote":  # the network, maybe: a retry may pass
                raise RasterReadError(
                    f"{where}: reading rows {r0}-{window.row_off + window.height - 1} failed: "
                    f"{_reason(err)}"
                ) from err
            raise UnsupportedProduct(
                f"{where} is damaged or truncated: its pixels at rows {r0}-"
                f"{window.row_off + window.height - 1}, columns {c0}-"
                f"{window.col_off + window.width - 1} cannot be read: {_reason(err)}"
            ) from err
        # the window is the bounding box; pick the requested rows/columns (ints drop their axis)
        data = data[0] if np.ndim(bands) == 0 else data
        data = data[..., rows - r0, :]
        return data[..., cols - c0]


class _opened:
    """A rasterio dataset of ``rel``: cached per thread for local files; opened and closed
    around each use for files read through an opener (see the module docstring)."""

    def __init__(self, source: ProductSource, rel: str, span: Any = None) -> None:
        self.path, self.kwargs = source.raster(rel)
        if "opener" in self.kwargs:
            # the window's bytes fetched here, before the lock: other threads' fetches overlap
            overlay = _overlay(source, rel, span) if span is not None else None
            self.kwargs = {
                "opener": functools.partial(_open_remote, self.kwargs["opener"], overlay=overlay)
            }
        self.ds: Any = None

    def __enter__(self) -> Any:
        import rasterio

        if "opener" in self.kwargs:
            # One remote dataset open at a time per process, on one GDAL thread: rasterio's
            # Python-opener bridge is not thread-safe (concurrent opens from dask threads fail
            # with "I/O operation on closed file"), and GDAL's JPEG 2000 driver decoding tiles
            # in parallel through one Python file object returns zeros or garbage. Remote reads
            # are network-bound and CDSE allows 4 connections per account: parallelism comes
            # from dask worker processes.
            _REMOTE_LOCK.acquire()
            # No side-car probing (.aux.xml, .msk, .ovr, RPC .txt: none is in a CDSE product):
            # through the opener, each probe was a listing request to the service.
            self.env = rasterio.Env(
                GDAL_NUM_THREADS="1",
                GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR",
                GDAL_PAM_ENABLED="NO",
            )
            try:
                self.env.__enter__()
                self.ds = rasterio.open(self.path, **self.kwargs)
            except BaseException:
                self.env.__exit__(None, None, None)
                _REMOTE_LOCK.release()
                raise
            return self.ds
        cache = getattr(_local, "datasets", None)
        if cache is None:
            cache = _local.datasets = collections.OrderedDict()
            key = id(cache)
            _CACHES[key] = weakref.ref(cache, lambda _, key=key: _CACHES.pop(key, None))
            if not _hooked[0]:
                _hooked[0] = True
                atexit.register(_close_local_datasets)
        ds = cache.pop(self.path, None)
        if ds is None or ds.closed:
            ds = rasterio.open(self.path)
        cache[self.path] = ds
        while len(cache) > LOCAL_DATASETS:
            cache.popitem(last=False)[1].close()
        return ds

    def __exit__(self, *exc: object) -> None:
        if self.ds is not None:
            try:
                self.ds.close()
            finally:
                self.env.__exit__(None, None, None)
                _REMOTE_LOCK.release()


def _open_remote(fs: Any, path: str, mode: str = "rb", overlay: Any = None, **kw: Any) -> Any:
    # readahead: each read fetches what it asks for plus one small block, in one request. GDAL
    # reads a JPEG 2000 header, then hops from tile header to tile header (skipping tile data)
    # to the tiles it needs, then reads those whole: small blocks keep the hops cheap, and the
    # overlay of a planned window answers them all. The file stays open for the next read, its
    # header kept (:mod:`._remote_files`).
    return borrow(fs, path, overlay)


def _overlay(source: ProductSource, rel: str, span: Any) -> Any:
    """The prefetched tile-parts of a remote JPEG 2000 window (None for other files, or when
    the file's tiles cannot be indexed: GDAL then reads it as any other, and says what is
    wrong if it cannot either)."""
    path = source.path(rel)
    if not is_jp2(path):
        return None
    try:
        return window_overlay(source.fs, path, *span)
    except Jp2IndexError as err:
        _warn_once(f"{source.location}: {rel or source.name}: no tile index ({err}); read as is")
        return None


@functools.lru_cache(maxsize=256)
def _warn_once(message: str) -> None:
    log.warning(message)


def axis_attrs(axis: str, crs: Any) -> dict[str, str]:
    """CF attributes of the ``x``/``y`` coordinate of a grid in ``crs``."""
    if crs.is_geographic:
        return (
            {"standard_name": "longitude", "units": "degrees_east", "axis": "X"}
            if axis == "x"
            else {"standard_name": "latitude", "units": "degrees_north", "axis": "Y"}
        )
    kind = "projection_x_coordinate" if axis == "x" else "projection_y_coordinate"
    return {"standard_name": kind, "units": "metre", "axis": axis.upper()}
