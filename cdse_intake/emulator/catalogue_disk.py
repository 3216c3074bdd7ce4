"""Generated catalogues kept on disk, so each emulator process does not generate its own.

Generating the default catalogue (~77,000 records) takes ~5 s of pure Python; every emulator
started in a fresh process (the CLI, a notebook's kernel, a test's subprocess, a user's CI job)
paid it. A generated catalogue is pickled to ``<folder>/catalogue-<key>.pickle`` and read back
in ~0.7 s. ``key`` digests the generation's arguments, the code that generates records (the
import closure of :mod:`.catalogue` inside the emulator, with the package data those modules
read) and the versions of the libraries whose values end up in records, so a file is only
found for the records it holds; files of other keys are removed when one is written (at most
:data:`KEEP` kept). Small catalogues (tests' ``scale=0.02``) are generated faster than read
and are not kept.

The folder is :func:`.sums.default_folder` (``$CDSE_EMULATOR_CACHE``; ``off``: nothing kept).
Files are written atomically and readable by their owner only; a file that cannot be read
(truncated, another Python) is generated again. Like any cache of pickles, the folder must not
be writable by others: it is the user's own cache directory.
"""

from __future__ import annotations

import contextlib
import copyreg
import gc
import hashlib
import importlib.metadata
import os
import pickle
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .payloads import LAZY
from .sums import default_folder
from .sums_pack import HERE, PACK_DIR, emulator_closure

if TYPE_CHECKING:
    from .catalogue import Catalogue

__all__ = ["KEEP", "MIN_RECORDS", "generating", "keep", "load", "save"]

#: Catalogues smaller than this are generated in less time than reading them back takes.
MIN_RECORDS = 20_000
#: Catalogue files kept (the least recently used beyond these are removed); the variable
#: ``CDSE_EMULATOR_CACHE_KEEP`` sets another number (a test suite's run folder keeps them all).
KEEP = 4
#: Seconds a process waits for another generating the same catalogue before generating its own.
WAIT = 300.0
_LIBRARIES = ("numpy", "shapely")

# Records hold the one LAZY object in the fields computed from the bytes: pickled by name, so a
# record read back still computes them on first read.
copyreg.pickle(type(LAZY), lambda _: "LAZY")


@cache
def code_key() -> str:
    """A digest of the code and data that generate records, and of the Python and libraries."""
    files = emulator_closure(HERE / "catalogue.py")
    for folder in {p.parent / "data" for p in files}:
        if folder.is_dir():
            files |= {p for p in folder.rglob("*") if p.is_file() and PACK_DIR not in p.parents}
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(files):
        digest.update(str(path.relative_to(HERE)).encode())
        digest.update(path.read_bytes())
    for name in _LIBRARIES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            digest.update(f"{name}=={importlib.metadata.version(name)}".encode())
    return digest.hexdigest()


def _path(arguments: tuple[Any, ...]) -> Path | None:
    folder = default_folder()
    if folder is None:
        return None
    digest = hashlib.sha256(f"{code_key()};{arguments!r}".encode()).hexdigest()[:20]
    return folder / f"catalogue-{digest}.pickle"


@contextlib.contextmanager
def generating(arguments: tuple[Any, ...]) -> Iterator[None]:
    """Held while this process generates the catalogue of ``arguments``: a second process
    starting meanwhile (xdist's workers, notebooks' kernels opened together) waits, then loads
    the file instead of generating the same ~77,000 records (25 s on a slow core) alongside.
    Past :data:`WAIT` seconds, or without a folder, it generates its own."""
    path = _path(arguments)
    if path is None:
        yield
        return
    import filelock

    lock = filelock.FileLock(path.with_suffix(".lock"), timeout=WAIT, thread_local=False)
    held = False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
        held = True
    except (OSError, filelock.Timeout):
        pass  # an unwritable folder, or a generation that seems stuck: generate our own
    try:
        yield
    finally:
        if held:
            lock.release()


def load(arguments: tuple[Any, ...]) -> Catalogue | None:
    """The catalogue generated with ``arguments`` by this code, if kept; else None."""
    path = _path(arguments)
    try:
        status = path.stat() if path is not None else None
    except OSError:
        return None
    if status is None or status.st_uid != os.getuid() or status.st_mode & 0o022:
        return None  # only a file this user wrote and nobody else can change is unpickled
    enabled = gc.isenabled()
    gc.disable()  # ~500k objects: the collector rescanning them tripled the time to read
    try:
        with path.open("rb") as stream:
            catalogue = pickle.load(stream)  # noqa: S301 - our own file, owner-only, keyed
        os.utime(path)  # recently used
    except Exception:  # a damaged or foreign file: generated again
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    finally:
        if enabled:
            gc.enable()
    from .catalogue import Catalogue

    return catalogue if isinstance(catalogue, Catalogue) else None


def save(arguments: tuple[Any, ...], catalogue: Catalogue) -> None:
    """Keep ``catalogue`` (generated with ``arguments``) if it is worth it; failures are quiet."""
    path = _path(arguments)
    if path is None or len(catalogue) < MIN_RECORDS:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as stream:
            pickle.dump(catalogue, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:  # a full or read-only disk: generated again next time
        with contextlib.suppress(OSError):
            temporary.unlink()
        return
    kept = sorted(path.parent.glob("catalogue-*.pickle"), key=_mtime, reverse=True)
    for old in kept[keep() :]:
        with contextlib.suppress(OSError):
            old.unlink()
            old.with_suffix(".lock").unlink(missing_ok=True)


def keep() -> int:
    """How many catalogue files a folder keeps: ``$CDSE_EMULATOR_CACHE_KEEP``, else :data:`KEEP`."""
    text = os.environ.get("CDSE_EMULATOR_CACHE_KEEP", "").strip()
    if not text:
        return KEEP
    if not text.isdigit() or int(text) < 1:
        raise ValueError(
            f"CDSE_EMULATOR_CACHE_KEEP={text!r}: expected a whole number of files, 1 or more"
        )
    return int(text)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
