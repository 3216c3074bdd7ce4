"""Size profiles of the emulator's products: ``small`` (the default) and ``realistic``.

``small``: every product is the few-hundred-KB build of its writer (:mod:`.products`), whose
sizes and checksums ship with the package, so tests and listings of thousands stay fast.

``realistic``: the showcase's Sentinel-2 L2A and Sentinel-1 IW GRD products (the first ones of
the demo's area, ``Catalogue.materialised``, online and without a fault) are full-size SAFE
products instead, for benchmarks and demos of progress, pause and resume:

- Sentinel-2 L2A: :data:`S2_PIXELS` x :data:`S2_PIXELS` pixels at 10 m, losslessly encoded
  JPEG 2000 tiled as ESA tiles them (:mod:`.products.large_s2`), about 200 MB each; its build
  takes about a minute on two cores.
- Sentinel-1 IW GRD: :data:`S1_SHAPE` lines x samples per polarisation, uncompressed uint16
  GeoTIFFs as ESA's (:mod:`.products.large_s1`: the small writer's SAFE layout, names and XML at
  that size), 150 MB per polarisation, about 300 MB each (dual-polarisation); its build takes
  a few seconds (strip by strip: ~50 MB of memory).

Each is built on first use (its size and checksums are listed, so the first listing of one
waits for its build) into :func:`folder` and reused from there by later runs. Only the showcase
grows: a full-size product cannot be listed without being built, and a search page of
never-built full-size products would take an hour.
"""

from __future__ import annotations

import copy
import functools
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .payloads import LAZY, Payload
from .sums import default_folder

if TYPE_CHECKING:
    from .catalogue import Catalogue, Entry

__all__ = ["S1_SHAPE", "S2_PIXELS", "SIZES", "FullSizePayload", "apply_sizes", "folder"]

#: The profiles ``Emulator(sizes=...)`` accepts.
SIZES = ("small", "realistic")
#: 10 m pixels per side of a full-size Sentinel-2 product (half a real tile: ~55 km).
S2_PIXELS = 5490
#: (lines, samples) of each polarisation of a full-size Sentinel-1 IW GRD product. A real IW
#: GRDH is ~16,700 x 25,000 uint16 (~800 MB a polarisation, ~1.7 GB zipped); this is 40-45% of
#: each side, ~27 m pixels over the catalogue's 203 x 272 km footprint: 150 MB a polarisation,
#: a ~300 MB zip for the dual-polarisation products.
S1_SHAPE = (7500, 10000)


def folder() -> Path:
    """Where full-size products are kept: ``$CDSE_EMULATOR_CACHE/full-size`` (the system's
    temporary folder when that cache is ``off``)."""
    base = default_folder() or Path(tempfile.gettempdir()) / "cdse-emulator"
    return base / "full-size"


def _s2_zip(entry: Entry) -> tuple[Path, dict[str, Any]]:
    """Build (or find) the full-size Sentinel-2 L2A zip of ``entry``: its path and sums."""
    from .products._geo import utm_window
    from .products.large_s2 import ensure_zip

    extra = entry.extra
    window = utm_window(extra["tile"], extra["lon"], extra["lat"], size=S2_PIXELS * 10)
    path = folder() / f"{entry.stem}-{S2_PIXELS}.zip"
    return path, ensure_zip(entry, path, window=window)


def _s1_zip(entry: Entry) -> tuple[Path, dict[str, Any]]:
    """Build (or find) the full-size Sentinel-1 IW GRD zip of ``entry``: its path and sums."""
    from .products.large_s1 import ensure_zip

    lines, samples = S1_SHAPE
    path = folder() / f"{entry.stem}-{lines}x{samples}.zip"
    return path, ensure_zip(entry, path, S1_SHAPE)


#: The families the realistic profile makes full-size, and their builders.
_FULL_SIZE: dict[str, Callable[[Entry], tuple[Path, dict[str, Any]]]] = {
    "sentinel2_l2a": _s2_zip,
    "sentinel1_grd": _s1_zip,
}


def apply_sizes(catalogue: Catalogue, sizes: str) -> None:
    """Give ``catalogue`` (an emulator's own copy) the ``sizes`` profile (:data:`SIZES`)."""
    if sizes not in SIZES:
        raise ValueError(f"sizes={sizes!r}: expected one of {', '.join(map(repr, SIZES))}")
    if sizes == "small":
        return
    for entry in catalogue.materialised:
        if entry.family in _FULL_SIZE and entry.online and not entry.extra.get("fault"):
            catalogue.replace(_full_size(entry))


def _full_size(entry: Entry) -> Entry:
    """A copy of ``entry`` whose bytes are the full-size product (the cached catalogue's
    entries are shared by every emulator of the process; they stay small)."""
    clone = copy.copy(entry)
    clone.extra = {**entry.extra, "sizes": "realistic"}
    clone.payload = FullSizePayload(clone)
    clone.content_length = clone.md5 = clone.blake3 = LAZY
    return clone


class FullSizePayload(Payload):
    """A full-size product's payload: built (or found in :func:`folder`) on first use, then
    the memory-mapped zip."""

    def __init__(self, entry: Entry) -> None:  # no dataclass fields yet: see __getattr__
        self._entry = entry
        self._lock = threading.Lock()
        self.single_file = False
        self.content_type = "application/zip"

    def __getattr__(self, name: str) -> Any:
        # Called only for attributes not set yet: the product's files, bytes and path.
        if name in ("files", "data", "path"):
            self._build()
            return self.__dict__[name]
        raise AttributeError(name)

    @property
    def md5(self) -> str:  # type: ignore[override]
        return self._sums["md5"]

    @property
    def blake3(self) -> str:  # type: ignore[override]
        return self._sums["blake3"]

    @functools.cached_property
    def _sums(self) -> dict[str, str]:
        self._build()
        return self.__dict__["_built_sums"]

    def _build(self) -> None:
        from .payload_disk import mapped_payload

        with self._lock:
            if "data" in self.__dict__:
                return
            entry = self._entry
            path, sums = _FULL_SIZE[entry.family](entry)
            built = mapped_payload(path, entry.name, single_file=False, map_from=0)
            self.__dict__.update(
                files=built.files, data=built.data, path=built.path, _built_sums=sums
            )

    def __repr__(self) -> str:
        return f"FullSizePayload({self._entry.name!r})"
