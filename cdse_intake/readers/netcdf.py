"""netCDF-4/HDF5 files of a product as lazy xarray objects that pickle.

xarray's own h5netcdf backend pickles only files it opened from a path; these open any file of a
:class:`~.source.ProductSource` (in a zip, remote) through a picklable opener, so the dataset
computes on dask workers, which reopen the file from the source themselves.

Every file opened here is closed before the interpreter finalises: by ``close()`` of the Dataset
or DataTree (readers pass their files' closers on with :func:`._closing.closing`), when xarray's
file manager is garbage collected, and at the latest by an ``atexit`` hook (see :class:`_File`).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import queue
import sys
import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

import h5netcdf

from ..errors import ProductNotFound
from ._closing import closing
from ._members import check_file, damaged
from .options import check_chunks
from .source import ProductSource

__all__ = [
    "checked_chunks",
    "checked_manager",
    "dimension_names",
    "file_manager",
    "group_paths",
    "open_netcdf",
    "open_netcdf_tree",
]

log = logging.getLogger(__name__)

#: How long the exit hook waits for the closer thread to finish the closes handed to it.
EXIT_TIMEOUT = 30.0


class _File(h5netcdf.File):
    """An h5netcdf file that never closes on an event loop's thread, and is closed at exit.

    xarray's file manager closes files when it is garbage collected, in whatever thread the
    collector runs, possibly fsspec's I/O loop. Closing needs h5py's global lock; a thread
    reading a remote file holds that lock while it waits for the I/O loop to fetch bytes: the
    two would wait for each other forever. Closes on a loop thread go to a closer thread.

    Files still open when the interpreter exits are closed by an ``atexit`` hook, registered
    when the first file opens. Without it they outlive finalisation (xarray keeps open files in
    a global cache, and the datasets using them sit in reference cycles that finalisation does
    not collect), and HDF5's own C exit handler closes them after Python is gone: for a file
    read through a Python file object (a zip member, a remote file) h5py's driver then calls
    into the dead interpreter, and the process ends with SIGSEGV (exit status 139) after all
    its work succeeded.

    No lock is held around a close: the collector can run ``__del__`` (a close) anywhere, also
    where a thread holds a lock another thread waits for while it holds h5py's. The
    bookkeeping relies on single dict/list operations being atomic instead.
    """

    def __init__(self, path: Any, *args: Any, **kwargs: Any) -> None:
        self._cdse_unclosed = [True]  # popped by whoever closes the file: exactly one closer
        self._cdse_fileobj = None if isinstance(path, (str, os.PathLike)) else path
        super().__init__(path, *args, **kwargs)
        _track(self)

    def close(self) -> None:
        if getattr(self, "_closed", True):  # closed, never opened, or a __del__ at the very end
            return
        if asyncio._get_running_loop() is not None:
            _hand_over(self)
        else:
            self._close_here()

    # h5netcdf's ``__del__`` is its own ``close`` (bound in its class body), which would bypass
    # the loop check when the collector frees a file on the loop's thread.
    __del__ = close

    def _close_here(self) -> None:
        try:
            self._cdse_unclosed.pop()
        except (IndexError, AttributeError):
            return  # closed, or being closed by another thread
        _OPEN.pop(id(self), None)
        try:
            super().close()
        finally:
            if self._cdse_fileobj is not None:  # the zip member or remote file HDF5 read
                with contextlib.suppress(Exception):
                    self._cdse_fileobj.close()


class _Closer:
    """The daemon thread closing the files that event-loop threads hand over.

    ``submit`` only puts the file on a :class:`queue.SimpleQueue` (safe in ``__del__``, even
    re-entrantly). The exit hook stops the thread and waits for it, so that it never runs into
    interpreter finalisation.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_File | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # start/stop only: never taken in a close
        self.stopped = False

    def start(self) -> None:
        with self._lock:
            if self._thread is not None or self.stopped:
                return
            self._thread = threading.Thread(target=self._run, name="cdse-h5-close", daemon=True)
            self._thread.start()
        while _LEFT:  # handed over while no thread ran (after a fork)
            with contextlib.suppress(IndexError):
                self._queue.put(_LEFT.pop())

    def submit(self, f: _File) -> bool:
        """Close ``f`` on the closer thread; False when the thread is not running."""
        if self.stopped or self._thread is None:
            return False
        self._queue.put(f)
        return True

    def stop(self, timeout: float) -> None:
        """Close what was submitted so far and end the thread; later submits are refused."""
        with self._lock:
            self.stopped = True
            thread, self._thread = self._thread, None
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout)
            if thread.is_alive():
                log.warning("cdse_intake: HDF5 files still closing after %s s at exit", timeout)

    def _run(self) -> None:
        while True:
            f = self._queue.get()
            if f is None:
                return
            try:
                f._close_here()
            except Exception:  # one failed close must not end the thread
                log.warning("cdse_intake: closing %r failed", f, exc_info=True)
            del f  # the queue's reference may be the last: free the file now

    def after_fork(self) -> None:
        # The child has no closer thread; the next file it opens starts one.
        self._queue = queue.SimpleQueue()
        self._thread = None
        self._lock = threading.Lock()


#: Files of this module still open, by id (weakly: a file garbage collected closes itself).
_OPEN: dict[int, weakref.ref[_File]] = {}
#: Files a loop thread closed while no closer thread ran: closed at exit (or by the next one).
_LEFT: list[_File] = []
_CLOSER = _Closer()
_hooked = [False]
_exited = [False]


def _track(f: _File) -> None:
    key = id(f)
    _OPEN[key] = weakref.ref(f, lambda _, key=key: _OPEN.pop(key, None))
    if not _hooked[0]:
        _hooked[0] = True  # a race registering twice is harmless
        # Registered after h5py is imported, so it runs before h5py's own atexit hook.
        atexit.register(_close_at_exit)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_CLOSER.after_fork)
    _CLOSER.start()


def _hand_over(f: _File) -> None:
    """Close ``f`` off this event-loop thread (see :class:`_File`)."""
    if _CLOSER.submit(f):
        return
    _LEFT.append(f)  # for the exit hook (or the next closer thread)
    if _exited[0]:
        # The exit hook is done: no reader is left to hold h5py's lock, so close here rather
        # than leave the file to HDF5's exit handler.
        _drain_left()


def _drain_left() -> None:
    while _LEFT:
        try:
            f = _LEFT.pop()
        except IndexError:
            return
        _close_quietly(f)


def _close_quietly(f: _File) -> None:
    try:
        f._close_here()
    except Exception:
        log.warning("cdse_intake: closing %r at exit failed", f, exc_info=True)


def _close_at_exit() -> None:
    """The ``atexit`` hook: stop the closer thread, then close every file still open, while
    Python is fully alive. It runs before the interpreter finalises, and so before HDF5's C exit
    handler, which then finds no file that needs Python to close."""
    _CLOSER.stop(EXIT_TIMEOUT)
    while _OPEN or _LEFT:
        _drain_left()
        for key, ref in list(_OPEN.copy().items()):
            _OPEN.pop(key, None)  # whatever happens next: never loop on it
            f = ref()
            if f is not None:
                _close_quietly(f)
            del f
    _exited[0] = True
    _drain_left()  # what a loop thread handed over before it saw ``_exited``
    _close_fileobj_files()


def _close_fileobj_files() -> None:
    """Close HDF5 files read through a Python file object that others left open (xarray's own
    ``h5netcdf`` engine on a file object, say): HDF5 would close them after Python is gone, and
    crash. Files opened from a path need no Python to close; HDF5 closes those itself."""
    h5py = sys.modules.get("h5py")
    if h5py is None:
        return
    try:
        for fid in h5py.h5f.get_obj_ids(types=h5py.h5f.OBJ_FILE):
            if fid.valid and fid.get_access_plist().get_driver() == h5py.h5fd.fileobj_driver:
                h5py.File(fid).close()
    except Exception:
        log.warning("cdse_intake: closing HDF5 files at exit failed", exc_info=True)


def _h5file(source: ProductSource, rel: str, mode: str = "r") -> Any:
    """Open ``rel`` of ``source`` with h5netcdf (module level: the file manager pickles it)."""
    target = source.local_path(rel) or source.open(rel)
    try:
        # phony_dims: Sentinel-3 and some S5P variables have dimensions without dimension scales
        return _File(target, mode, decode_vlen_strings=True, phony_dims="access")
    except BaseException:
        if not isinstance(target, str):
            target.close()
        raise


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


def checked_manager(source: ProductSource, rel: str = "", expected: str = "a netCDF-4 file") -> Any:
    """:func:`file_manager` of ``rel`` once the file is seen whole: an empty or foreign file, or
    one HDF5 cannot open (truncated), is an :class:`~cdse_intake.errors.UnsupportedProduct`
    naming it (``expected``: what it should be)."""
    check_file(source, rel)
    manager = _manager(source, rel)
    try:
        manager.acquire()
    except ProductNotFound:
        raise
    except (OSError, ValueError) as err:
        raise damaged(source, rel, err, expected) from err
    return manager


def dimension_names(
    source: ProductSource,
    rel: str = "",
    manager: Any = None,
    groups: Iterable[str] | None = None,
) -> list[str]:
    """The dimensions of the variables of the file (of its ``groups``, ``/A/B`` paths), to
    check a ``chunks`` dict against without opening the datasets."""
    manager = manager or _manager(source, rel)
    root = manager.acquire()
    found: dict[str, None] = {}
    for path in group_paths(source, rel, manager) if groups is None else groups:
        group = root if path in ("", "/") else root[path.strip("/")]
        for var in group.variables.values():
            found.update(dict.fromkeys(str(d) for d in var.dimensions))
    return list(found)


def checked_chunks(
    chunks: Any,
    source: ProductSource,
    rel: str = "",
    manager: Any = None,
    groups: Iterable[str] | None = None,
    what: str = "the arrays",
) -> Any:
    """``chunks`` checked (:func:`.options.check_chunks`); a dict against the dimensions of the
    file's (``groups``') variables, so that a dimension the product lacks is refused naming it."""
    if isinstance(chunks, Mapping) and chunks:
        dims = dimension_names(source, rel, manager, groups)
        return check_chunks(chunks, {d: d for d in dims}, what=what)
    return check_chunks(chunks)


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
    return closing(xr.DataTree.from_dict(datasets), datasets.values())
