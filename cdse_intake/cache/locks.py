"""Lock files of the cache that survive what may be found in their place.

A product's lock (``locks/<id>.lock``) is an ordinary ``filelock.FileLock`` (``flock``: a lock
held by a process that died is released by the kernel, its file stays harmless). What can stand
in its place is handled before the lock is taken, each in one logged line:

- a symbolic link: removed, never followed (the file lock opens with ``O_NOFOLLOW`` anyway, so
  nothing is ever created or truncated through it);
- a directory: set aside as ``<name>.stray-<time>`` (renamed, not deleted);
- a folder where no lock file can be created (a read-only cache): the lock then holds only
  within this process, said once per folder, so a read-only cache can still be read from and
  downloads to a ``dest`` folder still run.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["SafeLock", "clear_stray", "warn_once"]

log = logging.getLogger("cdse_intake.cache")

_WARNED: set[tuple[str, str]] = set()
_WARNED_LOCK = threading.Lock()
_LOCAL: dict[str, threading.Lock] = {}


def warn_once(key: tuple[str, str], message: str, *args: Any) -> None:
    """Log ``message`` as one warning line, once per process for ``key``."""
    with _WARNED_LOCK:
        if key in _WARNED:
            return
        _WARNED.add(key)
    log.warning(message, *args)


def _one_line(err: BaseException) -> str:
    """An error as one line, without repeating the path the message already names."""
    if isinstance(err, OSError):
        return " ".join(str(err.strerror or err).split())
    return " ".join(f"{type(err).__name__}: {err}".split())


def clear_stray(path: Path) -> None:
    """Remove a symlink, set aside a directory, found where the lock file ``path`` should be."""
    try:
        st = os.lstat(path)
    except OSError:
        return
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(path)
        try:
            os.unlink(path)
        except OSError as err:
            warn_once((str(path), "link"), "cannot remove the symbolic link %s: %s", path, err)
            return
        log.warning(
            "removed the symbolic link %s found in place of a lock file (to %s; not followed)",
            path,
            target,
        )
    elif stat.S_ISDIR(st.st_mode):
        aside = path.with_name(f"{path.name}.stray-{time.strftime('%Y%m%dT%H%M%S')}")
        try:
            os.rename(path, aside)
        except OSError as err:
            warn_once((str(path), "dir"), "cannot set aside the folder %s: %s", path, err)
            return
        log.warning("set aside the folder %s found in place of a lock file, as %s", path, aside)


class SafeLock:
    """A ``filelock.FileLock`` at ``path`` that clears strays first and falls back to a lock
    within this process when no lock file can be made. Same interface: ``acquire(timeout)``
    (``filelock.Timeout``), ``release(force)``, a context manager, ``is_locked``."""

    def __init__(self, path: Path) -> None:
        import filelock

        self.path = path
        self._file = filelock.FileLock(path, thread_local=False)
        self._local: threading.Lock | None = None

    def __repr__(self) -> str:
        return f"SafeLock({str(self.path)!r})"

    @property
    def is_locked(self) -> bool:
        return self._local is not None or self._file.is_locked

    @property
    def lock_file(self) -> str:
        return str(self.path)

    def acquire(self, timeout: float = -1, **kwargs: Any) -> SafeLock:
        import filelock

        if self.is_locked and self._local is None:
            self._file.acquire(timeout=timeout, **kwargs)  # re-entrant, as FileLock is
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            clear_stray(self.path)
            self._file.acquire(timeout=timeout, **kwargs)
            return self
        except filelock.Timeout:
            raise  # held by another: a TimeoutError, so an OSError, but no damage
        except OSError as err:
            warn_once(
                (str(self.path.parent), "locks"),
                "cannot lock %s (%s): locking within this process only",
                self.path,
                _one_line(err),
            )
        return self._acquire_local(timeout)

    def _acquire_local(self, timeout: float | None) -> SafeLock:
        import filelock

        with _WARNED_LOCK:
            lock = _LOCAL.setdefault(str(self.path), threading.Lock())
        wait = -1 if timeout is None or timeout < 0 else timeout
        if not lock.acquire(timeout=wait):
            raise filelock.Timeout(str(self.path))
        self._local = lock
        return self

    def release(self, force: bool = False) -> None:
        if self._local is not None:
            local, self._local = self._local, None
            local.release()
            return
        self._file.release(force=force)

    def __enter__(self) -> SafeLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
