"""Where a product's files are: one picklable view over a zip, a folder, a file or ``cdse://``.

Every reader works on a :class:`ProductSource` and names files by their path *inside the product
folder* (``GRANULE/…/B04_10m.jp2``, ``manifest.safe``), whatever the product's form:

- a zip in the cache or anywhere on disk, read in place through fsspec's ``zip`` filesystem
  (CDSE's zips hold a top-level ``<Name>.SAFE/`` folder; older archives and hand-made zips do
  not, and some drop the ``.SAFE``/``.SEN3`` suffix: the folder is found, not assumed);
- an unzipped product folder, or a single-file product (S5P netCDF, CLMS GeoTIFF);
- a tar, read in place the same way (USGS's Landsat Collection 2 bundles: the product's files
  with no top folder, the product named by the file; GDAL reads them as ``/vsitar/`` paths);
- a product on CDSE, read file by file with range requests through :class:`~cdse_intake.fs.
  CDSEFileSystem` (``Nodes`` over HTTPS or the ``eodata`` bucket over S3).

A source pickles as its filesystem's options and paths (never a secret), so datasets built on it
compute on dask workers. Rasters in local zips are handed to GDAL as ``/vsizip/`` paths (GDAL
reads them natively, thread-safe); elsewhere GDAL reads through the source's fsspec filesystem.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import ProductNotFound, UnsupportedProduct
from ..product import FOLDER_SUFFIXES, is_single_file_name

__all__ = ["ProductSource", "from_local", "from_remote"]

Origin = Literal["zip", "tar", "directory", "file", "remote"]


@dataclass(frozen=True, eq=False)
class ProductSource:
    """The files of one product, addressed relative to the product folder."""

    name: str
    """The product's name as best known (the zip's top folder, the folder or file name, or the
    catalogue's name for a remote product)."""
    fs: Any
    """An fsspec filesystem holding the product."""
    root: str
    """The product folder (or single file) in ``fs``; ``""`` for a zip without a top folder."""
    origin: Origin
    location: str
    """Where the product is, for messages: a local path or a ``cdse://`` URL."""
    archive: str | None = None
    """The local zip (or tar) file, for ``origin == "zip"`` (``"tar"``)."""
    product: Any = None
    """The catalogue :class:`~cdse_intake.product.Product`, when known."""
    _files: list[str] | None = field(default=None, repr=False, compare=False)

    @property
    def single_file(self) -> bool:
        """Whether the product is one file (S5P netCDF, GeoTIFF) rather than a folder."""
        return self.origin == "file" or (self.origin == "remote" and is_single_file_name(self.name))

    def __repr__(self) -> str:
        return f"ProductSource({self.name!r}, {self.origin}: {self.location!r})"

    # Value semantics: a source unpickled on a dask worker is the same source, so xarray's file
    # caches (keyed on their opener's arguments) keep one open file per worker, not one per task.
    def _key(self) -> tuple[str, str, str]:
        return (self.origin, self.location, self.root)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProductSource) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    # -- paths -------------------------------------------------------------------------------------
    def path(self, rel: str = "") -> str:
        """The path in :attr:`fs` of the file ``rel`` inside the product (``""``: the product)."""
        rel = rel.strip("/")
        if not rel:
            return self.root
        if self.single_file:
            raise FileNotFoundError(
                f"{rel!r} is not in {self.location}: the product is a single file"
            )
        return f"{self.root}/{rel}" if self.root else rel

    def files(self) -> list[str]:
        """Every file of the product, relative to its folder, sorted (``[""]`` for one file)."""
        if self._files is None:
            if self.single_file:
                found = [""]
            else:
                prefix = f"{self.root}/" if self.root else ""
                found = sorted(
                    p[len(prefix) :] if p.startswith(prefix) else p
                    for p in self.fs.find(self.root or "")
                )
            object.__setattr__(self, "_files", found)
        return list(self._files or ())

    def find(self, pattern: str) -> list[str]:
        """Files whose relative path matches the shell ``pattern`` (``*`` also crosses ``/``);
        matching ignores case, as SAFE products of different processors differ in case."""
        compiled = re.compile(fnmatch.translate(pattern.lower()))
        return [f for f in self.files() if compiled.match(f.lower())]

    def find_one(self, pattern: str, what: str) -> str:
        """The single file matching ``pattern``; a clear error when none or several do."""
        found = self.find(pattern)
        if len(found) != 1:
            have = "none" if not found else ", ".join(found[:5])
            raise UnsupportedProduct(
                f"{self.location}: expected exactly one {what} matching {pattern!r}, found {have}"
            )
        return found[0]

    def exists(self, rel: str) -> bool:
        """Whether the product holds the file ``rel``."""
        rel = rel.strip("/")
        return rel in self.files() if rel else True

    # -- reading -----------------------------------------------------------------------------------
    def open(self, rel: str = "", mode: str = "rb", **kwargs: Any) -> Any:
        """A binary file object for ``rel`` (seekable; remote files read by range)."""
        try:
            return self.fs.open(self.path(rel), mode, **kwargs)
        except FileNotFoundError as err:
            raise ProductNotFound(f"{rel or self.name!r} is not in {self.location}") from err

    def read_bytes(self, rel: str = "") -> bytes:
        """The whole content of the file ``rel``."""
        with self.open(rel) as f:
            return f.read()

    def local_path(self, rel: str = "") -> str | None:
        """The file's path on the local disk, when it is a plain file there."""
        if self.origin in ("directory", "file"):
            return self.path(rel)
        return None

    def raster(self, rel: str = "") -> tuple[str, dict[str, Any]]:
        """``(path, rasterio.open keyword arguments)`` to open the raster ``rel`` with GDAL."""
        local = self.local_path(rel)
        if local is not None:
            return local, {}
        if self.origin in ("zip", "tar"):
            # Braces: GDAL finds the archive whatever its name (a zip saved without ``.zip``).
            return f"/vsi{self.origin}/{{{self.archive}}}/{self.path(rel)}", {}
        return self.path(rel), {"opener": self.fs}

    def mapper(self, rel: str = "") -> Any:
        """A key-value view of the folder ``rel`` (for Zarr)."""
        return self.fs.get_mapper(self.path(rel))

    def url(self, rel: str = "") -> str:
        """An fsspec URL of ``rel`` (``zip://…::/cache/….zip``, ``cdse://…``, a local path)."""
        path = self.path(rel)
        if self.origin in ("zip", "tar"):
            return f"{self.origin}://{path}::{self.archive}"
        if self.origin == "remote":
            return f"cdse://{path}"
        return path

    @property
    def storage_options(self) -> dict[str, Any]:
        """Options to pass with :meth:`url` to fsspec-aware libraries."""
        if self.origin == "remote":
            return dict(self.fs.storage_options)
        return {}


def from_local(path: str | os.PathLike[str], product: Any = None) -> ProductSource:
    """A source over a local zip, product folder or single-file product."""
    p = Path(path).expanduser()
    if not p.exists():
        raise ProductNotFound(f"no such file or folder: {str(p)!r}")
    p = p.resolve()
    if p.is_dir():
        return _directory(p, product)
    if _is_zip(p):
        return _zip(p, product)
    if _is_tar(p):
        return _archive(p, product, "tar")
    from fsspec.implementations.local import LocalFileSystem

    return ProductSource(p.name, LocalFileSystem(), str(p), "file", str(p), product=product)


def from_remote(fs: Any, product: Any) -> ProductSource:
    """A source reading ``product`` from CDSE through the ``cdse://`` filesystem ``fs``."""
    return ProductSource(
        product.name, fs, product.name, "remote", f"cdse://{product.name}", product=product
    )


def _directory(p: Path, product: Any) -> ProductSource:
    from fsspec.implementations.local import LocalFileSystem

    fs = LocalFileSystem()
    root = p
    entries = [e for e in p.iterdir() if not e.name.startswith(".")]
    # A folder that only wraps the product folder (an unzipped CDSE zip): step inside.
    if len(entries) == 1 and entries[0].is_dir() and _looks_like_product_folder(entries[0].name):
        root = entries[0]
    return ProductSource(root.name, fs, str(root), "directory", str(p), product=product)


def _zip(p: Path, product: Any) -> ProductSource:
    return _archive(p, product, "zip")


def _archive(p: Path, product: Any, kind: Literal["zip", "tar"]) -> ProductSource:
    st = p.stat()
    fs = (_zip_fs if kind == "zip" else _tar_fs)(str(p), st.st_mtime_ns, st.st_size)
    top = fs.ls("", detail=True)
    dirs = [e for e in top if e["type"] == "directory"]
    files = [e for e in top if e["type"] != "directory"]
    if len(dirs) == 1 and not files:
        root = dirs[0]["name"].strip("/")
        name = root.rsplit("/", 1)[-1]
    else:  # no top-level folder: the zip's root is the product folder
        root = ""
        name = p.stem
    return ProductSource(name, fs, root, kind, str(p), archive=str(p), product=product)


@functools.lru_cache(maxsize=64)
def _zip_fs(path: str, mtime_ns: int, size: int) -> Any:
    """One zip filesystem per version of the file (its central directory is read once)."""
    from fsspec.implementations.zip import ZipFileSystem

    return ZipFileSystem(fo=path, skip_instance_cache=True)


@functools.lru_cache(maxsize=64)
def _tar_fs(path: str, mtime_ns: int, size: int) -> Any:
    """One tar filesystem per version of the file (its member index is read once)."""
    from fsspec.implementations.tar import TarFileSystem

    return TarFileSystem(fo=path, skip_instance_cache=True)


def _is_tar(p: Path) -> bool:
    """A POSIX (ustar) or GNU tar: the magic at offset 257 of its first header."""
    with open(p, "rb") as f:
        f.seek(257)
        return f.read(5) == b"ustar"


def _looks_like_product_folder(name: str) -> bool:
    return name.endswith(FOLDER_SUFFIXES) or name.count("_") >= 4


def _is_zip(p: Path) -> bool:
    with open(p, "rb") as f:
        return f.read(4) == b"PK\x03\x04"
