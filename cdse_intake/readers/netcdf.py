"""netCDF-4/HDF5 files of a product as lazy xarray objects that pickle.

xarray's own h5netcdf backend pickles only files it opened from a path; these open any file of a
:class:`~.source.ProductSource` (in a zip, remote) through a picklable opener, so the dataset
computes on dask workers, which reopen the file from the source themselves.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import h5netcdf

from .source import ProductSource

__all__ = ["file_manager", "group_paths", "open_netcdf", "open_netcdf_tree"]


class _File(h5netcdf.File):
    """An h5netcdf file that never closes on an event loop's thread.

    xarray's file manager closes files when it is garbage collected, in whatever thread the
    collector runs, possibly fsspec's I/O loop. Closing needs h5py's global lock; a thread
    reading a remote file holds that lock while it waits for the I/O loop to fetch bytes: the
    two would wait for each other forever. Closes on a loop thread go to a closer thread.
    """

    def close(self) -> None:
        if asyncio._get_running_loop() is not None:
            _closer().submit(super().close)
        else:
            super().close()


@functools.cache
def _closer() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="cdse-h5-close")


def _h5file(source: ProductSource, rel: str, mode: str = "r") -> Any:
    """Open ``rel`` of ``source`` with h5netcdf (module level: the file manager pickles it)."""
    target = source.local_path(rel) or source.open(rel)
    # phony_dims: Sentinel-3 and some S5P variables have dimensions without dimension scales
    return _File(target, mode, decode_vlen_strings=True, phony_dims="access")


def file_manager(source: ProductSource, rel: str = "") -> Any:
    """xarray's picklable file manager of ``rel``: pass it to :func:`group_paths` and
    :func:`open_netcdf_tree` so that they read one open file (a remote file is fetched once)."""
    return _manager(source, rel)


def _manager(source: ProductSource, rel: str) -> Any:
    from xarray.backends import CachingFileManager

    # One id per file: every manager of the same file shares xarray's cached open file, so a
    # remote file listed, then opened group by group, is fetched once (xarray closes it when the
    # last manager is gone, or when its LRU of open files overflows).
    return CachingFileManager(
        _h5file, source, rel, mode="r", manager_id=("cdse", *source._key(), rel)
    )


def open_netcdf(
    source: ProductSource,
    rel: str = "",
    *,
    group: str | None = None,
    chunks: Any = "auto",
    **kwargs: Any,
) -> Any:
    """The (group of the) netCDF file ``rel`` as a lazy Dataset, dask chunks on the file's
    own HDF5 chunking. ``kwargs`` go to :func:`xarray.open_dataset` (``mask_and_scale``, …)."""
    import xarray as xr
    from xarray.backends import H5NetCDFStore

    store = H5NetCDFStore(_manager(source, rel), group=group, mode="r")
    return xr.open_dataset(store, chunks=chunks, **kwargs)


def group_paths(source: ProductSource, rel: str = "", manager: Any = None) -> list[str]:
    """Every group of the file, as ``/A/B`` paths, the root ``/`` first.

    The file stays open in xarray's file cache, shared with the datasets opened from it next.
    """
    manager = manager or _manager(source, rel)  # kept: dropping it would close the file
    root = manager.acquire()
    out = ["/"]

    def walk(group: Any, prefix: str) -> None:
        for name, child in group.groups.items():
            path = f"{prefix}/{name}"
            out.append(path)
            walk(child, path)

    walk(root, "")
    return out


def open_netcdf_tree(
    source: ProductSource,
    rel: str = "",
    *,
    chunks: Any = "auto",
    groups: Iterable[str] | None = None,
    manager: Any = None,
    **kwargs: Any,
) -> Any:
    """The whole netCDF file ``rel`` as a lazy DataTree, one node per group; ``groups``: only
    these (``/A/B`` paths as :func:`group_paths` lists them, e.g. to skip a large metadata tree);
    ``manager``: a :func:`file_manager` already used on the file."""
    import xarray as xr
    from xarray.backends import H5NetCDFStore

    manager = manager or _manager(source, rel)
    datasets = {}
    for path in group_paths(source, rel, manager) if groups is None else groups:
        store = H5NetCDFStore(manager, group=None if path == "/" else path, mode="r")
        datasets[path] = xr.open_dataset(store, chunks=chunks, **kwargs)
    return xr.DataTree.from_dict(datasets)
